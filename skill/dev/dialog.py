"""A typed conversation with the skill: utterance -> match -> Alexa request -> the skill's response.

Shared by ``footwork say``, ``footwork chat`` and the web simulator, so all three hear an utterance
the same way and send the same envelopes. The skill is reached through a :class:`Transport`: the
app in this process (:class:`InProcess`, through its real ``POST /alexa`` view) or a running server
(:class:`OverHttp`, such as ``footwork serve --dev``).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask

from .envelopes import Conversation
from .speech_text import output_text, segments
from .utterances import Match, Matcher


class TransportError(Exception):
    """The skill could not be reached, or refused the request; the message is one line for people."""


class Transport(Protocol):
    """Sends one request envelope to the skill and returns its response envelope."""

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


class InProcess:
    """The skill in this process, through the app's own ``POST /alexa`` view (no network)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        reply = self.client.post("/alexa", json=envelope)
        data = reply.get_json(silent=True)
        if reply.status_code != 200 or not isinstance(data, dict):
            reason = data.get("error") if isinstance(data, dict) else reply.get_data(as_text=True)[:200]
            raise TransportError(f"the skill refused the request ({reply.status_code}): {reason}")
        return data


def alexa_url(url: str) -> str:
    """``url`` as the skill's endpoint: a bare server address gets ``/alexa`` added."""
    parts = urllib.parse.urlsplit(url if "://" in url else f"http://{url}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TransportError(f"not an http(s) URL: {url}")
    path = parts.path if parts.path not in ("", "/") else "/alexa"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


class OverHttp:
    """A running skill server, such as ``footwork serve --dev``; errors become :class:`TransportError`."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = alexa_url(url)
        self.timeout = timeout

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(self.url, data=json.dumps(envelope).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:500].decode("utf-8", "replace")
            try:
                detail = json.loads(detail).get("error", detail)
            except (ValueError, AttributeError):
                pass
            hint = ""
            if error.code == 400:
                hint = " (is it running with --dev? verification refuses unsigned requests)"
            raise TransportError(f"{self.url} answered {error.code}: {detail}{hint}") from None
        except urllib.error.URLError as error:
            reason = getattr(error.reason, "strerror", None) or str(error.reason)
            raise TransportError(f"cannot reach the skill at {self.url}: {reason}") from None
        except OSError as error:  # timeouts, resets, refusals after connecting
            raise TransportError(f"cannot reach the skill at {self.url}: {error}") from None
        try:
            data = json.loads(body)
        except ValueError:
            raise TransportError(f"{self.url} did not answer with JSON") from None
        if not isinstance(data, dict):
            raise TransportError(f"{self.url} did not answer with a JSON object")
        return data


@dataclass
class Exchange:
    """One turn: what was typed, what it matched, the request sent and the response received."""

    utterance: str | None
    match: Match | None
    request: dict[str, Any]
    response: dict[str, Any]
    session_open: bool = field(default=False)

    @property
    def request_type(self) -> str:
        return str(self.request.get("request", {}).get("type", ""))

    @property
    def body(self) -> dict[str, Any]:
        return self.response.get("response") or {}

    @property
    def speech_ssml(self) -> str:
        return str((self.body.get("outputSpeech") or {}).get("ssml") or "")

    @property
    def speech(self) -> str:
        """What Alexa says, readable: pauses shown as ``[pause N s]``."""
        return output_text(self.body.get("outputSpeech"))

    @property
    def reprompt(self) -> str:
        return output_text((self.body.get("reprompt") or {}).get("outputSpeech"))

    @property
    def card(self) -> tuple[str, str] | None:
        card = self.body.get("card")
        if not card:
            return None
        return str(card.get("title") or ""), str(card.get("content") or card.get("text") or "")

    def as_json(self) -> dict[str, Any]:
        """Everything about the turn, for ``--json`` and the simulator."""
        card = self.card
        return {
            "utterance": self.utterance,
            "match": self.match.as_json() if self.match else None,
            "request": self.request,
            "response": self.response,
            "speech": {
                "text": self.speech,
                "segments": [s.as_json() for s in segments(self.speech_ssml)],
                "reprompt": self.reprompt,
            },
            "card": {"title": card[0], "content": card[1]} if card else None,
            "session_open": self.session_open,
        }


class Dialog:
    """One person talking to the skill: their :class:`Conversation` and a way to reach the skill."""

    def __init__(self, matcher: Matcher, transport: Transport,
                 conversation: Conversation | None = None) -> None:
        self.matcher = matcher
        self.transport = transport
        self.conversation = conversation or Conversation()

    def say(self, utterance: str) -> Exchange | None:
        """Send what ``utterance`` means; None when it ends a session that is not open."""
        match = self.matcher.match(utterance)
        if match.kind == "launch":
            return self.launch(utterance, match)
        if match.kind == "end":
            return self.end(utterance, match)
        if match.one_shot:
            self.conversation.end()
        envelope = self.conversation.intent(match.intent or "AMAZON.FallbackIntent",
                                            self.matcher.envelope_slots(match))
        return self._send(utterance, match, envelope)

    def launch(self, utterance: str | None = None, match: Match | None = None) -> Exchange:
        """Open the skill in a new session, as "open foot work" does."""
        self.conversation.end()
        return self._send(utterance, match or Match("launch"), self.conversation.launch())

    def end(self, utterance: str | None = None, match: Match | None = None,
            reason: str = "USER_INITIATED") -> Exchange | None:
        """End the open session with a SessionEndedRequest, as "exit" does; None when none is open."""
        if not self.conversation.open:
            return None
        return self._send(utterance, match or Match("end"), self.conversation.session_ended(reason))

    def _send(self, utterance: str | None, match: Match | None, envelope: dict[str, Any]) -> Exchange:
        try:
            response = self.transport(envelope)
        except TransportError:
            # Nothing was heard: the session stays as it was before this turn.
            session = envelope.get("session") or {}
            if session.get("new"):
                self.conversation.end()
            elif session:
                self.conversation.session_id = session.get("sessionId")
                self.conversation.attributes = dict(session.get("attributes") or {})
            raise
        self.conversation.receive(response)
        return Exchange(utterance, match, envelope, response, self.conversation.open)
