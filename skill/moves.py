"""What handlers do to a routine: start it, change its level or mode, skip on, hold the place.

Each is one rule used by several handlers ("yes", "ready" and "carry on" all go on the same way), so
it lives here once rather than in each handler.
"""

from __future__ import annotations

from ask_sdk_model import Response
from footwork.core import Level, Routine, routine_ref
from footwork.core.levels import level_for
from footwork.core.narration import Mode, Narration
from footwork.core.timeline import Cue, moves_in
from footwork.core.wording import mid_sentence, number_words, spoken_list, where_words

from . import level_policy
from . import progress as memory
from .identity import MEDICAL_ADVICE, PAIN_FREE_LINE
from .place import Place, moved, place_at, place_of_page, start_of
from .replies import (
    GO_ON,
    HURT_OPTIONS,
    ask,
    escape,
    narration_for,
    ready_for,
    speak_index,
    speak_page,
    tell,
    where,
)
from .turn import HURT, Turn


def routine_names(turn: Turn, limit: int = 4) -> str:
    titles = [mid_sentence(r.title) for r in turn.catalog.routines[:limit]]
    more = len(turn.catalog.routines) - limit
    if more > 0:
        titles.append(f"{number_words(more)} more")
    return escape(spoken_list(titles))


def offer_routines(turn: Turn, lead: str = "") -> Response:
    if not turn.catalog.routines:
        return tell(turn, f"{lead}I don't have any routines installed yet.")
    return ask(turn, f"{lead}I have {routine_names(turn)}. Which would you like to start?",
               "Which routine would you like to start?")


def under_way(turn: Turn) -> Place | None:
    """The routine under way: the session's place, or one-shot, the place saved in the last week."""
    place = turn.place
    if place is not None:
        return place
    saved = memory.unfinished(turn.progress, turn.catalog, turn.today)
    if saved is not None:
        turn.place = saved
        turn.last = None
    return saved


def start(turn: Turn, routine: Routine, level: Level | None, mode: Mode | None, before: str = "") -> Response:
    """Start ``routine`` from its beginning: the level asked for, else today's by the progression rule."""
    lead = [before] if before else []
    if not memory.has_heard_disclaimer(turn.progress):
        lead.append(escape(MEDICAL_ADVICE))  # the intro that follows says the pain-free line
        memory.mark_disclaimer_heard(turn.progress)
    if level is None:
        progression = level_policy.todays_level(turn.progress, routine, turn.today)
        chosen = progression.level
        lead.append(escape(level_policy.why(progression, routine)))
    else:
        chosen = level_for(routine, level)
        if chosen is not level:
            lead.append(f"This routine has no {level.spoken} level, so it's the {chosen.spoken} level.")
    if mode is not None:
        memory.set_preferred_mode(turn.progress, mode)
    chosen_mode = mode or memory.preferred_mode(turn.progress)
    place = Place(routine_ref(routine), chosen.value, chosen_mode)
    return speak_page(turn, place, " ".join(part for part in lead if part))


def change(turn: Turn, place: Place, lead: str, **changes: str) -> Response:
    """A new level or mode from ``place``: same exercise, set, side and round.

    Nothing is said of the routine until the person is ready, so no change ever skips work or
    finishes a routine; then it is said from where that position opens, even partway through a
    page (:func:`~footwork.skill.place.start_of`), never from the earlier work on the same page.
    """
    routine = turn.routine(place)
    target = moved(place, **changes)
    narration = narration_for(turn, target)
    index, offset = start_of(narration, target)
    due = place_at(narration, index, offset)
    turn.place = due
    turn.last = None
    turn.state = None
    memory.save_place(turn.progress, due, turn.today)
    if "mode" in changes:
        memory.set_preferred_mode(turn.progress, changes["mode"])
    turn.save_progress()
    said = f"{lead} We'll go on from {where(due, routine)}."
    if due.exercise >= 1 and (index > 0 or offset > 0):
        # The part may start with the counting, in a position the person has left since (the page
        # before ended "lie down with a towel"): get them back into it first, as on coming back.
        return come_back(turn, due, said)
    return ask(turn, f"{said} {GO_ON}", f"{GO_ON} Or say stop to finish for today.")


def part_on(turn: Turn, place: Place) -> Place:
    """The part of the routine the person is on, for a change of level: the page said last, or in
    hands-free mode, the exercise side or set that page ended in (from where it opens).

    A guided page is one side of one exercise; a hands-free page runs up to five minutes over
    several exercises, and going back to its start would redo all of them.
    """
    last = turn.last
    if last is None or last.mode != "hands-free":
        return last or place
    narration = narration_for(turn, last)
    cues = narration.pages[start_of(narration, last)[0]].cues
    ending = next((cue.position for cue in reversed(cues) if cue.position.section == "exercise"), None)
    if ending is None:
        return last
    return Place(last.routine, last.level, last.mode, ending.exercise, ending.set, ending.side, 1, 0)


def keep_going(turn: Turn, speech: str) -> Response:
    """An answer in the middle of a routine that moves nothing: the place stays as it was.

    After "that hurts" it ends with the choices then (skip, or stop), never with "say ready".
    """
    if turn.state == HURT:
        return ask(turn, f"{speech} {HURT_OPTIONS}", HURT_OPTIONS)
    return ask(turn, f"{speech} {GO_ON}", f"{GO_ON} Or say stop to finish for today.")


def skip_exercise(turn: Turn, place: Place, lead: str) -> Response:
    """Leave the exercise at ``place`` out: on to where the next opens, once the person is ready."""
    routine = turn.routine(place)
    due = Place(place.routine, place.level, place.mode, place.exercise + 1, part=0)
    if 1 <= due.exercise <= len(routine.exercises):
        lead = f"{lead} Next is {where(due, routine)}."
    elif turn.state == HURT and due.exercise > len(routine.exercises):
        # The last exercise hurt: no "well done, see you next time", no advice to do it every
        # morning, and no routine recorded as done (it was not, and the next level would follow).
        memory.forget_place(turn.progress)
        turn.save_progress()
        turn.place = None
        turn.last = None
        turn.state = None
        return tell(turn, f"{lead} That was the last one, so we'll stop there for today. {PAIN_FREE_LINE} "
                          "Take care.")
    return come_back(turn, due, lead)


def go_back(turn: Turn, narration: Narration, index: int, now: Place) -> Response:
    """Say page ``index``, going back to it from ``now`` (the place due), first getting the person
    into its position where that differs from the one they are in.

    A guided page opens with the counting ("Begin. Stand on your tiptoes"), its position set up by
    the page before it; someone lying down for the ankle circles who says "go back" to the toe
    walking needs to stand up first, and time to do it.
    """
    back = place_of_page(narration, index)
    routine = narration.routine
    exercises = routine.exercises
    if (1 <= back.exercise <= len(exercises) and 1 <= now.exercise <= len(exercises)
            and moves_in(exercises[back.exercise - 1], exercises[now.exercise - 1])):
        return come_back(turn, back, f"Back to {where(back, routine)}.")
    return speak_index(turn, narration, index)


def hold_place(turn: Turn, place: Place, speech: str) -> Response:
    """End the session, the place saved as it stands."""
    memory.save_place(turn.progress, place, turn.today)
    turn.save_progress()
    return tell(turn, speech)


def come_back(turn: Turn, place: Place, lead: str) -> Response:
    """Coming back to a routine left earlier: first get into position, then "ready" says the part due.

    Someone who carries on after a break is not lying on the floor with the towel any more, and the
    page due may start with the counting; so the skill says what to be ready for, as the page before
    it ended, and waits. The start of a routine and its wrap-up need no position: they are said.
    Where the part due opens an exercise, side or set partway through a page, its own words get the
    person into position (with time to get there, hands-free), so "ready" is all that is asked.
    """
    routine = turn.routine(place)
    narration = narration_for(turn, place)
    index, offset = start_of(narration, place)
    due = place_at(narration, index, offset)
    if (index == 0 and offset == 0) or not 1 <= due.exercise <= len(routine.exercises):
        return speak_index(turn, narration, index, lead, offset)
    turn.place = due
    turn.last = None
    turn.state = None
    position = f"you're {where_words(routine.exercises[due.exercise - 1].positions)}"
    if offset and due.round == 1:
        return ask(turn, f"{lead} {GO_ON}", f"{GO_ON} Or say stop to finish for today.")
    if offset:
        ready, how = position, ""
    else:
        before = narration.pages[index - 1]
        ready = ready_for(before.prompt) or position
        how = " ".join(escape(words) for words in getting_there(before.cues, due))
    return ask(turn, " ".join(part for part in (lead, how, f"When {escape(ready)}, say ready.") if part),
               f"Say ready when {escape(ready)}.")


def getting_there(before: tuple[Cue, ...], due: Place) -> list[str]:
    """The words at the end of the page ``before`` (its cues) that get the person into position for
    ``due``.

    "When you're sitting, say ready" alone leaves out the chair; someone back from a break, or
    skipping on from the floor, needs "Sit in a straight-backed chair" as the page before said it.
    The first of those words names the exercise ("On to exercise three of seven: ..."), which the
    lead has said already, so it is left out.
    """
    said: list[str] = []
    opening = False
    for cue in reversed(before):
        if cue.position.exercise != due.exercise or cue.position.section != "exercise":
            opening = True
            break
        if cue.kind == "transition":
            said.append(cue.text)
        elif cue.spoken:
            return []  # the page ended in the exercise itself (a side switch): nothing to get into
    if said and opening:
        said.pop()
    elif said and before and before[0].position.exercise == due.exercise:
        said.pop()  # the page starts with the opening
    return said[::-1]
