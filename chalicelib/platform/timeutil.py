"""Time: stored in UTC, calendar rules evaluated in Asia/Shanghai.

`tzdata` ships in the deployment package because Lambda images may lack the system zone database;
zoneinfo falls back to it automatically.

Every business date and time in the code comes from `now_utc()`, so one switch moves "now" for the whole
core and every plugin: the test suite pins it (tests/conftest.py, fixture `clock`), and the local stage may
pin it from `FIXED_NOW` so a tester can walk a weekend or a holiday through the API (refused in deployed
stages by `apply_fixed_now`). A pinned clock keeps running from the pinned instant, so records created one
after another stay in order. Token lifetimes and rate limits use real time (`time.time()`) on purpose.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIXED_NOW_VARIABLE = "FIXED_NOW"

_offset = timedelta(0)


def now_utc() -> datetime:
    return datetime.now(timezone.utc) + _offset


def pin(moment: datetime) -> None:
    """From now on, `now_utc()` reads `moment`, and time runs on from there."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    _offset = moment - datetime.now(timezone.utc)


@contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    """For the block, "now" is `delta` away from where it was (a record made six days ago in a test)."""
    global _offset
    before = _offset
    _offset = before + delta
    try:
        yield
    finally:
        _offset = before


def parse_moment(text: str) -> datetime:
    """`2027-01-01` (09:00 Asia/Shanghai, a working hour) or a full ISO-8601 time; no offset = Shanghai."""
    moment = datetime.fromisoformat(text.strip())
    if len(text.strip()) == 10:
        moment = moment.replace(hour=9)
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def apply_fixed_now(stage: str, value: str | None) -> None:
    """The local stage's `FIXED_NOW`; in any other stage it is a configuration error, never silently on."""
    if not value:
        return
    if stage != "local":
        raise RuntimeError(f"{FIXED_NOW_VARIABLE} is only allowed in the local stage, not in {stage!r}")
    pin(parse_moment(value))


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with offset, second precision is not enough for ordering: keep microseconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).isoformat()


def today_shanghai(moment: datetime | None = None) -> date:
    return (moment or now_utc()).astimezone(SHANGHAI).date()


def to_shanghai(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def plus_days(day: date, days: int) -> date:
    """`day` moved by `days`, held at `date.min`/`date.max` where the calendar ends."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def plus_years(day: date, years: int) -> date:
    """The corresponding day `years` later (29 February becomes 28 February: 民法典 art. 202, no such day,
    the end of the month), held at the ends of the calendar."""
    year = day.year + years
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    try:
        return day.replace(year=year)
    except ValueError:
        return date(year, 2, 28)
