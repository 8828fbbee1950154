"""``footwork narrate``: a routine as the skill would say it, page by page, as text, SSML, JSON or audio.

For content authors and reviewers: hear the pacing (``--audio``), read what Alexa will get
(``--format ssml``), or feed the paging to other tools (``--format json``, a stable interface).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from footwork.core import Level, Routine
from footwork.core.audio import AudioError, render_audio
from footwork.core.narration import MODES, Narration, Page
from footwork.core.narration import narrate as narrate_routine
from footwork.core.timeline import Position

from . import load_catalog, strict_option

FORMATS = ("text", "ssml", "json")


class NarrateUsageError(click.ClickException):
    """A routine that is not installed or a page that does not exist: exit status 2, as for bad usage."""

    exit_code = 2


@click.command(
    "narrate",
    epilog="""\b
Examples:
  footwork narrate heel-raises --level first-time
  footwork narrate ankle --mode hands-free --format ssml --page 2
  footwork narrate "toe walking" --format json > toe-walking.json
  footwork narrate heel-raises --audio heel-raises.wav""",
)
@click.argument("routine")
@click.option("--level", type=click.Choice([level.value for level in Level]), default=Level.STANDARD.value,
              show_default=True, help="How hard to read the content's ranges.")
@click.option("--mode", type=click.Choice(MODES), default="guided", show_default=True,
              help="guided: a page per exercise (or set); hands-free: as few pages as Alexa allows.")
@click.option("--format", "output", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text: a transcript with pauses shown; ssml: what Alexa gets; json: pages and cues.")
@click.option("--page", "page_number", type=int, metavar="N", help="Only page N (counting from 1).")
@click.option("--audio", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.wav",
              help="Also speak it into a WAV file with espeak-ng, silences as long as planned.")
@strict_option
def narrate(routine: str, level: str, mode: str, output: str, page_number: int | None, audio: Path | None,
            strict: bool) -> None:
    """Print ROUTINE as narrated: the pages the skill sends, each ending with its prompt.

    ROUTINE is a routine's id, title or one of its other names. JSON output is an object with
    routine, level, mode, planned_seconds (the whole routine), pages (each with ssml, text,
    planned_seconds, position, number, total, prompt) and cues (each with kind, text, seconds);
    with --page, pages and cues hold that page's only. A cue's kind says what it is: speech,
    transition (getting into position), count, letter, countdown (words), or hold, rest, move,
    settle (time to get into position), pause (silences). A routine without ranges has one level
    besides first-time: asked for another, it is narrated at standard, and said so on stderr.
    """
    catalog = load_catalog(strict=strict)
    found = catalog.find(routine)
    if found is None:
        raise NarrateUsageError(_no_such_routine(routine, catalog.routines))
    narration = narrate_routine(found, Level(level), mode)  # type: ignore[arg-type]
    if narration.level.value != level:
        click.echo(f"footwork: {found.id} has no range to read at the {level} level; "
                   f"narrating the {narration.level.value} level", err=True)
    pages = narration.pages
    if page_number is not None:
        if not 1 <= page_number <= len(pages):
            raise NarrateUsageError(
                f"no page {page_number}: {found.id} has {len(pages)} page{'s' if len(pages) != 1 else ''} "
                f"at the {level} level in {mode} mode (use --page 1 to {len(pages)})"
            )
        pages = (pages[page_number - 1],)

    if audio is not None:
        # Before any output, so that a missing espeak-ng fails the command cleanly.
        source = narration if page_number is None else pages[0]
        try:
            seconds = render_audio(source, audio)
        except AudioError as error:
            raise click.ClickException(str(error)) from None
        planned = sum(page.planned_seconds for page in pages)
        click.echo(f"footwork: wrote {audio} ({_duration(seconds)}; planned {_duration(planned)})", err=True)

    if output == "json":
        click.echo(json.dumps(_json(narration, pages), indent=2, ensure_ascii=False))
        return
    for i, page in enumerate(pages):
        if i:
            click.echo()
        if output == "ssml":
            click.echo(f"<!-- {_heading(page)} -->")
            click.echo(page.ssml)
        else:
            click.echo(f"--- {_heading(page)} ---")
            click.echo(page.text)


def _json(narration: Narration, pages: tuple[Page, ...]) -> dict:
    data = narration.as_json()
    if len(pages) != len(narration.pages):
        data["pages"] = [page.as_json() for page in pages]
        data["cues"] = [cue.as_json() for page in pages for cue in page.cues]
    return data


def _heading(page: Page) -> str:
    return f"page {page.number} of {page.total}: {_where(page.position)}, {_duration(page.planned_seconds)}"


def _where(position: Position) -> str:
    if position.section != "exercise":
        return position.section
    where = f"exercise {position.exercise} of {position.exercises} ({position.exercise_name})"
    if position.sets > 1:
        where += f", set {position.set} of {position.sets}"
    if position.side:
        where += f", {position.side} side"
    return where


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _no_such_routine(said: str, routines: list[Routine]) -> str:
    installed = ", ".join(r.id for r in routines)
    return f"no routine '{said}'; " + (f"installed: {installed}" if installed else "none are installed")


if __name__ == "__main__":
    narrate()
