"""Counts the screening reads instead of whole lists (issue 14 §2: reads bounded by the month).

A check that needs "how many unvisited households per grid" or "open cases per area" should not read every
household or case of its shard to count them: the service keeps a tally, changed in the same transaction
as the event it counts (`count_op` in `storage.put_new(..., also=[...])` / `storage.update(..., also=[...])`),
and the check reads one item per counted area with one Query (`counts`). Tallies of events in a month
("cases opened in 2026-11") take `month=`, so a past month's numbers stay as they were at its end.

Layout: `pk = tally#<name>[#<month>]#<city>`, `sk = <area code>[#<subject>]`, `count` (an atomic ADD). A
subject splits an area's tally by something counted (a hotline category: "劳动保障 in 雕庄街道").
"""
from __future__ import annotations

from typing import Iterator

from chalicelib.platform import storage
from chalicelib.platform.storage import keys

ENTITY = "screening-tally"


def partition(name: str, city: str, month: str | None = None) -> str:
    return keys.compose("tally", name, *([month] if month else []), city)


def count_op(name: str, area: str, by: int = 1, *, month: str | None = None, subject: str | None = None) -> dict:
    """The transaction op adding `by` (negative to take away) to the tally of `area` (usually a grid)."""
    sort = area if subject is None else f"{area}{keys.SEP}{subject.replace(keys.SEP, '_')}"
    extra = {} if subject is None else {"subject": subject}
    return storage.add_op(partition(name, keys.city_of(area), month), sort, {"count": by},
                          set_={"entity": ENTITY, "name": name, "area": area, **extra})


def counts(name: str, area: str, *, month: str | None = None) -> Iterator[tuple[str, int]]:
    """(area, count) for every area at or below `area` with a non-zero tally, page by page: one Query
    per 500 counted areas, whatever the number of records counted."""
    for item in _items(name, area, month):
        yield item["area"], int(item["count"])


def counts_by_subject(name: str, area: str, *, month: str | None = None) -> Iterator[tuple[str, str, int]]:
    """(area, subject, count) of a tally split by subject."""
    for item in _items(name, area, month):
        yield item["area"], item.get("subject", ""), int(item["count"])


def _items(name: str, area: str, month: str | None) -> Iterator[dict]:
    cursor = None
    while True:
        page = storage.query(partition(name, keys.city_of(area), month), begins_with=area, limit=500, cursor=cursor)
        yield from (item for item in page.items if int(item.get("count", 0)))
        cursor = page.next_cursor
        if not cursor:
            return
