"""SPEC A2 (reuse L2/L3; seed 001 items 3 and 11): fee relief 减·缓·免 decided by named criteria with reasons —
the groups legal aid exempts from its means test (the core's groups, cases and reasons:
`chalicelib.domain.means`) waive the fee whatever the income, the local ones where the area's policy
`means.special_groups_exempt` is in force; economic hardship (the core's means test and standard
`means.income_threshold_monthly`, as legal aid) reduces; an environmental-damage appraisal is not charged in
advance; a request with none of the facts a criterion needs is a 422."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.domain import means
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from chalicelib.platform.rules import almost
from plugins.appraisal import relief
from plugins.appraisal.relief import ReliefFacts, decide
from tests.helpers import assert_problem, ok, post
from tests.plugins.appraisal.conftest import question

ON = date(2026, 12, 1)


STANDARD = policy.InForce(name=means.INCOME_THRESHOLD, value=Decimal("2280"), unit="元/月",
                          effective_from=date(2021, 8, 1), area="3204", label="常州市经济困难标准",
                          version_id="3204-20210801-0a1b2c3d")
CHANGZHOU_GROUPS = policy.InForce(name=means.SPECIAL_GROUPS, value=Decimal("1"), unit="是否",
                                  effective_from=date(2021, 7, 20), area="3204", label="常州市特殊困难群体免审政策",
                                  version_id="3204-20210720-0a1b2c3d")


def facts(kind="disability_grade", groups=(), size=None, incomes=(), standard=STANDARD, local_policy=False,
          born=None, rural=False) -> ReliefFacts:
    return ReliefFacts(kind=kind, person=means.Person(birth_date=born, rural=rural, groups=frozenset(groups)),
                       household_size=size, monthly_incomes=tuple(Decimal(str(i)) for i in incomes),
                       rules=means.Standards(on=ON, threshold=standard, advanced_age=None,
                                             special_groups=CHANGZHOU_GROUPS if local_policy else None))


def test_the_waiving_groups_are_the_cores_the_ones_legal_aid_exempts_from_its_means_test():
    """A2 "reuse L3": the same cases (labels, ages, reasons) as legal aid's exemptions, from the core."""
    assert relief.LOCAL_SPECIAL_GROUPS.cases is means.LOCAL_CASES and relief.LOCAL_SPECIAL_GROUPS.requires_local_policy
    assert relief.ART42_GROUPS.cases is means.ART42_CASES and not relief.ART42_GROUPS.requires_local_policy
    assert [(grants, c.name) for grants, c in relief.LISTED] == [
        ("waive", "appraisal.local_special_groups"), ("waive", "appraisal.art42_groups"),
        ("reduce", "appraisal.economic_hardship"), ("defer", "appraisal.environmental_no_prepayment")]


def test_a_social_assistance_recipient_is_waived_the_fee_with_the_reason_legal_aid_gives():
    """A2 / L3 (法律援助法 art. 42): a 低保户 is deemed hard-up everywhere, without the local policy."""
    decided = decide(facts(groups=["dibao"]), ON)
    assert (decided.relief, decided.granted_by) == ("waive", ("appraisal.art42_groups",))
    assert decided.reason == "社会救助对象（低保户）（法律援助法第四十二条），免于经济困难审查，免交鉴定费"


def test_a_rural_elder_living_alone_is_waived_whatever_the_income_where_the_local_policy_is_in_force():
    """A2 / L3 (seed 001 item 3): 农村孤寡老人, income far above the standard — the fee is still waived, by
    the local criterion, whose reason names the notice in force."""
    decided = decide(facts(groups=["living_alone"], rural=True, born=date(1950, 3, 1), size=1, incomes=[9000],
                           local_policy=True), ON)
    assert (decided.relief, decided.granted_by) == ("waive", ("appraisal.local_special_groups",))
    assert decided.reason == ("农村孤寡老人（76 周岁）（常州市特殊困难群体免审政策（2021-07-20 起）），"
                              "免于经济困难审查，免交鉴定费")
    assert not relief.part(decided.result, "appraisal.economic_hardship").met


def test_without_the_local_policy_a_seriously_ill_resident_is_judged_by_income_and_told_why():
    """A2 / L3: where `means.special_groups_exempt` is not in force, 重病患者 is no exemption (the national
    rules name no such group): the means test decides, and the local criterion says why it did not."""
    decided = decide(facts(groups=["seriously_ill"], size=2, incomes=[3000]), ON)
    assert decided.relief == "reduce" and decided.granted_by == ("appraisal.economic_hardship",)
    assert relief.part(decided.result, "appraisal.local_special_groups").reason == \
        "申请日（2026-12-01）本地区未实行特殊困难群体免审政策；申报情形：重病患者"
    assert decide(facts(groups=["seriously_ill"], size=2, incomes=[3000], local_policy=True), ON).relief == "waive"


def test_a_rural_elder_of_advanced_age_needs_no_declared_group_and_a_town_elder_does_not_count():
    """L3 "农村高龄老人": from the birth date (default 80 周岁, `means.advanced_age_years`), rural only."""
    elder = decide(facts(rural=True, born=date(1946, 12, 1), local_policy=True), ON)
    assert elder.relief == "waive" and elder.reason.startswith("农村高龄老人（80 周岁）")
    assert decide(facts(rural=True, born=date(1946, 12, 2), local_policy=True), ON).relief is None
    assert decide(facts(rural=False, born=date(1940, 1, 1), groups=["living_alone"], local_policy=True),
                  ON).relief is None


def test_a_child_in_distress_is_waived_until_the_eighteenth_birthday_which_the_look_ahead_finds():
    """L3 困境儿童 (民法典 art. 17): under 18 on the day; the result names the birthday it changes on."""
    child = facts(groups=["child_in_distress"], born=date(2008, 12, 20), local_policy=True)
    assert decide(child, ON).relief == "waive"
    ahead = almost(relief.exempt_group, child, ON, 30)
    assert ahead.changes_on == date(2026, 12, 20) and not ahead.then.met


def test_income_per_head_at_the_standard_is_reduced_and_a_cent_above_is_not():
    decided = decide(facts(size=3, incomes=[6840]), ON)
    assert decided.relief == "reduce"
    assert decided.reason == \
        "人均月收入 2,280 元 ≤ 2,280 元（常州市经济困难标准）；家庭月收入合计 6,840 元，共 3 人（常州市经济困难标准自 2021-08-01 起执行），减收鉴定费"
    decided = decide(facts(size=3, incomes=["6840.01"]), ON)
    assert decided.relief is None and "略高于 2,280 元" in relief.part(decided.result, "appraisal.economic_hardship").reason


def test_without_a_standard_in_force_hardship_is_left_to_a_clerk():
    decided = decide(facts(size=2, incomes=[1000], standard=None), ON)
    assert decided.relief is None
    assert relief.part(decided.result, "appraisal.economic_hardship").data["undetermined"] is True


def test_an_environmental_damage_appraisal_is_not_charged_in_advance_and_a_waiver_beats_it():
    assert decide(facts(kind="environmental_damage"), ON).relief == "defer"
    assert decide(facts(kind="environmental_damage", groups=["tekun"]), ON).relief == "waive"


def ask(client, token, **fields) -> dict:
    return ok(post(client, "/v1/appraisal/consultations", question(**fields), token("worker-1")), 201)


def test_an_injured_worker_on_subsistence_allowance_is_granted_a_waiver_with_the_reason_shown(client, token, world):
    """A2: the decision names the criterion that granted it and lists every criterion with its reason."""
    asked = ask(client, token)
    decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                      {"groups": ["dibao"], "version": 1}, token("worker-1")))
    relief = decided["fee_relief"]
    assert (relief["granted"], relief["relief"], relief["title"], relief["granted_by"], relief["reason"]) == (
        True, "waive", "免交鉴定费", ["appraisal.art42_groups"],
        "社会救助对象（低保户）（法律援助法第四十二条），免于经济困难审查，免交鉴定费")
    assert [(c["criterion"], c["relief"], c["met"]) for c in relief["criteria"]] == [
        ("appraisal.local_special_groups", "waive", False), ("appraisal.art42_groups", "waive", True),
        ("appraisal.economic_hardship", "reduce", False), ("appraisal.environmental_no_prepayment", "defer", False)]
    from chalicelib.domain.ledgers import counters
    from chalicelib.platform.timeutil import today_shanghai

    counted = counters.rollup("32", (today_shanghai().strftime("%Y-%m"),))  # C9: counted in the two transactions
    assert (counted.total("appraisal.consultations"), counted.total("appraisal.fee_relief")) == (1, 1)


def test_a_relief_request_reads_the_consultation_with_every_parameter_at_its_grid_at_once(client, token, world):
    """Reliability §3: the consultation's id names its grid, so the consultation, the means standards and the
    clock's days are one read, the decision one transaction; the answer's clock is the one read to decide.
    Reading it, and answering it, read the consultation with its clock's parameters too."""
    from tests.core.test_write_floor import dynamodb_calls

    asked = ask(client, token)
    assert asked["id"].startswith(asked["grid"] + ".")
    with dynamodb_calls() as made:
        decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief",
                          {"groups": ["dibao"], "version": 1}, token("worker-1")))
    assert made == ["BatchGetItem", "TransactWriteItems"]
    assert decided["clock"] == asked["clock"] and decided["version"] == 2
    with dynamodb_calls() as made:
        assert ok(client.get(f"/v1/appraisal/consultations/{asked['id']}", headers=token("worker-1")))["clock"]
    assert made == ["BatchGetItem"]


def test_a_seriously_ill_resident_is_waived_regardless_of_income_once_the_local_policy_is_in_force(
        client, token, world, clock):
    """A2 / L3: the core parameter `means.special_groups_exempt` in force at the grid on the day asked decides
    whether the local groups waive the fee; before it, the same request is judged by income."""
    asked = ask(client, token)
    payload = {"groups": ["seriously_ill"], "household_size": 1, "monthly_incomes": [9000]}
    refused = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", {**payload, "version": 1},
                      token("worker-1")))["fee_relief"]
    assert (refused["granted"], refused["granted_by"]) == (False, [])
    assert refused["criteria"][0]["reason"].endswith("本地区未实行特殊困难群体免审政策；申报情形：重病患者")
    policy.set_version(audit.SYSTEM, None, means.SPECIAL_GROUPS, area_code="3204", value=1,
                       effective_from=clock.today, label="常州市特殊困难群体免审政策")
    granted = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", {**payload, "version": 2},
                      token("worker-1")))["fee_relief"]
    assert (granted["relief"], granted["granted_by"]) == ("waive", ["appraisal.local_special_groups"])
    assert granted["reason"] == (f"重病患者（常州市特殊困难群体免审政策（{clock.today} 起）），免于经济困难审查，免交鉴定费")


def test_a_group_counted_by_age_without_a_birth_date_is_a_422_naming_it_in_chinese(client, token, world, clock):
    """A2 input: the group facts are validated like every body (extra="forbid"); a group whose case reads the
    age needs the birth date, which must be a past date (CONTRACT "HTTP")."""
    asked = ask(client, token)
    url = f"/v1/appraisal/consultations/{asked['id']}/fee-relief"
    problem = assert_problem(post(client, url, {"groups": ["living_alone"], "rural": True, "version": 1},
                                  token("worker-1")), 422)
    [error] = problem["errors"]
    assert error["loc"] == ["body", "birth_date"] and "孤寡老人须填写出生日期" in error["msg"]
    future = date(clock.today.year + 1, 1, 1).isoformat()
    problem = assert_problem(post(client, url, {"groups": ["child_in_distress"], "birth_date": future,
                                                "disabled": True, "version": 1}, token("worker-1")), 422)
    assert {e["loc"][1] for e in problem["errors"]} == {"birth_date", "disabled"}
    elder = ok(post(client, url, {"rural": True, "birth_date": f"{clock.today.year - 90}-01-01", "version": 1},
                    token("worker-1")))["fee_relief"]
    assert elder["granted"] is False and elder["criteria"][0]["reason"].startswith("申请日")


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
    payload = {"groups": ["severely_disabled"], "version": 1}
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
