"""What an SSML answer sounds like, as readable text and as timed pieces.

The skill answers in SSML; a person at a terminal or in the web simulator wants "Lift your heels.
[pause 5 s] And lower." :func:`segments` walks the SSML in order and gives runs of words and runs of
silence (consecutive ``<break>`` tags, which Alexa plays back to back, become one pause, as in
:mod:`footwork.core.transcript`); :func:`ssml_to_text` joins them for reading.

Any SSML Alexa accepts is read: unknown tags are walked through for their words, ``<audio>`` shows
as ``[audio]``, and ``<break strength=...>`` gets the length Alexa gives it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Literal

from footwork.core.transcript import pause_text

#: Alexa's lengths for ``<break strength="...">``, in seconds.
STRENGTHS: dict[str, float] = {
    "none": 0.0, "x-weak": 0.0, "weak": 0.35, "medium": 0.75, "strong": 1.0, "x-strong": 1.25,
}
#: Tags that end a sentence or paragraph: their words never run into the next.
_BLOCKS = frozenset({"p", "s"})
_TIME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Segment:
    """One run of the answer: words to say (``text``) or a silence (``seconds``)."""

    kind: Literal["say", "pause"]
    text: str = ""
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        if self.kind == "pause":
            return {"pause": round(self.seconds, 3)}
        return {"say": self.text}


def break_seconds(element: ET.Element) -> float:
    """How long a ``<break>`` is silent: its ``time``, else its ``strength`` (Alexa's default: medium)."""
    time = element.get("time")
    if time:
        found = _TIME.match(time)
        if found:
            number = float(found.group(1))
            return number / 1000 if found.group(2).lower() == "ms" else number
        return 0.0
    return STRENGTHS.get((element.get("strength") or "medium").lower(), STRENGTHS["medium"])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _parse(ssml: str) -> ET.Element:
    text = ssml.strip()
    if not text.startswith("<speak"):
        text = f"<speak>{text}</speak>"
    try:
        return ET.fromstring(text)
    except ET.ParseError:
        # Not well-formed: fall back to the words with the tags taken out.
        root = ET.Element("speak")
        root.text = re.sub(r"<[^>]*>", " ", text)
        return root


def segments(ssml: str | None) -> list[Segment]:
    """The SSML in order as runs of words and silences; adjacent silences are merged into one."""
    if not ssml:
        return []
    pieces: list[tuple[str, Any]] = []

    def words(text: str | None) -> None:
        if text:
            pieces.append(("say", text))

    def walk(element: ET.Element) -> None:
        tag = _local(element.tag)
        if tag == "break":
            pieces.append(("pause", break_seconds(element)))
        elif tag == "audio":
            pieces.append(("say", " [audio] "))
        else:
            if tag in _BLOCKS:
                pieces.append(("say", " "))
            words(element.text)
            for child in element:
                walk(child)
                words(child.tail)
            if tag in _BLOCKS:
                pieces.append(("say", " "))

    root = _parse(ssml)
    words(root.text)
    for child in root:
        walk(child)
        words(child.tail)

    merged: list[Segment] = []
    for kind, value in pieces:
        last = merged[-1] if merged else None
        if kind == "pause":
            if value <= 0:  # a zero break still parts the words either side
                kind, value = "say", " "
        if kind == "pause":
            if last is not None and last.kind == "pause":
                merged[-1] = Segment("pause", seconds=last.seconds + value)
            else:
                merged.append(Segment("pause", seconds=value))
        elif last is not None and last.kind == "say":
            merged[-1] = Segment("say", last.text + value)
        else:
            merged.append(Segment("say", value))
    result: list[Segment] = []
    for segment in merged:
        if segment.kind == "say":
            text = " ".join(segment.text.split())
            if not text:
                continue
            segment = Segment("say", text)
        elif result and result[-1].kind == "pause":  # silences parted only by whitespace
            result[-1] = Segment("pause", seconds=result[-1].seconds + segment.seconds)
            continue
        result.append(segment)
    return result


def ssml_to_text(ssml: str | None) -> str:
    """The SSML as a person would read it: words, with each silence shown as ``[pause N s]``."""
    parts = [s.text if s.kind == "say" else pause_text(s.seconds) for s in segments(ssml)]
    return " ".join(parts)


def output_text(speech: dict[str, Any] | None) -> str:
    """The text of an Alexa ``outputSpeech`` (SSML or PlainText); empty when there is none."""
    if not speech:
        return ""
    if speech.get("type") == "PlainText" or "ssml" not in speech:
        return " ".join(str(speech.get("text") or "").split())
    return ssml_to_text(speech.get("ssml"))
