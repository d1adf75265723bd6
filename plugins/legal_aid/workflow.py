"""The case workflow (SPEC L6): submitted → accepted → approved | rejected → assigned → closed →
followed_up, plus the steps beside it (eligibility override, major-case quality steps, home visits).

Every change is one conditional write: the record at the version the client last saw (`stale_version`
409 otherwise), its audit entry, its queue entries moved (queue.py) and, when the case opens or ends for a
lawyer, their open-case tally (loads.py), in one transaction. A step the current status does not allow is
409 `illegal_transition` naming both.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from chalicelib.domain.areas.service import ancestors
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.model import Page
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable
from chalicelib.platform.timeutil import now_utc, to_shanghai, today_shanghai
from plugins.legal_aid import conflicts, counts, deadlines, loads, params, queue
from plugins.legal_aid.service import load
from plugins.legal_aid.answers import LegalAidAssignableLawyer
from plugins.legal_aid.bodies import (
    LegalAidAssignIn,
    LegalAidCloseIn,
    LegalAidFollowUpIn,
    LegalAidHomeVisitIn,
    LegalAidMajorIn,
    LegalAidOverrideIn,
    LegalAidReasonIn,
    LegalAidStepIn,
)
from plugins.legal_aid.models import (
    ENTITY,
    Application,
    ConflictOverride,
    Event,
    FollowUp,
    HomeVisit,
    Outcome,
    Override,
    QualityStep,
    Status,
    StepRecord,
    Verdict,
)
from plugins.legal_aid.views import OFFICER, reader_of

if TYPE_CHECKING:
    from chalicelib.domain.accounts import service as accounts

S = Status
MAX_STEPS_PER_KIND = 20
ACTIONS: dict[str, tuple[frozenset[Status], str]] = {
    # action: (statuses it may start from, Chinese name)
    "accept": (frozenset({S.submitted}), "受理"),
    "approve": (frozenset({S.accepted}), "批准援助"),
    "reject": (frozenset({S.accepted}), "不予援助"),
    "assign": (frozenset({S.approved}), "指派律师"),
    "close": (frozenset({S.assigned}), "结案"),
    "follow_up": (frozenset({S.closed}), "案后回访"),
    "override": (frozenset({S.submitted, S.accepted}), "人工改判资格审查结果"),
    "mark_major": (frozenset({S.accepted, S.approved, S.assigned}), "认定重大疑难案件"),
    "quality_step": (frozenset({S.approved, S.assigned}), "记录质量控制步骤"),
    "home_visit": (frozenset({S.submitted, S.accepted, S.approved, S.assigned}), "预约上门服务"),
}


_UNREAD = object()


def _officer_case(caller: Caller, app_id: str, *, found: Application | None | object = _UNREAD) -> Application:
    """The case, if the caller is a legal-aid officer of its area (others: 404, existence is private).
    `found`: the case already read (consistently, with another record)."""
    app = load(app_id) if found is _UNREAD else found
    if app is None or OFFICER not in caller.roles or not caller.covers(app.area):
        raise NotFound("没有这件法律援助申请", code="application_not_found")
    return app


def _allowed(app: Application, action: str) -> None:
    starts, name = ACTIONS[action]
    if app.status not in starts:
        raise Conflict(f"当前状态为「{app.status.label}」，不能{name}", code="illegal_transition",
                       errors=[{"loc": ["status"], "msg": f"{name}须在「{'」「'.join(s.label for s in starts)}」状态"}])


def _save(caller: Caller, app: Application, changes: dict[str, Any], expected_version: int, action: str,
          summary: str, event: str | None = None, audit_changes: dict[str, Any] | None = None) -> Application:
    moment = now_utc()
    if event is not None:
        status = changes.get("status", app.status)
        changes = {**changes, "timeline": [*app.timeline, Event(at=moment, status=status, note=event)]}
    new = Application.model_validate({**app.model_dump(), **changes})
    status_change = {"status": {"from": app.status, "to": new.status}} if new.status != app.status else {}
    entry = audit.entry(caller.actor, action, ENTITY, app.id, summary, {**status_change, **(audit_changes or {})} or None)
    return counts.saved(app, new, lambda counted: storage.update(
        app, changes, expected_version=expected_version,
        also=[entry, *queue.ops(app, new), *loads.ops(app, new), *counted]))


def _rules_today(app: Application, names: Iterable[str]) -> dict[str, Any]:
    from chalicelib.domain.policy import service as policy

    return policy.resolve_many(list(names), app.area, today_shanghai())


def _with_rules(app_id: str, names: list[str]) -> tuple[Application, dict[str, Any] | None]:
    """The case (read consistently; its type's 404) and the parameters `names` in force today at its area, in
    one BatchGetItem: an application's id names the area it was filed at (`<area>.<hex>`), so the rules there
    are read with the record (`policy.read_along`). None for the rules when the id names no area or another
    than the case's (`_rules_today` reads them then)."""
    from chalicelib.domain.policy import service as policy

    area, dot, _ = app_id.partition(".")
    if not (dot and area.isdigit() and len(area) in (6, 9, 12, 15)):
        return load(app_id), None
    try:
        along = policy.read_along(names, area, also={Application: [app_id]}, consistent=True)
    except NotFound:  # no such area: no such case
        along = None
    app = along.records[Application].get(app_id) if along else None
    if app is None:
        detail, code = Application.missing
        raise NotFound(detail, code=code)
    return app, (along.resolve_many(today_shanghai()) if app.area == area else None)


# --- the main line ------------------------------------------------------------------------------------------

def accept(caller: Caller, app_id: str, expected_version: int) -> Application:
    app = _officer_case(caller, app_id)
    _allowed(app, "accept")
    return _save(caller, app, {"status": S.accepted, "accepted_at": now_utc()}, expected_version, "accept",
                 "受理法律援助申请", "已受理，正在审查")


def approve(caller: Caller, app_id: str, expected_version: int) -> Application:
    """Two calls: the case with the assignment deadline in force at its area (`_with_rules`), the transaction."""
    found, rules = _with_rules(app_id, [params.ASSIGN_DAYS])
    app = _officer_case(caller, app_id, found=found)
    _allowed(app, "approve")
    if app.verdict != Verdict.eligible:
        raise Conflict(f"资格审查结果为「{app.verdict.label}」，不能批准；如确应援助，请先人工改判并说明理由",
                       code="not_eligible", errors=[{"loc": ["eligibility"], "msg": app.eligibility.summary}])
    moment = now_utc()
    changes: dict[str, Any] = {"status": S.approved, "approved_at": moment}
    if not app.green_channel:  # the green channel keeps its one-day deadline for the whole way to assignment
        days = int((rules or _rules_today(app, [params.ASSIGN_DAYS]))[params.ASSIGN_DAYS].value)
        changes["deadline"], changes["deadline_basis"] = deadlines.statutory_deadline(moment, days)
    return _save(caller, app, changes, expected_version, "approve", "批准给予法律援助", "审查通过，决定给予法律援助")


def reject(caller: Caller, app_id: str, data: LegalAidReasonIn,
           expected_version: int) -> Application:
    app = _officer_case(caller, app_id)
    _allowed(app, "reject")
    return _save(caller, app, {"status": S.rejected, "rejected_at": now_utc(), "rejection_reason": data.reason,
                              "deadline": None},
                 expected_version, "reject", f"决定不予法律援助，理由：{data.reason}", f"决定不予法律援助：{data.reason}")


def assign(caller: Caller, app_id: str, data: LegalAidAssignIn,
           expected_version: int) -> Application:
    """Assign a lawyer after the conflict check; a hit is 409 unless an override reason is given.

    Two calls: the case, the lawyer's account and the parties of the lawyer's open cases (kept beside their
    tally by every step that opens or ends a case for them, `loads.LawyerParties`) in one consistent
    BatchGetItem, then the transaction — no Query of the lawyer's list."""
    from chalicelib.domain.accounts import service as accounts

    found = storage.find_each({Application: [app_id], accounts.StaffAccount: [data.lawyer],
                               loads.LawyerParties: [data.lawyer]}, consistent=True)
    app = _officer_case(caller, app_id, found=found[Application].get(app_id))
    _allowed(app, "assign")
    _vetted_lawyer(caller, app, data.lawyer, found=found[accounts.StaffAccount].get(data.lawyer))
    hits = conflicts.check(app, found[loads.LawyerParties].get(data.lawyer))
    override = None
    if hits and not data.conflict_override_reason:
        raise Conflict("拟指派的律师与本案存在利益冲突，不能指派；如确需指派，请填写 conflict_override_reason",
                       code="conflict_of_interest",
                       errors=[{"loc": ["lawyer"], "msg": conflicts.describe(h)} for h in hits])
    if hits:
        override = ConflictOverride(reason=data.conflict_override_reason, by=caller.sub, hits=hits)
    summary = f"指派律师 {data.lawyer}"
    if override:
        summary += f"；利益冲突审查命中 {len(hits)} 项（{'；'.join(conflicts.describe(h) for h in hits)}），" \
                   f"坚持指派，理由：{override.reason}"
    return _save(caller, app, {"status": S.assigned, "lawyer": data.lawyer, "assigned_at": now_utc(),
                              "conflict_override": override, "deadline": None, "deadline_basis": None},
                 expected_version, "assign", summary, "已指派律师承办", {"lawyer": {"from": None, "to": data.lawyer}})


def may_take(caller: Caller, app: Application, staff: accounts.StaffAccount) -> bool:
    """Whether an officer may assign this staff member to the case: an active account with the lawyer role,
    registered in the officer's own area or in the case's district (a town officer's 司法所 has no lawyers
    of its own: the district's take its cases)."""
    return _may_take_in(caller, _district(app.area), staff)


def _may_take_in(caller: Caller, district: str, staff: accounts.StaffAccount) -> bool:
    return (staff.status == "active" and "lawyer" in staff.roles
            and (caller.covers(staff.area) or staff.area.startswith(district)))


def _district(area: str) -> str:
    """The district of a case's area (cases are filed at district level or below)."""
    return ancestors(area)[2]


def _vetted_lawyer(caller: Caller, app: Application, sub: str, *,
                   found: accounts.StaffAccount | None) -> accounts.StaffAccount:
    """The lawyer to assign (see `may_take`), as read (`found`); anything else (unknown, disabled, not a
    lawyer, another district) is the same 422, saying nothing more."""
    staff = found
    if staff is None or not may_take(caller, app, staff):
        raise Unprocessable("没有这位律师（须为本辖区或本案所在区县在用的律师账号）", code="lawyer_not_found",
                            errors=[{"loc": ["lawyer"], "msg": "律师账号不存在，或不在您的辖区及本案所在区县"}])
    return staff


def assignable_lawyers(caller: Caller, app_id: str, *, limit: int, cursor: str | None, read_first: bool = False
                       ) -> Page[LegalAidAssignableLawyer]:
    """The active lawyers an officer of the case's area may assign to it: those registered in the case's
    district (and, for an officer below district level, that is what lets them take the district's lawyers),
    by account id, with their institution's name and their number of open legal-aid cases.

    Two calls, one over a read's floor of 1: the id names the case's area (`<area>.<hex>`, where it was
    filed, which never changes), so for an officer of that area the district's lawyers are one Query first,
    then the case (its area decides access, as before), the page's institutions and open-case tallies
    (loads.py) in one BatchGetItem. Nothing is shown before the case's access check: an unknown case or one
    outside the caller's area is the same 404, then a bad cursor its 400. The lawyers' list is a Query of the
    accounts' own partition, which no BatchGetItem can hold. An id naming no area (or an officer of
    another area, `read_first`) reads the case first: three calls."""
    from chalicelib.domain.accounts import service as accounts
    from chalicelib.domain.directory.service import Institution
    from chalicelib.platform.errors import Problem
    from chalicelib.platform.storage import cursor as cursors

    area, dot, _ = app_id.partition(".")
    named = not read_first and bool(dot and area.isdigit() and len(area) in (6, 9, 12, 15)) \
        and OFFICER in caller.roles and caller.covers(area)
    app = None if named else _officer_case(caller, app_id)
    district = _district(app.area if app else area)
    lawyers = sorted((s for s in accounts.active_staff_with_role(district, "lawyer")
                      if _may_take_in(caller, district, s)), key=lambda s: s.sub)
    query_id = f"legal-aid-assignable#{app_id}"  # the cursor's scope: this case's list
    bad_cursor: Problem | None = None
    if cursor:
        try:
            after = str(cursors.decode(query_id, cursor).get("after", ""))
        except Problem as exc:  # answered after the case's access check, as when the case was read first
            bad_cursor, lawyers = exc, []
        else:
            lawyers = [s for s in lawyers if s.sub > after]
    page = lawyers[:limit]
    found = storage.find_each({Institution: {s.institution for s in page if s.institution},
                               loads.LawyerLoad: [s.sub for s in page],
                               Application: [app_id] if named else []}, consistent=named)
    if named:
        app = _officer_case(caller, app_id, found=found[Application].get(app_id))
        if _district(app.area) != district:  # not where its id says (never so): read as for any id
            return assignable_lawyers(caller, app_id, limit=limit, cursor=cursor, read_first=True)
    if bad_cursor is not None:
        raise bad_cursor
    next_cursor = cursors.encode(query_id, {"after": page[-1].sub}) if len(lawyers) > limit else None
    firms, tallies = found[Institution], found[loads.LawyerLoad]
    return Page[LegalAidAssignableLawyer](items=[
        LegalAidAssignableLawyer(lawyer=s.sub, name=s.name, area=s.area,
                                 firm=firms[s.institution].name if s.institution in firms else None,
                                 open_cases=tallies[s.sub].open_cases if s.sub in tallies else 0)
        for s in page], next_cursor=next_cursor)


def close(caller: Caller, app_id: str, data: LegalAidCloseIn, expected_version: int) -> Application:
    """The assigned lawyer (or an officer of the area) closes the case with its outcome.

    Two calls: the case with the follow-up deadline in force at its area (the id names the area,
    `_with_rules`) in one BatchGetItem, then the transaction."""
    app, rules = _with_rules(app_id, [params.FOLLOW_UP_DAYS])
    reader = reader_of(caller, app)
    if reader not in ("lawyer", "officer"):
        raise NotFound("没有这件法律援助申请", code="application_not_found")
    _allowed(app, "close")
    done = {q.step for q in app.quality_steps}
    missing = [s for s in (QualityStep.pre_case_assessment,) if app.major and s not in done]
    if missing:
        raise Conflict("重大疑难案件须先完成案前评估才能结案", code="quality_steps_missing",
                       errors=[{"loc": ["quality_steps"], "msg": f"缺少{s.label}"} for s in missing])
    moment = now_utc()
    days = int((rules or _rules_today(app, [params.FOLLOW_UP_DAYS]))[params.FOLLOW_UP_DAYS].value)
    deadline, basis = deadlines.statutory_deadline(moment, days)
    outcome = Outcome(kind=data.kind, amount_recovered=data.amount_recovered, summary=data.summary, closed_by=caller.sub)
    from plugins.legal_aid.criteria import money

    return _save(caller, app, {"status": S.closed, "closed_at": moment, "outcome": outcome, "deadline": deadline,
                              "deadline_basis": basis},
                 expected_version, "close", f"结案：{data.kind.label}，挽回 {money(data.amount_recovered)}",
                 f"已结案：{data.kind.label}，为您挽回 {money(data.amount_recovered)}",
                 {"outcome": {"to": data.kind}})


def follow_up(caller: Caller, app_id: str, data: LegalAidFollowUpIn,
              expected_version: int) -> Application:
    app = _officer_case(caller, app_id)
    _allowed(app, "follow_up")
    if data.visited_on > today_shanghai():
        raise Unprocessable("回访日期不能晚于今天", errors=[{"loc": ["visited_on"], "msg": "不能是将来的日期"}])
    if app.closed_at and data.visited_on < to_shanghai(app.closed_at).date():
        raise Unprocessable("回访日期不能早于结案日期", errors=[{"loc": ["visited_on"], "msg": "早于结案日期"}])
    record = FollowUp(visited_on=data.visited_on, method=data.method, satisfaction=data.satisfaction, note=data.note,
                      by=caller.sub)
    return _save(caller, app, {"status": S.followed_up, "follow_up": record, "deadline": None, "deadline_basis": None},
                 expected_version, "follow_up", f"案后回访（{data.method.label}，{data.satisfaction.label}）",
                 f"已回访（{data.method.label}）")


# --- beside the main line -----------------------------------------------------------------------------------

def override(caller: Caller, app_id: str, data: LegalAidOverrideIn,
             expected_version: int) -> Application:
    """An officer replaces the computed eligibility result; only with a reason, kept in the audit trail."""
    app = _officer_case(caller, app_id)
    _allowed(app, "override")
    verdict = Verdict(data.verdict)
    record = Override(verdict=verdict, reason=data.reason, by=caller.sub, at=now_utc())
    return _save(caller, app, {"override": record}, expected_version, "override",
                 f"人工改判资格审查结果：{app.verdict.label} → {verdict.label}，理由：{data.reason}"
                 f"（系统结果：{app.eligibility.summary}）",
                 f"工作人员复核资格审查结果为「{verdict.label}」：{data.reason}",
                 {"verdict": {"from": app.verdict, "to": verdict}})


def mark_major(caller: Caller, app_id: str, data: LegalAidMajorIn,
               expected_version: int) -> Application:
    app = _officer_case(caller, app_id)
    _allowed(app, "mark_major")
    if app.major:
        raise Conflict("该案件已认定为重大疑难案件", code="already_major")
    return _save(caller, app, {"major": True, "major_reason": data.reason}, expected_version, "mark_major",
                 f"认定为重大疑难案件，理由：{data.reason}", audit_changes={"major": {"from": False, "to": True}})


def quality_step(caller: Caller, app_id: str, data: LegalAidStepIn,
                 expected_version: int) -> Application:
    app = _officer_case(caller, app_id)
    _allowed(app, "quality_step")
    if not app.major:
        raise Conflict("只有重大疑难案件需要记录质量控制步骤，请先认定", code="not_major")
    if data.on > today_shanghai():
        raise Unprocessable("日期不能晚于今天", errors=[{"loc": ["on"], "msg": "不能是将来的日期"}])
    if sum(1 for q in app.quality_steps if q.step == data.step) >= MAX_STEPS_PER_KIND:
        raise Conflict(f"每类质量控制步骤最多记录 {MAX_STEPS_PER_KIND} 次", code="too_many_steps",
                       errors=[{"loc": ["step"], "msg": f"{data.step.label}已记录 {MAX_STEPS_PER_KIND} 次"}])
    step = StepRecord(step=data.step, on=data.on, note=data.note, by=caller.sub)
    return _save(caller, app, {"quality_steps": [*app.quality_steps, step]}, expected_version, "quality_step",
                 f"记录{data.step.label}（{data.on.isoformat()}）")


def schedule_home_visit(caller: Caller, app_id: str, data: LegalAidHomeVisitIn,
                        expected_version: int) -> Application:
    """The applicant, or an officer of the area, books a home visit (elderly, disabled, seriously ill only)."""
    app = load(app_id)
    reader = reader_of(caller, app)
    if reader not in ("owner", "officer"):
        raise NotFound("没有这件法律援助申请", code="application_not_found")
    _allowed(app, "home_visit")
    if not app.home_visit_eligible:
        raise Conflict("预约上门服务面向老年人、残疾人和重病患者", code="home_visit_not_eligible")
    if data.scheduled_at <= now_utc():
        raise Unprocessable("预约时间应在将来", errors=[{"loc": ["scheduled_at"], "msg": "应晚于现在"}])
    visit = HomeVisit(scheduled_at=data.scheduled_at, note=data.note, by=caller.sub)
    when = to_shanghai(data.scheduled_at).strftime("%Y-%m-%d %H:%M")
    return _save(caller, app, {"home_visit": visit}, expected_version, "home_visit", f"预约上门服务：{when}",
                 f"已预约上门服务：{when}")
