"""SPEC N1–N3 done-when, over HTTP as a new user would: an elderly resident of 第一网格 finds the office serving
the grid, looks up the will in the catalogue, books a home visit and sees the materials list; a neighbour's
booking of the same slot is refused; the notary sees the day's visit; the resident confirms the materials."""
from __future__ import annotations

import json

from tests.helpers import assert_problem, body, ok, post
from tests.plugins.notary.conftest import GRID, publish


def test_an_elderly_resident_books_a_home_visit_to_make_a_will_and_a_second_booking_is_refused(
        client, token, world, notary):
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
    done = ok(client.put(f"/v1/notary/appointments/{made['id']}/materials", body=json.dumps(
        {"ready": made["materials"]}, ensure_ascii=False), headers={
        **resident, "Content-Type": "application/json", "If-Match": '"1"'}))
    assert done["materials_complete"] is True
    assert [a["id"] for a in body(client.get("/v1/notary/appointments", headers=resident))["items"]] == [made["id"]]
