"""``footwork.skill.lambda_handler`` as AWS Lambda runs it: each cold instance a separate process.

Progress kept in DynamoDB (moto's server over HTTP) survives from one instance to the next; a SQLite
file or no store at all is refused at cold start; every configured skill id is accepted, no other.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from footwork.core import load_catalog
from footwork.skill.envelopes import Conversation, SlotValue
from store_servers import AWS_ENV

SKILL_IDS = ("amzn1.ask.skill.11111111-1111-1111-1111-111111111111",
             "amzn1.ask.skill.22222222-2222-2222-2222-222222222222")

#: One cold instance: read events (one JSON a line) from stdin, answer each on stdout.
INSTANCE = """
import json, sys
from footwork.skill import lambda_handler
for line in sys.stdin:
    try:
        print(json.dumps(lambda_handler(json.loads(line), None)), flush=True)
    except Exception as error:
        print(json.dumps({"raised": type(error).__name__, "message": str(error)}), flush=True)
"""


def instance(events: list[dict[str, Any]], **env: str) -> subprocess.CompletedProcess[str]:
    """Run a fresh Lambda-like process over ``events``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    environ.update(AWS_ENV)
    environ.update({"AWS_LAMBDA_FUNCTION_NAME": "footwork", "HOME": "/nonexistent", **env})
    lines = "".join(json.dumps(event) + "\n" for event in events)
    return subprocess.run([sys.executable, "-c", INSTANCE], input=lines, capture_output=True, text=True,
                          env=environ, timeout=120)


def answers(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def for_skill(event: dict[str, Any], skill_id: str) -> dict[str, Any]:
    event["context"]["System"]["application"]["applicationId"] = skill_id
    if "session" in event:
        event["session"]["application"]["applicationId"] = skill_id
    return event


@pytest.fixture(scope="module")
def routine() -> str:
    catalog = load_catalog()
    if not catalog.routines:
        pytest.skip("no packs installed")
    return max(catalog.routines, key=lambda r: sum(len(e.steps) for e in r.exercises)).id


def test_progress_in_dynamodb_survives_from_one_cold_instance_to_the_next(moto_server: Any, routine: str
                                                                          ) -> None:
    url = moto_server.new_table()
    env = {"FOOTWORK_DB": url, "FOOTWORK_SKILL_ID": ",".join(SKILL_IDS)}
    talk = Conversation(skill_id=SKILL_IDS[0])
    first = [talk.launch()]
    replies = answers(instance(first, **env))
    talk.receive(replies[0])
    start = talk.intent("StartRoutineIntent", {"routine": SlotValue(routine, routine, None)})
    replies = answers(instance([start], **env))
    talk.receive(replies[0])
    told = talk.attributes["place"]
    talk.end()

    # A second cold instance, for the other configured skill id: both are checked, neither dropped.
    replies = answers(instance([for_skill(talk.launch(), SKILL_IDS[1])], **env))

    assert "Welcome back" in replies[0]["response"]["outputSpeech"]["ssml"]
    assert replies[0]["sessionAttributes"]["resume"] == told


def test_a_request_for_a_skill_id_not_configured_is_refused(moto_server: Any) -> None:
    env = {"FOOTWORK_DB": moto_server.new_table(), "FOOTWORK_SKILL_ID": ",".join(SKILL_IDS)}
    other = Conversation(skill_id="amzn1.ask.skill.99999999-9999-9999-9999-999999999999")

    replies = answers(instance([other.launch(), Conversation(skill_id=SKILL_IDS[1]).launch()], **env))

    assert replies[0]["raised"] == "WrongSkill" and "FOOTWORK_SKILL_ID" in replies[0]["message"]
    assert "response" in replies[1]


@pytest.mark.parametrize("database", [None, "{tmp}/footwork.sqlite3", "sqlite://{tmp}/footwork.sqlite3"],
                         ids=["unset", "path", "sqlite-url"])
def test_on_lambda_a_sqlite_file_or_no_store_fails_at_cold_start_saying_use_dynamodb(
    database: str | None, tmp_path: Path
) -> None:
    env = {"FOOTWORK_SKILL_ID": SKILL_IDS[0]}
    if database:
        env["FOOTWORK_DB"] = database.format(tmp=tmp_path)

    replies = answers(instance([Conversation(skill_id=SKILL_IDS[0]).launch()], **env))

    assert replies[0]["raised"] == "SettingsError"
    assert replies[0]["message"].startswith("FOOTWORK_DB:")
    assert "DynamoDB" in replies[0]["message"] and "dynamodb://" in replies[0]["message"]
    assert not (tmp_path / "footwork.sqlite3").exists()


def test_on_lambda_no_skill_id_fails_at_cold_start(moto_server: Any) -> None:
    replies = answers(instance([Conversation().launch()], FOOTWORK_DB=moto_server.new_table()))

    assert replies[0]["raised"] == "SettingsError" and replies[0]["message"].startswith("FOOTWORK_SKILL_ID:")


def test_skill_disabled_without_persistence_forgets_the_person_on_lambda(moto_server: Any) -> None:
    from footwork.skill.stores import open_store

    url = moto_server.new_table()
    env = {"FOOTWORK_DB": url, "FOOTWORK_SKILL_ID": SKILL_IDS[0]}
    talk = Conversation(skill_id=SKILL_IDS[0])
    answers(instance([talk.launch()], **env))
    with open_store(url) as store:
        assert store.get_by_user_id(talk.user_id) is not None

    replies = answers(instance([skill_disabled(talk, "NOT_PERSISTED")], **env))

    assert replies[0]["response"] == {} or "outputSpeech" not in replies[0]["response"]
    with open_store(url) as store:
        assert store.get_by_user_id(talk.user_id) is None


def skill_disabled(talk: Conversation, status: str) -> dict[str, Any]:
    """An ``AlexaSkillEvent.SkillDisabled`` event for ``talk``'s person, as Amazon sends it."""
    event = talk.launch()
    event.pop("session", None)
    event["request"] = {
        "type": "AlexaSkillEvent.SkillDisabled", "requestId": "amzn1.echo-api.request.disabled",
        "timestamp": "2024-05-01T12:00:00Z", "eventCreationTime": "2024-05-01T12:00:00Z",
        "eventPublishingTime": "2024-05-01T12:00:01Z", "locale": "en-US",
        "body": {"userInformationPersistenceStatus": status},
    }
    return event
