"""Dates that come in, checked by what they mean; and date arithmetic that never raises.

The policy (CONTRACT "HTTP"): a date a client sends is one of these kinds, and a date outside its window is
a 422 naming the field — never stored, never carried into arithmetic that overflows near 0001-01-01 or
9999-12-31.

- `PastDate`: something that happened (a visit, a release, a birth): from 1900-01-01 to today.
- `plan(days=, years=)`: something planned (a slot, a grant's last day): from today to the stated horizon.
- `window(earliest=, days=, years=)`: a day that may lie on either side of today (a correction term's end,
  a policy's effective date, a week of the rota): from `earliest` to the stated horizon.
- `OnDate`: the day a query asks about (`?on=`, `?day=`): from 1900-01-01 to `ON_YEARS_AHEAD` years ahead.

"Today" is Asia/Shanghai's, from `timeutil.now_utc()` (the test clock and `FIXED_NOW` move it), read when
the value is validated. Arithmetic on dates uses `timeutil.plus_days`/`plus_years`, which saturate at the
ends of the calendar instead of raising.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator

from chalicelib.platform.timeutil import plus_days, plus_years, today_shanghai

EARLIEST = date(1900, 1, 1)
ON_YEARS_AHEAD = 10


def _latest(today: date, days: int, years: int) -> date:
    return plus_days(plus_years(today, years), days)


def _checked(earliest: date | None, days: int, years: int) -> AfterValidator:
    def check(value: date) -> date:
        today = today_shanghai()
        first = today if earliest is None else earliest
        last = _latest(today, days, years)
        if value < first:
            raise ValueError(f"日期不能早于今日（{today.isoformat()}）" if earliest is None
                             else f"日期不能早于 {first.isoformat()}")
        if value > last:
            raise ValueError(f"日期不能晚于今日（{today.isoformat()}）" if (days, years) == (0, 0)
                             else f"日期不能晚于 {last.isoformat()}")
        return value

    return AfterValidator(check)


def window(*, earliest: date | None = EARLIEST, days: int = 0, years: int = 0) -> Any:
    """A date from `earliest` (None: today) to today plus `years` and `days`."""
    if days < 0 or years < 0:
        raise ValueError("a horizon lies ahead")
    return Annotated[date, _checked(earliest, days, years)]


def plan(*, days: int = 0, years: int = 0) -> Any:
    """A planned day: from today to today plus `years` and `days`."""
    return window(earliest=None, days=days, years=years)


PastDate = window()
OnDate = window(years=ON_YEARS_AHEAD)


def example_ahead(days: int) -> str:
    """A planned day's example for the served document, `days` after today when the module is imported: a
    fixed date would leave its window as time passes and the documented body would be refused."""
    return plus_days(today_shanghai(), days).isoformat()
