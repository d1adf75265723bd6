"""The main path over HTTP, as people use it (SPEC M1, M2, M6): a grid worker enters a 30-worker wage dispute
that starts at the district centre with its reasons shown; a neighbour dispute is mediated at the grid, settled
with an agreement, and the party reads the agreement and the judicial-confirmation reminder."""
from __future__ import annotations

import json

import pytest

from tests.helpers import body, ok, post
from tests.plugins.mediation.conftest import GRID, dispute

pytestmark = pytest.mark.usefixtures("areas")


def test_a_wage_dispute_of_thirty_workers_starts_at_the_district_centre_with_the_reasons(client, token, clock):
    worker = token("g-1", "grid_worker", area=GRID)
    wages = dispute(kind="labour", facts="某装饰公司拖欠 30 名工人工资共 48 万元", amount="480000",
                    risk={"workers": 30, "people_involved": 30},
                    parties=[{"name": "刘德明（工人代表）", "role": "applicant", "phone": "13912340003"},
                             {"name": "常州某装饰工程有限公司", "kind": "organisation", "role": "respondent"}])
    created = ok(post(client, "/v1/mediation/disputes", wages, worker, ), 201)
    assert (created["tier"], created["tier_label"]) == ("district", "区矛盾纠纷调处中心")
    assert created["holder"] == {"kind": "committee", "id": "district:320402", "title": "区矛盾纠纷调处中心",
                                 "name": "天宁区矛盾纠纷调处中心"}
    assert created["history"][0]["reasons"] == ["涉及 30 人，达到 10 人（平台默认标准）",
                                                "劳动争议涉及劳动者 30 人，达到 10 人（平台默认标准）"]
    assert created["due"] == clock.day(30)
    district = token("d-1", "mediator", area="320402")
    assert [d["id"] for d in body(client.get("/v1/mediation/disputes", headers=district))["items"]] == [created["id"]]


def test_a_neighbour_dispute_is_settled_at_the_grid_and_the_party_reads_the_agreement(client, token, mediator, clock):
    parties = dispute()["parties"]
    parties[0]["account"] = "r-li"
    created = ok(post(client, "/v1/mediation/disputes", dispute(parties=parties), mediator,), 201)
    path = f"/v1/mediation/disputes/{created['id']}"
    ok(post(client, f"{path}/sessions", {"on": clock.day(), "place": "朝阳花园社区调解室",
                                         "participants": ["李秀英", "张国强", "周调解员"],
                                         "notes": "现场查看漏水情况，双方同意按维修报价赔偿", "version": 1}, mediator), 201)
    closed = ok(client.put(f"{path}/outcome", headers={**mediator, "Content-Type": "application/json", "If-Match": "2"},
                           body=json.dumps({"result": "agreement", "on": clock.day(), "summary": "双方达成协议",
                                            "agreement": {"signed_on": clock.day(), "terms": [
                                                {"text": "张国强于十日内赔偿维修费", "amount": "3000",
                                                 "perform_by": clock.day(10)}]}}, ensure_ascii=False)))
    assert closed["status"] == "closed"
    seen = body(client.get(path, headers=token("r-li")))
    assert seen["outcome"]["agreement"]["terms"][0]["amount"] == "3000"
    assert f"{clock.day(30)} 前共同向人民法院申请司法确认" in seen["outcome"]["confirmation_reminder"]
