"""Assembling the ask-sdk skill from Footwork's handlers, for the web app and for Lambda alike."""

from __future__ import annotations

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.skill_builder import CustomSkillBuilder
from footwork.core import Catalog

from .conversation import Trouble, request_handlers


def skill_builder(
    catalog: Catalog, persistence: AbstractPersistenceAdapter, skill_id: str | None = None
) -> CustomSkillBuilder:
    """A builder with every handler for ``catalog`` and progress kept by ``persistence``."""
    builder = CustomSkillBuilder(persistence_adapter=persistence)
    for handler in request_handlers(catalog):
        builder.add_request_handler(handler)
    builder.add_exception_handler(Trouble())
    builder.skill_id = skill_id
    return builder
