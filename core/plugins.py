"""Finding packs through the ``footwork`` entry-point group and loading each one in isolation.

pluggy does the calling: each pack's hooks go through one plugin manager, so ``tryfirst``,
``trylast``, wrappers and ``firstresult`` work as pluggy documents. Each pack is registered behind a
guard (:mod:`._guard`), so a pack that fails to import, raises in a hook, returns nonsense, ships
invalid data or needs a newer schema is reported by name, and the others load with their results
kept. Two packs using the same routine id or spoken name both load, each with a warning.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import importlib.machinery
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

import pluggy

from . import hookspecs
from ._catalog import Catalog, FailedPack, LoadedPack, PackStatus, routine_ref, spoken_key, spoken_names
from ._errors import PackDataError, PackError
from ._guard import PROJECT, Check, Fault, Faults, PluginManager, StandIn, hook_problems, marked, stand_in
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
        distribution, version = _name_and_version(point.dist)
        entry = PackEntry(name=point.name, module=point.value, distribution=distribution, version=version)
        # The first is the one Python imports.
        entries.setdefault((point.name, _normal(entry.distribution)), entry)
    return sorted(entries.values(), key=lambda e: (e.name, _normal(e.distribution)))


def _name_and_version(dist: metadata.Distribution | None) -> tuple[str | None, str | None]:
    """A distribution's ``Name`` and ``Version``, as ``dist.name`` and ``dist.version`` give them.

    Those parse the whole metadata file (the long description too) with the email parser: a third of
    a millisecond per pack at start-up. The two fields are single header lines before the first blank
    line, so they are read from there; anything unexpected falls back to the distribution's own answer.
    """
    if dist is None:
        return None, None
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    headers: dict[str, str] = {}
    last = ""
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line[:1] in (" ", "\t"):
            if last in ("name", "version"):
                return dist.name, dist.version  # folded over lines: leave it to the email parser
            continue
        key, colon, value = line.partition(":")
        if not colon:
            break  # the blank line before the description, or something the email parser reads better
        last = key.lower()
        # The first of each header counts, as email.message.Message.__getitem__ returns it.
        if last in ("name", "version"):
            headers.setdefault(last, value.lstrip(" \t"))
    name, version = headers.get("name"), headers.get("version")
    if not name or not version:
        return dist.name, dist.version
    return name, version


def requirement_name(requirement: str) -> str:
    """The normalised distribution a requirement names: "Footwork_Foot>=1" -> "footwork-foot"."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return _normal(match.group(1)) if match else ""


def with_dependencies(names: Iterable[str], entries: Sequence[PackEntry] | None = None) -> set[str]:
    """``names`` and every installed pack their distributions require, however deep.

    A pack's own tests load it this way, so a routine that borrows another pack's exercise finds it:
    ``load_catalog(only=with_dependencies(["my-pack"]))``. Optional requirements (extras) do not count.
    """
    entries = installed_packs() if entries is None else list(entries)
    by_distribution: dict[str, list[str]] = {}
    for entry in entries:
        by_distribution.setdefault(_normal(entry.distribution), []).append(entry.name)
    distribution_of = {e.name: e.distribution for e in entries if e.distribution}
    wanted = set(names)
    waiting = sorted(wanted)
    while waiting:
        distribution = distribution_of.get(waiting.pop())
        if distribution is None:
            continue
        try:
            requires = metadata.requires(distribution) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra" in requirement.partition(";")[2]:
                continue
            for name in by_distribution.get(requirement_name(requirement), []):
                if name not in wanted:
                    wanted.add(name)
                    waiting.append(name)
    return wanted


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
    items: list[PackStatus] = []
    left_out: set[str] = set()
    if only is not None:
        wanted = set(only)
        known = sorted({e.name for e in entries})
        left_out = set(known) - wanted
        for name in sorted(wanted - set(known)):
            hint = difflib.get_close_matches(name, known, n=1)
            guess = f"; did you mean '{hint[0]}'?" if hint else ""
            items.append(FailedPack(name, None, None, f"named in {selection}, but not installed{guess}",
                                    stage="selection"))
        entries = [e for e in entries if e.name in wanted]

    loader = _Loader()
    taken: dict[str, PackEntry] = {}
    for entry in entries:
        if entry.name in taken:
            first = taken[entry.name]
            reason = (
                f"the pack name '{entry.name}' is already taken by "
                f"{first.distribution or 'another pack'}; uninstall one of them"
            )
            items.append(FailedPack(entry.name, entry.distribution, entry.version, reason, stage="name"))
            continue
        taken[entry.name] = entry
        items.append(loader.load(entry))
    items = _link(items, left_out, selection)
    _warn_about_clashes([item for item in items if isinstance(item, LoadedPack)])
    for plugin in extra_plugins:
        loader.add_extra(plugin)
    loader.adjust(items)
    return Catalog(items)


class Unusable(TypeError):
    """A hook returned something it may not: "returned int, not a path or None"."""


def _check_pack_file(located: object) -> None:
    if not isinstance(located, str | os.PathLike | Traversable):
        raise Unusable(f"returned {type(located).__name__}, not a path or None")


def _check_routines(routines: object) -> None:
    if not isinstance(routines, list | tuple):
        raise Unusable(f"returned {type(routines).__name__}, not a list of Routines")
    for routine in routines:
        if not isinstance(routine, Routine):
            raise Unusable(f"returned {type(routine).__name__}, not a Routine")
        if not isinstance(routine.id, str) or not ID_PATTERN.match(routine.id):
            raise Unusable(f"returned a routine with a malformed id {routine.id!r}")
        if not routine.exercises or not all(isinstance(e, Exercise) for e in routine.exercises):
            raise Unusable(f"returned routine '{routine.id}' with no Exercise objects")


def _check_adjusted(routine: object) -> None:
    if not isinstance(routine, Routine):
        raise Unusable(f"returned {type(routine).__name__}, not a Routine or None")
    if not routine.exercises or not all(isinstance(e, Exercise) for e in routine.exercises):
        raise Unusable("returned a routine with no Exercise objects")


#: What each hook may return (besides None), checked as each implementation returns.
CHECKS: dict[str, Check] = {
    "footwork_pack_file": _check_pack_file,
    "footwork_routines": _check_routines,
    "footwork_adjust_routine": _check_adjusted,
}


def _fault_text(fault: Fault) -> str:
    if isinstance(fault.error, Unusable):
        return f"hook {fault.hook} {fault.error}"
    return f"hook {fault.hook} raised {_brief(fault.error)}"


def _plugin_manager() -> pluggy.PluginManager:
    manager = PluginManager(PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


class _Loader:
    """One load. A pack's own hooks (its data file, its routines) are called by pluggy on a plugin
    manager that holds that pack alone while it is read; a pack that loads then joins the shared
    manager, on which footwork_adjust_routine is called for every routine."""

    def __init__(self) -> None:
        self.manager = _plugin_manager()
        self.reader = _plugin_manager()
        self.faults = Faults()
        self.packs: dict[str, StandIn] = {}
        self.modules: dict[int, str] = {}
        #: Registered name -> how a plugin that is not a pack is named in messages.
        self.extras: dict[str, str] = {}
        #: How far the pack being loaded got, for :attr:`FailedPack.stage`.
        self.stage = "import"

    def load(self, entry: PackEntry) -> PackStatus:
        self.stage = "import"
        try:
            return self._load(entry)
        except PackError as error:
            stage = "data" if isinstance(error, PackDataError) else self.stage
            return FailedPack(entry.name, entry.distribution, entry.version, error.reason, stage=stage)

    def _load(self, entry: PackEntry) -> LoadedPack:
        """Import, register and read one pack; any failure is a :class:`PackError` naming it."""
        module = _import(entry)
        other = self.modules.get(id(module))
        if other is not None:
            raise PackError(entry.name, f"its module {module.__name__} is already loaded as pack '{other}'")
        self.stage = "hooks"
        marks = marked(module)
        warnings = hook_problems(module, marks)
        plugin = stand_in(module, entry.name, self.faults, CHECKS, marks)
        try:
            self.reader.register(plugin, name=entry.name)
        except Exception as error:  # noqa: BLE001 - the pack's hooks are wrong, not the core
            raise PackError(entry.name, f"cannot register its hooks: {_brief(error)}") from error
        self.modules[id(module)] = entry.name
        try:
            pack = self._read_pack(entry, module, self.reader)
        except PackError:
            raise
        except Exception as error:  # noqa: BLE001 - a last guard: nothing a pack does may stop the others
            raise PackError(entry.name, f"cannot be loaded: {_brief(error)}") from error
        finally:
            self.reader.unregister(plugin)
        # Only a pack that loaded takes part in adjusting the routines.
        self.manager.register(plugin, name=entry.name)
        self.packs[entry.name] = plugin
        return LoadedPack(entry.name, entry.distribution, entry.version or pack.version, pack=pack,
                          warnings=warnings)

    def _drop(self, name: str) -> None:
        plugin = self.packs.pop(name, None)
        if plugin is not None and self.manager.is_registered(plugin):
            self.manager.unregister(plugin)

    def _call_own(self, own: pluggy.PluginManager, hook: str, name: str, **kwargs: object) -> object:
        """Call ``hook`` through pluggy on pack ``name``'s own manager; a fault fails the pack, by name."""
        result = getattr(own.hook, hook)(**kwargs)
        faults = self.faults.take()
        if faults:
            raise PackError(name, _fault_text(faults[0]))
        return result

    def _data_file(
        self, entry: PackEntry, module: ModuleType, own: pluggy.PluginManager
    ) -> Traversable | Path:
        located = self._call_own(own, "footwork_pack_file", entry.name)
        # None first: isinstance against Traversable, a Protocol, costs a pack a tenth of a millisecond.
        if located is not None:
            if isinstance(located, str | os.PathLike):
                return Path(located)
            if isinstance(located, Traversable):
                return located
        if getattr(module, "__path__", None) is not None:
            return _inside_package(module)
        parent = module.__name__.rpartition(".")[0]
        if parent:
            return files(parent) / DATA_FILE
        # A top-level single module: "pack.toml beside it" would be one file shared by every such pack.
        raise PackError(
            entry.name,
            f"{module.__name__} is not a package, so it has no {DATA_FILE} of its own; "
            "make it a package or say where the data is with a footwork_pack_file hook",
        )

    def _read_pack(self, entry: PackEntry, module: ModuleType, own: pluggy.PluginManager) -> Pack:
        location = self._data_file(entry, module, own)
        self.stage = "data"
        try:
            raw = location.read_bytes()
        except FileNotFoundError:
            missing = f"no data file: {location.name} is missing (looked for {_shown(location, module)})"
            raise PackError(entry.name, missing) from None
        except OSError as error:
            raise PackError(
                entry.name, f"cannot read {_shown(location, module)}: {error.strerror or error}"
            ) from None
        pack = parse_pack_data(raw, pack=entry.name, file=location.name, version=entry.version)

        self.stage = "hooks"
        results = self._call_own(own, "footwork_routines", entry.name, pack=pack)
        routines = [routine for result in results or [] for routine in result]  # type: ignore[attr-defined]
        taken = {r.id for r, _ in pack.unresolved}
        for routine in routines:
            if routine.id in taken:
                raise PackError(entry.name, f"hook footwork_routines returned routine '{routine.id}', "
                                            "an id this pack already uses")
            taken.add(routine.id)
        owned = tuple(dataclasses.replace(r, pack=entry.name) for r in routines)
        return dataclasses.replace(pack, routines=owned)

    def add_extra(self, plugin: object) -> None:
        label = getattr(plugin, "__name__", None) or type(plugin).__name__
        name = f"extra plugin {len(self.extras) + 1}: {label}"
        self.manager.register(stand_in(plugin, name, self.faults, CHECKS), name=name)
        self.extras[name] = label

    def adjust(self, items: list[PackStatus]) -> None:
        """Run footwork_adjust_routine on every loaded routine; a failing implementation only warns."""
        for item in items:
            if not isinstance(item, LoadedPack):
                self._drop(item.name)
        hook = self.manager.hook.footwork_adjust_routine
        if not hook.get_hookimpls():
            return
        by_name = {item.name: item for item in items if isinstance(item, LoadedPack)}
        for item in by_name.values():
            adjusted = []
            for routine in item.routines:
                result = hook(routine=routine)
                for fault in self.faults.take():
                    message = f"{_fault_text(fault)} on '{routine_ref(routine)}'"
                    if fault.plugin in by_name:
                        by_name[fault.plugin].warn(message)
                    else:
                        # A plugin that is not a pack: report it against the routine it failed on.
                        label = self.extras.get(fault.plugin, fault.plugin)
                        item.warn(message.replace("hook", f"hook of {label}:", 1))
                if isinstance(result, Routine) and result.exercises:
                    routine = dataclasses.replace(result, id=routine.id, pack=routine.pack)
                adjusted.append(routine)
            item.routines = tuple(adjusted)


#: Loaders of a package that is a folder of files, whose resources ``files()`` finds in that folder.
_FILE_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)


def _inside_package(module: ModuleType) -> Traversable | Path:
    """A package's data file: pack.toml inside it, wherever and however it is installed."""
    spec = getattr(module, "__spec__", None)
    if spec is not None:
        if type(spec.loader) in _FILE_LOADERS and spec.submodule_search_locations is not None:
            # What files() answers for a package in a folder (the folder of its __init__), without
            # importlib.resources' adapters around it: a twentieth of a millisecond a pack.
            return Path(spec.loader.path).parent / DATA_FILE
        try:
            return files(module) / DATA_FILE
        except (TypeError, ValueError, ModuleNotFoundError):
            pass
    return Path(list(module.__path__)[0]) / DATA_FILE


def _shown(location: Traversable | Path, module: ModuleType) -> str:
    """Where a data file was looked for: its path, or its name in the package for one in a zip."""
    if isinstance(location, Path):
        return str(location)
    return f"{location.name} in the package {module.__name__}"


def _import(entry: PackEntry) -> ModuleType:
    if isinstance(entry.module, ModuleType):
        return entry.module
    module_name = entry.module.split(":")[0].strip()
    try:
        return importlib.import_module(module_name)
    except (Exception, SystemExit) as error:  # noqa: BLE001 - any import failure is the pack's, not ours
        raise PackError(entry.name, f"cannot import {module_name}: {_brief(error)}") from error


def _link(items: list[PackStatus], left_out: set[str], selection: str) -> list[PackStatus]:
    """Resolve cross-pack exercise references, then put each pack's routines together.

    Repeated until nothing changes: a pack that fails (a missing exercise) may take with it a pack
    that uses its exercises, which is then failed by name too.
    """
    items = list(items)
    while True:
        by_name: dict[str, PackStatus] = {}
        for item in items:
            by_name.setdefault(item.name, item)
        exercises = {e.ref: e for item in items for e in item.exercises}
        changed = False
        for index, item in enumerate(items):
            if isinstance(item, LoadedPack):
                problem = _missing_exercise(item.pack, exercises, by_name, left_out, selection)
                if problem:
                    items[index] = item.failed(problem)
                    changed = True
        if not changed:
            break
    for item in items:
        if isinstance(item, LoadedPack):
            resolved = tuple(
                dataclasses.replace(routine, exercises=tuple(exercises[ref] for ref in refs))
                for routine, refs in item.pack.unresolved
            )
            item.routines = resolved + item.pack.routines
    return items


def _missing_exercise(
    pack: Pack,
    exercises: dict[str, Exercise],
    by_name: dict[str, PackStatus],
    left_out: set[str],
    selection: str,
) -> str | None:
    """Why a routine of ``pack`` cannot be built, naming the pack it needs; None when all is there."""
    for routine, refs in pack.unresolved:
        for ref in refs:
            if ref in exercises:
                continue
            owner, _, exercise = ref.partition(":")
            other = by_name.get(owner)
            if isinstance(other, FailedPack):
                why = f"pack '{owner}' failed to load"
            elif owner in left_out:
                why = f"pack '{owner}' is installed but left out by {selection}; add it there too"
            elif other is None:
                why = f"pack '{owner}' is not installed"
            else:
                ids = sorted(e.id for e in other.pack.exercises)
                hint = difflib.get_close_matches(exercise, ids, n=1)
                guess = f"; did you mean '{owner}:{hint[0]}'?" if hint else ""
                why = f"pack '{owner}' has no exercise '{exercise}'{guess}"
            return f"routine '{routine.id}' needs exercise {ref}, but {why}"
    return None


def _warn_about_clashes(loaded: list[LoadedPack]) -> None:
    """Two routines with one id, or one spoken name: both load, and both packs are told."""
    by_id: dict[str, list[Routine]] = {}
    by_name: dict[str, list[tuple[Routine, str]]] = {}
    for item in loaded:
        for routine in item.routines:
            by_id.setdefault(routine.id, []).append(routine)
            for name in spoken_names(routine):
                by_name.setdefault(spoken_key(name), []).append((routine, name))
    packs = {item.name: item for item in loaded}
    for ident, routines in by_id.items():
        owners = sorted({r.pack for r in routines})
        for routine in routines:
            others = [o for o in owners if o != routine.pack]
            if others:
                packs[routine.pack].warn(
                    f"routine id '{ident}' is also used by pack {_names(others)}; both load, "
                    f"'{routine_ref(routine)}' names this one, and '{ident}' alone is asked about"
                )
    for named in by_name.values():
        first: dict[str, tuple[Routine, str]] = {}
        for routine, name in named:
            first.setdefault(routine_ref(routine), (routine, name))
        for routine, name in first.values():
            # The same id in another pack is warned about above.
            others = sorted(ref for ref, (other, _) in first.items() if other.id != routine.id)
            if others:
                packs[routine.pack].warn(
                    f"routine '{routine_ref(routine)}' answers to '{name}', as does {_names(others)}; "
                    "a person who says it is asked which one they mean"
                )


def _names(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _brief(error: BaseException) -> str:
    """An exception as one line, with the pack's own frame where it helps find the bug."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith("<frozen ")]
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    if isinstance(error, SyntaxError):
        where = ""  # its message names the pack's file and line; the last frame is the importer's
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}{where}"
