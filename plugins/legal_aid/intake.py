"""Legal aid as an intake target (SPEC C5, L1): a ticket routed here opens a legal-aid referral
(法律援助转介), and the ticket follows it.

Why a referral and not a prefilled application: an application needs what a ticket never holds — the
applicant's ID number, household size and incomes, the opposing party — and the means test judges those
(SPEC L2). Prefilling one from a ticket's text would create an application that cannot be judged. So the
smallest honest case is opened: a referral naming the ticket, the grid and the resident, which tells the
resident to apply (online, or through a grid worker on their behalf). Once the resident's own application
submitted after the referral exists, the ticket shows that application's status and, when it ends, its
result; for someone without a resident account the referral waits for the centre to contact them.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import ClassVar

from chalicelib import plugin
from chalicelib.platform import audit, storage
from chalicelib.platform.timeutil import now_utc
from plugins.legal_aid.models import ENTITY as APPLICATION, Application, Status

ENTITY = "legal-aid-referral"
TITLE = "法律援助转介（请申请人补充材料提交申请）"
WAITING = "已转法律援助中心，待补充申请材料（身份证件、家庭经济状况等）"
ENDED = {Status.closed, Status.followed_up, Status.rejected}


class Referral(storage.Record):
    """A request the intake desk sent to legal aid, before (or instead of) an application."""
    entity: ClassVar[str] = ENTITY
    missing: ClassVar[tuple[str, str]] = ("没有这条法律援助转介", "referral_not_found")

    id: str
    ticket: str
    area: str
    category: str
    resident: str | None = None
    opened_at: datetime
    opened_by: str


def open_case(request: plugin.IntakeRequest) -> plugin.CaseRef:
    """The referral and its audit entry, one transaction (the ticket's text stays on the ticket)."""
    referral = Referral(id=uuid.uuid4().hex, ticket=request.ticket_id, area=request.area,
                        category=request.category, resident=request.resident, opened_at=now_utc(),
                        opened_by=request.actor.sub)
    storage.put_new(referral, also=[audit.entry(request.actor, "create", ENTITY, referral.id,
                                                f"受理事项 {request.ticket_id} 转介法律援助")])
    return plugin.CaseRef(service="legal-aid", entity=ENTITY, id=referral.id, title=TITLE)


def progress(ref: plugin.CaseRef) -> plugin.CaseProgress:
    """The resident's application submitted since the referral, if any; otherwise the referral waiting.
    One GetItem and, for a resident, one Query of their newest applications."""
    referral = storage.require(Referral, ref.id)
    application = _application_since(referral)
    if application is None:
        return plugin.CaseProgress(status=WAITING)
    status = Status(application.status)
    if status not in ENDED:
        return plugin.CaseProgress(status=f"法律援助申请{status.label}")
    if status == Status.rejected:
        return plugin.CaseProgress(status="不予法律援助", closed=True,
                                   result=f"法律援助中心决定不予援助：{application.rejection_reason or '详见决定书'}")
    outcome = application.outcome
    result = f"法律援助已结案（{outcome.kind.label}）：{outcome.summary}" if outcome else "法律援助已结案"
    return plugin.CaseProgress(status=f"法律援助申请{status.label}", closed=True, result=result)


def _application_since(referral: Referral) -> Application | None:
    if not referral.resident:
        return None
    page = storage.page(Application, APPLICATION, referral.resident, limit=5, newest_first=True)
    since = [a for a in map(Application.from_item, page.items) if a.submitted_at >= referral.opened_at]
    return since[-1] if since else None  # the first one submitted after the referral


def holds(caller, ref: plugin.CaseRef) -> bool:
    """The lawyer assigned to the application the referral led to holds the case (as `views.reader_of`
    lets only them of all lawyers read it); the legal-aid officers of the area are `handled_by`. A lawyer
    asks this only after no other rule let them read the ticket."""
    if "lawyer" not in caller.roles:
        return False
    application = _application_since(storage.require(Referral, ref.id))
    return application is not None and application.lawyer == caller.sub


TARGETS = (plugin.IntakeTarget("legal_aid_referral", "法律援助", ("legal_aid", "consultation", "dispute"),
                               open_case=open_case, progress=progress,
                               handled_by=("legal_aid_officer",), holds=holds),)
