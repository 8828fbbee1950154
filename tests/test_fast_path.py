"""The throughput cuts of issue 14 change no answer, no refusal and no stored document.

Each cut is compared with what it replaced: Footwork's own skill (``optimistic.RetryingSkill``) with
ask-sdk-core's ``CustomSkill`` running the same handlers; the compiled response writer with ask-sdk-core's
``DefaultSerializer.serialize``; the save that skips an unchanged document with a save that always
writes; the health-information guard's quick test with the full check that names the problem; the
memoised certificate-URL check with the check itself. The app-level comparisons run two real apps side
by side, one with the old pieces put back, over every request Amazon signed and whole routines, and
require byte-identical answers.
"""

from __future__ import annotations

import base64
import decimal
import json
from dataclasses import replace
from datetime import UTC, date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import signed_requests
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import Response, ResponseEnvelope
from ask_sdk_model.ui import PlayBehavior, SimpleCard, SsmlOutputSpeech
from flask import Flask
from footwork.core.settings import ANY_SKILL as ANY
from footwork.skill import stores
from footwork.skill.app import create_app
from footwork.skill.builder import skill_builder
from footwork.skill.optimistic import SessionCopyingManager, json_copy
from footwork.skill.response_writer import write_response
from footwork.skill.stores import Record, StoreConflict, StoreError, encode_document
from footwork.skill.stores.sqlite import SQLiteStore
from footwork.skill.verify import CERTIFICATE_CACHE_SIZE, RequestVerifier, VerificationError
from hypothesis import given, settings
from hypothesis import strategies as st
from side_by_side import both, every_routine, replay

SDK = DefaultSerializer()


# --- two apps side by side: the old pieces, and the fast path -----------------------------------------


class AlwaysWriting(SQLiteStore):
    """The SQLite store as it was before the cut: every save writes, changed or not."""

    def read(self, user_id: str) -> Record | None:
        record = super().read(user_id)
        return None if record is None else replace(record, text=None)


def sdk_skill(catalog: Any, persistence: Any) -> Any:
    """ask-sdk-core's own ``CustomSkill`` (``CustomSkillBuilder.create``) with Footwork's handlers, exception
    handlers and interceptors: those ``skill_builder`` collects, in its order."""
    ours = skill_builder(catalog, persistence)
    builder = CustomSkillBuilder(persistence_adapter=persistence)
    builder.runtime_configuration_builder = ours.runtime_configuration_builder
    return builder.create()


def _pair(tmp_path: Path) -> tuple[Flask, Flask]:
    """The app with the SDK's CustomSkill, its serializer and an always-writing store (before), and the
    app as it is."""
    config = {"FOOTWORK_VERIFY": False, "FOOTWORK_DEV": False}
    old = create_app({**config, "FOOTWORK_DB": str(tmp_path / "old.sqlite3")})
    new = create_app({**config, "FOOTWORK_DB": str(tmp_path / "new.sqlite3")})
    state = old.extensions["footwork"]
    state.write_response = SDK.serialize
    always = AlwaysWriting(tmp_path / "old.sqlite3")
    state.persistence = always
    state.skill = sdk_skill(state.catalog, always)
    return old, new


def test_the_old_app_of_the_comparison_runs_the_sdks_custom_skill(tmp_path: Path) -> None:
    from ask_sdk_core.skill import CustomSkill
    from footwork.skill.optimistic import RetryingSkill

    old, new = _pair(tmp_path)
    assert type(old.extensions["footwork"].skill) is CustomSkill
    assert type(new.extensions["footwork"].skill) is RetryingSkill


def test_the_old_store_of_the_comparison_writes_every_save(tmp_path: Path) -> None:
    always, store = AlwaysWriting(tmp_path / "old.sqlite3"), SQLiteStore(tmp_path / "new.sqlite3")
    for each in (always, store):
        each.save_attributes(_Envelope(PERSON), {"streak": 2})
        for _ in range(3):
            each.save_attributes(_Envelope(PERSON), each.get_attributes(_Envelope(PERSON)))
    versions = [each.read(PERSON).version for each in (always, store)]  # type: ignore[union-attr]
    assert versions == [4, 1]


@pytest.mark.parametrize("name", signed_requests.params())
def test_every_recorded_request_gets_the_same_answer_on_the_fast_path(name: str, tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    body = signed_requests.load(name).body
    for _ in range(3):  # new person, then known: progress read back, saves of unchanged documents
        both(old, new, body)


def test_whole_routines_get_the_same_answers_on_the_fast_path(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    script = every_routine(new.extensions["footwork"].catalog)
    assert replay(old, new, script) == len(script)


def test_the_lambda_handler_answers_as_the_sdks_skill_and_serializer_would(tmp_path: Path) -> None:
    from footwork.core import load_catalog
    from footwork.core.settings import Settings
    from footwork.skill.lambda_function import build_lambda_handler
    from footwork.skill.skill_events import read_request_envelope

    settings = replace(Settings.from_env(), skill_ids=ANY, db=str(tmp_path / "new.sqlite3"), on_lambda=False)
    handle = build_lambda_handler(settings)
    theirs = sdk_skill(load_catalog(), AlwaysWriting(tmp_path / "old.sqlite3"))
    if not signed_requests.available():
        pytest.skip(signed_requests.MISSING_REASON)
    for name in signed_requests.names():
        event = json.loads(signed_requests.load(name).body)
        for _ in range(2):
            answer = theirs.invoke(request_envelope=read_request_envelope(event), context=None)
            expected = SDK.serialize(answer)
            assert json.dumps(handle(event, None)) == json.dumps(expected)


def test_serving_imports_neither_the_sdks_skill_module_nor_its_service_clients(tmp_path: Path) -> None:
    import subprocess
    import sys
    import textwrap

    # A request answered by the web app and one by the Lambda handler, then what got imported.
    program = textwrap.dedent("""
        import json, sys
        from footwork.core.settings import Settings
        from footwork.skill import app, lambda_function
        from footwork.skill.dev.envelopes import Conversation
        launch = Conversation().launch()
        config = {"FOOTWORK_VERIFY": False, "FOOTWORK_DEV": False, "FOOTWORK_DB": sys.argv[1]}
        web = app.create_app(config).test_client().post("/alexa", json=launch)
        assert web.status_code == 200, web.data
        settings = Settings(skill_ids="any", db=sys.argv[1])
        assert "speak" in json.dumps(lambda_function.build_lambda_handler(settings)(launch, None))
        names = ("ask_sdk_core.skill", "ask_sdk_core.skill_builder", "ask_sdk_core.serialize",
                 "ask_sdk_model.services", "footwork.skill.stores.postgres", "footwork.skill.stores.dynamodb")
        print(json.dumps([name for name in names if name in sys.modules]))
    """)
    # A URL, not a path: the store is then found among the entry points, and only it is loaded.
    done = subprocess.run([sys.executable, "-c", program, f"sqlite://{tmp_path}/db.sqlite3"],
                          capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.splitlines()[-1]) == []


# --- the session copy ---------------------------------------------------------------------------------

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(_JSON)
def test_the_session_copy_is_a_deep_copy_sharing_nothing_mutable(value: Any) -> None:
    copied = json_copy(value)
    assert json.dumps(copied) == json.dumps(value)  # equal, NaN included, key order included
    mutable: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict | list):
            mutable.append(id(node))
            for child in node.values() if isinstance(node, dict) else node:
                walk(child)

    walk(value)
    originals = set(mutable)
    mutable.clear()
    walk(copied)
    assert originals.isdisjoint(mutable)


def test_the_session_copy_hands_anything_but_json_to_deepcopy() -> None:
    shared = [1, 2]
    odd = {"tuple": (shared, shared), "set": {1, 2}, "label": Label("x")}
    copied = json_copy(odd)
    assert copied == odd
    assert copied["tuple"][0] is copied["tuple"][1] is not shared  # deepcopy's memo kept them shared
    assert json_copy({1: [shared]}) == {1: [[1, 2]]}


@pytest.mark.parametrize("name", signed_requests.params())
def test_the_attributes_manager_starts_as_the_sdks_does(name: str) -> None:
    from footwork.skill.skill_events import read_request_envelope

    envelope = read_request_envelope(json.loads(signed_requests.load(name).body))
    store = object()
    ours, theirs = SessionCopyingManager(envelope, store), AttributesManager(envelope, store)  # type: ignore[arg-type]
    assert vars(ours) == vars(theirs)
    if envelope.session is not None and envelope.session.attributes:
        assert ours.session_attributes is not envelope.session.attributes


# --- the response writer ------------------------------------------------------------------------------


class Colour(Enum):
    RED = "red"


class Label(str):
    pass


def _envelope() -> ResponseEnvelope:
    speech = SsmlOutputSpeech(ssml="<speak>Hi</speak>", play_behavior=PlayBehavior.REPLACE_ALL)
    response = Response(output_speech=speech, card=SimpleCard(title="T", content=None),
                        should_end_session=False)
    return ResponseEnvelope(version="1.0", response=response, user_agent="ua",
                            session_attributes={"place": {"routine": "heel", "set": 2}, "none": None})


@pytest.mark.parametrize(
    "value",
    [
        None, "text", 3, 2.5, True, b"bytes", Label("a str subclass"), [1, "a", None], (1, (2, 3)),
        datetime(2026, 12, 3, 15, 0, tzinfo=UTC), date(2026, 12, 3), Colour.RED, PlayBehavior.ENQUEUE,
        decimal.Decimal("4"), decimal.Decimal("4.5"), {"k": [Colour.RED, {"d": date(2020, 1, 2)}]},
        _envelope(),
    ],
    ids=lambda value: type(value).__name__,
)
def test_the_response_writer_writes_what_the_sdk_serializer_writes(value: Any) -> None:
    ours, theirs = write_response(value), SDK.serialize(value)
    assert ours == theirs and type(ours) is type(theirs)
    if value is not None and not isinstance(value, bytes | tuple):
        assert json.dumps(ours) == json.dumps(theirs)  # key order included


def test_a_value_the_sdk_cannot_serialise_fails_the_same_way() -> None:
    with pytest.raises(AttributeError):
        SDK.serialize(object())
    with pytest.raises(AttributeError):
        write_response(object())


# --- the health-information guard --------------------------------------------------------------------

_KEYS = st.sampled_from(
    ["place", "routines", "heel-raises", "done", "painLevel", "pain", "Pain_Score", "INJURY", "symptoms",
     "medical-history", "health status", "ok\x00", "streak", "painless", "conditioning"])
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                  st.sampled_from(["a", "2026-12-03", "Zo\x00e", ""]))
_DOCUMENT = st.recursive(
    _LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(_KEYS, st.integers(0, 3)), inner, max_size=4),
    ),
    max_leaves=20,
)


def _refused(document: Any) -> str | None:
    try:
        stores._check_value(document, "attributes", "here")
    except StoreError as error:
        return str(error)
    return None


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.one_of(_KEYS, st.integers(0, 3)), _DOCUMENT, max_size=5))
def test_the_quick_guard_refuses_exactly_what_the_full_check_refuses(document: dict[Any, Any]) -> None:
    refused = _refused(document)
    assert stores._has_problem(document) == (refused is not None)
    if refused is not None:
        with pytest.raises(StoreError) as raised:
            encode_document(document, "here")
        assert str(raised.value) == refused  # the full check's words, naming the place


def test_the_guard_still_refuses_a_document_that_contains_itself() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = [loop]
    with pytest.raises(StoreError, match="not JSON-serialisable"):
        encode_document(loop, "here")


# --- a save that changes nothing writes nothing -------------------------------------------------------


class _Envelope:
    """The least of a request envelope the store reads: the user id, where Alexa puts it."""

    def __init__(self, user_id: str) -> None:
        user = type("User", (), {"user_id": user_id})()
        system = type("System", (), {"user": user})()
        self.context = type("Context", (), {"system": system})()
        self.session = None


PERSON = "amzn1.ask.account.FASTPATH"


def test_saving_the_document_as_read_writes_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.sqlite3")
    store.save_attributes(_Envelope(PERSON), {"streak": 2, "routines": {"heel": ["2026-12-01"]}})
    written = store.read(PERSON)
    assert written is not None

    attributes = store.get_attributes(_Envelope(PERSON))
    store.save_attributes(_Envelope(PERSON), attributes)

    assert store.read(PERSON) == written  # same version, same time of the last write


def test_a_changed_document_is_written_over_the_version_read(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.sqlite3")
    store.save_attributes(_Envelope(PERSON), {"streak": 2})
    attributes = store.get_attributes(_Envelope(PERSON))
    attributes["streak"] = 3
    store.save_attributes(_Envelope(PERSON), attributes)
    record = store.read(PERSON)
    assert record is not None and record.attributes == {"streak": 3} and record.version == 2


def test_a_change_over_someone_elses_newer_write_still_conflicts(tmp_path: Path) -> None:
    mine, theirs = SQLiteStore(tmp_path / "store.sqlite3"), SQLiteStore(tmp_path / "store.sqlite3")
    mine.save_attributes(_Envelope(PERSON), {"streak": 2})
    attributes = mine.get_attributes(_Envelope(PERSON))
    theirs.save_attributes(_Envelope(PERSON), {**theirs.get_attributes(_Envelope(PERSON)), "streak": 5})

    attributes["streak"] = 3
    with pytest.raises(StoreConflict):
        mine.save_attributes(_Envelope(PERSON), attributes)
    record = mine.read(PERSON)
    assert record is not None and record.attributes == {"streak": 5}


def test_an_unchanged_save_after_someone_elses_write_keeps_their_write(tmp_path: Path) -> None:
    mine, theirs = SQLiteStore(tmp_path / "store.sqlite3"), SQLiteStore(tmp_path / "store.sqlite3")
    mine.save_attributes(_Envelope(PERSON), {"streak": 2})
    attributes = mine.get_attributes(_Envelope(PERSON))
    theirs.save_attributes(_Envelope(PERSON), {**theirs.get_attributes(_Envelope(PERSON)), "streak": 5})

    mine.save_attributes(_Envelope(PERSON), attributes)  # changed nothing: nothing to lose, nothing written

    record = mine.read(PERSON)
    assert record is not None and record.attributes == {"streak": 5} and record.version == 2


def test_a_save_after_forgetting_the_person_writes_again(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "store.sqlite3")
    store.save_attributes(_Envelope(PERSON), {"streak": 2})
    attributes = store.get_attributes(_Envelope(PERSON))
    store.delete_attributes(_Envelope(PERSON))
    store.save_attributes(_Envelope(PERSON), attributes)
    assert store.get_by_user_id(PERSON) == {"streak": 2}


# --- the certificate URL, checked once per URL ----------------------------------------------------------


def _verifier() -> RequestVerifier:
    def no_download(url: str) -> bytes:
        raise AssertionError("no download expected")

    return RequestVerifier(fetch_certificate=no_download, trust_roots=[])


def _headers(url: str) -> dict[str, str]:
    return {"SignatureCertChainUrl": url, "Signature-256": base64.b64encode(bytes(256)).decode()}


def test_a_refused_certificate_url_is_refused_on_every_request() -> None:
    verifier = _verifier()
    for _ in range(3):
        with pytest.raises(VerificationError, match="host must be s3.amazonaws.com"):
            verifier.verify(_headers("https://evil.example/echo.api/cert.pem"), b"{}")
    assert len(verifier._normal_urls) == 0


def test_remembered_certificate_urls_are_bounded() -> None:
    verifier = _verifier()
    body = b'{"request": {"timestamp": "2000-01-01T00:00:00Z"}}'
    for number in range(CERTIFICATE_CACHE_SIZE * 3):
        url = f"https://s3.amazonaws.com/echo.api/../echo.api/cert-{number}.pem"
        for _ in range(2):  # the second time from memory: refused at the same later step
            with pytest.raises(VerificationError, match="timestamp"):
                verifier.verify(_headers(url), body)
    assert len(verifier._normal_urls) == CERTIFICATE_CACHE_SIZE


# --- places read from memory --------------------------------------------------------------------------

_PLACE_VALUES = st.one_of(
    st.sampled_from(["heel-raises:heel-raises", "ankle", "ankle:ankle", "nowhere", "gentle", "first-time",
                     "strong", "guided", "hands-free", "left", "right", ""]),
    st.integers(-1, 4), st.booleans(), st.none(), st.sampled_from([1.0, 0.0, -0.0, 2.0]),
)
_PLACE_KEYS = st.sampled_from(["routine", "level", "mode", "exercise", "set", "side", "round", "part", "page",
                               "other"])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_PLACE_KEYS, _PLACE_VALUES, max_size=9), st.integers(0, 3))
def test_a_place_from_memory_is_the_place_read_afresh(data: dict[str, Any], shuffle: int) -> None:
    from footwork.skill.place import Place

    catalog = _catalog()
    base = {"routine": "heel-raises:heel-raises", "level": "gentle", "mode": "guided", "exercise": 1}
    data = {**base, **data} if shuffle % 2 else data
    for _ in range(2):  # the second time from memory
        assert Place.from_json(data, catalog) == Place._read(data, catalog)
    # A value equal in Python but of another type (True for 1, 1.0 for 1) is not answered from memory.
    for key, value in list(data.items()):
        if type(value) is int and value in (0, 1):
            other = {**data, key: bool(value)}
            assert Place.from_json(other, catalog) == Place._read(other, catalog)
            other = {**data, key: float(value)}
            assert Place.from_json(other, catalog) == Place._read(other, catalog)


def test_a_place_is_remembered_per_catalog() -> None:
    from footwork.core import Catalog
    from footwork.skill.place import Place

    data = {"routine": "heel-raises:heel-raises", "level": "gentle", "mode": "guided", "exercise": 1}
    assert Place.from_json(data, _catalog()) is not None
    assert Place.from_json(data, Catalog([])) is None


_CATALOGS: list[Any] = []


def _catalog() -> Any:
    if not _CATALOGS:
        from footwork.core import load_catalog

        _CATALOGS.append(load_catalog())
    return _CATALOGS[0]


# --- a routine's hash, kept -----------------------------------------------------------------------------


def test_a_routines_hash_is_the_dataclass_hash_of_its_fields_and_equality_is_unchanged() -> None:
    import dataclasses
    import pickle

    for routine in _catalog().routines:
        fields = tuple(getattr(routine, f.name) for f in dataclasses.fields(routine))
        assert hash(routine) == hash(fields) == hash(routine)
        again = dataclasses.replace(routine)
        assert again == routine and hash(again) == hash(routine) and again is not routine
        other = dataclasses.replace(routine, title=routine.title + "!")
        assert other != routine
        restored = pickle.loads(pickle.dumps(routine))
        assert restored == routine and "_hash" not in vars(restored)  # a hash is per process
        assert hash(restored) == hash(routine)
