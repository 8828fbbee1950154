"""footwork.core: the content model, pack discovery and narration. No web framework here.

Pack authors need :data:`hookimpl` and, for Python-built routines, the model classes. The rest is
for the skill and the command line: :func:`load_catalog` finds the installed packs, :func:`narrate`
turns a routine into pages of speech.
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
from .narration import Mode, Narration, Page, narrate, to_ssml, to_text
from .plugins import PackEntry, installed_packs, load_catalog, with_dependencies
from .settings import Settings, SettingsError, strict_from_env
from .timeline import Cue, Position, Timeline, compile_routine, estimate_seconds

__all__ = [
    "EQUIPMENT", "FIRST_TIME_MAX_TIMES", "SCHEMA_VERSION", "Alphabet", "Amount", "AmountKind", "Catalog",
    "Count", "Cue", "Dose", "Exercise", "FailedPack", "Hold", "Level", "LoadedPack", "Mode", "Move", "Narration", "Pack",
    "PackDataError", "PackEntry", "PackError", "PackStatus", "Page", "Position", "Problem", "Repeat", "Rest", "Routine",
    "Say", "Source", "Step", "SwitchSide", "Timeline", "compile_routine", "estimate_seconds", "hookimpl",
    "hookspec", "installed_packs", "load_catalog", "narrate", "other_side", "parse_pack_data",
    "read_pack_file", "routine_ref", "Settings", "SettingsError", "strict_from_env", "to_ssml", "to_text", "with_dependencies",
]
