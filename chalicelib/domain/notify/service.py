"""The outbox of subscribe messages: writing a message with the change it reports, fitting its data to
the platform's field rules, the resident's grants, the relay and the queue handler that sends.

Delivery is at least once: a message is claimed (attempt counted, next try scheduled after the backoff)
before the platform is called, so a crash between the call and the record of its answer leads to one
more try, never to a lost message. Answers decide what happens next:

| answer                                   | the message                                    |
|------------------------------------------|------------------------------------------------|
| 0                                        | `sent`                                         |
| 43101 the resident refused / unsubscribed| `refused`, never retried                       |
| 40003, 40037, 47003, 41030 (our mistake)| `rejected` (logged for the operators)          |
| -1, rate limits, no answer, anything else| retried after 1, 2, 4, 8 minutes; then `failed`|
| no grant left for the stage              | `not_subscribed`, the platform is not called   |

A message may be due later than written (`message_op(..., due=)`: a reminder the day before an appointment)
and withdrawn while it still waits (`withdraw_op`: the appointment was cancelled), in the transaction of
the change that makes it pointless.
"""
from __future__ import annotations

import json
import re
import unicodedata
import uuid
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.accounts import store as accounts
from chalicelib.domain.accounts import wechat
from chalicelib.domain.notify.models import (
    ABOUT, PENDING, Grant, AcceptanceOut, Message, Notice, SubscribeIn, SubscriptionsOut,
)
from chalicelib.platform import audit, aws, config, pii, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Unprocessable
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import SHANGHAI, iso, now_utc

MAX_ATTEMPTS = 5                  # 1 + 4 retries, spread over ~15 minutes
FIRST_BACKOFF = timedelta(minutes=1)
RELAY_BATCH = 100                 # messages handed to the queue per relay run (the rest wait a minute)
SQS_BATCH = 10
FINAL_ERRORS = {40003: "openid 无效", 40037: "模板 id 无效", 47003: "字段不合规则", 41030: "页面路径无效"}
REFUSED = 43101

# The platform's rule for a value, by the kind its key starts with (REFERENCE "Mini-program subscribe messages").
LIMITS = {"thing": 20, "phrase": 5, "name": 10, "character_string": 32, "number": 32, "letter": 32,
          "phone_number": 17}
# Kinds whose rule allows only ASCII (digits, letters, symbols): their values are NFKC-normalised. Text kinds
# (thing, name, phrase) are sent as written: NFKC would turn the Chinese "，" "：" "（）" into ASCII (issue 20 §7).
ASCII_KINDS = ("character_string", "number", "letter", "phone_number", "amount")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_KEY = re.compile(r"^(thing|phrase|name|character_string|number|letter|phone_number|time|date|amount)\d{1,2}$")


class _NoGrant(Exception):
    """The resident has no acceptance left for the stage."""


# --- writing a message ---------------------------------------------------------------------------------

def fit(key: str, value: str | datetime) -> str:
    """`value` shaped to the rule of `key`'s kind: times as `2026年11月18日 09:00` (Asia/Shanghai), text
    without control characters, its Chinese punctuation as written, and cut to its length (an ellipsis marks
    a cut `thing`); the ASCII-only kinds with full-width characters made half-width."""
    match = _KEY.match(key)
    if not match:
        raise ValueError(f"unknown subscribe-message key {key!r}")
    kind = match.group(1)
    if kind in ("time", "date"):
        moment = value.astimezone(SHANGHAI) if isinstance(value, datetime) else None
        if moment is None:
            raise ValueError(f"{key} takes a datetime")
        return moment.strftime("%Y年%m月%d日 %H:%M" if kind == "time" else "%Y年%m月%d日")
    text = str(value)
    if kind in ASCII_KINDS:  # full-width digits and letters typed in an IME become the ASCII the rule asks for
        text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text).strip() or "-"
    limit = LIMITS.get(kind)
    if limit is None or len(text) <= limit:
        return text
    return text[:limit - 1] + "…" if kind == "thing" else text[:limit]


def message_op(account: str, stage: str, data: dict[str, str | datetime], *, page: str, source: str,
               key: str | None = None, due: datetime | None = None) -> dict[str, Any]:
    """A Put of one outbox message for a resident account, for the transaction of the change it reports.
    `data` maps the template's keys (`thing2`, `phrase3`, `time4` …) to values, fitted here to the rules;
    `key` (unique per change, e.g. `<ticket>-received-v1`) makes the id, so a change written once writes
    its message once. `due`: not sent before then (a reminder); a moment already past means now."""
    moment = now_utc()
    message = storage.stamp_new(Message(
        id=key or uuid.uuid4().hex, account=account, stage=stage, page=page, source=source,
        next_at=max(due, moment) if due else moment, data={k: fit(k, v) for k, v in data.items()}))
    return storage.put_op(message.to_item())


class NotPending(Exception):
    """The message to withdraw is no longer waiting: sent, or finished otherwise (or never written)."""


def withdraw_op(message_id: str) -> storage.Check:
    """An op for the transaction of a change that makes a waiting message pointless (the appointment it
    reminds of was cancelled): the message becomes `withdrawn` and leaves the pending list, so the relay
    never hands it on. Its version moves, so a delivery that read it before cannot claim it afterwards.
    Conditional on the message still pending: a `Check` raising `NotPending` otherwise — the caller drops
    the op and writes its change alone (a message already sent cannot be taken back)."""
    pending_keys = storage.INDEXES[Message.listing(PENDING).index]
    op = storage.amend(Message, message_id, when={"status": "pending"},
                       set_={"status": "withdrawn", "updated_at": iso(now_utc())}, add={"version": 1},
                       remove=pending_keys)
    return storage.Check(op, NotPending())


def about(source: str, *, limit: int = 50) -> list[Notice]:
    """The messages about a record (`<entity>:<id>`), oldest first, for the staff holding it: whether the
    resident was told, or why not. One Query; the caller has checked who may see the record."""
    page = storage.page(Message, ABOUT, (source,), limit=limit)
    return [Notice.of(Message.from_item(item)) for item in page.items]


# --- the resident's grants ---------------------------------------------------------------------------

def subscribe(caller: Caller, data: SubscribeIn) -> SubscriptionsOut:
    """The templates the resident just accepted in the mini-program, one grant each, in one transaction.
    A template id the platform does not use is refused naming it; rejections are only acknowledged."""
    stages = {template: stage for stage, template in config.subscribe_templates().items()}
    unknown = [template for template in data.results if template not in stages]
    if unknown:
        raise Unprocessable("有未配置的消息模板", code="unknown_template",
                            errors=[{"loc": ["results", t], "msg": "不是本平台的消息模板"} for t in unknown])
    accepted = sorted(stages[t] for t, choice in data.results.items() if choice == "accept")
    ops = [storage.add_into(Grant(account=caller.sub, stage=stage), {"count": 1}) for stage in accepted]
    if ops:
        storage.transact([*ops, audit.entry(caller.actor, "subscribe", Grant.entity, caller.sub,
                                             f"同意接收消息：{'、'.join(accepted)}")])
    return subscriptions(caller)


def subscriptions(caller: Caller) -> SubscriptionsOut:
    """The stages the platform sends and how many messages of each the resident still accepts. One Query."""
    held = {item["stage"]: int(item.get("count", 0)) for item in storage.every(Grant, Grant.entity, caller.sub)}
    return SubscriptionsOut(items=[AcceptanceOut(stage=stage, template_id=template, remaining=max(held.get(stage, 0), 0))
                                   for stage, template in sorted(config.subscribe_templates().items())])


# --- the relay and the queue handler ---------------------------------------------------------------------

def relay() -> int:
    """Hand the messages now due to the queue (SQS; in-process where the stage has none). One Query.
    A message handed twice (the relay runs again before it was sent) is sent once: the claim is conditional."""
    page = storage.page(Message, PENDING, ("due",), through=(iso(now_utc()),), limit=RELAY_BATCH)
    bodies = [json.dumps({"id": item["id"]}) for item in page.items]
    if bodies:
        _enqueue(bodies)
    return len(bodies)


def _enqueue(bodies: list[str]) -> None:
    url = config.notify_queue_url()
    if url is None:
        handle_queue_event({"Records": [{"messageId": str(i), "body": b} for i, b in enumerate(bodies)]})
        return
    sqs = aws.client("sqs")
    for start in range(0, len(bodies), SQS_BATCH):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + SQS_BATCH])]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:  # still pending: the next relay run hands them again
            logger().warning("notify messages not enqueued", extra={"count": len(failed)})


def handle_queue_event(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A batch of `{"id": …}` messages. Sending troubles are handled by the message's own backoff (it stays
    pending), so only an unexpected error returns the record to SQS (`batchItemFailures`)."""
    failures = []
    for record in event.get("Records", []):
        try:
            deliver(json.loads(record["body"])["id"])
        except Exception:  # noqa: BLE001 — one message failing must not fail the others
            logger().exception("notify delivery failed")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def deliver(message_id: str) -> str:
    """Send one message if it is still pending and due; its status afterwards (`skipped`: not ours to send)."""
    now = now_utc()
    message = storage.read(Message, message_id, consistent=True)
    if message is None or message.status != "pending" or message.next_at > now:
        return "skipped"
    template = config.subscribe_templates().get(message.stage)
    if template is None:
        return _finish(message, "no_template", f"环节 {message.stage} 未配置模板")
    try:
        claimed = _claim(message, now)
    except _NoGrant:
        return _finish(message, "not_subscribed", None)
    except Conflict:
        return "skipped"  # another delivery claimed it first
    openid = _openid(message.account)
    if openid is None:
        return _finish(claimed, "no_openid", None)
    try:
        errcode, errmsg = wechat.send_subscribe_message(openid, template, message.page, message.data,
                                                        state=config.miniprogram_state())
    except wechat.Unanswered as exc:
        errcode, errmsg = None, f"无应答（{exc}）"
    if errcode == 0:
        return _finish(claimed, "sent", None, sent_at=now)
    if errcode == REFUSED:
        return _finish(claimed, "refused", "43101")
    if errcode in FINAL_ERRORS:
        logger().error("subscribe message rejected", extra={"stage": message.stage, "errcode": errcode})
        return _finish(claimed, "rejected", f"{errcode} {FINAL_ERRORS[errcode]}：{errmsg[:200]}")
    error = f"{errcode} {errmsg[:200]}" if errcode is not None else errmsg
    if claimed.attempts >= MAX_ATTEMPTS:
        return _finish(claimed, "failed", error)
    _record(claimed, {"last_error": error})
    return "pending"


def _claim(message: Message, now: datetime) -> Message:
    """Count the attempt and push the next try past the backoff, taking one of the resident's grants the
    first time — one transaction, conditional on the version read (so one delivery wins)."""
    attempts = message.attempts + 1
    changes = {"attempts": attempts, "next_at": now + FIRST_BACKOFF * 2 ** (attempts - 1), "granted": True}
    claimed, op = storage.prepare_update(message, changes, expected_version=message.version)
    ops: list[Any] = [op]
    if not message.granted:
        ops.append(storage.Check(storage.add_into(Grant(account=message.account, stage=message.stage),
                                                  {"count": -1}, at_least={"count": 1}), _NoGrant()))
    storage.transact(ops)
    return claimed


def _openid(account: str) -> str | None:
    resident = accounts.find_resident(account)
    if resident is None or resident.status != "active" or not resident.openid_cipher:
        return None
    return pii.decrypt("wx_openid", resident.openid_cipher)


def _finish(message: Message, status: str, error: str | None, *, sent_at: datetime | None = None) -> str:
    _record(message, {"status": status, "last_error": error, "sent_at": sent_at})
    return status


def _record(message: Message, changes: dict[str, Any]) -> None:
    try:
        storage.update(message, changes, expected_version=message.version)
    except Conflict:  # changed meanwhile by another delivery: its record stands
        pass
