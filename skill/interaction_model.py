"""The Alexa interaction model: what people can say to Footwork, built from the installed packs.

:func:`build_interaction_model` returns the JSON that the ASK CLI reads from
``interactionModels/custom/<locale>.json``, exactly in Alexa's shape::

    {"interactionModel": {"languageModel": {
        "invocationName": "foot work",
        "intents": [{"name": ..., "slots": [{"name": ..., "type": ...}], "samples": [...]}],
        "types": [{"name": ..., "values": [{"id": ..., "name": {"value": ..., "synonyms": [...]}}]}],
    }}}

Every intent has ``slots`` and ``samples`` (empty lists where there are none) and every slot value has
``synonyms``, so code reading the model never needs to guess which keys are present.

The ROUTINE slot type is made from the catalog: one value per routine, its id the routine's id, its
name the routine's title as spoken, its synonyms the pack's synonyms and the id read aloud. Installing
a pack and building the model again is all it takes for Alexa to hear the new routine's name.

:func:`check_interaction_model` applies the rules Alexa's model build and certification apply (listed
in its docstring) and returns every problem, so a broken model is refused before it is written.

The samples are written for the handlers in :mod:`footwork.skill.conversation`. ``StartRoutineIntent``
carries a bare ``{routine}`` sample on purpose: the skill's prompts end in "Which routine would you
like?", and the answer ("heel raises") must reach StartRoutineIntent rather than the fallback. Custom
slots are not strictly enumerated, so the handler must (and does) check entity resolution before
trusting the slot. It also takes level-only samples ("make it gentle"), which the handler reads as
a level change in the middle of a routine.

The other samples are what people say in the middle of a routine, lying on the floor with their eyes
shut (``tests/corpus.toml`` holds them with the behaviour each must get): "that hurts" (HurtIntent,
spelled out body part by body part), "hang on" (WaitIntent), "what's next", "how long is left",
"make it easier", "slower" and "back to normal speed" (SlowerIntent, FasterIntent), "skip this
one", "which exercise is this", "safety", "do it hands free" (SetModeIntent, with the MODE slot),
and everyday words added to Alexa's own intents: "ready", "go", "done" (AMAZON.NextIntent),
"resume my routine" (AMAZON.ResumeIntent), "that's enough for today" (AMAZON.StopIntent). The
skill's name and the words for levels and modes come from :mod:`footwork.skill.identity`, which the
handlers and the skill package use too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from footwork.core import Catalog, Level, Routine, routine_ref

from .identity import INVOCATION_NAME, LEVEL_SYNONYMS, MODE_SYNONYMS

__all__ = [
    "INVOCATION_NAME", "LEVEL_SYNONYMS", "LOCALES", "build_interaction_model", "check_interaction_model",
    "intents_for", "routine_values",
]

#: One-word invocation names are allowed only for a brand the publisher owns.
BRAND_WORDS: frozenset[str] = frozenset({"footwork"})

#: The locales the skill package is written for.
LOCALES: tuple[str, ...] = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")

ROUTINE_TYPE = "ROUTINE"
LEVEL_TYPE = "LEVEL"
MODE_TYPE = "MODE"

# --- samples ---------------------------------------------------------------------------------------
# Only letters, spaces, apostrophes and periods, numbers spelled out; no sample twice in the model.

START_ROUTINE_SAMPLES: tuple[str, ...] = (
    # naming the routine
    "start {routine}",
    "start the {routine}",
    "start the {routine} routine",
    "start my {routine} routine",
    "begin {routine}",
    "begin the {routine} routine",
    "begin my {routine} exercises",
    "do {routine}",
    "do the {routine} routine",
    "do some {routine} exercises",
    "let's do {routine}",
    "let's do the {routine}",
    "let's do some {routine}",
    "I want to do {routine}",
    "I want to do the {routine} routine",
    "I'd like to do the {routine} routine",
    "I'd like to start {routine}",
    "take me through {routine}",
    "take me through the {routine} routine",
    "guide me through the {routine} routine",
    "go through the {routine} routine",
    "try the {routine} routine",
    "exercise my {routine}",
    "work on my {routine}",
    "the {routine} routine",
    "{routine} please",
    "{routine}",
    # with a level
    "start {routine} at {level} level",
    "start the {routine} routine at {level} level",
    "do {routine} at {level} level",
    "do the {routine} routine at {level} level",
    "let's do {routine} at {level} level",
    "start {routine} on {level}",
    "do the {routine} routine on {level}",
    # with a mode
    "start {routine} {mode}",
    "do {routine} {mode}",
    "do the {routine} routine {mode}",
    "start {routine} in {mode} mode",
    "start the {routine} routine {mode}",
    # a level alone: starts with a question, or changes the level of the routine under way
    "make it {level}",
    "switch to {level} level",
    "change the level to {level}",
    "{level} level please",
    "start a {level} workout",
    # neither: the skill asks which routine
    "start a routine",
    "start an exercise routine",
    "start my exercises",
    "let's exercise",
    "let's work out",
    "I want to exercise",
)

LIST_ROUTINES_SAMPLES: tuple[str, ...] = (
    "list the routines",
    "list routines",
    "list the exercises",
    "what routines are there",
    "what routines do you have",
    "what routines are available",
    "which routines can I do",
    "what other routines are there",
    "what exercises do you have",
    "what workouts do you have",
    "tell me the routines",
    "read me the routines",
    "give me the list of routines",
    "what are my options",
    "which routines do you know",
    "something else",
    "a different routine",
    "another routine",
    "do something else",
)

DESCRIBE_ROUTINE_SAMPLES: tuple[str, ...] = (
    "what's in {routine}",
    "what's in the {routine} routine",
    "what is in the {routine} routine",
    "what exercises are in the {routine} routine",
    "how many exercises are in {routine}",
    "how long is {routine}",
    "how long is the {routine} routine",
    "how long does the {routine} routine take",
    "what do I need for {routine}",
    "what do I need for the {routine} routine",
    "what equipment do I need for the {routine} routine",
    "tell me about {routine}",
    "tell me about the {routine} routine",
    "describe {routine}",
    "describe the {routine} routine",
    "what does the {routine} routine involve",
    "what's the {routine} routine like",
    # about the routine under way
    "what's in this routine",
    "what do I need for this routine",
    "what do I need",
    "what equipment do I need",
    "do I need anything",
)

#: "Next" in a step-by-step routine is said in many ways; "I'm done" is left to AMAZON.StopIntent,
#: where people mean it, and "what's next" is a question, not a move.
NEXT_SAMPLES: tuple[str, ...] = (
    "ready",
    "I'm ready",
    "I'm ready now",
    "ready now",
    "okay I'm ready",
    "done",
    "finished",
    "go",
    "carry on",
    "keep going",
    "go on",
    "let's go",
    "next step",
    "next one",
    "next part",
    "I'm in position",
    "I've got it",
    "got it",
    "I've got the towel",
    "I'm lying down",
    "I'm sitting down",
    "I'm standing",
)

#: Coming back: in the session, or one-shot ("ask foot work to resume my routine").
RESUME_SAMPLES: tuple[str, ...] = (
    "resume my routine",
    "resume my exercises",
    "resume where I left off",
    "continue my routine",
    "continue my exercises",
    "continue where I left off",
    "carry on with my routine",
    "carry on where I left off",
    "pick up where I left off",
    "go on with my routine",
    "carry on with my exercises",
)

#: Said in any state, the skill stops the exercise at once. Spelled out body part by body part:
#: Alexa hears a sample exactly, and a slot here would also catch words that name no pain.
_BODY = ("ankle", "ankles", "foot", "feet", "knee", "knees", "back", "leg", "legs", "calf", "heel", "toe",
         "toes", "hip", "shin", "arch", "achilles", "hamstring")
HURT_SAMPLES: tuple[str, ...] = (
    "it hurts", "that hurts", "this hurts", "it's hurting", "that really hurts", "it really hurts",
    "ouch", "ow", "ow that hurts", "I'm in pain", "I am in pain", "it's painful", "that's painful",
    "this is painful", "I felt a twinge", "I feel a twinge", "I've got a twinge", "I feel dizzy",
    "I'm dizzy", "I'm feeling dizzy", "I feel faint", "I feel sick", "I've hurt myself",
    "I hurt myself", "I think I hurt myself", "I think I've hurt myself", "I've got a cramp",
    "I have a cramp", "I got a cramp", "cramp", "I pulled something", "something hurts",
    "something's wrong", "I'm hurting", "it's sore", "that's sore", "I felt something pop",
    "I felt a pop", "sharp pain", "I've got pain", "I have pain",
    *(f"my {part} hurts" for part in _BODY),
    *(f"my {part} is hurting" for part in _BODY),
    *(f"I hurt my {part}" for part in _BODY),
    *(f"pain in my {part}" for part in _BODY),
)

#: Hold the place: the person is lying down, fetching a towel, catching their breath.
WAIT_SAMPLES: tuple[str, ...] = (
    "wait", "wait a minute", "wait a second", "wait a moment", "hang on", "hang on a minute",
    "hang on a second", "hold on", "hold on a second", "hold on a minute", "one moment",
    "just a moment", "one second", "one sec", "just a second", "just a sec", "just a minute",
    "give me a minute", "give me a moment", "give me a second", "give me a sec", "I need a break",
    "I need a minute", "I need a moment", "I need a rest", "let me rest", "let me catch my breath",
    "I need to catch my breath", "not yet", "I'm not ready", "I'm not ready yet",
    "let me get ready", "let me get into position", "let me get a towel", "I need to get a towel",
    "I need to get a chair", "let me get a chair", "take a break", "have a break",
)

WHATS_NEXT_SAMPLES: tuple[str, ...] = (
    "what's next", "what is next", "what comes next", "what's the next exercise", "what's coming up",
    "what's after this", "what do we do next", "what are we doing next", "which exercise is next",
)

HOW_LONG_SAMPLES: tuple[str, ...] = (
    "how long is left", "how much is left", "how much longer", "how long to go", "how much longer is it",
    "how many are left", "how many more", "how many left", "how many exercises are left",
    "how many more exercises", "how many to go", "how long is this routine", "how long is it",
    "how long will it take", "how long does it take", "how long does this take",
    "how much time is left", "how long have I got", "how far along am I", "are we nearly done",
    "are we almost done", "are we nearly there", "is it nearly over", "how long now",
)

EASIER_SAMPLES: tuple[str, ...] = (
    "make it easier", "easier", "easier please", "a bit easier", "that's too hard", "this is too hard",
    "it's too hard", "too hard", "make it gentler", "gentler", "go easier", "something easier",
    "do fewer", "do less", "fewer please", "tone it down", "lower the level", "go down a level",
    "an easier level", "make it lighter", "that's too much", "this is too much", "it's too much",
)

HARDER_SAMPLES: tuple[str, ...] = (
    "make it harder", "harder", "harder please", "a bit harder", "that's too easy", "this is too easy",
    "it's too easy", "too easy", "make it tougher", "tougher", "do more", "step it up",
    "raise the level", "go up a level", "a harder level", "more challenging", "make it more challenging",
)

SLOWER_SAMPLES: tuple[str, ...] = (
    "slower", "slow down", "go slower", "too fast", "you're going too fast", "that's too fast",
    "it's too fast", "count slower", "slow it down", "slower please", "can you go slower", "not so fast",
    "a bit slower", "slow the counts down", "give me more time between counts",
)

FASTER_SAMPLES: tuple[str, ...] = (
    "faster", "speed up", "go faster", "too slow", "you're going too slow", "that's too slow",
    "it's too slow", "count faster", "hurry up", "faster please", "normal speed", "normal pace",
    "back to normal speed", "back to the normal pace", "go at the normal speed",
)

SKIP_SAMPLES: tuple[str, ...] = (
    "skip", "skip this one", "skip this exercise", "skip it", "skip this", "skip that one",
    "next exercise", "skip to the next exercise", "I can't do this one", "I don't want to do this one",
    "move on to the next exercise", "let's skip this one", "go to the next exercise",
)

WHERE_SAMPLES: tuple[str, ...] = (
    "which exercise is this", "what exercise is this", "where am I", "where are we", "what am I doing",
    "what is this exercise", "which one is this", "what's this one", "what part am I on",
    "which set is this", "which side is it", "what side am I on", "which foot", "which foot is it",
    "which leg is it", "what are we doing", "what's this exercise called",
)

SAFETY_SAMPLES: tuple[str, ...] = (
    "safety", "safety information", "safety advice", "is this safe", "read the disclaimer",
    "the disclaimer", "tell me the safety advice", "what are the safety instructions", "any warnings",
    "what should I be careful of",
)

MODE_SAMPLES: tuple[str, ...] = (
    "{mode}",
    "{mode} mode",
    "{mode} please",
    "do it {mode}",
    "switch to {mode}",
    "switch to {mode} mode",
    "go {mode}",
    "make it {mode}",
    "I want {mode}",
    "let's do it {mode}",
    "use {mode} mode",
    "go back to {mode}",
)

#: Added to Alexa's own phrases for stopping: a session ends, the place is saved.
STOP_SAMPLES: tuple[str, ...] = (
    "that's enough for today", "that's it for today", "I'm done for today", "stop for today",
    "end for today", "let's stop there", "let's call it a day", "finish for today", "end the routine",
    "stop the routine", "I've had enough",
)

#: A few phrasings more common in some English-speaking countries.
_COMMONWEALTH: dict[str, tuple[str, ...]] = {
    "AMAZON.NextIntent": ("crack on",),
    "StartRoutineIntent": ("have a go at the {routine} routine",),
}
LOCALE_SAMPLES: dict[str, dict[str, tuple[str, ...]]] = {"en-GB": _COMMONWEALTH, "en-AU": _COMMONWEALTH}

BUILT_IN_INTENTS: tuple[str, ...] = (
    "AMAZON.NextIntent",
    "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent",
    "AMAZON.PauseIntent",
    "AMAZON.ResumeIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
)

#: Samples added to Alexa's built-in intents.
BUILT_IN_SAMPLES: dict[str, tuple[str, ...]] = {
    "AMAZON.NextIntent": NEXT_SAMPLES,
    "AMAZON.ResumeIntent": RESUME_SAMPLES,
    "AMAZON.StopIntent": STOP_SAMPLES,
}

#: Every intent: name, slots as (name, type), samples. The handlers are written against these names.
INTENTS: tuple[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]], ...] = (
    ("StartRoutineIntent", (("routine", ROUTINE_TYPE), ("level", LEVEL_TYPE), ("mode", MODE_TYPE)),
     START_ROUTINE_SAMPLES),
    ("ListRoutinesIntent", (), LIST_ROUTINES_SAMPLES),
    ("DescribeRoutineIntent", (("routine", ROUTINE_TYPE),), DESCRIBE_ROUTINE_SAMPLES),
    ("HurtIntent", (), HURT_SAMPLES),
    ("WaitIntent", (), WAIT_SAMPLES),
    ("WhatsNextIntent", (), WHATS_NEXT_SAMPLES),
    ("HowLongIntent", (), HOW_LONG_SAMPLES),
    ("EasierIntent", (), EASIER_SAMPLES),
    ("HarderIntent", (), HARDER_SAMPLES),
    ("SlowerIntent", (), SLOWER_SAMPLES),
    ("FasterIntent", (), FASTER_SAMPLES),
    ("SkipIntent", (), SKIP_SAMPLES),
    ("WhereIntent", (), WHERE_SAMPLES),
    ("SafetyIntent", (), SAFETY_SAMPLES),
    ("SetModeIntent", (("mode", MODE_TYPE),), MODE_SAMPLES),
    *((name, (), BUILT_IN_SAMPLES.get(name, ())) for name in BUILT_IN_INTENTS),
)

#: Intents that Alexa certification requires every custom skill to handle.
REQUIRED_INTENTS: tuple[str, ...] = (
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent",
)

# --- the rules ---------------------------------------------------------------------------------------

WAKE_WORDS = frozenset({"alexa", "amazon", "echo", "computer"})
NOT_IN_INVOCATION = frozenset({"skill", "skills", "app", "apps"})
LAUNCH_WORDS = frozenset({"ask", "tell", "open", "launch", "start", "begin", "load", "run", "enable",
                          "play", "resume", "use"})
CONNECTING_WORDS = frozenset({"to", "from", "by", "if", "and", "whether"})
#: A two-word invocation name may not be made up with one of these ("the feet", "for feet").
ARTICLES_AND_PREPOSITIONS = frozenset({"the", "a", "an", "for", "to", "of", "on", "in", "with"})

SAMPLE_MAX = 200
_SLOT_REF = re.compile(r"\{([^{}]*)\}")
_SAMPLE_TEXT = re.compile(r"^[^\W\d_]+(?:['.][^\W\d_]*)*$")  # a word: letters, apostrophes, periods
_VALUE_WORD = re.compile(r"^[^\W_]+(?:['.][^\W_]*)*$")  # slot values may also hold digits
_INTENT_NAME = re.compile(r"^(?:AMAZON\.)?[A-Za-z_]+$")
_TYPE_NAME = re.compile(r"^[A-Za-z_]+$")


def fold(text: str) -> str:
    """A sample or value as Alexa compares them: lower case, single spaces."""
    return " ".join(text.lower().split())


def spoken(text: str) -> str:
    """A title or synonym as it is said: lower case, hyphens as spaces, no commas or brackets.

    Anything stranger (digits in a sample, an ampersand) is left for the checker to report.
    """
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[-_/]", " ", text)
    text = re.sub(r"[,;:!?()\[\]\"]", " ", text)
    return fold(text)


# --- building ----------------------------------------------------------------------------------------


def routine_values(routines: Iterable[Routine]) -> tuple[list[dict[str, Any]], list[str]]:
    """The ROUTINE slot values for ``routines``, and warnings about the synonyms left out.

    A synonym two routines both claim would send people to either at random, so it goes from both.
    A synonym that is another routine's name goes from the routine that only borrowed it.
    """
    routines = list(routines)
    # Two packs may use one routine id; then each value's id is the routine's "pack:routine".
    ids = [r.id for r in routines]
    slot_id = {id(r): r.id if ids.count(r.id) == 1 else routine_ref(r) for r in routines}
    names = {slot_id[id(r)]: spoken(r.title) for r in routines}
    titles = list(names.values())
    for routine in routines:  # a title two packs use: each value says whose it is; the skill asks
        if titles.count(names[slot_id[id(routine)]]) > 1:
            names[slot_id[id(routine)]] += f" from {spoken(routine.pack)}"
    wanted: dict[str, list[str]] = {}
    for routine in routines:
        own: list[str] = []
        for synonym in (*routine.synonyms, routine.id.replace("-", " ")):
            word = spoken(synonym)
            if word and word != names[slot_id[id(routine)]] and word not in own:
                own.append(word)
        wanted[slot_id[id(routine)]] = own

    warnings: list[str] = []
    claimants: dict[str, list[str]] = {}
    for routine_id, words in wanted.items():
        for word in words:
            claimants.setdefault(word, []).append(routine_id)
    name_owner = {name: routine_id for routine_id, name in names.items()}
    dropped: set[tuple[str, str]] = set()
    for word, ids in claimants.items():
        if word in name_owner and any(i != name_owner[word] for i in ids):
            for routine_id in ids:
                if routine_id != name_owner[word]:
                    dropped.add((routine_id, word))
                    warnings.append(f"synonym '{word}' of routine '{routine_id}' is the name of routine "
                                    f"'{name_owner[word]}'; left out of '{routine_id}'")
        elif len(ids) > 1:
            dropped.update((routine_id, word) for routine_id in ids)
            warnings.append(f"synonym '{word}' is claimed by routines {', '.join(repr(i) for i in ids)}; "
                            "left out of all of them")

    values = [
        {
            "id": key,
            "name": {"value": names[key], "synonyms": [w for w in wanted[key] if (key, w) not in dropped]},
        }
        for key in (slot_id[id(routine)] for routine in routines)
    ]
    return values, warnings


def level_values() -> list[dict[str, Any]]:
    """The LEVEL slot values: ids are :class:`~footwork.core.Level` values, names as they are said."""
    values = []
    for level in Level:
        name = level.spoken
        synonyms = [s for s in dict.fromkeys(LEVEL_SYNONYMS.get(level, ())) if s != name]
        values.append({"id": level.value, "name": {"value": name, "synonyms": synonyms}})
    return values


def mode_values() -> list[dict[str, Any]]:
    """The MODE slot values: ids are the narration's modes, names as they are said."""
    values = []
    for mode, words in MODE_SYNONYMS.items():
        name = mode.replace("-", " ")
        values.append({"id": mode, "name": {"value": name, "synonyms": [w for w in words if w != name]}})
    return values


def build_interaction_model(
    catalog: Catalog | Iterable[Routine],
    locale: str = "en-US",
    *,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The interaction model for ``locale``, with a ROUTINE value for every routine in ``catalog``.

    Warnings (synonyms left out because two routines claim them) are appended to ``warnings`` when a
    list is given. The model is not checked here: see :func:`check_interaction_model`.
    """
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; expected one of {', '.join(LOCALES)}")
    routines = list(catalog)
    values, found = routine_values(routines)
    if warnings is not None:
        warnings.extend(found)
    extra = LOCALE_SAMPLES.get(locale, {})
    intents = [
        {
            "name": name,
            "slots": [{"name": slot, "type": kind} for slot, kind in slots],
            "samples": list(dict.fromkeys((*samples, *extra.get(name, ())))),
        }
        for name, slots, samples in INTENTS
    ]
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": INVOCATION_NAME,
                "intents": intents,
                "types": [
                    {"name": LEVEL_TYPE, "values": level_values()},
                    {"name": MODE_TYPE, "values": mode_values()},
                    {"name": ROUTINE_TYPE, "values": values},
                ],
            }
        }
    }


# --- checking ----------------------------------------------------------------------------------------


def check_invocation_name(name: Any, *, brands: Iterable[str] = BRAND_WORDS) -> list[str]:
    """Every way ``name`` breaks Alexa's invocation-name rules (empty when it is fine)."""
    if not isinstance(name, str) or not name.strip():
        return ["invocation name: missing or empty"]
    problems: list[str] = []
    where = f"invocation name '{name}'"
    if name != name.lower():
        problems.append(f"{where}: must be lower case")
    words = name.lower().split()
    if name != " ".join(name.split()):
        problems.append(f"{where}: words must be separated by single spaces, with none at either end")
    if any(ch.isdigit() for ch in name):
        problems.append(f"{where}: numbers must be spelled out ('twenty one', not '21')")
    bad = sorted({ch for ch in name.lower() if not (ch.isalpha() and ch.isascii()) and ch not in " .'"
                  and not ch.isdigit()})
    if bad:
        problems.append(f"{where}: may hold only letters, spaces, periods in abbreviations and possessive "
                        f"apostrophes, not {' '.join(repr(c) for c in bad)}")
    for word in words:
        if "." in word and not re.fullmatch(r"[a-z]\.", word):
            problems.append(f"{where}: a period may only follow a single letter, as in 'a. b. c.' "
                            f"('{word}')")
        if "'" in word and not re.fullmatch(r"[a-z]+'s|[a-z]+s'", word):
            problems.append(f"{where}: an apostrophe may only be possessive, as in 'sam's' ('{word}')")
    bare = [w.strip(".'").removesuffix("'s") for w in words]
    for word, kind in ((w, "a wake word") for w in bare if w in WAKE_WORDS):
        problems.append(f"{where}: must not contain {kind} ('{word}')")
    for word in (w for w in bare if w in NOT_IN_INVOCATION):
        problems.append(f"{where}: must not contain the word '{word}'")
    for word in (w for w in bare if w in LAUNCH_WORDS):
        problems.append(f"{where}: must not contain the launch word '{word}'")
    for word in (w for w in bare if w in CONNECTING_WORDS):
        problems.append(f"{where}: must not contain the connecting word '{word}'")
    if len(words) == 1 and words[0] not in set(brands):
        problems.append(f"{where}: must have at least two words, unless it is the publisher's own brand")
    if len(words) == 2 and any(w in ARTICLES_AND_PREPOSITIONS for w in bare):
        problems.append(f"{where}: a two-word name may not include an article or preposition")
    return problems


def check_sample(sample: Any, slots: Mapping[str, str]) -> list[str]:
    """What is wrong with one sample utterance of an intent whose slots are ``slots`` (name: type)."""
    if not isinstance(sample, str) or not sample.strip():
        return ["empty sample"]
    problems: list[str] = []
    if len(sample) > SAMPLE_MAX:
        problems.append(f"sample '{sample}' is longer than {SAMPLE_MAX} characters")
    refs = _SLOT_REF.findall(sample)
    for ref in dict.fromkeys(refs):
        if ref not in slots:
            problems.append(f"sample '{sample}' uses slot {{{ref}}}, which the intent does not define")
        if refs.count(ref) > 1:
            problems.append(f"sample '{sample}' uses slot {{{ref}}} more than once")
    text = _SLOT_REF.sub(" ", sample)
    if "{" in text or "}" in text:
        problems.append(f"sample '{sample}' has an unmatched brace")
        text = text.replace("{", " ").replace("}", " ")
    if any(ch.isdigit() for ch in text):
        problems.append(f"sample '{sample}' has digits; numbers must be spelled out")
    bad = [w for w in text.split() if not _SAMPLE_TEXT.match(w) and not any(c.isdigit() for c in w)]
    if bad:
        chars = sorted({c for w in bad for c in w if not c.isalpha() and c not in "'."})
        problems.append(f"sample '{sample}' has characters other than letters, spaces, apostrophes and "
                        f"periods: {' '.join(repr(c) for c in chars) or ' '.join(bad)}")
    return problems


def check_interaction_model(model: Any) -> list[str]:
    """Every problem that would make Alexa refuse ``model`` or make it misbehave; empty when fine.

    The rules: the invocation name's (lower case, two or more words or one brand word, no wake,
    launch or connecting words, no "skill" or "app", only letters, spaces, periods after single
    letters and possessive apostrophes); intent names unique and well formed; the intents that
    certification requires present; custom intents with samples; every sample made of letters,
    spaces, apostrophes and periods only, each ``{slot}`` defined by its intent and used once, no
    sample repeated within or across intents (ignoring case and spacing); every slot's type built in
    (``AMAZON.``) or defined; slot types unique and not empty; value ids unique and no spoken value or
    synonym standing for two ids.
    """
    try:
        language = model["interactionModel"]["languageModel"]
    except (KeyError, TypeError):
        return ["the model has no interactionModel.languageModel"]
    if not isinstance(language, dict):
        return ["interactionModel.languageModel is not an object"]
    problems = check_invocation_name(language.get("invocationName"))

    types = language.get("types", [])
    intents = language.get("intents")
    if not isinstance(intents, list) or not intents:
        problems.append("the model has no intents")
        intents = []
    if not isinstance(types, list):
        problems.append("types is not a list")
        types = []

    type_names: set[str] = set()
    for i, slot_type in enumerate(types):
        name = slot_type.get("name") if isinstance(slot_type, dict) else None
        if not isinstance(name, str) or not _TYPE_NAME.match(name):
            problems.append(f"types[{i}]: name {name!r} must be letters and underscores")
            continue
        if name in type_names:
            problems.append(f"slot type {name} is defined twice")
        type_names.add(name)
        problems += _check_values(name, slot_type.get("values"))

    seen_intents: set[str] = set()
    owner_of: dict[str, tuple[str, str]] = {}
    for i, intent in enumerate(intents):
        name = intent.get("name") if isinstance(intent, dict) else None
        if not isinstance(name, str) or not _INTENT_NAME.match(name):
            problems.append(f"intents[{i}]: name {name!r} must be letters and underscores (or AMAZON.Name)")
            continue
        where = f"intent {name}"
        if name in seen_intents:
            problems.append(f"{where} is defined twice")
        seen_intents.add(name)

        slots: dict[str, str] = {}
        for slot in intent.get("slots") or []:
            slot = slot if isinstance(slot, dict) else {}
            slot_name, slot_type = slot.get("name"), slot.get("type")
            if not isinstance(slot_name, str) or not _TYPE_NAME.match(slot_name):
                problems.append(f"{where}: slot name {slot_name!r} must be letters and underscores")
                continue
            if slot_name in slots:
                problems.append(f"{where}: slot {slot_name} is defined twice")
            if not isinstance(slot_type, str) or not slot_type:
                problems.append(f"{where}: slot {slot_name} has no type")
            elif not slot_type.startswith("AMAZON.") and slot_type not in type_names:
                problems.append(f"{where}: slot {slot_name} has type {slot_type}, which is not defined")
            slots[slot_name] = slot_type if isinstance(slot_type, str) else ""

        samples = intent.get("samples") or []
        if not isinstance(samples, list):
            problems.append(f"{where}: samples is not a list")
            continue
        if not name.startswith("AMAZON.") and not samples:
            problems.append(f"{where}: a custom intent needs sample utterances")
        mine: set[str] = set()
        for sample in samples:
            problems += [f"{where}: {p}" for p in check_sample(sample, slots)]
            if not isinstance(sample, str):
                continue
            key = fold(sample)
            if key in mine:
                problems.append(f"{where}: sample '{sample}' is repeated")
                continue
            mine.add(key)
            if key in owner_of:
                other, said = owner_of[key]
                problems.append(f"sample '{sample}' of {name} is also a sample of {other} ('{said}')")
            else:
                owner_of[key] = (name, sample)

    for required in REQUIRED_INTENTS:
        if required not in seen_intents:
            problems.append(f"intent {required} is missing; every skill must handle it")
    return problems


def _check_values(type_name: str, values: Any) -> list[str]:
    where = f"slot type {type_name}"
    if not isinstance(values, list) or not values:
        return [f"{where} has no values"]
    problems: list[str] = []
    ids: set[str] = set()
    meaning: dict[str, str] = {}
    for i, value in enumerate(values):
        name = value.get("name") if isinstance(value, dict) else None
        said = name.get("value") if isinstance(name, dict) else None
        if not isinstance(said, str) or not said.strip():
            problems.append(f"{where}: values[{i}] has no name.value")
            continue
        value_id = value.get("id") or said
        if not isinstance(value_id, str):
            problems.append(f"{where}: value '{said}' has an id that is not text")
            continue
        if value_id in ids:
            problems.append(f"{where}: id '{value_id}' is used by more than one value")
        ids.add(value_id)
        synonyms = (name or {}).get("synonyms") or []
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            problems.append(f"{where}: value '{value_id}' has synonyms that are not a list of text")
            synonyms = []
        for word in (said, *synonyms):
            bad = [w for w in word.split() if not _VALUE_WORD.match(w)]
            if not word.strip() or bad:
                problems.append(f"{where}: value '{value_id}' has '{word}'; use only letters, digits, "
                                "spaces, apostrophes and periods")
            key = fold(word)
            if key in meaning and meaning[key] != value_id:
                problems.append(f"{where}: '{word}' stands for both '{meaning[key]}' and '{value_id}'")
            meaning.setdefault(key, value_id)
    return problems


# --- reading it back -------------------------------------------------------------------------------


def sample_pattern(sample: str, model: Mapping[str, Any], slots: Mapping[str, str]) -> re.Pattern[str]:
    """A regular expression that matches what a person says for ``sample``, slots filled with values.

    Used to check that a manifest's example phrases are things the model understands.
    """
    spoken_values: dict[str, list[str]] = {}
    for slot_type in model["interactionModel"]["languageModel"].get("types", []):
        words = [w for v in slot_type["values"] for w in (v["name"]["value"], *v["name"].get("synonyms", []))]
        spoken_values[slot_type["name"]] = sorted((fold(w) for w in words), key=len, reverse=True)
    slots = {name.lower(): kind for name, kind in slots.items()}
    parts: list[str] = []
    last = 0
    text = fold(sample)
    for match in _SLOT_REF.finditer(text):
        parts.append(re.escape(text[last:match.start()]))
        choices = spoken_values.get(slots.get(match.group(1), ""))
        parts.append("(?:" + "|".join(re.escape(c) for c in choices) + ")" if choices else ".+")
        last = match.end()
    parts.append(re.escape(text[last:]))
    return re.compile("^" + "".join(parts) + "$")


def intents_for(utterance: str, model: Mapping[str, Any]) -> list[str]:
    """The intents with a sample that ``utterance`` matches word for word, slot values included."""
    said = fold(utterance)
    found = []
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        slots = {s["name"]: s["type"] for s in intent.get("slots", [])}
        if any(sample_pattern(s, model, slots).match(said) for s in intent.get("samples", [])):
            found.append(intent["name"])
    return found
