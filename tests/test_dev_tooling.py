"""Development tooling (the simulator, the utterance matcher, dialogs, envelope builders) lives under
``footwork.skill.dev`` and is loaded only by a development server or by the commands that use it."""

import json
import subprocess
import sys

PROBE = """
import json, sys
from footwork.skill.app import create_app
create_app({{"FOOTWORK_VERIFY": {verify}, "FOOTWORK_DEV": {dev}, "FOOTWORK_SKILL_ID": "any",
             "FOOTWORK_DB": sys.argv[1]}})
print(json.dumps(sorted(m for m in sys.modules if m.startswith("footwork.skill.dev"))))
"""


def loaded_dev_modules(tmp_path, *, dev: bool) -> list[str]:
    code = PROBE.format(verify="True", dev=str(dev))
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "progress.sqlite3")],
                            capture_output=True, text=True, timeout=120, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_production_app_imports_no_development_tooling(tmp_path):
    assert loaded_dev_modules(tmp_path, dev=False) == []


def test_the_development_server_registers_the_simulator(tmp_path):
    assert "footwork.skill.dev.simulator" in loaded_dev_modules(tmp_path, dev=True)
