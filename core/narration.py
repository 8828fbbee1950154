"""A routine as it is narrated: its timeline, cut into pages that are each one Alexa response.

:func:`narrate` is what the skill calls. Each :class:`Page` carries everything the skill needs to
answer with it (the SSML to send verbatim, the prompt, the transcript for a card) and where in the
routine it starts, so the skill can resume, repeat or go back from any page.

The renderers live in their own modules and are re-exported here: :func:`to_ssml` (Alexa),
:func:`to_text` (a transcript); :func:`footwork.core.audio.render_audio` speaks a narration offline.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ._model import Level, Routine
from .levels import level_for
from .movement import Pace
from .paging import MODES, Mode, PagingError, page_spans, prompt_for
from .ssml import MAX_SSML_CHARS, fragment, to_ssml
from .timeline import Break, Briefing, Cue, Position, Timeline, compile_routine, speaking_seconds
from .transcript import to_text
from .wording import spoken_minutes

__all__ = [
    "MODES", "Mode", "Narration", "Page", "PagingError", "estimate_seconds", "narrate", "planned_seconds",
    "prompt_for", "to_ssml", "to_text",
]


@dataclass(frozen=True)
class Page:
    """One Alexa response's worth of narration.

    ``position`` is where the page's first cue sits: the intro's on the first page, then the
    exercise (set, side) the page starts in.
    ``planned_seconds`` is how long the page plays, its prompt included. ``prompt`` is the spoken
    prompt alone, also the end of ``ssml`` and ``text``; None on the last page.
    """

    number: int
    total: int
    position: Position
    ssml: str
    text: str
    prompt: str | None
    planned_seconds: float
    cues: tuple[Cue, ...]

    def as_json(self) -> dict:
        return {
            "ssml": self.ssml,
            "text": self.text,
            "planned_seconds": self.planned_seconds,
            "position": self.position.as_json(),
            "number": self.number,
            "total": self.total,
            "prompt": self.prompt,
        }


@dataclass(frozen=True)
class Narration:
    """A routine at a level in a mode: the timeline, and the same cues cut into pages."""

    routine: Routine
    level: Level
    mode: Mode
    timeline: Timeline
    pages: tuple[Page, ...]

    @property
    def planned_seconds(self) -> float:
        """How long the pages play one after another, prompts included (not the time to say "next")."""
        return round(sum(page.planned_seconds for page in self.pages), 2)

    def as_json(self) -> dict:
        """The stable shape of ``footwork narrate --format json``."""
        return {
            "routine": self.routine.id,
            "level": self.level.value,
            "mode": self.mode,
            "planned_seconds": self.planned_seconds,
            "pages": [page.as_json() for page in self.pages],
            "cues": [cue.as_json() for cue in self.timeline.cues],
        }


def planned_seconds(routine: Routine, level: Level | str = Level.STANDARD, mode: Mode = "guided",
                    pace: Pace = "normal") -> float:
    """How long ``routine`` plays at ``level`` in ``mode``, prompts included: THE length of a routine.

    ``footwork routines``, the skill's "about N minutes", the intro's own "about N minutes" and
    :attr:`Narration.planned_seconds` all come from here, so they agree. ``level`` is read as
    :func:`~footwork.core.levels.level_for` reads it. (Not counted: the time a person takes to say
    "next" or "ready", which is theirs.)
    """
    return narrate(routine, Level(level), mode, pace=pace).planned_seconds


def estimate_seconds(routine: Routine, level: Level | str = Level.STANDARD) -> float:
    """The guided length of ``routine`` at ``level``: :func:`planned_seconds` in guided mode."""
    return planned_seconds(routine, level, "guided")


@functools.lru_cache(maxsize=512)
def narrate(routine: Routine, level: Level = Level.STANDARD, mode: Mode = "guided",
            briefing: Briefing = "full", pace: Pace = "normal") -> Narration:
    """Narrate ``routine`` at ``level``, paged for ``mode``. Cached: routines are immutable.

    The narration's ``level`` is the one really narrated (:func:`~footwork.core.levels.level_for`):
    strong, for a routine with no range to read harder, is standard. ``briefing`` is "full" (every
    caution of the routine, for a first use) or "reminder" (the one-line pain-free reminder).
    ``pace`` is the person's: "slow" gives each counted repetition longer; holds keep their seconds.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if briefing not in ("full", "reminder"):
        raise ValueError(f"briefing must be full or reminder, not {briefing!r}")
    level = level_for(routine, level)
    timeline = compile_routine(routine, level, mode, briefing, pace=pace)
    spans = page_spans(timeline, mode)
    pages = _pages(timeline, mode, spans)
    for _ in range(3):
        # The intro says how long the whole plays, prompts included, which paging adds: say that.
        total = sum(page.planned_seconds for page in pages)
        if spoken_minutes(total) in timeline.cues[0].text:
            break
        said = timeline.cues[0]
        timeline = compile_routine(routine, level, mode, briefing, round(total, 2), pace)
        heard = timeline.cues[0]
        if (heard.seconds, len(fragment(heard))) != (said.seconds, len(fragment(said))):
            spans = page_spans(timeline, mode)  # the pages' sizes changed: page again
            pages = _pages(timeline, mode, spans)
        else:
            # Only the first sentence's number changed: the same pages, the first one said anew.
            pages = (*_pages(timeline, mode, spans[:1], len(spans)), *pages[1:])
    return Narration(routine, level, mode, timeline, pages)


def _pages(timeline: Timeline, mode: Mode, spans: list[tuple[int, int]],
           total: int | None = None) -> tuple[Page, ...]:
    breaks = {b.index: b for b in timeline.breaks}
    return tuple(
        _page(timeline, number, total or len(spans), start, end, breaks.get(end), mode)
        for number, (start, end) in enumerate(spans, start=1)
    )


def _page(timeline: Timeline, number: int, total: int, start: int, end: int, at: Break | None,
          mode: Mode) -> Page:
    cues = timeline.cues[start:end]
    prompt = prompt_for(mode, at) if number < total else None
    ssml = to_ssml(cues, prompt)
    if len(ssml) >= MAX_SSML_CHARS:  # the pager's sums say this cannot happen; Alexa would refuse it
        raise PagingError(f"page {number} of {timeline.routine.id} has {len(ssml)} characters of SSML")
    seconds = sum(c.seconds for c in cues) + (speaking_seconds(prompt) if prompt else 0.0)
    return Page(number, total, cues[0].position, ssml, to_text(cues, prompt), prompt, round(seconds, 2), cues)
