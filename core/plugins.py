"""Finding packs through the ``footwork`` entry-point group and loading each one in isolation.

pluggy calls every implementation of a hook in one go, so one raising plugin breaks the call for
all of them. Footwork instead registers each pack with its own plugin manager call and calls its
hooks one implementation at a time, so a pack that fails to import, raises in a hook, ships invalid
data, needs a newer schema or collides with another pack is reported by name and the rest load.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from ._catalog import Catalog, LoadedPack
from ._errors import PackError
from ._model import Exercise, Pack, Routine
from ._schema import parse_pack_data

ENTRY_POINT_GROUP = "footwork"
DATA_FILE = "pack.toml"


@dataclass(frozen=True)
class PackEntry:
    """One pack to load: its name, the module to import (or the module itself) and where it came from."""

    name: str
    module: str | ModuleType
    distribution: str | None = None
    version: str | None = None


def installed_packs() -> list[PackEntry]:
    """Every pack installed in this environment, by entry point, sorted by name."""
    entries: dict[str, PackEntry] = {}
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = point.dist
        entry = PackEntry(
            name=point.name,
            module=point.value,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
        )
        # An environment can list one distribution twice (an editable install beside a stale
        # egg-info); the first is the one Python imports.
        entries.setdefault(point.name, entry)
    return [entries[name] for name in sorted(entries)]


def selected_names(value: str | None) -> set[str] | None:
    """``FOOTWORK_PACKS`` read: None (unset) loads all; empty loads none; else the names listed."""
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def strict_from_env(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("FOOTWORK_STRICT", "").strip().lower() in ("1", "true", "yes", "on")


def load_catalog(
    entries: Sequence[PackEntry] | None = None,
    *,
    only: Iterable[str] | None = None,
    extra_plugins: Iterable[object] = (),
) -> Catalog:
    """Load packs into a :class:`Catalog`.

    ``entries`` defaults to the installed packs; ``only`` (default: ``FOOTWORK_PACKS``) restricts
    them by name. ``extra_plugins`` are plugin objects whose ``footwork_adjust_routine`` hooks apply
    to every pack (tests register small in-test plugins this way).
    """
    if entries is None:
        entries = installed_packs()
    if only is None:
        only = selected_names(os.environ.get("FOOTWORK_PACKS"))
    if only is not None:
        wanted = set(only)
        entries = [e for e in entries if e.name in wanted]

    manager = pluggy.PluginManager("footwork")
    manager.add_hookspecs(hookspecs)
    loaded: list[LoadedPack] = []
    modules: dict[str, ModuleType] = {}
    for entry in entries:
        try:
            module = _import(entry)
            manager.register(module, name=entry.name)
            modules[entry.name] = module
            pack = _read_pack(entry, module, manager)
        except PackError as error:
            loaded.append(LoadedPack.failed(entry.name, entry.distribution, entry.version, error.reason))
            continue
        loaded.append(LoadedPack(entry.name, entry.distribution, entry.version or pack.version, pack=pack))
    for plugin in extra_plugins:
        manager.register(plugin)
    return _link(loaded, manager)


def _import(entry: PackEntry) -> ModuleType:
    if isinstance(entry.module, ModuleType):
        return entry.module
    module_name = entry.module.split(":")[0]
    try:
        module = __import__(module_name, fromlist=["_"])
    except Exception as error:  # noqa: BLE001 - any import failure is the pack's, not ours
        raise PackError(entry.name, f"cannot import {module_name}: {_brief(error)}") from error
    return module


def _data_file(entry: PackEntry, module: ModuleType, manager: pluggy.PluginManager) -> Traversable | Path:
    impl = _impl_of(manager, "footwork_pack_file", module)
    if impl is not None:
        try:
            located = impl.function()
        except Exception as error:  # noqa: BLE001
            raise PackError(entry.name, f"hook footwork_pack_file raised {_brief(error)}") from error
        if located is not None:
            return Path(located) if isinstance(located, str) else located
    if getattr(module, "__path__", None) is None and getattr(module, "__file__", None) is None:
        raise PackError(entry.name, f"{module.__name__} has no {DATA_FILE} and no footwork_pack_file hook")
    package = module.__name__ if hasattr(module, "__path__") else module.__name__.rpartition(".")[0]
    if not package:
        return Path(module.__file__).parent / DATA_FILE  # type: ignore[arg-type]
    return files(package) / DATA_FILE


def _read_pack(entry: PackEntry, module: ModuleType, manager: pluggy.PluginManager) -> Pack:
    location = _data_file(entry, module, manager)
    try:
        raw = location.read_bytes()
    except FileNotFoundError:
        raise PackError(entry.name, f"no data file: {location.name} is missing from the package") from None
    except OSError as error:
        raise PackError(entry.name, f"cannot read {location.name}: {error.strerror}") from None
    pack = parse_pack_data(raw, pack=entry.name, file=location.name, version=entry.version)

    impl = _impl_of(manager, "footwork_routines", module)
    if impl is not None:
        try:
            extra = impl.function(pack=pack) or []
            routines = list(extra)
            if not all(isinstance(r, Routine) for r in routines):
                raise TypeError("footwork_routines must return a list of Routine")
            for routine in routines:
                _check_python_routine(entry.name, routine)
        except PackError:
            raise
        except Exception as error:  # noqa: BLE001
            raise PackError(entry.name, f"hook footwork_routines raised {_brief(error)}") from error
        pack = dataclasses.replace(pack, routines=tuple(dataclasses.replace(r, pack=entry.name) for r in routines))
    return pack


def _check_python_routine(pack: str, routine: Routine) -> None:
    if not routine.exercises or not all(isinstance(e, Exercise) for e in routine.exercises):
        raise PackError(pack, f"routine '{routine.id}' from footwork_routines has no Exercise objects")


def _impl_of(manager: pluggy.PluginManager, hook: str, plugin: object) -> pluggy.HookImpl | None:
    for impl in getattr(manager.hook, hook).get_hookimpls():
        if impl.plugin is plugin:
            return impl
    return None


def _link(loaded: list[LoadedPack], manager: pluggy.PluginManager) -> Catalog:
    """Resolve cross-pack references, refuse collisions, then run the adjusting hooks."""
    by_name: dict[str, LoadedPack] = {}
    for item in loaded:
        if item.name in by_name and item.ok:
            item.fail(f"pack name collides with {by_name[item.name].distribution or 'another pack'}")
        by_name.setdefault(item.name, item)

    exercises: dict[str, Exercise] = {}
    for item in loaded:
        if item.ok:
            for exercise in item.pack.exercises:  # type: ignore[union-attr]
                exercises[exercise.ref] = exercise

    # Resolve each pack's routines; a pack that depends on a failed pack fails too, by name.
    changed = True
    while changed:
        changed = False
        for item in loaded:
            if not item.ok or item.resolved:
                continue
            routines: list[Routine] = list(item.pack.routines)  # type: ignore[union-attr]
            problem = None
            for routine, refs in item.pack.unresolved:  # type: ignore[union-attr]
                missing = [ref for ref in refs if ref not in exercises]
                if missing:
                    ref = missing[0]
                    owner = ref.split(":")[0]
                    why = (
                        f"pack '{owner}' failed to load" if owner in by_name and not by_name[owner].ok
                        else f"pack '{owner}' is not installed" if owner not in by_name
                        else f"pack '{owner}' has no exercise '{ref.split(':')[1]}'"
                    )
                    problem = f"routine '{routine.id}' needs exercise {ref}, but {why}"
                    break
                routines.append(dataclasses.replace(routine, exercises=tuple(exercises[r] for r in refs)))
            if problem:
                item.fail(problem)
                for exercise in item.pack.exercises:  # type: ignore[union-attr]
                    exercises.pop(exercise.ref, None)
                changed = True
                continue
            item.resolve(tuple(routines))

    owners: dict[str, str] = {}
    for item in sorted((i for i in loaded if i.ok), key=lambda i: i.name):
        clash = next((r.id for r in item.routines if r.id in owners), None)
        if clash:
            item.fail(f"routine id '{clash}' is already used by pack '{owners[clash]}'")
            continue
        for routine in item.routines:
            owners[routine.id] = item.name

    impls = manager.hook.footwork_adjust_routine.get_hookimpls()
    if impls:
        for item in loaded:
            if item.ok:
                item.resolve(tuple(_adjust(routine, impls, by_name, manager) for routine in item.routines))
    return Catalog(loaded)


def _adjust(routine: Routine, impls: list[Any], by_name: dict[str, LoadedPack], manager: Any) -> Routine:
    for impl in impls:
        owner = manager.get_name(impl.plugin)
        if owner in by_name and not by_name[owner].ok:
            continue
        try:
            result = impl.function(routine=routine)
            if result is not None and not isinstance(result, Routine):
                raise TypeError(f"returned {type(result).__name__}, not a Routine or None")
        except Exception as error:  # noqa: BLE001
            if owner in by_name:
                by_name[owner].warn(f"hook footwork_adjust_routine raised {_brief(error)} on '{routine.id}'")
            continue
        if result is not None:
            routine = dataclasses.replace(result, id=routine.id, pack=routine.pack)
    return routine


def _brief(error: BaseException) -> str:
    """An exception as one line, with the pack's own frame where it helps find the bug."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}{where}"

