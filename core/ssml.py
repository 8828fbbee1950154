"""Cues as Alexa SSML: the words escaped, every silence as ``<break>`` tags of at most 10 seconds.

Alexa caps one ``<break>`` at 10 s, so a longer silence is several breaks in a row, which Alexa
plays back to back. Fractions are written in milliseconds (``2250ms``): some speech engines misread
``2.25s``. Only three tags are used, all of them in Alexa's SSML reference: ``speak``, ``break``
and ``say-as`` (so a letter of the alphabet is said as a letter: "A", not the article "a").

Each cue renders on its own, so a page's length is the sum of its cues' lengths plus the wrapper and
the prompt; the pager relies on that to fill pages up to the limit without rendering every candidate.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from html import escape as _escape_html

from .timeline import Cue

#: The longest one ``<break>`` may be, in milliseconds.
MAX_BREAK_MS = 10_000
#: Alexa refuses ``outputSpeech`` SSML of this many characters or more.
MAX_SSML_CHARS = 8_000
#: Every tag this module writes; tests check pages against it.
TAGS = frozenset({"speak", "break", "say-as"})

OPEN, CLOSE = "<speak>", "</speak>"


def escape(text: str) -> str:
    """Text made safe inside SSML: ``&``, ``<`` and ``>`` escaped. (``html``, not ``xml.sax.saxutils``,
    whose import pulls in urllib, http.client and email: tens of milliseconds of a Lambda cold start.)"""
    return _escape_html(text, quote=False)


@functools.lru_cache(maxsize=4096)
def break_tags(seconds: float) -> str:
    """A silence of ``seconds`` as consecutive ``<break>`` tags, each at most :data:`MAX_BREAK_MS`."""
    remaining = round(seconds * 1000)
    tags = []
    while remaining > 0:
        piece = min(remaining, MAX_BREAK_MS)
        time = f"{piece // 1000}s" if piece % 1000 == 0 else f"{piece}ms"
        tags.append(f'<break time="{time}"/>')
        remaining -= piece
    return "".join(tags)


def fragment(cue: Cue) -> str:
    """One cue's SSML. Spoken cues end with a space so that the next words do not run on."""
    if not cue.spoken:
        return break_tags(cue.seconds)
    if cue.kind == "letter":
        return f'<say-as interpret-as="characters">{escape(cue.text)}</say-as> '
    return f"{escape(cue.text)} "


def prompt_fragment(prompt: str | None) -> str:
    return escape(prompt) if prompt else ""


def to_ssml(cues: Iterable[Cue], prompt: str | None = None) -> str:
    """A complete ``<speak>`` document for ``cues``, with ``prompt`` said last if given."""
    return OPEN + "".join(fragment(cue) for cue in cues) + prompt_fragment(prompt) + CLOSE


def ssml_length(fragments_length: int, prompt: str | None) -> int:
    """The length of :func:`to_ssml`'s result, given the summed length of the cues' fragments."""
    return len(OPEN) + fragments_length + len(prompt_fragment(prompt)) + len(CLOSE)
