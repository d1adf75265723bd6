"""SPEC S5, who reaches a person's record. Every route × every sign-in role of 天宁区 is a row of the one
access matrix (plugins/special_populations/proof.py); here, the callers S5 tells apart within a role.
Corrections officers of the person's district (or a town of it) read and correct the full record; the grid
worker of the person's grid sees them in the grid list only; everyone else learns nothing — the same 404 an
unknown id gets. Every read is audited."""
from __future__ import annotations

import json

import pytest

from chalicelib.domain.accounts.models import StaffAccount
from chalicelib.platform import audit, storage
from plugins.special_populations.models import ENTITY, GRID_LIST_ENTITY
from tests.helpers import JSON, assert_problem, body, ok, patch, post
from tests.plugins.special_populations.conftest import BUREAU, GRID
from plugins.special_populations.demo import fictional_id
from tests.plugins.special_populations.test_records import person_in

def put(client, path: str, payload: dict, headers: dict):
    return client.request("PUT", path, headers={**JSON, **headers}, body=json.dumps(payload, ensure_ascii=False))


FULL = {"district officer", "town officer"}
EVERYONE = ["district officer", "town officer", "other district officer", "city officer", "assigned grid worker",
            "other grid worker", "resident", "mediator", "legal aid officer", "district admin", "city admin",
            "other city admin", "granted bureau account"]


@pytest.fixture
def person(client, areas, who, clock):
    return ok(post(client, "/v1/special-populations/people", person_in(clock), who["district officer"]), 201)


@pytest.fixture
def granted(client, who, areas, clock):
    """天宁区 grants the city bureau's account read access for a week (the ungranted case: `city admin`)."""
    storage.put_new(StaffAccount(sub=BUREAU, name="市局督察员", roles=["admin"], area="3204"))
    return ok(post(client, "/v1/special-populations/grants", {"grantee": BUREAU, "reason": "市局执法检查",
                                                              "valid_until": clock.day(6)}, who["district officer"]), 201)


def statuses(client, who, caller, person, clock, n) -> tuple[int, ...]:
    """What `caller` gets on (register, read the full record, correct it, read the grid list of GRID, record
    a visit, read the visits, update a visit's help, read the roster of 天宁区). The one access matrix
    (plugins/special_populations/proof.py) holds every sign-in role of 天宁区; these are the callers S5
    tells apart within a role: an officer of a town, of another district or of the city, the grid worker
    of another grid, a district's admin, and the account a district granted read access to."""
    url = f"/v1/special-populations/people/{person['id']}"
    visit = ok(post(client, f"{url}/visits", {"day": clock.day(0), "situation": "正常"}, who["district officer"]), 201)
    version = body(client.get(url, headers=who["district officer"]))["version"]
    registered = post(client, "/v1/special-populations/people",
                      person_in(clock, id_number=fictional_id("19900101", f"{n:02d}1")), who[caller])
    return (registered.status_code, client.get(url, headers=who[caller]).status_code,
            patch(client, url, {"reported_on": None}, {**who[caller], "If-Match": str(version)}).status_code,
            client.get(f"/v1/special-populations/grid-list?grid={GRID}", headers=who[caller]).status_code,
            post(client, f"{url}/visits", {"day": clock.day(0), "situation": "在家，情绪稳定"}, who[caller]).status_code,
            client.get(f"{url}/visits", headers=who[caller]).status_code,
            put(client, f"{url}/visits/{visit['id']}/help", {"help": [{"kind": "temporary_aid", "status": "granted"}]},
                {**who[caller], "If-Match": str(visit["version"])}).status_code,
            client.get("/v1/special-populations/people?area=320402", headers=who[caller]).status_code)


def test_a_town_officer_keeps_the_records_of_their_town_but_not_the_districts_roster(client, who, person, clock):
    assert statuses(client, who, "town officer", person, clock, 1) == (201, 200, 200, 404, 201, 200, 200, 404)


def test_the_granted_bureau_account_reads_the_record_visits_and_roster_and_writes_nothing(
        client, who, person, clock, granted):
    assert statuses(client, who, "granted bureau account", person, clock, 2) == (403, 200, 404, 404, 404, 200, 404, 200)


def test_officers_elsewhere_another_grid_s_worker_and_admins_without_a_grant_learn_nothing(client, who, person, clock):
    for n, caller in enumerate(("other district officer", "city officer", "other grid worker", "district admin",
                                "city admin"), start=3):
        assert statuses(client, who, caller, person, clock, n) == (403, 404, 404, 404, 404, 404, 404, 404), caller


def test_a_refusal_says_exactly_what_an_unknown_id_says(client, who, person):
    for caller in EVERYONE:
        if caller in FULL:
            continue
        refused = assert_problem(client.get(f"/v1/special-populations/people/{person['id']}", headers=who[caller]),
                                 404, "person_not_found")
        unknown = assert_problem(client.get("/v1/special-populations/people/no-such-person", headers=who[caller]),
                                 404, "person_not_found")
        assert refused == unknown, caller


def test_the_full_record_shows_the_id_number_and_the_grid_list_only_what_a_visit_needs(client, who, person):
    full = body(client.get(f"/v1/special-populations/people/{person['id']}", headers=who["town officer"]))
    assert full["id_number"] == person["id_number"] and full["phone"] == "13912345678"
    [entry] = body(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))["items"]
    assert set(entry) == {"id", "name", "phone_masked", "categories", "until", "next_visit_due"}
    assert entry["phone_masked"] == "139****5678"


def test_registering_outside_the_district_names_the_grid(client, who, areas, clock):
    response = post(client, "/v1/special-populations/people", person_in(clock), who["other district officer"])
    assert assert_problem(response, 403, "outside_jurisdiction")["errors"][0]["loc"] == ["body", "grid"]


def test_a_grid_worker_sees_their_own_grid_by_default_and_nobody_of_another_grid(client, who, person):
    assert body(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))["items"]
    assert body(client.get("/v1/special-populations/grid-list", headers=who["other grid worker"]))["items"] == []


def test_a_grid_worker_of_a_whole_town_is_not_the_grid_worker_of_its_grids(client, token, person):
    # Seen on the walk: a grid worker signed in for 雕庄街道 read the special populations of every grid in it.
    town_worker = token("gw-town", "grid_worker", area=GRID[:9])
    assert_problem(client.get("/v1/special-populations/grid-list", headers=town_worker), 404, "grid_list_not_found")
    assert_problem(client.get(f"/v1/special-populations/people/{person['id']}/visits", headers=town_worker), 404)


def test_every_read_of_a_record_or_a_list_is_in_the_audit_trail_with_who_and_which_view(client, who, person):
    ok(client.get(f"/v1/special-populations/people/{person['id']}", headers=who["district officer"]))
    ok(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))
    trail = audit.trail(ENTITY, person["id"], limit=50).items
    reads = [(e["actor"], e["summary"]) for e in trail if e["action"] == "read"]
    assert {a for a, _ in reads} == {"co-tn", "gw-1"}
    assert any("完整视图" in s for a, s in reads if a == "co-tn")
    assert any("网格视图" in s for a, s in reads if a == "gw-1")
    [listing] = audit.trail(GRID_LIST_ENTITY, GRID).items
    assert listing["actor"] == "gw-1" and listing["summary"] == "查看网格特殊人群名单（1 人）"


def test_the_roster_shows_an_officer_everyone_of_their_area_masked_and_audits_each(client, who, person):
    page = body(client.get("/v1/special-populations/people", headers=who["district officer"]))
    [entry] = page["items"]
    assert entry["id_masked"].startswith("320") and "*" in entry["id_masked"] and entry["phone_masked"] == "139****5678"
    assert entry["categories"] and entry["categories"][0].startswith("安置帮教（至 ")
    town = body(client.get("/v1/special-populations/people", headers=who["town officer"]))
    assert [e["id"] for e in town["items"]] == [person["id"]]
    summaries = [e["summary"] for e in audit.trail(ENTITY, person["id"], limit=50).items]
    assert "出现在花名册中（掩码视图，区域 320402）" in summaries
