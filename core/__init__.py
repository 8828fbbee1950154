"""footwork.core: the content model, pack discovery and narration. No web framework here."""

from ._catalog import Catalog, LoadedPack
from ._errors import PackDataError, PackError, Problem
from ._model import (
    EQUIPMENT,
    Alphabet,
    Amount,
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
)
from ._schema import SCHEMA_VERSION, parse_pack_data, read_pack_file
from .hookspecs import hookimpl, hookspec
from .plugins import PackEntry, installed_packs, load_catalog

__all__ = [
    "EQUIPMENT", "SCHEMA_VERSION", "Alphabet", "Amount", "Catalog", "Count", "Dose", "Exercise", "Hold",
    "Level", "LoadedPack", "Move", "Pack", "PackDataError", "PackEntry", "PackError", "Problem", "Repeat",
    "Rest", "Routine", "Say", "Source", "Step", "SwitchSide", "hookimpl", "hookspec", "installed_packs",
    "load_catalog", "parse_pack_data", "read_pack_file",
]
from ._model import FIRST_TIME_MAX_TIMES, AmountKind, other_side
from .narration import Mode, Narration, Page, narrate, to_ssml, to_text
from .timeline import Cue, Position, Timeline, compile_routine, estimate_seconds

__all__ += ["Cue", "Position", "Timeline", "compile_routine", "estimate_seconds", "FIRST_TIME_MAX_TIMES",
            "AmountKind", "other_side"]
__all__ += ["Mode", "Narration", "Page", "narrate", "to_ssml", "to_text"]
