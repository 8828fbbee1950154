"""Errors about packs, each naming the pack and the place of the problem."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a data file: where (a path such as ``exercises[3].steps[2].hold``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PackError(Exception):
    """A pack could not be loaded. ``pack`` names it; the message says why."""

    def __init__(self, pack: str, message: str) -> None:
        super().__init__(f"{pack}: {message}")
        self.pack = pack
        self.reason = message


class PackDataError(PackError):
    """A pack's data file is invalid; ``problems`` lists every problem found, not only the first."""

    def __init__(self, pack: str, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        lines = [f"{pack}: {file}: {problem}" for problem in self.problems]
        Exception.__init__(self, "\n".join(lines))
        self.pack = pack
        self.reason = "\n".join(f"{file}: {problem}" for problem in self.problems)
