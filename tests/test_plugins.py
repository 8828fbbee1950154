"""Pack discovery and isolation: every way a pack can fail is reported by its name, and the rest load.

The first part runs in this process with small in-test plugins (module objects handed to
``load_catalog(entries=...)``) and with the four packs this checkout installs. The second part,
marked ``slow``, installs packs with pip into a throwaway virtual environment and asks it what it
finds through the ``footwork`` entry-point group.
"""

from __future__ import annotations

import dataclasses
import textwrap
import types
from pathlib import Path

import pytest
from footwork.core import (
    Catalog,
    PackEntry,
    Routine,
    hookimpl,
    installed_packs,
    load_catalog,
    with_dependencies,
)
from footwork.core.plugins import ENTRY_POINT_GROUP

pytestmark = pytest.mark.usefixtures("no_pack_selection")

SEED_PACKS = {"ankle", "foot", "heel-raises", "toe-walking"}
REPO = Path(__file__).resolve().parents[1]


def by_name(catalog: Catalog) -> dict:
    return {p.name: p for p in catalog.packs}


def assert_only_failure(catalog: Catalog, name: str, *fragments: str) -> str:
    """``name`` failed with every fragment in its error, and every other pack loaded."""
    packs = by_name(catalog)
    error = packs[name].error
    assert error is not None, f"{name} should have failed"
    for fragment in fragments:
        assert fragment in error, f"{fragment!r} not in {error!r}"
    assert [p.name for p in catalog.packs if not p.ok] == [name]
    assert any(line.startswith(f"{name}: ") for line in catalog.problems)
    return error


# --- the installed seed packs ----------------------------------------------------------------------


def test_the_seed_packs_are_found_through_the_entry_point_group():
    entries = {e.name: e for e in installed_packs()}
    assert ENTRY_POINT_GROUP == "footwork"
    assert SEED_PACKS <= set(entries)
    assert entries["heel-raises"].distribution == "footwork-heel-raises"
    assert entries["heel-raises"].module == "footwork_heel_raises"
    assert entries["ankle"].version


def test_every_seed_pack_loads_with_its_routine():
    catalog = load_catalog()
    packs = by_name(catalog)
    assert SEED_PACKS <= set(packs)
    for name in SEED_PACKS:
        assert packs[name].ok, packs[name].error
        assert [r.id for r in packs[name].routines] == [name]
    assert not [p for p in catalog.problems if p.split(":")[0] in SEED_PACKS]
    assert catalog.get("foot").exercises[0].ref == "heel-raises:heel-raises"


def test_an_empty_footwork_packs_loads_none(monkeypatch):
    monkeypatch.setenv("FOOTWORK_PACKS", "")
    catalog = load_catalog()
    assert catalog.packs == [] and catalog.routines == [] and catalog.problems == []


def test_footwork_packs_restricts_the_packs_by_name(monkeypatch):
    monkeypatch.setenv("FOOTWORK_PACKS", " ankle , toe-walking,")
    catalog = load_catalog()
    assert [p.name for p in catalog.packs] == ["ankle", "toe-walking"]
    assert all(p.ok for p in catalog.packs)


def test_the_foot_pack_fails_by_name_when_heel_raises_is_left_out(monkeypatch):
    monkeypatch.setenv("FOOTWORK_PACKS", "foot,toe-walking")
    catalog = load_catalog()
    error = assert_only_failure(
        catalog, "foot", "heel-raises:heel-raises", "pack 'heel-raises'", "FOOTWORK_PACKS"
    )
    assert "left out" in error
    assert by_name(catalog)["toe-walking"].ok
    assert catalog.get("foot") is None and catalog.get("toe-walking") is not None


def test_a_name_in_footwork_packs_that_is_not_installed_is_reported(monkeypatch):
    monkeypatch.setenv("FOOTWORK_PACKS", "ankel,toe-walking")
    catalog = load_catalog()
    assert_only_failure(catalog, "ankel", "FOOTWORK_PACKS", "not installed", "did you mean 'ankle'?")


def test_with_dependencies_adds_the_packs_a_pack_requires_and_they_load():
    assert with_dependencies(["foot"]) == {"foot", "heel-raises", "toe-walking"}
    assert with_dependencies(["ankle"]) == {"ankle"}
    catalog = load_catalog(only=with_dependencies(["foot"]))
    assert all(p.ok for p in catalog.packs) and catalog.get("foot") is not None


def test_qualified_ids_always_find_a_routine_and_an_exercise():
    catalog = load_catalog(only=SEED_PACKS)
    assert catalog.get("foot:foot") is catalog.get("foot")
    assert catalog.matches("heel-raises:heel-raises") == [catalog.get("heel-raises")]
    assert catalog.get("ankle:foot") is None
    assert catalog.exercise("heel-raises:heel-raises").name
    assert catalog.pack("foot").ok and catalog.pack("nowhere") is None


def test_an_explicit_selection_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("FOOTWORK_PACKS", "")
    assert [p.name for p in load_catalog(only={"toe-walking"}).packs] == ["toe-walking"]


# --- in-test plugins: what a pack may do -----------------------------------------------------------


def test_a_data_only_plugin_loads(plugin, pack_toml):
    catalog = load_catalog([plugin("alpha", pack_toml("alpha"))])
    [loaded] = catalog.packs
    assert loaded.ok and loaded.version == "1.0.0" and loaded.distribution == "footwork-test-alpha"
    routine = catalog.get("alpha")
    assert routine.pack == "alpha" and [e.ref for e in routine.exercises] == ["alpha:lift"]


def test_footwork_pack_file_says_where_the_data_is(plugin, pack_toml, tmp_path):
    data = tmp_path / "elsewhere" / "stretches.toml"
    data.parent.mkdir()
    data.write_text(pack_toml("beta"), encoding="utf-8")

    @hookimpl
    def footwork_pack_file():
        return str(data)

    catalog = load_catalog([plugin("beta", None, footwork_pack_file)])
    assert catalog.get("beta") is not None and not catalog.problems


def test_footwork_pack_file_names_the_file_in_data_errors(plugin, pack_toml, tmp_path):
    data = tmp_path / "stretches.toml"
    data.write_text(pack_toml("beta", hold="five"), encoding="utf-8")

    @hookimpl
    def footwork_pack_file():
        return data

    catalog = load_catalog([plugin("beta", None, footwork_pack_file)])
    assert catalog.problems == [
        "beta: stretches.toml: exercises[0].steps[1].hold: expected seconds between 1 and 600, got 'five'"
    ]


def test_footwork_routines_adds_routines_built_in_python(plugin, pack_toml):
    @hookimpl
    def footwork_routines(pack):
        return [Routine(id="gamma-quick", title="Quick", exercises=pack.exercises[:1])]

    catalog = load_catalog([plugin("gamma", pack_toml("gamma"), footwork_routines)])
    assert [r.id for r in by_name(catalog)["gamma"].routines] == ["gamma", "gamma-quick"]
    assert catalog.get("gamma-quick").pack == "gamma"


def test_a_hook_may_take_fewer_arguments_than_the_spec(plugin, pack_toml):
    calls = []

    @hookimpl
    def footwork_routines():
        calls.append("routines")

    @hookimpl
    def footwork_adjust_routine():
        calls.append("adjust")

    catalog = load_catalog([plugin("gamma", pack_toml("gamma"), footwork_routines, footwork_adjust_routine)])
    assert by_name(catalog)["gamma"].ok and not catalog.problems
    assert calls == ["routines", "adjust"]


def test_footwork_adjust_routine_changes_every_packs_routines(plugin, pack_toml):
    @hookimpl
    def footwork_adjust_routine(routine):
        if routine.outro is None:
            return dataclasses.replace(routine, outro="Well done.", id="renamed", pack="stolen")
        return None

    catalog = load_catalog(
        [plugin("delta", pack_toml("delta")), plugin("eps", pack_toml("eps"), footwork_adjust_routine)]
    )
    for name in ("delta", "eps"):
        routine = catalog.get(name)
        assert routine.outro == "Well done."
        assert (routine.id, routine.pack) == (name, name), "a hook may not move a routine"


def test_extra_plugins_adjust_routines_too(plugin, pack_toml):
    class Closing:
        @hookimpl
        def footwork_adjust_routine(self, routine):
            return dataclasses.replace(routine, outro="Have a glass of water.")

    catalog = load_catalog([plugin("delta", pack_toml("delta"))], extra_plugins=[Closing()])
    assert catalog.get("delta").outro == "Have a glass of water."


# --- pluggy does the calling ------------------------------------------------------------------------


def outro_hook(text, **opts):
    """A footwork_adjust_routine implementation setting the outro to ``text``, with pluggy ``opts``."""

    def footwork_adjust_routine(routine):
        return dataclasses.replace(routine, outro=text)

    return hookimpl(**opts)(footwork_adjust_routine) if opts else hookimpl(footwork_adjust_routine)


def test_the_first_adjusting_hook_in_pluggys_order_decides_and_tryfirst_comes_first(plugin, pack_toml):
    # pluggy calls the newest registered first; packs register in name order, so "late" would win,
    # but "early" asks to go first.
    entries = [
        plugin("early", pack_toml("early"), footwork_adjust_routine=outro_hook("early", tryfirst=True)),
        plugin("late", pack_toml("late"), footwork_adjust_routine=outro_hook("late")),
    ]
    catalog = load_catalog(entries)
    assert {r.outro for r in catalog.routines} == {"early"} and not catalog.problems


def test_trylast_runs_after_the_others(plugin, pack_toml):
    entries = [
        plugin("first", pack_toml("first"), footwork_adjust_routine=outro_hook("first")),
        plugin("zlast", pack_toml("zlast"), footwork_adjust_routine=outro_hook("zlast", trylast=True)),
    ]
    assert {r.outro for r in load_catalog(entries).routines} == {"first"}


def test_a_wrapper_sees_the_others_result_and_returns_its_own(plugin, pack_toml):
    @hookimpl(wrapper=True)
    def wrapping(routine):
        adjusted = (yield) or routine
        return dataclasses.replace(adjusted, outro=f"{adjusted.outro or ''} And breathe.".strip())

    entries = [
        plugin("closer", pack_toml("closer"), footwork_adjust_routine=outro_hook("Well done.")),
        plugin("wrapper", pack_toml("wrapper"), footwork_adjust_routine=wrapping),
    ]
    catalog = load_catalog(entries)
    assert {r.outro for r in catalog.routines} == {"Well done. And breathe."} and not catalog.problems


def test_an_old_style_hookwrapper_may_force_the_result(plugin, pack_toml):
    @hookimpl(hookwrapper=True)
    def wrapping(routine):
        outcome = yield
        outcome.force_result(dataclasses.replace(outcome.get_result() or routine, intro="Sit tall."))

    catalog = load_catalog([plugin("old", pack_toml("old"), footwork_adjust_routine=wrapping)])
    assert catalog.get("old").intro == "Sit tall." and not catalog.problems


def test_a_raising_wrapper_is_reported_against_its_pack_and_the_result_stands(plugin, pack_toml):
    @hookimpl(wrapper=True)
    def clumsy(routine):
        yield
        raise RuntimeError("wrapped badly")

    entries = [
        plugin("closer", pack_toml("closer"), footwork_adjust_routine=outro_hook("Well done.")),
        plugin("clumsy", pack_toml("clumsy"), footwork_adjust_routine=clumsy),
    ]
    catalog = load_catalog(entries)
    assert {r.outro for r in catalog.routines} == {"Well done."}
    assert all(p.ok for p in catalog.packs)
    assert [p.split(" on ")[0] for p in catalog.problems] == [
        f"clumsy: hook footwork_adjust_routine raised RuntimeError: wrapped badly (at test_plugins.py:{n})"
        for n in [clumsy.__code__.co_firstlineno + 3] * 2
    ]


def test_a_wrapper_that_never_yields_is_reported_and_the_others_results_kept(plugin, pack_toml):
    @hookimpl(wrapper=True)
    def footwork_adjust_routine(routine):
        raise ValueError("before yielding")
        yield  # pragma: no cover

    entries = [
        plugin("closer", pack_toml("closer"), footwork_adjust_routine=outro_hook("Well done.")),
        plugin("broken", pack_toml("broken"), footwork_adjust_routine),
    ]
    catalog = load_catalog(entries)
    assert {r.outro for r in catalog.routines} == {"Well done."}
    [warning, _] = by_name(catalog)["broken"].warnings
    assert warning.startswith("hook footwork_adjust_routine raised ValueError: before yielding")


def test_a_packs_pack_file_hook_answers_for_that_pack_only(plugin, pack_toml, tmp_path):
    # footwork_pack_file is firstresult: one answer per pack, and one pack's answer is never another's.
    data = tmp_path / "elsewhere.toml"
    data.write_text(pack_toml("hooked"), encoding="utf-8")

    @hookimpl(tryfirst=True)
    def footwork_pack_file():
        return data

    catalog = load_catalog([plugin("hooked", None, footwork_pack_file), plugin("plain", pack_toml("plain"))])
    assert catalog.get("hooked") is not None and catalog.get("plain") is not None and not catalog.problems


def test_a_misspelt_hook_is_named_with_the_hook_it_resembles(plugin, pack_toml):
    @hookimpl
    def footwork_routine(pack):
        return []

    catalog = load_catalog([plugin("typo", pack_toml("typo"), footwork_routine)])
    [warning] = by_name(catalog)["typo"].warnings
    assert warning.startswith("hook footwork_routine is not a footwork hook, so it is never called; "
                              "did you mean footwork_routines?")


def test_a_hook_without_hookimpl_is_named(plugin, pack_toml):
    def footwork_routines(pack):
        return []

    catalog = load_catalog([plugin("unmarked", pack_toml("unmarked"), footwork_routines)])
    assert by_name(catalog)["unmarked"].warnings == [
        "hook footwork_routines is not marked with @hookimpl, so it is never called; "
        "add @hookimpl (from footwork.core import hookimpl) above it"
    ]


# --- in-test plugins: every failure is the pack's own ----------------------------------------------


def test_a_pack_that_cannot_be_imported_is_named(importable_pack, plugin, pack_toml):
    entries = [
        importable_pack("broken", pack_toml("broken"), "import footwork_no_such_module\n"),
        plugin("good", pack_toml("good")),
    ]
    error = assert_only_failure(
        load_catalog(entries),
        "broken",
        "cannot import footwork_test_broken",
        "ModuleNotFoundError",
        "footwork_no_such_module",
        "(at __init__.py:1)",
    )
    assert "\n" not in error


def test_a_pack_whose_module_is_missing_is_named(plugin, pack_toml):
    entries = [PackEntry("ghost", "footwork_test_ghost_not_here"), plugin("good", pack_toml("good"))]
    assert_only_failure(load_catalog(entries), "ghost", "cannot import footwork_test_ghost_not_here")


def test_a_pack_that_exits_while_importing_does_not_stop_the_others(importable_pack, plugin, pack_toml):
    entries = [
        importable_pack("quitter", pack_toml("quitter"), "raise SystemExit(3)\n"),
        plugin("good", pack_toml("good")),
    ]
    assert_only_failure(load_catalog(entries), "quitter", "SystemExit")


def test_a_really_imported_pack_loads_from_its_package(importable_pack, pack_toml):
    catalog = load_catalog([importable_pack("real", pack_toml("real"), "VALUE = 1\n")])
    assert catalog.get("real") is not None and not catalog.problems


def test_invalid_data_names_the_pack_file_field_and_problem(plugin, pack_toml):
    entries = [plugin("broken", pack_toml("broken", hold="five")), plugin("good", pack_toml("good"))]
    catalog = load_catalog(entries)
    assert_only_failure(catalog, "broken")
    assert (
        "broken: pack.toml: exercises[0].steps[1].hold: expected seconds between 1 and 600, got 'five'"
        in (catalog.problems)
    )


def test_a_pack_without_data_is_named(plugin, pack_toml):
    assert_only_failure(
        load_catalog([plugin("empty"), plugin("good", pack_toml("good"))]), "empty", "pack.toml is missing"
    )


def test_a_single_module_pack_needs_a_pack_file_hook(pack_toml, plugin):
    single = types.ModuleType("footwork_test_single")
    entries = [PackEntry("single", single), plugin("good", pack_toml("good"))]
    assert_only_failure(load_catalog(entries), "single", "not a package", "footwork_pack_file")


def test_a_newer_schema_asks_to_upgrade_footwork(plugin, pack_toml):
    entries = [plugin("future", pack_toml("future", schema=2)), plugin("good", pack_toml("good"))]
    assert_only_failure(load_catalog(entries), "future", "pack.toml: schema:", "schema 2", "upgrade footwork")


def test_the_data_must_say_the_name_the_pack_is_installed_under(plugin, pack_toml):
    entries = [plugin("named", pack_toml("other-name")), plugin("good", pack_toml("good"))]
    assert_only_failure(load_catalog(entries), "named", "pack.name", "'other-name'", "installed as 'named'")


def pack_file_raising():
    raise RuntimeError("no content today")


def pack_file_not_a_path():
    return 42


def pack_file_missing():
    return "/nonexistent/footwork/stretches.toml"


@pytest.mark.parametrize(
    ("hook", "fragments"),
    [
        (pack_file_raising, ["hook footwork_pack_file raised RuntimeError: no content today"]),
        (pack_file_not_a_path, ["footwork_pack_file returned int, not a path or None"]),
        (pack_file_missing, ["no data file: stretches.toml is missing"]),
    ],
)
def test_a_broken_footwork_pack_file_hook_fails_its_pack(plugin, pack_toml, hook, fragments):
    entries = [
        plugin("broken", None, footwork_pack_file=hookimpl(hook)),
        plugin("good", pack_toml("good")),
    ]
    assert_only_failure(load_catalog(entries), "broken", *fragments)


def test_a_raising_footwork_routines_hook_fails_its_pack(plugin, pack_toml):
    @hookimpl
    def footwork_routines(pack):
        raise ValueError("cannot count")

    entries = [plugin("broken", pack_toml("broken"), footwork_routines), plugin("good", pack_toml("good"))]
    assert_only_failure(
        load_catalog(entries),
        "broken",
        "hook footwork_routines raised ValueError: cannot count",
        "test_plugins.py:",
    )


@pytest.mark.parametrize(
    ("returned", "fragment"),
    [
        (lambda pack: ["not a routine"], "returned str, not a Routine"),
        (lambda pack: [Routine(id="Bad Id", title="x", exercises=pack.exercises)], "malformed id 'Bad Id'"),
        (
            lambda pack: [Routine(id="broken", title="x", exercises=pack.exercises)],
            "'broken', an id this pack",
        ),
        (lambda pack: [Routine(id="empty", title="x", exercises=())], "no Exercise objects"),
        (lambda pack: 5, "returned int, not a list of Routines"),
    ],
)
def test_a_footwork_routines_hook_returning_nonsense_fails_its_pack(plugin, pack_toml, returned, fragment):
    @hookimpl
    def footwork_routines(pack):
        return returned(pack)

    entries = [plugin("broken", pack_toml("broken"), footwork_routines), plugin("good", pack_toml("good"))]
    assert_only_failure(load_catalog(entries), "broken", fragment)


def test_a_raising_adjust_hook_is_reported_and_changes_nothing(plugin, pack_toml):
    @hookimpl(tryfirst=True)
    def raising(routine):
        raise KeyError("outro")

    @hookimpl
    def closing(routine):
        return dataclasses.replace(routine, outro="Done.")

    entries = [
        plugin("adjuster", pack_toml("adjuster"), footwork_adjust_routine=raising),
        plugin("kind", pack_toml("kind"), footwork_adjust_routine=closing),
    ]
    catalog = load_catalog(entries)
    assert all(p.ok for p in catalog.packs), "an adjusting hook that raises only warns"
    warnings = by_name(catalog)["adjuster"].warnings
    assert [w.split(" on ")[-1] for w in warnings] == ["'adjuster:adjuster'", "'kind:kind'"]
    assert all(
        w.startswith("hook footwork_adjust_routine raised KeyError: 'outro' (at test_plugins.py:")
        for w in warnings
    )
    assert not by_name(catalog)["kind"].warnings
    # The raising hook changed nothing; the other pack's hook still ran on every routine.
    assert catalog.get("kind").outro == "Done." and catalog.get("adjuster").outro == "Done."
    assert [line.split(":")[0] for line in catalog.problems] == ["adjuster", "adjuster"]


def test_an_adjust_hook_returning_nonsense_is_reported(plugin, pack_toml):
    @hookimpl
    def footwork_adjust_routine(routine):
        return "shorter"

    catalog = load_catalog([plugin("odd", pack_toml("odd"), footwork_adjust_routine)])
    assert catalog.get("odd").title == "Routine odd"
    assert "returned str, not a Routine or None" in by_name(catalog)["odd"].warnings[0]


def test_a_raising_extra_plugin_is_reported_against_the_routine(plugin, pack_toml):
    class Clumsy:
        @hookimpl
        def footwork_adjust_routine(self, routine):
            raise RuntimeError("oops")

    catalog = load_catalog([plugin("delta", pack_toml("delta"))], extra_plugins=[Clumsy()])
    assert catalog.get("delta") is not None and by_name(catalog)["delta"].ok
    [problem] = catalog.problems
    assert problem.startswith("delta: hook of Clumsy: footwork_adjust_routine raised RuntimeError: oops")


def test_a_failed_packs_adjust_hook_does_not_run(plugin, pack_toml):
    @hookimpl
    def footwork_adjust_routine(routine):
        return dataclasses.replace(routine, outro="from a broken pack")

    entries = [
        plugin("broken", pack_toml("broken", hold=0), footwork_adjust_routine),
        plugin("good", pack_toml("good")),
    ]
    catalog = load_catalog(entries)
    assert_only_failure(catalog, "broken", "hold: expected seconds between 1 and 600, got 0")
    assert catalog.get("good").outro is None


def test_hooks_with_a_wrong_signature_fail_their_pack(plugin, pack_toml):
    @hookimpl
    def footwork_routines(pack, extra):
        return []

    entries = [plugin("broken", pack_toml("broken"), footwork_routines), plugin("good", pack_toml("good"))]
    assert_only_failure(load_catalog(entries), "broken", "cannot register its hooks", "extra")


# --- collisions and dependencies between packs -----------------------------------------------------


def test_two_packs_with_one_routine_id_both_load_and_each_is_warned(plugin, pack_toml):
    entries = [
        plugin("zeta", pack_toml("zeta", routine="shared")),
        plugin("eta", pack_toml("eta", routine="shared")),
    ]
    catalog = load_catalog(entries)
    packs = by_name(catalog)
    assert packs["zeta"].ok and packs["eta"].ok
    assert catalog.get("zeta:shared").pack == "zeta" and catalog.get("eta:shared").pack == "eta"
    assert catalog.get("shared") is None, "a bare id two packs use names neither"
    assert [r.pack for r in catalog.matches("shared")] == ["eta", "zeta"]
    assert catalog.find("routine shared") is None
    assert packs["zeta"].warnings == [
        "routine id 'shared' is also used by pack 'eta'; both load, 'zeta:shared' names this one, "
        "and 'shared' alone is asked about"
    ]
    assert packs["eta"].warnings[0].startswith("routine id 'shared' is also used by pack 'zeta'")


def test_a_pack_reusing_a_seed_packs_routine_id_knocks_nothing_out(plugin, pack_toml):
    entries = [e for e in installed_packs() if e.name in SEED_PACKS]
    entries.append(plugin("aa-dup", pack_toml("aa-dup", routine="heel-raises")))
    catalog = load_catalog(entries)
    assert all(p.ok for p in catalog.packs), catalog.problems
    assert catalog.get("heel-raises:heel-raises").exercises[0].ref == "heel-raises:heel-raises"
    assert catalog.get("aa-dup:heel-raises").pack == "aa-dup"
    assert [e.ref for e in catalog.get("foot").exercises][0] == "heel-raises:heel-raises"
    assert {r.pack for r in catalog.matches("heel raises")} == {"heel-raises", "aa-dup"}
    assert {line.split(":")[0] for line in catalog.problems} == {"aa-dup", "heel-raises"}


def test_a_python_routine_reusing_another_packs_routine_id_loads_with_a_warning(plugin, pack_toml):
    @hookimpl
    def footwork_routines(pack):
        return [Routine(id="alpha", title="Mine", exercises=pack.exercises)]

    entries = [plugin("alpha", pack_toml("alpha")), plugin("omega", pack_toml("omega"), footwork_routines)]
    catalog = load_catalog(entries)
    assert all(p.ok for p in catalog.packs)
    assert catalog.get("omega:alpha").title == "Mine" and catalog.get("alpha:alpha").title == "Routine alpha"
    assert "routine id 'alpha' is also used by pack 'alpha'" in by_name(catalog)["omega"].warnings[0]


def test_two_routines_answering_to_one_spoken_name_are_both_offered(plugin, pack_toml, tmp_path):
    entries = [plugin("calm", pack_toml("calm")), plugin("quiet", pack_toml("quiet"))]
    # Both packs call their routine "Morning stretch", under different ids.
    for entry in entries:
        data = Path(entry.module.__path__[0]) / "pack.toml"
        text = data.read_text(encoding="utf-8").replace(f'title = "Routine {entry.name}"',
                                                        'title = "Morning stretch"')
        data.write_text(text, encoding="utf-8")
    catalog = load_catalog(entries)
    assert all(p.ok for p in catalog.packs)
    assert [r.pack for r in catalog.matches("the morning stretches")] == ["calm", "quiet"]
    assert catalog.find("morning stretch") is None and catalog.find("calm").pack == "calm"
    assert by_name(catalog)["calm"].warnings == [
        "routine 'calm:calm' answers to 'Morning stretch', as does 'quiet:quiet'; "
        "a person who says it is asked which one they mean"
    ]


def test_two_packs_with_one_exercise_id_both_load_without_a_word(plugin, pack_toml):
    catalog = load_catalog([plugin("one", pack_toml("one")), plugin("two", pack_toml("two"))])
    assert [e.ref for e in catalog.exercises] == ["one:lift", "two:lift"] and not catalog.problems


def test_two_distributions_with_one_pack_name_refuse_the_second(plugin, pack_toml):
    first = plugin("same", pack_toml("same"))
    second = dataclasses.replace(
        plugin("same-again", pack_toml("same")), name="same", distribution="footwork-rival"
    )
    catalog = load_catalog([first, second])
    assert [p.ok for p in catalog.packs] == [True, False]
    assert "already taken by footwork-test-same" in catalog.packs[1].error


def test_one_module_under_two_pack_names_refuses_the_second(plugin, pack_toml):
    first = plugin("twin", pack_toml("twin"))
    catalog = load_catalog([first, PackEntry("twin-b", first.module)])
    assert by_name(catalog)["twin"].ok
    assert "already loaded as pack 'twin'" in by_name(catalog)["twin-b"].error


def test_a_routine_using_another_packs_exercise(plugin, pack_toml):
    entries = [
        plugin("base", pack_toml("base")),
        plugin("combo", pack_toml("combo", extra_routine_refs=("base:lift",))),
    ]
    catalog = load_catalog(entries)
    assert [e.ref for e in catalog.get("combo").exercises] == ["combo:lift", "base:lift"]


def test_a_missing_exercise_in_a_loaded_pack_is_named_with_a_guess(plugin, pack_toml):
    entries = [
        plugin("base", pack_toml("base")),
        plugin("combo", pack_toml("combo", extra_routine_refs=("base:lfit",))),
    ]
    assert_only_failure(
        load_catalog(entries),
        "combo",
        "needs exercise base:lfit",
        "pack 'base' has no exercise 'lfit'",
        "'base:lift'",
    )


def test_a_pack_needing_an_uninstalled_pack_names_it(plugin, pack_toml):
    entries = [
        plugin("combo", pack_toml("combo", extra_routine_refs=("nowhere:lift",))),
        plugin("good", pack_toml("good")),
    ]
    assert_only_failure(load_catalog(entries), "combo", "pack 'nowhere' is not installed")


def test_a_pack_needing_a_failed_pack_fails_too_even_when_the_failure_comes_late(plugin, pack_toml):
    # "aaa" uses "mmm"'s exercise; "mmm" loads but needs a pack that is not there, so "aaa" must fail
    # as well, although it was checked before "mmm" failed.
    entries = [
        plugin("aaa", pack_toml("aaa", extra_routine_refs=("mmm:lift",))),
        plugin("mmm", pack_toml("mmm", extra_routine_refs=("nowhere:lift",))),
        plugin("zzz", pack_toml("zzz")),
    ]
    catalog = load_catalog(entries)
    packs = by_name(catalog)
    assert "pack 'nowhere' is not installed" in packs["mmm"].error
    assert "needs exercise mmm:lift, but pack 'mmm' failed to load" in packs["aaa"].error
    assert packs["zzz"].ok
    assert catalog.get("aaa") is None


def test_the_foot_pack_with_heel_raises_broken_fails_by_name(plugin, pack_toml):
    """A stand-in heel-raises pack with bad data: foot fails, naming it; toe-walking still loads."""
    real = {e.name: e for e in installed_packs()}
    broken_heel_raises = plugin("heel-raises", pack_toml("heel-raises", hold="five", exercise="heel-raises"))
    catalog = load_catalog([real["foot"], broken_heel_raises, real["toe-walking"]])
    packs = by_name(catalog)
    assert "expected seconds between 1 and 600, got 'five'" in packs["heel-raises"].error
    assert packs["foot"].error == (
        "routine 'foot' needs exercise heel-raises:heel-raises, but pack 'heel-raises' failed to load"
    )
    assert packs["toe-walking"].ok


def test_the_catalog_finds_routines_by_what_people_say():
    catalog = load_catalog(only=SEED_PACKS)
    assert catalog.find("ankle exercises").id == "ankle"
    assert catalog.find("the heel raises routine please").id == "heel-raises"
    assert catalog.find("toe walking").id == "toe-walking"
    assert catalog.find("foot routine").id == "foot"
    assert catalog.find("juggling") is None


# --- real installs in a throwaway virtual environment ----------------------------------------------

BROKEN_IMPORT = "import footwork_no_such_module\n"
RAISING_HOOK = textwrap.dedent(
    """\
    from footwork.core import hookimpl


    @hookimpl
    def footwork_routines(pack):
        raise RuntimeError("the routines went missing")
    """
)


@pytest.mark.slow
def test_a_pip_installed_pack_is_seen_through_the_entry_point(footwork_venv):
    packs = footwork_venv.catalog()
    heel = packs["heel-raises"]
    assert heel["status"] == "ok", heel["error"]
    assert heel["distribution"] == "footwork-heel-raises" and heel["version"] == "1.0.0"
    assert heel["routines"] == {"heel-raises": ["heel-raises:heel-raises"]}


@pytest.mark.slow
def test_footwork_packs_selects_in_a_real_install(footwork_venv):
    assert footwork_venv.catalog(FOOTWORK_PACKS="") == {}
    assert set(footwork_venv.catalog(FOOTWORK_PACKS="heel-raises")) == {"heel-raises"}


@pytest.fixture(scope="module")
def broken_installed(footwork_venv, tmp_path_factory, make_pack, pack_toml):
    """Five deliberately broken packs and a good one, pip-installed beside heel-raises, then removed."""
    root = tmp_path_factory.mktemp("broken")
    folders = [
        make_pack(root, "import-error", pack_toml("import-error"), BROKEN_IMPORT),
        make_pack(root, "invalid-data", pack_toml("invalid-data", hold="five")),
        make_pack(root, "aa-dup", pack_toml("aa-dup", routine="heel-raises")),
        make_pack(root, "newer-schema", pack_toml("newer-schema", schema=99)),
        make_pack(root, "raising-hook", pack_toml("raising-hook"), RAISING_HOOK),
        make_pack(root, "well-made", pack_toml("well-made")),
    ]
    footwork_venv.install(*folders)
    try:
        yield footwork_venv.catalog()
    finally:
        footwork_venv.uninstall(*(f"footwork-test-{f.name}" for f in folders))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "fragments"),
    [
        (
            "import-error",
            ["cannot import footwork_test_import_error", "ModuleNotFoundError", "footwork_no_such_module"],
        ),
        (
            "invalid-data",
            ["pack.toml: exercises[0].steps[1].hold: expected seconds between 1 and 600, got 'five'"],
        ),
        ("newer-schema", ["needs footwork schema 99", "upgrade footwork"]),
        (
            "raising-hook",
            ["hook footwork_routines raised RuntimeError: the routines went missing", "__init__.py:6"],
        ),
    ],
)
def test_a_pip_installed_broken_pack_is_named_and_the_rest_load(broken_installed, name, fragments):
    packs = broken_installed
    assert packs[name]["status"] == "error"
    for fragment in fragments:
        assert fragment in packs[name]["error"]
    assert packs["heel-raises"]["status"] == "ok"
    assert packs["heel-raises"]["routines"] == {"heel-raises": ["heel-raises:heel-raises"]}
    assert packs["well-made"]["status"] == "ok"
    assert {n for n, p in packs.items() if p["status"] == "error"} == {
        "import-error",
        "invalid-data",
        "newer-schema",
        "raising-hook",
    }


@pytest.mark.slow
def test_a_pip_installed_pack_reusing_an_installed_routine_id_knocks_nothing_out(broken_installed,
                                                                                footwork_venv):
    packs = broken_installed
    assert packs["aa-dup"]["status"] == "ok" and packs["heel-raises"]["status"] == "ok"
    assert packs["heel-raises"]["routines"] == {"heel-raises": ["heel-raises:heel-raises"]}
    assert packs["aa-dup"]["routines"] == {"heel-raises": ["aa-dup:lift"]}
    assert packs["heel-raises"]["warnings"] == [
        "routine id 'heel-raises' is also used by pack 'aa-dup'; both load, 'heel-raises:heel-raises' "
        "names this one, and 'heel-raises' alone is asked about"
    ]
    assert packs["aa-dup"]["warnings"][0].startswith(
        "routine id 'heel-raises' is also used by pack 'heel-raises'"
    )
    said = footwork_venv.run("-c", "from footwork.core import load_catalog; c = load_catalog(); "
                                   "print(sorted(r.pack for r in c.matches('start heel raises')), "
                                   "c.find('heel raises'), c.get('heel-raises:heel-raises').pack)").stdout
    assert said.split() == ["['aa-dup',", "'heel-raises']", "None", "heel-raises"]


@pytest.mark.slow
def test_the_foot_pack_depends_on_its_exercise_packs_through_pip(footwork_venv):
    footwork_venv.install(REPO / "packs" / "foot")  # --no-deps: toe-walking is not there yet
    try:
        requires = footwork_venv.run(
            "-c", "import importlib.metadata as m; print('\\n'.join(m.requires('footwork-foot')))"
        ).stdout.split()
        assert {"footwork-heel-raises", "footwork-toe-walking"} <= set(requires)
        check = footwork_venv.pip("check", check=False)
        assert check.returncode != 0 and "footwork-toe-walking" in check.stdout

        packs = footwork_venv.catalog()
        assert packs["foot"]["status"] == "error"
        assert (
            "needs exercise toe-walking:toe-walking, but pack 'toe-walking' is not installed"
            in packs["foot"]["error"]
        )
        assert packs["heel-raises"]["status"] == "ok"

        footwork_venv.install(REPO / "packs" / "toe-walking")
        packs = footwork_venv.catalog()
        statuses = {name: packs[name]["status"] for name in ("foot", "heel-raises", "toe-walking")}
        assert statuses == {"foot": "ok", "heel-raises": "ok", "toe-walking": "ok"}
        assert packs["foot"]["routines"]["foot"] == [
            "heel-raises:heel-raises",
            "toe-walking:toe-walking",
            "foot:ankle-circles-lying",
        ]
    finally:
        footwork_venv.pip("uninstall", "--yes", "footwork-foot", "footwork-toe-walking", check=False)
