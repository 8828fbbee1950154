"""docs/packs.md against the code: every hook documented with an example, as datasette checks its own.

A hook added to hookspecs.py without a section and an example in the pack author's guide fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from footwork.core import hookspecs, parse_pack_data
from footwork.core._guard import HOOK_NAMES

DOCS = Path(__file__).resolve().parents[1] / "docs" / "packs.md"


def section(name: str) -> str:
    """The text under the ``### `name``` heading of docs/packs.md, up to the next heading."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"^### `{name}`\n(.*?)(?=^#)", text, re.MULTILINE | re.DOTALL)
    assert match, f"docs/packs.md has no section '### `{name}`'"
    return match.group(1)


def test_the_hooks_are_the_hookspecs():
    specs = {name for name, value in vars(hookspecs).items() if hasattr(value, "footwork_spec")}
    assert set(HOOK_NAMES) == specs and specs


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_is_documented_with_an_example(hook):
    text = section(hook)
    examples = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    assert any(f"def {hook}(" in example and "@hookimpl" in example for example in examples), (
        f"the section on {hook} in docs/packs.md has no example implementing it"
    )


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_firstresult_hook_says_so_in_the_docs(hook):
    firstresult = getattr(hookspecs, hook).footwork_spec.get("firstresult", False)
    assert ("`firstresult`" in section(hook)) == firstresult


def test_the_documented_original_source_example_reads():
    text = DOCS.read_text(encoding="utf-8")
    [example] = re.findall(r"```toml\n(\[pack\.source\]\n.*?original = true.*?)```", text, re.DOTALL)
    data = f"""schema = 1
[pack]
name = "desk"
title = "Desk"
description = "Stretches at a desk."
{example}
[[exercises]]
id = "lift"
name = "Lift"
position = "seated"
steps = [{{ say = "Lift your toes." }}]
"""
    source = parse_pack_data(data).source
    assert source.original and source.author and source.url is None
