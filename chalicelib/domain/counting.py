"""The write half of the statistics' counters (SPEC C9; CONTRACT "Data": counts kept in the transaction of the
event they count): the counter item of an area and month, `count_op` adding to it, and `once_ops`, the
"count once" rule. The reads (roll-ups, data versions) are `chalicelib.domain.ledgers.counters`, which
services import; this module sits beside the domain packages and imports storage only, so that the core's
intake desk — which the file store, and through it the ledgers, import — counts in its own transactions too.

Counter item: `pk = stats#<province>#<yyyy>`, `sk = <area code>#<mm>`, one per (area where it happened, month
in Asia/Shanghai), every counter an attribute, and `events` raised by one on every op (the data version).

Count once (the rule of LSC's Case Service Reports): a problem that several services handle counts once a
year, at the highest level of service it received. Its marker (`OnceMarker`, one per subject and year: the
ticket it came in as, or the person by their ID number's lookup hash) holds the level, area and month where
it is counted. `once` writes, in the service's own transaction, the new marker (a conditional put: the first
service to count it, no read); when that is refused because the marker exists, it reads the marker (one
GetItem) and writes the service's transaction again with the marker moved up (conditional on what it read),
the count taken back at the old level, area and month and added at the new. A level at or below the
marker's moves nothing. Every call also adds one to the service's own count (`once.by_<service>`),
the per-service figures shown beside the unique count.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Callable, ClassVar, TypeVar

from pydantic import ConfigDict

from chalicelib.platform import storage
from chalicelib.platform.errors import Conflict

ENTITY = "stat-count"
LIST = "stats"
EVENTS = "events"
ONCE = "once."
# The levels of service, lowest first (LSC CSR closing categories, as our services give them): advice
# answered on the spot < limited action (a document, a notarial act, an appraisal's guidance) < mediation
# < representation (legal aid assigns a lawyer who acts for the person).
SERVICE_LEVELS: dict[str, str] = {"advice": "咨询解答", "limited": "代书、公证等有限服务", "mediation": "调解",
                                  "representation": "代理（法律援助）"}

Number = int | Decimal
T = TypeVar("T")


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


class OnceMarker(storage.Record):
    """Where a subject's problem of a year is counted once: its highest level of service so far."""
    entity: ClassVar[str] = "stat-once"
    id: str                     # "<subject>-<yyyy>"
    level: str
    area: str
    month: str
    service: str


def _number(value: Number) -> Number:
    """A whole number as an int (DynamoDB gives every number as a Decimal); money keeps its cents."""
    return int(value) if value == value.to_integral_value() else value


def month_of(on: date | str) -> str:
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
    return storage.add_into(StatCount(area=area, month=month_of(on)), {**amounts, EVENTS: 1})


class AlreadyCounted(Exception):
    """The subject's marker of the year exists: another service (or this one) counted the problem already."""


def once(write: Callable[[list[dict | storage.Check]], T], subject: str, on: date, level: str, area: str,
         service: str, also: Mapping[str, Number] | None = None) -> T:
    """Count `subject`'s problem once in `on`'s year at `level` (a key of `SERVICE_LEVELS`), by `service`, at
    `area` in `on`'s month, with `also` (the caller's other counts of that area and month, merged into the
    same counter op): `write(ops)` is the caller's transaction with `ops` added, and its result is returned.

    First the conditional put of the marker (no read: the first service to count a problem pays nothing).
    When the marker exists, the transaction is refused as a whole; the marker is then read (one GetItem) and
    `write` called again with the marker moved up (conditional on what was read; a concurrent change is 409
    `count_once_conflict`) or, at a level not above the marker's, only the service's own count."""
    if level not in SERVICE_LEVELS:
        raise ValueError(f"level {level!r} is not one of {tuple(SERVICE_LEVELS)}")
    month, marker_id = month_of(on), f"{subject}-{on.year:04d}"
    here = {**(also or {}), f"{ONCE}by_{service.replace('-', '_')}": 1}
    marker = OnceMarker(id=marker_id, level=level, area=area, month=month, service=service)
    try:
        return write([storage.Check(storage.put_op(storage.stamp_new(marker).to_item()), AlreadyCounted()),
                      count_op(area, month, {**here, ONCE + level: 1})])
    except AlreadyCounted:
        pass
    found = storage.read(OnceMarker, marker_id, consistent=True)
    rank = list(SERVICE_LEVELS)
    if found is None or rank.index(level) <= rank.index(found.level):
        return write([count_op(area, month, here)])
    raced = Conflict("该事项的统计正被同时更新，请重试", code="count_once_conflict")
    _, op = storage.prepare_update(found, {"level": level, "area": area, "month": month, "service": service},
                                   expected_version=found.version)
    if (found.area, found.month) == (area, month):
        return write([storage.Check(op, raced), count_op(area, month, {**here, ONCE + found.level: -1, ONCE + level: 1})])
    return write([storage.Check(op, raced), count_op(found.area, found.month, {ONCE + found.level: -1}),
                  count_op(area, month, {**here, ONCE + level: 1})])
