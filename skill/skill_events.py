"""Forget me: when a person disables the skill and Amazon will not keep their data, neither do we.

Amazon sends ``AlexaSkillEvent.SkillDisabled`` (the manifest subscribes to ``SKILL_DISABLED``) with
``body.userInformationPersistenceStatus``: ``PERSISTED`` means the person may come back with the same
user id (their progress is kept), ``NOT_PERSISTED`` means they will not, so their document is deleted
from the store. ask-sdk-model's ``SkillDisabledRequest`` has no ``body``, so :class:`RequestSerializer`
(used wherever Footwork turns JSON into a request envelope) keeps that event's raw ``body`` on the
request object, and :class:`SkillDisabled` reads it from there.
"""

from __future__ import annotations

import functools
import json
import logging
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from .envelope_reader import read_envelope

__all__ = ["SKILL_DISABLED", "SkillDisabled", "keep_event_body", "persistence_status",
           "read_request_envelope"]

log = logging.getLogger("footwork.skill")

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"


def __getattr__(name: str) -> Any:
    # Made on first use: ask_sdk_core.serialize imports every Alexa service client (ask_sdk_model.services),
    # which neither the web app nor the Lambda handler needs since they read envelopes without it.
    if name == "RequestSerializer":
        return _request_serializer()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _request_serializer() -> type:
    from ask_sdk_core.serialize import DefaultSerializer

    class RequestSerializer(DefaultSerializer):  # type: ignore[misc]
        """The SDK's serializer, keeping ``request.body`` of a SkillDisabled event that its model drops."""

        def deserialize(self, payload: Any, obj_type: Any) -> Any:
            result = super().deserialize(payload, obj_type)
            if isinstance(payload, str | bytes):
                try:
                    data = json.loads(payload)
                except ValueError:
                    data = None
                keep_event_body(result, data)
            return result

    RequestSerializer.__module__ = __name__
    return RequestSerializer


def keep_event_body(envelope: Any, data: Any) -> None:
    """On a SkillDisabled event's request object, ``footwork_body``: the raw ``request.body`` of
    ``data`` (the parsed JSON the envelope was read from), or None."""
    request = getattr(envelope, "request", None)
    if request is None or getattr(request, "object_type", None) != SKILL_DISABLED:
        return
    try:
        body = data.get("request", {}).get("body")
    except AttributeError:
        body = None
    request.footwork_body = body if isinstance(body, dict) else None


def read_request_envelope(data: dict[str, Any]) -> Any:
    """A parsed request body as ask-sdk model objects: what ``RequestSerializer`` gives for its text,
    built by :func:`footwork.skill.envelope_reader.read_envelope` without a second parse."""
    envelope = read_envelope(data)
    keep_event_body(envelope, data)
    return envelope


def persistence_status(handler_input: HandlerInput) -> str | None:
    """``userInformationPersistenceStatus`` of a SkillDisabled event, or None when it was not sent."""
    body = getattr(handler_input.request_envelope.request, "footwork_body", None)
    status = body.get("userInformationPersistenceStatus") if isinstance(body, dict) else None
    return status if isinstance(status, str) else None


class SkillDisabled(AbstractRequestHandler):
    """``AlexaSkillEvent.SkillDisabled``: delete the person's progress unless Amazon keeps their id."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type(SKILL_DISABLED)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        status = persistence_status(handler_input)
        if status == "NOT_PERSISTED":
            # The store's delete_attributes, through the SDK: the same path every store implements.
            handler_input.attributes_manager.delete_persistent_attributes()
            log.info("skill disabled and the user's data not persisted by Amazon: their progress is deleted")
        else:
            log.info("skill disabled; userInformationPersistenceStatus=%s: progress kept", status)
        return handler_input.response_builder.response
