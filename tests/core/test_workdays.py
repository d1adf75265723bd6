"""The core's working-day calendar: the State Council's notice where `chinese-calendar` has the year, the
fixed statutory holidays (PyPI `holidays`) and weekends where it does not — never plain calendar time — and
every answer says which it used."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from chalicelib.platform import workdays
from chalicelib.platform.timeutil import SHANGHAI, today_shanghai

KNOWN_YEAR = 2026     # chinese-calendar 1.11.0 has the 2026 notice
UNKNOWN_YEAR = 2031   # no notice yet for years this far ahead


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def logged(monkeypatch):
    """The error lines the calendar writes (the suite runs without pytest's logging plugin)."""
    from chalicelib.platform import logs

    lines: list[tuple[str, dict]] = []

    class Recorder:
        def error(self, message, extra=None):
            lines.append((message, extra or {}))

    monkeypatch.setattr(logs, "logger", lambda: Recorder())
    return lines


def test_the_official_calendar_knows_holidays_and_make_up_working_weekends():
    assert workdays.covers(date(KNOWN_YEAR, 6, 1))
    assert not workdays.is_workday(date(KNOWN_YEAR, 10, 1))     # National Day
    assert workdays.is_workday(date(KNOWN_YEAR, 10, 10))        # a make-up working Saturday 调休
    assert not workdays.is_workday(date(KNOWN_YEAR, 11, 28))    # an ordinary Saturday


def test_a_year_without_a_notice_uses_statutory_holidays_and_weekends():
    assert not workdays.covers(date(UNKNOWN_YEAR, 6, 2))
    assert workdays.is_workday(date(UNKNOWN_YEAR, 6, 2))        # a Monday
    assert not workdays.is_workday(date(UNKNOWN_YEAR, 6, 7))    # a Saturday
    assert not workdays.is_workday(date(UNKNOWN_YEAR, 1, 1))    # 元旦
    assert not workdays.is_workday(date(UNKNOWN_YEAR, 10, 2))   # 国庆节 (a Thursday)
    assert not workdays.is_workday(date(UNKNOWN_YEAR, 1, 23))   # 春节 (a Thursday)


def test_working_hours_skip_weekends_and_holidays_on_the_official_calendar(logged):
    counted = workdays.add_working_hours(at(f"{KNOWN_YEAR}-09-30 18:00"), 24)
    assert (local(counted.end), counted.official, counted.source) == (f"{KNOWN_YEAR}-10-08 18:00", True, "official")
    assert logged == []


def test_working_hours_in_a_year_without_a_notice_skip_the_statutory_holidays_and_log_an_error(logged):
    counted = workdays.add_working_hours(at(f"{UNKNOWN_YEAR}-09-30 18:00"), 24)  # Oct 1–3 Wed–Fri, then a weekend
    assert (local(counted.end), counted.source) == (f"{UNKNOWN_YEAR}-10-06 18:00", "statutory_holidays")
    assert counted.estimated_years == (UNKNOWN_YEAR,)
    [(message, extra)] = logged
    assert "chinese-calendar" in message and extra["years"] == [UNKNOWN_YEAR]


def test_a_span_only_partly_in_a_year_without_a_notice_is_an_estimate(monkeypatch):
    official = workdays._official
    monkeypatch.setattr(workdays, "_official", lambda day: official(day) if day.year == KNOWN_YEAR else None)
    counted = workdays.add_working_days(date(KNOWN_YEAR, 12, 30), 5)
    assert counted.end == date(KNOWN_YEAR + 1, 1, 7) and counted.estimated_years == (KNOWN_YEAR + 1,)
    assert workdays.add_working_days(date(KNOWN_YEAR, 12, 21), 5).official


def test_working_days_do_not_count_the_first_day():
    counted = workdays.add_working_days(date(KNOWN_YEAR, 11, 27), 1)   # a Friday
    assert counted.end == date(KNOWN_YEAR, 11, 30) and counted.official  # the Monday
    assert workdays.add_working_days(date(KNOWN_YEAR, 11, 27), 0).end == date(KNOWN_YEAR, 11, 27)


def test_fifteen_working_days_end_at_midnight_of_the_fifteenth():
    counted = workdays.working_days_end(at(f"{KNOWN_YEAR}-09-25 15:00"), 15)  # across National Day
    # Sep 28–30, Oct 8, 9, the make-up Saturday Oct 10, Oct 12–16, Oct 19–22: the 15th is Thursday Oct 22
    assert local(counted.end) == f"{KNOWN_YEAR}-10-23 00:00"


@pytest.mark.parametrize("start, days, due", [
    (f"{KNOWN_YEAR}-11-23 15:00", 7, f"{KNOWN_YEAR}-12-01 00:00"),  # ends 24:00 of the seventh day
    (f"{KNOWN_YEAR}-11-19 09:00", 3, f"{KNOWN_YEAR}-11-24 00:00"),  # Sunday → Monday
    (f"{UNKNOWN_YEAR}-09-29 09:00", 3, f"{UNKNOWN_YEAR}-10-07 00:00"),  # National Day → Monday Oct 6
])
def test_a_period_of_days_ending_on_a_day_off_moves_to_the_next_working_day(start, days, due):
    assert local(workdays.period_end(at(start), days).end) == due


def test_a_period_of_days_from_a_date_ends_on_its_last_day_or_the_next_working_day():
    """The same Civil Code count as `period_end`, as a due date (an intake ticket's, SPEC C5)."""
    assert workdays.period_last_day(date(KNOWN_YEAR, 11, 23), 7).end == date(KNOWN_YEAR, 11, 30)
    assert workdays.period_last_day(date(KNOWN_YEAR, 11, 29), 7).end == date(KNOWN_YEAR, 12, 7)  # Sunday → Monday


def test_negative_spans_are_refused():
    with pytest.raises(ValueError):
        workdays.add_working_hours(at(f"{KNOWN_YEAR}-11-23 15:00"), -1)
    with pytest.raises(ValueError):
        workdays.add_working_days(date(KNOWN_YEAR, 11, 23), -1)


def test_a_calendar_without_working_days_fails_loudly(monkeypatch):
    monkeypatch.setattr(workdays, "_official", lambda day: False)
    with pytest.raises(workdays.CalendarBroken):
        workdays.add_working_hours(at(f"{KNOWN_YEAR}-11-23 15:00"), 1)
    with pytest.raises(workdays.CalendarBroken):
        workdays.period_end(at(f"{KNOWN_YEAR}-11-23 15:00"), 1)


def test_every_day_of_the_current_and_the_coming_year_has_an_answer():
    """Whatever the suite clock says (TEST_NOW): never an error, never plain calendar time."""
    first = date(today_shanghai().year, 1, 1)
    for offset in range(2 * 366):
        day = first + timedelta(days=offset)
        answer = workdays.is_workday(day)
        if day.weekday() >= 5 and not workdays.covers(day):
            assert answer is False
    assert not workdays.is_workday(date(first.year, 1, 1)) and not workdays.is_workday(date(first.year, 10, 1))
