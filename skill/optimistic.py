"""The skill that runs Footwork's handlers, and its optimistic concurrency: a request whose save lost a
race runs again.

Two devices of one person can finish a routine at the same moment. Each request reads the person's
document, changes it and writes it back naming the version it read; the second write finds a newer
version and raises :class:`~footwork.skill.stores.StoreConflict`. Merging two changed documents would
need rules per key; running the request again on the fresh document needs none, and the handlers are
deterministic given the request and the stored document (the session attributes are a copy, made anew
for each try, so a second run starts from the same session). :class:`RetryingSkill` does that, a few
times with a short random pause; on the last try the conflict goes to the skill's ordinary exception
handler, which says "sorry" instead of failing the request.

A request that leaves the document as it read it writes nothing (the store compares the text it would
write with the text it read), so it never conflicts: it changed nothing that could be lost, and
whatever another device wrote since stays as written.

**Why not ask-sdk-core's ``CustomSkill``.** Its module imports ``ask_sdk_model.services`` (every Alexa
service client, a sixth of a Lambda cold start) for a service-client factory Footwork never configures,
and its ``invoke`` deep-copies the session attributes with :func:`copy.deepcopy`. :class:`RetryingSkill`
does what ``CustomSkill.invoke`` of ask-sdk-core 1.19.0 does, in its order, with the SDK's own pieces:
the skill-id check, a ``TemplateFactory`` of the configured loaders and renderer, an
``AttributesManager`` over the persistence adapter, the SDK's ``HandlerInput``, ask-sdk-runtime's
``GenericRequestDispatcher`` (request and response interceptors, the handler chain, exception
handlers; the chain's mapper is :class:`~footwork.skill.handler.IndexedRequestMapper`, which picks the
handler the SDK's picks), and a ``ResponseEnvelope`` with the SDK's user agent. Left out: the
service-client factory (no API client is configured, so ``CustomSkill`` gives None too). The session
copy is made for JSON values without ``deepcopy``'s bookkeeping (:func:`json_copy`); anything else
still goes to ``deepcopy``.
``tests/test_fast_path.py`` compares the two skills' answers on every recorded request and whole
routines of every pack.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from copy import deepcopy
from typing import Any

from ask_sdk_core.__version__ import __version__ as sdk_version
from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter, AttributesManager
from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import RESPONSE_FORMAT_VERSION
from ask_sdk_core.view_resolvers import TemplateFactory
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_runtime.dispatch import GenericRequestDispatcher
from ask_sdk_runtime.dispatch_components.request_components import GenericRequestMapper
from ask_sdk_runtime.exceptions import AskSdkException
from ask_sdk_runtime.skill import RuntimeConfiguration
from ask_sdk_runtime.skill_builder import AbstractSkillBuilder
from ask_sdk_runtime.utils import UserAgentManager, user_agent_info

from .handler import IndexedRequestMapper
from .stores import StoreConflict

__all__ = ["ATTEMPTS", "ConflictGoesUp", "RetryingSkill", "RetryingSkillBuilder", "SessionCopyingManager",
           "json_copy"]

#: Tries per request; each costs one read and one write, and the pauses between them (at most 128 ms,
#: 64 ms on average) stay well inside Alexa's 8 seconds. Under 150 simultaneous completions for one
#: person from three workers on moto's one-request-at-a-time DynamoDB, 12 tries ran out once in two
#: CI runs; a lost race being about an even chance there, 20 makes running out a one-in-a-million event.
ATTEMPTS = 20

_last_attempt: ContextVar[bool] = ContextVar("footwork_last_attempt", default=True)

_SCALARS = frozenset({str, int, float, bool, type(None)})


def json_copy(value: Any) -> Any:
    """A deep copy of ``value``, equal to ``copy.deepcopy``'s for what JSON parsing gives.

    Dicts with string keys, lists and scalars are copied directly; anything else (a tuple, a set, an
    object, a str subclass) is handed to ``deepcopy`` whole. Parsed JSON shares no objects between
    places, so ``deepcopy``'s memo, which keeps shared objects shared, has nothing to do here.
    """
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        copied = {}
        for key, item in value.items():
            if type(key) is not str:
                return deepcopy(value)
            copied[key] = json_copy(item)
        return copied
    if kind is list:
        return [json_copy(item) for item in value]
    return deepcopy(value)


class SessionCopyingManager(AttributesManager):
    """The SDK's ``AttributesManager``, its session attributes copied by :func:`json_copy`.

    Everything else is the SDK's: its properties read the fields set here, the ones its own
    ``__init__`` sets (ask-sdk-core 1.19.0; ``tests/test_fast_path.py`` compares the two).
    """

    def __init__(self, request_envelope: RequestEnvelope,
                 persistence_adapter: AbstractPersistenceAdapter | None = None) -> None:
        if request_envelope is None:
            super().__init__(request_envelope, persistence_adapter)  # the SDK's error
        self._request_envelope = request_envelope
        self._persistence_adapter = persistence_adapter
        self._persistence_attributes: dict[str, Any] = {}
        self._request_attributes: dict[str, Any] = {}
        session = request_envelope.session
        if session is None:
            self._session_attributes: dict[str, Any] | None = None
        elif session.attributes is None:
            self._session_attributes = {}
        else:
            self._session_attributes = json_copy(session.attributes)
        self._persistent_attributes_set = False


class ConflictGoesUp(AbstractExceptionHandler):
    """Lets a :class:`StoreConflict` leave the dispatcher (so the request can run again), except on the
    last try, when the next exception handler answers it."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StoreConflict) and not _last_attempt.get()

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Any:
        raise exception


class RetryingSkill:
    """Footwork's skill: ``CustomSkill.invoke``'s work (see the module docstring), and each request run
    again when its save lost a race."""

    def __init__(self, configuration: RuntimeConfiguration,
                 persistence_adapter: AbstractPersistenceAdapter | None = None,
                 skill_id: str | None = None) -> None:
        self.persistence_adapter = persistence_adapter
        self.skill_id = skill_id
        self.request_dispatcher = GenericRequestDispatcher(options=configuration)
        # It holds only the loaders and the renderer: one serves every request.
        self.template_factory = TemplateFactory(template_loaders=configuration.loaders,
                                                template_renderer=configuration.renderer)
        # What CustomSkill registers: the answer's userAgent names the SDK, as before.
        UserAgentManager.register_component(user_agent_info(sdk_version=sdk_version))

    def supports(self, request_envelope: dict[str, Any], context: Any) -> bool:
        return "request" in request_envelope

    def invoke(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        for attempt in range(1, ATTEMPTS + 1):
            token = _last_attempt.set(attempt == ATTEMPTS)
            try:
                return self._invoke_once(request_envelope, context)
            except StoreConflict:
                if attempt == ATTEMPTS:
                    raise
            finally:
                _last_attempt.reset(token)
            # Random, growing pauses: two racing requests rarely collide twice.
            time.sleep(random.uniform(0, 0.002 * 2 ** min(attempt, 6)))
        raise AssertionError("unreachable")

    def _invoke_once(self, request_envelope: RequestEnvelope, context: Any) -> ResponseEnvelope:
        # As CustomSkill checks it (an envelope without a context fails the same way).
        if self.skill_id is not None and (
                request_envelope.context.system.application.application_id  # type: ignore[union-attr]
                != self.skill_id):
            raise AskSdkException("Skill ID Verification failed!!")
        manager = SessionCopyingManager(request_envelope, self.persistence_adapter)
        handler_input = HandlerInput(request_envelope=request_envelope, attributes_manager=manager,
                                     context=context, service_client_factory=None,
                                     template_factory=self.template_factory)
        response = self.request_dispatcher.dispatch(handler_input=handler_input)
        session_attributes = None
        if request_envelope.session is not None:
            session_attributes = manager.session_attributes
        return ResponseEnvelope(response=response, version=RESPONSE_FORMAT_VERSION,
                                session_attributes=session_attributes,
                                user_agent=UserAgentManager.get_user_agent())


class RetryingSkillBuilder(AbstractSkillBuilder):
    """Collects handlers and interceptors with ask-sdk-runtime's builder methods, as ``CustomSkillBuilder``
    does, and makes a :class:`RetryingSkill` (see the module docstring)."""

    def __init__(self, persistence_adapter: AbstractPersistenceAdapter | None = None) -> None:
        super().__init__()
        self.persistence_adapter = persistence_adapter
        self.skill_id: str | None = None
        # First in line, so a conflict reaches RetryingSkill before any catch-all handler.
        self.add_exception_handler(ConflictGoesUp())

    @property
    def runtime_configuration(self) -> RuntimeConfiguration:
        """The handlers, interceptors, loaders and renderer added so far, as the SDK's builder gives them."""
        configuration: RuntimeConfiguration = self.runtime_configuration_builder.get_runtime_configuration()
        # The same chains, the same handler picked, fewer handlers asked (see IndexedRequestMapper).
        configuration.request_mappers = [
            IndexedRequestMapper(mapper.request_handler_chains)
            if type(mapper) is GenericRequestMapper else mapper
            for mapper in configuration.request_mappers]
        return configuration

    def create(self) -> RetryingSkill:
        return RetryingSkill(self.runtime_configuration, self.persistence_adapter, self.skill_id)
