"""The fast envelope reader builds exactly what ask-sdk-core's DefaultSerializer builds.

``footwork.skill.envelope_reader`` replaces the SDK's reflective deserialiser on every request, so it
is compared with it here: on every request Amazon signed, on generated envelopes (well-formed ones
built from the model classes' own metadata, and damaged ones), and through the whole app, where the
answers with the new reader must equal, byte for byte, the answers with the SDK's.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date, datetime
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import signed_requests
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from flask import Flask
from footwork.skill import envelope_reader
from footwork.skill.app import create_app
from footwork.skill.dev.envelopes import Conversation, SlotValue
from footwork.skill.envelope_reader import ENVELOPE_TYPE, read_envelope
from footwork.skill.skill_events import SKILL_DISABLED, RequestSerializer, read_request_envelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from side_by_side import both, every_routine, replay

REPO = Path(__file__).resolve().parents[1]
SDK = DefaultSerializer()


def sdk_envelope(data: dict[str, Any]) -> Any:
    """What the app did before the reader: the SDK's deserialiser, from text."""
    return SDK.deserialize(json.dumps(data), RequestEnvelope)


def assert_same(ours: Any, theirs: Any, where: str = "envelope") -> None:
    """Equal, of the same classes all the way down, and timestamps at the same offset from UTC.

    The models' own ``==`` compares ``__dict__``s, which would accept a subclass or a datetime in
    another zone for the same instant; this is stricter.
    """
    assert type(ours) is type(theirs), f"{where}: {type(ours).__name__} != {type(theirs).__name__}"
    if isinstance(ours, datetime | date):
        assert ours == theirs, where
        if isinstance(ours, datetime):
            assert _offset(ours) == _offset(theirs), f"{where}: {ours!r} != {theirs!r}"
    elif isinstance(ours, list):
        assert len(ours) == len(theirs), where
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(ours, dict):
        assert list(ours) == list(theirs), where
        for key in ours:
            assert_same(ours[key], theirs[key], f"{where}[{key!r}]")
    elif hasattr(type(ours), "deserialized_types"):
        assert sorted(vars(ours)) == sorted(vars(theirs)), where
        for key, value in vars(ours).items():
            assert_same(value, vars(theirs)[key], f"{where}.{key}")
    else:
        assert ours == theirs or (ours != ours and theirs != theirs), f"{where}: {ours!r} != {theirs!r}"


def _offset(moment: datetime) -> object:
    # dateutil reads some odd strings into offsets of a day or more, which utcoffset() refuses.
    try:
        return moment.utcoffset()
    except ValueError:
        return repr(moment.tzinfo)


def assert_reads_like_the_sdk(data: dict[str, Any]) -> None:
    """Both succeed with the same objects, or both refuse with SerializationException."""
    try:
        theirs = sdk_envelope(data)
    except SerializationException:
        with pytest.raises(SerializationException):
            read_envelope(data)
        return
    assert_same(read_envelope(data), theirs)


# --- pinned versions ---------------------------------------------------------------------------------


def test_sdk_versions_installed_are_the_ones_pinned_in_pyproject() -> None:
    # The reader follows the SDK's rules for the model metadata; the comparisons below are what pin it,
    # so they must run against the versions the project installs.
    pins = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["dependencies"]
    pinned = dict(pin.split("==") for pin in pins if pin.startswith("ask-sdk-"))
    assert set(pinned) == {"ask-sdk-core", "ask-sdk-model"}
    for distribution, version in pinned.items():
        assert metadata.version(distribution) == version, distribution


# --- recorded requests -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", signed_requests.params())
def test_every_request_amazon_signed_reads_like_the_sdk_reads_it(name: str) -> None:
    data = json.loads(signed_requests.load(name).body)
    assert_same(read_envelope(data), sdk_envelope(data))


@pytest.mark.parametrize("name", signed_requests.params())
def test_every_request_amazon_signed_takes_the_fast_road(name: str) -> None:
    # The SDK road is for odd shapes only; a real request going there would lose the speed silently.
    data = json.loads(signed_requests.load(name).body)
    assert_same(envelope_reader._converter(ENVELOPE_TYPE)(data), sdk_envelope(data))


def test_footwork_own_requests_take_the_fast_road() -> None:
    talk = Conversation()
    slot = SlotValue("heel raises", "heel-raises", "Heel raises")
    for data in (talk.launch(), talk.intent("StartRoutineIntent", {"routine": slot, "level": None}),
                 talk.intent("AMAZON.NextIntent"), talk.session_ended()):
        assert_same(envelope_reader._converter(ENVELOPE_TYPE)(data), sdk_envelope(data))


def test_timestamps_alexa_sends_keep_their_instant_and_offset() -> None:
    for stamp in ("2019-07-15T21:47:02Z", "2019-07-15T21:47:02.123Z", "2019-07-15T21:47:02+02:00",
                  "2019-07-15T21:47:02", "2019-07-15T21:47:02.123456-05:30"):
        data = Conversation().launch()
        data["request"]["timestamp"] = stamp
        assert_reads_like_the_sdk(data)


def test_odd_shapes_are_read_as_the_sdk_reads_them_or_refused_where_it_refuses() -> None:
    base = Conversation().launch()
    odd: list[tuple[tuple[str, ...], Any]] = [
        (("request", "timestamp"), "15 July 2019 9pm"),  # only dateutil reads it
        (("request", "timestamp"), "not a date"),  # the SDK refuses it
        (("request", "timestamp"), 1563227222000),
        (("request", "locale"), 12),  # str(12) for the SDK
        (("request", "type"), "NoSuchRequest"),
        (("session", "new"), "yes"),  # bool("yes")
        (("session", "user"), []),  # an empty model
        (("session", "user"), "abc"),
        (("context", "System", "device", "supportedInterfaces"), {"Display": {"templateVersion": 1}}),
        (("context", "System", "user", "permissions"), {"consentToken": None, "scopes": {"x": {}}}),
        (("context", "Viewport", "shape"), "OVAL"),  # not one of the enum's values
        (("context", "Viewport", "shape"), "ROUND"),
        (("context", "Viewport", "pixelWidth"), 1.5),
        (("context", "Viewport", "experiences"), {"arcMinuteWidth": 1}),
        (("request", "__class__"), "x"),
        (("request", "unknownField"), {"kept": ["as", "is"]}),
    ]
    for path, value in odd:
        data = json.loads(json.dumps(base))
        node = data
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
        assert_reads_like_the_sdk(data)


# --- generated envelopes -----------------------------------------------------------------------------

REQUEST_TYPES = ("LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest",
                 "Display.ElementSelected", "AudioPlayer.PlaybackStarted", "System.ExceptionEncountered")
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40),
                 st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                 st.just("2019-07-15T21:47:02Z"), st.lists(st.integers(), max_size=2),
                 st.dictionaries(st.text(max_size=5), st.integers(), max_size=2))
TIMESTAMPS = st.one_of(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda moment: moment.isoformat(timespec="seconds") + "Z"),
    st.datetimes(min_value=datetime(1971, 1, 1)).map(lambda moment: moment.isoformat()),
    st.from_regex(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?\Z"),
    st.text(max_size=25),
)


def _value_for(type_name: str, depth: int) -> st.SearchStrategy[Any]:
    """Well-formed JSON for one of the SDK's type strings, built from the model metadata itself."""
    if type_name.startswith("list["):
        return st.lists(_value_for(type_name[5:-1].strip(), depth + 1), max_size=2)
    if type_name.startswith("dict("):
        return st.dictionaries(st.text(max_size=6), _value_for(type_name.split(", ", 1)[1][:-1], depth + 1),
                               max_size=2)
    simple: dict[str, st.SearchStrategy[Any]] = {
        "str": st.text(max_size=12), "int": st.integers(-1000, 10**6), "long": st.integers(),
        "float": st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10, 10)),
        "bool": st.booleans(), "object": JUNK, "datetime": TIMESTAMPS, "date": TIMESTAMPS,
    }
    if type_name in simple:
        return simple[type_name]
    module_name, _, name = type_name.rpartition(".")
    cls = getattr(__import__(module_name, fromlist=[name]), name)
    if issubclass(cls, Enum):
        return st.sampled_from([member.value for member in cls])
    if depth > 4:
        return st.none()
    if hasattr(cls, "discriminator_value_class_map"):
        names = sorted(cls.discriminator_value_class_map)
        if cls is envelope_reader._load_class("ask_sdk_model.request.Request"):
            names = [n for n in names if n in REQUEST_TYPES]
        return st.sampled_from(names[:8]).flatmap(
            lambda kind: _fields(envelope_reader._load_class(cls.discriminator_value_class_map[kind]),
                                 depth).map(lambda fields: {**fields, cls.json_discriminator_key: kind}))
    return _fields(cls, depth)


def _fields(cls: type, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    names = {**{k: k for k in cls.deserialized_types}, **getattr(cls, "attribute_map", {})}  # type: ignore[attr-defined]
    optional = {names[attribute]: _value_for(kind, depth + 1)
                for attribute, kind in cls.deserialized_types.items()}  # type: ignore[attr-defined]
    return st.fixed_dictionaries({}, optional=optional)


ENVELOPES = _fields(RequestEnvelope, 0).map(lambda data: {"request": {"type": "LaunchRequest"}, **data})


def _damaged(data: dict[str, Any], choices: st.DataObject) -> dict[str, Any]:
    """The envelope with one value somewhere swapped for junk, or an unknown key added."""
    node: Any = data
    while isinstance(node, dict) and node and choices.draw(st.booleans()):
        key = choices.draw(st.sampled_from(sorted(node)))
        if not isinstance(node[key], dict) or not node[key]:
            node[key] = choices.draw(JUNK)
            return data
        node = node[key]
    if isinstance(node, dict):
        node[choices.draw(st.text(min_size=1, max_size=8))] = choices.draw(JUNK)
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENVELOPES)
def test_generated_envelopes_read_like_the_sdk_reads_them(data: dict[str, Any]) -> None:
    assert_reads_like_the_sdk(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENVELOPES, st.data())
def test_damaged_envelopes_read_like_the_sdk_reads_them_or_are_refused_alike(
    data: dict[str, Any], choices: st.DataObject
) -> None:
    assert_reads_like_the_sdk(_damaged(data, choices))


@pytest.mark.parametrize("name", signed_requests.params())
@settings(max_examples=40, deadline=None)
@given(choices=st.data())
def test_damaged_recorded_requests_read_like_the_sdk_reads_them(name: str, choices: st.DataObject) -> None:
    assert_reads_like_the_sdk(_damaged(json.loads(signed_requests.load(name).body), choices))


# --- the whole app: old and new answers ----------------------------------------------------------------


def _pair(tmp_path: Path) -> tuple[Flask, Flask]:
    """Two apps alike but for the envelope reader: the SDK's (as before) and the new one."""
    apps = []
    for name in ("sdk", "reader"):
        app = create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(tmp_path / f"{name}.sqlite3"),
                          "FOOTWORK_DEV": False})
        apps.append(app)
    serializer = RequestSerializer()  # what the app read envelopes with before the reader
    apps[0].extensions["footwork"].read_envelope = lambda data: serializer.deserialize(
        json.dumps(data), RequestEnvelope)
    assert apps[1].extensions["footwork"].read_envelope is read_request_envelope
    return apps[0], apps[1]


@pytest.mark.parametrize("name", signed_requests.params())
def test_every_recorded_request_gets_the_same_answer_as_with_the_sdk_reader(
    name: str, tmp_path: Path
) -> None:
    old, new = _pair(tmp_path)
    body = signed_requests.load(name).body
    for _ in range(2):  # the second time the user is known: progress read back from the database
        both(old, new, body)


def test_whole_routines_get_the_same_answers_as_with_the_sdk_reader(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    script = every_routine(new.extensions["footwork"].catalog)
    assert replay(old, new, script) == len(script)


def test_skill_disabled_event_keeps_its_body_as_with_the_sdk_reader() -> None:
    # ask-sdk-model's SkillDisabledRequest has no body; the store's "forget me" reads it (issue 11).
    data = Conversation().launch()
    data["request"] = {"type": SKILL_DISABLED, "requestId": "amzn1.echo-api.request.1",
                       "timestamp": "2026-12-03T15:00:00Z", "locale": "en-US",
                       "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"}}
    ours = read_request_envelope(data)
    theirs = RequestSerializer().deserialize(json.dumps(data), RequestEnvelope)
    assert ours.request.footwork_body == {"userInformationPersistenceStatus": "NOT_PERSISTED"}
    assert_same(ours, theirs)
