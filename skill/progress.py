"""What Footwork remembers about a person between sessions, and nothing more.

Stored per user (persistent attributes): the unfinished routine and the page it stopped at, the
routines finished with their dates, the streak of days, whether the safety disclaimer was heard,
and the preferred level. Nothing about anyone's health: no pain, no symptoms, no conditions (Alexa's
health policy; the persistence adapter refuses such keys as a second line of defence).

Dates are the day of the request's timestamp in UTC: Alexa requests carry no time zone without
the settings permission, which Footwork does not ask for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

#: Finished routines kept, newest last: enough for "you've done the ankle routine 12 times" without
#: letting a row grow without bound.
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Place:
    """Where a person is in a routine: the routine, its level and mode, and the page to say next."""

    routine: str
    level: str
    mode: str
    page: int

    def as_json(self) -> dict[str, Any]:
        return {"routine": self.routine, "level": self.level, "mode": self.mode, "page": self.page}

    @classmethod
    def from_json(cls, data: Any) -> Place | None:
        """A place read back from storage or the session; None when it is missing or malformed."""
        if not isinstance(data, dict):
            return None
        try:
            routine, level, mode, page = data["routine"], data["level"], data["mode"], data["page"]
        except KeyError:
            return None
        if not (isinstance(routine, str) and isinstance(level, str) and isinstance(mode, str)):
            return None
        if isinstance(page, bool) or not isinstance(page, int) or page < 0:
            return None
        return cls(routine, level, mode, page)


def unfinished(progress: dict[str, Any]) -> Place | None:
    return Place.from_json(progress.get("unfinished"))


def save_place(progress: dict[str, Any], place: Place) -> None:
    progress["unfinished"] = place.as_json()


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


def times_finished(progress: dict[str, Any], routine: str) -> int:
    history = progress.get("completed")
    if not isinstance(history, list):
        return 0
    return sum(1 for item in history if isinstance(item, dict) and item.get("routine") == routine)


def has_heard_disclaimer(progress: dict[str, Any]) -> bool:
    return progress.get("disclaimer_heard") is True


def mark_disclaimer_heard(progress: dict[str, Any]) -> None:
    progress["disclaimer_heard"] = True


def preferred_level(progress: dict[str, Any]) -> str | None:
    level = progress.get("level")
    return level if isinstance(level, str) else None


def set_preferred_level(progress: dict[str, Any], level: str) -> None:
    progress["level"] = level
