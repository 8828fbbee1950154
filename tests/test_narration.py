"""What a person hears, and how it is paged: every installed routine at every level and mode, and
small routines written in TOML for the edge cases.

A hold, precisely: the cues between its lead-in words ("Hold for 25 seconds.") and "And release.",
all of kind ``hold`` or ``countdown``. Its length is the sum of their planned seconds; the
countdown words ("three", "two", "one") are said inside the hold, in its last three seconds, and
count toward it. So a 25 s hold is 22 s of silence, then "three", "two", "one" each followed by the
rest of its second, then "And release." exactly 25 s after the lead-in ends.
"""

from __future__ import annotations

import math
import re

import pytest
from footwork.core import Count, Hold, Level, Repeat, compile_routine, narrate
from footwork.core.narration import Narration, Page
from footwork.core.paging import GUIDED_MAX_SECONDS, HANDS_FREE_PROMPT, SKILL_HEADROOM
from footwork.core.ssml import MAX_SSML_CHARS, to_ssml
from footwork.core.timeline import SAFETY_LINE, Cue, number_words
from footwork.core.transcript import to_text
from narration_content import (
    CATALOG,
    ROUTINES,
    every_narration,
    hold_routine,
    routine_from,
)

SECTION_ORDER = {"intro": 0, "exercise": 1, "outro": 2}


def holds(cues: tuple[Cue, ...]) -> list[tuple[float, int]]:
    """Each hold as (its length, the index of its first cue)."""
    found: list[tuple[float, int]] = []
    i = 0
    while i < len(cues):
        if cues[i].kind == "hold":
            start = i
            while i < len(cues) and cues[i].kind in ("hold", "countdown"):
                i += 1
            found.append((round(sum(c.seconds for c in cues[start:i]), 3), start))
        else:
            i += 1
    return found


def count_runs(cues: tuple[Cue, ...]) -> list[list[str]]:
    """The words of each run of counting: counts with only silence between them."""
    runs: list[list[str]] = []
    current: list[str] | None = None
    for cue in cues:
        if cue.kind == "count":
            if current is None:
                current = []
                runs.append(current)
            current.append(cue.text)
        elif cue.spoken:
            current = None
    return runs


def exercise_cues(narration: Narration, index: int) -> tuple[Cue, ...]:
    return tuple(c for c in narration.timeline.cues if c.position.section == "exercise"
                 and c.position.exercise == index)


# --- what is heard ---------------------------------------------------------------------------------


@every_narration
def test_every_hold_of_the_content_is_silence_of_exactly_its_length(routine, level, mode):
    narration = narrate(routine, level, mode)
    for index, exercise in enumerate(routine.exercises, start=1):
        cues = exercise_cues(narration, index)
        lengths = {h.seconds.read(level, "seconds") for h in (*exercise.setup, *exercise.steps)
                   if isinstance(h, Hold)}
        found = holds(cues)
        assert bool(found) == bool(lengths), exercise.id
        for length, start in found:
            assert length in lengths, (exercise.id, length)
            assert cues[start - 1].spoken and cues[start - 1].kind == "speech"
            end = start + next(i for i, c in enumerate(cues[start:]) if c.kind not in ("hold", "countdown"))
            assert cues[end].text == "And release."


@pytest.mark.parametrize("seconds", [1, 5, 9.5, 10, 12.5, 25, 600])
def test_hold_lasts_exactly_its_length_with_the_countdown_inside_it(seconds):
    # Gentle reads an amount as written; standard rounds to whole seconds (see Amount.read).
    narration = narrate(hold_routine(seconds), Level.GENTLE)
    [(length, start)] = holds(narration.timeline.cues)

    assert length == seconds
    inside = narration.timeline.cues[start:]
    countdown = [c.text for c in inside[: next(i for i, c in enumerate(inside) if c.kind == "speech")]
                 if c.kind == "countdown"]
    assert countdown == (["three", "two", "one"] if seconds >= 10 else [])


def test_hold_of_ten_seconds_or_more_ends_with_a_countdown_in_its_last_three_seconds():
    cues = narrate(hold_routine(25)).timeline.cues
    [(_, start)] = holds(cues)
    kinds = [(c.kind, c.text, c.seconds) for c in cues[start:start + 7]]

    assert kinds == [("hold", "", 22.0), ("countdown", "three", 0.75), ("hold", "", 0.25),
                     ("countdown", "two", 0.75), ("hold", "", 0.25), ("countdown", "one", 0.75),
                     ("hold", "", 0.25)]
    assert cues[start - 1].text == "Hold for 25 seconds."
    assert cues[start + 7].text == "And release."


@every_narration
def test_every_counted_movement_is_counted_aloud_from_one(routine, level, mode):
    narration = narrate(routine, level, mode)
    for index, exercise in enumerate(routine.exercises, start=1):
        runs = count_runs(exercise_cues(narration, index))
        for run in runs:
            assert run == [number_words(n) for n in range(1, len(run) + 1)], exercise.id
        lengths = {len(run) for run in runs}
        for step in (*exercise.setup, *exercise.steps):
            if isinstance(step, Count):
                assert int(step.times.read(level, "times")) in lengths, (exercise.id, step.text)


def test_an_instruction_repeated_without_a_time_of_its_own_is_counted_from_one():
    routine = routine_from('{ say = "Press your foot down." }, { repeat = 4 },')
    runs = count_runs(narrate(routine, Level.STANDARD).timeline.cues)

    assert runs == [["one", "two", "three", "four"]]


@every_narration
def test_every_set_and_side_is_narrated(routine, level, mode):
    narration = narrate(routine, level, mode)
    for index, exercise in enumerate(routine.exercises, start=1):
        cues = exercise_cues(narration, index)
        sets = int(exercise.dose.sets.read(level, "sets"))
        assert {c.position.set for c in cues} == set(range(1, sets + 1)), exercise.id
        if sets > 1:
            said = [c.text for c in cues if c.text.startswith("Set ")]
            assert said == [f"Set {number_words(n)} of {number_words(sets)}." for n in range(1, sets + 1)]
        if exercise.dose.sides == "each":
            for n in range(1, sets + 1):
                assert {c.position.side for c in cues if c.position.set == n} >= {"left", "right"}


def test_alternating_sides_change_with_every_round():
    routine = routine_from('{ say = "Lift your {side} foot." }, { hold = 3 }, { repeat = 4 },',
                           sides="alternating")
    cues = narrate(routine).timeline.cues

    assert [c.text for c in cues if c.text.startswith(("Lift", "Round"))] == [
        "Lift your left foot.", "Round two of four, right side.", "Lift your right foot.",
        "Round three of four, left side.", "Lift your left foot.", "Round four of four, right side.",
        "Lift your right foot.",
    ]


def test_the_alphabet_is_said_letter_by_letter():
    routine = CATALOG.get("ankle")
    cues = exercise_cues(narrate(routine, Level.STANDARD), 7)
    letters = [c.text for c in cues if c.kind == "letter"]

    assert letters == [chr(c) for c in range(ord("A"), ord("Z") + 1)] * 2  # each foot


def test_a_timed_movement_is_started_and_stopped_with_its_time_called_out():
    routine = routine_from('{ move = 60, say = "March on the spot." },')
    said = [c.text for c in narrate(routine).timeline.cues if c.spoken]
    start = said.index("March on the spot, for a minute.")

    assert said[start:start + 5] == ["March on the spot, for a minute.", "Go.", "30 seconds left.",
                                     "Ten seconds left.", "And stop."]


def test_rests_are_silence_of_their_length():
    routine = routine_from('{ say = "Lift." }, { hold = 2 }, { rest = 30 },')
    cues = narrate(routine).timeline.cues
    i = next(i for i, c in enumerate(cues) if c.text == "Rest for 30 seconds.")

    assert (cues[i + 1].kind, cues[i + 1].seconds) == ("rest", 30)


def test_one_more_time_is_said_in_the_singular():
    routine = routine_from('{ move = 5, say = "Walk." }, '
                           '{ repeat = 1, more = true, say = "Do it {count} more times." },')
    said = [c.text for c in narrate(routine).timeline.cues]

    assert "Do it one more time." in said


@every_narration
def test_intro_says_what_how_long_what_to_have_ready_and_the_safety_line(routine, level, mode):
    narration = narrate(routine, level, mode)
    first = narration.pages[0]
    text = first.text
    everything = "\n".join(page.text for page in narration.pages)

    assert text.startswith(f"{routine.title}. ")
    assert re.search(r"about (a minute|\d+ minutes)", text.splitlines()[0])
    if routine.all_needs:
        assert "You'll need " in text
    # The safety line is said once before the first exercise: the pack's own pain-free caution, or ours.
    safety = SAFETY_LINE if SAFETY_LINE in text else next(c for c in routine.cautions if "pain-free" in c)
    assert safety in text
    assert everything.index(safety) < everything.index("Exercise one of")
    intro = " ".join(c.text for c in narration.timeline.cues if c.position.section == "intro")
    assert intro.count("pain-free range") == 1
    if mode == "guided":
        # The intro is a page of its own, naming the first exercise; no exercise cue is on it.
        assert {c.position.section for c in first.cues} == {"intro"}
        assert "Exercise one of" not in text
        assert first.prompt == f"Say next for {routine.exercises[0].name}, or repeat to hear that again."
        assert narration.pages[1].cues[0].text.startswith("Exercise one of")


@every_narration
def test_outro_is_last_and_nothing_said_claims_to_treat_or_cure(routine, level, mode):
    narration = narrate(routine, level, mode)
    last = narration.pages[-1]
    everything = " ".join(page.text for page in narration.pages).lower()

    assert last.text.splitlines()[-1].startswith("Well done for taking the time.")
    assert "pain-free" in last.text.splitlines()[-1]
    for claim in ("cure", "heal", "treat", "relieve", "diagnos", "guarantee", "prevent"):
        assert claim not in everything, claim


# --- pages -----------------------------------------------------------------------------------------


@every_narration
def test_pages_put_together_are_the_whole_timeline(routine, level, mode):
    narration = narrate(routine, level, mode)

    timeline = compile_routine(routine, narration.level)
    assert tuple(c for page in narration.pages for c in page.cues) == timeline.cues
    assert [p.number for p in narration.pages] == list(range(1, len(narration.pages) + 1))
    assert {p.total for p in narration.pages} == {len(narration.pages)}


@every_narration
def test_every_page_fits_alexa_and_all_but_the_last_end_with_a_prompt(routine, level, mode):
    narration = narrate(routine, level, mode)
    for page in narration.pages:
        assert len(page.ssml) < MAX_SSML_CHARS - SKILL_HEADROOM
        assert page.ssml == to_ssml(page.cues, page.prompt)
        assert page.text == to_text(page.cues, page.prompt)
        if page.number < page.total:
            assert page.prompt and page.prompt.startswith("Say next")
            assert page.ssml.endswith(f"{page.prompt}</speak>")
            assert page.text.endswith(page.prompt)
        else:
            assert page.prompt is None
        spoken = sum(c.seconds for c in page.cues)
        assert page.planned_seconds >= round(spoken, 2)
        assert math.isclose(narration.planned_seconds, sum(p.planned_seconds for p in narration.pages),
                            abs_tol=0.01)


@every_narration
def test_positions_never_go_back(routine, level, mode):
    narration = narrate(routine, level, mode)

    def key(position):
        return SECTION_ORDER[position.section], position.exercise, position.set

    cue_keys = [key(c.position) for c in narration.timeline.cues]
    page_keys = [key(p.position) for p in narration.pages]
    assert cue_keys == sorted(cue_keys)
    assert page_keys == sorted(page_keys)


@every_narration
def test_page_position_is_that_of_its_first_exercise_cue(routine, level, mode):
    for page in narrate(routine, level, mode).pages:
        first = next((c for c in page.cues if c.position.section == "exercise"), page.cues[0])
        assert page.position == first.position


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_guided_pages_hold_one_exercise_each_and_name_what_comes_next(routine, level):
    narration = narrate(routine, level, "guided")
    for page in narration.pages:
        exercises = {c.position.exercise for c in page.cues if c.position.section == "exercise"}
        assert len(exercises) <= 1
    for page, after in zip(narration.pages, narration.pages[1:], strict=False):
        head = after.cues[0]
        if head.text.startswith("Exercise "):
            assert page.prompt == f"Say next for {head.position.exercise_name}, or repeat to hear that again."
        elif head.text.startswith("Set "):
            assert page.prompt.startswith(f"Say next for {head.text[:-1].lower()}")
        assert page.prompt.endswith("or repeat to hear that again.")


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_guided_pages_stay_under_the_time_threshold_apart_from_intro_and_outro(routine, level):
    narration = narrate(routine, level, "guided")
    for page in narration.pages:
        body = sum(c.seconds for c in page.cues if c.position.section == "exercise")
        assert body <= GUIDED_MAX_SECONDS, (page.number, body)


def test_guided_splits_a_long_exercise_into_its_sets_and_sides():
    narration = narrate(CATALOG.get("heel-raises"), Level.STRONG, "guided")
    starts = [(p.cues[0].text, p.prompt) for p in narration.pages]

    assert starts[1:4] == [
        ("Exercise one of one: Heel raises. This one is done standing, holding on to something steady "
         "for support.", "Say next for your left foot, or repeat to hear that again."),
        ("Now switch to your left foot.", "Say next for set two of three, or repeat to hear that again."),
        ("Set two of three.", "Say next for your left foot, or repeat to hear that again."),
    ]
    assert [p.position.section for p in narration.pages] == ["intro", *["exercise"] * 6]


def test_guided_keeps_a_hold_longer_than_the_threshold_on_one_page():
    narration = narrate(hold_routine(600), Level.STANDARD, "guided")
    [page] = [p for p in narration.pages if any(c.kind == "hold" for c in p.cues)]

    assert sum(c.seconds for c in page.cues if c.kind in ("hold", "countdown")) == 600


def test_intro_has_a_page_of_its_own_and_outro_shares_the_last():
    routine = CATALOG.get("ankle")
    narration = narrate(routine, Level.FIRST_TIME, "guided")
    intro, after = narration.pages[0], narration.pages[1]

    assert {c.position.section for c in intro.cues} == {"intro"}
    assert intro.position.section == "intro"
    assert intro.prompt == f"Say next for {routine.exercises[0].name}, or repeat to hear that again."
    assert after.cues[0].position.section == "exercise"
    assert after.position.section == "exercise"
    assert after.position.exercise == 1
    assert after.cues[0].text.startswith("Exercise one of")
    assert narration.pages[-1].cues[-1].position.section == "outro"
    assert narration.pages[-1].position.exercise == 7


@every_narration
def test_pages_end_only_at_natural_points(routine, level, mode):
    narration = narrate(routine, level, mode)
    breaks = {b.index for b in narration.timeline.breaks}
    index = 0
    for page in narration.pages[:-1]:
        index += len(page.cues)
        assert index in breaks
        assert page.cues[-1].kind != "countdown"
        assert narration.timeline.cues[index].text != "And release."


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_hands_free_uses_the_fewest_pages_alexa_allows(routine, level):
    narration = narrate(routine, level, "hands-free")
    pages = narration.pages
    # Fewest: no two neighbouring pages would fit in one response, so none could be saved.
    for page, after in zip(pages, pages[1:], strict=False):
        assert len(to_ssml((*page.cues, *after.cues), after.prompt)) >= MAX_SSML_CHARS
    for page in pages[:-1]:
        assert page.prompt == HANDS_FREE_PROMPT


def test_hands_free_fits_a_short_routine_on_one_page():
    narration = narrate(CATALOG.get("heel-raises"), Level.STANDARD, "hands-free")

    assert len(narration.pages) == 1
    assert narration.pages[0].prompt is None


def test_content_too_long_for_one_response_is_paged_within_the_limit_at_round_breaks():
    routine = routine_from('{ count = 100, seconds_each = 1, say = "Tap your toes." }, { repeat = 20 },')
    for mode in ("guided", "hands-free"):
        narration = narrate(routine, Level.STANDARD, mode)
        assert len(narration.pages) > 1
        assert all(len(p.ssml) < MAX_SSML_CHARS - SKILL_HEADROOM for p in narration.pages)
        # Guided mode gives the intro a page of its own; the content's pages start after it.
        content = narration.pages[2:] if mode == "guided" else narration.pages[1:]
        if mode == "guided":
            assert {c.position.section for c in narration.pages[0].cues} == {"intro"}
            assert narration.pages[1].cues[0].text.startswith("Exercise one of one")
        assert content
        for page in content:
            assert page.cues[0].text.startswith(("Round ", "Tap your toes"))


def test_narration_as_json_has_the_documented_shape():
    narration = narrate(CATALOG.get("toe-walking"), Level.GENTLE, "guided")
    data = narration.as_json()

    assert set(data) == {"routine", "level", "mode", "planned_seconds", "pages", "cues"}
    assert (data["routine"], data["level"], data["mode"]) == ("toe-walking", "gentle", "guided")
    assert set(data["pages"][0]) == {
        "ssml", "text", "planned_seconds", "position", "number", "total", "prompt"}
    assert set(data["cues"][0]) == {"kind", "text", "seconds"}
    assert len(data["cues"]) == len(narration.timeline.cues)


def test_narrate_is_cached_and_refuses_an_unknown_mode():
    routine = CATALOG.get("foot")

    assert narrate(routine, Level.STRONG, "guided") is narrate(routine, Level.STRONG, "guided")
    assert isinstance(narrate(routine).pages[0], Page)
    with pytest.raises(ValueError, match="mode must be one of guided, hands-free"):
        narrate(routine, Level.STANDARD, "shuffle")  # type: ignore[arg-type]


def test_repeat_rounds_without_a_timed_step_have_no_round_breaks():
    routine = routine_from('{ say = "Press." }, { repeat = 3 },')

    assert not [b for b in compile_routine(routine, Level.STANDARD).breaks if b.level == "round"]


def test_steps_of_a_round_are_not_split_from_the_instruction_leading_into_them():
    routine = CATALOG.get("ankle")
    timeline = compile_routine(routine, Level.STANDARD)
    for b in timeline.breaks:
        if b.index < len(timeline.cues):
            assert not timeline.cues[b.index].text.startswith(("Hold for", "And release", "Go."))
    repeat_steps = [s for e in routine.exercises for s in e.steps if isinstance(s, Repeat)]
    assert repeat_steps  # the ankle routine has rounds to page at
