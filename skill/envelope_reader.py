"""Build ask-sdk-model objects from a parsed request body, without ask-sdk-core's reflective serializer.

``DefaultSerializer.deserialize`` walks the envelope by reflection: for every nested value it parses the
type string again, resolves each model class by name with ``__import__`` and parses each timestamp with
``dateutil``; that was a third of a request's time. :func:`read_envelope` builds the same objects from
the same public metadata every model class carries (``deserialized_types``, ``attribute_map``,
``get_real_child_model`` for the abstract ones), but reads that metadata once per class and keeps the
result: a list of (JSON key, attribute, converter) per class, with the converter for each type string
built once. Classes are compiled on first use, so a process only ever looks at the few dozen classes
Alexa actually sends, not the hundreds ask-sdk-model defines.

Only shapes whose meaning is plain take the fast road: a JSON object where a model is expected, a string
where a ``str`` is, an ISO 8601 timestamp of the form Alexa sends, and so on. Anything else (a number
where a string belongs, a timestamp only ``dateutil`` reads, an unknown enum value or request type)
makes the whole envelope go through ``DefaultSerializer`` instead, so every odd input is turned into
exactly what the SDK made of it, or refused exactly where the SDK refused it. Alexa never sends such
shapes, so that road costs nothing in practice; tests compare both roads on every recorded request
and on generated ones (``tests/test_envelope_reader.py``).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, Final

__all__ = ["ENVELOPE_TYPE", "read_envelope"]

#: The class every request body becomes.
ENVELOPE_TYPE: Final = "ask_sdk_model.request_envelope.RequestEnvelope"

Converter = Callable[[Any], Any]

#: The timestamps Alexa sends (``2019-07-15T21:47:02Z``, sometimes with a fraction or an offset), which
#: ``datetime.fromisoformat`` reads to the same instant as ``dateutil``. Other spellings go to the SDK.
_ALEXA_TIMESTAMP: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})?", re.ASCII
)
_IMMUTABLE_DEFAULTS: Final = (type(None), str, int, float, bool, Enum)


class _Unusual(Exception):
    """A shape the fast road does not take: the envelope goes to ``DefaultSerializer`` instead."""


def read_envelope(data: dict[str, Any]) -> Any:
    """The ``RequestEnvelope`` for an already-parsed request body, equal to ``DefaultSerializer``'s.

    :raises ask_sdk_core.exceptions.SerializationException: where ``DefaultSerializer`` raises it.
    """
    try:
        return _converter(ENVELOPE_TYPE)(data)
    except Exception:  # noqa: BLE001 - _Unusual, or a surprise: either way the SDK's answer is the rule
        return _sdk_serializer().deserialize(json.dumps(data), ENVELOPE_TYPE)


_serializer: Any = None


def _sdk_serializer() -> Any:
    global _serializer
    if _serializer is None:
        from ask_sdk_core.serialize import DefaultSerializer

        _serializer = DefaultSerializer()
    return _serializer


# --------------------------------------------------------------------------------------------------
# Converters, one per type string, built once
# --------------------------------------------------------------------------------------------------

_converters: dict[str, Converter] = {}


def _converter(type_name: str) -> Converter:
    """The converter for one of the SDK's type strings (``str``, ``list[a.B]``, ``a.b.C``...)."""
    found = _converters.get(type_name)
    if found is None:
        found = _converters[type_name] = _build_converter(type_name)
    return found


def _build_converter(type_name: str) -> Converter:
    # The same grammar DefaultSerializer reads, in the same order.
    if type_name.startswith("list["):
        inner = re.match(r"list\[(.*)\]", type_name)
        if inner is None or "," in inner.group(1):
            return _always_unusual  # positional lists: no model uses them; leave them to the SDK
        return _list_of(inner.group(1).strip())
    if type_name.startswith("dict("):
        inner = re.match(r"dict\(([^,]*), (.*)\)", type_name)
        if inner is None:
            return _always_unusual
        return _dict_of(inner.group(2))
    simple = _SIMPLE.get(type_name)
    if simple is not None:
        return simple
    return _model(type_name)


def _always_unusual(payload: Any) -> Any:
    if payload is None:
        return None
    raise _Unusual


def _exact(kind: type) -> Converter:
    """``str``, ``int``, ``bool``: a value already of that type is itself; anything else is unusual."""

    def convert(payload: Any) -> Any:
        if payload is None or type(payload) is kind:
            return payload
        raise _Unusual

    _EXACT_KINDS[convert] = kind
    return convert


#: The converters made by :func:`_exact`, with their type: a model reader runs their one test inline
#: rather than calling them, for the strings and flags that are most of an envelope's values.
_EXACT_KINDS: dict[Converter, type] = {}


def _float(payload: Any) -> Any:
    kind = type(payload)
    if payload is None or kind is float:
        return payload
    if kind is int:
        return float(payload)  # what the SDK's float(payload) gives for a JSON integer
    raise _Unusual


def _as_is(payload: Any) -> Any:
    return payload


def _datetime(payload: Any) -> Any:
    if payload is None:
        return None
    if type(payload) is str and _ALEXA_TIMESTAMP.fullmatch(payload):
        try:
            return datetime.fromisoformat(payload)
        except ValueError:  # a month 13 or a year 0: the SDK's dateutil says what it makes of it
            raise _Unusual from None
    raise _Unusual


def _date(payload: Any) -> Any:
    parsed = _datetime(payload)
    return None if parsed is None else parsed.date()


_SIMPLE: Final[dict[str, Converter]] = {
    "str": _exact(str),
    "int": _exact(int),
    "long": _exact(int),
    "bool": _exact(bool),
    "float": _float,
    "object": _as_is,
    "datetime": _datetime,
    "date": _date,
}


def _list_of(item_type: str) -> Converter:
    item: Converter | None = None

    def convert(payload: Any) -> Any:
        nonlocal item
        if payload is None:
            return None
        if type(payload) is not list:
            raise _Unusual
        if item is None:
            item = _converter(item_type)
        return [item(value) for value in payload]

    return convert


def _dict_of(value_type: str) -> Converter:
    value_converter: Converter | None = None

    def convert(payload: Any) -> Any:
        nonlocal value_converter
        if payload is None:
            return None
        if type(payload) is not dict:
            raise _Unusual
        if value_converter is None:
            value_converter = _converter(value_type)
        return {key: value_converter(value) for key, value in payload.items()}

    return convert


# --------------------------------------------------------------------------------------------------
# Model classes
# --------------------------------------------------------------------------------------------------


def _load_class(class_name: str) -> type:
    module_name, _, name = class_name.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError, ValueError):
        raise _Unusual from None  # the SDK raises its own error for it


class _ModelReader:
    """How to build one concrete model class: its blank instance and its fields, read once."""

    def __init__(self, cls: Any) -> None:
        self.cls: Any = cls
        types: dict[str, str] = cls.deserialized_types  # type: ignore[attr-defined]
        names: dict[str, str] = dict(getattr(cls, "attribute_map", {}))
        for attribute in types:
            names.setdefault(attribute, attribute)
        #: (JSON key, attribute, converter), in the order the SDK sets them.
        self.fields = [(key, attribute, _converter(types[attribute])) for attribute, key in names.items()]
        self.keys = frozenset(names.values())
        # What cls() leaves in the instance; copied instead of running __init__ for every object. Only
        # immutable defaults can be shared between instances (ask-sdk-model's are all None or strings).
        blank = cls().__dict__
        self.blank: dict[str, Any] | None = (
            dict(blank) if all(isinstance(v, _IMMUTABLE_DEFAULTS) for v in blank.values()) else None
        )
        #: JSON key -> (attribute, converter), to walk the payload's few keys rather than every field.
        #: Only when that cannot change the result: each key names one attribute, and ``cls()`` sets
        #: every attribute (so the order of assignment cannot show in the instance's ``__dict__``).
        #: The third item is the type of an :func:`_exact` converter (its test is made inline), else
        #: None; the fourth the state of a :func:`_model` converter, else None (see ``build``).
        by_key = {key: (attribute, convert, _EXACT_KINDS.get(convert), _MODEL_STATES.get(convert))
                  for key, attribute, convert in self.fields}
        complete = len(by_key) == len(self.fields) and all(attr in blank for _, attr, _ in self.fields)
        self.by_key: dict[str, _Field] | None = by_key if complete else None

    def build(self, payload: dict[str, Any]) -> Any:
        cls = self.cls
        by_key, blank = self.by_key, self.blank
        if by_key is not None and blank is not None:
            # Every class Alexa sends: the attributes are made as one dict, from the blank one, and
            # given to a bare instance at once. That is the same dict, in the same order, as cls()
            # then setting each field leaves (cls() sets every attribute, each key names one), and
            # it costs a third less than filling the dict an instance starts with.
            attributes = blank.copy()
            unknown = False
            for key, value in payload.items():
                field = by_key.get(key)
                if field is None:
                    unknown = True  # kept below, after every field, as the SDK keeps it
                    continue
                attribute, convert, exact, model = field
                if exact is not None:
                    if value is None or type(value) is exact:  # what convert(value) does, uncalled
                        attributes[attribute] = value
                    else:
                        raise _Unusual
                elif model and type(value) is dict and model[1] is not None:
                    # A concrete model class, loaded: what convert(value) does, one call less.
                    attributes[attribute] = model[1].build(value)
                else:
                    attributes[attribute] = convert(value)
            instance = cls.__new__(cls)
            instance.__dict__ = attributes
            if not unknown:
                return instance
        else:
            if blank is None:
                instance = cls()
                attributes = instance.__dict__
            else:
                instance = cls.__new__(cls)
                attributes = instance.__dict__
                attributes.update(blank)
            for key, attribute, convert in self.fields:
                if key in payload:
                    attributes[attribute] = convert(payload[key])
        keys = self.keys
        for key, value in payload.items():
            if key not in keys:
                # Keys the model does not know are kept as attributes, as the SDK keeps them.
                if key.startswith("__"):
                    raise _Unusual  # would reach Python's own attributes: let the SDK decide
                setattr(instance, key, value)
        return instance


#: What a model reader knows of one field: (attribute, converter, exact type or None, model state or None).
_Field = tuple[str, Converter, type | None, list[Any] | None]

_readers: dict[type, _ModelReader] = {}


def _reader(cls: type) -> _ModelReader:
    found = _readers.get(cls)
    if found is None:
        found = _readers[cls] = _ModelReader(cls)
    return found


#: The ``resolved`` list of each converter made by :func:`_model`, for model readers to read inline.
_MODEL_STATES: dict[Converter, list[Any]] = {}


def _model(class_name: str) -> Converter:
    resolved: list[Any] = []  # [cls, reader or None] once loaded: classes load on first use

    def convert(payload: Any) -> Any:
        if payload is None:
            return None
        if not resolved:
            cls = _load_class(class_name)
            if isinstance(cls, type) and issubclass(cls, Enum):
                resolved.extend((cls, None))
            elif hasattr(cls, "deserialized_types"):
                resolved.extend((cls, None if hasattr(cls, "get_real_child_model") else _reader(cls)))
            else:
                raise _Unusual
        cls, reader = resolved
        if reader is None:
            if issubclass(cls, Enum):
                try:
                    return cls(payload)
                except (ValueError, TypeError):
                    raise _Unusual from None
            if type(payload) is not dict:
                raise _Unusual
            # An abstract class (Request, Directive...): the discriminator names the concrete one.
            try:
                concrete = cls.get_real_child_model(payload)
            except (KeyError, TypeError):
                raise _Unusual from None
            if not concrete:
                raise _Unusual
            return _reader(_child_class(concrete)).build(payload)
        if type(payload) is not dict:
            raise _Unusual
        return reader.build(payload)

    _MODEL_STATES[convert] = resolved
    return convert


_children: dict[str, type] = {}


def _child_class(class_name: str) -> type:
    found = _children.get(class_name)
    if found is None:
        found = _load_class(class_name)
        if not hasattr(found, "deserialized_types"):
            raise _Unusual
        _children[class_name] = found
    return found
