"""The mediator roster 名册 and the recommendation of mediators for a dispute (SPEC M3, M4).

A recommendation orders the roster of the dispute's district: those who can bear more work first, then the
nearest (the same grid, village, town — "简易纠纷不出网格"), then those with experience of the dispute's kind,
then the lightest load; each comes with the reasons it was placed there. Loads are tallies on the roster entries,
read with the roster in one Query.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import Institution
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import Finding, ScreeningContext
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import BadRequest, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.storage.paging import paged
from plugins.mediation import params
from plugins.mediation.models import (
    KINDS, MEDIATOR_ENTITY, Dispute, ExpertOut, ExpertQuery, Mediator, MediatorIn, MediatorOut,
    MediatorRecommendation, Recommendations, Training, TrainingIn, TrainingOut,
)
from plugins.mediation.service import get, read_with

NEARNESS = ("同一网格", "同一村（社区）", "同一镇（街道）", "同一区")


def enrol(caller: Caller, data: MediatorIn) -> Mediator:
    """Put a mediator on the roster of an area the caller covers: the record, the check that the area
    exists and the audit entry in one transaction."""
    require_covers(caller, data.area, ["area"])
    mediator = Mediator(**data.model_dump())
    checks = [_committee_exists(data.committee_id)] if data.committee_id else []
    return storage.put_new(mediator, also=[areas.must_exist(data.area, field="area"), *checks,
                                           audit.entry(caller.actor, "create", MEDIATOR_ENTITY, mediator.id,
                                                       f"调解员 {data.name} 列入名册（{data.committee}）")])


def _committee_exists(committee_id: str) -> storage.Check:
    problem = Unprocessable(f"机构名录中没有调解委员会 {committee_id}", code="committee_not_found",
                            errors=field_error(["committee_id"], "不是机构名录中的人民调解委员会"))
    return storage.must_exist(Institution, committee_id, problem, equals={"kind": "mediation_committee"})


def roster(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[MediatorOut]:
    scope = area or caller.area or ""
    require_covers(caller, scope, ["area"])
    page = storage.page(Mediator, "mediation-mediator", scope, limit=limit, cursor=cursor)
    return Page[MediatorOut](items=[MediatorOut.of(Mediator.from_item(i)) for i in page.items],
                             next_cursor=page.next_cursor)


def _roster_entry(caller: Caller, mediator_id: str) -> Mediator:
    """The mediator on the roster of an area the caller covers; 404 alike for one absent or outside it."""
    mediator = storage.read(Mediator, mediator_id)
    if mediator is None or not caller.covers(mediator.area):
        raise NotFound(Mediator.missing[0], code=Mediator.missing[1])
    return mediator


def record_training(caller: Caller, mediator_id: str, data: TrainingIn, *, training_id: str | None = None) -> Training:
    """SPEC M4 培训记录: the training, the hours added to the mediator's tally for its year and the audit entry,
    in one transaction and one call — the staffing check reads the tally, never the list. The roster entry is
    not read: the tally's add is conditional on the entry existing under the caller's area (404 alike for one
    absent or outside it), and as an add it needs no version (two trainings recorded at once both count)."""
    if not (caller.is_staff and caller.area) or not storage.is_record_id(mediator_id):
        raise NotFound(Mediator.missing[0], code=Mediator.missing[1])
    counted = storage.Check(storage.amend(Mediator, mediator_id, add={f"training_hours.{data.on.year}": data.hours},
                                          starts={"area": caller.area}),
                            NotFound(Mediator.missing[0], code=Mediator.missing[1]))
    training = Training(id=training_id or f"{data.on.isoformat()}-{uuid.uuid4().hex}", mediator=mediator_id,
                        course=data.course, hours=data.hours, on=data.on, organiser=data.organiser,
                        recorded_by=caller.sub, recorded_in=caller.area)
    return storage.put_new(training, also=[counted, audit.entry(
        caller.actor, "create", MEDIATOR_ENTITY, mediator_id,
        f"记录调解员 {mediator_id} 培训：{data.course}（{data.on.isoformat()}，{data.hours} 小时，{data.organiser}）")])


def trainings(caller: Caller, mediator_id: str, *, limit: int, cursor: str | None) -> Page[TrainingOut]:
    """A mediator's training records, newest first: staff covering the mediator's area (as the roster).

    One Query when the caller covers the area each training on the page was recorded under (`recorded_in`):
    the write made sure the mediator's area lies under it, and a roster entry's area never changes, so the
    caller covers the mediator's. Otherwise — an empty page, or a caller below a recorder's area — the roster
    entry is read for the access check (one GetItem more), answering 404 for one absent or outside the
    caller's area as before: it shares the trainings' partition but sorts before them while the list is
    newest first, so the Query would bring it only with the last page."""
    if not storage.is_record_id(mediator_id):
        raise NotFound(Mediator.missing[0], code=Mediator.missing[1])
    try:
        page = storage.page(Training, MEDIATOR_ENTITY, mediator_id, after=("training",), limit=limit, cursor=cursor,
                            newest_first=True)
    except BadRequest:  # a bad cursor: the 404 of a mediator the caller may not see comes first, as it did
        _roster_entry(caller, mediator_id)
        raise
    found = [Training.from_item(i) for i in page.items]
    if not found or not all(t.recorded_in and caller.covers(t.recorded_in) for t in found):
        _roster_entry(caller, mediator_id)
    return Page[TrainingOut](items=[TrainingOut.of(t) for t in found], next_cursor=page.next_cursor)


def qualified(mediator: Mediator, required: Decimal, year: int) -> bool:
    """SPEC M4: a mediator meets the yearly training requirement when this year's hours, or last year's,
    reach it — a year's training counts through the next, so nobody is flagged merely because January has
    come (and nobody who trained two years ago still counts)."""
    return max(mediator.trained_hours(year), mediator.trained_hours(year - 1)) >= required


def nearness(mediator_area: str, grid: str) -> int:
    """0 the same grid, 1 the same village, 2 the same town, 3 further (the district): the deepest level at
    which the mediator's area and the grid agree."""
    for rank, digits in enumerate((15, 12, 9)):
        if len(mediator_area) >= digits and mediator_area[:digits] == grid[:digits]:
            return rank
    return 3


def experts(query: ExpertQuery) -> Page[ExpertOut]:
    """SPEC M3: the expert pool published for a grid (公示) — the experts of its district on the roster,
    nearest first, optionally of one kind. Public to everyone signed in; names and committees only."""
    found = [m for m in map(Mediator.from_item, storage.every(Mediator, "mediation-mediator", query.grid[:6],
                                                              max_items=2000))
             if m.expert and (query.kind is None or query.kind in m.kinds)]
    page, next_cursor = paged(found, sort_key=lambda m: f"{nearness(m.area, query.grid)}~{m.id}",
                              query_id=f"mediation-experts|{query.grid}|{query.kind or ''}", limit=query.limit,
                              cursor=query.cursor)
    return Page[ExpertOut](items=[ExpertOut(name=m.name, committee=m.committee, grade=m.grade, kinds=m.kinds,
                                       kind_labels=[KINDS[k] for k in m.kinds],
                                       serves=NEARNESS[nearness(m.area, query.grid)]) for m in page],
                      next_cursor=next_cursor)


def recommend(caller: Caller, dispute_id: str) -> Recommendations:
    """SPEC M3: the roster of the dispute's district ranked for it, each mediator's load read from the tally on
    their roster entry (kept in the transactions that change a dispute's holder, `service.load_ops`).

    Two calls, one over a read's floor of 1: the dispute (its visibility and kind) with the load limit in force
    at its grid in one BatchGetItem (the id names the grid, `read_with`), then the district's roster with the
    loads (one Query)."""
    found, _, along = read_with(dispute_id, [params.MEDIATOR_LOAD])
    dispute = get(caller, dispute_id, found=found)
    district = dispute.grid[:6]
    people = [Mediator.from_item(i) for i in storage.every(Mediator, "mediation-mediator", district, max_items=2000)]
    limit = int((along.resolve_many() if along else policy.resolve_many([params.MEDIATOR_LOAD], dispute.grid))
                [params.MEDIATOR_LOAD].value)
    ranked = sorted(people, key=lambda m: (m.load >= limit, nearness(m.area, dispute.grid),
                                           dispute.kind not in m.kinds, m.load, m.id))
    return Recommendations(dispute_id=dispute.id, items=[
        MediatorRecommendation(mediator=MediatorOut.of(m), load=m.load, reasons=_reasons(m, dispute, m.load, limit))
        for m in ranked])


def _reasons(mediator: Mediator, dispute: Dispute, load: int, limit: int) -> list[str]:
    reasons = [NEARNESS[nearness(mediator.area, dispute.grid)]]
    kind = KINDS[dispute.kind]
    reasons.append(f"有{kind}调解经验" if dispute.kind in mediator.kinds else f"名册未登记{kind}调解经验")
    reasons.append(f"当前承办 {load} 件（上限 {limit} 件）" + ("，已满" if load >= limit else ""))
    if mediator.expert:
        reasons.append("调解专家库成员")
    reasons.append("专职调解员" if mediator.full_time else "兼职调解员")
    return reasons


def understaffed(context: ScreeningContext) -> Iterable[Finding]:
    """SPEC M4: committees in the directory with fewer qualified full-time mediators on the roster than the
    standard for their level (town ≥2, village ≥1, industry ≥3, stationed ≥2 — parameters in force at the
    committee); a full-time mediator is qualified when they met the yearly training hours (`qualified`, the
    tally on their roster entry). Two Queries for the area, one policy read per area with committees."""
    committees = [c for c in directory.institutions_under(context.area, "mediation_committee")
                  if c.status == "active" and c.level in params.FULL_TIME_MINIMUM]
    if not committees:
        return
    full_time = [m for m in map(Mediator.from_item, storage.every(Mediator, "mediation-mediator", context.area,
                                                                  max_items=5000)) if m.full_time]
    names = [*params.FULL_TIME_MINIMUM.values(), params.TRAINING_HOURS]
    standards: dict[str, dict[str, policy.InForce]] = {}
    for committee in committees:
        if committee.home_area not in standards:
            standards[committee.home_area] = policy.resolve_many(names, committee.home_area, context.as_of)
        minimum = int(standards[committee.home_area][params.FULL_TIME_MINIMUM[committee.level]].value)
        hours = Decimal(str(standards[committee.home_area][params.TRAINING_HOURS].value))
        members = [m for m in full_time if m.committee_id == committee.id]
        have = sum(qualified(m, hours, context.as_of.year) for m in members)
        if have < minimum:
            untrained = len(members) - have
            yield Finding(check="mediation.understaffed", area=committee.home_area, severity="warning",
                          title=f"{committee.name}合格专职调解员 {have} 名，低于配备标准 {minimum} 名",
                          detail=f"{committee.level_title}应配备专职人民调解员 {minimum} 名以上；名册专职 {len(members)} 名，"
                                 f"其中 {untrained} 名上年度及本年度培训均未达 {_hours(hours)} 小时",
                          record=committee.id)


def _hours(value: Decimal) -> str:
    return format(value.normalize(), "f")
