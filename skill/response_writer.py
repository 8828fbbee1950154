"""Turn the skill's answer (ask-sdk-model objects) into JSON-ready values without reflection per value.

``DefaultSerializer.serialize`` walks the ``ResponseEnvelope`` by asking every value, one ``isinstance``
after another, what it is, and every model object for its ``attribute_map`` and ``deserialized_types``
(merging the two into a fresh dict each time). :func:`write_response` gives the same result from the
same public metadata, read once per class: for each class met, a writer is compiled the first time,
which for a model class is its list of (attribute, JSON key) in the order the SDK writes them. The
rules are the SDK's, in its order (a ``str`` or ``int`` subclass is written as itself, an enum by its
value, a date in ISO 8601, a model without its ``None`` attributes...); a value of a kind the SDK has
no rule for is handed to ``DefaultSerializer`` itself, so that it fails, or not, exactly as before.
``tests/test_response_writer.py`` compares both on every answer of every recorded request and of
whole routines.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

__all__ = ["write_response"]

Writer = Callable[[Any], Any]

#: What ``DefaultSerializer`` returns as it is (``PRIMITIVE_TYPES``: ``str``, ``int``, ``float``,
#: ``bool``, ``bytes``, and their subclasses).
_PRIMITIVE: Final = (float, bool, bytes, str, int)

#: Exact types that ``write_response`` returns as they are (``None`` and primitives, not their
#: subclasses): containers test for them inline, which spares two calls for most of an answer's values.
_PLAIN: Final = frozenset({type(None), str, int, float, bool})

_writers: dict[type, Writer] = {}


def write_response(value: Any) -> Any:
    """``DefaultSerializer().serialize(value)``, for the values a skill's answer is made of."""
    if value is None:
        return None
    kind = type(value)
    writer = _writers.get(kind)
    if writer is None:
        writer = _writers[kind] = _compile(kind)
    return writer(value)


def _compile(kind: type) -> Writer:
    """The writer for every value of class ``kind``: the SDK's rule for it, chosen once."""
    # The same tests as DefaultSerializer.serialize, in the same order; each depends on the class only.
    if issubclass(kind, _PRIMITIVE):
        return _itself
    if issubclass(kind, list):
        return _list
    if issubclass(kind, tuple):
        return _tuple
    if issubclass(kind, datetime | date):
        return _isoformat
    if issubclass(kind, Enum):
        return _enum_value
    if issubclass(kind, decimal.Decimal):
        return _decimal
    if issubclass(kind, dict):
        return _dict
    if hasattr(kind, "deserialized_types"):
        return _model_writer(kind)
    return _sdk  # no rule of ours: the SDK's serialize decides (and raises where it raises)


def _itself(value: Any) -> Any:
    return value


def _list(value: list[Any]) -> list[Any]:
    return [item if type(item) in _PLAIN else write_response(item) for item in value]


def _tuple(value: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(write_response(item) for item in value)


def _isoformat(value: date) -> str:
    return value.isoformat()


def _enum_value(value: Enum) -> Any:
    return value.value


def _decimal(value: decimal.Decimal) -> int | float:
    return int(value) if value % 1 == 0 else float(value)


def _dict(value: dict[Any, Any]) -> dict[Any, Any]:
    return {key: item if type(item) in _PLAIN else write_response(item) for key, item in value.items()}


def _sdk(value: Any) -> Any:
    from ask_sdk_core.serialize import DefaultSerializer

    return DefaultSerializer().serialize(value)


def _model_writer(kind: type) -> Writer:
    """A model class: its non-None attributes, in ``deserialized_types`` order, under their JSON keys."""
    names: dict[str, str] = dict(getattr(kind, "attribute_map", None) or {})
    types: dict[str, str] = kind.deserialized_types  # type: ignore[attr-defined]
    # The SDK maps an attribute missing from attribute_map to its own name; keys are read in
    # deserialized_types order, so two attributes under one key keep the first's place, the last's value.
    fields = tuple((attribute, names.get(attribute, attribute)) for attribute in types)

    def write(value: Any) -> dict[str, Any]:
        written: dict[str, Any] = {}
        for attribute, key in fields:
            item = getattr(value, attribute)
            if item is not None:
                written[key] = item if type(item) in _PLAIN else write_response(item)
        return written

    return write
