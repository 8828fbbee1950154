"""The place: where a person is in a routine, as a position rather than a page number.

A place names the routine, its level and mode, and a position inside it: the exercise (0 for the
introduction, one past the last for the wrap-up), the set, the side and the round. Pages differ from
one level or mode to another, positions do not, so a place survives a change of level, of mode, or
of the pack's paging: it always comes back as the page where that position starts, and a position
that the new level lacks (a third set at a level with two) is brought back to the nearest one
before it. No change of place ever skips work.

Places come from the session (the request, which anyone can forge) and from storage (written by
older versions): both go through :meth:`Place.from_json`, which checks every field against the
catalog and reads the old ``{"page": n}`` format.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from footwork.core import Catalog, Level, Routine, routine_ref
from footwork.core.narration import MODES, Mode, Narration, narrate

#: Sets and rounds beyond this are no content's; a larger number in a request is refused.
MOST_SETS_OR_ROUNDS = 99
SIDES = ("left", "right")


@dataclass(frozen=True)
class Place:
    """A position in a routine at a level, in a mode."""

    #: The routine's qualified id, ``pack:routine`` (a bare id, as older versions stored, is read too).
    routine: str
    level: str
    mode: str
    exercise: int = 0
    set: int = 1
    side: str | None = None
    round: int = 1
    #: Which page of those starting at this position, when a long part takes more than one.
    part: int = 1

    def as_json(self) -> dict[str, Any]:
        return {"routine": self.routine, "level": self.level, "mode": self.mode, "exercise": self.exercise,
                "set": self.set, "side": self.side, "round": self.round, "part": self.part}

    @property
    def level_value(self) -> Level:
        return Level(self.level)

    @property
    def mode_value(self) -> Mode:
        return "hands-free" if self.mode == "hands-free" else "guided"

    @classmethod
    def from_json(cls, data: Any, catalog: Catalog) -> Place | None:
        """A place read back from the session or storage, checked against ``catalog``.

        None when anything is missing, of the wrong type or names what the catalog lacks. A place
        in the old format (a page number) is read as the position where that page starts.
        """
        if not isinstance(data, dict):
            return None
        routine_id, level, mode = data.get("routine"), data.get("level"), data.get("mode")
        if not isinstance(routine_id, str) or not isinstance(level, str) or not isinstance(mode, str):
            return None
        routine = catalog.get(routine_id) if len(routine_id) <= 200 else None
        if routine is None or level not in {lv.value for lv in Level} or mode not in MODES:
            return None
        if "exercise" not in data and "page" in data:
            return _migrate(routine, level, mode, data["page"])
        exercise, set_number, round_number = data.get("exercise"), data.get("set", 1), data.get("round", 1)
        part, side = data.get("part", 1), data.get("side")
        numbers = (exercise, set_number, round_number, part)
        if not (isinstance(exercise, int) and all(_whole(n) for n in numbers)):
            return None
        if not 0 <= exercise <= len(routine.exercises) + 1:
            return None
        if not all(1 <= n <= MOST_SETS_OR_ROUNDS for n in (set_number, round_number, part)):
            return None
        if side is not None and side not in SIDES:
            return None
        return cls(routine_ref(routine), level, mode, exercise, set_number, side, round_number, part)

def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _migrate(routine: Routine, level: str, mode: str, page: Any) -> Place | None:
    if not _whole(page) or page < 0:
        return None
    # The old page counted the narration the old version said, which opened with every caution.
    narration = narrate(routine, Level(level), "hands-free" if mode == "hands-free" else "guided")
    return place_of_page(narration, min(page, len(narration.pages) - 1))


# --- positions of the cues -------------------------------------------------------------------------

Key = tuple[int, int, str | None, int]  # exercise, set, side, round


class _Positions:
    """Where every cue of one narration sits, and where each page starts (computed once per narration)."""

    def __init__(self, narration: Narration) -> None:
        self.narration = narration  # kept, so that its id is not reused while this is cached
        timeline = narration.timeline
        breaks = {b.index: b.level for b in timeline.breaks}
        exercises = len(narration.routine.exercises)
        keys: list[Key] = []
        round_number = 1
        # A round counts up at each round break and starts again at every coarser break (a new
        # exercise, set or side), so "round three" means the same on both sides and at every level.
        for index, cue in enumerate(timeline.cues):
            level = breaks.get(index)
            if level == "round":
                round_number += 1
            elif level is not None and level != "step":
                round_number = 1
            position = cue.position
            if position.section == "intro":
                keys.append((0, 1, None, 1))
            elif position.section == "outro":
                keys.append((exercises + 1, 1, None, 1))
            else:
                keys.append((position.exercise, position.set, position.side, round_number))
        self.keys = keys
        self.starts: list[int] = []
        first = 0
        for page in narration.pages:
            self.starts.append(first)
            first += len(page.cues)
        #: Each page's position, and which page of those starting there it is.
        self.pages: list[tuple[Key, int]] = []
        for start in self.starts:
            key = keys[start]
            self.pages.append((key, 1 + sum(1 for k, _ in self.pages if k == key)))


_CACHE: dict[int, _Positions] = {}
_CACHE_SIZE = 512


def _positions(narration: Narration) -> _Positions:
    found = _CACHE.get(id(narration))
    if found is None or found.narration is not narration:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        found = _CACHE[id(narration)] = _Positions(narration)
    return found


def place_of_page(narration: Narration, index: int) -> Place:
    """The place where page ``index`` of ``narration`` starts."""
    (exercise, set_number, side, round_number), part = _positions(narration).pages[index]
    return Place(routine_ref(narration.routine), narration.level.value, narration.mode, exercise, set_number,
                 side, round_number, part)


def page_of(narration: Narration, place: Place) -> int:
    """The page of ``narration`` to say for ``place``: the one starting at its position, else the one
    holding the position's first cue.

    Parts of the position this narration lacks are brought back to the nearest before them: set
    three at a level of two sets is set two; round four of three is round three.
    """
    positions = _positions(narration)
    keys = positions.keys
    exercise = min(max(place.exercise, 0), len(narration.routine.exercises) + 1)
    mine = [k for k in keys if k[0] == exercise]
    if not mine:
        return 0
    sets = [k for k in mine if k[1] <= place.set]
    set_number = max(k[1] for k in sets) if sets else mine[0][1]
    in_set = [k for k in mine if k[1] == set_number]
    sides = [k[2] for k in in_set]
    side = place.side if place.side in sides else sides[0]
    in_side = [k for k in in_set if k[2] == side]
    rounds = [k[3] for k in in_side if k[3] <= place.round]
    round_number = max(rounds) if rounds else in_side[0][3]
    key = (exercise, set_number, side, round_number)
    starting = [number for number, (start_key, _) in enumerate(positions.pages) if start_key == key]
    if starting:
        return starting[min(place.part, len(starting)) - 1]
    target = keys.index(key)
    return max(number for number, start in enumerate(positions.starts) if start <= target)


def first_page_of(narration: Narration, exercise: int) -> int:
    """The first page that starts at exercise ``exercise`` or later (the wrap-up's, past the last).

    Unlike :func:`page_of`, never a page that still holds the exercise before: this is for leaving
    an exercise out.
    """
    pages = _positions(narration).pages
    return next((number for number, (key, _) in enumerate(pages) if key[0] >= exercise), len(pages) - 1)


def moved(place: Place, **changes: Any) -> Place:
    """``place`` with ``changes`` (a level, a mode): the same position, found again by :func:`page_of`.

    The part is the first: pages are cut differently at another level or in another mode.
    """
    return replace(place, part=1, **changes)
