"""The shortcuts pack discovery and the Lambda handler take for a quicker cold start give the answers
the slower roads gave: distribution names and versions as ``importlib.metadata`` reads them, hook
implementations as pluggy finds them, and a DynamoDB store that still answers after the start-up
check closed it. (How much quicker: ``bench/startup.py``; no timings are asserted here.)
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import types
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

import pluggy
import pytest
from footwork.core import hookimpl
from footwork.core._guard import PROJECT, Faults, PluginManager, hook_problems, marked, stand_in
from footwork.core.plugins import CHECKS, _inside_package, _name_and_version, installed_packs
from footwork.skill.dev.envelopes import Conversation
from store_servers import AWS_ENV

# --- distribution names and versions ----------------------------------------------------------------


def test_every_installed_distribution_has_the_name_and_version_importlib_metadata_gives() -> None:
    distributions = list(metadata.distributions())
    assert len(distributions) > 20
    for dist in distributions:
        assert _name_and_version(dist) == (dist.name, dist.version), dist


def test_installed_packs_name_the_distribution_and_version_their_entry_point_comes_from() -> None:
    points = {p.name: p for p in metadata.entry_points(group="footwork")}
    for entry in installed_packs():
        dist = points[entry.name].dist
        assert dist is not None
        assert (entry.distribution, entry.version) == (dist.name, dist.version)


@pytest.mark.parametrize("text", [
    "Metadata-Version: 2.1\nName: footwork-odd\nVersion: 1.2.3\n\nName: not-this\nVersion: 9\n",
    "Metadata-Version: 2.1\r\nName: footwork-odd\r\nVersion: 1.2.3\r\n\r\nA description.\r\n",
    "Metadata-Version: 2.1\nVersion: 1.2.3\nSummary: version first\nName: footwork-odd\n",
    "Metadata-Version: 2.1\nname: footwork-odd\nVERSION: 1.2.3\n",
    "Metadata-Version: 2.1\nName:footwork-odd\nVersion:\t1.2.3\n",
    "Metadata-Version: 2.1\nName: footwork-odd\nName: second\nVersion: 1.2.3\n",
    "Metadata-Version: 2.1\nName: footwork-odd \nVersion: 1.2.3  \n",
    "Metadata-Version: 2.1\nName: footwork-\n odd\nVersion: 1.2.3\n",
    "Metadata-Version: 2.1\nSummary: no version at all\nName: footwork-odd\n",
    "Metadata-Version: 2.1\nSummary: a line with no colon follows\nthis one\nName: footwork-odd\n",
])
def test_odd_metadata_headers_give_what_the_email_parser_gives(tmp_path: Path, text: str) -> None:
    info = tmp_path / "footwork_odd-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_bytes(text.encode())
    dist = metadata.PathDistribution(info)
    assert _name_and_version(dist) == (dist.name, dist.version)


def test_a_packs_data_file_is_where_importlib_resources_finds_it(importable_pack: Any,
                                                                  pack_toml: Any) -> None:
    modules = [importlib.import_module(str(entry.module).split(":")[0]) for entry in installed_packs()]
    modules.append(importlib.import_module(str(importable_pack("odd-data", pack_toml("odd-data")).module)))
    for module in modules:
        found = _inside_package(module)
        assert isinstance(found, Path) and found == files(module) / "pack.toml", module
        assert found.is_file()


# --- hook implementations -----------------------------------------------------------------------------


def _pack_module() -> types.ModuleType:
    """A pack module with every kind of name a hook search meets."""
    module = types.ModuleType("footwork_odd_pack")
    exec(  # noqa: S102 - the module's source, as a pack would write it
        "import os\n"
        "from os.path import join\n"
        "from footwork.core import hookimpl\n"
        "TITLE = 'odd'\n"
        "@hookimpl\n"
        "def footwork_routines(pack):\n    return []\n"
        "@hookimpl(tryfirst=True, specname='footwork_adjust_routine')\n"
        "def adjust(routine):\n    return None\n"
        "@hookimpl\n"
        "def footwork_routine(pack):\n    return []\n"
        "def footwork_pack_file():\n    return None\n"
        "class Helper:\n    @staticmethod\n    def footwork_adjust_routine(routine):\n        return None\n"
        "marked_static = staticmethod(hookimpl(lambda routine: None))\n"
        "class Callable:\n    footwork_impl = {}\n    def __call__(self):\n        return None\n"
        "not_a_function = Callable()\n",
        module.__dict__,
    )
    return module


def _as_pluggy_finds_them(plugin: object) -> dict[str, Any]:
    manager = pluggy.PluginManager(PROJECT)
    found = {}
    for name in dir(plugin):
        opts = manager.parse_hookimpl_opts(plugin, name)
        if opts is not None:
            found[name] = opts
    return found


def test_the_hooks_found_on_a_pack_module_are_those_pluggy_finds() -> None:
    module = _pack_module()
    assert marked(module) == _as_pluggy_finds_them(module)
    assert set(marked(module)) == {"footwork_routines", "adjust", "footwork_routine", "marked_static"}


def test_a_pack_object_that_is_not_a_module_is_searched_as_pluggy_searches_it() -> None:
    class Plugin:
        @hookimpl
        def footwork_routines(self, pack: object) -> list[object]:
            return []

        @property
        def footwork_pack_file(self) -> None:
            raise AssertionError("a property is never run to look for a hook")

    assert marked(Plugin()) == _as_pluggy_finds_them(Plugin()) != {}


def test_a_hook_left_unmarked_is_named_on_a_module_and_on_an_object() -> None:
    module = _pack_module()
    assert any("footwork_pack_file is not marked" in p for p in hook_problems(module))
    assert any("footwork_routine is not a footwork hook" in p for p in hook_problems(module))

    class Plugin:
        def footwork_pack_file(self) -> None:
            return None

    assert any("footwork_pack_file is not marked" in p for p in hook_problems(Plugin()))


def test_a_stand_in_registers_the_same_implementations_as_with_pluggys_own_manager() -> None:
    module = _pack_module()
    plugin = stand_in(module, "odd", Faults(), CHECKS)
    ours, theirs = PluginManager(PROJECT), pluggy.PluginManager(PROJECT)
    ours.register(plugin, name="odd")
    theirs.register(plugin, name="odd")

    def implementations(manager: pluggy.PluginManager) -> dict[str, list[tuple[object, bool]]]:
        return {name: [(impl.function, impl.tryfirst) for impl in getattr(manager.hook, name).get_hookimpls()]
                for name in ("footwork_routines", "footwork_adjust_routine", "footwork_routine")}

    assert implementations(ours) == implementations(theirs)
    assert implementations(ours)["footwork_adjust_routine"]


# --- the Lambda handler and its store -----------------------------------------------------------------

#: What the Lambda runtime does in a new instance's init phase: import the handler's module and look
#: the handler up; then, per event, call it.
INIT_THEN_EVENT = """
import json, sys
import footwork.skill as skill
handler = skill.lambda_handler
print(json.dumps({"built at look-up": skill._lambda_handler is not None,
                  "packs loaded at look-up": "footwork_ankle" in sys.modules}), flush=True)
print(json.dumps(handler(json.loads(sys.stdin.readline()), None)), flush=True)
"""


def _instance(event: dict[str, Any], **env: str) -> list[dict[str, Any]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    environ.update({**AWS_ENV, "AWS_LAMBDA_FUNCTION_NAME": "footwork", "HOME": "/nonexistent", **env})
    result = subprocess.run([sys.executable, "-c", INIT_THEN_EVENT], input=json.dumps(event) + "\n",
                            capture_output=True, text=True, env=environ, timeout=120)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_the_lambda_handler_is_built_when_the_runtime_looks_it_up_before_the_first_event(
        moto_server: Any) -> None:
    told, answer = _instance(Conversation().launch(), FOOTWORK_DB=moto_server.new_table(),
                             FOOTWORK_SKILL_ID="any")
    assert told == {"built at look-up": True, "packs loaded at look-up": True}
    assert "<speak>" in answer["response"]["outputSpeech"]["ssml"]


def test_a_dynamodb_store_closed_after_its_check_still_reads_and_writes(moto_server: Any) -> None:
    from footwork.skill.stores import open_configured_store

    store = open_configured_store(moto_server.new_table())  # checked, then closed
    assert store.read("amzn1.ask.account.cold") is None
    assert store.write("amzn1.ask.account.cold", '{"seen": true}', None) == 1
    store.close()
    record = store.read("amzn1.ask.account.cold")
    assert record is not None and record.version == 1
    store.close()
