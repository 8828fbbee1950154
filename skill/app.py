"""The Flask application: POST /alexa for the skill, GET /healthz for whoever watches it.

``create_app`` is the factory. Settings live in ``app.config``, read from the environment
(:mod:`footwork.core.settings`, which documents each) unless given: ``FOOTWORK_SKILL_ID``,
``FOOTWORK_VERIFY``, ``FOOTWORK_DB``, ``FOOTWORK_DEV``. The skill, its catalog and its verifier
are kept on the app, in ``app.extensions["footwork"]``, so several apps (tests) can live in one process.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request
from footwork.core import Catalog, load_catalog
from footwork.core.settings import Settings

from .builder import skill_builder
from .log_limits import RepeatLimiter
from .optimistic import RetryingSkill
from .response_writer import write_response
from .service_policy import DEV_WARNING, ServicePolicy, service_policy
from .skill_events import read_request_envelope
from .stores import Store, open_configured_store

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

    # Imported when verification is on: the certificate code is a tenth of the app's import time.
    from .verify import RequestVerifier

log = logging.getLogger("footwork.skill")

#: Alexa's requests are a few kilobytes; anything near this is not from Alexa and is refused unread.
MAX_BODY_BYTES = 128 * 1024

#: Alexa's envelopes nest about ten levels (a slot's entity resolutions are the deepest); far deeper
#: input only exists to exhaust the recursion of the SDK's deserialiser and copies, so it is refused.
MAX_JSON_DEPTH = 64

#: The headers request verification reads, with their WSGI environ keys (PEP 3333: upper case,
#: dashes as underscores, ``HTTP_`` in front).
_SIGNATURE_HEADERS: tuple[tuple[str, str], ...] = (
    ("SignatureCertChainUrl", "HTTP_SIGNATURECERTCHAINURL"),
    ("Signature-256", "HTTP_SIGNATURE_256"),
    ("Signature", "HTTP_SIGNATURE"),
)

__all__ = ["DEV_WARNING", "MAX_BODY_BYTES", "MAX_JSON_DEPTH", "Footwork", "create_app"]


@dataclass
class Footwork:
    """What the app keeps: the loaded catalog, the skill, the verifier (None when off)."""

    catalog: Catalog
    skill: RetryingSkill
    verifier: RequestVerifier | None
    persistence: Store
    dev: bool
    policy: ServicePolicy
    #: Turns the checked, parsed body into the SDK's model objects (tests compare other readers).
    read_envelope: Callable[[dict[str, Any]], RequestEnvelope] = read_request_envelope
    #: Turns the skill's ResponseEnvelope into JSON-ready values, as the SDK's ``DefaultSerializer`` does
    #: (tests compare the two on every answer).
    write_response: Callable[[Any], Any] = write_response
    #: One line per bad request, but a flood of them must not flood the log.
    log_limiter: RepeatLimiter = field(default_factory=RepeatLimiter)

    def log_refusal(self, reason: str) -> None:
        """One line, no traceback, for a request refused as bad input (repeats rate-limited)."""
        dropped = self.log_limiter.allow(reason)
        if dropped is not None:
            log.warning("refused request: %s%s", reason, self.log_limiter.suffix(dropped))

    def log_failure(self, what: str, error: BaseException) -> None:
        """A failure of our own (a bug, not bad input): with its traceback, repeats rate-limited."""
        dropped = self.log_limiter.allow(f"{what}: {type(error).__name__}")
        if dropped is not None:
            log.error("%s%s", what, self.log_limiter.suffix(dropped), exc_info=error)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Footwork web app. ``config`` overrides the environment; see the module docstring.

    ``FOOTWORK_VERIFIER`` may be a ready :class:`RequestVerifier` (tests give one with their own
    clock and trust roots); ``FOOTWORK_CATALOG`` a ready :class:`Catalog`.

    :raises SettingsError: for settings the service refuses (:mod:`footwork.skill.service_policy`).
    """
    # instance_path given: Flask's own search for it fails (StopIteration) when ``footwork`` is the
    # namespace package of an editable install, whose __path__ is a path-hook name, not a folder.
    here = os.path.dirname(os.path.abspath(__file__))
    app = Flask("footwork.skill", instance_path=os.path.join(here, "instance"))
    env = Settings.from_env()
    app.config.update(
        FOOTWORK_SKILL_ID=env.skill_ids,
        FOOTWORK_VERIFY=env.verify,
        FOOTWORK_DB=env.db,
        FOOTWORK_DEV=env.dev,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    )
    if config:
        app.config.update(config)

    policy = service_policy(
        dev=app.config["FOOTWORK_DEV"],
        verify=app.config["FOOTWORK_VERIFY"],
        skill_ids=app.config["FOOTWORK_SKILL_ID"],
    )
    dev = policy.dev
    given = app.config.get("FOOTWORK_CATALOG")
    catalog = given or load_catalog()
    for problem in [] if given else catalog.problems:  # whoever loaded a given catalog reported it
        log.warning("pack problem: %s", problem)
    persistence = open_configured_store(app.config["FOOTWORK_DB"], on_lambda=env.on_lambda)
    verifier = None
    if policy.verify:
        from .verify import RequestVerifier

        verifier = app.config.get("FOOTWORK_VERIFIER") or RequestVerifier(skill_ids=policy.skill_ids)
    skill = skill_builder(catalog, persistence).create()
    state = Footwork(catalog, skill, verifier, persistence, dev, policy)
    app.extensions["footwork"] = state
    for warning in policy.warnings:
        log.warning(warning)

    @app.post("/alexa")
    def alexa() -> Response | tuple[Response, int]:
        body = _read_body(MAX_BODY_BYTES)
        if body is None:
            length = request.content_length
            size = f"{length} bytes" if length is not None else "chunked body"
            state.log_refusal(f"body too large ({size}, limit {MAX_BODY_BYTES} bytes)")
            return _refuse(f"body too large: {size} (limit {MAX_BODY_BYTES})", 413)
        # Parsed once: the verifier and the envelope check both read this one object.
        data, problem = _parse_body(body)
        if state.verifier is not None:
            from .verify import VerificationError

            # The only headers the verifier reads, taken from the WSGI environ directly: what
            # request.headers would give for them (one value per name), without building it.
            environ = request.environ
            headers = {name: environ[key] for name, key in _SIGNATURE_HEADERS if key in environ}
            try:
                if problem is None:
                    state.verifier.verify(headers, body, parsed=data)
                else:  # the verifier names the first check that fails, which may come before the body
                    state.verifier.verify(headers, body)
            except VerificationError as error:
                state.log_refusal(f"verification failed: {error}")
                return _refuse(f"verification failed: {error}")
        envelope = None
        if problem is None:
            envelope, problem = _read_envelope(data, state.read_envelope, _may_nest_deeply(body))
        if envelope is None:
            state.log_refusal(problem or "malformed request")
            return _refuse(problem or "malformed request")
        try:
            response = state.skill.invoke(request_envelope=envelope, context=None)
        except Exception as error:  # noqa: BLE001 - the web answer must never be a 500
            state.log_failure("skill failed", error)
            return _refuse(f"request could not be handled: {type(error).__name__}")
        return app.response_class(json.dumps(state.write_response(response)), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        body: dict[str, Any] = {
            "status": "ok",
            "verification": "on" if state.verifier is not None else "off",
            "skill_ids": _skill_ids_shown(policy),
            "dev": state.dev,
            "packs": [pack.as_json() for pack in catalog.packs],
            "routines": [routine.id for routine in catalog.routines],
            "store": state.persistence.health().as_json(),
        }
        if not body["store"]["answers"]:
            body["status"] = "degraded: the store does not answer"
        if policy.warnings:
            body["warnings"] = list(policy.warnings)
        return jsonify(body)

    @app.errorhandler(413)
    def too_large(_error: Exception) -> tuple[Response, int]:
        return _refuse(f"body too large (limit {MAX_BODY_BYTES} bytes)", 413)

    @app.errorhandler(404)
    def not_found(_error: Exception) -> tuple[Response, int]:
        return jsonify({"error": "not found", "endpoints": ["POST /alexa", "GET /healthz"]}), 404

    @app.errorhandler(405)
    def wrong_method(_error: Exception) -> tuple[Response, int]:
        return jsonify({"error": "method not allowed"}), 405

    @app.errorhandler(Exception)
    def anything(error: Exception) -> tuple[Response, int]:
        state.log_failure("unexpected error", error)
        return _refuse(f"request could not be handled: {type(error).__name__}")

    if dev:
        # The simulator talks to the skill without signatures: it exists only on a dev server.
        from .dev.simulator import register_simulator

        register_simulator(app)
    return app


def _refuse(reason: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": reason}), status


def _skill_ids_shown(policy: ServicePolicy) -> str | int | None:
    """For /healthz: "any" when every skill is answered on purpose, else how many ids are checked."""
    if not policy.verify:
        return None
    return "any" if policy.skill_ids is None else len(policy.skill_ids)


def _read_body(limit: int) -> bytes | None:
    """The request body, or None when it is over ``limit`` bytes, however it was sent.

    A Content-Length over the limit is refused unread. A chunked body (the server has decoded it and
    says where it ends, ``wsgi.input_terminated``) is read to one byte past the limit and no further.
    """
    length = request.content_length
    if length is not None:
        return None if length > limit else request.get_data(cache=False)
    if not request.environ.get("wsgi.input_terminated"):
        return b""  # no length and no end: WSGI gives no safe way to read it
    stream = request.environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return None if size > limit else b"".join(chunks)


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


def _parse_body(body: bytes) -> tuple[Any, str | None]:
    """The body's JSON value, or (None, reason) when it is not JSON."""
    try:
        return json.loads(body), None
    except RecursionError:
        return None, "body is not JSON: nested too deeply"
    except ValueError as error:  # bad JSON, bad UTF-8, or an integer of thousands of digits
        # The message of an over-long integer ends in advice for Python programmers: keep the reason.
        return None, f"body is not JSON: {str(error).partition(';')[0]}"


def _may_nest_deeply(body: bytes) -> bool:
    """False when ``body`` cannot nest more than :data:`MAX_JSON_DEPTH` levels, told at C speed.

    Every level opens with a bracket, so a body with no more brackets than that cannot be deeper
    (brackets inside strings only make the count larger). Alexa's bodies have 5 to 30.
    """
    return body.count(b"{") + body.count(b"[") > MAX_JSON_DEPTH


def _read_envelope(
    data: Any, reader: Callable[[dict[str, Any]], RequestEnvelope], may_nest_deeply: bool = True
) -> tuple[RequestEnvelope | None, str | None]:
    """Check a parsed request body and read it; (None, reason) when it is not an Alexa request."""
    if not isinstance(data, dict):
        return None, "body is not a JSON object"
    if may_nest_deeply and _depth(data) > MAX_JSON_DEPTH:
        return None, f"body is nested more than {MAX_JSON_DEPTH} levels deep"
    req = data.get("request")
    if not isinstance(req, dict):
        return None, "request is missing"
    if not isinstance(req.get("type"), str) or not req["type"]:
        return None, "request.type is missing"
    context = data.get("context")
    session = data.get("session")
    has_system = isinstance(context, dict) and isinstance(context.get("System"), dict)
    # Requests Amazon sent before 2017 carry the application and user in the session only.
    has_session = isinstance(session, dict) and isinstance(session.get("user"), dict)
    if not (has_system or has_session):
        return None, "context.System is missing"
    try:
        envelope = reader(data)
    except Exception as error:  # noqa: BLE001 - the SDK raises assorted errors on odd shapes
        return None, f"request does not fit the Alexa schema: {type(error).__name__}"
    if envelope is None or envelope.request is None:
        return None, "request does not fit the Alexa schema"
    return envelope, None
