"""Eligibility as named criteria with reasons (SPEC L2–L5), each at its boundary. Pure: the policy versions
in force are passed in, as `params.rules` resolves them from the core's policy parameters."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.policy.service import InForce
from plugins.legal_aid import criteria
from plugins.legal_aid.criteria import Facts, evaluate, money, per_capita
from plugins.legal_aid.models import Category as C
from plugins.legal_aid.models import MatterType as M
from plugins.legal_aid.params import Rules

ON = date(2026, 11, 24)


def in_force(name: str, value, label: str, since: str = "2021-08-01") -> InForce:
    return InForce(name=name, value=Decimal(str(value)), unit="", effective_from=date.fromisoformat(since),
                   area="3204", label=label, version_id=f"3204-{since.replace('-', '')}-0000abcd")


def rules(threshold=2280, special_groups: bool = True, on: date = ON) -> Rules:
    return Rules(
        on=on, area="320402",
        threshold=in_force("legal_aid.income_threshold_monthly", threshold, "常州市最低工资标准")
        if threshold is not None else None,
        special_groups=in_force("legal_aid.special_groups_exempt", 1 if special_groups else 0,
                                "常州市特殊困难群体免审政策", "2021-07-20"),
        advanced_age=in_force("legal_aid.advanced_age_years", 80, "高龄老人（80 周岁以上）", "2020-01-01"),
        timing={"legal_aid.green_channel_hours": in_force("legal_aid.green_channel_hours", 24, "一个工作日")},
    )


def facts(*categories, matter=M.labour_pay, incomes=("3000",), size=3, born=date(1985, 7, 15), rural=False) -> Facts:
    return Facts(birth_date=born, rural=rural, categories=frozenset(categories), matter_type=matter,
                 household_size=size, monthly_incomes=tuple(Decimal(i) for i in incomes))


def by_code(eligibility) -> dict:
    return {c.code: c for c in eligibility.criteria}


# --- money and the per-capita figure ------------------------------------------------------------------------

def test_money_reads_like_a_clerk_writes_it():
    assert money(Decimal("1850")) == "1,850 元"
    assert money(Decimal("1850.5")) == "1,850.50 元"
    assert money(Decimal("12345678.005")) == "12,345,678.01 元"


def test_per_capita_is_rounded_to_the_cent_half_up():
    assert per_capita((Decimal("6840.01"),), 3) == (Decimal("6840.01"), Decimal("2280.00"))
    assert per_capita((Decimal("6840.02"),), 3) == (Decimal("6840.02"), Decimal("2280.01"))
    assert per_capita((Decimal("100.01"),), 2)[1] == Decimal("50.01")  # 50.005 rounds up


# --- L2 means test ------------------------------------------------------------------------------------------

def test_income_exactly_at_the_threshold_is_eligible_and_the_reason_cites_the_standard():
    """L2: per-capita income ≤ threshold; equal is eligible."""
    result, _ = evaluate(facts(matter=M.traffic_accident, incomes=("4560", "2280"), size=3), rules())
    means = by_code(result)["means_test"]
    assert means.met and means.status == "met"
    assert means.reason.startswith("人均月收入 2,280 元 ≤ 2,280 元（常州市最低工资标准）")
    assert "家庭月收入合计 6,840 元，共 3 人" in means.reason
    assert result.verdict == "eligible" and result.path == "means_tested"
    assert result.summary == "符合条件（经济困难：人均月收入 2,280 元 ≤ 2,280 元（常州市最低工资标准））"


def test_one_cent_above_the_threshold_is_not_eligible():
    """L2 boundary: 2,280.01 元 per head under a 2,280 元 standard."""
    result, _ = evaluate(facts(matter=M.traffic_accident, incomes=("6840.02",), size=3), rules())
    means = by_code(result)["means_test"]
    assert not means.met and means.reason.startswith("人均月收入 2,280.01 元 > 2,280 元（常州市最低工资标准）")
    assert result.verdict == "ineligible"
    assert result.summary == "不符合条件：人均月收入 2,280.01 元 > 2,280 元（常州市最低工资标准）"


def test_one_cent_above_the_threshold_in_total_is_not_eligible_although_per_capita_rounds_to_it():
    """L2 boundary, compared exactly: 6,840.01 元 for 3 people is 2,280.0033 元 a head (shown 2,280.00 元)."""
    result, _ = evaluate(facts(matter=M.traffic_accident, incomes=("6840.01",), size=3), rules())
    means = by_code(result)["means_test"]
    assert not means.met and result.verdict == "ineligible"
    assert means.reason.startswith("人均月收入略高于 2,280 元（常州市最低工资标准）：家庭月收入合计 6,840.01 元 > "
                                   "2,280 元 × 3 人 = 6,840 元")
    exactly, _ = evaluate(facts(matter=M.traffic_accident, incomes=("6840",), size=3), rules())
    assert by_code(exactly)["means_test"].met and exactly.verdict == "eligible"


def test_the_example_of_the_style_guide_reads_as_written():
    result, _ = evaluate(facts(matter=M.elder_support, incomes=("4200", "1350"), size=3), rules())
    assert by_code(result)["means_test"].reason.startswith("人均月收入 1,850 元 ≤ 2,280 元（常州市最低工资标准）")


def test_a_household_without_income_is_eligible():
    result, _ = evaluate(facts(matter=M.social_insurance, incomes=(), size=1), rules())
    assert result.verdict == "eligible" and by_code(result)["means_test"].reason.startswith("人均月收入 0 元")


def test_without_a_threshold_in_force_a_clerk_decides():
    """L2: no standard configured for the area on the date → undetermined, never a silent yes or no."""
    result, _ = evaluate(facts(matter=M.traffic_accident), rules(threshold=None))
    assert result.verdict == "undetermined" and result.path == "undetermined"
    assert by_code(result)["means_test"].status == "undetermined"
    assert result.summary.startswith("待人工审查：申请地在申请日（2026-11-24）未设定经济困难标准")


# --- L3 exemptions ------------------------------------------------------------------------------------------

def test_a_migrant_worker_claiming_pay_is_exempt_and_the_summary_says_why():
    """L3 / 法律援助法 art. 42: migrant workers claiming labour pay skip the means test."""
    result, routing = evaluate(facts(C.migrant_worker, incomes=("90000",)), rules())
    assert result.verdict == "eligible" and result.path == "exempt"
    assert result.summary == "符合条件（免经济困难审查：农民工追索劳动报酬）"
    art42 = by_code(result)["art42_exemption"]
    assert art42.met and art42.reason == "农民工追索劳动报酬（法律援助法第四十二条），免于经济困难审查"
    assert by_code(result)["means_test"].status == "waived"


def test_a_migrant_worker_with_a_work_injury_is_exempt_but_with_a_contract_dispute_is_not():
    injury, _ = evaluate(facts(C.migrant_worker, matter=M.work_injury, incomes=("90000",)), rules())
    assert injury.verdict == "eligible" and "农民工请求工伤事故人身损害赔偿" in injury.summary
    contract, _ = evaluate(facts(C.migrant_worker, matter=M.contract, incomes=("90000",)), rules())
    assert contract.verdict == "ineligible"
    assert not by_code(contract)["art42_exemption"].met


def _born_years_before(years: int, days: int = 0) -> date:
    """Born `years` years before the application date, and `days` later than that (younger)."""
    from datetime import timedelta

    return date(ON.year - years, ON.month, ON.day) + timedelta(days=days)


@pytest.mark.parametrize("days, exempt", [(0, True), (1, False)])
def test_a_rural_elder_is_exempt_from_the_80th_birthday_on(days, exempt):
    """L3: 农村高龄老人, age from the ID number's birth date; born exactly 80 years ago counts."""
    born = _born_years_before(80, days=days)
    result, _ = evaluate(facts(matter=M.contract, incomes=("9000",), size=1, born=born, rural=True), rules())
    local = by_code(result)["local_special_groups"]
    assert local.met is exempt
    if exempt:
        assert local.reason == ("农村高龄老人（80 周岁）（常州市特殊困难群体免审政策（2021-07-20 起）），"
                                "免于经济困难审查，不受事项范围限制")
        assert result.verdict == "eligible" and by_code(result)["matter_scope"].status == "waived"
    else:
        assert result.verdict == "ineligible"


def test_an_urban_elder_of_85_is_not_exempt_under_the_rural_rule():
    result, _ = evaluate(facts(matter=M.contract, incomes=("9000",), size=1, born=date(1941, 1, 1)), rules())
    assert not by_code(result)["local_special_groups"].met


@pytest.mark.parametrize("age_days, exempt", [((60, 0), True), ((60, 1), False)])
def test_elderly_groups_need_the_applicant_to_be_60(age_days, exempt):
    """L3: 孤寡、失能、失独 are groups of the elderly (老年人权益保障法：60 周岁)."""
    born = _born_years_before(*age_days)
    result, _ = evaluate(facts(C.living_alone, matter=M.contract, incomes=("9000",), size=1, born=born, rural=True),
                         rules())
    assert by_code(result)["local_special_groups"].met is exempt


@pytest.mark.parametrize("age_days, exempt", [((18, 1), True), ((18, 0), False)])
def test_a_child_in_distress_is_exempt_until_the_18th_birthday(age_days, exempt):
    born = _born_years_before(*age_days)
    result, _ = evaluate(facts(C.child_in_distress, matter=M.contract, incomes=("9000",), born=born), rules())
    assert by_code(result)["local_special_groups"].met is exempt


@pytest.mark.parametrize("category", [C.severely_disabled, C.seriously_ill, C.dibao, C.tekun, C.wubao])
def test_the_other_special_groups_lift_means_test_and_scope_where_the_local_policy_is_in_force(category):
    result, _ = evaluate(facts(category, matter=M.debt, incomes=("9000",)), rules())
    assert result.verdict == "eligible" and result.path == "exempt"
    assert by_code(result)["matter_scope"].status == "waived"


def test_without_the_local_policy_social_assistance_only_lifts_the_means_test():
    """L3 vs art. 42: outside Changzhou (or before 2021-07-20) a 低保户 is still means-exempt nationally, but
    the matter must be in scope."""
    off = rules(special_groups=False)
    in_scope, _ = evaluate(facts(C.dibao, matter=M.traffic_accident, incomes=("9000",)), off)
    assert in_scope.verdict == "eligible" and "社会救助对象（低保户）" in in_scope.summary
    out_of_scope, _ = evaluate(facts(C.dibao, matter=M.debt, incomes=("9000",)), off)
    assert out_of_scope.verdict == "ineligible"
    assert out_of_scope.summary == "不符合条件：“借贷纠纷”不在法律援助事项范围内"
    local = by_code(out_of_scope)["local_special_groups"]
    assert local.reason == "申请日（2026-11-24）本地区未实行特殊困难群体免审政策；申报情形：社会救助对象（低保户）"


@pytest.mark.parametrize("category", [C.martyr_relative, C.bravery, C.retrial_acquittal, C.abuse_victim])
def test_article_32_cases_need_no_hardship_and_no_scope(category):
    result, _ = evaluate(facts(category, matter=M.marriage_family, incomes=("90000",)), rules(special_groups=False))
    assert result.verdict == "eligible" and by_code(result)["art32_exemption"].met
    assert by_code(result)["matter_scope"].status == "waived"


@pytest.mark.parametrize("age_days, exempt", [((60, 0), True), ((60, 1), False)])
def test_an_elder_without_fixed_income_is_exempt_from_60(age_days, exempt):
    born = _born_years_before(*age_days)
    result, _ = evaluate(facts(C.no_fixed_income, matter=M.traffic_accident, incomes=("9000",), born=born),
                         rules(special_groups=False))
    assert by_code(result)["art42_exemption"].met is exempt


def test_a_disabled_person_without_fixed_income_is_exempt():
    result, _ = evaluate(facts(C.no_fixed_income, C.disabled, matter=M.traffic_accident, incomes=("9000",)),
                         rules(special_groups=False))
    assert "无固定生活来源的残疾人" in by_code(result)["art42_exemption"].reason


# --- L4 scope -----------------------------------------------------------------------------------------------

def test_a_matter_outside_the_scope_fails_even_when_poor():
    result, _ = evaluate(facts(matter=M.contract, incomes=("1000",)), rules())
    assert by_code(result)["means_test"].met and not by_code(result)["matter_scope"].met
    assert result.summary == "不符合条件：“合同纠纷”不在法律援助事项范围内"


def test_every_criterion_is_listed_with_a_reason():
    result, routing = evaluate(facts(matter=M.contract, incomes=("9000",)), rules())
    assert [c.code for c in result.criteria] == [
        "local_special_groups", "art32_exemption", "art42_exemption", "means_test", "matter_scope"]
    assert all(c.reason for c in result.criteria) and all(r.reason for r in routing.values())
    assert result.summary == ("不符合条件：人均月收入 3,000 元 > 2,280 元（常州市最低工资标准）；"
                              "“合同纠纷”不在法律援助事项范围内")


# --- L5 green channel and home visits -----------------------------------------------------------------------

@pytest.mark.parametrize("categories, matter, green, why", [
    ((C.migrant_worker,), M.labour_pay, True, "农民工追索劳动报酬"),
    ((), M.land_contract, True, "涉农案件（土地承包经营纠纷）"),
    ((), M.farm_supplies, True, "涉农案件（农业生产资料损害赔偿）"),
    ((C.agriculture_related,), M.environmental_pollution, True, "涉农案件"),
    ((C.migrant_worker,), M.work_injury, False, ""),
    ((), M.labour_pay, False, ""),
])
def test_the_green_channel_takes_agriculture_and_migrant_workers_pay(categories, matter, green, why):
    _, routing = evaluate(facts(*categories, matter=matter), rules())
    channel = routing["green_channel"]
    assert channel.met is green
    if green:
        assert channel.reason == f"{why}，适用绿色通道：一个工作日内受理、审查、指派，优先办理"


@pytest.mark.parametrize("categories, age_days, home", [
    ((), (60, 0), True), ((), (60, 1), False), ((C.disabled,), (30, 0), True),
    ((C.seriously_ill,), (30, 0), True), ((C.severely_disabled,), (30, 0), True),
])
def test_home_visits_are_for_the_elderly_the_disabled_and_the_seriously_ill(categories, age_days, home):
    _, routing = evaluate(facts(*categories, born=_born_years_before(*age_days)), rules())
    assert routing["home_visit"].met is home


def test_the_criteria_objects_carry_a_name_and_a_chinese_title():
    for criterion in (*criteria.ELIGIBILITY, *criteria.ROUTING):
        assert criterion.code.isidentifier() and criterion.title
