"""SPEC A2: fee relief 减·缓·免 decided by named criteria with reasons — exemption groups waive, economic
hardship (the core's means test and standard `means.income_threshold_monthly`, as legal aid) reduces, an environmental-damage
appraisal is not charged in advance; a request with none of the facts a criterion needs is a 422."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.domain import means
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from plugins.appraisal.relief import ReliefFacts, decide
from tests.helpers import assert_problem, ok, post
from tests.plugins.appraisal.conftest import question

ON = date(2026, 12, 1)


STANDARD = policy.InForce(name=means.INCOME_THRESHOLD, value=Decimal("2280"), unit="元/月",
                          effective_from=date(2021, 8, 1), area="3204", label="常州市经济困难标准",
                          version_id="3204-20210801-0a1b2c3d")


def facts(kind="disability_grade", groups=(), size=None, incomes=(), standard=STANDARD) -> ReliefFacts:
    return ReliefFacts(kind=kind, groups=frozenset(groups), household_size=size,
                       monthly_incomes=tuple(Decimal(str(i)) for i in incomes), standard=standard, asked_on=ON)


def test_a_member_of_an_exempt_group_is_waived_the_fee():
    granted, result = decide(facts(groups=["subsistence_allowance"]), ON)
    assert granted == "waive" and result.find("appraisal.exempt_group").reason == "属于城乡最低生活保障对象，免交鉴定费"


def test_income_per_head_at_the_standard_is_reduced_and_a_cent_above_is_not():
    granted, result = decide(facts(size=3, incomes=[6840]), ON)
    assert granted == "reduce"
    assert result.find("appraisal.economic_hardship").reason == \
        "人均月收入 2,280 元 ≤ 2,280 元（常州市经济困难标准）；家庭月收入合计 6,840 元，共 3 人（常州市经济困难标准自 2021-08-01 起执行），减收鉴定费"
    granted, result = decide(facts(size=3, incomes=["6840.01"]), ON)
    assert granted is None and "略高于 2,280 元" in result.find("appraisal.economic_hardship").reason


def test_without_a_standard_in_force_hardship_is_left_to_a_clerk():
    granted, result = decide(facts(size=2, incomes=[1000], standard=None), ON)
    assert granted is None
    assert result.find("appraisal.economic_hardship").data["undetermined"] is True


def test_an_environmental_damage_appraisal_is_not_charged_in_advance_and_a_waiver_beats_it():
    assert decide(facts(kind="environmental_damage"), ON)[0] == "defer"
    assert decide(facts(kind="environmental_damage", groups=["extreme_poverty"]), ON)[0] == "waive"


def ask(client, token, **fields) -> dict:
    return ok(post(client, "/v1/appraisal/consultations", question(**fields), token("worker-1")), 201)


def test_an_injured_worker_on_subsistence_allowance_is_granted_a_waiver_with_the_reason_shown(client, token, world):
    asked = ask(client, token)
    decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                      {"groups": ["subsistence_allowance"], "version": 1}, token("worker-1")))
    relief = decided["fee_relief"]
    assert (relief["granted"], relief["relief"], relief["title"], relief["reason"]) == (
        True, "waive", "免交鉴定费", "属于城乡最低生活保障对象，免交鉴定费")
    assert [(c["criterion"], c["met"]) for c in relief["criteria"]] == [
        ("appraisal.exempt_group", True), ("appraisal.economic_hardship", False),
        ("appraisal.environmental_no_prepayment", False)]


def test_hardship_is_judged_by_the_core_means_standard_in_force_at_the_grid(client, token, world, clock):
    """A2 "reuse L2": the core's `means.income_threshold_monthly`, the standard legal aid judges by."""
    policy.set_version(audit.SYSTEM, None, means.INCOME_THRESHOLD, area_code="3204", value=2280,
                       effective_from=clock.today, label="常州市最低工资标准")
    asked = ask(client, token)
    decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                      {"household_size": 2, "monthly_incomes": [3000, 1200], "version": 1}, token("worker-1")))
    assert decided["fee_relief"]["relief"] == "reduce"
    assert decided["fee_relief"]["reason"] == (f"人均月收入 2,100 元 ≤ 2,280 元（常州市最低工资标准）；家庭月收入合计 "
                                               f"4,200 元，共 2 人（常州市最低工资标准自 {clock.today} 起执行），减收鉴定费")
    again = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                    {"household_size": 1, "monthly_incomes": [5000], "version": 2}, token("worker-1")))
    assert (again["fee_relief"]["granted"], again["fee_relief"]["relief"]) == (False, "none")
    assert again["fee_relief"]["title"] == "不符合鉴定费减缓免条件"


def test_relief_without_the_facts_it_needs_is_a_422_naming_each_field(client, token, world):
    asked = ask(client, token)
    problem = assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", {"version": 1},
                                  token("worker-1")), 422, "relief_facts_missing")
    assert [e["loc"] for e in problem["errors"]] == [["body", "household_size"], ["body", "monthly_incomes"]]
    problem = assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                                  {"groups": ["rich"], "monthly_incomes": [-1], "version": 1}, token("worker-1")), 422)
    assert {e["loc"][1] for e in problem["errors"]} == {"groups", "monthly_incomes"}
    environmental = ask(client, token, kind="environmental_damage")
    decided = ok(post(client, f"/v1/appraisal/consultations/{environmental['id']}/fee-relief", {"version": 1},
                      token("worker-1")))
    assert decided["fee_relief"]["relief"] == "defer"


def test_only_the_resident_asks_for_relief_and_a_stranger_gets_404(client, token, world, officer):
    asked = ask(client, token)
    payload = {"groups": ["severe_disability"], "version": 1}
    assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", payload, token("r2")), 404)
    assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", payload, officer), 403,
                   "owner_only")
    assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", {**payload, "version": 4},
                        token("worker-1")), 409, "stale_version")


def test_relief_not_granted_is_a_clear_decision_and_the_consultation_stays_readable(client, token, world, officer,
                                                                                     clock):
    """Defect 5 (SPEC A2, CONTRACT "HTTP": never 500): 2,281 元 for one person is one yuan above the
    2,280 元 standard — relief is refused with its reason, stored as such, and every read of the consultation
    (the owner's, the area's unanswered list, the monthly screening's check) still works."""
    from chalicelib import plugin
    from plugins.appraisal import service

    policy.set_version(audit.SYSTEM, None, means.INCOME_THRESHOLD, area_code="3204", value=2280,
                       effective_from=clock.today, label="常州市最低工资标准")
    asked = ask(client, token)
    decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                      {"household_size": 1, "monthly_incomes": ["2281"], "version": 1}, token("worker-1")))
    relief = decided["fee_relief"]
    assert (relief["granted"], relief["relief"], relief["title"]) == (False, "none", "不符合鉴定费减缓免条件")
    assert "人均月收入 2,281 元 > 2,280 元" in relief["reason"]
    mine = ok(client.get(f"/v1/appraisal/consultations/{asked['id']}", headers=token("worker-1")))
    assert mine["fee_relief"] == relief
    [listed] = ok(client.get("/v1/appraisal/consultations/unanswered", headers=officer))["items"]
    assert listed["fee_relief"]["granted"] is False
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    assert list(service.overdue(context)) == []
