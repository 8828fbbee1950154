"""What a person hears, and how it is paged: every installed routine at every level and mode, and
small routines written in TOML for the edge cases.

A hold, precisely: the cues between its lead-in words ("Hold for 25 seconds.") and its release
("And release.", "Release." or "And ease off."), all of kind ``hold`` or ``countdown``. Its length is
the sum of their planned seconds; the countdown words ("three", "two", "one") are said inside the
hold, in its last three seconds, and count toward it.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from footwork.core import (
    Count,
    Hold,
    Level,
    Repeat,
    Routine,
    compile_routine,
    level_for,
    levels,
    narrate,
    planned_seconds,
)
from footwork.core.narration import Narration, Page
from footwork.core.paging import (
    HANDS_FREE_MAX_SECONDS,
    HANDS_FREE_PROMPT,
    SKILL_HEADROOM,
)
from footwork.core.ssml import MAX_SSML_CHARS, to_ssml
from footwork.core.timeline import (
    MIN_GAP,
    RELEASES,
    SAFETY_LINE,
    SIDE_SETTLE,
    TRANSITION_SETTLE,
    Cue,
    number_words,
)
from footwork.core.transcript import to_text
from footwork.core.wording import mid_sentence, spoken_minutes
from narration_content import (
    CATALOG,
    ROUTINES,
    every_narration,
    hold_routine,
    routine_from,
)

SECTION_ORDER = {"intro": 0, "exercise": 1, "outro": 2}
NUMBERS = {number_words(n) for n in range(1, 101)}
every_routine_and_level = pytest.mark.parametrize(
    ("routine", "level"), [(r, level) for r in ROUTINES for level in Level],
    ids=[f"{r.id}-{level.value}" for r in ROUTINES for level in Level])


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
    """The numbers of each run of counting (counts, their phase words and silence between them)."""
    runs: list[list[str]] = []
    current: list[str] | None = None
    for cue in cues:
        if cue.kind == "count":
            if current is None:
                current = []
                runs.append(current)
            number = cue.text.split(",")[0]
            if number in NUMBERS:
                current.append(number)
        elif cue.spoken:
            current = None
    return runs


def exercise_cues(narration: Narration, index: int) -> tuple[Cue, ...]:
    return tuple(c for c in narration.timeline.cues if c.position.section == "exercise"
                 and c.position.exercise == index)


def said(narration: Narration) -> list[str]:
    return [c.text for c in narration.timeline.cues if c.spoken]


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
            assert cues[end].text in RELEASES


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

    assert kinds == [("hold", "", 22.0), ("countdown", "three", 0.55), ("hold", "", 0.45),
                     ("countdown", "two", 0.55), ("hold", "", 0.45), ("countdown", "one", 0.55),
                     ("hold", "", 0.45)]
    assert cues[start - 1].text == "Hold for 25 seconds."
    assert cues[start + 7].text in RELEASES


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


def test_an_instruction_repeated_without_a_time_of_its_own_is_counted_from_one_with_its_phases():
    routine = routine_from('{ say = "Press your foot down." }, { repeat = 4 },')
    cues = narrate(routine, Level.STANDARD).timeline.cues
    counted = [c.text for c in cues if c.kind == "count"]

    assert count_runs(cues) == [["one", "two", "three", "four"]]
    assert counted[:4] == ["one, press", "and relax", "two, press", "and relax"]


@every_narration
def test_every_set_and_side_is_narrated(routine, level, mode):
    narration = narrate(routine, level, mode)
    for index, exercise in enumerate(routine.exercises, start=1):
        cues = exercise_cues(narration, index)
        sets = int(exercise.dose.sets.read(level, "sets"))
        assert {c.position.set for c in cues} == set(range(1, sets + 1)), exercise.id
        if sets > 1:
            said = [c.text for c in cues if c.text.startswith("Set ")]
            # The plan names the sets ("We'll do two sets"); each set after the first is announced.
            assert said == [f"Set {number_words(n)} of {number_words(sets)}." for n in range(2, sets + 1)]
        if exercise.dose.sides == "each":
            for n in range(1, sets + 1):
                assert {c.position.side for c in cues if c.position.set == n} >= {"left", "right"}


def test_alternating_sides_change_with_every_round():
    routine = routine_from('{ say = "Lift your {side} foot." }, { hold = 3 }, { repeat = 4 },',
                           sides="alternating")
    cues = narrate(routine).timeline.cues

    assert [c.text for c in cues if c.text.startswith(("Lift", "Round"))] == [
        "Lift your left foot.", "Round two of four, right foot.", "Lift your right foot.",
        "Round three of four, left foot.", "Lift your left foot.", "Round four of four, right foot.",
        "Lift your right foot.",
    ]


def test_alternating_sides_alternate_when_the_repeated_steps_are_plain_instructions():
    routine = routine_from('{ say = "Tap your {side} foot." }, { repeat = 4 },', sides="alternating")
    narration = narrate(routine)
    taps = [c.text for c in narration.timeline.cues if c.text.startswith("Tap")]

    assert taps == ["Tap your left foot.", "Tap your right foot."] * 2
    assert "We'll work alternating feet, left first." in said(narration)


@every_narration
def test_no_foots_and_no_legss_are_said(routine, level, mode):
    text = " ".join(said(narrate(routine, level, mode))).lower()

    assert not re.search(r"\b(foots|legss|feets)\b", text)


def test_later_rounds_and_the_second_side_keep_every_sentence():
    ankle = narrate(CATALOG.get("ankle"), Level.STANDARD)
    toe_press = [t for t in said(ankle) if t.startswith("Keep your feet flat")]
    towel = [t for t in said(ankle) if "move the foot in the opposite direction" in t]

    assert len(toe_press) == 5
    assert all(t.endswith("If not, lift your heels slightly.") for t in toe_press)
    assert len(towel) == 10  # five rounds on each side, the second side's too
    routine = routine_from('{ say = "Lift your {side} foot. Keep the other one still." }, { hold = 2 }, '
                           '{ repeat = 3 },', sides="each")
    lifts = [t for t in said(narrate(routine)) if t.startswith("Lift")]
    assert lifts == ["Lift your left foot. Keep the other one still."] * 3 + [
        "Lift your right foot. Keep the other one still."] * 3


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
    assert everything.index(safety) < everything.index("Begin.")
    intro = " ".join(c.text for c in narration.timeline.cues if c.position.section == "intro")
    assert intro.count("pain-free range") == 1
    if mode == "guided":
        # The first page gets the person into the first position; the exercise begins on the next.
        assert not any(c.kind in ("hold", "count", "move", "letter") for c in first.cues)
        assert first.prompt.startswith("Say ready when you're ")
        assert narration.pages[1].cues[0].text == "Begin."


@every_narration
def test_outro_is_last_and_nothing_said_claims_to_treat_or_cure(routine, level, mode):
    narration = narrate(routine, level, mode)
    last = narration.pages[-1]
    everything = " ".join(page.text for page in narration.pages).lower()

    assert last.text.splitlines()[-1].startswith("Well done for taking the time.")
    assert "pain-free" in last.text.splitlines()[-1]
    for claim in ("cure", "heal", "treat", "relieve", "diagnos", "guarantee", "prevent"):
        assert claim not in everything, claim



# --- getting into position (item 1) ----------------------------------------------------------------


def transitions(narration: Narration) -> list[int]:
    return [b.index for b in narration.timeline.breaks if b.level == "transition"]


@every_narration
def test_every_exercise_in_a_new_position_gets_the_person_there_first(routine, level, mode):
    narration = narrate(routine, level, mode)
    cues = narration.timeline.cues
    starts = transitions(narration)
    previous = None
    for index, exercise in enumerate(routine.exercises, start=1):
        moved = previous is None or not set(previous.positions) & set(exercise.positions)
        at = [i for i in starts if cues[i].position.exercise == index]
        if moved:
            assert len(at) == 1, exercise.id
            before = [c for c in cues[:at[0]] if c.position.exercise == index and c.spoken]
            assert before and all(c.kind == "transition" for c in before), exercise.id
        previous = exercise


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_guided_page_ends_at_a_change_of_position_saying_ready_when(routine, level):
    narration = narrate(routine, level, "guided")
    ends = {sum(len(p.cues) for p in narration.pages[:n]): p for n, p in enumerate(narration.pages, 1)}
    for index in transitions(narration):
        page = ends[index]
        assert page.prompt and page.prompt.startswith("Say ready when you're ")
        after = narration.timeline.cues[index]
        assert after.text == "Begin."
    # The first page gets the person into the first position: it ends saying ready, not next.
    assert narration.pages[0].prompt.startswith("Say ready when you're ")


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_hands_free_settle_is_at_least_ten_seconds_and_ends_three_two_one_begin(routine, level):
    cues = narrate(routine, level, "hands-free").timeline.cues
    for index in transitions(narrate(routine, level, "hands-free")):
        run = []
        i = index
        while cues[i].kind in ("settle", "countdown"):
            run.append(cues[i])
            i += 1
        assert sum(c.seconds for c in run) >= TRANSITION_SETTLE
        assert [c.text for c in run if c.spoken] == ["three", "two", "one"]
        assert cues[i].text == "Begin."


@every_narration
def test_a_side_switch_gets_at_least_three_seconds(routine, level, mode):
    cues = narrate(routine, level, mode).timeline.cues
    for i, cue in enumerate(cues):
        if cue.text.startswith(("Now switch to your", "Back to your")):
            j = i + 1
            while cues[j].kind != "settle":
                assert cues[j].kind in ("speech", "pause"), cues[j]
                j += 1
            assert cues[j].seconds >= SIDE_SETTLE


@every_narration
def test_each_exercise_opens_with_get_ready_then_begin(routine, level, mode):
    narration = narrate(routine, level, mode)
    for index, _ in enumerate(routine.exercises, start=1):
        texts = [c.text for c in exercise_cues(narration, index) if c.spoken]
        begin = texts.index("Begin.")
        assert begin > 0
        moved = transitions(narration)
        assert texts[begin - 1] in ("Get ready.", "one") or any(
            narration.timeline.cues[i].position.exercise == index for i in moved)


def test_a_pack_tunes_the_settle_and_the_ready_words():
    routine = routine_from('{ say = "Lift your foot." }, { hold = 3 },',
                           extra='settle = 20\nready = "you are sitting with your {side} foot up"')
    guided = narrate(routine, Level.STANDARD, "guided")
    hands_free = narrate(routine, Level.STANDARD, "hands-free")

    assert guided.pages[0].prompt == "Say ready when you are sitting with your left foot up."
    [index] = transitions(hands_free)
    settle = [c for c in hands_free.timeline.cues[index:] if c.kind in ("settle", "countdown")]
    assert sum(c.seconds for c in settle[:7]) == 20


# --- movement cues (item 2) ------------------------------------------------------------------------


def test_heel_raises_say_up_and_down_for_every_raise():
    cues = narrate(CATALOG.get("heel-raises"), Level.GENTLE).timeline.cues
    counted = [c.text for c in cues if c.kind == "count"]

    assert counted[:4] == ["one, up", "and down", "two, up", "and down"]
    assert counted.count("and down") == 10 * 2 * 2  # ten raises, two sides, two sets


def rep_seconds(routine_text: str) -> float:
    cues = narrate(routine_from(routine_text), Level.STANDARD).timeline.cues
    first = next(i for i, c in enumerate(cues) if c.kind == "count")
    second = next(i for i, c in enumerate(cues) if c.kind == "count" and c.text.startswith("two"))
    return round(sum(c.seconds for c in cues[first:second]), 2)


def test_slowly_is_slower():
    quick = rep_seconds('{ count = 3, say = "Raise and lower your heel." },')
    slow = rep_seconds('{ count = 3, say = "Slowly raise and lower your heel." },')

    assert slow >= quick * 1.3


def test_a_pack_names_the_phases_and_pace_of_a_movement():
    routine = routine_from('{ count = 2, seconds_each = 6, phases = ["in", "and out"], say = "Breathe." },')
    cues = narrate(routine).timeline.cues
    counted = [c.text for c in cues if c.kind == "count"]

    assert counted == ["one, in", "and out", "two, in", "and out"]
    assert rep_seconds('{ count = 2, seconds_each = 6, phases = ["in", "and out"], say = "Breathe." },') == 6


@every_narration
def test_each_count_waits_for_the_movement(routine, level, mode):
    cues = narrate(routine, level, mode).timeline.cues
    for cue, after in zip(cues, cues[1:], strict=False):
        if cue.kind == "count":
            assert not after.spoken and after.seconds >= MIN_GAP - 1e-9


# --- levels (item 3) -------------------------------------------------------------------------------


def work_and_rest(narration: Narration) -> tuple[float, float]:
    work = sum(c.seconds for c in narration.timeline.cues if c.kind in ("hold", "move", "count", "letter"))
    work += sum(c.seconds for c in narration.timeline.cues
                if c.kind in ("pause", "countdown") and c.position.section == "exercise")
    rest = sum(c.seconds for c in narration.timeline.cues if c.kind == "rest")
    return work, rest


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_work_never_falls_and_rest_never_rises_from_first_time_to_strong(routine):
    for mode in ("guided", "hands-free"):
        readings = [work_and_rest(narrate(routine, level, mode)) for level in Level]
        works = [w for w, _ in readings]
        assert works == sorted(works), (routine.id, works)
        # More sets bring more rests, but no rest is ever longer at a harder level.
        for kind in (max, min):
            each = [kind(c.seconds for c in n.timeline.cues if c.kind == "rest")
                    for n in (narrate(routine, level, mode) for level in Level)
                    if any(c.kind == "rest" for c in n.timeline.cues)]
            assert each == sorted(each, reverse=True), (routine.id, each)


def test_a_routine_with_no_range_has_one_level_and_claims_no_other():
    ankle = CATALOG.get("ankle")

    assert levels(ankle) == (Level.FIRST_TIME, Level.STANDARD)
    assert level_for(ankle, Level.STRONG) is Level.STANDARD
    strong = narrate(ankle, Level.STRONG)
    assert strong.level is Level.STANDARD
    assert strong.timeline.cues == narrate(ankle, Level.STANDARD).timeline.cues
    assert "level" not in strong.pages[0].text.splitlines()[0]
    assert planned_seconds(ankle, Level.GENTLE) == planned_seconds(ankle, Level.STRONG)


def test_levels_read_the_articles_ranges_low_middle_high():
    heel = CATALOG.get("heel-raises")
    readings = {}
    for level in Level:
        cues = narrate(heel, level).timeline.cues
        sets = max(c.position.sets for c in cues)
        raises = max(len(run) for run in count_runs(cues))
        readings[level] = (sets, raises)

    assert levels(heel) == tuple(Level)
    assert readings == {Level.FIRST_TIME: (1, 2), Level.GENTLE: (2, 10), Level.STANDARD: (2, 15),
                        Level.STRONG: (3, 20)}


# --- words worth hearing (item 6) ------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


@every_narration
def test_intro_and_closing_repeat_no_sentence_and_well_done_comes_once(routine, level, mode):
    narration = narrate(routine, level, mode)
    edges = " ".join(c.text for c in narration.timeline.cues if c.spoken and c.position.section != "exercise")
    repeated = [s for s, n in Counter(sentences(edges)).items() if n > 1]
    everything = " ".join(said(narration)).lower()

    assert not repeated
    assert everything.count("well done") <= 1
    assert "one of one" not in everything
    assert everything.count("wait a day or two") <= 1


@every_narration
def test_no_two_exercises_in_a_row_open_with_the_same_words(routine, level, mode):
    narration = narrate(routine, level, mode)
    openings = []
    for index in range(1, len(routine.exercises) + 1):
        first = next(c.text for c in exercise_cues(narration, index) if c.spoken)
        openings.append(" ".join(first.split()[:2]))
    for one, other in zip(openings, openings[1:], strict=False):
        assert one != other


def test_a_caution_about_equipment_no_exercise_uses_is_not_said():
    ankle = CATALOG.get("ankle")
    assert any("ankle weights" in c for c in ankle.all_cautions)

    for level in levels(ankle):
        assert "ankle weights" not in narrate(ankle, level).pages[0].text


def test_the_first_time_advice_is_said_once():
    text = narrate(CATALOG.get("ankle"), Level.FIRST_TIME).pages[0].text

    assert text.count("wait a day or two") == 1
    assert "While it's new to you, we'll do only a couple of each." in text


def test_a_first_go_never_closes_with_advice_to_do_it_every_day_as_the_article_says_wait_a_day_or_two():
    foot = CATALOG.get("foot")
    assert foot.outro and "every morning" in foot.outro
    assert "every morning" not in narrate(foot, Level.FIRST_TIME).pages[-1].text
    assert foot.outro in narrate(foot, Level.STANDARD).pages[-1].text


def test_the_first_time_level_never_claims_it_is_the_first_time_as_it_is_also_the_second_days():
    for routine in CATALOG.routines:
        for page in narrate(routine, Level.FIRST_TIME).pages:
            assert "first time" not in page.text.lower()


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
def test_a_reminder_briefing_says_one_pain_free_line_instead_of_the_cautions(routine):
    full = narrate(routine, Level.STANDARD, "guided", "full")
    reminder = narrate(routine, Level.STANDARD, "guided", "reminder")
    intro = [c.text for c in reminder.timeline.cues if c.position.section == "intro"]

    assert sum("pain-free" in t for t in intro) == 1
    assert len(reminder.pages[0].text) < len(full.pages[0].text) or len(routine.cautions) <= 1
    for caution in routine.cautions:
        if "pain-free" not in caution:
            assert caution not in intro


# --- one truth for time (item 7) -------------------------------------------------------------------


@every_narration
def test_the_intro_says_the_length_that_is_planned(routine, level, mode):
    narration = narrate(routine, level, mode)

    assert spoken_minutes(narration.planned_seconds) in narration.pages[0].text.splitlines()[0]
    assert planned_seconds(routine, level, mode) == narration.planned_seconds


# --- faithful and unambiguous (item 9) -------------------------------------------------------------


def test_the_roll_back_is_said_unambiguously_and_the_card_keeps_the_articles_words():
    ankle = CATALOG.get("ankle")
    step = ankle.exercises[0].steps[0]
    words = " ".join(said(narrate(ankle)))

    assert step.text == "Roll back onto your ankles."
    assert "Rock back onto your heels, lifting your toes off the floor." in words
    assert "Roll back onto your ankles" not in words


# --- pages -----------------------------------------------------------------------------------------


@every_narration
def test_pages_put_together_are_the_whole_timeline(routine, level, mode):
    narration = narrate(routine, level, mode)

    assert tuple(c for page in narration.pages for c in page.cues) == narration.timeline.cues
    assert narration.timeline.cues[1:] == compile_routine(routine, narration.level, mode).cues[1:]
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
            assert page.prompt and page.prompt.startswith(("Say next", "Say ready when"))
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


def test_guided_keeps_a_hold_longer_than_the_threshold_on_one_page():
    narration = narrate(hold_routine(600), Level.STANDARD, "guided")
    [page] = [p for p in narration.pages if any(c.kind == "hold" for c in p.cues)]

    assert sum(c.seconds for c in page.cues if c.kind in ("hold", "countdown")) == 600


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


@every_narration
def test_page_position_is_that_of_its_first_cue(routine, level, mode):
    for page in narrate(routine, level, mode).pages:
        assert page.position == page.cues[0].position


def body_parts(page: Page) -> set[tuple[int, int, str | None]]:
    """The (exercise, set, side) parts a page works through, leaving out the next exercise's opening."""
    return {(c.position.exercise, c.position.set, c.position.side) for c in page.cues
            if c.position.section == "exercise" and c.kind != "transition" and c.text != "Begin."
            and not (c.kind == "pause" and c.seconds == 1.0)}


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_a_guided_page_is_one_exercise_on_one_side_or_one_set(routine, level):
    narration = narrate(routine, level, "guided")
    for page in narration.pages:
        assert len(body_parts(page)) <= 1, (page.number, body_parts(page))
    for page, after in zip(narration.pages, narration.pages[1:], strict=False):
        head = after.cues[0]
        if head.text.startswith("Set "):
            assert page.prompt.startswith(f"Say next for {head.text[:-1].lower()}")
        assert page.prompt.endswith(("or repeat to hear that again.", "."))


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_a_guided_prompt_names_the_next_exercise_by_its_number_not_as_a_bare_instruction(routine, level):
    # "Say next for turn your feet in and out" is heard as an instruction to turn them now.
    narration = narrate(routine, level, "guided")
    for page, after in zip(narration.pages, narration.pages[1:], strict=False):
        first = after.cues[0].position
        if first.exercise != page.cues[-1].position.exercise and not page.prompt.startswith("Say ready"):
            name = mid_sentence(routine.exercises[first.exercise - 1].name)
            assert page.prompt.startswith(f"Say next for exercise {number_words(first.exercise)}, {name}, ")


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_a_long_exercise_splits_into_equal_rounds_at_the_same_point_on_both_sides(routine, level):
    narration = narrate(routine, level, "guided")
    pages_per_part: Counter = Counter()
    for page in narration.pages:
        for part in body_parts(page):
            pages_per_part[part] += 1
    by_exercise: dict[int, set[int]] = {}
    for (exercise, _, _), pages in pages_per_part.items():
        by_exercise.setdefault(exercise, set()).add(pages)
    for exercise, counts in by_exercise.items():
        assert len(counts) == 1, (exercise, counts)  # every side and set of it is cut alike


def test_toe_walking_splits_its_six_rounds_two_a_page():
    narration = narrate(CATALOG.get("toe-walking"), Level.STANDARD, "guided")
    heads = [p.cues[0].text for p in narration.pages[1:]]

    assert heads == ["Begin.", "Round three of six.", "Round five of six."]


@pytest.mark.parametrize("routine", ROUTINES, ids=lambda r: r.id)
@pytest.mark.parametrize("level", list(Level), ids=lambda level: level.value)
def test_hands_free_pages_fit_alexa_and_last_five_minutes_at_most(routine, level):
    narration = narrate(routine, level, "hands-free")
    for page in narration.pages:
        assert page.planned_seconds <= HANDS_FREE_MAX_SECONDS
        assert len(page.ssml) < MAX_SSML_CHARS - SKILL_HEADROOM
    for page in narration.pages[:-1]:
        assert page.prompt == HANDS_FREE_PROMPT or page.prompt.startswith("Say ready when")


def test_hands_free_fits_a_short_routine_on_one_page():
    narration = narrate(CATALOG.get("heel-raises"), Level.FIRST_TIME, "hands-free")

    assert len(narration.pages) == 1
    assert narration.pages[0].prompt is None


def test_content_too_long_for_one_response_is_paged_within_the_limit():
    routine = routine_from('{ count = 100, seconds_each = 1, say = "Tap your toes." }, { repeat = 20 },')
    for mode in ("guided", "hands-free"):
        narration = narrate(routine, Level.STANDARD, mode)
        assert len(narration.pages) > 1
        assert all(len(p.ssml) < MAX_SSML_CHARS - SKILL_HEADROOM for p in narration.pages)


def test_narration_as_json_has_the_documented_shape():
    narration = narrate(CATALOG.get("toe-walking"), Level.GENTLE, "guided")
    data = narration.as_json()

    assert set(data) == {"routine", "level", "mode", "planned_seconds", "pages", "cues"}
    assert (data["routine"], data["level"], data["mode"]) == ("toe-walking", "gentle", "guided")
    assert set(data["pages"][0]) == {
        "ssml", "text", "planned_seconds", "position", "number", "total", "prompt"}
    assert set(data["cues"][0]) == {"kind", "text", "seconds"}
    assert len(data["cues"]) == len(narration.timeline.cues)


@every_narration
def test_every_cue_says_what_it_is_so_scripts_can_check_timing(routine, level, mode):
    kinds = {cue["kind"] for cue in narrate(routine, level, mode).as_json()["cues"]}

    assert kinds <= {"speech", "transition", "count", "letter", "countdown", "hold", "rest", "move", "pause",
                     "settle"}
    assert {"speech", "transition"} <= kinds
    if mode == "hands-free":
        assert "settle" in kinds


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
            assert not timeline.cues[b.index].text.startswith(("Hold for", *RELEASES, "Go."))
    repeat_steps = [s for e in routine.exercises for s in e.steps if isinstance(s, Repeat)]
    assert repeat_steps  # the ankle routine has rounds to page at


@pytest.mark.parametrize(("title", "said"), [
    ("Heel raises", "heel raises"), ("Towel flex, lying down", "towel flex, lying down"), ("A", "a"),
    ("ABC stretch", "ABC stretch"), ("AB", "AB"), ("", ""),
    ("already lower", "already lower"),
])
def test_a_title_inside_a_sentence_lowers_only_an_ordinary_capitalised_first_letter(
        title: str, said: str) -> None:
    assert mid_sentence(title) == said


@pytest.mark.parametrize("routine", ROUTINES, ids=[r.id for r in ROUTINES])
def test_the_slow_pace_gives_counts_more_time_and_leaves_holds_and_words_as_they_are(
        routine: Routine) -> None:
    normal = narrate(routine, Level.STANDARD, "guided").timeline.cues
    slow = narrate(routine, Level.STANDARD, "guided", pace="slow").timeline.cues
    assert [c.text for c in slow if c.spoken][1:] == [c.text for c in normal if c.spoken][1:]
    assert [c.seconds for c in slow if c.kind in ("hold", "move", "rest")] == [
        c.seconds for c in normal if c.kind in ("hold", "move", "rest")]
    counted = sum(c.seconds for c in normal if c.kind == "count")
    if counted:
        assert sum(c.seconds for c in slow) > sum(c.seconds for c in normal)
