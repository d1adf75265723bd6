"""SPEC N3 green channel (seed 001 item 10): a home visit for elderly, disabled and seriously ill residents,
decided by the named criterion `notary.green_channel` with a reason; every missing fact is a 422 naming it."""
from __future__ import annotations

from datetime import date

from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, rules
from plugins.notary.criteria import GREEN_CHANNEL, HomeVisitFacts
from tests.helpers import assert_problem, ok, post
from tests.plugins.notary.conftest import booking, publish


def facts(birth: date | None = None, disabled: bool = False, ill: bool = False, age: int = 60) -> HomeVisitFacts:
    return HomeVisitFacts(birth_date=birth, disability_certificate=disabled, seriously_ill=ill, elderly_age=age)


def test_a_resident_is_elderly_from_the_day_they_turn_the_age_in_force():
    on = date(2026, 12, 1)
    turned = GREEN_CHANNEL.evaluate(facts(date(1966, 12, 1)), on)
    assert turned.met and turned.reason == "年满 60 周岁（60 周岁）" and turned.decided_by == ("notary.elderly",)
    day_before = GREEN_CHANNEL.evaluate(facts(date(1966, 12, 2)), on)
    assert not day_before.met and day_before.find("notary.elderly").reason == "59 周岁，未满 60 周岁"
    assert rules.almost(GREEN_CHANNEL, facts(date(1966, 12, 2)), on, 1).changes_on == date(2026, 12, 2)
    assert not GREEN_CHANNEL.evaluate(facts(date(1946, 1, 1), age=81), on).met


def test_a_disability_certificate_or_a_serious_illness_is_enough_whatever_the_age():
    on = date(2026, 12, 1)
    assert GREEN_CHANNEL.evaluate(facts(disabled=True), on).reason == "持有残疾人证"
    assert GREEN_CHANNEL.evaluate(facts(ill=True), on).reason == "申报为重症病人，行动不便"
    assert not GREEN_CHANNEL.evaluate(facts(), on).met


def home(slot_id: str, **green) -> dict:
    return booking(slot_id, matter="will", mode="home", address="雕庄街道朝阳花园 12 幢 301 室",
                   green_channel={"basis": "elderly", "birth_date": "1940-05-01", "reason": "年迈行动不便", **green})


def test_an_elderly_resident_books_a_home_visit_and_sees_the_reason_and_the_materials(client, token, world, notary):
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", home(slot["id"]), token("r1")), 201)
    assert made["mode_title"] == "上门办证（绿色通道）" and "address" not in made   # the address: /contact only
    contact = ok(client.get(f"/v1/notary/appointments/{made['id']}/contact", headers=token("r1")))
    assert contact["address"].startswith("雕庄街道")
    # the stored code, and its Chinese title from the rules engine's criterion (seen on the walk: only the code)
    assert (made["green_channel"]["basis"], made["green_channel"]["basis_title"]) == ("notary.elderly", "老年人")
    assert made["green_channel"]["reason"].startswith("年满 60 周岁（8") and made["green_channel"]["reason"].endswith(
        "；年迈行动不便")
    assert any("遗嘱" in m for m in made["materials"])


def test_a_home_visit_without_an_address_a_basis_or_a_birth_date_is_a_422_naming_each(client, token, world, notary):
    slot = publish(client, world, notary)
    bare = booking(slot["id"], matter="will", mode="home")
    problem = assert_problem(post(client, "/v1/notary/appointments", bare, token("r1")), 422,
                             "green_channel_facts_missing")
    assert [e["loc"] for e in problem["errors"]] == [["body", "address"], ["body", "green_channel"]]
    no_birth = home(slot["id"], birth_date=None)
    problem = assert_problem(post(client, "/v1/notary/appointments", no_birth, token("r1")), 422)
    assert [e["loc"] for e in problem["errors"]] == [["body", "green_channel", "birth_date"]]
    no_reason = home(slot["id"], reason="")
    problem = assert_problem(post(client, "/v1/notary/appointments", no_reason, token("r1")), 422)
    assert problem["errors"][0]["loc"] == ["body", "green_channel", "reason"]


def test_a_resident_below_the_age_in_force_is_refused_with_the_criterion_s_reason(client, token, world, notary, clock):
    slot = publish(client, world, notary)
    policy.set_version(audit.SYSTEM, None, "notary.home_visit_age", area_code="320402", value=80,
                       effective_from=clock.today, label="天宁区上门服务年龄")
    problem = assert_problem(post(client, "/v1/notary/appointments", home(slot["id"], birth_date="1950-01-01"),
                                  token("r1")), 422, "green_channel_not_met")
    [error] = problem["errors"]
    assert error["loc"] == ["body", "green_channel", "basis"] and error["msg"].endswith("周岁，未满 80 周岁")
    ok(post(client, "/v1/notary/appointments", home(slot["id"], basis="seriously_ill", birth_date=None), token("r1")),
       201)


def test_evidence_preservation_is_not_done_at_home(client, token, world, notary):
    slot = publish(client, world, notary)
    payload = {**home(slot["id"]), "matter": "evidence_preservation"}
    assert_problem(post(client, "/v1/notary/appointments", payload, token("r1")), 422, "mode_not_allowed")
