"""What each reader sees of an application.

Readers: the applicant (`owner`), a legal-aid officer of the case's area (`officer`), the assigned lawyer
(`lawyer`), and the grid worker who filed it on the applicant's behalf (`filer`). Anyone else gets 404:
whether a person applied for legal aid is itself private.

The ID number goes in full only to its owner. The phone goes in full to its owner and, because they must
reach the applicant (CONTRACT "Identity and access"), to the assigned lawyer and the handling officer (any
legal-aid officer of the case's area: every one of them may act on it) — only when they read the
application (GET), and each such read is audited (`applications.read`); step responses stay masked. The
applicant sees the assigned lawyer's name, firm and work phone.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.platform import pii
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound
from chalicelib.domain.policy.service import Number
from chalicelib.platform.timeutil import now_utc, to_shanghai
from plugins.legal_aid.criteria import Facts, per_capita
from chalicelib.platform.model import Model
from plugins.legal_aid.models import (
    Application,
    Category,
    CriterionResult,
    Eligibility,
    Event,
    QualityStep,
)

Reader = Literal["owner", "officer", "lawyer", "filer"]
OFFICER = "legal_aid_officer"


def reader_of(caller: Caller, app: Application) -> Reader:
    if app.owner and caller.sub == app.owner:
        return "owner"
    if OFFICER in caller.roles and caller.covers(app.area):
        return "officer"
    if "lawyer" in caller.roles and app.lawyer == caller.sub:
        return "lawyer"
    if "grid_worker" in caller.roles and app.filed_by == caller.sub and caller.covers(app.area):
        return "filer"
    raise NotFound("没有这件法律援助申请", code="application_not_found")


def facts_of(app: Application) -> Facts:
    return Facts(birth_date=app.applicant.birth_date, rural=app.applicant.rural,
                 categories=frozenset(app.categories), matter_type=app.matter_type,
                 household_size=app.household_size, monthly_incomes=tuple(i.monthly_amount for i in app.incomes))


class LegalAidCode(Model):
    code: str
    label: str


class LegalAidApplicantOut(Model):
    name: str
    id_number_masked: str = Field(examples=["320***********0012"])
    id_number: str | None = Field(None, description="完整身份证号，仅向申请人本人返回")
    phone_masked: str
    phone: str | None = Field(None, description="完整电话：申请人本人，以及查看申请时的承办律师和经办法律援助工作人员（记入审计）")
    age: int
    rural: bool
    address: str | None = None


class LegalAidLawyerOut(Model):
    """The assigned lawyer, as the applicant needs them to get in touch."""
    name: str = Field(examples=["周律师"])
    firm: str | None = Field(None, description="所在律师事务所或法律援助机构", examples=["江苏某律师事务所"])
    work_phone: str | None = Field(None, description="工作电话（账号未登记时为空）")


class LegalAidIncomeOut(Model):
    source: LegalAidCode
    monthly_amount: Number
    note: str | None = None


class LegalAidHouseholdIncomeOut(Model):
    size: int
    incomes: list[LegalAidIncomeOut]
    total_monthly: Number
    per_capita_monthly: Number = Field(description="人均月收入（元，四舍五入到分）")


class LegalAidPartyOut(Model):
    name: str
    kind: str
    id_number_masked: str | None = None


class LegalAidCriterionOut(Model):
    code: str
    title: str
    met: bool
    status: Literal["met", "not_met", "waived", "undetermined"]
    reason: str = Field(examples=["人均月收入 1,850 元 ≤ 2,280 元（常州市最低工资标准）"])

    @classmethod
    def of(cls, result: CriterionResult) -> "LegalAidCriterionOut":
        return cls(code=result.code, title=result.title, met=result.met, status=result.status, reason=result.reason)


class LegalAidEligibilityOut(Model):
    verdict: LegalAidCode
    path: Literal["exempt", "means_tested", "undetermined"] = Field(description="exempt：免审；means_tested：经济困难审查")
    summary: str = Field(examples=["符合条件（免经济困难审查：农民工追索劳动报酬）"])
    evaluated_on: date = Field(description="按哪一天生效的标准审查（申请日，北京时间）")
    criteria: list[LegalAidCriterionOut]

    @classmethod
    def of(cls, eligibility: Eligibility) -> "LegalAidEligibilityOut":
        return cls(verdict=LegalAidCode(code=eligibility.verdict.value, label=eligibility.verdict.label),
                   path=eligibility.path, summary=eligibility.summary, evaluated_on=eligibility.evaluated_on,
                   criteria=[LegalAidCriterionOut.of(c) for c in eligibility.criteria])


class LegalAidOverrideOut(Model):
    verdict: LegalAidCode
    reason: str
    by: str
    at: datetime


class LegalAidEventOut(Model):
    at: datetime
    status: LegalAidCode
    note: str

    @classmethod
    def of(cls, event: Event) -> "LegalAidEventOut":
        return cls(at=to_shanghai(event.at), status=LegalAidCode(code=event.status.value, label=event.status.label),
                   note=event.note)


class LegalAidOutcomeOut(Model):
    kind: LegalAidCode
    amount_recovered: Number
    summary: str


class LegalAidFollowUpOut(Model):
    visited_on: date
    method: LegalAidCode
    satisfaction: LegalAidCode
    note: str | None = None


class LegalAidStepOut(Model):
    step: LegalAidCode
    on: date
    note: str
    by: str


class LegalAidQualityOut(Model):
    major: bool
    reason: str | None = None
    steps: list[LegalAidStepOut] = []
    missing: list[LegalAidCode] = Field(default_factory=list, description="重大疑难案件尚未完成的质量控制步骤")


class LegalAidConflictOverrideOut(Model):
    reason: str
    by: str
    hits: list[str]


class LegalAidHomeVisitOut(Model):
    scheduled_at: datetime
    note: str | None = None


class LegalAidApplicationOut(Model):
    id: str
    version: int
    status: LegalAidCode
    channel: Literal["online", "on_behalf"]
    area: str
    submitted_at: datetime
    application_date: date
    applicant: LegalAidApplicantOut
    household: LegalAidHouseholdIncomeOut
    matter: LegalAidCode
    opposing_party: LegalAidPartyOut
    description: str
    categories: list[LegalAidCode]
    attachment_ids: list[str]
    eligibility: LegalAidEligibilityOut
    override: LegalAidOverrideOut | None = None
    effective_verdict: LegalAidCode = Field(description="以人工改判为准，否则为系统审查结果")
    green_channel: LegalAidCriterionOut
    home_visit_eligible: LegalAidCriterionOut
    deadline: datetime | None = Field(None, description="当前环节的办理时限（北京时间）")
    overdue: bool
    lawyer: str | None = None
    lawyer_contact: LegalAidLawyerOut | None = Field(None, description="承办律师的姓名、所在机构和工作电话（申请人本人可见）")
    assigned_at: datetime | None = None
    conflict_override: LegalAidConflictOverrideOut | None = None
    rejection_reason: str | None = None
    outcome: LegalAidOutcomeOut | None = None
    follow_up: LegalAidFollowUpOut | None = None
    quality: LegalAidQualityOut | None = None
    home_visit: LegalAidHomeVisitOut | None = None
    timeline: list[LegalAidEventOut]
    tracking_code: str | None = Field(None, description="代为申请时给申请人的查询码（仅在提交时返回一次）")


class LegalAidApplicationSummary(Model):
    id: str
    status: LegalAidCode
    matter: LegalAidCode
    submitted_at: datetime
    effective_verdict: LegalAidCode
    green_channel: bool
    deadline: datetime | None = None
    area: str


def coded(value) -> LegalAidCode:
    return LegalAidCode(code=value.value, label=value.label)


def _routing(app: Application, code: str) -> LegalAidCriterionOut:
    for result in app.routing:
        if result.code == code:
            return LegalAidCriterionOut.of(result)
    return LegalAidCriterionOut(code=code, title=code, met=False, status="not_met", reason="")


def missing_steps(app: Application) -> list[QualityStep]:
    done = {s.step for s in app.quality_steps}
    return [s for s in QualityStep if s not in done] if app.major else []


def full(app: Application, reader: Reader, *, tracking_code: str | None = None, reveal_phone: bool = False,
         lawyer: LegalAidLawyerOut | None = None) -> LegalAidApplicationOut:
    """`reveal_phone`: the caller holds the case and this read is audited (lawyer, officer); `lawyer`: the
    assigned lawyer's contact card, for the owner."""
    owner = reader == "owner"
    phone_in_full = owner or (reveal_phone and reader in ("officer", "lawyer"))
    staff = reader in ("officer", "lawyer", "filer")
    applicant = app.applicant
    total, each = per_capita(tuple(i.monthly_amount for i in app.incomes), app.household_size)
    return LegalAidApplicationOut(
        id=app.id, version=app.version, status=coded(app.status), channel=app.channel, area=app.area,
        submitted_at=to_shanghai(app.submitted_at), application_date=app.application_date,
        applicant=LegalAidApplicantOut(
            name=applicant.name, id_number_masked=applicant.id_masked,
            id_number=pii.decrypt("id_number", applicant.id_cipher) if owner else None,
            phone_masked=applicant.phone_masked,
            phone=pii.decrypt("phone", applicant.phone_cipher) if phone_in_full else None,
            age=facts_of(app).age_on(app.application_date), rural=applicant.rural,
            address=applicant.address if (owner or staff) else None),
        household=LegalAidHouseholdIncomeOut(size=app.household_size, total_monthly=total, per_capita_monthly=each,
                               incomes=[LegalAidIncomeOut(source=coded(i.source), monthly_amount=i.monthly_amount,
                                                          note=i.note) for i in app.incomes]),
        matter=coded(app.matter_type),
        opposing_party=LegalAidPartyOut(name=app.opposing.name, kind=app.opposing.kind,
                                        id_number_masked=app.opposing.id_masked),
        description=app.description,
        categories=[coded(Category(c)) for c in app.categories],
        attachment_ids=app.attachment_ids,
        eligibility=LegalAidEligibilityOut.of(app.eligibility),
        override=LegalAidOverrideOut(verdict=coded(app.override.verdict), reason=app.override.reason,
                             by=app.override.by if staff else "法律援助工作人员",
                             at=to_shanghai(app.override.at)) if app.override else None,
        effective_verdict=coded(app.verdict),
        green_channel=_routing(app, "green_channel"), home_visit_eligible=_routing(app, "home_visit"),
        deadline=to_shanghai(app.deadline) if app.deadline else None,
        overdue=bool(app.deadline and now_utc() > app.deadline),
        lawyer=app.lawyer, lawyer_contact=lawyer if owner else None, assigned_at=to_shanghai(app.assigned_at) if app.assigned_at else None,
        conflict_override=LegalAidConflictOverrideOut(
            reason=app.conflict_override.reason, by=app.conflict_override.by,
            hits=[_describe(h) for h in app.conflict_override.hits])
        if app.conflict_override and reader == "officer" else None,  # hits name other clients: officers only
        rejection_reason=app.rejection_reason,
        outcome=LegalAidOutcomeOut(kind=coded(app.outcome.kind), amount_recovered=app.outcome.amount_recovered,
                           summary=app.outcome.summary) if app.outcome else None,
        follow_up=LegalAidFollowUpOut(visited_on=app.follow_up.visited_on, method=coded(app.follow_up.method),
                              satisfaction=coded(app.follow_up.satisfaction),
                              note=app.follow_up.note) if app.follow_up else None,
        quality=LegalAidQualityOut(major=app.major, reason=app.major_reason,
                           steps=[LegalAidStepOut(step=coded(s.step), on=s.on, note=s.note, by=s.by)
                                  for s in app.quality_steps],
                           missing=[coded(s) for s in missing_steps(app)]) if staff else None,
        home_visit=LegalAidHomeVisitOut(scheduled_at=to_shanghai(app.home_visit.scheduled_at),
                                note=app.home_visit.note) if app.home_visit else None,
        timeline=[LegalAidEventOut.of(e) for e in app.timeline],
        tracking_code=tracking_code,
    )


def _describe(hit) -> str:
    from plugins.legal_aid.conflicts import describe

    return describe(hit)


def summary(app: Application) -> LegalAidApplicationSummary:
    return LegalAidApplicationSummary(id=app.id, status=coded(app.status), matter=coded(app.matter_type),
                              submitted_at=to_shanghai(app.submitted_at), effective_verdict=coded(app.verdict),
                              green_channel=app.green_channel,
                              deadline=to_shanghai(app.deadline) if app.deadline else None, area=app.area)
