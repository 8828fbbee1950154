"""The pack data validator: what it accepts, and how it words what it refuses.

Every refusal names the pack, the file, the path to the field and what is wrong, and lists every
problem in the file at once.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
from footwork.core import (
    SCHEMA_VERSION,
    Alphabet,
    Amount,
    Count,
    Hold,
    Move,
    PackDataError,
    PackError,
    Problem,
    Repeat,
    Rest,
    Say,
    SwitchSide,
    parse_pack_data,
    read_pack_file,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[1]

HEAD = textwrap.dedent(
    """\
    schema = 1

    [pack]
    name = "ankle"
    title = "Ankle"
    description = "For the tests."

    [pack.source]
    title = "The tests"
    """
)


def exercise(ident: str = "lift", *, steps: str = '{ say = "Lift your foot." }', **fields: str) -> str:
    """One [[exercises]] table; ``fields`` are extra TOML lines, their values written as TOML."""
    extra = "".join(f"{key} = {value}\n" for key, value in fields.items())
    return f'\n[[exercises]]\nid = "{ident}"\nname = "Lift"\nposition = "seated"\n{extra}steps = [{steps}]\n'


def routine(*refs: str, ident: str = "ankle") -> str:
    listed = ", ".join(f'"{r}"' for r in refs)
    return f'\n[[routines]]\nid = "{ident}"\ntitle = "Routine"\nexercises = [{listed}]\n'


def problems(text: str | bytes, pack: str | None = "ankle") -> list[str]:
    """The problems ``text`` has, each as ``path: message``; fails if it has none."""
    with pytest.raises(PackDataError) as caught:
        parse_pack_data(text, pack=pack)
    return [str(p) for p in caught.value.problems]


def one_problem(text: str | bytes, pack: str | None = "ankle") -> str:
    [only] = problems(text, pack)
    return only


def steps_problem(steps: str, **fields: str) -> str:
    return one_problem(HEAD + exercise(steps=steps, **fields))


# --- what is accepted ------------------------------------------------------------------------------


def test_a_full_pack_reads_into_the_model():
    text = (
        HEAD
        + exercise(
            "towel-flex",
            sides='"each"',
            first_side='"right"',
            sets="[2, 3]",
            rest="[10, 15]",
            needs='["towel", ["bed", "floor"]]',
            cautions='["Go gently."]',
            setup='[{ say = "Lie on a bed." }]',
            steps=(
                '{ say = "Flex your {side} foot, not the {other}." }, { hold = 5 }, '
                '{ count = [10, 20], say = "Raise it {count} times.", seconds_each = 3 }, '
                '{ move = 20, say = "Walk for {seconds} seconds." }, { rest = [10, 15] }, '
                '{ side = "left" }, { say = "Again." }, '
                '{ repeat = 5, more = true, say = "{count} more times." }, '
                '{ alphabet = true, say = "Trace the alphabet." }'
            ),
        )
        + routine("towel-flex", "heel-raises:heel-raises")
    )
    pack = parse_pack_data(text, pack="ankle", version="2.0.0")
    assert (pack.name, pack.title, pack.version, pack.schema, pack.language) == (
        "ankle",
        "Ankle",
        "2.0.0",
        1,
        "en",
    )
    [ex] = pack.exercises
    assert ex.ref == "ankle:towel-flex" and ex.positions == ("seated",)
    assert ex.dose.sets == Amount(2, 3) and ex.dose.rest_between_sets == Amount(10, 15)
    assert (ex.dose.sides, ex.dose.first_side) == ("each", "right")
    assert ex.needs == (("towel",), ("bed", "floor")) and ex.cautions == ("Go gently.",)
    assert ex.setup == (Say("Lie on a bed."),)
    assert ex.steps == (
        Say("Flex your {side} foot, not the {other}."),
        Hold(Amount.exactly(5)),
        Count(Amount(10, 20), "Raise it {count} times.", 3.0),
        Move(Amount.exactly(20), "Walk for {seconds} seconds."),
        Rest(Amount(10, 15)),
        SwitchSide("left"),
        Say("Again."),
        Repeat(Amount.exactly(5), None, True, "{count} more times."),
        Alphabet("Trace the alphabet."),
    )
    [(unresolved, refs)] = pack.unresolved
    assert unresolved.id == "ankle" and refs == ("ankle:towel-flex", "heel-raises:heel-raises")


def test_the_file_version_is_used_when_the_installed_one_is_unknown():
    text = HEAD.replace('title = "Ankle"', 'title = "Ankle"\nversion = "0.3"') + exercise()
    assert parse_pack_data(text, pack="ankle").version == "0.3"


def test_a_byte_order_mark_is_not_an_error():
    assert parse_pack_data(("\ufeff" + HEAD + exercise()).encode("utf-8"), pack="ankle").name == "ankle"


@pytest.mark.parametrize("folder", sorted(p.name for p in (REPO / "packs").iterdir() if p.is_dir()))
def test_the_seed_packs_data_files_are_valid(folder):
    [data] = (REPO / "packs" / folder).glob("*/pack.toml")
    pack = read_pack_file(data, pack=folder)
    assert pack.name == folder and pack.exercises


# --- the exact message -----------------------------------------------------------------------------


def test_a_bad_hold_is_named_by_pack_file_path_and_reason():
    steps = '{ say = "Roll back." }, { say = "Stay there." }, { hold = "five" }'
    text = HEAD + exercise("a") + exercise("b") + exercise("c") + exercise("d", steps=steps)
    with pytest.raises(PackDataError) as caught:
        parse_pack_data(text, pack="ankle", file="pack.toml")
    error = caught.value
    assert (
        str(error)
        == "ankle: pack.toml: exercises[3].steps[2].hold: expected seconds between 1 and 600, got 'five'"
    )
    assert isinstance(error, PackError)
    assert (error.pack, error.file) == ("ankle", "pack.toml")
    assert error.problems == [
        Problem("exercises[3].steps[2].hold", "expected seconds between 1 and 600, got 'five'")
    ]
    assert (
        error.reason
        == "pack.toml: exercises[3].steps[2].hold: expected seconds between 1 and 600, got 'five'"
    )


def test_without_an_installed_name_the_file_names_the_pack():
    with pytest.raises(PackDataError) as caught:
        parse_pack_data(HEAD + exercise(steps="{ hold = 0 }"), pack=None, file="ankle.toml")
    assert str(caught.value).startswith("ankle: ankle.toml: exercises[0].steps[0].hold: expected seconds")


def test_every_problem_is_listed_not_only_the_first():
    text = (
        HEAD.replace('title = "Ankle"', "title = 5")
        + exercise(
            "one", steps='{ hold = "five" }, { count = 0, say = "Lift {count} times." }', sides='"sometimes"'
        )
        + exercise("Two", steps='{ say = "Stand {up}." }')
        + routine("one", "onee")
    )
    with pytest.raises(PackDataError) as caught:
        parse_pack_data(text, pack="ankle")
    prefix = "ankle: pack.toml: "
    assert [line.removeprefix(prefix) for line in str(caught.value).splitlines()] == [
        "pack.title: expected non-empty text, got 5",
        "exercises[0].sides: expected one of one, both, each, alternating, got 'sometimes'",
        "exercises[0].steps[0].hold: expected seconds between 1 and 600, got 'five'",
        "exercises[0].steps[1].count: expected a count between 1 and 100 (a whole number), got 0",
        "exercises[1].id: expected an id of lower-case letters, digits and single hyphens, got 'Two'",
        "exercises[1].steps[0].say: unknown placeholder {up}; allowed: {other}, {side}",
        "routines[0].exercises[1]: no exercise 'onee' in this pack; did you mean 'one'?",
    ]
    assert all(line.startswith(prefix) for line in str(caught.value).splitlines())


def test_an_exercise_with_a_problem_is_still_known_to_routines_and_duplicate_checks():
    text = (
        HEAD
        + exercise("one", steps="{ hold = 0 }")
        + exercise("two")
        + exercise("one")
        + routine("one", "two")
    )
    assert problems(text) == [
        "exercises[0].steps[0].hold: expected seconds between 1 and 600, got 0",
        "exercises[2].id: exercise id 'one' is used twice in this pack",
    ]


def test_duplicate_routine_ids_are_refused():
    text = HEAD + exercise() + routine("lift") + routine("lift")
    assert one_problem(text) == "routines[1].id: routine id 'ankle' is used twice in this pack"


# --- unknown fields --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + exercise(nmae='"Lift"'), "exercises[0].nmae: unknown field; did you mean 'name'?"),
        (HEAD + exercise(step="[]"), "exercises[0].step: unknown field; did you mean 'steps'?"),
        (
            HEAD + exercise(steps="{ hodl = 5 }"),
            "exercises[0].steps[0].hodl: unknown field; did you mean 'hold'?",
        ),
        (
            HEAD + exercise(steps="{ hold = 5, sya = 'Hold.' }"),
            "exercises[0].steps[0].sya: unknown field; did you mean 'say'?",
        ),
        (
            HEAD.replace("[pack.source]", 'langauge = "en"\n[pack.source]') + exercise(),
            "pack.langauge: unknown field; did you mean 'language'?",
        ),
        (
            HEAD + exercise() + routine("lift").replace("title", "tilte"),
            "routines[0].tilte: unknown field; did you mean 'title'?",
        ),
        (
            HEAD + "[[exercise]]\nid = 'x'\n" + exercise(),
            "exercise: unknown field; did you mean 'exercises'?",
        ),
        (
            HEAD + exercise(colour='"red"'),
            "exercises[0].colour: unknown field; expected one of about, cautions,",
        ),
    ],
)
def test_an_unknown_field_is_named_with_a_guess(text, expected):
    # A misspelt required field is also reported missing, after the guess.
    assert problems(text)[0].startswith(expected)


def test_a_say_step_with_a_misspelt_kind_is_one_problem_each():
    # A step with no kind is an instruction: the misspelt key, and the text it then lacks.
    assert problems(HEAD + exercise(steps="{ hodl = 5 }")) == [
        "exercises[0].steps[0].hodl: unknown field; did you mean 'hold'?",
        "exercises[0].steps[0].say: required field is missing",
    ]


def test_missing_required_fields_are_named_once():
    text = "schema = 1\n" + exercise()
    assert problems(text, pack=None) == ["pack: required field is missing"]
    assert problems(HEAD.replace('[pack.source]\ntitle = "The tests"\n', "") + exercise()) == [
        "pack.source: required field is missing"
    ]


# --- amounts and ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "amount"),
    [
        ("5", "hold", Amount(5, 5)),
        ("[10, 20]", "hold", Amount(10, 20)),
        ("[10, 10]", "hold", Amount(10, 10)),
        ("2.5", "hold", Amount(2.5, 2.5)),
        ("1", "hold", Amount(1, 1)),
        ("600", "hold", Amount(600, 600)),
        ("[5, 10]", "count", Amount(5, 10)),
        ("100", "count", Amount(100, 100)),
    ],
)
def test_amounts_and_ranges_accepted(value, kind, amount):
    say = ', say = "{count} times."' if kind == "count" else ""
    pack = parse_pack_data(HEAD + exercise(steps=f"{{ {kind} = {value}{say} }}"), pack="ankle")
    step = pack.exercises[0].steps[0]
    assert (step.seconds if kind == "hold" else step.times) == amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[20, 10]", "range goes down: [20, 10]; write [low, high]"),
        ("[0, 10]", "expected a range [low, high] of seconds between 1 and 600, got [0, 10]"),
        ("[10, 601]", "expected a range [low, high] of seconds between 1 and 600, got [10, 601]"),
        ("[1, 2, 3]", "expected a range [low, high] of seconds between 1 and 600, got [1, 2, 3]"),
        ("[]", "expected a range [low, high] of seconds between 1 and 600, got []"),
        ("0", "expected seconds between 1 and 600, got 0"),
        ("601", "expected seconds between 1 and 600, got 601"),
        ("-5", "expected seconds between 1 and 600, got -5"),
        ("true", "expected seconds between 1 and 600, got True"),
        ("nan", "expected seconds between 1 and 600, got nan"),
        ("inf", "expected seconds between 1 and 600, got inf"),
        ("{ low = 1 }", "expected seconds between 1 and 600, got a table"),
    ],
)
def test_bad_holds_and_ranges_are_refused(value, expected):
    assert steps_problem(f"{{ hold = {value} }}") == f"exercises[0].steps[0].hold: {expected}"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("sets", "21", "sets: expected sets between 1 and 20 (a whole number), got 21"),
        ("sets", "2.5", "sets: expected sets between 1 and 20 (a whole number), got 2.5"),
        ("sets", "[3, 2]", "sets: range goes down: [3, 2]; write [low, high]"),
        ("rest", "[15, 10]", "rest: range goes down: [15, 10]; write [low, high]"),
        ("rest", "0", "rest: expected seconds between 1 and 600, got 0"),
    ],
)
def test_bad_doses_are_refused(field, value, expected):
    assert one_problem(HEAD + exercise(**{field: value})) == f"exercises[0].{expected}"


def test_a_count_must_be_whole_and_its_pace_sensible():
    assert steps_problem('{ count = 2.5, say = "Lift." }') == (
        "exercises[0].steps[0].count: expected a count between 1 and 100 (a whole number), got 2.5"
    )
    assert steps_problem('{ count = 5, say = "Lift.", seconds_each = 0 }') == (
        "exercises[0].steps[0].seconds_each: expected seconds above 0 and at most 30, got 0"
    )


# --- placeholders ----------------------------------------------------------------------------------


def test_side_placeholders_are_refused_when_both_feet_work_together():
    assert steps_problem('{ say = "Circle your {side} foot." }', sides='"both"') == (
        "exercises[0].steps[0].say: unknown placeholder {side}; allowed: none here"
    )
    assert steps_problem('{ count = 5, say = "{count} circles, then the {other}." }', sides='"both"') == (
        "exercises[0].steps[0].say: unknown placeholder {other}; allowed: {count}"
    )


def test_setup_is_said_once_so_it_names_no_side():
    assert one_problem(HEAD + exercise(sides='"each"', setup='[{ say = "Lift your {side} leg." }]')) == (
        "exercises[0].setup[0].say: unknown placeholder {side}; allowed: none here"
    )


@pytest.mark.parametrize(
    ("step", "placeholder", "allowed"),
    [
        ('{ say = "Lift your {foot}." }', "{foot}", "{other}, {side}"),
        ('{ say = "Lift {count} times." }', "{count}", "{other}, {side}"),
        ('{ hold = 5, say = "Hold {count}." }', "{count}", "{other}, {seconds}, {side}"),
        ('{ count = 5, say = "For {seconds} seconds." }', "{seconds}", "{count}, {other}, {side}"),
        ('{ say = "Lift your {}." }', "{}", "{other}, {side}"),
        ('{ say = "Lift your {0}." }', "{0}", "{other}, {side}"),
    ],
)
def test_an_unknown_placeholder_is_refused_with_the_allowed_ones(step, placeholder, allowed):
    assert (
        steps_problem(step)
        == f"exercises[0].steps[0].say: unknown placeholder {placeholder}; allowed: {allowed}"
    )


@pytest.mark.parametrize(
    "step",
    [
        '{ say = "Lift your {side} foot, then your {other}." }',
        '{ count = 5, say = "Lift your {side} foot {count} times." }',
        '{ move = 20, say = "Walk for {seconds} seconds." }',
        '{ rest = 10, say = "Rest {seconds} seconds." }',
        '{ say = "A brace: {{ and }}." }',
    ],
)
def test_known_placeholders_are_accepted(step):
    parse_pack_data(HEAD + exercise(steps=step, sides='"each"'), pack="ankle")


def test_unbalanced_braces_are_explained():
    assert steps_problem('{ say = "Lift your {side foot." }').startswith(
        "exercises[0].steps[0].say: unbalanced braces in text"
    )


# --- repeats ---------------------------------------------------------------------------------------


def test_a_repeat_reads_times_steps_and_more():
    pack = parse_pack_data(
        HEAD + exercise(steps='{ say = "A." }, { hold = 5 }, { say = "B." }, { repeat = [2, 3], steps = 2 }'),
        pack="ankle",
    )
    assert pack.exercises[0].steps[-1] == Repeat(Amount(2, 3), 2, False, None)


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            '{ say = "A." }, { say = "B." }, { repeat = 5, steps = 3 }',
            "steps[2].steps: expected how many of the 2 steps before it to repeat (1 to 2), got 3",
        ),
        (
            '{ say = "A." }, { repeat = 5, steps = 0 }',
            "steps[1].steps: expected how many of the 1 steps before it to repeat (1 to 1), got 0",
        ),
        (
            '{ say = "A." }, { repeat = 5, steps = true }',
            "steps[1].steps: expected how many of the 1 steps before it to repeat (1 to 1), got True",
        ),
        (
            '{ say = "A." }, { repeat = 5, steps = "all" }',
            "steps[1].steps: expected how many of the 1 steps before it to repeat (1 to 1), got 'all'",
        ),
        (
            "{ repeat = 5 }",
            "steps[0].repeat: nothing to repeat: no steps before it since the last repeat or side change",
        ),
        (
            '{ say = "A." }, { repeat = 2 }, { repeat = 3 }',
            "steps[2].repeat: nothing to repeat: no steps before it since the last repeat or side change",
        ),
        (
            '{ say = "A." }, { side = "right" }, { repeat = 3 }',
            "steps[2].repeat: nothing to repeat: no steps before it since the last repeat or side change",
        ),
        # A repeat never reaches back into another repeat: the narrator repeats only what came since.
        (
            '{ say = "A." }, { say = "B." }, { repeat = 2 }, { say = "C." }, { repeat = 2, steps = 2 }',
            "steps[4].steps: expected how many of the 1 steps before it to repeat (1 to 1), got 2",
        ),
        (
            '{ say = "A." }, { repeat = 0 }',
            "steps[1].repeat: expected a count between 1 and 100 (a whole number), got 0",
        ),
        ('{ say = "A." }, { repeat = 2, more = "yes" }', "steps[1].more: expected true or false, got 'yes'"),
    ],
)
def test_repeat_bounds(steps, expected):
    assert steps_problem(steps) == f"exercises[0].{expected}"


def test_the_steps_of_a_repeat_count_even_when_an_earlier_step_is_wrong():
    # Only the bad hold is reported: the repeat still sees three steps before it.
    text = HEAD + exercise(
        steps='{ say = "A." }, { hold = "long" }, { say = "B." }, { repeat = 2, steps = 3 }'
    )
    assert problems(text) == ["exercises[0].steps[1].hold: expected seconds between 1 and 600, got 'long'"]


def test_other_step_shapes_are_refused():
    assert steps_problem('{ hold = 5, count = 3, say = "x" }') == (
        "exercises[0].steps[0]: a step is one thing; this one is hold and count"
    )
    assert (
        steps_problem('{ side = "middle" }')
        == "exercises[0].steps[0].side: expected left or right, got 'middle'"
    )
    assert steps_problem('{ alphabet = "yes", say = "Trace." }') == (
        "exercises[0].steps[0].alphabet: expected true, got 'yes'"
    )
    assert steps_problem('"Lift your foot."') == (
        "exercises[0].steps[0]: expected a step table such as { say = \"...\" }, got 'Lift your foot.'"
    )
    assert one_problem(HEAD + exercise().replace("steps = [", "steps = [] #")) == (
        "exercises[0].steps: expected a non-empty list of steps, got []"
    )


# --- the schema version ----------------------------------------------------------------------------


def test_a_newer_schema_is_refused_with_upgrade_footwork_and_nothing_else():
    newer = SCHEMA_VERSION + 1
    text = (
        HEAD.replace("schema = 1", f"schema = {newer}")
        + exercise(videos="[]")
        + "\n[media]\nkind = 'audio'\n"
    )
    with pytest.raises(PackDataError) as caught:
        parse_pack_data(text, pack="ankle")
    [problem] = caught.value.problems
    assert problem.path == "schema"
    assert f"needs footwork schema {newer}" in problem.message
    assert f"reads schema {SCHEMA_VERSION} at most" in problem.message
    assert "upgrade footwork" in problem.message


@pytest.mark.parametrize(("value", "shown"), [('"1"', "'1'"), ("0", "0"), ("true", "True"), ("1.0", "1.0")])
def test_a_malformed_schema_version_is_refused(value, shown):
    text = HEAD.replace("schema = 1", f"schema = {value}") + exercise()
    assert one_problem(text) == f"schema: expected a schema version (a whole number from 1), got {shown}"


def test_a_missing_schema_version_is_refused():
    assert one_problem(HEAD.replace("schema = 1\n", "") + exercise()) == "schema: required field is missing"


# --- the file itself -------------------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused():
    raw = (HEAD + exercise()).encode("utf-8").replace(b"Lift your foot", b"L\xeft your foot")
    assert one_problem(raw).startswith("the file is not UTF-8 text (invalid continuation byte at byte ")


def test_invalid_toml_is_refused_with_its_place():
    message = one_problem(HEAD + "[[exercises]\nid = 'x'\n")
    assert message.startswith("not valid TOML: ") and "(at line 10, column 12)" in message
    with pytest.raises(PackDataError) as caught:
        parse_pack_data(b"schema = ", pack="ankle", file="pack.toml")
    assert str(caught.value).startswith("ankle: pack.toml: not valid TOML:")


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(PackDataError) as caught:
        read_pack_file(tmp_path / "pack.toml", pack="ankle")
    assert str(caught.value) == "ankle: pack.toml: cannot read the file: No such file or directory"


def test_an_empty_pack_is_refused():
    assert one_problem(HEAD) == "the pack has no exercises and no routines"


def test_the_installed_name_must_match_the_file():
    assert one_problem(HEAD + exercise(), pack="heel-raises") == (
        "pack.name: the file says 'ankle', but the pack is installed as 'heel-raises'"
    )


# --- routines --------------------------------------------------------------------------------------


def test_a_routine_naming_an_unknown_local_exercise_gets_a_guess():
    text = HEAD + exercise("towel-flex") + routine("towel-flx")
    assert (
        one_problem(text)
        == "routines[0].exercises[0]: no exercise 'towel-flx' in this pack; did you mean 'towel-flex'?"
    )
    assert one_problem(HEAD + exercise("towel-flex") + routine("juggling")) == (
        "routines[0].exercises[0]: no exercise 'juggling' in this pack"
    )


def test_routine_references_must_be_well_formed():
    assert one_problem(HEAD + exercise() + routine("Heel Raises:x")) == (
        "routines[0].exercises[0]: expected an exercise id or 'pack:exercise', got 'Heel Raises:x'"
    )
    assert one_problem(HEAD + exercise() + routine()) == (
        "routines[0].exercises: expected a non-empty list of exercise ids, got []"
    )


# --- nothing crashes the validator -----------------------------------------------------------------

toml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 700) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["say", "hold", "x"]), inner, max_size=3)
    ),
    max_leaves=6,
)
step_tables = st.dictionaries(
    st.sampled_from(
        ["say", "hold", "count", "move", "rest", "side", "repeat", "steps", "more", "alphabet", "oops"]
    ),
    toml_values,
    max_size=3,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(step_tables | toml_values, max_size=4), sides=st.sampled_from(["one", "both", "each", 3])
)
def test_any_steps_give_a_pack_or_a_list_of_problems_never_a_crash(steps, sides):
    document = {
        "schema": 1,
        "pack": {"name": "ankle", "title": "A", "description": "D", "source": {"title": "S"}},
        "exercises": [{"id": "lift", "name": "Lift", "position": "seated", "sides": sides, "steps": steps}],
    }
    from footwork.core._schema import _Reader

    reader = _Reader()
    pack = reader.document(document, expected_name="ankle", version=None)
    assert (pack is None) == bool(reader.problems)
    assert all(isinstance(p, Problem) and p.path.startswith(("exercises[0]", "")) for p in reader.problems)


# --- coaching fields: movement cues, getting into position, spoken lines, equipment cautions --------


def test_a_count_and_a_repeat_may_name_the_phases_and_pace_of_their_movement():
    steps = ('{ count = 5, say = "Press.", phases = ["press", "and relax"], seconds_each = 4 }, '
             '{ say = "Tap." }, { repeat = 3, phases = ["tap"], seconds_each = 1.5 }')
    pack = parse_pack_data(HEAD + exercise(steps=steps), pack="ankle")
    count, _, repeat = pack.exercises[0].steps

    assert (count.phases, count.seconds_each) == (("press", "and relax"), 4.0)
    assert (repeat.phases, repeat.seconds_each) == (("tap",), 1.5)
    assert parse_pack_data(HEAD + exercise(steps='{ count = 5, say = "Lift." }'), pack="ankle").exercises[0] \
        .steps[0].phases is None


@pytest.mark.parametrize("phases", ['[]', '"up"', '["up", 2]', '["a", "b", "c", "d", "e"]', '[""]'])
def test_phases_must_be_a_short_list_of_words(phases):
    assert steps_problem(f'{{ count = 5, say = "Lift.", phases = {phases} }}').startswith(
        "exercises[0].steps[0].phases: expected a list of 1 to 4 short words said through one movement")


def test_an_exercise_may_say_what_ready_means_and_how_long_to_settle():
    pack = parse_pack_data(HEAD + exercise(ready='"you\'re lying down with your {side} knee up"', settle="15",
                                           sides='"each"'), pack="ankle")

    lift = pack.exercises[0]
    assert (lift.ready, lift.settle) == ("you're lying down with your {side} knee up", 15)


def test_a_settle_shorter_than_ten_seconds_is_refused():
    assert one_problem(HEAD + exercise(settle="5")) == (
        "exercises[0].settle: expected at least 10 seconds to get into position, got 5")


def test_a_say_step_may_give_the_words_said_aloud_beside_the_articles():
    steps = '{ say = "Roll back.", aloud = "Rock back onto your heels." }'
    pack = parse_pack_data(HEAD + exercise(steps=steps), pack="ankle")
    step = pack.exercises[0].steps[0]

    assert (step.text, step.spoken) == ("Roll back.", "Rock back onto your heels.")
    assert steps_problem('{ say = "Roll back.", aloud = "Rock {sideways}." }').startswith(
        "exercises[0].steps[0].aloud: unknown placeholder {sideways}")


def test_a_routine_caution_about_equipment_is_said_only_when_an_exercise_needs_it():
    text = HEAD + exercise() + exercise("weights", needs='["ankle-weights"]') + textwrap.dedent("""
        [[routines]]
        id = "plain"
        title = "Plain"
        exercises = ["lift"]
        cautions = ["Go gently.", { say = "Use ankle weights wisely.", needs = "ankle-weights" }]

        [[routines]]
        id = "weighted"
        title = "Weighted"
        exercises = ["lift", "weights"]
        cautions = ["Go gently.", { say = "Use ankle weights wisely.", needs = "ankle-weights" }]
        """)
    pack = parse_pack_data(text, pack="ankle")
    by_ref = {e.ref: e for e in pack.exercises}
    # Resolving references is the catalog's job; done by hand here, for the one pack.
    plain_routine, weighted_routine = (dataclasses.replace(r, exercises=tuple(by_ref[ref] for ref in refs))
                                       for r, refs in pack.unresolved)

    assert plain_routine.cautions == ("Go gently.", "Use ankle weights wisely.")
    assert plain_routine.spoken_cautions == ("Go gently.",)
    assert weighted_routine.spoken_cautions == ("Go gently.", "Use ankle weights wisely.")
    assert one_problem(HEAD + exercise() + textwrap.dedent("""
        [[routines]]
        id = "plain"
        title = "Plain"
        exercises = ["lift"]
        cautions = [{ say = "Use them wisely.", needs = "dumbbells" }]
        """)).startswith("routines[0].cautions[0].needs: expected equipment")
