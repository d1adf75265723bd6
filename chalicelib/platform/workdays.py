"""Working days on the State Council's calendar, in Asia/Shanghai: is a day a working day, and where does a
span of working hours or working days, or a period of calendar days, end.

Two sources, one answer:
- `chinese-calendar` holds each year as the State Council's yearly notice (国务院办公厅关于节假日安排的通知)
  sets it: the holidays with their bridging days off, and the make-up working weekends 调休 (a Saturday or
  Sunday that is a working day). It learns a year only once the notice is out, usually in November or
  December of the year before: upgrade the pin in requirements.txt then.
- For a year it does not know yet, the fixed statutory holidays of 《全国年节及纪念日放假办法》 from PyPI
  `holidays` (country CN, without its estimated make-up days off), and every Saturday and Sunday. This is an
  estimate and never plain calendar time: the bridging days off of the coming notice are not known, so a
  span may end a little early around a festival; and make-up working weekends (调休) **cannot be known** — a
  Saturday or Sunday the notice will turn into a working day counts here as a day off, so a span crossing
  one may end a day late. Every computation says which source it used (`Counted.official`), and one that
  needed the estimate logs an error: whoever uses this module must also say so to people (each screening run
  notes it for the operators on its run record: screening.service.operational_notices).

`covers(day)` says whether the official calendar knows the day. Both packages are imported on first use.

Counting rules (the caller chooses):
- `add_working_hours`: hours counted only on working days, 00:00–24:00 (Friday 18:00 + 24 h = Monday 18:00);
- `add_working_days`: the n-th working day after a day (the day itself does not count);
- `working_days_end`: 24:00 of the n-th working day after the day of `start`;
- `period_end`: a period of n calendar days as 民法典 arts. 201 and 203 count it: the first day does not
  count, the period ends at 24:00 of its last day, and a last day that is not a working day moves to the
  next working day.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from chalicelib.platform.timeutil import SHANGHAI, to_shanghai

MAX_CLOSED_DAYS = 60  # no run of non-working days is this long; a guard against a broken calendar
OFFICIAL = "official"
STATUTORY_HOLIDAYS = "statutory_holidays"


class CalendarBroken(RuntimeError):
    """No working day within `MAX_CLOSED_DAYS` days: the calendar data is wrong."""


@dataclass(frozen=True)
class Counted:
    """The end of a span and whether every day it crossed came from the official calendar."""
    end: datetime | date
    estimated_years: tuple[int, ...] = ()

    @property
    def official(self) -> bool:
        return not self.estimated_years

    @property
    def source(self) -> str:
        """`official`, or `statutory_holidays` when any day of the span came from the fallback."""
        return OFFICIAL if self.official else STATUTORY_HOLIDAYS


def covers(day: date) -> bool:
    """Whether the State Council's notice for the day's year is known (`chinese-calendar` has the year)."""
    return _official(day) is not None


def is_workday(day: date) -> bool:
    """A working day: from the official calendar, or — for a year it lacks — not a weekend and not a fixed
    statutory holiday (make-up working weekends 调休 cannot be known then; see the module docstring)."""
    official = _official(day)
    return official if official is not None else _estimated_workday(day)


def add_working_hours(start: datetime, hours: int | float) -> Counted:
    """`start` plus `hours` counted only on working days (00:00–24:00 Asia/Shanghai); end in UTC."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    tally = _Tally()
    cursor = to_shanghai(start)
    remaining = timedelta(hours=hours)
    day = cursor.date()
    closed = 0
    while True:
        day_end = _start_of(day + timedelta(days=1))
        if tally.is_workday(day):
            closed = 0
            if remaining <= day_end - cursor:
                return tally.result((cursor + remaining).astimezone(timezone.utc))
            remaining -= day_end - cursor
        else:
            closed = _guard(closed + 1)
        day, cursor = day + timedelta(days=1), day_end


def add_working_days(day: date, days: int) -> Counted:
    """The `days`-th working day after `day` (`day` itself does not count); `Counted.end` is a date."""
    if days < 0:
        raise ValueError("days must not be negative")
    tally = _Tally()
    closed = 0
    while days:
        day += timedelta(days=1)
        if tally.is_workday(day):
            days, closed = days - 1, 0
        else:
            closed = _guard(closed + 1)
    return tally.result(day)


def working_days_end(start: datetime, days: int) -> Counted:
    """24:00 (Asia/Shanghai) of the `days`-th working day after the day of `start`; end in UTC."""
    counted = add_working_days(to_shanghai(start).date(), days)
    return Counted(_start_of(counted.end + timedelta(days=1)).astimezone(timezone.utc), counted.estimated_years)


def period_last_day(day: date, days: int) -> Counted:
    """The last day of a period of `days` days from `day` (民法典 arts. 201, 203: `day` itself does not count;
    a last day that is not a working day moves to the next working day); `Counted.end` is a date."""
    tally = _Tally()
    last = day + timedelta(days=days)
    for _ in range(MAX_CLOSED_DAYS):
        if tally.is_workday(last):
            return tally.result(last)
        last += timedelta(days=1)
    raise CalendarBroken("no working day within 60 days: the holiday calendar is broken")


def period_end(start: datetime, days: int) -> Counted:
    """End of a period of `days` calendar days beginning at `start` (民法典 arts. 201, 203); end in UTC."""
    tally = _Tally()
    last = to_shanghai(start).date() + timedelta(days=days)
    for _ in range(MAX_CLOSED_DAYS):
        if tally.is_workday(last):
            return tally.result(_start_of(last + timedelta(days=1)).astimezone(timezone.utc))
        last += timedelta(days=1)
    raise CalendarBroken("no working day within 60 days: the holiday calendar is broken")


# --- the two sources ------------------------------------------------------------------------------

def _official(day: date) -> bool | None:
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def _estimated_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in _statutory_holidays(day.year)


@functools.lru_cache(maxsize=16)
def _statutory_holidays(year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays("CN", years=year, observed=False))


class _Tally:
    """Answers `is_workday` and remembers the years it had to estimate."""

    def __init__(self) -> None:
        self.estimated: set[int] = set()

    def is_workday(self, day: date) -> bool:
        official = _official(day)
        if official is not None:
            return official
        self.estimated.add(day.year)
        return _estimated_workday(day)

    def result(self, end: datetime | date) -> Counted:
        if self.estimated:
            from chalicelib.platform.logs import logger

            logger().error("holiday calendar lacks a year: working days estimated from the statutory holidays "
                           "(make-up working weekends unknown); upgrade chinese-calendar",
                           extra={"years": sorted(self.estimated), "package": "chinese-calendar"})
        return Counted(end, tuple(sorted(self.estimated)))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def _guard(closed: int) -> int:
    if closed > MAX_CLOSED_DAYS:
        raise CalendarBroken("no working day within 60 days: the holiday calendar is broken")
    return closed


__all__ = ["Counted", "CalendarBroken", "OFFICIAL", "STATUTORY_HOLIDAYS", "covers", "is_workday",
           "add_working_hours", "add_working_days", "working_days_end", "period_end"]
