"""CONTRACT "HTTP": dates that come in are checked by their meaning (chalicelib/platform/dates.py) — a past
event from 1900 to today, a plan from today to its horizon, a day asked within ten years — with "today"
from the app's clock; and date arithmetic near the ends of the calendar never raises."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import TypeAdapter, ValidationError

from chalicelib.platform import dates, timeutil


def accepts(kind, day: date) -> bool:
    try:
        TypeAdapter(kind).validate_python(day)
    except ValidationError:
        return False
    return True


def test_a_past_date_runs_from_1900_to_today_on_the_pinned_clock(clock):
    today = clock.today
    assert accepts(dates.PastDate, today) and accepts(dates.PastDate, date(1900, 1, 1))
    assert not accepts(dates.PastDate, today + timedelta(days=1))
    assert not accepts(dates.PastDate, date(1899, 12, 31)) and not accepts(dates.PastDate, date.min)
    with timeutil.travel(timedelta(days=1)):  # "today" is read when the value is checked
        assert accepts(dates.PastDate, today + timedelta(days=1))


def test_a_plan_runs_from_today_to_its_stated_horizon(clock):
    slot = dates.plan(days=366)
    today = clock.today
    assert accepts(slot, today) and accepts(slot, today + timedelta(days=366))
    assert not accepts(slot, today - timedelta(days=1)) and not accepts(slot, today + timedelta(days=367))
    assert not accepts(slot, date.max)


def test_a_window_and_the_day_asked_reach_back_to_their_earliest_day_and_ahead_to_their_horizon(clock):
    rota = dates.window(earliest=date(2000, 1, 1), years=5)
    five_years = timeutil.plus_years(clock.today, 5)
    assert accepts(rota, date(2000, 1, 1)) and accepts(rota, five_years)
    assert not accepts(rota, date(1999, 12, 31)) and not accepts(rota, five_years + timedelta(days=1))
    assert accepts(dates.OnDate, timeutil.plus_years(clock.today, 10))
    assert not accepts(dates.OnDate, date(9999, 12, 31)) and not accepts(dates.OnDate, date(1, 1, 1))


def test_a_refusal_says_in_chinese_which_bound_was_crossed(clock):
    with pytest.raises(ValidationError, match="日期不能晚于今日"):
        TypeAdapter(dates.PastDate).validate_python(clock.today + timedelta(days=1))
    with pytest.raises(ValidationError, match="日期不能早于 1900-01-01"):
        TypeAdapter(dates.PastDate).validate_python(date(1, 1, 1))
    with pytest.raises(ValidationError, match="日期不能早于今日"):
        TypeAdapter(dates.plan(days=1)).validate_python(clock.today - timedelta(days=1))


def test_adding_days_or_years_stops_at_the_ends_of_the_calendar_instead_of_raising():
    assert timeutil.plus_days(date.max - timedelta(days=1), 30) == date.max
    assert timeutil.plus_days(date.min + timedelta(days=1), -30) == date.min
    assert timeutil.plus_days(date(2026, 1, 1), 10 ** 12) == date.max
    assert timeutil.plus_days(date(2026, 1, 31), 1) == date(2026, 2, 1)
    assert timeutil.plus_years(date(9998, 6, 1), 5) == date.max
    assert timeutil.plus_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert timeutil.plus_years(date(2, 3, 1), -5) == date.min
