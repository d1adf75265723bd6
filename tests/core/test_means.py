"""SPEC L2 / A2: the economic-hardship means test is the core's — one parameter
(`means.income_threshold_monthly`) and one named criterion (`means.income_test`) that legal aid and
appraisal both call."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.domain import means
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
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
