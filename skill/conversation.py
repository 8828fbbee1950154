"""The conversation: ask-sdk-core handlers for every request Footwork can receive.

A routine is narrated in pages (see :mod:`footwork.core.narration`); the session keeps the place
(routine, level, mode, page) and every handler that moves through the routine speaks one page.
When the session ends early the place is saved, so the next launch can offer to carry on.

Every request gets an answer that helps: an unknown intent, a request type this skill never asked
for or an error in a handler all end in speech that says what can be said next, never in an
exception escaping to the web server.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from typing import Any

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.exceptions import AttributesManagerException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type, get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode
from ask_sdk_model.ui import SimpleCard
from footwork.core import Catalog, Level, Routine, estimate_seconds
from footwork.core.narration import Narration, Page, narrate
from footwork.core.timeline import number_words, spoken_list, spoken_minutes, spoken_needs

from . import progress as memory
from .progress import Place

log = logging.getLogger("footwork.skill")

SKILL_NAME = "Foot Work"
SSML_LIMIT = 8000
CARD_LIMIT = 8000

DISCLAIMER = (
    "Foot Work guides you through foot and ankle exercises. It isn't a substitute for professional "
    "medical advice. Move only within a pain-free range, and stop if anything hurts."
)
ROUTINE_COMMANDS = "Say next to go on, repeat to hear that again, previous to go back, or stop to stop."

# Session states: what a "yes" or "no" answers.
CONFIRM_RESUME = "confirm-resume"
OFFER_START = "offer-start"


def escape(text: str) -> str:
    """Plain text made safe inside SSML."""
    return html.escape(text, quote=False)


class Turn:
    """One request, as the handlers see it: the catalog, the session, the person's progress.

    Persistent attributes are read only when a handler asks for them, so a "next" that needs none
    costs no database read.
    """

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

    @property
    def place(self) -> Place | None:
        place = Place.from_json(self.session.get("place"))
        if place is None or self.catalog.get(place.routine) is None:
            return None
        return place

    @place.setter
    def place(self, place: Place | None) -> None:
        if place is None:
            self.session.pop("place", None)
        else:
            self.session["place"] = place.as_json()

    @property
    def state(self) -> str | None:
        return self.session.get("state")

    @state.setter
    def state(self, value: str | None) -> None:
        if value is None:
            self.session.pop("state", None)
        else:
            self.session["state"] = value

    # -- the routine -------------------------------------------------------------------------------

    def narration(self, place: Place) -> Narration:
        routine = self.catalog.get(place.routine)
        assert routine is not None  # Turn.place only returns places of loaded routines
        return narrate(routine, _level(place.level), "hands-free" if place.mode == "hands-free" else "guided")

    def routine_names(self, limit: int = 4) -> str:
        titles = [r.title for r in self.catalog.routines[:limit]]
        more = len(self.catalog.routines) - limit
        if more > 0:
            titles.append(f"{number_words(more)} more")
        return spoken_list(titles)

    # -- answers -----------------------------------------------------------------------------------

    def ask(self, speech: str, reprompt: str, card: tuple[str, str] | None = None) -> Response:
        builder = self.input.response_builder.speak(speech).ask(reprompt)
        if card:
            builder.set_card(SimpleCard(title=card[0], content=card[1][:CARD_LIMIT]))
        return builder.response

    def tell(self, speech: str, card: tuple[str, str] | None = None) -> Response:
        builder = self.input.response_builder.speak(speech).set_should_end_session(True)
        if card:
            builder.set_card(SimpleCard(title=card[0], content=card[1][:CARD_LIMIT]))
        return builder.response

    def speak_page(self, place: Place, before: str = "") -> Response:
        """Say the page at ``place``; on the last page, celebrate and record the routine as done."""
        narration = self.narration(place)
        page_index = min(place.page, len(narration.pages) - 1)
        page = narration.pages[page_index]
        place = Place(place.routine, place.level, place.mode, page_index)
        body = _inner(page.ssml)
        if before and len(before) + len(body) + 20 < SSML_LIMIT:
            body = f"{before} {body}"
        card = (f"{narration.routine.title}: {_where(page)}", page.text)
        self.state = None
        if page.prompt is None:
            days = memory.record_completion(self.progress, place.routine, place.level, self.today)
            self.save_progress()
            self.place = None
            # Pages leave room under the limit for this (footwork.core.paging.SKILL_HEADROOM).
            return self.tell(f"{body} {_celebration(days)}", card)
        self.place = place
        memory.save_place(self.progress, place)
        self.save_progress()
        return self.ask(body, f"{escape(page.prompt)}", card)

    def start(self, routine: Routine, level: Level | None, before: str = "") -> Response:
        chosen = level or self._default_level(routine)
        if level is not None:
            memory.set_preferred_level(self.progress, level.value)
        if chosen is Level.FIRST_TIME and level is None:
            before += " Since this is your first time with it, I'll keep it short."
        place = Place(routine.id, chosen.value, "guided", 0)
        return self.speak_page(place, before.strip())

    def _default_level(self, routine: Routine) -> Level:
        # The articles' advice: a new exercise only a couple of times at first.
        if memory.times_finished(self.progress, routine.id) == 0:
            return Level.FIRST_TIME
        return _level(memory.preferred_level(self.progress) or Level.STANDARD.value)

    def resolve_routine(self) -> tuple[Routine | None, str | None]:
        """The routine named in the ``routine`` slot: entity resolution first, then the words said."""
        slot = _slot(self.input, "routine")
        if slot is None:
            return None, None
        said = slot.value
        for authority in getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []:
            status = getattr(getattr(authority, "status", None), "code", None)
            if status == StatusCode.ER_SUCCESS_MATCH and authority.values:
                routine = self.catalog.get(authority.values[0].value.id)
                if routine is not None:
                    return routine, said
        if said:
            return self.catalog.find(said), said
        return None, None

    def resolve_level(self) -> Level | None:
        slot = _slot(self.input, "level")
        if slot is None:
            return None
        for authority in getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []:
            if getattr(getattr(authority, "status", None), "code", None) == StatusCode.ER_SUCCESS_MATCH:
                try:
                    return Level(authority.values[0].value.id)
                except (ValueError, IndexError, AttributeError):
                    pass
        said = (slot.value or "").strip().lower().replace(" ", "-")
        aliases = {"easy": "gentle", "light": "gentle", "hard": "strong", "normal": "standard",
                   "beginner": "first-time", "first": "first-time"}
        try:
            return Level(aliases.get(said, said))
        except ValueError:
            return None


def _intent_name(handler_input: HandlerInput) -> str | None:
    """The intent's name; None for an IntentRequest that names none (the fallback answers it)."""
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    return getattr(intent, "name", None)


def _slot(handler_input: HandlerInput, name: str) -> Any:
    try:
        slot = get_slot(handler_input, name)
    except (TypeError, AttributeError):
        return None
    return slot if slot is not None and (slot.value or slot.resolutions) else None


def _level(value: str) -> Level:
    try:
        return Level(value)
    except ValueError:
        return Level.STANDARD


def _inner(ssml: str) -> str:
    ssml = ssml.strip()
    if ssml.startswith("<speak>") and ssml.endswith("</speak>"):
        return ssml[len("<speak>"):-len("</speak>")].strip()
    return ssml


def _where(page: Page) -> str:
    position = page.position
    if position.section != "exercise":
        return "getting ready" if position.section == "intro" else "finishing"
    where = f"exercise {position.exercise} of {position.exercises}"
    if position.sets > 1:
        where += f", set {position.set} of {position.sets}"
    return where


def _spoken_where(page: Page) -> str:
    position = page.position
    if position.section != "exercise":
        return "the start"
    return f"exercise {number_words(position.exercise)}, {escape(position.exercise_name or '')}"


def _celebration(days: int) -> str:
    if days >= 2:
        return f"That's {number_words(days)} days in a row. Well done, and see you tomorrow."
    return "That's your routine done for today. Well done. Come back tomorrow to start a streak."


# --- handlers ------------------------------------------------------------------------------------

class _Handler(AbstractRequestHandler):
    """A request handler bound to the catalog; subclasses say which requests and what to answer."""

    request_type: str = "IntentRequest"
    intents: tuple[str, ...] = ()

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if get_request_type(handler_input) != self.request_type:
            return False
        return not self.intents or _intent_name(handler_input) in self.intents

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.answer(Turn(handler_input, self.catalog))

    def answer(self, turn: Turn) -> Response:  # pragma: no cover - every subclass answers
        raise NotImplementedError


class Launch(_Handler):
    request_type = "LaunchRequest"

    def answer(self, turn: Turn) -> Response:
        intro = ""
        if not memory.has_heard_disclaimer(turn.progress):
            intro = f"Welcome to {SKILL_NAME}. {escape(DISCLAIMER)} "
            memory.mark_disclaimer_heard(turn.progress)
            turn.save_progress()
        place = memory.unfinished(turn.progress)
        routine = turn.catalog.get(place.routine) if place else None
        if place and routine:
            narration = turn.narration(place)
            page = narration.pages[min(place.page, len(narration.pages) - 1)]
            turn.session["resume"] = place.as_json()
            turn.state = CONFIRM_RESUME
            return turn.ask(
                f"{intro}Welcome back. Do you want to carry on with {escape(routine.title)} at "
                f"{_spoken_where(page)}?",
                f"Shall we carry on with {escape(routine.title)}? Say yes, or no to choose another routine.",
            )
        if not turn.catalog.routines:
            return turn.tell(f"{intro}{SKILL_NAME} has no routines installed yet. "
                             "Install a content pack, then try again.")
        greeting = intro or f"Welcome to {SKILL_NAME}. "
        return turn.ask(
            f"{greeting}I have {escape(turn.routine_names())}. Which would you like to start?",
            f"You can say, start {escape(turn.catalog.routines[0].title)}. Which routine would you like?",
        )


class StartRoutine(_Handler):
    intents = ("StartRoutineIntent",)

    def answer(self, turn: Turn) -> Response:
        routine, said = turn.resolve_routine()
        level = turn.resolve_level()
        if routine is None and said is None and turn.place is not None and level is not None:
            # "Make it gentle" in the middle of a routine: same routine, same page, new level.
            place = turn.place
            return turn.speak_page(Place(place.routine, level.value, place.mode, place.page),
                                   f"Okay, {level.spoken} level.")
        if routine is None:
            if not turn.catalog.routines:
                return turn.tell("I don't have any routines installed yet.")
            lead = f"I don't have {escape(said)}. " if said else "Which routine? "
            return turn.ask(f"{lead}I have {escape(turn.routine_names())}. Which would you like?",
                            "Which routine would you like to start?")
        return turn.start(routine, level, "Okay.")


class ListRoutines(_Handler):
    intents = ("ListRoutinesIntent",)

    def answer(self, turn: Turn) -> Response:
        if not turn.catalog.routines:
            return turn.tell("I don't have any routines installed yet.")
        parts = [f"{escape(r.title)}, {spoken_minutes(estimate_seconds(r, Level.STANDARD))}"
                 for r in turn.catalog.routines]
        count = len(parts)
        noun = "routine" if count == 1 else "routines"
        card = "\n".join(f"{r.title} ({len(r.exercises)} exercises)" for r in turn.catalog.routines)
        return turn.ask(f"I have {number_words(count)} {noun}: {'; '.join(parts)}. Which would you like?",
                        "Which routine would you like to start?", ("Routines", card))


class DescribeRoutine(_Handler):
    intents = ("DescribeRoutineIntent",)

    def answer(self, turn: Turn) -> Response:
        routine, said = turn.resolve_routine()
        if routine is None:
            place = turn.place
            routine = turn.catalog.get(place.routine) if place and said is None else None
        if routine is None:
            lead = f"I don't have {escape(said)}. " if said else ""
            return turn.ask(f"{lead}I have {escape(turn.routine_names())}. Which one shall I describe?",
                            "Which routine would you like to hear about?")
        level = _level(memory.preferred_level(turn.progress) or Level.STANDARD.value)
        names = spoken_list([e.name for e in routine.exercises])
        count = len(routine.exercises)
        noun = "exercise" if count == 1 else "exercises"
        needs = f" You'll need {spoken_needs(routine.all_needs)}." if routine.all_needs else ""
        speech = (f"{routine.title} has {number_words(count)} {noun}: {names}. It takes "
                  f"{spoken_minutes(estimate_seconds(routine, level))} at the {level.spoken} level.{needs}")
        turn.state = OFFER_START
        turn.session["offer"] = routine.id
        return turn.ask(f"{escape(speech)} Would you like to start it?",
                        f"Shall I start {escape(routine.title)}?", (routine.title, speech))


class _InRoutine(_Handler):
    """Moves within the routine in the session; without one, explains how to start one."""

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if place is None:
            saved = memory.unfinished(turn.progress)
            if saved and turn.catalog.get(saved.routine) and self.resumes_saved:
                return self.move(turn, saved)
            return turn.ask(
                f"You're not in a routine right now. I have {escape(turn.routine_names())}. "
                "Which would you like to start?",
                "Which routine would you like to start?",
            )
        return self.move(turn, place)

    resumes_saved = False

    def move(self, turn: Turn, place: Place) -> Response:  # pragma: no cover - every subclass moves
        raise NotImplementedError


class Next(_InRoutine):
    intents = ("AMAZON.NextIntent",)

    def move(self, turn: Turn, place: Place) -> Response:
        return turn.speak_page(Place(place.routine, place.level, place.mode, place.page + 1))


class Previous(_InRoutine):
    intents = ("AMAZON.PreviousIntent",)

    def move(self, turn: Turn, place: Place) -> Response:
        if place.page == 0:
            return turn.speak_page(place, "This is the first part.")
        return turn.speak_page(Place(place.routine, place.level, place.mode, place.page - 1))


class Repeat(_InRoutine):
    intents = ("AMAZON.RepeatIntent",)

    def move(self, turn: Turn, place: Place) -> Response:
        return turn.speak_page(place)


class StartOver(_InRoutine):
    intents = ("AMAZON.StartOverIntent",)

    def move(self, turn: Turn, place: Place) -> Response:
        return turn.speak_page(Place(place.routine, place.level, place.mode, 0), "Starting over.")


class Resume(_InRoutine):
    intents = ("AMAZON.ResumeIntent",)
    resumes_saved = True

    def move(self, turn: Turn, place: Place) -> Response:
        return turn.speak_page(place, "Carrying on.")


class Pause(_Handler):
    intents = ("AMAZON.PauseIntent",)

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if place is None:
            return turn.tell("Okay. Come back whenever you're ready.")
        memory.save_place(turn.progress, place)
        turn.save_progress()
        page = turn.narration(place).pages[place.page]
        return turn.tell(f"Paused at {_spoken_where(page)}. When you're ready, say: Alexa, ask foot work "
                         "to resume.")


class Yes(_Handler):
    intents = ("AMAZON.YesIntent",)

    def answer(self, turn: Turn) -> Response:
        if turn.state == CONFIRM_RESUME:
            saved = Place.from_json(turn.session.pop("resume", None))
            if saved and turn.catalog.get(saved.routine):
                return turn.speak_page(saved, "Okay, carrying on.")
        if turn.state == OFFER_START:
            routine = turn.catalog.get(turn.session.pop("offer", "") or "")
            if routine:
                return turn.start(routine, None, "Great.")
        if turn.place is not None:
            return turn.speak_page(Place(**{**turn.place.as_json(), "page": turn.place.page + 1}))
        return turn.ask(f"I have {escape(turn.routine_names())}. Which would you like to start?",
                        "Which routine would you like?")


class No(_Handler):
    intents = ("AMAZON.NoIntent",)

    def answer(self, turn: Turn) -> Response:
        if turn.state == CONFIRM_RESUME:
            turn.session.pop("resume", None)
        turn.state = None
        if turn.place is not None:
            return turn.ask(f"Okay. {ROUTINE_COMMANDS}", "Say next when you're ready.")
        return turn.ask(f"Okay. I have {escape(turn.routine_names())}. Which would you like, or say stop?",
                        "Which routine would you like? Or say stop.")


class Help(_Handler):
    intents = ("AMAZON.HelpIntent",)

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if place is not None:
            routine = turn.catalog.get(place.routine)
            page = turn.narration(place).pages[place.page]
            return turn.ask(
                f"You're doing {escape(routine.title)}, at {_spoken_where(page)}. {ROUTINE_COMMANDS} "
                "I'll remember your place. And remember: stay within a pain-free range.",
                "Say next when you're ready, or stop to stop.",
            )
        return turn.ask(
            f"{SKILL_NAME} talks you through foot and ankle exercises, step by step. I have "
            f"{escape(turn.routine_names())}. Say, start, and a routine's name, or ask what's in a routine.",
            "Which routine would you like to start?",
        )


class Goodbye(_Handler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if place is None:
            return turn.tell("Goodbye.")
        memory.save_place(turn.progress, place)
        turn.save_progress()
        page = turn.narration(place).pages[place.page]
        return turn.tell(f"Okay, I've saved your place at {_spoken_where(page)}. Goodbye.")


class Fallback(_Handler):
    """AMAZON.FallbackIntent, and any intent this skill does not know."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) == "IntentRequest"

    def answer(self, turn: Turn) -> Response:
        if turn.place is not None:
            return turn.ask(f"Sorry, I didn't catch that. {ROUTINE_COMMANDS}", "Say next when you're ready.")
        return turn.ask(
            f"Sorry, I didn't catch that. I have {escape(turn.routine_names())}. "
            "Say, start, and a routine's name.",
            "Which routine would you like to start?",
        )


class SessionEnded(_Handler):
    request_type = "SessionEndedRequest"

    def answer(self, turn: Turn) -> Response:
        request = turn.input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        error = getattr(request, "error", None)
        detail = None
        if error is not None:
            detail = f"{getattr(error, 'object_type', None)}: {getattr(error, 'message', None)}"
        log.info("session ended: reason=%s error=%s", reason, detail)
        place = turn.place
        if place is not None:
            memory.save_place(turn.progress, place)
            turn.save_progress()
        # Alexa allows no speech in reply to SessionEndedRequest.
        return turn.input.response_builder.response


class AnythingElse(_Handler):
    """Request types Footwork never asked for (playback events, skill events, ...): answer politely."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def answer(self, turn: Turn) -> Response:
        log.info("unhandled request type %s", get_request_type(turn.input))
        if get_request_type(turn.input).startswith(("AlexaSkillEvent.", "Messaging.", "System.")):
            return turn.input.response_builder.response
        return turn.ask("Sorry, I can't do that here. Say help to hear what I can do.",
                        "Say help to hear what I can do.")


class Trouble(AbstractExceptionHandler):
    """The last resort: a handler raised. Log it, keep the session, and say something useful."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.exception("handler failed: %s", exception)
        return (handler_input.response_builder
                .speak("Sorry, something went wrong on my side. Please try that again, or say help.")
                .ask("Say help to hear what I can do.")
                .response)


def request_handlers(catalog: Catalog) -> list[AbstractRequestHandler]:
    """Every handler, most specific first: the SDK uses the first that can handle a request."""
    ordered: list[type[_Handler]] = [
        Launch, StartRoutine, ListRoutines, DescribeRoutine, Next, Previous, Repeat, StartOver, Resume,
        Pause, Yes, No, Help, Goodbye, SessionEnded, Fallback, AnythingElse,
    ]
    return [handler(catalog) for handler in ordered]
