"""The base of every request handler: bound to the catalog, answering one :class:`Turn`."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response
from footwork.core import Catalog

from .turn import Turn


def intent_name(handler_input: HandlerInput) -> str | None:
    """The intent's name; None for an IntentRequest that names none (the fallback answers it)."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return getattr(intent, "name", None)



class Handler(AbstractRequestHandler):
    """A request handler bound to the catalog; subclasses say which requests and what to answer."""

    request_type: str = "IntentRequest"
    intents: tuple[str, ...] = ()

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if get_request_type(handler_input) != self.request_type:
            return False
        return not self.intents or intent_name(handler_input) in self.intents

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(Turn(handler_input, self.catalog))

    def answer(self, turn: Turn) -> Response:  # pragma: no cover - every subclass answers
        raise NotImplementedError
