"""Conversations with the real skill over real HTTP, with request envelopes shaped like Alexa's.

What people say goes through the generated interaction model's matcher, as Alexa would hear it
(:class:`people.Person.say`), or straight in as an intent. The tests pin behaviour (the intent
reached, the place kept, the session open, the level changed), not the narration's wording.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from footwork.core import Level
from footwork.core.levels import levels
from footwork.core.narration import narrate
from footwork.core.progression import LADDER
from footwork.core.wording import limb, spoken_minutes
from footwork.skill.dev.envelopes import Conversation
from footwork.skill.identity import DISCLAIMER, MEDICAL_ADVICE, PAIN_FREE_LINE, SEE_A_PROFESSIONAL
from footwork.skill.level_policy import ending
from footwork.skill.place import Place, page_of, place_of_page
from footwork.skill.progress import unfinished
from live_server import LiveServer
from people import Person, catalog_of

BUILT_INS = [
    "AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent",
    "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent", "AMAZON.NavigateHomeIntent",
]
CUSTOM = [
    "StartRoutineIntent", "DescribeRoutineIntent", "ListRoutinesIntent", "HurtIntent", "WaitIntent",
    "WhatsNextIntent", "HowLongIntent", "EasierIntent", "HarderIntent", "SlowerIntent", "FasterIntent",
    "SkipIntent", "WhereIntent", "SafetyIntent", "SetModeIntent",
]
#: Everything the skill may keep about a person: places, dates, levels, modes; nothing about health.
STORED_KEYS = {"disclaimer_heard", "unfinished", "completed", "streak", "level", "routine", "mode", "pace",
               "exercise", "set", "side", "round", "part", "saved", "date", "days", "last"}
HURT_PHRASES = ["that hurts", "it hurts", "my ankle hurts", "my foot hurts", "my knee hurts", "my back hurts",
                "I'm in pain", "ouch", "I felt a twinge", "I feel dizzy"]


def assert_valid_speech(ssml: str) -> None:
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert len(ssml) < 8000


def pages_heard(person: Person, routine: str, level: Level, mode: str = "guided",
                briefing: str = "full") -> int:
    """Which page of the narration the last answer said (its SSML holds the page's)."""
    narration = narrate(catalog_of(person.server).get(routine), level, mode, briefing)
    found = [i for i, page in enumerate(narration.pages)
             if page.ssml.removeprefix("<speak>").removesuffix("</speak>").strip() in person.ssml]
    assert len(found) == 1, f"expected one page in: {person.heard[:200]}"
    return found[0]


def back_in_position(person: Person) -> None:
    """Coming back, the skill first asks the person to get into position; they say ready."""
    assert person.session_open
    assert person.heard.endswith("say ready.") and person.said_last is None
    person.say("ready")


def walk(server: LiveServer, routine: str, level: str, mode: str = "guided") -> list[dict[str, Any]]:
    """Start ``routine`` and say "next" to its end; the session attributes after every page but the last."""
    person = Person(server)
    person.say(f"start the {routine.replace('-', ' ')} routine at {level.replace('-', ' ')} level")
    if mode == "hands-free":
        person.say("do it hands free")
        person.say("ready")
    states = []
    while person.session_open:
        states.append(person.attributes)
        person.say("next")
        assert len(states) < 80, "the routine never ended"
    return states


# --- what still works: launch, start by name, next, repeat, help, stop ------------------------------


def test_first_launch_gives_the_full_disclaimer_once(server: LiveServer) -> None:
    person = Person(server)
    person.say("open foot work")
    assert DISCLAIMER in person.heard
    person.say("stop")
    person.say("open foot work")
    assert DISCLAIMER not in person.heard
    assert "Which would you like to start?" in person.heard


def test_launch_names_the_installed_routines_and_waits_for_an_answer(server: LiveServer) -> None:
    person = Person(server)
    person.say("open foot work")
    for title in ("ankle strengthening", "foot routine", "heel raises", "toe walking"):
        assert title in person.heard
    assert person.session_open
    assert person.last["response"]["reprompt"]["outputSpeech"]["ssml"].startswith("<speak>")


def test_one_shot_start_gives_the_disclaimer_on_first_use_then_the_intro_page(server: LiveServer) -> None:
    person = Person(server)
    person.say("ask foot work to start heel raises")
    assert person.intents == ["StartRoutineIntent"]
    assert MEDICAL_ADVICE in person.heard
    assert pages_heard(person, "heel-raises", Level.FIRST_TIME) == 0
    assert person.session_open
    assert person.last["response"]["card"]["type"] == "Simple"
    assert_valid_speech(person.ssml)
    person.say("next")
    assert pages_heard(person, "heel-raises", Level.FIRST_TIME) == 1


@pytest.mark.parametrize("routine", ["ankle", "foot", "heel raises", "toe walking"])
def test_a_first_start_says_the_pain_free_line_once_not_in_the_disclaimer_and_again_in_the_intro(
        server: LiveServer, routine: str) -> None:
    person = Person(server)
    person.say(f"ask foot work to start {routine}")
    assert MEDICAL_ADVICE in person.heard
    assert person.heard.count("pain-free range") == 1


def test_start_by_synonym_without_entity_resolution_matches_titles_and_synonyms(server: LiveServer) -> None:
    person = Person(server)
    person.start("my ankle exercises")
    assert person.place is not None and catalog_of(server).get(person.place.routine).id == "ankle"


def test_unknown_routine_says_what_there_is(server: LiveServer) -> None:
    person = Person(server)
    person.say("start underwater yoga")
    assert person.heard.startswith("I don't have underwater yoga. I have")
    assert "toe walking" in person.heard
    assert person.session_open


def test_a_level_said_aloud_is_used(server: LiveServer) -> None:
    person = Person(server)
    person.say("start toe walking at gentle level")
    assert person.place is not None and person.place.level == "gentle"
    assert pages_heard(person, "toe-walking", Level.GENTLE) == 0


def test_next_walks_through_to_the_end_which_is_recorded(server: LiveServer) -> None:
    person = Person(server)
    person.say("start ankle at standard level")
    pages = 1
    while person.session_open:
        assert_valid_speech(person.ssml)
        person.say("next")
        pages += 1
        assert pages < 60, "the routine never ended"
    assert pages == len(narrate(catalog_of(server).get("ankle"), Level.STANDARD).pages)
    assert [c["routine"] for c in person.stored()["completed"]] == ["ankle"]
    assert person.stored_place() is None
    person.say("open foot work")
    assert person.state is None and "Welcome back" not in person.heard


def test_previous_goes_back_one_page_and_stops_at_the_first(server: LiveServer) -> None:
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("next")
    assert pages_heard(person, "ankle", Level.STANDARD) == 1
    person.say("go back")
    assert pages_heard(person, "ankle", Level.STANDARD) == 0
    person.say("go back")
    assert pages_heard(person, "ankle", Level.STANDARD) == 0
    assert person.heard.startswith("This is the first part.")


def test_go_back_to_an_exercise_in_another_position_first_gets_the_person_into_it(server: LiveServer) -> None:
    # Lying down for the ankle circles, "go back" to the toe walking: its page opens "Begin. Stand on
    # your tiptoes", so the person is first told to stand up, and the walking waits for "ready".
    person = Person(server)
    person.say("start the foot routine at first time level")
    for _ in range(4):
        person.say("ready")
    assert person.said_last.exercise == 3  # ankle circles, lying down
    person.say("go back")
    assert person.heard.startswith("Back to toe walking.")
    assert "Stand up" in person.heard and person.heard.endswith("When you're standing, say ready.")
    assert "tiptoes" not in person.heard and person.said_last is None
    assert person.place.exercise == 2
    person.say("ready")
    assert person.said_last.exercise == 2 and person.heard.startswith("Begin. Stand on your tiptoes")
    # Within one position, going back says the page at once, as before.
    person = Person(server)
    person.say("start the ankle routine at first time level")
    for phrase in ("ready", "ready", "next", "ready", "next"):
        person.say(phrase)
    assert person.said_last.exercise == 4  # turn your feet in and out, sitting
    person.say("go back")
    assert person.said_last.exercise == 3
    assert person.heard.startswith("Begin. Make two small clockwise circles")


def test_repeat_says_the_same_page_again(server: LiveServer) -> None:
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("next")
    page = person.ssml
    person.say("say that again")
    assert person.ssml == page


def test_start_over_goes_back_to_the_beginning(server: LiveServer) -> None:
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("next")
    person.say("next")
    person.say("start again")
    assert person.heard.startswith("Starting over.")
    assert pages_heard(person, "ankle", Level.STANDARD) == 0


def test_help_says_where_the_person_is_both_modes_and_the_disclaimer(server: LiveServer) -> None:
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("next")
    place = person.place
    person.say("help")
    assert "You're doing ankle strengthening, at" in person.heard
    assert "hands free" in person.heard and "one at a time" in person.heard
    assert DISCLAIMER in person.heard
    assert person.place == place and person.session_open


def test_stop_saves_the_place_and_the_next_day_launch_offers_to_carry_on(server: LiveServer) -> None:
    person = Person(server)
    person.say("open foot work")
    person.say("start ankle at standard level")
    person.say("next")
    due = person.place
    person.say("stop")
    assert "saved your place" in person.heard
    assert not person.session_open
    assert person.stored_place() == due

    person.day += dt.timedelta(days=1)
    person.say("open foot work")
    assert person.state == "confirm-resume"
    person.say("yes")
    assert person.heard.startswith("Okay, carrying on.")
    back_in_position(person)
    assert pages_heard(person, "ankle", Level.STANDARD) == 2
    assert person.session_open


# --- 1. when it hurts ---------------------------------------------------------------------------------


def _in_state(server: LiveServer, state: str) -> Person:
    person = Person(server)
    if state == "launched":
        person.say("open foot work")
    elif state == "at the intro":
        person.say("start ankle at standard level")
    elif state == "mid routine":
        person.say("start the foot routine at standard level")
        person.say("next")
        person.say("next")
    elif state == "waiting":
        person.say("start the foot routine at standard level")
        person.say("next")
        person.say("hang on")
    elif state == "asked to carry on":
        person.say("start the foot routine at standard level")
        person.say("next")
        person.say("stop")
        person.say("open foot work")
    elif state == "offered a routine":
        person.say("what's in heel raises")
    elif state == "already hurt":
        person.say("start the foot routine at standard level")
        person.say("next")
        person.say("that hurts")
    elif state == "one-shot after a timeout":
        person.say("start the foot routine at standard level")
        person.say("next")
        person.end_session()
    return person


HURT_STATES = ["no session", "launched", "at the intro", "mid routine", "waiting", "asked to carry on",
               "offered a routine", "already hurt", "one-shot after a timeout"]


@pytest.mark.parametrize("state", HURT_STATES)
@pytest.mark.parametrize("phrase", HURT_PHRASES)
def test_saying_it_hurts_in_any_state_stops_at_once_and_never_says_carry_on(
    server: LiveServer, state: str, phrase: str
) -> None:
    person = _in_state(server, state)
    before = person.stored().get("unfinished")
    said = f"ask foot work {phrase}" if state in ("no session", "one-shot after a timeout") else phrase
    person.say(said)
    assert person.intents[-1] == "HurtIntent"
    assert person.heard.startswith("Stop that exercise now")
    assert SEE_A_PROFESSIONAL in person.heard
    for carry_on in ("Say ready", "say ready", "Say next", "carry on", "keep going"):
        assert carry_on not in person.heard and carry_on not in person.reprompt
    assert_valid_speech(person.ssml)
    keys = set(json.dumps(person.stored()).replace('"', " ").split()) & {"pain", "hurt", "hurts", "injury"}
    assert not keys
    if person.session_open:
        # Offered: skip this exercise, or end for today; the place is kept as it was.
        assert person.state == "hurt"
        assert "skip" in person.heard and "stop" in person.heard
    else:
        assert person.stored().get("unfinished") == before


@pytest.mark.parametrize("phrase", ["hang on", "what's next", "how long is left", "which exercise is this",
                                    "help", "slower", "what do I need", "blah blah wibble"])
def test_after_it_hurts_nothing_said_next_prompts_to_carry_on_with_the_exercise(
    server: LiveServer, phrase: str
) -> None:
    person = _in_state(server, "mid routine")
    on = person.said_last
    person.say("that hurts")
    person.say(phrase)
    assert person.session_open
    for carry_on in ("Say ready", "say ready", "Say next", "carry on"):
        assert carry_on not in person.heard and carry_on not in person.reprompt
    assert "skip" in person.reprompt and "stop" in person.reprompt
    assert person.stored_place() == on


def test_after_it_hurts_yes_skips_to_the_next_exercise(server: LiveServer) -> None:
    person = _in_state(server, "mid routine")
    exercise = person.said_last.exercise
    person.say("my foot hurts")
    person.say("yes")
    # Nothing more of the exercise that hurt: the next one, once the person is ready for it.
    assert person.place.exercise == exercise + 1 and person.place.set == 1
    back_in_position(person)
    assert person.said_last.exercise == exercise + 1
    assert person.session_open


@pytest.mark.parametrize("answer", ["yes", "skip"])
def test_after_it_hurts_in_the_last_exercise_skipping_it_ends_without_recording_the_routine_done(
        server: LiveServer, answer: str) -> None:
    # "Skip this last exercise and finish?" "Yes.": no "well done, see you next time", no advice to
    # do it every morning, and no routine recorded as finished, so no step up to follow from it.
    person = Person(server)
    person.say("start heel raises")
    person.say("ready")
    person.say("that hurts")
    assert "skip this last exercise" in person.heard
    assert "next exercise" not in person.reprompt and person.reprompt.startswith("Say skip to leave")
    person.say(answer)
    assert not person.session_open
    assert person.heard.startswith("Okay, we'll leave ")
    assert "stop there for today" in person.heard and PAIN_FREE_LINE in person.heard
    assert "Well done" not in person.heard and "every morning" not in person.heard
    assert "completed" not in person.stored() and person.stored_place() is None
    assert set(person.stored()) <= STORED_KEYS


def test_after_it_hurts_during_the_intro_yes_goes_on_to_the_first_exercise_leaving_nothing_out(
        server: LiveServer) -> None:
    person = Person(server)
    person.say("start the ankle routine")
    person.say("my back hurts")
    person.say("yes")
    assert person.heard.startswith("Okay. Next is supported roll back.")
    assert "leave" not in person.heard
    assert person.place.exercise == 1 and person.session_open


def test_skip_right_after_the_last_page_of_an_exercise_leaves_out_the_next_one_and_names_it(
        server: LiveServer) -> None:
    # The towel flex's right foot ended "On to exercise three: Seated ankle circles ... say ready when
    # you're sitting": "skip" then means the circles, not the towel flex just finished.
    person = Person(server)
    person.say("start the ankle routine at standard level")
    for _ in range(3):
        person.say("ready")
    assert person.said_last.exercise == 2 and person.said_last.side == "right"
    person.say("skip")
    assert person.heard.startswith(
        "Okay, we'll leave out seated ankle circles. Next is turn your feet in and out.")
    assert person.place.exercise == 4
    person.say("ready")
    assert person.said_last.exercise == 4


def test_skip_between_the_sides_of_an_exercise_leaves_out_the_rest_of_that_exercise(
        server: LiveServer) -> None:
    person = Person(server)
    person.say("start the ankle routine at standard level")
    person.say("ready")
    person.say("ready")
    assert person.said_last.side == "left" and person.place.side == "right"
    person.say("skip")
    assert person.heard.startswith(
        "Okay, we'll leave out towel flex, lying down. Next is seated ankle circles.")
    assert person.place.exercise == 3


@pytest.mark.parametrize("routine", ["ankle", "foot", "heel-raises", "toe-walking"])
def test_skipping_never_says_any_more_of_the_exercise_left_out(server: LiveServer, routine: str) -> None:
    for attributes in walk(server, routine, "standard"):
        catalog = catalog_of(server)
        last = Place.from_json(attributes["last"], catalog)
        if last.exercise == 0:
            continue
        person = Person(server)
        person.resume_session(attributes)
        person.say("skip this one")
        if person.session_open and person.said_last is None:
            person.say("ready")
        if person.said_last is not None:
            assert person.said_last.exercise > last.exercise


def test_after_it_hurts_a_session_that_closes_keeps_the_exercise_it_hurt_in(server: LiveServer) -> None:
    person = _in_state(server, "mid routine")
    on = person.said_last
    person.say("I felt a twinge")
    person.end_session()
    assert person.stored_place() == on


@pytest.mark.parametrize("answer", ["stop", "no", "that's enough for today"])
def test_after_it_hurts_stop_ends_for_today_storing_only_the_place(server: LiveServer, answer: str) -> None:
    person = _in_state(server, "mid routine")
    on = person.said_last
    person.say("ouch")
    person.say(answer)
    assert not person.session_open
    stored = person.stored()
    assert person.stored_place() == on
    assert set(json.dumps(stored).replace('"', " ").replace(":", " ").replace(",", " ").replace("{", " ")
               .replace("}", " ").replace("[", " ").replace("]", " ").split()) & {"pain", "hurt"} == set()
    assert set(stored) <= STORED_KEYS


# --- 2. the place is a position -------------------------------------------------------------------


def test_places_in_the_old_page_format_are_read_as_the_position_of_that_page(server: LiveServer) -> None:
    catalog = catalog_of(server)
    narration = narrate(catalog.get("foot"), Level.STANDARD, "guided")
    old = {"routine": "foot", "level": "standard", "mode": "guided", "page": 4}
    assert Place.from_json(old, catalog) == place_of_page(narration, 4)
    assert unfinished({"unfinished": old}, catalog, dt.date(2026, 11, 2)) == place_of_page(narration, 4)
    # And in a session that an older version started: "next" says that page.
    person = Person(server)
    person.resume_session({"place": old})
    person.say("next")
    assert pages_heard(person, "foot", Level.STANDARD) == 4


@pytest.mark.parametrize("forged", [
    {"place": {"routine": "foot", "level": "x" * 100_000, "mode": "guided", "exercise": 1}},
    {"place": {"routine": "y" * 100_000, "level": "standard", "mode": "guided", "exercise": 1}},
    {"place": {"routine": "foot", "level": "standard", "mode": "guided", "exercise": 10 ** 9}},
    {"place": {"routine": "foot", "level": "standard", "mode": "sideways", "exercise": 1}},
    {"place": {"routine": "foot", "level": "standard", "mode": "guided", "exercise": 1, "side": "z" * 9}},
    {"place": {"routine": "foot", "level": "standard", "mode": "guided", "exercise": True}},
    {"place": "page three", "state": "s" * 40_000, "offer": "o" * 40_000},
])
def test_session_attributes_are_checked_against_the_catalog_before_use_or_storage(
    server: LiveServer, forged: dict[str, Any]
) -> None:
    person = Person(server)
    person.say("open foot work")
    person.resume_session(forged)
    person.say("stop")
    assert "unfinished" not in person.stored()
    person.say("open foot work")
    person.resume_session(forged)
    person.say("next")
    assert "You're not in a routine" in person.heard
    assert len(json.dumps(person.last)) < 20_000
    assert "unfinished" not in person.stored()


def _kind(place: Place) -> str:
    if place.exercise == 0:
        return "intro"
    if place.round > 1:
        return "round"
    if place.set > 1:
        return "set"
    if place.side == "right" or (place.side and place.side != "left"):
        return "side"
    return "exercise"


def test_a_level_change_at_every_kind_of_position_keeps_the_exercise_and_set_and_skips_nothing(
    server: LiveServer
) -> None:
    catalog = catalog_of(server)
    kinds: set[str] = set()
    for routine, attributes in ((r, a) for r in ("foot", "heel-raises", "toe-walking", "ankle")
                                for a in walk(server, r, "standard")):
        current = Place.from_json(attributes["last"], catalog)
        assert current is not None
        kinds.add(_kind(current))
        for said in ("make it easier", "make it harder", "make it first time", "make it gentle",
                     "make it strong", "make it standard"):
            person = Person(server)
            person.resume_session(attributes)
            person.say(said)
            assert person.session_open, said
            assert "completed" not in person.stored()
            due = person.place
            assert due is not None
            if due.level == current.level:  # asked for the level it is at: nothing moves
                assert due == Place.from_json(attributes["place"], catalog)
                continue
            assert person.said_last is None  # nothing of the routine is said until the person is ready
            assert due.exercise == current.exercise, (said, current, due)
            assert due.set <= current.set
            # Said at the new level, the page holding this place starts no later than the old one did.
            narration = narrate(catalog.get(routine), due.level_value, "guided")
            assert page_of(narration, due) == page_of(narration, current)
            person.say("ready")
            if person.session_open:
                assert person.said_last.exercise == current.exercise
    assert kinds == {"intro", "exercise", "set", "side", "round"}


def test_easier_and_harder_move_one_level_within_the_levels_the_routine_has(server: LiveServer) -> None:
    catalog = catalog_of(server)
    for routine in ("foot", "ankle"):
        states = walk(server, routine, "standard")
        person = Person(server)
        person.resume_session(states[2])
        person.say("make it harder")
        offered = levels(catalog.get(routine))
        if Level.STRONG in offered:
            assert person.place.level == "strong"
        else:
            assert "no harder level" in person.heard
            assert person.place == Place.from_json(states[2]["place"], catalog)
        person = Person(server)
        person.resume_session(states[2])
        person.say("make it easier")
        lower = [lv for lv in offered if LADDER.index(lv) < LADDER.index(Level.STANDARD)]
        assert person.place.level == lower[-1].value


def test_harder_on_a_routine_without_ranges_never_claims_it_has_one_level_as_easier_still_exists(
        server: LiveServer) -> None:
    # Ankle has first-time besides standard: "one level", then "okay, the first time level" contradicted it.
    person = Person(server)
    person.say("start the ankle routine at standard level")
    person.say("ready")
    person.say("make it harder")
    assert "one level" not in person.heard and "no harder level" in person.heard
    person.say("make it easier")
    assert person.place.level == "first-time"


def test_making_it_harder_while_the_routine_is_new_gives_the_articles_advice_with_the_choice(
        server: LiveServer) -> None:
    # The first-time level is a couple of each, then a day or two's wait: a person may still ask for
    # more, and gets it, with that advice and the pain-free line said once.
    person = Person(server)
    person.say("start the foot routine")
    assert person.place.level == "first-time"
    person.say("ready")
    person.say("make it harder")
    assert person.place.level == "gentle" and person.session_open
    assert person.heard.startswith("Okay, the gentle level. While it's new to you, the advice is only a "
                                   "couple of each, then a day or two's wait;")
    assert "stop if anything hurts" in person.heard
    person.say("make it harder")
    assert person.place.level == "standard"
    assert "a day or two" not in person.heard


def test_a_level_change_back_to_a_page_in_another_position_first_gets_the_person_back_into_it(
        server: LiveServer) -> None:
    # The roll back page ends "lie down with a towel"; easier goes back to the roll back, standing.
    person = Person(server)
    person.say("start the ankle routine at standard level")
    person.say("ready")
    assert person.reprompt.startswith("Say ready when you're lying down")
    person.say("make it easier")
    assert person.heard.startswith("Okay, the first time level. We'll go on from supported roll back.")
    assert person.heard.endswith(
        "When you're standing, holding on to something steady for support, say ready.")
    assert "Begin" not in person.heard and person.session_open
    person.say("ready")
    assert person.heard.startswith("Begin. Rock back onto your heels")


def test_a_mode_change_mid_routine_keeps_the_exercise(server: LiveServer) -> None:
    # From the part due next: the page said last was heard to its end (tests/test_conversation_modes.py).
    catalog = catalog_of(server)
    for attributes in walk(server, "foot", "standard")[1:]:
        due = Place.from_json(attributes["place"], catalog)
        person = Person(server)
        person.resume_session(attributes)
        person.say("do it hands free")
        assert person.session_open and person.place.mode == "hands-free"
        assert person.place.exercise == due.exercise
        person.say("one at a time")
        assert person.place.mode == "guided"
        assert person.place.exercise == due.exercise


# --- 3. coming back ---------------------------------------------------------------------------------


def test_a_whole_routine_with_two_timeouts_is_resumed_each_time_and_every_page_heard_once(
    server: LiveServer
) -> None:
    person = Person(server)
    person.say("open foot work")
    person.say("start the foot routine at standard level")
    total = len(narrate(catalog_of(server).get("foot"), Level.STANDARD).pages)
    heard = [pages_heard(person, "foot", Level.STANDARD)]
    person.say("next")
    heard.append(pages_heard(person, "foot", Level.STANDARD))
    person.say("next")
    heard.append(pages_heard(person, "foot", Level.STANDARD))
    # Lying down, fetching a towel: the session closes on its own.
    person.end_session()
    person.say("open foot work")
    assert person.state == "confirm-resume"
    assert "Welcome back" in person.heard
    person.say("carry on")
    back_in_position(person)
    heard.append(pages_heard(person, "foot", Level.STANDARD))
    for _ in range(4):
        person.say("ready")
        heard.append(pages_heard(person, "foot", Level.STANDARD))
    person.end_session()
    # The second time, one-shot.
    person.say("ask foot work to carry on")
    assert person.intents[-1] == "AMAZON.NextIntent"
    back_in_position(person)
    heard.append(pages_heard(person, "foot", Level.STANDARD))
    while person.session_open:
        person.say("next")
        if person.session_open:
            heard.append(pages_heard(person, "foot", Level.STANDARD))
    heard.append(total - 1)
    assert heard == list(range(total))
    assert [c["routine"] for c in person.stored()["completed"]] == ["foot"]


@pytest.mark.parametrize("phrase", ["yes", "carry on", "continue", "resume", "go on", "next", "ready"])
def test_after_the_welcome_back_each_way_of_saying_go_on_resumes_at_the_unfinished_page(
    server: LiveServer, phrase: str
) -> None:
    person = Person(server)
    person.say("start the foot routine at standard level")
    person.say("next")
    person.end_session()
    person.day += dt.timedelta(days=2)
    person.say("open foot work")
    person.say(phrase)
    assert person.intents[-1] != "AMAZON.FallbackIntent"
    back_in_position(person)
    assert pages_heard(person, "foot", Level.STANDARD) == 2
    assert person.session_open


def test_after_the_welcome_back_no_start_over_and_something_else_do_what_they_say(server: LiveServer) -> None:
    def welcomed() -> Person:
        person = Person(server)
        person.say("start the foot routine at gentle level")
        person.say("next")
        person.say("stop")
        person.say("open foot work")
        return person

    person = welcomed()
    person.say("no")
    assert "Which would you like" in person.heard and person.place is None
    assert person.stored_place() is None
    person = welcomed()
    person.say("start over")
    assert pages_heard(person, "foot", Level.GENTLE) == 0
    person = welcomed()
    person.say("something else")
    assert "Which would you like" in person.heard and person.place is None


def test_coming_back_says_what_to_get_ready_for_before_any_counting(server: LiveServer) -> None:
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("ready")
    ended_with = person.reprompt  # "Say ready when you're lying down with a rolled towel under ..."
    assert ended_with.startswith("Say ready when you're")
    person.say("stop")
    person.say("ask foot work to carry on")
    ready = ended_with.removeprefix("Say ready when ").removesuffix(".")
    assert person.heard.endswith(f"When {ready}, say ready.")
    assert "Begin" not in person.heard and person.session_open
    person.say("ready")
    assert pages_heard(person, "ankle", Level.STANDARD) == 2


@pytest.mark.parametrize("move", ["ask foot work to carry on", "skip", "make it easier"])
def test_say_that_again_before_ready_repeats_how_to_get_into_position_not_the_counting(
        server: LiveServer, move: str) -> None:
    # Coming back, skipping on or changing level ends "when you're lying down ..., say ready": a
    # person who did not catch it and says "say that again" hears it again, and no "Begin" yet.
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("ready")
    if move.startswith("ask"):
        person.say("stop")
    person.say(move)
    asked = person.heard
    assert asked.endswith("say ready.") and "Begin" not in asked
    person.say("say that again")
    assert person.session_open and "Begin" not in person.heard and person.said_last is None
    assert person.heard.endswith(asked[asked.rindex("When "):])
    due = person.place
    person.say("ready")
    assert person.heard.startswith("Begin.") and person.said_last == due


def test_skipping_on_and_coming_back_say_how_to_get_into_position_not_only_what_to_be_ready_for(
        server: LiveServer) -> None:
    # From the floor (towel flex) to seated circles: "When you're sitting" alone left out the chair.
    person = Person(server)
    person.say("start ankle at standard level")
    person.say("ready")
    person.say("ready")
    person.say("skip this one")
    assert "Sit in a straight-backed chair. When you're sitting, say ready." in person.heard
    assert "exercise three of seven" not in person.heard  # named once, by "Next is ..."
    person.say("stop")
    person.say("ask foot work to carry on")
    assert person.heard.startswith("Carrying on with ankle strengthening, at seated ankle circles.")
    assert "Sit in a straight-backed chair. When you're sitting, say ready." in person.heard
    person.say("ready")
    assert person.heard.startswith("Begin.")


@pytest.mark.parametrize("phrase", ["ask foot work to carry on", "ask foot work to resume my routine",
                                    "ask foot work to continue", "tell foot work to go on"])
def test_one_shot_carry_on_resumes_the_saved_place(server: LiveServer, phrase: str) -> None:
    person = Person(server)
    person.say("start the foot routine at standard level")
    person.say("next")
    person.say("stop")
    person.day += dt.timedelta(days=1)
    person.say(phrase)
    assert person.heard.startswith("Carrying on with foot routine")
    back_in_position(person)
    assert pages_heard(person, "foot", Level.STANDARD) == 2


def test_a_place_in_a_routine_of_one_exercise_is_said_as_the_side_with_its_article(
        server: LiveServer) -> None:
    person = Person(server)
    person.say("start heel raises at standard level")
    person.say("ready")
    person.say("stop")
    assert "I've saved your place at the left foot." in person.heard
    person.say("open foot work")
    assert "carry on with heel raises at the left foot?" in person.heard


def test_a_saved_place_is_offered_for_a_week_and_the_welcome_says_where(server: LiveServer) -> None:
    person = Person(server)
    person.say("start the foot routine at standard level")
    for _ in range(3):
        person.say("next")
    due = person.place
    exercise = catalog_of(server).get("foot").exercises[due.exercise - 1].name.lower()
    person.say("stop")
    person.day += dt.timedelta(days=7)
    person.say("open foot work")
    assert "Welcome back" in person.heard
    assert exercise in person.heard.lower()
    if due.side:
        exercise_limb = limb(catalog_of(server).get("foot").exercises[due.exercise - 1])
        assert f"{due.side} {exercise_limb}" in person.heard
    person.say("stop")
    person.day += dt.timedelta(days=8)
    person.say("open foot work")
    assert "Welcome back" not in person.heard


def test_waiting_holds_the_place_with_the_session_open_and_saves_it_if_the_session_closes(
    server: LiveServer
) -> None:
    for phrase in ("wait", "hang on", "one moment", "I need a break", "give me a minute", "pause"):
        person = Person(server)
        person.say("start the foot routine at standard level")
        person.say("next")
        due = person.place
        person.say(phrase)
        assert person.session_open
        assert person.heard == "Take your time. Say ready when you want to go on."
        assert person.place == due
        person.end_session()
        assert person.stored_place() == due
        person.say("open foot work")
        person.say("ready")
        back_in_position(person)
        assert pages_heard(person, "foot", Level.STANDARD) == 2


def test_questions_mid_routine_are_answered_without_moving(server: LiveServer) -> None:
    person = Person(server)
    person.say("start the foot routine at gentle level")
    person.say("next")
    due, last = person.place, person.said_last
    for phrase in ("what's next", "how long is left", "how many are left", "how long is this routine",
                   "which exercise is this", "what do I need", "faster", "safety"):
        person.say(phrase)
        assert person.session_open, phrase
        assert (person.place, person.said_last) == (due, last), phrase
    # "yes" after "how long is this routine" goes on; it never restarts the routine.
    person.say("how long is this routine")
    person.say("yes")
    assert pages_heard(person, "foot", Level.GENTLE) == 2


def test_how_long_is_left_is_at_this_persons_level(server: LiveServer) -> None:
    person = Person(server)
    person.say("start the foot routine at strong level")
    person.say("next")
    person.say("how long is left")
    narration = narrate(catalog_of(server).get("foot"), Level.STRONG)
    left = sum(p.planned_seconds for p in narration.pages[2:])
    assert spoken_minutes(left) in person.heard.lower()
    assert "strong level" in person.heard


@pytest.mark.parametrize("answer", ["yes", "go", "ready", "okay"])
def test_offered_a_routine_after_hearing_what_is_in_it_any_go_ahead_starts_it(
    server: LiveServer, answer: str
) -> None:
    person = Person(server)
    person.say("what's in toe walking")
    assert person.state == "offer-start"
    person.say(answer)
    assert person.place is not None and catalog_of(server).get(person.place.routine).id == "toe-walking"
    assert pages_heard(person, "toe-walking", person.place.level_value) == 0


# --- 5. hands-free by voice ---------------------------------------------------------------------------


def test_hands_free_by_voice_is_remembered_and_one_at_a_time_switches_back(server: LiveServer) -> None:
    person = Person(server)
    person.say("start heel raises without stopping")
    assert pages_heard(person, "heel-raises", Level.FIRST_TIME, "hands-free") == 0
    assert person.stored()["mode"] == "hands-free"
    person.day += dt.timedelta(days=3)
    person.say("ask foot work to start the foot routine at standard level")
    assert person.place.mode == "hands-free"
    assert pages_heard(person, "foot", Level.STANDARD, "hands-free") == 0
    person.say("one at a time")
    assert person.place.mode == "guided"
    assert person.stored()["mode"] == "guided"
    person.say("stop")
    person.say("open foot work")
    person.say("no")
    person.say("don't stop between exercises")
    assert person.stored()["mode"] == "hands-free"
    person.say("start the foot routine at strong level")
    assert person.place.mode == "hands-free"


# --- 6. progression -------------------------------------------------------------------------------------


def finish(person: Person, said: str) -> None:
    person.say(said)
    while person.session_open:
        person.say("next")


def test_todays_level_follows_the_progression_rule_and_the_endings_agree_with_the_article(
    server: LiveServer
) -> None:
    person = Person(server, day=dt.date(2026, 11, 10))
    finish(person, "start heel raises")
    assert person.stored()["completed"][-1]["level"] == "first-time"
    assert ending(Level.FIRST_TIME, 1) in person.heard
    assert "in a row" not in person.heard
    # The same day, and the day after: a couple again, and why.
    person.say("start heel raises")
    assert person.place.level == "first-time"
    assert "today for the first time" in person.heard
    finish(person, "stop")
    person.day += dt.timedelta(days=1)
    person.say("start heel raises")
    assert person.place.level == "first-time"
    assert "yesterday for the first time" in person.heard
    person.say("stop")
    # Two days' rest: one step up.
    person.day += dt.timedelta(days=2)
    finish(person, "start heel raises")
    assert person.stored()["completed"][-1]["level"] == "gentle"
    assert "Wait a day or two" not in person.heard
    person.day += dt.timedelta(days=1)
    finish(person, "start heel raises")
    assert person.stored()["completed"][-1]["level"] == "gentle"
    assert "two days in a row" in person.heard


# --- 7. safety words in proportion ------------------------------------------------------------------


def test_the_full_disclaimer_on_first_use_and_on_safety_otherwise_one_line(server: LiveServer) -> None:
    person = Person(server)
    person.say("open foot work")
    assert DISCLAIMER in person.heard
    person.say("start toe walking")
    assert DISCLAIMER not in person.heard
    person.say("safety")
    assert DISCLAIMER in person.heard
    person.say("stop")
    assert PAIN_FREE_LINE in person.heard


def test_the_routines_cautions_in_full_until_it_is_finished_once_then_the_one_line_reminder(
    server: LiveServer
) -> None:
    person = Person(server, day=dt.date(2026, 11, 10))
    finish(person, "start toe walking")
    person.day += dt.timedelta(days=2)
    person.say("start toe walking")
    assert pages_heard(person, "toe-walking", person.place.level_value, briefing="reminder") == 0
    assert DISCLAIMER not in person.heard


# --- robustness ------------------------------------------------------------------------------------


@pytest.mark.parametrize("intent", [*BUILT_INS, *CUSTOM, "SomethingNobodyDefinedIntent"])
@pytest.mark.parametrize("state", ["no session", "launched", "mid routine", "asked to carry on",
                                   "offered a routine", "already hurt"])
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
    person.say("open foot work")
    person.say("start ankle at gentle level")
    person.say("next")
    person.say("my ankle hurts")
    person.say("stop")
    person.say("start heel raises")
    person.say("that's enough for today")

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    stored = person.stored()
    assert stored and keys(stored) <= STORED_KEYS


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


def test_titles_inside_a_sentence_are_lowered_and_keep_their_capital_at_its_start(server: LiveServer) -> None:
    catalog = catalog_of(server)
    titles = {r.title for r in catalog.routines} | {e.name for r in catalog.routines for e in r.exercises}
    inside = re.compile(r"[a-z,:] (" + "|".join(re.escape(t) for t in titles) + r")\b")
    person = Person(server)
    heard: list[str] = []
    for said in ("open foot work", "what routines do you have", "what's in the ankle routine", "no",
                 "start heel raises", "next", "next", "next"):
        person.say(said)
        heard.append(person.heard)
    person.day += dt.timedelta(days=1)
    for said in ("ask foot work to start heel raises", "stop", "open foot work", "yes", "ready",
                 "where am I", "help", "what do I need", "stop", "ask foot work to start the ankle routine",
                 "ready", "ready", "ready", "skip", "ready", "ready", "ready"):
        person.say(said)
        heard.append(person.heard)
    assert "You did heel raises yesterday" in " ".join(heard)
    assert "Heel raises. One exercise" in " ".join(heard)  # the intro starts a sentence with it
    for speech in heard:
        assert not inside.search(speech), inside.search(speech)


def test_the_routines_card_counts_one_exercise_in_the_singular(server: LiveServer) -> None:
    person = Person(server)
    person.say("how long is it")
    card = person.last["response"]["card"]["content"]
    assert "Heel raises (1 exercise)" in card.splitlines()
    assert "Ankle strengthening (7 exercises)" in card.splitlines()
