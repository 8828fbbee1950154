"""The corpus (tests/corpus.toml): what people say while exercising, each phrase through the generated
interaction model's matcher and then to the real skill over HTTP, checked for the behaviour it must get."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from footwork.core import Level
from footwork.core.narration import narrate
from footwork.core.progression import LADDER
from footwork.skill.dev.utterances import FALLBACK_INTENT
from footwork.skill.identity import DISCLAIMER
from footwork.skill.interaction_model import build_interaction_model, check_interaction_model, intents_for
from footwork.skill.place import Place, page_of
from live_server import LiveServer
from people import Person, catalog_of, matcher_for

CORPUS = tomllib.loads((Path(__file__).parent / "corpus.toml").read_text())
PHRASES = [(behaviour, phrase) for behaviour, table in CORPUS.items() for phrase in table["phrases"]]
ROUTINE = "foot"


@pytest.fixture(scope="module")
def mid_routine(server: LiveServer) -> dict[str, Any]:
    """The session in the middle of the foot routine at the standard level: a set and a side under way,
    an exercise before and after, levels either side."""
    person = Person(server)
    person.say("start the foot routine at standard level")
    for _ in range(3):
        person.say("next")
    assert person.session_open and person.said_last.exercise == 1 and person.said_last.set > 1
    return person.attributes


def test_the_corpus_is_big_enough_and_covers_what_people_say() -> None:
    assert len(PHRASES) >= 150
    assert len({phrase.lower() for _, phrase in PHRASES}) == len(PHRASES), "a phrase is in two behaviours"
    must = ["ready", "I'm ready", "ok", "go", "go on", "done", "finished", "wait", "hang on", "one moment",
            "I need a break", "give me a minute", "what's next", "how long is left", "how many are left",
            "how long is this routine", "make it easier", "make it harder", "make it gentler", "slower",
            "faster", "skip", "skip this one", "go back", "say that again", "start again",
            "which exercise is this", "what do I need", "help", "stop", "I'm done", "that's enough for today",
            "that hurts", "my ankle hurts", "I'm in pain", "ouch", "I felt a twinge", "I feel dizzy"]
    said = {phrase for _, phrase in PHRASES}
    assert [m for m in must if m not in said] == []


def test_the_model_with_the_corpus_samples_still_passes_the_checks(server: LiveServer) -> None:
    model = build_interaction_model(catalog_of(server))
    assert check_interaction_model(model) == []
    # Phrases of the corpus that are samples of the model, as written, belong to the right intent.
    for behaviour, phrase in PHRASES:
        found = intents_for(phrase, model)
        assert set(found) <= set(CORPUS[behaviour]["intents"]), (phrase, found)


@pytest.mark.parametrize(("behaviour", "phrase"), PHRASES)
def test_the_matcher_hears_each_phrase_as_an_intent_of_its_behaviour(
    server: LiveServer, behaviour: str, phrase: str
) -> None:
    match = matcher_for(server).match(phrase)
    assert match.intent != FALLBACK_INTENT
    assert match.intent in CORPUS[behaviour]["intents"], (phrase, match.intent)


Check = Callable[[Person, Place, Place], None]


def _kept(person: Person, due: Place, last: Place) -> None:
    assert person.session_open
    assert (person.place, person.said_last) == (due, last)
    assert person.state is None


def _next(person: Person, due: Place, last: Place) -> None:
    assert person.session_open
    assert person.said_last == due


def _level(direction: int) -> Check:
    def check(person: Person, due: Place, last: Place) -> None:
        assert person.session_open
        moved = LADDER.index(person.place.level_value) - LADDER.index(last.level_value)
        assert moved * direction > 0
        assert (person.place.exercise, person.place.set) == (last.exercise, last.set)
    return check


def _skip(person: Person, due: Place, last: Place) -> None:
    # The next exercise is due, and waits for the person to be ready for it.
    assert person.session_open and person.said_last is None
    assert person.place.exercise == last.exercise + 1


def _back(person: Person, due: Place, last: Place) -> None:
    narration = narrate(catalog_of(person.server).get(ROUTINE), Level.STANDARD)
    assert page_of(narration, person.said_last) == page_of(narration, last) - 1


def _repeat(person: Person, due: Place, last: Place) -> None:
    assert person.said_last == last and person.place == due


def _start_over(person: Person, due: Place, last: Place) -> None:
    assert person.said_last.exercise == 0


def _same_position(person: Person, due: Place) -> None:
    place = person.place
    assert (place.exercise, place.set, place.side, place.round) == (
        due.exercise, due.set, due.side, due.round)


def _hands_free(person: Person, due: Place, last: Place) -> None:
    # From the part due: the page said last was heard to its end.
    assert person.session_open and person.place.mode == "hands-free"
    _same_position(person, due)


def _slower(person: Person, due: Place, last: Place) -> None:
    assert person.session_open and person.stored()["pace"] == "slow"
    assert person.heard.startswith("Okay, slower") and person.said_last is None
    _same_position(person, due)


def _faster(person: Person, due: Place, last: Place) -> None:
    # At the normal pace already (a new person each time): never faster than the article's pace.
    _kept(person, due, last)
    assert "I don't go faster" in person.heard


def _hurt(person: Person, due: Place, last: Place) -> None:
    assert person.session_open and person.state == "hurt"
    assert person.heard.startswith("Stop that exercise now")
    assert "Say ready" not in person.heard and "Say next" not in person.heard
    assert person.stored_place() == last


def _stop(person: Person, due: Place, last: Place) -> None:
    assert not person.session_open
    assert person.stored_place() == due


def _hold(person: Person, due: Place, last: Place) -> None:
    _kept(person, due, last)
    assert person.heard == "Take your time. Say ready when you want to go on."
    assert person.stored_place() == due


def _safety(person: Person, due: Place, last: Place) -> None:
    _kept(person, due, last)
    assert DISCLAIMER in person.heard


BEHAVIOURS: dict[str, Check] = {
    "next": _next, "hold": _hold, "whats-next": _kept, "how-long": _kept, "easier": _level(-1),
    "harder": _level(+1), "slower": _slower, "faster": _faster, "skip": _skip, "back": _back,
    "repeat": _repeat,
    "start-over": _start_over, "where": _kept, "needs": _kept, "help": _kept, "safety": _safety,
    "hands-free": _hands_free, "hurt": _hurt, "stop": _stop,
}


def test_every_behaviour_in_the_corpus_has_a_check() -> None:
    assert set(CORPUS) == set(BEHAVIOURS)


@pytest.mark.parametrize(("behaviour", "phrase"), PHRASES)
def test_the_skill_gives_each_phrase_its_behaviour_mid_routine(
    server: LiveServer, mid_routine: dict[str, Any], behaviour: str, phrase: str
) -> None:
    catalog = catalog_of(server)
    due = Place.from_json(mid_routine["place"], catalog)
    last = Place.from_json(mid_routine["last"], catalog)
    person = Person(server)
    person.resume_session(mid_routine)
    person.say(phrase)
    assert person.intents[-1] != FALLBACK_INTENT
    assert "didn't catch that" not in person.heard
    BEHAVIOURS[behaviour](person, due, last)
