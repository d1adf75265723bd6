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

The write half (`count_op`, `once`, the items) is `chalicelib.domain.counting`, below every domain package
so the core's intake counts too; services use it through this module.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Callable

from chalicelib.domain.counting import (LIST, ONCE, SERVICE_LEVELS, Number, StatCount,  # noqa: F401 — services
                                        count_op, once)                               # count through this module
from chalicelib.platform import storage

PAGE = 1000
NEXT_LEVEL_DIGITS = {2: 4, 4: 6, 6: 9, 9: 12, 12: 15}  # province → city → district → town → village → grid


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
