"""Which levels a routine really has, and the level a person gets when they ask for one.

A level only reads the content's ranges ("10-20 reps", "2-3 sets", "rest 10-15 seconds"): gentle
the low end, standard the middle, strong the high end (see :meth:`~footwork.core.Amount.read`).
First-time is the article's advice for anything new, "only a couple of times", and every routine has
it. A routine whose content gives no range has nothing for gentle or strong to read differently, so
it has one level besides first-time, standard, and asking for "harder" there gets standard, said as such.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from ._model import FIRST_TIME_MAX_TIMES, Amount, AmountKind, Count, Hold, Level, Move, Repeat, Rest, Routine


def amounts(routine: Routine) -> Iterator[tuple[Amount, AmountKind]]:
    """Every amount of the routine's content, with the kind a level reads it as."""
    for exercise in routine.exercises:
        dose = exercise.dose
        yield dose.sets, "sets"
        if dose.rest_between_sets is not None:
            yield dose.rest_between_sets, "rest"
        for step in (*exercise.setup, *exercise.steps):
            match step:
                case Hold(seconds) | Move(seconds):
                    yield seconds, "seconds"
                case Rest(seconds):
                    yield seconds, "rest"
                case Count(times) | Repeat(times):
                    yield times, "times"


def _reading(routine: Routine, level: Level) -> tuple[float, ...]:
    return tuple(amount.read(level, kind) for amount, kind in amounts(routine))


@functools.lru_cache(maxsize=256)
def levels(routine: Routine) -> tuple[Level, ...]:
    """The levels that differ for ``routine``, easiest first: first-time, then standard, and gentle and
    strong only where they read some range differently from standard."""
    standard = _reading(routine, Level.STANDARD)
    return tuple(level for level in Level
                 if level in (Level.FIRST_TIME, Level.STANDARD) or _reading(routine, level) != standard)


def level_for(routine: Routine, asked: Level | str) -> Level:
    """The level ``routine`` is really narrated at when ``asked`` is asked for: the asked level if the
    routine has it, else standard (a routine without that range reads it as standard)."""
    level = Level(asked)
    return level if level in levels(routine) else Level.STANDARD


def has_levels(routine: Routine) -> bool:
    """Whether a person can make ``routine`` easier or harder than standard (beyond first-time)."""
    return len(levels(routine)) > 2


def rounds(repeat: Repeat, level: Level) -> int:
    """How many rounds a repeat makes in all at ``level``: its times, one more where they are "more"
    times, and a couple at most the first time."""
    times = int(repeat.times.read(level, "times"))
    total = times + 1 if repeat.more else times
    return min(total, FIRST_TIME_MAX_TIMES) if level is Level.FIRST_TIME else total
