"""Two packs with one routine id, installed as pip would lay them out: both load, everywhere.

The ROUTINE slot value's id is what the skill looks the routine up by, so two values may not share
one. A routine whose id another pack also uses is given its "pack:routine" id, which the catalog
always finds; a routine whose id is its own keeps its plain id, as before. The commands show the
clash as a warning on both packs, once.
"""

from __future__ import annotations

from footwork.core import installed_packs, load_catalog
from footwork.skill import create_app
from footwork.skill.interaction_model import build_interaction_model, check_interaction_model, routine_values
from in_test_packs import footwork, installed_pack_site, routine_toml
from live_server import serve
from people import Person

SEED_PACKS = {"ankle", "foot", "heel-raises", "toe-walking"}


def test_routines_sharing_an_id_get_their_qualified_ids_as_slot_values(plugin, pack_toml):
    entries = [e for e in installed_packs() if e.name in SEED_PACKS]
    entries.append(plugin("aa-dup", pack_toml("aa-dup", routine="heel-raises")))
    catalog = load_catalog(entries)

    values, _ = routine_values(catalog.routines)

    ids = [value["id"] for value in values]
    assert sorted(ids) == ["aa-dup:heel-raises", "ankle", "foot", "heel-raises:heel-raises", "toe-walking"]
    assert all(catalog.get(ident) is not None for ident in ids)
    assert catalog.get("heel-raises:heel-raises").pack == "heel-raises"


def test_a_title_two_packs_use_still_makes_a_valid_model_each_value_saying_whose_it_is(plugin, pack_toml):
    entries = [e for e in installed_packs() if e.name in SEED_PACKS]
    entries.append(plugin("aa-dup", pack_toml("aa-dup", routine="heel-raises").replace(
        'title = "Routine heel-raises"', 'title = "Heel raises"')))
    catalog = load_catalog(entries)

    model = build_interaction_model(catalog)
    values, warnings = routine_values(catalog.routines)

    assert check_interaction_model(model) == []
    names = {value["id"]: value["name"]["value"] for value in values}
    assert names["aa-dup:heel-raises"] == "heel raises from aa dup"
    assert names["heel-raises:heel-raises"] == "heel raises from heel raises"
    assert names["ankle"] == "ankle strengthening", "a title of its own is left as it is"


def test_footwork_packs_shows_the_clash_on_both_packs_and_both_load(tmp_path):
    site = installed_pack_site(tmp_path, "aa-dup", routine_toml("aa-dup", "heel-raises", "Heel raises"))

    listing = footwork("packs", site=site)
    strict = footwork("packs", "--strict", site=site)

    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert [line.split()[:4] for line in lines if line.split()[:1] in (["aa-dup"], ["heel-raises"])] == [
        ["aa-dup", "1.0.0", "footwork-test-aa-dup", "ok"],
        ["heel-raises", "1.0.0", "footwork-heel-raises", "ok"],
    ]
    warnings = [line.strip() for line in lines if line.strip().startswith("warning: ")]
    assert warnings == [
        "warning: routine id 'heel-raises' is also used by pack 'heel-raises'; both load, "
        "'aa-dup:heel-raises' names this one, and 'heel-raises' alone is asked about",
        "warning: routine id 'heel-raises' is also used by pack 'aa-dup'; both load, "
        "'heel-raises:heel-raises' names this one, and 'heel-raises' alone is asked about",
    ]
    assert "5 packs, 5 routines." in listing.stdout
    assert strict.returncode == 1 and "2 packs have problems: aa-dup, heel-raises" in strict.stderr


def test_footwork_say_reports_each_pack_problem_once(tmp_path):
    toml = routine_toml("aa-dup", "heel-raises", "Heel raises")
    site = installed_pack_site(tmp_path / "site", "aa-dup", toml)

    result = footwork("say", "open foot work", site=site, FOOTWORK_DB=str(tmp_path / "progress.sqlite3"))

    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "is also used by pack" in line]
    assert len(problems) == 2 and len(set(problems)) == 2, result.stderr


def test_a_spoken_name_two_packs_answer_to_is_asked_about_naming_the_packs(plugin, pack_toml, tmp_path):
    entries = [e for e in installed_packs() if e.name in SEED_PACKS]
    entries.append(plugin("aa-dup", pack_toml("aa-dup", routine="heel-raises").replace(
        'title = "Routine heel-raises"', 'title = "Heel raises"')))
    catalog = load_catalog(entries)
    app = create_app({"FOOTWORK_VERIFY": False, "FOOTWORK_CATALOG": catalog,
                      "FOOTWORK_DB": str(tmp_path / "progress.sqlite3")})
    with serve(app) as server:
        person = Person(server)
        person.say("ask foot work to start heel raises")
        assert person.session_open
        assert "two routines called heel raises" in person.heard
        assert "heel raises from aa dup or heel raises from heel raises" in person.heard

        person.say("start heel raises from aa dup")
        assert person.session_open
        assert person.last["sessionAttributes"]["place"]["routine"] == "aa-dup:heel-raises"
