"""SPEC M4 (名册 … 等级和培训记录): a mediator's training records, the yearly hours tallied on their roster entry
in the same transaction, and the staffing check counting a full-time mediator only when trained enough."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib import plugin
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.mediation.conftest import GRID, OTHER_DISTRICT
from tests.plugins.mediation.test_roster import committee

pytestmark = pytest.mark.usefixtures("areas")


def enrol(client, headers, id, committee_id=None, full_time=True):
    ok(post(client, "/v1/mediation/mediators", {"id": id, "name": f"调解员{id}", "area": GRID,
                                               "committee": "雕庄街道人民调解委员会", "committee_id": committee_id,
                                               "full_time": full_time}, headers), 201)


def train(client, headers, id, on, hours="8", course="人民调解业务培训班"):
    return post(client, f"/v1/mediation/mediators/{id}/trainings",
                {"course": course, "hours": hours, "on": on, "organiser": "常州市天宁区司法局"}, headers)


def roster_entry(client, headers, id):
    return next(m for m in body(client.get("/v1/mediation/mediators", headers=headers))["items"] if m["id"] == id)


def test_a_training_is_listed_newest_first_and_its_hours_are_tallied_for_its_year(client, mediator, clock):
    enrol(client, mediator, "m-1")
    last_year = date(clock.today.year - 1, 6, 1).isoformat()
    ok(train(client, mediator, "m-1", last_year, hours="6", course="上年度培训"), 201)
    made = ok(train(client, mediator, "m-1", clock.day(), hours="7.5"), 201)
    ok(train(client, mediator, "m-1", clock.day(), hours="8"), 201)
    assert (made["hours"], made["on"], made["organiser"]) == ("7.5", clock.day(), "常州市天宁区司法局")
    assert roster_entry(client, mediator, "m-1")["training_hours"] == {str(clock.today.year - 1): "6",
                                                                       str(clock.today.year): "15.5"}
    first = body(client.get("/v1/mediation/mediators/m-1/trainings?limit=2", headers=mediator))
    assert [t["on"] for t in first["items"]] == [clock.day(), clock.day()]
    rest = body(client.get(f"/v1/mediation/mediators/m-1/trainings?limit=2&cursor={first['next_cursor']}",
                           headers=mediator))
    assert [t["course"] for t in rest["items"]] == ["上年度培训"] and rest["next_cursor"] is None


def test_a_training_in_the_future_or_without_hours_is_a_422_naming_the_field(client, mediator, clock):
    enrol(client, mediator, "m-1")
    future = assert_problem(train(client, mediator, "m-1", clock.day(1)), 422)
    assert future["errors"][0]["loc"] == ["body", "on"]
    none = assert_problem(train(client, mediator, "m-1", clock.day(), hours="0"), 422)
    assert none["errors"][0]["loc"] == ["body", "hours"]
    assert body(client.get("/v1/mediation/mediators/m-1/trainings", headers=mediator))["items"] == []


def test_training_is_recorded_by_a_mediator_covering_the_area_and_read_by_its_staff(client, token, mediator, clock):
    enrol(client, mediator, "m-1")
    outsider = token("m-9", "mediator", area=OTHER_DISTRICT)
    assert_problem(train(client, outsider, "m-1", clock.day()), 404)
    assert_problem(train(client, mediator, "no-such", clock.day()), 404)
    assert_problem(train(client, token("g-1", "grid_worker", area=GRID), "m-1", clock.day()), 403)
    ok(train(client, mediator, "m-1", clock.day()), 201)
    assert len(body(client.get("/v1/mediation/mediators/m-1/trainings",
                               headers=token("g-1", "grid_worker", area=GRID)))["items"]) == 1
    assert_problem(client.get("/v1/mediation/mediators/m-1/trainings", headers=outsider), 404)
    assert_problem(client.get("/v1/mediation/mediators/m-1/trainings", headers=token("r-1")), 403)


def test_a_full_time_mediator_counts_toward_the_standard_only_with_the_yearly_training_hours(client, mediator, clock):
    from plugins.mediation.roster import understaffed

    committee("town-a", "town", "320402001")
    for id in ("m-1", "m-2"):
        enrol(client, mediator, id, committee_id="town-a")
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    [untrained] = understaffed(context)
    assert untrained.title == "town-a人民调解委员会合格专职调解员 0 名，低于配备标准 2 名"
    assert untrained.detail.endswith("名册专职 2 名，其中 2 名上年度及本年度培训均未达 24 小时")
    ok(train(client, mediator, "m-1", clock.day(), hours="24"), 201)
    ok(train(client, mediator, "m-2", date(clock.today.year - 2, 6, 1).isoformat(), hours="40"), 201)
    ok(train(client, mediator, "m-2", clock.day(), hours="16"), 201)
    [one_short] = understaffed(context)
    assert one_short.title == "town-a人民调解委员会合格专职调解员 1 名，低于配备标准 2 名"
    ok(train(client, mediator, "m-2", date(clock.today.year - 1, 12, 31).isoformat(), hours="24"), 201)
    assert list(understaffed(context)) == []   # last year's hours count through this year


def test_the_yearly_training_hours_are_a_policy_parameter_of_the_area(client, mediator, clock):
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from plugins.mediation import params
    from plugins.mediation.roster import understaffed

    committee("village-a", "village", "320402001001")
    enrol(client, mediator, "m-1", committee_id="village-a")
    ok(train(client, mediator, "m-1", clock.day(), hours="12"), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    assert [f.record for f in understaffed(context)] == ["village-a"]
    policy.set_version(audit.SYSTEM, None, params.TRAINING_HOURS, area_code="3204", value=12,
                       effective_from=clock.today, label="常州市专职调解员年度培训要求",
                       retroactive_reason="本年度培训要求调整")
    assert list(understaffed(context)) == []


def test_a_training_is_one_transaction_that_reaches_only_entries_under_the_caller_s_area(client, token, mediator, clock):
    """Reliability §3: no read of the roster entry before the write — the tally's add is conditional on the
    entry lying under the caller's area, so a caller below it gets the same 404 as for an absent one."""
    from tests.helpers import calls_during

    enrol(client, mediator, "m-1")
    seen = []
    assert calls_during(lambda: seen.append(train(client, mediator, "m-1", clock.day()))) == ["TransactWriteItems"]
    ok(seen[0], 201)
    ok(post(client, "/v1/mediation/mediators", {"id": "m-town", "name": "调解员", "area": "320402001",
                                               "committee": "雕庄街道人民调解委员会", "full_time": True}, mediator), 201)
    below = token("m-8", "mediator", area=GRID)
    assert_problem(train(client, below, "m-town", clock.day()), 404, "mediator_not_found")
    assert roster_entry(client, mediator, "m-town")["training_hours"] == {}


def test_trainings_recorded_under_the_reader_s_area_are_one_query_and_a_reader_below_it_is_checked_on_the_roster(
        client, token, mediator, clock):
    """Reliability §3: the area a training was recorded under bounds the mediator's, so a reader covering it
    needs no read of the roster entry; a grid worker below the town's recorder still sees them, after that
    read, and an outsider still gets 404 — before a bad cursor's 400."""
    from tests.helpers import calls_during

    enrol(client, mediator, "m-1")
    ok(train(client, mediator, "m-1", clock.day()), 201)
    seen = []
    assert calls_during(lambda: seen.append(client.get("/v1/mediation/mediators/m-1/trainings",
                                                       headers=mediator))) == ["Query"]
    assert len(body(seen[0])["items"]) == 1
    below = token("g-1", "grid_worker", area=GRID)
    seen.clear()
    assert calls_during(lambda: seen.append(client.get("/v1/mediation/mediators/m-1/trainings",
                                                       headers=below))) == ["Query", "GetItem"]
    assert len(body(seen[0])["items"]) == 1
    outsider = token("m-9", "mediator", area=OTHER_DISTRICT)
    assert_problem(client.get("/v1/mediation/mediators/m-1/trainings?cursor=xx", headers=outsider), 404)
    assert_problem(client.get("/v1/mediation/mediators/m-1/trainings?cursor=xx", headers=mediator), 400)
