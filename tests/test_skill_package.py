"""Behaviour of the ASK CLI skill package: skill.json and a model per locale, checked, then written.

The command-line tests run ``footwork package`` in a new process (the installed ``footwork`` script once
the command is wired into it) and look at what lands on disk, including that nothing does when a check
fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from footwork.skill.interaction_model import LOCALES, build_interaction_model
from footwork.skill.skill_package import (
    DISCLAIMER_PHRASE,
    PLACEHOLDER_ENDPOINT,
    SkillPackageError,
    build_manifest,
    check_endpoint,
    check_manifest,
    health_claims,
    write_skill_package,
)
from in_test_packs import catalog_with, footwork, installed_pack_site, pack_entry, routine_toml

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:footwork"
ENDPOINT = "https://footwork.example.org/alexa"


# --- helpers -------------------------------------------------------------------------------------


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(scope="module")
def catalog():
    return catalog_with()


@pytest.fixture(scope="module")
def manifest(catalog) -> dict:
    return build_manifest(catalog, endpoint=ENDPOINT)


@pytest.fixture(scope="module")
def models(catalog) -> dict[str, dict]:
    return {locale: build_interaction_model(catalog, locale) for locale in LOCALES}


# --- writing the package -------------------------------------------------------------------------


def test_the_package_has_a_manifest_and_a_valid_model_for_all_five_locales(tmp_path, catalog):
    written = write_skill_package(tmp_path / "skill-package", catalog, ENDPOINT)
    root = tmp_path / "skill-package"
    models = [f"interactionModels/custom/{loc}.json" for loc in LOCALES]
    assert files_under(root) == sorted(["skill.json", *models])
    assert sorted(written) == sorted(root / f for f in files_under(root))
    for locale in ("en-US", "en-GB", "en-CA", "en-AU", "en-IN"):
        model = json.loads((root / f"interactionModels/custom/{locale}.json").read_text(encoding="utf-8"))
        assert model == build_interaction_model(catalog, locale)
    skill = json.loads((root / "skill.json").read_text(encoding="utf-8"))
    assert set(skill["manifest"]["publishingInformation"]["locales"]) == set(LOCALES)
    endpoint = skill["manifest"]["apis"]["custom"]["endpoint"]
    assert endpoint == {"uri": ENDPOINT, "sslCertificateType": "Trusted"}


def test_the_manifest_carries_the_disclaimer_and_makes_no_health_claims(manifest, models):
    store = manifest["manifest"]["publishingInformation"]
    assert store["category"] == "HEALTH_AND_FITNESS"
    for locale in LOCALES:
        assert DISCLAIMER_PHRASE in store["locales"][locale]["description"]
        assert "not a substitute for professional medical advice" in store["locales"][locale]["description"]
    assert health_claims(manifest) == []
    assert check_manifest(manifest, models) == []


def test_the_manifest_answers_privacy_and_compliance(manifest):
    assert manifest["manifest"]["privacyAndCompliance"] == {
        "allowsPurchases": False, "usesPersonalInfo": False, "isChildDirected": False,
        "isExportCompliant": True, "containsAds": False,
    }
    assert manifest["manifest"]["apis"]["custom"]["interfaces"] == []


def test_the_example_phrases_open_the_skill_and_are_sample_utterances(manifest):
    phrases = manifest["manifest"]["publishingInformation"]["locales"]["en-US"]["examplePhrases"]
    assert phrases[0] == "Alexa, open foot work"
    assert phrases[1] == "Alexa, ask foot work to start the ankle routine"
    assert len(phrases) <= 3


def test_the_description_names_the_installed_routines(tmp_path):
    entry = pack_entry(tmp_path, "toes", "toe-spread", "Toe spreading")
    manifest = build_manifest(catalog_with(entry))
    description = manifest["manifest"]["publishingInformation"]["locales"]["en-GB"]["description"]
    assert "Toe spreading" in description and "Heel raises" in description


def test_a_lambda_arn_replaces_the_https_endpoint(catalog):
    manifest = build_manifest(catalog, lambda_arn=LAMBDA_ARN)
    assert manifest["manifest"]["apis"]["custom"]["endpoint"] == {"uri": LAMBDA_ARN}
    with pytest.raises(ValueError, match="not both"):
        build_manifest(catalog, endpoint=ENDPOINT, lambda_arn=LAMBDA_ARN)


def test_without_an_endpoint_the_placeholder_is_used_with_a_warning(tmp_path, catalog):
    warnings: list[str] = []
    write_skill_package(tmp_path, catalog, warnings=warnings)
    skill = json.loads((tmp_path / "skill.json").read_text(encoding="utf-8"))
    assert skill["manifest"]["apis"]["custom"]["endpoint"]["uri"] == PLACEHOLDER_ENDPOINT
    assert any("placeholder" in w for w in warnings)


@pytest.mark.parametrize(
    ("endpoint", "fragment"),
    [
        ({"uri": "http://footwork.example.org/alexa", "sslCertificateType": "Trusted"}, "https://"),
        ({"uri": "https://footwork.example.org:8443/alexa", "sslCertificateType": "Trusted"}, "port 443"),
        ({"uri": ENDPOINT, "sslCertificateType": "Expired"}, "sslCertificateType"),
        ({"uri": "arn:aws:lambda:us-east-1:12:function:x"}, "Lambda function ARN"),
        ({"uri": LAMBDA_ARN, "sslCertificateType": "Trusted"}, "Lambda endpoint takes no"),
    ],
)
def test_bad_endpoints_are_caught(endpoint, fragment):
    assert any(fragment in p for p in check_endpoint(endpoint))


@pytest.mark.parametrize("good", [
    {"uri": ENDPOINT, "sslCertificateType": "Wildcard"},
    {"uri": LAMBDA_ARN},
    {"uri": "https://footwork.example.org:443/a", "sslCertificateType": "SelfSigned"},
])
def test_good_endpoints_pass(good):
    assert check_endpoint(good) == []


@pytest.mark.parametrize(
    "claim",
    ["Relieves knee pain in minutes", "Treats plantar fasciitis", "Helps you heal faster",
     "Prevents injuries", "Reduce your pain", "physical therapy at home", "clinically shown"],
)
def test_health_claims_are_found_anywhere_in_the_manifest(manifest, claim):
    altered = json.loads(json.dumps(manifest))
    altered["manifest"]["publishingInformation"]["locales"]["en-IN"]["keywords"].append(claim)
    found = health_claims(altered)
    assert found and all("locales.en-IN.keywords" in f for f in found)


def test_the_checks_catch_a_missing_disclaimer_and_an_example_the_model_does_not_know(manifest, models):
    altered = json.loads(json.dumps(manifest))
    store = altered["manifest"]["publishingInformation"]["locales"]["en-CA"]
    store["description"] = "Foot and ankle exercises."
    store["examplePhrases"].append("Alexa, ask foot work to dance")
    problems = check_manifest(altered, models)
    assert any("en-CA.description must say" in p for p in problems)
    assert any("'dance' is not a sample utterance" in p for p in problems)
    assert any("one to three" in p for p in problems)


def test_a_pack_whose_title_makes_a_health_claim_is_refused_and_nothing_is_written(tmp_path):
    entry = pack_entry(tmp_path, "claims", "heel-relief", "Heel pain relief")
    target = tmp_path / "out"
    with pytest.raises(SkillPackageError) as caught:
        write_skill_package(target, catalog_with(entry), ENDPOINT)
    assert any("pain relief" in p for p in caught.value.problems)
    assert not target.exists()


def test_every_problem_is_listed_in_the_error(tmp_path):
    entry = pack_entry(tmp_path, "odd", "odd", "Calf & shin")
    with pytest.raises(SkillPackageError) as caught:
        write_skill_package(tmp_path / "out", catalog_with(entry), "http://insecure.example.org/")
    problems = caught.value.problems
    for locale in LOCALES:
        assert any(p.startswith(f"{locale}: slot type ROUTINE") and "calf & shin" in p for p in problems)
    assert any("https://" in p for p in problems)
    assert str(len(problems)) in str(caught.value)
    assert not (tmp_path / "out").exists()


# --- footwork package ------------------------------------------------------------------------------


def test_footwork_package_writes_the_package(tmp_path):
    result = footwork("package", str(tmp_path / "pkg"), "--endpoint", ENDPOINT,
                      "--ssl-certificate-type", "Wildcard")
    assert result.returncode == 0, result.stderr
    assert files_under(tmp_path / "pkg") == sorted(
        ["ask-resources.json", "skill-package/skill.json",
         *(f"skill-package/interactionModels/custom/{locale}.json" for locale in LOCALES)])
    skill = json.loads((tmp_path / "pkg" / "skill-package" / "skill.json").read_text(encoding="utf-8"))
    endpoint = skill["manifest"]["apis"]["custom"]["endpoint"]
    assert endpoint == {"uri": ENDPOINT, "sslCertificateType": "Wildcard"}
    assert "wrote" in result.stdout and "warning" not in result.stderr and "ask deploy" in result.stdout


def test_footwork_package_warns_about_the_placeholder_endpoint(tmp_path):
    result = footwork("package", str(tmp_path / "pkg"))
    assert result.returncode == 0, result.stderr
    assert "placeholder" in result.stderr and PLACEHOLDER_ENDPOINT in result.stderr


def test_footwork_package_writes_nothing_when_a_check_fails(tmp_path):
    site = installed_pack_site(tmp_path / "site", "odd", routine_toml("odd", "odd", "Calf & shin"))
    result = footwork("package", str(tmp_path / "pkg"), "--endpoint", "http://insecure.example.org/alexa",
                      site=site)
    assert result.returncode == 1
    assert not (tmp_path / "pkg").exists()
    assert "nothing written" in result.stderr
    assert "calf & shin" in result.stderr and "https://" in result.stderr


def test_footwork_package_with_no_routines_says_so_and_writes_nothing(tmp_path):
    result = footwork("package", str(tmp_path / "pkg"), "--endpoint", ENDPOINT, FOOTWORK_PACKS="")
    assert result.returncode == 1
    assert "no routines are installed" in result.stderr
    assert not (tmp_path / "pkg").exists()


def test_footwork_package_refuses_both_an_endpoint_and_a_lambda_arn(tmp_path):
    result = footwork("package", str(tmp_path / "pkg"), "--endpoint", ENDPOINT, "--lambda-arn", LAMBDA_ARN)
    assert result.returncode == 2
    assert not (tmp_path / "pkg").exists()


def test_footwork_package_help_has_an_example():
    from click.testing import CliRunner
    from footwork.skill.cli.model import package_command

    result = CliRunner().invoke(package_command, ["--help"])
    assert result.exit_code == 0
    assert "footwork package footwork-skill --endpoint https://" in result.output
    assert "footwork package footwork-skill --lambda" in result.output
    assert "--lambda-arn" in result.output and "Wildcard|SelfSigned|Trusted" in result.output
