"""Shared fixtures.

Packs for tests come in two shapes:

* ``make_pack(root, name, toml, module_code)`` writes a real distribution (pyproject.toml, a package
  with ``__init__.py`` and ``pack.toml``) that pip can install or a test can import from ``root``;
* ``plugin(name, toml, *hooks, **named_hooks)`` gives an in-process pack: a module object, never
  imported by name,
  wrapped in a :class:`~footwork.core.PackEntry` for ``load_catalog(entries=...)``.

``server`` is the skill (verification off, a fresh SQLite file) over real HTTP, one per test module;
a module that needs other settings defines its own.

``footwork_venv`` is one throwaway virtual environment per session with the core and the heel-raises
pack installed by pip, for the tests marked ``slow``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from footwork.core import PackEntry
from footwork.skill import create_app
from live_server import LiveServer, serve
from store_servers import moto_server, postgres_server, store_url  # noqa: F401 - shared fixtures

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The skill with verification off, on a fresh SQLite file, over real HTTP."""
    database = tmp_path_factory.mktemp("db") / "footwork.sqlite3"
    app = create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_DB": str(database)})
    with serve(app) as live:
        yield live


# --- pack data -------------------------------------------------------------------------------------


def minimal_toml(
    name: str,
    *,
    routine: str | None = None,
    hold: object = 5,
    schema: int = 1,
    exercise: str = "lift",
    extra_routine_refs: tuple[str, ...] = (),
) -> str:
    """A small valid pack: one exercise (``exercise``), one routine (``routine``, default the name)."""
    refs = [exercise, *extra_routine_refs]
    return textwrap.dedent(
        f"""\
        schema = {schema}

        [pack]
        name = "{name}"
        title = "Test pack {name}"
        description = "A pack written by the tests."

        [pack.source]
        title = "The tests"

        [[exercises]]
        id = "{exercise}"
        name = "Lift"
        position = "seated"
        steps = [
          {{ say = "Lift your foot." }},
          {{ hold = {json.dumps(hold)} }},
          {{ repeat = 3 }},
        ]

        [[routines]]
        id = "{routine or name}"
        title = "Routine {routine or name}"
        cautions = ["Move only within a pain-free range of motion."]
        exercises = {json.dumps(refs)}
        """
    )


@pytest.fixture(scope="session")
def pack_toml() -> Callable[..., str]:
    """``pack_toml(name, routine=..., hold=..., schema=...)``: the text of a small valid pack.toml."""
    return minimal_toml


# --- real distributions ----------------------------------------------------------------------------


def module_name_for(name: str) -> str:
    return "footwork_test_" + name.replace("-", "_")


def write_pack(
    root: Path,
    name: str,
    toml: str | None,
    module_code: str = "",
    *,
    version: str = "1.0.0",
    dependencies: tuple[str, ...] = ("footwork",),
) -> Path:
    """Write the distribution ``footwork-test-<name>`` under ``root/<name>``; return its folder.

    Its entry point ``<name>`` in the ``footwork`` group names the package ``footwork_test_<name>``,
    whose ``__init__.py`` is ``module_code`` and whose ``pack.toml`` is ``toml`` (None: no data file).
    """
    folder = root / name
    package = folder / module_name_for(name)
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(module_code), encoding="utf-8")
    if toml is not None:
        (package / "pack.toml").write_text(toml, encoding="utf-8")
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [build-system]
            requires = ["setuptools>=64"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "footwork-test-{name}"
            version = "{version}"
            requires-python = ">=3.11"
            dependencies = {json.dumps(list(dependencies))}

            [project.entry-points.footwork]
            {name} = "{module_name_for(name)}"

            [tool.setuptools]
            packages = ["{module_name_for(name)}"]

            [tool.setuptools.package-data]
            {module_name_for(name)} = ["pack.toml"]
            """
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="session")
def make_pack() -> Callable[..., Path]:
    """``make_pack(root, name, toml, module_code="")``: write a real distribution (:func:`write_pack`)."""
    return write_pack


@pytest.fixture
def importable_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., PackEntry]:
    """``importable_pack(name, toml, module_code="")``: a distribution on ``sys.path`` and its entry.

    The entry names the module as a string, as an entry point does, so loading really imports it.
    """

    def build(name: str, toml: str | None, module_code: str = "") -> PackEntry:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        write_pack(root, name, toml, module_code)
        monkeypatch.syspath_prepend(str(root / name))
        module = module_name_for(name)
        monkeypatch.delitem(sys.modules, module, raising=False)
        return PackEntry(name, module, distribution=f"footwork-test-{name}", version="1.0.0")

    return build


# --- in-process packs ------------------------------------------------------------------------------


@pytest.fixture
def plugin(tmp_path: Path) -> Callable[..., PackEntry]:
    """``plugin(name, toml=None, *hooks, **named_hooks)``: a pack as a module object with hooks on it.

    ``toml`` (if given) is written as ``pack.toml`` in the module's own folder; each hook is a
    function marked with ``@hookimpl``, attached under its own name or, for ``named_hooks``, under
    the keyword's (so one test can give two packs two different ``footwork_adjust_routine`` hooks).
    """

    def build(
        name: str,
        toml: str | None = None,
        *hooks: Callable[..., object],
        **named_hooks: Callable[..., object],
    ) -> PackEntry:
        folder = tmp_path / "plugins" / name
        folder.mkdir(parents=True)
        if toml is not None:
            (folder / "pack.toml").write_text(toml, encoding="utf-8")
        module = types.ModuleType(module_name_for(name))
        module.__path__ = [str(folder)]
        module.__file__ = str(folder / "__init__.py")
        for hook in hooks:
            setattr(module, hook.__name__, hook)
        for hook_name, hook in named_hooks.items():
            setattr(module, hook_name, hook)
        return PackEntry(name, module, distribution=f"footwork-test-{name}", version="1.0.0")

    return build


@pytest.fixture
def no_pack_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make sure ``FOOTWORK_PACKS`` from the calling shell does not restrict the packs a test loads."""
    monkeypatch.delenv("FOOTWORK_PACKS", raising=False)


# --- a throwaway virtual environment ---------------------------------------------------------------

#: What a throwaway environment prints about its packs: name, status, error, warnings, routines.
CATALOG_SCRIPT = """
import json
from footwork.core import load_catalog
catalog = load_catalog()
print(json.dumps({
    p.name: {"status": p.status, "error": p.error, "warnings": p.warnings,
             "distribution": p.distribution, "version": p.version,
             "routines": {r.id: [e.ref for e in r.exercises] for r in p.routines}}
    for p in catalog.packs
}))
"""


@dataclass
class Venv:
    """A virtual environment made for the tests, with helpers to install into it and ask it things."""

    path: Path
    scratch: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("FOOTWORK_PACKS", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
        }
        env.update(extra)
        return env

    def run(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.python), *args], capture_output=True, text=True, env=self.env(**env), timeout=600
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def pip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run("-m", "pip", "--disable-pip-version-check", "--no-input", *args, check=check)

    def install(self, *folders: Path, deps: bool = False) -> None:
        """pip install local source folders, from a copy so no build files land in the checkout.

        Nothing comes from an index: a missing requirement fails instead of finding a namesake there.
        """
        copies = []
        for folder in folders:
            copy = self.scratch / f"{folder.name}-{len(list(self.scratch.iterdir()))}"
            shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
            copies.append(str(copy))
        self.pip("install", "--no-index", "--no-build-isolation", *([] if deps else ["--no-deps"]), *copies)

    def uninstall(self, *distributions: str) -> None:
        self.pip("uninstall", "--yes", *distributions)

    def catalog(self, **env: str) -> dict[str, dict]:
        """What ``load_catalog()`` finds in this environment, per pack."""
        return json.loads(self.run("-c", CATALOG_SCRIPT, **env).stdout)


def copy_core(destination: Path) -> Path:
    """The core's source (pyproject.toml and the packages it names), without the checkout's clutter."""
    destination.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, destination / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    for folder in ("core", "skill"):
        shutil.copytree(REPO / folder, destination / folder, ignore=ignore)
    return destination


@pytest.fixture(scope="session")
def footwork_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venv]:
    """One virtual environment for the session: footwork (the core, from this checkout) and heel-raises.

    Both are installed by pip from their folders, not editable, so only what their packaging ships is
    there. The core's own requirements come from the package index as usual.
    """
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root / "env")], check=True, capture_output=True)
    venv = Venv(root / "env", root / "src")
    venv.scratch.mkdir()
    # The packs build with the environment's own setuptools, so it has to be new enough for them.
    venv.pip("install", "--quiet", "setuptools>=77")
    core = copy_core(venv.scratch / "footwork")
    venv.pip("install", "--quiet", "--no-build-isolation", str(core))
    venv.install(REPO / "packs" / "heel-raises", deps=True)
    yield venv
