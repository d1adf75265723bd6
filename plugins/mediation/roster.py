"""The mediator roster 名册 and the recommendation of mediators for a dispute (SPEC M3, M4).

A recommendation orders the roster of the dispute's district: those who can bear more work first, then the
nearest (the same grid, village, town — "简易纠纷不出网格"), then those with experience of the dispute's kind,
then the lightest load; each comes with the reasons it was placed there. Two Queries: the roster under the
district, and the district's open disputes (the load).
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import Institution
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import Finding, ScreeningContext
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.storage.paging import paged
from plugins.mediation import params
from plugins.mediation.models import (
    KINDS, MEDIATOR_ENTITY, Dispute, ExpertOut, ExpertQuery, Mediator, MediatorIn, MediatorOut,
    MediatorRecommendation, Recommendations,
)
from plugins.mediation.service import get

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
    dispute = get(caller, dispute_id)
    district = dispute.grid[:6]
    people = [Mediator.from_item(i) for i in storage.every(Mediator, "mediation-mediator", district, max_items=2000)]
    load = Counter(d.holder.id for d in map(Dispute.from_item, storage.every(Dispute, "mediation-watch", district,
                                                                              max_items=5000))
                   if d.status != "closed" and d.holder.kind == "mediator")
    limit = int(policy.resolve(params.MEDIATOR_LOAD, dispute.grid).value)
    ranked = sorted(people, key=lambda m: (load[m.id] >= limit, nearness(m.area, dispute.grid),
                                           dispute.kind not in m.kinds, load[m.id], m.id))
    return Recommendations(dispute_id=dispute.id, items=[
        MediatorRecommendation(mediator=MediatorOut.of(m), load=load[m.id], reasons=_reasons(m, dispute, load[m.id], limit))
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
    """SPEC M4: committees in the directory with fewer full-time mediators on the roster than the standard
    for their level (town ≥2, village ≥1, industry ≥3, stationed ≥2 — parameters in force at the committee).
    Two Queries for the area, one policy read per area with committees."""
    committees = [c for c in directory.institutions_under(context.area, "mediation_committee")
                  if c.status == "active" and c.level in params.FULL_TIME_MINIMUM]
    if not committees:
        return
    full_time = Counter(i.get("committee_id") for i in storage.every(Mediator, "mediation-mediator", context.area,
                                                                     max_items=5000) if i.get("full_time"))
    standards: dict[str, dict[str, policy.InForce]] = {}
    for committee in committees:
        if committee.home_area not in standards:
            standards[committee.home_area] = policy.resolve_many(list(params.FULL_TIME_MINIMUM.values()),
                                                                 committee.home_area, context.as_of)
        minimum = int(standards[committee.home_area][params.FULL_TIME_MINIMUM[committee.level]].value)
        have = full_time[committee.id]
        if have < minimum:
            yield Finding(check="mediation.understaffed", area=committee.home_area, severity="warning",
                          title=f"{committee.name}专职调解员 {have} 名，低于配备标准 {minimum} 名",
                          detail=f"{committee.level_title}应配备专职人民调解员 {minimum} 名以上", record=committee.id)
