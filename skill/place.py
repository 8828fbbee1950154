"""The place: where a person is in a routine, as a position rather than a page number.

A place names the routine, its level and mode, and a position inside it: the exercise (0 for the
introduction, one past the last for the wrap-up), the set, the side and the round. Pages differ from
one level or mode to another, positions do not, so a place survives a change of level, of mode, or
of the pack's paging: it comes back as the page where that position starts or, after a change of
mode or level (``part`` 0), from the cue where the position opens, partway through a page if need
be, so a five-minute hands-free page is not said again from its start. A position that the new
level lacks (a third set at a level with two) is brought back to the nearest one before it. No
change of place ever skips work.

Places come from the session (the request, which anyone can forge) and from storage (written by
older versions): both go through :meth:`Place.from_json`, which checks every field against the
catalog and reads the old ``{"page": n}`` format.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import Any

from footwork.core import Catalog, Level, Routine, routine_ref
from footwork.core.narration import MODES, Mode, Narration, narrate

#: Sets and rounds beyond this are no content's; a larger number in a request is refused.
MOST_SETS_OR_ROUNDS = 99
SIDES = ("left", "right")
_LEVELS = frozenset(level.value for level in Level)

#: Places read before: a place read from the session is read three or four times a request, and the same
#: few places come back request after request. Bounded (a place is a few hundred bytes).
PLACES_REMEMBERED = 4096
_SCALARS = frozenset({str, int, float, bool, type(None)})
_read_before: dict[tuple[Any, ...], tuple[weakref.ref[Catalog], Place | None]] = {}


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
    #: Which page of those starting at this position, when a long part takes more than one; 0 for
    #: "where the position opens, even partway through a page" (see :func:`start_of`).
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

        The answer is a pure function of ``data`` and ``catalog`` (which is never changed once
        loaded), and a place is immutable, so an object read before is answered from memory: keyed by
        its items with each value's type (``True`` and ``1`` are equal in Python, not here), for the
        same catalog object. Objects holding anything but scalars are read afresh each time.
        """
        if cls is not Place or type(data) is not dict:
            return cls._read(data, catalog)
        key: tuple[Any, ...] = (id(catalog),)
        for name, value in data.items():
            kind = type(value)
            if kind not in _SCALARS:
                return cls._read(data, catalog)
            key += (name, kind, value)
        found = _read_before.get(key)
        if found is not None and found[0]() is catalog:
            return found[1]
        place = cls._read(data, catalog)
        if len(_read_before) >= PLACES_REMEMBERED:
            try:
                _read_before.pop(next(iter(_read_before)), None)
            except (RuntimeError, StopIteration):  # another thread changed it meanwhile: no matter
                pass
        # The catalog's weak reference tells a later catalog given the same id() from this one.
        _read_before[key] = (weakref.ref(catalog), place)
        return place

    @classmethod
    def _read(cls, data: Any, catalog: Catalog) -> Place | None:
        if not isinstance(data, dict):
            return None
        routine_id, level, mode = data.get("routine"), data.get("level"), data.get("mode")
        if not isinstance(routine_id, str) or not isinstance(level, str) or not isinstance(mode, str):
            return None
        routine = catalog.get(routine_id) if len(routine_id) <= 200 else None
        if routine is None or level not in _LEVELS or mode not in MODES:
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
        if not all(1 <= n <= MOST_SETS_OR_ROUNDS for n in (set_number, round_number)):
            return None
        if not 0 <= part <= MOST_SETS_OR_ROUNDS:
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
        part: tuple[int, int, str | None] | None = None
        # A round counts up at each round break and starts again at every coarser break, and with
        # every new exercise, set or side: the words that lead into an exercise ("On to exercise
        # two ... lie on a bed") belong to its first round, not to the last round of the one before.
        for index, cue in enumerate(timeline.cues):
            level = breaks.get(index)
            position = cue.position
            here = (position.exercise, position.set, position.side)
            if here != part or level not in (None, "step", "round"):
                round_number = 1
            elif level == "round":
                round_number += 1
            part = here
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
        #: :func:`start_of` for places asked before (a pure function of this narration and the place).
        self.started: dict[Place, tuple[int, int]] = {}


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
    return start_of(narration, place)[0]


def start_of(narration: Narration, place: Place) -> tuple[int, int]:
    """Where to start saying ``place``: a page of ``narration``, and the cue in it to start from.

    The cue is 0 (the whole page) unless the place is where a position opens (``part`` 0, as after
    a change of mode or level) and no page starts there: then it is the position's first cue,
    partway through the page, the words that get the person into position included. A hands-free
    page runs up to five minutes, so switching to it at the towel flex starts at the towel flex,
    not at the routine's beginning.
    """
    positions = _positions(narration)
    found = positions.started.get(place)
    if found is None:
        found = _start_of(positions, narration, place)
        # Bounded: a place comes from the session, which anyone can forge; those of a real routine are
        # far fewer than this.
        if len(positions.started) < STARTS_REMEMBERED:
            positions.started[place] = found
    return found


#: Places whose start is remembered, per narration.
STARTS_REMEMBERED = 1024


def _start_of(positions: _Positions, narration: Narration, place: Place) -> tuple[int, int]:
    key = _key(positions, narration, place)
    starting = [number for number, (start_key, _) in enumerate(positions.pages) if start_key == key]
    first = positions.keys.index(key)
    if place.part == 0:
        # A page that starts at the position after nothing of it but getting there (a guided page
        # starts after "lie down with a towel", which ends the page before) is said whole.
        cues = narration.timeline.cues
        for number in starting:
            if all(cue.kind in _GETTING_THERE for cue in cues[first:positions.starts[number]]):
                return number, 0
        number = max(n for n, start in enumerate(positions.starts) if start <= first)
        return number, first - positions.starts[number]
    if starting:
        return starting[min(place.part, len(starting)) - 1], 0
    return max(number for number, start in enumerate(positions.starts) if start <= first), 0


#: Cues that only lead into a position: words on getting there, silences.
_GETTING_THERE = frozenset({"transition", "pause", "settle"})


def _key(positions: _Positions, narration: Narration, place: Place) -> Key:
    """The position of ``place`` as this narration has it: parts it lacks brought back to the
    nearest before them."""
    keys = positions.keys
    exercise = min(max(place.exercise, 0), len(narration.routine.exercises) + 1)
    mine = [k for k in keys if k[0] == exercise]
    if not mine:
        return keys[0]
    sets = [k for k in mine if k[1] <= place.set]
    set_number = max(k[1] for k in sets) if sets else mine[0][1]
    in_set = [k for k in mine if k[1] == set_number]
    sides = [k[2] for k in in_set]
    side = place.side if place.side in sides else sides[0]
    in_side = [k for k in in_set if k[2] == side]
    rounds = [k[3] for k in in_side if k[3] <= place.round]
    round_number = max(rounds) if rounds else in_side[0][3]
    return (exercise, set_number, side, round_number)


def place_at(narration: Narration, index: int, offset: int) -> Place:
    """The place of cue ``offset`` of page ``index``: the page's own place at 0, else the position
    that opens there (``part`` 0)."""
    if offset == 0:
        return place_of_page(narration, index)
    positions = _positions(narration)
    exercise, set_number, side, round_number = positions.keys[positions.starts[index] + offset]
    return Place(routine_ref(narration.routine), narration.level.value, narration.mode, exercise, set_number,
                 side, round_number, 0)


def part_before(narration: Narration, place: Place) -> Place:
    """Where the part (exercise, set, side) before the one ``place`` is in opens: "go back" from a
    place said partway through a page, as a guided page goes back to the side or exercise before."""
    positions = _positions(narration)
    index, offset = start_of(narration, place)
    first = positions.starts[index] + offset
    here = positions.keys[first][:3]
    before = next((key for key in reversed(positions.keys[:first]) if key[:3] != here), positions.keys[0])
    exercise, set_number, side, _ = before
    return Place(routine_ref(narration.routine), narration.level.value, narration.mode, exercise, set_number,
                 side, 1, 0)


def moved(place: Place, **changes: Any) -> Place:
    """``place`` with ``changes`` (a level, a mode): the same position, said from where it opens
    (:func:`start_of`), since pages are cut differently at another level or in another mode."""
    return replace(place, part=0, **changes)
