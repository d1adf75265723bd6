"""SPEC L2 / A2: the economic-hardship means test is the core's — one parameter
(`means.income_threshold_monthly`) and one named criterion (`means.income_test`) that legal aid and
appraisal both call — and versions a service stored under the parameter's former name keep counting."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from chalicelib.domain import means
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from chalicelib.platform.errors import Conflict
from chalicelib.plugin import Parameter
from tests.helpers import also_enabled, assert_problem, body, post, seed_areas, stand_in_plugin

FORMER = "sample.income_threshold_monthly"
BEFORE_THE_MOVE = stand_in_plugin("sample", parameters=(
    Parameter(FORMER, title="旧的经济困难标准", unit="元/月", minimum=100, maximum=100_000),))
AFTER_THE_MOVE = stand_in_plugin("sample", parameters=(
    Parameter(FORMER, title="旧的经济困难标准（已更名）", unit="元/月", minimum=100, maximum=100_000,
              renamed_to=means.INCOME_THRESHOLD),))
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


@pytest.fixture
def stored_under_the_former_name(aws_backend):
    """Changzhou's 2021 standards, stored while a service still declared the parameter as its own."""
    seed_areas()
    with also_enabled(BEFORE_THE_MOVE):
        for day, value in (("2021-07-20", 2020), ("2021-08-01", 2280)):
            policy.set_version(audit.SYSTEM, None, FORMER, area_code="3204", value=value,
                               effective_from=date.fromisoformat(day), label="常州市最低工资标准",
                               retroactive_reason="录入历史标准")


def test_versions_stored_under_a_former_name_still_count_and_a_newer_one_under_the_new_name_wins(
        stored_under_the_former_name, clock):
    with also_enabled(AFTER_THE_MOVE):
        assert means.standard(GRID, date(2021, 7, 25)).value == 2020
        assert means.standard(GRID, clock.today).version_id.startswith("3204-20210801-")
        tomorrow = clock.today + timedelta(days=1)
        policy.set_version(audit.SYSTEM, None, means.INCOME_THRESHOLD, area_code="3204", value=2490,
                           effective_from=tomorrow, label="常州市最低工资标准")
        assert means.standard(GRID, tomorrow).value == 2490
        assert means.standard(GRID, clock.today).value == 2280


def test_the_new_name_keeps_the_timeline_ordered_across_the_former_name(stored_under_the_former_name):
    with also_enabled(AFTER_THE_MOVE):
        with pytest.raises(Conflict) as caught:
            policy.set_version(audit.SYSTEM, None, means.INCOME_THRESHOLD, area_code="3204", value=2100,
                               effective_from=date(2021, 7, 25), label="x", retroactive_reason="录入历史标准")
        assert caught.value.code == "effective_from_not_after_previous"


def test_a_former_name_takes_no_new_versions_says_where_it_went_and_reads_as_the_new_one(stored_under_the_former_name, client, token):
    with also_enabled(AFTER_THE_MOVE):
        response = post(client, f"/v1/policies/{FORMER}/versions",
                        {"area": "3204", "value": 2490, "effective_from": "2099-01-01"},
                        token("admin-1", "admin", area="3204"))
        problem = assert_problem(response, 422, "policy_renamed")
        assert problem["errors"] == [{"loc": ["path", "name"], "msg": f"已更名为 {means.INCOME_THRESHOLD}"}]
        in_force = body(client.get(f"/v1/policies/{FORMER}/in-force?area={GRID}", headers=token()))
        assert (in_force["name"], in_force["value"], in_force["area"]) == (means.INCOME_THRESHOLD, 2280, "3204")
