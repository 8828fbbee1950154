"""The content commands: ``footwork packs`` (and ``packs check``, ``packs new``), ``routines``,
``exercises`` and ``show``.

These are for people who install, write and review packs: what is installed and whether it loaded,
how long each routine takes, every exercise with the id a routine uses it by, a routine written out as
a person would read it, a pack checked before it is published, and a new pack to start from. The work
is done in footwork.core (loading, checking, scaffolding); this module is the command line over it.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
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
    Move,
    PackStatus,
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
    routine_ref,
)
from footwork.core import levels as core_levels
from footwork.core import load_catalog as load_core_catalog
from footwork.core._model import AmountKind, other_side
from footwork.core._pack_check import Checked, check_path
from footwork.core._scaffold import ScaffoldError, pack_names, write_pack
from footwork.core.levels import rounds
from footwork.core.narration import narrate
from footwork.core.plugins import DATA_FILE
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


def routine_ids(pack: PackStatus) -> str:
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
                "ref": routine_ref(r),
                "title": r.title,
                "pack": r.pack,
                "exercises": len(r.exercises),
                "levels": [level.value for level in real[r.id]],
                # Every level a person may ask for, as narrated (a level the routine lacks reads as standard).
                "exercise_refs": [e.ref for e in r.exercises],
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


# --- footwork exercises ---------------------------------------------------------------------------


@click.command(
    epilog="""\b
Examples:
  footwork exercises
  footwork exercises --json""",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per exercise.")
@strict_option
def exercises(as_json: bool, strict: bool) -> None:
    """List every installed exercise, with the id a routine uses it by.

    A routine in any pack may use another pack's exercise by its id, "pack:exercise", as listed
    here, with the position it is done in and what it needs.
    """
    catalog = load_catalog(strict=strict)
    if as_json:
        echo_json([
            {
                "ref": e.ref,
                "id": e.id,
                "pack": e.pack,
                "name": e.name,
                "positions": list(e.positions),
                "needs": [list(options) for options in e.needs],
            }
            for e in catalog.exercises
        ])
        return
    if not catalog.exercises:
        failed = [p.name for p in catalog.packs if not p.ok]
        click.echo(f"No exercises loaded: {plural(len(failed), 'pack')} failed; see: footwork packs"
                   if failed else "No exercises installed; see: footwork packs")
        return
    rows = [[e.ref, e.name, " or ".join(e.positions), "; ".join(" or ".join(n) for n in e.needs) or "-"]
            for e in catalog.exercises]
    for line in table(["ID", "NAME", "POSITION", "NEEDS"], rows):
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

    def loaded(self, name: str) -> PackStatus | None:
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

    Lists every problem, each with the pack, the file and the field or hook it is in. PATH is the
    pack's distribution folder (the one with pyproject.toml) or its data file. For a folder, the
    entry point, the package data and references to other packs are checked too. Then the pack is
    loaded as footwork would load it, in a new process, beside the installed packs: its hooks run,
    a misspelt hook is named, and a routine id or name another pack uses is shown. Exit status is 1
    if anything is wrong, 0 if the pack is ready.
    """
    report = check_path(path)
    for warning in report.warnings:
        click.echo(f"warning: {warning}")
    for error in report.errors:
        click.echo(f"error: {error}")
    if report.errors:
        click.echo(f"failed: {plural(len(report.errors), 'problem')} in {path}")
        raise click.exceptions.Exit(1)
    for pack in report.packs:
        click.echo(f"ok: {summary(pack)}")


def summary(pack: Checked) -> str:
    """ "ankle 1.0.0, 7 exercises, 1 routine"; a data file checked on its own may have no version."""
    version = f" {pack.version}" if pack.version else ""
    return f"{pack.name}{version}, {plural(pack.exercises, 'exercise')}, {plural(pack.routines, 'routine')}"


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

