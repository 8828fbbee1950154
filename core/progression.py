"""Which level to do a routine at today, from the days and levels it was done at before.

The articles' advice: "do a new exercise only a couple of times, then wait a day or two before doing
more". As a rule over a person's history of one routine:

* never done: the first-time level (a couple of each);
* done today or yesterday: the same level again, never a step up (the body has not had its day or two);
* done two or more days ago: one level up from the last time, never more than one, and never beyond
  the standard level on its own (the strong level is the person's choice, not a default);
* not done for :data:`LONG_BREAK_DAYS` or more: one level down, as after any long break, but not back to
  the first-time level.

Only levels the routine really has are offered: a routine whose content gives no ranges has one level.
This is a pure function of its arguments; the skill keeps the history and says the reason aloud.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from ._model import Level

#: The order levels step through; a step up is one place to the right.
LADDER: tuple[Level, ...] = (Level.FIRST_TIME, Level.GENTLE, Level.STANDARD, Level.STRONG)

#: The highest level reached by stepping up on its own.
HIGHEST_BY_DEFAULT = Level.STANDARD

#: Days without the routine after which the level steps down one.
LONG_BREAK_DAYS = 30

#: Why today's level is what it is: no history; the last time was today or yesterday, so no step
#: up; enough rest since, so one step up; already at the top by default; a long break, so a step down;
#: the routine has one level only.
Reason = Literal["new", "too-soon", "step-up", "top", "long-break", "one-level"]


@dataclass(frozen=True)
class Progression:
    """Today's level, why, and the last time the routine was done (None when never)."""

    level: Level
    reason: Reason
    last_date: dt.date | None = None
    last_level: Level | None = None
    days_since: int | None = None


def level_for_today(
    history: Iterable[tuple[dt.date, Level]],
    today: dt.date,
    levels: Sequence[Level] = LADDER,
) -> Progression:
    """The level to do a routine at ``today``, given the ``(date, level)`` it was done at before.

    ``levels`` are the levels the routine really has, easiest first; entries dated after ``today``
    (a clock gone wrong) count as today.
    """
    offered = [level for level in LADDER if level in set(levels)] or [Level.STANDARD]
    done = sorted(((min(day, today), Level(level)) for day, level in history), key=lambda d: d[0])
    if len(offered) == 1:
        last = done[-1] if done else None
        return _result(offered[0], "one-level", last, today)
    if not done:
        return Progression(offered[0], "new")
    last_day = done[-1][0]
    # Of the sessions on the last day, the highest level counts: that is what the body last did.
    last_level = max((level for day, level in done if day == last_day), key=LADDER.index)
    here = _nearest(last_level, offered)
    gap = (today - last_day).days
    if gap <= 1:
        return _result(offered[here], "too-soon", (last_day, last_level), today)
    if gap >= LONG_BREAK_DAYS:
        lowest = 1 if len(offered) > 1 and offered[0] is Level.FIRST_TIME else 0
        return _result(offered[max(here - 1, lowest)], "long-break", (last_day, last_level), today)
    top = max(i for i, level in enumerate(offered) if LADDER.index(level) <= LADDER.index(HIGHEST_BY_DEFAULT))
    if here >= top:
        return _result(offered[here], "top", (last_day, last_level), today)
    return _result(offered[here + 1], "step-up", (last_day, last_level), today)


def _nearest(level: Level, offered: Sequence[Level]) -> int:
    """The index in ``offered`` of ``level``, or of the highest offered level below it."""
    rank = LADDER.index(level)
    below = [i for i, candidate in enumerate(offered) if LADDER.index(candidate) <= rank]
    return below[-1] if below else 0


def _result(level: Level, reason: Reason, last: tuple[dt.date, Level] | None, today: dt.date) -> Progression:
    if last is None:
        return Progression(level, reason)
    return Progression(level, reason, last[0], last[1], (today - last[0]).days)
