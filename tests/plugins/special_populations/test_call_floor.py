"""Reliability issue §3 ("every read and write at its floor"): the DynamoDB calls of special-population
routes, counted with botocore's `before-call` hook on the client the app uses (an update's floor is 2)."""
from __future__ import annotations

import json

from tests.helpers import assert_problem, calls_during, ok, post
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
