"""Appraisal fee relief's self-check (issue 25, SPEC A2): the relief a request would get, told anonymously by
`relief.decide` with the core's standards in force at the area."""
from __future__ import annotations

from datetime import date

import pytest

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


# --- the differential tests: the self-check says what a fee-relief request decides ------------------------

def born_years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return date(today.year - years, 2, 28)


def both(client, token, answers: dict, request: dict) -> tuple[str, str]:
    """(the self-check's verdict, the fee-relief decision on a real consultation read the same way)."""
    from tests.helpers import ok
    from tests.plugins.appraisal.conftest import question

    told = relief_result(client, **answers)["verdict"]
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    decided = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/fee-relief", {**request, "version": 1},
                      token("worker-1")))["fee_relief"]
    return told, "likely" if decided["granted"] else "not_likely"


@pytest.mark.parametrize("incomes, expected", [(["6840"], "likely"), (["6840.01"], "not_likely"),
                                               (["3420", "3420.01"], "not_likely"), (["6839.99"], "likely")])
def test_at_the_standard_and_one_fen_above_it_the_self_check_says_what_the_relief_request_decides(
        client, token, world, incomes, expected):
    """Issue 25 item 4, SPEC A2 (reuse L2): a household of 3 at 2,280 元 a head, and 1 fen more."""
    _threshold()
    told, decided = both(client, token, {"household_size": 3, "monthly_incomes": incomes},
                         {"household_size": 3, "monthly_incomes": incomes})
    assert told == decided == expected


@pytest.mark.parametrize("turns_today, expected", [(True, "likely"), (False, "not_likely")])
def test_on_the_eightieth_birthday_of_a_rural_elder_and_the_day_before_both_agree(
        client, token, world, clock, turns_today, expected):
    """SPEC A2 / L3 (seed 001 item 3): 农村高龄老人 waive the fee from the birthday itself, where the local policy
    is in force; born 80 years ago tomorrow, the resident is 79 today."""
    from chalicelib.domain import means
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit

    policy.set_version(audit.SYSTEM, None, means.SPECIAL_GROUPS, area_code="3204", value=1,
                       effective_from=clock.today, label="常州市特殊困难群体免审政策")
    born = born_years_ago(clock.today if turns_today else date.fromordinal(clock.today.toordinal() + 1), 80)
    told, decided = both(client, token, {"age": 80 if turns_today else 79, "rural": True},
                         {"rural": True, "birth_date": born.isoformat()})
    assert told == decided == expected
