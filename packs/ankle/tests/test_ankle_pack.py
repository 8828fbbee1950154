"""The ankle pack: loads through the catalog, seven exercises in the article's order, its numbers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from footwork.core import Alphabet, Amount, Count, Hold, Repeat, load_catalog

HERE = Path(__file__).resolve().parents[1]
ORDER = [
    "roll-back",
    "towel-flex",
    "seated-ankle-circles",
    "turn-in-and-out",
    "press-feet-together",
    "outstretched-toe-press",
    "alphabet",
]


@pytest.fixture(scope="module")
def routine():
    catalog = load_catalog(only={"ankle"})
    assert not catalog.problems, catalog.problems
    return catalog.get("ankle")


def exercise(routine, ident):
    return next(e for e in routine.exercises if e.id == ident)


def test_the_pack_loads_with_its_routine():
    catalog = load_catalog(only={"ankle"})
    [pack] = catalog.packs
    assert pack.ok and pack.distribution == "footwork-ankle"
    assert [r.id for r in pack.routines] == ["ankle"]
    assert catalog.find("ankle exercises").id == "ankle"


def test_seven_exercises_in_the_articles_order(routine):
    assert [e.id for e in routine.exercises] == ORDER
    assert all(e.pack == "ankle" for e in routine.exercises)


@pytest.mark.parametrize("ident", ["roll-back", "outstretched-toe-press"])
def test_hold_five_seconds_five_times(routine, ident):
    steps = exercise(routine, ident).steps
    assert [s.seconds for s in steps if isinstance(s, Hold)] == [Amount.exactly(5)]
    assert [s.times for s in steps if isinstance(s, Repeat)] == [Amount.exactly(5)]


def test_towel_flex_holds_both_ways_and_repeats_them_left_then_right(routine):
    towel = exercise(routine, "towel-flex")
    assert [s.seconds for s in towel.steps if isinstance(s, Hold)] == [Amount.exactly(5)] * 2
    assert towel.steps[-1] == Repeat(Amount.exactly(5), 4)
    assert (towel.dose.sides, towel.dose.first_side) == ("each", "left")
    assert towel.positions == ("lying",)


def test_seated_circles_five_each_way_five_times(routine):
    circles = exercise(routine, "seated-ankle-circles")
    counts = [s for s in circles.steps if isinstance(s, Count)]
    assert [c.times for c in counts] == [Amount.exactly(5)] * 2
    assert "counter-clockwise" in counts[1].text and "clockwise" in counts[0].text
    assert circles.steps[-1].times == Amount.exactly(5) and circles.dose.sides == "both"


def test_alphabet_with_the_left_foot_then_the_right(routine):
    alphabet = exercise(routine, "alphabet")
    assert any(isinstance(s, Alphabet) for s in alphabet.steps)
    assert (alphabet.dose.sides, alphabet.dose.first_side) == ("each", "left")


def test_the_cautions(routine):
    cautions = " ".join(routine.all_cautions).lower()
    for phrase in (
        "pain-free range",
        "couple of times",
        "a day or two",
        "sprained ankle",
        "medical professional",
        "ankle weights",
        "chair on wheels",
    ):
        assert phrase in cautions


def test_the_package_ships_its_data_and_readme_says_how_to_install():
    project = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["footwork"] == {"ankle": "footwork_ankle"}
    assert "pack.toml" in project["tool"]["setuptools"]["package-data"]["footwork_ankle"]
    assert "pip install -e packs/ankle" in (HERE / "README.md").read_text(encoding="utf-8")
