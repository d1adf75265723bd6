"""The core rules engine (chalicelib/platform/rules.py): named criteria with reasons, the three combinators,
and the look-ahead, each at its boundaries. Pure: no storage, every date explicit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from chalicelib.platform.rules import NEVER, Check, Result, all_of, almost, any_of, earliest_change, waived_by

ON = date(2026, 3, 10)


def days(n: int) -> date:
    return ON + timedelta(days=n)


@dataclass(frozen=True)
class Resident:
    """Toy facts: a per-capita income, and a special-group membership that runs until a day (inclusive)."""
    per_capita: int = 1850
    member_until: date | None = None
    eligible_from: date | None = None


def _means(facts: Resident, on: date) -> Result:
    limit = 2280
    sign = "≤" if facts.per_capita <= limit else ">"
    return Result(facts.per_capita <= limit, f"人均月收入 {facts.per_capita:,} 元 {sign} 常州市 2021 年最低工资 2,280 元",
                  {"per_capita": facts.per_capita}, NEVER)


def _member(facts: Resident, on: date) -> Result:
    """A date window: met up to and including `member_until`; changes the day after."""
    until = facts.member_until
    if until is not None and on <= until:
        return Result(True, f"特殊困难群体（至 {until.isoformat()}）", {}, until + timedelta(days=1))
    return Result(False, "不属于特殊困难群体", {}, NEVER)


def _opens(facts: Resident, on: date) -> Result:
    """A date window opening: met from `eligible_from` on; before, it says the day it opens."""
    start = facts.eligible_from
    if start is not None and on >= start:
        return Result(True, f"自 {start.isoformat()} 起符合", {}, NEVER)
    return Result(False, "尚未符合", {}, start if start is not None else NEVER)


MEANS = Check("test.means_test", "经济困难审查", _means)
MEMBER = Check("test.special_group", "特殊困难群体", _member)
OPENS = Check("test.opens", "开放期", _opens)
ALWAYS = Check("test.always", "总是符合", lambda facts, on: Result(True, "总是符合", {}, NEVER))
NEVER_MET = Check("test.never", "从不符合", lambda facts, on: Result(False, "从不符合", {}, NEVER))


# --- a single criterion ---------------------------------------------------------------------------------

def test_a_check_returns_what_its_function_found_with_a_readable_reason_and_its_figures():
    result = MEANS.evaluate(Resident(per_capita=1850), ON)
    assert result.met and result.reason == "人均月收入 1,850 元 ≤ 常州市 2021 年最低工资 2,280 元"
    assert result.data == {"per_capita": 1850} and result.parts == {} and result.decided_by == ()


def test_a_result_without_a_change_date_says_it_does_not_know():
    assert Result(True, "是").changes_on is None


@pytest.mark.parametrize("name", ["", "means test", "legal_aid.", ".means", "legal-aid.means", "1st.rule"])
def test_a_name_that_is_not_dotted_identifiers_is_refused(name):
    with pytest.raises(ValueError):
        Check(name, "标题", _means)


def test_a_dotted_name_of_identifiers_is_accepted():
    assert Check("legal_aid.means_test", "经济困难审查", _means).name == "legal_aid.means_test"


def test_a_criterion_without_a_title_is_refused():
    with pytest.raises(ValueError):
        Check("test.x", "  ", _means)


# --- all_of -------------------------------------------------------------------------------------------------

def test_all_of_is_met_when_every_part_is_and_then_every_part_decided_it():
    result = all_of("test.all", "全部", MEANS, ALWAYS).evaluate(Resident(), ON)
    assert result.met and result.decided_by == ("test.means_test", "test.always")
    assert result.reason == "人均月收入 1,850 元 ≤ 常州市 2021 年最低工资 2,280 元；总是符合"


def test_all_of_fails_on_one_failing_part_and_only_the_failing_parts_give_the_reason():
    result = all_of("test.all", "全部", MEANS, ALWAYS, NEVER_MET).evaluate(Resident(), ON)
    assert not result.met and result.decided_by == ("test.never",) and result.reason == "从不符合"


def test_all_of_keeps_every_parts_result_even_the_ones_that_did_not_decide():
    result = all_of("test.all", "全部", MEANS, NEVER_MET).evaluate(Resident(), ON)
    assert list(result.parts) == ["test.means_test", "test.never"] and result.parts["test.means_test"].met


# --- any_of -------------------------------------------------------------------------------------------------

def test_any_of_is_met_by_one_part_and_only_the_met_parts_give_the_reason():
    result = any_of("test.any", "任一", NEVER_MET, MEANS).evaluate(Resident(), ON)
    assert result.met and result.decided_by == ("test.means_test",)
    assert result.reason == "人均月收入 1,850 元 ≤ 常州市 2021 年最低工资 2,280 元"


def test_any_of_with_no_part_met_fails_and_every_part_gives_the_reason():
    result = any_of("test.any", "任一", NEVER_MET, MEANS).evaluate(Resident(per_capita=2281), ON)
    assert not result.met and result.decided_by == ("test.never", "test.means_test")
    assert result.reason == "从不符合；人均月收入 2,281 元 > 常州市 2021 年最低工资 2,280 元"


def test_a_combination_needs_parts_with_distinct_names():
    with pytest.raises(ValueError):
        any_of("test.any", "任一")
    with pytest.raises(ValueError):
        all_of("test.all", "全部", MEANS, MEANS)


# --- waived_by ----------------------------------------------------------------------------------------------

MEANS_OR_EXEMPT = waived_by("test.means_or_exempt", "经济困难审查（可免）", MEANS, MEMBER)


def test_a_member_of_a_special_group_is_not_means_tested_and_the_reason_says_so():
    result = MEANS_OR_EXEMPT.evaluate(Resident(per_capita=9000, member_until=days(5)), ON)
    assert result.met and MEANS_OR_EXEMPT.waived(result) and result.decided_by == ("test.special_group",)
    assert result.reason == "特殊困难群体（至 2026-03-15），免于经济困难审查"


def test_a_waived_result_still_records_what_the_waived_test_found():
    result = MEANS_OR_EXEMPT.evaluate(Resident(per_capita=9000, member_until=days(5)), ON)
    assert result.data == {"per_capita": 9000} and not result.parts["test.means_test"].met


def test_without_the_waiver_the_result_is_the_waived_criterions_own():
    for per_capita in (2280, 2281):
        alone = MEANS.evaluate(Resident(per_capita=per_capita), ON)
        result = MEANS_OR_EXEMPT.evaluate(Resident(per_capita=per_capita), ON)
        assert (result.met, result.reason, result.data) == (alone.met, alone.reason, alone.data)
        assert result.decided_by == ("test.means_test",) and not MEANS_OR_EXEMPT.waived(result)


def test_a_waiver_can_explain_itself_from_the_facts_and_its_own_result():
    explained = waived_by("test.explained", "经济困难审查", MEANS, MEMBER,
                          explain=lambda facts, waiver: f"免审：{waiver.reason}（人均 {facts.per_capita} 元不审查）")
    result = explained.evaluate(Resident(per_capita=9000, member_until=ON), ON)
    assert result.reason == "免审：特殊困难群体（至 2026-03-10）（人均 9000 元不审查）"


def test_a_criterion_cannot_waive_itself():
    with pytest.raises(ValueError):
        waived_by("test.self", "自身", MEANS, MEANS)


def test_find_reaches_a_part_however_deep_and_nothing_else():
    tree = all_of("test.all", "全部", MEANS_OR_EXEMPT, ALWAYS)
    result = tree.evaluate(Resident(member_until=ON), ON)
    assert result.find("test.special_group").reason == "特殊困难群体（至 2026-03-10）"
    assert result.find("test.means_or_exempt").met and result.find("test.unknown") is None
    assert result.find("test.all") is None  # a result is not its own part


# --- when a combination may change --------------------------------------------------------------------------

def test_a_combination_may_change_on_its_earliest_parts_date():
    assert earliest_change([Result(True, "", changes_on=days(9)), Result(True, "", changes_on=days(3))]) == days(3)


def test_a_combination_does_not_know_its_date_when_one_part_does_not():
    assert earliest_change([Result(True, "", changes_on=days(3)), Result(True, "")]) is None


def test_a_combination_of_parts_that_never_change_never_changes():
    assert earliest_change([Result(True, "", changes_on=NEVER)]) == NEVER
    assert earliest_change([]) == NEVER


# --- almost: the look-ahead ---------------------------------------------------------------------------------

@pytest.mark.parametrize("last_day, changes", [(29, True), (30, False)])
def test_a_group_ending_within_the_window_is_seen_on_the_day_after_its_last_day(last_day, changes):
    """Window `ON+1 … ON+30`: membership ending on day 29 turns false on day 30 (seen); ending on day 30
    turns false on day 31 (outside)."""
    outlook = almost(MEMBER, Resident(member_until=days(last_day)), ON, 30)
    assert outlook.now.met and outlook.changes is changes
    if changes:
        assert outlook.changes_on == days(30) and not outlook.then.met
        assert outlook.then.reason == "不属于特殊困难群体"
    else:
        assert outlook.changes_on is None and outlook.then is None


@pytest.mark.parametrize("opens, seen", [(1, True), (30, True), (31, False)])
def test_becoming_met_is_seen_from_the_day_after_until_the_last_day_of_the_window(opens, seen):
    outlook = almost(OPENS, Resident(eligible_from=days(opens)), ON, 30)
    assert not outlook.now.met and outlook.changes is seen
    assert outlook.changes_on == (days(opens) if seen else None)


def test_a_change_on_the_day_asked_is_not_a_change_ahead():
    outlook = almost(OPENS, Resident(eligible_from=ON), ON, 30)
    assert outlook.now.met and not outlook.changes


def test_a_window_of_zero_days_sees_nothing_and_a_negative_one_is_refused():
    assert not almost(OPENS, Resident(eligible_from=days(1)), ON, 0).changes
    with pytest.raises(ValueError):
        almost(OPENS, Resident(eligible_from=days(1)), ON, -1)


def test_the_special_group_ending_ends_the_waiver_and_the_means_test_decides_again():
    """The style guide's case: a special group waives the means test, until the day after it ends."""
    outlook = almost(MEANS_OR_EXEMPT, Resident(per_capita=2281, member_until=days(10)), ON, 30)
    assert outlook.now.met and outlook.changes_on == days(11)
    assert outlook.then.reason == "人均月收入 2,281 元 > 常州市 2021 年最低工资 2,280 元"


def test_a_parts_change_that_leaves_the_combination_as_it_is_is_not_a_change():
    either = any_of("test.any", "任一", MEMBER, ALWAYS)
    outlook = almost(either, Resident(member_until=days(3)), ON, 30)
    assert outlook.now.met and not outlook.changes


def test_an_all_of_becomes_met_on_the_day_its_last_failing_part_is_met():
    both = all_of("test.all", "全部", MEMBER, OPENS)
    outlook = almost(both, Resident(member_until=days(20), eligible_from=days(7)), ON, 30)
    assert not outlook.now.met and outlook.changes_on == days(7) and outlook.then.met
    assert outlook.then.decided_by == ("test.special_group", "test.opens")


class Counting:
    """Wraps a criterion and counts the days it was evaluated on."""

    def __init__(self, criterion, forget_dates: bool = False):
        self.criterion, self.forget_dates, self.days = criterion, forget_dates, []
        self.name, self.title = criterion.name, criterion.title

    def evaluate(self, facts, on):
        self.days.append(on)
        result = self.criterion.evaluate(facts, on)
        if self.forget_dates:
            return Result(result.met, result.reason, result.data)
        return result


def test_with_change_dates_the_look_ahead_jumps_to_them_instead_of_evaluating_every_day():
    counted = Counting(MEMBER)
    outlook = almost(counted, Resident(member_until=days(20)), ON, 30)
    assert outlook.changes_on == days(21) and counted.days == [ON, days(21)]


def test_without_change_dates_the_look_ahead_evaluates_day_by_day_and_finds_the_same_day():
    counted = Counting(MEMBER, forget_dates=True)
    outlook = almost(counted, Resident(member_until=days(20)), ON, 30)
    assert outlook.changes_on == days(21)
    assert counted.days == [days(n) for n in range(0, 22)]


def test_without_change_dates_and_without_a_change_every_day_of_the_window_is_evaluated():
    counted = Counting(MEMBER, forget_dates=True)
    assert not almost(counted, Resident(member_until=days(40)), ON, 30).changes
    assert counted.days == [days(n) for n in range(0, 31)]


def test_one_part_without_dates_makes_its_combination_look_day_by_day_and_still_find_the_day():
    both = all_of("test.all", "全部", Counting(OPENS, forget_dates=True), ALWAYS)
    outlook = almost(both, Resident(eligible_from=days(12)), ON, 30)
    assert outlook.changes_on == days(12) and outlook.then.met


def test_a_change_date_that_is_not_ahead_of_the_day_is_refused_rather_than_looping():
    stuck = Check("test.stuck", "停滞", lambda facts, on: Result(True, "停滞", {}, on))
    with pytest.raises(ValueError, match="test.stuck"):
        almost(stuck, Resident(), ON, 30)



def test_near_the_last_day_of_the_calendar_the_look_ahead_is_what_is_left_of_it_and_never_overflows():
    """CONTRACT "HTTP": date arithmetic near the edges never raises (a far `?on=` was a 500)."""
    end = date.max
    counted = Counting(MEMBER, forget_dates=True)
    outlook = almost(counted, Resident(member_until=end - timedelta(days=1)), end - timedelta(days=3), 30)
    assert outlook.changes_on == end and not outlook.then.met
    assert counted.days == [end - timedelta(days=n) for n in (3, 2, 1, 0)]
    stays = Counting(ALWAYS, forget_dates=True)
    assert not almost(stays, Resident(), end - timedelta(days=1), 30).changes and stays.days == [end - timedelta(days=1), end]
    assert not almost(MEANS, Resident(), end, 30).changes
    assert not almost(MEMBER, Resident(member_until=end - timedelta(days=5)), end, 10 ** 6).changes
