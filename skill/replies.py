"""Building answers: questions that keep the session open, statements that end it, and pages.

:func:`speak_page` is the one way a routine moves: it says the page holding a place, remembers that
page as the one said last and the next as the one due, saves the due place, and on the last page
records the routine as done and ends with words that agree with the articles' advice.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard
from footwork.core import Routine
from footwork.core.narration import Narration, narrate, to_ssml, to_text
from footwork.core.paging import READY_PROMPT
from footwork.core.wording import limb, mid_sentence, number_words

from . import level_policy
from . import progress as memory
from .place import Place, place_at, place_of_page, start_of
from .turn import Turn

SSML_LIMIT = 8000
CARD_LIMIT = 8000

#: How to go on once the skill has answered a question in the middle of a routine.
GO_ON = "Say ready when you want to go on."

#: What can be done once something hurt: never a prompt to carry on with the exercise.
HURT_OPTIONS = "Say skip to leave this exercise out, or stop to end for today."

ROUTINE_COMMANDS = (
    "Say ready to go on, wait to take your time, repeat to hear that again, make it easier or harder, "
    "slower for more time between counts, skip to move to the next exercise, or stop to finish for today."
)
MODES_EXPLAINED = (
    "Guided, I stop after each exercise until you say ready. Hands-free, I go straight through with "
    "time to get into position: say do it hands free, or one at a time to go back."
)


# --- handlers ------------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Plain text made safe inside SSML."""
    return html.escape(text, quote=False)


def ask(turn: Turn, speech: str, reprompt: str, card: tuple[str, str] | None = None) -> Response:
    builder = turn.input.response_builder.speak(speech).ask(reprompt)
    if card:
        builder.set_card(SimpleCard(title=card[0], content=card[1][:CARD_LIMIT]))
    return builder.response


def tell(turn: Turn, speech: str, card: tuple[str, str] | None = None) -> Response:
    builder = turn.input.response_builder.speak(speech).set_should_end_session(True)
    if card:
        builder.set_card(SimpleCard(title=card[0], content=card[1][:CARD_LIMIT]))
    return builder.response


def inner(ssml: str) -> str:
    ssml = ssml.strip()
    if ssml.startswith("<speak>") and ssml.endswith("</speak>"):
        return ssml[len("<speak>"):-len("</speak>")].strip()
    return ssml


def where(place: Place, routine: Routine, *, numbered: bool = False) -> str:
    """The place as said aloud: "towel flex, right leg", "the start", "exercise two of seven, towel flex"."""
    count = len(routine.exercises)
    if place.exercise <= 0:
        return "the start"
    if place.exercise > count:
        return "the wrap-up"
    exercise = routine.exercises[place.exercise - 1]
    parts = [mid_sentence(exercise.name)]
    if numbered and count > 1:
        parts.insert(0, f"exercise {number_words(place.exercise)} of {number_words(count)}")
    if place.side:
        parts.append(f"{place.side} {limb(exercise)}")
    if place.set > 1:
        parts.append(f"set {number_words(place.set)}")
    if place.round > 1:
        parts.append(f"round {number_words(place.round)}")
    if count == 1 and len(parts) > 1:
        # A routine of one exercise is usually named after it: "toe walking at round five", not
        # "toe walking at toe walking, round five".
        parts.pop(0)
        if place.side and parts[0].startswith(place.side):
            parts[0] = f"the {parts[0]}"  # "saved your place at the right foot", not "at right foot"
    return escape(", ".join(parts))


def card_title(place: Place, routine: Routine) -> str:
    """A card's title for the page starting at ``place``: "Heel raises: exercise 1 of 1, set 2"."""
    count = len(routine.exercises)
    if place.exercise <= 0:
        return f"{routine.title}: getting ready"
    if place.exercise > count:
        return f"{routine.title}: finishing"
    title = f"{routine.title}: exercise {place.exercise} of {count}"
    if place.set > 1:
        title += f", set {place.set}"
    if place.side:
        title += f", {place.side} {limb(routine.exercises[place.exercise - 1])}"
    if place.round > 1:
        title += f", round {place.round}"
    return title


def narration_for(turn: Turn, place: Place) -> Narration:
    """The narration the person hears for ``place``: every caution of the routine until they have
    finished it once, then the one-line pain-free reminder (safety words in proportion)."""
    routine = turn.routine(place)
    briefing = "full" if memory.times_finished(turn.progress, routine.id) == 0 else "reminder"
    pace = memory.preferred_pace(turn.progress)
    return narrate(routine, place.level_value, place.mode_value, briefing, pace)


def speak_page(turn: Turn, place: Place, before: str = "") -> Response:
    """Say the page holding ``place`` (from where its position opens, for a place after a change of
    mode or level); on the last page, celebrate and record the routine as done."""
    narration = narration_for(turn, place)
    index, offset = start_of(narration, place)
    return speak_index(turn, narration, index, before, offset)


def speak_index(turn: Turn, narration: Narration, index: int, before: str = "", offset: int = 0) -> Response:
    """Say page ``index`` of ``narration`` from its cue ``offset``.

    A page said from partway through is the one said last: "repeat" says that part again, not the
    minutes of the page before it, and the page after is due next as usual.
    """
    said = _page_said(narration, index, offset)
    body = said.body
    if before and len(before) + len(body) + 20 < SSML_LIMIT:
        body = f"{before} {body}"
    card = (said.title, said.text)
    turn.state = None
    turn.offer = None
    if said.reprompt is None:
        routine_id, level = narration.routine.id, narration.level
        days = memory.record_completion(turn.progress, routine_id, level.value, turn.today)
        turn.save_progress()
        turn.place = None
        turn.last = None
        # Pages leave room under the limit for this (footwork.core.paging.SKILL_HEADROOM).
        return tell(turn, f"{body} {escape(level_policy.ending(level, days))}", card)
    turn.last = said.place
    assert said.due is not None  # a page with a prompt has a page after it
    turn.place = said.due
    memory.save_place(turn.progress, said.due, turn.today)
    turn.save_progress()
    return ask(turn, body, said.reprompt, card)


@dataclass(frozen=True)
class _PageSaid:
    """What saying page ``index`` of a narration from cue ``offset`` always gives, whoever asks."""

    narration: Narration  # kept, so that its id is not reused while this is remembered
    body: str  # the SSML inside <speak>
    text: str  # the card's text
    place: Place  # where the part said starts: the place said last
    title: str  # the card's title
    reprompt: str | None  # the page's prompt made safe for SSML; None on the last page
    due: Place | None  # where the page after starts, when there is one


#: Pages said before, by (id of the narration, page, cue). Everything in a :class:`_PageSaid` is a pure
#: function of those three (narrations, pages and places are immutable), and the same few pages are said
#: request after request, so each is put together once: the SSML and text of a page said from partway,
#: its place and card title, the place due after it. Bounded: a page said is a few KB.
PAGES_REMEMBERED = 2048
_pages_said: dict[tuple[int, int, int], _PageSaid] = {}


def _page_said(narration: Narration, index: int, offset: int) -> _PageSaid:
    key = (id(narration), index, offset)
    found = _pages_said.get(key)
    if found is not None and found.narration is narration:
        return found
    page = narration.pages[index]
    skipped = offset or settled(narration, index)
    if skipped:
        cues = page.cues[skipped:]
        ssml, text = to_ssml(cues, page.prompt), to_text(cues, page.prompt)
    else:
        ssml, text = page.ssml, page.text
    place = place_at(narration, index, offset)
    if page.prompt is None:
        reprompt, due = None, None
    else:
        reprompt, due = escape(page.prompt), place_of_page(narration, index + 1)
    said = _PageSaid(narration, inner(ssml), text, place, card_title(place, narration.routine), reprompt, due)
    if len(_pages_said) >= PAGES_REMEMBERED:
        try:
            _pages_said.pop(next(iter(_pages_said)), None)
        except (RuntimeError, StopIteration):  # another thread changed it meanwhile: no matter
            pass
    _pages_said[key] = said
    return said


def settled(narration: Narration, index: int) -> int:
    """How many of page ``index``'s first cues go unsaid because the person is in position already.

    A hands-free page that ends where the position changes asks "say ready when you're sitting";
    the next page opens with the timed settle meant for going straight on, seconds of silence
    before "three, two, one". Once the person has said ready, that silence only sounds as if they
    were not heard, so it is left out and the countdown starts at once.
    """
    if index == 0 or ready_for(narration.pages[index - 1].prompt) is None:
        return 0
    first = narration.pages[index].cues[0]
    return 1 if first.kind == "settle" and not first.text else 0


def ready_for(prompt: str | None) -> str | None:
    """What a page's prompt asks the person to be ready for ("you're lying down ..."), if it does."""
    head, tail = READY_PROMPT.split("{ready}")
    if prompt and prompt.startswith(head) and prompt.endswith(tail):
        return prompt[len(head):len(prompt) - len(tail)]
    return None


def remaining_seconds(turn: Turn, place: Place) -> tuple[float, int]:
    """Seconds of narration from ``place`` to the end, and the exercises not yet begun."""
    routine = turn.routine(place)
    narration = narration_for(turn, place)
    index, offset = start_of(narration, place)
    # From the position, not from the start of the page holding it (a hands-free page runs minutes).
    seconds = sum(page.planned_seconds for page in narration.pages[index:])
    seconds -= sum(cue.seconds for cue in narration.pages[index].cues[:offset])
    exercises = max(0, len(routine.exercises) - max(place.exercise, 1) + 1)
    return seconds, exercises
