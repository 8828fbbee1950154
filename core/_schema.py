"""Reading a pack's data file: TOML in, a validated :class:`Pack` out, or every problem at once.

The schema is versioned by the file's top-level ``schema`` key. The core reads every version up to
:data:`SCHEMA_VERSION`; a newer one is refused with a message that says to upgrade footwork, rather
than half-read.

Errors name the pack, the file, the path to the field and what is wrong::

    ankle: pack.toml: exercises[3].steps[2].hold: expected seconds between 1 and 600, got 'five'

Indexes count from 0, as in JSON paths.
"""

from __future__ import annotations

import difflib
import re
import string
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from ._errors import PackDataError, Problem
from ._model import (
    EQUIPMENT,
    POSITIONS,
    SIDES,
    SIDES_MODES,
    Alphabet,
    Amount,
    AmountKind,
    Count,
    Dose,
    Exercise,
    Hold,
    Move,
    Pack,
    Repeat,
    Rest,
    Routine,
    Say,
    Side,
    Sides,
    Source,
    Step,
    SwitchSide,
)

#: The newest schema this core understands.
SCHEMA_VERSION = 1

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REF_PATTERN = re.compile(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*:)?[a-z0-9]+(?:-[a-z0-9]+)*$")

#: The bounds of each kind of amount: a hold of 0 s or of an hour is a typo, not content.
BOUNDS: dict[AmountKind, tuple[float, float, str]] = {
    "seconds": (1, 600, "seconds"),
    "rest": (1, 600, "seconds"),
    "times": (1, 100, "a count"),
    "sets": (1, 20, "sets"),
}

PLACEHOLDERS = {"side", "other", "count", "seconds"}

#: A step's kind is named by the one of these keys it has; a step with none of them is an instruction.
STEP_KINDS = ("hold", "count", "move", "rest", "side", "repeat", "alphabet")
STEP_FIELDS: dict[str, set[str]] = {
    "say": {"say", "aloud"},
    "hold": {"hold", "say"},
    "count": {"count", "say", "seconds_each", "phases"},
    "move": {"move", "say"},
    "rest": {"rest", "say"},
    "side": {"side", "say"},
    "repeat": {"repeat", "steps", "more", "say", "seconds_each", "phases"},
    "alphabet": {"alphabet", "say", "seconds_per_letter"},
}
#: Every key a step may have, to suggest from when a step has one it may not.
STEP_VOCABULARY = set().union(*STEP_FIELDS.values())

TOP_FIELDS = {"schema", "pack", "exercises", "routines"}
PACK_FIELDS = {"name", "title", "version", "description", "language", "source"}
SOURCE_FIELDS = {"title", "url", "terms", "author", "original"}
EXERCISE_FIELDS = {
    "id", "name", "position", "needs", "cautions", "about", "setup", "steps", "sets", "rest", "sides",
    "first_side", "ready", "settle",
}
#: A hands-free settle shorter than this is no time to lie down or fetch a towel.
MIN_SETTLE = 10
ROUTINE_FIELDS = {"id", "title", "intro", "outro", "cautions", "needs", "synonyms", "exercises"}


def describe(value: Any) -> str:
    """A value as a pack author would recognise it in their file."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list" if len(value) > 4 else repr(value)
    return repr(value)


class _Reader:
    """Walks the parsed TOML, collecting problems instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    # -- primitives -------------------------------------------------------------------------------

    def table(self, data: Any, path: str, allowed: set[str], required: tuple[str, ...] = (),
              *, vocabulary: set[str] | None = None) -> dict:
        """Check a table's keys; ``vocabulary`` is what to suggest from for an unknown key."""
        if not isinstance(data, dict):
            self.problem(path, f"expected a table, got {describe(data)}")
            return {}
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(vocabulary or allowed), n=1)
                if hint:
                    suggestion = f"; did you mean '{hint[0]}'?"
                else:
                    suggestion = f"; expected one of {', '.join(sorted(allowed))}"
                self.problem(join(path, key), f"unknown field{suggestion}")
        for key in required:
            if key not in data:
                self.problem(join(path, key), "required field is missing")
        return data

    def text(self, data: dict, key: str, path: str, *, required: bool = False,
             placeholders: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
        if key not in data:
            return None
        value = data[key]
        where = join(path, key)
        if not isinstance(value, str) or not value.strip():
            self.problem(where, f"expected non-empty text, got {describe(value)}")
            return None
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as error:
            self.problem(where, f"unbalanced braces in text ({error}); write {{{{ or }}}} for a brace")
            return None
        unknown = names - placeholders
        if unknown:
            allowed = ", ".join("{" + p + "}" for p in sorted(placeholders)) or "none here"
            self.problem(where, f"unknown placeholder {{{sorted(unknown)[0]}}}; allowed: {allowed}")
        return value.strip()

    def texts(self, data: dict, key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.problem(join(path, key), f"expected a list of texts, got {describe(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{join(path, key)}[{i}]", f"expected non-empty text, got {describe(item)}")
            else:
                out.append(item.strip())
        return tuple(out)

    def identifier(self, data: dict, key: str, path: str) -> str | None:
        value = data.get(key)
        if key in data and (not isinstance(value, str) or not ID_PATTERN.match(value)):
            self.problem(
                join(path, key),
                f"expected an id of lower-case letters, digits and single hyphens, got {describe(value)}",
            )
            return None
        return value

    def choice(self, data: dict, key: str, path: str, choices: tuple[str, ...], default: str) -> Any:
        value = data.get(key, default)
        if value not in choices:
            self.problem(join(path, key), f"expected one of {', '.join(choices)}, got {describe(value)}")
            return default
        return value

    def amount(self, value: Any, path: str, kind: AmountKind) -> Amount | None:
        low_bound, high_bound, noun = BOUNDS[kind]
        between = f"{noun} between {low_bound:g} and {high_bound:g}"
        if kind != "seconds":
            between += " (a whole number)"
        expected = f"expected {between}"

        def number(x: Any) -> float | None:
            if isinstance(x, bool) or not isinstance(x, int | float):
                return None
            if kind != "seconds" and not float(x).is_integer():
                return None
            if not low_bound <= x <= high_bound:
                return None
            return float(x)

        if isinstance(value, list):
            if len(value) == 2:
                low, high = number(value[0]), number(value[1])
                if low is not None and high is not None:
                    if low > high:
                        self.problem(path, f"range goes down: [{value[0]}, {value[1]}]; write [low, high]")
                        return None
                    return Amount(low, high)
            self.problem(path, f"expected a range [low, high] of {between}, got {describe(value)}")
            return None
        single = number(value)
        if single is None:
            self.problem(path, f"{expected}, got {describe(value)}")
            return None
        return Amount.exactly(single)

    def positive(self, data: dict, key: str, path: str, default: float, *, high: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= high:
            self.problem(
                join(path, key), f"expected seconds above 0 and at most {high:g}, got {describe(value)}"
            )
            return default
        return float(value)

    def needs(self, data: dict, key: str, path: str) -> tuple[tuple[str, ...], ...]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.problem(join(path, key), f"expected a list, got {describe(value)}")
            return ()
        out = []
        for i, item in enumerate(value):
            where = f"{join(path, key)}[{i}]"
            options = item if isinstance(item, list) else [item]
            if not options or not all(isinstance(o, str) and o in EQUIPMENT for o in options):
                self.problem(
                    where,
                    f"expected equipment ({', '.join(EQUIPMENT)}) or a list of alternatives, "
                    f"got {describe(item)}",
                )
                continue
            out.append(tuple(options))
        return tuple(out)

    # -- the document -----------------------------------------------------------------------------

    def document(self, data: dict, *, expected_name: str | None, version: str | None) -> Pack | None:
        # The version first: a newer file may have fields this core has never heard of, and listing
        # them as unknown would only hide the one thing to do, which is to upgrade.
        schema = data.get("schema")
        if "schema" in data:
            if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
                self.problem(
                    "schema", f"expected a schema version (a whole number from 1), got {describe(schema)}"
                )
                return None
            if schema > SCHEMA_VERSION:
                self.problem(
                    "schema",
                    f"this pack needs footwork schema {schema}, but this footwork reads schema "
                    f"{SCHEMA_VERSION} at most; upgrade footwork (pip install -U footwork)",
                )
                return None
        self.table(data, "", TOP_FIELDS, ("schema", "pack"))
        info = self.table(data["pack"], "pack", PACK_FIELDS, ("name", "title", "description", "source")) \
            if "pack" in data else {}
        name = self.identifier(info, "name", "pack")
        if name and expected_name and name != expected_name:
            self.problem(
                "pack.name", f"the file says '{name}', but the pack is installed as '{expected_name}'"
            )
        source_data = self.table(info["source"], "pack.source", SOURCE_FIELDS, ("title",)) \
            if "source" in info else {}
        source = Source(
            title=self.text(source_data, "title", "pack.source") or "",
            url=self.text(source_data, "url", "pack.source"),
            terms=self.text(source_data, "terms", "pack.source"),
            author=self.text(source_data, "author", "pack.source"),
            original=source_data.get("original") is True,
        )
        if not isinstance(source_data.get("original", False), bool):
            got = describe(source_data["original"])
            self.problem("pack.source.original", f"expected true or false, got {got}")
        pack_name = name or expected_name or ""
        file_version = self.text(info, "version", "pack")
        title = self.text(info, "title", "pack")
        description = self.text(info, "description", "pack")
        language = self.text(info, "language", "pack")

        exercises: list[Exercise] = []
        raw_exercises = data.get("exercises", [])
        if not isinstance(raw_exercises, list):
            self.problem(
                "exercises", f"expected a list of [[exercises]] tables, got {describe(raw_exercises)}"
            )
            raw_exercises = []
        for i, raw in enumerate(raw_exercises):
            exercise = self.exercise(raw, f"exercises[{i}]", pack_name)
            if exercise is not None:
                exercises.append(exercise)
        # Ids are read from the file itself, so an exercise with a problem elsewhere is still known by
        # its id: no second, misleading "no exercise" problem for a routine that names it.
        exercise_ids = list(ids_in(raw_exercises))
        for where, dup in duplicates(exercise_ids, "exercises"):
            self.problem(where, f"exercise id '{dup}' is used twice in this pack")

        unresolved: list[tuple[Routine, tuple[str, ...]]] = []
        raw_routines = data.get("routines", [])
        if not isinstance(raw_routines, list):
            self.problem("routines", f"expected a list of [[routines]] tables, got {describe(raw_routines)}")
            raw_routines = []
        local_ids = {ident for _, ident in exercise_ids}
        for i, raw in enumerate(raw_routines):
            routine = self.routine(raw, f"routines[{i}]", pack_name, local_ids)
            if routine is not None:
                unresolved.append(routine)
        for where, dup in duplicates(ids_in(raw_routines), "routines"):
            self.problem(where, f"routine id '{dup}' is used twice in this pack")
        if not raw_exercises and not raw_routines:
            self.problem("", "the pack has no exercises and no routines")

        if self.problems:
            return None
        return Pack(
            name=pack_name,
            title=title or pack_name,
            version=version or file_version or "0",
            description=description or "",
            source=source,
            language=language or "en",
            schema=int(schema or SCHEMA_VERSION),
            exercises=tuple(exercises),
            unresolved=tuple(unresolved),
        )

    def exercise(self, raw: Any, path: str, pack: str) -> Exercise | None:
        if not isinstance(raw, dict):
            self.problem(path, f"expected an [[exercises]] table, got {describe(raw)}")
            return None
        before = len(self.problems)
        data = self.table(raw, path, EXERCISE_FIELDS, ("id", "name", "position", "steps"))
        ident = self.identifier(data, "id", path)
        name = self.text(data, "name", path)
        positions_raw = data.get("position", "seated")
        positions_list = positions_raw if isinstance(positions_raw, list) else [positions_raw]
        if not positions_list or not all(isinstance(p, str) and p in POSITIONS for p in positions_list):
            self.problem(
                join(path, "position"),
                f"expected one of {', '.join(POSITIONS)} (or a list of them), got {describe(positions_raw)}",
            )
        sides = self.choice(data, "sides", path, SIDES_MODES, "one")
        first_side = self.choice(data, "first_side", path, SIDES, "left")
        sets = self.amount(data["sets"], join(path, "sets"), "sets") if "sets" in data else Amount.exactly(1)
        rest = self.amount(data["rest"], join(path, "rest"), "seconds") if "rest" in data else None
        # Both feet together have no working side to name; setup is said once, before any side.
        side_words = set() if sides == "both" else {"side", "other"}
        setup = self.steps(data["setup"], join(path, "setup"), set()) if "setup" in data else ()
        steps = self.steps(data.get("steps"), join(path, "steps"), side_words) if "steps" in data else ()
        needs = self.needs(data, "needs", path)
        cautions = self.texts(data, "cautions", path)
        about = self.text(data, "about", path)
        ready = self.text(data, "ready", path, placeholders=side_words)
        settle = None
        if "settle" in data:
            settle = self.positive(data, "settle", path, MIN_SETTLE, high=120)
            if settle < MIN_SETTLE:
                got = describe(data["settle"])
                self.problem(join(path, "settle"),
                             f"expected at least {MIN_SETTLE} seconds to get into position, got {got}")
        if len(self.problems) > before:
            return None
        # Past the problem check, every field read is valid: the casts only tell the type checker so.
        return Exercise(
            id=ident or "",
            name=name or ident or "",
            positions=tuple(positions_list),
            steps=steps,
            setup=setup,
            dose=Dose(sets=sets or Amount.exactly(1), rest_between_sets=rest, sides=cast(Sides, sides),
                      first_side=cast(Side, first_side)),
            needs=needs,
            cautions=cautions,
            about=about,
            ready=ready,
            settle=settle,
            pack=pack,
        )

    def pace(self, raw: dict, path: str) -> float | None:
        """``seconds_each``: how long one repetition takes, where the pack says (else the movement's own)."""
        return self.positive(raw, "seconds_each", path, 2.0, high=30) if "seconds_each" in raw else None

    def phases(self, raw: dict, path: str) -> tuple[str, ...] | None:
        """The words said through one movement: ``phases = ["up", "and down"]``."""
        if "phases" not in raw:
            return None
        value = raw["phases"]
        if (not isinstance(value, list) or not 1 <= len(value) <= 4
                or not all(isinstance(w, str) and w.strip() and len(w.split()) <= 4 for w in value)):
            self.problem(join(path, "phases"),
                         f"expected a list of 1 to 4 short words said through one movement, such as "
                         f"[\"up\", \"and down\"], got {describe(value)}")
            return None
        return tuple(w.strip() for w in value)

    def steps(self, raw: Any, path: str, side_words: set[str]) -> tuple[Step, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem(path, f"expected a non-empty list of steps, got {describe(raw)}")
            return ()
        steps: list[Step] = []
        # How many steps a repeat may reach back over: those since the start, the last repeat or the
        # last side change (a repeat never reaches into another repeat).
        reach = 0
        for i, item in enumerate(raw):
            step = self.step(item, f"{path}[{i}]", side_words, reach)
            reach = 0 if isinstance(item, dict) and ("repeat" in item or "side" in item) else reach + 1
            if step is not None:
                steps.append(step)
        return tuple(steps)

    def step(self, raw: Any, path: str, side_words: set[str], reach: int) -> Step | None:
        if not isinstance(raw, dict):
            self.problem(path, f"expected a step table such as {{ say = \"...\" }}, got {describe(raw)}")
            return None
        kinds = [k for k in STEP_KINDS if k in raw]
        if len(kinds) > 1:
            self.problem(path, f"a step is one thing; this one is {' and '.join(kinds)}")
            return None
        kind = kinds[0] if kinds else "say"
        required = ("say",) if kind in ("say", "count", "move", "alphabet") else ()
        self.table(raw, path, STEP_FIELDS[kind], required, vocabulary=STEP_VOCABULARY)
        words = set(side_words)
        if kind in ("count", "repeat"):
            words.add("count")
        if kind in ("move", "hold", "rest"):
            words.add("seconds")
        text = self.text(raw, "say", path, placeholders=words)
        at = join(path, kind)
        match kind:
            case "say":
                aloud = self.text(raw, "aloud", path, placeholders=words)
                return Say(text, aloud) if text else None
            case "hold":
                seconds = self.amount(raw["hold"], at, "seconds")
                return Hold(seconds, text) if seconds else None
            case "rest":
                seconds = self.amount(raw["rest"], at, "seconds")
                return Rest(seconds, text) if seconds else None
            case "move":
                seconds = self.amount(raw["move"], at, "seconds")
                return Move(seconds, text) if seconds and text else None
            case "count":
                times = self.amount(raw["count"], at, "times")
                each = self.pace(raw, path)
                phases = self.phases(raw, path)
                return Count(times, text, each, phases) if times and text else None
            case "side":
                side = raw["side"]
                if side not in SIDES:
                    self.problem(at, f"expected left or right, got {describe(side)}")
                    return None
                return SwitchSide(side, text)
            case "repeat":
                times = self.amount(raw["repeat"], at, "times")
                if reach == 0:
                    self.problem(
                        at, "nothing to repeat: no steps before it since the last repeat or side change"
                    )
                    return None
                count = raw.get("steps")
                if count is not None and (
                    isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= reach
                ):
                    self.problem(
                        join(path, "steps"),
                        f"expected how many of the {reach} steps before it to repeat (1 to {reach}), "
                        f"got {describe(count)}",
                    )
                    return None
                more = raw.get("more", False)
                if not isinstance(more, bool):
                    self.problem(join(path, "more"), f"expected true or false, got {describe(more)}")
                    return None
                each = self.pace(raw, path)
                phases = self.phases(raw, path)
                return Repeat(times, count, more, text, each, phases) if times else None
            case "alphabet":
                if raw["alphabet"] is not True:
                    self.problem(at, f"expected true, got {describe(raw['alphabet'])}")
                    return None
                each = self.positive(raw, "seconds_per_letter", path, 2.0, high=10)
                return Alphabet(text, each) if text else None
        raise AssertionError(kind)  # pragma: no cover - STEP_KINDS is exhaustive

    def routine(
        self, raw: Any, path: str, pack: str, local_ids: set[str]
    ) -> tuple[Routine, tuple[str, ...]] | None:
        if not isinstance(raw, dict):
            self.problem(path, f"expected a [[routines]] table, got {describe(raw)}")
            return None
        before = len(self.problems)
        data = self.table(raw, path, ROUTINE_FIELDS, ("id", "title", "exercises"))
        ident = self.identifier(data, "id", path)
        refs_raw = data.get("exercises", [])
        refs: list[str] = []
        if "exercises" in data and (not isinstance(refs_raw, list) or not refs_raw):
            self.problem(
                join(path, "exercises"),
                f"expected a non-empty list of exercise ids, got {describe(refs_raw)}",
            )
        elif isinstance(refs_raw, list):
            for i, ref in enumerate(refs_raw):
                where = f"{join(path, 'exercises')}[{i}]"
                if not isinstance(ref, str) or not REF_PATTERN.match(ref):
                    self.problem(where, f"expected an exercise id or 'pack:exercise', got {describe(ref)}")
                elif ":" not in ref and ref not in local_ids:
                    hint = difflib.get_close_matches(ref, sorted(local_ids), n=1)
                    guess = f"; did you mean '{hint[0]}'?" if hint else ""
                    self.problem(where, f"no exercise '{ref}' in this pack{guess}")
                else:
                    refs.append(ref if ":" in ref else f"{pack}:{ref}")
        title = self.text(data, "title", path)
        intro = self.text(data, "intro", path)
        outro = self.text(data, "outro", path)
        cautions, caution_needs = self.cautions(data, "cautions", path)
        needs = self.needs(data, "needs", path)
        synonyms = tuple(s.lower() for s in self.texts(data, "synonyms", path))
        if len(self.problems) > before:
            return None
        routine = Routine(
            id=ident or "",
            title=title or ident or "",
            exercises=(),
            intro=intro,
            outro=outro,
            cautions=cautions,
            needs=needs,
            synonyms=synonyms,
            pack=pack,
            caution_needs=caution_needs,
        )
        return routine, tuple(refs)

    def cautions(self, data: dict, key: str,
                 path: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """A routine's cautions: texts, or ``{ say = "...", needs = "ankle-weights" }`` for a caution
        said only when an exercise needs that equipment."""
        value = data.get(key, [])
        if not isinstance(value, list):
            self.problem(join(path, key), f"expected a list of texts, got {describe(value)}")
            return (), ()
        texts: list[str] = []
        about: list[tuple[str, str]] = []
        for i, item in enumerate(value):
            where = f"{join(path, key)}[{i}]"
            if isinstance(item, dict):
                table = self.table(item, where, {"say", "needs"}, ("say", "needs"))
                text = self.text(table, "say", where)
                needs = table.get("needs")
                if "needs" in table and needs not in EQUIPMENT:
                    self.problem(join(where, "needs"),
                                 f"expected equipment ({', '.join(EQUIPMENT)}), got {describe(needs)}")
                elif text and isinstance(needs, str):
                    texts.append(text)
                    about.append((text, needs))
            elif not isinstance(item, str) or not item.strip():
                self.problem(where,
                             f"expected non-empty text or a {{ say, needs }} table, got {describe(item)}")
            else:
                texts.append(item.strip())
        return tuple(texts), tuple(about)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def ids_in(tables: list[Any]) -> Iterator[tuple[int, str]]:
    """(index, id) of every table in ``tables`` with a well-formed id."""
    for i, table in enumerate(tables):
        ident = table.get("id") if isinstance(table, dict) else None
        if isinstance(ident, str) and ID_PATTERN.match(ident):
            yield i, ident


def duplicates(ids: Iterable[tuple[int, str]], collection: str) -> Iterator[tuple[str, str]]:
    """The path and id of every (index, id) whose id came before."""
    seen: set[str] = set()
    for i, ident in ids:
        if ident in seen:
            yield f"{collection}[{i}].id", ident
        seen.add(ident)


def parse_pack_data(
    data: bytes | str,
    *,
    pack: str | None = None,
    file: str = "pack.toml",
    version: str | None = None,
) -> Pack:
    """Validate one pack data file.

    ``pack`` is the name the pack is installed under, checked against the file; ``version`` the
    installed distribution's version, which wins over the file's. Raises :class:`PackDataError`
    listing every problem found.
    """
    label = pack or "pack"
    if isinstance(data, bytes):
        try:
            # utf-8-sig: a byte-order mark, as some Windows editors write, is not an error.
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problem = Problem("", f"the file is not UTF-8 text ({error.reason} at byte {error.start})")
            raise PackDataError(label, file, [problem]) from None
    elif data.startswith("\ufeff"):
        data = data[1:]
    try:
        document = tomllib.loads(data)
    except tomllib.TOMLDecodeError as error:
        raise PackDataError(label, file, [Problem("", f"not valid TOML: {error}")]) from None
    reader = _Reader()
    result = reader.document(document, expected_name=pack, version=version)
    if result is None:
        info = document.get("pack")
        name = pack or (info.get("name") if isinstance(info, dict) else None)
        raise PackDataError(name if isinstance(name, str) and name else label, file, reader.problems)
    return result


def read_pack_file(path: Path | str, *, pack: str | None = None, version: str | None = None) -> Pack:
    """Validate a data file on disk (``footwork packs check``)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        problem = Problem("", f"cannot read the file: {reason}")
        raise PackDataError(pack or path.stem, path.name, [problem]) from None
    return parse_pack_data(raw, pack=pack, file=path.name, version=version)
