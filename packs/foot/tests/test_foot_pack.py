"""The foot pack: heel raises, toe walking and ankle circles lying down, two of them from other packs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from footwork.core import Amount, Count, load_catalog

HERE = Path(__file__).resolve().parents[1]
WITH_ITS_PACKS = {"foot", "heel-raises", "toe-walking"}


@pytest.fixture(scope="module")
def routine():
    catalog = load_catalog(only=WITH_ITS_PACKS)
    assert not catalog.problems, catalog.problems
    return catalog.get("foot")


def test_the_pack_loads_with_its_routine():
    catalog = load_catalog(only=WITH_ITS_PACKS)
    packs = {p.name: p for p in catalog.packs}
    assert packs["foot"].ok and packs["foot"].distribution == "footwork-foot"
    assert [r.id for r in packs["foot"].routines] == ["foot"]
    assert catalog.find("foot exercises").id == "foot"


def test_three_exercises_in_the_articles_order(routine):
    assert [e.ref for e in routine.exercises] == [
        "heel-raises:heel-raises",
        "toe-walking:toe-walking",
        "foot:ankle-circles-lying",
    ]


def test_ankle_circles_five_to_ten_each_way_five_sets_right_first(routine):
    circles = routine.exercises[2]
    assert [s.times for s in circles.steps if isinstance(s, Count)] == [Amount(5, 10)] * 2
    assert circles.dose.sets == Amount.exactly(5)
    assert (circles.dose.sides, circles.dose.first_side) == ("each", "right")
    assert circles.positions == ("lying",)
    said = " ".join(getattr(s, "text", "") or "" for s in circles.steps).lower()
    assert "twelve o'clock" in said and "six o'clock" in said and "hug your {side} knee" in said


def test_cautions_and_when_to_stretch(routine):
    assert any("pain-free range" in c for c in routine.cautions)
    assert "every morning" in routine.outro


@pytest.mark.parametrize("missing", ["heel-raises", "toe-walking"])
def test_without_one_of_its_packs_it_fails_and_names_it(missing):
    catalog = load_catalog(only=WITH_ITS_PACKS - {missing})
    foot = next(p for p in catalog.packs if p.name == "foot")
    assert not foot.ok and f"pack '{missing}'" in foot.error
    assert all(p.ok for p in catalog.packs if p.name != "foot")


def test_it_depends_on_its_packs_through_pip_and_readme_says_how_to_install():
    project = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    assert {"footwork-heel-raises", "footwork-toe-walking"} <= set(project["project"]["dependencies"])
    assert project["project"]["entry-points"]["footwork"] == {"foot": "footwork_foot"}
    assert "pack.toml" in project["tool"]["setuptools"]["package-data"]["footwork_foot"]
    assert "pip install -e packs/foot" in (HERE / "README.md").read_text(encoding="utf-8")
