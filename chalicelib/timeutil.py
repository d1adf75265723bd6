"""Time: stored in UTC, calendar rules evaluated in Asia/Shanghai.

`tzdata` ships in the deployment package because Lambda images may lack the system zone database;
zoneinfo falls back to it automatically.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with offset, second precision is not enough for ordering: keep microseconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(timezone.utc).isoformat()


def today_shanghai(moment: datetime | None = None) -> date:
    return (moment or now_utc()).astimezone(SHANGHAI).date()


def to_shanghai(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)
