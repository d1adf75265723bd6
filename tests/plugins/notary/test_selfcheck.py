"""Notary's self-check (issue 25, SPEC N3): the home-visit green channel told anonymously, by the criteria a
home-visit booking is decided by, with the age in force at the area."""
from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import body, post

GRID = "320402001001001"


def notary_result(client, **answers) -> dict:
    response = post(client, "/v1/self-check", {"area": GRID, "answers": answers})
    assert response.status_code == 200, response.body
    return next(r for r in body(response)["results"] if r["code"] == "notary.home-visit")


def test_an_84_year_old_asking_about_a_will_is_told_the_home_visit_is_available_with_the_papers(client, world):
    found = notary_result(client, age=84, notary_matter="will")
    assert found["verdict"] == "likely" and "遗嘱公证" in found["summary"]
    assert any(c["code"] == "notary.elderly" and c["met"] for c in found["criteria"])
    assert any("立遗嘱人" in d for d in found["documents"])
    assert "60" in found["rules"][0]["in_force"]


def test_the_age_limit_is_met_on_the_sixtieth_birthday_and_not_the_day_before(client, world):
    assert notary_result(client, age=60)["verdict"] == "likely"
    assert notary_result(client, age=59)["verdict"] == "not_likely"


def test_a_seriously_ill_resident_of_any_age_may_have_the_notary_come(client, world):
    assert notary_result(client, age=35, groups=["seriously_ill"])["verdict"] == "likely"


# --- the differential tests: the self-check says what a home-visit booking decides -------------------------

def born_years_ago(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def both(client, token, world, notary, answers: dict, green: dict) -> tuple[str, str]:
    """(the self-check's verdict on the visit day, a real home-visit booking for that day read the same way).
    A booking's green channel is decided on the day of the visit (`service.green_channel`), so the self-check
    is asked on that day: the same age, the same rule in force."""
    from chalicelib.domain.selfcheck import service as selfcheck
    from chalicelib.domain.selfcheck.models import SelfCheckIn
    from tests.plugins.notary.conftest import booking, publish

    told = next(r for r in selfcheck.check(SelfCheckIn(area=GRID, answers=answers), "203.0.113.9",
                                           on=world.day).results if r.code == "notary.home-visit").verdict
    slot = publish(client, world, notary)
    made = post(client, "/v1/notary/appointments", booking(
        slot["id"], matter="will", mode="home", address="雕庄街道朝阳花园 12 幢 301 室",
        green_channel={"reason": "行动不便", **green}), token("r1"))
    assert made.status_code in (201, 422), made.body
    if made.status_code == 422:
        assert body(made)["code"] == "green_channel_not_met"
    return told, "likely" if made.status_code == 201 else "not_likely"


@pytest.mark.parametrize("turns_on_the_day, expected", [(True, "likely"), (False, "not_likely")])
def test_on_the_sixtieth_birthday_and_the_day_before_the_self_check_says_what_the_booking_decides(
        client, token, world, notary, turns_on_the_day, expected):
    """Issue 25 item 4, SPEC N3: elderly from the birthday itself (`notary.home_visit_age`, 60 by default);
    born 60 years before the day after the visit, the resident is 59 on the visit day."""
    day = world.day if turns_on_the_day else date.fromordinal(world.day.toordinal() + 1)
    told, decided = both(client, token, world, notary, {"age": 60 if turns_on_the_day else 59, "notary_matter": "will"},
                         {"basis": "elderly", "birth_date": born_years_ago(day, 60).isoformat()})
    assert told == decided == expected


@pytest.mark.parametrize("years, expected", [(80, "likely"), (79, "not_likely")])
def test_at_an_age_limit_set_for_the_district_both_agree_on_its_birthday_and_the_day_before(
        client, token, world, notary, clock, years, expected):
    """SPEC N3 with the district's own age (a policy version at 320402): the same rule read by both."""
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit

    policy.set_version(audit.SYSTEM, None, "notary.home_visit_age", area_code="320402", value=80,
                       effective_from=clock.today, label="天宁区上门服务年龄")
    day = world.day if years == 80 else date.fromordinal(world.day.toordinal() + 1)
    told, decided = both(client, token, world, notary, {"age": years, "notary_matter": "will"},
                         {"basis": "elderly", "birth_date": born_years_ago(day, 80).isoformat()})
    assert told == decided == expected


def test_a_disability_certificate_at_any_age_is_likely_for_both(client, token, world, notary):
    told, decided = both(client, token, world, notary, {"age": 30, "groups": ["disabled"], "notary_matter": "will"},
                         {"basis": "disabled"})
    assert told == decided == "likely"


def test_at_a_grid_the_next_step_names_the_notary_office_serving_it_and_at_a_district_none(client, world):
    """Issue 25 "the nearest institution of the grid": the office mapped to the grid's district (N2)."""
    office = notary_result(client, age=84)["next_step"]["institution"]
    assert (office["name"], office["address"], office["kind"]) == ("天宁公证处", "天宁区北直街 8 号", "notary_office")
    response = post(client, "/v1/self-check", {"area": "320402", "answers": {"age": 84}})
    found = next(r for r in body(response)["results"] if r["code"] == "notary.home-visit")
    assert found["next_step"]["institution"] is None
