"""Reading slots: entity resolution first, then the words said, always checked against what exists.

Custom slots are not strictly enumerated on Alexa, and a request's slots can be forged, so nothing a
slot holds is used until it names a routine in the catalog, a level or a mode.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model.slu.entityresolution import StatusCode
from footwork.core import Catalog, Level, Routine
from footwork.core.narration import MODES, Mode

from .identity import level_named, mode_named

#: Longer than any name a person says; anything longer is not looked up.
LONGEST_SAID = 200


def slot(handler_input: HandlerInput, name: str) -> Any:
    try:
        found = get_slot(handler_input, name)
    except (TypeError, AttributeError):
        return None
    return found if found is not None and (found.value or found.resolutions) else None


def _resolved_ids(found: Any) -> list[str]:
    ids = []
    for authority in getattr(getattr(found, "resolutions", None), "resolutions_per_authority", None) or []:
        if getattr(getattr(authority, "status", None), "code", None) == StatusCode.ER_SUCCESS_MATCH:
            for value in authority.values or []:
                value_id = getattr(getattr(value, "value", None), "id", None)
                if isinstance(value_id, str):
                    ids.append(value_id)
    return ids


def _said(found: Any) -> str | None:
    said = getattr(found, "value", None)
    return said[:LONGEST_SAID] if isinstance(said, str) and said.strip() else None


def routine(handler_input: HandlerInput, catalog: Catalog) -> tuple[Routine | None, str | None]:
    """The routine named in the ``routine`` slot, and the words said (None when the slot is empty)."""
    found = slot(handler_input, "routine")
    if found is None:
        return None, None
    said = _said(found)
    for value_id in _resolved_ids(found):
        named = catalog.get(value_id)
        if named is not None:
            return named, said
    if said:
        return catalog.find(said), said
    return None, None


def level(handler_input: HandlerInput) -> Level | None:
    found = slot(handler_input, "level")
    if found is None:
        return None
    for value_id in _resolved_ids(found):
        if value_id in {lv.value for lv in Level}:
            return Level(value_id)
    said = _said(found)
    return level_named(said) if said else None


def mode(handler_input: HandlerInput) -> Mode | None:
    found = slot(handler_input, "mode")
    if found is None:
        return None
    for value_id in _resolved_ids(found):
        if value_id in MODES:
            return "hands-free" if value_id == "hands-free" else "guided"
    named = mode_named(_said(found) or "")
    return None if named is None else "hands-free" if named == "hands-free" else "guided"
