"""Two apps answering the same requests, compared byte for byte.

Used where a faster path replaces the SDK's own (the envelope reader, the response writer, the thin
skill): the "old" app is built the SDK's way, the "new" one as Footwork serves, and every answer
must be the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from footwork.core import Catalog
from footwork.skill.dev.envelopes import Conversation, SlotValue

Script = list[tuple[str, dict[str, SlotValue | None] | None]]


def both(old: Flask, new: Flask, body: bytes) -> dict[str, Any] | None:
    """Send ``body`` to both apps; require the same status and bytes; return the new answer's JSON."""
    answers = [app.test_client().post("/alexa", data=body, content_type="application/json")
               for app in (old, new)]
    assert answers[1].status_code == answers[0].status_code
    assert answers[1].get_data() == answers[0].get_data()
    return answers[1].get_json() if answers[1].status_code == 200 else None


def every_routine(catalog: Catalog) -> Script:
    """Help, the list, then each routine described, started, walked to its end and once past it,
    with repeat, back, pause, resume, stop and a fallback on the way."""
    script: Script = [("AMAZON.HelpIntent", None), ("ListRoutinesIntent", None)]
    for routine in catalog.routines:
        slot = SlotValue(routine.title, routine.id, routine.title)
        script += [("DescribeRoutineIntent", {"routine": slot}), ("AMAZON.YesIntent", None),
                   ("AMAZON.NextIntent", None), ("AMAZON.RepeatIntent", None),
                   ("AMAZON.PreviousIntent", None), ("AMAZON.PauseIntent", None),
                   ("AMAZON.ResumeIntent", None), ("AMAZON.StopIntent", None),
                   ("StartRoutineIntent", {"routine": slot, "level": None}), ("AMAZON.NoIntent", None)]
        # To the end of the routine, and once more past it: completions are recorded and celebrated.
        script += [("AMAZON.NextIntent", None)] * 60
        script += [("StartRoutineIntent", {"routine": slot, "level": None}), ("AMAZON.FallbackIntent", None)]
    script += [("AMAZON.CancelIntent", None)]
    return script


def replay(old: Flask, new: Flask, script: Script) -> int:
    """Say ``script`` to both apps as one person, opening a session whenever the last one closed;
    end with the session-ended event. Returns how many intents were answered."""
    talk = Conversation()
    answered = 0
    for intent, slots in script:
        if not talk.open:
            answer = both(old, new, json.dumps(talk.launch()).encode())
            assert answer is not None
            talk.receive(answer)
        answer = both(old, new, json.dumps(talk.intent(intent, slots)).encode())
        assert answer is not None
        talk.receive(answer)
        answered += 1
    both(old, new, json.dumps(talk.session_ended()).encode())
    return answered
