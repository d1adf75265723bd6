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
