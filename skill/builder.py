"""Assembling the skill from Footwork's handlers, for the web app and for Lambda alike."""

from __future__ import annotations

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from footwork.core import Catalog

from .conversation import Trouble, request_handlers
from .optimistic import RetryingSkillBuilder
from .skill_events import SkillDisabled


def skill_builder(
    catalog: Catalog, persistence: AbstractPersistenceAdapter, skill_id: str | None = None
) -> RetryingSkillBuilder:
    """A builder with every handler for ``catalog`` and progress kept by ``persistence``."""
    builder = RetryingSkillBuilder(persistence_adapter=persistence)
    builder.add_request_handler(SkillDisabled())
    for handler in request_handlers(catalog):
        builder.add_request_handler(handler)
    builder.add_exception_handler(Trouble())
    builder.skill_id = skill_id
    return builder
