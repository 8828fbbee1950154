"""Every setting Footwork reads from the environment, read in one place and checked strictly.

Settings fail closed: a value this module does not understand is a :class:`SettingsError` naming the
variable, never silently "off". Flags take ``1/0``, ``true/false``, ``on/off`` or ``yes/no`` in any
case; anything else, the empty string included, is refused.

==========================  ========================================================================
``FOOTWORK_PACKS``          Comma-separated pack names to load (unset: all; empty: none).
``FOOTWORK_STRICT``         Flag: any pack problem stops a command or the service (default off).
``FOOTWORK_DEV``            Flag: the local development server (default off).
``FOOTWORK_VERIFY``         Flag: check Amazon's request signatures (default on).
``FOOTWORK_SKILL_ID``       The skill id, several comma-separated, or ``any``.
``FOOTWORK_DB``             Where progress is kept: a path or a store URL (default: a SQLite file).
``AWS_LAMBDA_FUNCTION_NAME`` Set by AWS Lambda: Footwork is running there.
==========================  ========================================================================

Core reads its two (the pack selection and strict mode); the skill reads the rest, through
:meth:`Settings.from_env`. Nothing else in Footwork looks at ``os.environ`` for these names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "ANY_SKILL",
    "DB",
    "DEV",
    "PACKS",
    "SKILL_ID",
    "STRICT",
    "VERIFY",
    "Settings",
    "SettingsError",
    "parse_flag",
    "parse_pack_selection",
    "parse_skill_ids",
]

PACKS: Final = "FOOTWORK_PACKS"
STRICT: Final = "FOOTWORK_STRICT"
DEV: Final = "FOOTWORK_DEV"
VERIFY: Final = "FOOTWORK_VERIFY"
SKILL_ID: Final = "FOOTWORK_SKILL_ID"
DB: Final = "FOOTWORK_DB"
LAMBDA: Final = "AWS_LAMBDA_FUNCTION_NAME"

#: ``FOOTWORK_SKILL_ID=any``: the operator's explicit choice to answer requests signed for any skill.
ANY_SKILL: Final = "any"

_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"0", "false", "off", "no"})


class SettingsError(ValueError):
    """A setting has a value Footwork does not accept. The message names the variable."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name


def parse_flag(name: str, value: Any, default: bool) -> bool:
    """A flag's value: ``default`` when unset (None), a bool as it is, else one of the accepted words."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise SettingsError(name, f"expected one of 1/0, true/false, on/off, yes/no; got {str(value)!r}")


def parse_pack_selection(value: str | None) -> frozenset[str] | None:
    """``FOOTWORK_PACKS``: None (unset) loads all; empty loads none; else the names listed."""
    if value is None:
        return None
    return frozenset(name.strip() for name in value.split(",") if name.strip())


def parse_skill_ids(value: Any) -> frozenset[str] | str | None:
    """``FOOTWORK_SKILL_ID``: None when unset or blank, :data:`ANY_SKILL`, or the set of ids given.

    Accepts a comma-separated string or an iterable of ids (``app.config`` may hold either).
    """
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip().lower() == ANY_SKILL:
            return ANY_SKILL
        ids = frozenset(part.strip() for part in value.split(",") if part.strip())
    else:
        ids = frozenset(str(part).strip() for part in value if str(part).strip())
    if ANY_SKILL in {i.lower() for i in ids}:
        if len(ids) > 1:
            raise SettingsError(SKILL_ID, "'any' cannot be combined with skill ids")
        return ANY_SKILL
    return ids or None


@dataclass(frozen=True)
class Settings:
    """The environment's settings, parsed. Build with :meth:`from_env`; override for tests."""

    packs: frozenset[str] | None = None
    strict: bool = False
    dev: bool = False
    verify: bool = True
    skill_ids: frozenset[str] | str | None = None
    db: str | None = None
    on_lambda: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting; a value that is not understood raises :class:`SettingsError`."""
        environ = os.environ if environ is None else environ
        db = environ.get(DB)
        return cls(
            packs=parse_pack_selection(environ.get(PACKS)),
            strict=parse_flag(STRICT, environ.get(STRICT), False),
            dev=parse_flag(DEV, environ.get(DEV), False),
            verify=parse_flag(VERIFY, environ.get(VERIFY), True),
            skill_ids=parse_skill_ids(environ.get(SKILL_ID)),
            db=db if db and db.strip() else None,
            on_lambda=bool(environ.get(LAMBDA)),
        )


def pack_selection_from_env(environ: Mapping[str, str] | None = None) -> frozenset[str] | None:
    """``FOOTWORK_PACKS`` from the environment (see :func:`parse_pack_selection`)."""
    environ = os.environ if environ is None else environ
    return parse_pack_selection(environ.get(PACKS))


def strict_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """``FOOTWORK_STRICT`` from the environment: whether any pack problem is fatal."""
    environ = os.environ if environ is None else environ
    return parse_flag(STRICT, environ.get(STRICT), False)
