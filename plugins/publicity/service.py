"""The rules of publicity activities (SPEC P1), with no HTTP. Every function takes the caller and the
parsed input and raises problems naming fields relative to its input.

Who may do what (CONTRACT "Identity and access"; the rows are in proof.py):
- a publicist, a grid worker or an administrator records activities held in their jurisdiction (a grid
  worker: their grid), reads, edits and cancels them; staff elsewhere learn nothing of them (404);
- anybody, signed in or not, lists the published activities still to come in an area and the areas above
  it (a resident's grid: its own, its village's, its town's, its district's, its city's).

Every change is one transaction with its audit entry; the organiser is checked against the directory inside
it (`storage.must_exist`), never by a read before the write.
"""
from __future__ import annotations

import uuid
from datetime import datetime, time

from chalicelib.domain.areas import service as areas
from chalicelib.domain.areas.models import ancestors
from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.coverage.models import Assignment
from chalicelib.domain.directory.models import AreaLinks, Institution, Person
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.storage import cursor as cursors
from chalicelib.platform.timeutil import SHANGHAI, iso, now_utc, today_shanghai
from chalicelib.domain.notify import service as notify
from plugins.publicity import counts, reminders
from plugins.publicity.models import (
    ENTITY, IN_AREA, KINDS, MAX_DAYS, UPCOMING, YEARS_AHEAD, CancellationIn, Event, EventIn, EventOut,
    EventPatch, PublicEventOut, Upcoming,
)

STAFF = frozenset({"publicist", "grid_worker", "admin"})
_ORGANISERS = {"institution": Institution, "person": Person}


# --- checks -------------------------------------------------------------------------------------------

class _OrganiserRefused(Exception):
    """The organiser's check failed inside the transaction: missing from the directory, or outside the area
    (told apart, and a coverage role looked for, by one read on this refusal only)."""

    def __init__(self, kind: str, organiser_id: str, area: str) -> None:
        super().__init__(kind, organiser_id)
        self.kind, self.organiser_id, self.area = kind, organiser_id, area


def _organiser_exists(kind: str, organiser_id: str, area: str, *, covering: str | None = None) -> list:
    """Inside the transaction: the organiser is an institution or a person of the core directory whose home
    area is on the activity's line — the area itself, one above it (a district's bureau organising a
    village's lecture) or one below it (a village's advisor at a town's activity) — or, `covering`, who
    holds that coverage assignment (still active) of the activity's area or one above it: someone engaged
    for a village from another district organises there (`_covering`)."""
    refused = _OrganiserRefused(kind, organiser_id, area)
    if not storage.is_record_id(organiser_id):
        raise _organiser_problem(refused, None)
    if covering is None:
        return [storage.must_exist(_ORGANISERS[kind], organiser_id, refused, on_line=("home_area", area))]
    return [storage.must_exist(_ORGANISERS[kind], organiser_id, refused),
            storage.must_exist(Assignment, covering, refused, equals={"status": "active"})]


def _covering(refused: _OrganiserRefused) -> str:
    """On a refusal only, one BatchGetItem of the organiser and of what is linked to the activity's area and
    the areas above it: the id of an active coverage assignment the organiser holds there (any role the core
    or a service declares), for the write to be tried again on it; else the refusal's problem."""
    cls = _ORGANISERS[refused.kind]
    if not storage.is_record_id(refused.organiser_id):
        raise _organiser_problem(refused, None)
    found = storage.find_each({cls: [refused.organiser_id], AreaLinks: ancestors(refused.area)})
    organiser = found[cls].get(refused.organiser_id)
    if organiser is not None:
        for held in coverage.applying_to(found[AreaLinks]):
            if (held.assignee_kind, held.assignee_id) == (refused.kind, refused.organiser_id):
                return held.id
    raise _organiser_problem(refused, organiser)


def _organiser_problem(refused: _OrganiserRefused, found) -> Unprocessable:
    if found is None:
        return Unprocessable("主办方不在机构或人员名录中", code="organiser_not_found",
                             errors=field_error(["organiser", "id"], "名录中没有该机构或人员"))
    return Unprocessable(f"主办方所在区域 {found.home_area} 不是活动区域 {refused.area} 或其上下级区域，"
                         "也未被分配为该区域的覆盖角色", code="organiser_outside_area",
                         errors=field_error(["organiser", "id"], "主办方不在活动所在区域（或其上下级），也不负责该区域"))


def _check_timing(event: Event) -> None:
    """The end after the start and within MAX_DAYS of it; attendance only once the activity has begun and
    never above the place's stated capacity."""
    if event.ends_at <= event.starts_at:
        raise Unprocessable("结束时间须晚于开始时间", code="event_ends_before_start",
                            errors=field_error(["ends_at"], "结束时间须晚于开始时间"))
    if (event.ends_at - event.starts_at).days >= MAX_DAYS:
        raise Unprocessable(f"一项活动持续不超过 {MAX_DAYS} 日", code="event_too_long",
                            errors=field_error(["ends_at"], f"一项活动持续不超过 {MAX_DAYS} 日"))
    if event.attendance is not None:
        if event.starts_at > now_utc():
            raise Unprocessable("活动尚未开始，不能登记参加人数", code="attendance_before_event",
                                errors=field_error(["attendance"], "活动开始后再登记参加人数"))
        if event.capacity is not None and event.attendance > event.capacity:
            raise Unprocessable(f"参加人数 {event.attendance} 超过场地可容纳人数 {event.capacity}",
                                code="attendance_above_capacity",
                                errors=field_error(["attendance"], f"不能超过场地可容纳人数 {event.capacity}"))


def _hidden() -> NotFound:
    return NotFound(Event.missing[0], code=Event.missing[1])


def get(caller: Caller, event_id: str) -> Event:
    """The activity, for the staff whose jurisdiction covers its area; to anyone else it does not exist.
    Also the link rule of its photos and handouts: the same staff attach them and read them."""
    event = storage.require(Event, event_id)
    if not (caller.has_any(STAFF) and caller.covers(event.area)):
        raise _hidden()
    return event


# --- changes ------------------------------------------------------------------------------------------

def publish(caller: Caller, data: EventIn, *, event_id: str | None = None) -> Event:
    """Record an activity (announced ahead, or recorded afterwards with its attendance): one transaction
    with the area's and the organiser's checks and the audit entry."""
    require_covers(caller, data.area, ["area"])
    event = Event(id=event_id or uuid.uuid4().hex, kind=data.kind, area=data.area, venue=data.venue, capacity=data.capacity,
                  starts_at=data.starts_at, ends_at=data.ends_at, organiser_kind=data.organiser.kind,
                  organiser_id=data.organiser.id, theme=data.theme, audience=data.audience,
                  attendance=data.attendance, recorded_by=caller.sub)
    _check_timing(event)

    def write(covering: str | None) -> Event:
        return storage.put_new(event, also=[
            areas.must_exist(data.area, field="area"),
            *_organiser_exists(data.organiser.kind, data.organiser.id, data.area, covering=covering),
            _announced(event),
            *counts.ops(counts.of(event)),
            audit.entry(caller.actor, "create", ENTITY, event.id, f"发布普法活动：{KINDS[event.kind]}「{event.theme}」"),
        ])

    try:
        return write(None)
    except _OrganiserRefused as refused:
        covering = _covering(refused)
    try:
        return write(covering)
    except _OrganiserRefused as refused:  # the assignment ended meanwhile
        raise _organiser_problem(refused, storage.read(_ORGANISERS[refused.kind], refused.organiser_id)) from None


# --- the public list and the tallies, kept in the activity's own transactions -------------------------

def _announced(event: Event) -> dict:
    """The op putting the activity (as residents read it) in its area's aggregate of its month."""
    entry = PublicEventOut.of(event).model_dump(mode="json")
    return storage.set_entries(Upcoming, Upcoming.id_for(event.area, event.month), set_={event.id: entry})


def _withdrawn(event: Event) -> dict:
    return storage.set_entries(Upcoming, Upcoming.id_for(event.area, event.month), remove=[event.id])


def edit(caller: Caller, event_id: str, data: EventPatch, expected_version: int) -> Event:
    """Change what was sent, at the version the client saw (a stale one is 409). A cancelled activity is
    not edited; the attendance is recorded here once the activity has begun."""
    event, reminded = _with_reminders(caller, event_id)
    if event.status == "cancelled":
        raise Conflict("活动已取消，不能修改", code="event_cancelled")
    changes = data.changes()
    if not changes:
        raise Unprocessable("没有需要修改的内容", code="nothing_to_change", errors=field_error([], "请至少修改一项"))
    changed = event.model_copy(update=changes)
    _check_timing(changed)
    also = [audit.entry(caller.actor, "update", ENTITY, event.id, "修改普法活动",
                        changes={k: {"from": _shown(getattr(event, k)), "to": _shown(v)} for k, v in changes.items()
                                 if getattr(event, k) != v})]
    if changed.month != event.month:
        also.append(_withdrawn(event))
    also += [_announced(changed), *counts.ops(counts.moved(event, changed))]
    plan = reminders.following(event, changed, reminded)
    if data.organiser is None:
        return _changed(event, changes, expected_version, also, plan)
    try:
        return _changed(event, changes, expected_version,
                        [*_organiser_exists(data.organiser.kind, data.organiser.id, event.area), *also], plan)
    except _OrganiserRefused as refused:
        covering = _covering(refused)
    try:
        return _changed(event, changes, expected_version, [*_organiser_exists(
            data.organiser.kind, data.organiser.id, event.area, covering=covering), *also], plan)
    except _OrganiserRefused as refused:
        raise _organiser_problem(refused, storage.read(_ORGANISERS[refused.kind], refused.organiser_id)) from None


def _with_reminders(caller: Caller, event_id: str) -> tuple[Event, "reminders.Reminders | None"]:
    """`get` reading the activity's reminders in the same BatchGetItem (an edit stays two calls)."""
    event, reminded = reminders.read(event_id)
    if not (caller.has_any(STAFF) and caller.covers(event.area)):
        raise _hidden()
    return event, reminded


def _changed(event: Event, changes: dict, expected_version: int, also: list, plan: "reminders.Plan") -> Event:
    """The change with its reminders kept right: in its transaction while they fit; if one was sent
    already, the others each on its own after it."""
    try:
        updated = storage.update(event, changes, expected_version=expected_version, also=[*also, *plan.inline])
        later = plan.later
    except notify.NotPending:
        updated = storage.update(event, changes, expected_version=expected_version, also=[*also, *plan.aggregate])
        later = plan.each
    reminders.write_after(later)
    return updated


def cancel(caller: Caller, event_id: str, data: CancellationIn, expected_version: int) -> Event:
    """Cancel an activity not yet over, with the reason: it leaves the public list at once."""
    event, reminded = _with_reminders(caller, event_id)
    if event.status == "cancelled":
        raise Conflict("活动已取消", code="event_cancelled")
    if event.ends_at <= now_utc():
        raise Conflict("活动已经结束，不能取消", code="event_over")
    changes = {"status": "cancelled", "cancel_reason": data.reason}
    plan = reminders.following(event, event.model_copy(update=changes), reminded)
    return _changed(event, changes, expected_version, [
        _withdrawn(event), *counts.ops(counts.of(event, -1)),
        audit.entry(caller.actor, "cancel", ENTITY, event.id, f"取消普法活动：{data.reason}",
                    changes={"status": {"from": "published", "to": "cancelled"}})], plan)


def _shown(value):
    return iso(value) if isinstance(value, datetime) else value


# --- lists --------------------------------------------------------------------------------------------

def in_area(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[EventOut]:
    """The activities held in an area of the caller's jurisdiction and below it, by area then start: one
    Query."""
    area = area or caller.area or ""
    require_covers(caller, area, ["area"])
    page = storage.page(Event, IN_AREA, area, limit=limit, cursor=cursor)
    return Page[EventOut](items=[EventOut.of(Event.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def upcoming(area: str, *, limit: int, cursor: str | None) -> Page[PublicEventOut]:
    """The published activities from today on held in `area` or any area above it, soonest first.

    Each area keeps one aggregate per month of the activities held at exactly that area (`Upcoming`), so the
    whole chain (province to grid) over this month and the twelve after it — activities are announced at
    most a year ahead — is one BatchGetItem of at most 78 keys; the entries are merged by (start, id) and
    paged from the cursor, the position (start, id) sealed and bound to the area asked about."""
    if not areas.is_code(area):
        raise NotFound(f"区域 {area} 不存在", code="area_not_found")
    query_id = f"{UPCOMING}|{area}"
    today = today_shanghai()
    if cursor:
        position = cursors.decode(query_id, cursor)
        after = (str(position.get("start", "")), str(position.get("id", "")))
    else:
        after = (iso(datetime.combine(today, time(0), tzinfo=SHANGHAI)), "")
    months = [f"{today.year + (today.month - 1 + n) // 12:04d}-{(today.month - 1 + n) % 12 + 1:02d}"
              for n in range(12 * YEARS_AHEAD + 1)]
    found = storage.find_many(Upcoming, [Upcoming.id_for(level, month) for level in areas.ancestors(area)
                                         for month in months])
    events = [PublicEventOut.model_validate(entry) for aggregate in found.values()
              for entry in aggregate.entries.values()]
    ordered = sorted((e for e in events if (iso(e.starts_at), e.id) > after), key=lambda e: (iso(e.starts_at), e.id))
    items, more = ordered[:limit], len(ordered) > limit
    next_cursor = (cursors.encode(query_id, {"start": iso(items[-1].starts_at), "id": items[-1].id})
                   if more else None)
    return Page[PublicEventOut](items=items, next_cursor=next_cursor)


def load_demo(context) -> None:
    """`make dev`'s activities across the demo city and a grid's 法律明白人 (plugins/publicity/demo.py)."""
    from plugins.publicity import demo

    demo.load(context)
