"""SPEC S1: the three categories derived from dates for any day, at their exact edges (the convention is in
plugins/special_populations/criteria.py: 民法典 arts. 201–202). The leap-day cases name calendar dates on
purpose: they are facts of the calendar, not of the day the suite runs."""
from __future__ import annotations

from datetime import date, timedelta

from plugins.special_populations.criteria import (
    AFTERCARE, CORRECTION, RESETTLEMENT, Facts, add_years, after_correction, after_prison, in_aftercare,
    in_correction, in_resettlement, standing, standings,
)
from plugins.special_populations.demo import years_ago

D = timedelta(days=1)


def test_a_correction_term_includes_its_first_and_its_last_day(clock):
    start, end = clock.today, clock.today + 180 * D
    facts = Facts(correction_start=start, correction_end=end)
    assert [in_correction.evaluate(facts, day).met for day in (start - D, start, end, end + D)] == \
        [False, True, True, False]


def test_correction_ended_early_ends_the_term_on_that_day_and_resettlement_starts_the_next(clock):
    start = clock.today - 400 * D
    ended = clock.today - 10 * D
    facts = Facts(correction_start=start, correction_end=clock.today + 300 * D, correction_ended=ended)
    assert in_correction.evaluate(facts, ended).met and not in_correction.evaluate(facts, ended + D).met
    assert not after_correction.evaluate(facts, ended).met and after_correction.evaluate(facts, ended + D).met


def test_resettlement_after_prison_covers_the_release_day_through_the_fifth_anniversary(clock):
    released = clock.today - 400 * D
    facts = Facts(prison_release=released)
    last = add_years(released, 5)
    assert [after_prison.evaluate(facts, d).met for d in (released - D, released, last, last + D)] == \
        [False, True, True, False]
    result = after_prison.evaluate(facts, clock.today)
    assert result.data == {"from": released.isoformat(), "until": last.isoformat()}
    assert result.reason == f"{released} 刑满释放，5 年内（至 {last}）属安置帮教对象"
    assert result.changes_on == last + D


def test_resettlement_after_correction_ends_on_the_third_anniversary_of_its_end(clock):
    ended = clock.today - 100 * D
    facts = Facts(correction_start=ended - 365 * D, correction_end=ended)
    last = add_years(ended, 3)
    assert in_resettlement.evaluate(facts, last).met and not in_resettlement.evaluate(facts, last + D).met


def test_aftercare_lasts_one_year_from_release_from_compulsory_rehabilitation(clock):
    released = clock.today - 30 * D
    facts = Facts(rehab_release=released)
    assert in_aftercare.evaluate(facts, add_years(released, 1)).met
    assert not in_aftercare.evaluate(facts, add_years(released, 1) + D).met


def test_a_release_on_29_february_is_covered_through_28_february_of_the_last_year():
    facts = Facts(prison_release=date(2024, 2, 29), rehab_release=date(2024, 2, 29))
    assert after_prison.evaluate(facts, date(2029, 2, 28)).met
    assert not after_prison.evaluate(facts, date(2029, 3, 1)).met
    assert in_aftercare.evaluate(facts, date(2025, 2, 28)).met
    assert not in_aftercare.evaluate(facts, date(2025, 3, 1)).met
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)  # a leap year keeps its day


def test_the_windows_follow_the_lengths_given_as_parameters(clock):
    released = clock.today - 4 * 366 * D
    assert not after_prison.evaluate(Facts(prison_release=released, after_prison_years=3), clock.today).met
    assert after_prison.evaluate(Facts(prison_release=released, after_prison_years=5), clock.today).met


def test_a_person_may_be_in_several_categories_and_each_says_why_and_until_when(clock):
    facts = Facts(correction_start=clock.today - 20 * D, correction_end=clock.today + 200 * D,
                  rehab_release=clock.today - 50 * D, prison_release=clock.today - 700 * D)
    found = {s.category: s for s in standings(facts, clock.today, look_ahead=30)}
    assert all(found[c].met for c in (CORRECTION, RESETTLEMENT, AFTERCARE))
    assert found[CORRECTION].until == clock.today + 200 * D
    assert found[AFTERCARE].until == add_years(clock.today - 50 * D, 1)
    # released 700 days ago (5 years), and 3 more years after the correction term: one unbroken stretch
    assert found[RESETTLEMENT].label == f"安置帮教（至 {add_years(clock.today + 200 * D, 3)}）"
    assert "刑满释放" in found[RESETTLEMENT].reason


def test_someone_who_leaves_within_30_days_is_almost_leaving_and_says_on_which_day(clock):
    last = clock.today + 29 * D  # the last day in the category; they are out the next day, within 30 days
    released = years_ago(last, 5)
    s = standing(RESETTLEMENT, Facts(prison_release=released), clock.today, look_ahead=30)
    assert s.met and s.leaving and not s.entering and s.changes_on == add_years(released, 5) + D
    later = standing(RESETTLEMENT, Facts(prison_release=released), clock.today - 2 * D, look_ahead=30)
    assert later.met and not later.leaving and later.changes_on is None


def test_someone_whose_term_starts_within_30_days_is_almost_entering(clock):
    facts = Facts(correction_start=clock.today + 30 * D, correction_end=clock.today + 400 * D)
    s = standing(CORRECTION, facts, clock.today, look_ahead=30)
    assert not s.met and s.entering and s.changes_on == clock.today + 30 * D
    assert not standing(CORRECTION, facts, clock.today - D, look_ahead=30).entering


def test_two_resettlement_windows_that_touch_are_one_stretch_until_the_later_end(clock):
    ended = clock.today - 200 * D
    facts = Facts(correction_start=ended - 100 * D, correction_end=ended, prison_release=clock.today - 1000 * D)
    s = standing(RESETTLEMENT, facts, clock.today, look_ahead=30)
    assert s.since == clock.today - 1000 * D and s.until == add_years(ended, 3)


def test_nobody_without_dated_events_is_in_any_category(clock):
    assert not any(s.met or s.entering for s in standings(Facts(), clock.today, look_ahead=30))
