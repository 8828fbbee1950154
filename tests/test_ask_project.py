"""``footwork package DIR``: an ASK CLI project that ``ask deploy`` accepts, web service or Lambda.

``skill.json`` and every interaction model are round-tripped through ask-smapi-model's classes (Amazon's
own schema for SMAPI): a key the schema does not know is dropped on the way through, so the round trip
differs, and a value outside an enumeration fails to deserialise.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from footwork.core import load_catalog
from footwork.skill.skill_package import LAMBDA_HANDLER, build_project, check_manifest
from in_test_packs import footwork

MANIFEST = "ask_smapi_model.v1.skill.manifest.skill_manifest_envelope.SkillManifestEnvelope"
MODEL = "ask_smapi_model.v1.skill.interaction_model.interaction_model_data.InteractionModelData"
ENDPOINT = "https://footwork.example.org/alexa"
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:footwork"

pytest.importorskip("ask_smapi_model", reason="ask-smapi-model is missing (pip install 'footwork[test]')")


def round_trip(document: dict[str, Any], model_class: str) -> Any:
    serializer = DefaultSerializer()
    return serializer.serialize(serializer.deserialize(json.dumps(document), model_class))


def project(tmp_path: Path, *args: str) -> dict[str, Any]:
    result = footwork("package", str(tmp_path / "project"), *args)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "project"
    return {str(p.relative_to(root)): p.read_text(encoding="utf-8") for p in root.rglob("*") if p.is_file()}


def test_a_web_service_project_round_trips_through_amazons_schema(tmp_path: Path) -> None:
    files = project(tmp_path, "--endpoint", ENDPOINT)

    resources = json.loads(files["ask-resources.json"])
    assert resources == {"askcliResourcesVersion": "2020-03-31",
                         "profiles": {"default": {"skillMetadata": {"src": "./skill-package"}}}}
    skill = json.loads(files["skill-package/skill.json"])
    assert round_trip(skill, MANIFEST) == skill
    events = skill["manifest"]["events"]
    assert events["subscriptions"] == [{"eventName": "SKILL_DISABLED"}]
    assert events["endpoint"] == {"uri": ENDPOINT, "sslCertificateType": "Trusted"}
    models = [name for name in files if name.startswith("skill-package/interactionModels/custom/")]
    assert len(models) == 5
    for name in models:
        model = json.loads(files[name])
        assert round_trip(model, MODEL) == model, name
    assert not any(name.startswith("lambda/") for name in files)


def test_a_lambda_project_has_the_code_its_handler_and_dynamodb(tmp_path: Path) -> None:
    files = project(tmp_path, "--lambda", "--region", "eu-west-1", "--table", "progress",
                    "--skill-id", "amzn1.ask.skill.1234")

    profile = json.loads(files["ask-resources.json"])["profiles"]["default"]
    assert profile["code"] == {"default": {"src": "./lambda"}}
    infrastructure = profile["skillInfrastructure"]
    assert infrastructure["type"] == "@ask-cli/lambda-deployer"
    assert infrastructure["userConfig"]["handler"] == LAMBDA_HANDLER == "footwork.skill.lambda_handler"
    assert infrastructure["userConfig"]["awsRegion"] == "eu-west-1"
    assert infrastructure["userConfig"]["runtime"].startswith("python3.")
    assert infrastructure["userConfig"]["lambda"]["environmentVariables"] == {
        "FOOTWORK_DB": "dynamodb://progress", "FOOTWORK_SKILL_ID": "amzn1.ask.skill.1234"}
    requirements = files["lambda/requirements.txt"].splitlines()
    assert f"footwork[dynamodb]=={version('footwork')}" in requirements
    for pack in load_catalog().packs:
        assert f"{pack.distribution}=={pack.version}" in requirements
    skill = json.loads(files["skill-package/skill.json"])
    assert round_trip(skill, MANIFEST) == skill
    assert "endpoint" not in skill["manifest"]["apis"]["custom"]  # ask deploy fills it in
    assert "events" not in skill["manifest"]  # events need the function's ARN: the second deploy


def test_a_lambda_project_without_an_arn_or_skill_id_says_what_to_do_after_the_first_deploy(
    tmp_path: Path
) -> None:
    result = footwork("package", str(tmp_path / "project"), "--lambda")

    assert result.returncode == 0, result.stderr
    assert "--lambda-arn" in result.stderr and "--skill-id" in result.stderr
    assert "footwork data init" in result.stderr


def test_with_a_known_function_the_events_go_to_it(tmp_path: Path) -> None:
    files = project(tmp_path, "--lambda", "--lambda-arn", ARN, "--skill-id", "amzn1.ask.skill.1234")

    manifest = json.loads(files["skill-package/skill.json"])["manifest"]
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": ARN}
    assert manifest["events"]["endpoint"] == {"uri": ARN}
    assert round_trip({"manifest": manifest}, MANIFEST) == {"manifest": manifest}


def test_the_schema_catches_an_unknown_key_and_a_bad_event_name() -> None:
    skill = build_project(load_catalog(), endpoint=ENDPOINT)["skill-package/skill.json"]
    unknown = json.loads(json.dumps(skill))
    unknown["manifest"]["apis"]["custom"]["endpointt"] = {"uri": ENDPOINT}
    misspelt = json.loads(json.dumps(skill))
    misspelt["manifest"]["events"]["subscriptions"] = [{"eventName": "SKILL_DISABLE"}]

    assert round_trip(unknown, MANIFEST) != unknown
    with pytest.raises(SerializationException):
        round_trip(misspelt, MANIFEST)


def test_a_manifest_without_the_skill_disabled_subscription_is_a_problem() -> None:
    files = build_project(load_catalog(), endpoint=ENDPOINT)
    skill = files["skill-package/skill.json"]
    models = {Path(name).stem: model for name, model in files.items() if "interactionModels" in name}
    del skill["manifest"]["events"]

    assert any("SKILL_DISABLED" in problem for problem in check_manifest(skill, models))


def test_lambda_and_an_endpoint_together_are_refused(tmp_path: Path) -> None:
    result = footwork("package", str(tmp_path / "project"), "--lambda", "--endpoint", ENDPOINT)

    assert result.returncode == 2 and not (tmp_path / "project").exists()
