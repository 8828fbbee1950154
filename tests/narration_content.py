"""Content for the narration tests: every installed routine, and small routines written in TOML.

Edge cases (a 25 s hold, a 600 s hold, a 12.5 s hold, text with ``&`` and ``<``) are written as
real pack data and go through :func:`~footwork.core.parse_pack_data`, the same validation as a
published pack, so a test cannot build content that no pack could ship.
"""

from __future__ import annotations

import itertools
import json
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from footwork.core import Level, Routine, load_catalog, parse_pack_data
from footwork.core.timeline import Cue

CATALOG = load_catalog(only=["ankle", "foot", "heel-raises", "toe-walking"])
ROUTINES: list[Routine] = list(CATALOG)
MODES = ("guided", "hands-free")
#: Every installed routine at every level in every mode, for ``pytest.mark.parametrize``.
EVERY_NARRATION = [
    (routine, level, mode) for routine, level, mode in itertools.product(ROUTINES, Level, MODES)
]
EVERY_NARRATION_IDS = [f"{r.id}-{level.value}-{mode}" for r, level, mode in EVERY_NARRATION]
#: Decorates a test taking ``routine, level, mode`` to run for each of :data:`EVERY_NARRATION`.
every_narration = pytest.mark.parametrize(
    ("routine", "level", "mode"), EVERY_NARRATION, ids=EVERY_NARRATION_IDS)


def routine_from(steps: str, *, sets: object = 1, sides: str = "one", name: str = "Lift",
                 extra: str = "") -> Routine:
    """A one-exercise routine whose exercise has the TOML ``steps`` (the inside of ``steps = [...]``)."""
    toml = textwrap.dedent("""\
        schema = 1

        [pack]
        name = "test"
        title = "Test"
        description = "Written by the narration tests."

        [pack.source]
        title = "The tests"

        [[exercises]]
        id = "lift"
        name = {name}
        position = "seated"
        sets = {sets}
        sides = {sides}
        steps = [
        {steps}
        ]
        {extra}

        [[routines]]
        id = "test"
        title = "Test routine"
        exercises = ["lift"]
        """).format(name=json.dumps(name), sets=json.dumps(sets), sides=json.dumps(sides), steps=steps,
                    extra=extra)
    pack = parse_pack_data(toml, pack="test")
    routine, refs = pack.unresolved[0]
    by_ref = {e.ref: e for e in pack.exercises}
    return replace(routine, exercises=tuple(by_ref[ref] for ref in refs))


def hold_routine(seconds: float, *, say: str = "Lift your foot.") -> Routine:
    return routine_from(f'{{ say = "{say}" }}, {{ hold = {seconds} }},')


def silences(cues: list[Cue] | tuple[Cue, ...]) -> list[float]:
    """The silences heard, in order: silent cues in a row add up to one."""
    out: list[float] = []
    run = None
    for cue in cues:
        if cue.spoken:
            if run is not None:
                out.append(round(run, 3))
            run = None
        else:
            run = (run or 0.0) + cue.seconds
    if run is not None:
        out.append(round(run, 3))
    return out


def break_ms(time: str) -> int:
    """A ``<break time>`` in milliseconds: "10s" -> 10000, "2250ms" -> 2250."""
    if time.endswith("ms"):
        return int(time[:-2])
    assert time.endswith("s") and time[:-1].isdigit(), f"not whole seconds or ms: {time!r}"
    return int(time[:-1]) * 1000


def ssml_tokens(ssml: str) -> list[tuple[str, str | int]]:
    """The SSML document as ("text", words) and ("break", ms) in document order."""
    tokens: list[tuple[str, str | int]] = []

    def walk(element: ET.Element) -> None:
        if element.tag == "break":
            tokens.append(("break", break_ms(element.attrib["time"])))
        elif element.text and element.text.strip():
            tokens.append(("text", element.text.strip()))
        for child in element:
            walk(child)
            if child.tail and child.tail.strip():
                tokens.append(("text", child.tail.strip()))

    walk(ET.fromstring(ssml))
    return tokens


def ssml_silences(ssml: str) -> list[float]:
    """The silences of an SSML document in seconds: breaks in a row add up to one."""
    out: list[float] = []
    run: int | None = None
    for kind, value in ssml_tokens(ssml):
        if kind == "break":
            run = (run or 0) + int(value)
        else:
            if run is not None:
                out.append(run / 1000)
            run = None
    if run is not None:
        out.append(run / 1000)
    return out
