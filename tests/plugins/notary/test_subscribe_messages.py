"""SPEC N3 reminders through the core's subscribe-message outbox (issue 13, and C5's outbox): a resident who
books from their own account gets, in the booking's own transaction, a confirmation (`notary.booked`) and a
reminder (`notary.reminder`) due at `notary.reminder_hour` (18:00) of the working day before — the matter,
the time, the place and 请带齐材料. A cancel withdraws the waiting reminder in the cancel's transaction, a
reschedule moves it; a resident who did not subscribe is recorded, not retried; appointments made by staff
send nothing and stay on the staff reminders list, which shows per appointment whether the reminder went."""
from __future__ import annotations

import json
import os
import urllib.request
from datetime import timedelta

from chalicelib.domain.notify import service as notify
from chalicelib.domain.notify.models import Message
from chalicelib.platform import storage, timeutil, workdays
from chalicelib.platform.timeutil import SHANGHAI, now_utc
from tests.core.test_notify import resident, sent_to, wechat  # noqa: F401 — `wechat` is a fixture
from tests.helpers import body, ok, post
from tests.plugins.notary.conftest import booking, publish

TEMPLATES = {"booked": "local-tmpl-notary-booked", "reminder": "local-tmpl-notary-reminder"}


def accept(client, headers, *stages: str) -> None:
    ok(post(client, "/v1/notify/subscriptions", {"results": {TEMPLATES[s]: "accept" for s in stages}}, headers))


def message(message_id: str) -> Message | None:
    return storage.read(Message, message_id, consistent=True)


def reminder_of(appointment: dict) -> Message:
    return message(f"{appointment['id']}-reminder-v{appointment['version']}")


def until(moment, *, plus: timedelta = timedelta(minutes=1)):
    """Travel the clock to `moment` (+ a minute: just after it)."""
    return timeutil.travel(moment + plus - now_utc())


def book(client, world, notary, headers, start: str = "09:30", **fields) -> dict:
    slot = publish(client, world, notary, start)
    return ok(post(client, "/v1/notary/appointments", booking(slot["id"], **fields), headers), 201)


def test_a_booking_writes_the_confirmation_and_the_reminder_in_its_one_transaction(client, token, world, notary):
    from chalicelib.platform import aws

    slot = publish(client, world, notary)
    seen: list[str] = []
    dynamodb = aws.dynamodb()
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: seen.append(model.name))
    try:
        made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.*")
    assert seen == ["GetItem", "TransactWriteItems"]
    booked, reminder = message(f"{made['id']}-booked-v1"), reminder_of(made)
    assert (booked.stage, booked.account, booked.status) == ("notary.booked", "r1", "pending")
    assert booked.data == {"thing1": "委托书公证", "time2": f"{world.day:%Y年%m月%d日} 09:30", "thing3": "天宁公证处",
                           "phrase4": "预约成功"}
    assert reminder.stage == "notary.reminder" and reminder.data["thing4"] == "请带齐材料"
    day_before = workdays.add_working_days(timeutil.today_shanghai(), 1).end  # the world's day is two ahead
    assert reminder.next_at.astimezone(SHANGHAI).replace(tzinfo=None).isoformat() == f"{day_before}T18:00:00"
    assert "13800001234" not in json.dumps(reminder.data, ensure_ascii=False)


def test_the_reminder_is_not_sent_before_its_time_and_is_sent_after(client, token, world, notary, wechat):
    alice = resident(client, "alice")
    accept(client, alice, "booked", "reminder")
    made = book(client, world, notary, alice)
    assert notify.relay() == 1  # the confirmation only
    assert [m["template_id"] for m in sent_to(wechat, "alice")] == [TEMPLATES["booked"]]
    due = reminder_of(made).next_at
    with until(due, plus=-timedelta(minutes=1)):
        assert notify.relay() == 0
    with until(due):
        assert notify.relay() == 1
    sent = sent_to(wechat, "alice")[-1]
    assert sent["template_id"] == TEMPLATES["reminder"]
    assert sent["data"]["thing4"] == "请带齐材料"
    assert reminder_of(made).status == "sent"


def test_a_cancel_withdraws_the_waiting_reminder_in_its_transaction(client, token, world, notary):
    made = book(client, world, notary, token("r1"))
    assert notify.relay() == 1  # the confirmation goes at once (r1 never subscribed: recorded)
    ok(post(client, f"/v1/notary/appointments/{made['id']}/cancel", {"version": 1}, token("r1")))
    withdrawn = message(f"{made['id']}-reminder-v1")
    assert withdrawn.status == "withdrawn" and withdrawn.version == 2
    with until(withdrawn.next_at + timedelta(days=1)):
        assert notify.relay() == 0  # out of the pending list: never handed on
        assert notify.deliver(withdrawn.id) == "skipped"


def test_a_reschedule_moves_the_reminder_to_the_new_day_and_confirms_the_move(client, token, world, notary, clock):
    made = book(client, world, notary, token("r1"))
    later = workdays.add_working_days(world.day, 2).end
    other = ok(post(client, world.slot_path(), {"day": later.isoformat(), "start": "14:30"}, notary), 201)
    moved = ok(post(client, f"/v1/notary/appointments/{made['id']}/reschedule",
                    {"slot_id": other["id"], "version": 1}, token("r1")))
    assert message(f"{made['id']}-reminder-v1").status == "withdrawn"
    new = reminder_of(moved)
    evening_before = workdays.add_working_days(world.day, 1).end  # the working day before `later`
    assert new.status == "pending" and new.next_at.astimezone(SHANGHAI).date() == evening_before
    assert new.data["time2"] == f"{later:%Y年%m月%d日} 14:30"
    assert message(f"{made['id']}-booked-v2").data["phrase4"] == "改约成功"


def test_a_reminder_already_sent_is_left_as_sent_and_the_reschedule_still_goes_through(
        client, world, notary, wechat):
    bob = resident(client, "bob")
    accept(client, bob, "reminder", "booked")
    made = book(client, world, notary, bob)
    later = workdays.add_working_days(world.day, 2).end
    other = ok(post(client, world.slot_path(), {"day": later.isoformat(), "start": "14:30"}, notary), 201)
    with until(reminder_of(made).next_at):
        notify.relay()
        moved = ok(post(client, f"/v1/notary/appointments/{made['id']}/reschedule",
                        {"slot_id": other["id"], "version": 1}, bob))
    assert message(f"{made['id']}-reminder-v1").status == "sent"
    assert reminder_of(moved).status == "pending" and moved["day"] == later.isoformat()


def test_a_resident_who_did_not_subscribe_is_recorded_and_not_retried(client, world, notary, wechat):
    carol = resident(client, "carol")
    made = book(client, world, notary, carol)
    with until(reminder_of(made).next_at):
        assert notify.relay() == 2
        assert reminder_of(made).status == "not_subscribed"
        assert message(f"{made['id']}-booked-v1").status == "not_subscribed"
    with until(reminder_of(made).next_at + timedelta(hours=1)):
        assert notify.relay() == 0
    assert sent_to(wechat, "carol") == []


def test_an_appointment_made_by_staff_sends_nothing_and_stays_on_the_staff_list(client, token, world, notary, clock):
    made = book(client, world, notary, notary)
    assert message(f"{made['id']}-booked-v1") is None and reminder_of(made) is None
    day_before = workdays.add_working_days(clock.today, 1).end
    with clock.travel(days=(day_before - clock.today).days):
        [item] = body(client.get(f"/v1/notary/offices/{world.office}/reminders", headers=notary))["items"]
    assert item["appointment_id"] == made["id"] and item["notice"] is None


def test_the_staff_list_shows_whether_each_resident_s_reminder_was_sent(client, token, world, notary, wechat):
    dora = resident(client, "dora")
    accept(client, dora, "reminder")
    told = book(client, world, notary, dora, "09:00")
    untold = book(client, world, notary, token("r2"), "10:00", phone="13900005678")
    with until(reminder_of(told).next_at):
        notify.relay()
        listed = body(client.get(f"/v1/notary/offices/{world.office}/reminders", headers=notary))["items"]
    assert [(i["appointment_id"], i["notice"]["status"]) for i in listed] == [
        (told["id"], "sent"), (untold["id"], "not_subscribed")]
    assert listed[0]["notice"]["status_title"] == "已发送" and listed[0]["notice"]["stage"] == "notary.reminder"


def test_story_a_resident_books_over_http_and_finds_the_reminder_on_the_fake_wechat_server(
        client, world, notary, wechat):
    grandma = resident(client, "grandmazhou")
    accept(client, grandma, "booked", "reminder")
    slot = publish(client, world, notary, "09:30", modes=["office", "home"])
    request = {"slot_id": slot["id"], "matter": "will", "mode": "home", "phone": "13900001111",
               "address": "雕庄街道朝阳花园 12 幢 301 室",
               "green_channel": {"basis": "elderly", "birth_date": "1941-03-08", "reason": "腿脚不便，不能到公证处"}}
    made = ok(post(client, "/v1/notary/appointments", request, grandma), 201)
    with until(reminder_of(made).next_at):
        notify.relay()
    base = os.environ["WECHAT_API_BASE"]
    with urllib.request.urlopen(f"{base}/fake/messages?touser=fake-openid-grandmazhou") as response:
        shown = json.loads(response.read())["messages"]
    assert [m["template_id"] for m in shown] == [TEMPLATES["booked"], TEMPLATES["reminder"]]
    reminder = shown[-1]["data"]
    assert reminder["thing1"] == "遗嘱公证" and reminder["thing3"] == "上门办证（绿色通道）"  # as written (issue 20 §7)
    assert reminder["thing4"] == "请带齐材料" and reminder["time2"] == f"{world.day:%Y年%m月%d日} 09:30"
    assert "雕庄" not in json.dumps(shown, ensure_ascii=False)  # the address never shows on the lock screen
