"""SPEC N3: slots published ahead by the office, bookings that never double-book, cancel and reschedule,
the materials checklist, residents seeing their own appointments only and staff the day's at their office."""
from __future__ import annotations

import json
import re

from chalicelib.platform import workdays
from plugins.notary import service
from plugins.notary.models import Slot
from chalicelib.platform import storage
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.notary.conftest import booking, publish


def put(client, path, payload, headers):
    return client.put(path, headers={"Content-Type": "application/json", **headers},
                      body=json.dumps(payload, ensure_ascii=False))


def test_a_notary_publishes_slots_and_anyone_sees_them_with_the_seats_left(client, token, world, notary):
    publish(client, world, notary, "09:30", capacity=2)
    publish(client, world, notary, "09:00")
    listed = body(client.get(f"{world.slot_path()}?day={world.day}"))["items"]
    assert [(s["start"], s["capacity"], s["free"]) for s in listed] == [("09:00", 1, 1), ("09:30", 2, 2)]


def test_a_slot_in_the_past_on_a_day_off_or_outside_opening_hours_is_refused_naming_the_field(
        client, world, notary, clock):
    path = world.slot_path()
    past = assert_problem(post(client, path, {"day": clock.day(0), "start": "09:00"}, notary), 422, "slot_in_past")
    assert past["errors"][0]["loc"] == ["body", "start"]
    day_off = clock.today.fromordinal(clock.today.toordinal() + 1)  # a future day off (today may be one, but past)
    while workdays.is_workday(day_off):
        day_off = day_off.fromordinal(day_off.toordinal() + 1)
    problem = assert_problem(post(client, path, {"day": day_off.isoformat(), "start": "10:00"}, notary), 422,
                             "not_a_working_day")
    assert problem["errors"][0]["loc"] == ["body", "day"]
    for start, minutes in (("08:00", 30), ("16:45", 30)):
        late = assert_problem(post(client, path, {"day": world.day.isoformat(), "start": start, "minutes": minutes},
                                   notary), 422, "outside_opening_hours")
        assert "9:00–17:00" in late["detail"]
    assert_problem(post(client, path, {"day": world.day.isoformat(), "start": "9:00", "extra": 1}, notary), 422)


def test_the_same_time_twice_is_a_409_and_staff_of_another_district_or_a_resident_may_not_publish(
        client, token, world, notary):
    publish(client, world, notary, "10:00")
    assert_problem(post(client, world.slot_path(), {"day": world.day.isoformat(), "start": "10:00"}, notary), 409,
                   "slot_exists")
    outsider = token("notary-9", "notary", area="320404")
    assert_problem(post(client, world.slot_path(), {"day": world.day.isoformat(), "start": "11:00"}, outsider), 403)
    assert_problem(post(client, world.slot_path(), {"day": world.day.isoformat(), "start": "11:00"}, token("r1")), 403)
    assert_problem(post(client, "/v1/notary/offices/no-such/slots", {"day": world.day.isoformat(), "start": "11:00"},
                        notary), 404, "office_not_found")


class StaleFirstRead:
    """For the block, the first read of the slot answers `stale` — as if this request had read the slot just
    before another resident's booking was written. Every later read is the real one."""

    def __init__(self, stale: Slot):
        self.stale, self.reads, self.original = stale, 0, storage.read

    def _first_is_stale(self, cls, real):
        if cls is Slot:
            self.reads += 1
            if self.reads == 1:
                return self.stale
        return real()

    def __enter__(self):
        read = self.original
        storage.read = lambda cls, *key, consistent=False: self._first_is_stale(
            cls, lambda: read(cls, *key, consistent=consistent))
        return self

    def __exit__(self, *exc):
        storage.read = self.original


def test_two_residents_racing_for_the_last_seat_one_gets_201_the_other_409(client, token, world, notary):
    slot = publish(client, world, notary, "09:30")
    read_before_the_winner_wrote = storage.require(Slot, slot["id"])
    ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    with StaleFirstRead(read_before_the_winner_wrote) as reads:
        problem = assert_problem(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r2")), 409,
                                 "slot_full")
    assert reads.reads == 2  # the conditional write failed, the slot was read again and found full
    assert problem["errors"][0]["loc"] == ["body", "slot_id"]
    assert body(client.get(f"{world.slot_path()}?day={world.day}"))["items"][0]["free"] == 0
    assert body(client.get("/v1/notary/appointments", headers=token("r2")))["items"] == []


def test_a_seat_still_free_after_a_concurrent_booking_is_taken_on_the_retry(client, token, world, notary):
    slot = publish(client, world, notary, "09:30", capacity=2)
    read_before_the_other_wrote = storage.require(Slot, slot["id"])
    ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    with StaleFirstRead(read_before_the_other_wrote):
        ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r2")), 201)
    assert storage.require(Slot, slot["id"]).booked == 2


def test_a_resident_sees_their_own_appointment_and_a_stranger_gets_404(client, token, world, notary):
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    assert made["phone"] == "138****1234" and "13800001234" not in json.dumps(made)
    assert body(client.get(f"/v1/notary/appointments/{made['id']}", headers=token("r1")))["matter_name"] == "委托书公证"
    for stranger in (token("r2"), token("notary-9", "notary", area="320404"),
                     token("gw-1", "grid_worker", area="320402")):
        assert_problem(client.get(f"/v1/notary/appointments/{made['id']}", headers=stranger), 404)
    assert body(client.get(f"/v1/notary/appointments/{made['id']}", headers=notary))["id"] == made["id"]
    assert body(client.get("/v1/notary/appointments", headers=token("r2")))["items"] == []


def test_the_office_s_notary_reads_the_full_phone_and_the_read_is_audited(client, token, world, notary):
    from chalicelib.platform import audit

    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    assert body(client.get(f"/v1/notary/appointments/{made['id']}/contact", headers=notary))["phone"] == "13800001234"
    assert_problem(client.get(f"/v1/notary/appointments/{made['id']}/contact",
                              headers=token("notary-9", "notary", area="320404")), 404)
    reads = [i for i in audit.trail("notary-appointment", made["id"]).items if i["action"] == "read"]
    assert [(i["actor"], i["summary"]) for i in reads] == [("notary-1", "查看公证预约的完整联系电话（联系预约人）")]
    assert all("13800001234" not in str(i) for i in audit.trail("notary-appointment", made["id"]).items)


def test_the_full_phone_goes_to_the_owner_and_the_office_s_notaries_never_to_an_admin(client, token, world, notary):
    """CONTRACT "Identity and access" (the full number only to its owner and the staff holding the case; an
    admin holds no case), issue "reliability" defect 2: admins of the city, of the district and one holding a
    grant elsewhere, and a notary of the city's office, read the masked phone on the appointment and get the
    404 of an unknown appointment for the number."""
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    path = f"/v1/notary/appointments/{made['id']}"
    for wider in (token("admin-1", "admin", area="3204"), token("admin-2", "admin", area="320402"),
                  token("admin-0", "admin", area="32"), token("notary-cz", "notary", area="3204")):
        assert body(client.get(path, headers=wider))["phone"] == "138****1234"
        assert_problem(client.get(f"{path}/contact", headers=wider), 404, "appointment_not_found")
    for holder in (notary, token("r1")):
        assert body(client.get(f"{path}/contact", headers=holder))["phone"] == "13800001234"


def test_staff_see_the_day_s_appointments_at_their_office_only(client, token, world, notary):
    for start, who in (("10:00", "r2"), ("09:00", "r1")):
        slot = publish(client, world, notary, start)
        ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token(who)), 201)
    day = body(client.get(f"/v1/notary/offices/{world.office}/appointments?day={world.day}", headers=notary))
    assert [a["start"] for a in day["items"]] == ["09:00", "10:00"]
    assert_problem(client.get(f"/v1/notary/offices/{world.office}/appointments?day={world.day}",
                              headers=token("notary-9", "notary", area="320404")), 403)
    assert_problem(client.get(f"/v1/notary/offices/{world.office}/appointments?day={world.day}",
                              headers=token("r1")), 403)


def test_cancelling_frees_the_seat_and_a_stale_version_changes_nothing(client, token, world, notary):
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    assert_problem(post(client, f"/v1/notary/appointments/{made['id']}/cancel", {"version": 7}, token("r1")), 409,
                   "stale_version")
    assert_problem(post(client, f"/v1/notary/appointments/{made['id']}/cancel", {"version": 1}, token("r2")), 404)
    cancelled = ok(post(client, f"/v1/notary/appointments/{made['id']}/cancel", {}, {**token("r1"), "If-Match": '"1"'}))
    assert cancelled["status"] == "cancelled" and cancelled["version"] == 2
    assert body(client.get(f"{world.slot_path()}?day={world.day}"))["items"][0]["free"] == 1
    assert body(client.get(f"/v1/notary/offices/{world.office}/appointments?day={world.day}", headers=notary))[
        "items"] == []
    assert_problem(post(client, f"/v1/notary/appointments/{made['id']}/cancel", {"version": 2}, token("r1")), 409,
                   "appointment_cancelled")
    ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r2")), 201)


def test_rescheduling_takes_the_new_seat_and_frees_the_old_in_one_step(client, token, world, notary):
    first, second = publish(client, world, notary, "09:00"), publish(client, world, notary, "14:00")
    made = ok(post(client, "/v1/notary/appointments", booking(first["id"]), token("r1")), 201)
    ok(post(client, "/v1/notary/appointments", booking(second["id"]), token("r2")), 201)
    problem = assert_problem(post(client, f"/v1/notary/appointments/{made['id']}/reschedule",
                                  {"slot_id": second["id"], "version": 1}, token("r1")), 409, "slot_full")
    assert problem["errors"][0]["loc"] == ["body", "slot_id"]
    third = publish(client, world, notary, "15:00")
    moved = ok(post(client, f"/v1/notary/appointments/{made['id']}/reschedule",
                    {"slot_id": third["id"], "version": 1}, token("r1")))
    assert (moved["start"], moved["slot_id"], moved["version"]) == ("15:00", third["id"], 2)
    free = {s["start"]: s["free"] for s in body(client.get(f"{world.slot_path()}?day={world.day}"))["items"]}
    assert free == {"09:00": 1, "14:00": 0, "15:00": 0}
    assert_problem(post(client, f"/v1/notary/appointments/{made['id']}/reschedule",
                        {"slot_id": "no-such", "version": 2}, token("r1")), 422, "slot_not_found")


def test_an_unknown_matter_a_past_slot_or_a_way_the_slot_does_not_offer_is_a_422_naming_the_field(
        client, token, world, notary, clock):
    slot = publish(client, world, notary, modes=["office"])
    for payload, code, loc in (
            (booking(slot["id"], matter="no_such"), "matter_not_found", ["body", "matter"]),
            (booking(slot["id"], mode="video"), "mode_not_offered", ["body", "mode"]),
            (booking("no-such"), "slot_not_found", ["body", "slot_id"]),
            (booking(slot["id"], phone="12345"), None, ["body", "phone"])):
        problem = assert_problem(post(client, "/v1/notary/appointments", payload, token("r1")), 422, code)
        assert problem["errors"][0]["loc"] == loc, problem
    with clock.travel(days=10):
        assert_problem(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 422, "slot_in_past")


def test_a_will_cannot_be_made_by_remote_video(client, token, world, notary):
    slot = publish(client, world, notary)
    problem = assert_problem(post(client, "/v1/notary/appointments", booking(slot["id"], matter="will", mode="video"),
                                  token("r1")), 422, "mode_not_allowed")
    assert "遗嘱公证不能远程视频办理" in problem["detail"]


def test_the_resident_confirms_the_materials_and_staff_see_which_are_incomplete(client, token, world, notary):
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    assert made["materials_complete"] is False and len(made["materials"]) == 3
    problem = assert_problem(put(client, f"/v1/notary/appointments/{made['id']}/materials",
                                 {"ready": ["户口簿", made["materials"][0]], "version": 1}, token("r1")), 422,
                             "unknown_material")
    assert problem["errors"] == [{"loc": ["body", "ready", 0], "msg": "不在材料清单中"}]
    done = ok(put(client, f"/v1/notary/appointments/{made['id']}/materials",
                  {"ready": made["materials"], "version": 1}, token("r1")))
    assert done["materials_complete"] is True
    assert_problem(put(client, f"/v1/notary/appointments/{made['id']}/materials",
                       {"ready": [], "version": 2}, notary), 403, "owner_only")


def test_a_booking_is_one_read_of_the_slot_and_one_transaction(client, token, world, notary):
    from chalicelib.platform import aws

    slot = publish(client, world, notary)
    seen: list[str] = []
    dynamodb = aws.dynamodb()
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: seen.append(model.name))
    try:
        ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.*")
    assert seen == ["GetItem", "TransactWriteItems"]
    from chalicelib.domain.ledgers import counters
    from chalicelib.platform.timeutil import today_shanghai

    assert counters.rollup("32", (today_shanghai().strftime("%Y-%m"),)).total("notary.appointments") == 1  # C9


def test_the_demo_loads_slots_and_an_elderly_resident_s_home_visit_once(client, world):
    from chalicelib import plugin
    from chalicelib.platform import audit

    context = plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [])
    service.load_demo(context)
    service.load_demo(context)
    mine = service.mine(_resident("demo-resident-1"), limit=10, cursor=None).items
    assert [(a.matter, a.mode, a.green_channel.basis) for a in mine] == [("will", "home", "notary.elderly")]
    assert re.match(r"年满 60 周岁（8\d 周岁）；年迈行动不便", mine[0].green_channel.reason)


def _resident(sub: str):
    from chalicelib.platform.auth import Caller

    return Caller(sub=sub, roles=frozenset({"resident"}), area=None)


def test_screening_lists_coming_appointments_whose_materials_are_not_all_ready(client, token, world, notary, clock):
    from chalicelib import plugin

    ready_slot, waiting_slot = publish(client, world, notary, "09:00"), publish(client, world, notary, "10:00")
    ready = ok(post(client, "/v1/notary/appointments", booking(ready_slot["id"]), token("r1")), 201)
    waiting = ok(post(client, "/v1/notary/appointments", booking(waiting_slot["id"]), token("r2")), 201)
    ok(put(client, f"/v1/notary/appointments/{ready['id']}/materials", {"ready": ready["materials"], "version": 1},
           token("r1")))
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    [finding] = service.materials_incomplete(context)
    assert (finding.check, finding.record, finding.due, finding.area) == (
        "notary.materials-incomplete", waiting["id"], world.day, "320402")
    assert "材料尚未备齐" in finding.title and "13800001234" not in finding.title
    far = plugin.ScreeningContext(month=clock.month(), area="3204",
                                  as_of=workdays.add_working_days(world.day, 1).end)
    assert list(service.materials_incomplete(far)) == []


def test_a_slot_a_year_or_more_ahead_and_a_far_day_asked_are_a_422_naming_the_field(client, world, notary, clock):
    """CONTRACT "HTTP": a slot is a plan within a stated horizon (a year ahead); `9999-12-31` was stored."""
    path = world.slot_path()
    for day in ("9999-12-31", clock.day(367), "0001-01-01"):
        problem = assert_problem(post(client, path, {"day": day, "start": "09:00"}, notary), 422, "validation_failed")
        assert problem["errors"][0]["loc"] == ["body", "day"], day
    for query in (f"{path}?day=9999-12-31", f"{path}?day=0001-01-01"):
        assert assert_problem(client.get(query), 422)["errors"][0]["loc"] == ["query", "day"]
