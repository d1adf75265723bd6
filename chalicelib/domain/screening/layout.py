"""Where the screening's findings are kept: one partition per month (or period) and city, one item per
finding under `finding#<area>#<check>#<subject>` — so an area and everything below it is one `begins_with`.
Its own module so that the service, the report and the tasks share it without importing each other.

- the month's run:     `screening#<month>#<city>`
- a preview:           `screening-preview#<month>#<city>` (kept apart from the month's)
- a cadence's run:     `screening-<weekly|half_monthly|daily>#<month>#<city>` (`month` is then its period's)
"""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Iterator, Self

from pydantic import Field

from chalicelib import plugin
from chalicelib.platform import storage

FINDING_PREFIX = "finding"
KINDS = ("month", "preview", "weekly", "half_monthly", "daily")


def city_of(area: str) -> str:
    """The city whose partition holds an area's findings and tallies (a province code stays itself)."""
    return area[:4] if len(area) >= 4 else area


def listing_of(kind: str) -> str:
    """The table list of a run kind's findings."""
    return {"month": "screening", "preview": "screening-preview"}.get(kind, f"screening-{kind}")


def _clean(part: str) -> str:
    return part.replace("#", "_")  # a key part holds no separator


class StoredFinding(storage.Record):
    """One finding of a run as stored, for the staff of its area: the check's `Finding`, the service that
    made it, the month and the run generation. Written over by each generation (no version); `kind` and
    `subject` (the record it is about, or its position within its check) are its key, not item fields."""
    entity: ClassVar[str] = "screening-finding"
    lists: ClassVar[tuple[storage.Listing, ...]] = tuple(
        storage.Listing(listing_of(kind), "table", nested=True) for kind in KINDS)

    kind: str = Field("month", exclude=True)
    subject: str = Field("", exclude=True)
    version: int | None = None
    service: str
    month: str
    generation: int
    check: str
    area: str
    severity: str
    title: str
    detail: str = ""
    record: str | None = None
    due: date | None = None

    @classmethod
    def of(cls, kind: str, finding: plugin.Finding, index: int, **fields: Any) -> Self:
        # The record id makes a finding's key stable across retries; findings without one use their position
        # within their check, which is stable for a deterministic check over unchanged data.
        return cls(kind=kind, subject=_clean(finding.record or f"n{index:05d}"), **finding.__dict__, **fields)

    def place(self, listing: str) -> storage.Place | None:
        if listing != listing_of(self.kind):
            return None
        return storage.Place(of=(self.month, city_of(self.area)),
                             sort=(FINDING_PREFIX, self.area, _clean(self.check), self.subject))

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        found = super().from_item(item)
        found.subject = item["sk"].split("#", 3)[3]  # finding#<area>#<check>#<subject>
        return found


def page(kind: str, month: str, area: str, *, limit: int, cursor: str | None) -> storage.Page:
    """One page of the findings of `area` and below (one Query of its city's partition)."""
    return storage.page(StoredFinding, listing_of(kind), (month, city_of(area)), after=(FINDING_PREFIX, area),
                        limit=limit, cursor=cursor)


def stored(kind: str, month: str, area: str) -> Iterator[StoredFinding]:
    """Every stored finding of `area` and below, page by page (500 a Query)."""
    cursor = None
    while True:
        found = page(kind, month, area, limit=500, cursor=cursor)
        for item in found.items:
            finding = StoredFinding.from_item(item)
            finding.kind = kind
            yield finding
        cursor = found.next_cursor
        if not cursor:
            return
