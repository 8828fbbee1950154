"""What was loaded: every pack with its status, and the routines of the packs that loaded.

Two packs may use the same routine id, exercise id or spoken name: both load. ``pack:routine`` always
names one routine; a bare id or a spoken name finds a routine only when one routine answers to it,
and :meth:`Catalog.matches` lists every routine that does, so a caller can ask which one is meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

from ._model import Exercise, Pack, Routine


@dataclass
class LoadedPack:
    """A pack that loaded: its data, its routines (resolved once every pack is in) and any warnings."""

    name: str
    distribution: str | None
    version: str | None
    pack: Pack
    warnings: list[str] = field(default_factory=list)
    routines: tuple[Routine, ...] = ()

    ok: ClassVar[bool] = True
    status: ClassVar[str] = "ok"
    #: Always None: a pack that has an error is a :class:`FailedPack`.
    error: ClassVar[None] = None

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        return self.pack.exercises

    def warn(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)

    def failed(self, error: str) -> FailedPack:
        """This pack, failed after all (a pack it needs did not load), keeping its warnings."""
        return FailedPack(self.name, self.distribution, self.version, error, list(self.warnings), "needs")

    def as_json(self) -> dict[str, Any]:
        """The stable shape of ``footwork packs --json``."""
        return _as_json(self, [r.id for r in self.routines], [e.ref for e in self.exercises])


@dataclass
class FailedPack:
    """A pack that did not load, and why, naming the file, field or hook where it can."""

    name: str
    distribution: str | None
    version: str | None
    error: str
    warnings: list[str] = field(default_factory=list)
    #: How far it got: "selection" (not installed), "name" (taken), "import", "hooks", "data" (its
    #: data file) or "needs" (another pack's exercise); ``packs check`` reports each its own way.
    stage: str = "import"

    ok: ClassVar[bool] = False
    status: ClassVar[str] = "error"
    pack: ClassVar[None] = None
    routines: ClassVar[tuple[Routine, ...]] = ()
    exercises: ClassVar[tuple[Exercise, ...]] = ()

    def warn(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)

    def as_json(self) -> dict[str, Any]:
        return _as_json(self, [], [])


#: Every pack the loader was asked for, whether it loaded or not.
PackStatus: TypeAlias = LoadedPack | FailedPack


def _as_json(pack: PackStatus, routines: list[str], exercises: list[str]) -> dict[str, Any]:
    return {
        "name": pack.name,
        "version": pack.version,
        "distribution": pack.distribution,
        "routines": routines,
        "exercises": exercises,
        "status": pack.status,
        "error": pack.error,
        "warnings": list(pack.warnings),
    }


def routine_ref(routine: Routine) -> str:
    """A routine's qualified id, ``pack:routine``: unique however many packs are installed."""
    return f"{routine.pack}:{routine.id}"


def spoken_key(text: str) -> str:
    """Fold a spoken or typed name for matching: case, punctuation, "the", "routine" and plurals."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    skip = {"the", "my", "a", "an", "routine", "routines", "exercise", "exercises", "workout", "please"}
    return " ".join(_singular(w) for w in words if w not in skip)


def _singular(word: str) -> str:
    """ "raises" -> "raise", "stretches" -> "stretch", "circles" -> "circle"; "press" stays."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1]


def spoken_names(routine: Routine) -> list[str]:
    """What a person may call a routine: its id as words, its title and its other names."""
    return [routine.id.replace("-", " "), routine.title, *routine.synonyms]


class Catalog:
    """The loaded packs and their routines, looked up by id or by what a person calls them."""

    def __init__(self, packs: list[PackStatus]) -> None:
        self.packs: list[PackStatus] = sorted(packs, key=lambda p: p.name)
        self.routines: list[Routine] = [r for p in self.packs for r in p.routines]
        self.exercises: list[Exercise] = [e for p in self.packs for e in p.exercises]
        self._by_ref = {routine_ref(r): r for r in self.routines}
        self._by_id: dict[str, list[Routine]] = {}
        self._by_name: dict[str, list[Routine]] = {}
        for routine in self.routines:
            self._by_id.setdefault(routine.id, []).append(routine)
            for name in spoken_names(routine):
                found = self._by_name.setdefault(spoken_key(name), [])
                if routine not in found:
                    found.append(routine)

    def __iter__(self) -> Iterator[Routine]:
        return iter(self.routines)

    @property
    def problems(self) -> list[str]:
        """Every pack failure and warning, each starting with the pack's name."""
        out = [f"{p.name}: {p.error}" for p in self.packs if p.error]
        out += [f"{p.name}: {w}" for p in self.packs for w in p.warnings]
        return out

    def pack(self, name: str) -> PackStatus | None:
        """The pack called ``name``, loaded or failed; None when it was not asked for."""
        return next((p for p in self.packs if p.name == name), None)

    def get(self, routine_id: str) -> Routine | None:
        """The routine with this id: ``pack:routine`` always, a bare id when one pack alone uses it."""
        if ":" in routine_id:
            return self._by_ref.get(routine_id)
        found = self._by_id.get(routine_id, [])
        return found[0] if len(found) == 1 else None

    def exercise(self, ref: str) -> Exercise | None:
        """An exercise by its qualified id, ``pack:exercise``."""
        return next((e for e in self.exercises if e.ref == ref), None)

    def matches(self, said: str) -> list[Routine]:
        """Every routine a person may mean by ``said`` (an id, a title or another name), best first.

        One routine: that is the one. Several: ask which, naming their packs. None: nothing answers.
        """
        if ":" in said and said in self._by_ref:
            return [self._by_ref[said]]
        if said in self._by_id:
            return list(self._by_id[said])
        key = spoken_key(said)
        if not key:
            return []
        if key in self._by_name:
            return list(self._by_name[key])
        # "heel raises routine please" or "start the ankle" still find their routine when one name
        # contains the other as whole words.
        hits: list[Routine] = []
        for name, routines in self._by_name.items():
            if f" {key} " in f" {name} " or f" {name} " in f" {key} ":
                hits += [r for r in routines if r not in hits]
        return hits

    def find(self, said: str) -> Routine | None:
        """The routine a person means by ``said``, when exactly one routine answers to it."""
        found = self.matches(said)
        return found[0] if len(found) == 1 else None
