"""Cutting a timeline into pages: one Alexa response each, ending at a natural point.

An Alexa response cannot be paused, so the narration comes in pages and the person says "next" (or
"ready") between them. Pages end only at the timeline's :class:`~footwork.core.timeline.Break`
points, never inside a hold or a count, and each page's SSML, prompt included, stays under
:data:`~footwork.core.ssml.MAX_SSML_CHARS`.

Guided mode: one rule a person can learn
    A page is one exercise on one side (one set of it, where it has sets), or one set when both
    feet work together. Where the next exercise needs a new position, the page ends with what to do
    and "say ready when you're lying down", so the counting never starts before the person is
    there; the intro's page ends that way too, getting them into the first position. A part longer
    than :data:`GUIDED_MAX_SECONDS` splits into equal groups of its rounds, so both sides split at
    the same point and no round is left over on a page of its own.

Hands-free mode
    The fewest pages the SSML limit allows, none longer than :data:`HANDS_FREE_MAX_SECONDS` of
    planned time, ending where the person changes position whenever that costs no extra page (then
    between exercises, sets, sides, rounds, steps, in that order of preference).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from .ssml import MAX_SSML_CHARS, fragment, ssml_length
from .timeline import MODES, Break, BreakLevel, Cue, Mode, Timeline, speaking_seconds
from .wording import mid_sentence

__all__ = ["GUIDED_MAX_SECONDS", "HANDS_FREE_MAX_SECONDS", "MODES", "Mode", "Pager", "PagingError",
           "page_spans", "prompt_for"]

#: The longest a guided page may plan to last, unless one step alone is longer. A response cannot
#: be paused, so a person who stops mid-page (the doorbell, a cramp) hears the whole page again
#: from its start: four minutes bounds that re-do, splitting only the long parts (toe walking in its
#: rounds), not the ordinary one side of an exercise (most take one to three minutes).
GUIDED_MAX_SECONDS = 240.0
#: The longest a hands-free page may plan to last: a person who needs to stop waits at most this long.
HANDS_FREE_MAX_SECONDS = 300.0
#: The breaks a guided page always ends at: the parts of the one rule.
GUIDED_PARTS: frozenset[BreakLevel] = frozenset({"transition", "exercise", "set", "side"})

#: Characters left free under Alexa's limit for what the skill says around a page ("Okay, Ankle
#: strengthening.", "That's three days in a row. Well done.").
SKILL_HEADROOM = 300

GUIDED_PROMPT = "Say next for {label}, or repeat to hear that again."
GUIDED_PROMPT_UNNAMED = "Say next to carry on, or repeat to hear that again."
HANDS_FREE_PROMPT = "Say next to carry on."
READY_PROMPT = "Say ready when {ready}."

#: What a page ending at each level of break costs, in pages: a cut mid-exercise is as bad as one
#: more page, a cut where the person changes position costs nothing. Cue boundaries that are no
#: break at all, used only when a step alone is over the SSML limit, cost most.
_COST: dict[str, float] = {"transition": 0.0, "exercise": 0.3, "set": 0.6, "side": 0.6, "round": 1.0,
                           "step": 1.5}
_NO_BREAK = 3.0

Span = tuple[int, int]


class PagingError(ValueError):
    """The content cannot be paged within Alexa's limits: one cue alone is over the SSML limit."""


def prompt_for(mode: Mode, at: Break | None) -> str:
    """The prompt that ends a page: at a change of position, what to be ready for; else, in guided
    mode, what the next page starts with."""
    if at is not None and at.ready:
        return READY_PROMPT.format(ready=at.ready)
    if mode == "hands-free":
        return HANDS_FREE_PROMPT
    if at is not None and at.label:
        return GUIDED_PROMPT.format(label=mid_sentence(at.label))
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
        self._prompts: dict[int, str | None] = {}
        # Guided pages are timed by their exercise cues: the intro and closing may add to a page.
        self._work = [0.0, *itertools.accumulate(
            c.seconds if c.position.section == "exercise" else 0.0 for c in self.cues)]

    # -- sizes ------------------------------------------------------------------------------------

    def prompt(self, end: int) -> str | None:
        """The prompt of a page ending before cue ``end``: none on the last page."""
        if end not in self._prompts:
            last = end >= len(self.cues)
            self._prompts[end] = None if last else prompt_for(self.mode, self.breaks.get(end))
        return self._prompts[end]

    def chars(self, start: int, end: int) -> int:
        return ssml_length(self._chars[end] - self._chars[start], self.prompt(end))

    def seconds(self, start: int, end: int) -> float:
        return self._seconds[end] - self._seconds[start]

    def fits_ssml(self, start: int, end: int) -> bool:
        return self.chars(start, end) < MAX_SSML_CHARS - SKILL_HEADROOM

    def fits(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` makes one page in this mode."""
        if self.mode == "guided" and self._work[end] - self._work[start] > GUIDED_MAX_SECONDS + 1e-9:
            return False
        prompt = self.prompt(end)
        limit = HANDS_FREE_MAX_SECONDS - (speaking_seconds(prompt) if prompt else 0.0)
        if self.mode == "hands-free" and self.seconds(start, end) > limit + 1e-9:
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
        cuts = sorted(i for i, b in self.breaks.items() if b.level in GUIDED_PARTS)
        parts = list(itertools.pairwise([0, *cuts, len(self.cues)]))
        # The parts of one exercise (its sides and sets) split into the same number of groups, so that
        # the right side is cut where the left was.
        groups: dict[int, int] = {}
        for start, end in parts:
            key = self.cues[start].position.exercise
            groups[key] = max(groups.get(key, 1), self._groups_needed(start, end))
        pages: list[Span] = []
        for start, end in parts:
            pages += self._part(start, end, groups[self.cues[start].position.exercise])
        return pages

    def _rounds(self, start: int, end: int) -> list[Span]:
        rounds = sorted(i for i, b in self.breaks.items() if start < i < end and b.level == "round")
        return list(itertools.pairwise([start, *rounds, end]))

    @staticmethod
    def _grouped(rounds: list[Span], groups: int) -> list[Span]:
        size = len(rounds) // groups
        return [(rounds[g * size][0], rounds[(g + 1) * size - 1][1]) for g in range(groups)]

    def _groups_needed(self, start: int, end: int) -> int:
        """The fewest equal groups of its rounds that part ``[start, end)`` fits in (1: it fits whole)."""
        rounds = self._rounds(start, end)
        for groups in range(1, len(rounds) + 1):
            if len(rounds) % groups == 0 and all(self.fits(*s) for s in self._grouped(rounds, groups)):
                return groups
        return len(rounds)

    def _part(self, start: int, end: int, groups: int) -> list[Span]:
        """One part of the guided rule as pages: its rounds in ``groups`` equal groups, any group still
        too long for Alexa packed at its steps."""
        rounds = self._rounds(start, end)
        if len(rounds) % groups:
            groups = self._groups_needed(start, end)
        pages: list[Span] = []
        for span in self._grouped(rounds, groups):
            pages += [span] if self.fits(*span) else self._pack(*span)
        return pages

    def _pack(self, start: int, end: int) -> list[Span]:
        """The fewest pages for ``[start, end)`` cut at any break, preferring coarse breaks.

        Dynamic programming over the candidate cuts: for each, the cheapest way to end a page
        there, cost being pages plus the summed :data:`_COST` of the cuts. The time limit gives way
        where two neighbouring cuts are further apart than it: a 6-minute hold is one page.
        """
        cands = self._candidates(start, end)
        best: dict[int, tuple[float, int | None]] = {0: (0.0, None)}
        for i in range(1, len(cands)):
            rank = 0.0 if cands[i] == end else _COST.get(self._level(cands[i]), _NO_BREAK)
            choice: tuple[float, int | None] | None = None
            for j in range(i - 1, -1, -1):
                neighbours = j == i - 1
                if not (self.fits(cands[j], cands[i]) or (neighbours and self.fits_ssml(cands[j], cands[i]))):
                    break  # a longer page fits no better
                cost = best[j][0] + 1 + rank
                if choice is None or cost < choice[0]:
                    choice = (cost, j)
            if choice is None:
                raise PagingError(self._too_long(cands[i - 1], cands[i]))
            best[i] = choice
        spans: list[Span] = []
        at: int | None = len(cands) - 1
        while at:
            before = best[at][1]
            assert before is not None
            spans.append((cands[before], cands[at]))
            at = before
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

