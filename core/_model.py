"""The content model: packs, routines, exercises, steps and doses.

Everything here is a frozen dataclass: content is loaded once at start-up and shared by every request,
so nothing may change it behind another request's back. Numbers that the articles give as ranges
("10-20 reps") stay ranges here; a :class:`~footwork.core.Level` picks one reading of them.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields
from typing import Literal, TypeAlias


class Level(enum.StrEnum):
    """How hard to read the ranges of the content.

    ``first-time`` follows the article's advice to do a new exercise "only a couple of times": two
    repetitions and one set at most, the gentle end of every hold and duration.
    """

    FIRST_TIME = "first-time"
    GENTLE = "gentle"
    STANDARD = "standard"
    STRONG = "strong"

    @property
    def spoken(self) -> str:
        return "first time" if self is Level.FIRST_TIME else self.value


#: What an amount counts; the level reads each kind differently. ``rest`` is seconds of rest, read the
#: other way round: a harder level rests less, never more.
AmountKind: TypeAlias = Literal["times", "sets", "seconds", "rest"]

FIRST_TIME_MAX_TIMES = 2


@dataclass(frozen=True)
class Amount:
    """An exact number (``low == high``) or the article's range ("10-20")."""

    low: float
    high: float

    @classmethod
    def exactly(cls, value: float) -> Amount:
        return cls(value, value)

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    def read(self, level: Level, kind: AmountKind) -> float:
        """The one number this amount stands for at ``level``.

        Only a range is read differently by level: gentle takes its low end, standard its middle,
        strong its high end, and rests the other way round. First-time is the article's "a couple
        of times": two repetitions and one set at most, the gentle end of every hold, the longest rest.
        """
        if kind == "rest":
            if level in (Level.FIRST_TIME, Level.GENTLE):
                return self.high
            if level is Level.STRONG:
                return self.low
            # Whole seconds are easier to say: "rest for 13 seconds", not "12 and a half".
            return math.floor((self.low + self.high) / 2 + 0.5)
        if level is Level.FIRST_TIME:
            if kind == "times":
                return min(self.low, FIRST_TIME_MAX_TIMES)
            if kind == "sets":
                return 1
            return self.low
        if level is Level.GENTLE:
            return self.low
        if level is Level.STRONG:
            return self.high
        if kind == "seconds":
            return math.floor((self.low + self.high) / 2 + 0.5)
        # Counts and sets round down: the middle of "2-3 sets" is 2, and strong is the one that reaches 3.
        return math.floor((self.low + self.high) / 2)

    def __str__(self) -> str:
        def fmt(x: float) -> str:
            return str(int(x)) if float(x).is_integer() else f"{x:g}"

        return fmt(self.low) if not self.is_range else f"{fmt(self.low)}-{fmt(self.high)}"


Position = Literal["lying", "seated", "standing", "supported-standing"]
POSITIONS: tuple[str, ...] = ("lying", "seated", "standing", "supported-standing")

Side = Literal["left", "right"]
SIDES: tuple[str, ...] = ("left", "right")

#: one: a single foot, no switching; both: both feet together; each: the whole exercise on one side,
#: then on the other; alternating: the side changes with every repetition.
Sides = Literal["one", "both", "each", "alternating"]
SIDES_MODES: tuple[str, ...] = ("one", "both", "each", "alternating")

#: Equipment a person may need, with how it is said aloud.
EQUIPMENT: dict[str, str] = {
    "chair": "a sturdy chair",
    "table": "a table",
    "towel": "a towel",
    "bed": "a bed",
    "floor": "some clear floor space",
    "wall": "a wall",
    "mat": "an exercise mat",
    "ankle-weights": "ankle weights",
}


def other_side(side: Side) -> Side:
    return "right" if side == "left" else "left"


# --- steps ---------------------------------------------------------------------------------------
# Step texts may use {side} and {other} (the working side and the other one, "left"/"right");
# counted and timed steps may also use {count} and {seconds}. Where they do not, the narrator adds
# the number in plain words.


@dataclass(frozen=True)
class Say:
    """An instruction: "Place a rolled towel under the calf of your {side} leg.".

    ``aloud``, where given, is what is said instead of ``text``: the article's words stay on the card
    (``text``) while the spoken line says the same thing in words that cannot be misheard without a
    picture ("rock back onto your heels, lifting your toes" for "roll back onto your ankles").
    """

    text: str
    aloud: str | None = None

    @property
    def spoken(self) -> str:
        return self.aloud or self.text


@dataclass(frozen=True)
class Hold:
    """A timed hold: silence of ``seconds``, "hold" going in and "and release" coming out."""

    seconds: Amount
    text: str | None = None


@dataclass(frozen=True)
class Count:
    """A counted movement, counted aloud: "Make {count} small clockwise circles with both feet.".

    ``seconds_each`` and ``phases`` (the words said through one movement: "up", "and down") default
    to the kind of movement the text names (see :mod:`footwork.core.movement`).
    """

    times: Amount
    text: str
    seconds_each: float | None = None
    phases: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Move:
    """A timed movement, with the time called out: "Walk forward on your tiptoes"."""

    seconds: Amount
    text: str


@dataclass(frozen=True)
class Rest:
    """A rest: silence with "rest" going in."""

    seconds: Amount
    text: str | None = None


@dataclass(frozen=True)
class SwitchSide:
    """An explicit side change: "now the right foot"."""

    side: Side
    text: str | None = None


@dataclass(frozen=True)
class Repeat:
    """Repeat the steps before it.

    ``steps`` is how many of the steps just before it are repeated (None: all of them since the start
    or the last repeat or side change). ``times`` counts the rounds in all, unless ``more`` is set, in
    which case it counts the extra rounds ("repeat the whole routine 5 more times").
    """

    times: Amount
    steps: int | None = None
    more: bool = False
    text: str | None = None
    #: For a repeated instruction with no time of its own, counted once a round: as for :class:`Count`.
    seconds_each: float | None = None
    phases: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Alphabet:
    """Trace the alphabet letter by letter: "with your big toe, outline each letter"."""

    text: str
    seconds_per_letter: float = 2.0


Step: TypeAlias = Say | Hold | Count | Move | Rest | SwitchSide | Repeat | Alphabet


@dataclass(frozen=True)
class Dose:
    """How much of an exercise: sets, the rest between them, and which sides."""

    sets: Amount = Amount.exactly(1)
    rest_between_sets: Amount | None = None
    sides: Sides = "one"
    first_side: Side = "left"


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    positions: tuple[Position, ...]
    steps: tuple[Step, ...]
    dose: Dose = Dose()
    #: Said once before the first set and side: getting into position, fetching the towel.
    setup: tuple[Step, ...] = ()
    needs: tuple[tuple[str, ...], ...] = ()
    cautions: tuple[str, ...] = ()
    about: str | None = None
    #: What "ready" means when getting into position for it: "you're lying down with a rolled towel
    #: under your {side} calf"; by default, said from its position.
    ready: str | None = None
    #: Seconds to get into position, hands-free, when it starts in a new position (at least 10).
    settle: float | None = None
    #: The pack that defines it; set by the loader.
    pack: str = ""

    @property
    def ref(self) -> str:
        """The cross-pack address, ``pack:exercise``."""
        return f"{self.pack}:{self.id}"


@dataclass(frozen=True)
class Routine:
    id: str
    title: str
    exercises: tuple[Exercise, ...]
    intro: str | None = None
    outro: str | None = None
    cautions: tuple[str, ...] = ()
    #: Extra equipment beyond what the exercises need.
    needs: tuple[tuple[str, ...], ...] = ()
    #: Other names a person may say for it: "ankle exercises".
    synonyms: tuple[str, ...] = ()
    pack: str = ""
    #: Cautions that concern one piece of equipment, as (caution, equipment): said only when an
    #: exercise of the routine needs it. Each is in ``cautions`` too.
    caution_needs: tuple[tuple[str, str], ...] = ()

    def __hash__(self) -> int:
        # What the dataclass would compute (the hash of the fields' tuple), computed once: a routine is
        # hashed on every narration cache look-up, and hashing walks every exercise, step and amount in
        # it. Frozen, it never changes; equality is the dataclass's, field by field.
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash(tuple(getattr(self, name) for name in _ROUTINE_FIELDS))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self) -> dict[str, object]:
        # A str's hash differs from one process to the next: a pickled routine leaves its hash behind.
        state = dict(self.__dict__)
        state.pop("_hash", None)
        return state

    @property
    def all_needs(self) -> tuple[tuple[str, ...], ...]:
        """Everything the routine needs, each need once, in the order first met.

        "A table or a chair" goes when "a chair" is needed anyway.
        """
        seen: list[tuple[str, ...]] = []
        for need in (*self.needs, *(n for e in self.exercises for n in e.needs)):
            if need not in seen:
                seen.append(need)
        singles = {need[0] for need in seen if len(need) == 1}
        return tuple(need for need in seen if len(need) == 1 or not singles.intersection(need))

    @property
    def spoken_cautions(self) -> tuple[str, ...]:
        """The cautions that concern this routine's exercises: a caution about equipment only when an
        exercise needs that equipment."""
        needed = {option for need in self.all_needs for option in need}
        about = dict(self.caution_needs)
        return tuple(c for c in self.all_cautions if c not in about or about[c] in needed)

    @property
    def all_cautions(self) -> tuple[str, ...]:
        seen: list[str] = []
        for caution in (*self.cautions, *(c for e in self.exercises for c in e.cautions)):
            if caution not in seen:
                seen.append(caution)
        return tuple(seen)


_ROUTINE_FIELDS = tuple(f.name for f in fields(Routine))


@dataclass(frozen=True)
class Source:
    """Where the content comes from: the article, its address and its terms."""

    title: str
    url: str | None = None
    terms: str | None = None
    author: str | None = None
    #: The pack's own content, retold from no article: ``author`` wrote it, ``title`` describes it.
    original: bool = False


@dataclass(frozen=True)
class Pack:
    name: str
    title: str
    version: str
    description: str
    source: Source
    language: str = "en"
    schema: int = 1
    exercises: tuple[Exercise, ...] = ()
    routines: tuple[Routine, ...] = ()
    #: Routines as written in the data file, before exercise references are resolved:
    #: (routine fields, exercise refs). Resolution needs every pack loaded first.
    unresolved: tuple[tuple[Routine, tuple[str, ...]], ...] = field(default=(), repr=False)
