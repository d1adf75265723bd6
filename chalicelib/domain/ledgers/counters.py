"""The counts the statistics and the monthly ledgers read (SPEC C9; CONTRACT "Data": counts kept in the
transaction of the event they count, never found by reading a list).

A service declares its counters (`plugin.StatCounter`) and adds to them with `count_op` inside the
transaction of the event: one item per (area where it happened, month, Asia/Shanghai), holding every
service's counters of that area and month as attributes, and `events`, raised by one on every op — so
the sum of `events` over what a read covers only ever grows, and is the data version of that read
(a ledger built from it is rebuilt only when it changed).

Layout: `pk = stats#<province>#<yyyy>`, `sk = <area code>#<mm>`. Area codes nest by prefix (a town's
village codes start with the town's), so one Query (`begins_with(<area>)`, page by page) reads an area
and everything below it for a year, and `rollup` sums child → parent for any level from grid to province.

Imported by services inside their transactions: this module imports storage only.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable, ClassVar

from pydantic import ConfigDict

from chalicelib.platform import storage

ENTITY = "stat-count"
LIST = "stats"
EVENTS = "events"
PAGE = 1000
NEXT_LEVEL_DIGITS = {2: 4, 4: 6, 6: 9, 9: 12, 12: 15}  # province → city → district → town → village → grid

Number = int | Decimal


class StatCount(storage.Record):
    """One area's counters of one month; the counters are its extra attributes (`legal_aid.applications`…),
    only ever added to (`count_op`)."""
    model_config = ConfigDict(extra="allow")
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(LIST, "table", nested=True),)
    version: int | None = None  # type: ignore[assignment]
    area: str
    month: str                  # "YYYY-MM"
    events: int = 0

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.area[:2], self.month[:4]), sort=(self.area, self.month[5:]))

    def counts(self) -> dict[str, Number]:
        return {k: _number(v) for k, v in (self.model_extra or {}).items() if "." in k and isinstance(v, (int, Decimal))}


def _number(value: Number) -> Number:
    """A whole number as an int (DynamoDB gives every number as a Decimal); money keeps its cents."""
    return int(value) if value == value.to_integral_value() else value


def _month(on: date | str) -> str:
    month = on if isinstance(on, str) else on.strftime("%Y-%m")
    if len(month) != 7 or month[4] != "-":
        raise ValueError(f"a counter's month is 'YYYY-MM', not {month!r}")
    return month


def count_op(area: str, on: date | str, counts: Mapping[str, Number]) -> dict:
    """The transaction op adding `counts` ({counter key: amount}, negative to take back) to `area`'s counters
    of the month of `on` (a date in Asia/Shanghai, or "YYYY-MM"). One op per area and month in a transaction
    (DynamoDB refuses two ops on one item): gather a transaction's counts first."""
    amounts = {key: value for key, value in counts.items() if value}
    for key in amounts:
        if "." not in key:
            raise ValueError(f"counter {key!r} is not a declared 'service.name' key")
    return storage.add_into(StatCount(area=area, month=_month(on)), {**amounts, EVENTS: 1})


@dataclass
class Figures:
    """What one read gives: the area's totals per month and per direct child, and the data version."""
    area: str
    months: tuple[str, ...]
    by_month: dict[str, dict[str, Number]] = field(default_factory=dict)    # month → counter → total
    by_child: dict[str, dict[str, Number]] = field(default_factory=dict)    # child code (or the area) → totals
    data_version: int = 0

    def total(self, key: str) -> Number:
        return sum((m.get(key, 0) for m in self.by_month.values()), start=0)

    def monthly(self, key: str) -> dict[str, Number]:
        return {m: counts[key] for m, counts in self.by_month.items() if key in counts}


def items(area: str, year: int) -> Iterator[StatCount]:
    """Every counter item of `area` and below in `year`: one Query per page of 1,000 items."""
    cursor = None
    while True:
        page = storage.page(StatCount, LIST, (area[:2], f"{year:04d}"), after=(area,), limit=PAGE, cursor=cursor)
        yield from (StatCount.from_item(i) for i in page.items)
        cursor = page.next_cursor
        if not cursor:
            return


def rollup(area: str, months: tuple[str, ...]) -> Figures:
    """The counts of `area` and below over `months` (all of one year), summed child → parent: per month,
    per direct child (events recorded at the area itself under its own code), and the data version."""
    years = {m[:4] for m in months}
    if len(years) != 1:
        raise ValueError("a roll-up covers months of one year")
    wanted, digits = set(months), NEXT_LEVEL_DIGITS.get(len(area))
    figures = Figures(area=area, months=months)
    for item in items(area, int(years.pop())):
        if item.month not in wanted:
            continue
        figures.data_version += int(item.events)
        child = item.area[:digits] if digits and len(item.area) >= digits else area
        for target in (figures.by_month.setdefault(item.month, {}), figures.by_child.setdefault(child, {})):
            for key, value in item.counts().items():
                target[key] = target.get(key, 0) + value
    return figures


def monthly(key: str) -> Callable[[str, tuple[str, ...]], dict[str, Number]]:
    """A ledger column's `values` (plugin.LedgerColumn) reading the counter `key`: its figures per month for
    the area and below, in one Query (`rollup`). It names its counter (`.counter`), so a ledger of many such
    columns reads them all with one roll-up."""
    def values(area: str, months: tuple[str, ...]) -> dict[str, Number]:
        return rollup(area, months).monthly(key)

    values.__name__ = f"monthly_{key.replace('.', '_')}"
    values.counter = key  # type: ignore[attr-defined]  # the village ledger reads all such columns in one Query
    return values
