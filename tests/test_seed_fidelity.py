"""The seed packs against the articles they are written from: every step, number, side and caution.

The articles live beside the checkout, in ``../shared/seeds``; where they are absent this module
skips, saying where it looked. Nothing of their text is copied here: the test finds each exercise's
numbered steps in the article, reads every number out of them and checks it against the loaded
pack, with the article → pack mapping below spelled out.

What "faithful" means here:

* every number in an exercise's steps is in the pack's exercise, as the same kind of thing (a
  5 second hold is a hold of 5, "10-20 reps" a count of 10 to 20, "2-3 sets" the dose), as often as
  the article says it, and the pack has no number the article does not give (nothing invented);
* most words of every step are in the exercise's own words, and its key phrases all are;
* the exercises come in the article's order, sides alternate where the article switches sides, the
  first side is the article's, and the text names sides through {side}/{other}, never literally;
* every caution the article gives is in the cautions of the routine (or of the exercise it is about),
  and every routine keeps a pain-free-range caution.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from footwork.core import (
    Alphabet,
    Amount,
    Count,
    Exercise,
    Hold,
    Move,
    Repeat,
    Rest,
    Routine,
    Say,
    SwitchSide,
    load_catalog,
)

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("FOOTWORK_SEEDS", REPO.parent / "shared" / "seeds"))

if not SEEDS.is_dir() or not list(SEEDS.glob("*.txt")):
    pytest.skip(f"the source articles are not here: no *.txt in {SEEDS}", allow_module_level=True)

ANKLE_ARTICLE = "Easy Ankle Strengthening Exercises"
FOOT_ARTICLE = "5 Foot Exercises To Relieve Back, Hip, And Knee Pain"


# --- the mapping: article exercise -> pack exercise ------------------------------------------------


@dataclass(frozen=True)
class Mapped:
    """One exercise of an article and the pack exercise that carries it."""

    #: Text found only just before this exercise's numbered steps (its heading or lead-in line).
    marker: str
    #: The pack exercise, ``pack:exercise``.
    ref: str
    #: Where the article has it done, and its own words for that.
    positions: tuple[str, ...]
    position_words: str
    #: The side the article works first, and its words for it; None where it names no side.
    first_side: str | None = None
    side_words: str | None = None
    #: Phrases of the steps that the pack must keep (both sides normalised, see ``normal``).
    phrases: tuple[str, ...] = ()


ANKLE = (
    Mapped(
        "This is great for ankles, calves, and thighs!",
        "ankle:roll-back",
        ("supported-standing",),
        "rest your hands on a table or the back of a chair for support",
        phrases=("table or the back of a chair", "roll back onto your ankle"),
    ),
    Mapped(
        "Laying on a bed or on the floor.",
        "ankle:towel-flex",
        ("lying",),
        "laying on a bed or on the floor",
        first_side="left",
        side_words="calf of your left leg",
        phrases=(
            "bed or on the floor",
            "rolled towel under the calf",
            "knee straight",
            "toward your body",
            "opposite direction",
        ),
    ),
    Mapped(
        "Sitting in a straight back chair.",
        "ankle:seated-ankle-circles",
        ("seated",),
        "sitting in a straight back chair",
        phrases=(
            "straight back",
            "small clockwise circles with both feet",
            "small counter clockwise circles with both feet",
        ),
    ),
    Mapped(
        "While still sitting upright.",
        "ankle:turn-in-and-out",
        ("seated",),
        "sitting upright",
        phrases=("sitting upright", "slowly turn your feet inward", "slowly turn your feet outward"),
    ),
    Mapped(
        "And, staying seated.",
        "ankle:press-feet-together",
        ("seated",),
        "staying seated",
        first_side="left",
        side_words="press your left foot inward against the right foot",
        phrases=("both feet flat on the floor with the insides together", "gently press", "inward against"),
    ),
    Mapped(
        "Sitting on the edge of a STURDY Chair.",
        "ankle:outstretched-toe-press",
        ("seated",),
        "sitting on the edge of a sturdy chair",
        phrases=(
            "edge of a sturdy chair",
            "slide both legs out so that they are fully outstretched",
            "flat on the floor",
            "toes toward the floor",
            "pull on the front of your ankle",
            "lift your heels slightly",
        ),
    ),
    Mapped(
        "Either while sitting or standing well supported.",
        "ankle:alphabet",
        ("seated", "supported-standing"),
        "either while sitting or standing well supported",
        first_side="left",
        side_words="lift your left foot from the floor",
        phrases=("big toe", "outline each letter of the alphabet"),
    ),
)

FOOT = (
    Mapped(
        "1. Heel Raises",
        "heel-raises:heel-raises",
        ("supported-standing",),
        "grab a chair and place it in front of you",
        # The right leg does the work: the left is lifted, the right heel raised and lowered.
        first_side="right",
        side_words="raise and lower right heel",
        phrases=(
            "grab a chair and place it in front of you",
            "stand tall",
            "off the ground",
            "a little at the knee",
            "slowly raise and lower",
            "properly aligned with your leg",
        ),
    ),
    Mapped(
        "2.Toe Walking",
        "toe-walking:toe-walking",
        ("standing",),
        "stand on your tiptoes",
        phrases=("tiptoes", "feet straight", "walk forward", "toes outward", "toes inward", "whole routine"),
    ),
    Mapped(
        "3. Ankle Circles",
        "foot:ankle-circles-lying",
        ("lying",),
        "lie down on your back",
        first_side="right",
        side_words="hug your right knee to your chest",
        phrases=(
            "lie down on your back in a comfortable position",
            "bend your knees",
            "feet flat on the floor",
            "hug your",
            "knee to your chest",
            "12 o'clock",
            "6 o'clock",
            "clockwise",
            "change direction",
            "bring",
            "down",
        ),
    ),
)

#: Each article's routine in the packs, and the exercises in the article's order.
ROUTINES = {"ankle": ANKLE, "foot": FOOT}
#: Packs of one exercise each, with a routine of their own.
SINGLE_ROUTINES = {"heel-raises": "heel-raises:heel-raises", "toe-walking": "toe-walking:toe-walking"}


@dataclass(frozen=True)
class Caution:
    """Something the article warns of (found by ``article_words``), and where the pack must say it."""

    article: str
    article_words: str
    #: A routine id, or an exercise ``pack:exercise`` for a caution about that one exercise.
    where: str
    phrases: tuple[str, ...]


CAUTIONS = (
    Caution(ANKLE_ARTICLE, "with a pain-free range of motion", "ankle", ("pain free range of motion",)),
    Caution(
        ANKLE_ARTICLE,
        "only as many repetitions as you feel comfortable with",
        "ankle",
        ("as many repetitions as you feel comfortable with",),
    ),
    Caution(
        ANKLE_ARTICLE,
        "I only do it a couple of times – I then wait a day or two",
        "ankle",
        ("couple of times", "wait a day or two", "ill effects"),
    ),
    Caution(ANKLE_ARTICLE, "Don’t risk further injury.", "ankle", ("further injury",)),
    Caution(
        ANKLE_ARTICLE,
        "sprained ankle or other bone injuries, see a medical professional",
        "ankle",
        ("sprained ankle", "bone injury", "see a medical professional", "rest", "ice", "heat"),
    ),
    Caution(
        ANKLE_ARTICLE,
        "Not recommended for a chair on wheels, unless the back of the chair is against a wall",
        "ankle:outstretched-toe-press",
        ("chair on wheels", "unless the back of the chair is against a wall"),
    ),
    Caution(
        ANKLE_ARTICLE,
        "ankle weights need to be used wisely",
        "ankle",
        (
            "ankle weights",
            "wisely",
            "force on muscles and joints",
            "existing problem",
            "worse",
            "not well conditioned",
            "injured",
        ),
    ),
    Caution(FOOT_ARTICLE, "It may feel a little awkward", "foot", ("a little awkward",)),
)


# --- reading the articles --------------------------------------------------------------------------

STEP_LINE = re.compile(r"^\s+(\d+)\.\s+(\S.*)$")


@dataclass
class Block:
    """An exercise in an article: the text before its numbered steps, and the steps."""

    intro: str
    steps: list[str]

    def lead(self, marker: str) -> str:
        """The intro from the line with ``marker`` on: the exercise's own heading and lead-in."""
        return self.intro[self.intro.rindex(marker.splitlines()[0]) :]

    def text(self, marker: str) -> str:
        return "\n".join([self.lead(marker), *self.steps])


def article(title: str) -> str:
    found = [p for p in sorted(SEEDS.glob("*.txt")) if title in p.read_text(encoding="utf-8")]
    assert len(found) == 1, f"expected one article titled {title!r} in {SEEDS}, found {found}"
    return found[0].read_text(encoding="utf-8")


def blocks(text: str) -> list[Block]:
    """Every run of indented numbered steps starting at "1.", with the text since the run before."""
    found: list[Block] = []
    intro: list[str] = []
    current: Block | None = None
    for line in text.splitlines():
        match = STEP_LINE.match(line)
        if match and (match.group(1) == "1" or current is not None):
            if match.group(1) == "1":
                current = Block("\n".join(intro), [])
                found.append(current)
                intro = []
            current.steps.append(match.group(2))  # type: ignore[union-attr]
        elif line.strip():
            intro.append(line.strip())
            current = None
    return found


def mapped_blocks(title: str, mapping: tuple[Mapped, ...]) -> list[tuple[int, Block, Mapped]]:
    """Each mapped exercise with its block and the block's place in the article."""
    found = blocks(article(title))
    out = []
    for entry in mapping:
        places = [i for i, block in enumerate(found) if entry.marker in block.intro]
        assert len(places) == 1, f"{entry.marker!r} should come before one block of steps, not {places}"
        out.append((places[0], found[places[0]], entry))
    return out


NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
}


def normal(text: str) -> str:
    """Lower case, plain quotes, hyphens as spaces, number words as digits, single spaces."""
    text = text.lower().replace("’", "'").replace("–", " ").replace("-", " ")
    text = re.sub(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", lambda m: str(NUMBER_WORDS[m.group(1)]), text)
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text).split())


# --- numbers ---------------------------------------------------------------------------------------

#: How the articles give numbers, and what each becomes in a pack: (pattern, kind). A pattern's
#: groups are the number or the low and high of a range.
NUMBER_RULES = (
    (r"hold for (\d+) seconds", "hold"),
    (r"repeat (?:the whole routine )?(\d+) more times", "repeat-more"),
    (r"repeat (\d+) times", "repeat"),
    (r"(\d+)-(\d+) reps", "count"),
    (r"(\d+)(?:-(\d+))? sets", "sets"),
    (r"rest for (\d+)-(\d+) seconds", "rest"),
    (r"walk (?:forward )?for (?:another )?(\d+) seconds", "move"),
    (r"(\d+)(?:-(\d+))? (?:small |in )?(?:(?:counter-)?clockwise )?circles", "count"),
    (r"(\d+) o’clock", "clock"),
)


def article_numbers(steps: list[str]) -> Counter:
    """Every number in ``steps`` as (kind, Amount); a number no rule explains fails the test."""
    found: Counter = Counter()
    for step in steps:
        rest = step
        for pattern, kind in NUMBER_RULES:
            for match in re.finditer(pattern, rest, re.IGNORECASE):
                low, high = match.group(1), (match.groups() + (None,))[1]
                found[kind, Amount(float(low), float(high or low))] += 1
            rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
        assert not re.search(r"\d", rest), f"the test does not know what the number in {step!r} means"
    return found


def pack_numbers(exercise: Exercise) -> Counter:
    """Every number the pack gives this exercise, as (kind, Amount), the way ``article_numbers`` does."""
    found: Counter = Counter()
    for step in (*exercise.setup, *exercise.steps):
        match step:
            case Hold(seconds):
                found["hold", seconds] += 1
            case Count(times):
                found["count", times] += 1
            case Move(seconds):
                found["move", seconds] += 1
            case Rest(seconds):
                found["rest", seconds] += 1
            case Repeat(times, _, more):
                found["repeat-more" if more else "repeat", times] += 1
    if exercise.dose.sets != Amount.exactly(1):
        found["sets", exercise.dose.sets] += 1
    if exercise.dose.rest_between_sets is not None:
        found["rest", exercise.dose.rest_between_sets] += 1
    for hour in re.findall(r"(\d+) o'clock", normal(exercise_text(exercise))):
        found["clock", Amount.exactly(float(hour))] += 1
    return found


# --- words -----------------------------------------------------------------------------------------

STOPWORDS = set(
    "about after also another before both each from have into just make more next once onto should "
    "sure that then them they this those through toward with your when what while will once done "
    "left right alternate switch legs feet foot times seconds best result results perform exercises "
    "ankle workouts".split()
    # The numbers test checks what these say ("Repeat 5 times", "10-20 reps"), and the pack says
    # them as holds, counts and repeats, so here they would only count against plain rewording.
    + ["repeat", "reps"]
)


def exercise_text(exercise: Exercise) -> str:
    """Everything an exercise says, with the numbers of holds, counts and repeats spelt out."""
    parts = [exercise.name, exercise.about or "", *exercise.cautions]
    for step in (*exercise.setup, *exercise.steps):
        match step:
            case Say(text) | Alphabet(text):
                parts.append(text)
            case Hold(seconds, text):
                parts.append(f"hold for {seconds} seconds. {text or ''}")
            case Count(times, text) | Move(times, text):
                parts.append(text)
            case Rest(seconds, text):
                parts.append(f"rest for {seconds} seconds. {text or ''}")
            case Repeat(times, _, more, text):
                parts.append(f"repeat {times}{' more' if more else ''} times. {text or ''}")
            case SwitchSide(_, text):
                parts.append(text or "")
    if exercise.dose.sets != Amount.exactly(1):
        parts.append(f"{exercise.dose.sets} sets")
    return " ".join(parts)


def stem(word: str) -> str:
    for ending in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def key_words(text: str) -> set[str]:
    words = normal(text).split()
    return {stem(w) for w in words if len(w) >= 4 and w not in STOPWORDS and not w.isdigit() and "'" not in w}


#: How many of a step's key words the pack's exercise must use (the rest may be plain rewording).
WORD_SHARE = 0.6

#: How the articles say "now the other side"; the pack says it with its dose (sides = "each"), which
#: ``test_positions_and_sides_follow_the_article`` checks, so such a step is not checked word by word.
SIDE_SWITCH = re.compile(r"alternate (legs|feet)|switch legs|repeat with the|repeat the whole exercise with")


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog():
    catalog = load_catalog(only={"ankle", "foot", "heel-raises", "toe-walking"})
    assert not catalog.problems, catalog.problems
    return catalog


def exercise_by_ref(catalog, ref: str) -> Exercise:
    for routine in catalog.routines:
        for exercise in routine.exercises:
            if exercise.ref == ref:
                return exercise
    raise AssertionError(f"no routine uses {ref}")


ALL = [(ANKLE_ARTICLE, m) for m in ANKLE] + [(FOOT_ARTICLE, m) for m in FOOT]


def block_of(title: str, entry: Mapped) -> Block:
    [(_, block, _)] = [b for b in mapped_blocks(title, (entry,))]
    return block


# --- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "mapping"), [(ANKLE_ARTICLE, ANKLE), (FOOT_ARTICLE, FOOT)], ids=["ankle", "foot"]
)
def test_every_exercise_of_the_article_is_mapped_in_order(title, mapping):
    found = mapped_blocks(title, mapping)
    assert [place for place, _, _ in found] == list(range(len(blocks(article(title))))), (
        "every block of numbered steps in the article is mapped, in the article's order"
    )


@pytest.mark.parametrize("routine_id", sorted(ROUTINES))
def test_the_routine_has_the_articles_exercises_in_its_order(catalog, routine_id):
    routine: Routine = catalog.get(routine_id)
    assert routine is not None
    assert [e.ref for e in routine.exercises] == [m.ref for m in ROUTINES[routine_id]]


@pytest.mark.parametrize(("routine_id", "ref"), sorted(SINGLE_ROUTINES.items()))
def test_each_exercise_pack_has_a_routine_of_its_exercise(catalog, routine_id, ref):
    assert [e.ref for e in catalog.get(routine_id).exercises] == [ref]


@pytest.mark.parametrize(("title", "entry"), ALL, ids=[m.ref for _, m in ALL])
def test_every_number_of_the_article_is_in_the_exercise_and_none_is_invented(catalog, title, entry):
    block = block_of(title, entry)
    exercise = exercise_by_ref(catalog, entry.ref)
    wanted = article_numbers(block.steps)
    have = pack_numbers(exercise)
    missing = wanted - have
    assert not missing, f"{entry.ref} lacks the article's {dict(missing)}"
    invented = set(have) - set(wanted)
    assert not invented, f"{entry.ref} has numbers the article does not give: {invented}"


@pytest.mark.parametrize(("title", "entry"), ALL, ids=[m.ref for _, m in ALL])
def test_every_step_of_the_article_is_in_the_exercise(catalog, title, entry):
    block = block_of(title, entry)
    exercise = exercise_by_ref(catalog, entry.ref)
    ours = normal(exercise_text(exercise))
    our_words = {stem(w) for w in ours.split()}
    for phrase in entry.phrases:
        assert normal(phrase) in normal(block.text(entry.marker)), (
            f"the test's phrase {phrase!r} is not in the article"
        )
        assert normal(phrase) in ours, f"{entry.ref} lacks the article's {phrase!r}"
    for step in block.steps:
        if SIDE_SWITCH.search(normal(step)) and not re.search(r"\d", step):
            continue
        words = key_words(step)
        kept = words & our_words
        assert len(kept) >= WORD_SHARE * len(words), (
            f"{entry.ref} leaves out too much of the article's step {step!r}: missing {sorted(words - kept)}"
        )


@pytest.mark.parametrize(("title", "entry"), ALL, ids=[m.ref for _, m in ALL])
def test_positions_and_sides_follow_the_article(catalog, title, entry):
    block = block_of(title, entry)
    exercise = exercise_by_ref(catalog, entry.ref)
    article_text = normal(block.text(entry.marker))
    assert normal(entry.position_words) in article_text
    assert exercise.positions == entry.positions

    names_sides = re.search(r"\b(left|right)\b", article_text) is not None
    assert names_sides == (entry.first_side is not None), (
        "the mapping says which side the article works first"
    )
    if entry.first_side:
        assert normal(entry.side_words) in article_text
        assert entry.first_side in normal(entry.side_words)
        assert SIDE_SWITCH.search(article_text), "the article changes sides"
        assert exercise.dose.sides in ("each", "alternating"), f"{entry.ref} should change sides"
        assert exercise.dose.first_side == entry.first_side
    if "both feet" in article_text and not entry.first_side:
        assert exercise.dose.sides == "both"
    # Sides are named through {side} and {other}, so the second side is said right.
    literal = re.search(r"\b(left|right)\b", normal(exercise_text(exercise)))
    assert literal is None, f"{entry.ref} names a side in its text: use {{side}} or {{other}}"


def test_toe_walking_walks_three_ways_then_rests():
    """ "point your toes inwards and repeat": the third walk has the same 20 seconds."""
    catalog = load_catalog(only={"toe-walking"})
    steps = catalog.get("toe-walking").exercises[0].steps
    walks = [s for s in steps if isinstance(s, Move)]
    assert [w.seconds for w in walks] == [Amount.exactly(20)] * 3
    assert ["straight" in walks[0].text, "outward" in walks[1].text, "inward" in walks[2].text] == [True] * 3
    assert isinstance(steps[3], Rest) and isinstance(steps[4], Repeat) and steps[4].more


@pytest.mark.parametrize("caution", CAUTIONS, ids=[c.article_words[:30] for c in CAUTIONS])
def test_every_caution_of_the_article_is_in_the_packs(catalog, caution):
    assert caution.article_words in article(caution.article), "the test's words are not in the article"
    if ":" in caution.where:
        said = exercise_by_ref(catalog, caution.where).cautions
    else:
        said = catalog.get(caution.where).all_cautions
    text = normal(" ".join(said))
    for phrase in caution.phrases:
        assert normal(phrase) in text, f"{caution.where} cautions lack {phrase!r}"


def test_every_routine_keeps_a_pain_free_range_caution(catalog):
    for routine in catalog.routines:
        assert any("pain free range" in normal(c) for c in routine.cautions), routine.id


def test_the_foot_routine_keeps_the_articles_advice_on_when(catalog):
    advice = "every morning (and again before long walks or exercise)"
    assert advice in article(FOOT_ARTICLE)
    said = normal(" ".join(filter(None, (catalog.get("foot").intro, catalog.get("foot").outro))))
    assert "every morning" in said and "before long walks or exercise" in said


def test_the_packs_name_their_article(catalog):
    titles = {p.name: p.pack.source.title for p in catalog.packs}
    assert ANKLE_ARTICLE in titles["ankle"]
    for name in ("foot", "heel-raises", "toe-walking"):
        assert titles[name] == FOOT_ARTICLE


def test_the_checks_would_catch_a_lost_hold_a_changed_range_and_a_lost_step(catalog):
    """The checks above are not vacuous: small slips in the content are caught."""
    towel_block = block_of(ANKLE_ARTICLE, ANKLE[1])
    towel = exercise_by_ref(catalog, "ankle:towel-flex")
    no_second_hold = dataclasses.replace(towel, steps=towel.steps[:4] + towel.steps[5:])
    assert article_numbers(towel_block.steps) - pack_numbers(no_second_hold)

    heel_block = block_of(FOOT_ARTICLE, FOOT[0])
    heel = exercise_by_ref(catalog, "heel-raises:heel-raises")
    fewer = dataclasses.replace(
        heel,
        steps=(*(s for s in heel.steps if not isinstance(s, Count)),
               Count(Amount(10, 15), "Raise it {count} times.")),
    )
    assert article_numbers(heel_block.steps) - pack_numbers(fewer)
    assert set(pack_numbers(fewer)) - set(article_numbers(heel_block.steps))

    no_towel = dataclasses.replace(towel, steps=towel.steps[1:])
    words = key_words(towel_block.steps[0])
    assert len(words & {stem(w) for w in normal(exercise_text(no_towel)).split()}) < WORD_SHARE * len(words)
