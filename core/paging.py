"""Cutting a timeline into pages: one Alexa response each, ending at a natural point.

An Alexa response cannot be paused, so the narration comes in pages and the person says "next"
between them. Pages end only at the timeline's :class:`~footwork.core.timeline.Break` points (between
exercises, sets, sides, rounds or whole steps), never inside a hold or a count, and each page's SSML,
prompt included, stays under :data:`~footwork.core.ssml.MAX_SSML_CHARS`.

Guided mode
    A page per exercise. An exercise longer than :data:`GUIDED_MAX_SECONDS` is cut at its sets; a set
    still too long at its sides, then its rounds, then between steps. Parts that fit together share a
    page ("sets one and two", then "say next for set three"). The intro is a page of its own, ending
    with "say next for exercise one": it tells the person what to fetch and how to stand, and they
    need the time to do it. The outro shares the last page when the SSML allows.

Hands-free mode
    The fewest pages the SSML limit allows, for people who would rather not speak between exercises.
    Among the ways to use that few pages, the one that cuts at the coarsest points wins: between
    exercises rather than between sets, between sets rather than between steps.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Literal

from .ssml import MAX_SSML_CHARS, fragment, ssml_length
from .timeline import BREAK_LEVELS, Break, Cue, Timeline

Mode = Literal["guided", "hands-free"]
MODES: tuple[Mode, ...] = ("guided", "hands-free")

#: The longest a guided page may plan to last, unless one step alone is longer. The threshold
#: is about what a page costs when something interrupts it: a response cannot be paused, so a
#: person who stops mid-page (the doorbell, a cramp) hears the whole page again from its start.
#: Two and a half minutes bounds that re-do at about one exercise of the content (most run 40 s to
#: 2 minutes at the standard level) while splitting only the long ones: heel raises in its sets,
#: toe walking in its rounds. Much shorter and people would be saying "next" every few holds.
GUIDED_MAX_SECONDS = 150.0

#: Characters left free under Alexa's limit for what the skill says around a page ("Okay, Ankle
#: strengthening.", "That's three days in a row. Well done.").
SKILL_HEADROOM = 300

GUIDED_PROMPT = "Say next for {label}, or repeat to hear that again."
GUIDED_PROMPT_UNNAMED = "Say next to carry on, or repeat to hear that again."
HANDS_FREE_PROMPT = "Say next to carry on."

#: How much a page ending at each level of break is preferred: coarse first; cue boundaries that
#: are no break at all, used only when a step alone is over the SSML limit, last.
_RANK: dict[str, int] = {level: rank for rank, level in enumerate(BREAK_LEVELS)}
_NO_BREAK = len(BREAK_LEVELS)

Span = tuple[int, int]


class PagingError(ValueError):
    """The content cannot be paged within Alexa's limits: one cue alone is over the SSML limit."""


def prompt_for(mode: Mode, at: Break | None) -> str:
    """The prompt that ends a page, naming what the next page starts with where the mode says so."""
    if mode == "hands-free":
        return HANDS_FREE_PROMPT
    if at is not None and at.label:
        return GUIDED_PROMPT.format(label=at.label)
    return GUIDED_PROMPT_UNNAMED


class Pager:
    """Page spans (cue index ranges) for one timeline in one mode.

    Sizes come from prefix sums of each cue's SSML fragment and planned seconds, so checking
    whether any span fits costs O(1) and no candidate page is rendered.
    """

    def __init__(self, timeline: Timeline, mode: Mode) -> None:
        self.cues: Sequence[Cue] = timeline.cues
        self.mode = mode
        self.breaks = {b.index: b for b in timeline.breaks if 0 < b.index < len(self.cues)}
        self._chars = [0, *itertools.accumulate(len(fragment(c)) for c in self.cues)]
        self._seconds = [0.0, *itertools.accumulate(c.seconds for c in self.cues)]

    # -- sizes ------------------------------------------------------------------------------------

    def prompt(self, end: int) -> str | None:
        """The prompt of a page ending before cue ``end``: none on the last page."""
        return None if end >= len(self.cues) else prompt_for(self.mode, self.breaks.get(end))

    def chars(self, start: int, end: int) -> int:
        return ssml_length(self._chars[end] - self._chars[start], self.prompt(end))

    def seconds(self, start: int, end: int) -> float:
        return self._seconds[end] - self._seconds[start]

    def fits_ssml(self, start: int, end: int) -> bool:
        return self.chars(start, end) < MAX_SSML_CHARS - SKILL_HEADROOM

    def fits(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` makes one page in this mode."""
        if self.mode == "guided" and self.seconds(start, end) > GUIDED_MAX_SECONDS + 1e-9:
            return False
        return self.fits_ssml(start, end)

    # -- the pages --------------------------------------------------------------------------------

    def spans(self) -> list[Span]:
        """The pages, as consecutive ``(start, end)`` ranges covering every cue once."""
        if not self.cues:
            return []
        if self.mode == "hands-free":
            return self._pack(0, len(self.cues))
        return self._guided()

    def _guided(self) -> list[Span]:
        exercise_starts = [i for i, b in self.breaks.items() if b.level == "exercise"]
        bounds = [0, *sorted(exercise_starts), len(self.cues)]
        pages: list[Span] = []
        for start, end in itertools.pairwise(bounds):
            pages += self._split(start, end, depth=1)
        # The outro shares the last page. The intro keeps a page of its own: it says what to fetch
        # and how to stand, and the person needs the time to do that before the counting starts.
        if len(pages) > 1 and self.cues[pages[-1][0]].position.section == "outro":
            if self.fits_ssml(pages[-2][0], pages[-1][1]):
                pages[-2:] = [(pages[-2][0], pages[-1][1])]
        return pages

    def _split(self, start: int, end: int, depth: int) -> list[Span]:
        """``[start, end)`` as guided pages, cutting at breaks of ``BREAK_LEVELS[depth]`` or finer."""
        if self.fits(start, end):
            return [(start, end)]
        level = BREAK_LEVELS[depth]
        if level == "step":
            return self._pack(start, end)
        cuts = sorted(i for i, b in self.breaks.items() if start < i < end and b.level == level)
        if not cuts:
            return self._split(start, end, depth + 1)
        pages: list[Span] = []
        group: Span | None = None
        for part_start, part_end in itertools.pairwise([start, *cuts, end]):
            if group is not None and self.fits(group[0], part_end):
                group = (group[0], part_end)
                continue
            if group is not None:
                pages.append(group)
                group = None
            if self.fits(part_start, part_end):
                group = (part_start, part_end)
            else:
                pages += self._split(part_start, part_end, depth + 1)
        if group is not None:
            pages.append(group)
        return pages

    def _pack(self, start: int, end: int) -> list[Span]:
        """The fewest pages for ``[start, end)`` cut at any break, preferring coarse breaks.

        Dynamic programming over the candidate cuts: for each, the cheapest way to end a page
        there, cost being (pages, summed rank of the cuts). In guided mode the time limit gives
        way where two neighbouring cuts are further apart than it: a 3-minute hold is one page.
        """
        cands = self._candidates(start, end)
        best: dict[int, tuple[tuple[int, int], int | None]] = {0: ((0, 0), None)}
        for i in range(1, len(cands)):
            rank = 0 if cands[i] == end else _RANK.get(self._level(cands[i]), _NO_BREAK)
            choice: tuple[tuple[int, int], int | None] | None = None
            for j in range(i - 1, -1, -1):
                neighbours = j == i - 1
                if not (self.fits(cands[j], cands[i]) or (neighbours and self.fits_ssml(cands[j], cands[i]))):
                    break  # a longer page fits no better
                (pages, ranks), _ = best[j]
                cost = (pages + 1, ranks + rank)
                if choice is None or cost < choice[0]:
                    choice = (cost, j)
            if choice is None:
                raise PagingError(self._too_long(cands[i - 1], cands[i]))
            best[i] = choice
        spans: list[Span] = []
        i = len(cands) - 1
        while i:
            j = best[i][1]  # type: ignore[assignment]  # None only at 0, where the loop stops
            assert j is not None
            spans.append((cands[j], cands[i]))
            i = j
        return spans[::-1]

    def _level(self, index: int) -> str:
        found = self.breaks.get(index)
        return found.level if found else ""

    def _candidates(self, start: int, end: int) -> list[int]:
        """Where pages in ``[start, end)`` may end: the breaks, and every cue between two breaks
        that are too far apart for one page (a step whose SSML alone is over the limit)."""
        natural = [start, *sorted(i for i in self.breaks if start < i < end), end]
        cands = [start]
        for a, b in itertools.pairwise(natural):
            if not self.fits_ssml(a, b):
                cands += range(a + 1, b)
            cands.append(b)
        return cands

    def _too_long(self, start: int, end: int) -> str:
        cue = self.cues[start]
        return (f"one cue is too long for an Alexa response ({self.chars(start, end)} characters of SSML, "
                f"the limit is {MAX_SSML_CHARS}): {cue.text[:60]!r}...")


def page_spans(timeline: Timeline, mode: Mode) -> list[Span]:
    """The pages of ``timeline`` in ``mode``, as ``(start, end)`` cue index ranges."""
    return Pager(timeline, mode).spans()

