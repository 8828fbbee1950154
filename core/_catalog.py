"""What was loaded: every pack with its status, and the routines of the packs that loaded."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ._model import Pack, Routine


@dataclass
class LoadedPack:
    """One installed pack and how loading it went: ``error`` is None when it is usable."""

    name: str
    distribution: str | None
    version: str | None
    pack: Pack | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    routines: tuple[Routine, ...] = ()
    resolved: bool = False

    @classmethod
    def failed(cls, name: str, distribution: str | None, version: str | None, error: str) -> LoadedPack:
        return cls(name, distribution, version, error=error)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        return "ok" if self.ok else "error"

    def fail(self, error: str) -> None:
        self.error = error
        self.routines = ()

    def warn(self, warning: str) -> None:
        self.warnings.append(warning)

    def resolve(self, routines: tuple[Routine, ...]) -> None:
        self.routines = routines
        self.resolved = True

    def as_json(self) -> dict:
        """The stable shape of ``footwork packs --json``."""
        return {
            "name": self.name,
            "version": self.version,
            "distribution": self.distribution,
            "routines": [r.id for r in self.routines],
            "status": self.status,
            "error": self.error,
        }


def spoken_key(text: str) -> str:
    """Fold a spoken or typed name for matching: case, punctuation, "the", "routine" and plurals."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    skip = {"the", "my", "a", "an", "routine", "routines", "exercise", "exercises", "workout", "please"}
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                    for w in words if w not in skip)


class Catalog:
    """The loaded packs and their routines, looked up by id or by what a person calls them."""

    def __init__(self, packs: list[LoadedPack]) -> None:
        self.packs = sorted(packs, key=lambda p: p.name)
        self.routines: list[Routine] = [r for p in self.packs if p.ok for r in p.routines]
        self._by_id = {r.id: r for r in self.routines}
        self._by_name: dict[str, Routine] = {}
        for routine in self.routines:
            for name in (routine.id.replace("-", " "), routine.title, *routine.synonyms):
                self._by_name.setdefault(spoken_key(name), routine)

    def __iter__(self) -> Iterator[Routine]:
        return iter(self.routines)

    @property
    def problems(self) -> list[str]:
        """Every pack failure and warning, each starting with the pack's name."""
        out = [f"{p.name}: {p.error}" for p in self.packs if p.error]
        out += [f"{p.name}: {w}" for p in self.packs for w in p.warnings]
        return out

    def get(self, routine_id: str) -> Routine | None:
        return self._by_id.get(routine_id)

    def find(self, said: str) -> Routine | None:
        """The routine a person means by ``said``: an id, a title or a synonym, loosely matched."""
        if said in self._by_id:
            return self._by_id[said]
        key = spoken_key(said)
        if not key:
            return None
        if key in self._by_name:
            return self._by_name[key]
        # "heel raises routine please" or "start the ankle" still find their routine when one name
        # contains the other as whole words, provided only one routine matches.
        hits = {r.id: r for name, r in self._by_name.items()
                if f" {key} " in f" {name} " or f" {name} " in f" {key} "}
        return next(iter(hits.values())) if len(hits) == 1 else None
