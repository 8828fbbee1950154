"""Start-up policy: settings that would quietly open the service are refused, or shouted about.

In process (``service_policy`` and ``create_app``), then for real: gunicorn importing
``footwork.skill.wsgi`` and ``footwork serve`` as subprocesses, which must stop with one line naming the
variable, never a traceback, and never keep running.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from footwork.core import load_catalog
from footwork.core.settings import SettingsError
from footwork.skill import create_app
from footwork.skill.service_policy import (
    ANY_SKILL_WARNING,
    DEV_WARNING,
    VERIFY_OFF_WARNING,
    service_policy,
)

SKILL = "amzn1.ask.skill.00000000-0000-0000-0000-000000000001"
GUNICORN = Path(sys.executable).with_name("gunicorn")
FOOTWORK = Path(sys.executable).with_name("footwork")


@pytest.mark.parametrize("value", ["", " ", "maybe", "2", "offf"])
def test_unknown_verify_value_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^FOOTWORK_VERIFY: "):
        service_policy(verify=value, skill_ids=SKILL)


@pytest.mark.parametrize("value", ["", "sure"])
def test_unknown_dev_value_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError, match=r"^FOOTWORK_DEV: "):
        service_policy(dev=value, skill_ids=SKILL)


@pytest.mark.parametrize("value", ["false", "no", "off", "0", "OFF"])
def test_verification_off_outside_dev_mode_is_a_loud_warning(value: str) -> None:
    policy = service_policy(verify=value)
    assert policy.verify is False
    assert policy.warnings == (VERIFY_OFF_WARNING,)


def test_missing_skill_id_with_verification_on_is_refused() -> None:
    with pytest.raises(SettingsError, match=r"^FOOTWORK_SKILL_ID: is not set") as caught:
        service_policy(verify="1")
    assert "FOOTWORK_SKILL_ID=any" in str(caught.value), "the message says how to choose 'any skill'"


def test_any_skill_is_allowed_with_a_warning() -> None:
    policy = service_policy(skill_ids="any")
    assert policy.verify and policy.any_skill and policy.skill_ids is None
    assert policy.warnings == (ANY_SKILL_WARNING,)


def test_several_skill_ids_are_all_checked() -> None:
    policy = service_policy(skill_ids=f"{SKILL}, amzn1.ask.skill.other")
    assert policy.skill_ids == {SKILL, "amzn1.ask.skill.other"}
    assert policy.warnings == ()


def test_dev_mode_needs_no_skill_id_and_says_verification_is_off() -> None:
    policy = service_policy(dev="yes")
    assert policy.dev and not policy.verify
    assert policy.warnings == (DEV_WARNING,)


def app_config(tmp_path: Path, **config: Any) -> dict[str, Any]:
    return {"FOOTWORK_DB": str(tmp_path / "f.sqlite3"), "FOOTWORK_CATALOG": load_catalog(), **config}


def test_create_app_refuses_verification_without_a_skill_id(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^FOOTWORK_SKILL_ID: "):
        create_app(app_config(tmp_path, FOOTWORK_VERIFY=True, FOOTWORK_SKILL_ID=None))


def test_healthz_says_when_any_skill_is_answered(tmp_path: Path) -> None:
    health = create_app(app_config(tmp_path, FOOTWORK_SKILL_ID="any")).test_client().get("/healthz").json
    assert health["verification"] == "on"
    assert health["skill_ids"] == "any"
    assert health["warnings"] == [ANY_SKILL_WARNING]


def test_healthz_counts_the_skill_ids_checked(tmp_path: Path) -> None:
    app = create_app(app_config(tmp_path, FOOTWORK_SKILL_ID=f"{SKILL},amzn1.ask.skill.two"))
    health = app.test_client().get("/healthz").json
    assert health["verification"] == "on"
    assert health["skill_ids"] == 2
    assert "warnings" not in health


def test_healthz_warns_when_verification_is_off_outside_dev_mode(tmp_path: Path) -> None:
    health = create_app(app_config(tmp_path, FOOTWORK_VERIFY="off")).test_client().get("/healthz").json
    assert health["verification"] == "off"
    assert health["warnings"] == [VERIFY_OFF_WARNING]


# --- real processes --------------------------------------------------------------------------------


def clean_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTWORK_")}
    env["FOOTWORK_DB"] = str(tmp_path / "f.sqlite3")
    env.update(settings)
    return env


REFUSED = [
    pytest.param({"FOOTWORK_VERIFY": "", "FOOTWORK_SKILL_ID": SKILL}, "FOOTWORK_VERIFY", id="verify-empty"),
    pytest.param({"FOOTWORK_VERIFY": "maybe", "FOOTWORK_SKILL_ID": SKILL}, "FOOTWORK_VERIFY", id="word"),
    pytest.param({"FOOTWORK_DEV": " ", "FOOTWORK_SKILL_ID": SKILL}, "FOOTWORK_DEV", id="dev-blank"),
    pytest.param({}, "FOOTWORK_SKILL_ID", id="no-skill-id"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("settings", "variable"), REFUSED)
def test_gunicorn_stops_with_one_line_naming_the_setting(
    tmp_path: Path, settings: dict[str, str], variable: str
) -> None:
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed in this environment (pip install footwork[serve])")
    result = subprocess.run(
        [str(GUNICORN), "--bind", "127.0.0.1:0", "--workers", "1", "--no-control-socket",
         "footwork.skill.wsgi:app"],
        env=clean_env(tmp_path, **settings), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0, "gunicorn kept running with a refused setting"
    assert f"footwork: cannot start: {variable}: " in result.stderr
    assert "Traceback" not in result.stderr
    assert "App failed to load" in result.stderr, "gunicorn stops instead of restarting workers"


@pytest.mark.slow
@pytest.mark.parametrize(("settings", "variable"), REFUSED)
def test_footwork_serve_stops_with_one_line_naming_the_setting(
    tmp_path: Path, settings: dict[str, str], variable: str
) -> None:
    result = subprocess.run(
        [str(FOOTWORK), "serve", "--port", "0"], env=clean_env(tmp_path, **settings),
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert f"footwork serve: cannot start: {variable}: " in result.stderr
    assert "Traceback" not in result.stderr
