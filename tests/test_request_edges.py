"""Issue 14, session 4: the cheaper edges of a request (envelope reader, verifier, response writer)
give exactly what they gave before.

Each shortcut is compared with the general road it short-cuts: the same objects (attribute order
included), the same refusals in the same words, the same JSON.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
import signed_requests
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, Response, ResponseEnvelope
from ask_sdk_model.ui import PlayBehavior, SimpleCard, SsmlOutputSpeech
from footwork.skill import verify
from footwork.skill.dev.envelopes import Conversation, SlotValue
from footwork.skill.envelope_reader import read_envelope
from footwork.skill.response_writer import write_response
from footwork.skill.verify import RequestVerifier, VerificationError
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


# --- the verifier: the usual headers, the last URL and chain ---------------------------------------------

class _Mapping:
    """Headers in something that is not a dict: the verifier's general road."""

    def __init__(self, headers: dict[str, Any]) -> None:
        self.headers = headers

    def items(self) -> Any:
        return self.headers.items()


def _read(headers: Any) -> object:
    try:
        url, signature, algorithm = RequestVerifier._read_headers(headers)
    except VerificationError as error:
        return str(error)
    return url, signature, algorithm.name


_SIGNATURE_TEXT = st.one_of(
    st.sampled_from([base64.b64encode(bytes(256)).decode(), base64.b64encode(bytes(512)).decode(),
                     base64.b64encode(bytes(100)).decode(), "", "  ", "not base64!", "é"]),
    st.text(max_size=12),
).map(lambda text: text if len(text) > 3 else f" {text} ")
_HEADER_VALUE = st.one_of(_SIGNATURE_TEXT, st.just("https://s3.amazonaws.com/echo.api/echo-api-cert.pem"),
                          st.binary(max_size=8), st.integers(), st.none())


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(["SignatureCertChainUrl", "Signature-256", "Signature"]),
                       _HEADER_VALUE))
def test_the_usual_header_names_in_a_dict_read_as_any_headers_read(headers: dict[str, Any]) -> None:
    assert _read(headers) == _read(_Mapping(headers))


@pytest.mark.parametrize("headers", [
    {"signaturecertchainurl": "https://s3.amazonaws.com/echo.api/x.pem", "Signature-256": "a"},
    {"SignatureCertChainUrl": "https://s3.amazonaws.com/echo.api/x.pem", "Content-Type": "x"},
    {"SignatureCertChainUrl": b"https://s3.amazonaws.com/echo.api/x.pem",
     "Signature": base64.b64encode(bytes(256)).decode()},
])
def test_headers_spelled_otherwise_take_the_general_road_to_the_same_result(headers: dict[str, Any]) -> None:
    assert _read(headers) == _read(_Mapping(headers))


class _WithoutShortcuts(RequestVerifier):
    """The verifier as it was: every request through the maps of URLs and chains."""

    def _trusted_chain(self, url: str, now: datetime) -> Any:
        self._last_url = self._last_chain = None
        return super()._trusted_chain(url, now)


def _chain_outcome(verifier: RequestVerifier, url: str, now: datetime) -> object:
    try:
        chain = verifier._trusted_chain(url, now)
    except VerificationError as error:
        return str(error)
    return chain.valid_from, chain.valid_until, chain.public_key.public_numbers()


@pytest.mark.parametrize("name", signed_requests.params()[-3:])
def test_the_last_chain_is_used_exactly_when_the_maps_would_give_it(name: str) -> None:
    recorded = signed_requests.load(name)
    leaf = recorded.leaf
    inside, after = recorded.timestamp, leaf.not_valid_after_utc + timedelta(days=1)
    before = leaf.not_valid_before_utc - timedelta(days=1)
    moments = [inside, inside, after, inside, after + timedelta(minutes=2), inside, before, inside, inside]
    fetched: dict[str, int] = {}
    for kind in (RequestVerifier, _WithoutShortcuts):
        fresh = signed_requests.load(name)
        verifier = kind(fetch_certificate=fresh.fetch_certificate, trust_roots=signed_requests.load_roots())
        url = verify._check_certificate_url(recorded.cert_url)
        outcomes = [_chain_outcome(verifier, url, now) for now in moments]
        if kind is RequestVerifier:
            expected = outcomes
        else:
            assert outcomes == expected
        fetched[kind.__name__] = len(fresh.fetched_urls)
    assert fetched["RequestVerifier"] == fetched["_WithoutShortcuts"]


@pytest.mark.parametrize("name", signed_requests.params())
def test_recorded_requests_are_verified_alike_with_and_without_the_shortcuts(name: str) -> None:
    recorded = signed_requests.load(name)
    for headers in (recorded.headers, _Mapping(recorded.headers)):
        ours, general = recorded.verifier(), recorded.verifier()
        for _ in range(3):
            ours.verify(headers, recorded.body)
            general._last_url = general._last_chain = None
            general.verify(_Mapping(recorded.headers), recorded.body)
        assert len(recorded.fetched_urls) == 2  # one download per verifier
        recorded.fetched_urls.clear()
