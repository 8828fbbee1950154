"""The Flask application: POST /alexa for the skill, GET /healthz for whoever watches it.

POST /alexa is answered by :mod:`footwork.skill.endpoint`, in front of Flask (see there why).

``create_app`` is the factory. Settings live in ``app.config``, read from the environment
(:mod:`footwork.core.settings`, which documents each) unless given: ``FOOTWORK_SKILL_ID``,
``FOOTWORK_VERIFY``, ``FOOTWORK_DB``, ``FOOTWORK_DEV``. The skill, its catalog and its verifier
are kept on the app, in ``app.extensions["footwork"]``, so several apps (tests) can live in one process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, jsonify, request
from footwork.core import Catalog, load_catalog
from footwork.core.settings import Settings

from .builder import skill_builder
from .endpoint import MAX_BODY_BYTES, MAX_JSON_DEPTH, SKILL_PATH, AlexaEndpoint, answer, refusal
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
