"""Compiling a routine, at a level, into a timeline of cues: speech and silence, each with its length.

The timeline is what the person hears, in order, before anything decides how to say it: renderers
turn it into SSML, a transcript, JSON or audio, and the pager cuts it into Alexa responses at the
natural points (:class:`Break`) marked here, where the compiler still knows the structure: between
exercises, sets, sides, rounds and whole steps. Every duration is planned here, so a routine's
estimated length is the sum of its cues.

Silences are exact: a 5-second hold is 5 seconds of silence between "hold" and "and release". The
length of speech is an estimate at :data:`WORDS_PER_MINUTE`; the audio preview speaks at that rate.
"""

from __future__ import annotations

import functools
import re
import string
from dataclasses import dataclass, field
from typing import Literal

from ._model import (
    EQUIPMENT,
    FIRST_TIME_MAX_TIMES,
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

#: The speaking rate speech is planned at: Alexa's default voice is close to 150 words a minute.
WORDS_PER_MINUTE = 150
#: A sentence's end is a short pause of its own.
SENTENCE_PAUSE = 0.35
#: Holds of this length or more end with a spoken countdown.
COUNTDOWN_FROM = 10
#: A round of an instruction that has no time of its own ("gently press your foot"): time to do it.
SECONDS_PER_REP = 3.0
#: The breather between sets when the content gives no rest.
DEFAULT_SET_REST = 5.0
#: The pause after an instruction, to get into it before the counting or the hold starts.
SETTLE = 1.0

CueKind = Literal["speech", "count", "letter", "countdown", "hold", "rest", "move", "pause"]
#: Where a natural point to pause falls in the structure, coarsest first: the pager cuts a routine
#: at the coarsest level that gives pages of a comfortable length.
BreakLevel = Literal["exercise", "set", "side", "round", "step"]
BREAK_LEVELS: tuple[BreakLevel, ...] = ("exercise", "set", "side", "round", "step")
SPOKEN_KINDS = frozenset({"speech", "count", "letter", "countdown"})
Section = Literal["intro", "exercise", "outro"]

SAFETY_LINE = (
    "Move only within a pain-free range of motion. If anything hurts, stop, and don't push through pain."
)
POSITION_WORDS = {
    "lying": "lying down",
    "seated": "sitting",
    "standing": "standing",
    "supported-standing": "standing, holding on to something steady for support",
}
ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
ONE_TIMES = re.compile(r"\b(one (?:more )?)times\b", re.IGNORECASE)
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """A whole number as words, for counting aloud: 21 -> "twenty-one"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    return str(n)


def seconds_words(seconds: float) -> str:
    """Seconds as said aloud: 5 -> "5 seconds", 12.5 -> "12 and a half seconds", 90 -> "a minute and a half",
    120 -> "2 minutes"."""
    minutes, rest = divmod(seconds, 60)
    if seconds >= 60 and rest in (0, 30):
        half = " and a half" if rest else ""
        if minutes == 1:
            return f"a minute{half}"
        return f"{int(minutes)}{half} minutes"
    return f"{seconds_number(seconds)} second" + ("" if seconds == 1 else "s")


def seconds_number(seconds: float) -> str:
    """The number alone, for a ``{seconds}`` placeholder: 20 -> "20", 12.5 -> "12 and a half"."""
    whole = int(seconds)
    return f"{whole} and a half" if seconds - whole >= 0.5 else str(whole)


def speaking_seconds(text: str) -> float:
    """How long ``text`` takes to say at :data:`WORDS_PER_MINUTE`, with a pause at each sentence end."""
    words = len(re.findall(r"[\w'-]+", text))
    sentences = len(re.findall(r"[.!?]+(?:\s|$)", text)) or 1
    return round(words * 60 / WORDS_PER_MINUTE + sentences * SENTENCE_PAUSE, 2)


def spoken_list(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def spoken_needs(needs: tuple[tuple[str, ...], ...]) -> str:
    """ (("towel",), ("bed", "floor")) -> "a towel and a bed or some clear floor space"."""
    return spoken_list([spoken_list([EQUIPMENT[o] for o in options], "or") for options in needs])


def spoken_minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return "about a minute" if minutes == 1 else f"about {minutes} minutes"


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Break:
    """A natural point to pause: a page may start at cue ``index``, where a ``level`` part begins.

    ``label`` names what begins there as a prompt says it ("set two of three", "Toe walking"); None
    for a step, which has no name of its own. Breaks fall between whole steps only, never inside a
    hold or a count, and never between an instruction and the hold or count it leads into.
    """

    index: int
    level: BreakLevel
    label: str | None = None


@dataclass(frozen=True)
class Timeline:
    """The cues of a routine at a level, with the natural points (``breaks``) where it may be paged."""

    routine: Routine
    level: Level
    cues: tuple[Cue, ...]
    breaks: tuple[Break, ...] = ()

    @property
    def planned_seconds(self) -> float:
        return round(sum(c.seconds for c in self.cues), 2)


@dataclass
class _Builder:
    """Collects cues for one routine at one level; ``at`` is the position of what comes next."""

    level: Level
    at: Position
    cues: list[Cue] = field(default_factory=list)
    breaks: dict[int, Break] = field(default_factory=dict)

    def mark(self, level: BreakLevel, label: str | None = None) -> None:
        """Note that what comes next is a natural point to pause; the coarsest mark at a point wins."""
        index = len(self.cues)
        known = self.breaks.get(index)
        if known is None or BREAK_LEVELS.index(level) < BREAK_LEVELS.index(known.level):
            self.breaks[index] = Break(index, level, label)

    def say(self, text: str, kind: CueKind = "speech") -> None:
        text = " ".join(text.split())
        if text:
            self.cues.append(Cue(kind, text, speaking_seconds(text), self.at))

    def silence(self, seconds: float, kind: CueKind = "pause") -> None:
        if seconds <= 0:
            return
        last = self.cues[-1] if self.cues else None
        if last and last.kind == kind and last.position == self.at and len(self.cues) not in self.breaks:
            # Two silences in a row are heard as one, so they are one cue: renderers and pagers
            # then never see a silence cut in two where nothing was said.
            self.cues[-1] = Cue(kind, "", round(last.seconds + seconds, 2), self.at)
        else:
            self.cues.append(Cue(kind, "", round(seconds, 2), self.at))

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
            self.cues.append(Cue(spoken_kind, text, round(words, 2), self.at))
            elapsed = start + words
        self.silence(seconds - elapsed, kind)


def _fill(text: str, *, side: Side | None, count: float | None = None, seconds: float | None = None) -> str:
    values = {
        "side": side or "left",
        "other": other_side(side or "left"),
        "count": number_words(int(count)) if count is not None else "",
        "seconds": seconds_number(seconds) if seconds is not None else "",
    }
    # "{count} more times" read at one is "one more time".
    return ONE_TIMES.sub(r"\1time", string.Formatter().vformat(text, (), values))


def _uses(text: str | None, name: str) -> bool:
    return bool(text) and "{" + name + "}" in text  # type: ignore[operator]


def _limb(exercise: Exercise) -> str:
    """Whether the exercise talks of legs or of feet, so a side change can say the same."""
    words = " ".join(s.text or "" for s in exercise.steps if isinstance(s, Say | Count | Move | Alphabet))
    return "leg" if " leg" in words and " foot" not in words else "foot"


def _names_a_side(exercise: Exercise) -> bool:
    texts = [getattr(s, "text", None) for s in exercise.steps]
    return any(_uses(t, "side") or _uses(t, "other") for t in texts)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


class _ExerciseCompiler:
    def __init__(self, builder: _Builder, exercise: Exercise) -> None:
        self.b = builder
        self.exercise = exercise
        self.level = builder.level
        self.side: Side | None = None
        #: Whether the last thing said leads into the next step (an instruction, "Set two of three"),
        #: so that no break falls between them. The exercise's announcement leads into its setup.
        self.after_say = True

    def run_steps(self, steps: tuple[Step, ...], *, brief: bool = False) -> None:
        """Say and time ``steps`` in order, expanding repeats. ``brief``: a later round, shorter words."""
        done: list[Step] = []
        for step in steps:
            if isinstance(step, Repeat):
                self.repeat(step, done)
                done = []
                continue
            if isinstance(step, SwitchSide):
                self.b.mark("side", f"your {step.side} {_limb(self.exercise)}")
            elif not self.after_say:
                self.b.mark("step")
            self.step(step, brief=brief)
            self.after_say = isinstance(step, Say | SwitchSide)
            if isinstance(step, SwitchSide):
                done = []
            else:
                done.append(step)

    def repeat(self, step: Repeat, done: list[Step]) -> None:
        segment = done[-step.steps:] if step.steps else done
        rounds = int(step.times.read(self.level, "times"))
        total = rounds + 1 if step.more else rounds
        if self.level is Level.FIRST_TIME:
            total = min(total, FIRST_TIME_MAX_TIMES)
        extra = total - 1
        timed = any(isinstance(s, Hold | Count | Move | Rest | Alphabet) for s in segment)
        if timed and total > 1:
            self.b.mark("round", f"round two of {number_words(total)}")
        if step.text:
            self.b.say(_fill(step.text, side=self.side, count=extra))
        if not timed:
            # An instruction with no time of its own is done once per count: "one ... two ... three".
            for n in range(1, total + 1):
                self.b.say(number_words(n), "count")
                self.b.silence(SECONDS_PER_REP - speaking_seconds(number_words(n)))
            self.after_say = False
            return
        alternating = self.exercise.dose.sides == "alternating"
        for n in range(2, total + 1):
            if n > 2:  # round two's break is before the repeat's own words, above
                self.b.mark("round", f"round {number_words(n)} of {number_words(total)}")
            if alternating and self.side:
                self.side = other_side(self.side)
                self.b.at = _with(self.b.at, side=self.side)
                self.b.say(f"Round {number_words(n)} of {number_words(total)}, {self.side} side.")
            else:
                self.b.say(f"Round {number_words(n)} of {number_words(total)}.")
            self.after_say = True
            self.run_steps(tuple(segment), brief=True)

    def step(self, step: Step, *, brief: bool) -> None:
        b, level = self.b, self.level
        match step:
            case Say(text):
                text = _fill(text, side=self.side)
                b.say(_first_sentence(text) if brief else text)
                if not brief:
                    b.silence(SETTLE)
            case Hold(seconds, text):
                length = seconds.read(level, "seconds")
                b.say(_fill(text, side=self.side, seconds=length) if text
                      else f"Hold for {seconds_words(length)}.")
                callouts: list[tuple[float, str, CueKind]] = []
                if length >= COUNTDOWN_FROM:
                    callouts = [(3, "three", "countdown"), (2, "two", "countdown"), (1, "one", "countdown")]
                b.timed(length, "hold", callouts)
                b.say("And release.")
            case Count(times, text, each):
                n = int(times.read(level, "times"))
                words = _fill(text, side=self.side, count=n)
                if not _uses(text, "count"):
                    words = _fill(f"{words.rstrip('.')}, {number_words(n)} times.", side=self.side)
                b.say(words)
                b.silence(SETTLE)
                for i in range(1, n + 1):
                    said = number_words(i)
                    b.say(said, "count")
                    b.silence(each - speaking_seconds(said))
            case Move(seconds, text):
                length = seconds.read(level, "seconds")
                words = _fill(text, side=self.side, seconds=length)
                if not _uses(text, "seconds"):
                    words = f"{words.rstrip('.')}, for {seconds_words(length)}."
                b.say(words)
                b.say("Go.")
                callouts = []
                if length >= 15:
                    callouts.append((10, "Ten seconds left.", "speech"))
                for mark in range(30, int(length), 30):
                    callouts.append((mark, f"{seconds_words(mark).capitalize()} left.", "speech"))
                b.timed(length, "move", callouts)
                b.say("And stop.")
            case Rest(seconds, text):
                length = seconds.read(level, "rest")
                b.say(_fill(text, side=self.side, seconds=length) if text
                      else f"Rest for {seconds_words(length)}.")
                b.timed(length, "rest", [])
            case SwitchSide(side, text):
                self.side = side
                b.at = _with(b.at, side=side)
                b.say(_fill(text, side=side) if text else f"Now the {side} {_limb(self.exercise)}.")
            case Alphabet(text, each):
                b.say(_fill(text, side=self.side))
                b.silence(SETTLE)
                for letter in string.ascii_uppercase:
                    b.say(letter, "letter")
                    b.silence(each - speaking_seconds(letter))
                b.say("That's the whole alphabet.")


def _with(position: Position, **changes: object) -> Position:
    return Position(**{**position.__dict__, **changes})  # type: ignore[arg-type]


def _exercise(b: _Builder, exercise: Exercise, index: int, total: int) -> None:
    level = b.level
    sets = int(exercise.dose.sets.read(level, "sets"))
    b.at = Position("exercise", index, total, exercise.id, exercise.name, 1, sets, None)
    b.mark("exercise", exercise.name)
    where = spoken_list([POSITION_WORDS[p] for p in exercise.positions], "or")
    b.say(f"Exercise {number_words(index)} of {number_words(total)}: {exercise.name}. "
          f"This one is done {where}.")
    if exercise.about:
        b.say(exercise.about)
    if exercise.needs:
        b.say(f"You'll need {spoken_needs(exercise.needs)}.")
    for caution in exercise.cautions:
        b.say(caution)
    sides = exercise.dose.sides
    limb = _limb(exercise)
    first = exercise.dose.first_side
    plan = {
        "each": f"on each {limb}, {first} first",
        "alternating": f"alternating {limb}s, {first} first",
    }.get(sides)
    if sets > 1:
        b.say(f"We'll do {number_words(sets)} sets" + (f", {plan}." if plan else "."))
    elif plan:
        b.say(f"We'll work {plan}.")

    compiler = _ExerciseCompiler(b, exercise)
    compiler.run_steps(exercise.setup)
    order: list[Side | None]
    if sides == "each":
        order = [exercise.dose.first_side, other_side(exercise.dose.first_side)]
    elif sides == "alternating" or (sides == "one" and _names_a_side(exercise)):
        order = [exercise.dose.first_side]
    else:
        order = [None]
    for set_number in range(1, sets + 1):
        b.at = _with(b.at, set=set_number, side=order[0])
        if set_number > 1:
            b.mark("set", f"set {number_words(set_number)} of {number_words(sets)}")
        if sets > 1:
            b.say(f"Set {number_words(set_number)} of {number_words(sets)}.")
            compiler.after_say = True
        for i, side in enumerate(order):
            compiler.side = side
            b.at = _with(b.at, side=side)
            if sides == "each":
                if i > 0:
                    b.mark("side", f"your {side} {limb}")
                b.say(f"{'Start with' if i == 0 else 'Now switch to'} your {side} {limb}.")
                compiler.after_say = True
            compiler.run_steps(exercise.steps, brief=set_number > 1 or i > 0)
        if set_number < sets:
            rest = exercise.dose.rest_between_sets
            length = rest.read(level, "rest") if rest else DEFAULT_SET_REST
            b.say(f"Rest for {seconds_words(length)}." if rest else "Take a breather.")
            b.timed(length, "rest", [])
    b.say(f"That's {exercise.name} done." if index < total else f"That's {exercise.name} done, the last one.")


def _intro(routine: Routine, level: Level, body_seconds: float) -> _Builder:
    b = _Builder(level, Position("intro", 0, len(routine.exercises)))
    count = len(routine.exercises)
    kind = "exercise" if count == 1 else "exercises"
    b.say(f"{routine.title}. {number_words(count).capitalize()} {kind}, {spoken_minutes(body_seconds)}"
          f" at the {level.spoken} level.")
    if routine.intro:
        b.say(routine.intro)
    if routine.all_needs:
        b.say(f"You'll need {spoken_needs(routine.all_needs)}.")
    # The safety line is always heard once: the pack's own words when its cautions say it, else ours.
    if not any("pain-free" in caution for caution in routine.cautions):
        b.say(SAFETY_LINE)
    if level is Level.FIRST_TIME:
        b.say("As it's your first time, we'll do only a couple of each. Then wait a day or two to see how "
              "you feel before doing more.")
    for caution in routine.cautions:
        b.say(caution)
    return b


def _outro(routine: Routine, level: Level) -> _Builder:
    b = _Builder(level, Position("outro", len(routine.exercises), len(routine.exercises)))
    b.say(f"That's the end of {routine.title}.")
    if routine.outro:
        b.say(routine.outro)
    b.say("Well done for taking the time. Next time too, stay within a pain-free range.")
    return b


@functools.lru_cache(maxsize=256)
def compile_routine(routine: Routine, level: Level = Level.STANDARD) -> Timeline:
    """The whole routine at ``level``, as cues in the order they are heard."""
    body = _Builder(level, Position("exercise"))
    for index, exercise in enumerate(routine.exercises, start=1):
        _exercise(body, exercise, index, len(routine.exercises))
    outro = _outro(routine, level)
    rest = sum(c.seconds for c in (*body.cues, *outro.cues))
    intro = _intro(routine, level, rest)
    total = rest + sum(c.seconds for c in intro.cues)
    # The intro's own length can tip the rounded minutes it announces; say the whole.
    intro = _intro(routine, level, total)
    start, end = len(intro.cues), len(intro.cues) + len(body.cues)
    breaks = [Break(start + b.index, b.level, b.label) for b in body.breaks.values()]
    breaks.append(Break(end, "exercise", "the wrap-up"))
    return Timeline(
        routine, level, tuple((*intro.cues, *body.cues, *outro.cues)),
        tuple(sorted(breaks, key=lambda b: b.index)),
    )
