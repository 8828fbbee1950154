"""The audio preview, measured: real espeak-ng runs, and the WAV files it leaves are read back.

Skipped when espeak-ng is not installed, unless FOOTWORK_REQUIRE_TOOLS is set (as in CI, whose
.ci/run installs it), where a missing espeak-ng fails instead.
"""

from __future__ import annotations

import array
import os
import shutil
import sys
import wave
from pathlib import Path

import pytest
from footwork.core import Level, levels, narrate
from footwork.core.audio import AudioError, render_audio
from narration_content import CATALOG, ROUTINES, hold_routine

HAVE_ESPEAK = shutil.which("espeak-ng") is not None
needs_espeak = pytest.mark.skipif(
    not HAVE_ESPEAK and not os.environ.get("FOOTWORK_REQUIRE_TOOLS"),
    reason="espeak-ng is not installed (apt-get install espeak-ng); CI installs it and runs these",
)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def longest_silence(path: Path) -> float:
    """The longest stretch of exactly silent samples, in seconds."""
    with wave.open(str(path), "rb") as wav:
        assert (wav.getsampwidth(), wav.getnchannels()) == (2, 1)
        samples = array.array("h", wav.readframes(wav.getnframes()))
        if sys.byteorder == "big":
            samples.byteswap()
        rate = wav.getframerate()
    longest = run = 0
    for sample in samples:
        run = run + 1 if sample == 0 else 0
        longest = max(longest, run)
    return longest / rate


@needs_espeak
def test_heel_raises_first_time_audio_lasts_as_long_as_planned_within_ten_percent(tmp_path):
    narration = narrate(CATALOG.get("heel-raises"), Level.FIRST_TIME)
    path = tmp_path / "heel-raises.wav"

    written = render_audio(narration, path)

    assert written == pytest.approx(wav_seconds(path), abs=0.01)
    assert written == pytest.approx(narration.planned_seconds, rel=0.10)


@pytest.mark.slow
@needs_espeak
@pytest.mark.parametrize(("routine", "level"), [(r, level) for r in ROUTINES for level in levels(r)],
                         ids=[f"{r.id}-{level.value}" for r in ROUTINES for level in levels(r)])
def test_every_routine_at_every_level_sounds_as_long_as_planned_within_five_percent(routine, level, tmp_path):
    narration = narrate(routine, level, "guided")

    written = render_audio(narration, tmp_path / "routine.wav")

    assert written == pytest.approx(narration.planned_seconds, rel=0.05)


@needs_espeak
def test_a_hold_in_the_audio_is_silent_for_exactly_as_long_as_planned(tmp_path):
    # Holds of 25 s and 26 s: 22 s and 23 s of silence before the countdown starts inside them.
    measured = {}
    for seconds in (25, 26):
        path = tmp_path / f"hold-{seconds}.wav"
        render_audio(narrate(hold_routine(seconds)).timeline.cues, path)
        measured[seconds] = longest_silence(path)

    # The silence written is sample-exact: one more second of hold is one more second of silence.
    assert measured[26] - measured[25] == pytest.approx(1.0, abs=1 / 22_050)
    # espeak-ng ends and starts its words with a little quiet of its own, as the plan's pause at the
    # end of "Hold for 25 seconds." does; it never stretches the hold by more than that.
    assert 22.0 <= measured[25] < 22.0 + 0.6


@needs_espeak
def test_one_page_or_cues_alone_can_be_rendered_and_the_length_is_returned(tmp_path):
    page = narrate(CATALOG.get("toe-walking"), Level.FIRST_TIME).pages[0]
    assert page.prompt

    with_prompt = render_audio(page, tmp_path / "page.wav")
    cues_only = render_audio(page.cues, tmp_path / "cues.wav")

    assert with_prompt == pytest.approx(page.planned_seconds, rel=0.10)
    assert cues_only == pytest.approx(sum(c.seconds for c in page.cues), rel=0.10)
    assert with_prompt > cues_only + 2  # "Say next for round two of two, or repeat to hear that again."


def test_missing_espeak_is_a_clear_error_not_a_traceback(tmp_path):
    narration = narrate(CATALOG.get("heel-raises"), Level.FIRST_TIME)

    with pytest.raises(AudioError, match=r"no-such-espeak is not installed.*apt-get install espeak-ng"):
        render_audio(narration, tmp_path / "out.wav", espeak="no-such-espeak")
    assert not (tmp_path / "out.wav").exists()


def test_espeak_that_fails_is_a_clear_error(tmp_path):
    failing = shutil.which("false")
    assert failing

    with pytest.raises(AudioError, match="could not speak"):
        render_audio(narrate(hold_routine(3)), tmp_path / "out.wav", espeak=failing)


@needs_espeak
def test_unwritable_output_is_a_clear_error(tmp_path):
    with pytest.raises(AudioError, match="cannot write"):
        render_audio(narrate(hold_routine(3)), tmp_path / "no-such-dir" / "out.wav")
