"""What the web service refuses to start with, and what it starts with only under a loud warning.

:mod:`footwork.core.settings` reads each setting strictly; this module decides what the combination
means for a service that answers Alexa over HTTP. Every way of starting it (``footwork serve``, a WSGI
server importing :mod:`footwork.skill.wsgi`, :func:`footwork.skill.app.create_app` in a test) goes
through :func:`service_policy`, so the rules hold the same everywhere:

* ``FOOTWORK_DEV`` on: verification is off, the simulator is on (a development server, warned about);
* ``FOOTWORK_VERIFY`` off outside development mode: allowed, but a loud warning;
* verification on without ``FOOTWORK_SKILL_ID``: refused, since requests Amazon signed for *any* skill
  would be answered. ``FOOTWORK_SKILL_ID=any`` says so on purpose (a warning, shown in ``/healthz``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from footwork.core import settings
from footwork.core.settings import ANY_SKILL, SettingsError, parse_flag, parse_skill_ids

__all__ = [
    "ANY_SKILL_WARNING",
    "DEV_WARNING",
    "MISSING_SKILL_ID",
    "VERIFY_OFF_WARNING",
    "ServicePolicy",
    "service_policy",
]

DEV_WARNING: Final = (
    "DEVELOPMENT MODE: request verification is OFF. Never expose this server to the internet."
)

VERIFY_OFF_WARNING: Final = (
    "request verification is OFF (FOOTWORK_VERIFY=0) outside development mode: anyone who can reach "
    "/alexa can pose as Alexa. Amazon requires verification of web-service skills."
)

ANY_SKILL_WARNING: Final = (
    "FOOTWORK_SKILL_ID=any: requests Amazon signed for any skill are answered, not only this skill's"
)

MISSING_SKILL_ID: Final = (
    "is not set, and request verification is on: requests Amazon signed for any other skill would be "
    "answered. Set FOOTWORK_SKILL_ID=amzn1.ask.skill.... (several: comma-separated), or "
    "FOOTWORK_SKILL_ID=any to answer every skill on purpose"
)


@dataclass(frozen=True)
class ServicePolicy:
    """How the service runs, decided once at start-up from its settings."""

    dev: bool
    verify: bool
    #: The application ids answered, or None for any (verification off, or ``FOOTWORK_SKILL_ID=any``).
    skill_ids: frozenset[str] | None
    any_skill: bool
    warnings: tuple[str, ...]


def service_policy(*, dev: Any = None, verify: Any = None, skill_ids: Any = None) -> ServicePolicy:
    """Decide how the service runs from raw setting values (strings, bools or None for unset).

    :raises SettingsError: naming the variable, for a value not understood or a combination refused.
    """
    is_dev = parse_flag(settings.DEV, dev, False)
    verifying = parse_flag(settings.VERIFY, verify, True) and not is_dev
    ids = parse_skill_ids(skill_ids)
    warnings: list[str] = []
    if is_dev:
        warnings.append(DEV_WARNING)
    elif not verifying:
        warnings.append(VERIFY_OFF_WARNING)
    if verifying and ids is None:
        raise SettingsError(settings.SKILL_ID, MISSING_SKILL_ID)
    any_skill = ids == ANY_SKILL
    if verifying and any_skill:
        warnings.append(ANY_SKILL_WARNING)
    return ServicePolicy(
        dev=is_dev,
        verify=verifying,
        skill_ids=ids if isinstance(ids, frozenset) else None,
        any_skill=any_skill,
        warnings=tuple(warnings),
    )
