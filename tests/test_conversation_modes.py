"""Changing mode, level or pace in the middle of a routine, over real HTTP: the exercise is kept,
and the whole routine is still heard once, nothing skipped and nothing said twice that was not
asked for.

What was said is read from the cards the skill sends (the transcript of what it said), so a page
said from partway through counts only what was really heard.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from footwork.core import Level
from footwork.core.narration import narrate
from footwork.core.wording import spoken_minutes
from live_server import LiveServer
from people import Person, catalog_of


def work_lines(server: LiveServer, routine: str) -> set[str]:
    """The instructions of the exercises themselves, not the words on getting into position (said
    again, by design, whenever someone comes back or the mode changes): those end a guided page
    that waits for "ready", after the work of the page's own exercise."""
    found: set[str] = set()
    getting_there: set[str] = set()
    for mode in ("guided", "hands-free"):
        narration = narrate(catalog_of(server).get(routine), Level.STANDARD, mode)
        for cue in narration.timeline.cues:
            if cue.kind == "speech" and cue.position.section == "exercise":
                found.add(cue.text)
        for page in narration.pages if mode == "guided" else ():
            if page.prompt and page.prompt.startswith("Say ready when"):
                own = (page.cues[0].position.section, page.cues[0].position.exercise)
                getting_there.update(cue.text for cue in page.cues
                                     if (cue.position.section, cue.position.exercise) != own)
    return found - getting_there


def heard_work(person: Person, work: set[str]) -> Counter[str]:
    """The exercise instructions in the last answer's card."""
    card = person.last["response"].get("card") or {}
    lines = (re.sub(r"\[pause [^\]]*\]", "", line).strip() for line in card.get("content", "").splitlines())
    return Counter(line for line in lines if line in work)


def to_the_end(person: Person, work: set[str]) -> Counter[str]:
    heard: Counter[str] = Counter()
    for _ in range(80):
        if not person.session_open:
            return heard
        person.say("next")
        heard += heard_work(person, work)
    raise AssertionError("the routine never ended")


def straight_through(server: LiveServer, routine: str, mode: str) -> tuple[int, Counter[str]]:
    """The pages and the instructions of ``routine`` said through in ``mode`` without a change."""
    person = Person(server)
    person.say(f"{'do it hands free' if mode == 'hands-free' else 'one at a time'}")
    person.say(f"start the {routine} routine at standard level")
    work = work_lines(server, routine)
    heard = heard_work(person, work)
    pages = 1
    while person.session_open:
        person.say("next")
        heard += heard_work(person, work)
        pages += 1
    return pages, heard


@pytest.mark.parametrize("routine", ["ankle", "foot"])
def test_both_modes_say_the_same_exercise_instructions(server: LiveServer, routine: str) -> None:
    # What the tests below compare against: the modes differ in pages, not in the work.
    guided = straight_through(server, routine, "guided")[1]
    assert guided == straight_through(server, routine, "hands-free")[1]


def switched_after(server: LiveServer, routine: str, start: str, switch: str, pages: int) -> Person:
    """Start ``routine`` in mode ``start``, hear ``pages`` pages, then say ``switch``."""
    person = Person(server)
    person.say("do it hands free" if start == "hands-free" else "one at a time")
    person.say(f"start the {routine} routine at standard level")
    for _ in range(pages - 1):
        person.say("next")
    person.say(switch)
    return person


@pytest.mark.parametrize("routine", ["ankle", "foot", "toe-walking"])
@pytest.mark.parametrize(("start", "switch"), [
    ("guided", "do it hands free"), ("hands-free", "one at a time"), ("guided", "slower"),
    ("hands-free", "that's too fast")])
def test_a_change_of_mode_after_any_page_goes_on_with_every_exercise_heard_once(
        server: LiveServer, routine: str, start: str, switch: str) -> None:
    work = work_lines(server, routine)
    total, whole = straight_through(server, routine, start)
    for pages in range(1, total):
        person = Person(server)
        person.say("do it hands free" if start == "hands-free" else "one at a time")
        person.say(f"start the {routine.replace('-', ' ')} routine at standard level")
        heard = heard_work(person, work)
        for _ in range(pages - 1):
            person.say("next")
            heard += heard_work(person, work)
        due = person.place
        person.say(switch)
        # A change goes on from the part due; "slower" where nothing is counted changes nothing at all.
        assert person.session_open and (person.said_last is None or "has no counts" in person.heard), (
            pages, person.heard)
        assert "completed" not in person.stored()
        assert (person.place.exercise, person.place.set, person.place.side, person.place.round) == (
            due.exercise, due.set, due.side, due.round), (pages, due, person.place)
        heard += to_the_end(person, work)
        assert heard == whole, (pages, heard - whole, whole - heard)
        assert [c["routine"] for c in person.stored()["completed"]] == [routine]


def ankle_after_towel_flex_left(server: LiveServer) -> Person:
    """Guided ankle routine: the intro, the roll back and the towel flex's left foot said."""
    person = Person(server)
    person.say("one at a time")
    person.say("start the ankle routine at standard level")
    person.say("ready")
    person.say("ready")
    assert person.said_last.exercise == 2 and person.said_last.side == "left"
    return person


def test_switching_to_hands_free_after_the_towel_flex_starts_at_the_right_foot_not_the_routine_start(
        server: LiveServer) -> None:
    person = ankle_after_towel_flex_left(server)
    intro = narrate(catalog_of(server).get("ankle"), Level.STANDARD, "hands-free").timeline.cues[0].text
    person.say("do it hands free")
    assert person.heard.startswith("Okay, hands-free")
    assert "towel flex, lying down, right foot" in person.heard
    person.say("ready")
    # The hands-free page holding the right foot starts at the left foot's fourth round: not said.
    assert person.heard.startswith("Now switch to your right foot. Place a rolled towel under the calf")
    assert intro not in person.heard and "left foot toward" not in person.heard
    assert "Supported roll back" not in person.heard
    assert person.place.exercise == 3 and person.place.mode == "hands-free"


def test_repeat_after_a_switch_says_again_the_part_heard_not_the_whole_page(server: LiveServer) -> None:
    person = ankle_after_towel_flex_left(server)
    person.say("do it hands free")
    person.say("ready")
    heard, due = person.ssml, person.place
    person.say("repeat")
    assert person.ssml == heard and person.place == due
    person.say("next")
    assert person.heard.startswith("three two one Begin. Make five small clockwise circles")


def test_how_long_is_left_after_a_switch_counts_from_the_position_not_the_page_start(
        server: LiveServer) -> None:
    person = ankle_after_towel_flex_left(server)
    person.say("do it hands free")
    person.say("how long is left")
    narration = narrate(catalog_of(server).get("ankle"), Level.STANDARD, "hands-free")
    cues = narration.timeline.cues
    first = next(i for i, cue in enumerate(cues) if cue.text == "Now switch to your right foot.")
    start = 0
    seconds = 0.0
    for page in narration.pages:
        end = start + len(page.cues)
        if end > first:  # this page, or one after it: the prompt is heard, and the cues from `first`
            seconds += page.planned_seconds - sum(c.seconds for c in cues[start:max(start, first)])
        start = end
    assert person.heard.startswith(f"{spoken_minutes(seconds).capitalize()} left at the standard level")
    assert person.place.exercise == 2 and person.place.side == "right"


def test_a_session_that_closes_after_a_switch_resumes_at_the_same_part(server: LiveServer) -> None:
    person = ankle_after_towel_flex_left(server)
    person.say("do it hands free")
    person.end_session()  # off to fetch the towel: the session closes before "ready"
    person.say("ask foot work to carry on")
    assert person.session_open and "right foot" in person.heard
    person.say("ready")
    assert person.heard.startswith("Now switch to your right foot.")
    person.end_session()  # and once more, after the part was heard
    person.say("ask foot work to carry on")
    assert "seated ankle circles" in person.heard.lower()
    person.say("ready")
    assert person.heard.startswith("three two one Begin. Make five small clockwise circles")


def test_switching_to_guided_in_a_long_hands_free_page_lands_on_the_guided_page_at_that_round(
        server: LiveServer) -> None:
    person = Person(server)
    person.say("do it hands free")
    person.say("start the ankle routine at standard level")
    # The first hands-free page ends in the third round of the towel flex, left foot.
    assert (person.place.exercise, person.place.side, person.place.round) == (2, "left", 4)
    person.say("one at a time")
    assert "towel flex, lying down, left foot, round four" in person.heard
    assert person.heard.endswith("When you're lying down, say ready.")
    person.say("ready")
    assert person.heard.startswith("Round four of five. Keeping your knee straight, flex your left foot")
    assert person.reprompt.startswith("Say next for your right foot")
    person.say("next")
    assert person.heard.startswith("Now switch to your right foot.")


def test_a_level_change_in_hands_free_redoes_the_exercise_side_the_page_ended_in_not_the_whole_page(
        server: LiveServer) -> None:
    person = Person(server)
    person.say("do it hands free")
    person.say("start the ankle routine at standard level")
    person.say("make it easier")
    assert person.heard.startswith(
        "Okay, the first time level. We'll go on from towel flex, lying down, left foot.")
    assert person.place.level == "first-time" and person.place.mode == "hands-free"
    person.say("ready")
    assert person.heard.startswith("On to exercise two of seven: towel flex")
    assert "Supported roll back" not in person.heard
    assert "completed" not in person.stored()


def test_go_back_after_a_part_of_a_page_goes_to_where_the_part_before_opens(server: LiveServer) -> None:
    # As a guided page goes back to the side before: here the towel flex's left foot, from its opening.
    person = ankle_after_towel_flex_left(server)
    person.say("do it hands free")
    person.say("ready")
    person.say("go back")
    assert person.heard.startswith("On to exercise two of seven: towel flex, lying down.")
    assert (person.said_last.exercise, person.said_last.side) == (2, "left")
    # The rest of the left foot and the right foot follow: nothing skipped.
    person.say("next")
    assert person.heard.startswith("Round four of five. Keeping your knee straight, flex your left foot")
    assert "Now switch to your right foot." in person.heard


def test_go_back_right_after_a_skip_hands_free_returns_to_the_exercise_left_out(server: LiveServer) -> None:
    person = Person(server)
    person.say("do it hands free")
    person.say("start the foot routine at standard level")
    person.say("next")
    person.say("next")
    assert person.said_last.exercise == 2  # toe walking, from its start
    person.say("skip")
    assert person.heard.startswith("Okay, we'll leave out toe walking. Next is ankle circles, lying down.")
    person.say("go back")
    assert person.said_last.exercise == 2 and person.said_last.round == 1
    assert "Stand on your tiptoes" in person.heard and "Round two of six" in person.heard


# --- pace --------------------------------------------------------------------------------------------


def test_slower_goes_on_from_the_part_due_at_the_slow_pace_and_is_remembered(server: LiveServer) -> None:
    foot = catalog_of(server).get("foot")
    person = Person(server)
    person.say("start the foot routine at standard level")
    person.say("ready")
    due = person.place
    person.say("that's too fast")
    assert person.heard.startswith("Okay, slower: I'll give you more time for each count.")
    assert (person.place.exercise, person.place.set, person.place.side) == (due.exercise, due.set, due.side)
    assert person.stored()["pace"] == "slow" and "completed" not in person.stored()
    person.say("ready")
    slow = narrate(foot, Level.STANDARD, "guided", pace="slow")
    said = [page for page in slow.pages
            if page.ssml.removeprefix("<speak>").removesuffix("</speak>") in person.ssml]
    assert len(said) == 1 and said[0].cues[0].position.side == due.side
    # Another day, the routine is narrated and timed at the slow pace from its start.
    person.say("stop")
    person.day += dt.timedelta(days=2)
    person.say("ask foot work to start the foot routine at standard level")
    level = person.place.level_value
    slow_length = spoken_minutes(narrate(foot, level, "guided", "full", "slow").planned_seconds)
    assert slow_length != spoken_minutes(narrate(foot, level, "guided", "full").planned_seconds)
    assert slow_length in person.heard


def test_faster_goes_back_to_the_normal_pace_and_never_beyond_it(server: LiveServer) -> None:
    person = Person(server)
    person.say("slower")
    assert person.heard.startswith("Okay, slower") and person.stored()["pace"] == "slow"
    person.say("start the ankle routine at standard level")
    person.say("ready")
    person.say("back to normal speed")
    assert person.heard.startswith("Okay, back to the normal pace.")
    assert person.stored()["pace"] == "normal"
    due = person.place
    person.say("faster")
    assert "I don't go faster" in person.heard and person.place == due
    person.say("ready")
    normal = narrate(catalog_of(server).get("ankle"), Level.STANDARD, "guided")
    pages = (page.ssml.removeprefix("<speak>").removesuffix("</speak>") for page in normal.pages)
    assert any(page in person.ssml for page in pages)


def test_slower_in_a_routine_with_nothing_counted_says_so_and_keeps_the_place(server: LiveServer) -> None:
    # Toe walking is timed walks and rests: "more time for each count" would promise a change that
    # never comes. The slow pace is still remembered, for the routines that count.
    person = Person(server)
    person.say("start toe walking at standard level")
    person.say("ready")
    due, last = person.place, person.said_last
    person.say("slower")
    assert person.heard.startswith("Okay, I'll count more slowly from now on. Toe walking has no counts")
    assert "more time for each count" not in person.heard
    assert person.place == due and person.said_last == last and person.session_open
    assert person.stored()["pace"] == "slow"


def test_help_mentions_the_pace(server: LiveServer) -> None:
    person = Person(server)
    person.say("help")
    assert "Say slower at any time" in person.heard
    person.say("start heel raises")
    person.say("help")
    assert "slower for more time between counts" in person.heard


# --- getting into position, hands-free ------------------------------------------------------------


@pytest.mark.parametrize("routine", ["ankle", "foot"])
def test_hands_free_after_saying_ready_the_countdown_starts_at_once_not_after_seconds_of_silence(
        server: LiveServer, routine: str) -> None:
    # A hands-free page that ends "say ready when you're sitting" is followed by one that opens with
    # the settle meant for going straight on: once the person has said ready, seconds of silence
    # before "three, two, one" only sound as if they were not heard.
    person = Person(server)
    person.say("do it hands free")
    person.say(f"start the {routine} routine at standard level")
    after_ready = 0
    while person.session_open:
        asked_ready = person.reprompt.startswith("Say ready when")
        person.say("ready")
        if asked_ready:
            after_ready += 1
            body = person.ssml.removeprefix("<speak>")
            assert not body.startswith("<break"), body[:120]
            assert person.heard.startswith("three two one Begin."), person.heard[:120]
    assert after_ready >= 1
    assert [c["routine"] for c in person.stored()["completed"]] == [routine]


def test_waiting_in_a_hands_free_page_offers_to_go_back_to_where_that_page_began(server: LiveServer) -> None:
    # "Alexa, wait" may cut into a page minutes long, and "ready" goes on after the whole page: the
    # answer says how to do that part again, and "repeat" does it.
    person = Person(server)
    person.say("do it hands free")
    person.say("start the ankle routine at first time level")
    person.say("ready")
    begun, due = person.said_last, person.place
    assert begun.exercise == 3 and due.exercise > 3
    person.say("hang on")
    assert person.heard == ("Take your time. Say ready when you want to go on, "
                            "or repeat to go back to seated ankle circles.")
    assert person.session_open and person.place == due and person.stored_place() == due
    person.say("repeat")
    assert person.said_last == begun and "Make two small clockwise circles" in person.heard
    assert person.place == due


@pytest.mark.parametrize(("routine", "lying"), [
    ("ankle", "Place a rolled towel under the calf of your left leg."),
    ("foot", "Hug your right knee to your chest."),
])
def test_hands_free_gives_twenty_seconds_to_get_down_onto_a_bed_or_the_floor(
        server: LiveServer, routine: str, lying: str) -> None:
    # From standing to lying down with a towel takes longer than the ten seconds of a settle in
    # the same position: the packs give it twenty, silence and "three, two, one" together.
    person = Person(server)
    person.say("do it hands free")
    person.say(f"start the {routine} routine at standard level")
    while lying not in person.ssml:
        assert person.session_open, f"never heard {lying!r}"
        person.say("next")
    after = person.ssml.split(lying, 1)[1].split("Begin.", 1)[0]
    seconds = sum(float(n) / (1000 if unit == "ms" else 1)
                  for n, unit in re.findall(r'<break time="([\d.]+)(ms|s)"/>', after))
    assert "three" in after and seconds >= 18, after


def test_it_hurting_in_a_hands_free_page_names_the_exercise_a_skip_would_leave_out(
        server: LiveServer) -> None:
    # A hands-free page runs through several exercises: "skip this exercise" would not say which.
    person = Person(server)
    person.say("do it hands free")
    person.say("start the ankle routine at first time level")
    person.say("ready")
    assert person.said_last.exercise == 3
    person.say("ouch")
    assert "Do you want to skip seated ankle circles and go on to the next one?" in person.heard
    person.say("skip")
    assert person.heard.startswith(
        "Okay, we'll leave out seated ankle circles. Next is turn your feet in and out.")
    assert person.place.exercise == 4
