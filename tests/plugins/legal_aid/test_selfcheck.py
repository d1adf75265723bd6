"""Legal aid's self-check (issue 25): an anonymous resident told whether legal aid is likely, by the same
criteria and policy versions as an application (SPEC L2–L4), and — the differential tests — at every
boundary the self-check's verdict is the verdict of a real application with the same facts."""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import body, post
from tests.plugins.legal_aid.conftest import GRID, id_number

VERDICT_OF = {"eligible": "likely", "ineligible": "not_likely", "undetermined": "depends"}


def answers(**changes) -> dict:
    """A wage claim of a household of 3 (no group declared): the application `conftest.application` makes."""
    return {"household_size": 3, "monthly_incomes": ["3000"], "age": 41, "matter": "labour_pay", **changes}


def self_check(client, area: str = GRID, **changes) -> dict:
    response = post(client, "/v1/self-check", {"area": area, "answers": answers(**changes)})
    assert response.status_code == 200, response.body
    return next(r for r in body(response)["results"] if r["code"] == "legal-aid.eligibility")


def born_years_ago(today: date, years: int) -> str:
    try:
        return today.replace(year=today.year - years).strftime("%Y%m%d")
    except ValueError:
        return date(today.year - years, 2, 28).strftime("%Y%m%d")


def test_a_household_just_under_the_threshold_is_told_legal_aid_is_likely_with_the_rule_and_the_papers(
        client, world):
    """Issue 25 "done when": 天宁区, a household of 3 at 6,840 元 under 常州's 2,280 元."""
    found = self_check(client, monthly_incomes=["3000", "3840"])
    assert found["verdict"] == "likely"
    means_test = next(c for c in found["criteria"] if c["code"] == "legal_aid.means_test")
    assert means_test["met"] is True and "2,280 元" in means_test["reason"]
    assert found["rules"][0]["name"] == "means.income_threshold_monthly"
    assert "常州市最低工资标准 2280 元/月" in found["rules"][0]["in_force"]
    assert any("身份证" in d for d in found["documents"])
    assert found["next_step"]["route"] == "POST /v1/legal-aid/applications"


def test_one_fen_more_is_not_likely_with_the_reason_and_the_exemptions_that_could_still_apply(client, world):
    found = self_check(client, monthly_incomes=["3000", "3840.01"])
    assert found["verdict"] == "not_likely"
    assert "6,840.01 元" in found["summary"] and "法律援助法第三十二条" in found["summary"]


def test_a_wage_claim_of_a_migrant_worker_is_likely_whatever_the_income(client, world):
    found = self_check(client, monthly_incomes=["90000"], groups=["migrant_worker"])
    assert found["verdict"] == "likely"
    assert any(c["code"] == "legal_aid.art42_exemption" and c["met"] for c in found["criteria"])


def test_a_matter_outside_the_scope_list_is_not_likely_and_says_why(client, world):
    found = self_check(client, matter="debt")
    assert found["verdict"] == "not_likely"
    assert "不在法律援助事项范围内" in found["summary"]


def test_without_the_incomes_legal_aid_says_it_depends_and_asks_for_them(client, world):
    payload = answers()
    del payload["monthly_incomes"]
    response = post(client, "/v1/self-check", {"area": GRID, "answers": payload})
    found = next(r for r in body(response)["results"] if r["code"] == "legal-aid.eligibility")
    assert found["verdict"] == "depends" and "家庭成员每月收入" in found["summary"]


def test_a_threshold_already_set_for_a_later_day_is_announced(client, world, clock):
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from plugins.legal_aid import params

    later = date.fromisoformat(clock.day(40))
    policy.set_version(audit.SYSTEM, None, params.INCOME_THRESHOLD, area_code="3204", value=2490,
                       effective_from=later, label="常州市最低工资标准（调整）")
    rule = self_check(client)["rules"][0]
    assert rule["upcoming"] == f"自 {later.isoformat()} 起标准调整为 2490 元/月（常州市最低工资标准（调整））"
    assert "2280" in rule["in_force"]


# --- the differential tests: the self-check says what the application decides -----------------------------

def both(client, submit, *, incomes: list[str], age_born: str, rural: bool = False, matter: str = "labour_pay",
         groups: list[str] | None = None, age: int) -> tuple[str, str]:
    """(the self-check's verdict, the application's verdict mapped the same way) for the same facts."""
    told = self_check(client, monthly_incomes=incomes, age=age, rural=rural, matter=matter, groups=groups or [])
    applied = submit(applicant={"id_number": id_number(born=age_born), "rural": rural},
                     household={"size": 3, "incomes": [{"source": "wage", "monthly_amount": a} for a in incomes]},
                     matter_type=matter, categories=groups or [])
    return told["verdict"], VERDICT_OF[applied["eligibility"]["verdict"]["code"]]


@pytest.mark.parametrize("incomes, expected", [(["6840"], "likely"), (["6840.01"], "not_likely"),
                                               (["3420", "3420.01"], "not_likely"), (["6839.99"], "likely")])
def test_at_the_threshold_and_one_fen_above_it_the_self_check_says_what_the_application_decides(
        client, submit, clock, incomes, expected):
    told, decided = both(client, submit, incomes=incomes, age=40, age_born=born_years_ago(clock.today, 40))
    assert told == decided == expected


@pytest.mark.parametrize("years, expected", [(80, "likely"), (79, "not_likely")])
def test_on_the_eightieth_birthday_of_a_rural_elder_and_the_day_before_both_agree(
        client, submit, clock, years, expected):
    """Changzhou's local exemption (rural elderly of advanced age, 80): the birthday itself is the edge. A debt
    claim of a well-off household: only the exemption (which lifts the scope limit too) makes it eligible."""
    if years == 79:  # born 80 years ago tomorrow: 79 today
        born = born_years_ago(date.fromordinal(clock.today.toordinal() + 1), 80)
    else:
        born = born_years_ago(clock.today, 80)
    told, decided = both(client, submit, incomes=["90000"], age=years, age_born=born, rural=True, matter="debt")
    assert told == decided == expected


@pytest.mark.parametrize("offset, expected", [(9, "likely"), (10, "not_likely")])
def test_on_the_day_before_a_lower_threshold_and_on_its_first_day_both_agree(
        client, submit, clock, offset, expected):
    """A version set for day +10 lowers the standard to 2,000 元: 6,840 元 for 3 passes until then, not from it."""
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from plugins.legal_aid import params

    policy.set_version(audit.SYSTEM, None, params.INCOME_THRESHOLD, area_code="3204", value=2000,
                       effective_from=date.fromisoformat(clock.day(10)), label="常州市经济困难标准（调整）")
    with clock.travel(days=offset):
        today = date.fromordinal(clock.today.toordinal() + offset)
        told, decided = both(client, submit, incomes=["6840"], age=40, age_born=born_years_ago(today, 40))
    assert told == decided == expected


def test_legal_aids_self_check_stores_and_logs_nothing_of_what_was_typed(client, world, capfd, caplog):
    from chalicelib.platform import aws, config

    def items() -> list[dict]:
        return aws.dynamodb().scan(TableName=config.table_name())["Items"]

    before = items()
    self_check(client, monthly_incomes=["2317.43", "1722.57"], age=67, matter="land_contract")
    written = [item for item in items() if item not in before]
    logs = capfd.readouterr().out + caplog.text
    assert len(written) == 1 and written[0]["pk"]["S"].startswith("rate")
    for typed in ("2317.43", "1722.57", "land_contract"):
        assert typed not in str(written) and typed not in logs
