"""docs/packs.md against the code: every hook documented with an example, as datasette checks its own.

A hook added to hookspecs.py without a section and an example in the pack author's guide fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from footwork.core import PackEntry, hookspecs, load_catalog, parse_pack_data
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


def examples(hook: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", section(hook), re.DOTALL)


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_every_hook_example_in_the_docs_loads_as_written(hook, tmp_path, pack_toml, monkeypatch):
    """Each example as the __init__.py of a real package beside its pack.toml, imported by name.

    An example may rely on the imports of the one before it, as a reader would.
    """
    imports: list[str] = []
    for number, example in enumerate(examples(hook)):
        imports += [line for line in example.splitlines() if line.startswith(("import ", "from "))]
        package = f"footwork_docs_{hook}_{number}"
        folder = tmp_path / package
        (folder / "content").mkdir(parents=True)
        (folder / "__init__.py").write_text("\n".join(imports) + "\n\n" + example, encoding="utf-8")
        for data in (folder / "pack.toml", folder / "content" / "stretches.toml"):
            data.write_text(pack_toml("docs"), encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))

        catalog = load_catalog([PackEntry("docs", package)])

        assert catalog.problems == [], f"example {number} of {hook}: {catalog.problems}"
        assert catalog.get("docs") is not None
        if hook == "footwork_routines":
            assert catalog.get("ankle-quick").pack == "docs"
        if hook == "footwork_adjust_routine":
            routine = catalog.get("docs")
            assert routine.outro or "my morning stretches" in routine.synonyms
