"""Behaviour of the SQLite persistence adapter: real database files, real processes, no mocks.

Request envelopes are built the way the web service builds them, by deserialising Alexa-shaped JSON
with the SDK's own serializer, so the tests exercise the same ``context.System.user.userId`` lookup
that live traffic does.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from typing import Any

import platformdirs
import pytest
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.exceptions import PersistenceException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import RequestEnvelope, Response
from footwork.skill.persistence import (
    FORBIDDEN_KEYS,
    SCHEMA_VERSION,
    SQLitePersistenceAdapter,
    default_database_path,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"


def launch_request_json(
    user_id: str | None, *, session_user_id: str | None = None, with_session: bool = True
) -> str:
    """Return the JSON of an Alexa LaunchRequest from ``user_id`` (omitted from context.System if None)."""
    system: dict[str, Any] = {
        "application": {"applicationId": SKILL_ID},
        "device": {"deviceId": "amzn1.ask.device.TEST", "supportedInterfaces": {}},
        "apiEndpoint": "https://api.amazonalexa.com",
    }
    if user_id is not None:
        system["user"] = {"userId": user_id}
    body: dict[str, Any] = {
        "version": "1.0",
        "context": {"System": system},
        "request": {
            "type": "LaunchRequest",
            "requestId": "amzn1.echo-api.request.TEST",
            "timestamp": "2024-05-01T12:00:00Z",
            "locale": "en-US",
        },
    }
    if with_session:
        body["session"] = {
            "new": True,
            "sessionId": "amzn1.echo-api.session.TEST",
            "application": {"applicationId": SKILL_ID},
            "user": {"userId": session_user_id if session_user_id is not None else user_id},
        }
    return json.dumps(body)


def envelope(user_id: str | None, **kwargs: Any) -> RequestEnvelope:
    """Build a real ``RequestEnvelope`` for a LaunchRequest from ``user_id``."""
    return DefaultSerializer().deserialize(
        launch_request_json(user_id, **kwargs), "ask_sdk_model.RequestEnvelope"
    )


@pytest.fixture
def db_path(tmp_path: pathlib.Path) -> pathlib.Path:
    """A database path whose parent directories do not exist yet."""
    return tmp_path / "data" / "footwork" / "footwork.sqlite3"


@pytest.fixture
def adapter(db_path: pathlib.Path) -> Any:
    """An adapter on a fresh database, closed after the test."""
    with SQLitePersistenceAdapter(db_path) as created:
        yield created


def read_raw(db_path: pathlib.Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Query the database file directly, bypassing the adapter."""
    connection = sqlite3.connect(db_path)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def run_python(code: str, *args: str, **popen: Any) -> subprocess.Popen[str]:
    """Start a separate Python process running ``code`` (this venv's interpreter, same import path)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code), *args], text=True, **popen)


# Shared by the worker processes: build an envelope exactly as the tests do.
WORKER_PRELUDE = """
import json, sys
from ask_sdk_core.serialize import DefaultSerializer
from footwork.skill.persistence import SQLitePersistenceAdapter

def envelope(user_id):
    body = {
        "version": "1.0",
        "context": {"System": {"application": {"applicationId": "skill"}, "user": {"userId": user_id}}},
        "request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "2024-05-01T12:00:00Z",
                    "locale": "en-US"},
    }
    return DefaultSerializer().deserialize(json.dumps(body), "ask_sdk_model.RequestEnvelope")
"""


# -- the basics -------------------------------------------------------------------------------------


def test_saved_attributes_come_back_for_the_same_user(adapter: SQLitePersistenceAdapter) -> None:
    attributes = {"completed": {"heel-raises": ["2024-05-01"]}, "streak": 3, "name": "Zoë"}
    adapter.save_attributes(envelope("amzn1.ask.account.A"), attributes)

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == attributes
    assert adapter.get_by_user_id("amzn1.ask.account.A") == attributes


def test_a_user_never_seen_before_gets_an_empty_dict(adapter: SQLitePersistenceAdapter) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

    assert adapter.get_attributes(envelope("amzn1.ask.account.B")) == {}
    assert adapter.get_by_user_id("amzn1.ask.account.B") is None


def test_saving_again_replaces_the_row_rather_than_adding_one(adapter: SQLitePersistenceAdapter) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1, "old": True})
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 2})

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 2}
    assert adapter.count_users() == 1


def test_delete_forgets_only_that_user(adapter: SQLitePersistenceAdapter) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})
    adapter.save_attributes(envelope("amzn1.ask.account.B"), {"streak": 2})

    adapter.delete_attributes(envelope("amzn1.ask.account.A"))
    adapter.delete_attributes(envelope("amzn1.ask.account.A"))  # deleting twice is harmless

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {}
    assert adapter.get_attributes(envelope("amzn1.ask.account.B")) == {"streak": 2}
    assert adapter.count_users() == 1


def test_the_user_id_is_stored_exactly_as_amazon_sent_it(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path
) -> None:
    user_id = "amzn1.ask.account.AF3EXAMPLE+/=="
    adapter.save_attributes(envelope(user_id), {"streak": 1})

    assert read_raw(db_path, "SELECT user_id FROM users") == [(user_id,)]


def test_the_session_user_is_used_when_the_context_has_none(adapter: SQLitePersistenceAdapter) -> None:
    adapter.save_attributes(envelope(None, session_user_id="amzn1.ask.account.S"), {"streak": 4})

    assert adapter.get_by_user_id("amzn1.ask.account.S") == {"streak": 4}


def test_a_request_without_any_user_id_is_refused(adapter: SQLitePersistenceAdapter) -> None:
    with pytest.raises(PersistenceException, match="user id"):
        adapter.get_attributes(envelope(None, with_session=False))


def test_constructing_the_adapter_does_not_touch_the_disk(db_path: pathlib.Path) -> None:
    SQLitePersistenceAdapter(db_path)

    assert not db_path.parent.exists()


def test_first_use_creates_the_parent_directories_and_the_database(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path
) -> None:
    assert adapter.count_users() == 0

    assert db_path.is_file()
    assert read_raw(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    columns = [row[1] for row in read_raw(db_path, "PRAGMA table_info(users)")]
    assert columns == ["user_id", "attributes", "updated_at"]


def test_the_database_runs_in_wal_mode_with_normal_sync(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

    # journal_mode=WAL is stored in the file itself, so a fresh outside connection sees it.
    assert read_raw(db_path, "PRAGMA journal_mode") == [("wal",)]
    connection = adapter._connection()
    assert connection.execute("PRAGMA synchronous").fetchone() == (1,)  # 1 == NORMAL
    assert connection.execute("PRAGMA busy_timeout").fetchone() == (10_000,)


def test_updated_at_records_when_the_row_was_written(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

    ((updated_at,),) = read_raw(db_path, "SELECT updated_at FROM users")
    assert updated_at.endswith("+00:00") and updated_at[:4].isdigit()


def test_the_adapter_reopens_after_close(adapter: SQLitePersistenceAdapter) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})
    adapter.close()

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 1}
    assert adapter.integrity_check() == "ok"


def test_default_database_path_is_in_the_user_data_directory() -> None:
    path = default_database_path()

    assert path == platformdirs.user_data_path("footwork") / "footwork.sqlite3"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attributes=st.dictionaries(
        st.text(alphabet="abcdefgh_-", min_size=1, max_size=8),  # cannot spell a forbidden key
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(st.text(alphabet="abcdefgh", max_size=6), children, max_size=4)
            ),
            max_leaves=20,
        ),
        max_size=6,
    )
)
def test_any_json_object_round_trips_unchanged(
    adapter: SQLitePersistenceAdapter, attributes: dict[str, Any]
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.P"), attributes)

    assert adapter.get_attributes(envelope("amzn1.ask.account.P")) == attributes


def test_it_works_as_the_sdk_persistence_adapter(adapter: SQLitePersistenceAdapter) -> None:
    class CountLaunches(AbstractRequestHandler):
        def can_handle(self, handler_input: HandlerInput) -> bool:
            return is_request_type("LaunchRequest")(handler_input)

        def handle(self, handler_input: HandlerInput) -> Response:
            manager = handler_input.attributes_manager
            attributes = manager.persistent_attributes
            attributes["launches"] = attributes.get("launches", 0) + 1
            manager.save_persistent_attributes()
            return handler_input.response_builder.speak(f"Launch {attributes['launches']}").response

    builder = CustomSkillBuilder(persistence_adapter=adapter)
    builder.add_request_handler(CountLaunches())
    skill = builder.create()

    for _ in range(3):
        skill.invoke(request_envelope=envelope("amzn1.ask.account.A"), context=None)

    assert adapter.get_by_user_id("amzn1.ask.account.A") == {"launches": 3}


# -- refused writes keep what was there ---------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"when": object()},
        {"nested": {"deeper": [1, {2, 3}]}},
        {"ratio": float("nan")},
        {1: "non-string key would come back as '1'"},
    ],
    ids=["object", "nested-set", "nan", "int-key"],
)
def test_failed_write_keeps_the_previous_state(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path, bad: dict[Any, Any]
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 5})
    before = read_raw(db_path, "SELECT attributes, updated_at FROM users")

    with pytest.raises(PersistenceException, match=str(db_path)):
        adapter.save_attributes(envelope("amzn1.ask.account.A"), bad)

    assert read_raw(db_path, "SELECT attributes, updated_at FROM users") == before
    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 5}


def test_a_self_referencing_dict_is_refused_not_crashed_on(adapter: SQLitePersistenceAdapter) -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop

    with pytest.raises(PersistenceException):
        adapter.save_attributes(envelope("amzn1.ask.account.A"), loop)


def test_a_write_that_fails_inside_sqlite_rolls_back(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 5})
    # A trigger makes the UPSERT itself fail half-way through the transaction.
    adapter._connection().execute(
        "CREATE TRIGGER refuse BEFORE UPDATE ON users BEGIN SELECT RAISE(ABORT, 'refused by test'); END"
    )

    with pytest.raises(PersistenceException, match="refused by test") as raised:
        adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 6})

    assert str(db_path) in str(raised.value)
    assert not adapter._connection().in_transaction
    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 5}


@pytest.mark.parametrize(
    "attributes",
    [
        {"pain": 3},
        {"painLevel": 7},
        {"routines": {"heel-raises": {"Pain-Level": 2}}},
        {"history": [{"date": "2024-05-01"}, {"date": "2024-05-02", "symptoms": ["swelling"]}]},
        {"profile": {"INJURY": "sprain"}},
        {"notes": [[{"diagnosis": "x"}]]},
    ],
    ids=["top-level", "camel-case", "nested-dict", "inside-list", "upper-case", "list-of-lists"],
)
def test_health_information_keys_are_refused_at_any_depth(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path, attributes: dict[str, Any]
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})

    with pytest.raises(PersistenceException, match="health information"):
        adapter.save_attributes(envelope("amzn1.ask.account.A"), attributes)

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == {"streak": 1}


def test_the_health_refusal_names_the_key_but_not_the_value(adapter: SQLitePersistenceAdapter) -> None:
    with pytest.raises(PersistenceException) as raised:
        adapter.save_attributes(envelope("amzn1.ask.account.A"), {"log": {"symptoms": "numb left toe"}})

    assert "symptoms" in str(raised.value)
    assert "numb left toe" not in str(raised.value)


def test_the_forbidden_keys_cover_the_health_words_the_policy_names() -> None:
    assert {"pain", "pain_level", "injury", "symptoms", "condition", "diagnosis"} <= FORBIDDEN_KEYS


def test_completed_routines_are_not_mistaken_for_health_information(
    adapter: SQLitePersistenceAdapter,
) -> None:
    attributes = {"completed": {"toe-curls": ["2024-05-01"]}, "streak": 2, "last_routine": "ankle-circles"}

    adapter.save_attributes(envelope("amzn1.ask.account.A"), attributes)

    assert adapter.get_attributes(envelope("amzn1.ask.account.A")) == attributes


# -- damaged or foreign databases -----------------------------------------------------------------------


@pytest.mark.parametrize("stored", ["{not json", "[1, 2, 3]", ""], ids=["broken", "array", "empty"])
def test_a_corrupt_json_row_raises_persistence_exception_naming_the_path(
    adapter: SQLitePersistenceAdapter, db_path: pathlib.Path, stored: str
) -> None:
    adapter.save_attributes(envelope("amzn1.ask.account.A"), {"streak": 1})
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE users SET attributes = ?", (stored,))
    connection.close()

    with pytest.raises(PersistenceException, match=str(db_path)):
        adapter.get_attributes(envelope("amzn1.ask.account.A"))


def test_a_file_that_is_not_a_database_raises_persistence_exception_naming_the_path(
    db_path: pathlib.Path,
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not an SQLite file, just some text " * 100)

    with SQLitePersistenceAdapter(db_path) as adapter:
        with pytest.raises(PersistenceException, match=str(db_path)):
            adapter.count_users()


def test_a_database_from_a_newer_footwork_is_refused(db_path: pathlib.Path) -> None:
    db_path.parent.mkdir(parents=True)
    connection = sqlite3.connect(db_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()

    with SQLitePersistenceAdapter(db_path) as adapter:
        with pytest.raises(PersistenceException, match="newer"):
            adapter.count_users()


# -- threads and processes --------------------------------------------------------------------------


def test_threads_sharing_one_adapter_each_keep_their_own_writes(adapter: SQLitePersistenceAdapter) -> None:
    errors: list[BaseException] = []

    def write(thread: int) -> None:
        try:
            for counter in range(50):
                adapter.save_attributes(envelope(f"thread-{thread}"), {"counter": counter})
                adapter.save_attributes(envelope("shared"), {"counter": counter, "thread": thread})
        except BaseException as error:  # reported below; a thread cannot fail the test by itself
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    for n in range(6):
        assert adapter.get_by_user_id(f"thread-{n}") == {"counter": 49}
    assert adapter.get_by_user_id("shared")["counter"] == 49  # type: ignore[index]
    assert adapter.integrity_check() == "ok"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_a_forked_worker_opens_its_own_connection(adapter: SQLitePersistenceAdapter) -> None:
    # gunicorn --preload: the adapter may have been used in the master before the workers fork.
    adapter.save_attributes(envelope("parent"), {"counter": 1})

    pid = os.fork()
    if pid == 0:  # the child: must not reuse the parent's connection
        status = 1
        try:
            adapter.save_attributes(envelope("child"), {"counter": 2})
            status = 0 if adapter.get_by_user_id("parent") == {"counter": 1} else 1
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(wait_status) == 0
    assert adapter.get_by_user_id("child") == {"counter": 2}
    adapter.save_attributes(envelope("parent"), {"counter": 3})
    assert adapter.get_by_user_id("parent") == {"counter": 3}


CONCURRENT_WRITER = (
    WORKER_PRELUDE
    + """
db_path, writer, writes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
adapter = SQLitePersistenceAdapter(db_path)  # opens nothing yet: the first write races the others
sys.stdin.readline()  # wait for the start signal, so every process begins at once
own, shared = envelope(f"writer-{writer}"), envelope("shared")
for counter in range(writes):
    adapter.save_attributes(own, {"counter": counter, "writer": writer})
    adapter.save_attributes(shared, {"counter": counter, "writer": writer})
    if counter % 50 == 0:
        assert adapter.get_attributes(own) == {"counter": counter, "writer": writer}
adapter.close()
"""
)


def test_several_processes_writing_at_once_lose_no_last_write(db_path: pathlib.Path) -> None:
    processes, writes = 4, 200
    workers = [
        run_python(CONCURRENT_WRITER, str(db_path), str(n), str(writes), stdin=subprocess.PIPE)
        for n in range(processes)
    ]
    for worker in workers:  # start signal, sent only when every process is up and waiting
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.close()
        assert worker.wait(timeout=120) == 0

    with SQLitePersistenceAdapter(db_path) as adapter:
        for n in range(processes):
            assert adapter.get_by_user_id(f"writer-{n}") == {"counter": writes - 1, "writer": n}
        # The last write to the shared row is some writer's last write.
        shared = adapter.get_by_user_id("shared")
        assert shared is not None and shared["counter"] == writes - 1
        assert adapter.count_users() == processes + 1
        assert adapter.integrity_check() == "ok"


ENDLESS_WRITER = (
    WORKER_PRELUDE
    + """
adapter = SQLitePersistenceAdapter(sys.argv[1])
me = envelope("killed")
counter = 0
while True:
    counter += 1
    adapter.save_attributes(me, {"counter": counter, "padding": "x" * 2000})
    print(counter, flush=True)  # printed only once the write has committed
"""
)


@pytest.mark.parametrize("kill_after", [1, 300])
def test_a_killed_writer_loses_nothing_already_committed(db_path: pathlib.Path, kill_after: int) -> None:
    writer = run_python(ENDLESS_WRITER, str(db_path), stdout=subprocess.PIPE)
    assert writer.stdout is not None
    last_printed = 0
    try:
        for line in writer.stdout:
            last_printed = int(line)
            if last_printed >= kill_after:
                os.kill(writer.pid, signal.SIGKILL)  # mid-loop, most likely mid-write
                break
    finally:
        if writer.poll() is None:
            os.kill(writer.pid, signal.SIGKILL)
        for line in writer.stdout:  # anything printed between the last read and the kill
            last_printed = int(line)
        writer.wait(timeout=30)

    assert writer.returncode == -signal.SIGKILL
    assert last_printed >= kill_after
    with SQLitePersistenceAdapter(db_path) as adapter:
        stored = adapter.get_by_user_id("killed")
        assert stored is not None and stored["counter"] >= last_printed
        assert adapter.integrity_check() == "ok"
        # The database is still writable after the crash.
        adapter.save_attributes(envelope("killed"), {"counter": 0})
        assert adapter.get_by_user_id("killed") == {"counter": 0}
