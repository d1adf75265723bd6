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

from typing import ClassVar, Iterator

from pydantic import Field

from chalicelib.domain.screening.layout import city_of
from chalicelib.platform import storage

ENTITY = "screening-tally"
TALLIES = "tally"


class Tally(storage.Record):
    """One counted area's tally (`tally#<name>[#<month>]#<city>` / `<area>[#<subject>]`): only ever added to."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(TALLIES, "table", nested=True),)
    version: int | None = None
    name: str
    area: str
    subject: str | None = None
    month: str | None = Field(None, exclude=True)  # in its key, not in its item
    count: int = 0

    def place(self, listing: str) -> storage.Place | None:
        sort = (self.area,) if self.subject is None else (self.area, self.subject.replace("#", "_"))
        return storage.Place(of=_partition(self.name, self.area, self.month), sort=sort)


def _partition(name: str, area: str, month: str | None) -> tuple[str, ...]:
    return (name, *([month] if month else []), city_of(area))


def count_op(name: str, area: str, by: int = 1, *, month: str | None = None, subject: str | None = None) -> dict:
    """The transaction op adding `by` (negative to take away) to the tally of `area` (usually a grid)."""
    return storage.add_into(Tally(name=name, area=area, subject=subject, month=month), {"count": by})


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
        page = storage.page(Tally, TALLIES, _partition(name, area, month), after=(area,), limit=500, cursor=cursor)
        yield from (item for item in page.items if int(item.get("count", 0)))
        cursor = page.next_cursor
        if not cursor:
            return
