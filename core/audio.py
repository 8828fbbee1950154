"""An offline audio preview of a narration: a WAV file spoken by espeak-ng, silences written by us.

The preview is for hearing a routine's pacing without an Echo: the words at the planned speaking
rate, the holds, counts and rests exactly as long as planned. espeak-ng speaks each run of words
(``-m``: the same SSML as Alexa gets, so letters are said as letters) at :data:`ESPEAK_RATE`, the
``-s`` that matches :data:`~footwork.core.timeline.WORDS_PER_MINUTE`.

The silences between runs are written here as zero samples, not sent to espeak-ng as ``<break>``
tags: espeak-ng does not add up consecutive breaks (three 10 s breaks in a row last 10 s, checked
on espeak-ng 1.51) and drops a break at the very start of its input. Speaking one run at a time
also needs no chunking of long input, and runs are cached by their SSML, so "one", "two" and
"And release." are each synthesised once.
"""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path

from .narration import Narration, Page
from .ssml import CLOSE, OPEN, fragment
from .timeline import WORDS_PER_MINUTE, Cue, speaking_seconds

ESPEAK = "espeak-ng"
#: espeak-ng's ``-s`` counts words of its own reference text, and its clips are trimmed of its own
#: padding (see :func:`_trimmed`). At ``-s 122`` every routine of the four seed packs, at every level,
#: lasts within 3.5 % of its plan (measured on espeak-ng 1.51, the test in tests/test_audio.py checks
#: 5 %). So the preview speaks at the rate whose durations match the plan, not at the nominal number.
ESPEAK_RATE_FACTOR = 122 / 150
ESPEAK_RATE = round(WORDS_PER_MINUTE * ESPEAK_RATE_FACTOR)
#: A sample quieter than this is silence, when trimming espeak-ng's padding; and the margin kept.
QUIET = 64
EDGE = 0.15
#: Per run of words; espeak-ng says a paragraph in well under a second.
ESPEAK_TIMEOUT = 60
#: What the WAV is written as when nothing is spoken at all (espeak-ng's own format otherwise).
DEFAULT_FORMAT = (1, 2, 22_050)  # channels, sample width in bytes, frames per second


class AudioError(RuntimeError):
    """The preview could not be made: espeak-ng is missing or failed, or the file cannot be written."""


def render_audio(narration_or_cues: Narration | Page | Iterable[Cue], path: str | os.PathLike[str], *,
                 espeak: str = ESPEAK) -> float:
    """Speak a narration (every page, prompts included), one page or some cues into the WAV file ``path``.

    Returns the length written, in seconds. ``espeak`` names the espeak-ng program to run.
    """
    program = shutil.which(espeak)
    if program is None:
        raise AudioError(
            f"cannot make an audio preview: {espeak} is not installed or not on PATH. "
            "Install it (Debian and Ubuntu: apt-get install espeak-ng; macOS: brew install espeak-ng)."
        )
    items = list(_heard(narration_or_cues))
    with tempfile.TemporaryDirectory(prefix="footwork-audio-") as scratch:
        speaker = _Speaker(program, Path(scratch))
        clips = [speaker.say(part) if isinstance(part, str) else part for part in _runs(items)]
        params = next((clip[0] for clip in clips if isinstance(clip, tuple)), DEFAULT_FORMAT)
        channels, width, rate = params
        try:
            # The file first, then the wave writer on it: wave.open on a path it cannot create
            # leaves a half-made writer that complains again when collected.
            with open(path, "wb") as raw, wave.open(raw, "wb") as out:
                out.setnchannels(channels)
                out.setsampwidth(width)
                out.setframerate(rate)
                for clip in clips:
                    if isinstance(clip, tuple):
                        out.writeframes(clip[1])
                    else:
                        out.writeframes(b"\0" * (round(clip * rate) * channels * width))
                frames = out.tell()
        except OSError as error:
            raise AudioError(f"cannot write {os.fspath(path)}: {error.strerror or error}") from None
    return round(frames / rate, 3)


def _heard(source: Narration | Page | Iterable[Cue]) -> Iterator[Cue]:
    """The cues in the order heard; prompts become speech cues at the end of their page."""
    pages = source.pages if isinstance(source, Narration) else (source,) if isinstance(source, Page) else None
    if pages is None:
        yield from source  # type: ignore[misc]
        return
    for page in pages:
        yield from page.cues
        if page.prompt:
            yield Cue("speech", page.prompt, speaking_seconds(page.prompt), page.position)


def _runs(cues: list[Cue]) -> Iterator[str | float]:
    """Runs of words as SSML (str), and silences in seconds (float) between them."""
    words: list[str] = []
    for cue in cues:
        if cue.spoken:
            words.append(fragment(cue))
            continue
        if words:
            yield "".join(words)
            words = []
        yield cue.seconds
    if words:
        yield "".join(words)


class _Speaker:
    """Runs espeak-ng, once per distinct run of words."""

    def __init__(self, program: str, scratch: Path) -> None:
        self.program = program
        self.scratch = scratch
        self.cache: dict[str, tuple[tuple[int, int, int], bytes]] = {}

    def say(self, body: str) -> tuple[tuple[int, int, int], bytes]:
        if body not in self.cache:
            self.cache[body] = self._synthesise(body)
        return self.cache[body]

    def _synthesise(self, body: str) -> tuple[tuple[int, int, int], bytes]:
        out = self.scratch / f"{len(self.cache)}.wav"
        command = [self.program, "-m", "-s", str(ESPEAK_RATE), "-w", str(out), "--stdin"]
        try:
            done = subprocess.run(
                command, input=OPEN + body + CLOSE,
                capture_output=True, text=True, timeout=ESPEAK_TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise AudioError(f"{self.program} failed to run: {error}") from None
        if done.returncode != 0 or not out.exists():
            detail = done.stderr.strip() or f"exit status {done.returncode}"
            raise AudioError(f"{self.program} could not speak {body[:60]!r}: {detail}")
        with wave.open(str(out), "rb") as clip:
            params = (clip.getnchannels(), clip.getsampwidth(), clip.getframerate())
            return params, _trimmed(clip.readframes(clip.getnframes()), params)


def _trimmed(frames: bytes, params: tuple[int, int, int]) -> bytes:
    """The clip without espeak-ng's own silence before and after the words, but for :data:`EDGE`.

    espeak-ng pads every clip with a few hundred milliseconds of quiet; a count said as its own clip
    ("one, up") would then last half as long again as it is planned to, where Alexa, saying the whole
    page as one, adds nothing. The silences between clips are the plan's, written by us.
    """
    channels, width, rate = params
    if width != 2:
        return frames
    samples = array.array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        return frames
    start = next((i for i, v in enumerate(samples) if abs(v) > QUIET), 0)
    end = next((i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > QUIET), len(samples) - 1)
    edge = round(EDGE * rate) * channels
    start = max(0, start - edge) // channels * channels
    end = min(len(samples), end + 1 + edge)
    return frames[start * width:end * width]

