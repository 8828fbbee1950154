"""Each pack's hook implementations, handed to pluggy behind a guard.

pluggy does the calling, so ``tryfirst``, ``trylast``, ``firstresult`` and wrappers (``wrapper=True``
and the older ``hookwrapper=True``) behave as pluggy documents them. But in one pluggy call, an
implementation that raises stops the call for every plugin. So each plugin is registered as a
stand-in whose implementations are the plugin's own, wrapped: an exception, or a result the hook
cannot use, is recorded against the plugin's name and becomes "no result" (``None``), and a wrapper
that fails passes the result it was given through unchanged. The others' results are kept.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import types
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import pluggy

from . import hookspecs

#: The hooks a pack may implement, by name.
HOOK_NAMES: tuple[str, ...] = tuple(
    name for name, value in vars(hookspecs).items()
    if callable(value) and hasattr(value, "footwork_spec")
)
PROJECT = "footwork"
#: Reads hookimpl markers the way registering does (it holds no plugins).
_MARKERS = pluggy.PluginManager(PROJECT)

#: Checks a hook's result; raises TypeError (naming what is wrong) for a result the hook cannot use.
Check = Callable[[object], None]


@dataclass(frozen=True)
class Fault:
    """One implementation that raised, or returned something unusable, during a call."""

    plugin: str
    hook: str
    error: BaseException


@dataclass
class Faults:
    """What went wrong in guarded implementations, in the order it happened; drained by the caller."""

    items: list[Fault] = field(default_factory=list)

    def add(self, plugin: str, hook: str, error: BaseException) -> None:
        self.items.append(Fault(plugin, hook, error))

    def take(self) -> list[Fault]:
        items, self.items = self.items, []
        return items


class StandIn(types.ModuleType):
    """A plugin's guarded hook implementations, as attributes; equal only to itself, as plugins are.

    A module, because pluggy looks through every name ``dir()`` gives, and a module's are only its own.
    """

    def __init__(self, name: str, implementations: dict[str, Callable[..., object]]) -> None:
        super().__init__(f"footwork hooks of {name}")
        self.__footwork_hooks__ = frozenset(implementations)
        for attribute, function in implementations.items():
            setattr(self, attribute, function)


class PluginManager(pluggy.PluginManager):
    """pluggy's plugin manager, which looks for implementations on a :class:`StandIn` only where they are.

    Registering looks up every name ``dir()`` gives; on a stand-in the implementations are known (its
    other names are a module's own), so the others are skipped rather than looked up one by one,
    through the hook pluggy documents for it.
    """

    def parse_hookimpl_opts(self, plugin: object, name: str) -> Any:
        if isinstance(plugin, StandIn) and name not in plugin.__footwork_hooks__:
            return None
        return super().parse_hookimpl_opts(plugin, name)


#: What pluggy may take a hook implementation from (``pluggy._manager._static_hook_attr``).
_HOOKABLE = (types.FunctionType, staticmethod, classmethod, types.MethodType)
_ABSENT = object()
#: Names a module's own type answers before the module's namespace does (data descriptors).
_MODULE_DESCRIPTORS = frozenset(name for name, value in vars(types.ModuleType).items()
                                if hasattr(value, "__set__")) | {"__class__"}


def marked(plugin: object) -> dict[str, Any]:
    """The plugin's attributes marked with ``@hookimpl``, with their options, found as pluggy finds them."""
    found = {}
    namespace = vars(plugin) if type(plugin) is types.ModuleType else None
    for attribute in dir(plugin):
        if namespace is not None and attribute not in _MODULE_DESCRIPTORS:
            # A plain module hands pluggy the values of its namespace as they are: one that pluggy
            # could not take as a function is skipped here without its slower look-up (most of a
            # pack module's names are imports and constants).
            value = namespace.get(attribute, _ABSENT)
            if value is not _ABSENT and not isinstance(value, _HOOKABLE):
                continue
        opts = _MARKERS.parse_hookimpl_opts(plugin, attribute)
        if opts is not None:
            found[attribute] = opts
    return found


def stand_in(plugin: object, name: str, faults: Faults, checks: dict[str, Check],
             marks: dict[str, Any] | None = None) -> StandIn:
    """An object with ``plugin``'s hook implementations, each guarded, for ``PluginManager.register``.

    The hookimpl options (``tryfirst``, ``wrapper``, ``specname``...) travel with each function, and
    pluggy reads the argument names through the guard from the plugin's own function.
    """
    implementations: dict[str, Callable[..., object]] = {}
    for attribute, opts in (marked(plugin) if marks is None else marks).items():
        function = getattr(plugin, attribute)
        hook = opts.get("specname") or attribute
        check = checks.get(hook)
        if (opts.get("wrapper") or opts.get("hookwrapper")) and not inspect.isgeneratorfunction(function):
            implementations[attribute] = function  # as it is: pluggy refuses it, naming the hook
        elif opts.get("wrapper"):
            implementations[attribute] = _guard_wrapper(function, name, hook, faults, check)
        elif opts.get("hookwrapper"):
            implementations[attribute] = _guard_old_wrapper(function, name, hook, faults)
        else:
            implementations[attribute] = _guard_call(function, name, hook, faults, check)
    return StandIn(name, implementations)


def _guard_call(function: Callable[..., object], plugin: str, hook: str, faults: Faults,
                check: Check | None) -> Callable[..., object]:
    @functools.wraps(function)
    def guarded(*args: object) -> object:
        try:
            result = function(*args)
            if check is not None and result is not None:
                check(result)
        except Exception as error:  # noqa: BLE001 - the plugin's failure, recorded against its name
            faults.add(plugin, hook, error)
            return None
        return result

    return guarded


def _guard_wrapper(function: Callable[..., Any], plugin: str, hook: str, faults: Faults,
                   check: Check | None) -> Callable[..., object]:
    """A ``wrapper=True`` implementation: what it returns becomes the result, unless it fails."""

    @functools.wraps(function)
    def guarded(*args: object) -> Generator[None, object, object]:
        try:
            inner = function(*args)
            next(inner)
        except Exception as error:  # noqa: BLE001 - including StopIteration: a wrapper must yield
            faults.add(plugin, hook, error)
            return (yield)
        result = yield
        try:
            inner.send(result)
        except StopIteration as stop:
            value = stop.value
            try:
                if check is not None and value is not None:
                    check(value)
            except TypeError as error:
                faults.add(plugin, hook, error)
                return result
            return value
        except Exception as error:  # noqa: BLE001
            faults.add(plugin, hook, error)
            return result
        inner.close()
        faults.add(plugin, hook, RuntimeError("the wrapper yielded more than once"))
        return result

    return guarded


def _guard_old_wrapper(function: Callable[..., Any], plugin: str, hook: str,
                       faults: Faults) -> Callable[..., object]:
    """A ``hookwrapper=True`` implementation: it sees the outcome and may force another result."""

    @functools.wraps(function)
    def guarded(*args: object) -> Generator[None, object, None]:
        try:
            inner = function(*args)
            next(inner)
        except Exception as error:  # noqa: BLE001
            faults.add(plugin, hook, error)
            yield
            return
        outcome = yield
        try:
            inner.send(outcome)
        except StopIteration:
            return
        except Exception as error:  # noqa: BLE001
            faults.add(plugin, hook, error)
            return
        inner.close()
        faults.add(plugin, hook, RuntimeError("the hookwrapper yielded more than once"))

    return guarded


def hook_problems(plugin: object, marks: dict[str, Any] | None = None) -> list[str]:
    """Hook implementations pluggy would never call: a misspelt hook name, or a hook left unmarked.

    pluggy keeps an implementation of an unknown hook without a word, so ``footwork_routine`` (for
    ``footwork_routines``) would be silently ignored; this names it, with the hook it resembles.
    """
    marks = marked(plugin) if marks is None else marks
    problems = []
    for attribute, opts in marks.items():
        hook = opts.get("specname") or attribute
        if hook not in HOOK_NAMES:
            hint = difflib.get_close_matches(hook, HOOK_NAMES, n=1, cutoff=0.6)
            guess = f"; did you mean {hint[0]}?" if hint else ""
            problems.append(f"hook {hook} is not a footwork hook, so it is never called{guess} "
                            f"(the hooks are {', '.join(HOOK_NAMES)})")
    namespace = vars(plugin) if type(plugin) is types.ModuleType else None
    for attribute in HOOK_NAMES:
        if attribute in marks:
            continue
        # A plain module's own names are its namespace (getattr_static's slower answer is the same).
        value = (namespace.get(attribute) if namespace is not None
                 else inspect.getattr_static(plugin, attribute, None))
        if inspect.isroutine(value):
            problems.append(f"hook {attribute} is not marked with @hookimpl, so it is never called; "
                            "add @hookimpl (from footwork.core import hookimpl) above it")
    return problems
