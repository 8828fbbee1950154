"""The level for today, from the days and levels a routine was done at (core.progression)."""

from __future__ import annotations

import datetime as dt
import itertools

from footwork.core import Level
from footwork.core.progression import LADDER, level_for_today

TODAY = dt.date(2026, 11, 10)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def test_a_routine_never_done_starts_at_the_first_time_level() -> None:
    today = level_for_today([], TODAY)
    assert (today.level, today.reason) == (Level.FIRST_TIME, "new")


def test_the_same_day_or_the_day_after_never_steps_up() -> None:
    for gap in (0, 1):
        for level in LADDER:
            today = level_for_today([(days_ago(gap), level)], TODAY)
            assert today.level is level
            assert today.reason == "too-soon"
            assert today.days_since == gap


def test_a_second_session_the_same_day_stays_at_a_couple() -> None:
    history = [(TODAY, Level.FIRST_TIME)]
    assert level_for_today(history, TODAY).level is Level.FIRST_TIME


def test_after_a_day_or_two_of_rest_the_level_steps_up_by_one() -> None:
    assert level_for_today([(days_ago(2), Level.FIRST_TIME)], TODAY).level is Level.GENTLE
    assert level_for_today([(days_ago(3), Level.GENTLE)], TODAY).level is Level.STANDARD


def test_stepping_up_on_its_own_stops_at_standard() -> None:
    today = level_for_today([(days_ago(2), Level.STANDARD)], TODAY)
    assert (today.level, today.reason) == (Level.STANDARD, "top")
    chosen = level_for_today([(days_ago(2), Level.STRONG)], TODAY)
    assert chosen.level is Level.STRONG


def test_a_long_break_steps_down_one_but_not_to_the_first_time() -> None:
    assert level_for_today([(days_ago(40), Level.STANDARD)], TODAY).level is Level.GENTLE
    assert level_for_today([(days_ago(40), Level.GENTLE)], TODAY).level is Level.GENTLE


def test_the_last_day_counts_and_its_highest_level() -> None:
    history = [(days_ago(9), Level.STRONG), (days_ago(1), Level.FIRST_TIME), (days_ago(1), Level.GENTLE)]
    assert level_for_today(history, TODAY).level is Level.GENTLE


def test_a_routine_with_one_level_always_gets_it() -> None:
    today = level_for_today([(days_ago(5), Level.STANDARD)], TODAY, levels=(Level.STANDARD,))
    assert (today.level, today.reason) == (Level.STANDARD, "one-level")
    assert level_for_today([], TODAY, levels=(Level.STANDARD,)).level is Level.STANDARD


def test_levels_the_routine_lacks_are_never_chosen() -> None:
    levels = (Level.FIRST_TIME, Level.STANDARD, Level.STRONG)
    assert level_for_today([(days_ago(3), Level.FIRST_TIME)], TODAY, levels).level is Level.STANDARD


def test_over_every_short_history_no_day_steps_up_more_than_one_level_or_too_soon() -> None:
    """Follow the rule day by day over every pattern of training and resting days."""
    for pattern in itertools.product((0, 1, 2, 3), repeat=6):
        history: list[tuple[dt.date, Level]] = []
        day = dt.date(2026, 1, 1)
        for gap in pattern:
            day += dt.timedelta(days=gap)
            today = level_for_today(history, day)
            if history:
                last_day, last_level = history[-1]
                step = LADDER.index(today.level) - LADDER.index(last_level)
                assert step <= 1
                if (day - last_day).days <= 1:
                    assert step <= 0
            history.append((day, today.level))


def test_dates_in_the_future_count_as_today() -> None:
    today = level_for_today([(TODAY + dt.timedelta(days=3), Level.GENTLE)], TODAY)
    assert (today.level, today.reason) == (Level.GENTLE, "too-soon")
