"""Optimistic concurrency for the whole skill: a request whose save lost a race runs again.

Two devices of one person can finish a routine at the same moment. Each request reads the person's
document, changes it and writes it back naming the version it read; the second write finds a newer
version and raises :class:`~footwork.skill.stores.StoreConflict`. Merging two changed documents would
need rules per key; running the request again on the fresh document needs none, and the handlers are
deterministic given the request and the stored document (the session attributes are the SDK's copy,
so a second run starts from the same session). :class:`RetryingSkill` does that, a few times with a
short random pause; on the last try the conflict goes to the skill's ordinary exception handler, which
says "sorry" instead of failing the request.

A request that leaves the document as it read it writes nothing (the store compares the text it would
write with the text it read), so it never conflicts: it changed nothing that could be lost, and
whatever another device wrote since stays as written.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope, ResponseEnvelope

from .stores import StoreConflict

__all__ = ["ATTEMPTS", "ConflictGoesUp", "RetryingSkill", "RetryingSkillBuilder"]

#: Tries per request; each costs one read and one write, and the pauses between them (at most 128 ms,
#: 64 ms on average) stay well inside Alexa's 8 seconds. Under 150 simultaneous completions for one
#: person from three workers on moto's one-request-at-a-time DynamoDB, 12 tries ran out once in two
#: CI runs; a lost race being about an even chance there, 20 makes running out a one-in-a-million event.
ATTEMPTS = 20

_last_attempt: ContextVar[bool] = ContextVar("footwork_last_attempt", default=True)


class ConflictGoesUp(AbstractExceptionHandler):
    """Lets a :class:`StoreConflict` leave the dispatcher (so the request can run again), except on the
    last try, when the next exception handler answers it."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StoreConflict) and not _last_attempt.get()

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Any:
        raise exception


class RetryingSkill(CustomSkill):
    """A CustomSkill whose ``invoke`` runs the request again when its save lost a race."""

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        for attempt in range(1, ATTEMPTS + 1):
            token = _last_attempt.set(attempt == ATTEMPTS)
            try:
                return super().invoke(request_envelope=request_envelope, context=context)
            except StoreConflict:
                if attempt == ATTEMPTS:
                    raise
            finally:
                _last_attempt.reset(token)
            # Random, growing pauses: two racing requests rarely collide twice.
            time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
        raise AssertionError("unreachable")


class RetryingSkillBuilder(CustomSkillBuilder):
    """A CustomSkillBuilder whose skill retries lost races (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # First in line, so a conflict reaches RetryingSkill before any catch-all handler.
        self.add_exception_handler(ConflictGoesUp())

    def create(self) -> RetryingSkill:
        return RetryingSkill(skill_configuration=self.skill_configuration)
