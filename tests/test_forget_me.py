"""Forget me, over HTTP on each real store: AlexaSkillEvent.SkillDisabled, and /healthz's store part."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest
from footwork.skill.app import create_app
from footwork.skill.envelopes import Conversation
from footwork.skill.stores import open_store
from live_server import serve
from store_servers import PG_PASSWORD
from test_lambda import skill_disabled


@pytest.fixture
def live(store_url: str) -> Any:
    with serve(create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": store_url})) as server:
        yield server


def stored(url: str, user_id: str) -> Any:
    with open_store(url) as store:
        return store.get_by_user_id(user_id)


@pytest.mark.parametrize(("status", "kept"), [("NOT_PERSISTED", False), ("PERSISTED", True), (None, True)])
def test_skill_disabled_deletes_the_person_only_when_amazon_does_not_keep_them(
    live: Any, store_url: str, status: str | None, kept: bool
) -> None:
    talk, other = Conversation(), Conversation()
    for person in (talk, other):
        assert live.post("/alexa", person.launch()).status == 200
    event = skill_disabled(talk, status or "")
    if status is None:
        del event["request"]["body"]

    reply = live.post("/alexa", event)

    assert reply.status == 200 and "outputSpeech" not in reply.json["response"]
    assert (stored(store_url, talk.user_id) is not None) is kept
    assert stored(store_url, other.user_id) is not None


def test_healthz_names_the_store_and_its_latency_but_never_its_password(live: Any, store_url: str) -> None:
    body = live.get("/healthz").json

    assert body["status"] == "ok"
    assert body["store"]["answers"] is True and body["store"]["latency_ms"] >= 0
    assert body["store"]["kind"] in ("sqlite", "postgresql", "dynamodb")
    assert PG_PASSWORD not in json.dumps(body)


def test_healthz_says_degraded_when_the_store_stops_answering(tmp_path: Any) -> None:
    database = tmp_path / "data" / "footwork.sqlite3"
    with serve(create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(database)})) as server:
        server.app.extensions["footwork"].persistence.close()
        shutil.rmtree(database.parent)
        database.parent.write_text("a file where the folder was")  # the database cannot be made again
        reply = server.get("/healthz")

    assert reply.status == 200
    assert reply.json["status"].startswith("degraded") and reply.json["store"]["answers"] is False
