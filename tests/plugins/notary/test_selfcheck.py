"""Notary's self-check (issue 25, SPEC N3): the home-visit green channel told anonymously, by the criteria a
home-visit booking is decided by, with the age in force at the area."""
from __future__ import annotations

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
