"""SPEC V1, V2: the advisors' named criteria at their boundaries, without storage."""
from __future__ import annotations

from decimal import Decimal

from plugins.advisors import criteria


def test_the_ratio_allows_up_to_the_limit_and_refuses_one_more_with_the_villages_named(clock):
    limit = "溧阳市每名法律顾问挂钩村（社区）上限 3 个村（社区）（2021-07-20 起）"
    two = criteria.village_ratio.evaluate(criteria.RatioFacts(("v1", "v2"), 3, limit), clock.today)
    assert two.met and two.reason == f"挂钩后共 3 个村（社区），未超过{limit}"
    three = criteria.village_ratio.evaluate(criteria.RatioFacts(("v1", "v2", "v3"), 3, limit), clock.today)
    assert not three.met and three.reason == f"该法律顾问同期已挂钩 3 个村（社区）（v1、v2、v3），再挂钩将超过{limit}"


def test_on_site_is_within_the_radius_inclusive_and_unknown_without_a_service_point(clock):
    assert criteria.on_site.evaluate(criteria.PlaceFacts(500, 500), clock.today).met
    far = criteria.on_site.evaluate(criteria.PlaceFacts(501, 500), clock.today)
    assert not far.met and far.reason == "距服务点 501 米，超过 500 米，记为未核验"
    assert not criteria.on_site.evaluate(criteria.PlaceFacts(None, 500), clock.today).met


def test_the_monthly_minimum_is_met_at_exactly_the_hours(clock):
    facts = lambda minutes: criteria.HoursFacts(minutes, Decimal(8), "常州市… 8 小时/月")  # noqa: E731
    assert criteria.monthly_hours.evaluate(facts(480), clock.today).met
    assert not criteria.monthly_hours.evaluate(facts(479), clock.today).met


def test_a_distance_is_measured_in_metres_between_two_gcj02_points():
    assert criteria.distance_m(31.7825, 119.9936, 31.7825, 119.9936) == 0
    assert 1100 <= criteria.distance_m(31.7825, 119.9936, 31.7925, 119.9936) <= 1115


def _year(**changes) -> criteria.YearFacts:
    facts = dict(year=2025, months=12, hours_met=12, minimum_text="8 小时/月", logs_verified=12, reports=12,
                 reports_target=12, residents_ratings=10, residents_satisfied=10, cadre_rating="very_satisfied",
                 weights={"residents": Decimal(20), "cadres": Decimal(20), "log": Decimal(20), "hours": Decimal(25),
                          "reports": Decimal(15)},
                 minimums={"excellent": Decimal(90), "good": Decimal(80), "pass": Decimal(60)},
                 cadre_percent={"very_satisfied": Decimal(100), "satisfied": Decimal(90),
                                "basically_satisfied": Decimal(70), "dissatisfied": Decimal(30),
                                "very_dissatisfied": Decimal(0)})
    return criteria.YearFacts(**{**facts, **changes})


def test_the_grade_follows_the_score_at_each_minimum_with_every_items_reason(clock):
    """SPEC V3: 优秀 from 90, 良好 from 80, 合格 from 60, below that 不合格; every item gives its reason."""
    full = criteria.yearly_grade.evaluate(_year(), clock.today)
    assert full.met and full.data == {"score": "100.0", "grade": "excellent"}
    assert full.reason == "2025 年度考核得分 100.0，优秀（≥ 90 分）" and len(full.parts) == 5
    assert criteria.grade_of(Decimal("89.9"), _year().minimums) == "good"
    assert criteria.grade_of(Decimal("80"), _year().minimums) == "good"
    assert criteria.grade_of(Decimal("60"), _year().minimums) == "pass"
    failed = criteria.yearly_grade.evaluate(_year(hours_met=0, logs_verified=0, reports=0), clock.today)
    assert not failed.met and failed.data["grade"] == "fail" and "低于合格线 60 分" in failed.reason
    hours = failed.find("advisors.hours_met")
    assert not hours.met and hours.reason == "12 个月中 0 个月核验驻点时长达到8 小时/月，得 0.0/25 分"


def test_an_item_without_data_is_left_out_and_the_score_scaled_over_the_rest(clock):
    result = criteria.yearly_grade.evaluate(_year(residents_ratings=0, residents_satisfied=0, cadre_rating=None,
                                                  hours_met=6), clock.today)
    # log 20 + hours 12.5 + reports 15 = 47.5 of 60 → 79.2
    assert result.data["score"] == "79.2" and result.data["grade"] == "pass"
    assert result.find("advisors.residents_rating").reason == "2025 年本村（社区）无居民评价，不计入"


def test_the_subsidy_is_the_base_times_the_grades_percentage_and_nothing_on_misconduct(clock):
    paid = criteria.subsidy.evaluate(criteria.SubsidyFacts("pass", Decimal(10000), Decimal(70), None), clock.today)
    assert paid.met and paid.data["amount"] == "7000.00" and paid.reason == "补贴 7000.00 元（基数 10000 元 × 合格 70%）"
    withheld = criteria.subsidy.evaluate(criteria.SubsidyFacts("excellent", Decimal(10000), Decimal(100), "收取村民费用"),
                                         clock.today)
    assert not withheld.met and withheld.data["amount"] == "0.00" and "不发放补贴" in withheld.reason
