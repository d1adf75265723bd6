"""The rules of feedback 好差评 (SPEC C6), with no HTTP.

- A resident rates their own closed ticket once (404 for another's ticket, 409 if not closed or rated).
  Ratings on tickets are real-name: the rater is the ticket's resident account.
- A rating whose worst dimension is 不满意 or 非常不满意 opens a rectification task for the ticket's area in
  the same transaction: a callback within `feedback.callback_days` and the rectification within
  `feedback.rectify_days` working days (policy parameters in force for the grid that day). The resident
  reads the task with their rating.
- The staff member rated (the ticket's owner) may appeal a bad rating once, with a reason; an admin
  covering the area (the supervisor) decides, with a reason. Upheld: the rating leaves the figures and the
  task is withdrawn, in one transaction.
- The suggestion box (意见箱「解忧法空间」): real-name complaints and (optionally anonymous) suggestions to
  an area's responsible office, replied within `feedback.reply_days` working days; counts per area and month.
"""
from __future__ import annotations

import uuid
from typing import Any

from chalicelib.domain import counting
from chalicelib.domain.accounts import service as accounts
from chalicelib.domain.areas import service as areas
from chalicelib.domain.intake import access as tickets
from chalicelib.domain.policy import service as policy
from chalicelib.domain.feedback.models import (
    BAD, CALLBACK_PARAMETER, MESSAGE, RATING, RECTIFICATION, RECTIFY_PARAMETER, REPLY_PARAMETER, Appeal, AppealIn,
    DecisionIn, FeedbackTally, Message, MessageCounts, MessageIn, MessageOut, NoteIn, Rating, RatingIn, RatingOut,
    Rectification, RectificationOut, ReplyIn, StatsOut, worst,
)
from chalicelib.platform import audit, metrics, storage, workdays
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc, today_shanghai


def rate(caller: Caller, data: RatingIn) -> RatingOut:
    ticket = tickets.load(data.ticket)
    if not tickets.is_resident_of(caller, ticket):
        detail, code = ticket.missing
        raise NotFound(detail, code=code)
    if ticket.status != "closed":
        raise Conflict("事项办结后才能评价", code="ticket_not_closed", errors=[{"loc": ["ticket"], "msg": "尚未办结"}])
    today = today_shanghai()
    overall = worst(data.attitude, data.efficiency, data.competence)
    rating = Rating(id=ticket.id, grid=ticket.grid, month=today.strftime("%Y-%m"), rater=caller.sub,
                    staff=ticket.owner, attitude=data.attitude, efficiency=data.efficiency,
                    competence=data.competence, overall=overall, comment=data.comment)
    still_closed = tickets.must_stand(ticket.id, Conflict("事项办结后才能评价", code="ticket_not_closed"),
                                      status="closed")
    task = _rectification(ticket, rating) if overall in BAD else None
    also: list[Any] = [still_closed,
                       audit.entry(caller.actor, "create", RATING, ticket.id, f"评价 {ticket.id}（{overall}）"),
                       *tally_ops(rating.grid, rating.month, _counts(rating, task)),
                       counting.count_op(rating.grid, rating.month, {f"feedback.{overall}": 1})]  # the statistics (C9)
    if task:
        also += [storage.put_op(storage.stamp_new(task).to_item()),
                 audit.entry(caller.actor, "create", RECTIFICATION, ticket.id, f"差评 {ticket.id} 生成整改任务")]
    try:
        storage.put_new(rating, also=also)
    except Conflict as exc:
        if exc.code == "already_exists":
            raise Conflict("该事项已评价过", code="already_rated", errors=[{"loc": ["ticket"], "msg": "已评价"}]) from None
        raise
    if overall not in ("very_satisfied", "satisfied"):
        metrics.figure("RatingsBelowSatisfied")
    return RatingOut.of(rating, task)


def _rectification(ticket, rating: Rating) -> Rectification:
    today = today_shanghai()
    limits = policy.resolve_many([CALLBACK_PARAMETER, RECTIFY_PARAMETER], ticket.grid, today)
    callback, rectify = limits[CALLBACK_PARAMETER], limits[RECTIFY_PARAMETER]
    return Rectification(id=ticket.id, grid=ticket.grid, month=rating.month, staff=ticket.owner, opened_on=today,
                         callback_due=workdays.add_working_days(today, int(callback.value)).end,
                         rectify_due=workdays.add_working_days(today, int(rectify.value)).end,
                         basis=f"回访：{callback.describe()}；整改：{rectify.describe()}")


def _load(code: str) -> tuple[Rating, Rectification | None]:
    """The rating and its task in one BatchGetItem; 404 when there is no rating."""
    found = storage.find_each({Rating: [code], Rectification: [code]})
    if code not in found[Rating]:
        detail, problem = Rating.missing
        raise NotFound(detail, code=problem)
    return found[Rating][code], found[Rectification].get(code)


# Who reads a rating, its rectification task and the suggestion box (CONTRACT "Identity and access": on a
# need-to-know basis, everyone else 404): the unit concerned and its supervisors. For a rating and its task
# that is the staff member rated (the ticket's owner) and the admins covering the grid; for a complaint or
# suggestion, addressed to an area's responsible office, the admins covering that area. The rater, or the
# author, reads their own.

def concerns(caller: Caller, grid: str, staff: str | None) -> bool:
    """The rated staff member, or a supervisor: an admin covering the grid."""
    return (staff is not None and caller.sub == staff) or (caller.is_admin and caller.covers(grid))


def _visible(caller: Caller, rating: Rating) -> None:
    if caller.sub != rating.rater and not concerns(caller, rating.grid, rating.staff):
        detail, problem = Rating.missing
        raise NotFound(detail, code=problem)


def read(caller: Caller, code: str) -> RatingOut:
    rating, task = _load(code)
    _visible(caller, rating)
    return RatingOut.of(rating, task)


def _staff_of(caller: Caller, rating: Rating) -> None:
    if not concerns(caller, rating.grid, rating.staff):
        detail, problem = Rating.missing
        raise NotFound(detail, code=problem)


def appeal(caller: Caller, code: str, data: AppealIn, expected_version: int) -> RatingOut:
    rating, task = _load(code)
    _staff_of(caller, rating)
    if caller.sub != rating.staff:
        raise Forbidden("只有被评价的首问负责人可以申诉", code="not_rated_staff")
    if rating.overall not in BAD:
        raise Conflict("只有差评可以申诉", code="not_bad_rating")
    if rating.appeal:
        raise Conflict("该评价已申诉过", code="already_appealed")
    filed = Appeal(status="pending", reason=data.reason, by=caller.sub, at=now_utc())
    rating = storage.update(rating, {"appeal": filed}, expected_version=expected_version, also=[
        audit.entry(caller.actor, "appeal", RATING, code, f"对 {code} 的评价提出申诉")])
    return RatingOut.of(rating, task)


def decide(caller: Caller, code: str, data: DecisionIn, expected_version: int) -> RatingOut:
    """The supervisor (an admin covering the area) decides an appeal; upheld withdraws the task too."""
    rating, task = _load(code)
    _staff_of(caller, rating)
    if not rating.appeal or rating.appeal.status != "pending":
        raise Conflict("没有待处理的申诉", code="no_pending_appeal")
    decided = rating.appeal.model_copy(update={"status": "upheld" if data.uphold else "rejected",
                                               "decided_by": caller.sub, "decided_at": now_utc(),
                                               "decision_reason": data.reason})
    also = [audit.entry(caller.actor, "decide", RATING, code, f"{'支持' if data.uphold else '驳回'}对 {code} 评价的申诉")]
    before = _counts(rating, task)
    if data.uphold and task and task.status not in ("rectified", "withdrawn"):
        task, op = storage.prepare_update(task, {"status": "withdrawn"}, expected_version=task.version)
        also.append(op)
    after = _counts(rating.model_copy(update={"excluded": data.uphold}), task)
    if data.uphold and not rating.excluded:  # out of the statistics' 好差评 counts too (C9)
        also.append(counting.count_op(rating.grid, rating.month, {f"feedback.{rating.overall}": -1}))
    also += tally_ops(rating.grid, rating.month, _minus(after, before))
    rating = storage.update(rating, {"appeal": decided, "excluded": data.uphold}, expected_version=expected_version,
                            also=also)
    return RatingOut.of(rating, task)


def callback(caller: Caller, code: str, data: NoteIn, expected_version: int) -> RectificationOut:
    return _task_step(caller, code, data, expected_version, allowed=("open",),
                      changes={"status": "called_back", "callback_on": today_shanghai(), "callback_note": data.note},
                      action="callback", summary="回访")


def rectify(caller: Caller, code: str, data: NoteIn, expected_version: int) -> RectificationOut:
    return _task_step(caller, code, data, expected_version, allowed=("open", "called_back"),
                      changes={"status": "rectified", "rectified_on": today_shanghai(), "rectified_note": data.note},
                      action="rectify", summary="整改")


def _task_step(caller: Caller, code: str, data: NoteIn, expected_version: int, *, allowed: tuple[str, ...],
               changes: dict[str, Any], action: str, summary: str) -> RectificationOut:
    task = storage.require(Rectification, code, consistent=True)
    if not concerns(caller, task.grid, task.staff):
        detail, problem = Rectification.missing
        raise NotFound(detail, code=problem)
    if task.status not in allowed:
        raise Conflict(f"整改任务当前为「{task.status}」，不能{summary}；允许的状态：{'、'.join(allowed)}",
                       code="step_not_allowed")
    done = task.model_copy(update=changes)
    task = storage.update(task, changes, expected_version=expected_version, also=[
        audit.entry(caller.actor, action, RECTIFICATION, code, f"{code} 整改任务：{summary}"),
        *tally_ops(task.grid, task.month, _minus(_task_counts(done), _task_counts(task)))])
    return RectificationOut.of(task)


def open_tasks(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[RectificationOut]:
    """The area's open rectification tasks, soonest rectification deadline first within each grid: all of
    them for its admins, their own for the staff rated (one Query page: a page may hold fewer than `limit`)."""
    area = area or caller.area or ""
    require_covers(caller, area, ["area"])
    page = storage.page(Rectification, "feedback-rectification-open", (area, "open"), limit=limit, cursor=cursor)
    tasks = [t for t in map(Rectification.from_item, page.items) if concerns(caller, t.grid, t.staff)]
    return Page[RectificationOut](items=[RectificationOut.of(t) for t in tasks], next_cursor=page.next_cursor)


def stats(caller: Caller, area: str | None, month: str) -> StatsOut:
    """An area's month: satisfaction rate (基本满意 and better), callbacks on time among bad ratings, and
    rectifications finished on time among those due (rectified, or past their deadline today). One GetItem
    of the month's tally (`FeedbackTally`, kept by the transactions of ratings, appeals and task steps)."""
    area = area or caller.area or ""
    require_covers(caller, area, ["area"])
    tally = storage.read(FeedbackTally, f"{area}-{month}") or FeedbackTally(id=f"{area}-{month}")
    ratings, satisfied, bad = tally.count("ratings"), tally.count("satisfied"), tally.count("bad")
    on_time_calls, on_time = tally.count("called_back_on_time"), tally.count("rectified_on_time")
    due = tally.count("rectified") + tally.pending_before(today_shanghai())
    return StatsOut(area=area, month=month, ratings=ratings, satisfied=satisfied,
                    satisfaction_rate=_rate(satisfied, ratings), bad=bad,
                    called_back_on_time=on_time_calls, callback_rate=_rate(on_time_calls, bad),
                    rectifications_due=due, rectified_on_time=on_time,
                    rectification_on_time_rate=_rate(on_time, due))


def _counts(rating: Rating, task: Rectification | None) -> dict[str, int]:
    """What a rating and its task add to their month's figures as they stand."""
    counts = {} if rating.excluded else {"ratings": 1, "satisfied": int(rating.overall not in BAD)}
    return {**counts, **(_task_counts(task) if task else {})}


def _task_counts(task: Rectification) -> dict[str, int]:
    if task.status == "withdrawn":
        return {}
    return {"bad": 1, "called_back_on_time": int(bool(task.callback_on and task.callback_on <= task.callback_due)),
            "rectified": int(task.rectified_on is not None),
            "rectified_on_time": int(bool(task.rectified_on and task.rectified_on <= task.rectify_due)),
            f"pending_{task.rectify_due.isoformat()}": int(task.rectified_on is None)}


def _minus(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in {*after, *before}}


def tally_ops(grid: str, month: str, counts: dict[str, int]) -> list[dict]:
    """The ops adding `counts` (those not zero) to the month's tally of the grid and of every area above it
    to the city: in the transaction of the rating or step they count (CONTRACT, Data)."""
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return []
    return [storage.add_to(FeedbackTally, f"{grid[:digits]}-{month}", counts) for digits in (4, 6, 9, 12, 15)]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- the suggestion box 意见箱「解忧法空间」 ------------------------------------------------------------------

def post_message(caller: Caller, data: MessageIn) -> MessageOut:
    """A complaint (real-name: the author's account must have declared their real name) or a suggestion
    (anonymous allowed) to an area's responsible office, with its reply deadline; one transaction with the
    area check (and the real-name check for a complaint)."""
    if data.kind == "complaint" and data.anonymous:
        raise Unprocessable("投诉须实名，不能匿名", code="complaint_needs_real_name",
                            errors=[{"loc": ["anonymous"], "msg": "投诉不能匿名"}])
    today = today_shanghai()
    try:
        limit = policy.resolve(REPLY_PARAMETER, data.area, today)
    except NotFound as exc:
        if exc.code == "area_not_found":
            raise Unprocessable(f"区域 {data.area} 不存在", code="area_not_found",
                                errors=[{"loc": ["area"], "msg": "区域不存在"}]) from None
        raise
    message = Message(id=uuid.uuid4().hex, kind=data.kind, area=data.area, text=data.text,
                      author=None if data.anonymous else caller.sub, month=today.strftime("%Y-%m"),
                      received_on=today, reply_due=workdays.add_working_days(today, int(limit.value)).end,
                      basis=limit.describe())
    also: list[Any] = [areas.must_exist(data.area, field="area"),
                       audit.entry(caller.actor, "create", MESSAGE, message.id, f"意见箱收到{data.kind}")]
    if data.kind == "complaint":
        also.append(accounts.resident_check(
            caller.sub, Conflict("投诉须实名：请先在「我的」中完成实名登记", code="real_name_required"), real_name=True))
    return MessageOut.of(storage.put_new(message, also=also))


def read_message(caller: Caller, message_id: str) -> MessageOut:
    """Its author, or the admins covering its area (the responsible office and its supervisors); anyone else
    (and an anonymous author) gets 404."""
    message = storage.require(Message, message_id)
    if caller.sub != message.author and not (caller.is_admin and caller.covers(message.area)):
        detail, problem = Message.missing
        raise NotFound(detail, code=problem)
    return MessageOut.of(message)


def reply(caller: Caller, message_id: str, data: ReplyIn, expected_version: int) -> MessageOut:
    message = storage.require(Message, message_id, consistent=True)
    if not (caller.is_admin and caller.covers(message.area)):
        detail, problem = Message.missing
        raise NotFound(detail, code=problem)
    if message.reply:
        raise Conflict("该意见已答复", code="already_replied")
    message = storage.update(message, {"reply": data.reply, "replied_on": today_shanghai(), "replied_by": caller.sub},
                             expected_version=expected_version,
                             also=[audit.entry(caller.actor, "reply", MESSAGE, message_id, "答复意见箱来信")])
    return MessageOut.of(message)


def open_messages(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[MessageOut]:
    """The area's unanswered complaints and suggestions, soonest reply deadline first within each area."""
    area = area or caller.area or ""
    require_covers(caller, area, ["area"])
    page = storage.page(Message, "feedback-message-open", (area, "open"), limit=limit, cursor=cursor)
    return Page[MessageOut](items=[MessageOut.of(Message.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def message_counts(caller: Caller, area: str | None, month: str) -> MessageCounts:
    area = area or caller.area or ""
    require_covers(caller, area, ["area"])
    found = [Message.from_item(i) for i in storage.every(Message, "feedback-message-month", (area, month))]
    return MessageCounts(area=area, month=month, complaints=sum(1 for m in found if m.kind == "complaint"),
                         suggestions=sum(1 for m in found if m.kind == "suggestion"),
                         replied=sum(1 for m in found if m.reply),
                         replied_on_time=sum(1 for m in found if m.replied_on and m.replied_on <= m.reply_due))
