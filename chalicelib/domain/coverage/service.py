"""Grid assignments and coverage 全覆盖 (C3).

An assignment puts a person or an institution in a coverage role for an area: a grid, or a village, town
or district, which covers every grid below it (名优律师 paired to a town, a legal-aid centre to its district).
The roles required of every grid are the enabled plugins' `coverage_roles` plus the platform's own roles
below (the core lists no service's roles: a mediator belongs to the mediation plugin).

Access patterns (docs/data-model.md):
- assignment `assignment#<role>.<area>.<kind>.<assignee>` (the id itself makes a duplicate a 409);
- gsi1 `assignment@<role>@<district>` sorted by `<area>#<kind>#<assignee>`: the coverage report reads one
  partition per role per district, never one item per grid;
- the active assignment as an entry of its area's aggregate `area-links#<area>` (shared with the cards of
  the institutions serving it, `directory.models.AreaLinks`): who is assigned to a grid directly or through
  its village/town/district is the chain's aggregates, read with the chain in one BatchGetItem;
- the grids come from the area tree, level by level (gsi1 `area-children#<code>`), queried side by side.
Nothing is cached between requests: every report reads the current tree and assignments.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from chalicelib import plugin
from chalicelib.domain.areas.models import LEVELS, Area, AreaRef, ancestors, level_of, parent_of
from chalicelib.domain.areas.service import all_children, descendants
from chalicelib.domain.coverage.models import (
    BY_ROLE, LEVEL_TITLES, Assignment, AssignmentIn, AssignmentOut, CoverageReport, CoverageRow,
    GapGrid, GapPage, RoleDef, RoleOut, RoleTally, district_of,
)
from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import ASSIGNED, AreaLinks, Institution, Person
from chalicelib.domain.areas.service import boards_changed, existing_area, get_many as load_areas, is_code
from chalicelib.platform.auth import require_covers
from chalicelib.platform.errors import field_error
from chalicelib.platform.storage.batch import fan_out
from chalicelib.platform.model import Page
from chalicelib.platform.storage.paging import paged
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable

# Roles that belong to the platform rather than to one service: the grid's lawyer or legal adviser, who
# answers the core's 法律咨询 (C3 名优律师服务团, C4), and P3's ≥1 法律明白人 per grid.
CORE_ROLES = (plugin.CoverageRole("legal_advisor", "网格律师（法律顾问）", 1),
              plugin.CoverageRole("legal_literate", "法律明白人", 1))
ROLE_SHAPE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


def roles() -> list[RoleDef]:
    """Every role each grid must have filled: the enabled plugins' first, then the platform's."""
    found = [RoleDef(r.code, r.title, r.minimum, p.name, r.level) for p, r in plugin.coverage_roles()]
    found += [RoleDef(r.code, r.title, r.minimum, "core") for r in CORE_ROLES]
    codes = [r.code for r in found]
    clashes = sorted({c for c in codes if codes.count(c) > 1})
    if clashes:
        raise RuntimeError(f"coverage roles declared twice: {clashes}")
    bad = [r.code for r in found if not ROLE_SHAPE.match(r.code) or r.minimum < 1]
    if bad:
        raise RuntimeError(f"coverage roles with a bad code or minimum: {bad}")
    return found


def role_named(code: str, loc: list[str]) -> RoleDef:
    for role in roles():
        if role.code == code:
            return role
    known = "、".join(f"{r.code}（{r.title}）" for r in roles())
    raise Unprocessable(f"没有覆盖角色 {code}；现有：{known}", code="unknown_role",
                        errors=field_error(loc, "不是已启用的覆盖角色"))


# --- assignments ----------------------------------------------------------------------------------

def _assignee(caller: Caller, kind: str, assignee_id: str, found: dict[str, Any]) -> Any:
    """The active person or institution `assignee_id` (from `found`, read with the area) the caller may see."""
    record = found.get(assignee_id)
    visible = record is not None and record.status == "active" and (
        caller.covers(record.home_area) if kind == "person" else directory.can_see_institution(caller, record))
    if not visible:
        what = "人员" if kind == "person" else "机构"
        raise Unprocessable(f"{what} {assignee_id} 不存在、已停用或不在您的管辖范围内", code="assignee_not_found",
                            errors=field_error(["assignee_id"], f"{what}不存在或不可用"))
    return record


def _linked(record: Assignment) -> dict[str, Any]:
    """The transaction op keeping `record` in its area's aggregate while it is active (no read)."""
    entry = ASSIGNED + record.id
    if record.status != "active":
        return storage.set_entries(AreaLinks, record.area, remove=[entry])
    return storage.set_entries(AreaLinks, record.area, set_={entry: record.model_dump(
        exclude={"created_at", "updated_at"})})


def filling(actor: audit.Actor, role: RoleDef, area: Area, assignee_kind: str, assignee_id: str, *,
            existing: Assignment | None, note: str | None = None, demo: bool = False,
            ) -> tuple[Assignment, list[dict[str, Any]]]:
    """(the assignment, the transaction ops) making the assignee the `role` of `area` — the one way to fill a
    coverage role, for the core's own assignments and for a service that engages someone for an area in its
    own transaction (a village's legal advisor; docs/plugins.md "Filling a coverage role"). `existing` is
    the assignment of the same role, area and assignee if one is stored (read by the caller with its own
    reads): a new one is created, an ended one made active again, an active one only checked still active
    (its version unchanged). The area's aggregate and its boards follow in the same transaction."""
    record_id = Assignment.id_for(role.code, area.code, assignee_kind, assignee_id)
    summary = f"{LEVEL_TITLES[area.level]}「{area.name}」的{role.title}：" \
              + (f"人员 {assignee_id}" if assignee_kind == "person" else f"机构 {assignee_id}")  # no personal data
    if existing is None:
        record = storage.stamp_new(Assignment(id=record_id, role=role.code, area=area.code, assignee_kind=assignee_kind,
                                              assignee_id=assignee_id, note=note, demo=demo))
        ops = [storage.put_op(record.to_item()), audit.entry(actor, "create", "assignment", record_id, "分配" + summary)]
    elif existing.status == "ended":
        record, op = storage.prepare_update(existing, {"status": "active", "note": note},
                                            expected_version=existing.version)
        ops = [op, audit.entry(actor, "update", "assignment", record_id, "重新分配" + summary,
                               {"status": {"from": "ended", "to": "active"}})]
    else:
        return existing, [storage.check(Assignment, existing.id, equals={"status": "active", "version": existing.version})]
    return record, [*ops, _linked(record), *boards_changed(area.code)]


def vacating(actor: audit.Actor, role: str, area: str, assignee_kind: str, assignee_id: str) -> list[dict[str, Any]]:
    """The transaction ops ending the `role` of `area` held by the assignee, without a read: the counterpart of
    `filling` for a service whose engagement ends in its own transaction (a village's legal advisor; docs/
    plugins.md "Filling a coverage role"). The assignment must exist; the area's aggregate and boards follow."""
    record_id = Assignment.id_for(role, area, assignee_kind, assignee_id)
    return [storage.amend(Assignment, record_id, set_={"status": "ended"}, add={"version": 1}),
            storage.set_entries(AreaLinks, area, remove=[ASSIGNED + record_id]), *boards_changed(area),
            audit.entry(actor, "update", "assignment", record_id, "解除分配", {"status": {"to": "ended"}})]


def assign(caller: Caller, data: AssignmentIn) -> Assignment:
    return _assign(caller, data)[0]


def assigned(caller: Caller, data: AssignmentIn) -> AssignmentOut:
    """`assign`, shown from the reads that decided it (no read after the write)."""
    record, area, assignee = _assign(caller, data)
    return describe([record], {area.code: area}, {assignee.id: assignee})[0]


def _assign(caller: Caller, data: AssignmentIn) -> tuple[Assignment, Area, Person | Institution]:
    """POST /v1/assignments: the area and the assignee are read in one BatchGetItem (they decide the 422s and
    403 and name the answer), then the assignment is written as new (one transaction); only when one is
    stored already is it read, and made active again if it had ended."""
    role = role_named(data.role, ["role"])
    kind = Person if data.assignee_kind == "person" else Institution
    found = storage.find_each({Area: [data.area] if is_code(data.area) else [], kind: [data.assignee_id]})
    area = existing_area(data.area, ["area"], known=found[Area])
    require_covers(caller, data.area, ["area"])
    if not role.counts_at(area.code):
        raise Unprocessable(f"{role.title}按{LEVEL_TITLES[role.level]}配备，请分配到{LEVEL_TITLES[role.level]}或其上级",
                            code="below_role_level", errors=field_error(["area"], f"应为{LEVEL_TITLES[role.level]}或其上级"))
    assignee = _assignee(caller, data.assignee_kind, data.assignee_id, found[kind])
    record, ops = filling(caller.actor, role, area, data.assignee_kind, data.assignee_id, existing=None,
                          note=data.note, demo=data.demo)
    try:
        storage.transact(ops)
        return record, area, assignee
    except Conflict as exc:
        if not (exc.code == "condition_failed" and exc.errors[0]["loc"][1] == "0"):  # not "it exists already"
            raise
    existing = storage.read(Assignment, record.id, consistent=True)
    if existing is None or existing.status == "active":
        raise Conflict(f"{assignee.name} 已是{area.name}的{role.title}", code="duplicate_assignment",
                       errors=field_error(["assignee_id"], "重复分配"))
    record, ops = filling(caller.actor, role, area, data.assignee_kind, data.assignee_id, existing=existing,
                          note=data.note, demo=data.demo)
    storage.transact(ops)
    return record, area, assignee


def get_assignment(assignment_id: str) -> Assignment:
    record = storage.read(Assignment, assignment_id)
    if record is None:
        raise NotFound(f"分配记录 {assignment_id} 不存在", code="assignment_not_found")
    return record


def end(caller: Caller, assignment_id: str, expected_version: int) -> AssignmentOut:
    """DELETE /v1/assignments/{id}: the id names the area and the assignee, so the assignment is read with
    them in one BatchGetItem (the answer names both), then ended in one transaction."""
    actor = caller.actor
    parts = assignment_id.split(".", 3)
    named = len(parts) == 4 and is_code(parts[1]) and parts[2] in ("person", "institution")
    kind = Person if named and parts[2] == "person" else Institution
    found = storage.find_each({Assignment: [assignment_id], Area: [parts[1]] if named else [],
                               kind: [parts[3]] if named else []})
    record = found[Assignment].get(assignment_id)
    if record is None:
        raise NotFound(f"分配记录 {assignment_id} 不存在", code="assignment_not_found")
    if not caller.covers(record.area):
        raise Forbidden("该分配不在您的管辖范围内", code="outside_jurisdiction")
    if record.status == "ended":
        raise Conflict("该分配已经解除", code="already_ended")
    ended = storage.update(record, {"status": "ended"}, expected_version=expected_version, also=[
        _linked(record.model_copy(update={"status": "ended"})), *boards_changed(record.area), audit.entry(actor, "update", "assignment", record.id, "解除分配", {"status": {"from": "active", "to": "ended"}})])
    return describe([ended], found[Area], found[kind])[0]


def describe(records: list[Assignment], areas: dict[str, Area] | None = None,
             assignees: dict[str, Person | Institution] | None = None) -> list[AssignmentOut]:
    """Assignments with their area and assignee names: one BatchGetItem for all of them (the areas and the
    assignees too, unless given: an assignment just made is shown from the reads that made it)."""
    wanted_areas = set() if areas is not None else {r.area for r in records}
    found = storage.find_each({
        Area: wanted_areas,
        Person: set() if assignees is not None else {r.assignee_id for r in records if r.assignee_kind == "person"},
        Institution: set() if assignees is not None else
        {r.assignee_id for r in records if r.assignee_kind == "institution"}})
    areas = found[Area] if areas is None else areas
    people, insts = (found[Person], found[Institution]) if assignees is None else (assignees, assignees)
    titles = {r.code: r.title for r in roles()}
    out = []
    for r in records:
        assignee = (people if r.assignee_kind == "person" else insts).get(r.assignee_id)
        area = areas.get(r.area)
        out.append(AssignmentOut(
            id=r.id, role=r.role, role_title=titles.get(r.role, r.role),
            area=AreaRef.of(area) if area else AreaRef(code=r.area, name=r.area, level=level_of(r.area)),
            assignee_kind=r.assignee_kind, assignee_id=r.assignee_id,
            assignee_name=assignee.name if assignee else None, note=r.note, status=r.status, demo=r.demo,
            version=r.version))
    return out


def applying_to(links: dict[str, AreaLinks]) -> list[Assignment]:
    """The active assignments targeting the areas of `links` (an area and its ancestors, see
    `directory.chain_and_links`), nearest area first."""
    found = [Assignment.model_validate(entry) for code in sorted(links, key=len, reverse=True)
             for entry in links[code].assigned()]
    return sorted(found, key=lambda a: (-len(a.area), a.role, a.assignee_kind, a.assignee_id))


def list_for_area(caller: Caller, code: str, role: str | None, *, limit: int, cursor: str | None) -> Page[AssignmentOut]:
    """Who is assigned to `code`: directly, or through the village/town/district above it."""
    if role:
        role_named(role, ["role"])
    chain, links = directory.chain_and_links(code)
    require_covers(caller, code, ["code"])
    records = [r for r in applying_to(links) if role in (None, r.role)]
    page, next_cursor = paged(records, sort_key=lambda r: f"{r.role}.{len(r.area):02d}.{r.id}",
                              query_id=f"assignments|{code}|{role or '*'}", limit=limit, cursor=cursor)
    return Page[AssignmentOut](items=describe(page, chain), next_cursor=next_cursor)


def list_in_area(caller: Caller, code: str, role: str, *, limit: int, cursor: str | None) -> Page[AssignmentOut]:
    """Every assignment of one role at or below `code` (a district or below), by area code."""
    role_named(role, ["role"])
    if len(code) < 6:
        raise Unprocessable("请选择区县或以下区域", code="area_too_large",
                            errors=field_error(["area"], "请选择区县或以下区域"))
    require_covers(caller, code, ["area"])
    page = storage.page(Assignment, BY_ROLE, (role, district_of(code)), after=(code,), limit=limit, cursor=cursor)
    return Page[AssignmentOut](items=describe([Assignment.from_item(i) for i in page.items]),
                          next_cursor=page.next_cursor)


# --- the coverage report --------------------------------------------------------------------------

@dataclass
class Coverage:
    area: Area
    roles: list[RoleDef]
    children: list[Area]                 # the rows of the report (empty for a grid)
    grids: dict[str, list[Area]]         # child code (or the area itself) → the grids under it
    parents: dict[str, Area]             # grid code → its village
    missing: dict[str, list[str]]        # grid code → roles it lacks


def subtree(root: Area) -> dict[str, list[Area]]:
    """The active children of every non-grid area under `root`. Within a city: one Query per level below
    `root` (the per-level index); above a city, one Query per area, level by level."""
    kids: dict[str, list[Area]] = defaultdict(list)
    if root.level == "grid":
        return kids
    if root.level != "province":
        below = LEVELS[LEVELS.index(root.level) + 1:]
        for level_areas in fan_out(lambda level: descendants(root.code, level), below):
            for area in level_areas:
                if area.status == "active" and area.parent:
                    kids[area.parent].append(area)
        return kids
    frontier = [root.code]
    while frontier:
        results = fan_out(all_children, frontier)
        next_frontier = []
        for parent, found in zip(frontier, results):
            kids[parent] = [a for a in found if a.status == "active"]
            next_frontier += [a.code for a in kids[parent] if a.level != "grid"]
        frontier = next_frontier
    return kids


def _grids_under(area: Area, kids: dict[str, list[Area]], parents: dict[str, Area],
                 parent: Area | None = None) -> list[Area]:
    """The grids under `area` (itself if a grid), noting each grid's village in `parents`."""
    if area.level == "grid":
        if parent is not None:
            parents[area.code] = parent
        return [area]
    return [g for child in kids.get(area.code, []) for g in _grids_under(child, kids, parents, area)]


def _assignees_by_area(wanted: list[RoleDef], districts: list[str],
                       areas: list[str] = ()) -> tuple[dict[str, dict[str, set[str]]], dict[str, Area]]:
    """role → area code → active assignees ("person:<id>"), from one partition per role per district, and
    the `areas` asked for (the report's own, a grid's village): read with the assignees, in one BatchGetItem
    per 100 records. Assignees that were retired since are left out."""
    pairs = [(r.code, d) for r in wanted for d in districts]
    results = fan_out(lambda p: storage.every(Assignment, BY_ROLE, p), pairs)
    by_role: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    assignees: set[tuple[str, str]] = set()
    for (role, _), items in zip(pairs, results):
        for item in items:
            by_role[role][item["area"]].add(f"{item['assignee_kind']}:{item['assignee_id']}")
            assignees.add((item["assignee_kind"], item["assignee_id"]))
    found = storage.find_each({Person: [i for kind, i in assignees if kind == "person"],
                               Institution: [i for kind, i in assignees if kind == "institution"],
                               Area: list(areas)})
    active = {f"{r.entity}:{r.id}" for r in (*found[Person].values(), *found[Institution].values())
              if r.status == "active"}
    for areas_of_role in by_role.values():
        for code in areas_of_role:
            areas_of_role[code] &= active
    return by_role, found[Area]


def _refuse(caller: Caller, code: str, role: str | None) -> None:
    """The refusals of a report, in the order they are answered: an unknown area 404, a province 422, outside
    the caller's jurisdiction 403, an unknown role 422. Only a request that cannot be answered reads its
    area before anything else (to tell the 404 from the others)."""
    areas = load_areas([code])
    if code not in areas:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    if areas[code].level == "province":
        raise Unprocessable("覆盖报告请按市或以下区域查询", code="area_too_large",
                            errors=field_error(["code"], "请选择市级或以下区域"))
    require_covers(caller, code, ["code"])
    if role:
        role_named(role, ["role"])


def compute(caller: Caller, code: str, role: str | None = None) -> Coverage:
    """The area's tree below it (one Query per level) and each role's assignments per district (one Query
    each), then the area itself (a grid's village too) with the assignees, in one BatchGetItem: the area's
    level is its code's, so nothing waits for its read."""
    try:
        if not is_code(code) or level_of(code) == "province" or not caller.covers(code):
            raise LookupError(code)
        wanted = [role_named(role, ["role"])] if role else roles()
    except (LookupError, Unprocessable):
        _refuse(caller, code, role)
        raise
    level = level_of(code)
    kids = subtree(Area(code=code, name=code, level=level))
    children = kids.get(code, []) if level != "grid" else []
    districts = [c.code for c in children] if level == "city" else [district_of(code)]
    village = parent_of(code) if level == "grid" else None
    by_role, areas = _assignees_by_area(wanted, districts, [code, *([village] if village else [])])
    if code not in areas:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    area = areas[code]
    parents: dict[str, Area] = {}
    grids = {c.code: _grids_under(c, kids, parents, area) for c in children} if children else {
        area.code: _grids_under(area, kids, parents)}
    if area.level == "grid":
        parents[area.code] = areas.get(village or "") or area
    missing: dict[str, list[str]] = {}
    for grid in (g for under in grids.values() for g in under):
        chain = [c for c in ancestors(grid.code) if len(c) >= 6]
        lacking = [r.code for r in wanted
                   if len(set().union(*(by_role[r.code].get(c, set()) for c in chain if r.counts_at(c)))) < r.minimum]
        if lacking:
            missing[grid.code] = lacking
    return Coverage(area=area, roles=wanted, children=children, grids=grids, parents=parents, missing=missing)


def _tallies(grids: list[Area], wanted: list[RoleDef], missing: dict[str, list[str]]) -> list[RoleTally]:
    out = []
    for role in wanted:
        lacking = sum(1 for g in grids if role.code in missing.get(g.code, ()))
        out.append(RoleTally(role=role.code, covered=len(grids) - lacking, missing=lacking))
    return out


def report(caller: Caller, code: str, role: str | None, *, limit: int, cursor: str | None) -> CoverageReport:
    cov = compute(caller, code, role)
    all_grids = [g for under in cov.grids.values() for g in under]
    rows = [CoverageRow(code=c.code, name=c.name, level=c.level, grids=len(cov.grids[c.code]),
                        roles=_tallies(cov.grids[c.code], cov.roles, cov.missing)) for c in cov.children]
    page, next_cursor = paged(rows, sort_key=lambda r: r.code, query_id=f"coverage|{code}|{role or '*'}",
                              limit=limit, cursor=cursor)
    return CoverageReport(area=AreaRef.of(cov.area), roles=[RoleOut.of(r) for r in cov.roles], grids=len(all_grids),
                          totals=_tallies(all_grids, cov.roles, cov.missing), items=page, next_cursor=next_cursor)


def gaps(caller: Caller, code: str, role: str | None, *, limit: int, cursor: str | None) -> GapPage:
    cov = compute(caller, code, role)
    grids = {g.code: g for under in cov.grids.values() for g in under}
    rows = [GapGrid(code=g, name=grids[g].name, village=AreaRef.of(cov.parents[g]), missing=lacking)
            for g, lacking in cov.missing.items()]
    page, next_cursor = paged(rows, sort_key=lambda r: r.code, query_id=f"gaps|{code}|{role or '*'}",
                              limit=limit, cursor=cursor)
    return GapPage(area=AreaRef.of(cov.area), roles=[RoleOut.of(r) for r in cov.roles], items=page,
                   next_cursor=next_cursor)
