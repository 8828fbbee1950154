"""Typed utterances understood as Alexa would, from the interaction model the packs make."""

from __future__ import annotations

import os

import pytest
from footwork.core import load_catalog
from footwork.skill.dev.envelopes import Conversation, SlotValue
from footwork.skill.dev.utterances import FALLBACK_INTENT, Matcher, drop_articles, normalize
from footwork.skill.interaction_model import build_interaction_model


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """The matcher for the model `footwork model` writes for the seed packs."""
    selected = os.environ.pop("FOOTWORK_PACKS", None)
    try:
        catalog = load_catalog()
    finally:
        if selected is not None:
            os.environ["FOOTWORK_PACKS"] = selected
    ids = {routine.id for routine in catalog.routines}
    missing = {"ankle", "foot", "heel-raises", "toe-walking"} - ids
    assert not missing, f"the seed packs must be installed (pip install -e packs/...): missing {missing}"
    return Matcher(build_interaction_model(catalog))


def resolved(match_slots: dict[str, SlotValue]) -> dict[str, str | None]:
    return {name: value.resolved_id for name, value in match_slots.items()}


# --- phrasings Alexa would match, though not literally in the samples ----------------------------------


@pytest.mark.parametrize(
    ("utterance", "slots"),
    [
        ("start the heel raises please", {"routine": "heel-raises"}),
        ("Start the heel raises, please!", {"routine": "heel-raises"}),
        ("could you start my foot routine", {"routine": "foot"}),
        ("can you please start heel raises", {"routine": "heel-raises"}),
        ("Alexa, start a heel raises routine", {"routine": "heel-raises"}),
        ("start toe walking at the gentle level", {"routine": "toe-walking", "level": "gentle"}),
        ("start heel raises at gentle level", {"routine": "heel-raises", "level": "gentle"}),
        ("do the ankle routine on hard", {"routine": "ankle", "level": "strong"}),
        ("let's do some tiptoe walking", {"routine": "toe-walking"}),
        ("heel raises", {"routine": "heel-raises"}),
        ("the ankle routine please", {"routine": "ankle"}),
        ("make it easy", {"level": "gentle"}),
        ("start the ankle routine", {"routine": "ankle"}),
    ],
)
def test_start_routine_phrasings(matcher: Matcher, utterance: str, slots: dict[str, str]) -> None:
    match = matcher.match(utterance)
    assert (match.kind, match.intent) == ("intent", "StartRoutineIntent"), match
    assert resolved(match.slots) == slots


@pytest.mark.parametrize(
    ("utterance", "intent", "slots"),
    [
        ("what's in the ankle routine", "DescribeRoutineIntent", {"routine": "ankle"}),
        ("tell me about toe walking please", "DescribeRoutineIntent", {"routine": "toe-walking"}),
        ("what routines do you have", "ListRoutinesIntent", {}),
        ("list the routines", "ListRoutinesIntent", {}),
        ("do it hands free", "SetModeIntent", {"mode": "hands-free"}),
        ("one at a time", "SetModeIntent", {"mode": "guided"}),
        ("start heel raises without stopping", "StartRoutineIntent",
         {"routine": "heel-raises", "mode": "hands-free"}),
        ("my ankle hurts", "HurtIntent", {}),
        ("how long is left", "HowLongIntent", {}),
        ("make it easier", "EasierIntent", {}),
    ],
)
def test_other_custom_intents(matcher: Matcher, utterance: str, intent: str, slots: dict[str, str]) -> None:
    match = matcher.match(utterance)
    assert match.intent == intent
    assert resolved(match.slots) == slots


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("next", "AMAZON.NextIntent"), ("go on", "AMAZON.NextIntent"), ("Next, please.", "AMAZON.NextIntent"),
        ("i'm ready", "AMAZON.NextIntent"), ("continue", "AMAZON.ResumeIntent"),
        ("resume", "AMAZON.ResumeIntent"), ("go back", "AMAZON.PreviousIntent"),
        ("previous", "AMAZON.PreviousIntent"), ("say that again", "AMAZON.RepeatIntent"),
        ("repeat", "AMAZON.RepeatIntent"), ("start over", "AMAZON.StartOverIntent"),
        ("pause", "AMAZON.PauseIntent"), ("stop", "AMAZON.StopIntent"), ("cancel", "AMAZON.CancelIntent"),
        ("help", "AMAZON.HelpIntent"), ("what can I say?", "AMAZON.HelpIntent"), ("yes", "AMAZON.YesIntent"),
        ("yeah", "AMAZON.YesIntent"), ("no", "AMAZON.NoIntent"), ("nope", "AMAZON.NoIntent"),
        ("go home", "AMAZON.NavigateHomeIntent"),
    ],
)
def test_built_in_intents(matcher: Matcher, utterance: str, intent: str) -> None:
    match = matcher.match(utterance)
    assert (match.kind, match.intent, match.slots) == ("intent", intent, {})


# --- entity resolution ---------------------------------------------------------------------------------


def test_synonyms_resolve_to_ids_and_canonical_names(matcher: Matcher) -> None:
    match = matcher.match("start tiptoes at the hard level")
    assert match.slots["routine"] == SlotValue("tiptoes", "toe-walking", "toe walking", "ROUTINE")
    assert match.slots["level"] == SlotValue("hard", "strong", "strong", "LEVEL")
    # The longest value wins: "ankle exercises" is a synonym of its own, not "ankle" plus a word.
    assert matcher.match("start the ankle exercises").slots["routine"].value == "ankle exercises"


def test_an_unknown_routine_is_heard_raw_with_no_match(matcher: Matcher) -> None:
    match = matcher.match("start underwater yoga")
    assert match.intent == "StartRoutineIntent"
    assert match.slots == {"routine": SlotValue("underwater yoga", None, None, "ROUTINE")}
    assert matcher.match("start the underwater yoga please").slots["routine"].value == "underwater yoga"

    envelope = Conversation().intent(match.intent, matcher.envelope_slots(match))
    slots = envelope["request"]["intent"]["slots"]
    assert slots["routine"]["value"] == "underwater yoga"
    status = slots["routine"]["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"]
    assert status == "ER_SUCCESS_NO_MATCH"
    # Alexa sends every slot of the intent; the level was not said, so it has no value.
    assert slots["level"] == {"name": "level", "confirmationStatus": "NONE"}


def test_a_match_fills_the_envelope_as_alexa_does(matcher: Matcher) -> None:
    match = matcher.match("start raises")
    envelope = Conversation().intent(match.intent, matcher.envelope_slots(match))
    routine = envelope["request"]["intent"]["slots"]["routine"]
    authority = routine["resolutions"]["resolutionsPerAuthority"][0]
    assert routine["value"] == "raises"
    assert authority["status"]["code"] == "ER_SUCCESS_MATCH"
    assert authority["values"] == [{"value": {"name": "heel raises", "id": "heel-raises"}}]


# --- invocation, one-shots, the end, and nothing at all -------------------------------------------------


@pytest.mark.parametrize("utterance", ["open foot work", "launch foot work", "start foot work",
                                       "Alexa, open Footwork", "ask foot work", "open the foot work skill"])
def test_launch_forms(matcher: Matcher, utterance: str) -> None:
    match = matcher.match(utterance)
    assert (match.kind, match.intent) == ("launch", None)


@pytest.mark.parametrize(
    ("utterance", "intent", "slots"),
    [
        ("ask foot work to start heel raises", "StartRoutineIntent", {"routine": "heel-raises"}),
        ("Alexa, tell foot work to start the ankle routine please", "StartRoutineIntent",
         {"routine": "ankle"}),
        ("ask foot work what routines do you have", "ListRoutinesIntent", {}),
        ("ask footwork to resume", "AMAZON.ResumeIntent", {}),
        ("ask foot work to carry on", "AMAZON.NextIntent", {}),
        ("ask foot work to resume my routine", "AMAZON.ResumeIntent", {}),
        ("ask foot work, that hurts", "HurtIntent", {}),
        ("tell foot work to do nonsense wibble", "StartRoutineIntent", {"routine": None}),
    ],
)
def test_one_shots(matcher: Matcher, utterance: str, intent: str, slots: dict[str, str | None]) -> None:
    match = matcher.match(utterance)
    assert (match.kind, match.intent, match.one_shot) == ("intent", intent, True)
    assert resolved(match.slots) == slots


@pytest.mark.parametrize(("utterance", "intent"), [
    ("wait", "WaitIntent"), ("hang on", "WaitIntent"), ("hold on", "WaitIntent"),
    ("skip", "SkipIntent"), ("skip this", "SkipIntent"), ("what's next", "WhatsNextIntent"),
])
def test_the_models_own_samples_win_over_alexas_built_in_phrases(
    matcher: Matcher, utterance: str, intent: str
) -> None:
    # "wait" is also one of Alexa's phrases for AMAZON.PauseIntent; the model gives it a meaning.
    assert matcher.match(utterance).intent == intent


def test_exit_ends_the_session(matcher: Matcher) -> None:
    assert matcher.match("exit").kind == "end"
    assert matcher.match("Alexa, quit.").kind == "end"


@pytest.mark.parametrize("utterance", ["blorp flibber zoink", "the", "what is the weather in Paris",
                                       "heel", "!!!", ""])
def test_nothing_matched_is_the_fallback_intent(matcher: Matcher, utterance: str) -> None:
    match = matcher.match(utterance)
    assert (match.kind, match.intent, match.slots) == ("intent", FALLBACK_INTENT, {})


def test_normalising() -> None:
    assert normalize("Alexa, could you START the Heel-Raises, please?") == "start the heel raises"
    assert normalize("What\u2019s next?") == "what's next"
    assert drop_articles("start a heel raises routine at the gentle level") == \
        "start heel raises routine at gentle level"


def test_match_as_json(matcher: Matcher) -> None:
    shown = matcher.match("start underwater yoga").as_json()
    assert shown["intent"] == "StartRoutineIntent"
    assert shown["slots"]["routine"] == {"value": "underwater yoga", "type": "ROUTINE",
                                         "status": "ER_SUCCESS_NO_MATCH", "id": None, "name": None}
