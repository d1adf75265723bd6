"""The rules of special populations, with no HTTP (SPEC S1, S2, S5).

Access (S5), decided here and nowhere else — the most sensitive data in the system:
- a corrections officer whose jurisdiction is the person's district (or a town inside it) reads and
  corrects the full record; a city-level or another district's officer does not;
- the grid worker whose jurisdiction is the person's grid sees them in the grid list, with only what a
  visit needs (name, masked phone, category, until when, next visit due);
- a bureau staff account the district granted access to (`grants.py`: named, for a reason, until a day)
  reads the district's full records, rosters and visits while the grant is valid, never writes;
- nobody else — residents, other roles, admins — learns that a record exists: every refusal of a read is
  the same 404 an unknown id gets.
Every read of a record or a list is an audit entry naming the view and the people shown (their ids).
Logs never carry a name, an ID number or a category next to a person.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.areas.models import CODE_LENGTHS
from chalicelib.domain.intake import service as intake
from chalicelib.domain.intake.models import STATUS_TITLES as TICKET_STATUS_TITLES, Ticket, TicketIn, TicketPersonIn
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, pii, storage, workdays
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Problem, Unprocessable
from chalicelib.platform.logs import logger
from chalicelib.platform.model import Page
from chalicelib.platform.storage.paging import paged
from chalicelib.platform.timeutil import SHANGHAI, plus_days, to_shanghai, today_shanghai
from plugins.special_populations import criteria, grants, params
from plugins.special_populations.criteria import Facts, Standing
from plugins.special_populations.models import (
    ENTITY, EVENT_FIELDS, GRID_LIST_ENTITY, HELP_KINDS, HELP_STATUSES, LEGAL_SERVICES, LIST, GridVisitEntry,
    Help, HelpIn, IdClaim, HelpChange, LegalEvents, Person, RosterEntry, SpecialCategoryOut, SpecialPersonChange,
    SpecialPersonIn, SpecialPersonOut, Visit,
    VisitIn, VisitOut, VisitsHead,
)

OFFICER, GRID_WORKER = "corrections_officer", "grid_worker"
DISTRICT_DIGITS = 6
AUDIT_CHUNK = 100  # items per TransactWriteItems
LEGAL_CATEGORY = "consultation"  # the intake category a legal-services need is recorded under; the first
                                 # receiver reclassifies it (mediation, legal aid) when routing


# --- access (S5) -------------------------------------------------------------------------------------

def is_officer_of(caller: Caller, grid: str) -> bool:
    """A corrections officer of the district (or a town of it) the grid belongs to."""
    return (OFFICER in caller.roles and bool(caller.area) and len(caller.area or "") >= DISTRICT_DIGITS
            and grid.startswith(caller.area or "-"))


def is_grid_worker_of(caller: Caller, grid: str) -> bool:
    """The grid worker assigned to the grid: their jurisdiction is exactly that grid. A grid worker whose
    area is a town or village is not the worker of every grid under it: the area list is a prefix query,
    and such a token would otherwise read the whole town's list (seen on the walk with the README's token)."""
    return GRID_WORKER in caller.roles and caller.area == grid and CODE_LENGTHS.get(len(grid)) == "grid"


def _hidden() -> NotFound:
    detail, code = Person.missing
    return NotFound(detail, code=code)


def read_basis(caller: Caller, area: str) -> str | None:
    """How `caller` may read the full records under `area` (a district or below): "" as a corrections
    officer of it, "（依授权 <id>）" through a valid grant of its district (said in every audit entry of the
    read), None not at all. The grant is looked up only for callers who are not the district's officers."""
    if is_officer_of(caller, area):
        return ""
    held = grants.holding(caller, area[:DISTRICT_DIGITS], today_shanghai()) if len(area) >= DISTRICT_DIGITS else None
    return f"（依授权 {held.id}）" if held else None


def _full_read(caller: Caller, person_id: str, on: date) -> tuple[Person, str, dict[str, int] | None]:
    """The person, the basis of the caller's read (see `read_basis`) and the settings in force at their grid
    on `on` when read with them (`_with_settings`); to anyone else the person does not exist."""
    person, found = _with_settings(person_id, on)
    basis = read_basis(caller, person.grid) if person is not None else None
    if basis is None:
        raise _hidden()
    return person, basis, found


def _with_settings(person_id: str, on: date) -> tuple[Person | None, dict[str, int] | None]:
    """The person and the settings in force at their grid on `on`, in one BatchGetItem: a person's id names
    the grid they were registered at (`<grid>.<hex>`), so the parameters there are read with the record
    (`policy.read_along`). None for the settings when the id names no grid or another than the record's
    now (a corrected grid): `full_view` reads them then."""
    grid, dot, _ = person_id.partition(".")
    if not (dot and len(grid) == 15 and grid.isdigit()):
        return storage.read(Person, person_id), None
    try:
        along = policy.read_along(SETTINGS, grid, also={Person: [person_id]})
    except NotFound:  # no such grid: no such person
        return None, None
    person = along.records[Person].get(person_id)
    if person is None or person.grid != grid:
        return person, None
    return person, _settings(along.resolve_many(on))


# --- categories (S1) ---------------------------------------------------------------------------------

SETTINGS = [*params.WINDOWS, *params.VISIT_DAYS.values(), params.REPORT_IN_DAYS]


def settings(grid: str, on: date) -> dict[str, int]:
    """The windows, look-ahead and visit frequencies in force at `grid` on `on` (one round trip)."""
    return _settings(policy.resolve_many(SETTINGS, grid, on))


def _settings(found: dict[str, policy.InForce]) -> dict[str, int]:
    return {name: int(found[name].value) for name in SETTINGS}


def facts_of(person: Person | LegalEvents, found: dict[str, int]) -> Facts:
    return Facts(correction_start=person.correction_start, correction_end=person.correction_end,
                 correction_ended=person.correction_ended, prison_release=person.prison_release,
                 rehab_release=person.rehab_release, after_prison_years=found[params.AFTER_PRISON_YEARS],
                 after_correction_years=found[params.AFTER_CORRECTION_YEARS],
                 aftercare_years=found[params.AFTERCARE_YEARS])


def standings_of(person: Person, found: dict[str, int], on: date) -> list[Standing]:
    return criteria.standings(facts_of(person, found), on, look_ahead=found[params.ALMOST_DAYS])


def next_visit_due(person: Person, current: list[Standing], found: dict[str, int]) -> date:
    """The last visit (or, before any, the day of registration) plus the shortest interval among the
    categories the person is in."""
    days = min(found[params.VISIT_DAYS[s.category]] for s in current)
    return plus_days(person.last_visit or person.registered_on, days)


# --- reporting in (社区矫正法 art. 21) ------------------------------------------------------------------

def report_in_due(person: Person, found: dict[str, int]) -> date | None:
    """The last day a correction subject may report in: N days after the judgment took effect, counted as
    民法典 arts. 201 and 203 count periods (the day it took effect does not count; a last day that is a
    holiday or weekend moves to the next working day, on the State Council's calendar)."""
    if person.judgment_effective is None or person.correction_start is None:
        return None
    start = datetime.combine(person.judgment_effective, time(0), SHANGHAI)
    end = workdays.period_end(start, found[params.REPORT_IN_DAYS]).end  # 24:00 of the last day
    return to_shanghai(end).date() - timedelta(days=1)


def report_in_missed(person: Person, found: dict[str, int], on: date) -> bool:
    """On `on`, the deadline has passed without the person reporting in, or they reported in late."""
    due = report_in_due(person, found)
    if due is None:
        return False
    if person.reported_on is not None:
        return person.reported_on > due
    return on > due


# --- checks on what an officer enters ----------------------------------------------------------------

def date_problems(events: LegalEvents) -> list[dict]:
    """Every inconsistency between the dated events, each naming its field (each date on its own — not in
    the future, within the term's horizon — is checked by its type in `LegalEvents`)."""
    e, out = events, []

    def bad(field: str, msg: str) -> None:
        out.append({"loc": [field], "msg": msg})

    if (e.correction_start is None) != (e.correction_end is None):
        bad("correction_end" if e.correction_end is None else "correction_start", "矫正期起止日须同时填写")
    if e.correction_start and e.correction_end and e.correction_end < e.correction_start:
        bad("correction_end", "矫正期满日早于起始日")
    if e.correction_ended and not e.correction_start:
        bad("correction_ended", "未填写矫正期，不能填写解除日期")
    if e.correction_ended and e.correction_start and not e.correction_start <= e.correction_ended <= (
            e.correction_end or e.correction_ended):
        bad("correction_ended", "解除社区矫正之日应在矫正期内")
    if e.judgment_effective and e.prison_release and e.prison_release < e.judgment_effective:
        bad("prison_release", "刑满释放日早于判决生效日")
    if e.judgment_effective and e.correction_start and e.correction_start < e.judgment_effective:
        bad("correction_start", "矫正期起始日早于判决生效日")
    if e.reported_on and e.judgment_effective and e.reported_on < e.judgment_effective:
        bad("reported_on", "报到日早于判决生效日")
    return out


def _refuse_bad_dates(events: LegalEvents) -> None:
    problems = date_problems(events)
    if problems:
        names = "、".join(p["loc"][0] for p in problems)
        raise Unprocessable(f"日期有误：{names}", code="inconsistent_dates", errors=problems)


def _officer_may_place(caller: Caller, grid: str) -> None:
    if not is_officer_of(caller, grid):
        raise Forbidden(f"网格 {grid} 不在您所在区的社区矫正管辖范围内", code="outside_jurisdiction",
                        errors=[{"loc": ["grid"], "msg": "不在您的管辖范围内"}])


# --- records (S1, S5) --------------------------------------------------------------------------------

def register(caller: Caller, data: SpecialPersonIn, *, person_id: str | None = None) -> Person:
    """One transaction: the person, the ID number's uniqueness item, the grid's existence and the audit
    entry — no read before the write.

    Two calls, one over a create's floor of 1: the answer shows the categories, judged with the parameters in
    force at the grid (the policy domain's own BatchGetItem)."""
    _officer_may_place(caller, data.grid)
    today = today_shanghai()
    _refuse_bad_dates(data)
    sealed_id = pii.seal_id_number(data.id_number)
    phone = pii.seal_phone(data.phone).fields("phone") if data.phone else {}
    person = Person(id=person_id or f"{data.grid}.{uuid.uuid4().hex}", name=data.name, grid=data.grid,
                    **sealed_id.fields("id"), **phone, **{f: getattr(data, f) for f in EVENT_FIELDS},
                    registered_on=today, registered_by=caller.sub)
    once = storage.Check(
        storage.put_op(storage.stamp_new(IdClaim(id=sealed_id.hash, person=person.id)).to_item()),
        Conflict("该身份证号已登记", code="already_registered", errors=[{"loc": ["id_number"], "msg": "已登记"}]))
    return storage.put_new(person, also=[areas.must_exist(data.grid, field="grid", level="grid"), once,
                                         VisitsHead.op(person.id, person.grid),
                                         audit.entry(caller.actor, "create", ENTITY, person.id, "登记特殊人群人员")])


def read(caller: Caller, person_id: str, on: date | None = None) -> SpecialPersonOut:
    """The full record and its categories on `on` (default today), for an officer of the district with the
    full ID number and phone; through a grant (oversight, not the case: CONTRACT "an admin holds no case")
    with both masked. Every read is audited, saying which.

    Two calls, the read's floor of 1 + its audit entry: the categories are judged with the parameters in
    force at the person's grid, which the person's id names, so they are read with the person
    (`_with_settings`; a person whose grid was corrected since costs one read more)."""
    on = on or today_shanghai()
    person, basis, found = _full_read(caller, person_id, on)
    numbers = "含身份证号、电话" if not basis else "身份证号、电话掩码"
    audit.record_read(caller.actor, ENTITY, person.id, f"查看特殊人群档案（完整视图，{numbers}；类别判断日 {on}）{basis}")
    return full_view(person, on, masked=bool(basis), found=found)


def full_view(person: Person, on: date, *, masked: bool = False, found: dict[str, int] | None = None) -> SpecialPersonOut:
    """The record; the ID number and phone in full for the district's officers, masked with `masked`.
    `found`: the settings in force at its grid on `on`, if already read."""
    found = found if found is not None else settings(person.grid, on)
    if masked:
        id_number, phone = person.id_masked, person.phone_masked
    else:
        id_number = pii.Sealed("id_number", person.id_cipher, person.id_hash, person.id_masked).reveal()
        phone = (pii.Sealed("phone", person.phone_cipher, person.phone_hash or "", person.phone_masked or "")
                 .reveal() if person.phone_cipher else None)
    return SpecialPersonOut(
        id=person.id, name=person.name, grid=person.grid, id_number=id_number, phone=phone,
        **{f: getattr(person, f) for f in EVENT_FIELDS}, last_visit=person.last_visit,
        report_in_due=report_in_due(person, found), report_in_missed=report_in_missed(person, found, on), as_of=on,
        categories=[SpecialCategoryOut.of(s) for s in standings_of(person, found, on)], version=person.version,
        created_at=person.created_at)


def correct(caller: Caller, person_id: str, data: SpecialPersonChange, *, expected_version: int) -> SpecialPersonOut:
    """Correct the dated events or the grid; stale versions are 409, the change audited (fields only).

    Two calls: the person (access, dates checked together, version) with the parameters in force at the grid
    its id names (for the categories the answer shows), then the transaction; a correction of the grid reads
    the new grid's parameters after it."""
    today = today_shanghai()
    person, found = _with_settings(person_id, today)
    if person is None or not is_officer_of(caller, person.grid):
        raise _hidden()
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if "grid" in changes and changes["grid"] is None:
        raise Unprocessable("网格不能为空", errors=[{"loc": ["grid"], "msg": "不能为空"}])
    also: list = []
    if changes.get("grid") and changes["grid"] != person.grid:
        _officer_may_place(caller, changes["grid"])
        also += [areas.must_exist(changes["grid"], field="grid", level="grid"), VisitsHead.op(person.id, changes["grid"])]
    merged = LegalEvents(**{f: changes.get(f, getattr(person, f)) for f in EVENT_FIELDS})
    _refuse_bad_dates(merged)
    summary = "更正特殊人群人员信息：" + "、".join(sorted(changes)) if changes else "更正特殊人群人员信息（无变化）"
    updated = storage.update(person, changes, expected_version=expected_version,
                             also=[*also, audit.entry(caller.actor, "update", ENTITY, person.id, summary)])
    return full_view(updated, today, found=found if updated.grid == person.grid else None)


# --- the grid list (S2) ------------------------------------------------------------------------------

def grid_list(caller: Caller, grid: str | None, *, limit: int, cursor: str | None) -> Page[GridVisitEntry]:
    """The people of the caller's grid who are in a category today, with only what a visit needs. One
    Query for the grid, one policy read; the read is audited for the list and for every person shown.

    Three calls, one over a read's floor of 1 + its audit entry: the categories shown are judged with the
    parameters in force at the grid (windows, visit frequencies), which live in the policy domain's own items
    and are read by it in one BatchGetItem; no key of this plugin brings them into the grid's Query."""
    grid = grid or caller.area or ""
    if not is_grid_worker_of(caller, grid):
        raise NotFound("没有这个网格的名单", code="grid_list_not_found")
    today = today_shanghai()
    found = settings(grid, today)
    entries = []
    for item in storage.every(Person, LIST, grid, max_items=2000):
        person = Person.from_item(item)
        current = [s for s in standings_of(person, found, today) if s.met]
        if current:
            entries.append(GridVisitEntry(id=person.id, name=person.name, phone_masked=person.phone_masked,
                                     categories=[s.label for s in current], until=max(s.until for s in current),
                                     next_visit_due=next_visit_due(person, current, found)))
    page, next_cursor = paged(entries, sort_key=lambda e: f"{e.next_visit_due}#{e.id}",
                              query_id=f"special-populations-grid|{grid}|{today}", limit=limit, cursor=cursor)
    _audit_list_read(caller, grid, [e.id for e in page], list_summary=f"查看网格特殊人群名单（{len(page)} 人）",
                     person_summary=f"出现在网格名单中（网格视图，网格 {grid}）")
    return Page[GridVisitEntry](items=page, next_cursor=next_cursor)


def _audit_list_read(caller: Caller, area: str, person_ids: list[str], *, list_summary: str,
                     person_summary: str) -> None:
    """One entry for the list (under the area) and one per person shown (in the person's own trail)."""
    ops = [audit.entry(caller.actor, "read", GRID_LIST_ENTITY, area, list_summary)]
    ops += [audit.entry(caller.actor, "read", ENTITY, pid, person_summary) for pid in person_ids]
    for start in range(0, len(ops), AUDIT_CHUNK):
        storage.transact(ops[start:start + AUDIT_CHUNK])


def people_in(area: str) -> Iterable[Person]:
    """Everyone registered under `area` (one Query of the city partition) — for checks, never shown."""
    return (Person.from_item(i) for i in storage.every(Person, LIST, area, max_items=10_000))


# --- visits and help (S3) ----------------------------------------------------------------------------

_UNREAD = object()


def _visitor(caller: Caller, person_id: str, *, found: Person | None | object = _UNREAD) -> Person:
    """The person, for whoever may visit them: the assigned grid worker or an officer of the district.
    To anyone else — a grid worker of another grid included — they do not exist (S5 keeps existence
    private, so this is the 404 an unknown id gets, not a 403 that would confirm the id). `found`: the person
    already read (with their visit)."""
    person = found if found is not _UNREAD else storage.read(Person, person_id)
    if person is None or not (is_officer_of(caller, person.grid) or is_grid_worker_of(caller, person.grid)):
        raise _hidden()
    return person


def record_visit(caller: Caller, person_id: str, data: VisitIn) -> VisitOut:
    """The visit, the person's `last_visit` when it is the latest (conditional on the version read) and the
    audit entry, in one transaction. Legal services asked for open an intake ticket afterwards (see
    `_open_tickets`): the visit's own transaction comes first, so an Idempotency-Key claims the visit.

    Two calls, one over a create's floor of 1: the person must be read before the write, since the visit moves
    their last_visit on the version read, its recorder's role comes from their grid, and a legal-services need
    is refused without their phone."""
    person = _visitor(caller, person_id)
    _refuse_unticketable(person, [Help(**h.model_dump()) for h in data.help])
    role = OFFICER if is_officer_of(caller, person.grid) else GRID_WORKER
    visit = Visit(id=f"{data.day.isoformat()}-{uuid.uuid4().hex}", person=person.id, day=data.day, by=caller.sub,
                  by_role=role, situation=data.situation, education=data.education,
                  help=[Help(**h.model_dump()) for h in data.help])
    if person.last_visit is None or data.day > person.last_visit:
        _, moved = storage.prepare_update(person, {"last_visit": data.day}, expected_version=person.version)
    else:
        moved = storage.check(Person, person.id)
    kinds = "、".join(HELP_KINDS[h.kind] for h in data.help)
    summary = f"记录走访（{data.day}）" + (f"，帮扶：{kinds}" if kinds else "")
    visit = storage.put_new(visit, also=[moved, audit.entry(caller.actor, "create", ENTITY, person.id, summary)])
    return with_ticket_statuses(*_open_tickets(caller, person, visit))


# --- legal services through an intake ticket (S3) -------------------------------------------------------

def _refuse_unticketable(person: Person, help: list[Help]) -> None:
    """Legal services still without a ticket need what the ticket needs: the request in words, and a phone
    to reach the person by (checked before anything is written)."""
    problems = []
    for i, h in enumerate(help):
        if h.kind != LEGAL_SERVICES or h.ticket:
            continue
        if not h.need:
            problems.append({"loc": ["help", i, "need"], "msg": "请填写法律服务需求，将代为登记受理事项"})
        if not person.phone_cipher:
            problems.append({"loc": ["help", i, "kind"], "msg": "该人员未登记联系电话，无法代为登记受理事项；可请本人到窗口或拨打 12348 提出"})
    if problems:
        raise Unprocessable("法律服务帮扶须代为登记受理事项，信息不全", code="legal_services_incomplete", errors=problems)


def _open_tickets(caller: Caller, person: Person, visit: Visit) -> tuple[Visit, dict[str, str]]:
    """For each legal-services help of the visit without a ticket, an intake ticket for the person, recorded
    on their behalf by the caller (channel "grid visit"; the caller owns it as first receiver), then the
    visit updated with the codes and the help marked referred. The ticket says what was asked and who asks,
    never why the person is visited. A failure leaves the help without a ticket; updating the help opens it.
    Returns the visit and the status titles of the tickets just opened (known: not read again)."""
    pending = [i for i, h in enumerate(visit.help) if h.kind == LEGAL_SERVICES and not h.ticket]
    if not pending:
        return visit, {}
    phone = pii.Sealed("phone", person.phone_cipher or "", person.phone_hash or "", person.phone_masked or "").reveal()
    help, opened = list(visit.help), []
    for i in pending:
        try:
            ticket = intake.create(caller, TicketIn(
                channel="grid_visit", grid=person.grid, category=LEGAL_CATEGORY,
                text=f"走访中提出的法律服务需求：{help[i].need}", person=TicketPersonIn(name=person.name, phone=phone)))
        except Problem as exc:  # the visit is saved: say so, and leave the ticket for the next update of the help
            logger().warning("legal services ticket not opened", extra={"code": exc.code})
            continue
        status = "referred" if help[i].status == "requested" else help[i].status
        help[i] = help[i].model_copy(update={"ticket": ticket.id, "status": status,
                                             "referred_to": help[i].referred_to or "公共法律服务受理"})
        opened.append(ticket)
    if not opened:
        return visit, {}
    codes = "、".join(t.id for t in opened)
    updated = storage.update(visit, {"help": help}, expected_version=visit.version,
                             also=[audit.entry(caller.actor, "update", ENTITY, person.id,
                                               f"走访 {visit.id} 的法律服务需求已代为登记受理事项 {codes}")])
    return updated, {t.id: _ticket_status(t) for t in opened}


def _ticket_status(ticket: Ticket) -> str:
    return TICKET_STATUS_TITLES[ticket.status] + ("（已超过办理时限）" if ticket.overdue else "")


def with_ticket_statuses(visits: Visit | list[Visit], known: dict[str, str] | None = None) -> VisitOut | list[VisitOut]:
    """The visits as shown, each ticket with its status now (one BatchGetItem for the tickets not `known`)."""
    many = visits if isinstance(visits, list) else [visits]
    statuses = dict(known or {})
    codes = [h.ticket for v in many for h in v.help if h.ticket and h.ticket not in statuses]
    tickets = storage.find_many(Ticket, codes) if codes else {}
    statuses.update({code: _ticket_status(t) for code, t in tickets.items()})
    out = [VisitOut.of(v, statuses) for v in many]
    return out if isinstance(visits, list) else out[0]


def visits(caller: Caller, person_id: str, *, limit: int, cursor: str | None) -> Page[VisitOut]:
    """The person's visits, newest first (one Query of their partition), for their visitors and for a
    bureau account holding the district's grant; the read audited.

    Two calls on the first page, the read's floor of 1 + its audit entry: the access check needs the person's
    grid, which `VisitsHead` keeps at the head of the visits, so the page's Query brings it first (one more
    item asked for). A later page (a cursor), or a person without one, reads the person for it (one GetItem
    more): the person's own record sorts before the visits while the list is newest first, and the visits do
    not carry the grid (an officer may correct it). Nothing is shown before the check: someone else gets the
    same 404 as for no such person (before a bad cursor's 400)."""
    if not storage.is_record_id(person_id):
        raise _hidden()
    if cursor:  # a later page: no head on it
        basis = _visits_basis(caller, storage.read(Person, person_id))
        page = storage.page(Visit, ENTITY, person_id, after=("visit",), limit=limit, cursor=cursor, newest_first=True)
        items, next_cursor = page.items, page.next_cursor
    else:
        page = storage.page(Visit, ENTITY, person_id, after=("visit",), limit=limit + 1, newest_first=True)
        head = page.items[0] if page.items and page.items[0].get("entity") == VisitsHead.entity else None
        if head is not None:
            basis = _visits_basis(caller, VisitsHead.from_item(head))
            items, next_cursor = page.items[1:], page.next_cursor
        else:  # no head kept for this person: read them, and the page again if the one more item was a visit
            basis = _visits_basis(caller, storage.read(Person, person_id))
            items, next_cursor = page.items, page.next_cursor
            if len(items) > limit:
                page = storage.page(Visit, ENTITY, person_id, after=("visit",), limit=limit, newest_first=True)
                items, next_cursor = page.items, page.next_cursor
    audit.record_read(caller.actor, ENTITY, person_id, f"查看走访记录（{len(items)} 条）{basis}")
    return Page[VisitOut](items=with_ticket_statuses([Visit.from_item(i) for i in items]), next_cursor=next_cursor)


def _visits_basis(caller: Caller, person: Person | VisitsHead | None) -> str:
    """Why the caller may read the person's visits ("" for their grid worker); 404 for anyone else."""
    basis = None
    if person is not None:
        basis = "" if is_grid_worker_of(caller, person.grid) else read_basis(caller, person.grid)
    if basis is None:
        raise _hidden()
    return basis


# --- the district roster (corrections officers) --------------------------------------------------------

def roster(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[RosterEntry]:
    """Everyone registered under `area` (the officer's district or a part of it), one Query page in grid
    order, masked; the read audited for the list and every person shown.

    Three calls, one over a read's floor of 1 + its audit entry: the categories of each person are judged
    with the parameters in force at their grid, read for every grid on the page in one BatchGetItem
    (`policy.read_along_each`) once the page names them; no key of this plugin brings them into the roster's
    Query."""
    area = area or caller.area or ""
    basis = read_basis(caller, area)
    if basis is None:
        raise NotFound("没有这个名单", code="roster_not_found")
    today = today_shanghai()
    page = storage.page(Person, LIST, area, limit=limit, cursor=cursor)
    people = [Person.from_item(i) for i in page.items]
    along = policy.read_along_each(SETTINGS, {p.grid for p in people}) if people else {}
    settings_by_grid = {grid: _settings(read.resolve_many(today)) for grid, read in along.items()}
    items = []
    for person in people:
        found = settings_by_grid.get(person.grid) or settings(person.grid, today)
        items.append(RosterEntry(id=person.id, name=person.name, grid=person.grid, id_masked=person.id_masked,
                                 phone_masked=person.phone_masked,
                                 categories=[s.label for s in standings_of(person, found, today) if s.met],
                                 report_in_missed=report_in_missed(person, found, today)))
    _audit_list_read(caller, area, [e.id for e in items], list_summary=f"查看特殊人群花名册（{len(items)} 人）{basis}",
                     person_summary=f"出现在花名册中（掩码视图，区域 {area}）{basis}")
    return Page[RosterEntry](items=items, next_cursor=page.next_cursor)


def update_help(caller: Caller, person_id: str, visit_id: str, data: HelpChange, *,
                expected_version: int) -> VisitOut:
    """Record how the help of a visit went (referred, granted, refused, with the outcome); audited with the
    kinds and statuses, never the text. The tickets already opened stay with the legal-services items, in
    order (one cannot be dropped: the ticket exists); a new legal-services item opens its ticket. Two calls
    (without tickets to show): the person and the visit, kept in the person's partition, in one BatchGetItem,
    then the conditional update with its audit entry."""
    at = storage.Place(of=person_id, sort=("visit", visit_id))
    found = storage.find_each({Person: [person_id], Visit: [at]})
    person = _visitor(caller, person_id, found=found[Person].get(person_id))
    visit = found[Visit].get(at)
    if visit is None:
        detail, code = Visit.missing
        raise NotFound(detail, code=code)
    help = _keep_tickets(visit.help, data.help)
    _refuse_unticketable(person, help)
    states = "、".join(f"{HELP_KINDS[h.kind]}{HELP_STATUSES[h.status]}" for h in help) or "无"
    updated = storage.update(visit, {"help": help}, expected_version=expected_version,
                             also=[audit.entry(caller.actor, "update", ENTITY, person.id,
                                               f"更新走访 {visit.id} 的帮扶进展：{states}")])
    return with_ticket_statuses(*_open_tickets(caller, person, updated))


def _keep_tickets(before: list[Help], after: list[HelpIn]) -> list[Help]:
    tickets = [h.ticket for h in before if h.kind == LEGAL_SERVICES and h.ticket]
    legal = [i for i, h in enumerate(after) if h.kind == LEGAL_SERVICES]
    if len(legal) < len(tickets):
        raise Unprocessable("已代为登记受理事项的法律服务帮扶不能删除", code="ticket_kept",
                            errors=[{"loc": ["help"], "msg": f"须保留 {len(tickets)} 项法律服务（受理事项 {'、'.join(tickets)}）"}])
    out = [Help(**h.model_dump()) for h in after]
    for i, code in zip(legal, tickets):
        out[i].ticket = code
    return out
