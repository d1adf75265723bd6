"""Applying for legal aid (SPEC L1) and reading applications: the service layer, no HTTP here.

A resident applies for themselves (`online`; they own it at once). A grid worker or legal-aid officer may
apply on a resident's behalf (`on_behalf`) for someone living in their area: the response then carries a
one-time tracking code for the applicant, who claims the application with it and their own ID number
(`claim`) and follows it from then on like their own.

Claiming knows neither the application id nor anything else about the case: the filing writes a claim
ticket keyed by a keyed hash of (tracking code, ID number) — nothing in clear — pointing at the
application, so the claim is one consistent read of that key. A wrong code, a wrong ID number or both give
the same 404; each claimant has a few attempts an hour (429 beyond), and every failed attempt is audited.

Submission is one transaction: the application, its audit entry, and its entries in the officers' queues
(queue.py). Eligibility is evaluated at once with the rules in force on the application date.
"""
from __future__ import annotations

import secrets as random
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from chalicelib.platform import audit, metrics, pii, storage
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unprocessable
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc, today_shanghai
from plugins.legal_aid.models import (
    CLAIM_ENTITY,
    ENTITY,
    LAWYER_INDEX,
    Application,
    ClaimTicket,
    Event,
    LegalAidApplicationOut,
    LegalAidApplicationSummary,
    LegalAidLawyerOut,
    Status,
)
from plugins.legal_aid import views
from plugins.legal_aid.views import reader_of, summary

if TYPE_CHECKING:
    from chalicelib.domain.accounts import service as accounts
    from plugins.legal_aid.bodies import LegalAidApplicationIn, LegalAidClaimIn
    from plugins.legal_aid import params

PHONE_READERS = frozenset({"officer", "lawyer"})
READER_LABELS = {"officer": "法律援助工作人员", "lawyer": "承办律师", "filer": "代为申请的网格员", "owner": "申请人"}

FILERS = frozenset({"grid_worker", "legal_aid_officer"})
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone
TRACKING_LENGTH = 10
CLAIM_ATTEMPTS = (10, 3600)  # per resident: attempts, window seconds


def _field(loc: list[str], msg: str) -> list[dict[str, Any]]:
    """A field error located in the service's input (the endpoint adds `body`)."""
    return [{"loc": list(loc), "msg": msg}]


def _filer(caller: Caller, data: LegalAidApplicationIn) -> bool:
    """Whether the caller files on someone's behalf: staff do (grid workers and legal-aid officers only), a
    resident files for themselves under the real name they declared."""
    on_behalf = caller.is_staff
    if on_behalf and not caller.has_any(FILERS):
        raise Forbidden("只有网格员或法律援助工作人员可以代为申请", code="role_not_allowed")
    if not on_behalf:
        _require_real_name(caller, data.applicant.stored.id_hash)
    return on_behalf


def _rules(area_code: str, on: date) -> params.Rules:
    """The rules in force for the applicant's area on the application date, resolved once for everything
    the submission decides (eligibility, routing, the first deadline). The area record rides along the same
    read: an unknown or retired area is a 422 on the applicant's area."""
    from plugins.legal_aid import params

    try:
        return params.rules(area_code, on)
    except NotFound as exc:
        if exc.code == "area_not_found":
            raise Unprocessable(f"区域 {area_code} 不存在", code="area_not_found",
                                errors=_field(["applicant", "area"], "区域不存在")) from None
        if exc.code == "area_retired":
            raise Unprocessable(f"区域 {area_code} 已撤销", code="area_retired",
                                errors=_field(["applicant", "area"], "区域已撤销")) from None
        raise


def _require_real_name(caller: Caller, id_hash: str | None = None,
                       loc: tuple[str, ...] = ("applicant", "id_number"), **found) -> None:
    """SPEC issue 4: a resident applies under their real name (实名登记), for themselves: the applicant's ID
    number (its lookup hash) must be the one they declared (someone applying for another person goes
    through a grid worker or the centre's window, `on_behalf`). `found`: see `accounts.require_real_name`."""
    from chalicelib.domain.accounts import service as accounts

    resident = accounts.require_real_name(caller, **found)
    if id_hash and resident.id_number_hash != id_hash:
        raise Unprocessable("申请人身份证号须与您实名登记的一致；为他人申请请联系网格员或到法律援助中心窗口",
                            code="applicant_not_account_holder",
                            errors=_field(list(loc), "与实名登记的身份证号不一致"))


def submit(caller: Caller, data: LegalAidApplicationIn) -> tuple[Application, str | None]:
    """Store a new application with its eligibility result; (application, tracking code or None). The
    input arrives prepared (`LegalAidApplicationIn`: the applicant sealed, the facts the criteria read);
    the rules of its area are resolved once and passed down; the attachments are answered by the files
    service in one call; everything is written in one transaction. Refusals come in this order: who files,
    the applicant's area, staff filing outside their area, the attachments."""
    from chalicelib.domain.files import service as files
    from plugins.legal_aid import counts, criteria, deadlines, queue  # not imported by a read (its first request)

    moment = now_utc()
    on_behalf = _filer(caller, data)
    rules = _rules(data.applicant.area, today_shanghai(moment))
    app_id = f"{rules.area}.{uuid.uuid4().hex}"  # names its area: a step reads the rules there with the case
    if on_behalf:
        require_area(caller, rules.area)  # staff file only for residents of their own area
    links = files.attachments_ops(caller.actor, caller, data.attachment_ids, ENTITY, app_id)
    eligibility, routing = criteria.evaluate(data.facts, rules)
    green = routing["green_channel"].met
    deadline, basis = deadlines.first_deadline(moment, rules, green)
    app = Application(
        id=app_id, channel="on_behalf" if on_behalf else "online", owner=None if on_behalf else caller.sub,
        filed_by=caller.sub, area=rules.area, submitted_at=moment, application_date=rules.on,
        applicant=data.applicant.stored, household_size=data.household_size, incomes=data.incomes,
        matter_type=data.matter_type, opposing=data.opposing_party.stored, description=data.description,
        categories=data.categories, attachment_ids=data.attachment_ids,
        eligibility=eligibility, routing=list(routing.values()), green_channel=green,
        home_visit_eligible=routing["home_visit"].met,
        deadline=deadline, deadline_basis=basis, green_deadline=deadline if green else None,
        timeline=[Event(at=moment, status=Status.submitted,
                        note="已提交申请" + ("（绿色通道）" if green else "") + ("，由工作人员代为申请" if on_behalf else ""))],
    )
    tracking_code, ticket = None, []
    if on_behalf:
        tracking_code = "".join(random.choice(TRACKING_ALPHABET) for _ in range(TRACKING_LENGTH))
        ticket = [storage.put_op(storage.stamp_new(ClaimTicket(
            id=_claim_key(tracking_code, app.applicant.id_hash), application_id=app.id)).to_item())]
    storage.put_new(app, also=[
        *ticket,
        audit.entry(caller.actor, "create", ENTITY, app.id,
                    f"{'代为提交' if on_behalf else '提交'}法律援助申请（{app.matter_type.label}{'，绿色通道' if green else ''}）；"
                    f"资格审查：{eligibility.verdict.label}，依据 {', '.join(eligibility.policy_versions) or '无'}"),
        *queue.ops(None, app),
        *counts.submitted_ops(app),
        *links,
    ])
    metrics.figure("ApplicationsSubmitted")
    return app, tracking_code


def _claim_key(tracking_code: str, id_hash: str) -> str:
    """The claim ticket's id: a keyed hash of the code (as read over the phone: case and spaces ignored)
    and the ID number's own lookup hash."""
    code = "".join(tracking_code.split()).upper()
    return pii.lookup_hash(CLAIM_ENTITY, f"{code}:{id_hash}")


def load(app_id: str) -> Application:
    return storage.require(Application, app_id, consistent=True)


def may_attach(caller: Caller, app_id: str) -> None:
    """Link rule: files may be linked to an application, and read, by whoever reads it (its applicant, its
    officers, its lawyer, the grid worker who filed it); anyone else gets its 404."""
    reader_of(caller, load(app_id))


def read(caller: Caller, app_id: str) -> tuple[Application, str]:
    """The application and how the caller reads it (404 for anyone not entitled). Staff reads are audited;
    the assigned lawyer and the handling officer get the applicant's phone in full, and their entry says so."""
    app = load(app_id)
    reader = reader_of(caller, app)
    if reader in PHONE_READERS:
        audit.record_read(caller.actor, ENTITY, app.id, f"查看法律援助申请（{READER_LABELS[reader]}），含申请人完整电话（联系申请人）")
    elif reader != "owner":
        audit.record_read(caller.actor, ENTITY, app.id, f"查看法律援助申请（{READER_LABELS[reader]}）")
    return app, reader


def get(caller: Caller, app_id: str) -> LegalAidApplicationOut:
    """`GET` of one application: what `read` lets the caller see, the phone in full for the staff who must
    reach the applicant (this read is audited)."""
    app, reader = read(caller, app_id)
    return seen(caller, app, reveal_phone=reader in PHONE_READERS)


def seen(caller: Caller, app: Application, *, tracking_code: str | None = None,
         reveal_phone: bool = False) -> LegalAidApplicationOut:
    """The application as the caller may see it (views.full), with the assigned lawyer's contact card for
    its applicant. A step's answer: phones masked."""
    reader = reader_of(caller, app)
    lawyer = lawyer_contact(app) if reader == "owner" else None
    return views.full(app, reader, tracking_code=tracking_code, reveal_phone=reveal_phone, lawyer=lawyer)


def lawyer_contact(app: Application) -> LegalAidLawyerOut | None:
    """The assigned lawyer's name, firm (their institution's name) and work phone, for the applicant."""
    if not app.lawyer:
        return None
    from chalicelib.domain.accounts import service as accounts

    staff = accounts.staff_account(app.lawyer)
    if staff is None:
        return None
    return LegalAidLawyerOut(name=staff.name, firm=institution_names([staff]).get(staff.sub),
                             work_phone=pii.decrypt("phone", staff.phone_cipher) if staff.phone_cipher else None)


def institution_names(staff: list[accounts.StaffAccount]) -> dict[str, str]:
    """sub → the name of the staff member's institution (for those who have one that still exists)."""
    from chalicelib.domain.directory import service as directory

    found = directory.load_institutions({s.institution for s in staff if s.institution})
    return {s.sub: found[s.institution].name for s in staff if s.institution in found}


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[LegalAidApplicationSummary]:
    page = storage.page(Application, ENTITY, caller.sub, limit=limit, cursor=cursor, newest_first=True)
    return Page[LegalAidApplicationSummary](items=[summary(Application.from_item(i)) for i in page.items],
                                            next_cursor=page.next_cursor)


def assigned_to(caller: Caller, state: str, *, limit: int, cursor: str | None) -> Page[LegalAidApplicationSummary]:
    """A lawyer's cases: open (assigned) or closed, most recently assigned first."""
    page = storage.page(Application, LAWYER_INDEX, caller.sub, after=(state,), limit=limit, cursor=cursor,
                        newest_first=True)
    return Page[LegalAidApplicationSummary](items=[summary(Application.from_item(i)) for i in page.items],
                                            next_cursor=page.next_cursor)


def claim(caller: Caller, data: LegalAidClaimIn) -> Application:
    """The applicant takes over an application filed on their behalf: tracking code + their own ID number.
    Any wrong pair is the same 404 (one read of the ticket keyed by both), so the endpoint reveals nothing
    about other people's applications; attempts are limited per resident and failures audited.

    Four calls, over an update's floor of 2: the caller's real-name record and the claim ticket keyed by code
    and ID number are one consistent BatchGetItem, but the ticket is looked at only once the number is the
    caller's own and the attempt counted (one UpdateItem, so guessing is limited); then the application it
    names (its owner and version) is read, then the write."""
    from chalicelib.domain.accounts.models import Resident

    key = _claim_key(data.tracking_code, data.id_hash)
    found = storage.find_each({Resident: [caller.sub], ClaimTicket: [key]}, consistent=True)
    # their own number: checked before anything looked up is used
    _require_real_name(caller, data.id_hash, ("id_number",), found=found[Resident].get(caller.sub))
    _limit_claims(caller)
    ticket = found[ClaimTicket].get(key)
    app = storage.read(Application, ticket.application_id, consistent=True) if ticket else None
    if app is None:
        storage.transact([audit.entry(caller.actor, "claim_failed", CLAIM_ENTITY, caller.sub,
                                      "认领代为提交的法律援助申请未成功（查询码与身份证号不符）")])
        raise NotFound("查询码或身份证号不正确，请核对后再试", code="application_not_found")
    if app.owner == caller.sub:
        return app
    if app.owner is not None:
        raise Conflict("该申请已由其他账号认领", code="already_claimed")
    return storage.update(app, {"owner": caller.sub}, expected_version=app.version, also=[
        audit.entry(caller.actor, "claim", ENTITY, app.id, "申请人认领代为提交的申请", {"owner": {"from": None, "to": caller.sub}}),
    ])


def _limit_claims(caller: Caller) -> None:
    from chalicelib.domain.accounts import service as accounts

    limit, window = CLAIM_ATTEMPTS
    try:
        accounts.limit_attempts(CLAIM_ENTITY, caller.sub, limit, window)
    except TooManyRequests as exc:
        raise TooManyRequests(f"认领尝试过于频繁，请 {exc.headers.get('Retry-After', window)} 秒后再试",
                              code="too_many_attempts", headers=exc.headers) from None
