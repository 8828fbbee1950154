"""Cues as a plain-text transcript, for reading and reviewing a routine: the words, with the pauses shown.

Each instruction starts a line; a run of counts, letters or countdown words goes on a line of its own
after it, so a count of fifteen reads as one line. Silences in a row (a settling pause running into
a count's pause) show as one ``[pause N s]``, because that is what the person hears.
"""

from __future__ import annotations

from collections.abc import Iterable

from .timeline import Cue


def seconds_text(seconds: float) -> str:
    """5.0 -> "5", 2.25 -> "2.25": as short as the number allows."""
    return f"{round(seconds, 2):g}"


def pause_text(seconds: float) -> str:
    return f"[pause {seconds_text(seconds)} s]"


def to_text(cues: Iterable[Cue], prompt: str | None = None) -> str:
    """The transcript of ``cues``, with ``prompt`` as its last line if given."""
    lines: list[list[str]] = []
    silence = 0.0
    # Whether the current line holds counted words (continue it) or an instruction (a count starts anew).
    counting = False

    def flush_silence() -> None:
        nonlocal silence
        if silence > 0:
            if not lines:
                lines.append([])
            lines[-1].append(pause_text(silence))
        silence = 0.0

    for cue in cues:
        if not cue.spoken:
            silence += cue.seconds
            continue
        flush_silence()
        if cue.kind in ("speech", "transition"):
            lines.append([cue.text])
            counting = False
        else:
            if not counting or not lines:
                lines.append([])
            lines[-1].append(cue.text)
            counting = True
    flush_silence()
    if prompt:
        lines.append([prompt])
    return "\n".join(" ".join(words) for words in lines)
