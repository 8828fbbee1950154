"""Compiling a routine, at a level and for a mode, into a timeline of cues: speech and silence, each with
its length.

The timeline is what the person hears, in order, before anything decides how to say it: renderers
turn it into SSML, a transcript, JSON or audio, and the pager cuts it into Alexa responses at the
natural points (:class:`Break`) marked here, where the compiler still knows the structure: changes of
position, exercises, sets, sides, rounds and whole steps. Every duration is planned here, so a
routine's length is the sum of its cues (and the prompts the pager adds).

How a person is coached through it:

* Getting into position. Where an exercise starts in a new position or needs something new, its
  opening says what to do, then gives the time to do it: guided, the page ends there ("Say ready
  when you're lying down"); hands-free, a settle of at least :data:`TRANSITION_SETTLE` seconds ends
  "three, two, one, begin". Otherwise a short "get ready ... begin". A side switch gets at least
  :data:`SIDE_SETTLE` seconds.
* Counted movements say their phases ("one, up ... and down") at the movement's pace
  (:mod:`footwork.core.movement`).
* Words: said once each where they matter (the plan, the cautions of this routine only, one
  closing), varied where they recur (exercise openings, releases), and never "one of one".

Silences are exact: a 5-second hold is 5 seconds of silence between "hold" and the release. The
length of speech is an estimate at :data:`WORDS_PER_MINUTE`; the audio preview speaks at that rate.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import string
from dataclasses import dataclass, field
from typing import Literal

from ._model import (
    Alphabet,
    Count,
    Exercise,
    Hold,
    Level,
    Move,
    Repeat,
    Rest,
    Routine,
    Say,
    Side,
    Step,
    SwitchSide,
    other_side,
)
from .levels import has_levels, rounds
from .movement import Movement, Pace, at_pace, movement_for
from .wording import (
    POSITION_INSTRUCTIONS,
    POSITION_WORDS,
    fill,
    limb,
    limbs,
    mid_sentence,
    names_a_side,
    number_words,
    of,
    seconds_number,
    seconds_words,
    spoken_list,
    spoken_minutes,
    spoken_needs,
    uses,
    where_words,
)

__all__ = [
    "BREAK_LEVELS", "Break", "Cue", "Position", "Timeline", "compile_routine", "number_words",
    "seconds_number", "seconds_words", "speaking_seconds", "spoken_list", "spoken_minutes", "spoken_needs",
]

#: The speaking rate speech is planned at: Alexa's default voice is close to 150 words a minute.
WORDS_PER_MINUTE = 150
#: A sentence's end is a short pause of its own, and so is a comma ("one, up"), a shorter one.
SENTENCE_PAUSE = 0.35
COMMA_PAUSE = 0.25
PHRASE_PAUSE = 0.15
#: Holds of this length or more end with a spoken countdown.
COUNTDOWN_FROM = 10
#: The breather between sets when the content gives no rest.
DEFAULT_SET_REST = 5.0
#: The pause after an instruction, to get into it before the counting or the hold starts.
SETTLE = 1.0
#: Hands-free, the time to get into a new position (lie down, fetch the towel), ending "three, two, one".
TRANSITION_SETTLE = 10.0
#: The time to get ready for an exercise in the same position: "Get ready ... begin".
GET_READY = 3.0
#: The time to switch to the other side, or back to the first for the next set.
SIDE_SETTLE = 3.0
#: The shortest silence after a counted word: the movement needs its moment.
MIN_GAP = 0.5

Mode = Literal["guided", "hands-free"]
MODES: tuple[Mode, ...] = ("guided", "hands-free")
#: How much of the cautions the intro says: all of the routine's, or the one-line pain-free reminder
#: for someone who has heard them before (the skill decides, from the person's history).
Briefing = Literal["full", "reminder"]
#: settle: time to get into position or switch sides; transition: the words saying what to do.
CueKind = Literal["speech", "transition", "count", "letter", "countdown", "hold", "rest", "move", "pause",
                  "settle"]
#: Where a natural point to pause falls in the structure, coarsest first. A ``transition`` is a change
#: of position: the person is moving anyway, so it is the best place for a page to end.
BreakLevel = Literal["transition", "exercise", "set", "side", "round", "step"]
BREAK_LEVELS: tuple[BreakLevel, ...] = ("transition", "exercise", "set", "side", "round", "step")
SPOKEN_KINDS = frozenset({"speech", "transition", "count", "letter", "countdown"})
Section = Literal["intro", "exercise", "outro"]

SAFETY_LINE = (
    "Move only within a pain-free range of motion. If anything hurts, stop, and don't push through pain."
)
#: Said where a routine's cautions already give the article's wait-a-day advice.
#: The first-time level is also the second day's (the article's "wait a day or two"), so it never
#: says "your first time": it says what is true on both days.
FIRST_TIME_SHORT = "While it's new to you, we'll do only a couple of each."
FIRST_TIME_ADVICE = (FIRST_TIME_SHORT + " Then wait a day or two to see how you feel before doing more.")
#: Exercise openings after the first, taken in turn so that no two in a row start alike.
OPENINGS = ("Next, exercise {n}: {name}.", "Now exercise {n}: {name}.", "On to exercise {n}: {name}.")
#: Releases of a hold, taken in turn: forty "And release."s in a row are heard as a machine.
RELEASES = ("And release.", "Release.", "And ease off.")


@functools.lru_cache(maxsize=8192)
def _one_line(text: str) -> str:
    """``text`` on one line, single-spaced; the same words are the same string, held once."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=8192)
def speaking_seconds(text: str) -> float:
    """How long ``text`` takes to say at :data:`WORDS_PER_MINUTE`, with a pause at each sentence end and
    a shorter one at each comma."""
    words = len(re.findall(r"[\w'-]+", text))
    sentences = len(re.findall(r"[.!?]+(?:\s|$)", text))
    # A phrase with no full stop ("one, up", "three") ends with a breath, not a sentence's pause.
    ends = sentences * SENTENCE_PAUSE if sentences else PHRASE_PAUSE
    return round(words * 60 / WORDS_PER_MINUTE + ends + text.count(",") * COMMA_PAUSE, 2)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a cue sits in the routine, so a page can say "exercise 3 of 7, set 2 of 3" and resume there."""

    section: Section
    exercise: int = 0
    exercises: int = 0
    exercise_id: str | None = None
    exercise_name: str | None = None
    set: int = 1
    sets: int = 1
    side: Side | None = None

    def as_json(self) -> dict:
        return {
            "section": self.section,
            "exercise": self.exercise,
            "exercises": self.exercises,
            "exercise_id": self.exercise_id,
            "exercise_name": self.exercise_name,
            "set": self.set,
            "sets": self.sets,
            "side": self.side,
        }


@dataclass(frozen=True, slots=True)
class Cue:
    """One thing heard: words (``text``, spoken) or silence (``text`` empty), lasting ``seconds``."""

    kind: CueKind
    text: str
    seconds: float
    position: Position

    @property
    def spoken(self) -> bool:
        return self.kind in SPOKEN_KINDS

    def as_json(self) -> dict:
        return {"kind": self.kind, "text": self.text, "seconds": self.seconds}


#: Equal cues are one object: a routine's guided and hands-free timelines, and its levels, share most
#: of their cues, and a narration is held for as long as the process runs.
_cue = functools.lru_cache(maxsize=65536)(Cue)


@dataclass(frozen=True, slots=True)
class Break:
    """A natural point to pause: a page may start at cue ``index``, where a ``level`` part begins.

    ``label`` names what begins there as a prompt says it ("set two of three", "Toe walking"); None
    for a step, which has no name of its own. ``ready`` is set at a change of position: what the
    person is getting ready for ("you're lying down"), for a prompt ending a page there. Breaks fall
    between whole steps only, never inside a hold or a count, and never between an instruction and
    the hold or count it leads into.
    """

    index: int
    level: BreakLevel
    label: str | None = None
    ready: str | None = None


@dataclass(frozen=True)
class Timeline:
    """The cues of a routine at a level, with the natural points (``breaks``) where it may be paged."""

    routine: Routine
    level: Level
    cues: tuple[Cue, ...]
    breaks: tuple[Break, ...] = ()
    mode: Mode = "guided"

    @property
    def planned_seconds(self) -> float:
        """The cues alone; a narration's pages add their prompts
        (:func:`~footwork.core.narration.planned_seconds` is the routine's length)."""
        return round(sum(c.seconds for c in self.cues), 2)


@dataclass
class _Builder:
    """Collects cues for one routine at one level; ``at`` is the position of what comes next."""

    level: Level
    at: Position
    mode: Mode = "guided"
    pace: Pace = "normal"
    cues: list[Cue] = field(default_factory=list)
    breaks: dict[int, Break] = field(default_factory=dict)
    releases: int = 0

    def mark(self, level: BreakLevel, label: str | None = None, ready: str | None = None) -> None:
        """Note that what comes next is a natural point to pause; the coarsest mark at a point wins."""
        index = len(self.cues)
        known = self.breaks.get(index)
        if known is None or BREAK_LEVELS.index(level) < BREAK_LEVELS.index(known.level):
            self.breaks[index] = Break(index, level, label, ready)

    def say(self, text: str, kind: CueKind = "speech") -> None:
        text = _one_line(text)
        if text:
            self.cues.append(_cue(kind, text, speaking_seconds(text), self.at))

    def silence(self, seconds: float, kind: CueKind = "pause") -> None:
        if seconds <= 0:
            return
        last = self.cues[-1] if self.cues else None
        if last and last.kind == kind and last.position == self.at and len(self.cues) not in self.breaks:
            # Two silences in a row are heard as one, so they are one cue: renderers and pagers
            # then never see a silence cut in two where nothing was said.
            self.cues[-1] = _cue(kind, "", round(last.seconds + seconds, 2), self.at)
        else:
            self.cues.append(_cue(kind, "", round(seconds, 2), self.at))

    def timed(self, seconds: float, kind: CueKind, callouts: list[tuple[float, str, CueKind]]) -> None:
        """Silence of exactly ``seconds``, with words said at set times before its end.

        ``callouts`` are (seconds before the end, text, kind); the words take their share of the
        time, so the whole still lasts ``seconds``.
        """
        elapsed = 0.0
        for before_end, text, spoken_kind in sorted(callouts, key=lambda c: -c[0]):
            start = seconds - before_end
            if start < elapsed:
                continue
            self.silence(start - elapsed, kind)
            words = min(speaking_seconds(text), max(before_end, 0.5))
            self.cues.append(_cue(spoken_kind, text, round(words, 2), self.at))
            elapsed = start + words
        self.silence(seconds - elapsed, kind)

    def release(self) -> None:
        self.say(RELEASES[self.releases % len(RELEASES)])
        self.releases += 1

    def counted(self, times: int, movement: Movement) -> None:
        """``times`` repetitions, each cued by its number and phases, each taking the movement's time
        at the person's pace."""
        movement = at_pace(movement, self.pace)
        for n in range(1, times + 1):
            number = number_words(n)
            words = [f"{number}, {movement.phases[0]}", *movement.phases[1:]] if movement.phases else [number]
            slot = movement.seconds / len(words)
            for word in words:
                self.say(word, "count")
                self.silence(max(slot - speaking_seconds(word), MIN_GAP))


COUNTDOWN: list[tuple[float, str, CueKind]] = [
    (3, "three", "countdown"), (2, "two", "countdown"), (1, "one", "countdown")]


def _with(position: Position, **changes: object) -> Position:
    return dataclasses.replace(position, **changes)  # type: ignore[arg-type]


def _timed(step: Step) -> bool:
    return isinstance(step, Hold | Count | Move | Rest | Alphabet | Repeat)


def side_setup(steps: tuple[Step, ...]) -> int:
    """How many of a side's first steps get the person into position for it: the instructions before
    the first timed step, but for the one leading straight into it ("flex your foot", then "hold")."""
    leading = 0
    for step in steps:
        if not isinstance(step, Say):
            break
        leading += 1
    if leading == len(steps):
        return 0
    return max(leading - 1, 0)


class _ExerciseCompiler:
    def __init__(self, builder: _Builder, exercise: Exercise) -> None:
        self.b = builder
        self.exercise = exercise
        self.level = builder.level
        self.side: Side | None = None
        #: Whether the last thing said leads into the next step (an instruction, "Set two of three"),
        #: so that no break falls between them.
        self.after_say = True
        #: Whether instructions are getting the person into position (said as ``transition`` cues).
        self.leading = False

    def set_side(self, side: Side | None) -> None:
        self.side = side
        self.b.at = _with(self.b.at, side=side)

    def run_steps(self, steps: tuple[Step, ...], *, skip: int = 0) -> None:
        """Say and time ``steps`` in order, expanding repeats; the first ``skip`` were said already
        (a side's setup) but still count as steps a repeat goes back over."""
        done: list[Step] = []
        for number, step in enumerate(steps):
            if number < skip:
                done.append(step)
                continue
            if isinstance(step, Repeat):
                self.repeat(step, done)
                done = []
                continue
            if isinstance(step, SwitchSide):
                self.b.mark("side", f"your {step.side} {limb(self.exercise)}")
            elif not self.after_say:
                self.b.mark("step")
            self.step(step)
            self.after_say = isinstance(step, Say | SwitchSide)
            if isinstance(step, SwitchSide):
                done = []
            else:
                done.append(step)

    def repeat(self, step: Repeat, done: list[Step]) -> None:
        segment = tuple(done[-step.steps:] if step.steps else done)
        total = rounds(step, self.level)
        timed = any(isinstance(s, Hold | Count | Move | Rest | Alphabet) for s in segment)
        alternating = self.exercise.dose.sides == "alternating" and self.side is not None
        if timed and total > 1:
            self.b.mark("round", f"round {of(2, total)}")
        if step.text:
            self.b.say(fill(step.text, side=self.side, count=total - 1))
        if not timed:
            self.untimed_rounds(step, segment, total, alternating)
            return
        for n in range(2, total + 1):
            if n > 2:  # round two's break is before the repeat's own words, above
                self.b.mark("round", f"round {of(n, total)}")
            if alternating:
                self.set_side(other_side(self.side))  # type: ignore[arg-type]
                self.b.say(f"Round {of(n, total)}, {self.side} {limb(self.exercise)}.")
            else:
                self.b.say(f"Round {of(n, total)}.")
            self.after_say = True
            self.run_steps(segment)

    def untimed_rounds(self, step: Repeat, segment: tuple[Step, ...], total: int, alternating: bool) -> None:
        """An instruction with no time of its own, done once a round, each round cued by its movement."""
        said = " ".join(fill(s.spoken, side=self.side) for s in segment if isinstance(s, Say))
        movement = movement_for(said, phases=step.phases, seconds=step.seconds_each)
        if not alternating:
            self.b.counted(total, movement)
        else:
            # The side changes every round, so each round is said on its side, then done once.
            for n in range(1, total + 1):
                if n > 1:
                    self.set_side(other_side(self.side))  # type: ignore[arg-type]
                    for s in segment:
                        self.step(s)
                self.b.counted(1, movement)
        self.after_say = False

    def step(self, step: Step) -> None:
        b, level = self.b, self.level
        match step:
            case Say():
                b.say(fill(step.spoken, side=self.side), "transition" if self.leading else "speech")
                b.silence(SETTLE)
            case Hold(seconds, text):
                length = seconds.read(level, "seconds")
                b.say(fill(text, side=self.side, seconds=length) if text
                      else f"Hold for {seconds_words(length)}.")
                b.timed(length, "hold", COUNTDOWN if length >= COUNTDOWN_FROM else [])
                b.release()
            case Count(times, text, each, phases):
                n = int(times.read(level, "times"))
                words = fill(text, side=self.side, count=n)
                if not uses(text, "count"):
                    words = f"{words.rstrip('.')}, {number_words(n)} times."
                b.say(words)
                b.silence(SETTLE)
                b.counted(n, movement_for(words, phases=phases, seconds=each))
            case Move(seconds, text):
                length = seconds.read(level, "seconds")
                words = fill(text, side=self.side, seconds=length)
                if not uses(text, "seconds"):
                    words = f"{words.rstrip('.')}, for {seconds_words(length)}."
                b.say(words)
                b.say("Go.")
                callouts: list[tuple[float, str, CueKind]] = []
                if length >= 15:
                    callouts.append((10, "Ten seconds left.", "speech"))
                for mark in range(30, int(length), 30):
                    callouts.append((mark, f"{seconds_words(mark).capitalize()} left.", "speech"))
                b.timed(length, "move", callouts)
                b.say("And stop.")
            case Rest(seconds, text):
                length = seconds.read(level, "rest")
                b.say(fill(text, side=self.side, seconds=length) if text
                      else f"Rest for {seconds_words(length)}.")
                b.timed(length, "rest", [])
            case SwitchSide(side, text):
                self.set_side(side)
                b.say(fill(text, side=side) if text else f"Now the {side} {limb(self.exercise)}.")
                b.timed(SIDE_SETTLE, "settle", [])
            case Alphabet(text, each):
                b.say(fill(text, side=self.side))
                b.silence(SETTLE)
                for letter in string.ascii_uppercase:
                    b.say(letter, "letter")
                    b.silence(each - speaking_seconds(letter))
                b.say("That was the whole alphabet.")


def moves_in(exercise: Exercise, previous: Exercise | None) -> bool:
    """Whether ``exercise`` starts with a change: a new position, or something new to fetch."""
    if previous is None:
        return True
    if not set(previous.positions) & set(exercise.positions):
        return True
    had = {option for need in previous.needs for option in need}
    return any(not had.intersection(need) for need in exercise.needs)


def ready_words(exercise: Exercise, side: Side | None) -> str:
    """What "ready" means for ``exercise``: "you're lying down" or the pack's own words."""
    if exercise.ready:
        return fill(exercise.ready, side=side)
    return f"you're {POSITION_WORDS[exercise.positions[0]]}"


def _opening(exercise: Exercise, index: int, total: int) -> str:
    if total == 1:
        return ""  # the intro has just named it
    if index == 1:
        return f"First, {mid_sentence(exercise.name)}."
    if index == total:
        return f"And the last one, {mid_sentence(exercise.name)}."
    return OPENINGS[index % len(OPENINGS)].format(n=of(index, total), name=mid_sentence(exercise.name))


def _exercise(b: _Builder, exercise: Exercise, index: int, total: int, previous: Exercise | None) -> None:
    level, dose = b.level, exercise.dose
    sets = int(dose.sets.read(level, "sets"))
    sides = dose.sides
    order: list[Side | None]
    if sides == "each":
        order = [dose.first_side, other_side(dose.first_side)]
    elif sides == "alternating" or (sides == "one" and names_a_side(exercise)):
        order = [dose.first_side]
    else:
        order = [None]
    b.at = Position("exercise", index, total, exercise.id, exercise.name, 1, sets, order[0])
    moving = moves_in(exercise, previous)
    # A change of position ends the page after the words saying what to do, so those words join the
    # page before; otherwise the exercise is a page of its own from its first word.
    # Named by its number too: "say next for turn your feet in and out" is heard as an instruction.
    b.mark("step" if moving else "exercise", f"exercise {number_words(index)}, {mid_sentence(exercise.name)}")

    say = functools.partial(b.say, kind="transition")
    say(_opening(exercise, index, total))
    if exercise.about:
        say(exercise.about)
    had = set() if previous is None else {o for need in previous.needs for o in need}
    new_needs = tuple(need for need in exercise.needs if not had.intersection(need))
    if new_needs and previous is not None:
        say(f"You'll need {spoken_needs(new_needs)}.")
    for caution in exercise.cautions:
        say(caution)
    plan = {
        "each": f"on each {limb(exercise)}",
        "alternating": f"alternating {limbs(exercise)}, {dose.first_side} first",
    }.get(sides)
    if sets > 1:
        say(f"We'll do {number_words(sets)} sets" + (f", {plan}." if plan else "."))
    elif plan:
        say(f"We'll work {plan}.")
    compiler = _ExerciseCompiler(b, exercise)
    compiler.set_side(order[0])
    compiler.leading = True
    for step in exercise.setup:
        compiler.step(step)
    if not exercise.setup:
        if moving:
            say(POSITION_INSTRUCTIONS[exercise.positions[0]])
        else:
            say(f"This one is done {where_words(exercise.positions)}.")
    setup = side_setup(exercise.steps) if sides != "both" else 0
    if sides == "each":
        say(f"Start with your {order[0]} {limb(exercise)}.")
    for step in exercise.steps[:setup]:
        compiler.step(step)
    compiler.leading = False

    if moving:
        ready = ready_words(exercise, order[0])
        b.mark("transition", exercise.name, ready)
        if b.mode == "hands-free":
            b.timed(max(exercise.settle or 0, TRANSITION_SETTLE), "settle", COUNTDOWN)
    else:
        b.say("Get ready.")
        b.timed(GET_READY, "settle", [])
    b.say("Begin.")
    compiler.after_say = True

    for set_number in range(1, sets + 1):
        b.at = _with(b.at, set=set_number, side=order[0])
        if set_number > 1:
            b.mark("set", f"set {of(set_number, sets)}")
            b.say(f"Set {of(set_number, sets)}.")
            compiler.after_say = True
        for i, side in enumerate(order):
            compiler.set_side(side)
            first = set_number == 1 and i == 0
            if sides == "each" and not first:
                if i > 0:
                    b.mark("side", f"your {side} {limb(exercise)}")
                    b.say(f"Now switch to your {side} {limb(exercise)}.")
                else:
                    b.say(f"Back to your {side} {limb(exercise)}.")
                for step in exercise.steps[:setup]:
                    compiler.step(step)
                b.timed(SIDE_SETTLE, "settle", [])
                compiler.after_say = True
            compiler.run_steps(exercise.steps, skip=setup if sides == "each" or first else 0)
        if set_number < sets:
            rest = dose.rest_between_sets
            length = rest.read(level, "rest") if rest else DEFAULT_SET_REST
            b.say(f"Rest for {seconds_words(length)}." if rest else "Take a breather.")
            b.timed(length, "rest", [])


def _intro(routine: Routine, level: Level, briefing: Briefing, seconds: float) -> _Builder:
    b = _Builder(level, Position("intro", 0, len(routine.exercises)))
    count = len(routine.exercises)
    kind = "exercise" if count == 1 else "exercises"
    if level is Level.FIRST_TIME:
        how = ", gently"
    elif has_levels(routine):
        how = f" at the {level.spoken} level"
    else:
        how = ""
    b.say(f"{routine.title}. {number_words(count).capitalize()} {kind}, {spoken_minutes(seconds)}{how}.")
    if routine.intro:
        b.say(routine.intro)
    if routine.all_needs:
        b.say(f"You'll need {spoken_needs(routine.all_needs)}.")
    own = [c for c in routine.spoken_cautions if c in routine.cautions]
    safety = next((c for c in own if "pain-free" in c), None)
    if briefing == "reminder":
        b.say(safety or SAFETY_LINE)
    else:
        # The safety line is always heard: the pack's own words when its cautions say it, else ours.
        if safety is None:
            b.say(SAFETY_LINE)
        for caution in own:
            b.say(caution)
    if level is Level.FIRST_TIME:
        # The article's advice on new exercises is said once: ours only adds what it leaves out.
        advised = briefing == "full" and any("wait a day or two" in c for c in own)
        b.say(FIRST_TIME_SHORT if advised else FIRST_TIME_ADVICE)
    return b


def _outro(routine: Routine, level: Level) -> _Builder:
    b = _Builder(level, Position("outro", len(routine.exercises), len(routine.exercises)))
    b.say(f"That's the end of {mid_sentence(routine.title)}.")
    if routine.outro and level is not Level.FIRST_TIME:
        # A routine's closing advice ("stretch like this every morning") is for exercises that suit
        # the person; after a first go, the article's "wait a day or two" comes first, and both
        # together contradict each other.
        b.say(routine.outro)
    b.say("Well done for taking the time. Next time too, stay within a pain-free range.")
    return b


@functools.lru_cache(maxsize=256)
def _body(routine: Routine, level: Level, mode: Mode,
          pace: Pace = "normal") -> tuple[tuple[Cue, ...], tuple[Break, ...], tuple[Cue, ...]]:
    """The exercises' cues and breaks, and the closing's cues: all but the intro, which says their length."""
    body = _Builder(level, Position("exercise"), mode, pace)
    previous: Exercise | None = None
    for index, exercise in enumerate(routine.exercises, start=1):
        _exercise(body, exercise, index, len(routine.exercises), previous)
        previous = exercise
    return tuple(body.cues), tuple(body.breaks.values()), tuple(_outro(routine, level).cues)


def clear_caches() -> None:
    """Forget every compiled timeline (benchmarks measure the cold path with this)."""
    _body.cache_clear()
    compile_routine.cache_clear()
    _cue.cache_clear()


@functools.lru_cache(maxsize=512)
def compile_routine(routine: Routine, level: Level = Level.STANDARD, mode: Mode = "guided",
                    briefing: Briefing = "full", announce: float | None = None,
                    pace: Pace = "normal") -> Timeline:
    """The whole routine at ``level`` for ``mode``, as cues in the order they are heard.

    ``announce`` is the length the intro says ("about 11 minutes"); by default the cues' own. The
    narration passes its pages' length, prompts included, so that what is said is what is planned.
    ``pace`` is the person's (:data:`~footwork.core.movement.PACES`): the counts' pace, not the holds'.
    """
    body, marks, outro = _body(routine, level, mode, pace)
    rest = sum(c.seconds for c in (*body, *outro))
    if announce is None:
        intro = _intro(routine, level, briefing, rest)
        # The intro's own length can tip the rounded minutes it announces; say the whole.
        announce = rest + sum(c.seconds for c in intro.cues)
    intro = _intro(routine, level, briefing, announce)
    start = len(intro.cues)
    breaks = [Break(start + b.index, b.level, b.label, b.ready) for b in marks]
    return Timeline(
        routine, level, (*intro.cues, *body, *outro), tuple(sorted(breaks, key=lambda b: b.index)), mode,
    )
