"""Handlers that answer a question and move nothing: what there is, how long, what's next, where,
the pace, safety and help. In the middle of a routine each keeps the place and ends with how to go on.
"""

from __future__ import annotations

from ask_sdk_model import Response
from footwork.core import Level, Routine
from footwork.core.narration import planned_seconds
from footwork.core.wording import (
    counted,
    mid_sentence,
    number_words,
    spoken_list,
    spoken_minutes,
    spoken_needs,
)

from . import level_policy, slots
from . import progress as memory
from .handler import Handler
from .identity import DISCLAIMER, SEE_A_PROFESSIONAL, SKILL_NAME
from .moves import keep_going, offer_routines, routine_names, under_way
from .replies import (
    GO_ON,
    HURT_OPTIONS,
    MODES_EXPLAINED,
    ROUTINE_COMMANDS,
    ask,
    escape,
    remaining_seconds,
    tell,
    where,
)
from .turn import CONFIRM_RESUME, HURT, OFFER_START, Turn


class ListRoutines(Handler):
    intents = ("ListRoutinesIntent",)

    def answer(self, turn: Turn) -> Response:
        if turn.state == CONFIRM_RESUME:
            turn.place = None  # "something else": the saved place stays for another day
        turn.state = None
        if not turn.catalog.routines:
            return tell(turn, "I don't have any routines installed yet.")
        parts = []
        for routine in turn.catalog.routines:
            level = level_policy.todays_level(turn.progress, routine, turn.today).level
            title = escape(mid_sentence(routine.title))
            parts.append(f"{title}, {spoken_minutes(_seconds(turn, routine, level))}")
        count = len(parts)
        noun = "routine" if count == 1 else "routines"
        card = "\n".join(
            f"{r.title} ({counted(len(r.exercises), 'exercise')})" for r in turn.catalog.routines
        )
        return ask(turn, f"I have {number_words(count)} {noun}: {'; '.join(parts)}. Which would you like?",
                   "Which routine would you like to start?", ("Routines", card))


def _seconds(turn: Turn, routine: Routine, level: Level) -> float:
    progress = turn.progress
    return planned_seconds(routine, level, memory.preferred_mode(progress), memory.preferred_pace(progress))


class DescribeRoutine(Handler):
    intents = ("DescribeRoutineIntent",)

    def answer(self, turn: Turn) -> Response:
        routine, said = slots.routine(turn.input, turn.catalog)
        place = turn.place
        if routine is None and said is None and place is not None:
            # "What do I need?" in the middle of a routine: answer, and keep the place.
            mine = turn.routine(place)
            needs = (f"For {escape(mid_sentence(mine.title))} you'll need "
                     f"{escape(spoken_needs(mine.all_needs))}."
                     if mine.all_needs else f"{escape(mine.title)} needs nothing but you.")
            return keep_going(turn, needs)
        if routine is None:
            lead = f"I don't have {escape(said)}. " if said else ""
            return ask(turn, f"{lead}I have {routine_names(turn)}. Which one shall I describe?",
                       "Which routine would you like to hear about?")
        level = level_policy.todays_level(turn.progress, routine, turn.today).level
        names = spoken_list([mid_sentence(e.name) for e in routine.exercises])
        count = len(routine.exercises)
        noun = "exercise" if count == 1 else "exercises"
        needs = f" You'll need {spoken_needs(routine.all_needs)}." if routine.all_needs else ""
        speech = (f"{routine.title} has {number_words(count)} {noun}: {names}. It takes "
                  f"{spoken_minutes(_seconds(turn, routine, level))} at the {level.spoken} level.{needs}")
        if place is not None:
            return keep_going(turn, escape(speech))
        turn.state = OFFER_START
        turn.offer = routine
        return ask(turn, f"{escape(speech)} Would you like to start it?",
                   f"Shall I start {escape(mid_sentence(routine.title))}?", (routine.title, speech))


class HowLong(Handler):
    """"How long is left", "how many are left": at this person's level, keeping the place."""

    intents = ("HowLongIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return ListRoutines(self.catalog).answer(turn)
        routine = turn.routine(place)
        seconds, exercises = remaining_seconds(turn, place)
        total = len(routine.exercises)
        level = place.level_value.spoken
        noun = "exercise" if total == 1 else "exercises"
        if place.exercise > total:
            left = "Only the wrap-up is left."
        elif place.exercise == 0:
            left = (f"{escape(routine.title)} takes {spoken_minutes(seconds)} at the {level} level, "
                    f"{number_words(total)} {noun}.")
        else:
            if total == 1:
                which = ""
            elif exercises == 1:
                which = "the last exercise"
            elif exercises == total:
                which = f"all {number_words(total)} {noun}"
            else:
                which = f"{number_words(exercises)} of the {number_words(total)} {noun}"
            left = f"{spoken_minutes(seconds).capitalize()} left at the {level} level"
            left += f": {which}." if which else "."
        return keep_going(turn, left)


class WhatsNext(Handler):
    intents = ("WhatsNextIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "Nothing's under way. ")
        routine = turn.routine(place)
        if place.exercise > len(routine.exercises):
            return keep_going(turn, "Next is the wrap-up, the end of the routine.")
        return keep_going(turn, f"Next is {where(place, routine, numbered=True)}.")


class WhereAmI(Handler):
    intents = ("WhereIntent",)

    def answer(self, turn: Turn) -> Response:
        place = under_way(turn)
        if place is None:
            return offer_routines(turn, "You're not in a routine right now. ")
        current = turn.current or place
        routine = turn.routine(current)
        if current.exercise == 0:
            return keep_going(turn, f"This is the start of {escape(mid_sentence(routine.title))}, "
                                    "before exercise one.")
        return keep_going(turn, f"This is {where(current, routine, numbered=True)}, in "
                                f"{escape(mid_sentence(routine.title))}.")


class Safety(Handler):
    intents = ("SafetyIntent",)

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        speech = escape(DISCLAIMER)
        if place is None:
            return offer_routines(turn, f"{speech} ")
        cautions = " ".join(turn.routine(place).all_cautions)
        return keep_going(turn, f"{speech} {escape(cautions)}".strip())


class Help(Handler):
    intents = ("AMAZON.HelpIntent",)

    def answer(self, turn: Turn) -> Response:
        place = turn.place
        if turn.state == HURT:
            return ask(turn, f"{SEE_A_PROFESSIONAL} {HURT_OPTIONS}", HURT_OPTIONS)
        if place is not None:
            current = turn.current or place
            routine = turn.routine(current)
            return ask(
                turn,
                f"You're doing {escape(mid_sentence(routine.title))}, at {where(current, routine)}. "
                f"{ROUTINE_COMMANDS} "
                f"I'll keep your place. {MODES_EXPLAINED} {escape(DISCLAIMER)}",
                f"{GO_ON} Or say stop to finish for today.",
            )
        return ask(
            turn,
            f"{SKILL_NAME} talks you through foot and ankle exercises, step by step. I have "
            f"{routine_names(turn)}. Say, start, and a routine's name, or ask what's in a routine. "
            "Say slower at any time for more time between counts. "
            f"{MODES_EXPLAINED} {escape(DISCLAIMER)}",
            "Which routine would you like to start?",
        )
