"""Ending an engagement (解除聘用: the coverage role ends, the village is free after the last day), an advisor
editing their own entries while the month is open (totals and tallies follow), and the bureau's view of a
month's logs per village (SPEC V1, V2)."""
from __future__ import annotations

import json

import pytest

from tests.helpers import assert_problem, ok, post
from tests.plugins.advisors.conftest import GRID, VILLAGE, engage, lawyer

pytestmark = pytest.mark.usefixtures("areas")


def put(client, path: str, payload: dict, headers: dict):
    return client.request("PUT", path, headers={**headers, "Content-Type": "application/json"},
                          body=json.dumps(payload, ensure_ascii=False))


@pytest.fixture
def engaged(client, token, admin, clock):
    made = ok(engage(client, admin, lawyer(client, admin), clock=clock), 201)
    return made, token("lawyer-1", "lawyer", area="320402")


def test_ending_an_engagement_ends_the_coverage_role_and_frees_the_village_after_its_last_day(client, admin, engaged,
                                                                                              clock):
    from chalicelib.domain.coverage.models import Assignment
    from chalicelib.domain.screening import tallies
    from chalicelib.platform import storage

    made, _ = engaged
    ended = ok(post(client, f"/v1/advisors/engagements/{made['id']}/end",
                    {"on": clock.day(), "reason": "本人申请解除聘用", "version": made["version"]}, admin))
    assert ended["status"] == "ended" and ended["ended_on"] == clock.day()
    cover = storage.read(Assignment, Assignment.id_for("legal_advisor", VILLAGE, "person", made["person_id"]))
    assert cover.status == "ended"
    assert dict(tallies.counts("advisors.engaged", "3204")) == {}
    assert_problem(post(client, f"/v1/advisors/engagements/{made['id']}/end",
                        {"on": clock.day(), "reason": "本人申请解除聘用", "version": ended["version"]}, admin),
                   409, "engagement_ended")
    # the village takes another advisor from the next day
    other = lawyer(client, admin, name="郑浩")
    ok(engage(client, admin, other, account="lawyer-2", start=clock.day(1), end=clock.day(200)), 201)


def test_an_end_outside_the_period_or_in_the_future_is_refused_naming_on(client, admin, engaged, clock):
    made, _ = engaged
    refused = assert_problem(post(client, f"/v1/advisors/engagements/{made['id']}/end",
                                  {"on": clock.day(1), "reason": "本人申请解除聘用", "version": 1}, admin), 422,
                             "invalid_end")
    assert refused["errors"][0]["loc"] == ["body", "on"]


def test_the_advisor_edits_their_own_open_entry_and_the_months_totals_follow(client, admin, engaged, token, clock):
    from chalicelib.domain.screening import tallies

    _, advisor = engaged
    made = ok(post(client, "/v1/advisors/log", {"village": VILLAGE, "on": clock.day(), "duty": "consultation",
                                                "title": "村民土地承包咨询", "count": 3}, advisor), 201)
    path = f"/v1/advisors/villages/{VILLAGE}/log/entries/{made['id']}"
    edited = ok(put(client, path, {"duty": "mediation", "title": "宅基地纠纷调解", "major": True, "version": 1}, advisor))
    assert edited["duty"] == "mediation" and edited["version"] == 2
    log = ok(client.get(f"/v1/advisors/villages/{VILLAGE}/log?month={clock.month()}", headers=admin))
    assert log["totals"] == {"consultations": 0, "disputes": 1, "disputes_major": 1} and log["entries"] == 1
    assert dict(tallies.counts("advisors.consultations", "3204", month=clock.month())) == {}
    assert_problem(put(client, path, {"duty": "report", "title": "上报", "version": 1}, advisor), 409)
    assert_problem(put(client, path, {"duty": "report", "title": "上报", "version": 2},
                       token("lawyer-2", "lawyer", area="320402")), 404)


def test_the_bureau_sees_each_villages_log_status_of_the_month(client, admin, engaged, clock, token):
    _, advisor = engaged
    ok(post(client, "/v1/advisors/log", {"village": VILLAGE, "on": clock.day(), "duty": "lecture",
                                         "title": "民法典讲座"}, advisor), 201)
    status = ok(client.get(f"/v1/advisors/log-status?area=320402&month={clock.month()}", headers=admin))
    assert [(i["village"], i["status"], i["entries"]) for i in status["items"]] == [(VILLAGE, "open", 1)]
    mine = ok(client.get("/v1/advisors/log-status", headers=token("grid-1", "grid_worker", area=GRID)))
    assert mine["area"] == VILLAGE


def test_ending_one_engagement_keeps_the_coverage_role_while_the_person_holds_another_there(client, admin, engaged,
                                                                                              clock):
    """SPEC V1, C3: the person stays the village's legal advisor of the coverage while a later engagement of
    theirs for the same village runs on."""
    from chalicelib.domain.coverage.models import Assignment
    from chalicelib.platform import storage

    made, _ = engaged
    next_year = clock.today.year + 1
    ok(engage(client, admin, made["person_id"], start=f"{next_year}-01-01", end=f"{next_year}-12-31"), 201)
    ok(post(client, f"/v1/advisors/engagements/{made['id']}/end",
            {"on": clock.day(), "reason": "提前续签新一期合同", "version": made["version"]}, admin))
    cover = storage.read(Assignment, Assignment.id_for("legal_advisor", VILLAGE, "person", made["person_id"]))
    assert cover.status == "active"
