"""SPEC M2 and M6: transfers between tiers with reasons, sessions, the outcome with its agreement, and the
judicial-confirmation window (人民调解法 art. 33)."""
from __future__ import annotations

import pytest

from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from plugins.mediation import params
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.mediation.conftest import GRID, OTHER_DISTRICT, dispute, on_roster

pytestmark = pytest.mark.usefixtures("areas")


def put(client, path, payload, headers):
    import json

    return client.put(path, headers={"Content-Type": "application/json", **headers},
                      body=json.dumps(payload, ensure_ascii=False))


@pytest.fixture
def opened(client, mediator):
    return ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)


def agreement(clock, **changes):
    payload = {"result": "agreement", "on": clock.day(), "summary": "双方自愿达成协议", "version": 1,
               "agreement": {"signed_on": clock.day(), "terms": [{"text": "张国强赔偿维修费", "amount": "3000",
                                                                  "perform_by": clock.day(10)}]}}
    payload.update(changes)
    return payload


def test_escalation_records_the_reason_the_new_holder_and_the_new_time_limit(client, mediator, opened, clock):
    on_roster("m-wu")
    path = f"/v1/mediation/disputes/{opened['id']}/transfers"
    moved = ok(post(client, path, {"tier": "town", "reason": "双方分歧较大，网格调解不成", "version": 1}, mediator))
    assert (moved["tier"], moved["holder"]["id"], moved["due"]) == ("town", "town:320402001", clock.day(30))
    assert moved["holder"]["name"] == "雕庄街道人民调解委员会"
    down = ok(post(client, path, {"tier": "grid", "mediator": "m-wu", "reason": "经街道释法后同意回网格调解",
                                  "version": 2}, mediator))
    assert [(s["tier"], s["reasons"]) for s in down["history"]] == [
        ("grid", ["邻里纠纷，无重大、复杂情形，简易纠纷不出网格"]), ("town", ["双方分歧较大，网格调解不成"]),
        ("grid", ["经街道释法后同意回网格调解"])]
    assert down["holder"] == {"kind": "mediator", "id": "m-wu", "title": "雕庄街道人民调解委员会", "name": "调解员m-wu"}
    assert [s["holder"]["name"] for s in down["history"]] == ["m-zhou", "雕庄街道人民调解委员会", "调解员m-wu"]
    summaries = [i["summary"] for i in audit.trail("mediation-dispute", opened["id"]).items]
    assert "上移：网格调解员 → 镇（街道）人民调解委员会" in summaries and any(s.startswith("下移") for s in summaries)


def test_a_transfer_without_a_reason_to_an_unknown_tier_or_to_the_same_tier_is_refused(client, mediator, opened):
    path = f"/v1/mediation/disputes/{opened['id']}/transfers"
    problem = assert_problem(post(client, path, {"tier": "province", "reason": "", "version": 1}, mediator), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "tier"), ("body", "reason")}
    assert_problem(post(client, path, {"tier": "grid", "reason": "同一层级", "version": 1}, mediator), 422,
                   "nothing_to_transfer")


def test_a_stale_version_is_a_409_and_a_stranger_gets_404(client, token, mediator, opened):
    path = f"/v1/mediation/disputes/{opened['id']}/transfers"
    assert_problem(post(client, path, {"tier": "town", "reason": "上移", "version": 7}, mediator), 409, "stale_version")
    assert_problem(post(client, path, {"tier": "town", "reason": "上移", "version": 1},
                        token("m-3", "mediator", area=OTHER_DISTRICT)), 404)
    assert_problem(post(client, path, {"tier": "town", "reason": "上移"}, mediator), 400, "version_required")


def test_a_session_is_recorded_and_one_before_intake_is_refused(client, mediator, opened, clock):
    path = f"/v1/mediation/disputes/{opened['id']}/sessions"
    session = {"on": clock.day(), "place": "朝阳花园社区调解室", "participants": ["李秀英", "张国强"],
               "notes": "双方陈述，调解员释法", "version": 1}
    recorded = ok(post(client, path, session, mediator), 201)
    assert recorded["sessions"][0]["place"] == "朝阳花园社区调解室" and recorded["version"] == 2
    early = assert_problem(post(client, path, {**session, "on": clock.day(-1), "version": 2}, mediator), 422,
                           "before_intake")
    assert early["errors"][0]["loc"] == ["body", "on"]
    nowhere = assert_problem(post(client, path, {**session, "place": None, "version": 2}, mediator), 422)
    assert nowhere["errors"][0]["loc"] == ["body"]
    video = ok(post(client, path, {**session, "place": None, "video": True, "version": 2}, mediator), 201)
    assert video["sessions"][1]["video"] is True


def test_an_agreement_closes_the_dispute_and_shows_the_thirty_day_confirmation_deadline(client, mediator, opened,
                                                                                       clock):
    closed = ok(put(client, f"/v1/mediation/disputes/{opened['id']}/outcome", agreement(clock), mediator))
    outcome = closed["outcome"]
    assert closed["status"] == "closed" and outcome["result_label"] == "达成调解协议"
    assert outcome["agreement"]["confirmation_deadline"] == clock.day(30)
    assert clock.day(30) in outcome["confirmation_reminder"] and "第三十三条" in outcome["confirmation_reminder"]


def test_the_deadline_runs_from_the_day_the_agreement_takes_effect_under_the_rule_in_force_then(
        client, mediator, opened, clock):
    policy.set_version(audit.SYSTEM, None, params.CONFIRMATION_DAYS, area_code="320402", value=20,
                       effective_from=clock.today, label="试行")
    closed = ok(put(client, f"/v1/mediation/disputes/{opened['id']}/outcome",
                    agreement(clock, agreement={"signed_on": clock.day(), "effective_on": clock.day(2),
                                                "terms": [{"text": "赔偿"}]}), mediator))
    assert closed["outcome"]["agreement"]["confirmation_deadline"] == clock.day(22)


@pytest.mark.parametrize("change, code, loc", [
    ({"agreement": {"signed_on": "2000-01-01", "terms": []}}, "agreement_terms_missing",
     ["body", "agreement", "terms"]),
    ({"agreement": None}, "agreement_terms_missing", ["body", "agreement", "terms"]),
    ({"result": "referred"}, "agreement_not_expected", ["body", "agreement"]),
    ({"result": "referred", "agreement": None}, "referral_missing", ["body", "referred_to"]),
])
def test_an_outcome_that_does_not_hold_together_is_a_422(client, mediator, opened, clock, change, code, loc):
    problem = assert_problem(put(client, f"/v1/mediation/disputes/{opened['id']}/outcome",
                                 agreement(clock, **change), mediator), 422, code)
    assert problem["errors"][0]["loc"] == loc


def test_two_mediators_recording_an_outcome_at_once_one_wins_and_the_other_gets_409(client, token, mediator,
                                                                                   opened, clock):
    other = token("m-wu", "mediator", area=GRID)
    path = f"/v1/mediation/disputes/{opened['id']}/outcome"
    ok(put(client, path, agreement(clock), mediator))
    assert_problem(put(client, path, {"result": "withdrawn", "on": clock.day(), "summary": "撤回", "version": 1},
                       other), 409)
    assert_problem(put(client, path, {"result": "withdrawn", "on": clock.day(), "summary": "撤回", "version": 2},
                       other), 409, "dispute_closed")


def test_a_closed_dispute_takes_no_more_sessions_or_transfers(client, mediator, opened, clock):
    ok(put(client, f"/v1/mediation/disputes/{opened['id']}/outcome",
           {"result": "no_agreement", "on": clock.day(), "summary": "双方分歧过大", "version": 1}, mediator))
    assert_problem(post(client, f"/v1/mediation/disputes/{opened['id']}/transfers",
                        {"tier": "town", "reason": "上移", "version": 2}, mediator), 409, "dispute_closed")


def test_a_party_may_read_but_not_change_their_dispute(client, token, mediator, clock):
    parties = dispute()["parties"]
    parties[0]["account"] = "r-li"
    created = ok(post(client, "/v1/mediation/disputes", dispute(parties=parties), mediator), 201)
    assert_problem(put(client, f"/v1/mediation/disputes/{created['id']}/outcome", agreement(clock), token("r-li")),
                   403)
    assert body(client.get(f"/v1/mediation/disputes/{created['id']}", headers=token("r-li")))["status"] == "mediating"


def test_once_escalated_the_grid_s_staff_no_longer_act_on_it_and_the_town_s_do(client, token, opened, clock):
    grid_worker = token("g-1", "grid_worker", area=GRID)
    path = f"/v1/mediation/disputes/{opened['id']}"
    ok(post(client, f"{path}/transfers", {"tier": "town", "reason": "网格调解不成", "version": 1}, grid_worker))
    session = {"on": clock.day(), "video": True, "participants": ["李秀英"], "notes": "视频调解", "version": 2}
    assert_problem(post(client, f"{path}/sessions", session, grid_worker), 403, "not_handling_staff")
    assert body(client.get(path, headers=grid_worker))["tier"] == "town"  # still readable by the grid's staff
    town = token("t-1", "mediator", area="320402001")
    ok(post(client, f"{path}/sessions", session, town), 201)


def test_a_named_mediator_holds_the_dispute_wherever_their_own_area_is(client, token, mediator, opened, clock):
    on_roster("m-expert")
    path = f"/v1/mediation/disputes/{opened['id']}"
    ok(post(client, f"{path}/transfers", {"tier": "district", "mediator": "m-expert", "reason": "需专家参与",
                                          "version": 1}, mediator))
    expert = token("m-expert", "mediator", area=GRID)
    ok(put(client, f"{path}/outcome", agreement(clock, version=2), expert))


def test_the_agreement_document_is_a_docx_the_party_downloads_and_a_stranger_cannot(client, token, mediator, clock):
    import io
    import zipfile

    from chalicelib.domain.files import service as files

    parties = dispute()["parties"]
    parties[0]["account"] = "r-li"
    created = ok(post(client, "/v1/mediation/disputes", dispute(parties=parties), mediator), 201)
    path = f"/v1/mediation/disputes/{created['id']}"
    assert_problem(post(client, f"{path}/agreement-document", {}, mediator), 409, "no_agreement")
    ok(put(client, f"{path}/outcome", agreement(clock), mediator))
    stored = ok(post(client, f"{path}/agreement-document", {}, mediator), 201)
    assert stored["title"].startswith("人民调解协议书")
    ok(client.get(f"/v1/files/{stored['id']}/download", headers=token("r-li")))
    assert_problem(client.get(f"/v1/files/{stored['id']}", headers=token("r-zhang")), 404)
    from xml.etree import ElementTree

    package = zipfile.ZipFile(io.BytesIO(files.read_bytes(files.get(stored["id"]))))
    for part in ("[Content_Types].xml", "_rels/.rels", "word/document.xml"):
        ElementTree.fromstring(package.read(part))  # every part well-formed XML
    text = package.read("word/document.xml").decode()
    for expected in ("人民调解协议书", "申请人：李秀英", "张国强赔偿维修费；金额：3000 元", clock.day(30), "（印）"):
        assert expected in text, expected
    assert "13912340001" not in text


def test_a_named_holder_must_be_on_the_roster(client, mediator, opened):
    problem = assert_problem(post(client, f"/v1/mediation/disputes/{opened['id']}/transfers",
                                  {"tier": "grid", "mediator": "m-nobody", "reason": "指派", "version": 1}, mediator),
                             422, "mediator_not_found")
    assert problem["errors"][0]["loc"] == ["body", "mediator"]


def test_a_retried_session_shows_the_dispute_again_with_the_session_recorded_once(client, mediator, opened, clock):
    """CONTRACT idempotency: a session is an entry inside the dispute, so the key names the dispute."""
    path = f"/v1/mediation/disputes/{opened['id']}/sessions"
    session = {"on": clock.day(), "place": "朝阳花园社区调解室", "participants": ["李秀英"], "notes": "首次调解",
               "version": 1}
    keyed = {**mediator, "Idempotency-Key": "session-0001"}
    first = post(client, path, session, keyed)
    again = post(client, path, session, keyed)
    assert first.status_code == again.status_code == 201 and body(again) == body(first)
    assert again.headers["Idempotent-Replayed"] == "true" and len(body(again)["sessions"]) == 1
    other = assert_problem(post(client, path, {**session, "notes": "另一次"}, keyed), 422, "idempotency_key_reused")
    assert other["errors"][0]["loc"] == ["header", "Idempotency-Key"]
