"""The migrant worker's story, end to end over HTTP (issue 5 "Done when"; SPEC L1, L2–L3, L5, L6).

王建国 worked four months on a site run by the labour contractor 赵大海 and was not paid. From his phone he
uploads the IOU, applies, and reads why he qualifies. The district's legal-aid officer finds the case on
top of the queue with a one-working-day deadline; lawyer-1 already represents 赵大海 in an open case, so
assigning him is refused; lawyer-2 takes it, recovers the wages, and the officer calls back."""
from __future__ import annotations

from datetime import datetime

from tests.helpers import assert_problem, body, ok, post
from tests.plugins.legal_aid.conftest import application, declare_real_name, id_number

URL = "/v1/legal-aid/applications"


def test_a_migrant_worker_s_wage_claim_from_phone_to_follow_up(clock, client, people, submit, step, upload):
    # lawyer-1 represents 赵大海 (hurt in a traffic accident) in an open case; an ordinary case waits too
    zhao = submit(applicant={"name": "赵大海", "id_number": id_number(born="19700304", sequence="035")},
                  matter_type="traffic_accident", categories=[],
                  household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]},
                  opposing_party={"name": "常州某运输有限公司", "kind": "organisation"})
    for action in ("accept", "approve"):
        zhao = ok(step(zhao, action))
    ok(step(zhao, "assign", lawyer="lawyer-1"))
    waiting = submit(matter_type="elder_support", categories=[])

    # 1. from his phone: upload the IOU, apply, read the reasons
    declare_real_name("r-1", id_number())
    iou = upload(b"\x89PNG\r\n\x1a\n IOU photo", content_type="image/png", title="欠条照片")
    payload = application(attachment_ids=[iou], opposing_party={"name": "赵大海", "kind": "person"})
    mine = ok(post(client, URL, payload, {**people["resident"], "Idempotency-Key": "wage-claim-1"}), 201)
    assert mine["eligibility"]["summary"] == "符合条件（免经济困难审查：农民工追索劳动报酬）"
    reasons = {c["code"]: c["reason"] for c in mine["eligibility"]["criteria"]}
    assert reasons["art42_exemption"] == "农民工追索劳动报酬（法律援助法第四十二条），免于经济困难审查"
    assert reasons["matter_scope"] == "“请求支付劳动报酬”属于法律援助事项范围"
    assert mine["green_channel"]["reason"] == "农民工追索劳动报酬，适用绿色通道：一个工作日内受理、审查、指派，优先办理"

    # 2. the officer's queue: first, with a one-working-day deadline
    queue = ok(client.get("/v1/legal-aid/queue", headers=people["officer"]))["items"]
    assert [i["id"] for i in queue] == [mine["id"], waiting["id"]]
    top = queue[0]
    assert top["green_channel"] and top["priority"] == 0 and top["deadline"] == mine["deadline"]
    span = datetime.fromisoformat(top["deadline"]) - datetime.fromisoformat(top["submitted_at"])
    hours = span.total_seconds() / 3600
    assert 24 <= hours <= 24 * 4  # one working day (a weekend or holiday in between stretches it)

    # 3. accepted and approved the same day; the conflicted lawyer is refused
    case = ok(step(mine, "accept"))
    case = ok(step(case, "approve"))
    refused = assert_problem(step(case, "assign", lawyer="lawyer-1"), 409, "conflict_of_interest")
    assert refused["errors"][0]["msg"] == f"该律师在办案件 {zhao['id']} 中代理本案对方当事人「赵大海」（名称一致）"
    case = ok(step(case, "assign", lawyer="lawyer-2"))
    queue = ok(client.get("/v1/legal-aid/queue", headers=people["officer"]))["items"]
    assert [i["id"] for i in queue] == [waiting["id"]]  # assigned: off the queue

    # 4. lawyer-2 sees only this case, and closes it with the outcome
    assert [c["id"] for c in ok(client.get("/v1/legal-aid/assignments", headers=people["lawyer2"]))["items"]] == [
        case["id"]]
    case = ok(step(case, "close", who="lawyer2", kind="mediated", amount_recovered="32000",
                   summary="劳动仲裁调解，赵大海当场支付拖欠工资 32,000 元"))

    # 5. the follow-up visit, and what 王建国 sees on his phone
    ok(step(case, "follow-up", visited_on=clock.day(), method="phone",
            satisfaction="satisfied", note="工资已全部到账"))
    seen = ok(client.get(f"{URL}/{mine['id']}", headers=people["resident"]))
    assert seen["status"]["label"] == "已回访" and seen["applicant"]["id_number"] == id_number()
    assert [e["note"] for e in seen["timeline"]] == [
        "已提交申请（绿色通道）", "已受理，正在审查", "审查通过，决定给予法律援助", "已指派律师承办",
        "已结案：调解结案，为您挽回 32,000 元", "已回访（电话回访）"]
    assert seen["attachment_ids"] == [iou]
