"""Deadlines: the green channel's "one day" and the statutory periods, on the State Council's calendar.

Why working time for the green channel (SPEC L5; seeds/001 item 5: "实行一日受理、审查、指派工作制"):
the seed states a service standard of the legal-aid centre ("工作制"), and the centre's service standards
are counted in working days like every ordinary legal-aid period; the one-day rule compresses them.
Counting plain calendar hours instead would make a wage claim filed from a phone on Friday evening overdue
on Saturday evening, before anyone could act on it, and flag every case filed before the Spring Festival.
So "one day" is `legal_aid.green_channel_hours` (24) counted only on working days, 00:00–24:00 Asia/Shanghai,
as the State Council's yearly notice sets them (make-up working weekends 调休 count, holidays do not):
- submitted Monday 10:00 → due Tuesday 10:00 (the same as 24 calendar hours on a working day);
- submitted Friday 18:00 → due Monday 18:00 (6 h of Friday + 18 h of Monday);
- submitted on a Saturday or during a holiday → due at the end of the first working day after it.

Statutory periods in days (法律援助法 art. 43: review within 7 days, assign within 3) follow the Civil
Code's counting rules (民法典 arts. 201, 203): the day of the event does not count, the period ends at 24:00
of its last day, and a last day that is not a working day moves to the next working day.

The calendar is PyPI `chinese-calendar`, which knows each year only once the State Council has published
it (each December). A date it does not know raises `CalendarNotCovered`; callers then fall back to the
earlier, calendar-time deadline (never a later one) and say so, the error is logged, and the monthly
screening raises a risk finding until the package is upgraded.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from chalicelib.platform.timeutil import SHANGHAI, to_shanghai

MAX_CLOSED_DAYS = 60  # no run of non-working days is this long; a guard against a broken calendar


class CalendarNotCovered(RuntimeError):
    """The holiday calendar has no data for this year yet: upgrade `chinese-calendar`."""

    def __init__(self, day: date) -> None:
        super().__init__(f"chinese-calendar has no holiday data for {day.year}: upgrade it (requirements.txt)")
        self.year = day.year


def is_workday(day: date) -> bool:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarNotCovered(day) from None


def covers(day: date) -> bool:
    try:
        is_workday(day)
    except CalendarNotCovered:
        return False
    return True


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def add_working_hours(start: datetime, hours: int) -> datetime:
    """`hours` counted only on working days, from `start` (see the module docstring); UTC out."""
    cursor = to_shanghai(start)
    remaining = timedelta(hours=hours)
    day = cursor.date()
    skipped = 0
    while True:
        day_end = _start_of(day + timedelta(days=1))
        if is_workday(day):
            skipped = 0
            if remaining <= day_end - cursor:
                return (cursor + remaining).astimezone(timezone.utc)
            remaining -= day_end - cursor
        else:
            skipped += 1
            if skipped > MAX_CLOSED_DAYS:
                raise RuntimeError("no working day within 60 days: the holiday calendar is broken")
        day, cursor = day + timedelta(days=1), day_end


def period_end(start: datetime, days: int) -> datetime:
    """End of a period of `days` days beginning at `start` (民法典 arts. 201, 203); UTC out."""
    last = to_shanghai(start).date() + timedelta(days=days)
    for _ in range(MAX_CLOSED_DAYS):
        if is_workday(last):
            return _start_of(last + timedelta(days=1)).astimezone(timezone.utc)
        last += timedelta(days=1)
    raise RuntimeError("no working day within 60 days: the holiday calendar is broken")


def green_channel_deadline(start: datetime, hours: int) -> tuple[datetime, str]:
    """(deadline, basis): basis `working_hours`, or `calendar_hours` when the calendar lacks the year."""
    try:
        return add_working_hours(start, hours), "working_hours"
    except CalendarNotCovered as exc:
        _warn(exc)
        return (start + timedelta(hours=hours)).astimezone(timezone.utc), "calendar_hours"


def statutory_deadline(start: datetime, days: int) -> tuple[datetime, str]:
    """(deadline, basis): basis `working_days`, or `calendar_days` (no holiday extension) as the fallback."""
    try:
        return period_end(start, days), "working_days"
    except CalendarNotCovered as exc:
        _warn(exc)
        end = to_shanghai(start).date() + timedelta(days=days + 1)
        return _start_of(end).astimezone(timezone.utc), "calendar_days"


def _warn(exc: CalendarNotCovered) -> None:
    from chalicelib.platform.logs import logger

    logger().error("holiday calendar not covered; deadline computed in calendar time",
                   extra={"year": exc.year, "package": "chinese-calendar"})
