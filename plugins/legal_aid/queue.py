"""The officers' work queue (SPEC L5: green-channel cases first in every queue, then by deadline).

Key design (docs/data-model.md, legal-aid patterns): one small queue entry per open case *per level of
its area* — province, city, district, town, village, grid — in the partition `legal-aid-queue#<area>`,
sort key `<priority>#<deadline>#<submitted>#<id>`:
- priority 0 = green channel awaiting acceptance, review or assignment; 1 = other cases awaiting those
  steps; 2 = closed cases awaiting the follow-up visit;
- deadline = when the step the case waits for is due (UTC, fixed width, so strings sort as times).
Every officer's queue is then ONE Query of the partition named by their own jurisdiction code, already in
order — green first, then earliest deadline — with exact pages and no filter, whatever level they sit at
(a town 司法所 or a district 法律援助中心 alike). The entries hold what the queue shows, so no further reads.

Cost, and why it is worth it: a case writes ≤ 6 entries when it enters the queue and rewrites them when its
step changes (each step is one transaction: the record, its audit entry, the old entries' deletes and the
new entries' puts, ≤ 14 items). Legal-aid applications are tens a day per city, so that is cents a month;
the alternatives were worse: one city partition filtered by area reads (and bills) every case of the city
to show a town its own, with short pages; one partition per district needs a scatter-gather merge for city
officers and a filter for towns.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any


from chalicelib.platform.storage import keys
from chalicelib.platform import storage
from chalicelib.domain.areas.models import ancestors
from chalicelib.platform.timeutil import now_utc
from plugins.legal_aid.models import Application, Status, stamp
from chalicelib.platform.model import Model

QUEUE = "legal-aid-queue"
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


def partition(area_code: str) -> str:
    return keys.compose(QUEUE, area_code)


def _sort(app: Application, where: tuple[int, datetime]) -> str:
    # equal deadlines (statutory periods end at 24:00) go first come, first served
    return keys.compose(where[0], stamp(where[1]), stamp(app.submitted_at), app.id)


def _entry(app: Application, pk: str, sk: str, priority: int) -> dict[str, Any]:
    return {"pk": pk, "sk": sk, "entity": ENTRY, "application_id": app.id, "area": app.area,
            "status": app.status, "priority": priority, "green_channel": app.green_channel,
            "deadline": app.deadline, "matter_type": app.matter_type, "applicant_name": app.applicant.name,
            "submitted_at": app.submitted_at, "major": app.major, "verdict": app.verdict,
            "approved_at": app.approved_at}


def ops(old: Application | None, new: Application) -> list[dict[str, Any]]:
    """Transaction ops moving `new` within every queue of its area's levels (delete the old entry when its
    sort key changed; put — overwrite — the current one)."""
    old_where = position(old) if old else None
    new_where = position(new)
    old_sk = _sort(old, old_where) if old and old_where else None
    new_sk = _sort(new, new_where) if new_where else None
    out = []
    for code in ancestors(new.area):
        pk = partition(code)
        if old_sk and old_sk != new_sk:
            out.append(storage.delete_op(pk, old_sk))
        if new_sk:
            out.append(storage.put_op(_entry(new, pk, new_sk, new_where[0]), must_not_exist=False))
    return out


class LegalAidQueueItem(Model):
    id: str
    status: Status
    status_label: str
    green_channel: bool
    priority: int
    deadline: datetime
    overdue: bool
    matter_type: str
    matter_label: str
    area: str
    applicant_name: str
    submitted_at: datetime
    major: bool
    verdict: str


class LegalAidQueuePage(Model):
    items: list[LegalAidQueueItem]
    next_cursor: str | None = None


def item_of(entry: dict[str, Any], now: datetime | None = None) -> LegalAidQueueItem:
    from chalicelib.platform.timeutil import to_shanghai
    from plugins.legal_aid.models import MatterType

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


def page(area_code: str, *, limit: int, cursor: str | None) -> LegalAidQueuePage:
    result = storage.query(partition(area_code), limit=limit, cursor=cursor)
    now = now_utc()
    return LegalAidQueuePage(items=[item_of(i, now) for i in result.items], next_cursor=result.next_cursor)


def entries(area_code: str, priority: int | None = None) -> list[dict[str, Any]]:
    """Every entry of an area's queue (screening; bounded by the open cases of one area)."""
    prefix = keys.SEP.join([str(priority), ""]) if priority is not None else None
    return storage.query_all(partition(area_code), begins_with=prefix)
