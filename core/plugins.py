"""Finding packs through the ``footwork`` entry-point group and loading each one in isolation.

pluggy calls every implementation of a hook in one go, so one raising plugin breaks the call for
all of them. Footwork instead registers each pack with its own plugin manager call and calls its
hooks one implementation at a time, so a pack that fails to import, raises in a hook, ships invalid
data, needs a newer schema or collides with another pack is reported by name and the rest load.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import os
import re
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
from ._schema import ID_PATTERN, parse_pack_data
from .settings import PACKS, pack_selection_from_env

ENTRY_POINT_GROUP = "footwork"
DATA_FILE = "pack.toml"


@dataclass(frozen=True)
class PackEntry:
    """One pack to load: its name, the module to import (or the module itself) and where it came from."""

    name: str
    module: str | ModuleType
    distribution: str | None = None
    version: str | None = None


def _normal(distribution: str | None) -> str:
    return re.sub(r"[-_.]+", "-", distribution or "").lower()


def installed_packs() -> list[PackEntry]:
    """Every pack installed in this environment, by entry point, sorted by name.

    One distribution listed twice (an editable install beside a stale egg-info) counts once; two
    different distributions claiming the same pack name are both listed, so that loading can refuse
    the second by name instead of one silently hiding the other.
    """
    entries: dict[tuple[str, str], PackEntry] = {}
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = point.dist
        entry = PackEntry(
            name=point.name,
            module=point.value,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
        )
        # The first is the one Python imports.
        entries.setdefault((point.name, _normal(entry.distribution)), entry)
    return sorted(entries.values(), key=lambda e: (e.name, _normal(e.distribution)))


def load_catalog(
    entries: Sequence[PackEntry] | None = None,
    *,
    only: Iterable[str] | None = None,
    extra_plugins: Iterable[object] = (),
) -> Catalog:
    """Load packs into a :class:`Catalog`.

    ``entries`` defaults to the installed packs; ``only`` (default: ``FOOTWORK_PACKS``) restricts
    them by name; a name in it that matches no entry is reported as a failed pack. ``extra_plugins``
    are plugin objects whose ``footwork_adjust_routine`` hooks apply to every pack (tests register
    small in-test plugins this way).
    """
    entries = installed_packs() if entries is None else list(entries)
    selection = "the pack selection"
    if only is None:
        only = pack_selection_from_env()
        selection = PACKS
    loaded: list[LoadedPack] = []
    left_out: set[str] = set()
    if only is not None:
        wanted = set(only)
        known = sorted({e.name for e in entries})
        left_out = set(known) - wanted
        for name in sorted(wanted - set(known)):
            hint = difflib.get_close_matches(name, known, n=1)
            guess = f"; did you mean '{hint[0]}'?" if hint else ""
            reason = f"named in {selection}, but not installed{guess}"
            loaded.append(LoadedPack.failed(name, None, None, reason))
        entries = [e for e in entries if e.name in wanted]

    manager = pluggy.PluginManager("footwork")
    manager.add_hookspecs(hookspecs)
    attempted: dict[str, LoadedPack] = {}
    for entry in entries:
        if entry.name in attempted:
            first = attempted[entry.name]
            reason = (
                f"the pack name '{entry.name}' is already taken by "
                f"{first.distribution or 'another pack'}; uninstall one of them"
            )
            loaded.append(LoadedPack.failed(entry.name, entry.distribution, entry.version, reason))
            continue
        try:
            pack = _load_one(entry, manager)
        except PackError as error:
            item = LoadedPack.failed(entry.name, entry.distribution, entry.version, error.reason)
        else:
            item = LoadedPack(entry.name, entry.distribution, entry.version or pack.version, pack=pack)
        attempted[entry.name] = item
        loaded.append(item)
    for plugin in extra_plugins:
        manager.register(plugin)
    return _link(loaded, attempted, manager, left_out, selection)


def _load_one(entry: PackEntry, manager: pluggy.PluginManager) -> Pack:
    """Import, register and read one pack; any failure is a :class:`PackError` naming it."""
    module = _import(entry)
    other = manager.get_name(module)
    if other is not None:
        raise PackError(entry.name, f"its module {module.__name__} is already loaded as pack '{other}'")
    try:
        manager.register(module, name=entry.name)
    except Exception as error:  # noqa: BLE001 - the pack's hooks are wrong, not the core
        if manager.is_registered(module):  # older pluggy can leave a half-registered plugin
            manager.unregister(module)
        raise PackError(entry.name, f"cannot register its hooks: {_brief(error)}") from error
    try:
        return _read_pack(entry, module, manager)
    except PackError:
        # A pack that failed takes no further part: its footwork_adjust_routine hook must not run.
        manager.unregister(module)
        raise
    except Exception as error:  # noqa: BLE001 - a last guard: nothing a pack does may stop the others
        manager.unregister(module)
        raise PackError(entry.name, f"cannot be loaded: {_brief(error)}") from error


def _import(entry: PackEntry) -> ModuleType:
    if isinstance(entry.module, ModuleType):
        return entry.module
    module_name = entry.module.split(":")[0].strip()
    try:
        return importlib.import_module(module_name)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - any import failure is the pack's, not ours
        raise PackError(entry.name, f"cannot import {module_name}: {_brief(error)}") from error


def _call(impl: Any, **kwargs: Any) -> Any:
    """Call one hook implementation with the arguments it asks for (pluggy allows a subset)."""
    return impl.function(**{name: kwargs[name] for name in impl.argnames})


def _data_file(entry: PackEntry, module: ModuleType, manager: pluggy.PluginManager) -> Traversable | Path:
    impl = _impl_of(manager, "footwork_pack_file", module)
    if impl is not None:
        try:
            located = _call(impl)
        except Exception as error:  # noqa: BLE001
            raise PackError(entry.name, f"hook footwork_pack_file raised {_brief(error)}") from error
        if isinstance(located, str | os.PathLike):
            return Path(located)
        if isinstance(located, Traversable):
            return located
        if located is not None:
            raise PackError(
                entry.name, f"hook footwork_pack_file returned {type(located).__name__}, not a path or None"
            )
    if getattr(module, "__path__", None) is not None:
        # A package: pack.toml inside it, wherever and however it is installed.
        if getattr(module, "__spec__", None) is not None:
            try:
                return files(module) / DATA_FILE
            except (TypeError, ValueError, ModuleNotFoundError):
                pass
        return Path(list(module.__path__)[0]) / DATA_FILE
    parent = module.__name__.rpartition(".")[0]
    if parent:
        return files(parent) / DATA_FILE
    # A top-level single module: "pack.toml beside it" would be one file shared by every such pack.
    raise PackError(
        entry.name,
        f"{module.__name__} is not a package, so it has no {DATA_FILE} of its own; "
        "make it a package or say where the data is with a footwork_pack_file hook",
    )


def _read_pack(entry: PackEntry, module: ModuleType, manager: pluggy.PluginManager) -> Pack:
    location = _data_file(entry, module, manager)
    try:
        raw = location.read_bytes()
    except FileNotFoundError:
        raise PackError(entry.name, f"no data file: {location.name} is missing from the package") from None
    except OSError as error:
        raise PackError(entry.name, f"cannot read {location.name}: {error.strerror or error}") from None
    pack = parse_pack_data(raw, pack=entry.name, file=location.name, version=entry.version)

    impl = _impl_of(manager, "footwork_routines", module)
    if impl is not None:
        try:
            extra = _call(impl, pack=pack) or []
            routines = list(extra)
        except Exception as error:  # noqa: BLE001
            raise PackError(entry.name, f"hook footwork_routines raised {_brief(error)}") from error
        taken = {r.id for r, _ in pack.unresolved}
        for routine in routines:
            _check_python_routine(entry.name, routine, taken)
            taken.add(routine.id)
        owned = tuple(dataclasses.replace(r, pack=entry.name) for r in routines)
        pack = dataclasses.replace(pack, routines=owned)
    return pack


def _check_python_routine(pack: str, routine: object, taken: set[str]) -> None:
    where = "hook footwork_routines"
    if not isinstance(routine, Routine):
        raise PackError(pack, f"{where} returned {type(routine).__name__}, not a Routine")
    if not isinstance(routine.id, str) or not ID_PATTERN.match(routine.id):
        raise PackError(pack, f"{where} returned a routine with a malformed id {routine.id!r}")
    if routine.id in taken:
        raise PackError(pack, f"{where} returned routine '{routine.id}', an id this pack already uses")
    if not routine.exercises or not all(isinstance(e, Exercise) for e in routine.exercises):
        raise PackError(pack, f"{where} returned routine '{routine.id}' with no Exercise objects")


def _impl_of(manager: pluggy.PluginManager, hook: str, plugin: object) -> pluggy.HookImpl | None:
    for impl in getattr(manager.hook, hook).get_hookimpls():
        if impl.plugin is plugin:
            return impl
    return None


def _link(
    loaded: list[LoadedPack],
    attempted: dict[str, LoadedPack],
    manager: pluggy.PluginManager,
    left_out: set[str],
    selection: str,
) -> Catalog:
    """Resolve cross-pack references, refuse collisions, then run the adjusting hooks.

    Repeated until nothing changes: a pack that fails (a missing exercise, a routine id another pack
    has) may take with it a pack that uses its exercises, which is then failed by name too.
    """
    while True:
        usable = [item for item in loaded if item.ok]
        exercises = {e.ref: e for item in usable for e in item.pack.exercises}  # type: ignore[union-attr]
        failed = False
        for item in usable:
            problem = _missing_exercise(item, exercises, attempted, left_out, selection)
            if problem:
                item.fail(problem)
                failed = True
        if failed:
            continue
        owners: dict[str, str] = {}
        for item in sorted(usable, key=lambda i: i.name):
            ids = _routine_ids(item.pack)  # type: ignore[arg-type]
            clash = next((ident for ident in ids if ident in owners), None)
            if clash:
                item.fail(f"routine id '{clash}' is already used by pack '{owners[clash]}'")
                failed = True
                continue
            owners.update(dict.fromkeys(ids, item.name))
        if not failed:
            break

    for item in loaded:
        if item.ok:
            pack = item.pack
            resolved = tuple(
                dataclasses.replace(routine, exercises=tuple(exercises[ref] for ref in refs))
                for routine, refs in pack.unresolved  # type: ignore[union-attr]
            )
            item.resolve(resolved + pack.routines)  # type: ignore[union-attr]

    impls = manager.hook.footwork_adjust_routine.get_hookimpls()
    if impls:
        for item in loaded:
            if item.ok:
                adjusted = (_adjust(routine, item, impls, attempted, manager) for routine in item.routines)
                item.resolve(tuple(adjusted))
    return Catalog(loaded)


def _routine_ids(pack: Pack) -> list[str]:
    return [r.id for r, _ in pack.unresolved] + [r.id for r in pack.routines]


def _missing_exercise(
    item: LoadedPack,
    exercises: dict[str, Exercise],
    attempted: dict[str, LoadedPack],
    left_out: set[str],
    selection: str,
) -> str | None:
    """Why a routine of ``item`` cannot be built, naming the pack it needs; None when all is there."""
    for routine, refs in item.pack.unresolved:  # type: ignore[union-attr]
        for ref in refs:
            if ref in exercises:
                continue
            owner, _, exercise = ref.partition(":")
            other = attempted.get(owner)
            if other is not None and not other.ok:
                why = f"pack '{owner}' failed to load"
            elif owner in left_out:
                why = f"pack '{owner}' is installed but left out by {selection}; add it there too"
            elif other is None:
                why = f"pack '{owner}' is not installed"
            else:
                ids = sorted(e.id for e in other.pack.exercises)  # type: ignore[union-attr]
                hint = difflib.get_close_matches(exercise, ids, n=1)
                guess = f"; did you mean '{owner}:{hint[0]}'?" if hint else ""
                why = f"pack '{owner}' has no exercise '{exercise}'{guess}"
            return f"routine '{routine.id}' needs exercise {ref}, but {why}"
    return None


def _adjust(
    routine: Routine, item: LoadedPack, impls: list[Any], attempted: dict[str, LoadedPack], manager: Any
) -> Routine:
    """Run every footwork_adjust_routine hook on ``routine``; one that raises is skipped and reported."""
    for impl in impls:
        owner = manager.get_name(impl.plugin)
        if owner in attempted and not attempted[owner].ok:
            continue
        try:
            result = _call(impl, routine=routine)
            if result is not None:
                if not isinstance(result, Routine):
                    raise TypeError(f"returned {type(result).__name__}, not a Routine or None")
                if not result.exercises or not all(isinstance(e, Exercise) for e in result.exercises):
                    raise TypeError("returned a routine with no Exercise objects")
        except Exception as error:  # noqa: BLE001
            message = f"hook footwork_adjust_routine raised {_brief(error)} on '{routine.id}'"
            if owner in attempted:
                attempted[owner].warn(message)
            else:
                # A plugin that is not a pack: report it against the routine it failed on.
                item.warn(message.replace("hook", f"hook of {_plugin_label(impl.plugin)}:", 1))
            continue
        if result is not None:
            routine = dataclasses.replace(result, id=routine.id, pack=routine.pack)
    return routine


def _plugin_label(plugin: object) -> str:
    return getattr(plugin, "__name__", None) or type(plugin).__name__


def _brief(error: BaseException) -> str:
    """An exception as one line, with the pack's own frame where it helps find the bug."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith("<frozen ")]
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}{where}"
