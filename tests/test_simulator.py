"""The web simulator: only on the dev server, over real HTTP, and in a real headless Chromium."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from footwork.skill import create_app
from footwork.skill.simulator import register_simulator
from live_server import LiveServer, serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def dev_app(database: Path) -> Flask:
    app = create_app({"FOOTWORK_DEV": True, "FOOTWORK_DB": str(database)})
    assert register_simulator(app)  # create_app may already have: registering again changes nothing
    return app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(dev_app(tmp_path_factory.mktemp("db") / "footwork.sqlite3")) as live:
        yield live


class Page:
    """The page's side of the conversation: each turn POSTs the utterance and the saved session."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.session: dict[str, Any] | None = None

    def say(self, utterance: str | None = None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"utterance": utterance, "session": self.session, **extra}
        reply = self.server.post("/dev/simulator/say", body)
        assert reply.status == 200, reply.body
        data: dict[str, Any] = reply.json
        self.session = data["session"]
        return data


# --- not there unless in dev mode ------------------------------------------------------------------


@pytest.mark.parametrize("config", [{"FOOTWORK_SKILL_ID": "any"}, {"FOOTWORK_VERIFY": False}])
def test_no_simulator_unless_dev_mode(tmp_path: Path, config: dict[str, Any]) -> None:
    app = create_app({"FOOTWORK_DB": str(tmp_path / "db.sqlite3"), **config})
    assert register_simulator(app) is False
    client = app.test_client()
    for path in ("/dev/simulator", "/dev/simulator/simulator.js", "/dev/simulator/examples"):
        assert client.get(path).status_code == 404
    assert client.post("/dev/simulator/say", json={"utterance": "next"}).status_code == 404


# --- over real HTTP --------------------------------------------------------------------------------


def test_the_page_and_its_assets_need_nothing_from_elsewhere(server: LiveServer) -> None:
    page = server.get("/dev/simulator")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.body.decode()
    assert "<title>Footwork simulator</title>" in html
    for asset in re.findall(r'(?:src|href)="(/dev/simulator/[^"]+)"', html):
        reply = server.get(asset)
        assert reply.status == 200, asset
        elsewhere = re.search(r"https?://(?!127\.0\.0\.1)", reply.body.decode())
        assert not elsewhere, f"{asset} loads from elsewhere"
    assert not re.search(r"(?:src|href)=\"https?://", html)
    assert server.get("/dev/simulator/../app.py").status == 404
    assert server.get("/dev/simulator/nothing.js").status == 404


def test_say_walks_a_routine_and_carries_the_session(server: LiveServer) -> None:
    page = Page(server)
    opened = page.say("open foot work")
    assert opened["match"]["kind"] == "launch"
    assert opened["request"]["request"]["type"] == "LaunchRequest"
    assert opened["session"]["open"] is True
    assert "Welcome to Foot Work" in opened["speech"]["text"]

    started = page.say("start the heel raises at gentle level please")
    assert started["match"]["intent"] == "StartRoutineIntent"
    assert started["match"]["slots"]["routine"]["id"] == "heel-raises"
    assert started["request"]["session"]["sessionId"] == opened["session"]["session_id"]
    assert started["request"]["session"]["new"] is False
    assert started["card"]["title"].startswith("Heel raises")
    # The first page gets the person into position; the counting starts after "ready".
    assert "Say ready when you're standing" in started["speech"]["text"]
    assert "Exercise one of" not in started["speech"]["text"]
    assert started["response"]["response"]["shouldEndSession"] is False
    assert started["session"]["attributes"]["place"]["routine"] == "heel-raises"

    first = page.say("next")
    assert first["match"]["intent"] == "AMAZON.NextIntent"
    assert first["card"]["title"].startswith("Heel raises")
    assert "Begin. Stand tall" in first["speech"]["text"]
    assert {"pause": 1.0} in first["speech"]["segments"]
    assert first["response"]["response"]["shouldEndSession"] is False
    assert first["session"]["attributes"]["place"]["routine"] == "heel-raises"

    ended = page.say("next")
    for _ in range(8):  # one page a side and set
        if not ended["session_open"]:
            break
        ended = page.say("next")
    assert ended["match"]["intent"] == "AMAZON.NextIntent"
    assert "That's your routine done for today" in ended["speech"]["text"]
    assert ended["session_open"] is False and ended["session"]["open"] is False


def test_say_unknown_routine_one_shot_and_end(server: LiveServer) -> None:
    page = Page(server)
    unknown = page.say("ask foot work to start underwater yoga")
    assert unknown["match"]["one_shot"] is True
    slot = unknown["request"]["request"]["intent"]["slots"]["routine"]
    assert slot["value"] == "underwater yoga"
    assert slot["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    assert "underwater yoga" in unknown["speech"]["text"]

    ended = page.say(action="end")
    assert ended["request"]["request"]["type"] == "SessionEndedRequest"
    assert ended["session"]["open"] is False
    assert "nothing to end" in page.say(action="end")["note"]


@pytest.mark.parametrize("body", [b"not json", b"[]", {"utterance": ""}, {"utterance": 5},
                                  {"utterance": "x" * 501}, {"utterance": "next", "session": "nope"},
                                  {"action": "dance"}])
def test_say_refuses_bad_requests(server: LiveServer, body: Any) -> None:
    reply = server.post("/dev/simulator/say", body)
    assert reply.status == 400
    assert reply.json["error"]


# --- in a real browser -----------------------------------------------------------------------------


@pytest.mark.slow
def test_the_page_in_headless_chromium(server: LiveServer) -> None:
    if not CHROMIUM.exists():
        if os.environ.get("FOOTWORK_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{CHROMIUM} is missing and FOOTWORK_REQUIRE_TOOLS=1")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); set FOOTWORK_REQUIRE_TOOLS=1 to fail")
    sync_api = pytest.importorskip("playwright.sync_api")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on("console",
                    lambda message: problems.append(message.text) if message.type == "error" else None)
            page.goto(f"{server.url}/dev/simulator")
            expect = sync_api.expect

            # Text runs shown at once, holds counted in real time: a quick but true run.
            page.get_by_label("Speak aloud (browser speech)").uncheck()
            page.get_by_label(re.compile("Pace text as spoken")).uncheck()

            page.get_by_role("button", name="open foot work").click()
            transcript = page.locator("#transcript")
            expect(transcript).to_contain_text("Welcome to Foot Work")
            expect(page.locator("#session-status")).to_have_text("Session open")
            expect(page.locator("#match")).to_contain_text("LaunchRequest")

            page.get_by_label("Say something").fill("start heel raises at gentle level")
            page.get_by_label("Say something").press("Enter")
            expect(transcript).to_contain_text("Okay. Heel raises. One exercise")
            expect(page.locator("#match")).to_contain_text("StartRoutineIntent")
            expect(page.locator("#match")).to_contain_text("heel-raises")
            # The first page gets the person into position; "ready" starts the first exercise.
            expect(page.locator("#card")).to_contain_text("Say ready when you're standing")
            expect(page.locator("#card")).not_to_contain_text("Exercise one of")

            page.get_by_role("button", name="next", exact=True).click()
            expect(transcript).to_contain_text("Begin. Stand tall")
            expect(page.locator("#card")).to_contain_text("Heel raises: exercise 1 of 1, set 1 of 2")
            expect(transcript.locator(".pause").first).to_have_text("[pause 1 s]")

            for _ in range(3):  # one page a side and set
                page.get_by_role("button", name="next", exact=True).click()
            expect(transcript).to_contain_text("That's your routine done for today")
            expect(page.locator("#card")).to_contain_text("set 2 of 2")
            expect(page.locator("#session-status")).to_have_text("Session ended")

            # The raw JSON is there, folded away until asked for.
            page.get_by_text("Response JSON").click()
            expect(page.locator("#response-json")).to_contain_text('"shouldEndSession": true')

            # The countdown ticks in real time through the 2.25 s pauses between the counts.
            countdown = page.locator("#countdown")
            seen: list[str] = []
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not any(" … " in text for text in seen):
                if countdown.is_visible():
                    text = countdown.text_content() or ""
                    if text and (not seen or seen[-1] != text):
                        seen.append(text)
                page.wait_for_timeout(50)
            assert any(re.fullmatch(r"hold 3 … 2( … 1)?", text) for text in seen), seen
            assert problems == []
        finally:
            browser.close()
