"""The content commands: ``footwork packs`` (and ``packs check``, ``packs new``), ``routines`` and ``show``.

These are for people who install, write and review packs: what is installed and whether it loaded,
how long each routine takes, a routine written out as a person would read it, a pack checked before
it is published, and a new pack to start from.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from footwork.core import (
    EQUIPMENT,
    Alphabet,
    Amount,
    Catalog,
    Count,
    Exercise,
    Hold,
    Level,
    LoadedPack,
    Move,
    Pack,
    PackDataError,
    Repeat,
    Rest,
    Routine,
    Say,
    Step,
    SwitchSide,
    has_levels,
    installed_packs,
    level_for,
    planned_seconds,
    read_pack_file,
)
from footwork.core import levels as core_levels
from footwork.core import load_catalog as load_core_catalog
from footwork.core._model import AmountKind, other_side
from footwork.core._scaffold import ScaffoldError, pack_names, write_pack
from footwork.core.levels import rounds
from footwork.core.narration import narrate
from footwork.core.plugins import DATA_FILE, ENTRY_POINT_GROUP
from footwork.core.settings import pack_selection_from_env
from footwork.core.timeline import Cue
from footwork.core.wording import fill as fill_text
from footwork.core.wording import names_a_side

from . import error_lines, exit_if_strict, load_catalog, strict_option

LEVEL_CHOICE = click.Choice([level.value for level in Level])

# --- formatting shared by the listings --------------------------------------------------------------


def format_duration(seconds: float) -> str:
    """A duration as a person reads it: 270 -> "4 min 30 s", 45 -> "45 s", 120 -> "2 min"."""
    minutes, rest = divmod(round(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def plural(count: float, noun: str) -> str:
    """ "1 routine", "7 exercises", "2.5 seconds"."""
    return f"{format_number(count)} {noun}" + ("" if count == 1 else "s")


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Rows as left-aligned columns under their headers, two spaces apart, without trailing spaces."""
    widths = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in (headers, *rows)]


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


# --- footwork packs -------------------------------------------------------------------------------


@click.group(
    invoke_without_command=True,
    epilog="""\b
Examples:
  footwork packs
  footwork packs --json
  FOOTWORK_PACKS=ankle,foot footwork packs --strict""",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per pack.")
@strict_option
@click.pass_context
def packs(ctx: click.Context, as_json: bool, strict: bool) -> None:
    """List the installed packs and whether each loaded.

    Each pack is shown with its version, distribution and routines. A pack that failed is listed
    with its error, each problem on its own line; the others still load. Exit status is 0 unless
    --strict (or FOOTWORK_STRICT=1) is given and a pack has a problem. The subcommands check a pack
    before publishing it and start a new one.
    """
    if ctx.invoked_subcommand is not None:
        if as_json or strict:
            raise click.UsageError(f"--json and --strict list the packs; give them to 'packs', not "
                                   f"'packs {ctx.invoked_subcommand}'")
        return
    catalog = load_core_catalog()
    if as_json:
        echo_json([pack.as_json() for pack in catalog.packs])
    else:
        for line in packs_listing(catalog):
            click.echo(line)
    exit_if_strict(catalog, strict)


def routine_ids(pack: LoadedPack) -> str:
    return ", ".join(r.id for r in pack.routines) or "-"


def packs_listing(catalog: Catalog) -> list[str]:
    """The packs as a table; a failed pack's problems follow its row, indented, one a line."""
    if not catalog.packs:
        selection = pack_selection_from_env()
        if selection is not None:
            names = ",".join(sorted(selection))
            return [f"No packs selected: FOOTWORK_PACKS is set to {names!r}."]
        return ["No packs installed. Install one with pip, or start one with: footwork packs new NAME"]
    headers = ["NAME", "VERSION", "DISTRIBUTION", "STATUS", "ROUTINES"]
    rows = [[p.name, p.version or "-", p.distribution or "-", p.status, routine_ids(p)]
            for p in catalog.packs]
    header, *lines = table(headers, rows)
    out = [header]
    for pack, line in zip(catalog.packs, lines, strict=True):
        out.append(line)
        out += [f"    error: {problem}" for problem in error_lines(pack)]
        out += [f"    warning: {warning}" for warning in pack.warnings]
    failed = sum(1 for p in catalog.packs if not p.ok)
    summary = f"{plural(len(catalog.packs), 'pack')}, {plural(len(catalog.routines), 'routine')}"
    out += ["", summary + (f"; {failed} failed to load." if failed else ".")]
    return out


# --- footwork routines ----------------------------------------------------------------------------


@click.command(
    epilog="""\b
Examples:
  footwork routines
  footwork routines --json""",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per routine.")
@strict_option
def routines(as_json: bool, strict: bool) -> None:
    """List the routines, with their length at each level they have.

    Lengths are the narration's planned length (guided), the same figure the skill says: speech at a
    steady pace, and every hold, count, rest and settle in full. Levels read the article's ranges;
    a routine without ranges has one level besides first-time, and "-" under the others.
    """
    catalog = load_catalog(strict=strict)
    durations = {r.id: {level: planned_seconds(r, level) for level in Level} for r in catalog.routines}
    real = {r.id: core_levels(r) for r in catalog.routines}
    if as_json:
        echo_json([
            {
                "id": r.id,
                "title": r.title,
                "pack": r.pack,
                "exercises": len(r.exercises),
                "levels": [level.value for level in real[r.id]],
                # Every level a person may ask for, as narrated (a level the routine lacks reads as standard).
                "seconds": {level.value: round(seconds, 1) for level, seconds in durations[r.id].items()},
            }
            for r in catalog.routines
        ])
        return
    if not catalog.routines:
        click.echo("No routines installed; see: footwork packs")
        return
    headers = ["ID", "TITLE", "PACK", "EXERCISES", *(level.value.upper() for level in Level)]
    rows = [[r.id, r.title, r.pack, str(len(r.exercises)),
             *(format_duration(durations[r.id][level]) if level in real[r.id] else "-" for level in Level)]
            for r in catalog.routines]
    for line in table(headers, rows):
        click.echo(line)


# --- footwork show --------------------------------------------------------------------------------


class NoSuchRoutine(click.ClickException):
    """The routine asked for is not installed: exit status 2, like any other bad argument."""

    exit_code = 2


@click.command(
    epilog="""\b
Examples:
  footwork show ankle
  footwork show "heel raises" --level first-time""",
)
@click.argument("routine")
@click.option("--level", type=LEVEL_CHOICE, default=Level.STANDARD.value, show_default=True,
              help="Read the ranges at this level.")
@strict_option
def show(routine: str, level: str, strict: bool) -> None:
    """Print a routine as a person would read it.

    Shows what you need, the cautions, and every exercise step by step. ROUTINE is a routine's id,
    title or one of its other names. Numbers are read at --level, with the article's range beside
    them where it gives one.
    """
    catalog = load_catalog(strict=strict)
    found = catalog.find(routine)
    if found is None:
        installed = ", ".join(r.id for r in catalog.routines)
        raise NoSuchRoutine(f"no routine '{routine}'; "
                            + (f"installed: {installed}" if installed else "no routines are installed"))
    for line in RoutineText(found, Level(level), catalog).lines():
        click.echo(line)


POSITION_NAMES = {"supported-standing": "standing, holding on to something for support"}
DOSE_UNITS: dict[AmountKind, str] = {"times": "time", "sets": "set", "seconds": "second"}


def read_dose(amount: Amount, level: Level, kind: AmountKind) -> str:
    """ "15 times (range 10-20)": the amount at ``level``, with the article's range if it gives one."""
    text = plural(amount.read(level, kind), DOSE_UNITS[kind])
    return f"{text} (range {amount})" if amount.is_range else text


def spoken_needs(needs: tuple[tuple[str, ...], ...]) -> list[str]:
    """Each need as said aloud; alternatives joined by "or": "a table or a sturdy chair, ..."."""
    return [" or ".join(EQUIPMENT[option] for option in options) for options in needs]


@dataclass
class RoutineText:
    """A routine written out at one level, for reading: the model's numbers, as the narrator reads them."""

    routine: Routine
    level: Level
    catalog: Catalog

    def lines(self) -> list[str]:
        routine = self.routine
        title = f"{routine.title} ({routine.id})"
        out = [title, "=" * len(title)]
        pack = self.loaded(routine.pack)
        out.append(f"Pack: {routine.pack}" + (f" {pack.version}" if pack and pack.version else ""))
        for source in self.sources():
            out += wrap(source, "Source: ")
        level = level_for(routine, self.level)
        seconds = planned_seconds(routine, level)
        out.append(f"At the {level.value} level: about {format_duration(seconds)}, "
                   f"{plural(len(routine.exercises), 'exercise')}.")
        if level is not self.level:
            out.append(f"(No range in this routine reads differently at the {self.level.value} level.)")
        if not has_levels(routine):
            out.append("One level besides first-time: the content gives no range to read gentler or harder.")
        if routine.intro:
            out += ["", *wrap(routine.intro)]
        if routine.all_needs:
            out += ["", "What you need:"]
            for need in spoken_needs(routine.all_needs):
                out += wrap(need, "  - ")
        if routine.cautions:
            out += ["", "Take care:"]
            for caution in routine.cautions:
                out += wrap(caution, "  - ")
        for number, exercise in enumerate(routine.exercises, start=1):
            out += ["", *self.exercise_lines(number, exercise)]
        if routine.outro:
            out += ["", *wrap(routine.outro)]
        return out

    def loaded(self, name: str) -> LoadedPack | None:
        return next((p for p in self.catalog.packs if p.name == name), None)

    def sources(self) -> list[str]:
        """The source of the routine's pack, then any other source an exercise comes from, each once."""
        names = [self.routine.pack, *(e.pack for e in self.routine.exercises)]
        seen: list[str] = []
        for name in names:
            loaded = self.loaded(name)
            if loaded is None or loaded.pack is None:
                continue
            source = loaded.pack.source
            text = source.title + (f", by {source.author}" if source.author else "")
            text += f" <{source.url}>" if source.url else ""
            if text not in seen:
                seen.append(text)
        return seen

    def exercise_lines(self, number: int, exercise: Exercise) -> list[str]:
        heading = f"{number}. {exercise.name}  ({exercise.ref})"
        positions = " or ".join(POSITION_NAMES.get(p, p) for p in exercise.positions)
        out = [heading, f"   Position: {positions}"]
        if exercise.about:
            out += wrap(exercise.about, "   ")
        if exercise.needs:
            out += wrap("; ".join(spoken_needs(exercise.needs)), "   You need: ")
        for caution in exercise.cautions:
            out += wrap(caution, "   Take care: ")
        dose = exercise.dose
        side = None if dose.sides == "both" else dose.first_side
        if exercise.setup:
            out.append("   Setup:")
            for text in self.step_texts(exercise.setup, side=None):
                out += wrap(text, "     - ")
        shown_for = f" (shown for the {side} side)" if dose.sides in ("each", "alternating") else ""
        out.append(f"   Steps{shown_for}:")
        for i, text in enumerate(self.step_texts(exercise.steps, side=side), start=1):
            out += wrap(text, f"     {i}. ")
        out += wrap(self.sets_text(exercise), "   Sets: ")
        out += wrap(self.sides_text(exercise), "   Sides: ")
        out.append("   Said (each line once, as the narration says it):")
        for line in self.said_lines(number):
            out += wrap(line, "     > ")
        return out

    def said_lines(self, number: int) -> list[str]:  # noqa: C901 - one pass over the cues
        """What the narration really says for exercise ``number``, from its timeline: each distinct line
        once, in the order first heard, a run of counting shown by its first repetition."""
        cues = [c for c in narrate(self.routine, self.level).timeline.cues
                if c.position.section == "exercise" and c.position.exercise == number]
        lines: list[str] = []
        run: list[Cue] = []

        def flush() -> None:
            if run:
                # The first repetition in full, then where the count ends: "one, up ... to fifteen".
                second = next((i for i, c in enumerate(run) if i and c.text.split(",")[0] == "two"), len(run))
                first = " ... ".join(c.text for c in run[:second])
                last = next(c.text.split(",")[0] for c in reversed(run) if "," in c.text or c.kind == "letter"
                            or not c.text.startswith("and "))
                shown = first if second == len(run) else f"{first} ... to {last}"
                if shown not in lines:
                    lines.append(shown)
                run.clear()

        for cue in cues:
            if cue.kind in ("count", "letter"):
                run.append(cue)
            elif cue.spoken and cue.kind != "countdown":
                flush()
                # Rounds are shown once: "Round two of five" stands for the rest.
                if cue.text not in lines and not (cue.text.startswith("Round ") and rounds_shown(lines)):
                    lines.append(cue.text)
        flush()
        return lines

    def sets_text(self, exercise: Exercise) -> str:
        dose = exercise.dose
        text = read_dose(dose.sets, self.level, "sets")
        if dose.rest_between_sets is not None:
            text += f", resting {read_dose(dose.rest_between_sets, self.level, 'seconds')} between sets"
        return text

    @staticmethod
    def sides_text(exercise: Exercise) -> str:
        dose = exercise.dose
        return {
            "one": f"the {dose.first_side} side only" if names_a_side(exercise) else "no switching",
            "both": "both feet together",
            "each": f"each side in turn, {dose.first_side} first, then {other_side(dose.first_side)}",
            "alternating": f"alternating with every round, {dose.first_side} first",
        }[dose.sides]

    def step_texts(self, steps: tuple[Step, ...], *, side: str | None) -> Iterator[str]:
        """Each step as a line; numbers in [brackets] are what this level does."""
        done: list[int] = []  # step numbers a repeat may reach back over, as in the narration
        for number, step in enumerate(steps, start=1):
            if isinstance(step, Repeat):
                yield self.repeat_text(step, done[-step.steps:] if step.steps else done, side)
                done = []
                continue
            if isinstance(step, SwitchSide):
                side = step.side
                yield fill(step.text, side=side) if step.text else f"Switch to the {side} side."  # type: ignore[arg-type]
                done = []
                continue
            yield self.step_text(step, side)
            done.append(number)

    def step_text(self, step: Step, side: str | None) -> str:
        level = self.level
        match step:
            case Say(text):
                return fill(text, side=side)
            case Hold(seconds, text) | Rest(seconds, text):
                word = "Hold." if isinstance(step, Hold) else "Rest."
                said = fill(text, side=side, seconds=seconds.read(level, "seconds")) if text else word
                return f"{said} [{read_dose(seconds, level, 'seconds')}]"
            case Count(times, text, _):
                said = fill(text, side=side, count=times.read(level, "times"))
                return f"{said} [{read_dose(times, level, 'times')}]"
            case Move(seconds, text):
                said = fill(text, side=side, seconds=seconds.read(level, "seconds"))
                return f"{said} [{read_dose(seconds, level, 'seconds')}]"
            case Alphabet(text, each):
                return f"{fill(text, side=side)} [A to Z, {plural(each, 'second')} a letter]"
        raise AssertionError(step)  # pragma: no cover - Repeat and SwitchSide are handled by the caller

    def repeat_text(self, step: Repeat, segment: list[int], side: str | None) -> str:
        total = rounds(step, self.level)  # as narrated: the one rule for rounds
        extra = total - 1
        which = step_numbers(segment)
        how_many = plural(extra, "more time") if step.more else plural(total, "time") + " in all"
        if step.times.is_range:
            how_many += f" (range {step.times})"
        if step.text:
            return f"{fill(step.text, side=side, count=extra)} [{which}, {how_many}]"
        return f"Repeat {which}. [{how_many}]"


#: Shown text is wrapped to this many columns, so that long instructions stay readable in a terminal.
WIDTH = 100


def wrap(text: str, first: str = "") -> list[str]:
    """``text`` wrapped to :data:`WIDTH`, after ``first`` and indented to line up with it."""
    return textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=" " * len(first),
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def step_numbers(numbers: list[int]) -> str:
    """ "step 3", "steps 1-4" or "steps 1, 3"."""
    if len(numbers) == 1:
        return f"step {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"steps {numbers[0]}-{numbers[-1]}"
    return "steps " + ", ".join(map(str, numbers))


def fill(text: str, *, side: str | None, count: float | None = None, seconds: float | None = None) -> str:
    """A step's text with its placeholders filled in; numbers as digits, for reading."""
    return fill_text(text, side=side, count=count, seconds=seconds, numbers="digits")  # type: ignore[arg-type]


def rounds_shown(lines: list[str]) -> bool:
    return any(line.startswith("Round ") for line in lines)


# --- footwork packs check -------------------------------------------------------------------------

#: Folders never searched for a data file: environments, build output, version control.
SKIPPED_FOLDERS = {
    ".git", ".hg", ".venv", "venv", ".tox", ".nox", "build", "dist", "node_modules", "__pycache__",
}


#: The version the core gives a pack when neither its distribution nor its data file has one.
UNKNOWN_VERSION = "0"


@dataclass
class CheckReport:
    """What ``packs check`` found: errors fail the check, warnings do not; ``packs`` passed it."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    packs: list[Pack] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors.append(message)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


@packs.command(
    "check",
    epilog="""\b
Examples:
  footwork packs check .
  footwork packs check footwork_stretches/pack.toml""",
)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def check(path: Path) -> None:
    """Check a pack before installing or publishing it.

    Lists every problem, each with the file and field it is in. PATH is the pack's distribution
    folder (the one with pyproject.toml) or its data file. For a folder, the entry point, the
    package data and references to other packs are checked too. Exit status is 1 if anything is
    wrong, 0 if the pack is ready.
    """
    installed = {p.name: p for p in load_core_catalog(only=[e.name for e in installed_packs()]).packs}
    report = check_folder(path, installed) if path.is_dir() else check_file(path, str(path), installed)
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    for error in report.errors:
        click.echo(f"error: {error}")
    if report.errors:
        click.echo(f"failed: {plural(len(report.errors), 'problem')} in {path}")
        raise click.exceptions.Exit(1)
    for pack in report.packs:
        click.echo(f"ok: {summary(pack)}")


def summary(pack: Pack) -> str:
    """ "ankle 1.0.0, 7 exercises, 1 routine"; a data file checked on its own may have no version."""
    version = "" if pack.version == UNKNOWN_VERSION else f" {pack.version}"
    routines = plural(len(pack.unresolved) + len(pack.routines), "routine")
    return f"{pack.name}{version}, {plural(len(pack.exercises), 'exercise')}, {routines}"


def check_file(path: Path, shown_as: str, installed: dict[str, LoadedPack], *, pack: str | None = None,
               version: str | None = None, report: CheckReport | None = None,
               dependencies: set[str] | None = None) -> CheckReport:
    """Validate one data file; ``pack`` and ``version`` are what the distribution installs it as."""
    report = report if report is not None else CheckReport()
    try:
        parsed = read_pack_file(path, pack=pack, version=version)
    except PackDataError as error:
        for problem in error.problems:
            report.error(f"{shown_as}: {problem}")
        return report
    check_references(parsed, shown_as, installed, report, dependencies)
    report.packs.append(parsed)
    return report


def check_folder(root: Path, installed: dict[str, LoadedPack]) -> CheckReport:
    """Validate a distribution folder: its pyproject.toml, and the data file of each pack it declares."""
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
        return check_file(data_file, data_file.relative_to(root).as_posix(), installed, report=report)

    version = project.get("version") if isinstance(project.get("version"), str) else None
    dependencies = {requirement_name(d) for d in project.get("dependencies", []) if isinstance(d, str)}
    for name, target in entry_points.items():
        if not isinstance(target, str) or not target.strip():
            report.error(f"pyproject.toml: entry point '{name}' should name the pack's module, "
                         f"got {target!r}")
            continue
        module = target.split(":")[0].strip()
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
                report.error(f"no {DATA_FILE} found: the entry point '{name}' names the module '{module}', "
                             f"so footwork reads {expected}")
                continue
            report.warn(f"{expected} not found (does '{module}' use the footwork_pack_file hook?); "
                        f"checked {fallback.relative_to(root).as_posix()} instead")
            data_file = fallback
        shown_as = data_file.relative_to(root).as_posix()
        check_file(data_file, shown_as, installed, pack=name, version=version, report=report,
                   dependencies=dependencies)
        check_package_data(root, pyproject, package, package_dir, data_file, report)
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


def requirement_name(requirement: str) -> str:
    """The normalised distribution name a requirement starts with: "Footwork_Foot>=1" -> "footwork-foot"."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return normalise(match.group(1)) if match else ""


def normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared(pack: LoadedPack, dependencies: set[str] | None) -> bool:
    """Whether the pyproject's dependencies list ``pack``'s distribution (True when there is no pyproject)."""
    return dependencies is None or not pack.distribution or normalise(pack.distribution) in dependencies


def check_references(pack: Pack, shown_as: str, installed: dict[str, LoadedPack], report: CheckReport,
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
            elif other.pack is None:
                report.warn(f"{where}: pack '{owner}' failed to load, so '{ref}' was not checked")
            elif exercise not in {e.id for e in other.pack.exercises}:
                report.error(f"{where}: pack '{owner}' has no exercise '{exercise}'")
            elif not declared(other, dependencies):
                report.warn(f"pyproject.toml: routines use pack '{owner}', but [project] dependencies do not "
                            f"list {other.distribution}, so pip would not install it with this pack")


# --- footwork packs new ---------------------------------------------------------------------------


@packs.command(
    "new",
    epilog="""\b
Examples:
  footwork packs new calf-stretches
  footwork packs new calf-stretches --dir ~/src""",
)
@click.argument("name")
@click.option("--dir", "parent", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="Write the pack into DIR/NAME.  [default: the current folder]")
def new(name: str, parent: Path) -> None:
    """Start a new pack: a distribution footwork-NAME, ready to install.

    It installs, passes 'footwork packs check' and loads at once. NAME is the pack's id: lower-case
    letters, digits and single hyphens. The pack comes with an example routine to replace with your
    own content, a README and a test.
    """
    try:
        names = pack_names(name)
        written = write_pack(name, parent)
    except ScaffoldError as error:
        raise click.ClickException(str(error)) from None
    target = parent / name
    clash = next((e for e in installed_packs() if e.name == name), None)
    if clash is not None:
        click.echo(f"warning: a pack named '{name}' is already installed ({clash.distribution}); two packs "
                   "with one name cannot both load", err=True)
    click.echo(f"Wrote the pack '{name}' ({names.distribution}) to {target}:")
    for path in written:
        click.echo(f"  {path.relative_to(target).as_posix()}")
    click.echo(f"""
Next, edit {names.package}/{DATA_FILE}, then:
  cd {target}
  pip install -e ".[test]"
  footwork packs check .
  footwork packs
  footwork show {name}""")

