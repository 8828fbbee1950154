"""The place is a position: every page of every routine is found again from the place where it starts,
at every level, in both modes, with either briefing; and another level never finds a later page."""

from __future__ import annotations

import itertools

import pytest
from footwork.core import Level, load_catalog
from footwork.core.narration import MODES, narrate
from footwork.skill.place import Place, moved, page_of, place_of_page

CATALOG = load_catalog()
ROUTINES = [routine.id for routine in CATALOG.routines]


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_every_page_is_found_again_from_the_place_where_it_starts(routine_id: str) -> None:
    routine = CATALOG.get(routine_id)
    for level, mode, briefing in itertools.product(Level, MODES, ("full", "reminder")):
        narration = narrate(routine, level, mode, briefing)
        places = [place_of_page(narration, i) for i in range(len(narration.pages))]
        assert [page_of(narration, place) for place in places] == list(range(len(places)))
        # Stored and read back as plain JSON, a place is the same place.
        assert all(Place.from_json(p.as_json(), CATALOG) == p for p in places)


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_at_another_level_a_place_is_never_found_on_a_later_page_of_its_exercise(routine_id: str) -> None:
    routine = CATALOG.get(routine_id)
    for old, new in itertools.permutations(Level, 2):
        before = narrate(routine, old)
        after = narrate(routine, new)
        for index in range(len(before.pages)):
            place = place_of_page(before, index)
            found = place_of_page(after, page_of(after, moved(place, level=new.value)))
            assert found.exercise == place.exercise
            assert found.set <= place.set
            # Nothing of the exercise before this place is skipped: the page found starts no later.
            if found.set == place.set and found.side == place.side:
                assert found.round <= place.round


def test_a_place_in_the_old_page_format_is_the_position_of_that_page() -> None:
    narration = narrate(CATALOG.get("foot"), Level.STANDARD)
    for page in range(len(narration.pages)):
        old = {"routine": "foot", "level": "standard", "mode": "guided", "page": page}
        assert Place.from_json(old, CATALOG) == place_of_page(narration, page)


@pytest.mark.parametrize("data", [
    None, "ankle", [], {}, {"routine": "ankle"},
    {"routine": "ankle", "level": "x" * 100_000, "mode": "guided", "exercise": 1},
    {"routine": "nope", "level": "standard", "mode": "guided", "exercise": 1},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": -1},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": 99},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": 1.5},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": 1, "set": 0},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": 1, "round": 10 ** 12},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": 1, "side": "middle"},
    {"routine": "ankle", "level": "standard", "mode": "guided", "exercise": 1, "part": False},
    {"routine": "ankle", "level": "standard", "mode": "guided", "page": "3"},
])
def test_a_malformed_place_is_no_place(data: object) -> None:
    assert Place.from_json(data, CATALOG) is None
