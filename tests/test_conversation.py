"""Conversations with the real skill over real HTTP, with request envelopes shaped like Alexa's."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest
from footwork.skill import create_app
from footwork.skill.envelopes import Conversation, SlotValue
from live_server import LiveServer, serve

BUILT_INS = [
    "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent",
    "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("db") / "footwork.sqlite3"
    app = create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(database)})
    with serve(app) as live:
        yield live


class Person:
    """Someone talking to the skill: each call is one request over HTTP, the session carried over."""

    def __init__(self, server: LiveServer, day: dt.date = dt.date(2026, 11, 2)) -> None:
        self.server = server
        self.day = day
        self.conversation = Conversation(clock=self._now)
        self.last: dict[str, Any] = {}

    def _now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(9, 0), tzinfo=dt.UTC)

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        reply = self.server.post("/alexa", envelope)
        assert reply.status == 200, reply.body
        self.last = reply.json
        self.conversation.receive(self.last)
        return self.last

    def launch(self) -> dict[str, Any]:
        return self.send(self.conversation.launch())

    def intent(self, name: str, **slots: SlotValue) -> dict[str, Any]:
        return self.send(self.conversation.intent(name, slots or None))

    def start(self, said: str, resolved: str | None = None, level: str | None = None) -> dict[str, Any]:
        slots = {"routine": SlotValue(said, resolved, None)}
        if level:
            slots["level"] = SlotValue(level, level, level, "LEVEL")
        return self.intent("StartRoutineIntent", **slots)

    def end_session(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        return self.send(self.conversation.session_ended(reason))

    @property
    def ssml(self) -> str:
        speech = self.last.get("response", {}).get("outputSpeech") or {}
        return speech.get("ssml", "")

    @property
    def heard(self) -> str:
        """What the person hears, as plain text."""
        return " ".join(re.sub(r"<[^>]+>", " ", self.ssml).split())

    @property
    def session_open(self) -> bool:
        return self.last["response"].get("shouldEndSession") is False


def assert_valid_speech(ssml: str) -> None:
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert len(ssml) < 8000


def test_first_launch_gives_the_safety_disclaimer_once(server: LiveServer) -> None:
    person = Person(server)
    person.launch()
    assert "not a substitute for professional medical advice" in person.heard.replace("isn't", "is not")
    assert "pain-free" in person.heard
    person.intent("AMAZON.StopIntent")
    person.launch()
    assert "medical advice" not in person.heard
    assert "Which would you like to start?" in person.heard


def test_launch_names_the_installed_routines_and_waits_for_an_answer(server: LiveServer) -> None:
    person = Person(server)
    person.launch()
    for title in ("Ankle strengthening", "Foot routine", "Heel raises", "Toe walking"):
        assert title in person.heard
    assert person.session_open
    assert person.last["response"]["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_one_shot_start_begins_with_what_to_fetch_then_next_starts_the_exercise(server: LiveServer) -> None:
    person = Person(server)
    person.start("heel raises", resolved="heel-raises")
    assert person.heard.startswith("Okay. Since this is your first time with it")
    assert "You'll need a sturdy chair" in person.heard
    assert "pain-free" in person.heard
    assert "Grab a chair and place it in front of you" in person.heard
    assert person.heard.endswith(
        "Say ready when you're standing, holding on to something steady for support.")
    assert person.session_open
    assert person.last["response"]["card"]["type"] == "Simple"
    assert_valid_speech(person.ssml)
    person.intent("AMAZON.NextIntent")
    assert "Begin. Stand tall" in person.heard


def test_start_by_synonym_without_entity_resolution_matches_titles_and_synonyms(server: LiveServer) -> None:
    person = Person(server)
    person.start("my ankle exercises")
    assert "Ankle strengthening. Seven exercises" in person.heard
    assert "First, Supported roll back." in person.heard


def test_unknown_routine_says_what_there_is(server: LiveServer) -> None:
    person = Person(server)
    person.start("underwater yoga")
    assert person.heard.startswith("I don't have underwater yoga. I have")
    assert "Toe walking" in person.heard
    assert person.session_open


def test_first_time_with_a_routine_uses_the_first_time_level(server: LiveServer) -> None:
    person = Person(server)
    person.start("heel raises", resolved="heel-raises")
    assert "first time" in person.heard
    person.intent("AMAZON.NextIntent")
    assert "Slowly raise and lower your right heel, two times" in person.heard


def test_a_level_said_aloud_is_used_and_remembered(server: LiveServer) -> None:
    person = Person(server)
    person.start("toe walking", resolved="toe-walking", level="gentle")
    assert "gentle level" in person.heard
    assert "first time" not in person.heard


def test_next_walks_through_to_the_end_which_is_celebrated_and_recorded(server: LiveServer) -> None:
    person = Person(server)
    person.start("ankle", resolved="ankle")
    pages = [person.ssml]
    while person.session_open:
        assert_valid_speech(person.ssml)
        person.intent("AMAZON.NextIntent")
        pages.append(person.ssml)
        assert len(pages) < 60, "the routine never ended"
    assert "That's the end of Ankle strengthening" in person.heard
    assert "Well done" in person.heard
    heard = " ".join(pages)
    assert all(name in heard for name in ("Supported roll back", "Turn your feet", "Trace the alphabet"))
    # Finished, so the next launch has nothing to carry on.
    person.launch()
    assert "Welcome back" not in person.heard


def test_previous_goes_back_one_page_and_stops_at_the_first(server: LiveServer) -> None:
    person = Person(server)
    person.start("ankle", resolved="ankle", level="standard")
    first = person.heard
    person.intent("AMAZON.NextIntent")
    second = person.heard
    assert second != first
    person.intent("AMAZON.PreviousIntent")
    assert first.endswith(person.heard)  # the first time, it was preceded by "Okay."
    person.intent("AMAZON.PreviousIntent")
    assert person.heard.startswith("This is the first part.")


def test_repeat_says_the_same_page_again(server: LiveServer) -> None:
    person = Person(server)
    person.start("ankle", resolved="ankle", level="standard")
    person.intent("AMAZON.NextIntent")
    page = person.ssml
    person.intent("AMAZON.RepeatIntent")
    assert person.ssml == page


def test_start_over_goes_back_to_the_beginning(server: LiveServer) -> None:
    person = Person(server)
    person.start("ankle", resolved="ankle", level="standard")
    person.intent("AMAZON.NextIntent")
    person.intent("AMAZON.NextIntent")
    person.intent("AMAZON.StartOverIntent")
    assert person.heard.startswith("Starting over. Ankle strengthening. Seven exercises")


def test_pause_ends_the_session_and_resume_carries_on_from_the_same_page(server: LiveServer) -> None:
    person = Person(server)
    person.start("ankle", resolved="ankle", level="standard")
    person.intent("AMAZON.NextIntent")
    page = re.sub(r"^Carrying on\. ", "", person.heard)
    person.intent("AMAZON.PauseIntent")
    assert not person.session_open
    assert "Paused at exercise" in person.heard
    person.intent("AMAZON.ResumeIntent")
    assert person.heard.startswith("Carrying on.")
    assert page in person.heard


def test_stop_saves_the_place_and_the_next_day_launch_offers_to_carry_on(server: LiveServer) -> None:
    person = Person(server)
    person.launch()
    person.start("ankle", resolved="ankle", level="standard")
    person.intent("AMAZON.NextIntent")
    person.intent("AMAZON.NextIntent")
    person.intent("AMAZON.StopIntent")
    assert "saved your place" in person.heard
    assert not person.session_open

    person.day += dt.timedelta(days=1)
    person.launch()
    assert re.search(r"Welcome back\. Do you want to carry on with Ankle strengthening at exercise \w+",
                     person.heard), person.heard
    person.intent("AMAZON.YesIntent")
    assert person.heard.startswith("Okay, carrying on.")
    assert person.session_open


def test_saying_no_to_carry_on_offers_the_routines(server: LiveServer) -> None:
    person = Person(server)
    person.launch()
    person.start("foot", resolved="foot", level="gentle")
    person.intent("AMAZON.CancelIntent")
    person.launch()
    assert "Welcome back" in person.heard
    person.intent("AMAZON.NoIntent")
    assert "Which would you like" in person.heard


def test_session_ended_by_alexa_saves_the_place_and_says_nothing(server: LiveServer) -> None:
    person = Person(server)
    person.launch()
    person.start("toe walking", resolved="toe-walking", level="standard")
    person.end_session("EXCEEDED_MAX_REPROMPTS")
    assert "outputSpeech" not in person.last["response"]
    person.launch()
    assert "Welcome back" in person.heard
    assert "Toe walking" in person.heard


def test_finishing_on_consecutive_days_counts_a_streak(server: LiveServer) -> None:
    person = Person(server)
    for day in range(3):
        person.day = dt.date(2026, 11, 10) + dt.timedelta(days=day)
        person.start("heel raises", resolved="heel-raises", level="gentle")
        while person.session_open:
            person.intent("AMAZON.NextIntent")
    assert "That's three days in a row" in person.heard


def test_list_and_describe_routines(server: LiveServer) -> None:
    person = Person(server)
    person.intent("ListRoutinesIntent")
    assert person.heard.startswith("I have four routines")
    assert "minutes" in person.heard
    person.intent("DescribeRoutineIntent", routine=SlotValue("toe walking", "toe-walking"))
    assert "Toe walking has one exercise" in person.heard
    assert "You'll need some clear floor space" in person.heard
    person.intent("AMAZON.YesIntent")
    assert "Toe walking. One exercise" in person.heard
    person.intent("AMAZON.NextIntent")
    assert "Stand on your tiptoes" in person.heard


def test_help_says_where_the_person_is(server: LiveServer) -> None:
    person = Person(server)
    person.start("ankle", resolved="ankle", level="standard")
    person.intent("AMAZON.NextIntent")
    person.intent("AMAZON.HelpIntent")
    assert "You're doing Ankle strengthening, at exercise" in person.heard
    assert "pain-free" in person.heard


def _in_state(server: LiveServer, state: str) -> Person:
    person = Person(server)
    if state == "launched":
        person.launch()
    elif state == "in a routine":
        person.start("ankle", resolved="ankle", level="standard")
    elif state == "asked to carry on":
        person.start("foot", resolved="foot", level="standard")
        person.intent("AMAZON.StopIntent")
        person.launch()
    elif state == "offered a routine":
        person.intent("DescribeRoutineIntent", routine=SlotValue("heel raises", "heel-raises"))
    return person


@pytest.mark.parametrize("intent", [*BUILT_INS, "SomethingNobodyDefinedIntent", "StartRoutineIntent",
                                    "DescribeRoutineIntent", "ListRoutinesIntent"])
@pytest.mark.parametrize("state", ["no session", "launched", "in a routine", "asked to carry on",
                                   "offered a routine"])
def test_every_intent_in_every_state_gets_a_helpful_answer(
    server: LiveServer, state: str, intent: str
) -> None:
    person = _in_state(server, state)
    person.intent(intent)
    response = person.last["response"]
    assert isinstance(response.get("shouldEndSession"), bool)
    assert_valid_speech(person.ssml)
    assert len(person.heard) > 5
    assert "went wrong" not in person.heard


def test_a_request_type_the_skill_never_asked_for_still_gets_an_answer(server: LiveServer) -> None:
    envelope = Conversation().launch()
    envelope["request"]["type"] = "Alexa.Presentation.APL.UserEvent"
    reply = server.post("/alexa", envelope)
    assert reply.status == 200
    assert reply.json["response"]["outputSpeech"]["ssml"].startswith("<speak>")


@pytest.mark.parametrize(("body", "reason"), [
    (b"{not json", "not JSON"),
    (b'{"version": "1.0", "session": {"new": tr', "not JSON"),
    (b"[1, 2, 3]", "not a JSON object"),
    (b'{"version": "1.0", "context": {"System": {}}, "request": {"requestId": "x"}}',
     "request.type is missing"),
    (b'{"version": "1.0", "request": {"type": "LaunchRequest"}}', "context.System is missing"),
    (b"\xff\xfe\x00", "not JSON"),
])
def test_malformed_bodies_get_400_with_a_reason(server: LiveServer, body: bytes, reason: str) -> None:
    reply = server.post("/alexa", body)
    assert reply.status == 400
    assert reason in reply.json["error"]


def test_oversized_body_is_refused_before_it_is_read(server: LiveServer) -> None:
    reply = server.post("/alexa", b"{" + b" " * (200 * 1024) + b"}")
    assert reply.status == 413
    assert "too large" in reply.json["error"]


def test_healthz_lists_packs_and_says_verification_is_off(server: LiveServer) -> None:
    reply = server.get("/healthz")
    assert reply.status == 200
    body = reply.json
    assert body["verification"] == "off"
    assert {p["name"] for p in body["packs"]} >= {"ankle", "foot", "heel-raises", "toe-walking"}
    assert all(p["status"] == "ok" for p in body["packs"])


def test_nothing_about_health_is_stored(server: LiveServer) -> None:
    person = Person(server)
    person.launch()
    person.start("ankle", resolved="ankle", level="gentle")
    person.intent("AMAZON.StopIntent")
    database = server.app.extensions["footwork"].persistence.path
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT attributes FROM users WHERE user_id = ?",
                                  (person.conversation.user_id,)).fetchall()
    assert rows
    stored = rows[0][0]
    allowed = {"disclaimer_heard", "unfinished", "completed", "streak", "level",
               "routine", "mode", "page", "date"}
    assert set(re.findall(r'"(\w+)":', stored)) <= allowed


def test_an_intent_request_without_a_session_or_an_intent_still_gets_an_answer(server: LiveServer) -> None:
    envelope = Conversation().intent("AMAZON.HelpIntent")
    del envelope["session"]
    reply = server.post("/alexa", envelope)
    assert reply.status == 200
    assert "talks you through foot and ankle exercises" in reply.json["response"]["outputSpeech"]["ssml"]
    envelope = Conversation().intent("AMAZON.HelpIntent")
    envelope["request"]["intent"] = None
    reply = server.post("/alexa", envelope)
    assert reply.status == 200
    assert "didn't catch that" in reply.json["response"]["outputSpeech"]["ssml"]
