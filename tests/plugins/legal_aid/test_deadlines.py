"""The green channel's "one day" (SPEC L5) counted in working time on the State Council's calendar, the
statutory periods (法律援助法 art. 43 with the Civil Code's counting), and the loud fallback when the
holiday calendar does not know a year yet."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.platform.timeutil import SHANGHAI, today_shanghai
from plugins.legal_aid import deadlines


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("submitted, due", [
    ("2026-11-24 10:00", "2026-11-25 10:00"),   # Tuesday: 24 h later, as on any working day
    ("2026-11-27 18:00", "2026-11-30 18:00"),   # Friday evening: 6 h of Friday + 18 h of Monday
    ("2026-11-28 09:00", "2026-12-01 00:00"),   # Saturday: the whole of Monday
    ("2026-09-30 18:00", "2026-10-08 18:00"),   # eve of the National Day holiday (Oct 1–7)
    ("2026-10-09 12:00", "2026-10-10 12:00"),   # Friday before a make-up working Saturday (调休)
])
def test_one_working_day_of_the_green_channel(submitted, due):
    """L5: 一日受理、审查、指派 — 24 hours counted only on working days (Asia/Shanghai)."""
    deadline, basis = deadlines.green_channel_deadline(at(submitted), 24)
    assert (local(deadline), basis) == (due, "working_hours")


@pytest.mark.parametrize("start, days, due", [
    ("2026-11-23 15:00", 7, "2026-12-01 00:00"),  # Monday + 7 days = next Monday, ends 24:00
    ("2026-11-19 09:00", 3, "2026-11-24 00:00"),  # Thursday + 3 = Sunday → moved to Monday
    ("2026-09-29 09:00", 3, "2026-10-09 00:00"),  # lands in the National Day holiday → Oct 8
])
def test_statutory_periods_start_the_next_day_and_end_on_a_working_day(start, days, due):
    """L6 / 法律援助法 art. 43, counted per 民法典 arts. 201 and 203."""
    deadline, basis = deadlines.statutory_deadline(at(start), days)
    assert (local(deadline), basis) == (due, "working_days")


def test_a_year_the_calendar_does_not_know_falls_back_to_the_statutory_holidays_and_says_so():
    """The holiday package learns each year in November or December: until then the core estimates from the
    fixed statutory holidays and weekends (never plain calendar time), and the basis says so."""
    unknown = at("2031-06-02 10:00")  # a Monday
    assert not deadlines.covers(unknown.date())
    deadline, basis = deadlines.green_channel_deadline(unknown, 24)
    assert (local(deadline), basis) == ("2031-06-03 10:00", "statutory_holidays")
    deadline, basis = deadlines.green_channel_deadline(at("2031-09-30 18:00"), 24)  # National Day, a weekend
    assert (local(deadline), basis) == ("2031-10-06 18:00", "statutory_holidays")
    deadline, basis = deadlines.statutory_deadline(at("2031-06-05 10:00"), 7)  # Thursday + 7 = Thursday
    assert (local(deadline), basis) == ("2031-06-13 00:00", "statutory_holidays")
    deadline, basis = deadlines.statutory_deadline(at("2031-06-04 10:00"), 3)  # lands on a Saturday
    assert (local(deadline), basis) == ("2031-06-10 00:00", "statutory_holidays")


def test_the_holiday_calendar_covers_the_current_year():
    """REFERENCE "Time": today's deadlines always have a working-day answer, and their basis says whether it
    rests on the State Council's notice or on the statutory-holiday estimate — upgrade chinese-calendar in
    requirements.txt when it is the estimate (the monthly screening raises a risk finding then)."""
    start = datetime.combine(today_shanghai(), datetime.min.time()).replace(hour=10, tzinfo=SHANGHAI)

    def official_until(end: datetime) -> bool:
        days = (end.astimezone(SHANGHAI).date() - start.date()).days
        return all(deadlines.covers(start.date() + timedelta(days=n)) for n in range(days + 1))

    green, green_basis = deadlines.green_channel_deadline(start, 24)
    assert green >= start + timedelta(hours=24)
    assert green_basis == ("working_hours" if official_until(green) else "statutory_holidays")
    review, review_basis = deadlines.statutory_deadline(start, 7)
    assert review >= start + timedelta(days=7, hours=14)  # 24:00 of the seventh day at the earliest
    assert review_basis == ("working_days" if official_until(review) else "statutory_holidays")
