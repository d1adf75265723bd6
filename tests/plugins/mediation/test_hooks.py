"""What mediation declares on its Plugin: screening checks (SPEC M5, C7), the intake target (C5), the link
rule, the coverage role (C3) and demo data."""
from __future__ import annotations

import json

import pytest

from chalicelib import plugin
from chalicelib.platform import audit, storage
from chalicelib.platform.audit import SYSTEM
from chalicelib.platform.auth import Caller
from plugins.mediation import service
from plugins.mediation.models import Dispute, Mediator
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.mediation.conftest import GRID, dispute

pytestmark = pytest.mark.usefixtures("areas")


def screen(check, clock, days=0):
    from datetime import timedelta

    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today + timedelta(days=days))
    return list(check(context))


def test_an_open_dispute_is_overdue_the_day_after_its_tier_limit(client, mediator, clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert screen(service.overdue, clock, days=7) == []
    [finding] = screen(service.overdue, clock, days=8)
    assert (finding.record, finding.area, finding.due.isoformat()) == (created["id"], GRID, clock.day(7))
    assert "已超 1 日" in finding.detail and "李秀英" not in finding.detail


def test_a_closed_dispute_is_never_overdue(client, mediator, clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    ok(client.put(f"/v1/mediation/disputes/{created['id']}/outcome", headers={**mediator, "If-Match": "1",
                  "Content-Type": "application/json"},
                  body=json.dumps({"result": "withdrawn", "on": clock.day(), "summary": "申请人撤回"})))
    assert screen(service.overdue, clock, days=30) == []


def test_disputes_with_a_petition_history_or_a_threat_are_flagged_high_risk(client, mediator, clock):
    ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    risky = ok(post(client, "/v1/mediation/disputes", dispute(risk={"petition_history": True}), mediator), 201)
    assert [f.record for f in screen(service.high_risk, clock)] == [risky["id"]]


def test_the_mediator_is_warned_before_the_confirmation_window_closes_and_not_after(client, mediator, clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    ok(client.put(f"/v1/mediation/disputes/{created['id']}/outcome", headers={**mediator, "If-Match": "1",
                  "Content-Type": "application/json"},
                  body=json.dumps({"result": "agreement", "on": clock.day(), "summary": "达成协议",
                                   "agreement": {"signed_on": clock.day(), "terms": [{"text": "赔偿 3000 元"}]}})))
    assert screen(service.confirmation_window, clock, days=22) == []
    [finding] = screen(service.confirmation_window, clock, days=23)  # 7 days before day 30 (the default)
    assert finding.due.isoformat() == clock.day(30)
    assert len(screen(service.confirmation_window, clock, days=30)) == 1
    assert screen(service.confirmation_window, clock, days=31) == []


def test_a_ticket_opens_one_dispute_that_reports_its_progress_and_result(client, mediator, token, clock):
    request = plugin.IntakeRequest(ticket_id="T-2026-0001", category="neighbour", area=GRID,
                                   text="楼上漏水，多次协商无果", actor=SYSTEM, resident="r-li")
    ref = service.open_from_ticket(request)
    assert service.open_from_ticket(request) == ref  # routed twice: still one dispute
    assert service.progress(ref).status == "已登记，待补录当事人（网格调解员）"
    assert body(client.get(f"/v1/mediation/disputes/{ref.id}", headers=token("r-li")))["ticket_id"] == "T-2026-0001"
    path = f"/v1/mediation/disputes/{ref.id}"
    assert_problem(post(client, f"{path}/sessions", {"on": clock.day(), "video": True, "participants": ["李秀英"],
                                                    "notes": "电话沟通", "version": 1}, mediator), 409,
                   "parties_missing")
    parties = {"parties": dispute()["parties"], "version": 1}
    recorded = ok(client.put(f"{path}/parties", headers={**mediator, "Content-Type": "application/json"},
                             body=json.dumps(parties, ensure_ascii=False)))
    assert (recorded["status"], recorded["tier"], len(recorded["history"])) == ("mediating", "grid", 2)
    ok(client.put(f"{path}/outcome", headers={**mediator, "Content-Type": "application/json"},
                  body=json.dumps({"result": "agreement", "on": clock.day(), "summary": "达成协议", "version": 2,
                                   "agreement": {"signed_on": clock.day(), "terms": [{"text": "赔偿"}]}})))
    progress = service.progress(ref)
    assert progress.closed and progress.result == "达成调解协议：达成协议"


def test_only_readers_of_a_dispute_may_attach_files_to_it(client, mediator):
    from chalicelib.platform.errors import NotFound

    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    rule = plugin.link_rule("mediation-dispute")
    rule.may_link(Caller(sub="m-zhou", roles=frozenset({"mediator"}), area="320402001"), created["id"])
    with pytest.raises(NotFound):
        rule.may_link(Caller(sub="r-x", roles=frozenset({"resident"}), area=None), created["id"])


def test_every_grid_needs_a_mediator_and_the_core_declares_none():
    from chalicelib.domain.coverage import service as coverage

    [role] = [r for r in coverage.roles() if r.code == "mediator"]
    assert role.source == "mediation"


def test_the_demo_disputes_load_once_in_each_state(client):
    context = plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [])
    service.load_demo(context)
    service.load_demo(context)
    found = {i["id"]: i for i in storage.every(Dispute, "mediation-dispute", "320402")}
    assert len(found) == 3
    assert found["demo-dispute-wages"]["tier"] == "district"
    assert found["demo-dispute-settled"]["status"] == "closed"
    assert len(storage.every(Mediator, "mediation-mediator", "320402")) == 4


def test_the_month_s_new_disputes_are_counted_from_the_tally(client, mediator, clock):
    ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    ok(post(client, "/v1/mediation/disputes", dispute(risk={"people_involved": 12}), mediator), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="320402", as_of=clock.today)
    [finding] = service.new_disputes(context)
    assert finding.title == f"{clock.month()} 新登记矛盾纠纷 2 起，其中由区矛盾纠纷调处中心调处 1 起"
    assert list(service.new_disputes(plugin.ScreeningContext(month=clock.month(-1), area="320402",
                                                             as_of=clock.today))) == []


def test_a_grid_with_three_open_disputes_of_one_kind_is_a_hotspot(client, mediator, clock):
    for _ in range(2):
        ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    ok(post(client, "/v1/mediation/disputes", dispute(kind="debt"), mediator), 201)
    assert screen(service.hotspots, clock) == []
    ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    [finding] = screen(service.hotspots, clock)
    assert (finding.area, finding.title) == (GRID, "网格内未化解的邻里纠纷达 3 起")


def test_an_agreement_past_its_performance_date_is_flagged_until_a_follow_up_finds_it_performed(client, mediator,
                                                                                              clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    path = f"/v1/mediation/disputes/{created['id']}"
    ok(client.put(f"{path}/outcome", headers={**mediator, "If-Match": "1", "Content-Type": "application/json"},
                  body=json.dumps({"result": "agreement", "on": clock.day(), "summary": "达成协议",
                                   "agreement": {"signed_on": clock.day(), "terms": [
                                       {"text": "赔偿 3000 元", "amount": "3000", "perform_by": clock.day(10)}]}})))
    assert screen(service.performance_due, clock, days=10) == []
    [finding] = screen(service.performance_due, clock, days=11)
    assert finding.due.isoformat() == clock.day(10)
    partly = ok(post(client, f"{path}/follow-ups", {"on": clock.day(), "performed": "partial", "notes": "已付一半",
                                                   "version": 2}, mediator), 201)
    assert partly["outcome"]["follow_ups"][0]["performed_label"] == "部分履行"
    assert len(screen(service.performance_due, clock, days=11)) == 1
    ok(post(client, f"{path}/follow-ups", {"on": clock.day(), "performed": "full", "notes": "已付清", "version": 3},
            mediator), 201)
    assert screen(service.performance_due, clock, days=11) == []
    early = assert_problem(post(client, f"{path}/follow-ups", {"on": clock.day(-1), "performed": "full",
                                                              "notes": "已付清", "version": 4}, mediator), 422)
    assert early["errors"][0]["loc"] == ["body", "on"]


def test_a_dispute_without_an_agreement_takes_no_follow_up(client, mediator, clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert_problem(post(client, f"/v1/mediation/disputes/{created['id']}/follow-ups",
                        {"on": clock.day(), "performed": "full", "notes": "无需回访", "version": 1}, mediator), 409,
                   "no_agreement")


def test_a_retried_follow_up_shows_the_dispute_again_with_one_follow_up(client, mediator, clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    path = f"/v1/mediation/disputes/{created['id']}"
    ok(client.put(f"{path}/outcome", headers={**mediator, "If-Match": "1", "Content-Type": "application/json"},
                  body=json.dumps({"result": "agreement", "on": clock.day(), "summary": "达成协议",
                                   "agreement": {"signed_on": clock.day(), "terms": [{"text": "赔偿 3000 元"}]}})))
    keyed = {**mediator, "Idempotency-Key": "follow-up-0001"}
    visit = {"on": clock.day(), "performed": "full", "notes": "已付清", "version": 2}
    first = post(client, f"{path}/follow-ups", visit, keyed)
    again = post(client, f"{path}/follow-ups", visit, keyed)
    assert first.status_code == again.status_code == 201 and body(again) == body(first)
    assert again.headers["Idempotent-Replayed"] == "true" and len(body(again)["outcome"]["follow_ups"]) == 1
