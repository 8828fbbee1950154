"""The Flask application: POST /alexa for the skill, GET /healthz for whoever watches it.

POST /alexa is answered by :mod:`footwork.skill.endpoint`, in front of Flask (see there why).

``create_app`` is the factory. Settings live in ``app.config``, read from the environment
(:mod:`footwork.core.settings`, which documents each) unless given: ``FOOTWORK_SKILL_ID``,
``FOOTWORK_VERIFY``, ``FOOTWORK_DB``, ``FOOTWORK_DEV``. The service they open (the skill, its catalog,
its verifier and store: :mod:`footwork.skill.service`) is kept on the app, in
``app.extensions["footwork"]``, so several apps (tests) can live in one process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify, request

from .endpoint import MAX_BODY_BYTES, MAX_JSON_DEPTH, SKILL_PATH, AlexaEndpoint, answer, refusal
from .service import Footwork, open_service, service_config
from .service_policy import DEV_WARNING, ServicePolicy

log = logging.getLogger("footwork.skill")

__all__ = ["DEV_WARNING", "MAX_BODY_BYTES", "MAX_JSON_DEPTH", "Footwork", "create_app"]


def create_app(config: Mapping[str, Any] | None = None, *, service: Footwork | None = None) -> Flask:
    """Build the Footwork web app. ``config`` overrides the environment (:func:`service_config`).

    ``service``, when given, is a service already opened (:mod:`footwork.skill.wsgi` opens it before
    it needs Flask); ``config`` is then not read, and the app's config is the service's.

    :raises SettingsError: for settings the service refuses (:mod:`footwork.skill.service_policy`).
    """
    # instance_path given: Flask's own search for it fails (StopIteration) when ``footwork`` is the
    # namespace package of an editable install, whose __path__ is a path-hook name, not a folder.
    here = os.path.dirname(os.path.abspath(__file__))
    app = Flask("footwork.skill", instance_path=os.path.join(here, "instance"))
    state = service or open_service(service_config(config))
    app.config.update(state.config, MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.extensions["footwork"] = state
    catalog, policy, dev = state.catalog, state.policy, state.dev

    @app.post(SKILL_PATH)
    def alexa() -> Response:
        # Served by AlexaEndpoint below before Flask sees the request; kept as a route so that Flask
        # knows the path (405 for other methods) and answers the same when called by Flask itself.
        status, body = answer(state, request.environ)
        return app.response_class(body, status, mimetype="application/json")

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
    app.wsgi_app = AlexaEndpoint(state, app.wsgi_app)  # type: ignore[method-assign]
    return app


def _refuse(reason: str, status: int = 400) -> tuple[Response, int]:
    return Response(refusal(reason), status, mimetype="application/json"), status


def _skill_ids_shown(policy: ServicePolicy) -> str | int | None:
    """For /healthz: "any" when every skill is answered on purpose, else how many ids are checked."""
    if not policy.verify:
        return None
    return "any" if policy.skill_ids is None else len(policy.skill_ids)
