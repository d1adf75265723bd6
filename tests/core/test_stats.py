"""SPEC C9 (issue 23 §2): `GET /v1/stats` — seed 004's counts and each service's volumes, from counters kept in
the transaction of the event they count (`chalicelib.domain.ledgers.counters`, declared as
`Plugin.stat_counters`), summed child → parent on read in one Query. CONTRACT "Data" (counts kept with their
events), "HTTP" (4xx naming the field), "Identity and access" (residents 403, staff their area)."""
from __future__ import annotations

import pytest

from chalicelib import plugin
from chalicelib.domain.ledgers import counters
from chalicelib.platform import storage
from tests.core.test_intake import ask, desk, step  # noqa: F401  (desk is a fixture)
from tests.helpers import also_enabled, assert_problem, body, calls_during, ok, seed_areas, stand_in_plugin

TOWN, VILLAGE, GRID = "320402001", "320402001001", "320402001001001"
COUNTERS = (plugin.StatCounter("tally_service.visits", "走访（次）"),
            plugin.StatCounter("tally_service.rules", "起草村规民约（件）", measure="village_rules"),
            plugin.StatCounter("tally_service.mediated", "调解（起）", measure="disputes_mediated"))
SERVICE = stand_in_plugin("tally-service", stat_counters=COUNTERS)


@pytest.fixture
def counted(client, clock):
    """Counts at a grid, at its village and in the town's other village, this month and last month."""
    seed_areas()
    this, last = clock.month(), clock.month(-1)
    storage.transact([counters.count_op(GRID, this, {"tally_service.visits": 2, "tally_service.mediated": 1}),
                      counters.count_op(VILLAGE, this, {"tally_service.rules": 1}),
                      counters.count_op("320402001002", this, {"tally_service.visits": 5}),
                      counters.count_op("320404001001", this, {"tally_service.visits": 100})])
    if last != this:
        storage.transact([counters.count_op(GRID, last, {"tally_service.visits": 7})])
    with also_enabled(SERVICE):
        yield this, last


def _get(client, token, query: str, area="320402", role="admin"):
    return client.get(f"/v1/stats?{query}", headers=token("staff-1", role, area=area))


def _volume(out, key):
    service = next(s for s in out["services"] if s["service"] == "tally-service")
    return next(c["value"] for c in service["counters"] if c["key"] == key)


def test_a_town_s_month_sums_its_villages_and_grids_and_splits_by_village(client, token, counted):
    this, _ = counted
    out = body(_get(client, token, f"area={TOWN}&period={this}"))
    assert _volume(out, "tally_service.visits") == 7 and _volume(out, "tally_service.rules") == 1
    measures = {m["code"]: m for m in out["counts"]}
    assert measures["village_rules"]["value"] == 1 and measures["disputes_mediated"]["sources"]["tally_service.mediated"] == 1
    assert {c["area"]: c["counters"]["tally_service.visits"] for c in out["children"]
            if "tally_service.visits" in c["counters"]} == {VILLAGE: 2, "320402001002": 5}
    assert out["data_version"] == 3 and out["months"] == [this]


def test_a_year_adds_its_months_and_a_grid_sees_only_itself(client, token, counted):
    this, last = counted
    year = this[:4]
    out = body(_get(client, token, f"area={TOWN}&period={year}"))
    assert _volume(out, "tally_service.visits") == 7 + (7 if last[:4] == year and last != this else 0)
    grid = body(_get(client, token, f"area={GRID}&period={this}"))
    assert _volume(grid, "tally_service.visits") == 2 and _volume(grid, "tally_service.rules") == 0


def test_the_data_version_grows_with_every_counted_event(client, token, counted):
    this, _ = counted
    before = body(_get(client, token, f"area={VILLAGE}&period={this}"))["data_version"]
    storage.transact([counters.count_op(GRID, this, {"tally_service.visits": -1})])
    assert body(_get(client, token, f"area={VILLAGE}&period={this}"))["data_version"] == before + 1


def test_a_count_no_enabled_service_feeds_is_listed_as_not_wired(client, token, counted):
    out = body(_get(client, token, f"area={TOWN}&kind=tally-service"))
    assert [s["service"] for s in out["services"]] == ["tally-service"]
    assert "法律咨询（人次）" in out["not_wired"] and "起草审核村规民约（件）" not in out["not_wired"]


def test_the_figures_are_one_query_of_the_counters(client, token, counted):
    calls = calls_during(lambda: body(_get(client, token, f"area={TOWN}&period={counted[0]}")))
    assert calls == ["Query"]


def test_residents_are_refused(client, token, counted):
    response = client.get("/v1/stats", headers=token("r-1", "resident"))
    assert_problem(response, 403, "role_not_allowed")


@pytest.mark.parametrize("query, status, code, field", [
    ("area=320404", 403, "outside_jurisdiction", "area"),
    ("period=2999-01", 422, "future_period", "period"),
    ("period=2999", 422, "future_period", "period"),
    ("period=2026-13", 422, None, "period"),
    ("kind=no-such-thing", 422, "unknown_kind", "kind"),
])
def test_bad_input_is_refused_naming_the_field(client, token, counted, query, status, code, field):
    problem = assert_problem(_get(client, token, query), status, code)
    assert problem["errors"][0]["loc"] == ["query", field]


def test_a_service_that_is_not_enabled_here_is_named_so(client, token, counted):
    with also_enabled():  # the stage's own services, then take one away that exists as a folder
        enabled = plugin.enabled()
        gone = next((p for p in enabled if p is not SERVICE), None)  # a real service, with its folder
        if gone is None:
            pytest.skip("no service of the stage enabled to disable")
        plugin.activate([p for p in enabled if p is not gone])
        problem = assert_problem(_get(client, token, f"kind={gone.name}"), 422, "service_not_enabled")
    assert problem["errors"][0]["loc"] == ["query", "kind"]


# --- issue 23, second pass: shares, ratings, count once ------------------------------------------------------


def _once(out, level):
    return next(lv["value"] for lv in out["count_once"]["levels"] if lv["level"] == level)


def test_a_ticket_closed_in_time_at_the_desk_counts_on_time_and_at_the_grass_roots_until_it_is_reopened(
        client, token, desk, clock):
    """SPEC C5/C9: counted at the closing transition in its transaction, taken back when reopened."""
    ticket = ok(ask(client, desk["resident"]), 201)
    done = ok(step(client, desk["worker"], ticket["code"], "answer", {"answer": "已当场答复"}, ticket["version"]))
    out = body(_get(client, token, f"area={TOWN}&period={clock.month()}"))
    assert out["time_limits"]["sources"][0] == {"source": "intake", "title": "受理事项", "counted": 1, "part": 1,
                                                "share": "100.0"}
    assert (out["grass_roots"]["part"], out["grass_roots"]["counted"]) == (1, 1)
    ok(step(client, desk["worker"], ticket["code"], "reopen", {"reason": "群众有新的疑问"}, done["version"]))
    again = body(_get(client, token, f"area={TOWN}&period={clock.month()}"))
    assert again["time_limits"]["counted"] == 0 and again["time_limits"]["share"] is None
    assert again["data_version"] == out["data_version"] + 1


def test_ratings_are_counted_per_level_and_the_sub_areas_ranked_by_satisfaction(client, token, clock):
    """SPEC C6/C9 好差评: the month's levels, the satisfaction share (基本满意 and better), the villages ranked."""
    seed_areas()
    month = clock.month()
    storage.transact([
        counters.count_op(GRID, month, {"feedback.very_satisfied": 1, "feedback.dissatisfied": 1}),
        counters.count_op("320402001002", month, {"feedback.basically_satisfied": 2}),
        counters.count_op("320402001003", month, {"feedback.very_dissatisfied": 1})])
    ratings = body(_get(client, token, f"area={TOWN}&period={month}"))["ratings"]
    assert (ratings["total"], ratings["satisfied"], ratings["share"]) == (5, 3, "60.0")
    assert {lv["level"]: lv["value"] for lv in ratings["levels"]}["basically_satisfied"] == 2
    assert [(r["rank"], r["area"], r["share"]) for r in ratings["ranking"]] == [
        (1, "320402001002", "100.0"), (2, VILLAGE, "50.0"), (3, "320402001003", "0.0")]


def test_a_problem_counts_once_a_year_at_its_highest_level_beside_each_service_s_count(client, token, clock):
    """Issue 23 §2 (LSC Case Service Reports): the first service puts the marker; a higher level moves it and
    its count (from the first one's area and month); a lower one moves nothing; each service counts its own."""
    from chalicelib.domain import counting

    today, other_village = clock.today, "320402001002"
    counting.once(storage.transact, "ticket-T1", today, "mediation", GRID, "mediation", also={"tally_service.visits": 1})
    counting.once(storage.transact, "ticket-T1", today, "representation", other_village, "legal-aid")
    counting.once(storage.transact, "ticket-T1", today, "advice", GRID, "intake")
    counting.once(storage.transact, "ticket-T2", today, "advice", GRID, "intake")
    out = body(_get(client, token, f"area={TOWN}&period={clock.month()}"))
    once = out["count_once"]
    assert once["total"] == 2 and (_once(out, "mediation"), _once(out, "representation"), _once(out, "advice")) == (0, 1, 1)
    assert once["by_service"] == {"intake": 2, "legal-aid": 1, "mediation": 1}
    assert counters.rollup(VILLAGE, (clock.month(),)).total("once.mediation") == 0
    assert counters.rollup(other_village, (clock.month(),)).total("once.representation") == 1
