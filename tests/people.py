"""People talking to the real skill over real HTTP: what they say goes through the generated model's
matcher (as Alexa would hear it) or straight in as an intent, and what the skill keeps is read back
from the session it returns and from its store."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from footwork.core import Catalog
from footwork.skill.dev.dialog import Dialog, OverHttp
from footwork.skill.dev.envelopes import Conversation, SlotValue
from footwork.skill.dev.utterances import Matcher
from footwork.skill.place import Place
from live_server import LiveServer

_MATCHERS: dict[int, Matcher] = {}


def catalog_of(server: LiveServer) -> Catalog:
    return server.app.extensions["footwork"].catalog


def matcher_for(server: LiveServer) -> Matcher:
    catalog = catalog_of(server)
    if id(catalog) not in _MATCHERS:
        _MATCHERS[id(catalog)] = Matcher.from_catalog(catalog)
    return _MATCHERS[id(catalog)]


class Person:
    """Someone talking to the skill: each call is one request over HTTP, the session carried over."""

    def __init__(self, server: LiveServer, day: dt.date = dt.date(2026, 11, 2)) -> None:
        self.server = server
        self.day = day
        self.conversation = Conversation(clock=self._now)
        self.dialog = Dialog(matcher_for(server), OverHttp(server.url), self.conversation)
        self.last: dict[str, Any] = {}
        self.intents: list[str] = []

    def _now(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(9, 0), tzinfo=dt.UTC)

    # -- talking -------------------------------------------------------------------------------------

    def say(self, phrase: str) -> dict[str, Any]:
        """Say ``phrase`` as Alexa would hear it; "ask foot work to ..." opens a new session."""
        exchange = self.dialog.say(phrase)
        assert exchange is not None, f"{phrase!r} ended a session that was not open"
        self.intents.append(exchange.match.intent if exchange.match and exchange.match.intent
                            else exchange.request_type)
        self.last = exchange.response
        return self.last

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        reply = self.server.post("/alexa", envelope)
        assert reply.status == 200, reply.body
        self.last = reply.json
        self.conversation.receive(self.last)
        return self.last

    def launch(self) -> dict[str, Any]:
        return self.send(self.conversation.launch())

    def intent(self, name: str, **slots: SlotValue) -> dict[str, Any]:
        return self.send(self.conversation.intent(name, slots or None))

    def start(self, said: str, resolved: str | None = None, level: str | None = None) -> dict[str, Any]:
        slots = {"routine": SlotValue(said, resolved, None)}
        if level:
            slots["level"] = SlotValue(level, level, level, "LEVEL")
        return self.intent("StartRoutineIntent", **slots)

    def end_session(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> dict[str, Any]:
        """The session closes on its own, as it does after a few seconds of silence."""
        return self.send(self.conversation.session_ended(reason))

    def resume_session(self, attributes: dict[str, Any]) -> None:
        """Carry on an open session whose attributes the skill returned earlier (what Alexa sends back)."""
        self.conversation.session_id = self.conversation.session_id or "amzn1.echo-api.session.resumed"
        self.conversation.attributes = json.loads(json.dumps(attributes))

    # -- what was heard ------------------------------------------------------------------------------

    @property
    def ssml(self) -> str:
        speech = self.last.get("response", {}).get("outputSpeech") or {}
        return speech.get("ssml", "")

    @property
    def heard(self) -> str:
        """What the person hears, as plain text."""
        return " ".join(re.sub(r"<[^>]+>", " ", self.ssml).split())

    @property
    def reprompt(self) -> str:
        speech = (self.last.get("response", {}).get("reprompt") or {}).get("outputSpeech") or {}
        return " ".join(re.sub(r"<[^>]+>", " ", speech.get("ssml", "")).split())

    @property
    def session_open(self) -> bool:
        return self.last["response"].get("shouldEndSession") is False

    # -- what the skill keeps ------------------------------------------------------------------------

    @property
    def attributes(self) -> dict[str, Any]:
        return dict(self.last.get("sessionAttributes") or {})

    @property
    def place(self) -> Place | None:
        """The place due next, as the session holds it."""
        return Place.from_json(self.attributes.get("place"), catalog_of(self.server))

    @property
    def said_last(self) -> Place | None:
        """Where the page said last starts."""
        return Place.from_json(self.attributes.get("last"), catalog_of(self.server))

    @property
    def state(self) -> str | None:
        return self.attributes.get("state")

    def stored(self) -> dict[str, Any]:
        """The person's persistent attributes, read through the skill's own store."""
        envelope = Conversation(user_id=self.conversation.user_id).launch()
        request = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
        return dict(self.server.app.extensions["footwork"].persistence.get_attributes(request) or {})

    def stored_place(self) -> Place | None:
        return Place.from_json(self.stored().get("unfinished"), catalog_of(self.server))
