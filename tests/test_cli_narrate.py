"""``footwork narrate``, run as the real command in subprocesses against the installed seed packs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from footwork.core import Level, narrate
from footwork.core.timeline import number_words
from narration_content import CATALOG

BIN = Path(sys.executable).parent
FOOTWORK = shutil.which("footwork", path=str(BIN)) or shutil.which("footwork")
HAVE_ESPEAK = shutil.which("espeak-ng") is not None


def footwork_narrate(*args: str | Path, env: dict[str, str] | None = None
                     ) -> subprocess.CompletedProcess[str]:
    """Run the installed ``footwork narrate``; FOOTWORK_* variables only as ``env`` gives them."""
    assert FOOTWORK, "the footwork command is not installed in this environment"
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    environ.update(env or {})
    return subprocess.run([FOOTWORK, "narrate", *map(str, args)], capture_output=True, text=True, env=environ,
                          timeout=120)


def test_text_shows_every_page_with_where_it_is_and_its_prompt():
    result = footwork_narrate("heel-raises")

    assert result.returncode == 0, result.stderr
    narration = narrate(CATALOG.get("heel-raises"), Level.STANDARD, "guided")
    for page in narration.pages:
        assert page.text in result.stdout
    assert result.stdout.count("--- page ") == len(narration.pages)
    total = len(narration.pages)
    left = next(p for p in narration.pages if p.position.set == 1 and p.position.side == "left")
    assert f"--- page 1 of {total}: intro," in result.stdout
    assert "Say ready when you're standing" in result.stdout
    sets = left.position.sets
    assert (f"--- page {left.number} of {total}: exercise 1 of 1 (Heel raises), set 1 of {sets}, left side,"
            in result.stdout)
    assert f"Say next for set two of {number_words(sets)}, or repeat to hear that again." in result.stdout


def test_routine_is_found_by_another_of_its_names():
    result = footwork_narrate("heel raise", "--level", "first-time")

    assert result.returncode == 0, result.stderr
    assert "Heel raises. One exercise" in result.stdout


def test_ssml_page_is_one_speak_document_alexa_can_take():
    result = footwork_narrate("ankle", "--mode", "hands-free", "--format", "ssml", "--page", "2")

    assert result.returncode == 0, result.stderr
    comment, ssml = result.stdout.strip().split("\n")
    assert comment.startswith("<!-- page 2 of ") and comment.endswith(" -->")
    assert ET.fromstring(ssml).tag == "speak"
    assert ssml == narrate(CATALOG.get("ankle"), Level.STANDARD, "hands-free").pages[1].ssml


def test_json_is_the_documented_object():
    result = footwork_narrate("toe walking", "--level", "gentle", "--format", "json")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"routine", "level", "mode", "planned_seconds", "pages", "cues"} <= set(data)
    assert (data["routine"], data["level"], data["mode"]) == ("toe-walking", "gentle", "guided")
    for page in data["pages"]:
        assert {"ssml", "text", "planned_seconds", "position"} <= set(page)
        assert page["position"]["section"] in ("intro", "exercise", "outro")
    for cue in data["cues"]:
        assert {"kind", "text", "seconds"} <= set(cue)
    pages_seconds = sum(p["planned_seconds"] for p in data["pages"])
    assert data["planned_seconds"] == pytest.approx(pages_seconds, abs=0.01)
    assert data == narrate(CATALOG.get("toe-walking"), Level.GENTLE, "guided").as_json()


def test_json_cues_say_their_kind_so_a_script_can_check_the_timing():
    result = footwork_narrate("ankle", "--mode", "hands-free", "--format", "json")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    kinds = {cue["kind"] for cue in data["cues"]}
    assert {"speech", "transition", "settle", "hold", "count", "letter", "countdown"} <= kinds
    # The cues' seconds and the prompts make up the planned length: nothing is left uncounted.
    prompts = sum(p["planned_seconds"] for p in data["pages"]) - sum(c["seconds"] for c in data["cues"])
    assert 0 <= prompts < 5 * len(data["pages"])
    settles = [c["seconds"] for c in data["cues"] if c["kind"] == "settle"]
    assert max(settles) >= 7  # ten seconds to get into position, its "three, two, one" said inside


def test_json_for_one_page_has_that_page_and_its_cues():
    result = footwork_narrate("foot", "--format", "json", "--page", "3")

    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    page = narrate(CATALOG.get("foot"), Level.STANDARD, "guided").pages[2]
    assert [p["number"] for p in data["pages"]] == [3]
    assert data["cues"] == [cue.as_json() for cue in page.cues]


def test_unknown_routine_exits_2_and_lists_the_installed_ones():
    result = footwork_narrate("jumping-jacks")

    assert result.returncode == 2
    assert "no routine 'jumping-jacks'; installed: ankle, foot, heel-raises, toe-walking" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("page", ["0", "99"])
def test_page_out_of_range_is_a_clear_error(page):
    result = footwork_narrate("heel-raises", "--page", page)

    assert result.returncode == 2
    total = len(narrate(CATALOG.get("heel-raises"), Level.STANDARD, "guided").pages)
    assert (f"no page {page}: heel-raises has {total} pages at the standard level in guided mode"
            in result.stderr)
    assert f"(use --page 1 to {total})" in result.stderr
    assert result.stdout == ""


def test_help_gives_an_example():
    result = footwork_narrate("--help")

    assert result.returncode == 0
    assert "footwork narrate heel-raises --level first-time" in result.stdout
    for option in ("--level", "--mode", "--format", "--page", "--audio"):
        assert option in result.stdout


@pytest.mark.skipif(not HAVE_ESPEAK and not os.environ.get("FOOTWORK_REQUIRE_TOOLS"),
                    reason="espeak-ng is not installed (apt-get install espeak-ng); CI installs it")
def test_audio_writes_a_wav_as_long_as_planned(tmp_path):
    path = tmp_path / "heel.wav"
    result = footwork_narrate("heel-raises", "--level", "first-time", "--audio", path)

    assert result.returncode == 0, result.stderr
    with wave.open(str(path), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
    planned = narrate(CATALOG.get("heel-raises"), Level.FIRST_TIME).planned_seconds
    assert seconds == pytest.approx(planned, rel=0.1)
    assert f"footwork: wrote {path} (" in result.stderr


def test_audio_without_espeak_is_a_clear_error_and_no_output(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    result = footwork_narrate("heel-raises", "--audio", tmp_path / "x.wav", env={"PATH": str(empty)})

    assert result.returncode == 1
    assert "espeak-ng is not installed" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
