"""The service menu "6+X" and the public "my grid" board 公示栏 (C4).

- The menu of an area: the core services of the enabled plugins (`core_service=True`: the "6") plus the
  "X" items enabled by the area and the areas above it (a town's X items show in all its grids).
  X items are stored per area (`area-menu#<code>`), versioned, changed by administrators.
- The board of a grid, for residents (no sign-in): the menu; per coverage role the people and
  institutions assigned to the grid or to its village/town/district; the institutions mapped to serve
  it; the next 7 days' duty rota and the coming themed activities of its service points (中心/工作站/工作室).
  Only names, duties, phones (staff work phones in full, volunteers' masked), hours and institution names:
  no ids of people.

Reading a board is one DynamoDB call and never a write: one GetItem of the grid's stored board
(`grid-board#<grid>`, the rendered JSON). The stored board holds `DAYS_AHEAD` days more dated content than a
day shows (duties for the next 16 days, activities 71 days ahead), so the read cuts "today … +7 days" (and the
activities' horizon) out of it (`board_json`) and one build stays right for `DAYS_AHEAD` days without a
rebuild. The gateway/CDN may serve a board up to `BOARD_MAX_AGE` seconds old (`Cache-Control`).

Keeping it current is the writers' job, through an outbox (`board.upkeep` has the details): every change a
board shows adds, in its own transaction, an entry for each area it touches (`areas.boards_changed`: no
extra call, never missed, no stream to deploy) and moves its city's stamp. A schedule every minute drains
the entries, fans the grids at or below each area out to the board queue, and the queue function builds
(`grid_board`, ~10 calls: one BatchGetItem for the grid's ancestors and their menus, one Query per ancestor
for what is linked to it, one per service point for its rota and activities, BatchGetItems for the people)
and stores each board against the stamp read before building — conditionally, so a rebuild that read an
older stamp never overwrites a newer board. A daily schedule rebuilds a seventh of the grids each day, so
every board is rebuilt within a week, before its dated content runs out (`DAYS_AHEAD` leaves two days over).

Why not rebuild in the change's transaction, or on the read as before: what a board shows hangs on many
records at many levels — a district's assignment or a town station's duty slot reaches every grid below it
(hundreds), more than a transaction holds and too slow for the request that made the change; and a read
that rebuilds makes the residents' first screen cost ~10 calls and a write whenever anything in the city
changed (issue §3: the median read over the suite was 14 calls). Why not the table's stream: the outbox
entry is written with the change itself, needs no stream consumer to deploy, and is drained by the same
schedule + queue the core already runs for screening and notifications.

A grid with no stored board yet (a new grid, whose creation marks it; an area imported in bulk), or one whose
stored board has run out or shows other services than are enabled (a deployment enabled a plugin, until the
next rebuild), is answered from a build without storing anything: correct, ~10 calls, and rare — the drain
builds new grids within a minute and the daily rotation reaches every grid within a week.
"""
from __future__ import annotations

import datetime as dt
import json

from chalicelib import plugin
from chalicelib.domain.areas.models import Area, AreaRef, ancestors, level_of
from chalicelib.domain.areas.service import boards_changed
from chalicelib.domain.board.models import (
    AreaMenu, BoardPerson, GridBoard, MenuEntry, MenuIn, RoleContacts, ServiceMenu, StoredBoard,
)
from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.directory.models import InstitutionCard, ServingInstitution
from chalicelib.domain.directory.service import links_of, load_institutions, serving
from chalicelib.platform.auth import require_covers
from chalicelib.platform.errors import field_error
from chalicelib.domain.rota import service as rota
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import BadRequest, NotFound, Unprocessable
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import today_shanghai

ACTIVITY_HORIZON_DAYS = 62
DUTY_DAYS = 7    # the duties a board shows: today and the next six days
DAYS_AHEAD = 9   # the days a stored board serves after the day it was built (rebuilt weekly: two days over)


# --- menus ----------------------------------------------------------------------------------------

# C4: legal consultation is the core's own service (an intake ticket of category consultation), answered in
# the grid by its lawyer or legal adviser — the coverage role `legal_advisor` (coverage.CORE_ROLES).
CONSULTATION = MenuEntry(key="legal-consultation", title="法律咨询", kind="core", answered_by="legal_advisor",
                         description="由本网格律师（法律顾问）解答，见联系人中的网格律师（法律顾问）")


def core_services() -> list[MenuEntry]:
    return [CONSULTATION, *(MenuEntry(key=p.name, title=p.title, kind="core") for p in plugin.enabled()
                            if p.core_service)]


def _menu_entries(chain: list[Area], menus: dict[str, AreaMenu]) -> list[MenuEntry]:
    entries = core_services()
    seen = {e.key for e in entries}
    for area in chain:
        for item in menus[area.code].items if area.code in menus else []:
            if item.key not in seen:
                seen.add(item.key)
                entries.append(MenuEntry(key=item.key, title=item.title, description=item.description, kind="x",
                                         enabled_by=AreaRef.of(area)))
    return entries


def _chain_and_menus(code: str) -> tuple[list[Area], dict[str, AreaMenu]]:
    """The area, its ancestors and their X menus in one BatchGetItem; 404 if the area is unknown."""
    try:
        codes = ancestors(code) if level_of(code) else []
    except ValueError:
        codes = []
    found = storage.find_each({Area: codes, AreaMenu: codes})
    areas, menus = found[Area], found[AreaMenu]
    if code not in areas:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    return [areas[c] for c in codes if c in areas], menus


def menu(code: str) -> ServiceMenu:
    chain, menus = _chain_and_menus(code)
    return ServiceMenu(area=AreaRef.of(chain[-1]), items=_menu_entries(chain, menus))


def set_menu(caller: Caller, code: str, data: MenuIn,
             expected_version: int | None) -> tuple[AreaMenu, bool]:
    """Replace the area's X items: (menu, created). An existing menu needs the version last seen."""
    actor = caller.actor
    chain, menus = _chain_and_menus(code)
    require_covers(caller, code, ["code"])
    if chain[-1].level in ("province", "city"):
        raise Unprocessable("自选服务项由区县、镇街、村社区或网格设置", code="area_level_not_allowed",
                            errors=field_error(["code"], "请选择区县或以下区域"))
    core = {e.key for e in core_services()}
    keys_seen: set[str] = set()
    for index, item in enumerate(data.items):
        if item.key in core or item.key in keys_seen:
            raise Unprocessable(f"服务项 {item.key} 与基本服务或其他自选项重复", code="duplicate_menu_item",
                                errors=field_error(["items", str(index), "key"], "重复的服务项"))
        keys_seen.add(item.key)
    existing = menus.get(code)
    summary = "自选服务项：" + ("、".join(i.title for i in data.items) or "（清空）")
    if existing is None:
        record = AreaMenu(area=code, items=data.items)
        return storage.put_new(record, also=[*boards_changed(code),
                                             audit.entry(actor, "create", "area-menu", code, summary)]), True
    if expected_version is None:
        raise BadRequest("修改需提供记录版本（If-Match 或 version）", code="version_required",
                         errors=field_error(["version"], "必填项"))
    before = [i.key for i in existing.items]
    return storage.update(existing, {"items": data.items}, expected_version=expected_version, also=[
        *boards_changed(code), audit.entry(actor, "update", "area-menu", code, summary,
                    {"items": {"from": before, "to": [i.key for i in data.items]}})]), False


# --- the board ------------------------------------------------------------------------------------

def _require_grid(code: str) -> None:
    try:
        is_grid = level_of(code) == "grid"
    except ValueError:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found") from None
    if not is_grid:
        raise Unprocessable("请选择一个网格（15 位代码）", code="not_a_grid",
                            errors=field_error(["code"], "不是网格代码"))


def _services_shown() -> str:
    """What a board shows that is not in the table: the enabled plugins' core services and coverage roles
    (a deployment that enables a plugin changes every board)."""
    return ",".join(e.key for e in core_services()) + "|" + ",".join(r.code for r in coverage.roles())


def grid_board_json(code: str) -> str:
    """The grid's board as JSON, as of today: one GetItem of the stored board, never a write; a grid without a
    current stored board is answered from a build that is not stored (module docstring)."""
    _require_grid(code)
    today = today_shanghai()
    stored = storage.read(StoredBoard, code)
    if stored and stored.as_of <= today <= stored.until and stored.services == _services_shown():
        return board_json(stored.board, today)
    logger().info("grid board built on read", extra={"grid": code, "stored": stored is not None})
    return grid_board(code).model_dump_json()


def board_json(stored: str, today: dt.date) -> str:
    """A stored board as shown on `today`: its duties from today for `DUTY_DAYS` days, its activities after
    today up to the horizon — the windows `grid_board` builds for that day."""
    board = json.loads(stored)
    first, last = today.isoformat(), (today + dt.timedelta(days=DUTY_DAYS - 1)).isoformat()
    horizon = (today + dt.timedelta(days=ACTIVITY_HORIZON_DAYS)).isoformat()
    board["on_duty"] = [d for d in board["on_duty"] if first <= d["date"] <= last]
    board["activities"] = [a for a in board["activities"] if first < a["date"] <= horizon]
    board["as_of"] = first
    return json.dumps(board, ensure_ascii=False, separators=(",", ":"))


def stored_board(code: str, stamp: int) -> StoredBoard:
    """The grid's board to store: built today with `DAYS_AHEAD` days more dated content, against `stamp`."""
    today = today_shanghai()
    board = grid_board(code, days_ahead=DAYS_AHEAD)
    return StoredBoard(grid=code, stamp=stamp, as_of=today, until=today + dt.timedelta(days=DAYS_AHEAD),
                       services=_services_shown(), board=board.model_dump_json())


def grid_board(code: str, *, days_ahead: int = 0) -> GridBoard:
    """The grid's board built from the records it shows (~10 calls); `days_ahead`: duties and activities that
    many days further, for a stored board that serves the days after."""
    _require_grid(code)
    chain, menus = _chain_and_menus(code)
    names = {a.code: a for a in chain}
    linked = links_of(a.code for a in chain)
    pairs = serving(linked)  # (area, institution id), nearest first
    assignments = coverage.applying_to(linked)
    insts = load_institutions({i for _, i in pairs} | {a.assignee_id for a in assignments
                                                        if a.assignee_kind == "institution"})
    insts = {k: v for k, v in insts.items() if v.status == "active"}
    points = [i for _, i in pairs if i in insts and insts[i].kind == "service_platform"]
    today = today_shanghai()
    this_monday, _ = rota.week_of(today)
    slots = rota.slots_of(points)
    week = [p for i in points for monday in (this_monday + dt.timedelta(days=7 * n) for n in range(4))
            for p in rota.dated(slots[i], monday) if today <= p[0] < today + dt.timedelta(days=DUTY_DAYS + days_ahead)]
    planned = rota.upcoming(points, today + dt.timedelta(days=1))
    coming = [a for i in points for a in planned[i] if a.date <= today + dt.timedelta(days=ACTIVITY_HORIZON_DAYS + days_ahead)]
    person_ids = ({a.assignee_id for a in assignments if a.assignee_kind == "person"}
                  | {s.person_id for _, s in week} | {h for a in coming for h in a.hosts})
    cards = rota.cards_for(person_ids, insts)

    contacts = []
    for role in coverage.roles():
        mine = sorted((a for a in assignments if a.role == role.code), key=lambda a: (-len(a.area), a.id))
        people = [BoardPerson(**cards[a.assignee_id].model_dump(), assigned_to=names[a.area].name)
                  for a in mine if a.assignee_kind == "person" and a.assignee_id in cards and a.area in names]
        bodies = [InstitutionCard.of(insts[a.assignee_id]) for a in mine
                  if a.assignee_kind == "institution" and a.assignee_id in insts]
        contacts.append(RoleContacts(role=role.code, title=role.title, people=people, institutions=bodies))
    serving_cards = [ServingInstitution(**InstitutionCard.of(insts[i]).model_dump(), serves_area=AreaRef.of(names[c]))
                     for c, i in pairs if i in insts and c in names]
    return GridBoard(
        grid=AreaRef.of(names[code]), path=[AreaRef.of(a) for a in chain if a.level != "province"],
        menu=_menu_entries(chain, menus), contacts=contacts, institutions=serving_cards,
        on_duty=rota.duty_entries(sorted(week, key=lambda p: (p[0], p[1].start)), insts, cards),
        activities=rota.activity_cards(sorted(coming, key=lambda a: (a.date, a.start)), insts, cards),
        as_of=today)
