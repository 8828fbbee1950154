"""Footwork on AWS Lambda: Amazon invokes the function directly, so no signature check is needed.

Set the handler to ``footwork.skill.lambda_handler`` and, in the function's environment:

* ``FOOTWORK_DB=dynamodb://TABLE`` (the region comes from Lambda's ``AWS_REGION``; create the table once
  with ``footwork data init``). A SQLite file, or no ``FOOTWORK_DB``, is refused at cold start: each
  instance would keep its own copy in /tmp and lose it when recycled.
* ``FOOTWORK_SKILL_ID``: the skill id, or several comma-separated (every one is accepted, no other), or
  ``any`` to accept any skill's requests.

Everything is checked at cold start, so a misconfigured function fails its first invocation with a
message naming the setting, instead of answering people "something went wrong".

The handler is built when the Lambda runtime looks it up in the init phase (see ``footwork.skill``):
the packs, the SDK and the store's client are all in a SnapStart snapshot; without SnapStart the same
work is done in the init phase, before the first event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from footwork.core import load_catalog
from footwork.core.settings import ANY_SKILL, SKILL_ID, Settings, SettingsError

from .builder import skill_builder
from .response_writer import write_response
from .skill_events import read_request_envelope
from .stores import open_configured_store

log = logging.getLogger("footwork.skill")

LambdaHandler = Callable[[dict[str, Any], Any], dict[str, Any]]


class WrongSkill(Exception):
    """The request was sent for a skill id this function is not configured for."""


def application_id(event: Any) -> str | None:
    """The skill id a request is for: ``context.System.application``, else ``session.application``."""
    if not isinstance(event, dict):
        return None
    for path in (("context", "System", "application", "applicationId"),
                 ("session", "application", "applicationId")):
        value: Any = event
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str) and value:
            return value
    return None


def build_lambda_handler(settings: Settings | None = None) -> LambdaHandler:
    """The function Lambda calls with each request event; raises SettingsError on a bad configuration."""
    env = settings or Settings.from_env()
    if env.skill_ids is None:
        raise SettingsError(SKILL_ID, "on AWS Lambda set the skill id (several comma-separated), or 'any' to "
                                      "answer requests for any skill")
    allowed = None if env.skill_ids == ANY_SKILL else frozenset(env.skill_ids)
    store = open_configured_store(env.db, on_lambda=env.on_lambda)
    catalog = load_catalog()
    for problem in catalog.problems:
        log.warning("pack problem: %s", problem)
    # The SDK's own check takes one id; ours takes the set.
    skill = skill_builder(catalog, store, None).create()

    def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if allowed is not None and application_id(event) not in allowed:
            # Lambda reports the invocation as failed; Alexa tells the person the skill had a problem.
            raise WrongSkill(f"request for skill {application_id(event)!r}, which is not in {SKILL_ID}")
        # The event is already parsed: read it straight into the model, as the web app does.
        envelope = read_request_envelope(event)
        response = skill.invoke(request_envelope=envelope, context=context)
        # What the SDK's DefaultSerializer.serialize gives (tests/test_fast_path.py compares them).
        answer: dict[str, Any] = write_response(response)
        return answer

    return handle
