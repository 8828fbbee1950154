"""Issue 14, session 4: the cheaper edges of a request (envelope reader, verifier, response writer)
give exactly what they gave before.

Each shortcut is compared with the general road it short-cuts: the same objects (attribute order
included), the same refusals in the same words, the same JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import signed_requests
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, Response, ResponseEnvelope
from ask_sdk_model.ui import PlayBehavior, SimpleCard, SsmlOutputSpeech
from footwork.skill.dev.envelopes import Conversation, SlotValue
from footwork.skill.envelope_reader import read_envelope
from footwork.skill.response_writer import write_response
from hypothesis import given, settings
from hypothesis import strategies as st

SDK = DefaultSerializer()


def _same_attribute_order(ours: Any, theirs: Any, where: str = "envelope") -> None:
    if isinstance(ours, list):
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            _same_attribute_order(a, b, f"{where}[{index}]")
    elif isinstance(ours, dict):
        assert list(ours) == list(theirs), where
        for key in ours:
            _same_attribute_order(ours[key], theirs[key], f"{where}[{key!r}]")
    elif hasattr(type(ours), "deserialized_types"):
        assert list(vars(ours)) == list(vars(theirs)), where
        for key, value in vars(ours).items():
            _same_attribute_order(value, vars(theirs)[key], f"{where}.{key}")


def _bodies() -> list[dict[str, Any]]:
    talk = Conversation()
    slot = SlotValue("heel raises", "heel-raises", "Heel raises")
    unknown = talk.launch()
    unknown["request"]["somethingNew"] = {"a": 1}  # a key the model does not know, kept as the SDK keeps it
    return [talk.launch(), talk.intent("StartRoutineIntent", {"routine": slot, "level": None}),
            talk.intent("AMAZON.NextIntent"), talk.session_ended(), unknown]


@pytest.mark.parametrize("name", signed_requests.params())
def test_models_read_from_recorded_requests_have_the_sdks_attributes_in_its_order(name: str) -> None:
    data = json.loads(signed_requests.load(name).body)
    _same_attribute_order(read_envelope(data), SDK.deserialize(json.dumps(data), RequestEnvelope))


def test_models_read_from_footwork_requests_have_the_sdks_attributes_in_its_order() -> None:
    for data in _bodies():
        ours, theirs = read_envelope(data), SDK.deserialize(json.dumps(data), RequestEnvelope)
        _same_attribute_order(ours, theirs)
        assert ours == theirs


# --- the response writer: plain values inline, anything else as before --------------------------------

class _Text(str):
    pass


class _Count(int):
    pass


_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                    st.text(max_size=5).map(_Text), st.integers().map(_Count),
                    st.sampled_from([PlayBehavior.ENQUEUE, b"raw"]))
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=4), inner, max_size=4)),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(_VALUES, _VALUES)
def test_answers_with_any_values_are_written_as_the_sdk_writes_them(attributes: Any, card: Any) -> None:
    speech = SsmlOutputSpeech(ssml="<speak>Hi</speak>", play_behavior=PlayBehavior.REPLACE_ALL)
    response = Response(output_speech=speech, card=SimpleCard(title=card, content=None),
                        should_end_session=False)
    envelope = ResponseEnvelope(version="1.0", response=response,
                                session_attributes={"values": attributes, "list": [attributes, card]})
    ours, theirs = write_response(envelope), SDK.serialize(envelope)
    assert ours == theirs
    assert [type(v) for v in _leaves(ours)] == [type(v) for v in _leaves(theirs)]
    if not _has_bytes(theirs):
        assert json.dumps(ours) == json.dumps(theirs)


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _has_bytes(value: Any) -> bool:
    return any(isinstance(leaf, bytes) for leaf in _leaves(value))
