"""`footwork say` and `footwork chat`, run as real processes against a real `footwork serve --dev`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from footwork.core import Level
from footwork.skill.cli import COMMANDS
from footwork.skill.dev.speech_text import segments, ssml_to_text
from footwork.skill.level_policy import ending

#: What is said after the last page at the gentle level, the first day.
ENDING = ending(Level.GENTLE, 1)

PYTHON = sys.executable
FOOTWORK = str(Path(sys.executable).with_name("footwork"))


def command(name: str) -> list[str]:
    """How to run ``footwork NAME``: the console script once the command is wired into it."""
    if name in COMMANDS and Path(FOOTWORK).exists():
        return [FOOTWORK, name]
    if name == "serve":
        return [PYTHON, "-c", "from footwork.skill.cli.serve import serve_command; serve_command()"]
    return [PYTHON, "-m", "footwork.skill.cli.talk", name]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FOOTWORK_PACKS", "FOOTWORK_DB", "FOOTWORK_DEV")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `footwork serve --dev` on a free port with its own database; yields its /alexa URL."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [*command("serve"), "--dev", "--port", str(port), "--db", str(folder / "footwork.sqlite3")],
        stdout=log, stderr=subprocess.STDOUT, env=environment(),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                log_text = (folder / "serve.log").read_text()
                pytest.fail(f"footwork serve exited ({process.returncode}):\n{log_text}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as reply:
                    if json.load(reply)["dev"] is True:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"footwork serve never answered /healthz:\n{(folder / 'serve.log').read_text()}")
            time.sleep(0.1)
        yield f"{base}/alexa"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def run(name: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command(name), *args], input=stdin, capture_output=True, text=True,
                          env=environment(), timeout=120)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result.stdout


# --- SSML as text ------------------------------------------------------------------------------------


def test_ssml_reads_as_text_with_pauses() -> None:
    ssml = ('<speak>Lift your heels. <break time="10s"/><break time="5s"/>And lower. '
            '<break time="2250ms"/>Say <say-as interpret-as="characters">A</say-as>.'
            '<break strength="strong"/><audio src="https://example.com/x.mp3"/></speak>')
    assert ssml_to_text(ssml) == ("Lift your heels. [pause 15 s] And lower. [pause 2.25 s] Say A. "
                                  "[pause 1 s] [audio]")
    assert [s.as_json() for s in segments(ssml)][:3] == [
        {"say": "Lift your heels."}, {"pause": 15.0}, {"say": "And lower."}]
    assert ssml_to_text("plain words, no tags") == "plain words, no tags"
    assert ssml_to_text('<speak>a<break time="0s"/>b</speak>') == "a b"
    assert ssml_to_text(None) == ""


# --- say ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_say_carries_the_session_across_calls(server: str, tmp_path: Path) -> None:
    session = tmp_path / "session.json"
    first = ok(run("say", "--url", server, "--session", str(session), "open foot work"))
    assert "heard:    LaunchRequest" in first
    assert "Welcome to Foot Work" in first
    assert "session:  open" in first
    saved = json.loads(session.read_text())
    assert saved["session_id"] and saved["user_id"].startswith("amzn1.ask.account.")

    said = "start the heel raises at gentle level"
    second = ok(run("say", "--url", server, "--session", str(session), said))
    assert "heard:    StartRoutineIntent" in second
    assert 'routine = "heel raises" -> heel-raises (heel raises)  ER_SUCCESS_MATCH' in second
    assert 'level = "gentle" -> gentle' in second
    # The first page gets the person into position, then "ready" for the first exercise.
    assert "card:     Heel raises: " in second
    assert "Say ready when you're standing" in second
    assert "Exercise one of" not in second
    assert "reprompt: " in second
    after = json.loads(session.read_text())
    assert after["session_id"] == saved["session_id"]
    assert after["attributes"]["place"]["routine"] == "heel-raises:heel-raises"

    # Then heel raises at the gentle level is two pages: set one, then set two and the celebration.
    third = ok(run("say", "--url", server, "--session", str(session), "next"))
    assert "heard:    AMAZON.NextIntent" in third
    assert "Begin. Stand tall" in third
    assert "[pause 1 s]" in third
    assert "card:     Heel raises: " in third
    assert "reprompt: " in third
    assert "session:  open" in third
    assert json.loads(session.read_text())["session_id"] == saved["session_id"]

    fourth = ok(run("say", "--url", server, "--session", str(session), "next"))
    for _ in range(4):  # one page a side and set
        if "session:  ended" in fourth:
            break
        fourth = ok(run("say", "--url", server, "--session", str(session), "next"))
    assert "heard:    AMAZON.NextIntent" in fourth
    assert "not in a routine" not in fourth
    assert ENDING in fourth
    assert "session:  ended" in fourth
    assert json.loads(session.read_text())["session_id"] is None


@pytest.mark.slow
def test_say_json_prints_the_request_and_response(server: str) -> None:
    data = json.loads(ok(run("say", "--url", server, "--json", "start underwater yoga")))
    intent = data["request"]["request"]["intent"]
    assert intent["name"] == "StartRoutineIntent"
    routine = intent["slots"]["routine"]
    assert routine["value"] == "underwater yoga"
    assert routine["resolutions"]["resolutionsPerAuthority"][0]["status"]["code"] == "ER_SUCCESS_NO_MATCH"
    assert "underwater yoga" in data["response"]["response"]["outputSpeech"]["ssml"]
    assert data["match"]["slots"]["routine"]["status"] == "ER_SUCCESS_NO_MATCH"
    assert data["session_open"] is True


@pytest.mark.slow
def test_say_in_process_without_a_server(tmp_path: Path) -> None:
    out = ok(run("say", "--db", str(tmp_path / "db.sqlite3"), "ask foot work to start heel raises"))
    assert "StartRoutineIntent (one-shot: new session)" in out
    assert "Heel raises" in out
    assert (tmp_path / "db.sqlite3").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["say", "chat"])
def test_a_bad_url_is_one_clear_line(name: str) -> None:
    url = f"http://127.0.0.1:{free_port()}/alexa"
    args = ("--url", url, "next") if name == "say" else ("--url", url)
    result = run(name, *args, stdin="next\n/quit\n")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"footwork: error: cannot reach the skill at {url}")


@pytest.mark.slow
def test_say_follows_someone_on_the_floor_who_waits_is_hurt_stops_and_comes_back(
    server: str, tmp_path: Path
) -> None:
    session = tmp_path / "floor.json"

    def say(utterance: str) -> str:
        return ok(run("say", "--url", server, "--session", str(session), utterance))

    assert "session:  open" in say("ask foot work to start the ankle routine")
    waiting = say("hang on")
    assert "heard:    WaitIntent" in waiting and "session:  open" in waiting
    assert "session:  ended" in say("exit")  # the session closes while they lie down
    resumed = say("ask foot work to carry on")
    assert "heard:    AMAZON.NextIntent (one-shot: new session)" in resumed
    assert "Carrying on with ankle strengthening" in resumed
    hurt = say("that hurts")
    assert "heard:    HurtIntent" in hurt
    assert "Stop that exercise now" in hurt and "session:  open" in hurt
    assert "saved your place" in say("stop")
    welcome = say("open foot work")
    assert "Welcome back" in welcome
    assert "Okay, carrying on." in say("yes")


# --- chat --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_chat_drives_a_routine_from_launch_to_its_end(server: str, tmp_path: Path) -> None:
    lines = ["/help", "open foot work", "start heel raises at gentle level", *["next"] * 12, "/quit"]
    session = tmp_path / "chat.json"
    out = ok(run("chat", "--url", server, "--session", str(session), stdin="\n".join(lines) + "\n"))
    assert "/launch" in out  # the help
    assert "heard:    LaunchRequest" in out
    assert "heard:    StartRoutineIntent" in out
    assert ENDING in out
    celebration = out.index(ENDING)
    assert "session:  ended" in out[celebration:]
    # The session is saved when the chat ends, for the next `say` or chat.
    assert json.loads(session.read_text())["user_id"].startswith("amzn1.ask.account.")


@pytest.mark.slow
def test_chat_launch_and_end_commands(server: str) -> None:
    out = ok(run("chat", "--url", server, stdin="/launch\n/end\n/end\n/nonsense\n"))
    assert "heard:    LaunchRequest" in out
    assert "heard:    SessionEndedRequest" in out
    assert "no session is open" in out
    assert "unknown command /nonsense" in out


@pytest.mark.slow
def test_say_audio_writes_a_wav(tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        if os.environ.get("FOOTWORK_REQUIRE_TOOLS") == "1":
            pytest.fail("espeak-ng is not installed and FOOTWORK_REQUIRE_TOOLS=1")
        pytest.skip("espeak-ng is not installed")
    wav = tmp_path / "answer.wav"
    ok(run("say", "--db", str(tmp_path / "db.sqlite3"), "--audio", str(wav), "help"))
    assert wav.read_bytes()[:4] == b"RIFF"


# --- another day -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_say_date_is_the_persons_day_for_progression_welcome_back_and_a_places_week(tmp_path: Path) -> None:
    base = ["--db", str(tmp_path / "db.sqlite3"), "--session", str(tmp_path / "s.json")]

    def say(day: str, utterance: str) -> str:
        return ok(run("say", *base, "--date", day, utterance))

    say("2026-12-01", "ask foot work to start heel raises")
    while "session:  open" in say("2026-12-01", "next"):
        pass
    assert "yesterday for the first time" in say("2026-12-02", "ask foot work to start heel raises")
    say("2026-12-02", "stop")
    assert "Welcome back" in say("2026-12-09", "open foot work")  # a week on: still offered
    say("2026-12-09", "exit")
    assert "Welcome back" not in say("2026-12-10", "open foot work")  # a day more: started afresh


@pytest.mark.slow
@pytest.mark.parametrize("name", ["say", "chat"])
@pytest.mark.parametrize("day", ["2026-13-01", "tomorrow"])
def test_a_bad_date_is_a_clear_error_naming_the_option(tmp_path: Path, name: str, day: str) -> None:
    args = ("--db", str(tmp_path / "db.sqlite3"), "--date", day, *(("next",) if name == "say" else ()))
    result = run(name, *args, stdin="/quit\n")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"Invalid value for '--date': '{day}' does not match the format '%Y-%m-%d'" in result.stderr
