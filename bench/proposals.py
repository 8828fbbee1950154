"""Cuts proposed for files this benchmark does not own, written out so that their gain can be measured.

Neither is wired into the app: ``bench/endpoint.py`` measures them beside the code they would replace
(the ``full-proposed`` layer serves the real app with both applied), and the report names the exact
change to make in ``skill/app.py``.

1. :class:`FastSerializer`: ask-sdk-core's ``DefaultSerializer`` parses every timestamp with
   ``dateutil.parser.parse`` (a general-purpose tokenizer, tens of microseconds per call) and resolves
   every model class name with ``__import__`` on every request. Alexa's timestamps are ISO 8601,
   which ``datetime.fromisoformat`` reads in about a microsecond (Python 3.11+ accepts the ``Z``);
   anything it cannot read still goes to dateutil, so nothing that parsed before fails now. Class
   names are resolved once and remembered (the model classes never change in a process).
2. :func:`read_envelope_once`: ``skill/app.py``'s ``_read_envelope`` runs ``json.loads`` on the body,
   ``json.dumps`` on the result and hands the text to ``deserialize``, which runs ``json.loads`` again;
   the checked dict can be deserialised directly.

Both reach into the serializer's name-mangled private methods; ``ask-sdk-core`` is pinned to one
version (``==1.19.0`` in pyproject.toml), and a test must pin the behaviour if this is adopted.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope


class FastSerializer(DefaultSerializer):
    """``DefaultSerializer`` with ISO 8601 timestamps read by the standard library and class names cached."""

    def deserialize_parsed(self, payload: Any, obj_type: Any) -> Any:
        """Deserialise an already-parsed JSON value (the public ``deserialize`` wants text)."""
        return self._DefaultSerializer__deserialize(payload, obj_type)  # type: ignore[attr-defined]

    def _DefaultSerializer__deserialize_datetime(self, payload: str, obj_type: Any) -> Any:  # noqa: N802
        """``datetime.fromisoformat`` first; dateutil, as before, for anything else."""
        if isinstance(payload, str):
            try:
                parsed = datetime.fromisoformat(payload)
            except ValueError:
                pass
            else:
                return parsed.date() if obj_type is date else parsed
        return _dateutil_datetime(self, payload, obj_type)

    def _DefaultSerializer__load_class_from_name(self, class_name: str) -> Any:  # noqa: N802
        """The SDK's class lookup, remembered per name."""
        return _load_class(class_name)


_dateutil_datetime = DefaultSerializer._DefaultSerializer__deserialize_datetime  # type: ignore[attr-defined]


@lru_cache(maxsize=1024)
def _load_class(class_name: str) -> Any:
    return DefaultSerializer._DefaultSerializer__load_class_from_name(_PLAIN, class_name)  # type: ignore[attr-defined]


_PLAIN = DefaultSerializer()


def read_envelope_once(body: bytes, serializer: FastSerializer) -> RequestEnvelope | None:
    """The body parsed once and deserialised from the dict (the checks of ``_read_envelope`` elided)."""
    data = json.loads(body)
    if not isinstance(data, dict):
        return None
    return serializer.deserialize_parsed(data, RequestEnvelope)
