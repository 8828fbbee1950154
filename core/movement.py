"""How a counted movement is cued: the words said through one repetition, and how long one takes.

A count of "one ... two" says nothing of the movement. So each repetition is cued by its phases
("one, up ... and down"), at a pace that follows the movement: a press is held a moment before
it relaxes, a circle takes longer than a tap, and the article's "slowly" is slower still. The
defaults here go by the words of the instruction; a pack names its own with ``phases`` and
``seconds_each`` on the step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: "Slowly raise and lower your heel": this much longer a repetition than the movement's own pace.
SLOWLY = 1.5
#: The pace of a movement nothing else is known of.
DEFAULT_SECONDS = 2.0

#: A person's pace, chosen by voice ("slower", "back to normal"): how much longer each repetition of
#: a counted movement takes. Never faster than the movement's own pace, which follows the article.
#: Holds, timed walks and rests are the article's seconds and never change with it.
Pace = Literal["normal", "slow"]
PACES: dict[Pace, float] = {"normal": 1.0, "slow": 1.5}


@dataclass(frozen=True)
class Movement:
    phases: tuple[str, ...]
    seconds: float


#: Kinds of movement by the words that name them, first match wins.
KINDS: tuple[tuple[re.Pattern[str], Movement], ...] = (
    (re.compile(r"\b(raise|lift|rise)\b.*\b(lower|down)\b|\bheel raise", re.I),
     Movement(("up", "and down"), 3.0)),
    (re.compile(r"\b(press|push|squeeze)\w*", re.I), Movement(("press", "and relax"), 5.0)),
    (re.compile(r"\bcircles?\b", re.I), Movement((), 3.0)),
    (re.compile(r"\b(point|flex)\b.*\b(flex|point)\b", re.I), Movement(("point", "and flex"), 3.0)),
    (re.compile(r"\b(tap|wiggle|curl)\w*", re.I), Movement((), 2.0)),
)


def movement_for(text: str, *, phases: tuple[str, ...] | None = None,
                 seconds: float | None = None) -> Movement:
    """The phases and pace of one repetition of ``text``'s movement; a pack's own values win."""
    found = next((m for pattern, m in KINDS if pattern.search(text)), Movement((), DEFAULT_SECONDS))
    pace = seconds if seconds is not None else found.seconds * (SLOWLY if re.search(r"\bslowly\b", text, re.I)
                                                                else 1.0)
    return Movement(phases if phases is not None else found.phases, pace)


def at_pace(movement: Movement, pace: Pace) -> Movement:
    """``movement`` at a person's ``pace``: the same phases, each repetition given longer."""
    factor = PACES[pace]
    return movement if factor == 1.0 else Movement(movement.phases, movement.seconds * factor)
