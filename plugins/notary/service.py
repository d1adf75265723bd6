"""The rules of `notary`, with no HTTP: the catalogue (N1), the office and liaisons serving a grid (N2), and
appointments (N3) — slots published by the office, bookings that never double-book, cancel, reschedule, the
green channel for home visits and the materials checklist. Every function takes the caller and raises
problems with field locations relative to its input.

Never double-booked: a slot carries `capacity` and `booked`, and a booking is one transaction that creates
the appointment and raises the slot's `booked` on the condition that the slot's version is the one just
read. Two residents racing for the last seat both read version n; the first transaction moves it to n+1,
the second's condition fails, it reads the slot again, finds it full and answers 409 `slot_full`.

Told through the outbox: a resident booking (or moving) an appointment from their own account gets, in the
same transaction, a confirmation and a reminder due the evening before (`notary.reminder_working_days`,
`notary.reminder_hour`); a cancel or a move withdraws the waiting reminder in that transaction too.
Appointments made by staff write no message; the staff reminders list covers them.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, Iterable

from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import Institution
from chalicelib.domain.notify import service as notify
from chalicelib.domain.notify.models import Message, Notice
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import DemoContext, Finding, ScreeningContext
from chalicelib.platform import audit, pii, storage, workdays
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.storage.paging import paged
from chalicelib.platform.timeutil import SHANGHAI, now_utc, today_shanghai
from plugins.notary import catalogue, counts
from plugins.notary.criteria import GREEN_CHANNEL, HomeVisitFacts
from plugins.notary.models import (
    APPOINTMENT, CERTIFICATE_DAYS, CLOSES_AT, HOME_VISIT_AGE, MATERIALS_LOOKAHEAD, MODE_TITLES, OPENS_AT,
    REMINDER_DAYS, REMINDER_HOUR, SLOT, BOOKED_STAGE, REMINDER_STAGE, Appointment, ReminderOut, ReminderPage,
    AppointmentIn, AppointmentOut, AppointmentContactOut, Decision, DecisionOut, GridNotary, LiaisonCard, MatterOut,
    OfficeCard, Slot, SlotIn, SlotOut,
)

OFFICE_KIND = "notary_office"
LIAISON_ROLE = "notary_liaison"
ATTEMPTS = 3  # a booking re-reads a slot that changed under it this many times before answering 409 busy


# --- the catalogue (N1) ---------------------------------------------------------------------------

def matters(text: str | None, area: str | None, *, limit: int, cursor: str | None) -> Page[MatterOut]:
    """Public: the matters whose name or category contains `text`, with the certificate time in force at
    `area` (or the national rule)."""
    days = int(policy.resolve(CERTIFICATE_DAYS, area or policy.ROOT).value)
    found = [matter_out(m, days) for m in catalogue.search(text)]
    order = {m.code: i for i, m in enumerate(catalogue.MATTERS)}
    items, next_cursor = paged(found, sort_key=lambda m: f"{order[m.code]:03d}", query_id=f"matters|{text}|{area}",
                               limit=limit, cursor=cursor)
    return Page[MatterOut](items=items, next_cursor=next_cursor)


def matter_out(matter: catalogue.Matter, days: int) -> MatterOut:
    return MatterOut(code=matter.code, name=matter.name, category=matter.category, summary=matter.summary,
                     materials=list(matter.materials), fee_basis=matter.fee_basis, usual_working_days=days,
                     remote_video=matter.remote_video, home_visit=matter.home_visit)


def matter(code: str, area: str | None) -> MatterOut:
    found = catalogue.find(code)
    if found is None:
        raise NotFound("没有这个公证事项", code="matter_not_found")
    return matter_out(found, int(policy.resolve(CERTIFICATE_DAYS, area or policy.ROOT).value))


# --- offices and liaisons (N2) --------------------------------------------------------------------

def for_grid(grid: str) -> GridNotary:
    """Public: the notary offices mapped to the grid or an area above it (the district mapping of the
    directory, seed 000: 天宁公证处 → 天宁区), nearest first, and the grid's notary liaisons (coverage role
    `notary_liaison`, assigned to the grid or above it). Names, duties, masked phones only."""
    chain, links = directory.chain_and_links(grid)
    pairs = [(code, card) for code, card in directory.served(links, OFFICE_KIND) if code in chain]
    assignments = [a for a in coverage.applying_to(links) if a.role == LIAISON_ROLE and a.status == "active"]
    people = directory.load_people(a.assignee_id for a in assignments if a.assignee_kind == "person")
    cards = {card.id: card for _, card in directory.served(links)}
    insts = directory.load_institutions({p.institution_id for p in people.values()
                                         if p.institution_id and p.institution_id not in cards})
    names = {**{i: card.name for i, card in cards.items()}, **{i: inst.name for i, inst in insts.items()}}
    offices = [OfficeCard(id=card.id, name=card.name, address=card.address, phone=card.phone_masked,
                          hours=card.hours, serves_area=code, serves_area_name=chain[code].name)
               for code, card in pairs]
    liaisons = []
    for a in sorted(assignments, key=lambda a: (-len(a.area), a.id)):
        person = people.get(a.assignee_id)
        if person is None or person.status != "active":
            continue
        liaisons.append(LiaisonCard(name=person.name, duty=person.duty, phone=person.phone_masked,
                                    hours=person.hours, institution=names.get(person.institution_id or ""),
                                    assigned_to=chain[a.area].name if a.area in chain else a.area))
    return GridNotary(grid=grid, offices=offices, liaisons=liaisons)


def office(office_id: str, *, found: Institution | None | object = None) -> Institution:
    """The notary office (404 if none); `found`: the institution already read (or None if absent)."""
    inst = directory.find_institution(office_id) if found is None else found
    if not isinstance(inst, Institution) or inst.kind != OFFICE_KIND:
        raise NotFound("没有这个公证处", code="office_not_found")
    return inst


def _office_staff(caller: Caller, office_area: str) -> bool:
    """A notary or an administrator whose jurisdiction holds the office's own area: the one rule for an
    office's appointments, read one by one or listed (an area the office merely serves is not enough —
    its staff belong to another office)."""
    return caller.is_staff and (caller.is_admin or "notary" in caller.roles) and caller.covers(office_area)


def office_for_staff(caller: Caller, office_id: str, *, found: Institution | None | object = None) -> Institution:
    """The office, for its staff (`_office_staff`: the office's own area; else 403)."""
    inst = office(office_id, found=found)
    if not _office_staff(caller, inst.home_area):
        raise Forbidden("该公证处不在您的管辖范围内", code="outside_jurisdiction")
    return inst


_ABSENT = object()


def _office_with_rules(caller: Caller, office_id: str, names: list[str]) -> tuple[Institution, Any]:
    """The office for its staff, and a function of a day giving `names` in force at the office's area then.
    The office is read with the parameters at the caller's own area in one BatchGetItem — an office's
    notaries work at its area, so those are the office's; an office elsewhere in the caller's jurisdiction
    (an administrator above it) costs the parameters' own read after."""
    along = None
    if caller.area and storage.is_record_id(office_id):
        try:
            along = policy.read_along(names, caller.area, also={Institution: [office_id]})
        except NotFound as exc:
            if exc.code != "area_not_found":
                raise
    found = along.records[Institution].get(office_id, _ABSENT) if along is not None else None
    inst = office_for_staff(caller, office_id, found=found)
    if along is not None and inst.home_area == caller.area:
        return inst, along.resolve_many
    return inst, lambda on: policy.resolve_many(names, inst.home_area, on)


# --- slots ----------------------------------------------------------------------------------------

def _moment(day: date, start: str) -> datetime:
    hour, minute = map(int, start.split(":"))
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def publish_slot(caller: Caller, office_id: str, data: SlotIn) -> Slot:
    """A notary (or an administrator) of the office publishes a time residents may book. A day that is not
    a working day, a time in the past or outside the office's opening hours (policy parameters in force
    that day) is a 422 naming the field; the same time twice is a 409.

    Two calls, one over a create's floor of 1: the office (its staff decide, its area and name are kept on the
    slot) and the opening hours and reminder parameters in force at its area are one read
    (`_office_with_rules`), then the transaction."""
    inst, rules = _office_with_rules(caller, office_id, [OPENS_AT, CLOSES_AT, REMINDER_DAYS, REMINDER_HOUR])
    starts = _moment(data.day, data.start)
    if starts <= now_utc():
        raise Unprocessable("不能发布已经过去的时段", code="slot_in_past", errors=field_error(["start"], "时间已过"))
    if not workdays.is_workday(data.day):
        raise Unprocessable(f"{data.day} 不是工作日", code="not_a_working_day",
                            errors=field_error(["day"], "不是工作日"))
    hours = rules(data.day)
    opens, closes = int(hours[OPENS_AT].value), int(hours[CLOSES_AT].value)
    ends = starts + timedelta(minutes=data.minutes)
    if starts.hour < opens or ends > _moment(data.day, "00:00") + timedelta(hours=closes):
        raise Unprocessable(f"时段应在办公时间 {opens}:00–{closes}:00 之内", code="outside_opening_hours",
                            errors=field_error(["start"], f"不在办公时间 {opens}:00–{closes}:00 之内"))
    slot = Slot(id=f"{office_id}.{data.day:%Y%m%d}{data.start.replace(':', '')}", office_id=office_id,
                office_area=inst.home_area, day=data.day, start=data.start, starts_at=starts, minutes=data.minutes,
                capacity=data.capacity, modes=sorted(set(data.modes)), notary=data.notary, office_name=inst.name,
                remind_at=_reminder_due(data.day, hours))
    try:
        return storage.put_new(slot, also=[audit.entry(caller.actor, "create", SLOT, slot.id,
                                                       f"发布公证预约时段 {data.day} {data.start}，{data.capacity} 个名额")])
    except Conflict as exc:
        if exc.code == "already_exists":
            raise Conflict("该时段已经发布", code="slot_exists", errors=field_error(["start"], "已发布")) from None
        raise


def slots(office_id: str, day: date | None, *, limit: int, cursor: str | None) -> Page[SlotOut]:
    """Public: an office's published slots in time order (of one day, if given); an unknown office is 404.

    One Query when the page has slots: a slot is published only at a notary office (`office_for_staff`), so
    slots found prove the office. Only an empty first page reads the office (one GetItem) to tell "no slots
    yet" from "no such office": the office is the directory's record, in a partition of its own, so no key
    of this plugin can bring it into the slots' Query. A later page (a cursor) was begun on slots found."""
    page = storage.page(Slot, SLOT, (office_id,), after=(day.isoformat(),) if day else (), limit=limit,
                        cursor=cursor)
    if not page.items and cursor is None:
        office(office_id)
    return Page[SlotOut](items=[SlotOut.of(Slot.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def _bookable(slot_id: str, loc: list[str], *, read: dict[str, Slot] | None = None) -> Slot:
    """The slot, bookable now (`read`: the slots already read with another record; else read here)."""
    found = read.get(slot_id) if read is not None else storage.read(Slot, slot_id, consistent=True)
    if found is None:
        raise Unprocessable("没有这个预约时段", code="slot_not_found", errors=field_error(loc, "时段不存在"))
    if found.starts_at <= now_utc():
        raise Unprocessable("该时段已经过去", code="slot_in_past", errors=field_error(loc, "时段已过"))
    return found


class _SlotChanged(Exception):
    """The slot's version moved between our read and our write (someone booked or cancelled)."""


def _seat(slot: Slot, delta: int) -> storage.Check:
    """Move `booked` by `delta` on the condition that the slot is still the version we read."""
    _, op = storage.prepare_update(slot, {"booked": slot.booked + delta}, expected_version=slot.version)
    return storage.Check(op, _SlotChanged())


def _release(slot_id: str) -> storage.Check:
    """Give the seat of a cancelled or moved appointment back without reading its slot: `booked` down by
    one and `version` up by one in the same update (a booking holding the version read before fails its
    condition and reads the slot again), on the condition that the slot exists (else its 404, as a read of
    it would answer)."""
    detail, code = Slot.missing
    return storage.Check(storage.amend(Slot, slot_id, add={"booked": -1, "version": 1}, set_={"updated_at": now_utc()}),
                         NotFound(detail, code=code))


def _full(slot: Slot) -> Conflict:
    return Conflict(f"{slot.day} {slot.start} 的时段已约满，请选择其他时段", code="slot_full",
                    errors=field_error(["slot_id"], "已约满"))


# --- appointments ---------------------------------------------------------------------------------

def _matter(code: str) -> catalogue.Matter:
    found = catalogue.find(code)
    if found is None:
        raise Unprocessable(f"没有公证事项 {code}", code="matter_not_found",
                            errors=field_error(["matter"], "未知的公证事项，见 /v1/notary/matters"))
    return found


def _check_mode(data: AppointmentIn, matter: catalogue.Matter, slot: Slot) -> None:
    if data.mode not in slot.modes:
        raise Unprocessable(f"该时段不接受{MODE_TITLES[data.mode]}", code="mode_not_offered",
                            errors=field_error(["mode"], "该时段不提供此方式"))
    if data.mode == "video" and not matter.remote_video:
        raise Unprocessable(f"{matter.name}不能远程视频办理", code="mode_not_allowed",
                            errors=field_error(["mode"], "该事项须到场办理"))
    if data.mode == "home" and not matter.home_visit:
        raise Unprocessable(f"{matter.name}不能上门办理", code="mode_not_allowed",
                            errors=field_error(["mode"], "该事项不能上门办理"))


def green_channel(data: AppointmentIn, area: str, on: date) -> Decision | None:
    """A home visit needs an address and the green channel: a basis, the facts it needs and a reason, decided
    by the named criterion (`notary.green_channel`) on the day of the visit. Missing facts are a 422 naming
    each field; a basis that is not met is a 422 with the criterion's reason."""
    if data.mode != "home":
        return None
    missing = [["address"]] if not data.address else []
    if data.green_channel is None:
        missing.append(["green_channel"])
    elif data.green_channel.basis == "elderly" and data.green_channel.birth_date is None:
        missing.append(["green_channel", "birth_date"])
    if missing:
        raise Unprocessable("上门办证须填写地址和绿色通道的依据、原因", code="green_channel_facts_missing",
                            errors=[{"loc": loc, "msg": "上门办证必填"} for loc in missing])
    basis = data.green_channel.basis
    facts = HomeVisitFacts(birth_date=data.green_channel.birth_date, disability_certificate=basis == "disabled",
                           seriously_ill=basis == "seriously_ill",
                           elderly_age=int(policy.resolve(HOME_VISIT_AGE, area, on).value))
    result = GREEN_CHANNEL.evaluate(facts, on)
    decided = result.find(f"notary.{basis}")
    if not decided.met:
        raise Unprocessable(f"不符合上门办证绿色通道条件：{decided.reason}", code="green_channel_not_met",
                            errors=field_error(["green_channel", "basis"], decided.reason))
    return Decision(met=True, basis=f"notary.{basis}", reason=f"{decided.reason}；{data.green_channel.reason}")


def book(caller: Caller, data: AppointmentIn, *, appointment_id: str | None = None) -> Appointment:
    """A resident books a slot: the matter, the way (office, video, home) and a phone to reach them. From a
    resident's own account the confirmation and the reminder are written in the booking's transaction.

    Two calls, one over a create's floor of 1: the slot must be read before the write (its free seats, its time
    not past, the ways it offers, and its office, day and start copied onto the appointment); the seat is then
    taken on the version read."""
    matter = _matter(data.matter)
    slot = _bookable(data.slot_id, ["slot_id"])
    _check_mode(data, matter, slot)
    decision = green_channel(data, slot.office_area, slot.day)
    appointment_id = appointment_id or uuid.uuid4().hex
    appointment = Appointment(
        id=appointment_id, owner=caller.sub, office_id=slot.office_id,
        reminder_id=_reminder_key(appointment_id, 1) if "resident" in caller.roles else None,
        office_area=slot.office_area, slot_id=slot.id, day=slot.day, start=slot.start, matter=matter.code,
        mode=data.mode, address=data.address if data.mode == "home" else None, green_channel=decision,
        **pii.seal_phone(data.phone).fields("phone"))
    note = audit.entry(caller.actor, "create", APPOINTMENT, appointment.id,
                       f"预约{matter.name}，{slot.day} {slot.start}，{MODE_TITLES[data.mode]}")
    told = _messages(appointment, slot, "预约成功") if appointment.reminder_id else []
    for _ in range(ATTEMPTS):
        if slot.free <= 0:
            raise _full(slot)
        try:
            return storage.put_new(appointment, also=[_seat(slot, +1), note, *told,
                                                      *counts.booked_ops(slot.office_area, data.mode)])
        except _SlotChanged:
            slot = storage.require(Slot, slot.id, consistent=True)
    raise Conflict("预约的人较多，请稍后重试", code="busy")


def _readable(caller: Caller, appointment: Appointment) -> bool:
    return caller.sub == appointment.owner or _office_staff(caller, appointment.office_area)


def get(caller: Caller, appointment_id: str) -> Appointment:
    """The resident's own appointment, or one at an office in the staff's jurisdiction; to anyone else it
    does not exist (404)."""
    return _readable_or_hidden(caller, storage.read(Appointment, appointment_id))


def _readable_or_hidden(caller: Caller, appointment: Appointment | None) -> Appointment:
    if appointment is None or not _readable(caller, appointment):
        raise NotFound(*Appointment.missing[:1], code=Appointment.missing[1])
    return appointment


def read(caller: Caller, appointment_id: str) -> AppointmentOut:
    """`get` as the caller may see it (`out`); a staff member's read is written to the audit trail."""
    appointment = get(caller, appointment_id)
    if caller.sub != appointment.owner:
        who = "办理该预约的公证员" if holds(caller, appointment) else "辖区工作人员，不含绿色通道原因"
        audit.record_read(caller.actor, APPOINTMENT, appointment.id, f"查看公证预约（{who}）")
    return out(appointment, caller)


def holds(caller: Caller, appointment: Appointment) -> bool:
    """The staff holding the appointment (CONTRACT "Identity and access": the full phone only to the owner
    and the notary office holding the case): the notaries of the office's own area — a notary's jurisdiction
    is their office's area. A notary of a wider area's office, and any administrator, see the masked phone
    on the appointment, never the number: an admin holds no case."""
    return "notary" in caller.roles and caller.is_staff and caller.area == appointment.office_area


def contact(caller: Caller, appointment_id: str) -> AppointmentContactOut:
    """The resident's full phone and the visit's address, for the resident and the notaries holding the
    appointment (`holds`), who must reach them before the visit; every such read is written to the audit
    trail. Anyone else gets the 404 of an unknown appointment."""
    appointment = storage.require(Appointment, appointment_id)
    if caller.sub != appointment.owner and not holds(caller, appointment):
        raise NotFound(*Appointment.missing[:1], code=Appointment.missing[1])
    phone = pii.Sealed("phone", appointment.phone_cipher, appointment.phone_hash, appointment.phone_masked).reveal()
    audit.record_read(caller.actor, APPOINTMENT, appointment.id, "查看公证预约的完整联系电话（联系预约人）")
    return AppointmentContactOut(phone=phone, address=appointment.address)


def _open(caller: Caller, appointment_id: str, expected_version: int) -> Appointment:
    return _still_open(get(caller, appointment_id), expected_version)


def _still_open(appointment: Appointment, expected_version: int) -> Appointment:
    if appointment.status != "booked":
        raise Conflict("该预约已取消", code="appointment_cancelled")
    if appointment.version != expected_version:
        raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version")
    return appointment


def _write_with_slots(appointment: Appointment, changes: dict[str, Any], taken: Slot | None, freed: str,
                      note: dict[str, Any], *, event: str | None = None) -> Appointment:
    """Update the appointment and move seats in one transaction: a seat of `taken` (a move's new slot, read)
    taken on the condition of the version read — re-read when it changed under us (someone else taking the
    last seat is a 409 `slot_full`) — and the seat of slot `freed` given back without reading it
    (`_release`). The waiting reminder is withdrawn in it; with `event` (a move) the new confirmation and
    reminder, for `taken`, too."""
    withdraw = appointment.reminder_id is not None
    for _ in range(ATTEMPTS):
        if taken is not None and taken.free <= 0:
            raise _full(taken)
        updated, op = storage.prepare_update(appointment, changes, expected_version=appointment.version)
        told = [notify.withdraw_op(appointment.reminder_id)] if withdraw else []
        if event and updated.reminder_id and taken is not None:
            told += _messages(updated, taken, event)
        seats = [*([_seat(taken, +1)] if taken is not None else []), _release(freed)]
        try:
            storage.transact([op, *seats, note, *told])
            return updated
        except notify.NotPending:  # already sent (or given up): nothing left to take back
            withdraw = False
        except _SlotChanged:
            taken = storage.require(Slot, taken.id, consistent=True)
        except Conflict as exc:
            if exc.code == "condition_failed":  # the appointment itself changed
                raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version") from None
            raise
    raise Conflict("预约的人较多，请稍后重试", code="busy")


def cancel(caller: Caller, appointment_id: str, expected_version: int) -> Appointment:
    """The resident (or the office's staff) cancels; the seat is free again at once. Two calls: the
    appointment (read to decide access and state), then one transaction that frees its seat without
    reading the slot."""
    appointment = _open(caller, appointment_id, expected_version)
    return _write_with_slots(appointment, {"status": "cancelled"}, None, appointment.slot_id, audit.entry(
        caller.actor, "update", APPOINTMENT, appointment.id, "取消公证预约",
        {"status": {"from": "booked", "to": "cancelled"}}))


def reschedule(caller: Caller, appointment_id: str, slot_id: str, expected_version: int) -> Appointment:
    """Move to another slot of the same office in one transaction: the new seat taken, the old one freed.
    Two calls: the appointment and the new slot in one consistent BatchGetItem, then the transaction (the
    old slot is not read: its seat is given back by `_release`, and the old time is the appointment's own)."""
    found = storage.find_each({Appointment: [appointment_id], Slot: [slot_id]}, consistent=True)
    appointment = _readable_or_hidden(caller, found[Appointment].get(appointment_id))
    _still_open(appointment, expected_version)
    if slot_id == appointment.slot_id:
        raise Unprocessable("新时段与原时段相同", code="same_slot", errors=field_error(["slot_id"], "与原时段相同"))
    new = _bookable(slot_id, ["slot_id"], read=found[Slot])
    if new.office_id != appointment.office_id:
        raise Unprocessable("只能改约到同一公证处的时段", code="other_office",
                            errors=field_error(["slot_id"], "不是同一公证处的时段"))
    if appointment.mode not in new.modes:
        raise Unprocessable(f"该时段不接受{MODE_TITLES[appointment.mode]}", code="mode_not_offered",
                            errors=field_error(["slot_id"], "该时段不提供原预约的办理方式"))
    changes = {"slot_id": new.id, "day": new.day, "start": new.start,
               "reminder_id": _reminder_key(appointment.id, expected_version + 1) if appointment.reminder_id else None}
    return _write_with_slots(appointment, changes, new, appointment.slot_id, audit.entry(
        caller.actor, "update", APPOINTMENT, appointment.id, "改约公证预约",
        {"slot": {"from": f"{appointment.day} {appointment.start}", "to": f"{new.day} {new.start}"}}),
        event="改约成功")


# --- the resident's subscribe messages (through the core outbox) -----------------------------------

def _reminder_key(appointment_id: str, version: int) -> str:
    """The reminder's message id: one per version of the appointment that set its time."""
    return f"{appointment_id}-reminder-v{version}"


def _messages(appointment: Appointment, slot: Slot, event: str) -> list[dict[str, Any]]:
    """The confirmation (`notary.booked`, sent at once) and the reminder (`notary.reminder`, due the evening
    before) of `appointment` at `slot`: the matter, the time, the place — never the address or the phone,
    which would show on the lock screen."""
    place = (slot.office_name or "公证处") if appointment.mode == "office" else MODE_TITLES[appointment.mode]
    data: dict[str, str | datetime] = {"thing1": catalogue.find(appointment.matter).name,
                                       "time2": _moment(appointment.day, appointment.start), "thing3": place}
    about = {"page": f"pages/notary/appointment?id={appointment.id}", "source": f"{APPOINTMENT}:{appointment.id}"}
    return [
        notify.message_op(appointment.owner, BOOKED_STAGE, {**data, "phrase4": event},
                          key=f"{appointment.id}-booked-v{appointment.version}", **about),
        notify.message_op(appointment.owner, REMINDER_STAGE, {**data, "thing4": "请带齐材料"},
                          key=appointment.reminder_id, due=slot.remind_at or _slot_reminder_due(slot), **about),
    ]


def _reminder_due(on: date, values: dict[str, Any]) -> datetime:
    """`notary.reminder_hour` o'clock (Asia/Shanghai) of the working day `notary.reminder_working_days`
    before `on` — the day the staff reminders list shows it (a moment already past: at once). Kept on the
    slot when it is published (with the opening hours, one read), so a booking reads nothing more."""
    day = on
    for _ in range(int(values[REMINDER_DAYS].value)):
        day -= timedelta(days=1)
        while not workdays.is_workday(day):
            day -= timedelta(days=1)
    return _moment(day, f"{int(values[REMINDER_HOUR].value):02d}:00")


def _slot_reminder_due(slot: Slot) -> datetime:
    """For a slot stored before it kept its reminder time: the parameters in force now."""
    return _reminder_due(slot.day, policy.resolve_many([REMINDER_DAYS, REMINDER_HOUR], slot.office_area))


def confirm_materials(caller: Caller, appointment_id: str, ready: list[str], expected_version: int) -> Appointment:
    """The resident ticks the materials they have ready (each from the matter's list)."""
    appointment = get(caller, appointment_id)
    if caller.sub != appointment.owner:
        raise Forbidden("只有预约人本人可以确认材料", code="owner_only")
    _still_open(appointment, expected_version)
    listed = catalogue.find(appointment.matter).materials
    unknown = [i for i, item in enumerate(ready) if item not in listed]
    if unknown:
        raise Unprocessable("材料不在该事项的清单中", code="unknown_material",
                            errors=[{"loc": ["ready", i], "msg": "不在材料清单中"} for i in unknown])
    chosen = [m for m in listed if m in ready]
    return storage.update(appointment, {"materials_ready": chosen}, expected_version=expected_version, also=[
        audit.entry(caller.actor, "update", APPOINTMENT, appointment.id, f"确认已备材料 {len(chosen)}/{len(listed)} 项")])


def out(appointment: Appointment, caller: Caller) -> AppointmentOut:
    """The appointment as `caller` sees it: never the home-visit address (only `contact`, audited); the green
    channel's reason (a health or disability basis) to the resident and the staff holding the appointment
    (`holds`), its basis title alone to other staff of the office's area (an administrator holds no case)."""
    matter = catalogue.find(appointment.matter)
    reason = caller.sub == appointment.owner or holds(caller, appointment)
    return AppointmentOut(
        id=appointment.id, office_id=appointment.office_id, slot_id=appointment.slot_id, day=appointment.day,
        start=appointment.start, matter=appointment.matter, matter_name=matter.name, mode=appointment.mode,
        mode_title=MODE_TITLES[appointment.mode], phone=appointment.phone_masked,
        green_channel=DecisionOut.of(appointment.green_channel, reason=reason), materials=list(matter.materials),
        materials_ready=appointment.materials_ready,
        materials_complete=set(appointment.materials_ready) >= set(matter.materials), status=appointment.status,
        version=appointment.version)


def _page(page: storage.Page, caller: Caller) -> Page[AppointmentOut]:
    return Page[AppointmentOut](items=[out(Appointment.from_item(i), caller) for i in page.items],
                                next_cursor=page.next_cursor)


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[AppointmentOut]:
    return _page(storage.page(Appointment, "notary-appointment-by", caller.sub, limit=limit, cursor=cursor), caller)


def _audit_list_read(caller: Caller, office_id: str, day: date, what: str, shown: int) -> None:
    """One audit entry for a staff list of an office's day (the appointments' ids are in the list read)."""
    audit.record_read(caller.actor, APPOINTMENT, f"{office_id}:{day.isoformat()}", f"查看公证处{what}（{shown} 条）")


def day_list(caller: Caller, office_id: str, day: date, *, limit: int, cursor: str | None) -> Page[AppointmentOut]:
    """Staff of the office (the single read's rule): its booked appointments of one day, in time order; the
    read is audited.

    One Query (and the audit entry) when the page has appointments: the access check rides on their own
    stored `office_area` — the very field a single appointment's read is decided on (`_readable`) — so the
    office is not read. Only an empty page reads the office (one GetItem), to answer 404 for no such office
    and 403 outside the caller's jurisdiction exactly as before."""
    found = storage.page(Appointment, "notary-appointment-day", (office_id, day.isoformat()), limit=limit,
                         cursor=cursor)
    areas_shown = {item["office_area"] for item in found.items}
    if not areas_shown:
        office_for_staff(caller, office_id)
    elif not all(_office_staff(caller, area) for area in areas_shown):
        raise Forbidden("该公证处不在您的管辖范围内", code="outside_jurisdiction")
    page = _page(found, caller)
    _audit_list_read(caller, office_id, day, f" {day} 的预约", len(page.items))
    return page


# --- reminders (N3) -------------------------------------------------------------------------------

def reminders(caller: Caller, office_id: str, *, limit: int, cursor: str | None) -> ReminderPage:
    """Staff of the office: the appointments of the working day `notary.reminder_working_days` ahead (the
    day before, by default), each with the resident's masked phone and the materials not yet confirmed,
    so the desk can call — and whether the resident's own subscribe-message reminder went out (`notice`;
    none for appointments made by staff). One Query of the day's listing, one BatchGet of the reminders and
    the read's audit entry.

    Three calls, one over a read's floor of 1 + its audit entry: the day listed is set by a parameter in force
    at the office's area, so the office and the parameter are read first (one BatchGetItem,
    `_office_with_rules`), then the day's Query."""
    inst, rules = _office_with_rules(caller, office_id, [REMINDER_DAYS])
    today = today_shanghai()
    ahead = int(rules(today)[REMINDER_DAYS].value)
    day = workdays.add_working_days(today, ahead).end
    page = storage.page(Appointment, "notary-appointment-day", (office_id, day.isoformat()), limit=limit,
                        cursor=cursor)
    appointments = [Appointment.from_item(i) for i in page.items]
    sent = storage.find_many(Message, [a.reminder_id for a in appointments if a.reminder_id])  # one BatchGet
    items = [reminder(a, sent.get(a.reminder_id or "")) for a in appointments]
    _audit_list_read(caller, office_id, day, f" {day} 待提醒的预约", len(items))
    return ReminderPage(day=day, items=items, next_cursor=page.next_cursor)


def reminder(appointment: Appointment, message: Message | None = None) -> ReminderOut:
    """One line of the desk's list; `message`: the outbox reminder, whose status tells whether to call."""
    matter = catalogue.find(appointment.matter)
    missing = [m for m in matter.materials if m not in appointment.materials_ready]
    when = f"{appointment.day} {appointment.start}"
    text = f"您预约的{matter.name}定于 {when}（{MODE_TITLES[appointment.mode]}）"
    text += f"，请备齐：{'、'.join(missing)}" if missing else "，材料已确认备齐，请按时办理"
    return ReminderOut(
        appointment_id=appointment.id, day=appointment.day, start=appointment.start, matter=matter.code,
        matter_name=matter.name, mode=appointment.mode, mode_title=MODE_TITLES[appointment.mode],
        phone=appointment.phone_masked, materials_missing=missing,
        reasons=["appointment_due", *(["materials_incomplete"] if missing else [])], message=text,
        notice=Notice.of(message) if message else None)


# --- what notary declares on its Plugin -----------------------------------------------------------

def may_attach(caller: Caller, appointment_id: str) -> None:
    """Link rule: the resident's own appointment, or staff of its office's area."""
    get(caller, appointment_id)


def materials_incomplete(context: ScreeningContext) -> Iterable[Finding]:
    """Screening check: booked appointments in the coming working days (`notary.materials_lookahead_days`,
    in force at each office) whose materials the resident has not confirmed complete — so staff call them
    before the visit. One Query for the area's offices, then one Query per office and day. Ids and dates only."""
    if len(context.area) < 4:  # offices are listed per city
        return
    system = Caller(sub="screening", roles=frozenset({"admin"}), area=context.area)
    cursor = None
    while True:
        page = directory.list_institutions(system, context.area, OFFICE_KIND, limit=100, cursor=cursor)
        for inst in page.items:
            yield from _incomplete_at(inst.id, inst.home_area, context.as_of)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _incomplete_at(office_id: str, area: str, as_of: date) -> Iterable[Finding]:
    days = int(policy.resolve(MATERIALS_LOOKAHEAD, area, as_of).value)
    for day in _next_workdays(as_of, days):
        for item in storage.every(Appointment, "notary-appointment-day", (office_id, day.isoformat()), max_items=500):
            appointment = Appointment.from_item(item)
            if not set(appointment.materials_ready) >= set(catalogue.find(appointment.matter).materials):
                yield Finding(check="notary.materials-incomplete", area=appointment.office_area, severity="info",
                              title=f"{day} {appointment.start} 的公证预约材料尚未备齐", record=appointment.id, due=day)


DEMO_OFFICE = "demo-notary-tianning"
DEMO_OFFICE_AREA = "320402"
DEMO_TIMES = ("09:00", "09:30", "10:00", "14:30")
DEMO_APPOINTMENT = "demo-notary-appointment-1"


def _next_workdays(start: date, count: int) -> Iterable[date]:
    day = start
    for _ in range(count):
        day = workdays.add_working_days(day, 1).end
        yield day


def load_demo(context: DemoContext) -> None:
    """Slots at 天宁公证处 for the next three working days, and an elderly resident's home visit to make a
    will on the first. Fixed ids: loading again on the same day changes nothing."""
    if storage.read(Appointment, DEMO_APPOINTMENT) is not None:
        return
    first: Slot | None = None
    for day in _next_workdays(today_shanghai(), 3):
        for start in DEMO_TIMES:
            slot = Slot(id=f"{DEMO_OFFICE}.{day:%Y%m%d}{start.replace(':', '')}", office_id=DEMO_OFFICE,
                        office_area=DEMO_OFFICE_AREA, day=day, start=start, starts_at=_moment(day, start), minutes=30,
                        capacity=1, modes=["home", "office", "video"], notary="王建国", office_name="天宁公证处")
            if storage.read(Slot, slot.id) is None:
                storage.put_new(slot, also=[audit.entry(context.actor, "create", SLOT, slot.id, "演示时段")])
            first = first or slot
    resident = Caller(sub="demo-resident-1", roles=frozenset({"resident"}), area=None)
    book(resident, AppointmentIn(slot_id=first.id, matter="will", mode="home", phone="13800001301",
                                 address="天宁区雕庄街道朝阳花园 12 幢 301 室",
                                 green_channel={"basis": "elderly", "birth_date": "1941-03-08",
                                                "reason": "年迈行动不便，不能到公证处"}),
         appointment_id=DEMO_APPOINTMENT)
