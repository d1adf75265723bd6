"""Appraisal fee relief's self-check (issue 25, SPEC A2): the relief a request would get, told anonymously by
`relief.decide` with the core's standards in force at the area."""
from __future__ import annotations

from datetime import date

from tests.helpers import body, post
from tests.plugins.appraisal.conftest import GRID


def relief_result(client, **answers) -> dict:
    response = post(client, "/v1/self-check", {"area": GRID, "answers": answers})
    assert response.status_code == 200, response.body
    return next(r for r in body(response)["results"] if r["code"] == "appraisal.fee-relief")


def _threshold() -> None:
    from chalicelib.domain import means
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit

    policy.set_version(audit.SYSTEM, None, means.INCOME_THRESHOLD, area_code="3204", value=2280,
                       effective_from=date(2021, 8, 1), label="常州市最低工资标准", retroactive_reason="录入历史标准")


def test_a_household_at_the_standard_may_have_the_fee_reduced_and_one_fen_more_may_not(client, world):
    _threshold()
    assert relief_result(client, household_size=3, monthly_incomes=["6840"])["verdict"] == "likely"
    assert relief_result(client, household_size=3, monthly_incomes=["6840.01"])["verdict"] == "not_likely"


def test_a_dibao_household_may_have_the_fee_waived_whatever_the_income(client, world):
    found = relief_result(client, groups=["dibao"], household_size=1, monthly_incomes=["99999"])
    assert found["verdict"] == "likely" and "免交鉴定费" in found["summary"]


def test_an_environmental_appraisal_is_not_charged_in_advance(client, world):
    assert relief_result(client, appraisal_kind="environmental_damage")["verdict"] == "likely"


def test_without_a_group_or_a_household_fee_relief_depends(client, world):
    assert relief_result(client, appraisal_kind="paternity")["verdict"] == "depends"
