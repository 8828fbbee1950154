"""Footwork on AWS Lambda, where Amazon invokes the skill directly and no request verification is needed.

Set the Lambda handler to ``footwork.skill.lambda_handler``. ``FOOTWORK_SKILL_ID`` is checked by the
SDK; ``FOOTWORK_DB`` must point somewhere writable (Lambda only writes under /tmp, which does not
outlive the instance: progress there is best effort).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from footwork.core import load_catalog
from footwork.core.settings import Settings

from .builder import skill_builder
from .persistence import SQLitePersistenceAdapter, default_database_path


def build_lambda_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The function Lambda calls with each request event, built from the installed packs."""
    catalog = load_catalog()
    env = Settings.from_env()
    persistence = SQLitePersistenceAdapter(env.db or default_database_path())
    # The SDK checks one application id; with several configured, Amazon's own routing is the check.
    ids = sorted(env.skill_ids) if isinstance(env.skill_ids, frozenset) else []
    builder = skill_builder(catalog, persistence, ids[0] if len(ids) == 1 else None)
    return builder.lambda_handler()
