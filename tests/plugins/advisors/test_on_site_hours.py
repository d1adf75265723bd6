"""SPEC V2: on-site hours — check-in and check-out from the mini-program (GCJ-02) against the village's
service point; far entries recorded unverified with their distance; overlapping, future and unpaired
entries refused naming the field; the month's verified hours per village against the area's minimum."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.platform import timeutil
from tests.helpers import assert_problem, ok, post
from tests.plugins.advisors.conftest import GRID, VILLAGE, engage, lawyer

pytestmark = pytest.mark.usefixtures("areas")
POINT = {"name": "演示社区公共法律服务工作室", "lat": 31.7825, "lng": 119.9936}
NEAR = {"lat": 31.7826, "lng": 119.9937}          # ~14 m away
FAR = {"lat": 31.7925, "lng": 119.9936}           # ~1.1 km north


def at(hours_ago: float) -> str:
    return timeutil.to_shanghai(timeutil.now_utc() - timedelta(hours=hours_ago)).isoformat()


@pytest.fixture
def engaged(client, token, admin, clock):
    made = ok(engage(client, admin, lawyer(client, admin), clock=clock), 201)
    ok(client.request("PUT", f"/v1/advisors/villages/{VILLAGE}/service-point",
                      headers={**admin, "Content-Type": "application/json", "If-Match": "1"},
                      body=json.dumps(POINT, ensure_ascii=False)))
    return made["id"], token("lawyer-1", "lawyer", area="320402")


def test_a_visit_near_the_service_point_counts_its_verified_hours(client, engaged, admin, clock):
    engagement, advisor = engaged
    opened = ok(post(client, f"/v1/advisors/engagements/{engagement}/check-in", {**NEAR, "at": at(3)}, advisor), 201)
    assert opened["verified"] is False and opened["in_distance_m"] < 20 and opened["check_out_at"] is None
    closed = ok(post(client, f"/v1/advisors/engagements/{engagement}/check-out", {**NEAR, "at": at(0)}, advisor))
    assert closed["minutes"] == 180 and closed["verified"] is True
    assert "lat" not in closed and "lng" not in closed
    report = ok(client.get(f"/v1/advisors/compliance?area=320402&month={clock.month()}", headers=admin))
    row = report["items"][0]
    assert row["village"] == VILLAGE and row["verified_hours"] == "3.0" and row["minimum_hours"] == "8"
    assert row["met"] is False and row["reason"].startswith("本月核验驻点 3.0 小时，未达到每月驻村服务时长 8 小时/月")


def test_a_check_in_far_from_the_point_is_recorded_unverified_with_its_distance(client, engaged, clock):
    engagement, advisor = engaged
    opened = ok(post(client, f"/v1/advisors/engagements/{engagement}/check-in", {**FAR, "at": at(2)}, advisor), 201)
    assert 1000 < opened["in_distance_m"] < 1200 and "超过 500 米" in opened["reason"]
    closed = ok(post(client, f"/v1/advisors/engagements/{engagement}/check-out", NEAR, advisor))
    assert closed["verified"] is False and closed["minutes"] == 120
    entries = ok(client.get(f"/v1/advisors/engagements/{engagement}/entries", headers=advisor))["items"]
    assert [e["id"] for e in entries] == [closed["id"]]


def test_a_future_an_overlapping_or_an_unpaired_entry_is_refused_naming_at(client, engaged, clock):
    engagement, advisor = engaged
    path = f"/v1/advisors/engagements/{engagement}"
    future = assert_problem(post(client, f"{path}/check-in", {**NEAR, "at": at(-1)}, advisor), 422, "entry_in_future")
    assert future["errors"][0]["loc"] == ["body", "at"]
    unpaired = assert_problem(post(client, f"{path}/check-out", NEAR, advisor), 422, "not_checked_in")
    assert unpaired["errors"][0]["loc"] == ["body", "at"]
    ok(post(client, f"{path}/check-in", {**NEAR, "at": at(4)}, advisor), 201)
    twice = assert_problem(post(client, f"{path}/check-in", NEAR, advisor), 409, "already_checked_in")
    assert twice["errors"][0]["loc"] == ["body", "at"]
    before = assert_problem(post(client, f"{path}/check-out", {**NEAR, "at": at(5)}, advisor), 422,
                            "check_out_before_check_in")
    assert before["errors"][0]["loc"] == ["body", "at"]
    ok(post(client, f"{path}/check-out", {**NEAR, "at": at(2)}, advisor))
    overlap = assert_problem(post(client, f"{path}/check-in", {**NEAR, "at": at(3)}, advisor), 422, "overlapping_entry")
    assert overlap["errors"][0]["loc"] == ["body", "at"]


def test_only_the_advisor_checks_in_and_the_minimum_follows_the_area(client, token, engaged, clock):
    from chalicelib.domain.policy import service as policy

    engagement, _ = engaged
    assert_problem(post(client, f"/v1/advisors/engagements/{engagement}/check-in", NEAR,
                        token("lawyer-2", "lawyer", area="320402")), 404)
    assert_problem(post(client, f"/v1/advisors/engagements/{engagement}/check-in", NEAR,
                        token("grid-1", "grid_worker", area=GRID)), 403)
    assert policy.resolve("advisors.monthly_onsite_hours", "6401", clock.today).value == 4
    assert policy.resolve("advisors.monthly_onsite_hours", VILLAGE, clock.today).value == 8
    assert policy.resolve("advisors.check_in_radius_m", VILLAGE, clock.today).value == 500


def test_the_service_point_is_shown_to_staff_of_the_village_only(client, token, engaged):
    path = f"/v1/advisors/villages/{VILLAGE}/service-point"
    point = ok(client.get(path, headers=token("grid-1", "grid_worker", area=GRID)))
    assert point["lat"] == POINT["lat"] and point["name"] == POINT["name"]
    assert_problem(client.get(path, headers=token("r-1")), 403)
    assert_problem(client.get(path, headers=token("admin-9", "admin", area="6401")), 404)
