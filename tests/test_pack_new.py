"""``footwork packs new``: the pack it writes installs with pip, passes ``packs check`` and loads at once.

The slow tests make one clean virtual environment for the module, install footwork into it from a
copy of this repository (not editable, so the template must ship as package data), write a new pack
with that environment's ``footwork``, ``pip install`` it, and use it the way its README says.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from footwork.core import read_pack_file

REPO = Path(__file__).resolve().parents[1]
DEV_BIN = Path(sys.executable).parent
BIN = "Scripts" if os.name == "nt" else "bin"
#: Left out of the copy footwork is installed from, anywhere in it: build output and caches.
ANYWHERE = shutil.ignore_patterns("*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis")
#: Left out at the top only: core/pack_template/tests is part of footwork.
AT_THE_TOP = {".git", ".venv", "build", "dist", "packs", "tests"}


def not_footwork(folder: str, names: list[str]) -> set[str]:
    """For ``shutil.copytree``: what to leave out of the copy of this repository."""
    left_out = set(ANYWHERE(folder, names))
    return left_out | (AT_THE_TOP & set(names)) if Path(folder) == REPO else left_out


def run(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a command without any FOOTWORK_* setting or outer virtual environment leaking in."""
    environ = {k: v for k, v in os.environ.items()
               if not k.startswith("FOOTWORK_") and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=environ, cwd=cwd,
                          timeout=timeout)


Completed = subprocess.CompletedProcess[str]


def succeed(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Completed:
    """Run a command that must exit 0; on failure the assertion shows the command and its output."""
    result = run(*args, cwd=cwd, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result


def dev_footwork(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """This repository's own ``footwork``, from the development environment."""
    return run(shutil.which("footwork", path=str(DEV_BIN)) or "footwork", *args)


# --- what packs new writes, and what it refuses -----------------------------------------------------


def test_packs_new_writes_a_distribution_with_entry_point_package_data_readme_and_test(tmp_path):
    result = dev_footwork("packs", "new", "calf-stretches", "--dir", tmp_path)

    assert result.returncode == 0, result.stderr
    target = tmp_path / "calf-stretches"
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == [
        "README.md",
        "footwork_calf_stretches/__init__.py",
        "footwork_calf_stretches/pack.toml",
        "pyproject.toml",
        "tests/test_calf_stretches_pack.py",
    ]
    project = tomllib.loads((target / "pyproject.toml").read_text())
    assert project["project"]["name"] == "footwork-calf-stretches"
    assert project["project"]["entry-points"]["footwork"] == {"calf-stretches": "footwork_calf_stretches"}
    assert project["tool"]["setuptools"]["package-data"] == {"footwork_calf_stretches": ["pack.toml"]}
    assert any(d.startswith("footwork>=") for d in project["project"]["dependencies"])
    readme = (target / "README.md").read_text()
    for instruction in ("pip install -e", "footwork packs check .", "footwork packs", "python -m build"):
        assert instruction in readme
    texts = "".join(p.read_text() for p in target.rglob("*") if p.is_file())
    assert "$" not in texts, "a template placeholder was left in"


def test_the_new_packs_example_routine_uses_several_kinds_of_step_and_a_pain_free_caution(tmp_path):
    dev_footwork("packs", "new", "calf-stretches", "--dir", tmp_path)

    pack = read_pack_file(tmp_path / "calf-stretches" / "footwork_calf_stretches" / "pack.toml")
    [(routine, refs)] = pack.unresolved
    assert routine.id == "calf-stretches" and routine.title == "Calf stretches"
    assert refs == ("calf-stretches:toe-lifts", "calf-stretches:ankle-pumps")
    steps = [step for exercise in pack.exercises for step in (*exercise.setup, *exercise.steps)]
    kinds = {type(step).__name__ for step in steps}
    assert {"Say", "Hold", "Count", "Repeat"} <= kinds
    assert any("pain-free range" in caution for caution in routine.cautions)


def test_the_new_pack_passes_packs_check_before_it_is_installed(tmp_path):
    dev_footwork("packs", "new", "calf-stretches", "--dir", tmp_path)

    result = dev_footwork("packs", "check", tmp_path / "calf-stretches")

    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "ok: calf-stretches 0.1.0, 2 exercises, 1 routine"


@pytest.mark.parametrize("name", ["Calf", "calf_stretches", "calf--stretches", "-calf", "calf stretches"])
def test_packs_new_refuses_a_name_that_is_not_a_pack_id(tmp_path, name):
    result = dev_footwork("packs", "new", "--dir", tmp_path, "--", name)  # "--": "-calf" is no option

    assert result.returncode == 1
    assert f"'{name}' is not a valid pack name: use lower-case letters, digits" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_packs_new_refuses_the_footwork_prefix_saying_what_to_type_instead(tmp_path):
    result = dev_footwork("packs", "new", "footwork-calf", "--dir", tmp_path)

    assert result.returncode == 1
    assert "leave out the 'footwork-' prefix: the pack is named 'calf'" in result.stderr


def test_packs_new_refuses_a_target_that_is_not_empty_and_leaves_it_alone(tmp_path):
    (tmp_path / "calf").mkdir()
    (tmp_path / "calf" / "notes.txt").write_text("mine")

    result = dev_footwork("packs", "new", "calf", "--dir", tmp_path)

    assert result.returncode == 1
    assert f"{tmp_path / 'calf'} already exists and is not empty" in result.stderr
    assert [p.name for p in (tmp_path / "calf").iterdir()] == ["notes.txt"]
    assert "Traceback" not in result.stderr


def test_packs_new_writes_into_an_empty_existing_folder(tmp_path):
    (tmp_path / "calf").mkdir()

    result = dev_footwork("packs", "new", "calf", "--dir", tmp_path)

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "calf" / "footwork_calf" / "pack.toml").is_file()


def test_packs_new_warns_when_an_installed_pack_has_the_name(tmp_path):
    result = dev_footwork("packs", "new", "ankle", "--dir", tmp_path)

    assert result.returncode == 0
    assert "a pack named 'ankle' is already installed (footwork-ankle)" in result.stderr


# --- the new pack, installed into a clean environment ----------------------------------------------


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment (no system site-packages) with footwork installed from a copy of the repo.

    A copy, so that pip's build writes its build/ and egg-info there and not into the work tree.
    """
    root = tmp_path_factory.mktemp("clean-env")
    source = root / "footwork-source"
    shutil.copytree(REPO, source, ignore=not_footwork)
    env = root / "venv"
    succeed(sys.executable, "-m", "venv", env)
    succeed(env / BIN / "python", "-m", "pip", "install", "--quiet", source, timeout=900)
    return env


@pytest.fixture(scope="module")
def installed_pack(clean_env: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pack written by the clean environment's ``footwork packs new``, then installed there with pip."""
    parent = tmp_path_factory.mktemp("new-pack")
    succeed(clean_env / BIN / "footwork", "packs", "new", "stretches", "--dir", parent)
    target = parent / "stretches"
    succeed(clean_env / BIN / "python", "-m", "pip", "install", "--quiet", f"{target}[test]", timeout=900)
    return target


@pytest.mark.slow
def test_the_installed_pack_shows_in_footwork_packs_at_once(clean_env, installed_pack):
    result = succeed(clean_env / BIN / "footwork", "packs", "--json", "--strict")

    assert json.loads(result.stdout) == [{
        "name": "stretches",
        "version": "0.1.0",
        "distribution": "footwork-stretches",
        "routines": ["stretches"],
        "exercises": ["stretches:toe-lifts", "stretches:ankle-pumps"],
        "status": "ok",
        "error": None,
        "warnings": [],
    }]


@pytest.mark.slow
def test_the_installed_pack_passes_packs_check(clean_env, installed_pack):
    result = succeed(clean_env / BIN / "footwork", "packs", "check", installed_pack)

    assert result.stdout.strip() == "ok: stretches 0.1.0, 2 exercises, 1 routine"


@pytest.mark.slow
def test_the_installed_packs_own_tests_pass(clean_env, installed_pack):
    result = succeed(clean_env / BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                     cwd=installed_pack)

    assert "2 passed" in result.stdout


@pytest.mark.slow
def test_the_installed_packs_routine_can_be_shown_and_timed(clean_env, installed_pack):
    shown = succeed(clean_env / BIN / "footwork", "show", "Stretches", "--level", "gentle")
    routines = succeed(clean_env / BIN / "footwork", "routines", "--json")

    assert shown.stdout.startswith("Stretches (stretches)\n")
    assert "1. Toe lifts" in shown.stdout and "2. Ankle pumps" in shown.stdout
    [routine] = json.loads(routines.stdout)
    assert routine["id"] == "stretches" and routine["exercises"] == 2
    assert 0 < routine["seconds"]["gentle"] < routine["seconds"]["strong"]


@pytest.mark.slow
def test_a_new_packs_own_tests_pass_when_its_routine_borrows_another_packs_exercise(
    clean_env: Path, tmp_path: Path
):
    """The stranger's case: a routine using heel-raises:heel-raises, that pack a declared dependency."""
    heel_raises = tmp_path / "heel-raises"
    shutil.copytree(REPO / "packs" / "heel-raises", heel_raises, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__"))
    succeed(clean_env / BIN / "python", "-m", "pip", "install", "--quiet", heel_raises, timeout=900)
    succeed(clean_env / BIN / "footwork", "packs", "new", "borrower", "--dir", tmp_path)
    target = tmp_path / "borrower"
    data = target / "footwork_borrower" / "pack.toml"
    text = data.read_text(encoding="utf-8")
    assert 'exercises = ["toe-lifts", "ankle-pumps"]' in text
    data.write_text(text.replace('exercises = ["toe-lifts", "ankle-pumps"]',
                                 'exercises = ["toe-lifts", "heel-raises:heel-raises"]'), encoding="utf-8")
    pyproject = target / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('dependencies = ["', 'dependencies = ["footwork-heel-raises", "'),
                         encoding="utf-8")
    succeed(clean_env / BIN / "python", "-m", "pip", "install", "--quiet", f"{target}[test]", timeout=900)
    try:
        checked = succeed(clean_env / BIN / "footwork", "packs", "check", target)
        tests = succeed(clean_env / BIN / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        cwd=target)
    finally:
        # The environment is the module's: leave it with the stretches pack alone, as it found it.
        succeed(clean_env / BIN / "python", "-m", "pip", "uninstall", "--yes", "--quiet", "footwork-borrower",
                "footwork-heel-raises")

    assert checked.stdout.splitlines()[-1] == "ok: borrower 0.1.0, 2 exercises, 1 routine"
    # Both packs came from the same template, so they share the example routine's other name.
    assert ("routine 'borrower:borrower' answers to 'toe lifts and ankle pumps', as does "
            "'stretches:stretches'") in checked.stdout
    assert "2 passed" in tests.stdout
