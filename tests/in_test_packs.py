"""Small real packs written by tests: a pack.toml on disk and a module with a footwork_pack_file hook.

``load_catalog`` loads them the way it loads installed packs; :func:`installed_pack_site` lays one
out as pip would, for tests that run the real command in a new process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

from footwork.core import PackEntry, hookimpl, installed_packs, load_catalog


def routine_toml(pack: str, routine_id: str, title: str, synonyms: tuple[str, ...] = ()) -> str:
    return textwrap.dedent(
        f"""\
        schema = 1

        [pack]
        name = "{pack}"
        title = "Test pack {pack}"
        description = "A pack written by the tests."

        [pack.source]
        title = "The tests"

        [[exercises]]
        id = "calf-stretch"
        name = "Calf stretch"
        position = "seated"
        steps = [
          {{ say = "Stretch your calf." }},
          {{ hold = 10 }},
        ]

        [[routines]]
        id = "{routine_id}"
        title = "{title}"
        synonyms = {json.dumps(list(synonyms))}
        exercises = ["calf-stretch"]
        """
    )


def pack_entry(
    tmp_path: Path, pack: str, routine_id: str, title: str, synonyms: tuple[str, ...] = ()
) -> PackEntry:
    """A pack as a module object whose footwork_pack_file hook points at a pack.toml in tmp_path."""
    data = tmp_path / f"{pack}.toml"
    data.write_text(routine_toml(pack, routine_id, title, synonyms), encoding="utf-8")
    module = types.ModuleType(f"footwork_test_{pack.replace('-', '_')}")

    @hookimpl
    def footwork_pack_file():
        return data

    module.footwork_pack_file = footwork_pack_file
    return PackEntry(pack, module, distribution=f"footwork-test-{pack}", version="1.0.0")


def catalog_with(*entries: PackEntry, seeds: bool = True):
    """The seed packs (whatever FOOTWORK_PACKS says) and ``entries``."""
    every = [*(installed_packs() if seeds else []), *entries]
    return load_catalog(entries=every, only={e.name for e in every})



def installed_pack_site(root: Path, pack: str, toml: str) -> Path:
    """What pip leaves for a pack: its package and a dist-info with a ``footwork`` entry point."""
    module = f"footwork_test_{pack.replace('-', '_')}"
    (root / module).mkdir(parents=True)
    (root / module / "__init__.py").write_text("", encoding="utf-8")
    (root / module / "pack.toml").write_text(toml, encoding="utf-8")
    info = root / f"footwork_test_{pack.replace('-', '_')}-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: footwork-test-{pack}\nVersion: 1.0.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[footwork]\n{pack} = {module}\n", encoding="utf-8")
    return root


def footwork(*args: str, site: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``footwork`` command in a new process, with ``site`` (a pack laid out as pip
    would) on its path, and without the caller's FOOTWORK_PACKS and FOOTWORK_STRICT."""
    script = Path(sys.executable).parent / "footwork"
    environ = {k: v for k, v in os.environ.items() if k not in ("FOOTWORK_PACKS", "FOOTWORK_STRICT")}
    if site is not None:
        environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), environ.get("PYTHONPATH")) if p)
    environ.update(env)
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=environ, timeout=120)
