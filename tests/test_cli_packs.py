"""``footwork packs``, ``routines``, ``show`` and ``packs check``, run as the real command in subprocesses.

The environment is this repository's venv, with the four seed packs in packs/ installed editable, so
every test sees exactly those packs unless it narrows them with ``FOOTWORK_PACKS``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from footwork.core import EQUIPMENT, Level

REPO = Path(__file__).resolve().parents[1]
SEED_PACKS = sorted(p for p in (REPO / "packs").iterdir() if (p / "pyproject.toml").is_file())
ROUTINE_IDS = ["ankle", "foot", "heel-raises", "toe-walking"]
FOOTWORK = shutil.which("footwork", path=str(Path(sys.executable).parent)) or shutil.which("footwork")


def footwork(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed ``footwork`` with ``args``; FOOTWORK_* variables only as ``env`` gives them."""
    assert FOOTWORK, "the footwork command is not installed in this environment"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    environ.update(env or {})
    return subprocess.run([FOOTWORK, *map(str, args)], capture_output=True, text=True, env=environ,
                          timeout=120)


def copy_pack(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / source.name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build"))
    return target


# --- footwork packs -------------------------------------------------------------------------------


def test_packs_lists_every_installed_pack_as_ok_with_its_version_distribution_and_routines():
    result = footwork("packs")

    assert result.returncode == 0, result.stderr
    for name in ROUTINE_IDS:
        row = next(line for line in result.stdout.splitlines() if line.startswith(f"{name} "))
        assert row.split() == [name, "1.0.0", f"footwork-{name}", "ok", name]
    assert "4 packs, 4 routines." in result.stdout


def test_packs_json_is_a_list_of_objects_with_the_documented_keys():
    result = footwork("packs", "--json")

    assert result.returncode == 0, result.stderr
    packs = json.loads(result.stdout)
    assert [p["name"] for p in packs] == ROUTINE_IDS
    for pack in packs:
        assert set(pack) == {"name", "version", "distribution", "routines", "exercises", "status", "error",
                             "warnings"}
        assert pack["status"] == "ok"
        assert pack["error"] is None
        assert pack["routines"] == [pack["name"]]
        assert pack["distribution"] == f"footwork-{pack['name']}"
        assert pack["exercises"] and all(e.startswith(f"{pack['name']}:") for e in pack["exercises"])


def test_footwork_packs_environment_variable_restricts_the_packs_loaded():
    result = footwork("packs", "--json", env={"FOOTWORK_PACKS": "ankle,toe-walking"})

    assert [p["name"] for p in json.loads(result.stdout)] == ["ankle", "toe-walking"]


def test_an_empty_footwork_packs_loads_no_packs_and_says_so():
    listed = footwork("packs", env={"FOOTWORK_PACKS": ""})
    as_json = footwork("packs", "--json", env={"FOOTWORK_PACKS": ""})
    routines = footwork("routines", "--json", env={"FOOTWORK_PACKS": ""})

    assert listed.returncode == 0
    assert "No packs selected: FOOTWORK_PACKS is set to ''" in listed.stdout
    assert json.loads(as_json.stdout) == []
    assert json.loads(routines.stdout) == []


def test_a_pack_whose_dependency_is_not_loaded_is_listed_as_an_error_without_failing_the_command():
    result = footwork("packs", env={"FOOTWORK_PACKS": "foot"})

    assert result.returncode == 0
    lines = result.stdout.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("foot "))
    assert lines[row].split()[3] == "error"
    assert lines[row + 1].startswith("    error: ") and "heel-raises" in lines[row + 1]
    assert "1 failed to load" in result.stdout

    [pack] = json.loads(footwork("packs", "--json", env={"FOOTWORK_PACKS": "foot"}).stdout)
    assert pack["status"] == "error"
    assert "heel-raises" in pack["error"]
    assert pack["routines"] == []


@pytest.mark.parametrize(("args", "env"), [(["--strict"], {}), ([], {"FOOTWORK_STRICT": "1"})],
                         ids=["flag", "environment"])
def test_strict_mode_exits_1_when_a_pack_failed(args, env):
    result = footwork("packs", *args, env={"FOOTWORK_PACKS": "foot", **env})

    assert result.returncode == 1
    assert "foot" in result.stdout  # the listing is still printed, problems and all
    assert "strict" in result.stderr and "foot" in result.stderr


def test_strict_mode_exits_0_when_every_pack_loaded():
    assert footwork("packs", "--strict").returncode == 0
    assert footwork("routines", env={"FOOTWORK_STRICT": "1"}).returncode == 0


def test_other_commands_report_a_failed_pack_on_stderr_and_carry_on():
    result = footwork("routines", "--json", env={"FOOTWORK_PACKS": "foot,ankle"})

    assert result.returncode == 0
    assert [r["id"] for r in json.loads(result.stdout)] == ["ankle"]
    assert "pack 'foot' failed to load" in result.stderr


# --- footwork routines ----------------------------------------------------------------------------


def test_routines_json_lists_every_routine_with_its_length_at_each_level():
    result = footwork("routines", "--json")

    assert result.returncode == 0, result.stderr
    routines = json.loads(result.stdout)
    assert [r["id"] for r in routines] == ROUTINE_IDS
    by_id = {r["id"]: r for r in routines}
    assert by_id["ankle"]["exercises"] == 7
    assert by_id["foot"]["exercises"] == 3
    assert by_id["foot"]["title"] == "Foot routine" and by_id["foot"]["pack"] == "foot"
    assert by_id["foot"]["ref"] == "foot:foot"
    assert by_id["foot"]["exercise_refs"] == [
        "heel-raises:heel-raises", "toe-walking:toe-walking", "foot:ankle-circles-lying"
    ]
    for routine in routines:
        seconds = routine["seconds"]
        assert list(seconds) == [level.value for level in Level]
        assert all(value > 60 for value in seconds.values())
        # First-time does only a couple of each; rests shrink as the level grows, so only work grows.
        assert seconds["first-time"] <= min(seconds["gentle"], seconds["standard"], seconds["strong"])
    # Heel raises are 10-20 raises in 2-3 sets: strong takes much longer than gentle.
    assert by_id["heel-raises"]["seconds"]["strong"] > by_id["heel-raises"]["seconds"]["gentle"] * 1.5


def test_routines_table_shows_lengths_in_minutes_and_seconds():
    result = footwork("routines")

    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    levels = ["FIRST-TIME", "GENTLE", "STANDARD", "STRONG"]
    assert header.split() == ["ID", "TITLE", "PACK", "EXERCISES", *levels]
    assert [row.split()[0] for row in rows] == ROUTINE_IDS
    for row in rows:
        # A routine without ranges has first-time and one level more; "-" under the levels it lacks.
        assert len(re.findall(r"\d+ min(?: \d+ s)?", row)) in (2, 4), row


# --- footwork show --------------------------------------------------------------------------------


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_show_writes_out_each_routine_for_reading(routine_id):
    result = footwork("show", routine_id)

    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.splitlines()[0].endswith(f"({routine_id})")
    assert f"Pack: {routine_id} 1.0.0" in text
    assert "Source: " in text
    assert re.search(r"At the standard level: about \d+ min( \d+ s)?, \d+ exercises?\.", text)
    assert "What you need:" in text
    assert "pain-free range" in text
    assert "Steps" in text and "     1. " in text
    assert "Sets: " in text and "Sides: " in text
    assert "{" not in text, "a placeholder was left unfilled"


def test_show_reads_numbers_at_the_level_beside_the_articles_range():
    def shown(level: str) -> str:
        result = footwork("show", "heel-raises", "--level", level)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "[20 times (range 10-20)]" in shown("strong")
    assert "Sets: 3 sets (range 2-3)" in shown("strong")
    assert "[15 times (range 10-20)]" in shown("standard")
    assert "[10 times (range 10-20)]" in shown("gentle")
    first_time = shown("first-time")
    assert "[2 times (range 10-20)]" in first_time
    assert "Sets: 1 set (range 2-3)" in first_time
    assert "At the first-time level" in first_time


def test_show_fills_in_sides_and_says_which_side_goes_first():
    text = footwork("show", "heel-raises").stdout

    assert "Steps (shown for the right side):" in text
    assert "Stand tall and lift your left leg off the ground." in text
    assert "Bend your right leg a little at the knee." in text
    assert "> Now switch to your left foot." in text  # what is said, from the narration itself
    assert "Sides: each side in turn, right first, then left" in text


def test_show_lists_what_you_need_with_alternatives_and_each_exercises_cautions():
    text = footwork("show", "ankle").stdout

    assert "One level besides first-time: the content gives no range" in text
    assert f"You need: {EQUIPMENT['table']} or {EQUIPMENT['chair']}" in text
    assert f"You need: {EQUIPMENT['towel']}; {EQUIPMENT['bed']} or {EQUIPMENT['floor']}" in text
    assert "Take care: Don't use a chair on wheels" in text
    assert "Repeat steps 1-2. [5 times in all]" in text
    assert "[A to Z, 2 seconds a letter]" in text


def test_show_says_which_steps_a_repeat_goes_over_and_how_many_more_times():
    text = footwork("show", "toe-walking", "--level", "gentle").stdout

    assert "4. Rest. [10 seconds (range 10-15)]" in text
    assert "5. Now repeat the whole routine of three walks. [steps 1-4, 5 more times]" in text


def test_show_marks_exercises_that_come_from_another_pack():
    text = footwork("show", "foot").stdout

    assert "1. Heel raises  (heel-raises:heel-raises)" in text
    assert "2. Toe walking  (toe-walking:toe-walking)" in text
    assert "3. Ankle circles, lying down  (foot:ankle-circles-lying)\n" in text


@pytest.mark.parametrize(("said", "routine_id"), [("Heel raises", "heel-raises"), ("tiptoes", "toe-walking"),
                                                  ("ankle exercises", "ankle")])
def test_show_finds_a_routine_by_its_title_or_another_name(said, routine_id):
    result = footwork("show", said)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(f"({routine_id})")


def test_show_of_an_unknown_routine_exits_2_naming_the_installed_ones():
    result = footwork("show", "cartwheels")

    assert result.returncode == 2
    assert result.stdout == ""
    assert "no routine 'cartwheels'; installed: ankle, foot, heel-raises, toe-walking" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_refuses_an_unknown_level_listing_the_levels():
    result = footwork("show", "ankle", "--level", "extreme")

    assert result.returncode == 2
    assert "first-time" in result.stderr and "strong" in result.stderr


# --- footwork exercises ---------------------------------------------------------------------------


def test_exercises_json_lists_every_installed_exercise_with_the_id_a_routine_uses():
    result = footwork("exercises", "--json")

    assert result.returncode == 0, result.stderr
    exercises = json.loads(result.stdout)
    assert {e["pack"] for e in exercises} == set(ROUTINE_IDS)
    heel = next(e for e in exercises if e["ref"] == "heel-raises:heel-raises")
    assert heel == {
        "ref": "heel-raises:heel-raises", "id": "heel-raises", "pack": "heel-raises", "name": heel["name"],
        "positions": heel["positions"], "needs": heel["needs"],
    }
    assert all(e["ref"] == f"{e['pack']}:{e['id']}" and e["positions"] for e in exercises)
    assert all(need and set(need) <= set(EQUIPMENT) for e in exercises for need in e["needs"])
    assert len(exercises) == len({e["ref"] for e in exercises})


def test_exercises_table_shows_ids_names_positions_and_needs():
    lines = footwork("exercises").stdout.splitlines()

    assert lines[0].split() == ["ID", "NAME", "POSITION", "NEEDS"]
    assert any(line.startswith("heel-raises:heel-raises ") for line in lines)
    assert any(line.startswith("foot:ankle-circles-lying ") for line in lines)


# --- footwork packs check -------------------------------------------------------------------------


@pytest.mark.parametrize("pack_dir", SEED_PACKS, ids=[p.name for p in SEED_PACKS])
def test_packs_check_passes_each_seed_pack(pack_dir):
    result = footwork("packs", "check", pack_dir)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"ok: {pack_dir.name} 1.0.0, ")
    assert "warning" not in result.stdout


def test_packs_check_summarises_what_it_checked():
    result = footwork("packs", "check", REPO / "packs" / "ankle")

    assert result.stdout.strip() == "ok: ankle 1.0.0, 7 exercises, 1 routine"


def test_packs_check_accepts_the_data_file_itself():
    result = footwork("packs", "check", REPO / "packs" / "ankle" / "footwork_ankle" / "pack.toml")

    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "ok: ankle, 7 exercises, 1 routine"


def test_packs_check_lists_every_problem_in_a_broken_pack_with_its_file_and_path(tmp_path):
    pack = copy_pack(REPO / "packs" / "ankle", tmp_path)
    data = pack / "footwork_ankle" / "pack.toml"
    text = data.read_text()
    text = text.replace("{ hold = 5 },", '{ hold = "five" },', 1)
    text = text.replace('position = "lying"', 'position = "upside-down"')
    text = text.replace("Make {count} small clockwise", "Make {cnt} small clockwise")
    text = text.replace('  "alphabet",\n]', '  "alphabet",\n  "cartwheel",\n]')
    data.write_text(text)

    result = footwork("packs", "check", pack)

    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: ankle: footwork_ankle/pack.toml: exercises[0].steps[1].hold: expected seconds between 1 "
        "and 600, got 'five'",
        "error: ankle: footwork_ankle/pack.toml: exercises[1].position: expected one of lying, seated, "
        "standing, supported-standing (or a list of them), got 'upside-down'",
        "error: ankle: footwork_ankle/pack.toml: exercises[2].steps[0].say: unknown placeholder {cnt}; "
        "allowed: {count}",
        "error: ankle: footwork_ankle/pack.toml: routines[0].exercises[7]: no exercise 'cartwheel' in this "
        "pack",
    ]
    assert result.stdout.splitlines()[-1] == f"failed: 4 problems in {pack}"
    assert "Traceback" not in result.stderr


def test_packs_check_of_a_broken_data_file_exits_1(tmp_path):
    data = tmp_path / "pack.toml"
    data.write_text('schema = 1\n[pack]\nname = "Bad Name"\ntitle = "x"\n')

    result = footwork("packs", "check", data)

    assert result.returncode == 1
    assert f"error: {data}: pack.name: expected an id" in result.stdout
    assert f"error: {data}: pack.description: required field is missing" in result.stdout
    assert f"error: {data}: pack.source: required field is missing" in result.stdout


def test_packs_check_requires_the_entry_point_and_the_package_data(tmp_path):
    pack = copy_pack(REPO / "packs" / "ankle", tmp_path)
    pyproject = pack / "pyproject.toml"
    text = pyproject.read_text()
    text = text.replace('[project.entry-points.footwork]\nankle = "footwork_ankle"\n', "")
    pyproject.write_text(text.replace('footwork_ankle = ["pack.toml"]', 'footwork_ankle = ["*.txt"]'))

    no_entry_point = footwork("packs", "check", pack)

    assert no_entry_point.returncode == 1
    assert "error: pyproject.toml: no [project.entry-points.footwork] table" in no_entry_point.stdout

    entry_point = '\n[project.entry-points.footwork]\nankle = "footwork_ankle"\n'
    pyproject.write_text(pyproject.read_text() + entry_point)
    no_package_data = footwork("packs", "check", pack)

    assert no_package_data.returncode == 1
    assert ("error: pyproject.toml: [tool.setuptools.package-data] does not include pack.toml for "
            "footwork_ankle") in no_package_data.stdout


def test_packs_check_only_warns_about_exercises_from_a_pack_that_is_not_installed(tmp_path):
    pack = copy_pack(REPO / "packs" / "foot", tmp_path)
    data = pack / "footwork_foot" / "pack.toml"
    text = data.read_text().replace('"ankle-circles-lying"]', '"ankle-circles-lying", "calf:stretch"]')
    data.write_text(text)

    result = footwork("packs", "check", pack)

    assert result.returncode == 0, result.stdout
    assert ("warning: foot: footwork_foot/pack.toml: routines[0].exercises[3]: pack 'calf' is not installed "
            "here, so 'calf:stretch' was not checked") in result.stdout
    assert result.stdout.splitlines()[-1] == "ok: foot 1.0.0, 1 exercise, 1 routine"


def test_packs_check_fails_on_an_exercise_an_installed_pack_does_not_have(tmp_path):
    pack = copy_pack(REPO / "packs" / "foot", tmp_path)
    data = pack / "footwork_foot" / "pack.toml"
    data.write_text(data.read_text().replace('"heel-raises:heel-raises"', '"heel-raises:heel-drops"'))

    result = footwork("packs", "check", pack)

    assert result.returncode == 1
    assert ("error: foot: footwork_foot/pack.toml: routines[0].exercises[0]: pack 'heel-raises' has no "
            "exercise 'heel-drops'") in result.stdout


def test_packs_check_warns_when_a_used_pack_is_not_a_dependency(tmp_path):
    pack = copy_pack(REPO / "packs" / "foot", tmp_path)
    pyproject = pack / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(', "footwork-toe-walking"', ""))

    result = footwork("packs", "check", pack)

    assert result.returncode == 0
    assert ("warning: pyproject.toml: routines use pack 'toe-walking', but [project] dependencies do not "
            "list footwork-toe-walking") in result.stdout


def test_packs_check_of_a_folder_without_a_pack_exits_1(tmp_path):
    result = footwork("packs", "check", tmp_path)

    assert result.returncode == 1
    assert f"error: {tmp_path}: no pack.toml found" in result.stdout


# --- help -----------------------------------------------------------------------------------------


COMMANDS = [[], ["packs"], ["packs", "check"], ["packs", "new"], ["routines"], ["show"], ["exercises"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "footwork")
def test_every_command_has_help_that_says_what_it_does_with_an_example(command):
    result = footwork(*command, "--help")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: footwork {' '.join(command)}".rstrip())
    assert "Example" in result.stdout
    assert "  footwork " in result.stdout.split("Example", 1)[1]


def test_the_top_level_help_lists_the_pack_commands():
    commands = footwork("--help").stdout.split("Commands:", 1)[1]

    for name in ("packs", "routines", "show", "exercises"):
        assert re.search(rf"^  {name} +\S", commands, re.MULTILINE), name


# --- footwork packs check: loading the pack as footwork would ---------------------------------------


def checked(folder: Path) -> tuple[int, list[str], list[str]]:
    """Exit status, error lines and warning lines of ``footwork packs check folder``."""
    result = footwork("packs", "check", folder)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    return (result.returncode, [line for line in lines if line.startswith("error: ")],
            [line for line in lines if line.startswith("warning: ")])


RAISING = """\
from footwork.core import hookimpl


@hookimpl
def footwork_routines(pack):
    raise RuntimeError("no routines today")
"""


def test_packs_check_runs_the_hooks_and_names_one_that_raises(tmp_path, make_pack, pack_toml):
    folder = make_pack(tmp_path, "raiser", pack_toml("raiser"), RAISING)

    status, errors, _ = checked(folder)

    assert status == 1
    assert errors == ["error: raiser: footwork_test_raiser/__init__.py: hook footwork_routines "
                      "raised RuntimeError: no routines today (at __init__.py:6)"]


def test_packs_check_names_a_syntax_error_in_the_packs_module(tmp_path, make_pack, pack_toml):
    folder = make_pack(tmp_path, "typo", pack_toml("typo"), "def broken(:\n    pass\n")

    status, [error], _ = checked(folder)

    assert status == 1
    assert error.startswith("error: typo: footwork_test_typo/__init__.py: cannot import footwork_test_typo: "
                            "SyntaxError: invalid syntax (__init__.py, line 1)")


def test_packs_check_names_a_misspelt_hook_with_the_one_it_resembles(tmp_path, make_pack, pack_toml):
    code = "from footwork.core import hookimpl\n\n\n@hookimpl\ndef footwork_routine(pack):\n    return []\n"
    folder = make_pack(tmp_path, "misspelt", pack_toml("misspelt"), code)

    status, [error], _ = checked(folder)

    assert status == 1
    assert error.startswith("error: misspelt: footwork_test_misspelt/__init__.py: hook "
                            "footwork_routine is not a footwork hook, so it is never called; "
                            "did you mean footwork_routines?")


def test_packs_check_says_where_a_pack_file_hook_looked(tmp_path, make_pack, pack_toml):
    code = ("from importlib.resources import files\nfrom footwork.core import hookimpl\n\n\n@hookimpl\n"
            "def footwork_pack_file():\n    return files(__name__) / 'content' / 'stretches.toml'\n")
    folder = make_pack(tmp_path, "elsewhere", None, code)

    status, [error], _ = checked(folder)

    assert status == 1
    looked = folder / "footwork_test_elsewhere" / "content" / "stretches.toml"
    assert error == (f"error: elsewhere: footwork_test_elsewhere/__init__.py: no data file: "
                     f"stretches.toml is missing (looked for {looked})")

    looked.parent.mkdir()
    looked.write_text(pack_toml("elsewhere"), encoding="utf-8")
    result = footwork("packs", "check", folder)
    assert result.stdout.splitlines()[-1] == "ok: elsewhere 1.0.0, 1 exercise, 1 routine"


def test_packs_check_warns_of_a_routine_id_an_installed_pack_uses(tmp_path, make_pack, pack_toml):
    folder = make_pack(tmp_path, "aa-dup", pack_toml("aa-dup", routine="heel-raises"))

    status, errors, warnings = checked(folder)

    assert status == 0 and errors == []
    assert ("warning: aa-dup: footwork_test_aa_dup/__init__.py: routine id 'heel-raises' is also "
            "used by pack 'heel-raises'; both load, 'aa-dup:heel-raises' names this one, and 'heel-raises' "
            "alone is asked about") in warnings


def test_packs_check_warns_of_a_routine_without_cautions(tmp_path, make_pack, pack_toml):
    toml = pack_toml("careless").replace('cautions = ["Move only within a pain-free range of motion."]\n', "")
    folder = make_pack(tmp_path, "careless", toml)

    status, _, [warning] = checked(folder)

    assert status == 0
    assert warning.startswith("warning: careless: footwork_test_careless/pack.toml: routines[0].cautions: "
                              "routine 'careless' has none; Footwork says its own safety reminder")


def test_packs_check_refuses_a_pack_name_another_installed_distribution_has(tmp_path, make_pack, pack_toml):
    folder = make_pack(tmp_path, "ankle", pack_toml("ankle", routine="my-ankle"))

    status, errors, _ = checked(folder)

    assert status == 1
    assert errors == ["error: ankle: footwork_test_ankle/__init__.py: the pack name 'ankle' is already "
                      "taken by footwork-ankle, installed here; two packs with one name cannot both load, so "
                      "rename this one (the entry point's name)"]


def test_packs_check_of_a_data_file_alone_warns_of_a_routine_id_an_installed_pack_uses(tmp_path, pack_toml):
    data = tmp_path / "pack.toml"
    data.write_text(pack_toml("aa-dup", routine="heel-raises"), encoding="utf-8")

    result = footwork("packs", "check", data)

    assert result.returncode == 0, result.stdout
    assert (f"warning: aa-dup: {data.resolve()}: routine id 'heel-raises' is also used by pack "
            "'heel-raises'") in result.stdout
    assert result.stdout.splitlines()[-1] == "ok: aa-dup, 1 exercise, 1 routine"
