"""SPEC L2 / L3 / A2: the economic-hardship means test is the core's — one parameter
(`means.income_threshold_monthly`) and one named criterion (`means.income_test`) that legal aid and
appraisal both call — and so are the groups exempt from it (names, labels, cases, reasons, and the
parameters `means.special_groups_exempt` and `means.advanced_age_years`)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.domain import means
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from chalicelib.platform.rules import NEVER
from tests.helpers import seed_areas

GRID = "320402001001001"
ON = date(2026, 12, 1)


def household(size: int, *incomes: str, standard: policy.InForce | None) -> means.Household:
    return means.Household(household_size=size, monthly_incomes=tuple(Decimal(i) for i in incomes),
                           standard=standard, judged_on=ON)


def standard(value: str = "2280") -> policy.InForce:
    return policy.InForce(name=means.INCOME_THRESHOLD, value=Decimal(value), unit="元/月",
                          effective_from=date(2021, 8, 1), area="3204", label="常州市最低工资标准",
                          version_id="3204-20210801-0a1b2c3d")


def test_income_per_head_equal_to_the_standard_passes_and_a_cent_more_for_the_household_does_not():
    passed = means.INCOME_TEST.evaluate(household(3, "6840", standard=standard()), ON)
    assert passed.met and passed.reason.startswith("人均月收入 2,280 元 ≤ 2,280 元（常州市最低工资标准）")
    failed = means.INCOME_TEST.evaluate(household(3, "6840.01", standard=standard()), ON)
    assert not failed.met and failed.reason.startswith("人均月收入略高于 2,280 元（常州市最低工资标准）")
    assert failed.data["threshold_version"] == "3204-20210801-0a1b2c3d"


def test_without_a_standard_the_means_test_is_left_to_a_clerk_and_names_the_day_judged():
    result = means.INCOME_TEST.evaluate(household(2, "1000", standard=None), date(2027, 1, 5))
    assert not result.met and result.data["undetermined"] is True
    assert result.reason.startswith("申请地在申请日（2026-12-01）未设定经济困难标准，需人工审查")


def test_the_standard_is_a_core_parameter_without_a_national_default(aws_backend, clock):
    seed_areas()
    assert policy.declared(means.INCOME_THRESHOLD).default is None
    assert means.standard(GRID, clock.today) is None
    policy.set_version(audit.SYSTEM, None, means.INCOME_THRESHOLD, area_code="3204", value=2280,
                       effective_from=date(2021, 8, 1), label="常州市最低工资标准", retroactive_reason="录入历史标准")
    found = means.standard(GRID, clock.today)
    assert (found.value, found.area, found.label) == (Decimal("2280"), "3204", "常州市最低工资标准")


# --- the groups exempt from the means test (SPEC L3; A2 "reuse L3") --------------------------------------

CHANGZHOU_GROUPS = policy.InForce(name=means.SPECIAL_GROUPS, value=Decimal("1"), unit="是否",
                                  effective_from=date(2021, 7, 20), area="3204", label="常州市特殊困难群体免审政策",
                                  version_id="3204-20210720-0a1b2c3d")
LOCAL = means.Exemption(name="service.local_groups", title="特殊困难群体", basis="地方特殊困难群体免审政策",
                        lifts_scope=False, requires_local_policy=True, cases=means.LOCAL_CASES)
ART42 = means.Exemption(name="service.art42_groups", title="第四十二条", basis="法律援助法第四十二条",
                        lifts_scope=False, cases=means.ART42_CASES)


class Subject:
    """A `means.Judged`: a person and the core's parameters in force."""

    def __init__(self, *groups: str, born: date | None = None, rural: bool = False, local: bool = True,
                 advanced_age: int | None = None):
        self.person = means.Person(birth_date=born, rural=rural, groups=frozenset(groups))
        age = policy.InForce(name=means.ADVANCED_AGE, value=Decimal(advanced_age), unit="周岁",
                             effective_from=date(2020, 1, 1), area="3204", label="高龄老人",
                             version_id="3204-20200101-0a1b2c3d") if advanced_age else None
        self.rules = means.Standards(on=ON, threshold=None, special_groups=CHANGZHOU_GROUPS if local else None,
                                     advanced_age=age)


def test_every_group_has_a_stable_name_and_a_chinese_label_and_the_request_type_names_them_all():
    from typing import get_args

    assert set(get_args(means.Group)) == set(means.GROUPS)
    assert means.AGE_BOUND <= set(means.GROUPS)
    assert means.GROUPS["seriously_ill"] == "重病患者" and means.GROUPS["child_in_distress"] == "困境儿童"


def test_a_local_group_counts_only_where_the_policy_is_in_force_and_the_reason_names_the_notice():
    """L3 (seed 001 item 3): the reason cites the version in force, as legal aid's verdict does."""
    met = LOCAL.evaluate(Subject("seriously_ill"), ON)
    assert met.met and met.reason == "重病患者（常州市特殊困难群体免审政策（2021-07-20 起）），免于经济困难审查"
    assert met.data == {"cases": ["重病患者"], "lifts_scope": False}
    not_in_force = LOCAL.evaluate(Subject("seriously_ill", local=False), ON)
    assert not not_in_force.met
    assert not_in_force.reason == "申请日（2026-12-01）本地区未实行特殊困难群体免审政策；申报情形：重病患者"
    assert LOCAL.evaluate(Subject(), ON).reason == "不属于地方特殊困难群体免审政策规定的情形"


def test_the_rural_elderly_groups_need_the_countryside_and_sixty_years_and_advanced_age_its_parameter():
    """L3: 农村孤寡、失能、失独老人 from 60 (老年人权益保障法 art. 2), 农村高龄老人 from `means.advanced_age_years`."""
    sixty = date(1966, 12, 1)
    assert LOCAL.evaluate(Subject("living_alone", born=sixty, rural=True), ON).data["cases"] == ["农村孤寡老人（60 周岁）"]
    assert not LOCAL.evaluate(Subject("living_alone", born=date(1966, 12, 2), rural=True), ON).met
    assert not LOCAL.evaluate(Subject("bereaved_only_child", born=sixty), ON).met  # not rural
    assert not LOCAL.evaluate(Subject("disabled_elderly", rural=True), ON).met      # no birth date: no age
    assert LOCAL.evaluate(Subject(born=date(1951, 12, 1), rural=True, advanced_age=75), ON).data["cases"] == [
        "农村高龄老人（75 周岁）"]
    assert not LOCAL.evaluate(Subject(born=date(1951, 12, 1), rural=True), ON).met  # default 80


def test_a_case_that_reads_the_age_changes_on_the_next_birthday_and_the_29th_of_february_on_the_first_of_march():
    child = LOCAL.evaluate(Subject("child_in_distress", born=date(2008, 12, 20)), ON)
    assert child.met and child.changes_on == date(2026, 12, 20)
    assert means.next_birthday(date(2008, 2, 29), date(2027, 1, 1)) == date(2027, 3, 1)
    assert LOCAL.evaluate(Subject("seriously_ill"), ON).changes_on == NEVER


def test_the_national_groups_without_fixed_income_are_minors_elderly_or_disabled_and_social_assistance_joins():
    """法律援助法 art. 42: minors, elderly and disabled people without fixed income; social assistance."""
    assert ART42.evaluate(Subject("no_fixed_income", born=date(2010, 1, 1)), ON).data["cases"] == [
        "无固定生活来源的未成年人（16 周岁）"]
    assert not ART42.evaluate(Subject("no_fixed_income", born=date(1980, 1, 1)), ON).met
    assert ART42.evaluate(Subject("no_fixed_income", "disabled", born=date(1980, 1, 1)), ON).data["cases"] == [
        "无固定生活来源的残疾人"]
    found = ART42.evaluate(Subject("wubao", "dibao", local=False), ON)
    assert found.reason == "社会救助对象（低保户、农村五保对象）（法律援助法第四十二条），免于经济困难审查"


def test_the_group_parameters_are_the_cores_with_national_defaults_and_an_areas_version_wins_from_its_date(aws_backend, clock):
    """L3: not in force and 80 周岁 by default; an area's version wins from its effective date."""
    seed_areas()
    found = means.standards(GRID, clock.today)
    assert (found.threshold, found.special_groups_in_force, found.advanced_age_years) == (None, False, 80)
    policy.set_version(audit.SYSTEM, None, means.SPECIAL_GROUPS, area_code="3204", value=1,
                       effective_from=date(2021, 7, 20), label="常州市特殊困难群体免审政策",
                       retroactive_reason="录入历史标准")
    assert means.standards(GRID, clock.today).special_groups_in_force
    assert not means.standards(GRID, date(2021, 7, 19)).special_groups_in_force
