"""SPEC N1–N3 done-when, over HTTP as a new user would: an elderly resident of 第一网格 finds the office serving
the grid, looks up the will in the catalogue, books a home visit and sees the materials list; a neighbour's
booking of the same slot is refused; the notary sees the day's visit and, the day before, the reminder with
the materials still missing; the resident confirms the materials. After `make dev` the demo grandmother finds
her home visit the same way."""
from __future__ import annotations

import json

from chalicelib import plugin
from chalicelib.platform import audit, workdays
from plugins.notary import catalogue, service
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.notary.conftest import GRID, booking, publish


def test_an_elderly_resident_books_a_home_visit_to_make_a_will_and_a_second_booking_is_refused(
        client, token, world, notary, clock):
    resident, neighbour = token("grandma-zhou"), token("neighbour-li")
    [office] = body(client.get(f"/v1/notary/offices?grid={GRID}"))["offices"]
    assert office["name"] == "天宁公证处"
    [will] = body(client.get("/v1/notary/matters?q=遗嘱"))["items"]
    publish(client, world, notary, "09:30", modes=["office", "home"])
    [slot] = body(client.get(f"/v1/notary/offices/{office['id']}/slots?day={world.day}"))["items"]

    request = {"slot_id": slot["id"], "matter": will["code"], "mode": "home", "phone": "13900001111",
               "address": "雕庄街道朝阳花园 12 幢 301 室",
               "green_channel": {"basis": "elderly", "birth_date": "1941-03-08", "reason": "腿脚不便，不能到公证处"}}
    made = ok(client.post("/v1/notary/appointments", body=json.dumps(request, ensure_ascii=False), headers={
        **resident, "Content-Type": "application/json", "Idempotency-Key": "grandma-will-1"}), 201)
    again = ok(client.post("/v1/notary/appointments", body=json.dumps(request, ensure_ascii=False), headers={
        **resident, "Content-Type": "application/json", "Idempotency-Key": "grandma-will-1"}), 201)
    assert again["id"] == made["id"]
    assert made["materials"] == will["materials"] and made["green_channel"]["basis"] == "notary.elderly"

    taken = assert_problem(post(client, "/v1/notary/appointments", {**request, "phone": "13900002222"}, neighbour),
                           409, "slot_full")
    assert "已约满" in taken["detail"]

    [visit] = body(client.get(f"/v1/notary/offices/{office['id']}/appointments?day={world.day}", headers=notary))[
        "items"]
    assert (visit["id"], visit["mode"], visit["materials_complete"]) == (made["id"], "home", False)
    day_before = workdays.add_working_days(clock.today, 1).end
    with clock.travel(days=(day_before - clock.today).days):
        [reminder] = body(client.get(f"/v1/notary/offices/{office['id']}/reminders", headers=notary))["items"]
    assert (reminder["appointment_id"], reminder["phone"], reminder["materials_missing"]) == (
        made["id"], "139****1111", made["materials"])
    done = ok(client.put(f"/v1/notary/appointments/{made['id']}/materials", body=json.dumps(
        {"ready": made["materials"]}, ensure_ascii=False), headers={
        **resident, "Content-Type": "application/json", "If-Match": '"1"'}))
    assert done["materials_complete"] is True
    assert [a["id"] for a in body(client.get("/v1/notary/appointments", headers=resident))["items"]] == [made["id"]]


def test_after_make_dev_the_demo_grandmother_sees_her_home_visit_and_its_materials_and_her_slot_is_full(
        client, token, world):
    service.load_demo(plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: []))
    [visit] = body(client.get("/v1/notary/appointments", headers=token("demo-resident-1")))["items"]
    assert (visit["matter_name"], visit["mode"], visit["green_channel"]["basis"]) == ("遗嘱公证", "home",
                                                                                     "notary.elderly")
    assert visit["materials"] == list(catalogue.find("will").materials) and visit["materials_complete"] is False
    assert_problem(post(client, "/v1/notary/appointments", booking(visit["slot_id"]), token("neighbour-li")), 409,
                   "slot_full")
