"""SPEC M6 and M2's goal: success rate and grass-roots share per area and period, from tallies written in the
outcome's own transaction."""
from __future__ import annotations

import json

import pytest

from chalicelib.platform import aws
from tests.helpers import assert_problem, body, calls_during, ok, post
from tests.plugins.mediation.conftest import GRID, OTHER_DISTRICT, dispute

pytestmark = pytest.mark.usefixtures("areas")


def close(client, headers, clock, result, tier=None):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), headers), 201)
    version = 1
    if tier:
        ok(post(client, f"/v1/mediation/disputes/{created['id']}/transfers",
                {"tier": tier, "reason": "上移", "version": 1}, headers))
        version = 2
    payload = {"result": result, "on": clock.day(), "summary": "结案", "version": version}
    if result == "agreement":
        payload["agreement"] = {"signed_on": clock.day(), "terms": [{"text": "赔偿"}]}
    if result == "referred":
        payload["referred_to"] = "court"
    return client.put(f"/v1/mediation/disputes/{created['id']}/outcome",
                      headers={**headers, "Content-Type": "application/json"}, body=json.dumps(payload))


def test_the_district_sees_its_success_rate_and_grass_roots_share_in_one_read(client, token, clock):
    """Reliability §3: the months' tallies and the goal in force are one BatchGetItem."""
    district = token("d-1", "mediator", area="320402")
    for result, tier in (("agreement", None), ("agreement", "town"), ("agreement", "village"),
                         ("agreement", "district"), ("no_agreement", None), ("withdrawn", None)):
        ok(close(client, district, clock, result, tier))
    calls = calls_during(lambda: client.get("/v1/mediation/rates", headers=district))
    assert calls == ["BatchGetItem"]
    found = body(client.get("/v1/mediation/rates", headers=district))
    assert (found["closed"], found["by_result"]["agreement"], found["agreed_by_tier"]["district"]) == (6, 4, 1)
    assert found["success_rate"] == "80.0"       # 4 agreements of 5 outcomes other than a withdrawal
    assert found["grass_roots_share"] == "75.0"  # 3 of the 4 agreements below the district
    assert found["goal"] == "95" and found["meets_goal"] is False
    assert found["months"][-1] == clock.month()
    town = body(client.get("/v1/mediation/rates?area=320402001", headers=district))
    assert town["closed"] == 6
    assert body(client.get(f"/v1/mediation/rates?area={GRID}&since={clock.month(-1)}&until={clock.month(-1)}",
                           headers=district))["closed"] == 0


def test_an_outcome_and_its_tallies_are_one_transaction(client, token, clock):
    district = token("d-1", "mediator", area="320402")
    seen: list[str] = []
    created = ok(post(client, "/v1/mediation/disputes", dispute(), district), 201)
    dynamodb = aws.dynamodb()
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: seen.append(model.name))
    try:
        ok(client.put(f"/v1/mediation/disputes/{created['id']}/outcome",
                      headers={**district, "Content-Type": "application/json", "If-Match": "1"},
                      body=json.dumps({"result": "no_agreement", "on": clock.day(), "summary": "不成"})))
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.*")
    assert seen == ["GetItem", "TransactWriteItems"]


def test_a_refused_outcome_counts_nothing(client, token, clock):
    district = token("d-1", "mediator", area="320402")
    ok(close(client, district, clock, "agreement"))
    created = ok(post(client, "/v1/mediation/disputes", dispute(), district), 201)
    stale = {"result": "withdrawn", "on": clock.day(), "summary": "撤回", "version": 9}
    assert_problem(client.put(f"/v1/mediation/disputes/{created['id']}/outcome",
                              headers={**district, "Content-Type": "application/json"}, body=json.dumps(stale)), 409)
    assert body(client.get("/v1/mediation/rates", headers=district))["closed"] == 1


def test_rates_outside_the_caller_s_area_or_of_a_too_long_period_are_refused(client, token, clock):
    district = token("d-1", "mediator", area="320402")
    outsider = token("m-9", "mediator", area=OTHER_DISTRICT)
    assert_problem(client.get("/v1/mediation/rates?area=320402", headers=outsider), 403)
    assert_problem(client.get("/v1/mediation/rates?since=2020-01&until=2026-01", headers=district), 422,
                   "period_out_of_range")
    assert_problem(client.get("/v1/mediation/rates?since=2026-13", headers=district), 422)


def test_a_ticket_s_dispute_counts_as_opened_at_the_tier_decided_once_its_parties_are_recorded(client, token, clock):
    from chalicelib import plugin
    from chalicelib.platform.audit import SYSTEM
    from plugins.mediation import rates, service

    ref = service.open_from_ticket(plugin.IntakeRequest(ticket_id="T-2026-0099", category="dispute", area=GRID,
                                                        text="三十名工人被拖欠工资", actor=SYSTEM))
    assert rates.month_tally("320402", clock.month()).count("opened_grid") == 1
    wages = {"kind": "labour", "risk": {"workers": 30}, "version": 1,
             "parties": [{"name": "刘德明", "role": "applicant"}, {"name": "某公司", "kind": "organisation",
                                                                "role": "respondent"}]}
    recorded = ok(client.put(f"/v1/mediation/disputes/{ref.id}/parties",
                             headers={**token("g-1", "grid_worker", area=GRID), "Content-Type": "application/json"},
                             body=json.dumps(wages, ensure_ascii=False)))
    assert recorded["tier"] == "district"
    tally = rates.month_tally("320402", clock.month())
    assert (tally.count("opened"), tally.count("opened_grid"), tally.count("opened_district")) == (1, 0, 1)


def test_an_admin_reads_the_rates_of_areas_their_own_covers_and_no_other(client, token, clock):
    mediator = token("d-1", "mediator", area="320402")
    ok(close(client, mediator, clock, "agreement"))
    city_admin = token("a-1", "admin", area="3204")
    district_admin = token("a-2", "admin", area="320402")
    assert body(client.get("/v1/mediation/rates?area=320402", headers=city_admin))["closed"] == 1
    assert body(client.get("/v1/mediation/rates", headers=city_admin))["area"] == "3204"
    assert body(client.get("/v1/mediation/rates?area=320402001", headers=district_admin))["closed"] == 1
    assert_problem(client.get(f"/v1/mediation/rates?area={OTHER_DISTRICT}", headers=district_admin), 403,
                   "outside_jurisdiction")
    assert_problem(client.get("/v1/mediation/rates?area=3205", headers=city_admin), 403, "outside_jurisdiction")
    assert_problem(client.get("/v1/mediation/rates", headers=token("l-1", "lawyer", area="320402")), 403)
