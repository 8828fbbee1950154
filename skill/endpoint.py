"""POST /alexa: one request from Alexa in, one answer out, as a plain WSGI application.

:func:`answer` is everything the endpoint does with a request: read the body (never more than
:data:`MAX_BODY_BYTES`), parse it once, verify it, read the envelope, run the skill and write the
answer, or refuse with a reason. It returns a status and the JSON bytes, and never raises.

:class:`AlexaEndpoint` serves it in front of the Flask app (``app.wsgi_app``, Flask's documented place
for WSGI middleware): a POST to the skill's path is answered straight from the WSGI environ, and every
other request goes on to Flask unchanged. Flask's own request handling (request and app contexts,
URL matching, signals, the response object) costs more than half of what a bare Flask endpoint costs
per request, and Alexa's requests use none of it. The Flask view for the same path calls
:func:`answer` too, so both give the same bytes (``tests/test_endpoint.py`` compares them on every
refusal and every recorded request).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from ask_sdk_model import RequestEnvelope

    from .service import Footwork

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "SKILL_PATH", "AlexaEndpoint", "answer", "refusal"]

#: Where Alexa sends requests (the endpoint URL configured in the skill's manifest ends in it).
SKILL_PATH: Final = "/alexa"

#: Alexa's requests are a few kilobytes; anything near this is not from Alexa and is refused unread.
MAX_BODY_BYTES: Final = 128 * 1024

#: Alexa's envelopes nest about ten levels (a slot's entity resolutions are the deepest); far deeper
#: input only exists to exhaust the recursion of the SDK's deserialiser and copies, so it is refused.
MAX_JSON_DEPTH: Final = 64

#: The headers request verification reads, with their WSGI environ keys (PEP 3333: upper case,
#: dashes as underscores, ``HTTP_`` in front).
_SIGNATURE_HEADERS: Final[tuple[tuple[str, str], ...]] = (
    ("SignatureCertChainUrl", "HTTP_SIGNATURECERTCHAINURL"),
    ("Signature-256", "HTTP_SIGNATURE_256"),
    ("Signature", "HTTP_SIGNATURE"),
)

#: A Content-Length as HTTP allows it: digits only (RFC 9110, section 8.6), spaces around tolerated.
_CONTENT_LENGTH: Final = re.compile(r"[ \t]*([0-9]+)[ \t]*", re.ASCII)

_JSON_HEADERS: Final = "application/json"
_STATUS_LINES: Final = {200: "200 OK", 400: "400 BAD REQUEST", 413: "413 REQUEST ENTITY TOO LARGE"}


class _Refused(Exception):
    """The request is refused: ``reason`` is logged and answered, with ``status``."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def refusal(reason: str) -> bytes:
    """The body of a refusal: ``{"error": reason}``, as Flask's ``jsonify`` writes it outside debug mode."""
    return json.dumps({"error": reason}, separators=(",", ":")).encode() + b"\n"


def answer(state: Footwork, environ: WSGIEnvironment) -> tuple[int, bytes]:
    """The status and JSON body for one POST to the skill. Never raises: a failure of ours is logged
    with its traceback and answered 400 with the error's class (Alexa gets no 500 to retry)."""
    try:
        return 200, _answer(state, environ)
    except _Refused as refused:
        state.log_refusal(refused.reason)
        return refused.status, refusal(refused.reason)
    except Exception as error:  # noqa: BLE001 - the web answer must never be a 500
        state.log_failure("skill failed", error)
        return 400, refusal(f"request could not be handled: {type(error).__name__}")


def _answer(state: Footwork, environ: WSGIEnvironment) -> bytes:
    body = _read_body(environ, MAX_BODY_BYTES)
    # Parsed once: the verifier and the envelope check both read this one object.
    data, problem = _parse_body(body)
    verifier = state.verifier
    if verifier is not None:
        from .verify import VerificationError

        headers = {name: environ[key] for name, key in _SIGNATURE_HEADERS if key in environ}
        try:
            if problem is None:
                verifier.verify(headers, body, parsed=data)
            else:  # the verifier names the first check that fails, which may come before the body
                verifier.verify(headers, body)
        except VerificationError as error:
            raise _Refused(f"verification failed: {error}") from None
    if problem is not None:
        raise _Refused(problem)
    envelope = _read_envelope(data, state.read_envelope, _may_nest_deeply(body))
    response = state.skill.invoke(request_envelope=envelope, context=None)
    return json.dumps(state.write_response(response)).encode()


class AlexaEndpoint:
    """WSGI middleware: POST :data:`SKILL_PATH` answered by :func:`answer`, anything else to ``app``."""

    def __init__(self, state: Footwork, app: WSGIApplication, path: str = SKILL_PATH) -> None:
        self.state = state
        self.app = app
        self.path = path

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != self.path or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        status, body = answer(self.state, environ)
        start_response(
            _STATUS_LINES[status], [("Content-Type", _JSON_HEADERS), ("Content-Length", str(len(body)))]
        )
        return [body]


# --- the steps ------------------------------------------------------------------------------------


def _content_length(environ: WSGIEnvironment) -> int | None:
    """The body's declared length; None when the body is chunked or has no length.

    :raises _Refused: for a Content-Length that is not a whole number.
    """
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    declared = environ.get("CONTENT_LENGTH")
    if declared is None or declared == "":
        return None
    match = _CONTENT_LENGTH.fullmatch(declared)
    if match is None:
        raise _Refused(f"Content-Length header is not a whole number: {declared[:40]!r}")
    return int(match.group(1))


def _read_body(environ: WSGIEnvironment, limit: int) -> bytes:
    """The request body, however it was sent; refused (413) when it is over ``limit`` bytes.

    A Content-Length over the limit is refused unread. A chunked body (the server has decoded it and
    says where it ends, ``wsgi.input_terminated``) is read to one byte past the limit and no further.
    """
    length = _content_length(environ)
    stream: Any = environ["wsgi.input"]
    if length is not None:
        if length > limit:
            raise _Refused(f"body too large: {length} bytes (limit {limit})", 413)
        body: bytes = stream.read(length) if length else b""
        if len(body) < length:
            raise _Refused(f"body ended after {len(body)} of the {length} bytes Content-Length announced")
        return body
    if not environ.get("wsgi.input_terminated"):
        return b""  # no length and no end: WSGI gives no safe way to read it
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        raise _Refused(f"body too large: chunked body (limit {limit})", 413)
    return b"".join(chunks)


def _parse_body(body: bytes) -> tuple[Any, str | None]:
    """The body's JSON value, or (None, reason) when it is not JSON."""
    try:
        return json.loads(body), None
    except RecursionError:
        return None, "body is not JSON: nested too deeply"
    except ValueError as error:  # bad JSON, bad UTF-8, or an integer of thousands of digits
        # The message of an over-long integer ends in advice for Python programmers: keep the reason.
        return None, f"body is not JSON: {str(error).partition(';')[0]}"


def _depth(value: Any) -> int:
    """How deep a parsed JSON value nests (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        level += 1
        if level > MAX_JSON_DEPTH:
            return level
        deepest = max(deepest, level)
        stack.extend((child, level) for child in node)
    return deepest


def _may_nest_deeply(body: bytes) -> bool:
    """False when ``body`` cannot nest more than :data:`MAX_JSON_DEPTH` levels, told at C speed.

    Every level opens with a bracket, so a body with no more brackets than that cannot be deeper
    (brackets inside strings only make the count larger). Alexa's bodies have 5 to 30.
    """
    return body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH


def _read_envelope(
    data: Any, reader: Callable[[dict[str, Any]], RequestEnvelope], may_nest_deeply: bool = True
) -> RequestEnvelope:
    """Check a parsed request body and read it; refused when it is not an Alexa request."""
    if not isinstance(data, dict):
        raise _Refused("body is not a JSON object")
    if may_nest_deeply and _depth(data) > MAX_JSON_DEPTH:
        raise _Refused(f"body is nested more than {MAX_JSON_DEPTH} levels deep")
    req = data.get("request")
    if not isinstance(req, dict):
        raise _Refused("request is missing")
    if not isinstance(req.get("type"), str) or not req["type"]:
        raise _Refused("request.type is missing")
    context = data.get("context")
    session = data.get("session")
    has_system = isinstance(context, dict) and isinstance(context.get("System"), dict)
    # Requests Amazon sent before 2017 carry the application and user in the session only.
    has_session = isinstance(session, dict) and isinstance(session.get("user"), dict)
    if not (has_system or has_session):
        raise _Refused("context.System is missing")
    try:
        envelope = reader(data)
    except Exception as error:  # noqa: BLE001 - the SDK raises assorted errors on odd shapes
        raise _Refused(f"request does not fit the Alexa schema: {type(error).__name__}") from None
    if envelope is None or envelope.request is None:
        raise _Refused("request does not fit the Alexa schema")
    return envelope
