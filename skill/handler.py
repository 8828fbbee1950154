"""The base of every request handler: bound to the catalog, answering one :class:`Turn`."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response
from ask_sdk_runtime.dispatch_components.request_components import (
    GenericRequestHandlerChain,
    GenericRequestMapper,
)
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


#: Stands for every request type, or intent name, that no handler of the chain names.
_OTHER = object()


class IndexedRequestMapper(GenericRequestMapper):
    """ask-sdk-runtime's request mapper, which picks the first handler in the chain that can handle a
    request, picking the same handler without asking every one.

    A :class:`Handler` that keeps :meth:`Handler.can_handle` answers from the request's type and intent
    name alone: yes exactly when the type is its ``request_type`` and, if it names intents, the intent is
    one of them. So for each type and intent name the handlers of the chain, in order, are known in
    advance to say no, to say yes, or to need asking (any handler with a ``can_handle`` of its own, a
    pack's or the SDK's included). A request is given to the first that says yes, asking only those in
    between that need asking, in order, as the chain would have. Types and names no handler names all
    look the same to every such handler, so they share one entry (a forged name adds nothing). A
    request whose type or intent name is not a plain string, or that has no request at all, goes the
    chain's way.

    Handlers' ``request_type`` and ``intents`` are read when a chain is added: they are class constants.
    ``tests/test_skill_memory.py`` compares the two mappers on every recorded request and every type and
    intent the handlers name.
    """

    def __init__(self, request_handler_chains: list[GenericRequestHandlerChain] | None = None) -> None:
        self._index: dict[tuple[object, object], list[tuple[GenericRequestHandlerChain, bool]]] = {}
        super().__init__(request_handler_chains)
        self._build()

    def add_request_handler_chain(self, request_handler_chain: GenericRequestHandlerChain) -> None:
        super().add_request_handler_chain(request_handler_chain)
        self._build()

    def _build(self) -> None:
        plain: list[tuple[GenericRequestHandlerChain, tuple[str, tuple[str, ...]] | None]] = []
        for chain in self.request_handler_chains:
            handler = chain.request_handler
            if isinstance(handler, Handler) and type(handler).can_handle is Handler.can_handle:
                plain.append((chain, (handler.request_type, tuple(handler.intents))))
            else:
                plain.append((chain, None))
        types = {rule[0] for _, rule in plain if rule is not None}
        names = {name for _, rule in plain if rule is not None for name in rule[1]}
        index: dict[tuple[object, object], list[tuple[GenericRequestHandlerChain, bool]]] = {}
        for request_type in (*types, _OTHER):
            for name in (*names, _OTHER):
                candidates: list[tuple[GenericRequestHandlerChain, bool]] = []
                for chain, rule in plain:
                    if rule is None:
                        candidates.append((chain, False))  # ask it
                    elif request_type == rule[0] and (not rule[1] or name in rule[1]):
                        candidates.append((chain, True))  # it says yes: nothing after it is asked
                        break
                index[(request_type, name)] = candidates
        self._types, self._names, self._index = frozenset(types), frozenset(names), index

    def get_request_handler_chain(self, handler_input: HandlerInput) -> GenericRequestHandlerChain | None:
        try:
            request_type = handler_input.request_envelope.request.object_type
        except Exception:  # noqa: BLE001 - the chain's way raises what it always raised
            return super().get_request_handler_chain(handler_input)
        if type(request_type) is not str:
            return super().get_request_handler_chain(handler_input)
        name = intent_name(handler_input)
        if name is not None and type(name) is not str:
            return super().get_request_handler_chain(handler_input)
        key = (request_type if request_type in self._types else _OTHER,
               name if name in self._names else _OTHER)
        for chain, sure in self._index[key]:
            if sure or chain.request_handler.can_handle(handler_input):
                return chain
        return None
