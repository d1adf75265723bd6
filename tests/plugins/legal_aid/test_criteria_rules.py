"""Legal aid's criteria on the core rules engine: how they are combined, what an application records, and
the look-ahead (an applicant's age changes only on a birthday). Pure, every date explicit."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.platform import rules as engine
from plugins.legal_aid import criteria
from plugins.legal_aid.criteria import eligible_within, evaluate, next_birthday
from plugins.legal_aid.models import Category as C
from plugins.legal_aid.models import MatterType as M
from tests.plugins.legal_aid.test_criteria import ON, facts, rules


def by_code(eligibility) -> dict:
    return {c.code: c for c in eligibility.criteria}


# --- birthdays ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("born, on, birthday", [
    (date(1946, 12, 4), date(2026, 11, 24), date(2026, 12, 4)),    # later this year
    (date(1946, 11, 24), date(2026, 11, 24), date(2027, 11, 24)),  # today: the next one is next year
    (date(1946, 11, 23), date(2026, 11, 24), date(2027, 11, 23)),  # yesterday
    (date(1946, 1, 1), date(2026, 12, 31), date(2027, 1, 1)),      # across the new year
    (date(2008, 2, 29), date(2026, 2, 28), date(2026, 3, 1)),      # 29 February, common year: 1 March
    (date(2008, 2, 29), date(2027, 12, 31), date(2028, 2, 29)),    # leap year: the day itself
    (date(2008, 2, 29), date(2028, 2, 29), date(2029, 3, 1)),
])
def test_the_next_birthday_is_the_first_day_the_age_grows(born, on, birthday):
    assert next_birthday(born, on) == birthday
    person = facts(born=born)
    assert person.age_on(birthday) == person.age_on(on) + 1
    assert person.age_on(birthday - timedelta(days=1)) == person.age_on(on)


# --- the combination ----------------------------------------------------------------------------------------

def test_every_criterion_has_a_legal_aid_name_and_keeps_its_short_code():
    assert [c.name for c in criteria.ELIGIBILITY] == [
        "legal_aid.local_special_groups", "legal_aid.art32_exemption", "legal_aid.art42_exemption",
        "legal_aid.means_test", "legal_aid.matter_scope"]
    assert [c.code for c in criteria.ROUTING] == ["green_channel", "home_visit"]


def test_the_means_test_is_the_income_test_waived_by_any_exemption():
    assert isinstance(criteria.MEANS_TEST, engine.WaivedBy)
    assert criteria.MEANS_TEST.criterion is criteria.INCOME_TEST and criteria.MEANS_TEST.waiver is criteria.EXEMPT
    assert [p.name for p in criteria.EXEMPT.parts] == [e.name for e in criteria.EXEMPTIONS]


def test_only_the_exemptions_that_lift_the_scope_waive_the_matter_scope():
    assert criteria.MATTER_SCOPE.waiver is criteria.SCOPE_EXEMPT
    assert [p.name for p in criteria.SCOPE_EXEMPT.parts] == ["legal_aid.local_special_groups",
                                                             "legal_aid.art32_exemption"]


def test_the_exemption_groups_are_the_cores_so_appraisal_fee_relief_names_the_same_ones():
    """SPEC L3 / A2: the local groups and the art. 42 groups of a person are the core's cases
    (`chalicelib.domain.means`), with the core's names and labels; legal aid adds only its own cases."""
    from chalicelib.domain import means

    assert criteria.LOCAL_SPECIAL_GROUPS.cases is means.LOCAL_CASES
    assert criteria.ART42_EXEMPTION.cases[:len(means.ART42_CASES)] == means.ART42_CASES
    assert {name: C(name).label for name in means.GROUPS} == means.GROUPS
    assert criteria.LOCAL_SPECIAL_GROUPS.evaluate(
        criteria.Situation(facts(C.living_alone, born=date(1950, 3, 1), rural=True), rules()), ON).reason == \
        "农村孤寡老人（76 周岁）（常州市特殊困难群体免审政策（2021-07-20 起）），免于经济困难审查，不受事项范围限制"


def test_a_waived_means_test_still_records_the_households_income():
    result, _ = evaluate(facts(C.migrant_worker, incomes=("90000",)), rules())
    means = by_code(result)["means_test"]
    assert means.status == "waived"
    assert means.data["total_monthly"] == "90000.00" and means.data["per_capita"] == "30000.00"


def test_two_exemptions_give_their_cases_in_the_order_they_are_listed_as_before_the_engine():
    """Unchanged wording: every met exemption's cases, in list order (a 低保户 appears under L3 and art. 42)."""
    result, _ = evaluate(facts(C.dibao, C.martyr_relative, matter=M.debt, incomes=("9000",)), rules())
    martyr = C.martyr_relative.label
    assert by_code(result)["means_test"].reason == f"免经济困难审查：社会救助对象（低保户）、{martyr}、社会救助对象（低保户）"
    assert by_code(result)["matter_scope"].reason == f"不受事项范围限制：社会救助对象（低保户）、{martyr}（申请事项：借贷纠纷）"


# --- the look-ahead -----------------------------------------------------------------------------------------

def _rich_rural(born: date, *categories):
    return facts(*categories, matter=M.contract, incomes=("9000",), size=1, born=born, rural=True)


@pytest.mark.parametrize("window, seen", [(10, True), (9, False)])
def test_a_rural_elder_turning_80_becomes_eligible_on_the_birthday_if_it_is_within_the_window(window, seen):
    birthday = ON + timedelta(days=10)
    outlook = eligible_within(_rich_rural(date(birthday.year - 80, birthday.month, birthday.day)), rules(), window)
    assert not outlook.now.met and outlook.changes is seen
    if seen:
        assert outlook.changes_on == birthday and outlook.then.met
        assert outlook.then.find("legal_aid.local_special_groups").data["cases"] == ["农村高龄老人（80 周岁）"]


def test_a_child_in_distress_stops_being_exempt_on_the_18th_birthday():
    birthday = ON + timedelta(days=5)
    child = facts(C.child_in_distress, matter=M.contract, incomes=("9000",), born=date(birthday.year - 18,
                                                                                         birthday.month, birthday.day))
    outlook = eligible_within(child, rules(), 30)
    assert outlook.now.met and outlook.changes_on == birthday and not outlook.then.met


def test_without_the_local_policy_turning_80_changes_nothing():
    birthday = ON + timedelta(days=10)
    outlook = eligible_within(_rich_rural(date(birthday.year - 80, birthday.month, birthday.day)),
                              rules(special_groups=False), 30)
    assert not outlook.changes


def test_criteria_that_do_not_read_the_age_never_change():
    result = criteria.ELIGIBLE.evaluate(criteria.Situation(facts(C.martyr_relative, born=date(1990, 1, 1)), rules()),
                                        ON)
    assert result.find("legal_aid.art32_exemption").changes_on == engine.NEVER
    assert result.find("legal_aid.income_test").changes_on == engine.NEVER
    assert result.changes_on == next_birthday(date(1990, 1, 1), ON)  # the age-reading exemptions
