"""The advisors' screening checks (SPEC V2, docs/plugins.md "Screening checks"): hours behind, no lecture this
quarter, contracts expiring within 30 days, unverified hours — each read from tallies kept in the events' own
transactions, naming the village and the engagement, never the advisor."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib.plugin import ScreeningContext
from chalicelib.platform import timeutil
from plugins.advisors import screening
from tests.helpers import ok, post
from tests.plugins.advisors.conftest import VILLAGE, engage, lawyer

pytestmark = pytest.mark.usefixtures("areas")


@pytest.fixture
def engaged(client, token, admin, clock):
    """An engagement of `lawyer-1` that began 40 days ago and ends in 20 days, with its service point."""
    start, end = clock.today - timedelta(days=40), clock.today + timedelta(days=20)
    made = ok(engage(client, admin, lawyer(client, admin), start=start.isoformat(), end=end.isoformat()), 201)
    ok(client.request("PUT", f"/v1/advisors/villages/{VILLAGE}/service-point",
                      headers={**admin, "Content-Type": "application/json", "If-Match": "1"},
                      body=json.dumps({"name": "演示社区工作室", "lat": 31.7825, "lng": 119.9936}, ensure_ascii=False)))
    return made, token("lawyer-1", "lawyer", area="320402")


def run(check, clock) -> list:
    return list(check(ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)))


def test_an_engaged_village_without_verified_hours_or_a_lecture_is_found_by_its_code(client, engaged, clock):
    _, advisor = engaged
    behind = run(screening.hours_behind, clock)
    assert [f.area for f in behind] == [VILLAGE] and "落后于进度" in behind[0].title
    assert "陈立伟" not in behind[0].title + behind[0].detail
    assert [f.area for f in run(screening.no_lecture, clock)] == [VILLAGE]
    ok(post(client, "/v1/advisors/log", {"village": VILLAGE, "on": clock.day(), "duty": "lecture",
                                         "title": "民法典进村讲座"}, advisor), 201)
    assert run(screening.no_lecture, clock) == []


def test_a_contract_ending_within_30_days_is_found_until_it_is_renewed(client, engaged, admin, clock):
    made, _ = engaged
    expiring = run(screening.contracts_expiring, clock)
    assert [(f.record, f.due) for f in expiring] == [(made["id"], clock.today + timedelta(days=20))]
    ok(post(client, f"/v1/advisors/engagements/{made['id']}/renewal",
            {"end": (clock.today + timedelta(days=400)).isoformat(), "version": made["version"]}, admin))
    assert run(screening.contracts_expiring, clock) == []


def test_minutes_far_from_the_service_point_are_found_unverified(client, engaged, clock):
    made, advisor = engaged
    far = {"lat": 31.7925, "lng": 119.9936}
    moment = lambda hours: timeutil.to_shanghai(timeutil.now_utc() - timedelta(hours=hours)).isoformat()  # noqa: E731
    ok(post(client, f"/v1/advisors/engagements/{made['id']}/check-in", {**far, "at": moment(2)}, advisor), 201)
    ok(post(client, f"/v1/advisors/engagements/{made['id']}/check-out", {**far, "at": moment(1)}, advisor))
    found = run(screening.unverified_hours, clock)
    assert [(f.area, f.title) for f in found] == [(VILLAGE, "本月有 1.0 小时驻点记录未通过位置核验")]


def test_a_contract_that_ran_out_unrenewed_is_no_longer_behind_on_hours(client, engaged, clock):
    """Issue 21 (second pass): the tally of engagements has no end dates; the check keeps only villages a
    contract covers on the screening day."""
    assert [f.area for f in run(screening.hours_behind, clock)] == [VILLAGE]
    later = clock.today + timedelta(days=21)     # the day after the contract's last
    context = ScreeningContext(month=later.strftime("%Y-%m"), area="3204", as_of=later)
    assert list(screening.hours_behind(context)) == []
