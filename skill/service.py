"""The skill as a web service runs it: the catalog, the skill, the verifier and the store, opened once.

:func:`open_service` opens it from the settings (the environment's, :mod:`footwork.core.settings`,
then any overrides). :func:`footwork.skill.app.create_app` keeps it on the Flask app
(``app.extensions["footwork"]``); :mod:`footwork.skill.wsgi` answers the skill's requests with it
before Flask is even imported (:mod:`footwork.skill.endpoint`). Nothing here imports Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from footwork.core import Catalog, load_catalog
from footwork.core.settings import Settings

from .builder import skill_builder
from .log_limits import RepeatLimiter
from .optimistic import RetryingSkill
from .response_writer import write_response
from .service_policy import ServicePolicy, service_policy
from .skill_events import read_request_envelope
from .stores import Store, open_configured_store

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

    # Imported when verification is on: the certificate code is a tenth of the app's import time.
    from .verify import RequestVerifier

log = logging.getLogger("footwork.skill")

__all__ = ["Footwork", "open_service", "service_config"]


@dataclass
class Footwork:
    """What the service keeps: the loaded catalog, the skill, the verifier (None when off), the store."""

    catalog: Catalog
    skill: RetryingSkill
    verifier: RequestVerifier | None
    persistence: Store
    dev: bool
    policy: ServicePolicy
    #: The settings it was opened with (the environment's, then the overrides): the app's ``config``.
    config: dict[str, Any] = field(default_factory=dict)
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


def service_config(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings from the environment, with ``config``'s entries over them.

    ``FOOTWORK_SKILL_ID``, ``FOOTWORK_VERIFY``, ``FOOTWORK_DB`` and ``FOOTWORK_DEV`` as
    :class:`~footwork.core.settings.Settings` reads them; ``config`` may also give
    ``FOOTWORK_VERIFIER``, a ready :class:`RequestVerifier` (tests give one with their own clock and
    trust roots), and ``FOOTWORK_CATALOG``, a ready :class:`Catalog`.
    """
    env = Settings.from_env()
    settings: dict[str, Any] = {
        "FOOTWORK_SKILL_ID": env.skill_ids,
        "FOOTWORK_VERIFY": env.verify,
        "FOOTWORK_DB": env.db,
        "FOOTWORK_DEV": env.dev,
        "FOOTWORK_ON_LAMBDA": env.on_lambda,
    }
    settings.update(config or {})
    return settings


def open_service(config: Mapping[str, Any]) -> Footwork:
    """Load the packs, open the store, make the verifier and the skill, as ``config`` says.

    :raises SettingsError: for settings the service refuses (:mod:`footwork.skill.service_policy`).
    """
    policy = service_policy(
        dev=config["FOOTWORK_DEV"],
        verify=config["FOOTWORK_VERIFY"],
        skill_ids=config["FOOTWORK_SKILL_ID"],
    )
    given = config.get("FOOTWORK_CATALOG")
    catalog = given or load_catalog()
    for problem in [] if given else catalog.problems:  # whoever loaded a given catalog reported it
        log.warning("pack problem: %s", problem)
    on_lambda = bool(config.get("FOOTWORK_ON_LAMBDA"))
    persistence = open_configured_store(config["FOOTWORK_DB"], on_lambda=on_lambda)
    verifier = None
    if policy.verify:
        from .verify import RequestVerifier

        verifier = config.get("FOOTWORK_VERIFIER") or RequestVerifier(skill_ids=policy.skill_ids)
    skill = skill_builder(catalog, persistence).create()
    service = Footwork(catalog, skill, verifier, persistence, policy.dev, policy, dict(config))
    for warning in policy.warnings:
        log.warning(warning)
    return service
