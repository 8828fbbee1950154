"""Footwork on AWS Lambda, where Amazon invokes the skill directly and no request verification is needed.

Set the Lambda handler to ``footwork.skill.lambda_handler``. ``FOOTWORK_SKILL_ID`` is checked by the
SDK; ``FOOTWORK_DB`` must point somewhere writable (Lambda only writes under /tmp, which does not
outlive the instance: progress there is best effort).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from footwork.core import load_catalog

from .builder import skill_builder
from .persistence import SQLitePersistenceAdapter, default_database_path


def build_lambda_handler() -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The function Lambda calls with each request event, built from the installed packs."""
    catalog = load_catalog()
    persistence = SQLitePersistenceAdapter(os.environ.get("FOOTWORK_DB") or default_database_path())
    # The SDK checks one application id; with several configured, Amazon's own routing is the check.
    skill_ids = [s.strip() for s in os.environ.get("FOOTWORK_SKILL_ID", "").split(",") if s.strip()]
    builder = skill_builder(catalog, persistence, skill_ids[0] if len(skill_ids) == 1 else None)
    return builder.lambda_handler()
