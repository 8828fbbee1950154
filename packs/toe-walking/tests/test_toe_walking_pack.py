"""The toe-walking pack: loads through the catalog, one exercise and its routine, the article's numbers."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from footwork.core import Amount, Move, Repeat, Rest, load_catalog

HERE = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def routine():
    catalog = load_catalog(only={"toe-walking"})
    assert not catalog.problems, catalog.problems
    return catalog.get("toe-walking")


def test_the_pack_loads_with_its_routine():
    catalog = load_catalog(only={"toe-walking"})
    [pack] = catalog.packs
    assert pack.ok and pack.distribution == "footwork-toe-walking"
    assert [r.id for r in pack.routines] == ["toe-walking"]
    assert catalog.find("toe walking").id == "toe-walking"


def test_one_exercise(routine):
    assert [e.ref for e in routine.exercises] == ["toe-walking:toe-walking"]


def test_three_twenty_second_walks_a_rest_and_five_more_rounds(routine):
    [toes] = routine.exercises
    walks, rest, repeat = toes.steps[:3], toes.steps[3], toes.steps[4]
    assert all(isinstance(w, Move) and w.seconds == Amount.exactly(20) for w in walks)
    assert ["straight" in walks[0].text, "outward" in walks[1].text, "inward" in walks[2].text] == [True] * 3
    assert isinstance(rest, Rest) and rest.seconds == Amount(10, 15)
    assert isinstance(repeat, Repeat) and repeat.times == Amount.exactly(5) and repeat.more
    assert repeat.steps is None, "the whole routine: every walk and the rest"
    assert toes.dose.sides == "both" and toes.positions == ("standing",)


def test_the_repeat_says_it_is_the_three_walks_not_the_whole_routine_it_is_heard_in():
    # In the foot routine, "Now repeat the whole routine." alone means heel raises and all.
    catalog = load_catalog(only={"toe-walking", "heel-raises", "foot"})
    [toes] = catalog.get("foot").exercises[1:2]
    [repeat] = [s for s in toes.steps if isinstance(s, Repeat)]
    assert repeat.text.endswith("the whole routine of three walks.")


def test_a_pain_free_caution(routine):
    assert any("pain-free range" in c for c in routine.cautions)


def test_the_package_ships_its_data_and_readme_says_how_to_install():
    project = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["footwork"] == {"toe-walking": "footwork_toe_walking"}
    assert "pack.toml" in project["tool"]["setuptools"]["package-data"]["footwork_toe_walking"]
    assert "pip install -e packs/toe-walking" in (HERE / "README.md").read_text(encoding="utf-8")
