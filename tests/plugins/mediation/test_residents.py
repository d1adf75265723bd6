"""SPEC M6 for the people of a dispute: a party with a resident account (or the resident whose ticket opened
it) lists their own disputes — where each stands, who holds it by name, what comes next, the agreement to
download and the 30-day judicial-confirmation reminder (人民调解法 art. 33); nobody else's."""
from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from chalicelib import plugin
from chalicelib.platform.audit import SYSTEM
from plugins.mediation import service
from tests.helpers import assert_problem, body, calls_during, ok, post
from tests.plugins.mediation.conftest import GRID, dispute, on_roster

pytestmark = pytest.mark.usefixtures("areas")
MINE = "/v1/mediation/my-disputes"


def with_account(account: str, **changes) -> dict:
    payload = dispute(**changes)
    payload["parties"][0]["account"] = account
    return payload


def settle(client, mediator, dispute_id: str, clock, version: int = 1) -> dict:
    outcome = {"result": "agreement", "on": clock.day(), "summary": "双方自愿达成协议", "version": version,
               "agreement": {"signed_on": clock.day(), "terms": [{"text": "张国强赔偿维修费 3000 元", "amount": "3000",
                                                                  "perform_by": clock.day(10)}]}}
    return ok(client.put(f"/v1/mediation/disputes/{dispute_id}/outcome",
                         headers={**mediator, "Content-Type": "application/json"},
                         body=json.dumps(outcome, ensure_ascii=False)))


def test_a_party_sees_their_dispute_with_its_holder_by_name_and_the_next_step(client, token, mediator, clock):
    on_roster("m-zhou")
    created = ok(post(client, "/v1/mediation/disputes", with_account("r-li"), mediator), 201)
    [item] = body(client.get(MINE, headers=token("r-li")))["items"]
    assert (item["id"], item["status_label"], item["holder"]["name"]) == (created["id"], "调解中", "调解员m-zhou")
    assert item["next_step"] == f"由调解员m-zhou调解，时限至 {clock.day(7)}；请按通知参加调解"
    assert item["agreement_download"] is None and item["confirmation_reminder"] is None


def test_nobody_else_sees_a_party_s_dispute(client, token, mediator):
    created = ok(post(client, "/v1/mediation/disputes", with_account("r-li"), mediator), 201)
    assert body(client.get(MINE, headers=token("r-zhang")))["items"] == []
    assert body(client.get(MINE, headers=token("g-9", "grid_worker", area="320404001001001")))["items"] == []
    assert_problem(client.get(f"/v1/mediation/disputes/{created['id']}", headers=token("r-zhang")), 404)


def test_the_list_is_paginated_newest_first_in_one_query_and_one_batch_read(client, token, mediator, clock):
    ids = []
    for days in (-2, -1, 0):
        with clock.travel(days=days):
            ids.append(ok(post(client, "/v1/mediation/disputes", with_account("r-li"), mediator), 201)["id"])
    first = body(client.get(f"{MINE}?limit=2", headers=token("r-li")))
    assert [i["id"] for i in first["items"]] == [ids[2], ids[1]] and first["next_cursor"]
    second = body(client.get(f"{MINE}?limit=2&cursor={quote(first['next_cursor'])}", headers=token("r-li")))
    assert [i["id"] for i in second["items"]] == [ids[0]] and second["next_cursor"] is None
    reader = token("r-li")
    assert calls_during(lambda: ok(client.get(MINE, headers=reader))) == ["Query", "BatchGetItem"]


def test_after_the_agreement_the_party_downloads_it_and_reads_the_30_day_reminder(client, token, mediator, clock):
    created = ok(post(client, "/v1/mediation/disputes", with_account("r-li"), mediator), 201)
    settle(client, mediator, created["id"], clock)
    stored = ok(post(client, f"/v1/mediation/disputes/{created['id']}/agreement-document", {}, mediator), 201)
    [item] = body(client.get(MINE, headers=token("r-li")))["items"]
    assert item["agreement_download"] == f"/v1/files/{stored['id']}/download"
    assert item["confirmation_deadline"] == clock.day(30)
    assert f"{clock.day(30)} 前共同向人民法院申请司法确认" in item["confirmation_reminder"]
    assert item["next_step"] == f"请按协议履行；如需司法确认，请双方在 {clock.day(30)} 前共同向人民法院申请"
    ok(client.get(item["agreement_download"], headers=token("r-li")))
    assert_problem(client.get(item["agreement_download"], headers=token("r-zhang")), 404)
    with clock.travel(days=31):
        [later] = body(client.get(MINE, headers=token("r-li")))["items"]
    assert later["next_step"] == "请按协议履行" and "已于" in later["confirmation_reminder"]


def test_the_resident_whose_ticket_opened_it_follows_it_from_registration(client, token, mediator):
    request = plugin.IntakeRequest(ticket_id="T-2026-0042", category="neighbour", area=GRID,
                                   text="楼上漏水，多次协商无果", actor=SYSTEM, resident="r-wang")
    ref = service.open_from_ticket(request)
    [item] = body(client.get(MINE, headers=token("r-wang")))["items"]
    assert (item["id"], item["status"]) == (ref.id, "registered")
    assert item["holder"]["name"] == "演示社区人民调解委员会"
    assert item["next_step"] == "调解员将联系您核实当事人情况，请保持电话畅通"
    # the parties recorded later with accounts find it in their own lists too
    parties = {"parties": with_account("r-li")["parties"], "version": 1}
    ok(client.put(f"/v1/mediation/disputes/{ref.id}/parties", headers={**mediator, "Content-Type": "application/json"},
                  body=json.dumps(parties, ensure_ascii=False)))
    assert [i["id"] for i in body(client.get(MINE, headers=token("r-li")))["items"]] == [ref.id]
    assert [i["status"] for i in body(client.get(MINE, headers=token("r-wang")))["items"]] == ["mediating"]


def test_a_party_account_with_a_key_separator_is_refused_naming_the_field(client, mediator):
    problem = assert_problem(post(client, "/v1/mediation/disputes", with_account("r#li"), mediator), 422)
    assert problem["errors"][0]["loc"] == ["body", "parties", "0", "account"]
