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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, jsonify, request
from footwork.core import Catalog, load_catalog, settings
from footwork.core.settings import ANY_SKILL, Settings, parse_flag, parse_skill_ids

from .builder import skill_builder
from .skill_events import RequestSerializer
from .stores import Store, open_configured_store
from .verify import RequestVerifier, VerificationError

log = logging.getLogger("footwork.skill")

#: Alexa's requests are a few kilobytes; anything near this is not from Alexa and is refused unread.
MAX_BODY_BYTES = 128 * 1024

DEV_WARNING = "DEVELOPMENT MODE: request verification is OFF. Never expose this server to the internet."


@dataclass
class Footwork:
    """What the app keeps: the loaded catalog, the ask-sdk skill, the verifier (None when off)."""

    catalog: Catalog
    skill: CustomSkill
    verifier: RequestVerifier | None
    persistence: Store
    serializer: DefaultSerializer
    dev: bool


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Footwork web app. ``config`` overrides the environment; see the module docstring.

    ``FOOTWORK_VERIFIER`` may be a ready :class:`RequestVerifier` (tests give one with their own
    clock and trust roots); ``FOOTWORK_CATALOG`` a ready :class:`Catalog`.
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

    dev = parse_flag(settings.DEV, app.config["FOOTWORK_DEV"], False)
    verify = parse_flag(settings.VERIFY, app.config["FOOTWORK_VERIFY"], True) and not dev
    catalog = app.config.get("FOOTWORK_CATALOG") or load_catalog()
    for problem in catalog.problems:
        log.warning("pack problem: %s", problem)
    persistence = open_configured_store(app.config["FOOTWORK_DB"], on_lambda=env.on_lambda)
    verifier = None
    if verify:
        skill_ids = parse_skill_ids(app.config["FOOTWORK_SKILL_ID"])
        verifier = app.config.get("FOOTWORK_VERIFIER") or RequestVerifier(
            skill_ids=None if skill_ids == ANY_SKILL or not skill_ids else set(skill_ids)
        )
    skill = skill_builder(catalog, persistence).create()
    state = Footwork(catalog, skill, verifier, persistence, RequestSerializer(), dev)
    app.extensions["footwork"] = state
    if dev:
        log.warning(DEV_WARNING)

    @app.post("/alexa")
    def alexa() -> Response | tuple[Response, int]:
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            return _refuse(f"body too large: {length} bytes (limit {MAX_BODY_BYTES})", 413)
        body = request.get_data(cache=False)
        if state.verifier is not None:
            try:
                state.verifier.verify(request.headers, body)
            except VerificationError as error:
                log.warning("refused request: %s", error)
                return _refuse(f"verification failed: {error}")
        envelope, problem = _read_envelope(body, state.serializer)
        if envelope is None:
            log.warning("refused request: %s", problem)
            return _refuse(problem or "malformed request")
        try:
            response = state.skill.invoke(request_envelope=envelope, context=None)
        except Exception as error:  # noqa: BLE001 - the web answer must never be a 500
            log.exception("skill failed")
            return _refuse(f"request could not be handled: {type(error).__name__}")
        return app.response_class(
            json.dumps(state.serializer.serialize(response)), mimetype="application/json"
        )

    @app.get("/healthz")
    def healthz() -> Response:
        body: dict[str, Any] = {
            "status": "ok",
            "verification": "on" if state.verifier is not None else "off",
            "dev": state.dev,
            "packs": [pack.as_json() for pack in catalog.packs],
            "routines": [routine.id for routine in catalog.routines],
            "store": state.persistence.health().as_json(),
        }
        if not body["store"]["answers"]:
            body["status"] = "degraded: the store does not answer"
        if state.verifier is None:
            body["warning"] = DEV_WARNING if dev else "request verification is off (FOOTWORK_VERIFY=0)"
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
        log.exception("unexpected error")
        return _refuse(f"request could not be handled: {type(error).__name__}")

    if dev:
        # The simulator talks to the skill without signatures: it exists only on a dev server.
        from .simulator import register_simulator

        register_simulator(app)
    return app


def _refuse(reason: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": reason}), status


def _read_envelope(body: bytes, serializer: DefaultSerializer) -> tuple[RequestEnvelope | None, str | None]:
    """Parse and check a request body; (None, reason) when it is not an Alexa request."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, f"body is not JSON: {error}"
    except RecursionError:
        return None, "body is not JSON: nested too deeply"
    if not isinstance(data, dict):
        return None, "body is not a JSON object"
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
        envelope = serializer.deserialize(json.dumps(data), RequestEnvelope)
    except Exception as error:  # noqa: BLE001 - the SDK raises assorted errors on odd shapes
        return None, f"request does not fit the Alexa schema: {type(error).__name__}"
    if envelope is None or envelope.request is None:
        return None, "request does not fit the Alexa schema"
    return envelope, None
