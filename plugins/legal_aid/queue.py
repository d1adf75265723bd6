"""The officers' work queue (SPEC L5: green-channel cases first in every queue, then by deadline).

Key design (DATA_MODEL.md, L4): one small queue entry (`QueueEntry`) per open case *per level of
its area* — province, city, district, town, village, grid — in the partition `legal-aid-queue#<area>`,
sort key `<priority>#<deadline>#<submitted>#<id>`:
- priority 0 = green channel awaiting acceptance, review or assignment; 1 = other cases awaiting those
  steps; 2 = closed cases awaiting the follow-up visit;
- deadline = when the step the case waits for is due (UTC, fixed width, so strings sort as times).
Every officer's queue is then ONE Query of the partition named by their own jurisdiction code, already in
order — green first, then earliest deadline — with exact pages and no filter, whatever level they sit at
(a town 司法所 or a district 法律援助中心 alike). The entries hold what the queue shows, so no further reads.

The entry of an approved case still waiting for its lawyer is also listed by approval time (gsi1,
`legal-aid-approved#<area code>` / `approved#<approved utc>#<id>`), so the screening reads only the cases
approved long enough ago to be flagged, however many cases wait (`approved_before`).

Cost, and why it is worth it: a case writes ≤ 6 entries when it enters the queue and rewrites them when its
step changes (each step is one transaction: the record, its audit entry, the old entries' deletes and the
new entries' puts, ≤ 14 items). Legal-aid applications are tens a day per city, so that is cents a month;
the alternatives were worse: one city partition filtered by area reads (and bills) every case of the city
to show a town its own, with short pages; one partition per district needs a scatter-gather merge for city
officers and a filter for towns.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from chalicelib.platform import storage
from chalicelib.domain.areas.models import ancestors
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc
from plugins.legal_aid.answers import LegalAidQueueItem
from plugins.legal_aid.models import (
    Application,
    MatterType,
    Status,
    Verdict,
    stamp,
)

QUEUE = "legal-aid-queue"
APPROVED = "legal-aid-approved"  # approved cases awaiting assignment, by approval time
ENTRY = "legal-aid-queue-entry"
GREEN, NORMAL, FOLLOW_UP = 0, 1, 2
AWAITING_OFFICER = (Status.submitted, Status.accepted, Status.approved)


def position(app: Application) -> tuple[int, datetime] | None:
    """(priority, due) while the case waits for an officer; None once it is off the queue."""
    if app.deadline is None:
        return None
    if app.status in AWAITING_OFFICER:
        return (GREEN if app.green_channel else NORMAL), app.deadline
    if app.status == Status.closed:
        return FOLLOW_UP, app.deadline
    return None


class QueueEntry(storage.Record):
    """A case's entry in the queue of one level of its area (`queue`): what the queue shows, so a page needs
    no further reads. Its key is its place in that queue (a table list): green first, then by deadline;
    equal deadlines (statutory periods end at 24:00) go first come, first served."""
    entity: ClassVar[str] = ENTRY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(QUEUE, "table"), storage.Listing(APPROVED, "gsi1"))

    queue: str                    # the area code whose queue this is (the case's area or one above it)
    application_id: str
    area: str
    status: Status
    priority: int
    green_channel: bool
    deadline: datetime
    matter_type: MatterType
    applicant_name: str
    submitted_at: datetime
    major: bool
    verdict: Verdict
    approved_at: datetime | None = None

    @classmethod
    def of(cls, app: Application, queue: str, where: tuple[int, datetime]) -> "QueueEntry":
        return cls(queue=queue, application_id=app.id, area=app.area, status=app.status, priority=where[0],
                   green_channel=app.green_channel, deadline=where[1], matter_type=app.matter_type,
                   applicant_name=app.applicant.name, submitted_at=app.submitted_at, major=app.major,
                   verdict=app.verdict, approved_at=app.approved_at)

    def place(self, listing: str) -> storage.Place | None:
        if listing == APPROVED:
            if self.status != Status.approved or self.approved_at is None:
                return None
            return storage.Place(of=self.queue, sort=("approved", stamp(self.approved_at), self.application_id))
        return storage.Place(of=self.queue, sort=(self.priority, stamp(self.deadline), stamp(self.submitted_at),
                                                  self.application_id))


def ops(old: Application | None, new: Application) -> list[dict[str, Any]]:
    """Transaction ops moving `new` within every queue of its area's levels (delete the old entry when its
    place in the queue changed; put — overwrite — the current one, which also moves it in or out of the
    approved list: a green-channel case keeps its place when approved)."""
    old_where = position(old) if old else None
    new_where = position(new)
    out = []
    for code in ancestors(new.area):
        before = QueueEntry.of(old, code, old_where) if old and old_where else None
        after = QueueEntry.of(new, code, new_where) if new_where else None
        if before and (after is None or _item_key(before) != _item_key(after)):
            out.append(storage.remove_op(before))
        if after:
            out.append(storage.put_op(after.to_item(), must_not_exist=False))
    return out


def _item_key(entry: QueueEntry) -> tuple[str, str]:
    attributes = entry.key_attributes()
    return attributes["pk"], attributes["sk"]


def item_of(entry: dict[str, Any], now: datetime | None = None) -> LegalAidQueueItem:
    from chalicelib.platform.timeutil import to_shanghai

    deadline = datetime.fromisoformat(entry["deadline"])
    status = Status(entry["status"])
    return LegalAidQueueItem(
        id=entry["application_id"], status=status, status_label=status.label,
        green_channel=entry["green_channel"], priority=int(entry["priority"]), deadline=to_shanghai(deadline),
        overdue=(now or now_utc()) > deadline, matter_type=entry["matter_type"],
        matter_label=MatterType(entry["matter_type"]).label, area=entry["area"],
        applicant_name=entry["applicant_name"], submitted_at=to_shanghai(datetime.fromisoformat(entry["submitted_at"])),
        major=bool(entry.get("major")), verdict=entry.get("verdict", ""),
    )


def page(area_code: str, *, limit: int, cursor: str | None) -> Page[LegalAidQueueItem]:
    result = storage.page(QueueEntry, QUEUE, area_code, limit=limit, cursor=cursor)
    now = now_utc()
    return Page[LegalAidQueueItem](items=[item_of(i, now) for i in result.items], next_cursor=result.next_cursor)


def due_before(area_code: str, priority: int, moment: datetime) -> list[dict[str, Any]]:
    """The entries of one priority whose deadline is before `moment`: one Query reading only those (the
    queue sorts by priority, then deadline), for the screening's overdue checks."""
    return storage.every(QueueEntry, QUEUE, area_code, after=(priority,), until=(stamp(moment),))


def approved_before(area_code: str, moment: datetime) -> list[dict[str, Any]]:
    """The entries of approved cases still without a lawyer that were approved before `moment`: one Query
    of the approved list reading only those (never the whole queue), for the screening's unassigned check."""
    return storage.every(QueueEntry, APPROVED, area_code, after=("approved",), until=(stamp(moment),))
