"""Reliability issue §3 ("every read and write at its floor"): the DynamoDB calls of special-population
routes, counted with botocore's `before-call` hook on the client the app uses (an update's floor is 2)."""
from __future__ import annotations

import json

from tests.helpers import assert_problem, calls_during, ok, post
from plugins.special_populations.demo import fictional_id
from tests.plugins.special_populations.conftest import GRID
from tests.plugins.special_populations.test_records import person_in

PEOPLE = "/v1/special-populations/people"


def put(client, url, payload, headers):
    return client.request("PUT", url, headers={"Content-Type": "application/json", **headers},
                          body=json.dumps(payload, ensure_ascii=False))


def test_updating_the_help_of_a_visit_reads_the_person_and_the_visit_in_one_call_and_writes_once(
        client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    visit = ok(post(client, f"{PEOPLE}/{person['id']}/visits", {
        "day": clock.day(-1), "situation": "失业在家", "help": [{"kind": "minimum_living"}]},
        who["assigned grid worker"]), 201)
    url = f"{PEOPLE}/{person['id']}/visits/{visit['id']}/help"
    granted = {"help": [{"kind": "minimum_living", "status": "granted", "outcome": "已纳入低保"}],
               "version": visit["version"]}
    seen = []
    calls = calls_during(lambda: seen.append(put(client, url, granted, who["assigned grid worker"])))
    assert ok(seen[0])["help"][0]["status"] == "granted"
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_the_help_of_someone_else_s_visit_or_an_unknown_person_is_the_404_of_an_unknown_person(
        client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    visit = ok(post(client, f"{PEOPLE}/{person['id']}/visits", {
        "day": clock.day(-1), "situation": "失业在家", "help": [{"kind": "minimum_living"}]},
        who["assigned grid worker"]), 201)
    change = {"help": [{"kind": "minimum_living", "status": "granted"}], "version": visit["version"]}
    hidden = assert_problem(put(client, f"{PEOPLE}/{person['id']}/visits/{visit['id']}/help", change,
                                who["other grid worker"]), 404)
    unknown = assert_problem(put(client, f"{PEOPLE}/nobody/visits/{visit['id']}/help", change,
                                 who["assigned grid worker"]), 404)
    assert hidden["code"] == unknown["code"] != "visit_not_found"


def test_the_roster_reads_the_rules_of_every_grid_on_its_page_in_one_call(client, areas, who, clock):
    """Reliability §3: the page's Query, one BatchGetItem of the parameters along every grid it names (not one
    per grid), the audit entry — and each person judged with their own grid's rules."""
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform.audit import SYSTEM
    from plugins.special_populations import params
    from tests.plugins.special_populations.conftest import OTHER_GRID

    policy.set_version(SYSTEM, None, params.AFTER_PRISON_YEARS,  # 安置帮教 lasts under two years at the other grid
                       policy.VersionIn(area=OTHER_GRID, value=1, effective_from=clock.day(-3000), label="测试",
                                        retroactive_reason="录入历史标准"))
    officer = who["district officer"]
    ok(post(client, PEOPLE, person_in(clock), officer), 201)
    ok(post(client, PEOPLE, person_in(clock, grid=OTHER_GRID, name="测试人员乙", id_number=fictional_id("19850101", "017")), officer), 201)
    seen = []
    calls = calls_during(lambda: seen.append(client.get(f"{PEOPLE}?area=320402", headers=officer)))
    categories = {p["grid"]: p["categories"] for p in ok(seen[0])["items"]}
    assert len(categories[GRID]) == 1 and categories[OTHER_GRID] == []
    assert calls == ["Query", "BatchGetItem", "TransactWriteItems"]


def test_a_person_s_first_page_of_visits_is_one_query_and_follows_a_corrected_grid(client, areas, who, clock):
    """Reliability §3: the person's grid kept at the head of their visits decides the first page's access
    (Query, audit entry); a correction of the grid moves it in the same transaction, so the old grid's worker
    gets the 404 of an unknown person and the new one's the visits; a later page reads the person."""
    from tests.helpers import patch
    from tests.plugins.special_populations.conftest import OTHER_GRID

    officer = who["district officer"]
    person = ok(post(client, PEOPLE, person_in(clock), officer), 201)
    url = f"{PEOPLE}/{person['id']}/visits"
    for day in (-3, -2, -1):
        ok(post(client, url, {"day": clock.day(day), "situation": "在家"}, who["assigned grid worker"]), 201)
    seen = []
    calls = calls_during(lambda: seen.append(client.get(f"{url}?limit=2", headers=who["assigned grid worker"])))
    first = ok(seen[0])
    assert [v["day"] for v in first["items"]] == [clock.day(-1), clock.day(-2)] and first["next_cursor"]
    assert calls == ["Query", "TransactWriteItems"]
    seen.clear()
    calls = calls_during(lambda: seen.append(client.get(f"{url}?limit=2&cursor={first['next_cursor']}",
                                                        headers=who["assigned grid worker"])))
    assert [v["day"] for v in ok(seen[0])["items"]] == [clock.day(-3)] and ok(seen[0])["next_cursor"] is None
    assert calls == ["GetItem", "Query", "TransactWriteItems"]
    ok(patch(client, f"{PEOPLE}/{person['id']}", {"grid": OTHER_GRID}, {**officer, "If-Match": "4"}))
    assert_problem(client.get(url, headers=who["assigned grid worker"]), 404)
    assert len(ok(client.get(url, headers=who["other grid worker"]))["items"]) == 3
    assert_problem(client.get(f"{url}?cursor=xx", headers=who["assigned grid worker"]), 404)
