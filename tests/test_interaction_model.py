"""Behaviour of the Alexa interaction model: built from the installed packs, checked before use.

Packs added by a test are real packs: a module object with a ``footwork_pack_file`` hook and a
pack.toml on disk, loaded by ``load_catalog`` the way installed packs are; the command-line tests
install one through an entry point on ``PYTHONPATH`` (what ``pip install`` leaves behind) and run the
real command in a new process.
"""

from __future__ import annotations

import copy
import json

import pytest
from footwork.core import Level, load_catalog
from footwork.skill.interaction_model import (
    BUILT_IN_INTENTS,
    LOCALES,
    build_interaction_model,
    check_interaction_model,
    check_invocation_name,
    intents_for,
    spoken,
)
from in_test_packs import catalog_with, footwork, installed_pack_site, pack_entry, routine_toml

SEED_ROUTINES = {"ankle", "foot", "heel-raises", "toe-walking"}


# --- helpers -------------------------------------------------------------------------------------


def language(model: dict) -> dict:
    return model["interactionModel"]["languageModel"]


def intent(model: dict, name: str) -> dict:
    return next(i for i in language(model)["intents"] if i["name"] == name)


def slot_type(model: dict, name: str) -> dict:
    return next(t for t in language(model)["types"] if t["name"] == name)


def values_by_id(model: dict, name: str = "ROUTINE") -> dict[str, dict]:
    return {v["id"]: v["name"] for v in slot_type(model, name)["values"]}


@pytest.fixture(scope="module")
def seed_model() -> dict:
    return build_interaction_model(catalog_with())


# --- what the model holds ------------------------------------------------------------------------


def test_the_model_has_the_invocation_name_and_every_intent_the_handlers_use(seed_model):
    assert language(seed_model)["invocationName"] == "foot work"
    names = [i["name"] for i in language(seed_model)["intents"]]
    assert names[:3] == ["StartRoutineIntent", "ListRoutinesIntent", "DescribeRoutineIntent"]
    assert set(BUILT_IN_INTENTS) <= set(names)
    conversation = {"HurtIntent", "WaitIntent", "WhatsNextIntent", "HowLongIntent", "EasierIntent",
                    "HarderIntent", "SlowerIntent", "FasterIntent", "SkipIntent", "WhereIntent",
                    "SafetyIntent", "SetModeIntent"}
    assert conversation <= set(names)
    assert len(names) == len(set(names)) == 16 + len(conversation)
    assert intent(seed_model, "StartRoutineIntent")["slots"] == [
        {"name": "routine", "type": "ROUTINE"}, {"name": "level", "type": "LEVEL"},
        {"name": "mode", "type": "MODE"}]
    assert intent(seed_model, "SetModeIntent")["slots"] == [{"name": "mode", "type": "MODE"}]
    assert intent(seed_model, "DescribeRoutineIntent")["slots"] == [{"name": "routine", "type": "ROUTINE"}]
    assert intent(seed_model, "ListRoutinesIntent")["slots"] == []


def test_the_model_keeps_exactly_the_alexa_json_shape(seed_model):
    assert set(seed_model) == {"interactionModel"}
    assert set(seed_model["interactionModel"]) == {"languageModel"}
    assert set(language(seed_model)) == {"invocationName", "intents", "types"}
    for item in language(seed_model)["intents"]:
        assert set(item) == {"name", "slots", "samples"}
        assert all(set(slot) == {"name", "type"} for slot in item["slots"])
    for kind in language(seed_model)["types"]:
        assert set(kind) == {"name", "values"}
        for value in kind["values"]:
            assert set(value) == {"id", "name"} and set(value["name"]) == {"value", "synonyms"}
    assert json.loads(json.dumps(seed_model)) == seed_model


def test_custom_intents_have_varied_samples_and_built_ins_only_the_everyday_words(seed_model):
    start = intent(seed_model, "StartRoutineIntent")["samples"]
    assert len(start) >= 20
    assert len(intent(seed_model, "ListRoutinesIntent")["samples"]) >= 8
    assert len(intent(seed_model, "DescribeRoutineIntent")["samples"]) >= 8
    assert {"start {routine}", "start the {routine} routine", "begin my {routine} exercises",
            "do {routine} at {level} level", "let's do the {routine}"} <= set(start)
    extended = {"AMAZON.NextIntent", "AMAZON.ResumeIntent", "AMAZON.StopIntent"}
    for name in BUILT_IN_INTENTS:
        samples = intent(seed_model, name)["samples"]
        assert samples == [] or name in extended
    next_samples = set(intent(seed_model, "AMAZON.NextIntent")["samples"])
    assert {"ready", "done", "carry on", "go", "finished"} <= next_samples
    assert "resume my routine" in intent(seed_model, "AMAZON.ResumeIntent")["samples"]
    assert "that's enough for today" in intent(seed_model, "AMAZON.StopIntent")["samples"]
    assert {"that hurts", "my ankle hurts", "I'm in pain", "ouch", "I feel dizzy"} <= set(
        intent(seed_model, "HurtIntent")["samples"])


def test_the_four_seed_routines_are_slot_values_with_their_synonyms(seed_model):
    values = values_by_id(seed_model)
    assert set(values) == SEED_ROUTINES
    assert values["ankle"]["value"] == "ankle strengthening"
    assert {"ankle", "ankles", "ankle exercises"} <= set(values["ankle"]["synonyms"])
    # The id read aloud is a synonym, but the name is never repeated as its own synonym.
    assert values["toe-walking"]["value"] == "toe walking"
    assert "toe walking" not in values["toe-walking"]["synonyms"]
    assert "heel raises" not in values["heel-raises"]["synonyms"]
    assert {"heel lifts", "heel raise"} <= set(values["heel-raises"]["synonyms"])
    for value in values.values():
        assert len(value["synonyms"]) == len(set(value["synonyms"]))


def test_level_values_use_the_core_level_ids(seed_model):
    values = values_by_id(seed_model, "LEVEL")
    assert set(values) == {level.value for level in Level}
    assert values["first-time"] == {"value": "first time", "synonyms": ["beginner", "easiest"]}
    assert set(values["gentle"]["synonyms"]) == {"easy", "light"}
    assert set(values["standard"]["synonyms"]) == {"normal", "regular", "medium"}
    # "harder" is a step up from where the person is (HarderIntent), not the strong level.
    assert set(values["strong"]["synonyms"]) == {"hard", "challenging", "intense"}


def test_mode_values_use_the_narration_mode_ids(seed_model):
    values = values_by_id(seed_model, "MODE")
    assert set(values) == {"guided", "hands-free"}
    assert {"one at a time", "stop between exercises"} <= set(values["guided"]["synonyms"])
    assert {"without stopping", "don't stop between exercises"} <= set(values["hands-free"]["synonyms"])


@pytest.mark.parametrize("locale", LOCALES)
def test_the_model_for_every_locale_passes_the_checks(locale):
    model = build_interaction_model(catalog_with(), locale)
    assert check_interaction_model(model) == []


def test_some_locales_get_their_own_phrasings_and_unknown_locales_are_refused():
    catalog = catalog_with()
    assert "crack on" in intent(build_interaction_model(catalog, "en-GB"), "AMAZON.NextIntent")["samples"]
    assert "crack on" not in intent(build_interaction_model(catalog, "en-US"), "AMAZON.NextIntent")["samples"]
    with pytest.raises(ValueError, match="de-DE"):
        build_interaction_model(catalog, "de-DE")


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("start the ankle routine", "StartRoutineIntent"),
        ("let's do heel raises", "StartRoutineIntent"),
        ("do toe walking at gentle level", "StartRoutineIntent"),
        ("begin my feet exercises", "StartRoutineIntent"),
        ("heel lifts", "StartRoutineIntent"),
        ("make it easy", "StartRoutineIntent"),
        ("list the routines", "ListRoutinesIntent"),
        ("what routines do you have", "ListRoutinesIntent"),
        ("what's in the foot routine", "DescribeRoutineIntent"),
        ("how long is the ankle routine", "DescribeRoutineIntent"),
        ("what do I need for tiptoe walking", "DescribeRoutineIntent"),
        ("ready", "AMAZON.NextIntent"),
        ("carry on", "AMAZON.NextIntent"),
    ],
)
def test_natural_requests_match_exactly_one_intent(seed_model, said, expected):
    assert intents_for(said, seed_model) == [expected]


# --- packs installed later -----------------------------------------------------------------------


def test_a_pack_installed_later_becomes_a_routine_value(tmp_path, seed_model):
    entry = pack_entry(tmp_path, "calves", "calf-stretches", "Calf stretches", ("calves", "calf routine"))
    model = build_interaction_model(catalog_with(entry))
    values = values_by_id(model)
    assert set(values) == SEED_ROUTINES | {"calf-stretches"}
    assert values["calf-stretches"] == {"value": "calf stretches", "synonyms": ["calves", "calf routine"]}
    assert "calf-stretches" not in values_by_id(seed_model)
    assert check_interaction_model(model) == []
    assert intents_for("start the calves routine", model) == ["StartRoutineIntent"]


def test_titles_are_spoken_in_lower_case_without_punctuation(tmp_path):
    entry = pack_entry(tmp_path, "towel", "towel-flex", "Towel flex, lying-down", ("Towel-Flex",))
    values = values_by_id(build_interaction_model(catalog_with(entry, seeds=False)))
    assert values["towel-flex"] == {"value": "towel flex lying down", "synonyms": ["towel flex"]}
    assert spoken("Sam\u2019s  (Heel) Raises") == "sam's heel raises"


def test_a_synonym_two_routines_claim_is_dropped_from_both_with_a_warning(tmp_path):
    first = pack_entry(tmp_path, "calf-a", "calf-raises", "Calf raises", ("calf", "raises on toes"))
    second = pack_entry(tmp_path, "calf-b", "calf-stretch", "Calf stretch", ("calf", "stretch"))
    warnings: list[str] = []
    model = build_interaction_model(catalog_with(first, second, seeds=False), warnings=warnings)
    values = values_by_id(model)
    assert "calf" not in values["calf-raises"]["synonyms"]
    assert "calf" not in values["calf-stretch"]["synonyms"]
    assert "raises on toes" in values["calf-raises"]["synonyms"]
    assert len(warnings) == 1 and "'calf'" in warnings[0] and "calf-raises" in warnings[0]
    assert check_interaction_model(model) == []


def test_a_synonym_that_is_another_routines_name_stays_with_that_routine(tmp_path):
    heel = pack_entry(tmp_path, "heels", "heels", "Heel drops", ("heels",))
    borrower = pack_entry(tmp_path, "other", "other", "Foot taps", ("heel drops", "taps"))
    warnings: list[str] = []
    model = build_interaction_model(catalog_with(heel, borrower, seeds=False), warnings=warnings)
    values = values_by_id(model)
    assert values["other"]["synonyms"] == ["taps", "other"]
    assert values["heels"]["value"] == "heel drops"
    assert len(warnings) == 1 and "heel drops" in warnings[0]


# --- the checker -----------------------------------------------------------------------------------


def edited(model: dict, change) -> dict:
    copied = copy.deepcopy(model)
    change(language(copied))
    return copied


def find(lm: dict, name: str) -> dict:
    return next(i for i in lm["intents"] if i["name"] == name)


def test_a_sample_repeated_in_another_intent_is_caught_ignoring_case_and_spaces(seed_model):
    model = edited(seed_model,
                   lambda lm: find(lm, "DescribeRoutineIntent")["samples"].append("List  the Routines"))
    problems = check_interaction_model(model)
    assert len(problems) == 1
    assert "List  the Routines" in problems[0] and "ListRoutinesIntent" in problems[0]


def test_a_sample_repeated_in_the_same_intent_is_caught(seed_model):
    model = edited(seed_model, lambda lm: find(lm, "ListRoutinesIntent")["samples"].append("list routines"))
    assert any("repeated" in p for p in check_interaction_model(model))


def test_a_slot_the_intent_does_not_define_is_caught(seed_model):
    model = edited(seed_model, lambda lm: find(lm, "DescribeRoutineIntent")["samples"].append(
        "describe {routine} at {level} level"))
    problems = check_interaction_model(model)
    assert problems == ["intent DescribeRoutineIntent: sample 'describe {routine} at {level} level' uses "
                        "slot {level}, which the intent does not define"]


def test_a_slot_used_twice_in_one_sample_is_caught(seed_model):
    model = edited(seed_model, lambda lm: find(lm, "StartRoutineIntent")["samples"].append(
        "do {routine} then {routine}"))
    assert any("more than once" in p for p in check_interaction_model(model))


def test_a_slot_type_that_is_not_defined_is_caught_and_built_in_types_are_fine(seed_model):
    def change(lm):
        find(lm, "ListRoutinesIntent")["slots"] = [{"name": "kind", "type": "KIND"},
                                                    {"name": "when", "type": "AMAZON.DATE"}]
    problems = check_interaction_model(edited(seed_model, change))
    assert problems == ["intent ListRoutinesIntent: slot kind has type KIND, which is not defined"]


@pytest.mark.parametrize(
    "sample",
    ["start {routine}!", "start, {routine}", "do five reps of {routine}?", "do 5 reps of {routine}",
     "start {routine} & rest", "start the {routine routine", "start {routine} - now"],
)
def test_samples_with_characters_alexa_refuses_are_caught(seed_model, sample):
    model = edited(seed_model, lambda lm: find(lm, "StartRoutineIntent")["samples"].append(sample))
    problems = check_interaction_model(model)
    assert problems and all(sample in p for p in problems)


def test_apostrophes_and_abbreviation_periods_are_allowed_in_samples(seed_model):
    model = edited(seed_model, lambda lm: find(lm, "StartRoutineIntent")["samples"].extend(
        ["let's start my doctor's {routine}", "start the p. t. {routine}"]))
    assert check_interaction_model(model) == []


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Foot Work", "lower case"),
        ("feet", "at least two words"),
        ("alexa foot work", "wake word"),
        ("echo feet", "wake word"),
        ("foot work skill", "'skill'"),
        ("foot work app", "'app'"),
        ("ask foot work", "launch word"),
        ("foot and ankle", "connecting word"),
        ("the feet", "article or preposition"),
        ("foot-work", "only letters"),
        ("foot work 2", "spelled out"),
        ("foot work.", "period"),
        ("feet'n ankles", "possessive"),
        ("", "missing"),
    ],
)
def test_bad_invocation_names_are_caught(seed_model, name, fragment):
    assert any(fragment in p for p in check_invocation_name(name)), check_invocation_name(name)
    model = edited(seed_model, lambda lm: lm.update(invocationName=name))
    assert any(fragment in p for p in check_interaction_model(model))


@pytest.mark.parametrize(
    "name", ["foot work", "footwork", "sam's foot work", "a. b. c. feet", "happy feet daily"]
)
def test_good_invocation_names_pass(name):
    assert check_invocation_name(name) == []


def test_two_values_with_one_id_are_caught(seed_model):
    def change(lm):
        next(t for t in lm["types"] if t["name"] == "ROUTINE")["values"].append(
            {"id": "ankle", "name": {"value": "ankle circles", "synonyms": []}})
    problems = check_interaction_model(edited(seed_model, change))
    assert any("id 'ankle' is used by more than one value" in p for p in problems)


def test_a_synonym_standing_for_two_routines_is_caught(seed_model):
    def change(lm):
        values = next(t for t in lm["types"] if t["name"] == "ROUTINE")["values"]
        next(v for v in values if v["id"] == "foot")["name"]["synonyms"].append("Heel  Lifts")
    problems = check_interaction_model(edited(seed_model, change))
    assert len(problems) == 1 and "'heel-raises'" in problems[0] and "'foot'" in problems[0]


def test_a_routine_type_with_no_routines_is_caught():
    model = build_interaction_model(load_catalog(entries=[]))
    assert "slot type ROUTINE has no values" in check_interaction_model(model)


def test_a_missing_required_intent_and_a_custom_intent_without_samples_are_caught(seed_model):
    def change(lm):
        lm["intents"] = [i for i in lm["intents"] if i["name"] != "AMAZON.FallbackIntent"]
        find(lm, "ListRoutinesIntent")["samples"] = []
    problems = check_interaction_model(edited(seed_model, change))
    assert any("AMAZON.FallbackIntent is missing" in p for p in problems)
    assert any("ListRoutinesIntent: a custom intent needs sample" in p for p in problems)


def test_the_checker_lists_every_problem_at_once(seed_model):
    def change(lm):
        lm["invocationName"] = "Alexa Feet App"
        find(lm, "ListRoutinesIntent")["samples"].append("start {routine}")
        find(lm, "DescribeRoutineIntent")["samples"].append("describe {thing}")
    problems = check_interaction_model(edited(seed_model, change))
    assert len(problems) >= 5
    joined = "\n".join(problems)
    for fragment in ("lower case", "wake word", "'app'", "{routine}, which the intent does not define",
                     "also a sample of StartRoutineIntent", "{thing}"):
        assert fragment in joined


# --- footwork model --------------------------------------------------------------------------------


def test_footwork_model_prints_a_pack_installed_after_the_first_run(tmp_path):
    before = footwork("model")
    assert before.returncode == 0, before.stderr
    assert "calf-stretches" not in before.stdout
    site = installed_pack_site(tmp_path / "site", "calves",
                               routine_toml("calves", "calf-stretches", "Calf stretches", ("calves",)))
    after = footwork("model", "--locale", "en-AU", site=site)
    assert after.returncode == 0, after.stderr
    model = json.loads(after.stdout)
    assert values_by_id(model)["calf-stretches"] == {"value": "calf stretches", "synonyms": ["calves"]}
    assert set(values_by_id(model)) == SEED_ROUTINES | {"calf-stretches"}


def test_footwork_model_refuses_a_model_that_fails_the_checks(tmp_path):
    site = installed_pack_site(tmp_path / "site", "odd", routine_toml("odd", "odd", "Calf & shin"))
    result = footwork("model", site=site)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "calf & shin" in result.stderr and "error:" in result.stderr


def test_footwork_model_help_has_an_example():
    from click.testing import CliRunner
    from footwork.skill.cli.model import model_command

    result = CliRunner().invoke(model_command, ["--help"])
    assert result.exit_code == 0
    assert "footwork model --locale en-GB" in result.output
