"""The reminder the day before an activity (SPEC P1), through the core's subscribe-message outbox.

A resident who accepted the `publicity.reminder` template in the mini-program asks to be reminded of one
published activity still to come: the message is written to the outbox (`notify.message_op`, due 24 hours
before the start; a moment already past sends at once) in the same transaction as the resident's entry in
the activity's `Reminders` aggregate, which the activity and the aggregate are read with (one
BatchGetItem). When the activity is cancelled its waiting reminders are withdrawn (`notify.withdraw_op`);
when its start moves, they are withdrawn and written again for the new time — in the change's own
transaction while they fit in it, else right after it, each alone. A reminder already sent stays sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from pydantic import Field

from chalicelib.domain.notify import service as notify
from chalicelib.domain.notify.models import Message
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, NotFound
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import iso, now_utc
from plugins.publicity.models import ENTITY, Event

STAGE = "publicity.reminder"
REMINDERS = "publicity-reminders"
INLINE = 40          # reminders changed inside the activity's own transaction (2 ops each when moved)


class Reminders(storage.Aggregate):
    """The residents to remind of one activity (id: the activity's): an entry per resident account holding
    the id of their waiting outbox message."""
    entity: ClassVar[str] = REMINDERS
    id: str | None = None


class EventReminderOut(Model):
    event_id: str
    remind_at: datetime = Field(description="提醒发送时间（活动开始前 24 小时；已过则立即发送）")

    @classmethod
    def of(cls, event: Event) -> "EventReminderOut":
        return cls(event_id=event.id, remind_at=max(event.starts_at - timedelta(days=1), now_utc()))

    @classmethod
    def replayed(cls, item: dict) -> "EventReminderOut":
        """A retried request (same Idempotency-Key) shows the reminder from the outbox message it wrote."""
        message = Message.from_item(item)
        return cls(event_id=message.source.split(":", 1)[1], remind_at=message.next_at)


def message_id(event: Event, account: str) -> str:
    return f"publicity-{event.id}-{account}-{int(event.starts_at.timestamp())}"


def _message(event: Event, account: str) -> dict[str, Any]:
    data: dict[str, str | datetime] = {"thing1": event.theme, "time2": event.starts_at, "thing3": event.venue}
    return notify.message_op(account, STAGE, data, page=f"pages/publicity/event?id={event.id}",
                             source=f"{ENTITY}:{event.id}", key=message_id(event, account),
                             due=event.starts_at - timedelta(days=1))


def read(event_id: str) -> tuple[Event, Reminders | None]:
    """The activity and its reminders in one BatchGetItem (404 for an unknown activity)."""
    found = storage.find_each({Event: [event_id], Reminders: [event_id]})
    event = found[Event].get(event_id)
    if event is None:
        raise NotFound(Event.missing[0], code=Event.missing[1])
    return event, found[Reminders].get(event_id)


def subscribe(caller: Caller, event_id: str) -> Event:
    """Remind the calling resident of a published activity still to come: one transaction — the activity
    checked unchanged, the outbox message, the resident's entry, the audit line."""
    event, reminders = read(event_id)
    if event.status != "published":
        raise NotFound(Event.missing[0], code=Event.missing[1])
    if event.starts_at <= now_utc():
        raise Conflict("活动已经开始，无需提醒", code="event_started")
    if reminders and caller.sub in reminders.entries:
        raise Conflict("已设置该活动的提醒", code="reminder_exists")
    storage.transact([
        storage.Check(storage.check(Event, event.id, equals={"version": event.version}),
                      Conflict("活动刚刚被修改，请刷新后重试", code="event_changed")),
        _message(event, caller.sub),
        storage.set_entries(Reminders, event.id, set_={caller.sub: {"message": message_id(event, caller.sub),
                                                                    "since": iso(now_utc())}}),
        audit.entry(caller.actor, "create", REMINDERS, event.id, "订阅普法活动提醒"),
    ])
    return event


@dataclass
class Plan:
    """How a change keeps its activity's reminders right: `inline` ops for its own transaction (or, if one
    reminder was sent already, `aggregate` alone there and `each` afterwards), `later` the transactions
    that did not fit in it."""
    inline: list = field(default_factory=list)
    aggregate: list = field(default_factory=list)
    each: list[list] = field(default_factory=list)
    later: list[list] = field(default_factory=list)


def following(before: Event, after: Event, reminders: Reminders | None) -> Plan:
    """The plan keeping the reminders of `before` right for `after`: withdrawn when it is cancelled, written
    again when its start moved, untouched otherwise."""
    if reminders is None or not reminders.entries:
        return Plan()
    cancelled = after.status == "cancelled"
    if not cancelled and after.starts_at == before.starts_at:
        return Plan()
    each: list[list] = []
    entries: dict[str, Any] = {}
    for account, entry in sorted(reminders.entries.items()):
        ops: list = [notify.withdraw_op(entry["message"])]
        if not cancelled and after.starts_at > now_utc():
            ops.append(_message(after, account))
            entries[account] = {**entry, "message": message_id(after, account)}
        each.append(ops)
    aggregate = [storage.set_entries(Reminders, after.id, set_=entries) if entries
                 else storage.set_entries(Reminders, after.id, remove=list(reminders.entries))]
    if len(each) <= INLINE:
        return Plan(inline=[op for ops in each for op in ops] + aggregate, aggregate=aggregate, each=each)
    return Plan(inline=aggregate, aggregate=aggregate, each=each, later=each)


def write_after(transactions: list[list]) -> None:
    """Reminder changes written after the activity's own transaction, each on its own; a message already
    sent (or finished) is left as it is, its replacement still written."""
    for ops in transactions:
        try:
            storage.transact(ops)
        except notify.NotPending:
            if ops[1:]:
                storage.transact(ops[1:])
