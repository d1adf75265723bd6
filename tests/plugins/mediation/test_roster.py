"""SPEC M3, M4: the mediator roster and the recommendation of mediators for a dispute — nearest first, with
experience of the kind and a bearable load, each with its reasons."""
from __future__ import annotations

import json

import pytest

from tests.helpers import assert_problem, body, calls_during, ok, post
from tests.plugins.mediation.conftest import GRID, OTHER_DISTRICT, dispute

pytestmark = pytest.mark.usefixtures("areas")


def enrol(client, headers, id, area, kinds=(), full_time=True, expert=False):
    return ok(post(client, "/v1/mediation/mediators", {
        "id": id, "name": f"调解员{id}", "area": area, "committee": "雕庄街道人民调解委员会", "full_time": full_time,
        "kinds": list(kinds), "expert": expert}, headers), 201)


def test_the_nearest_with_experience_and_room_come_first_each_with_reasons(client, token, clock):
    district = token("d-1", "mediator", area="320402")
    enrol(client, district, "m-town", "320402001", kinds=["neighbour"])
    enrol(client, district, "m-grid", GRID, full_time=False)
    enrol(client, district, "m-grid-expert", GRID, kinds=["neighbour"])
    enrol(client, district, "m-district", "320402", kinds=["neighbour"], expert=True)
    target = ok(post(client, "/v1/mediation/disputes", dispute(), district), 201)
    for _ in range(5):  # the grid's experienced mediator is at the default limit of 5 open disputes
        busy = ok(post(client, "/v1/mediation/disputes", dispute(), district), 201)
        ok(post(client, f"/v1/mediation/disputes/{busy['id']}/transfers",
                {"tier": "grid", "mediator": "m-grid-expert", "reason": "指派", "version": 1}, district))
    found = body(client.get(f"/v1/mediation/disputes/{target['id']}/recommendations", headers=district))["items"]
    assert [r["mediator"]["id"] for r in found] == ["m-grid", "m-town", "m-district", "m-grid-expert"]
    assert found[0]["reasons"] == ["同一网格", "名册未登记邻里纠纷调解经验", "当前承办 0 件（上限 5 件）", "兼职调解员"]
    assert found[2]["reasons"][-2:] == ["调解专家库成员", "专职调解员"]
    assert found[3]["load"] == 5 and found[3]["reasons"][2] == "当前承办 5 件（上限 5 件），已满"


def test_the_roster_is_kept_per_area_and_a_stranger_sees_neither_roster_nor_recommendations(client, token, mediator):
    enrol(client, mediator, "m-grid", GRID)
    outsider = token("m-9", "mediator", area=OTHER_DISTRICT)
    assert_problem(post(client, "/v1/mediation/mediators", {"id": "m-x", "name": "某", "area": GRID,
                                                           "committee": "某调委会", "full_time": True}, outsider), 403)
    assert [m["id"] for m in body(client.get("/v1/mediation/mediators", headers=mediator))["items"]] == ["m-grid"]
    assert body(client.get("/v1/mediation/mediators", headers=outsider))["items"] == []
    target = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert_problem(client.get(f"/v1/mediation/disputes/{target['id']}/recommendations", headers=outsider), 404)


def test_enrolling_twice_is_a_409_and_an_unknown_area_or_kind_a_422(client, mediator):
    enrol(client, mediator, "m-grid", GRID)
    assert_problem(post(client, "/v1/mediation/mediators", {"id": "m-grid", "name": "某", "area": GRID,
                                                           "committee": "某调委会", "full_time": True}, mediator), 409)
    problem = assert_problem(post(client, "/v1/mediation/mediators", {
        "id": "m-y", "name": "某", "area": "320402001009", "committee": "某调委会", "full_time": True,
        "kinds": ["gossip"]}, mediator), 422)
    assert problem["errors"][0]["loc"] == ["body", "kinds", "0"]
    unknown = assert_problem(post(client, "/v1/mediation/mediators", {
        "id": "m-y", "name": "某", "area": "320402001009", "committee": "某调委会", "full_time": True}, mediator), 422,
        "area_not_found")
    assert unknown["errors"][0]["loc"] == ["body", "area"]


def committee(id, level, home_area):
    from chalicelib.domain.directory.models import Institution
    from chalicelib.platform import storage

    storage.put_new(Institution(id=id, kind="mediation_committee", level=level, name=f"{id}人民调解委员会",
                                home_area=home_area, serves=[home_area]))


def test_the_staffing_check_names_committees_below_the_standard_of_their_level(client, token, clock):
    from chalicelib import plugin
    from plugins.mediation.roster import understaffed

    committee("town-a", "town", "320402001")
    committee("village-a", "village", "320402001001")
    district = token("d-1", "mediator", area="320402")
    for id, full_time, at in (("m-1", True, "town-a"), ("m-2", True, "town-a"), ("m-3", False, "village-a")):
        ok(post(client, "/v1/mediation/mediators", {"id": id, "name": "某", "area": GRID, "committee": "某调委会",
                                                   "committee_id": at, "full_time": full_time}, district), 201)
    for id in ("m-1", "m-2"):   # SPEC M4: full-time mediators count once they met the yearly training hours
        ok(post(client, f"/v1/mediation/mediators/{id}/trainings", {"course": "人民调解业务培训", "hours": "24",
                                                                   "on": clock.day(), "organiser": "天宁区司法局"}, district), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    [finding] = understaffed(context)
    assert (finding.record, finding.area) == ("village-a", "320402001001")
    assert finding.title == "village-a人民调解委员会合格专职调解员 0 名，低于配备标准 1 名"


def test_a_mediator_may_only_be_enrolled_in_a_committee_of_the_directory(client, mediator):
    problem = assert_problem(post(client, "/v1/mediation/mediators", {
        "id": "m-z", "name": "某", "area": GRID, "committee": "某调委会", "committee_id": "no-such",
        "full_time": True}, mediator), 422, "committee_not_found")
    assert problem["errors"][0]["loc"] == ["body", "committee_id"]


def test_the_expert_pool_is_published_per_grid_and_kind_nearest_first_without_accounts(client, token):
    district = token("d-1", "mediator", area="320402")
    enrol(client, district, "m-far", "320402", kinds=["labour"], expert=True)
    enrol(client, district, "m-near", "320402001", kinds=["labour", "neighbour"], expert=True)
    enrol(client, district, "m-plain", GRID, kinds=["labour"])
    resident = token("r-1")
    first = body(client.get(f"/v1/mediation/experts?grid={GRID}&kind=labour&limit=1", headers=resident))
    assert [(e["name"], e["serves"]) for e in first["items"]] == [("调解员m-near", "同一镇（街道）")]
    assert "id" not in first["items"][0]
    rest = body(client.get(f"/v1/mediation/experts?grid={GRID}&kind=labour&limit=1&cursor={first['next_cursor']}",
                           headers=resident))
    assert [e["name"] for e in rest["items"]] == ["调解员m-far"] and rest["next_cursor"] is None
    only = body(client.get(f"/v1/mediation/experts?grid={GRID}&kind=neighbour", headers=resident))["items"]
    assert [e["name"] for e in only] == ["调解员m-near"]
    assert_problem(client.get("/v1/mediation/experts?grid=3204&kind=gossip", headers=resident), 422)


def _loads(*accounts):
    from chalicelib.platform import storage
    from plugins.mediation.models import Mediator

    return [storage.read(Mediator, a).load for a in accounts]


def test_a_mediator_s_load_tally_follows_every_change_of_holder(client, token, mediator, clock):
    """SPEC M3, CONTRACT "counts": the load a recommendation shows is a tally on the roster entry, kept in the
    transaction that assigns, transfers or closes a dispute — a mediator not yet on the roster has none."""
    enrol(client, mediator, "m-zhou", GRID)
    enrol(client, mediator, "m-wu", GRID)
    opened = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert opened["holder"]["id"] == "m-zhou" and _loads("m-zhou", "m-wu") == [1, 0]
    path = f"/v1/mediation/disputes/{opened['id']}"
    moved = ok(post(client, f"{path}/transfers", {"tier": "grid", "mediator": "m-wu", "reason": "指派", "version": 1},
                    mediator))
    assert _loads("m-zhou", "m-wu") == [0, 1]
    moved = ok(post(client, f"{path}/transfers", {"tier": "village", "mediator": "m-wu", "reason": "上移",
                                                   "version": moved["version"]}, mediator))
    assert _loads("m-zhou", "m-wu") == [0, 1]
    moved = ok(post(client, f"{path}/transfers", {"tier": "town", "reason": "上移", "version": moved["version"]},
                    mediator))
    assert moved["holder"]["kind"] == "committee" and _loads("m-zhou", "m-wu") == [0, 0]
    moved = ok(post(client, f"{path}/transfers", {"tier": "grid", "mediator": "m-zhou", "reason": "下移",
                                                   "version": moved["version"]}, mediator))
    assert _loads("m-zhou", "m-wu") == [1, 0]
    recommended = body(client.get(f"{path}/recommendations", headers=mediator))["items"]
    assert {r["mediator"]["id"]: r["load"] for r in recommended} == {"m-zhou": 1, "m-wu": 0}
    ok(client.put(f"{path}/outcome", headers={**mediator, "Content-Type": "application/json"},
                  body=json.dumps({"result": "withdrawn", "on": clock.day(), "summary": "申请人撤回",
                                   "version": moved["version"]})))
    assert _loads("m-zhou", "m-wu") == [0, 0]
    unenrolled = token("m-new", "mediator", area="320402001")
    ok(post(client, "/v1/mediation/disputes", dispute(), unenrolled), 201)
    enrol(client, mediator, "m-new", GRID)
    assert _loads("m-new") == [0]


def test_recommendations_read_the_dispute_with_the_limit_then_the_roster_with_its_loads(client, mediator):
    """Two calls, not four: no list of disputes is read to count loads, and the dispute's id names the grid
    whose load limit is read with it."""
    enrol(client, mediator, "m-zhou", GRID)
    opened = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    seen = []
    calls = calls_during(lambda: seen.append(client.get(f"/v1/mediation/disputes/{opened['id']}/recommendations",
                                                        headers=mediator)))
    assert body(seen[0])["items"][0]["load"] == 1
    assert calls == ["BatchGetItem", "Query"]
