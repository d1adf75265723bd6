"""Reliability issue §3 ("every read and write at its floor"): the DynamoDB calls of the appointment changes,
counted with botocore's `before-call` hook on the client the app uses. An update's floor is 2: the record
read to decide access, then one transaction."""
from __future__ import annotations

from plugins.notary.models import Slot
from chalicelib.platform import storage
from tests.helpers import body, calls_during, ok, post
from tests.plugins.notary.conftest import booking, publish
from tests.plugins.notary.test_appointments import StaleFirstRead


def test_a_cancel_is_one_read_and_one_transaction_and_its_slot_is_not_read(client, token, world, notary):
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    seen = []
    calls = calls_during(lambda: seen.append(post(client, f"/v1/notary/appointments/{made['id']}/cancel",
                                                  {"version": 1}, token("r1"))))
    assert ok(seen[0])["status"] == "cancelled"
    assert calls == ["GetItem", "TransactWriteItems"]
    freed = storage.require(Slot, slot["id"], consistent=True)
    assert (freed.booked, freed.version) == (0, 3)  # published 1, booked 2, freed 3


def test_a_reschedule_reads_the_appointment_and_the_new_slot_together_and_writes_once(client, token, world, notary):
    first, second = publish(client, world, notary, "09:00"), publish(client, world, notary, "14:00")
    made = ok(post(client, "/v1/notary/appointments", booking(first["id"]), token("r1")), 201)
    seen = []
    calls = calls_during(lambda: seen.append(post(client, f"/v1/notary/appointments/{made['id']}/reschedule",
                                                  {"slot_id": second["id"], "version": 1}, token("r1"))))
    assert ok(seen[0])["start"] == "14:00"
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    free = {s["start"]: s["free"] for s in body(client.get(f"{world.slot_path()}?day={world.day}"))["items"]}
    assert free == {"09:00": 1, "14:00": 0}


def test_a_booking_that_read_the_slot_before_a_cancel_freed_it_reads_it_again_and_books(client, token, world, notary):
    """The seat given back without a read still moves the slot's version: a booking holding the version read
    before the cancel fails its condition, reads the slot again, and takes the freed seat."""
    slot = publish(client, world, notary, capacity=2)
    ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r2")), 201)
    before_the_cancel = storage.require(Slot, slot["id"], consistent=True)
    ok(post(client, f"/v1/notary/appointments/{made['id']}/cancel", {"version": 1}, token("r2")))
    assert storage.require(Slot, slot["id"], consistent=True).version == before_the_cancel.version + 1
    with_free_seat = before_the_cancel.model_copy(update={"booked": 1})  # as read between the two writes
    with StaleFirstRead(with_free_seat) as reads:
        ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r3")), 201)
    assert reads.reads == 2
    assert storage.require(Slot, slot["id"], consistent=True).booked == 2


def test_a_day_s_appointments_are_one_query_and_the_audit_entry_the_office_read_only_for_an_empty_day(
        client, token, world, notary):
    from tests.helpers import assert_problem

    path = f"/v1/notary/offices/{world.office}/appointments?day={world.day}"
    outsider = token("notary-9", "notary", area="320404")
    assert_problem(client.get(path, headers=outsider), 403, "outside_jurisdiction")  # no appointments yet
    assert_problem(client.get(f"/v1/notary/offices/no-such/appointments?day={world.day}", headers=notary), 404,
                   "office_not_found")
    ok(client.get(path, headers=notary))
    slot = publish(client, world, notary)
    ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    seen = []
    calls = calls_during(lambda: seen.append(client.get(path, headers=notary)))
    assert [a["start"] for a in ok(seen[0])["items"]] == [slot["start"]]
    assert calls == ["Query", "TransactWriteItems"]
    assert_problem(client.get(path, headers=outsider), 403, "outside_jurisdiction")
    assert_problem(client.get(path, headers=token("r1")), 403)


def test_publishing_a_slot_and_listing_reminders_read_the_office_with_its_parameters(client, token, world, notary):
    """Reliability §3: the office and the parameters in force at its area (the notary's own) are one
    BatchGetItem: a slot is that read and one write, the reminders that read, the day's Query and the audit
    entry. An administrator above the office reads its parameters after it; a stranger's office is 403."""
    from tests.helpers import assert_problem

    seen = []
    calls = calls_during(lambda: seen.append(publish(client, world, notary)))
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    calls = calls_during(lambda: ok(client.get(f"/v1/notary/offices/{world.office}/reminders", headers=notary)))
    assert calls == ["BatchGetItem", "Query", "TransactWriteItems"]
    city = token("admin-1", "admin", area="3204")
    calls = calls_during(lambda: publish(client, world, city, start="10:30"))
    assert calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    outsider = token("notary-9", "notary", area="320404")
    assert_problem(post(client, world.slot_path(), {"day": world.day.isoformat(), "start": "11:00"}, outsider), 403,
                   "outside_jurisdiction")
    assert_problem(post(client, "/v1/notary/offices/no-such/slots", {"day": world.day.isoformat(), "start": "11:00"},
                        notary), 404, "office_not_found")
