"""Issue 11's "Done when", over HTTP, as people use it (SPEC M1–M6): a neighbour dispute opened from a
resident's ticket is settled by the grid mediator and the party downloads the agreement; a 30-worker wage
dispute starts at the district centre with the reasons shown; the staffing check names the under-staffed
village committee; the grass-roots share shows for the district."""
from __future__ import annotations

import json

import pytest

from chalicelib import plugin
from chalicelib.domain.directory.models import Institution
from chalicelib.platform import audit, storage
from tests.helpers import body, ok, post
from tests.plugins.mediation.conftest import GRID, dispute, on_roster

pytestmark = pytest.mark.usefixtures("areas")
DISTRICT = "320402"


def put(client, path, payload, headers):
    return client.put(path, headers={"Content-Type": "application/json", **headers},
                      body=json.dumps(payload, ensure_ascii=False))


def wages() -> dict:
    return dispute(kind="labour", facts="某装饰公司拖欠 30 名工人工资共 48 万元", amount="480000",
                   risk={"workers": 30, "people_involved": 30},
                   parties=[{"name": "刘德明（工人代表）", "role": "applicant", "phone": "13912340003"},
                            {"name": "常州某装饰工程有限公司", "kind": "organisation", "role": "respondent"}])


def settle(client, staff, created: dict, clock) -> dict:
    return ok(put(client, f"/v1/mediation/disputes/{created['id']}/outcome",
                  {"result": "agreement", "on": clock.day(), "summary": "双方达成协议", "version": created["version"],
                   "agreement": {"signed_on": clock.day(), "terms": [{"text": "按协议赔偿", "amount": "3000",
                                                                      "perform_by": clock.day(10)}]}}, staff))


def test_a_neighbour_dispute_from_a_ticket_is_settled_by_the_grid_mediator_and_the_party_downloads_it(
        client, token, clock):
    on_roster("m-zhou")
    resident, mediator = token("r-li"), token("m-zhou", "mediator", area=GRID)
    ticket = ok(post(client, "/v1/tickets", {"channel": "mini_program", "grid": GRID, "category": "dispute",
                                             "text": "楼上装修漏水，浸湿我家天花板，协商多次无果"}, resident), 201)
    routed = ok(post(client, f"/v1/tickets/{ticket['code']}/route", {"target": "mediation_dispute"},
                     {**token("g-1", "grid_worker", area=GRID), "If-Match": str(ticket["version"])}))
    dispute_id = routed["case"]["id"]
    [mine] = body(client.get("/v1/mediation/my-disputes", headers=resident))["items"]
    assert (mine["id"], mine["status"]) == (dispute_id, "registered")

    path = f"/v1/mediation/disputes/{dispute_id}"
    parties = dispute()["parties"]
    parties[0]["account"] = "r-li"
    recorded = ok(put(client, f"{path}/parties", {"kind": "neighbour", "parties": parties, "version": 1}, mediator))
    assert (recorded["tier"], recorded["kind_label"]) == ("grid", "邻里纠纷")
    assert recorded["holder"] == {"kind": "mediator", "id": "m-zhou", "title": "雕庄街道人民调解委员会",
                                  "name": "调解员m-zhou"}
    ok(post(client, f"{path}/sessions", {"on": clock.day(), "place": "演示社区调解室", "participants": ["李秀英", "张国强"],
                                         "notes": "现场查看漏水情况，双方同意按维修报价赔偿", "version": 2}, mediator), 201)
    settle(client, mediator, {"id": dispute_id, "version": 3}, clock)
    ok(post(client, f"{path}/agreement-document", {}, mediator), 201)

    [mine] = body(client.get("/v1/mediation/my-disputes", headers=resident))["items"]
    assert (mine["status_label"], mine["holder"]["name"], mine["result_label"]) == ("已结案", "调解员m-zhou", "达成调解协议")
    assert f"{clock.day(30)} 前共同向人民法院申请司法确认" in mine["confirmation_reminder"]
    download = ok(client.get(mine["agreement_download"], headers=resident))
    assert download["url"]
    progress = ok(client.get(f"/v1/tickets/{ticket['code']}", headers=resident))["progress"]
    assert progress["closed"] and progress["result"].startswith("达成调解协议")


def test_a_wage_dispute_of_thirty_workers_starts_at_the_district_centre_with_the_reasons(client, token, clock):
    worker = token("g-1", "grid_worker", area=GRID)
    created = ok(post(client, "/v1/mediation/disputes", wages(), worker), 201)
    assert (created["tier"], created["tier_label"]) == ("district", "区矛盾纠纷调处中心")
    assert created["holder"] == {"kind": "committee", "id": "district:320402", "title": "区矛盾纠纷调处中心",
                                 "name": "天宁区矛盾纠纷调处中心"}
    assert created["history"][0]["reasons"] == ["涉及 30 人，达到 10 人（平台默认标准）",
                                                "劳动争议涉及劳动者 30 人，达到 10 人（平台默认标准）"]
    assert created["due"] == clock.day(30)
    listed = body(client.get("/v1/mediation/disputes", headers=token("d-1", "mediator", area=DISTRICT)))["items"]
    assert [(d["id"], d["holder"]["name"]) for d in listed] == [(created["id"], "天宁区矛盾纠纷调处中心")]


def test_after_make_dev_the_staffing_check_names_the_under_staffed_village_committee(client, token, clock):
    for id, level, name, home in (("demo-mediation-diaozhuang", "town", "雕庄街道人民调解委员会", "320402001"),
                                  ("demo-mediation-chaoyang", "village", "朝阳花园社区人民调解委员会", "320402001001")):
        storage.put_new(Institution(id=id, kind="mediation_committee", level=level, name=name, home_area=home,
                                    serves=[home]))
    mediation = next(p for p in plugin.enabled() if p.name == "mediation")
    mediation.demo_data(plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: []))
    with clock.travel(days=20 - clock.today.day):     # the 18th's monthly screening has run
        month = clock.month()
        ok(post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, token("a-1", "admin", area="3204")))
        found = body(client.get(f"/v1/screenings/{month}?area={DISTRICT}&limit=100",
                                headers=token("d-1", "mediator", area=DISTRICT)))["items"]
    staffing = {f["record"]: f["title"] for f in found if f["check"] == "mediation.understaffed"}
    assert staffing["demo-mediation-chaoyang"] == "朝阳花园社区人民调解委员会合格专职调解员 0 名，低于配备标准 1 名"


def test_the_grass_roots_share_shows_for_the_district(client, token, clock):
    mediator = token("m-zhou", "mediator", area=GRID)
    district = token("d-1", "mediator", area=DISTRICT)
    settle(client, mediator, ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201), clock)
    settle(client, district, ok(post(client, "/v1/mediation/disputes", wages(), mediator), 201), clock)
    rates = ok(client.get(f"/v1/mediation/rates?area={DISTRICT}", headers=district))
    assert (rates["agreed_by_tier"]["grid"], rates["agreed_by_tier"]["district"]) == (1, 1)
    assert (rates["grass_roots_share"], rates["goal"], rates["meets_goal"]) == ("50.0", "95", False)
    assert rates["success_rate"] == "100.0"
