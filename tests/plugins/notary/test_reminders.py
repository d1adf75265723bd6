"""SPEC N3 reminders: the day before an appointment the resident is reminded of the time, the way and the
materials still missing. The intake issue's subscribe-message outbox is not there yet, so the reminders due
are listed for the office's staff to call: masked phones only, the next working day's appointments, the lead
time a policy parameter (`notary.reminder_working_days`)."""
from __future__ import annotations

import json

from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, workdays
from plugins.notary import catalogue
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.notary.conftest import booking, publish


def reminders_path(world) -> str:
    return f"/v1/notary/offices/{world.office}/reminders"


def book_two(client, token, world, notary) -> tuple[dict, dict]:
    """On the world's day: r1's power of attorney at 09:00 (materials all confirmed), r2's at 10:00 (none)."""
    first = ok(post(client, "/v1/notary/appointments", booking(publish(client, world, notary, "09:00")["id"]),
                    token("r1")), 201)
    second = ok(post(client, "/v1/notary/appointments",
                     booking(publish(client, world, notary, "10:00")["id"], phone="13900005678"), token("r2")), 201)
    ok(client.put(f"/v1/notary/appointments/{first['id']}/materials",
                  body=json.dumps({"ready": first["materials"]}, ensure_ascii=False),
                  headers={**token("r1"), "Content-Type": "application/json", "If-Match": '"1"'}))
    return first, second


def test_the_day_before_staff_see_tomorrow_s_appointments_with_masked_phones_and_the_materials_missing(
        client, token, world, notary, clock):
    first, second = book_two(client, token, world, notary)
    day_before = workdays.add_working_days(clock.today, 1).end  # the world's day is two working days ahead
    with clock.travel(days=(day_before - clock.today).days):
        listed = body(client.get(reminders_path(world), headers=notary))
    assert listed["day"] == world.day.isoformat()
    items = listed["items"]
    assert [(i["appointment_id"], i["start"], i["phone"], i["reasons"]) for i in items] == [
        (first["id"], "09:00", "138****1234", ["appointment_due"]),
        (second["id"], "10:00", "139****5678", ["appointment_due", "materials_incomplete"])]
    materials = list(catalogue.find("power_of_attorney").materials)
    assert items[1]["materials_missing"] == materials
    assert items[1]["message"] == (f"您预约的委托书公证定于 {world.day} 10:00（到公证处办理），请备齐：" + "、".join(materials))
    assert items[0]["materials_missing"] == [] and "材料已确认备齐" in items[0]["message"]
    assert "13900005678" not in str(listed)


def test_today_s_reminders_leave_out_appointments_further_ahead_and_cancelled_ones(client, token, world, notary,
                                                                                    clock):
    first, second = book_two(client, token, world, notary)
    assert body(client.get(reminders_path(world), headers=notary))["items"] == []  # two working days ahead
    ok(post(client, f"/v1/notary/appointments/{second['id']}/cancel", {"version": 1}, token("r2")))
    day_before = workdays.add_working_days(clock.today, 1).end
    with clock.travel(days=(day_before - clock.today).days):
        listed = body(client.get(f"{reminders_path(world)}?limit=1", headers=notary))
    assert [i["appointment_id"] for i in listed["items"]] == [first["id"]] and listed["next_cursor"] is None


def test_the_lead_time_is_a_policy_parameter_of_the_office_s_area(client, token, world, notary, clock):
    book_two(client, token, world, notary)
    policy.set_version(audit.SYSTEM, None, "notary.reminder_working_days", area_code="320402", value=2,
                       effective_from=clock.today, label="天宁区提前两个工作日提醒")
    listed = body(client.get(f"{reminders_path(world)}?limit=1", headers=notary))
    assert listed["day"] == world.day.isoformat() and len(listed["items"]) == 1 and listed["next_cursor"]
    rest = body(client.get(f"{reminders_path(world)}?limit=1&cursor={listed['next_cursor']}", headers=notary))
    assert [i["start"] for i in rest["items"]] == ["10:00"]


def test_only_staff_of_the_office_see_the_reminders(client, token, world, notary):
    assert_problem(client.get(reminders_path(world), headers=token("r1")), 403)
    assert_problem(client.get(reminders_path(world), headers=token("notary-9", "notary", area="320404")), 403,
                   "outside_jurisdiction")
    assert_problem(client.get("/v1/notary/offices/no-such/reminders", headers=notary), 404, "office_not_found")
    assert_problem(client.get(f"{reminders_path(world)}?limit=0&colour=red", headers=notary), 422)
    assert client.get(reminders_path(world)).status_code == 401
