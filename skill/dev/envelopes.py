"""Building request envelopes shaped like the ones Alexa sends, for talking to the skill without an Echo.

The shapes follow real captured requests (see ``shared/alexa/signed-requests``): version, session
(with attributes carried over from the last response), context.System (application, user, device)
and the request, with slots carrying entity resolutions as Alexa fills them.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEV_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000f00700"
LOCALE = "en-US"


@dataclass(frozen=True)
class SlotValue:
    """What Alexa heard for a slot, and what entity resolution made of it (None: no match)."""

    value: str
    resolved_id: str | None = None
    resolved_name: str | None = None
    slot_type: str = "ROUTINE"


@dataclass
class Conversation:
    """One person's session with the skill: who they are and what the skill asked to remember."""

    user_id: str = field(default_factory=lambda: f"amzn1.ask.account.DEV{uuid.uuid4().hex.upper()}")
    device_id: str = field(default_factory=lambda: f"amzn1.ask.device.DEV{uuid.uuid4().hex.upper()}")
    skill_id: str = DEV_SKILL_ID
    session_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    locale: str = LOCALE
    #: When requests are stamped; tests move it to "tomorrow".
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC), repr=False)

    @property
    def open(self) -> bool:
        return self.session_id is not None

    def _session(self) -> dict[str, Any]:
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
        return {
            "new": new,
            "sessionId": self.session_id,
            "application": {"applicationId": self.skill_id},
            "attributes": self.attributes,
            "user": {"userId": self.user_id},
        }

    def _envelope(self, request: dict[str, Any], *, with_session: bool = True) -> dict[str, Any]:
        now = self.clock().astimezone(dt.UTC).replace(microsecond=0)
        request = {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "locale": self.locale,
            **request,
        }
        envelope: dict[str, Any] = {"version": "1.0"}
        if with_session:
            envelope["session"] = self._session()
        envelope["context"] = {
            "System": {
                "application": {"applicationId": self.skill_id},
                "user": {"userId": self.user_id},
                "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        }
        envelope["request"] = request
        return envelope

    def launch(self) -> dict[str, Any]:
        return self._envelope({"type": "LaunchRequest"})

    def intent(self, name: str, slots: dict[str, SlotValue | None] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if slots:
            body["slots"] = {slot: _slot(slot, value) for slot, value in slots.items()}
        return self._envelope({"type": "IntentRequest", "intent": body})

    def session_ended(self, reason: str = "USER_INITIATED") -> dict[str, Any]:
        envelope = self._envelope({"type": "SessionEndedRequest", "reason": reason})
        self.end()
        return envelope

    def end(self) -> None:
        self.session_id = None
        self.attributes = {}

    def receive(self, response: dict[str, Any]) -> None:
        """Carry the skill's answer over: its session attributes, and whether the session goes on."""
        self.attributes = dict(response.get("sessionAttributes") or {})
        if response.get("response", {}).get("shouldEndSession") is not False:
            self.end()

    # Saved between `footwork say` calls.
    def to_json(self) -> str:
        return json.dumps({
            "user_id": self.user_id, "device_id": self.device_id, "skill_id": self.skill_id,
            "session_id": self.session_id, "attributes": self.attributes, "locale": self.locale,
        }, indent=2)

    @classmethod
    def from_json(cls, text: str) -> Conversation:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        known = {"user_id", "device_id", "skill_id", "session_id", "attributes", "locale"}
        return cls(**{k: v for k, v in data.items() if k in known})


def _slot(name: str, value: SlotValue | None) -> dict[str, Any]:
    if value is None:
        return {"name": name, "confirmationStatus": "NONE"}
    authority = f"amzn1.er-authority.echo-sdk.{DEV_SKILL_ID}.{value.slot_type}"
    if value.resolved_id is not None:
        resolution = {
            "authority": authority,
            "status": {"code": "ER_SUCCESS_MATCH"},
            "values": [{"value": {"name": value.resolved_name or value.value, "id": value.resolved_id}}],
        }
    else:
        resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
    return {
        "name": name,
        "value": value.value,
        "confirmationStatus": "NONE",
        "source": "USER",
        "resolutions": {"resolutionsPerAuthority": [resolution]},
    }
