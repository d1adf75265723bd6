"""Rota and notices 告知机制 (C8): the weekly duty rota 轮值表 and the monthly themed activity of each
service point, at a fixed day and time ("双固定", seed 003), published in advance and readable by anyone.

- A duty slot is weekly: a person on duty at a service point every <weekday> <start>–<end>, from a date
  (after today: published in advance) until an optional date.
- An activity is the service point's themed day of one month (one per month), on a date after today.
- Nobody is on duty in two places at once: every person has a rota ledger item (`rota-by#<person>`)
  listing what they are booked for. A booking reads it with a consistent read, checks for a clash
  (409 `rota_conflict`), and writes the slot, the ledger (version-checked, so two bookings of the same
  person cannot both pass the check) and the audit entry in one transaction.

Lists: gsi1 `duty-slot@<institution>` sorted by weekday and start; gsi1 `activity@<institution>` by date.
"""
from __future__ import annotations

import datetime as dt
import uuid
from datetime import timedelta
from typing import Any, Iterable

from chalicelib.domain.directory.models import ContactCard, Institution, InstitutionCard, Person
from chalicelib.domain.areas.service import boards_changed
from chalicelib.domain.directory.service import get_institution, load_institutions, load_people
from chalicelib.platform.errors import field_error
from chalicelib.platform.model import Page
from chalicelib.platform.storage.batch import fan_out
from chalicelib.platform.storage.paging import paged
from chalicelib.domain.rota.models import (
    ACTIVITIES, SLOTS, WEEKDAYS, Activity, ActivityCard, ActivityIn, Commitment, DutyEntry, DutySlot,
    DutySlotIn, DutySlotOut, RotaLedger, RotaWeek,
)
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.platform.timeutil import today_shanghai


def _first_weekday_on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + timedelta(days=(weekday - day.isoweekday()) % 7)


def clash(a: Commitment, b: Commitment) -> bool:
    """Whether two commitments put one person in two places (or twice in one) at the same moment."""
    if not (a.start < b.end and b.start < a.end):
        return False
    if a.kind == "activity" and b.kind == "activity":
        return a.date == b.date
    if a.kind == "activity":
        a, b = b, a
    if b.kind == "activity":  # a is a weekly duty
        return (b.date.isoweekday() == a.weekday and a.effective_from <= b.date
                and (a.effective_until is None or b.date <= a.effective_until))
    if a.weekday != b.weekday:
        return False
    lo = max(a.effective_from, b.effective_from)
    ends = [d for d in (a.effective_until, b.effective_until) if d is not None]
    return not ends or _first_weekday_on_or_after(lo, a.weekday) <= min(ends)


class _Ledger:
    """A person's rota ledger as read (consistently, with the booking's other records: `_read`) before a
    booking, and the op that writes it back."""

    def __init__(self, person_id: str, record: RotaLedger | None) -> None:
        self.person_id = person_id
        self.record = record
        today = today_shanghai()
        self.commitments = [c for c in (self.record.commitments.values() if self.record else ())
                            if c.last_day() is None or c.last_day() >= today]

    def clashes(self, new: Commitment) -> Commitment | None:
        return next((c for c in self.commitments if c.record_id != new.record_id and clash(c, new)), None)

    def op(self, *, add: Commitment | None = None, remove: str | None = None) -> dict[str, Any]:
        kept = [c for c in self.commitments if c.record_id not in (remove, add.record_id if add else None)]
        if add:
            kept.append(add)
        commitments = {c.record_id: c for c in kept}
        if self.record is None:
            return storage.put_op(storage.stamp_new(RotaLedger(person_id=self.person_id,
                                                               commitments=commitments)).to_item())
        _, op = storage.prepare_update(self.record, {"commitments": commitments},
                                       expected_version=self.record.version)
        return op


def _transact(ops: list[dict[str, Any]]) -> None:
    try:
        storage.transact(ops)
    except Conflict as exc:
        if exc.code == "condition_failed":
            raise Conflict("排班刚被他人修改，请刷新后重试", code="rota_busy") from None
        raise


def _leave_op(person_id: str, record_id: str) -> dict[str, Any]:
    """The op taking `record_id` out of a person's ledger without reading it: its entry removed and its
    version raised, so a booking that read the ledger before this change fails its version check (409
    `rota_busy`) instead of writing the entry back."""
    return storage.amend(RotaLedger, person_id, remove=[("commitments", record_id)], add={"version": 1})


def _read(*, institution: str, people: Iterable[str] = (), activity: str | None = None) -> tuple[
        Institution, dict[str, Person], dict[str, _Ledger], Activity | None]:
    """What a booking decides on, in one consistent BatchGetItem: the service point, the people with their
    rota ledgers, and the month's activity (404 for an unknown point)."""
    people = list(people)
    found = storage.find_each({Institution: [institution], Person: people, RotaLedger: people,
                               Activity: [activity] if activity else []}, consistent=True)
    inst = found[Institution].get(institution)
    if inst is None:
        raise NotFound(f"机构 {institution} 不存在", code="institution_not_found")
    ledgers = {p: _Ledger(p, found[RotaLedger].get(p)) for p in people}
    return inst, found[Person], ledgers, found[Activity].get(activity) if activity else None


# --- services -------------------------------------------------------------------------------------

def _managed_point(caller: Caller, institution_id: str | Institution) -> Institution:
    inst = institution_id if isinstance(institution_id, Institution) else get_institution(institution_id)
    if not caller.covers(inst.home_area):
        raise Forbidden("该服务点不在您的管辖范围内", code="outside_jurisdiction")
    if inst.status != "active":
        raise Conflict("该服务点已停用", code="institution_retired")
    return inst


def _people_on_rota(caller: Caller, ids: list[str], locs: list[list[str]], found: dict[str, Person]) -> dict[str, Person]:
    for person_id, loc in zip(ids, locs):
        person = found.get(person_id)
        if person is None or person.status != "active" or not caller.covers(person.home_area):
            raise Unprocessable(f"人员 {person_id} 不存在、已停用或不在您的管辖范围内", code="person_not_found",
                                errors=field_error(loc, "人员不存在或不可用"))
    return found


def _in_advance(day: dt.date, loc: list[str]) -> None:
    if day <= today_shanghai():
        raise Unprocessable("轮值和活动须提前公布：日期应晚于今天", code="not_in_advance",
                            errors=field_error(loc, "应晚于今天"))


def _refuse_clash(person: Person, ledger: _Ledger, new: Commitment, loc: list[str]) -> None:
    other = ledger.clashes(new)
    if other:
        raise Conflict(f"{person.name} {other.describe()}，不能同时安排", code="rota_conflict",
                       errors=field_error(loc, "时间冲突：" + other.describe()))


def add_duty(caller: Caller, institution_id: str, data: DutySlotIn,
             slot_id: str | None = None) -> tuple[DutySlot, Person]:
    """The slot booked, and its person (for the answer). Two calls, not one: the clash check is a rule over
    the person's other commitments, read (consistently) from their ledger; it cannot be a condition. The
    point, the person and the ledger are that one read; the slot, the ledger (version-checked), the board
    stamps and the audit entry one transaction."""
    actor = caller.actor
    point, found, ledgers, _ = _read(institution=institution_id, people=[data.person_id])
    inst = _managed_point(caller, point)
    _in_advance(data.effective_from, ["effective_from"])
    if data.effective_until and data.effective_until < data.effective_from:
        raise Unprocessable("结束日期不能早于开始日期", code="validation_failed",
                            errors=field_error(["effective_until"], "不能早于开始日期"))
    person = _people_on_rota(caller, [data.person_id], [["person_id"]], found)[data.person_id]
    slot = DutySlot(id=slot_id or f"{inst.id}.{person.id}.{uuid.uuid4().hex}", institution_id=inst.id, person_id=person.id,
                    weekday=data.weekday, start=data.start, end=data.end, duty=data.duty,
                    effective_from=data.effective_from, effective_until=data.effective_until, demo=data.demo)
    commitment = Commitment(kind="duty", record_id=f"duty-slot.{slot.id}", institution_id=inst.id, place=inst.name,
                            start=slot.start, end=slot.end, weekday=slot.weekday,
                            effective_from=slot.effective_from, effective_until=slot.effective_until)
    ledger = ledgers[person.id]
    _refuse_clash(person, ledger, commitment, ["person_id"])
    storage.stamp_new(slot)
    _transact([storage.put_op(slot.to_item()), ledger.op(add=commitment), *boards_changed(*inst.serves),
               audit.entry(actor, "create", "duty-slot", slot.id,
                           f"「{inst.name}」{WEEKDAYS[slot.weekday]} {slot.start}–{slot.end} 值班：人员 {person.id}")])
    return slot, person


def _get(cls: type, record_id: str, missing: str):
    record = storage.read(cls, record_id)
    if record is None:
        raise NotFound(missing, code=cls.missing[1])
    return record


def withdraw_duty(caller: Caller, slot_id: str, expected_version: int) -> tuple[DutySlot, Person | None]:
    """The slot withdrawn, and its person (for the answer), in two calls: a slot's id names its service point
    and person (`<point>.<person>.<hex>`), so the slot, the point (its jurisdiction, and the served areas whose
    boards change) and the person are one read — read again by the slot's own fields only for an id that
    names them otherwise — and the slot, its ledger entry, the board stamps and the audit entry one
    transaction."""
    actor = caller.actor
    named = slot_id.split(".")
    point_id, person_id = named[:2] if len(named) == 3 else ("", "")
    found = storage.find_each({DutySlot: [slot_id], Institution: [point_id] if point_id else [],
                               Person: [person_id] if person_id else []})
    slot = found[DutySlot].get(slot_id)
    if slot is None:
        raise NotFound(f"值班安排 {slot_id} 不存在", code=DutySlot.missing[1])
    if (slot.institution_id, slot.person_id) != (point_id, person_id):
        found = storage.find_each({Institution: [slot.institution_id], Person: [slot.person_id]})
    point = _managed_point(caller, found[Institution].get(slot.institution_id) or slot.institution_id)
    if slot.status != "active":
        raise Conflict("该值班安排已撤回", code="already_withdrawn")
    withdrawn = storage.update(slot, {"status": "withdrawn"}, expected_version=expected_version, also=[
        _leave_op(slot.person_id, f"duty-slot.{slot.id}"), *boards_changed(*point.serves),
        audit.entry(actor, "update", "duty-slot", slot.id, "撤回值班安排", {"status": {"from": "active", "to": "withdrawn"}})])
    return withdrawn, found[Person].get(slot.person_id)


def publish_activity(caller: Caller, institution_id: str, data: ActivityIn) -> Activity:
    """Two calls, not one: the hosts' clash checks are rules over their other commitments, read
    (consistently) from their ledgers, and a withdrawn activity of the month is published again over its
    record. The point, the hosts, their ledgers and the month's activity are one read; the activity, the
    ledgers (version-checked), the board stamps and the audit entry one transaction."""
    actor = caller.actor
    hosts = list(dict.fromkeys(data.hosts))
    month = data.date.strftime("%Y-%m")
    point, found, ledgers_of, existing = _read(institution=institution_id, people=hosts,
                                               activity=f"{institution_id}.{month}")
    inst = _managed_point(caller, point)
    _in_advance(data.date, ["date"])
    people = _people_on_rota(caller, hosts, [["hosts", str(i)] for i in range(len(hosts))], found)
    activity = Activity(id=f"{inst.id}.{month}", institution_id=inst.id, month=month, date=data.date,
                        start=data.start, end=data.end, theme=data.theme, description=data.description,
                        hosts=hosts, demo=data.demo)
    commitment = Commitment(kind="activity", record_id=f"activity.{activity.id}", institution_id=inst.id,
                            place=inst.name, start=activity.start, end=activity.end, date=activity.date)
    ledgers = [ledgers_of[h] for h in hosts]
    for index, (host, ledger) in enumerate(zip(hosts, ledgers)):
        _refuse_clash(people[host], ledger, commitment, ["hosts", str(index)])
    if existing and existing.status == "published":
        raise Conflict(f"「{inst.name}」{month} 的主题活动已公布（{existing.theme}）", code="activity_exists",
                       errors=field_error(["date"], "本月已有主题活动"))
    summary = f"「{inst.name}」{data.date.isoformat()} 主题活动：{activity.theme}"
    ledger_ops = [ledger.op(add=commitment) for ledger in ledgers]
    if existing:  # withdrawn earlier this month: publish again over it
        return storage.update(existing, activity.model_dump(exclude={"version", "created_at", "updated_at"}),
                              expected_version=existing.version,
                              also=[*ledger_ops, *boards_changed(*inst.serves),
                                    audit.entry(actor, "update", "activity", activity.id, "重新公布" + summary)])
    storage.stamp_new(activity)
    _transact([storage.put_op(activity.to_item()), *ledger_ops, *boards_changed(*inst.serves),
               audit.entry(actor, "create", "activity", activity.id, "公布" + summary)])
    return activity


def withdraw_activity(caller: Caller, activity_id: str, expected_version: int) -> Activity:
    """Two calls: an activity's id names its service point (`<point>.<month>`), so the activity and its
    point are one read; the hosts' ledger entries are removed without reading the ledgers (`_leave_op`)."""
    actor = caller.actor
    named_point = activity_id.rpartition(".")[0]
    found = storage.find_each({Activity: [activity_id], Institution: [named_point] if named_point else []})
    activity = found[Activity].get(activity_id)
    if activity is None:
        raise NotFound(f"主题活动 {activity_id} 不存在", code=Activity.missing[1])
    point = _managed_point(caller, found[Institution].get(activity.institution_id) or activity.institution_id)
    if activity.status != "published":
        raise Conflict("该主题活动已撤回", code="already_withdrawn")
    ops = [_leave_op(h, f"activity.{activity.id}") for h in activity.hosts]
    return storage.update(activity, {"status": "withdrawn"}, expected_version=expected_version, also=[
        *ops, *boards_changed(*point.serves), audit.entry(actor, "update", "activity", activity.id, "撤回主题活动",
                          {"status": {"from": "published", "to": "withdrawn"}})])


# --- public reads ---------------------------------------------------------------------------------

def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - timedelta(days=day.isoweekday() - 1)
    return monday, monday + timedelta(days=6)


def slots_of(institution_ids: list[str]) -> dict[str, list[DutySlot]]:
    results = fan_out(lambda i: storage.every(DutySlot, SLOTS, i), institution_ids)
    return {i: [DutySlot.from_item(x) for x in items] for i, items in zip(institution_ids, results)}


def dated(slots: list[DutySlot], monday: dt.date) -> list[tuple[dt.date, DutySlot]]:
    """The week's duties: each weekly slot on its day of the week starting `monday`, if in effect then."""
    out = []
    for slot in slots:
        day = monday + timedelta(days=slot.weekday - 1)
        if slot.effective_from <= day and (slot.effective_until is None or day <= slot.effective_until):
            out.append((day, slot))
    return sorted(out, key=lambda p: (p[0], p[1].start, p[1].id))


def upcoming(institution_ids: list[str], since: dt.date, limit: int = 10) -> dict[str, list[Activity]]:
    results = fan_out(lambda i: storage.page(Activity, ACTIVITIES, i, since=(since.isoformat(),), limit=limit).items,
                      institution_ids)
    return {i: [Activity.from_item(x) for x in items] for i, items in zip(institution_ids, results)}


def cards_for(person_ids: set[str], known_insts: dict[str, Institution],
              known_people: dict[str, Person] | None = None) -> dict[str, ContactCard]:
    """Public contact cards for `person_ids` (retired people left out), their institutions resolved.
    `known_people`: the people read already (with their service point)."""
    people = {k: p for k, p in (load_people(person_ids) if known_people is None else known_people).items()
              if p.status == "active"}
    missing = {p.institution_id for p in people.values() if p.institution_id and p.institution_id not in known_insts}
    insts = {**known_insts, **(load_institutions(missing) if missing else {})}
    return {k: ContactCard.of(p, insts.get(p.institution_id or "")) for k, p in people.items()}


def duty_entries(pairs: list[tuple[dt.date, DutySlot]], insts: dict[str, Institution],
                 cards: dict[str, ContactCard]) -> list[DutyEntry]:
    return [DutyEntry(date=day, weekday=WEEKDAYS[slot.weekday], start=slot.start, end=slot.end, duty=slot.duty,
                      service_point=insts[slot.institution_id].name, person=cards[slot.person_id])
            for day, slot in pairs if slot.person_id in cards and slot.institution_id in insts]


def activity_cards(activities: list[Activity], insts: dict[str, Institution],
                   cards: dict[str, ContactCard]) -> list[ActivityCard]:
    return [ActivityCard(date=a.date, weekday=WEEKDAYS[a.date.isoweekday()], start=a.start, end=a.end,
                         theme=a.theme, description=a.description, service_point=insts[a.institution_id].name,
                         hosts=[cards[h] for h in a.hosts if h in cards])
            for a in activities if a.institution_id in insts]


def _public_point(institution_id: str) -> Institution:
    inst = get_institution(institution_id)
    if inst.status != "active":
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    return inst


def _staff_point(caller: Caller, inst: Institution) -> None:
    if not caller.covers(inst.home_area):
        raise Forbidden("该服务点不在您的管辖范围内", code="outside_jurisdiction")


def _point_id(institution_id: str) -> str:
    """A service point's id from the path, checked before its lists are read: 404 if it cannot be one."""
    if not storage.is_record_id(institution_id):
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    return institution_id


def _point_and_people(institution_id: str, person_ids: set[str]) -> tuple[Institution, dict[str, Person]]:
    """The service point and the people its list names, in one BatchGetItem (the list is read first, by the
    point's id): an unknown or retired point is the same 404 as ever, whatever the list held."""
    found = storage.find_each({Institution: [institution_id], Person: person_ids})
    inst = found[Institution].get(institution_id)
    if inst is None or inst.status != "active":
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    return inst, found[Person]


def rota_week(institution_id: str, day: dt.date | None, *, limit: int, cursor: str | None) -> RotaWeek:
    """The slots (one Query), then the point and its people (one BatchGetItem): two calls. Not one: the
    cards show each person's current name, duty and phone, which the slots do not copy."""
    monday, sunday = week_of(day or today_shanghai())
    pairs = dated(slots_of([_point_id(institution_id)])[institution_id], monday)
    inst, people = _point_and_people(institution_id, {s.person_id for _, s in pairs})
    cards = cards_for({s.person_id for _, s in pairs}, {inst.id: inst}, people)
    entries = duty_entries(pairs, {inst.id: inst}, cards)
    page, next_cursor = paged(entries, sort_key=lambda e: f"{e.date.isoformat()}.{e.start}.{e.person.name}",
                              query_id=f"rota|{inst.id}|{monday.isoformat()}", limit=limit, cursor=cursor)
    return RotaWeek(service_point=InstitutionCard.of(inst), week_start=monday, week_end=sunday, items=page,
                    next_cursor=next_cursor)


def activities(institution_id: str, since: dt.date | None, *, limit: int, cursor: str | None) -> Page[ActivityCard]:
    """The activities (one Query), then the point and the hosts (one BatchGetItem), as `rota_week`; a host
    of another institution adds the read of that institution's name."""
    start = since or today_shanghai()
    try:
        page = storage.page(Activity, ACTIVITIES, _point_id(institution_id), since=(start.isoformat(),), limit=limit,
                            cursor=cursor)
    except BadRequest:
        _public_point(institution_id)  # an unknown point is 404 before its cursor is looked at, as ever
        raise
    records = [Activity.from_item(i) for i in page.items]
    hosts = {h for a in records for h in a.hosts}
    inst, people = _point_and_people(institution_id, hosts)
    cards = cards_for(hosts, {inst.id: inst}, people)
    return Page[ActivityCard](items=activity_cards(records, {inst.id: inst}, cards), next_cursor=page.next_cursor)


def duty_slots(caller: Caller, institution_id: str, *, limit: int, cursor: str | None) -> Page[DutySlotOut]:
    """Staff view of a service point's standing slots (all of them, not one week's): the slots (one Query),
    then the point and its people (one BatchGetItem); nothing is shown before the point's area is checked."""
    if not storage.is_record_id(institution_id):
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    try:
        page = storage.page(DutySlot, SLOTS, institution_id, limit=limit, cursor=cursor)
    except BadRequest:
        _staff_point(caller, get_institution(institution_id))  # 404 or 403 before the cursor, as ever
        raise
    slots = [DutySlot.from_item(i) for i in page.items]
    found = storage.find_each({Institution: [institution_id], Person: {s.person_id for s in slots}})
    if institution_id not in found[Institution]:
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    _staff_point(caller, found[Institution][institution_id])
    people = found[Person]
    return Page[DutySlotOut](items=[DutySlotOut.of(s, people.get(s.person_id)) for s in slots], next_cursor=page.next_cursor)
