"""Understanding what was said, offline: a typed utterance matched to an intent and its slots.

Amazon's simulator needs Amazon's cloud. This module does the same job from the interaction model
that ``footwork model`` writes (:func:`~footwork.skill.interaction_model.build_interaction_model`), so a
developer can talk to the local dev server in seconds:

* every sample utterance is compiled to a regular expression whose slots are named groups, each
  matching any value or synonym of its slot type (longest first, so "ankle exercises" beats "ankle");
* the usual phrasings of Alexa's built-in intents ("next", "go back", "say that again", ...) are
  added, as Alexa adds them to every model ("continue" is AMAZON.ResumeIntent there, as on Alexa);
* slots are filled as Alexa fills them: ``ER_SUCCESS_MATCH`` with the value's id and canonical name,
  or, when a routine slot caught words that name nothing ("start underwater yoga"),
  ``ER_SUCCESS_NO_MATCH`` with the raw words;
* "open foot work" is a launch, "ask foot work to ..." a one-shot (a new session and the intent),
  "exit" ends the session, and anything else is ``AMAZON.FallbackIntent``.

It is an approximation of Alexa's language understanding, not a copy: it is strict where Alexa is
strict (a sample must match in full) and forgiving where people are ("please", "could you", articles).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .envelopes import SlotValue

FALLBACK_INTENT = "AMAZON.FallbackIntent"

#: Intents whose slots may catch words that are no value at all, as custom slots do on Alexa. The
#: handlers check entity resolution, so "start underwater yoga" gets "I don't have underwater yoga".
FREE_SLOTS: Mapping[str, frozenset[str]] = {
    "StartRoutineIntent": frozenset({"routine"}),
    "DescribeRoutineIntent": frozenset({"routine"}),
}

#: How people say Alexa's built-in intents; Alexa knows these without any samples in the model.
BUILT_IN_PHRASES: Mapping[str, tuple[str, ...]] = {
    "AMAZON.NextIntent": ("next", "skip", "skip ahead", "skip this", "skip forward", "go forward",
                          "move on", "go next", "forward", "next part", "the next one"),
    "AMAZON.PreviousIntent": ("previous", "go back", "back", "back up", "previous one", "previous step",
                              "previous exercise", "last one", "go to the previous one", "rewind"),
    "AMAZON.RepeatIntent": ("repeat", "repeat that", "say that again", "say it again", "again",
                            "what did you say", "repeat please", "come again", "pardon", "one more time"),
    "AMAZON.StartOverIntent": ("start over", "restart", "start again", "begin again", "from the top",
                               "start from the beginning", "go back to the beginning", "start it over"),
    "AMAZON.PauseIntent": ("pause", "hold on", "wait", "pause it", "pause this", "take a break",
                           "hang on"),
    "AMAZON.ResumeIntent": ("resume", "continue", "unpause", "keep going", "carry on", "resume the routine"),
    "AMAZON.YesIntent": ("yes", "yeah", "yep", "yup", "sure", "ok", "okay", "of course", "why not",
                         "sounds good", "yes please", "i do", "let's do it", "go ahead", "alright",
                         "all right"),
    "AMAZON.NoIntent": ("no", "nope", "nah", "no thanks", "no thank you", "not now", "i don't",
                        "not really", "no way"),
    "AMAZON.HelpIntent": ("help", "help me", "what can i say", "what can i do", "what can you do",
                          "how does this work", "i need help", "options", "instructions"),
    "AMAZON.StopIntent": ("stop", "stop it", "shut up", "enough", "that's enough", "i'm finished",
                          "off", "be quiet", "quiet", "i'm done", "goodbye", "good bye", "bye"),
    "AMAZON.CancelIntent": ("cancel", "never mind", "nevermind", "forget it", "cancel that"),
    "AMAZON.NavigateHomeIntent": ("go home", "home", "go to home", "go to the home screen",
                                  "take me home"),
}

#: Words that end the session outright: Alexa sends SessionEndedRequest, not an intent.
END_PHRASES: frozenset[str] = frozenset({"exit", "quit"})

LAUNCH_VERBS: tuple[str, ...] = ("open", "launch", "start", "begin", "load", "run", "play", "use")
ONE_SHOT_VERBS: tuple[str, ...] = ("ask", "tell")

#: Said to a speaker, never part of what is meant.
FILLER_WORDS: frozenset[str] = frozenset({"please", "alexa", "um", "uh", "er", "erm"})
#: Polite openings dropped from the front: "could you start ...", "can you please ...".
POLITE_OPENINGS: tuple[str, ...] = (
    "can you", "could you", "would you", "will you", "i'd like you to", "i want you to",
)
#: Articles that Alexa glides over when they stand in the way of a match.
ARTICLES: frozenset[str] = frozenset({"the", "a", "an", "my", "some"})

_PUNCTUATION = re.compile(r"[^\w\s']")
_SLOT_REF = re.compile(r"\{([^{}]+)\}")
_FREE_WORDS = r"[\w']+(?: [\w']+){0,7}"


@dataclass(frozen=True)
class Match:
    """What Alexa would make of an utterance.

    ``kind`` is ``"launch"`` (open the skill), ``"intent"`` (an IntentRequest for ``intent`` with
    ``slots``) or ``"end"`` (SessionEndedRequest). ``one_shot`` is true for "ask foot work to ...":
    the intent opens a new session. ``sample`` is the sample or phrase that matched, for showing.
    """

    kind: Literal["launch", "intent", "end"]
    intent: str | None = None
    slots: dict[str, SlotValue] = field(default_factory=dict)
    one_shot: bool = False
    sample: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The match for people and pages: slots with their entity-resolution status."""
        return {
            "kind": self.kind,
            "intent": self.intent,
            "one_shot": self.one_shot,
            "sample": self.sample,
            "slots": {name: slot_json(value) for name, value in self.slots.items()},
        }


def slot_json(value: SlotValue) -> dict[str, Any]:
    """One slot as shown: what was heard and what entity resolution made of it."""
    status = "ER_SUCCESS_MATCH" if value.resolved_id is not None else "ER_SUCCESS_NO_MATCH"
    return {"value": value.value, "type": value.slot_type, "status": status,
            "id": value.resolved_id, "name": value.resolved_name}


def normalize(text: str) -> str:
    """An utterance as the matcher compares it: lower case, no punctuation or filler, single spaces.

    "Alexa, could you start the heel raises, please?" becomes "start the heel raises".
    """
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[-_/]", " ", text)
    text = _PUNCTUATION.sub(" ", text)
    words = [w.strip("'") for w in text.split()]
    words = [w for w in words if w and w not in FILLER_WORDS]
    text = " ".join(words)
    changed = True
    while changed:
        changed = False
        for opening in POLITE_OPENINGS:
            if text == opening or text.startswith(opening + " "):
                text = text[len(opening):].strip()
                changed = True
    return text


def _normalize_sample(sample: str) -> str:
    """A sample normalised like an utterance, its ``{slot}`` references left exactly as they are."""
    pieces: list[str] = []
    position = 0
    for ref in re.finditer(r"\{[^{}]*\}", sample):
        pieces.append(normalize(sample[position:ref.start()]))
        pieces.append(ref.group(0))
        position = ref.end()
    pieces.append(normalize(sample[position:]))
    return " ".join(p for p in pieces if p)


def drop_articles(text: str) -> str:
    """``text`` without its articles: the second chance for "start a heel raises routine"."""
    return " ".join(w for w in text.split() if w not in ARTICLES)


def _trim_articles(words: str) -> str:
    parts = words.split()
    while parts and parts[0] in ARTICLES:
        parts.pop(0)
    while parts and parts[-1] in ARTICLES:
        parts.pop()
    return " ".join(parts)


@dataclass(frozen=True)
class _Value:
    id: str
    name: str


@dataclass(frozen=True)
class _Pattern:
    """One sample (or built-in phrase), compiled; ``literal`` counts its own words, for ranking."""

    intent: str
    sample: str
    regex: re.Pattern[str]
    slot_types: Mapping[str, str]
    literal: int
    order: int


class Matcher:
    """Matches utterances against one interaction model (Alexa's JSON shape).

    Build it once (compiling is the slow part) and call :meth:`match` for every utterance::

        matcher = Matcher.from_catalog(catalog)
        matcher.match("start the heel raises please")
    """

    def __init__(self, model: Mapping[str, Any]) -> None:
        language = model["interactionModel"]["languageModel"]
        self.invocation_name: str = normalize(language["invocationName"])
        self.slot_types: dict[str, str] = {}
        self.intent_slots: dict[str, list[tuple[str, str]]] = {}
        self._values: dict[str, dict[str, _Value]] = {}
        for kind in language.get("types", []):
            words: dict[str, _Value] = {}
            for value in kind.get("values", []):
                name = value["name"]["value"]
                entry = _Value(value.get("id") or name, name)
                for said in (name, *value["name"].get("synonyms", [])):
                    for form in (normalize(said), drop_articles(normalize(said))):
                        if form:
                            words.setdefault(form, entry)
            self._values[kind["name"]] = words
        self._strict: list[_Pattern] = []
        self._loose: list[_Pattern] = []
        self._free: list[_Pattern] = []
        order = 0
        for intent in language.get("intents", []):
            name = intent["name"]
            types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
            self.intent_slots[name] = [(slot["name"], slot["type"]) for slot in intent.get("slots", [])]
            phrases = (*intent.get("samples", []), *BUILT_IN_PHRASES.get(name, ()))
            for sample in dict.fromkeys(phrases):
                order += 1
                self._add(name, sample, types, order)
        for name, phrases in BUILT_IN_PHRASES.items():
            if name not in self.intent_slots:
                self.intent_slots[name] = []
                for sample in phrases:
                    order += 1
                    self._add(name, sample, {}, order)

    @classmethod
    def from_catalog(cls, catalog: Any, locale: str = "en-US") -> Matcher:
        """A matcher for the model that ``footwork model`` would write for ``catalog``."""
        from .interaction_model import build_interaction_model

        return cls(build_interaction_model(catalog, locale))

    # -- compiling ---------------------------------------------------------------------------------

    def _add(self, intent: str, sample: str, types: Mapping[str, str], order: int) -> None:
        text = _normalize_sample(sample)
        if not text:
            return
        slots = [s for s in _SLOT_REF.findall(text) if s in types]
        literal = len(_SLOT_REF.sub(" ", text).split())
        strict = self._compile(text, types, set())
        self._strict.append(_Pattern(intent, sample, strict, types, literal, order))
        loose = drop_articles(text)
        if loose:
            self._loose.append(_Pattern(intent, sample, self._compile(loose, types, set()), types,
                                        len(_SLOT_REF.sub(" ", loose).split()), order))
        free = {s for s in slots if s in FREE_SLOTS.get(intent, frozenset())}
        # A sample that is nothing but a slot ("{routine}") would take every sentence: never free.
        if free and literal > 0:
            free_words = self._compile(text, types, free)
            self._free.append(_Pattern(intent, sample, free_words, types, literal, order))

    def _compile(self, text: str, types: Mapping[str, str], free: set[str]) -> re.Pattern[str]:
        parts: list[str] = []
        seen: set[str] = set()
        position = 0
        for ref in _SLOT_REF.finditer(text):
            parts.append(re.escape(text[position:ref.start()]))
            slot = ref.group(1)
            if slot not in types or slot in seen:  # not a slot of this intent: match it as words
                parts.append(re.escape(ref.group(0)))
            elif slot in free:
                parts.append(f"(?P<{slot}>{_FREE_WORDS})")
            else:
                words = sorted(self._values.get(types[slot], {}), key=lambda w: (-len(w), w))
                alternatives = "|".join(re.escape(w) for w in words) or r"(?!)"
                parts.append(f"(?P<{slot}>{alternatives})")
            seen.add(slot)
            position = ref.end()
        parts.append(re.escape(text[position:]))
        return re.compile("".join(parts))

    # -- matching ----------------------------------------------------------------------------------

    def match(self, utterance: str) -> Match:
        """What Alexa would send for ``utterance``, said inside an open session or to open one."""
        text = normalize(utterance)
        invocation = self._invocation(text)
        if invocation is not None:
            return invocation
        if text in END_PHRASES:
            return Match("end", sample=text)
        return self.match_intent(text)

    def match_intent(self, text: str) -> Match:
        """The intent for an already normalised utterance; ``AMAZON.FallbackIntent`` when none fits."""
        loose = drop_articles(text)
        for patterns, said in ((self._strict, text), (self._loose, loose), (self._free, text)):
            best: tuple[tuple[int, int, int], Match] | None = None
            for pattern in patterns:
                found = pattern.regex.fullmatch(said)
                if found is None:
                    continue
                slots = self._fill(pattern, found)
                if slots is None:
                    continue
                unresolved = sum(1 for v in slots.values() if v.resolved_id is None)
                rank = (unresolved, -pattern.literal, pattern.order)
                if best is None or rank < best[0]:
                    best = (rank, Match("intent", pattern.intent, slots, sample=pattern.sample))
            if best is not None:
                return best[1]
        return Match("intent", FALLBACK_INTENT, sample=None)

    def _fill(self, pattern: _Pattern, found: re.Match[str]) -> dict[str, SlotValue] | None:
        slots: dict[str, SlotValue] = {}
        for name, said in found.groupdict().items():
            if said is None:
                continue
            kind = pattern.slot_types[name]
            value = self._values.get(kind, {}).get(said)
            if value is None:
                said = _trim_articles(said)
                if not said:
                    return None
                value = self._values.get(kind, {}).get(said) or self._values.get(kind, {}).get(
                    drop_articles(said))
            if value is None:
                slots[name] = SlotValue(said, None, None, kind)
            else:
                slots[name] = SlotValue(said, value.id, value.name, kind)
        return slots

    def _invocation(self, text: str) -> Match | None:
        """"open foot work" (launch) and "ask foot work to ..." (one-shot); None for anything else."""
        name = self.invocation_name
        names = [re.escape(name)]
        if " " in name:
            names.append(re.escape(name.replace(" ", "")))
        said = "(?:" + "|".join(names) + ")"
        verbs = "|".join(LAUNCH_VERBS)
        if re.fullmatch(rf"(?:(?:{verbs}) )?(?:the )?{said}(?: skill)?", text):
            return Match("launch", sample=text)
        asks = "|".join(ONE_SHOT_VERBS)
        shot = re.fullmatch(rf"(?:{asks}) {said}(?: (?:to|for|about|if|whether))?(?: (.+))?", text)
        if shot is None:
            return None
        rest = shot.group(1)
        if not rest:
            return Match("launch", sample=text)
        found = self.match_intent(normalize(rest))
        return Match("intent", found.intent, found.slots, one_shot=True, sample=found.sample)

    def envelope_slots(self, match: Match) -> dict[str, SlotValue | None]:
        """Every slot of the matched intent, as Alexa sends them: the unfilled ones empty (None)."""
        names = [name for name, _ in self.intent_slots.get(match.intent or "", [])]
        slots: dict[str, SlotValue | None] = dict.fromkeys(names)
        slots.update(match.slots)
        return slots


def phrases(matcher: Matcher, intents: Iterable[str] | None = None) -> dict[str, list[str]]:
    """The samples and phrases each intent is matched by, for ``/help`` and the simulator's hints."""
    wanted = set(intents) if intents is not None else None
    found: dict[str, list[str]] = {}
    for pattern in matcher._strict:
        if wanted is None or pattern.intent in wanted:
            found.setdefault(pattern.intent, []).append(pattern.sample)
    return found
