"""Who the skill is and the words it is known by: its name, its disclaimer and the words for levels.

One home, imported by the handlers (what is said aloud), the interaction model (what Alexa hears)
and the skill package (the store text), so the three can never disagree.
"""

from __future__ import annotations

from footwork.core import Level

SKILL_NAME = "Foot Work"

#: What people say to reach the skill: "Alexa, ask foot work to ...".
INVOCATION_NAME = "foot work"

#: The words certification looks for in a health skill's description; also said on first use.
DISCLAIMER_PHRASE = "not a substitute for professional medical advice"

#: The disclaimer's medical advice, without its pain-free line: said on first use just before a
#: routine's intro, which says that line itself (in the pack's words), so it is heard once, not twice.
MEDICAL_ADVICE = (
    f"{SKILL_NAME} is {DISCLAIMER_PHRASE}. If you have a health condition, check with a doctor or "
    "other health professional before you start."
)

#: The full disclaimer: on the store page, on first use, and on "help" or "safety".
DISCLAIMER = f"{MEDICAL_ADVICE} Move only within a pain-free range, and stop if anything hurts."

#: After first use, the one line that stands for the disclaimer.
PAIN_FREE_LINE = "Remember, stay within a pain-free range."

#: Who to see when pain does not ease; said whenever someone says it hurts.
SEE_A_PROFESSIONAL = (
    "If the pain doesn't ease, or if you think you've hurt yourself, please see a doctor or "
    "physiotherapist."
)

#: The words people say for each level, besides the level's own name (the LEVEL slot's synonyms).
LEVEL_SYNONYMS: dict[Level, tuple[str, ...]] = {
    Level.FIRST_TIME: ("first time", "beginner", "easiest"),
    Level.GENTLE: ("easy", "light"),
    Level.STANDARD: ("normal", "regular", "medium"),
    Level.STRONG: ("hard", "challenging", "intense"),
}

#: The two modes (ids are :data:`footwork.core.narration.MODES`), as people call them.
MODE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "guided": ("guided", "one at a time", "step by step", "with stops", "stop between exercises",
               "stop after each exercise", "stopping between exercises"),
    "hands-free": ("hands free", "without stopping", "non stop", "all the way through",
                   "without stopping between exercises", "continuous", "don't stop between exercises",
                   "keep going without stopping", "no stopping"),
}


def level_named(said: str) -> Level | None:
    """The level that ``said`` names ("easy", "first time", "strong"), or None."""
    words = " ".join(said.lower().replace("-", " ").split())
    for level in Level:
        if words in (level.value.replace("-", " "), level.spoken, *LEVEL_SYNONYMS.get(level, ())):
            return level
    return None


def mode_named(said: str) -> str | None:
    """The mode that ``said`` names ("hands free", "one at a time"), or None."""
    words = " ".join(said.lower().replace("-", " ").split())
    for mode, names in MODE_SYNONYMS.items():
        if words == mode.replace("-", " ") or words in names:
            return mode
    return None
