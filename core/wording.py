"""The words of the narration, each rule written once: numbers, durations, sides, levels and lists.

The timeline, ``footwork show`` and the skill's own sentences all word things through here, so that a
count, a side or a level is said the same way wherever it is heard or read.
"""

from __future__ import annotations

import re
import string
from typing import Literal

from ._model import EQUIPMENT, Exercise, Level, Side, other_side

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen").split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
ONE_TIMES = re.compile(r"\b(one (?:more )?)times\b", re.IGNORECASE)

#: Where a person is, as said after "you're" or "this one is done".
POSITION_WORDS = {
    "lying": "lying down",
    "seated": "sitting",
    "standing": "standing",
    "supported-standing": "standing, holding on to something steady for support",
}
#: How to get into a position, when an exercise gives no setup of its own.
POSITION_INSTRUCTIONS = {
    "lying": "Lie down on your back.",
    "seated": "Sit in a sturdy chair.",
    "standing": "Stand up, with some clear floor in front of you.",
    "supported-standing": "Stand up, and hold on to something steady for support.",
}
#: The limb an exercise talks of, singular and plural.
LIMBS = {"foot": "feet", "leg": "legs"}

Numbers = Literal["words", "digits"]


def number_words(n: int) -> str:
    """A whole number as words, for counting aloud: 21 -> "twenty-one"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    return str(n)


def digits(value: float) -> str:
    """A number for reading: 15.0 -> "15", 12.5 -> "12.5"."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def seconds_number(seconds: float) -> str:
    """The number alone, for a ``{seconds}`` placeholder: 20 -> "20", 12.5 -> "12 and a half"."""
    whole = int(seconds)
    return f"{whole} and a half" if seconds - whole >= 0.5 else str(whole)


def seconds_words(seconds: float) -> str:
    """Seconds as said aloud: 5 -> "5 seconds", 12.5 -> "12 and a half seconds", 90 -> "a minute and a half",
    120 -> "2 minutes"."""
    minutes, rest = divmod(seconds, 60)
    if seconds >= 60 and rest in (0, 30):
        half = " and a half" if rest else ""
        if minutes == 1:
            return f"a minute{half}"
        return f"{int(minutes)}{half} minutes"
    return f"{seconds_number(seconds)} second" + ("" if seconds == 1 else "s")


def spoken_minutes(seconds: float) -> str:
    """A routine's length as said: "about a minute", "about 11 minutes"."""
    minutes = max(1, round(seconds / 60))
    return "about a minute" if minutes == 1 else f"about {minutes} minutes"


def of(n: int, total: int) -> str:
    """ "two of three", for sets and rounds."""
    return f"{number_words(n)} of {number_words(total)}"


def counted(count: int, noun: str) -> str:
    """``1 exercise``, ``3 exercises``: a count in digits, for cards and lists read on a screen."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def spoken_list(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def need_words(options: tuple[str, ...]) -> str:
    """One need as said: ("table", "chair") -> "a table or a sturdy chair"."""
    return spoken_list([EQUIPMENT[o] for o in options], "or")


def spoken_needs(needs: tuple[tuple[str, ...], ...]) -> str:
    """ (("towel",), ("bed", "floor")) -> "a towel and a bed or some clear floor space"."""
    return spoken_list([need_words(options) for options in needs])


def fill(text: str, *, side: Side | None, count: float | None = None, seconds: float | None = None,
         numbers: Numbers = "words") -> str:
    """A step's text with its placeholders filled: ``{side}``, ``{other}``, ``{count}``, ``{seconds}``.

    ``numbers``: "words" as spoken ("fifteen", "12 and a half"), "digits" for reading ("15", "12.5").
    """
    spoken = numbers == "words"
    values = {
        "side": side or "left",
        "other": other_side(side or "left"),
        "count": "" if count is None else number_words(int(count)) if spoken else digits(count),
        "seconds": "" if seconds is None else seconds_number(seconds) if spoken else digits(seconds),
    }
    filled = string.Formatter().vformat(text, (), values)
    # "{count} more times" read at one is "one more time".
    return ONE_TIMES.sub(r"\1time", filled) if spoken else filled


def uses(text: str | None, name: str) -> bool:
    """Whether ``text`` has the placeholder ``{name}``."""
    return bool(text) and "{" + name + "}" in text  # type: ignore[operator]


def limb(exercise: Exercise) -> str:
    """Whether the exercise talks of legs or of feet, so that a side change can say the same."""
    words = " ".join(getattr(s, "text", None) or "" for s in exercise.steps)
    return "leg" if " leg" in words and " foot" not in words else "foot"


def limbs(exercise: Exercise) -> str:
    return LIMBS[limb(exercise)]


def names_a_side(exercise: Exercise) -> bool:
    """Whether any step says {side} or {other}: an exercise on "one" side then works its first side."""
    return any(uses(getattr(s, "text", None), "side") or uses(getattr(s, "text", None), "other")
               for s in exercise.steps)


def level_words(level: Level) -> str:
    """A level as said after "the": "first time", "standard"."""
    return level.spoken


def where_words(positions: tuple[str, ...]) -> str:
    """ ("seated", "supported-standing") -> "sitting or standing, holding on ..."."""
    return spoken_list([POSITION_WORDS[p] for p in positions], "or")


def mid_sentence(title: str) -> str:
    """A routine's or exercise's title as said inside a sentence: "You did heel raises yesterday".

    Titles are written as headings ("Heel raises"); inside a sentence only an ordinary capitalised
    word is lowered. A title whose second letter is a capital too ("ABC stretch", "AB curls") is an
    acronym or a name and keeps its capitals; at the start of a sentence a title is used as written.
    """
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]
