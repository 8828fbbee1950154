"""The hooks a content pack may implement.

A pack is data first: a ``pack.toml`` beside the module its entry point names is found without any
hook. The hooks below are for packs that keep their data elsewhere or build routines in Python.
"""

from __future__ import annotations

from importlib.resources.abc import Traversable
from pathlib import Path

import pluggy

from ._model import Pack, Routine

hookspec = pluggy.HookspecMarker("footwork")
hookimpl = pluggy.HookimplMarker("footwork")


@hookspec(firstresult=True)
def footwork_pack_file() -> Traversable | Path | str | None:
    """Say where this pack's data file is, when it is not ``pack.toml`` beside the module.

    Called on the pack's own implementation only. Return a path (or an ``importlib.resources``
    file), or ``None`` for the default. ``footwork packs check`` runs it and names the path it got.

    Example plugin (``footwork_stretches/__init__.py``)::

        from importlib.resources import files
        from footwork.core import hookimpl

        @hookimpl
        def footwork_pack_file():
            return files(__name__) / "content" / "stretches.toml"
    """


@hookspec
def footwork_routines(pack: Pack) -> list[Routine] | None:
    """Add routines written in Python to this pack, built from its exercises.

    Called once per pack, on that pack's own implementation only, after its data file is read, with
    the validated :class:`Pack`. Return routines whose exercises are :class:`Exercise` objects (this
    pack's, or ``pack.exercises`` filtered), or ``None``. Their ids must differ from the pack's own
    routines'; another pack may use the same id (both load, and ``pack:routine`` tells them apart).
    A hook that raises, or returns anything else, fails its own pack, by name; the others load.

    Example plugin: a short routine made of the first two exercises::

        from footwork.core import Routine, hookimpl

        @hookimpl
        def footwork_routines(pack):
            first_two = pack.exercises[:2]
            return [Routine(id="ankle-quick", title="Quick ankle warm-up", exercises=first_two)]
    """


@hookspec(firstresult=True)
def footwork_adjust_routine(routine: Routine) -> Routine | None:
    """Adjust any loaded routine, from any pack; return the new routine, or ``None`` to leave it.

    Called through pluggy for every routine once all packs are loaded, so a pack can, say, add a
    closing line to every routine. The first implementation to return a routine decides, in pluggy's
    order: ``tryfirst=True`` ones first, ``trylast=True`` ones last, the others newest-registered
    first. To change whatever the others decided, write a wrapper (``@hookimpl(wrapper=True)``): it
    receives their routine, or ``None`` if none changed it, and returns the one to keep. A routine
    keeps its id and pack whatever a hook returns. An implementation that raises, or returns
    something other than a :class:`Routine`, is reported against its own pack; the others' results stand.

    Example plugin::

        import dataclasses
        from footwork.core import hookimpl

        @hookimpl
        def footwork_adjust_routine(routine):
            if routine.outro is None:
                return dataclasses.replace(routine, outro="Well done. Have a glass of water.")
            return None

    Example wrapper, adding to what other packs did::

        @hookimpl(wrapper=True)
        def footwork_adjust_routine(routine):
            adjusted = (yield) or routine
            return dataclasses.replace(adjusted, synonyms=(*adjusted.synonyms, "my stretches"))
    """
