"""SPEC A1–A2 done-when, over HTTP as a new user would: an injured worker finds the institutions licensed for
a disability grade near their grid, asks, an officer of the district calls them back and answers with the
nearest institutions, and the worker is granted a fee waiver with the reason shown; after `make dev` the demo
worker finds the same."""
from __future__ import annotations

import json

from chalicelib import plugin
from chalicelib.demo import policies as demo_policies
from chalicelib.platform import audit
from plugins.appraisal import service
from tests.helpers import body, ok, post
from tests.plugins.appraisal.conftest import GRID, question

WAIVED = "社会救助对象（低保户）（法律援助法第四十二条），免于经济困难审查，免交鉴定费"
# After `make dev` Changzhou's 2021 notice is in force (the core's demo policies): the local criterion decides.
DEMO_WAIVED = "社会救助对象（低保户）（常州市特殊困难群体免审政策（2021-07-20 起）），免于经济困难审查，免交鉴定费"


def test_an_injured_worker_asks_about_a_disability_grade_and_is_granted_a_fee_waiver_with_the_reason_shown(
        client, token, world, officer):
    worker = token("worker-1")
    nearby = body(client.get(f"/v1/appraisal/institutions?grid={GRID}&kind=disability_grade"))["items"]
    assert nearby[0]["name"] == "天宁法医临床司法鉴定所"

    sent = {**worker, "Content-Type": "application/json", "Idempotency-Key": "worker-1-finger-injury"}
    asked = ok(client.post("/v1/appraisal/consultations", body=json.dumps(question(), ensure_ascii=False),
                           headers=sent), 201)
    replayed = ok(client.post("/v1/appraisal/consultations", body=json.dumps(question(), ensure_ascii=False),
                              headers=sent), 201)
    assert replayed["id"] == asked["id"] and asked["phone"] == "138****1302"

    [waiting] = body(client.get("/v1/appraisal/consultations/unanswered", headers=officer))["items"]
    assert body(client.get(f"/v1/appraisal/consultations/{waiting['id']}/contact", headers=officer)) == {
        "phone": "13800001302"}
    ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
            {"guidance": "伤残等级鉴定在治疗终结后进行，请带工伤认定书、病历和出院小结。", "version": 1}, officer))

    decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                      {"groups": ["dibao"], "version": 2}, worker))
    assert (decided["fee_relief"]["relief"], decided["fee_relief"]["reason"]) == ("waive", WAIVED)

    [mine] = body(client.get("/v1/appraisal/consultations", headers=worker))["items"]
    assert mine["fee_relief"]["title"] == "免交鉴定费" and mine["fee_relief"]["reason"] == WAIVED
    assert [r["name"] for r in mine["recommended"]][:1] == ["天宁法医临床司法鉴定所"]
    assert all(c["reason"] for c in mine["fee_relief"]["criteria"])


def test_after_make_dev_the_demo_worker_sees_the_waiver_and_why(client, token, world):
    context = plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [])
    demo_policies.load(audit.SYSTEM)
    service.load_demo(context)
    [mine] = body(client.get("/v1/appraisal/consultations", headers=token("demo-resident-2")))["items"]
    assert (mine["kind_title"], mine["fee_relief"]["relief"], mine["fee_relief"]["reason"]) == (
        "伤残等级鉴定", "waive", DEMO_WAIVED)
    assert body(client.get("/v1/appraisal/consultations", headers=token("worker-1")))["items"] == []
