"""The rules of intake (SPEC C5), with no HTTP: every function takes the caller and its parsed input.

The life of a ticket (`models.ALLOWED` is the whole table):
- `received`  a resident asked in the mini-program; nobody holds it yet. Staff of the grid's area see it in
              their area's `unrouted` list; the first of them to accept, answer or route it becomes its
              first receiver (首问负责人) and owns it until the resident has the result.
- `accepted`  staff recorded it at a counter, on the 12348 line or during a grid visit (they own it at once),
              or accepted a resident's request.
- `routed`    the owner routed it to a service: the target's `open_case` opened the service's own case and
              the ticket keeps its `CaseRef`; reading the ticket asks the target's `progress`. A transfer to
              another service keeps the owner (首问负责制) and records why.
- `closed`    answered on the spot, or closed by the owner with the service's result; the owner may reopen
              it (back to `accepted`, with a reason) when the resident comes back.
Only the owner changes an owned ticket (403 for anyone else, 404 for staff outside its area); a step the
state does not allow is 409 naming the allowed ones.

Time limit (限时办结): `intake.<category>_days` working days (State Council calendar), or the enabled service's
own period for the category (`models.deadline_parameter`), from the day received, in force for the grid on that day; `intake.due_soon_days` makes the "almost overdue" window. The daily
`sweep_overdue` marks what passed its limit.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from chalicelib import plugin
from chalicelib.domain import counting
from chalicelib.domain.accounts import service as accounts
from chalicelib.domain.intake import access
from chalicelib.domain.notify import service as notify
from chalicelib.domain.intake.models import (
    ALLOWED, CATEGORIES, DUE_SOON_PARAMETER, ENTITY, STATUS_TITLES, STEP_TITLES, STAFF_CHANNELS,
    ACTION_TITLES, AnswerIn, Case, CaseOut, CloseIn, TicketContactOut, DueEntry, MineEntry, MineOut,
    ProgressOut, ReopenIn, RouteIn, Step, StepOut, TargetList, TargetOut, Ticket, TicketIn, TicketOut,
    TicketSummary, TransferIn, deadline, deadline_parameter, next_code, time_limit_text,
)
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, metrics, pii, storage, workdays
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Problem, ServiceUnavailable, Unprocessable
from chalicelib.platform.logs import logger
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc, to_shanghai, today_shanghai

SWEEP_LOOKBACK_DAYS = 7  # the sweep also looks at the days before yesterday, so a missed run catches up


# --- creating -------------------------------------------------------------------------------------------

def create(caller: Caller, data: TicketIn) -> Ticket:
    """Record a request as a ticket. A resident asks for themself in the mini-program; staff record one at a
    counter, on the 12348 line or during a grid visit, for a resident account or a name and phone, and own
    it from that moment. The ticket, the resident's list entry, the due-day entry, the message to the
    resident and the audit entry are one transaction, after the time limit's policy read and the code's
    number (`models.next_code`): three calls, whoever else is asking at the same moment, with or without an
    `Idempotency-Key` (its claim is looked up in the policy read's BatchGetItem and written in the
    transaction). Why not one: the code is the ticket's key and is answered at once, and a transaction
    returns no values, so its number must be known before the write — and moving the district's counter
    into the transaction would make every create of the district contend for that one item; the time limit
    in force sets the due day the ticket's lists sort by, so it is read before the write too. The other
    reads are conditions inside the transaction already: the resident account (a `ConditionCheck`) and the
    claim (a conditional `Put`).

    Nothing in the transaction is shared with another ticket's: DynamoDB cancels transactions that touch one
    item at the same moment (TransactionConflict), so a check of the grid record inside it would make a
    busy grid refuse its residents again. The grid is known to exist from the policy read, which reads its
    record along with the timelines (an unknown or retired grid is a 422 there, before a number is taken:
    a retired grid has no worker to take its requests); areas are never deleted, and a 15-digit code is a
    grid by its length."""
    fields = _who_and_how(caller, data)
    today = today_shanghai()
    limit = _limit(data.time_limit, data.grid, today, loc="grid", active=True)
    moment = now_utc()
    steps = [Step(at=moment, action="received", actor=caller.sub)]
    if caller.is_staff:
        steps.append(Step(at=moment, action="accepted", actor=caller.sub))
    code = next_code(data.district, today)
    ticket = Ticket(id=code, channel=data.channel, grid=data.grid, category=data.category, text=data.text,
                    received_by=caller.sub, received_on=today, **deadline(limit, today), history=steps, **fields)
    storage.stamp_new(ticket)  # its creation time goes into the resident's list entry
    also = [*_companions(ticket), *_notice(ticket, "received"),
            audit.entry(caller.actor, "create", ENTITY, code, f"登记受理事项 {code}（{data.channel}，{data.category}）")]
    if data.resident and caller.is_staff:
        also.append(accounts.resident_check(data.resident, Unprocessable(
            "没有这个居民账号", code="resident_not_found", errors=[{"loc": ["resident"], "msg": "账号不存在"}])))
    created = storage.put_new(ticket, also=also)
    metrics.figure("TicketsReceived")
    return created


def _who_and_how(caller: Caller, data: TicketIn) -> dict[str, Any]:
    """Who the ticket concerns and who owns it, by who records it (field errors relative to the input)."""
    if not caller.is_staff:
        wrong = [loc for loc, bad in (("channel", data.channel != "mini_program"), ("person", data.person),
                                      ("resident", data.resident)) if bad]
        if wrong:
            raise Unprocessable("居民本人在小程序提交时，渠道为 mini_program，且不填当事人信息", code="resident_fields",
                                errors=[{"loc": [loc], "msg": "居民本人提交时不可填写"} for loc in wrong])
        return {"resident": caller.sub, "status": "received"}
    require_covers(caller, data.grid, ["grid"])
    errors = []
    if data.channel not in STAFF_CHANNELS:
        errors.append({"loc": ["channel"], "msg": "工作人员登记时渠道为 counter、hotline_12348 或 grid_visit"})
    if not data.person and not data.resident:
        errors.append({"loc": ["person"], "msg": "请填写当事人姓名和电话，或其居民账号"})
    if errors:
        raise Unprocessable("登记信息有误", code="validation_failed", errors=errors)
    person = data.person.stored if data.person else {}
    return {"resident": data.resident, **person, "owner": caller.sub, "status": "accepted"}


def _limit(parameter: str, grid: str, on: date, *, loc: str, active: bool = False) -> policy.InForce:
    """The time limit `parameter` in force at `grid` on `on`; `active`: for a new ticket, whose grid must not
    be retired. A missing or retired grid is the input's fault (422 naming the field `loc`); anything else
    missing stays what it is."""
    try:
        return policy.resolve(parameter, grid, on, active_area=active)
    except NotFound as exc:
        if exc.code == "area_retired":
            raise Unprocessable(f"网格 {grid} 已撤销，不再受理新的事项", code="area_retired",
                                errors=[{"loc": [loc], "msg": "区域已撤销"}]) from None
        if exc.code == "area_not_found":
            raise Unprocessable(f"网格 {grid} 不存在", code="area_not_found",
                                errors=[{"loc": [loc], "msg": "区域不存在"}]) from None
        raise


def _companions(ticket: Ticket) -> list[dict[str, Any]]:
    """The items kept in step with a new ticket: the resident's list entry and the due-day entry."""
    ops = [storage.put_op(DueEntry(ticket=ticket.id, due_on=ticket.due_on).to_item())]
    return [*_mine_ops(ticket), *ops]


def _mine_ops(ticket: Ticket) -> list[dict[str, Any]]:
    """The resident's list entry, rewritten with the ticket's status (derived data: overwritten, not versioned)."""
    if not ticket.resident:
        return []
    entry = MineEntry(ticket=ticket.id, resident=ticket.resident, category=ticket.category, status=ticket.status,
                      received_at=ticket.created_at, due_on=ticket.due_on)
    return [storage.put_op(entry.to_item(), must_not_exist=False)]


# --- reading --------------------------------------------------------------------------------------------

def read(caller: Caller, code: str) -> TicketOut:
    """The ticket as the caller may see it: the resident reads status, answer and progress in plain Chinese;
    staff of its area also the person (masked), the owner and the whole history with actors — and the
    service's result only when they may read its case (`access.reads_case`). A staff read is audited (one
    write, as every audited read)."""
    ticket = access.readable(caller, code)
    staff = caller.is_staff and not access.is_resident_of(caller, ticket)
    from_case = ticket.case is not None and (ticket.status == "routed" or ticket.answer_from_case)
    out = view(ticket, staff=staff, outcome=not staff or (from_case and access.reads_case(caller, ticket)))
    if staff and ticket.resident:  # whether the resident was told at each stage (one Query)
        out.notices = notify.about(f"{ENTITY}:{ticket.id}")
    if staff:
        audit.record_read(caller.actor, ENTITY, ticket.id, f"查看受理事项 {ticket.id}")
    return out


# What a reader who may not read the service's case sees for the answer the ticket was closed with.
OUTCOME_WITHHELD = "已按承办单位反馈的结果办结（结果仅当事人及承办人员可见）"


def view(ticket: Ticket, *, staff: bool, outcome: bool = False) -> TicketOut:
    """The ticket for its reader; `outcome`: the reader may read the service's case, so its result (as the
    progress, or as the answer the ticket was closed with) is shown."""
    progress = _progress(ticket, outcome) if ticket.case and ticket.status == "routed" else None
    answer = ticket.answer if outcome or not ticket.answer_from_case else OUTCOME_WITHHELD
    history = [StepOut(at=s.at, action=s.action, title=ACTION_TITLES[s.action], actor=s.actor if staff else None,
                       note=s.note if staff else None) for s in ticket.history]
    deadline = (f"{CATEGORIES.get(ticket.category, ticket.category)} "
                f"{time_limit_text(ticket.deadline_days, ticket.deadline_unit)}内办结（至 {ticket.due_on}）")
    if ticket.deadline_estimated:
        deadline += "；次年节假日安排未公布，按法定节假日估算"
    return TicketOut(
        code=ticket.id, channel=ticket.channel, grid=ticket.grid, category=ticket.category,
        category_title=CATEGORIES.get(ticket.category, ticket.category), text=ticket.text, status=ticket.status,
        status_title=STATUS_TITLES[ticket.status], received_on=ticket.received_on, due_on=ticket.due_on,
        deadline=deadline, overdue=ticket.overdue, answer=answer,
        case=CaseOut.of(ticket.case) if ticket.case else None, progress=progress,
        person_name=ticket.person_name if staff else None, phone_masked=ticket.phone_masked if staff else None,
        resident=ticket.resident if staff else None, owner=ticket.owner if staff else None,
        history=history, version=ticket.version)


def _target(code: str) -> tuple[plugin.Plugin, plugin.IntakeTarget] | None:
    for found in plugin.intake_targets():
        if found[1].code == code:
            return found
    return None


def _progress(ticket: Ticket, outcome: bool = True) -> ProgressOut:
    """Where the service's case stands, with its result when `outcome`. A service disabled since, or
    failing, leaves the ticket readable."""
    found = _target(ticket.case.target)
    if found is None:
        return ProgressOut(status="承办服务暂未开放，请联系首问负责人", closed=False)
    owner, target = found
    try:
        progress = target.progress(ticket.case.ref())
    except Exception as exc:  # noqa: BLE001 — a plugin failing in a hook fails alone
        logger().exception("intake progress failed", extra={"plugin": owner.name, "error": type(exc).__name__})
        return ProgressOut(status="暂时无法获取办理进度", closed=False)
    return ProgressOut(status=progress.status, closed=progress.closed, result=progress.result if outcome else None)


def contact(caller: Caller, code: str) -> TicketContactOut:
    """The person's phone in full, for the owner who must reach them; the read is audited."""
    ticket = access.readable(caller, code)
    if caller.sub != ticket.owner:
        raise Forbidden("只有首问负责人可查看当事人完整电话", code="not_owner")
    audit.record_read(caller.actor, ENTITY, ticket.id, f"查看受理事项 {ticket.id} 当事人完整电话（联系当事人）")
    phone = pii.decrypt("phone", ticket.phone_cipher) if ticket.phone_cipher else None
    return TicketContactOut(name=ticket.person_name, phone=phone)


def targets() -> TargetList:
    return TargetList(items=[TargetOut(code=t.code, title=t.title, service=p.name, service_title=p.title,
                                       categories=list(t.categories)) for p, t in plugin.intake_targets()])


# --- steps ----------------------------------------------------------------------------------------------

def _handle(caller: Caller, code: str, step: str, expected_version: int) -> Ticket:
    """The ticket if the caller may take `step` now: staff of its area who may read it (`access.may_read`:
    a receiver or an admin while nobody holds it; 404 otherwise), its owner when it has one (403), in a state
    allowing the step (409), at the version the caller saw (409)."""
    ticket = access.load(code, consistent=True)
    if not caller.covers(ticket.grid) or not access.may_read(caller, ticket):
        raise access.hidden()
    if ticket.owner and ticket.owner != caller.sub:
        raise Forbidden("该事项由首问负责人办理，您不能操作", code="not_owner")
    allowed = ALLOWED[ticket.status]
    if step not in allowed:
        names = "、".join(f"{s}（{STEP_TITLES[s]}）" for s in allowed) or "无（已办结）"
        raise Conflict(f"事项当前为「{STATUS_TITLES[ticket.status]}」，不能{STEP_TITLES[step]}；可进行：{names}",
                       code="step_not_allowed", errors=[{"loc": ["status"], "msg": f"允许：{', '.join(allowed)}"}])
    if ticket.version != expected_version:
        raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version")
    return ticket


def _apply(caller: Caller, ticket: Ticket, changes: dict[str, Any], steps: list[Step], summary: str,
           also: list[dict[str, Any]] = (), notice: str | None = None) -> Ticket:
    """One transaction: the ticket (owned by the caller from its first step), the resident's list entry,
    anything else `also` keeps in step, the message to the resident (`notice`: the stage) and the audit entry."""
    changes = {"owner": ticket.owner or caller.sub, **changes, "history": [*ticket.history, *steps]}
    updated, op = storage.prepare_update(ticket, changes, expected_version=ticket.version)
    changed = {"status": {"from": ticket.status, "to": updated.status}} if updated.status != ticket.status else None
    messages = _notice(updated, notice) if notice else []
    storage.transact([op, *_mine_ops(updated), *also, *messages, *_closing_counts(ticket, updated),
                      audit.entry(caller.actor, steps[-1].action, ENTITY, ticket.id, summary, changed)])
    return updated


def _closing_counts(before: Ticket, after: Ticket) -> list[dict[str, Any]]:
    """The statistics' counts of a closing (C9, in its transaction; taken back when the ticket is reopened),
    at the grid in the month closed: closed within or past the time limit, and resolved at the grass roots
    (answered or closed at the desk without routing to a service) or escalated (closed after routing)."""
    if (before.status == "closed") == (after.status == "closed"):
        return []
    closed, sign = (after, 1) if after.status == "closed" else (before, -1)
    if closed.closed_at is None:
        return []
    on = to_shanghai(closed.closed_at).date()
    routed = closed.case is not None or bool(closed.earlier_cases)
    return [counting.count_op(closed.grid, on, {
        "intake.closed": sign, "intake.closed_late" if on > closed.due_on else "intake.closed_on_time": sign,
        "intake.escalated" if routed else "intake.grassroots": sign})]


# What the resident's subscribe message says at each stage (template keys: REFERENCE field rules; the
# template chosen for each stage in the console has these keys). Never the request's text: a message
# shows on the lock screen.
NOTICE_PHRASES = {"received": "已受理", "routed": "已转办", "answered": "已答复", "closed": "已办结"}


def _notice(ticket: Ticket, stage: str) -> list[dict[str, Any]]:
    """The outbox message telling the resident about this step (none for a person without an account)."""
    if not ticket.resident:
        return []
    notes = {
        "received": f"请于{ticket.due_on.month}月{ticket.due_on.day}日前留意办理结果",
        "routed": f"已转{_target_title(ticket)}办理",
        "answered": "已当场答复，请查看并评价",
        "closed": "已办结，请查看结果并评价",
    }
    data = {"character_string1": ticket.id, "thing2": CATEGORIES.get(ticket.category, ticket.category),
            "phrase3": NOTICE_PHRASES[stage], "time4": now_utc(), "thing5": notes[stage]}
    return [notify.message_op(ticket.resident, f"intake.{stage}", data, page=f"pages/tickets/detail?code={ticket.id}",
                              source=f"{ENTITY}:{ticket.id}", key=f"{ticket.id}-{stage}-v{ticket.version}")]


def _target_title(ticket: Ticket) -> str:
    """The target's short name ("法律援助"): a case's title explains the next step and is too long for a
    20-character message field, which would cut it mid-sentence."""
    found = _target(ticket.case.target) if ticket.case else None
    return found[1].title if found else "承办单位"


def _step(caller: Caller, action: str, note: str | None = None) -> Step:
    return Step(at=now_utc(), action=action, actor=caller.sub, note=note)


def _first(caller: Caller, ticket: Ticket) -> list[Step]:
    """The acceptance step when the caller becomes the first receiver by this very step."""
    return [] if ticket.owner else [_step(caller, "accepted")]


def accept(caller: Caller, code: str, expected_version: int) -> Ticket:
    ticket = _handle(caller, code, "accept", expected_version)
    return _apply(caller, ticket, {"status": "accepted"}, [_step(caller, "accepted")], f"受理 {code}（首问负责）")


def answer(caller: Caller, code: str, data: AnswerIn, expected_version: int) -> Ticket:
    """A simple matter answered and closed on the spot (前台办结)."""
    ticket = _handle(caller, code, "answer", expected_version)
    return _apply(caller, ticket, {"status": "closed", "answer": data.answer, "answer_from_case": False,
                                   "closed_at": now_utc()},
                  [*_first(caller, ticket), _step(caller, "answered"), _step(caller, "closed")],
                  f"当场答复并办结 {code}", notice="answered")


def route(caller: Caller, code: str, data: RouteIn, expected_version: int) -> Ticket:
    """Classify (中台研判) and route to a service (后台): the target opens its own case from the ticket. A new
    category recomputes the time limit from the day received, by the rule in force that day."""
    ticket = _handle(caller, code, "route", expected_version)
    changes: dict[str, Any] = {}
    if data.category and data.category != ticket.category:
        limit = _limit(deadline_parameter(data.category), ticket.grid, ticket.received_on, loc="category")
        changes = {"category": data.category, **deadline(limit, ticket.received_on)}
    # A moved due day gets its own entry so the sweep finds the ticket then (the old entry is harmless:
    # the sweep reads the ticket itself).
    also = [storage.put_op(DueEntry(ticket=code, due_on=changes["due_on"]).to_item(), must_not_exist=False)
            ] if changes and changes["due_on"] != ticket.due_on else []
    case = _open_case(caller, ticket.model_copy(update=changes), data.target)
    return _apply(caller, ticket, {**changes, "status": "routed", "case": case},
                  [*_first(caller, ticket), _step(caller, "routed", data.note)],
                  f"转办 {code} 至 {case.service}（{case.title}）", also, notice="routed")


def transfer(caller: Caller, code: str, data: TransferIn, expected_version: int) -> Ticket:
    """Route to another service (改派): the owner stays the first receiver, the reason is recorded, and the
    earlier case is kept in `earlier_cases`."""
    ticket = _handle(caller, code, "transfer", expected_version)
    if ticket.case and ticket.case.target == data.target:
        raise Conflict("已由该服务办理，无需改派", code="same_target", errors=[{"loc": ["target"], "msg": "与当前承办服务相同"}])
    case = _open_case(caller, ticket, data.target)
    earlier = [*ticket.earlier_cases, *([ticket.case] if ticket.case else [])]
    return _apply(caller, ticket, {"case": case, "earlier_cases": earlier},
                  [_step(caller, "transferred", data.reason)], f"改派 {code} 至 {case.service}（{case.title}）",
                  notice="routed")


def close(caller: Caller, code: str, data: CloseIn, expected_version: int) -> Ticket:
    """The owner closes a routed ticket with the result the resident reads: the service's result unless the
    owner writes one."""
    ticket = _handle(caller, code, "close", expected_version)
    result = data.result
    if result is None and ticket.case:
        result = _progress(ticket).result
    if not result:
        raise Unprocessable("承办单位尚未反馈结果，请填写办理结果", code="result_required",
                            errors=[{"loc": ["result"], "msg": "必填项"}])
    closing = {"status": "closed", "answer": result, "answer_from_case": data.result is None, "closed_at": now_utc()}
    return _apply(caller, ticket, closing,
                  [_step(caller, "closed")], f"办结 {code}", notice="closed")


def reopen(caller: Caller, code: str, data: ReopenIn, expected_version: int) -> Ticket:
    """The owner takes a closed ticket up again (the resident came back): it is theirs and open again, its
    earlier answer and case kept in the history; the time limit is not extended."""
    ticket = _handle(caller, code, "reopen", expected_version)
    earlier = [*ticket.earlier_cases, *([ticket.case] if ticket.case else [])]
    return _apply(caller, ticket, {"status": "accepted", "closed_at": None, "case": None, "earlier_cases": earlier},
                  [_step(caller, "reopened", data.reason)], f"重新办理 {code}")


def _open_case(caller: Caller, ticket: Ticket, target_code: str) -> Case:
    found = _target(target_code)
    if found is None:
        raise Unprocessable("没有这个承办服务（或该服务未启用）", code="unknown_target",
                            errors=[{"loc": ["target"], "msg": "未启用的受理目标"}])
    owner, target = found
    request = plugin.IntakeRequest(ticket_id=ticket.id, category=ticket.category, area=ticket.grid,
                                   text=ticket.text, actor=caller.actor, resident=ticket.resident)
    try:
        ref = target.open_case(request)
    except Problem:
        raise
    except Exception as exc:  # noqa: BLE001 — a plugin failing in a hook fails alone; the ticket is unchanged
        logger().exception("intake open_case failed", extra={"plugin": owner.name, "error": type(exc).__name__})
        raise ServiceUnavailable(f"「{owner.title}」暂时无法受理，请稍后再试或改派", code="target_failed") from None
    return Case(target=target.code, service=ref.service, entity=ref.entity, id=ref.id, title=ref.title,
                opened_at=now_utc())


# --- lists ----------------------------------------------------------------------------------------------

def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[MineOut]:
    page = storage.page(MineEntry, "intake-mine", caller.sub, limit=limit, cursor=cursor, newest_first=True)
    return Page[MineOut](items=[MineOut.of(MineEntry.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def held(caller: Caller, window: str, *, limit: int, cursor: str | None) -> Page[TicketSummary]:
    """The open tickets the caller owns, soonest deadline first: all of them, those past their limit, or
    those due within `intake.due_soon_days` working days (today included). One Query."""
    today = today_shanghai()
    bounds: dict[str, tuple[str]] = {}  # the held list sorts by due day: a window is a range of days
    if window == "overdue":  # due before today
        bounds = {"since": (date.min.isoformat(),), "until": (today.isoformat(),)}
    elif window == "due_soon":  # due from today to the window's last working day
        days = int(policy.resolve(DUE_SOON_PARAMETER, caller.area or "root", today).value)
        last = workdays.add_working_days(today, days).end
        bounds = {"since": (today.isoformat(),), "until": ((last + timedelta(days=1)).isoformat(),)}
    return _summaries(storage.page(Ticket, "intake-held", caller.sub, **bounds, limit=limit, cursor=cursor))


def in_area(caller: Caller, bucket: str, area: str | None, *, limit: int, cursor: str | None) -> Page[TicketSummary]:
    """An area's tickets of one bucket (`unrouted`, `routed`, `overdue`, `closed`), the caller's area and below,
    showing only the tickets the caller may read (`access.may_read`): one Query page, so a page may hold
    fewer than `limit` lines while `next_cursor` goes on."""
    area = area or caller.area
    if not area:
        raise Unprocessable("请指定区域", code="area_required", errors=[{"loc": ["area"], "msg": "必填项"}])
    require_covers(caller, area, ["area"])
    return _summaries(storage.page(Ticket, "intake-area", (area, bucket), limit=limit, cursor=cursor), caller)


def _summaries(page: storage.Page, caller: Caller | None = None) -> Page[TicketSummary]:
    tickets = [Ticket.from_item(i) for i in page.items]
    shown = [t for t in tickets if caller is None or access.may_read(caller, t, ask_service=False)]
    return Page[TicketSummary](items=[TicketSummary.of(t) for t in shown], next_cursor=page.next_cursor)


# --- the daily sweep --------------------------------------------------------------------------------------

def sweep_overdue(today: date | None = None) -> int:
    """Mark the open tickets whose time limit ended before `today` (Asia/Shanghai) as overdue: they move to
    their area's `overdue` list and the history says when. One Query per day looked at, one BatchGetItem
    per 100 tickets, one conditional write per ticket marked; safe to run twice (marked ones are skipped,
    a ticket changed meanwhile is left for the next run). For the core's scheduled handler."""
    today = today or today_shanghai()
    marked = 0
    for back in range(1, SWEEP_LOOKBACK_DAYS + 1):
        day = today - timedelta(days=back)
        codes = [i["ticket"] for i in storage.every(DueEntry, "intake-due", (day.isoformat(),), max_items=5000)]
        for ticket in storage.find_many(Ticket, codes).values():
            if ticket.status == "closed" or ticket.overdue or ticket.due_on >= today:
                continue
            step = Step(at=now_utc(), action="overdue", actor=audit.SYSTEM.sub)
            try:
                updated, op = storage.prepare_update(ticket, {"overdue": True, "history": [*ticket.history, step]},
                                                     expected_version=ticket.version)
                storage.transact([op, audit.entry(audit.SYSTEM, "overdue", ENTITY, ticket.id,
                                                  f"{ticket.id} 超过办理时限（{ticket.due_on}）")])
                marked += 1
            except Conflict:
                continue
    metrics.figure("TicketsOverdue", marked)
    return marked
