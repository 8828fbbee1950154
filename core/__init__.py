"""footwork.core: the content model, pack discovery and narration. No web framework here.

``__all__`` is the pack author's API: :data:`hookimpl`, the model classes for routines built in
Python, and :func:`load_catalog` (with :func:`with_dependencies`) for a pack's own tests. Everything
else is for the skill and the command line and may change.
"""

from ._catalog import Catalog, FailedPack, LoadedPack, PackStatus, routine_ref
from ._errors import PackDataError, PackError, Problem
from ._model import (
    EQUIPMENT,
    FIRST_TIME_MAX_TIMES,
    Alphabet,
    Amount,
    AmountKind,
    Count,
    Dose,
    Exercise,
    Hold,
    Level,
    Move,
    Pack,
    Repeat,
    Rest,
    Routine,
    Say,
    Source,
    Step,
    SwitchSide,
    other_side,
)
from ._schema import SCHEMA_VERSION, parse_pack_data, read_pack_file
from .hookspecs import hookimpl, hookspec
from .levels import has_levels, level_for, levels
from .narration import Mode, Narration, Page, estimate_seconds, narrate, planned_seconds, to_ssml, to_text
from .plugins import PackEntry, installed_packs, load_catalog, with_dependencies
from .settings import Settings, SettingsError, strict_from_env
from .timeline import Cue, Position, Timeline, compile_routine

#: The pack author's API: what a pack's hooks and tests use. The other names imported above are
#: internals the skill and the command line still import from here (pyproject.toml lets ruff know);
#: they are better imported from their own modules, and may change.
__all__ = [
    # writing hooks
    "hookimpl",
    # the content model, for routines built in Python
    "SCHEMA_VERSION", "Alphabet", "Amount", "Count", "Dose", "Exercise", "Hold", "Level", "Move", "Pack",
    "Repeat", "Rest", "Routine", "Say", "Source", "Step", "SwitchSide",
    # loading and checking, for a pack's own tests
    "Catalog", "FailedPack", "LoadedPack", "PackDataError", "PackError", "PackStatus", "Problem",
    "load_catalog", "parse_pack_data", "read_pack_file", "routine_ref", "with_dependencies",
    # what a routine will sound like, for a pack's own tests
    "levels", "narrate", "planned_seconds",
]
