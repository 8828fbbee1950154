"""Which level a person gets, and the words that say why.

The rule itself is the core's (:func:`footwork.core.progression.level_for_today`, the articles' "a
couple of times, then wait a day or two"); this module feeds it the person's history, says its
reason in one short sentence, steps a level up or down on request, and words the ending so it
agrees with the same advice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from footwork.core import Level, Routine
from footwork.core.levels import levels
from footwork.core.progression import LADDER, Progression, level_for_today
from footwork.core.wording import mid_sentence, number_words

from . import progress as memory


def todays_level(progress: dict[str, Any], routine: Routine, today: dt.date) -> Progression:
    return level_for_today(memory.history(progress, routine.id), today, levels(routine))


def why(progression: Progression, routine: Routine) -> str:
    """Today's level and its reason, in one short sentence; empty where the intro says it already."""
    title, level = mid_sentence(routine.title), progression.level.spoken
    days = progression.days_since
    when = "today" if days == 0 else "yesterday" if days == 1 else f"{number_words(days or 0)} days ago"
    if progression.reason == "too-soon":
        if progression.last_level is Level.FIRST_TIME:
            return f"You did {title} {when} for the first time, so we'll keep it to a couple again."
        return f"You did {title} {when}, so we'll stay at the {level} level."
    if progression.reason == "step-up":
        return f"You did {title} {when}, and rested since, so we'll step up to the {level} level."
    if progression.reason == "top":
        return f"{routine.title} at the {level} level, as last time."
    if progression.reason == "long-break":
        return f"It's been a while since you did {title}, so we'll ease back in at the {level} level."
    return ""


def step(routine: Routine, level: Level, direction: int) -> Level | None:
    """The level one step easier (-1) or harder (+1) than ``level``; None when there is none."""
    offered = levels(routine)
    rank = LADDER.index(level)
    if direction < 0:
        lower = [lv for lv in offered if LADDER.index(lv) < rank]
        return lower[-1] if lower else None
    higher = [lv for lv in offered if LADDER.index(lv) > rank]
    return higher[0] if higher else None


#: Said when a person asks for more while the routine is still new to them (its first-time level): the
#: choice is theirs, and the article's advice goes with it.
STEPPING_UP_EARLY = ("While it's new to you, the advice is only a couple of each, then a day or two's "
                     "wait; so do only as many as you feel comfortable with, and stop if anything hurts.")


def ending(level: Level, streak: int) -> str:
    """What is said after the last page, in line with the articles' advice."""
    if level is Level.FIRST_TIME:
        # Also the second day's level, and anyone's who asked for the easiest: not "your first time".
        return ("That was only a couple of each. Wait a day or two to see how you feel before doing "
                "more.")
    if streak >= 2:
        return f"That's {number_words(streak)} days in a row. See you next time."
    return "See you next time."
