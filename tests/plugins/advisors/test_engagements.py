"""SPEC V1: every village has its advisor under a contract period; urban 1:1, rural (溧阳、金坛) ≤ 3 villages
per advisor — a named rule with its reason; the advisor is the village's legal adviser of the coverage (C3)."""
from __future__ import annotations

import pytest

from tests.helpers import assert_problem, body, ok, post
from tests.plugins.advisors.conftest import GRID, LIYANG_VILLAGES, VILLAGE, engage, lawyer

pytestmark = pytest.mark.usefixtures("areas")


def test_an_admin_engages_a_lawyer_and_the_lawyer_becomes_the_villages_legal_adviser(client, token, admin, clock):
    person = lawyer(client, admin)
    made = ok(engage(client, admin, person, clock=clock), 201)
    assert made["village"] == VILLAGE and made["person_name"] == "陈立伟" and made["account"] == "lawyer-1"
    assert made["ratio"]["met"] and "1 个村（社区）" in made["ratio"]["reason"]
    coverage = body(client.get(f"/v1/areas/{GRID}/assignments?role=legal_advisor", headers=admin))["items"]
    assert [(a["area"]["code"], a["assignee_id"]) for a in coverage] == [(VILLAGE, person)]


def test_an_urban_advisor_serves_one_village_and_a_second_is_refused_with_the_reason(client, admin, clock):
    from chalicelib.domain.areas.models import Area
    from chalicelib.platform import storage

    storage.put_new(Area(code="320402001002", name="水岸社区", level="village", parent="320402001"))
    person = lawyer(client, admin)
    ok(engage(client, admin, person, clock=clock), 201)
    problem = assert_problem(engage(client, admin, person, village="320402001002", clock=clock), 422,
                             "advisor_ratio_exceeded")
    assert problem["errors"][0]["loc"] == ["body", "person_id"]
    assert "每名法律顾问挂钩村（社区）上限 1 个村（社区）" in problem["detail"]


def test_a_rural_advisor_serves_three_villages_and_a_fourth_is_refused_naming_the_rule(client, admin, clock):
    person = lawyer(client, admin, home="320481")
    for n, village in enumerate(LIYANG_VILLAGES[:3]):
        made = ok(engage(client, admin, person, village=village, clock=clock), 201)
        assert f"挂钩后共 {n + 1} 个村（社区）" in made["ratio"]["reason"]
    problem = assert_problem(engage(client, admin, person, village=LIYANG_VILLAGES[3], clock=clock), 422,
                             "advisor_ratio_exceeded")
    assert problem["errors"][0]["loc"] == ["body", "person_id"]
    assert problem["detail"].startswith("该法律顾问同期已挂钩 3 个村（社区）")
    assert "溧阳市每名法律顾问挂钩村（社区）上限 3 个村（社区）（2021-07-20 起）" in problem["detail"]


def test_a_period_that_does_not_overlap_the_others_does_not_count(client, admin, clock):
    person = lawyer(client, admin, home="320481")
    year = clock.today.year
    for village in LIYANG_VILLAGES[:3]:
        ok(engage(client, admin, person, village=village, start=f"{year}-01-01", end=f"{year}-06-30"), 201)
    ok(engage(client, admin, person, village=LIYANG_VILLAGES[3], start=f"{year}-07-01", end=f"{year}-12-31"), 201)


def test_a_village_has_one_advisor_at_a_time(client, admin, clock):
    ok(engage(client, admin, lawyer(client, admin), clock=clock), 201)
    other = lawyer(client, admin, name="郑浩")
    problem = assert_problem(engage(client, admin, other, account="lawyer-2", clock=clock), 409, "village_has_advisor")
    assert problem["errors"][0]["loc"] == ["body", "village"]


def test_a_renewal_moves_the_end_and_keeps_the_history(client, admin, clock):
    made = ok(engage(client, admin, lawyer(client, admin), clock=clock), 201)
    new_end = f"{clock.today.year + 1}-12-31"
    renewed = ok(post(client, f"/v1/advisors/engagements/{made['id']}/renewal", {"end": new_end, "version": 1}, admin))
    assert renewed["end"] == new_end and renewed["version"] == 2
    assert renewed["renewals"][0]["previous_end"] == made["end"]
    assert_problem(post(client, f"/v1/advisors/engagements/{made['id']}/renewal", {"end": new_end, "version": 1},
                        admin), 409, "stale_version")
    early = assert_problem(post(client, f"/v1/advisors/engagements/{made['id']}/renewal",
                                {"end": made["end"], "version": 2}, admin), 422, "invalid_renewal")
    assert early["errors"][0]["loc"] == ["body", "end"]


def test_a_bad_period_or_an_unknown_village_or_person_is_a_422_naming_the_field(client, admin, clock):
    person = lawyer(client, admin)
    backwards = assert_problem(engage(client, admin, person, start=clock.day(10), end=clock.day(0)), 422)
    assert backwards["errors"][0]["loc"][0] == "body"
    unknown = assert_problem(engage(client, admin, person, village="320402001009", clock=clock), 422, "area_not_found")
    assert unknown["errors"][0]["loc"] == ["body", "village"]
    nobody = assert_problem(engage(client, admin, "no-such-person", clock=clock), 422, "advisor_not_found")
    assert nobody["errors"][0]["loc"] == ["body", "person_id"]
    grid = assert_problem(engage(client, admin, person, village=GRID, clock=clock), 422)
    assert grid["errors"][0]["loc"] == ["body", "village"]


def test_the_advisor_the_villages_grid_worker_and_the_admin_read_it_and_others_do_not(client, token, admin, clock):
    made = ok(engage(client, admin, lawyer(client, admin), clock=clock), 201)
    path = f"/v1/advisors/engagements/{made['id']}"
    for who in (token("lawyer-1", "lawyer", area="320402"), token("grid-1", "grid_worker", area=GRID), admin):
        assert ok(client.get(path, headers=who))["id"] == made["id"]
    for who in (token("lawyer-2", "lawyer", area="320402"), token("grid-9", "grid_worker", area="320402002001001"),
                token("admin-9", "admin", area="320404")):
        assert_problem(client.get(path, headers=who), 404)
    assert_problem(client.get(path, headers=token("r-1")), 403)
    mine = body(client.get("/v1/advisors/engagements/mine", headers=token("lawyer-1", "lawyer", area="320402")))
    assert [e["id"] for e in mine["items"]] == [made["id"]]
    village = body(client.get("/v1/advisors/engagements", headers=token("grid-1", "grid_worker", area=GRID)))
    assert [e["id"] for e in village["items"]] == [made["id"]]
    assert_problem(client.get("/v1/advisors/engagements?area=320402", headers=token("grid-1", "grid_worker", area=GRID)),
                   403)
    district = body(client.get("/v1/advisors/engagements?area=320402", headers=admin))
    assert [e["id"] for e in district["items"]] == [made["id"]]
