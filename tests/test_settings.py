"""Settings: read in one place (footwork.core.settings), and a value not understood is an error."""

import pytest
from footwork.core.settings import (
    ANY_SKILL,
    Settings,
    SettingsError,
    parse_flag,
    parse_pack_selection,
    parse_skill_ids,
    strict_from_env,
)


@pytest.mark.parametrize("word", ["1", "true", "TRUE", "On", "yes", " yes "])
def test_flag_words_that_mean_on(word):
    assert parse_flag("FOOTWORK_X", word, False) is True


@pytest.mark.parametrize("word", ["0", "false", "False", "OFF", "no", " no"])
def test_flag_words_that_mean_off(word):
    assert parse_flag("FOOTWORK_X", word, True) is False


@pytest.mark.parametrize("word", ["", " ", "disabled", "2", "nope", "y"])
def test_flag_refuses_anything_else_and_names_the_variable(word):
    with pytest.raises(SettingsError, match=r"^FOOTWORK_VERIFY: expected one of 1/0"):
        parse_flag("FOOTWORK_VERIFY", word, True)


def test_an_unset_flag_takes_its_default_and_a_bool_is_kept():
    assert parse_flag("FOOTWORK_X", None, True) is True
    assert parse_flag("FOOTWORK_X", None, False) is False
    assert parse_flag("FOOTWORK_X", False, True) is False


def test_pack_selection_unset_empty_and_listed():
    assert parse_pack_selection(None) is None
    assert parse_pack_selection("") == frozenset()
    assert parse_pack_selection(" , ") == frozenset()
    assert parse_pack_selection("ankle, foot ,,") == {"ankle", "foot"}


def test_skill_ids_one_several_any_or_none():
    assert parse_skill_ids(None) is None
    assert parse_skill_ids("  ") is None
    assert parse_skill_ids("amzn1.ask.skill.a") == {"amzn1.ask.skill.a"}
    both = {"amzn1.ask.skill.a", "amzn1.ask.skill.b"}
    assert parse_skill_ids("amzn1.ask.skill.a, amzn1.ask.skill.b") == both
    assert parse_skill_ids(["amzn1.ask.skill.a"]) == {"amzn1.ask.skill.a"}
    assert parse_skill_ids("ANY") == ANY_SKILL
    with pytest.raises(SettingsError, match="FOOTWORK_SKILL_ID"):
        parse_skill_ids("any,amzn1.ask.skill.a")


def test_settings_from_an_environment():
    settings = Settings.from_env({
        "FOOTWORK_PACKS": "ankle", "FOOTWORK_STRICT": "yes", "FOOTWORK_DEV": "0", "FOOTWORK_VERIFY": "on",
        "FOOTWORK_SKILL_ID": "amzn1.ask.skill.a", "FOOTWORK_DB": "/tmp/x.sqlite3",
        "AWS_LAMBDA_FUNCTION_NAME": "footwork",
    })
    assert settings == Settings(
        packs=frozenset({"ankle"}), strict=True, dev=False, verify=True,
        skill_ids=frozenset({"amzn1.ask.skill.a"}), db="/tmp/x.sqlite3", on_lambda=True,
    )
    assert Settings.from_env({}) == Settings()


def test_strict_mode_from_the_environment_fails_closed():
    assert strict_from_env({"FOOTWORK_STRICT": "1"})
    assert not strict_from_env({})
    with pytest.raises(SettingsError, match="FOOTWORK_STRICT"):
        strict_from_env({"FOOTWORK_STRICT": "maybe"})
