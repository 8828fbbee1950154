"""Cuts proposed for code the benchmark's author does not own, written out so that their gain is measured.

The earlier proposals here are applied: the Lambda handler reads the event without a dumps/loads
round trip, and the stores' health-information guard tells a clean document without building an error
path per key (``skill/stores/__init__.py``, issue 14). What is proposed now, for the conversation's and
the core's owners (``endpoint.py --layers full,full-proposed`` measures it; :func:`apply` applies it in
this process only):

* :func:`remembered_places`: ``Place.from_json`` (``skill/place.py``) is a pure function of a small
  JSON object and the catalog, yet runs three or four times per request (``Turn`` reads ``place`` and
  ``last`` when it is built, and again at each use), each time building the set of level names from the
  ``Level`` enum. Proposed: build that set once, and keep a bounded map from the object's items to the
  (immutable) ``Place``.
* :func:`remembered_routine_hash`: ``narrate`` is cached (``functools.lru_cache``), but its key hashes
  the frozen ``Routine`` dataclass, which hashes every exercise, step and amount in it, on every call.
  Proposed: compute a routine's hash once (it never changes; ``core/_model.py``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

#: Distinct places remembered (a place is a few hundred bytes; routines x levels x positions).
PLACES_REMEMBERED = 4096


def apply() -> None:
    """Apply every proposal below, in this process."""
    remembered_places()
    remembered_routine_hash()


def remembered_places() -> None:
    """``Place.from_json`` answered from memory for a JSON object it has read before (see above)."""
    from footwork.skill import place as place_module

    original = place_module.Place.from_json.__func__  # type: ignore[attr-defined]
    memory: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def from_json(cls: type, data: Any, catalog: Any) -> Any:
        if type(data) is not dict:
            return original(cls, data, catalog)
        try:
            key = (id(catalog), *data.items())
            hash(key)
        except TypeError:  # a list or dict inside: not a place Footwork writes; read it afresh
            return original(cls, data, catalog)
        if key in memory:
            memory.move_to_end(key)
            return memory[key]
        found = memory[key] = original(cls, data, catalog)
        if len(memory) > PLACES_REMEMBERED:
            memory.popitem(last=False)
        return found

    place_module.Place.from_json = classmethod(from_json)  # type: ignore[assignment, method-assign]


def remembered_routine_hash() -> None:
    """A ``Routine``'s hash computed once, kept beside its fields (it is frozen)."""
    from footwork.core import Routine

    original = Routine.__hash__

    def remembered(self: Any) -> int:
        found = self.__dict__.get("_bench_hash")
        if found is None:
            found = original(self)
            object.__setattr__(self, "_bench_hash", found)
        return int(found)

    Routine.__hash__ = remembered  # type: ignore[assignment, method-assign]
