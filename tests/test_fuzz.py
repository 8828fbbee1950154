"""Throwing broken requests at the real endpoint over real HTTP: it must refuse them, never crash.

Alexa's certification sends malformed and unsigned requests on purpose, and the internet sends worse.
For every body and header set generated here the endpoint must answer 400 or 413 (refused) or 200 with
a valid Alexa response (a mangled field the skill can live without) -- never 500, never a hang -- and
afterwards a valid request must still be answered. The bodies start from valid envelopes (built by
:class:`~footwork.skill.dev.envelopes.Conversation`, or the request Amazon really signed) and are damaged
by replacing random subtrees with random JSON, truncating or splicing the bytes, or inflating them past
the size limit; headers get random names and values, non-ASCII included.

About 1,500 examples over real HTTP in the fast suite; the same properties run again with 10,500
examples in-process, marked slow (CI runs them; figures in bench/RESULTS.md). Deadline off (the server,
not hypothesis, is under test).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import signed_requests
from flask import Flask
from footwork.core import load_catalog
from footwork.skill import create_app
from footwork.skill.app import MAX_BODY_BYTES
from footwork.skill.dev.envelopes import Conversation, SlotValue
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_server import LiveServer, serve

#: The recorded request the verification-on tests start from: a LaunchRequest with a full context.
SIGNED = "2019-07-15_alexa-ask-sdk-nodejs_cert-7"

FUZZ = settings(
    deadline=None,
    database=None,  # the examples are cheap to find again; no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz(examples: int) -> settings:
    """The shared fuzz settings with this test's share of the example budget."""
    return settings(FUZZ, max_examples=examples)

# --- answers ---------------------------------------------------------------------------------------


def send(server: LiveServer, body: bytes, headers: dict[str, bytes] | None = None) -> tuple[int, bytes]:
    """POST ``body`` to /alexa with ``headers`` given as raw bytes (so non-ASCII goes out as is)."""
    url = urllib.parse.urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    try:
        connection.putrequest("POST", "/alexa", skip_accept_encoding=True)
        connection.putheader("Content-Length", str(len(body)))
        sent = headers if headers is not None else {"Content-Type": b"application/json"}
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def assert_sane(status: int, body: bytes) -> None:
    """A refusal (400, 413, with a JSON reason) or a valid Alexa response; nothing else."""
    assert status in (200, 400, 413), f"HTTP {status}: {body[:500]!r}"
    data = json.loads(body)
    assert isinstance(data, dict)
    if status != 200:
        assert isinstance(data.get("error"), str), data
        return
    assert data.get("version") == "1.0", data
    response = data.get("response")
    assert isinstance(response, dict), data
    speech = response.get("outputSpeech")
    if speech is not None:
        ssml = speech.get("ssml", "")
        assert ssml.startswith("<speak>") and ssml.endswith("</speak>"), speech


def assert_still_serving(server: LiveServer, body: bytes, headers: dict[str, bytes] | None = None) -> None:
    """A valid request after the storm is answered 200 with speech."""
    status, answer = send(server, body, headers)
    assert status == 200, answer[:500]
    assert_sane(status, answer)


# --- servers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app, verification off (as behind ``footwork serve --dev``), on a real socket."""
    database = tmp_path_factory.mktemp("fuzz") / "footwork.sqlite3"
    with serve(create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(database)})) as live:
        yield live


@pytest.fixture(scope="module")
def signed() -> signed_requests.SignedRequest:
    return signed_requests.load(SIGNED)


@pytest.fixture(scope="module")
def verified_server(
    tmp_path_factory: pytest.TempPathFactory, signed: signed_requests.SignedRequest
) -> Iterator[LiveServer]:
    """The real app with verification on, trusting the recorded chain at the recorded moment."""
    database = tmp_path_factory.mktemp("fuzz-verified") / "footwork.sqlite3"
    config = {"FOOTWORK_VERIFY": True, "FOOTWORK_SKILL_ID": signed.application_id,
              "FOOTWORK_VERIFIER": signed.verifier(skill_ids={signed.application_id}),
              "FOOTWORK_DB": str(database)}
    app = create_app(config)
    with serve(app) as live:
        yield live


def signed_headers(request: signed_requests.SignedRequest) -> dict[str, bytes]:
    return {"Content-Type": b"application/json", **{k: v.encode() for k, v in request.headers.items()}}


# --- strategies ------------------------------------------------------------------------------------

_ROUTINES = [routine.id for routine in load_catalog().routines] or ["ankle"]

json_leaves = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats() | st.text(max_size=20)
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def _envelopes() -> list[dict[str, Any]]:
    """Valid envelopes of every kind the skill handles, from one conversation and from scratch."""
    talk = Conversation()
    routine = _ROUTINES[0]
    found = [
        talk.launch(),
        talk.intent("StartRoutineIntent", {"routine": SlotValue(routine, routine, routine)}),
        talk.intent("StartRoutineIntent", {"routine": SlotValue("something else"),
                                           "level": SlotValue("gentle", "gentle", "gentle", "LEVEL")}),
        talk.intent("DescribeRoutineIntent", {"routine": SlotValue(routine, routine, routine)}),
        talk.intent("AMAZON.NextIntent"),
        talk.intent("AMAZON.StopIntent"),
        talk.intent("AMAZON.YesIntent"),
        talk.intent("ListRoutinesIntent"),
        talk.session_ended("ERROR"),
    ]
    # A session in the middle of a routine, with the place the skill put in the session attributes.
    found[4]["session"]["attributes"] = {"place": {"routine": routine, "level": "standard",
                                                   "mode": "guided", "page": 2}}
    return found


ENVELOPES = _envelopes()


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a node in a JSON tree (the root included), dict keys and list indexes."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


def replaced(tree: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``tree`` with the node at ``path`` replaced by ``new`` (the empty path: ``new`` itself)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        return {**tree, head: replaced(tree[head], rest, new)}
    copy = list(tree)
    copy[head] = replaced(tree[head], rest, new)
    return copy


def removed(tree: Any, path: tuple[Any, ...]) -> Any:
    """A copy of ``tree`` without the dict entry at ``path`` (list items and the root stay)."""
    if not path:
        return tree
    if len(path) == 1:
        if isinstance(tree, dict):
            return {key: value for key, value in tree.items() if key != path[0]}
        return tree
    head = path[0]
    if isinstance(tree, dict):
        return {**tree, head: removed(tree[head], path[1:])}
    copy = list(tree)
    copy[head] = removed(tree[head], path[1:])
    return copy


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> Any:
    """A valid envelope with one to four subtrees replaced by random JSON or taken out."""
    tree: Any = draw(base)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(list(paths(tree))))
        if draw(st.booleans()):
            tree = replaced(tree, path, draw(json_values))
        else:
            tree = removed(tree, path)
    return tree


@st.composite
def damaged_bytes(draw: st.DrawFn, base: st.SearchStrategy[dict[str, Any]]) -> bytes:
    """A valid envelope's bytes truncated, spliced, re-encoded, nested deep, or inflated past the limit."""
    raw = json.dumps(draw(base)).encode()
    how = draw(st.sampled_from(["truncate", "splice", "latin-1", "oversize", "deep", "garbage"]))
    if how == "truncate":
        return raw[: draw(st.integers(0, len(raw) - 1))]
    if how == "splice":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=20)) + raw[at + draw(st.integers(0, 20)):]
    if how == "latin-1":
        return raw.decode().replace("en-US", "én-ÜS").encode("latin-1")
    if how == "oversize":
        padding = b" " * (MAX_BODY_BYTES + draw(st.integers(1, 4096)))
        return raw[:-1] + padding + raw[-1:]
    if how == "deep":  # nesting deep enough to trouble a recursive parser or serialiser
        depth = draw(st.integers(100, 5000))
        return raw[:-1] + b', "extra": ' + b"[" * depth + b"]" * depth + b"}"
    return draw(st.binary(max_size=200))


header_names = st.sampled_from([
    "Content-Type", "SignatureCertChainUrl", "Signature", "Signature-256", "Accept", "X-Footwork",
    "Content-Encoding", "Transfer-Encoding-Ignored", "Expect-Nothing",
])
header_values = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\r\n\x00"), max_size=120
).map(lambda text: text.encode("utf-8"))


@st.composite
def random_headers(draw: st.DrawFn, start: dict[str, bytes]) -> dict[str, bytes]:
    """``start`` with some headers replaced, added or dropped; values may be any non-control text."""
    headers = dict(start)
    for _ in range(draw(st.integers(1, 4))):
        name = draw(header_names)
        if draw(st.integers(0, 3)) == 0:
            headers.pop(name, None)
        else:
            headers[name] = draw(header_values | st.sampled_from([
                b"https://s3.amazonaws.com/echo.api/../evil.pem", b"https://s3.amazonaws.com/echo.api/x.pem",
                b"application/x-www-form-urlencoded", b"gzip", b"=" * 10, b"\xff\xfe",
            ]))
    return headers


# --- the properties, for any way of sending -------------------------------------------------------

#: ``send(body, headers) -> (status, answer bytes)``: over a socket, or through the WSGI app in-process.
Send = Callable[[bytes, "dict[str, bytes] | None"], tuple[int, bytes]]


def over_http(server: LiveServer) -> Send:
    return lambda body, headers=None: send(server, body, headers)


def in_process(app: Flask) -> Send:
    """The app called as a WSGI server would call it, without the socket: headers reach it decoded as
    latin-1, which is how WSGI servers hand over header bytes."""
    client = app.test_client()

    def post(body: bytes, headers: dict[str, bytes] | None = None) -> tuple[int, bytes]:
        sent = headers if headers is not None else {"Content-Type": b"application/json"}
        answer = client.post("/alexa", data=body, headers={k: v.decode("latin-1") for k, v in sent.items()})
        return answer.status_code, answer.get_data()

    return post


def check_mutated_envelope(post: Send, envelope: Any) -> None:
    assert_sane(*post(json.dumps(envelope).encode(), None))


def check_damaged_bytes(post: Send, body: bytes) -> None:
    status, answer = post(body, None)
    assert_sane(status, answer)
    if len(body) > MAX_BODY_BYTES:
        assert status == 413


def check_random_headers(post: Send, envelope: dict[str, Any], data: st.DataObject) -> None:
    headers = data.draw(random_headers({"Content-Type": b"application/json"}))
    assert_sane(*post(json.dumps(envelope).encode(), headers))


def check_damaged_signed_body(post: Send, signed: signed_requests.SignedRequest, data: st.DataObject) -> None:
    original = json.loads(signed.body)
    if data.draw(st.booleans()):
        body = json.dumps(data.draw(mutated(st.just(original)))).encode()
    else:
        body = data.draw(damaged_bytes(st.just(original)))
    status, answer = post(body, signed_headers(signed))
    assert_sane(status, answer)
    if body != signed.body:
        assert status in (400, 413), answer[:300]


def check_damaged_signed_headers(
    post: Send, signed: signed_requests.SignedRequest, data: st.DataObject
) -> None:
    headers = data.draw(random_headers(signed_headers(signed)))
    status, answer = post(signed.body, headers)
    assert_sane(status, answer)
    if status == 200:  # only when the signature survived and the URL is still one of Amazon's
        # (the test verifier serves the recorded chain for any URL that passes the URL rules)
        assert headers.get("Signature") == signed.signature.encode()
        # The legacy SHA-1 signature counts only when Signature-256 is absent altogether.
        assert "Signature-256" not in headers
        assert headers.get("SignatureCertChainUrl", b"").startswith(b"https://s3.amazonaws.com/echo.api/")


# --- verification off: the skill itself sees the damage -------------------------------------------


@fuzz(550)
@given(envelope=mutated(st.sampled_from(ENVELOPES)))
def test_mutated_envelopes_are_refused_or_answered(open_server: LiveServer, envelope: Any) -> None:
    check_mutated_envelope(over_http(open_server), envelope)


@fuzz(300)
@given(body=damaged_bytes(st.sampled_from(ENVELOPES)))
def test_damaged_bytes_are_refused_or_answered(open_server: LiveServer, body: bytes) -> None:
    check_damaged_bytes(over_http(open_server), body)


@fuzz(150)
@given(envelope=st.sampled_from(ENVELOPES), data=st.data())
def test_random_headers_do_not_break_the_open_endpoint(
    open_server: LiveServer, envelope: dict[str, Any], data: st.DataObject
) -> None:
    check_random_headers(over_http(open_server), envelope, data)


def test_open_endpoint_still_serves_after_the_fuzzing(open_server: LiveServer) -> None:
    assert_still_serving(open_server, json.dumps(Conversation().launch()).encode())


# --- verification on: the request Amazon signed, damaged ------------------------------------------


@fuzz(200)
@given(data=st.data())
def test_damaged_signed_bodies_are_refused(
    verified_server: LiveServer, signed: signed_requests.SignedRequest, data: st.DataObject
) -> None:
    check_damaged_signed_body(over_http(verified_server), signed, data)


@fuzz(250)
@given(data=st.data())
def test_damaged_signed_headers_are_refused_or_verified(
    verified_server: LiveServer, signed: signed_requests.SignedRequest, data: st.DataObject
) -> None:
    check_damaged_signed_headers(over_http(verified_server), signed, data)


def test_verified_endpoint_still_serves_after_the_fuzzing(
    verified_server: LiveServer, signed: signed_requests.SignedRequest
) -> None:
    assert_still_serving(verified_server, signed.body, signed_headers(signed))
    # And a request that is not signed at all is still refused.
    status, answer = send(verified_server, json.dumps(Conversation().launch()).encode())
    assert status == 400, answer


# --- the long run: the same properties, 10,500 examples, in-process --------------------------------
# CI runs these (they are marked slow). The examples go straight into the WSGI app: the socket adds
# time, not coverage, and the tests above already send every kind of example over real HTTP.
# The figures and the command are in bench/RESULTS.md.

LONG_RUN = {"mutated": 3000, "bytes": 2000, "headers": 1000, "signed-bodies": 2500, "signed-headers": 2000}


@pytest.fixture(scope="module")
def open_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    database = tmp_path_factory.mktemp("fuzz-long") / "footwork.sqlite3"
    return create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(database)})


@pytest.fixture(scope="module")
def verified_app(tmp_path_factory: pytest.TempPathFactory, signed: signed_requests.SignedRequest) -> Flask:
    database = tmp_path_factory.mktemp("fuzz-long-verified") / "footwork.sqlite3"
    return create_app({"FOOTWORK_VERIFY": True, "FOOTWORK_SKILL_ID": signed.application_id,
                       "FOOTWORK_VERIFIER": signed.verifier(skill_ids={signed.application_id}),
                       "FOOTWORK_DB": str(database)})


@pytest.mark.slow
@fuzz(LONG_RUN["mutated"])
@given(envelope=mutated(st.sampled_from(ENVELOPES)))
def test_long_run_mutated_envelopes(open_app: Flask, envelope: Any) -> None:
    check_mutated_envelope(in_process(open_app), envelope)


@pytest.mark.slow
@fuzz(LONG_RUN["bytes"])
@given(body=damaged_bytes(st.sampled_from(ENVELOPES)))
def test_long_run_damaged_bytes(open_app: Flask, body: bytes) -> None:
    check_damaged_bytes(in_process(open_app), body)


@pytest.mark.slow
@fuzz(LONG_RUN["headers"])
@given(envelope=st.sampled_from(ENVELOPES), data=st.data())
def test_long_run_random_headers(open_app: Flask, envelope: dict[str, Any], data: st.DataObject) -> None:
    check_random_headers(in_process(open_app), envelope, data)


@pytest.mark.slow
@fuzz(LONG_RUN["signed-bodies"])
@given(data=st.data())
def test_long_run_damaged_signed_bodies(
    verified_app: Flask, signed: signed_requests.SignedRequest, data: st.DataObject
) -> None:
    check_damaged_signed_body(in_process(verified_app), signed, data)


@pytest.mark.slow
@fuzz(LONG_RUN["signed-headers"])
@given(data=st.data())
def test_long_run_damaged_signed_headers(
    verified_app: Flask, signed: signed_requests.SignedRequest, data: st.DataObject
) -> None:
    check_damaged_signed_headers(in_process(verified_app), signed, data)


@pytest.mark.slow
def test_long_run_apps_still_serve(
    open_app: Flask, verified_app: Flask, signed: signed_requests.SignedRequest
) -> None:
    assert sum(LONG_RUN.values()) >= 10_000
    status, answer = in_process(open_app)(json.dumps(Conversation().launch()).encode(), None)
    assert status == 200, answer[:300]
    status, answer = in_process(verified_app)(signed.body, signed_headers(signed))
    assert status == 200, answer[:300]
