"""One request as the handlers see it: the catalog, the session, the person's progress, the day.

The session (what Alexa sends back from the last answer) is the request's, so anyone can forge it:
every value is checked against the catalog before it is used or stored (:class:`Place.from_json`,
the known states). Persistent attributes are read only when a handler asks for them, so a "next"
that needs none costs no database read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ask_sdk_core.exceptions import AttributesManagerException
from ask_sdk_core.handler_input import HandlerInput
from footwork.core import Catalog, Routine

from .place import Place

# Session states: what a "yes" or "no" answers.
CONFIRM_RESUME = "confirm-resume"
OFFER_START = "offer-start"
HURT = "hurt"
STATES = frozenset({CONFIRM_RESUME, OFFER_START, HURT})


class Turn:
    """One request: the session's place and state, the person's progress, and today's date."""

    def __init__(self, handler_input: HandlerInput, catalog: Catalog) -> None:
        self.input = handler_input
        self.catalog = catalog
        manager = handler_input.attributes_manager
        try:
            session = manager.session_attributes
        except AttributesManagerException:
            # A request outside a session (Alexa sends some) has nowhere to keep a place.
            session = None
        self.session: dict[str, Any] = session if session is not None else {}
        self._progress: dict[str, Any] | None = None
        self._clean()

    def _clean(self) -> None:
        """Drop whatever in the session this skill did not put there or no longer makes sense."""
        for key in list(self.session):
            if key not in ("place", "last", "state", "offer"):
                self.session.pop(key)
        self._place("place")
        self._place("last")
        if self.session.get("state") not in STATES:
            self.session.pop("state", None)
        if self.offer is None:
            self.session.pop("offer", None)

    # -- memory ------------------------------------------------------------------------------------

    @property
    def progress(self) -> dict[str, Any]:
        if self._progress is None:
            self._progress = self.input.attributes_manager.persistent_attributes
        return self._progress

    def save_progress(self) -> None:
        if self._progress is not None:
            self.input.attributes_manager.save_persistent_attributes()

    @property
    def today(self) -> dt.date:
        stamp = getattr(self.input.request_envelope.request, "timestamp", None)
        if isinstance(stamp, dt.datetime):
            return (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()
        return dt.datetime.now(dt.UTC).date()

    # -- the session -------------------------------------------------------------------------------

    def _place(self, key: str) -> Place | None:
        place = Place.from_json(self.session.get(key), self.catalog)
        if place is None:
            self.session.pop(key, None)  # never carried on, never stored
        return place

    def _set_place(self, key: str, place: Place | None) -> None:
        if place is None:
            self.session.pop(key, None)
        else:
            self.session[key] = place.as_json()

    @property
    def place(self) -> Place | None:
        """Where the routine under way goes on from: the start of the page due next."""
        return self._place("place")

    @place.setter
    def place(self, place: Place | None) -> None:
        self._set_place("place", place)

    @property
    def last(self) -> Place | None:
        """Where the page said last starts, for "repeat", "go back" and "which exercise is this"."""
        return self._place("last")

    @last.setter
    def last(self, place: Place | None) -> None:
        self._set_place("last", place)

    @property
    def current(self) -> Place | None:
        """The part the person is on: the page said last, else the one due."""
        return self.last or self.place

    @property
    def state(self) -> str | None:
        state = self.session.get("state")
        return state if state in STATES else None

    @state.setter
    def state(self, value: str | None) -> None:
        if value is None:
            self.session.pop("state", None)
        else:
            self.session["state"] = value

    @property
    def offer(self) -> Routine | None:
        """The routine just described, offered with "would you like to start it?"."""
        offered = self.session.get("offer")
        return self.catalog.get(offered) if isinstance(offered, str) and len(offered) <= 200 else None

    @offer.setter
    def offer(self, routine: Routine | None) -> None:
        if routine is None:
            self.session.pop("offer", None)
        else:
            self.session["offer"] = routine.id

    def routine(self, place: Place) -> Routine:
        routine = self.catalog.get(place.routine)
        assert routine is not None  # places are only read back for routines in the catalog
        return routine
