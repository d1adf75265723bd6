"""Deadlines of legal aid: the green channel's "one day" and the statutory periods, on the State Council's
working-day calendar (the core's `chalicelib.platform.workdays`).

Why working time for the green channel (SPEC L5; seeds/001 item 5: "实行一日受理、审查、指派工作制"):
the seed states a service standard of the legal-aid centre ("工作制"), and the centre's service standards
are counted in working days like every ordinary legal-aid period; the one-day rule compresses them.
Counting plain calendar hours instead would make a wage claim filed from a phone on Friday evening overdue
on Saturday evening, before anyone could act on it, and flag every case filed before the Spring Festival.
So "one day" is `legal_aid.green_channel_hours` (24) counted only on working days, 00:00–24:00 Asia/Shanghai
(make-up working weekends 调休 count, holidays do not):
- submitted Monday 10:00 → due Tuesday 10:00 (the same as 24 calendar hours on a working day);
- submitted Friday 18:00 → due Monday 18:00 (6 h of Friday + 18 h of Monday);
- submitted on a Saturday or during a holiday → due at the end of the first working day after it.

Statutory periods in days (法律援助法 art. 43: review within 7 days, assign within 3) follow the Civil
Code's counting rules (民法典 arts. 201, 203): the day of the event does not count, the period ends at 24:00
of its last day, and a last day that is not a working day moves to the next working day.

Each deadline comes with its `basis`: `working_hours` / `working_days` on the official calendar, or
`statutory_holidays` when the official calendar (`chinese-calendar`) lacks a year the deadline crosses and
the core estimated it from the fixed statutory holidays and weekends (make-up working weekends unknown).
The core logs that as an error, and each screening run warns the platform's operators (a notice on the run
record, chalicelib.domain.screening.service.operational_notices) until the package is upgraded.
"""
from __future__ import annotations

from datetime import date, datetime

from chalicelib.platform import workdays
from plugins.legal_aid.params import GREEN_CHANNEL_HOURS, REVIEW_DAYS, Rules

FALLBACK_BASIS = workdays.STATUTORY_HOLIDAYS


def covers(day: date) -> bool:
    """Whether the official holiday calendar knows the day (else deadlines are estimates)."""
    return workdays.covers(day)


def first_deadline(start: datetime, rules: Rules, green: bool) -> tuple[datetime, str]:
    """(deadline, basis) of a new application, from the rules in force on its date: the green channel's
    working hours (SPEC L5), or else the review period (法律援助法 art. 43)."""
    if green:
        return _dated(workdays.add_working_hours(start, rules.hours(GREEN_CHANNEL_HOURS)), "working_hours")
    return _dated(workdays.period_end(start, rules.days(REVIEW_DAYS)), "working_days")


def green_channel_deadline(start: datetime, hours: int) -> tuple[datetime, str]:
    """(deadline, basis): `hours` working hours; basis `working_hours` or `statutory_holidays`."""
    return _dated(workdays.add_working_hours(start, hours), "working_hours")


def statutory_deadline(start: datetime, days: int) -> tuple[datetime, str]:
    """(deadline, basis): a period of `days` days per the Civil Code; basis `working_days` or
    `statutory_holidays`."""
    return _dated(workdays.period_end(start, days), "working_days")


def _dated(counted: workdays.Counted, basis: str) -> tuple[datetime, str]:
    """The counted end and its basis, or `statutory_holidays` where the official calendar ran out."""
    return counted.end, basis if counted.official else FALLBACK_BASIS
