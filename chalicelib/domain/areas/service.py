"""Areas (C1): province → city → district → town/street → village/community → grid, keyed by the
statistical division codes (2/4/6/9/12 digits; a grid adds 3 digits to its village's code).

A staff member's jurisdiction is an area code; they see that area and everything below it.
"""
from __future__ import annotations

from typing import Iterable

from chalicelib.domain.areas.models import (
    CHILDREN, CODE_LENGTHS, LEVEL_NAMES, LEVELS, OF_LEVEL, ROOT, Area, BoardDirty, BoardStamp, AreaIn, AreaOut, AreaPatch, Breadcrumb, Level,
    ancestors, level_of, parent_of,
)
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import iso, now_utc

# The vocabulary lives in models; it is named here too because callers reach for `areas.level_of` beside
# `areas.get` (accounts, screening, policy).
__all__ = ["CODE_LENGTHS", "LEVELS", "LEVEL_NAMES", "ROOT", "Area", "Level", "ancestors", "level_of", "parent_of",
           "get", "children", "descendants", "breadcrumb", "create", "change"]


MAX_DIRTY_MARKS = 8  # outbox entries one change adds at most: widened to districts, then cities, beyond


def boards_changed(*codes: str) -> list[dict]:
    """Transaction ops for a change that grid boards show (an assignment, a person's or institution's card, a
    duty slot, an activity, a menu, an area's name or a new grid) at these areas, so the boards of every grid
    at or below them are rebuilt (see `board.upkeep`): an outbox entry per area (`BoardDirty`, ADD changes 1)
    and one `ADD stamp 1` per city, the stamp a rebuild stores its board against so an older rebuild never
    overwrites a newer one. An institution serving 20 areas would take a transaction's room: beyond
    `MAX_DIRTY_MARKS` areas, their districts (then cities) are marked instead — more boards rebuilt, none missed."""
    marks = sorted({c for c in codes if len(c) >= 4})
    for width in (6, 4):
        if len(marks) > MAX_DIRTY_MARKS:
            marks = sorted({c[:width] for c in marks})
    cities = sorted({c[:4] for c in marks})
    moment = iso(now_utc())
    return [*(storage.add_to(BoardStamp, city, {"stamp": 1}) for city in cities),
            *(storage.add_into(BoardDirty(area=code, changed_at=moment), {"changes": 1}) for code in marks)]


def _known_shape(code: str) -> None:
    """A code that cannot be an area code is simply not found (404), never a 500."""
    try:
        level_of(code)
    except ValueError as exc:
        raise NotFound(str(exc), code="area_not_found") from None


def get(code: str) -> Area:
    _known_shape(code)
    area = storage.read(Area, code)
    if area is None:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    return area


def children(code: str | None, *, limit: int, cursor: str | None) -> Page[AreaOut]:
    page = storage.page(Area, CHILDREN, code or ROOT, limit=limit, cursor=cursor)
    if not page.items and code is not None and cursor is None:
        get(code)  # an empty list: 404 if the parent itself is unknown (the second call only then)
    return Page[AreaOut](items=[AreaOut.of(Area.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def all_children(code: str) -> list[Area]:
    """Every child of `code` (retired ones included), for jobs that walk the tree: one Query."""
    return [Area.from_item(i) for i in storage.every(Area, CHILDREN, code)]


def descendants(code: str, level: Level) -> list[Area]:
    """Every area of `level` under `code` (a city or below), retired ones included: one Query of the
    city's per-level partition (paged by DynamoDB's 1 MB, so a few calls for a whole city's grids)."""
    if len(code) < 4:
        raise ValueError("descendants() works within one city")
    return [Area.from_item(i) for i in storage.every(Area, OF_LEVEL, (code, level), max_items=200_000)]


def breadcrumb(code: str) -> Breadcrumb:
    _known_shape(code)
    found = storage.find_many(Area, ancestors(code))
    if code not in found:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    return Breadcrumb(items=[AreaOut.of(found[c]) for c in ancestors(code) if c in found])


def create(actor: audit.Actor, caller: Caller, data: AreaIn) -> Area:
    """One transaction: the new area, a check that its parent exists and is active, the audit entry."""
    parent_code = parent_of(data.code)
    require_area(caller, parent_code)
    area = Area(code=data.code, name=data.name, level=level_of(data.code), parent=parent_code)
    try:
        return storage.put_new(area, also=[
            storage.check(Area, parent_code, equals={"status": "active"}),
            *boards_changed(area.code),  # a new grid gets its board from the drain, like any change
            audit.entry(actor, "create", "area", area.code, f"新建{LEVEL_NAMES[area.level]}「{area.name}」"),
        ])
    except Conflict as exc:
        if exc.code == "already_exists":
            raise Conflict(f"区划代码 {data.code} 已存在", code="area_exists",
                           errors=[{"loc": ["code"], "msg": "已存在"}]) from None
        raise Unprocessable(f"上级区域 {parent_code} 不存在或已撤销", code="parent_not_found",
                            errors=[{"loc": ["code"], "msg": "上级区域不存在或已撤销"}]) from None


def change(actor: audit.Actor, caller: Caller, code: str, patch: AreaPatch, expected_version: int) -> Area:
    area = get(code)
    require_area(caller, code)
    changes = patch.model_dump(exclude_none=True, exclude={"version"})
    if not changes:
        raise Unprocessable("没有要修改的字段", code="nothing_to_change")
    if changes.get("status") == "retired" and area.status == "active":
        active_child = any(i.get("status") == "active" for i in storage.page(
            Area, CHILDREN, code, limit=100).items)
        if active_child:
            raise Conflict("该区域下仍有在用的下级区域，请先撤销下级", code="area_has_children")
    summary = "、".join(f"{k}: {getattr(area, k)} → {v}" for k, v in changes.items())
    return storage.update(area, changes, expected_version=expected_version, also=[
        *boards_changed(code),
        audit.entry(actor, "update", "area", code, summary,
                    {k: {"from": getattr(area, k), "to": v} for k, v in changes.items()}),
    ])


# --- what services need of the area tree (so none reads area items by key) -----------------------------

def must_exist(code: str, *, field: str, level: str | None = None) -> storage.Check:
    """A condition for the creating transaction: the area `code` exists (at `level`, when given). A failure
    is a 422 naming `field` (relative to the service's input) — no read before the write."""
    problem = Unprocessable(f"区域 {code} 不存在" + (f"或不是{LEVEL_NAMES.get(level, level)}" if level else ""),
                            code="area_not_found", errors=[{"loc": [field], "msg": "区域不存在"}])
    return storage.must_exist(Area, code, problem, equals={"level": level} if level else None)


def known(code: str) -> storage.Check:
    """`get` as a condition for a transaction: the area `code` exists, else the same 404 — no read first."""
    _known_shape(code)
    return storage.must_exist(Area, code, NotFound(f"区域 {code} 不存在", code="area_not_found"))


def active_area(code: str, loc: list[str]) -> storage.Check:
    """`existing_area` as a condition for the creating transaction: the area `code` exists and is active,
    else the same 422 naming `loc` — no read before the write."""
    problem = Unprocessable(f"区域 {code} 不存在或已撤销", code="area_not_found",
                            errors=[{"loc": loc, "msg": "区域不存在或已撤销"}])
    return storage.must_exist(Area, code, problem, equals={"status": "active"})


def get_many(codes: Iterable[str]) -> dict[str, Area]:
    """The areas of `codes` that exist, by code (BatchGetItem in chunks of 100, side by side)."""
    return storage.find_many(Area, (c for c in codes if is_code(c)))


def is_code(code: str) -> bool:
    try:
        level_of(code)
    except ValueError:
        return False
    return True


def existing_area(code: str, loc: list[str], *, known: dict[str, Area] | None = None) -> Area:
    """The active area `code`, or 422 `area_not_found` naming the field."""
    area = (known if known is not None else get_many([code])).get(code)
    if area is None or area.status != "active":
        raise Unprocessable(f"区域 {code} 不存在或已撤销", code="area_not_found",
                            errors=[{"loc": loc, "msg": "区域不存在或已撤销"}])
    return area


def area_chain(code: str) -> dict[str, Area]:
    """The area and its ancestors (one BatchGetItem), root first; 404 `area_not_found` if unknown."""
    chain = get_many(ancestors(code)) if is_code(code) else {}
    if code not in chain:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    return {c: chain[c] for c in ancestors(code) if c in chain}
