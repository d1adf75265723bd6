"""SPEC N3 on DynamoDB Local (AWS's own emulator, started by tools/devstack), where transactions really run
side by side: residents racing for the last seats of a slot — exactly as many win as there are seats, every
other gets a 409, and the slot's count matches the appointments stored."""
from __future__ import annotations

import threading

import pytest

from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Problem
from plugins.notary import service
from plugins.notary.models import AppointmentIn, Slot, SlotIn
from tests.plugins.notary.conftest import OFFICE, build_world

RACERS = 8


@pytest.fixture
def world(aws_backend, clock):
    """The notary world of tests/plugins/notary, on the session's DynamoDB Local (tests/integration/conftest)."""
    return build_world(clock.today)


def race(slot_id: str) -> list[int]:
    """RACERS residents book `slot_id` at the same moment; the status each gets (201 for a booking)."""
    start = threading.Barrier(RACERS)
    outcomes: list[int] = []

    def book(n: int) -> None:
        resident = Caller(sub=f"racer-{n}", roles=frozenset({"resident"}), area=None)
        start.wait()
        try:
            service.book(resident, AppointmentIn(slot_id=slot_id, matter="declaration", phone="13800001234"))
            outcomes.append(201)
        except Problem as problem:
            outcomes.append(problem.status)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("seats", [1, 3])
def test_residents_racing_for_the_last_seats_never_overbook_and_the_others_get_409(world, seats):
    notary = Caller(sub="notary-1", roles=frozenset({"notary"}), area="320402")
    slot = service.publish_slot(notary, OFFICE, SlotIn(day=world.day, start="10:00", capacity=seats))
    outcomes = race(slot.id)
    assert sorted(outcomes) == [201] * seats + [409] * (RACERS - seats)
    stored = storage.require(Slot, slot.id, consistent=True)
    booked = [a for n in range(RACERS) for a in service.mine(
        Caller(sub=f"racer-{n}", roles=frozenset({"resident"}), area=None), limit=5, cursor=None).items]
    assert stored.booked == len(booked) == seats
