"""SPEC N3 reminders on DynamoDB Local (AWS's own emulator): the booking's transaction with its two outbox
messages, the cancel's withdrawal of the waiting reminder (an Update with SET, ADD and REMOVE under a
condition on its status), and a move after the reminder was finished, which writes the move without it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.notify import service as notify
from chalicelib.domain.notify.models import Message
from chalicelib.platform import storage, timeutil
from chalicelib.platform.auth import Caller
from plugins.notary import service
from plugins.notary.models import AppointmentIn, SlotIn
from tests.plugins.notary.conftest import OFFICE, build_world

RESIDENT = Caller(sub="resident-zhou", roles=frozenset({"resident"}), area=None)


@pytest.fixture
def world(aws_backend, clock):
    return build_world(clock.today)


def status(message_id: str) -> tuple[str, int]:
    found = storage.read(Message, message_id, consistent=True)
    return found.status, found.version


def test_on_dynamodb_local_a_cancel_withdraws_the_reminder_and_a_move_after_it_finished_keeps_its_record(world):
    notary = Caller(sub="notary-1", roles=frozenset({"notary"}), area="320402")
    ten, eleven = (service.publish_slot(notary, OFFICE, SlotIn(day=world.day, start=start, capacity=1))
                   for start in ("10:00", "11:00"))
    first = service.book(RESIDENT, AppointmentIn(slot_id=ten.id, matter="declaration", phone="13800001234"))
    assert status(first.reminder_id) == ("pending", 1) and status(f"{first.id}-booked-v1") == ("pending", 1)
    service.cancel(RESIDENT, first.id, 1)
    assert status(first.reminder_id) == ("withdrawn", 2)

    second = service.book(RESIDENT, AppointmentIn(slot_id=eleven.id, matter="declaration", phone="13800001234"))
    due = storage.read(Message, second.reminder_id, consistent=True).next_at
    with timeutil.travel(due + timedelta(minutes=1) - timeutil.now_utc()):
        notify.relay()  # the resident never subscribed: recorded, final
    assert status(second.reminder_id)[0] == "not_subscribed"
    moved = service.reschedule(RESIDENT, second.id, ten.id, 1)
    assert status(second.reminder_id)[0] == "not_subscribed"
    assert status(moved.reminder_id) == ("pending", 1) and moved.reminder_id.endswith("-v2")
