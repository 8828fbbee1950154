"""The heel-raises pack: loads through the catalog, one exercise and its routine, the article's numbers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from footwork.core import Amount, Count, load_catalog

HERE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def routine():
    catalog = load_catalog(only={"heel-raises"})
    assert not catalog.problems, catalog.problems
    return catalog.get("heel-raises")


def test_the_pack_loads_with_its_routine():
    catalog = load_catalog(only={"heel-raises"})
    [pack] = catalog.packs
    assert pack.ok and pack.distribution == "footwork-heel-raises"
    assert [r.id for r in pack.routines] == ["heel-raises"]
    assert catalog.find("heel raises").id == "heel-raises"


def test_one_exercise(routine):
    assert [e.ref for e in routine.exercises] == ["heel-raises:heel-raises"]


def test_ten_to_twenty_raises_two_to_three_sets_right_leg_first(routine):
    [heel] = routine.exercises
    [count] = [s for s in heel.steps if isinstance(s, Count)]
    assert count.times == Amount(10, 20)
    assert heel.dose.sets == Amount(2, 3)
    assert (heel.dose.sides, heel.dose.first_side) == ("each", "right")
    assert heel.positions == ("supported-standing",) and heel.needs == (("chair",),)
    said = " ".join(s.text for s in heel.steps).lower()
    for phrase in ("stand tall", "lift your {other} leg", "bend your {side} leg", "slowly raise and lower"):
        assert phrase in said


def test_a_pain_free_caution(routine):
    assert any("pain-free range" in c for c in routine.cautions)


def test_the_package_ships_its_data_and_readme_says_how_to_install():
    project = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["footwork"] == {"heel-raises": "footwork_heel_raises"}
    assert "pack.toml" in project["tool"]["setuptools"]["package-data"]["footwork_heel_raises"]
    assert "pip install -e packs/heel-raises" in (HERE / "README.md").read_text(encoding="utf-8")
