"""The reminder the day before an activity (SPEC P1) through the core's subscribe-message outbox: written
with the resident's request, withdrawn when the activity is cancelled, written again when its start moves."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.notify.models import Message
from chalicelib.platform import storage
from chalicelib.platform.timeutil import parse_moment
from plugins.publicity.reminders import Reminders
from tests.helpers import assert_problem, ok, post

EVENTS = "/v1/publicity/events"


def pending(event_id: str) -> list[Message]:
    aggregate = storage.read(Reminders, event_id)
    return [storage.read(Message, entry["message"]) for entry in (aggregate.entries.values() if aggregate else [])]


def test_a_resident_is_reminded_the_day_before_and_only_once(client, staff, event_body):
    event = ok(post(client, EVENTS, event_body(days=7), staff["publicist"]), 201)
    reminder = ok(post(client, f"{EVENTS}/{event['id']}/reminder", {}, staff["resident"]), 201)
    [message] = pending(event["id"])
    assert message.stage == "publicity.reminder" and message.account == "r-1" and message.status == "pending"
    assert message.next_at == parse_moment(event["starts_at"]) - timedelta(days=1) == parse_moment(reminder["remind_at"])
    assert message.data["thing1"] == "民法典进社区"
    assert_problem(post(client, f"{EVENTS}/{event['id']}/reminder", {}, staff["resident"]), 409, "reminder_exists")
    assert_problem(post(client, f"{EVENTS}/{event['id']}/reminder", {}, staff["publicist"]), 403)


def test_cancelling_withdraws_the_reminders_and_moving_the_start_writes_them_again(client, staff, event_body, clock):
    event = ok(post(client, EVENTS, event_body(days=7), staff["publicist"]), 201)
    ok(post(client, f"{EVENTS}/{event['id']}/reminder", {}, staff["resident"]), 201)
    [before] = pending(event["id"])
    moved = ok(client.patch(f"{EVENTS}/{event['id']}", body=f'{{"starts_at": "{clock.at(8, "09:00")}", '
                                                            f'"ends_at": "{clock.at(8, "11:00")}", "version": 1}}',
                            headers={**staff["publicist"], "Content-Type": "application/json"}))
    assert storage.read(Message, before.id).status == "withdrawn"
    [after] = pending(event["id"])
    assert after.status == "pending" and after.next_at == parse_moment(moved["starts_at"]) - timedelta(days=1)
    ok(post(client, f"{EVENTS}/{event['id']}/cancellation", {"reason": "场地临时调整", "version": 2},
            staff["publicist"]))
    assert storage.read(Message, after.id).status == "withdrawn" and pending(event["id"]) == []


def test_no_reminder_for_a_cancelled_or_unknown_activity(client, staff, event_body):
    event = ok(post(client, EVENTS, event_body(days=7), staff["publicist"]), 201)
    ok(post(client, f"{EVENTS}/{event['id']}/cancellation", {"reason": "场地临时调整", "version": 1}, staff["publicist"]))
    assert_problem(post(client, f"{EVENTS}/{event['id']}/reminder", {}, staff["resident"]), 404,
                   "publicity_event_not_found")
    assert_problem(post(client, f"{EVENTS}/nope/reminder", {}, staff["resident"]), 404)
