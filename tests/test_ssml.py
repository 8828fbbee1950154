"""The SSML Alexa gets: well-formed, only tags Alexa supports, no break over 10 s, under 8,000
characters a page, text escaped, and silences exactly as long as the cues plan them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from footwork.core import Level, narrate
from footwork.core.narration import Narration, Page
from footwork.core.paging import SKILL_HEADROOM
from footwork.core.ssml import MAX_SSML_CHARS, break_tags, to_ssml
from narration_content import (
    break_ms,
    every_narration,
    hold_routine,
    routine_from,
    silences,
    ssml_silences,
    ssml_tokens,
)

#: The tags of Alexa's SSML reference (developer.amazon.com, "Speech Synthesis Markup Language
#: (SSML) Reference"), by the name xml.etree gives them.
ALEXA_TAGS = {
    "speak", "break", "say-as", "p", "s", "prosody", "emphasis", "sub", "phoneme", "w", "audio", "lang",
    "voice", "mark",
}
SAY_AS = {"characters", "spell-out", "cardinal", "number", "ordinal", "digits", "fraction", "unit", "date",
          "time", "telephone", "address", "interjection", "expletive"}


def first_exercise_page(narration: Narration) -> Page:
    """The first page where the exercise is done: in guided mode the intro's page gets the person into
    position first."""
    working = ("hold", "count", "letter", "move")
    return next(p for p in narration.pages if any(c.kind in working for c in p.cues))


@every_narration
def test_every_page_is_well_formed_ssml_with_only_tags_alexa_supports(routine, level, mode):
    for page in narrate(routine, level, mode).pages:
        root = ET.fromstring(page.ssml)
        assert root.tag == "speak"
        for element in root.iter():
            assert element.tag in ALEXA_TAGS, element.tag
            if element.tag == "say-as":
                assert element.attrib["interpret-as"] in SAY_AS


@every_narration
def test_no_break_is_longer_than_ten_seconds_and_every_page_is_under_8000_characters(routine, level, mode):
    for page in narrate(routine, level, mode).pages:
        assert len(page.ssml) < MAX_SSML_CHARS - SKILL_HEADROOM
        for element in ET.fromstring(page.ssml).iter("break"):
            assert set(element.attrib) == {"time"}
            assert 0 < break_ms(element.attrib["time"]) <= 10_000


@every_narration
def test_silences_in_the_ssml_are_exactly_the_planned_silences(routine, level, mode):
    for page in narrate(routine, level, mode).pages:
        assert ssml_silences(page.ssml) == silences(page.cues)


def test_hold_longer_than_ten_seconds_is_split_into_breaks():
    ssml = first_exercise_page(narrate(hold_routine(25))).ssml

    assert ('Hold for 25 seconds. <break time="10s"/><break time="10s"/><break time="2s"/>three '
            '<break time="450ms"/>two <break time="450ms"/>one <break time="450ms"/>And release.') in ssml


def test_ten_minute_hold_is_sixty_breaks_in_a_row_and_still_one_page():
    narration = narrate(hold_routine(600), Level.STANDARD, "guided")
    intro, page = narration.pages
    assert not any(c.kind in ("hold", "countdown") for c in intro.cues)
    tokens = ssml_tokens(page.ssml)
    start = tokens.index(("text", "Hold for 10 minutes."))

    assert tokens[start + 1:start + 61] == [("break", 10_000)] * 59 + [("break", 7_000)]
    assert tokens[start + 61:start + 67] == [("text", "three"), ("break", 450), ("text", "two"),
                                             ("break", 450), ("text", "one"), ("break", 450)]
    assert len(page.ssml) < MAX_SSML_CHARS - SKILL_HEADROOM


def test_fractional_hold_is_written_in_milliseconds():
    ssml = first_exercise_page(narrate(hold_routine(12.5), Level.GENTLE)).ssml

    assert 'Hold for 12 and a half seconds. <break time="9500ms"/>three ' in ssml


@pytest.mark.parametrize(("seconds", "tags"), [
    (0.25, '<break time="250ms"/>'),
    (1.5, '<break time="1500ms"/>'),
    (10, '<break time="10s"/>'),
    (10.001, '<break time="10s"/><break time="1ms"/>'),
    (22, '<break time="10s"/><break time="10s"/><break time="2s"/>'),
    (20.75, '<break time="10s"/><break time="10s"/><break time="750ms"/>'),
    (0, ""),
])
def test_silence_becomes_breaks_of_at_most_ten_seconds(seconds, tags):
    assert break_tags(seconds) == tags


def test_ampersand_and_angle_bracket_in_content_are_escaped():
    routine = routine_from('{ say = "Heel & toe <slowly>, then \\"rest\\"." }, { hold = 3 },',
                           name="Heels & toes")
    narration = narrate(routine)
    content = first_exercise_page(narration)
    assert 'Heel & toe <slowly>, then "rest".' in content.text
    assert 'Heel & toe <slowly>, then "rest".' in "".join(ET.fromstring(content.ssml).itertext())
    assert "Heel &amp; toe &lt;slowly&gt;" in content.ssml


def test_letters_are_said_as_letters():
    routine = routine_from('{ alphabet = true, say = "Trace each letter." },')
    root = ET.fromstring(first_exercise_page(narrate(routine)).ssml)
    letters = [(e.attrib["interpret-as"], e.text) for e in root.iter("say-as")]

    assert letters == [("characters", chr(c)) for c in range(ord("A"), ord("Z") + 1)]


def test_to_ssml_of_no_cues_is_an_empty_speak_element():
    assert to_ssml([]) == "<speak></speak>"
    assert to_ssml([], "Say next & go.") == "<speak>Say next &amp; go.</speak>"
