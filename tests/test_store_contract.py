"""The contract every store keeps, run against each real store: a SQLite file, a PostgreSQL server
started from Debian's binaries, and DynamoDB served by moto over HTTP (boto3 talking to it).

Request envelopes are built the way the web service builds them, by deserialising Alexa-shaped JSON with
the SDK's own serializer, so the user-id lookup is the one live traffic uses.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import RequestEnvelope, Response
from footwork.core.settings import SettingsError
from footwork.skill.stores import (
    FORBIDDEN_KEYS,
    MAX_DOCUMENT_BYTES,
    MAX_USER_ID_LENGTH,
    Store,
    StoreConflict,
    StoreError,
    open_configured_store,
    open_store,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_servers import PG_PASSWORD, free_port

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
A, B = "amzn1.ask.account.A", "amzn1.ask.account.B"


def envelope(user_id: str | None, *, session_user_id: str | None = None, with_session: bool = True
             ) -> RequestEnvelope:
    system: dict[str, Any] = {"application": {"applicationId": SKILL_ID}}
    if user_id is not None:
        system["user"] = {"userId": user_id}
    body: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": system},
        "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2024-05-01T12:00:00Z",
                    "locale": "en-US"},
    }
    if with_session:
        body["session"] = {"new": True, "sessionId": "s", "application": {"applicationId": SKILL_ID},
                           "user": {"userId": session_user_id if session_user_id is not None else user_id}}
    return DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)


@pytest.fixture
def store(store_url: str) -> Any:
    opened = open_configured_store(store_url)
    yield opened
    opened.close()


# --- the basics ------------------------------------------------------------------------------------


def test_saved_attributes_come_back_for_the_same_user(store: Store) -> None:
    attributes = {"completed": [{"routine": "ankle", "date": "2024-05-01"}], "streak": 3, "name": "Zoë"}
    store.save_attributes(envelope(A), attributes)

    assert store.get_attributes(envelope(A)) == attributes
    assert store.get_by_user_id(A) == attributes


def test_a_user_never_seen_before_gets_an_empty_dict(store: Store) -> None:
    store.save_attributes(envelope(A), {"streak": 1})

    assert store.get_attributes(envelope(B)) == {}
    assert store.get_by_user_id(B) is None


def test_saving_again_replaces_the_document_rather_than_adding_one(store: Store) -> None:
    store.save_attributes(envelope(A), {"streak": 1, "old": True})
    store.save_attributes(envelope(A), {"streak": 2})

    assert store.get_attributes(envelope(A)) == {"streak": 2}
    assert store.count_users() == 1


def test_delete_forgets_only_that_user(store: Store) -> None:
    store.save_attributes(envelope(A), {"streak": 1})
    store.save_attributes(envelope(B), {"streak": 2})

    store.delete_attributes(envelope(A))
    store.delete_attributes(envelope(A))  # deleting twice is harmless

    assert store.get_attributes(envelope(A)) == {}
    assert store.get_attributes(envelope(B)) == {"streak": 2}
    assert store.count_users() == 1


def test_the_user_id_is_kept_exactly_as_amazon_sent_it(store: Store) -> None:
    user_id = "amzn1.ask.account.AF3EXAMPLE+/==" + "Q" * 200
    store.save_attributes(envelope(user_id), {"streak": 1})

    record = store.read(user_id)
    assert record is not None and record.user_id == user_id and record.attributes == {"streak": 1}


def test_the_session_user_is_used_when_the_context_has_none(store: Store) -> None:
    store.save_attributes(envelope(None, session_user_id="amzn1.ask.account.S"), {"streak": 4})

    assert store.get_by_user_id("amzn1.ask.account.S") == {"streak": 4}


def test_a_request_without_any_user_id_is_refused(store: Store) -> None:
    with pytest.raises(PersistenceException, match="user id"):
        store.get_attributes(envelope(None, with_session=False))


@pytest.mark.parametrize("user_id", ["x" * (MAX_USER_ID_LENGTH + 1), "amzn1.ask.account.\x00", "a\nb"],
                         ids=["too-long", "nul", "newline"])
def test_a_user_id_that_is_not_a_reasonable_string_is_refused_before_the_store(
    store: Store, user_id: str
) -> None:
    with pytest.raises(StoreError, match="user id"):
        store.save_attributes(envelope(user_id), {"streak": 1})
    with pytest.raises(StoreError, match="user id"):
        store.get_attributes(envelope(user_id))
    assert store.count_users() == 0


def test_numbers_come_back_as_the_same_python_types(store: Store) -> None:
    # Amazon's DynamoDB adapter hands numbers back as Decimal; a page that is not an int is lost.
    attributes = {"unfinished": {"routine": "ankle", "level": "easy", "mode": "guided", "page": 7},
                  "ratio": 0.25, "big": 2**62, "flag": True, "none": None}
    store.save_attributes(envelope(A), attributes)

    back = store.get_by_user_id(A)
    assert back == attributes
    assert type(back["unfinished"]["page"]) is int and type(back["ratio"]) is float  # type: ignore[index]
    assert type(back["big"]) is int and back["flag"] is True  # type: ignore[index]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet="abcdefgh", max_size=6), children, max_size=4),
    max_leaves=15,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attributes=st.dictionaries(st.text(alphabet="abcdefgh_-", min_size=1, max_size=8), _json_values,
                                  max_size=6))
def test_any_json_object_round_trips_unchanged(store: Store, attributes: dict[str, Any]) -> None:
    store.save_attributes(envelope("amzn1.ask.account.P"), attributes)

    assert store.get_attributes(envelope("amzn1.ask.account.P")) == attributes


def test_it_works_as_the_sdk_persistence_adapter(store: Store) -> None:
    class CountLaunches(AbstractRequestHandler):
        def can_handle(self, handler_input: HandlerInput) -> bool:
            return bool(is_request_type("LaunchRequest")(handler_input))

        def handle(self, handler_input: HandlerInput) -> Response:
            manager = handler_input.attributes_manager
            attributes = manager.persistent_attributes
            attributes["launches"] = attributes.get("launches", 0) + 1
            manager.save_persistent_attributes()
            return handler_input.response_builder.speak(f"Launch {attributes['launches']}").response

    builder = CustomSkillBuilder(persistence_adapter=store)
    builder.add_request_handler(CountLaunches())
    skill = builder.create()
    for _ in range(3):
        skill.invoke(request_envelope=envelope(A), context=None)

    assert store.get_by_user_id(A) == {"launches": 3}


# --- refused writes keep what was there --------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"when": object()}, "not JSON-serialisable"),
        ({"nested": {"deeper": [1, {2, 3}]}}, "not JSON-serialisable"),
        ({"ratio": float("nan")}, "not JSON-serialisable"),
        ({1: "a non-string key would come back as '1'"}, "non-string key"),
        ({"name": "Zo\x00ë"}, "NUL character"),
        ({"deep": [{"k\x00": 1}]}, "NUL character"),
        ({"padding": "x" * MAX_DOCUMENT_BYTES}, "400 KB"),
        ({"padding": ["é" * 1000] * 210}, "400 KB"),
        ({"log": {"painLevel": 3}}, "health information"),
    ],
    ids=["object", "nested-set", "nan", "int-key", "nul-value", "nul-key", "over-400KB", "over-400KB-utf8",
         "health"],
)
def test_a_refused_write_names_the_reason_and_keeps_the_previous_state(
    store: Store, bad: dict[Any, Any], reason: str
) -> None:
    store.save_attributes(envelope(A), {"streak": 5})
    before = store.read(A)

    with pytest.raises(PersistenceException, match=reason) as raised:
        store.save_attributes(envelope(A), bad)

    assert store.where in str(raised.value)
    assert store.read(A) == before


def test_a_self_referencing_dict_is_refused_not_crashed_on(store: Store) -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop

    with pytest.raises(PersistenceException):
        store.save_attributes(envelope(A), loop)


@pytest.mark.parametrize(
    "attributes",
    [{"pain": 3}, {"painLevel": 7}, {"routines": {"heel-raises": {"Pain-Level": 2}}},
     {"history": [{"date": "2024-05-01"}, {"date": "2024-05-02", "symptoms": ["swelling"]}]},
     {"profile": {"INJURY": "sprain"}}, {"notes": [[{"diagnosis": "x"}]]}],
    ids=["top-level", "camel-case", "nested-dict", "inside-list", "upper-case", "list-of-lists"],
)
def test_health_information_keys_are_refused_at_any_depth(store: Store, attributes: dict[str, Any]) -> None:
    with pytest.raises(PersistenceException, match="health information") as raised:
        store.save_attributes(envelope(A), attributes)

    assert "sprain" not in str(raised.value) and "swelling" not in str(raised.value)
    assert store.get_by_user_id(A) is None


def test_the_forbidden_keys_cover_the_health_words_the_policy_names() -> None:
    assert {"pain", "pain_level", "injury", "symptoms", "condition", "diagnosis"} <= FORBIDDEN_KEYS


def test_completed_routines_are_not_mistaken_for_health_information(store: Store) -> None:
    attributes = {"completed": {"toe-curls": ["2024-05-01"]}, "streak": 2, "last_routine": "ankle-circles"}
    store.save_attributes(envelope(A), attributes)

    assert store.get_by_user_id(A) == attributes


@pytest.mark.parametrize("stored", ["{not json", "[1, 2, 3]", "", "null"])
def test_a_document_that_no_longer_fits_is_logged_and_read_as_empty(
    store: Store, stored: str, caplog: pytest.LogCaptureFixture
) -> None:
    store.write(A, stored, None)  # as an older Footwork, or a hand edit, might have left it

    with caplog.at_level(logging.WARNING, logger="footwork.stores"):
        assert store.get_attributes(envelope(A)) == {}
    assert "treating it as empty" in caplog.text
    store.save_attributes(envelope(A), {"streak": 1})
    assert store.get_by_user_id(A) == {"streak": 1}


# --- versions ----------------------------------------------------------------------------------------


def test_a_write_over_a_version_someone_else_replaced_is_a_conflict(store: Store) -> None:
    store.save_attributes(envelope(A), {"completed": 1})
    first = store.read(A)
    assert first is not None
    store.write(A, '{"completed": 2}', first.version)  # another device got there first

    with pytest.raises(StoreConflict):
        store.write(A, '{"completed": 2}', first.version)
    with pytest.raises(StoreConflict):
        store.write(A, '{"completed": 1}', None)  # "nobody has written yet" is stale too
    assert store.get_by_user_id(A) == {"completed": 2}


def test_a_save_after_someone_elses_write_in_between_is_refused(store: Store) -> None:
    store.save_attributes(envelope(A), {"completed": 1})
    mine = store.get_attributes(envelope(A))
    store.write(A, '{"completed": 5}', store.read(A).version)  # type: ignore[union-attr]

    mine["completed"] += 1
    with pytest.raises(StoreConflict):
        store.save_attributes(envelope(A), mine)
    assert store.get_by_user_id(A) == {"completed": 5}


# --- the operator's view -----------------------------------------------------------------------------


def test_stats_count_people_and_never_name_them(store: Store) -> None:
    for n in range(3):
        store.save_attributes(envelope(f"amzn1.ask.account.{n}"), {"streak": n})

    stats = store.stats()
    assert stats.users == stats.active_last_day == stats.active_last_week == stats.active_last_month == 3
    assert "amzn1" not in json.dumps(stats.as_json())


def test_purge_deletes_only_people_not_seen_since_the_cutoff(store: Store) -> None:
    store.save_attributes(envelope(A), {"streak": 1})
    time.sleep(1.2)
    store.save_attributes(envelope(B), {"streak": 2})

    assert store.purge(timedelta(seconds=1)) == 1
    assert store.get_by_user_id(A) is None and store.get_by_user_id(B) == {"streak": 2}


def test_health_reports_the_kind_and_latency_never_a_password(store: Store) -> None:
    health = store.health().as_json()

    assert health["answers"] is True and health["kind"] == store.kind
    assert health["latency_ms"] >= 0
    assert PG_PASSWORD not in json.dumps(health)


def test_init_can_run_again(store: Store) -> None:
    store.save_attributes(envelope(A), {"streak": 1})

    assert store.init()
    assert store.get_by_user_id(A) == {"streak": 1}


# --- choosing a store, and clear errors -------------------------------------------------------------


def test_a_path_and_a_sqlite_url_mean_the_same_file(tmp_path: Path) -> None:
    by_path = open_store(str(tmp_path / "f.sqlite3"))
    by_url = open_store(f"sqlite://{tmp_path}/f.sqlite3")

    assert by_path.kind == by_url.kind == "sqlite" and by_path.where == by_url.where


def test_an_unknown_scheme_names_the_setting_and_masks_the_password() -> None:
    with pytest.raises(SettingsError) as raised:
        open_configured_store("mongodb://admin:hunter2@db.example.org/footwork")

    message = str(raised.value)
    assert message.startswith("FOOTWORK_DB:") and "mongodb" in message
    assert "hunter2" not in message and "admin:***@" in message
    assert "postgresql" in message and "dynamodb" in message and "sqlite" in message


def test_an_unreachable_postgresql_is_a_start_up_error_without_the_password() -> None:
    url = f"postgresql://footwork:hunter2@127.0.0.1:{free_port()}/footwork"

    with pytest.raises(SettingsError) as raised:
        open_configured_store(url)
    message = str(raised.value)
    assert message.startswith("FOOTWORK_DB:") and "connecting failed" in message
    assert "hunter2" not in message and "footwork:***@127.0.0.1" in message


def test_a_missing_dynamodb_table_says_how_to_create_it(moto_server: Any) -> None:
    with pytest.raises(SettingsError, match=r"FOOTWORK_DB: .*no table 'absent'.*footwork data init"):
        open_configured_store(moto_server.url("absent"))


@pytest.mark.parametrize("url", ["dynamodb://ab?region=us-east-1", "dynamodb://table?regoin=us-east-1",
                                 "sqlite://"])
def test_a_malformed_store_url_names_the_setting(url: str) -> None:
    with pytest.raises(SettingsError, match="FOOTWORK_DB"):
        open_configured_store(url)


def test_a_store_added_by_another_distribution_is_found_through_the_entry_point(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "memo_store").mkdir(parents=True)
    (site / "memo_store" / "__init__.py").write_text(textwrap.dedent("""\
        from footwork.skill.stores.sqlite import SQLiteStore

        class MemoStore(SQLiteStore):
            kind = "memo"

            @classmethod
            def from_url(cls, url):
                return cls(url.split("://", 1)[1])
    """))
    dist = site / "memo_store-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: memo-store\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[footwork.stores]\nmemo = memo_store:MemoStore\n")
    code = ("from footwork.skill.stores import open_configured_store\n"
            f"s = open_configured_store('memo://{tmp_path}/memo.db')\n"
            "print(s.kind, s.where)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["memo", f"{tmp_path}/memo.db"]


def test_footwork_serve_refuses_an_unreachable_store_in_one_line(tmp_path: Path) -> None:
    footwork = Path(sys.executable).with_name("footwork")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FOOTWORK_SKILL_ID": "any"}

    result = subprocess.run([str(footwork), "serve", "--port", "0", "--db",
                             "postgresql://footwork:hunter2@127.0.0.1:1/footwork"],
                            capture_output=True, text=True, env=env, timeout=60)

    assert result.returncode == 2
    assert "cannot start: FOOTWORK_DB:" in result.stderr and "footwork:***@127.0.0.1" in result.stderr
    assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
