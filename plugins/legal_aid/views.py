"""What each reader sees of an application.

Readers: the applicant (`owner`), a legal-aid officer of the case's area (`officer`), the assigned lawyer
(`lawyer`), and the grid worker who filed it on the applicant's behalf (`filer`). Anyone else gets 404:
whether a person applied for legal aid is itself private.

The ID number goes in full only to its owner. The phone goes in full to its owner and, because they must
reach the applicant (CONTRACT "Identity and access"), to the assigned lawyer and the handling officer (any
legal-aid officer of the case's area: every one of them may act on it) — only when they read the
application (GET), and each such read is audited (`service.read`); step responses stay masked. The
applicant sees the assigned lawyer's name, firm and work phone.
"""
from __future__ import annotations

from typing import Literal

from chalicelib.platform import pii
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound
from chalicelib.platform.money import per_capita
from chalicelib.platform.timeutil import now_utc, to_shanghai
from plugins.legal_aid.models import (
    Application,
    Category,
    CriterionResult,
    LegalAidApplicationOut,
    LegalAidApplicationSummary,
    LegalAidLawyerOut,
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


def coded(value) -> dict[str, str]:
    """A code and its Chinese label (`LegalAidCode`), as the answer's model validates it."""
    return {"code": value.value, "label": value.label}


def _criterion(result: CriterionResult) -> dict:
    return {"code": result.code, "title": result.title, "met": result.met, "status": result.status,
            "reason": result.reason}


def _routing(app: Application, code: str) -> dict:
    for result in app.routing:
        if result.code == code:
            return _criterion(result)
    return {"code": code, "title": code, "met": False, "status": "not_met", "reason": ""}


def missing_steps(app: Application) -> list[QualityStep]:
    done = {s.step for s in app.quality_steps}
    return [s for s in QualityStep if s not in done] if app.major else []


def full(app: Application, reader: Reader, *, tracking_code: str | None = None, reveal_phone: bool = False,
         lawyer: LegalAidLawyerOut | None = None) -> LegalAidApplicationOut:
    """`reveal_phone`: the caller holds the case and this read is audited (lawyer, officer); `lawyer`: the
    assigned lawyer's contact card, for the owner.

    The answer is validated once, as a whole, by `LegalAidApplicationOut`: its parts are handed to it as
    plain values, not as their own models (`LegalAidApplicantOut(...)`, `LegalAidCode(...)` …), whose
    validators would each be built on a cold start only to be passed over by the whole's (pydantic does not
    validate a model instance again). Measured on a cold legal-aid read: the ten part models' builds cost
    ~3 ms CPU (median of 9 fresh interpreters, pydantic's `complete_model_class` timed)."""
    owner = reader == "owner"
    phone_in_full = owner or (reveal_phone and reader in ("officer", "lawyer"))
    staff = reader in ("officer", "lawyer", "filer")
    applicant = app.applicant
    facts = app.facts
    total, each = per_capita(facts.monthly_incomes, facts.household_size)
    eligibility = app.eligibility
    return LegalAidApplicationOut.model_validate({
        "id": app.id, "version": app.version, "status": coded(app.status), "channel": app.channel, "area": app.area,
        "submitted_at": to_shanghai(app.submitted_at), "application_date": app.application_date,
        "applicant": {
            "name": applicant.name, "id_number_masked": applicant.id_masked,
            "id_number": pii.decrypt("id_number", applicant.id_cipher) if owner else None,
            "phone_masked": applicant.phone_masked,
            "phone": pii.decrypt("phone", applicant.phone_cipher) if phone_in_full else None,
            "age": facts.age_on(app.application_date), "rural": applicant.rural,
            "address": applicant.address if (owner or staff) else None},
        "household": {"size": app.household_size, "total_monthly": total, "per_capita_monthly": each,
                      "incomes": [{"source": coded(i.source), "monthly_amount": i.monthly_amount, "note": i.note}
                                  for i in app.incomes]},
        "matter": coded(app.matter_type),
        "opposing_party": {"name": app.opposing.name, "kind": app.opposing.kind,
                           "id_number_masked": app.opposing.id_masked},
        "description": app.description,
        "categories": [coded(Category(c)) for c in app.categories],
        "attachment_ids": app.attachment_ids,
        "eligibility": {"verdict": coded(eligibility.verdict), "path": eligibility.path,
                        "summary": eligibility.summary, "evaluated_on": eligibility.evaluated_on,
                        "criteria": [_criterion(c) for c in eligibility.criteria]},
        "override": {"verdict": coded(app.override.verdict), "reason": app.override.reason,
                     "by": app.override.by if staff else "法律援助工作人员",
                     "at": to_shanghai(app.override.at)} if app.override else None,
        "effective_verdict": coded(app.verdict),
        "green_channel": _routing(app, "green_channel"), "home_visit_eligible": _routing(app, "home_visit"),
        "deadline": to_shanghai(app.deadline) if app.deadline else None,
        "overdue": bool(app.deadline and now_utc() > app.deadline),
        "lawyer": app.lawyer, "lawyer_contact": lawyer if owner else None,
        "assigned_at": to_shanghai(app.assigned_at) if app.assigned_at else None,
        "conflict_override": {
            "reason": app.conflict_override.reason, "by": app.conflict_override.by,
            "hits": [_describe(h) for h in app.conflict_override.hits]}
        if app.conflict_override and reader == "officer" else None,  # hits name other clients: officers only
        "rejection_reason": app.rejection_reason,
        "outcome": {"kind": coded(app.outcome.kind), "amount_recovered": app.outcome.amount_recovered,
                    "summary": app.outcome.summary} if app.outcome else None,
        "follow_up": {"visited_on": app.follow_up.visited_on, "method": coded(app.follow_up.method),
                      "satisfaction": coded(app.follow_up.satisfaction),
                      "note": app.follow_up.note} if app.follow_up else None,
        "quality": {"major": app.major, "reason": app.major_reason,
                    "steps": [{"step": coded(s.step), "on": s.on, "note": s.note, "by": s.by}
                              for s in app.quality_steps],
                    "missing": [coded(s) for s in missing_steps(app)]} if staff else None,
        "home_visit": {"scheduled_at": to_shanghai(app.home_visit.scheduled_at),
                       "note": app.home_visit.note} if app.home_visit else None,
        "timeline": [{"at": to_shanghai(e.at), "status": coded(e.status), "note": e.note} for e in app.timeline],
        "tracking_code": tracking_code,
    })


def _describe(hit) -> str:
    from plugins.legal_aid.conflicts import describe

    return describe(hit)


def summary(app: Application) -> LegalAidApplicationSummary:
    return LegalAidApplicationSummary(id=app.id, status=coded(app.status), matter=coded(app.matter_type),
                              submitted_at=to_shanghai(app.submitted_at), effective_verdict=coded(app.verdict),
                              green_channel=app.green_channel,
                              deadline=to_shanghai(app.deadline) if app.deadline else None, area=app.area)
