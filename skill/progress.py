"""What Footwork remembers about a person between sessions, and nothing more.

Stored per user (persistent attributes): the unfinished routine and the place it stopped at (a
position, see :mod:`footwork.skill.place`, and the day it was saved), the routines finished with
their dates and levels, the streak of days, whether the safety disclaimer was heard, and the
mode and pace chosen by voice. All plain JSON: strings, numbers, booleans, lists and objects.
Nothing about anyone's health: no pain, no symptoms, no conditions (Alexa's health policy; the
persistence adapter refuses such keys as a second line of defence).

Dates are the day of the request's timestamp in UTC: Alexa requests carry no time zone without
the settings permission, which Footwork does not ask for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from footwork.core import Catalog, Level
from footwork.core.movement import Pace

from .place import Place

#: Finished routines kept, newest last: enough for "you've done the ankle routine 12 times" without
#: letting a row grow without bound.
HISTORY_LIMIT = 200


#: How long a saved place is offered: after a week, a person starts afresh.
PLACE_KEPT_DAYS = 7


def unfinished(progress: dict[str, Any], catalog: Catalog, today: dt.date) -> Place | None:
    """The place saved when a routine was left unfinished, if it is recent and still makes sense."""
    data = progress.get("unfinished")
    place = Place.from_json(data, catalog)
    if place is None or not isinstance(data, dict):
        return None
    saved = _date(data.get("saved"))
    # Places saved before the date was kept are offered: they are what the person left.
    if saved is not None and not 0 <= (today - saved).days <= PLACE_KEPT_DAYS:
        return None
    return place


def save_place(progress: dict[str, Any], place: Place, today: dt.date) -> None:
    progress["unfinished"] = {**place.as_json(), "saved": today.isoformat()}


def forget_place(progress: dict[str, Any]) -> None:
    progress.pop("unfinished", None)


def streak_days(progress: dict[str, Any], today: dt.date) -> int:
    """Days in a row with a finished routine, ending today or yesterday (0 once a day is missed)."""
    streak = progress.get("streak")
    if not isinstance(streak, dict):
        return 0
    try:
        last = dt.date.fromisoformat(streak["last"])
        days = int(streak["days"])
    except (KeyError, TypeError, ValueError):
        return 0
    return days if (today - last).days in (0, 1) else 0


def record_completion(progress: dict[str, Any], routine: str, level: str, today: dt.date) -> int:
    """Record a finished routine; return the streak of days including today."""
    history = progress.get("completed")
    if not isinstance(history, list):
        history = []
    history.append({"routine": routine, "level": level, "date": today.isoformat()})
    progress["completed"] = history[-HISTORY_LIMIT:]

    current = streak_days(progress, today)
    last = progress.get("streak", {}).get("last") if isinstance(progress.get("streak"), dict) else None
    if current and last == today.isoformat():
        days = current
    else:
        days = current + 1
    progress["streak"] = {"days": days, "last": today.isoformat()}
    forget_place(progress)
    return days


def history(progress: dict[str, Any], routine: str) -> list[tuple[dt.date, Level]]:
    """The days and levels ``routine`` was finished at, oldest first; unreadable entries skipped."""
    found: list[tuple[dt.date, Level]] = []
    entries = progress.get("completed")
    for item in entries if isinstance(entries, list) else []:
        if not isinstance(item, dict) or item.get("routine") != routine:
            continue
        day = _date(item.get("date"))
        level = item.get("level")
        if day is not None and level in {lv.value for lv in Level}:
            found.append((day, Level(level)))
    return found


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) > 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def times_finished(progress: dict[str, Any], routine: str) -> int:
    history = progress.get("completed")
    if not isinstance(history, list):
        return 0
    return sum(1 for item in history if isinstance(item, dict) and item.get("routine") == routine)


def has_heard_disclaimer(progress: dict[str, Any]) -> bool:
    return progress.get("disclaimer_heard") is True


def mark_disclaimer_heard(progress: dict[str, Any]) -> None:
    progress["disclaimer_heard"] = True


def preferred_mode(progress: dict[str, Any]) -> str:
    """The mode last chosen by voice: "guided" (stop between exercises) unless "hands-free" was."""
    return "hands-free" if progress.get("mode") == "hands-free" else "guided"


def set_preferred_mode(progress: dict[str, Any], mode: str) -> None:
    progress["mode"] = mode


def preferred_pace(progress: dict[str, Any]) -> Pace:
    """The pace last chosen by voice: "normal" unless "slow" was ("slower", "that's too fast")."""
    return "slow" if progress.get("pace") == "slow" else "normal"


def set_preferred_pace(progress: dict[str, Any], pace: Pace) -> None:
    progress["pace"] = pace
