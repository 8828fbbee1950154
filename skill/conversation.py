"""The conversation: ask-sdk-core handlers for every request Footwork can receive.

A routine is narrated in pages (see :mod:`footwork.core.narration`). The session keeps the place due
next and the place said last (:mod:`footwork.skill.place`, positions rather than page numbers), and
every handler that moves through the routine says one page (:func:`replies.speak_page`). The place
due next is saved with every page, so a session that closes while someone lies down or fetches a
towel can be carried on: by "yes" to the welcome back, or one-shot, "ask foot work to carry on".

Safety comes first: "that hurts" in any state stops the exercise at once, says when to see a
professional, and offers to skip the exercise or end for today; nothing about it is stored.

Every request gets an answer that helps: an unknown intent, a request type this skill never asked
for or an error in a handler all end in speech that says what can be said next, never in an
exception escaping to the web server.

Where things live: :mod:`.turn` (one request: session, lazy progress, the day), :mod:`.place` (the
position in a routine), :mod:`.replies` (answers and pages), :mod:`.moves` (starting, changing level
or mode, skipping, holding the place), :mod:`.questions` (handlers that answer and move nothing),
:mod:`.level_policy` (which level and why), :mod:`.slots` (reading slots), :mod:`.identity` (the
skill's name, disclaimer and level words). This module holds the handlers that move or stop.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response
from footwork.core import Catalog, Level, Routine
from footwork.core.levels import has_levels, level_for
from footwork.core.movement import Pace
from footwork.core.narration import Mode, planned_seconds
from footwork.core.wording import mid_sentence, number_words, spoken_list

from . import level_policy, slots
from . import progress as memory
from .handler import Handler, intent_name
from .identity import DISCLAIMER, PAIN_FREE_LINE, SEE_A_PROFESSIONAL, SKILL_NAME
from .moves import (
    change,
    come_back,
    go_back,
    hold_place,
    keep_going,
    offer_routines,
    part_on,
    routine_names,
    skip_exercise,
    start,
    under_way,
)
from .place import Place, part_before, start_of
from .questions import DescribeRoutine, Help, HowLong, ListRoutines, Safety, WhatsNext, WhereAmI
from .replies import (
    GO_ON,
    HURT_OPTIONS,
    MODES_EXPLAINED,
    ask,
    escape,
    narration_for,
    speak_index,
    speak_page,
    tell,
    where,
)
from .turn import CONFIRM_RESUME, HURT, OFFER_START, Turn

log = logging.getLogger("footwork.skill")


class Launch(Handler):
    request_type = "LaunchRequest"

    def answer(self, turn: Turn) -> Response:
        intro = ""
        if not memory.has_heard_disclaimer(turn.progress):
            intro = f"Welcome to {SKILL_NAME}. {escape(DISCLAIMER)} "
            memory.mark_disclaimer_heard(turn.progress)
            turn.save_progress()
        saved = memory.unfinished(turn.progress, turn.catalog, turn.today)
        if saved is not None:
            routine = turn.routine(saved)
            turn.place = saved
            turn.last = None
            turn.state = CONFIRM_RESUME
            return ask(
                turn,
                f"{intro}Welcome back. Do you want to carry on with {escape(mid_sentence(routine.title))} at "
                f"{where(saved, routine)}?",
                f"Shall we carry on with {escape(mid_sentence(routine.title))}? Say yes, start over, or "
                "something else.",
            )
        if not turn.catalog.routines:
            return tell(turn, f"{intro}{SKILL_NAME} has no routines installed yet. "
                              "Install a content pack, then try again.")
        greeting = intro or f"Welcome to {SKILL_NAME}. "
        return ask(
            turn,
            f"{greeting}I have {routine_names(turn)}. Which would you like to start?",
            f"You can say, start {escape(mid_sentence(turn.catalog.routines[0].title))}. "
            "Which routine would you like?",
        )


class StartRoutine(Handler):
    intents = ("StartRoutineIntent",)

    def answer(self, turn: Turn) -> Response:
        routine, said = slots.routine(turn.input, turn.catalog)
        level = slots.level(turn.input)
        mode = slots.mode(turn.input)
        place = turn.place
        if routine is None and said is None and place is not None and (level or mode):
            # "Make it gentle", "do it hands free" in the middle of a routine: same place, new level.
            if level is not None:
                return LevelChange.to(turn, part_on(turn, place), level)
            assert mode is not None
            return ModeChange.to(turn, place, mode)
        if routine is None:
            if said is None and mode is not None:
                memory.set_preferred_mode(turn.progress, mode)
                turn.save_progress()
                return offer_routines(turn, f"Okay, {mode} it is. ")
            candidates = turn.catalog.matches(said) if said else []
            if len(candidates) > 1:
                return which_pack(turn, said or "", candidates)
            lead = f"I don't have {escape(said)}. " if said else "Which routine? "
            return offer_routines(turn, lead)
        return start(turn, routine, level, mode, "Okay.")


def which_pack(turn: Turn, said: str, candidates: list[Routine]) -> Response:
    """Two installed packs answer to the same name: ask which, naming each pack as the model hears it
    ("heel raises from aa dup"), so that the answer reaches exactly one routine."""
    # Imported here: the model builder is not needed on any other request, and Lambda starts cold.
    from .interaction_model import spoken

    choices = [f"{spoken(r.title)} from {spoken(r.pack)}" for r in candidates]
    question = (f"I have {number_words(len(candidates))} routines called {escape(said)}: "
                f"{escape(spoken_list(choices, 'or'))}. Which one would you like?")
    return ask(turn, question, f"Say, for example, start {escape(choices[0])}.")


class LevelChange(Handler):
    """"Make it easier", "make it harder": one level, within the levels the routine has."""

    intents = ("EasierIntent", "HarderIntent")

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "Say which routine, and I'll choose the level for you; then say "
                                        "make it easier or harder at any time. ")
        current = part_on(turn, place)
        routine = turn.routine(current)
        direction = -1 if intent_name(turn.input) == "EasierIntent" else 1
        new = level_policy.step(routine, level_for(routine, current.level_value), direction)
        if new is None and not has_levels(routine) and direction > 0:
            return keep_going(turn, "This routine has no harder level.")
        if new is None and direction < 0:
            return keep_going(turn, "This is already the easiest level. You can leave any exercise out: "
                                    "say skip.")
        if new is None:
            return keep_going(turn, "This is already the strongest level.")
        return self.to(turn, current, new)

    @staticmethod
    def to(turn: Turn, place: Place, level: Level) -> Response:
        routine = turn.routine(place)
        really = level_for(routine, level)
        if level_for(routine, place.level_value) is really:
            if really is not level:
                return keep_going(turn, f"This routine has no {level.spoken} level, and we're at the "
                                        f"{really.spoken} level already.")
            return keep_going(turn, f"You're already at the {level.spoken} level.")
        lead = f"Okay, the {really.spoken} level."
        if level_for(routine, place.level_value) is Level.FIRST_TIME and really is not Level.FIRST_TIME:
            lead = f"{lead} {level_policy.STEPPING_UP_EARLY}"
        return change(turn, place, lead, level=really.value)


class ModeChange(Handler):
    """"Do it hands free", "one at a time": the mode, remembered for next time.

    The new mode goes on from the place due next, not from the start of the page said last: that
    page was heard to its end, and a change of mode is about how the rest is said, so nothing is
    done twice (a level change, "that's too hard", does the part again at the new level).
    """

    intents = ("SetModeIntent",)

    def answer(self, turn: Turn) -> Response:
        mode = slots.mode(turn.input)
        place = under_way(turn)
        if mode is None:
            return ask(turn, f"{MODES_EXPLAINED} Which would you like?", "Say hands free, or one at a time.")
        if place is None:
            memory.set_preferred_mode(turn.progress, mode)
            turn.save_progress()
            return offer_routines(turn, f"Okay, {mode} from now on. ")
        return self.to(turn, place, mode)

    @staticmethod
    def to(turn: Turn, place: Place, mode: Mode) -> Response:
        if place.mode == mode:
            return keep_going(turn, f"We're already {mode}.")
        what = ("Okay, hands-free: I won't stop between exercises." if mode == "hands-free"
                else "Okay, one at a time: I'll stop after each part until you say ready.")
        return change(turn, place, what, mode=mode)


class PaceChange(Handler):
    """"Slower", "that's too fast": more time for each counted repetition, remembered like the mode;
    "faster", "normal speed": back to the normal pace, and never faster than that.

    The counts follow the movement at the article's pace, so faster than normal is refused, and the
    holds keep the article's seconds at any pace. In the middle of a routine the new pace goes on
    from the part due next, as a change of mode does.
    """

    intents = ("SlowerIntent", "FasterIntent")

    def answer(self, turn: Turn) -> Response:
        pace: Pace = "slow" if intent_name(turn.input) == "SlowerIntent" else "normal"
        before = memory.preferred_pace(turn.progress)
        place = under_way(turn)
        if pace == before:
            speech = (SLOW_ALREADY if pace == "slow" else
                      "This is the normal pace, and I don't go faster: the counts follow the movement, "
                      "slow and controlled. Say skip to leave an exercise out.")
            return keep_going(turn, speech) if place is not None else offer_routines(turn, f"{speech} ")
        memory.set_preferred_pace(turn.progress, pace)
        turn.save_progress()
        what = (f"Okay, slower: {SLOWER}" if pace == "slow" else "Okay, back to the normal pace.")
        if place is None:
            return offer_routines(turn, f"{what} ")
        if turn.state == HURT:
            return keep_going(turn, what)
        routine = turn.routine(place)
        if pace == "slow" and (planned_seconds(routine, place.level_value, place.mode_value, "slow")
                               == planned_seconds(routine, place.level_value, place.mode_value, "normal")):
            # Toe walking is timed walks and rests, nothing counted: "more time for each count" would
            # promise a change the person never hears.
            return keep_going(turn, f"Okay, I'll count more slowly from now on. {escape(routine.title)} "
                                    "has no counts, so it keeps the article's timings. Say wait whenever you "
                                    "need more time.")
        return change(turn, place, what)


#: What the slow pace does, said when it is chosen.
SLOWER = "I'll give you more time for each count. Holds stay as long as before."
SLOW_ALREADY = ("This is the slow pace already. If you need more time, say wait at any point, or repeat to "
                "do that part again.")


class Hurt(Handler):
    """"That hurts", "my ankle hurts", "I feel dizzy": stop now, and never a prompt to carry on."""

    intents = ("HurtIntent",)

    def answer(self, turn: Turn) -> Response:
        stop_now = f"Stop that exercise now, and rest. {SEE_A_PROFESSIONAL}"
        place = under_way(turn)
        if place is None:
            return tell(turn, f"{stop_now} Take care.")
        current = turn.current or place
        routine = turn.routine(current)
        # The place stays where the person was, as on any stop; nothing about the pain is kept.
        memory.save_place(turn.progress, current, turn.today)
        turn.save_progress()
        turn.state = HURT
        if 1 <= current.exercise < len(routine.exercises):
            this = "this exercise"
            if current.mode == "hands-free":
                # A hands-free page runs through several exercises, and which one hurt is not known:
                # name the one that would be left out, so the person can choose knowing it.
                this = escape(mid_sentence(routine.exercises[current.exercise - 1].name))
            offer = f"Do you want to skip {this} and go on to the next one? Or say stop to end for today."
        elif current.exercise == len(routine.exercises):
            offer = "Do you want to skip this last exercise and finish? Or say stop to end for today."
        elif current.exercise == 0:
            offer = "Say stop to end for today, or skip to go on to the first exercise when you feel fine."
        else:
            offer = "Say stop to end for today, or skip to hear the wrap-up."
        return ask(turn, f"{stop_now} {offer}", HURT_OPTIONS)


class Wait(Handler):
    """"Wait", "hang on", "I need a break", "pause": hold the place, and keep listening."""

    intents = ("WaitIntent", "AMAZON.PauseIntent")

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if place is None:
            return ask(turn, "Take your time. When you're ready, say start, and a routine's name.",
                       "Say start, and a routine's name, when you're ready.")
        if turn.state == HURT:  # the place of the exercise that hurt is saved already
            return ask(turn, f"Take your time. {HURT_OPTIONS}", HURT_OPTIONS)
        memory.save_place(turn.progress, place, turn.today)
        turn.save_progress()
        last = turn.last
        if last is not None and last.mode == "hands-free":
            # A hands-free page runs minutes, and "wait" may have cut into it: "ready" goes on after
            # the whole page, so say how to do again the part that was cut short.
            again = f"repeat to go back to {where(last, turn.routine(last))}"
            return ask(turn, f"Take your time. Say ready when you want to go on, or {again}.",
                       f"Say ready when you want to go on, {again}, or stop to finish for today. "
                       "I'll keep your place.")
        return ask(turn, "Take your time. Say ready when you want to go on.",
                   "Say ready when you want to go on, or stop to finish for today. I'll keep your place.")


class Skip(Handler):
    """"Skip", "skip this one": leave out the exercise the person is on, and say which.

    Right after the last page of an exercise, "this one" is the exercise due next: that page ended
    by naming it and getting the person into its position ("On to exercise three: Seated ankle
    circles. Sit in a chair. Say ready when you're sitting"), and the one before is done, so there
    is nothing of it left to leave out. After "that hurts" it is the exercise that hurt.
    """

    intents = ("SkipIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "You're not in a routine right now. ")
        last = turn.last
        if turn.state == HURT or (last is not None and last.exercise == place.exercise):
            current = last or place
        else:
            current = place
        routine = turn.routine(current)
        exercises = routine.exercises
        if current.exercise > len(exercises):
            return come_back(turn, current, "That was the last exercise.")
        name = exercises[current.exercise - 1].name if current.exercise >= 1 else ""
        return skip_exercise(turn, current, f"Okay, we'll leave out {escape(mid_sentence(name))}."
                             if name else "Okay.")


class Next(Handler):
    """"Next", "ready", "carry on", "continue", "resume": say the page due, wherever it was left."""

    intents = ("AMAZON.NextIntent", "AMAZON.ResumeIntent")

    def answer(self, turn: Turn) -> Response:
        if turn.state == OFFER_START and turn.offer is not None:  # "Would you like to start it?" "Go."
            return start(turn, turn.offer, None, None, "Great.")
        resumed = turn.place is None
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "You're not in a routine right now. ")
        if turn.state == HURT:
            current = turn.current or place
            # Before the first exercise nothing is left out: "yes" goes on to it.
            left_out = "Okay, we'll leave that one out." if current.exercise >= 1 else "Okay."
            return skip_exercise(turn, current, left_out)
        if turn.state == CONFIRM_RESUME:
            return come_back(turn, place, "Okay, carrying on.")
        if resumed:
            routine = turn.routine(place)
            lead = f"Carrying on with {escape(mid_sentence(routine.title))}, at {where(place, routine)}."
            return come_back(turn, place, lead)
        return speak_page(turn, place)


class Previous(Handler):
    intents = ("AMAZON.PreviousIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "You're not in a routine right now. ")
        current = turn.current or place
        narration = narration_for(turn, current)
        index, offset = start_of(narration, current)
        if offset:
            # Said from partway through a page (after a change of mode, a skip): back to where the
            # part before opens, as a guided page goes back to the side or exercise before it.
            return speak_page(turn, part_before(narration, current))
        if index <= 0:
            return speak_index(turn, narration, 0, "This is the first part.")
        return go_back(turn, narration, index - 1, place)


class Repeat(Handler):
    intents = ("AMAZON.RepeatIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "You're not in a routine right now. ")
        if turn.state == HURT:
            return Hurt(self.catalog).answer(turn)
        if turn.last is None:
            # Nothing of the routine said since coming back, skipping or changing level: what was
            # said is how to get into position, so that is said again, not the counting begun.
            return come_back(turn, place, "")
        return speak_page(turn, turn.current or place)


class StartOver(Handler):
    intents = ("AMAZON.StartOverIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "You're not in a routine right now. ")
        return speak_page(turn, Place(place.routine, place.level, place.mode), "Starting over.")


class Yes(Handler):
    intents = ("AMAZON.YesIntent",)

    def answer(self, turn: Turn) -> Response:
        if turn.state == OFFER_START and turn.offer is not None:
            return start(turn, turn.offer, None, None, "Great.")
        if turn.place is not None or turn.state == HURT:
            return Next(self.catalog).answer(turn)
        return offer_routines(turn)


class No(Handler):
    intents = ("AMAZON.NoIntent",)

    def answer(self, turn: Turn) -> Response:
        state = turn.state
        place = turn.place
        if state == HURT and place is not None:
            # "Skip it? Or stop for today?" "No.": stop, keeping the exercise it hurt in.
            return Goodbye(self.catalog).answer(turn)
        turn.state = None
        if state == CONFIRM_RESUME:
            memory.forget_place(turn.progress)
            turn.save_progress()
            turn.place = None
            return offer_routines(turn, "Okay. ")
        if state == OFFER_START:
            turn.offer = None
        if place is not None:
            return ask(turn, f"Okay. {GO_ON} Or say stop to finish for today.", GO_ON)
        return ask(turn, f"Okay. I have {routine_names(turn)}. Which would you like, or say stop?",
                   "Which routine would you like? Or say stop.")


class Goodbye(Handler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if place is None:
            return tell(turn, "Goodbye.")
        if turn.state == HURT and turn.current is not None:
            place = turn.current
        routine = turn.routine(place)
        return hold_place(turn, place, f"Okay, I've saved your place at {where(place, routine)}. To go on, "
                                       f"say: Alexa, ask foot work to carry on. {PAIN_FREE_LINE} Goodbye.")


class Fallback(Handler):
    """AMAZON.FallbackIntent, and any intent this skill does not know."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) == "IntentRequest"

    def answer(self, turn: Turn) -> Response:
        if turn.state == HURT:
            return ask(turn, f"Sorry, I didn't catch that. {HURT_OPTIONS}", HURT_OPTIONS)
        if turn.place is not None:
            return ask(turn, "Sorry, I didn't catch that. Say ready to go on, wait to take your time, "
                             "or stop to finish for today. If something hurts, stop now and say it hurts.",
                       f"{GO_ON} Or say stop to finish for today.")
        return ask(
            turn,
            f"Sorry, I didn't catch that. I have {routine_names(turn)}. Say, start, and a routine's name.",
            "Which routine would you like to start?",
        )


class SessionEnded(Handler):
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
        # Offered and not taken, or stopped because it hurt: the saved place is already right.
        if place is not None and turn.state not in (CONFIRM_RESUME, HURT):
            memory.save_place(turn.progress, place, turn.today)
            turn.save_progress()
        # Alexa allows no speech in reply to SessionEndedRequest.
        return turn.input.response_builder.response


class AnythingElse(Handler):
    """Request types Footwork never asked for (playback events, skill events, ...): answer politely."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def answer(self, turn: Turn) -> Response:
        log.info("unhandled request type %s", get_request_type(turn.input))
        if str(get_request_type(turn.input)).startswith(("AlexaSkillEvent.", "Messaging.", "System.")):
            return turn.input.response_builder.response
        return ask(turn, "Sorry, I can't do that here. Say help to hear what I can do.",
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
    ordered: list[type[Handler]] = [
        Launch, Hurt, StartRoutine, LevelChange, ModeChange, ListRoutines, DescribeRoutine, HowLong,
        WhatsNext, WhereAmI, PaceChange, Safety, Wait, Skip, Next, Previous, Repeat, StartOver, Yes, No, Help,
        Goodbye, SessionEnded, Fallback, AnythingElse,
    ]
    return [handler(catalog) for handler in ordered]
