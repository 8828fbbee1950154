"""``footwork say`` and ``footwork chat``: talk to the skill by typing, offline, in seconds.

Each utterance is understood the way Alexa would understand it, from the interaction model
(:mod:`footwork.skill.dev.utterances`), sent as a real request envelope, and the answer is printed as
Alexa would say it: the speech (pauses shown as ``[pause 5 s]``), the card, the reprompt and whether
the session stays open. By default the skill runs in this process with a throwaway-safe dev setup;
``--url`` talks to a running ``footwork serve --dev`` instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from footwork.core.timeline import Cue, Position
from footwork.skill.dev.dialog import Dialog, Exchange, InProcess, OverHttp, Transport, TransportError
from footwork.skill.dev.envelopes import Conversation
from footwork.skill.dev.speech_text import segments
from footwork.skill.dev.utterances import Match, Matcher, slot_json

F = TypeVar("F", bound=Callable[..., Any])

CHAT_HELP = """\
Type what you would say to Alexa, for example: open foot work, start heel raises, ready, hang on,
how long is left, make it easier, do it hands free, that hurts, stop, ask foot work to carry on.
  /launch   open the skill (a new session), as "open foot work"
  /end      end the session (SessionEndedRequest), as "exit"
  /json     show the raw request and response of each turn (again to stop)
  /help     this help
  /quit     leave (also Ctrl-D)"""


class TalkError(click.ClickException):
    """A problem the person can fix (a bad --url, an unreadable --session file): one line, exit 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"footwork: error: {self.format_message()}", err=True)


def talk_options(function: F) -> F:
    """The options ``say`` and ``chat`` share: where the skill is, the session file, speech and JSON."""
    options = [
        click.option("--url", default=None, metavar="URL",
                     help="A running skill to talk to, e.g. http://127.0.0.1:5000/alexa (from "
                          "`footwork serve --dev`). Default: the skill in this process."),
        click.option("--db", "database", type=click.Path(dir_okay=False), default=None,
                     help="SQLite database for the in-process skill (default: FOOTWORK_DB, else your user "
                          "data folder)."),
        click.option("--session", "session_file", type=click.Path(dir_okay=False, path_type=Path),
                     default=None,
                     help="Keep the conversation (user, session, attributes) in this JSON file between "
                          "calls."),
        click.option("--speak", is_flag=True, help="Speak the answer aloud with espeak-ng."),
        click.option("--audio", "audio_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="Write the spoken answer to this WAV file (the last answer, for chat)."),
        click.option("--json", "as_json", is_flag=True, help="Print the request and response as JSON."),
        click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                     metavar="YYYY-MM-DD",
                     help="Talk as if today were this date (your local date): try the next day's level, "
                          "\"welcome back\", or a saved place a week old. Default: today."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


# --- setting up ------------------------------------------------------------------------------------


class _QuietDevWarning(logging.Filter):
    """The in-process skill listens on no port, so the dev server's loud warning does not apply."""

    def filter(self, record: logging.LogRecord) -> bool:
        from footwork.skill.app import DEV_WARNING

        return record.getMessage() != DEV_WARNING


def _logging() -> None:
    logger = logging.getLogger("footwork")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("footwork: %(levelname)s: %(message)s"))
        handler.addFilter(_QuietDevWarning())
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)


def make_dialog(url: str | None, database: str | None, session_file: Path | None,
                day: dt.datetime | None = None) -> Dialog:
    """The conversation the options describe: the skill to reach, who is talking (--session), and
    on which day (--date)."""
    from footwork.skill.cli import load_catalog

    _logging()
    catalog = load_catalog()
    transport: Transport
    if url:
        try:
            transport = OverHttp(url)
        except TransportError as error:
            raise TalkError(str(error)) from None
    else:
        from footwork.skill.app import create_app

        config: dict[str, Any] = {"FOOTWORK_DEV": True, "FOOTWORK_CATALOG": catalog}
        if database:
            config["FOOTWORK_DB"] = database
        transport = InProcess(create_app(config))
    conversation = read_session(session_file)
    if day is not None:
        conversation.clock = functools.partial(on_day, day.date())
    return Dialog(Matcher.from_catalog(catalog), transport, conversation)


def on_day(day: dt.date) -> dt.datetime:
    """Now, moved to ``day``: requests are stamped in UTC, and the skill takes their date as the
    person's (Alexa sends no time zone), so the date of the stamp is ``day`` itself."""
    return dt.datetime.combine(day, dt.datetime.now(dt.UTC).time(), tzinfo=dt.UTC)


def read_session(path: Path | None) -> Conversation:
    """The conversation saved in ``path``, or a new one (a new dev user) when there is none yet."""
    if path is None or not path.exists():
        return Conversation()
    try:
        return Conversation.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError) as error:
        raise TalkError(f"cannot read session file {path}: {error}") from None


def write_session(path: Path | None, conversation: Conversation) -> None:
    """Save the conversation for the next call, atomically so a crash never leaves half a file."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                         encoding="utf-8") as handle:
            handle.write(conversation.to_json())
        os.replace(handle.name, path)
    except OSError as error:
        raise TalkError(f"cannot write session file {path}: {error}") from None


# --- showing an answer -----------------------------------------------------------------------------


def describe_match(match: Match | None, request_type: str) -> list[str]:
    """What the utterance was heard as: the request type or intent, and each slot's resolution."""
    if match is None or match.kind == "launch":
        return ["heard:    LaunchRequest (new session)"]
    if match.kind == "end":
        return ["heard:    SessionEndedRequest (USER_INITIATED)"]
    line = f"heard:    {match.intent}"
    if match.one_shot:
        line += " (one-shot: new session)"
    if match.sample:
        line += f'  [sample: "{match.sample}"]'
    lines = [line]
    for name, value in match.slots.items():
        slot = slot_json(value)
        resolved = f"{slot['id']} ({slot['name']})" if slot["id"] else "nothing"
        lines.append(f"  {name} = \"{slot['value']}\" -> {resolved}  {slot['status']}")
    return lines


def describe(exchange: Exchange) -> list[str]:
    """The turn as lines of text: what was heard, what Alexa says, the card, reprompt, session."""
    lines = describe_match(exchange.match, exchange.request_type)
    if exchange.request_type == "SessionEndedRequest":
        lines.append("alexa:    (no speech: the session is over)")
    else:
        lines.append(f"alexa:    {exchange.speech or '(no speech)'}")
    card = exchange.card
    if card:
        lines.append(f"card:     {card[0]}")
        lines.extend(f"          {line}" for line in card[1].splitlines() if line.strip())
    if exchange.reprompt:
        lines.append(f"reprompt: {exchange.reprompt}")
    lines.append("session:  open (waiting for an answer)" if exchange.session_open else "session:  ended")
    return lines


def show(exchange: Exchange, as_json: bool) -> None:
    """Print the turn: JSON for --json, else :func:`describe`, wrapped to the terminal when there is one.

    Output to a pipe or file is never wrapped, so scripts can look for a phrase on one line.
    """
    if as_json:
        click.echo(json.dumps(exchange.as_json(), indent=2))
        return
    width = shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 0
    for line in describe(exchange):
        if width > 40 and len(line) > width:
            line = textwrap.fill(line, width=width - 1, subsequent_indent=" " * 10, break_on_hyphens=False)
        click.echo(line)


# --- speaking --------------------------------------------------------------------------------------


#: Programs that play a WAV file, tried in order for --speak.
PLAYERS: tuple[tuple[str, ...], ...] = (("aplay", "-q"), ("paplay",), ("pw-play",), ("afplay",),
                                        ("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet"))


def speech_cues(ssml: str) -> list[Cue]:
    """The answer as :class:`~footwork.core.timeline.Cue` s, for :func:`footwork.core.audio.render_audio`."""
    where = Position("intro")
    return [Cue("speech", s.text, 0.0, where) if s.kind == "say" else Cue("pause", "", s.seconds, where)
            for s in segments(ssml)]


def speak_ssml(ssml: str, *, aloud: bool, wav: Path | None) -> None:
    """Speak ``ssml`` aloud and/or write it to ``wav``, with every pause exactly as long as Alexa's.

    The audio is made by :func:`footwork.core.audio.render_audio` (espeak-ng for the words, silences
    written exactly) and played with the first WAV player found; with none, espeak-ng speaks the
    SSML itself (its pauses are then only roughly right).
    """
    if not ssml or not (aloud or wav):
        return
    from footwork.core.audio import AudioError, render_audio

    cues = speech_cues(ssml)
    try:
        if wav is not None:
            render_audio(cues, wav)
        if aloud:
            player = next((p for p in PLAYERS if shutil.which(p[0])), None)
            if player is None:
                _espeak_aloud(ssml)
                return
            with tempfile.TemporaryDirectory(prefix="footwork-say-") as scratch:
                clip = Path(scratch) / "answer.wav"
                render_audio(cues, clip)
                done = subprocess.run([*player, str(clip)], capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    detail = (done.stderr or "").strip().splitlines()
                    raise TalkError(f"{player[0]} could not play the answer: "
                                    f"{detail[-1] if detail else f'exit status {done.returncode}'}")
    except AudioError as error:
        raise TalkError(str(error)) from None


def _espeak_aloud(ssml: str) -> None:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise TalkError("--speak needs espeak-ng, which is not installed (Debian/Ubuntu: apt-get install "
                        "espeak-ng; macOS: brew install espeak-ng)")
    try:
        done = subprocess.run([espeak, "-m", ssml], capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise TalkError(f"espeak-ng failed: {error}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise TalkError(f"espeak-ng failed: {detail[-1] if detail else f'exit status {done.returncode}'}")


def _turn(action: Callable[[], Exchange | None]) -> Exchange | None:
    """Run one turn; a skill that cannot be reached is a :class:`TalkError`, one line for people."""
    try:
        return action()
    except TransportError as error:
        raise TalkError(str(error)) from None


# --- the commands ----------------------------------------------------------------------------------


@click.command("say")
@click.argument("utterance")
@talk_options
def say_command(utterance: str, url: str | None, database: str | None, session_file: Path | None,
                speak: bool, audio_file: Path | None, as_json: bool, day: dt.datetime | None) -> None:
    """Say one UTTERANCE to the skill and print what Alexa would answer.

    The utterance is matched to an intent and slots from the interaction model, as Alexa would,
    sent as a real request, and the answer is shown: speech (pauses as [pause N s]), card, reprompt,
    and whether the session stays open. With --session FILE, the conversation carries on across
    calls, so `say "open foot work"` then `say "start heel raises"` then `say next` work as on an Echo.

    \b
    Examples:
      footwork say "open foot work"
      footwork say --session /tmp/s.json "start the ankle routine"
      footwork say --session /tmp/s.json next
      footwork say --session /tmp/s.json --date 2026-12-04 "ask foot work to carry on"
      footwork say --url http://127.0.0.1:5000/alexa "ask foot work to start heel raises"
    """
    dialog = make_dialog(url, database, session_file, day)
    exchange = _turn(lambda: dialog.say(utterance))
    write_session(session_file, dialog.conversation)
    if exchange is None:
        note = "no session is open, so there is nothing to end: nothing sent"
        if as_json:
            click.echo(json.dumps({"utterance": utterance, "match": Match("end").as_json(), "request": None,
                                   "response": None, "note": note}, indent=2))
        else:
            click.echo(f"heard:    SessionEndedRequest, but {note}")
        return
    show(exchange, as_json)
    _speak_exchange(exchange, speak, audio_file)


def _speak_exchange(exchange: Exchange, aloud: bool, wav: Path | None) -> None:
    speak_ssml(exchange.speech_ssml, aloud=aloud, wav=wav)


@click.command("chat")
@talk_options
def chat_command(url: str | None, database: str | None, session_file: Path | None,
                 speak: bool, audio_file: Path | None, as_json: bool, day: dt.datetime | None) -> None:
    """Talk to the skill at a prompt, one utterance a line, as you would to an Echo.

    Type /help for the commands (/launch, /end, /json, /quit). The session carries over from line to
    line; with --session FILE it is also saved when you leave, for `footwork say` or the next chat.
    """
    dialog = make_dialog(url, database, session_file, day)
    # At a terminal a failed turn is reported and the chat goes on (the server may be restarting);
    # fed from a pipe or a file, the first failure ends it with status 1, as `say` does.
    forgiving = sys.stdin.isatty()
    if forgiving:
        _history()
    click.echo(f"Talking to {getattr(dialog.transport, 'url', 'the skill in this process')}. "
               "Type /help for help, /quit to leave.")
    show_json = as_json
    try:
        while True:
            try:
                line = input("you> ")
            except EOFError:
                click.echo()
                break
            except KeyboardInterrupt:
                click.echo()
                break
            text = line.strip()
            if not forgiving:
                click.echo(text)  # read from a pipe or file: show what was "said", for a readable log
            if not text:
                continue
            command = text.lower()
            exchange: Exchange | None
            if command in ("/quit", "/exit", "/q"):
                break
            if command in ("/help", "/?"):
                click.echo(CHAT_HELP)
                continue
            if command == "/json":
                show_json = not show_json
                click.echo(f"(raw JSON {'on' if show_json else 'off'})")
                continue
            if command.startswith("/") and command not in ("/launch", "/end"):
                click.echo(f"unknown command {text}; type /help")
                continue
            action: Callable[[], Exchange | None]
            if command == "/launch":
                action = dialog.launch
            elif command == "/end":
                action = dialog.end
            else:
                action = functools.partial(dialog.say, text)
            try:
                exchange = _turn(action)
            except TalkError as error:
                if not forgiving:
                    raise
                error.show()
                continue
            if exchange is None:
                click.echo("(no session is open: nothing to end)")
                continue
            show(exchange, show_json)
            _speak_exchange(exchange, speak, audio_file)
            click.echo()
    finally:
        write_session(session_file, dialog.conversation)


def _history() -> None:
    """Line editing at the prompt and a history kept between chats, where the platform has readline."""
    try:
        import readline
    except ImportError:
        return
    import atexit

    import platformdirs

    path = platformdirs.user_data_path("footwork") / "chat_history"
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    readline.set_history_length(1000)

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass

    atexit.register(save)


if __name__ == "__main__":  # pragma: no cover - `python -m footwork.skill.cli.talk say ...` before wiring
    @click.group()
    def _talk() -> None:
        """footwork say / chat, before they are wired into the footwork command."""

    _talk.add_command(say_command)
    _talk.add_command(chat_command)
    _talk()
