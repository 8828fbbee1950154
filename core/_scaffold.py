"""Writing a new pack distribution from the template shipped in ``pack_template/`` (``footwork packs new``).

The template is a folder tree that mirrors the distribution it makes. Every ``*.tmpl`` file in it is
rendered with :class:`string.Template` and written without the suffix; ``${...}`` placeholders work in
file and folder names too (``${package}/pack.toml.tmpl``). ``string.Template`` rather than
``str.format`` because TOML tables and pack texts ("{side}") are full of braces of their own.

This lives in the core, free of click, so that tools other than the command line can make packs.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from ._schema import ID_PATTERN

TEMPLATE_SUFFIX = ".tmpl"
DISTRIBUTION_PREFIX = "footwork-"


class ScaffoldError(Exception):
    """A new pack cannot be written; the message says why and what to do instead."""


@dataclass(frozen=True)
class PackNames:
    """Every name a new pack goes by, all derived from its pack name (``calf-stretches``)."""

    name: str

    @property
    def distribution(self) -> str:
        """What pip installs: ``footwork-calf-stretches``."""
        return f"{DISTRIBUTION_PREFIX}{self.name}"

    @property
    def module_suffix(self) -> str:
        return self.name.replace("-", "_")

    @property
    def package(self) -> str:
        """The import package holding ``pack.toml``: ``footwork_calf_stretches``."""
        return f"footwork_{self.module_suffix}"

    @property
    def spoken(self) -> str:
        return self.name.replace("-", " ")

    @property
    def title(self) -> str:
        return self.spoken.capitalize()

    def as_placeholders(self) -> dict[str, str]:
        return {
            "name": self.name,
            "distribution": self.distribution,
            "module_suffix": self.module_suffix,
            "package": self.package,
            "spoken": self.spoken,
            "title": self.title,
            "footwork_requirement": footwork_requirement(),
        }


def pack_names(name: str) -> PackNames:
    """Validate a new pack's name, which must be a pack id as the data file's ``pack.name`` is."""
    if name.startswith(DISTRIBUTION_PREFIX):
        bare = name.removeprefix(DISTRIBUTION_PREFIX)
        raise ScaffoldError(
            f"leave out the '{DISTRIBUTION_PREFIX}' prefix: the pack is named '{bare}' and its distribution "
            f"'{DISTRIBUTION_PREFIX}{bare}' for you"
        )
    if not ID_PATTERN.match(name):
        raise ScaffoldError(
            f"'{name}' is not a valid pack name: use lower-case letters, digits and single hyphens, "
            "such as 'calf-stretches'"
        )
    return PackNames(name)


def footwork_requirement() -> str:
    """The dependency a new pack declares on footwork: at least this footwork's major.minor version."""
    try:
        version = metadata.version("footwork")
    except metadata.PackageNotFoundError:  # running from a source tree that was never installed
        return "footwork"
    major_minor = ".".join(version.split(".")[:2])
    return f"footwork>={major_minor}"


def template_root() -> Traversable:
    return files(__package__) / "pack_template"


def write_pack(name: str, parent: Path) -> list[Path]:
    """Write the distribution for a new pack ``name`` into ``parent/name``; return the files written.

    Refuses an invalid name, and a target that already exists unless it is an empty folder, so that
    nothing anyone wrote is ever overwritten.
    """
    names = pack_names(name)
    target = parent / name
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} already exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(
            f"{target} already exists and is not empty; choose another --dir, or remove it first"
        )
    placeholders = names.as_placeholders()
    rendered = list(_render(template_root(), Path(), placeholders))
    written: list[Path] = []
    for relative, text in rendered:
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return sorted(written)


def _render(folder: Traversable, relative: Path, placeholders: dict[str, str]) -> list[tuple[Path, str]]:
    """Every template file under ``folder``: its rendered path (relative to the target) and text."""
    out: list[tuple[Path, str]] = []
    for item in sorted(folder.iterdir(), key=lambda i: i.name):
        name = string.Template(item.name).substitute(placeholders)
        if item.is_dir():
            out.extend(_render(item, relative / name, placeholders))
        elif name.endswith(TEMPLATE_SUFFIX):
            text = string.Template(item.read_text(encoding="utf-8")).substitute(placeholders)
            out.append((relative / name.removesuffix(TEMPLATE_SUFFIX), text))
    return out
