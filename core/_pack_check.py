"""Checking a pack before it is installed or published (``footwork packs check``).

Two passes. The files are read as they are: ``pyproject.toml`` (entry point, package data,
dependencies) and each data file, every problem with its file and field. Then the pack is loaded as
footwork would load it once installed, in a new process so that nothing it does on import touches the
caller: its module is imported with the installed packs present, its hooks run, and what loading
reports (a hook that raises, a misspelt hook, a data file that is not where a hook says, a routine id
or spoken name another installed pack uses) is reported too, naming the pack, the file and the hook.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._catalog import LoadedPack, PackStatus
from ._errors import PackDataError
from ._guard import hook_problems
from ._model import Pack
from ._schema import read_pack_file
from .hookspecs import hookimpl
from .plugins import DATA_FILE, ENTRY_POINT_GROUP, PackEntry, installed_packs, load_catalog, requirement_name

#: Folders never searched for a data file: environments, build output, version control.
SKIPPED_FOLDERS = {
    ".git", ".hg", ".venv", "venv", ".tox", ".nox", "build", "dist", "node_modules", "__pycache__",
}

#: The version the core gives a pack when neither its distribution nor its data file has one.
UNKNOWN_VERSION = "0"

#: How long the pack may take to import and load before the check gives up on it.
LOAD_TIMEOUT = 120

#: What a routine's cautions may start from; Footwork says it anyway when the pack's words lack it.
PAIN_FREE = "Move only within a pain-free range of motion."


@dataclass(frozen=True)
class Checked:
    """A pack that passed: what ``packs check`` sums up as "ankle 1.0.0, 7 exercises, 1 routine"."""

    name: str
    version: str | None
    exercises: int
    routines: int


@dataclass
class CheckReport:
    """What ``packs check`` found: errors fail the check, warnings do not."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Data files read from disk, by pack name.
    parsed: dict[str, Pack] = field(default_factory=dict)
    #: Packs whose data file was not found on disk, with what to say if loading does not find it either.
    unread: dict[str, str] = field(default_factory=dict)
    #: Packs as loading them found them (Python-built routines included), by name.
    loaded: dict[str, Checked] = field(default_factory=dict)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def packs(self) -> list[Checked]:
        """Every pack checked, as loading found it where it could load, else as its data file reads."""
        out = dict(self.loaded)
        for name, pack in self.parsed.items():
            version = None if pack.version == UNKNOWN_VERSION else pack.version
            out.setdefault(name, Checked(name, version, len(pack.exercises),
                                         len(pack.unresolved) + len(pack.routines)))
        return list(out.values())


def check_path(path: Path) -> CheckReport:
    """Check a distribution folder (the one with pyproject.toml) or a data file on its own."""
    installed = {p.name: p for p in load_catalog(only=[e.name for e in installed_packs()]).packs}
    if path.is_dir():
        return check_folder(path, installed)
    report = check_file(path, str(path), installed)
    check_loading([_file_entry(p, path) for p in report.parsed.values()], [], report)
    return report


def check_cautions(pack: Pack, shown_as: str, report: CheckReport) -> None:
    """A routine should say what to take care of; Footwork's own safety reminder is the least of it."""
    for i, (routine, _refs) in enumerate(pack.unresolved):
        if not routine.cautions:
            report.warn(f"{shown_as}: routines[{i}].cautions: routine '{routine.id}' has none; Footwork says "
                        f"its own safety reminder, but say what to take care of in this routine, such as "
                        f"cautions = [\"{PAIN_FREE}\"]")


def check_file(path: Path, shown_as: str, installed: dict[str, PackStatus], *, pack: str | None = None,
               version: str | None = None, report: CheckReport | None = None,
               dependencies: set[str] | None = None) -> CheckReport:
    """Validate one data file; ``pack`` and ``version`` are what the distribution installs it as.

    Each message starts with the pack and the file, as loading's do: "ankle: footwork_ankle/pack.toml:".
    """
    report = report if report is not None else CheckReport()
    try:
        parsed = read_pack_file(path, pack=pack, version=version)
    except PackDataError as error:
        where = f"{pack}: {shown_as}" if pack else shown_as  # a file on its own may not say its name
        for problem in error.problems:
            report.error(f"{where}: {problem}")
        return report
    where = f"{parsed.name}: {shown_as}"
    check_references(parsed, where, installed, report, dependencies)
    check_cautions(parsed, where, report)
    report.parsed[parsed.name] = parsed
    return report


def check_folder(root: Path, installed: dict[str, PackStatus]) -> CheckReport:
    """Validate a distribution folder: its pyproject.toml, and the data file of each pack it declares.

    Then import each pack it declares, in a new process beside the installed packs, and load them
    all as footwork would (:func:`check_loading`).
    """
    report = CheckReport()
    pyproject_path = root / "pyproject.toml"
    pyproject: dict[str, Any] = {}
    if pyproject_path.is_file():
        try:
            pyproject = tomllib.loads(pyproject_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            report.error(f"pyproject.toml: not valid TOML: {error}")
    project = pyproject.get("project", {}) if isinstance(pyproject.get("project"), dict) else {}
    entry_points = (project.get("entry-points") or {}).get(ENTRY_POINT_GROUP)
    if not pyproject_path.is_file() or not isinstance(entry_points, dict) or not entry_points:
        if pyproject_path.is_file() and pyproject:
            report.error(f"pyproject.toml: no [project.entry-points.{ENTRY_POINT_GROUP}] table, so footwork "
                         'would not find the pack once installed; add one such as:  name = "footwork_name"')
        data_file = next(find_data_files(root), None)
        if data_file is None:
            report.error(f"{root}: no {DATA_FILE} found")
            return report
        check_file(data_file, data_file.relative_to(root).as_posix(), installed, report=report)
        check_loading([_file_entry(p, data_file) for p in report.parsed.values()], [], report)
        return report

    version = project.get("version") if isinstance(project.get("version"), str) else None
    dependencies = {requirement_name(d) for d in project.get("dependencies", []) if isinstance(d, str)}
    distribution = project.get("name") if isinstance(project.get("name"), str) else None
    to_load: list[dict[str, str | None]] = []
    for name, target in entry_points.items():
        if not isinstance(target, str) or not target.strip():
            report.error(f"pyproject.toml: entry point '{name}' should name the pack's module, "
                         f"got {target!r}")
            continue
        module = target.split(":")[0].strip()
        to_load.append({"name": name, "module": module, "distribution": distribution, "version": version})
        located = locate_data_file(root, module)
        if located is None:
            report.error(f"pyproject.toml: the entry point '{name}' names '{module}', a single-file module; "
                         f"footwork reads {DATA_FILE} from inside a package, so make {module} a folder "
                         "with an __init__.py")
            continue
        package, package_dir, data_file = located
        if not data_file.is_file():
            fallback = next(find_data_files(root), None)
            expected = data_file.relative_to(root).as_posix()
            if fallback is None:
                # Perhaps a footwork_pack_file hook says where it is: loading the pack tells.
                report.unread[name] = (f"no {DATA_FILE} found: the entry point '{name}' names the module "
                                       f"'{module}', so footwork reads {expected}")
                continue
            report.warn(f"{expected} not found (does '{module}' use the footwork_pack_file hook?); "
                        f"checked {fallback.relative_to(root).as_posix()} instead")
            data_file = fallback
        shown_as = data_file.relative_to(root).as_posix()
        check_file(data_file, shown_as, installed, pack=name, version=version, report=report,
                   dependencies=dependencies)
        check_package_data(root, pyproject, package, package_dir, data_file, report)
    check_loading(to_load, [str(root), str(root / "src")], report)
    return report


def find_data_files(root: Path) -> Iterator[Path]:
    """Every pack.toml under ``root``, in a stable order, skipping environments and build output."""
    for folder, subfolders, filenames in os.walk(root):
        subfolders[:] = sorted(
            d for d in subfolders if d not in SKIPPED_FOLDERS and not d.endswith(".egg-info")
        )
        if DATA_FILE in filenames:
            yield Path(folder) / DATA_FILE


def locate_data_file(root: Path, module: str) -> tuple[str, Path, Path] | None:
    """Where footwork reads the pack's data, as core/plugins.py does: (package, its folder, data file).

    A package's data file is inside it; a module inside a package reads its package's. A top-level
    single-file module has no folder of its own to hold one: None.
    """
    parts = module.split(".")
    for base in (root, root / "src"):
        if base.joinpath(*parts).is_dir():
            return module, base.joinpath(*parts), base.joinpath(*parts, DATA_FILE)
        if base.joinpath(*parts[:-1], f"{parts[-1]}.py").is_file():
            if len(parts) == 1:
                return None
            return ".".join(parts[:-1]), base.joinpath(*parts[:-1]), base.joinpath(*parts[:-1], DATA_FILE)
    return module, root.joinpath(*parts), root.joinpath(*parts, DATA_FILE)


def check_package_data(root: Path, pyproject: dict[str, Any], package: str, package_dir: Path,
                       data_file: Path, report: CheckReport) -> None:
    """With setuptools, a data file is installed only if package-data (or MANIFEST.in) includes it."""
    backend = (pyproject.get("build-system") or {}).get("build-backend", "setuptools.build_meta")
    if not str(backend).startswith("setuptools"):
        return  # hatchling, flit and others ship every file in the package by default
    try:
        inside = data_file.relative_to(package_dir).as_posix()
    except ValueError:
        return
    package_data = ((pyproject.get("tool") or {}).get("setuptools") or {}).get("package-data") or {}
    listed = [package_data.get(key) for key in (package, "*", "")]
    patterns = [p for value in listed if isinstance(value, list) for p in value if isinstance(p, str)]
    if any(fnmatch.fnmatch(inside, pattern) for pattern in patterns):
        return
    if manifest_includes(root, data_file.relative_to(root).as_posix()):
        return
    report.error(f"pyproject.toml: [tool.setuptools.package-data] does not include {inside} for {package}, "
                 f"so pip would install the pack without its data; add:  {package} = [\"{inside}\"]")


def manifest_includes(root: Path, relative: str) -> bool:
    """Whether MANIFEST.in's include, recursive-include or graft lines take in ``relative``."""
    manifest = root / "MANIFEST.in"
    if not manifest.is_file():
        return False
    for line in manifest.read_text(encoding="utf-8", errors="replace").splitlines():
        command, *args = line.split() or [""]
        if command == "include" and any(fnmatch.fnmatch(relative, a) for a in args):
            return True
        if command == "recursive-include" and args and relative.startswith(args[0].rstrip("/") + "/"):
            if any(fnmatch.fnmatch(Path(relative).name, a) for a in args[1:]):
                return True
        if command == "graft" and args and relative.startswith(args[0].rstrip("/") + "/"):
            return True
    return False


def normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared(pack: PackStatus, dependencies: set[str] | None) -> bool:
    """Whether the pyproject's dependencies list ``pack``'s distribution (True when there is no pyproject)."""
    return dependencies is None or not pack.distribution or normalise(pack.distribution) in dependencies


def check_references(pack: Pack, shown_as: str, installed: dict[str, PackStatus], report: CheckReport,
                     dependencies: set[str] | None) -> None:
    """Check each "pack:exercise" a routine uses against what is installed here.

    A reference into a pack that is not installed cannot be checked, which is only a warning: the
    pack may well exist. One into an installed pack that lacks the exercise is an error.
    """
    own = {e.id for e in pack.exercises}
    for i, (_routine, refs) in enumerate(pack.unresolved):
        for j, ref in enumerate(refs):
            owner, _, exercise = ref.partition(":")
            where = f"{shown_as}: routines[{i}].exercises[{j}]"
            if owner == pack.name:
                if exercise not in own:
                    report.error(f"{where}: no exercise '{exercise}' in this pack")
                continue
            other = installed.get(owner)
            if other is None:
                report.warn(f"{where}: pack '{owner}' is not installed here, so '{ref}' was not checked")
            elif not isinstance(other, LoadedPack):
                report.warn(f"{where}: pack '{owner}' failed to load, so '{ref}' was not checked")
            elif exercise not in {e.id for e in other.pack.exercises}:
                report.error(f"{where}: pack '{owner}' has no exercise '{exercise}'")
            elif not declared(other, dependencies):
                report.warn(f"pyproject.toml: routines use pack '{owner}', but [project] dependencies do not "
                            f"list {other.distribution}, so pip would not install it with this pack")




# --- loading the pack, in a new process ------------------------------------------------------------


def _file_entry(pack: Pack, data_file: Path) -> dict[str, str | None]:
    return {"name": pack.name, "file": str(data_file.resolve()), "distribution": None,
            "version": None if pack.version == UNKNOWN_VERSION else pack.version}


def check_loading(packs: list[dict[str, str | None]], paths: list[str], report: CheckReport) -> None:
    """Load ``packs`` (module names, or data files) beside the installed packs in a new process.

    ``paths`` go first on that process's ``sys.path``, so a folder's own package is imported, not an
    installed copy of it.
    """
    if not packs:
        return
    with tempfile.TemporaryDirectory(prefix="footwork-check-") as scratch:
        out = Path(scratch) / "result.json"
        payload = json.dumps({"packs": packs, "paths": paths, "out": str(out)})
        try:
            process = subprocess.run([sys.executable, "-m", __name__, payload], capture_output=True,
                                     text=True, timeout=LOAD_TIMEOUT, cwd=scratch)
        except subprocess.TimeoutExpired:
            names = ", ".join(str(p["name"]) for p in packs)
            report.error(f"{names}: loading took more than {LOAD_TIMEOUT} s, so it was stopped; "
                         "does its module wait for something on import?")
            return
        if not out.is_file():
            last = (process.stderr.strip().splitlines() or ["no message"])[-1]
            names = ", ".join(str(p["name"]) for p in packs)
            report.error(f"{names}: importing it ended the process (exit status {process.returncode}): "
                         f"{last}")
            return
        results = json.loads(out.read_text(encoding="utf-8"))
    roots = [Path(p) for p in paths]
    # A data file checked alone has no module of its own: messages name the file instead.
    files = {str(p["name"]): str(p["file"]) for p in packs if p.get("file")}
    for result in results:
        _report_loading(result, roots, report, files.get(result["name"]))
    for message in report.unread.values():
        report.error(message)
    report.unread.clear()


def _shown(file: str | None, roots: list[Path], fallback: str) -> str:
    if not file:
        return fallback
    for root in roots:
        try:
            return Path(file).relative_to(root).as_posix()
        except ValueError:
            continue
    return file


def _report_loading(result: dict[str, Any], roots: list[Path], report: CheckReport,
                    data_file: str | None) -> None:
    name = result["name"]
    where = f"{name}: {data_file or _shown(result.get('module_file'), roots, result.get('module') or name)}"
    problems = result.get("hook_problems", [])
    for problem in problems:
        report.error(f"{where}: {problem}")
    for other in result.get("name_taken_by", []):
        report.error(f"{where}: the pack name '{name}' is already taken by {other}, installed here; two "
                     "packs with one name cannot both load, so rename this one (the entry point's name)")
    if result["status"] != "ok":
        stage, error = result.get("stage"), result["error"]
        if stage == "data" and name in report.unread:
            report.unread[name] = f"{where}: {error}"
        elif (stage == "data" and name not in report.parsed) or (stage == "needs" and name in report.parsed):
            pass  # the data file's own problems, and its references, are listed above with their fields
        else:
            for line in error.splitlines():
                report.error(f"{where}: {line}")
        return
    report.unread.pop(name, None)
    for warning in result.get("warnings", []):
        if warning not in problems:
            report.warn(f"{where}: {warning}")
    for routine in result.get("python_routines_without_cautions", []):
        report.warn(f"{where}: hook footwork_routines: routine '{routine}' has no cautions; Footwork says "
                    "its own safety reminder, but say what to take care of in this routine")
    version = result.get("version")
    version = None if version == UNKNOWN_VERSION else version
    report.loaded[name] = Checked(name, version, result["exercises"], result["routines"])


def _pack_file_module(name: str, data_file: Path) -> types.ModuleType:
    """A stand-in module for a data file checked on its own: its hook says where the data is."""
    module = types.ModuleType(f"footwork_check_{name.replace('-', '_')}")

    @hookimpl
    def footwork_pack_file() -> Path:
        return data_file

    module.footwork_pack_file = footwork_pack_file  # type: ignore[attr-defined]
    return module


def _load_for_check(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """In the new process: load the packs as footwork would, and say what became of each."""
    sys.path[:0] = payload["paths"]
    ours: list[PackEntry] = []
    for spec in payload["packs"]:
        module = spec.get("module") or _pack_file_module(spec["name"], Path(spec["file"]))
        ours.append(PackEntry(spec["name"], module, spec.get("distribution"), spec.get("version")))
    names = {e.name for e in ours}
    installed = installed_packs()
    entries = [e for e in installed if e.name not in names] + ours
    catalog = load_catalog(entries, only={e.name for e in entries})
    results = []
    for entry in ours:
        module = entry.module if isinstance(entry.module, types.ModuleType) else sys.modules.get(entry.module)
        item = catalog.pack(entry.name)
        result: dict[str, Any] = {
            "name": entry.name,
            "module": module.__name__ if module else entry.module,
            "module_file": _module_file(entry, module),
            "hook_problems": hook_problems(module) if module is not None else [],
            "status": item.status if item else "error",
            "error": item.error if item else "not loaded",
            "stage": getattr(item, "stage", None),
            "warnings": list(item.warnings) if item else [],
            "name_taken_by": sorted({e.distribution or "another distribution" for e in installed
                                     if e.name == entry.name and entry.distribution
                                     and normalise(e.distribution or "") != normalise(entry.distribution)}),
        }
        if isinstance(item, LoadedPack):
            result["version"] = item.version
            result["exercises"] = len(item.pack.exercises)
            result["routines"] = len(item.routines)
            result["python_routines_without_cautions"] = [r.id for r in item.pack.routines if not r.cautions]
        results.append(result)
    return results


def _module_file(entry: PackEntry, module: types.ModuleType | None) -> str | None:
    """The pack's module file, found even when importing it failed; None for a data file's stand-in."""
    if isinstance(entry.module, types.ModuleType):
        return None
    if module is not None:
        return getattr(module, "__file__", None)
    try:
        spec = importlib.util.find_spec(entry.module.split(":")[0].strip())
    except (ImportError, ValueError):
        return None
    return spec.origin if spec and spec.has_location else None


if __name__ == "__main__":
    _payload = json.loads(sys.argv[1])
    _results = _load_for_check(_payload)
    Path(_payload["out"]).write_text(json.dumps(_results), encoding="utf-8")
