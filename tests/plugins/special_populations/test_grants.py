"""SPEC S5, access a district grants to a bureau account: "not the bureau's general admins unless the
district grants it". A district's corrections officer names a bureau staff account, a reason and a last day;
while the grant is valid that account reads the district's full records (each read audited with the grant's
id) and writes nothing; revoked or expired, it gets the same 404 as anyone else."""
from __future__ import annotations

import pytest

from chalicelib.domain.accounts.models import StaffAccount
from chalicelib.platform import audit, storage
from plugins.special_populations.models import ENTITY, GRANT_ENTITY, HELD, Grant
from tests.helpers import assert_problem, body, ok, patch, post
from tests.plugins.special_populations.conftest import BUREAU, GRID
from tests.plugins.special_populations.test_access import EVERYONE
from tests.plugins.special_populations.test_records import person_in

SP = "/v1/special-populations"


@pytest.fixture
def bureau(areas, token):
    """The city bureau's inspector: a general admin of 常州, with no business in 天宁区's records by default."""
    storage.put_new(StaffAccount(sub=BUREAU, name="市局督察员", roles=["admin"], area="3204"))
    return token(BUREAU, "admin", area="3204")


@pytest.fixture
def person(client, areas, who, clock):
    return ok(post(client, f"{SP}/people", person_in(clock), who["district officer"]), 201)


def grant(client, who, clock, *, caller="district officer", **overrides):
    payload = {"grantee": BUREAU, "reason": "市局社区矫正执法检查", "valid_until": clock.day(6), **overrides}
    return post(client, f"{SP}/grants", payload, who[caller])


def revoke(client, who, granted, caller="district officer"):
    return post(client, f"{SP}/grants/{granted['id']}/revoke", {"reason": "检查结束"},
                {**who[caller], "If-Match": str(granted["version"])})


def reads(client, headers, person) -> tuple[int, int, int]:
    url = f"{SP}/people/{person['id']}"
    return (client.get(url, headers=headers).status_code, client.get(f"{url}/visits", headers=headers).status_code,
            client.get(f"{SP}/people?area=320402", headers=headers).status_code)


def test_without_a_grant_the_bureaus_general_admin_gets_404_everywhere(client, bureau, person):
    assert reads(client, bureau, person) == (404, 404, 404)


def test_with_a_valid_grant_the_named_account_reads_the_districts_records_masked_and_writes_nothing(
        client, who, bureau, person, clock):
    """CONTRACT "Identity and access": numbers in full only to staff holding the case, and an admin holds
    no case — a grant is oversight, so its holder reads the record with the ID number and phone masked."""
    granted = ok(grant(client, who, clock), 201)
    assert granted["status_title"] == "有效" and granted["valid_from"] == clock.day(0)
    assert reads(client, bureau, person) == (200, 200, 200)
    seen = body(client.get(f"{SP}/people/{person['id']}", headers=bureau))
    assert seen["id_number"] != person["id_number"] and "*" in seen["id_number"]
    assert seen["id_number"][:3] == person["id_number"][:3] and seen["id_number"][-4:] == person["id_number"][-4:]
    assert seen["phone"] != person["phone"] and "*" in seen["phone"]
    assert seen["categories"] == person["categories"]
    held = body(client.get(f"{SP}/people/{person['id']}", headers=who["district officer"]))
    assert held["id_number"] == person["id_number"]
    url = f"{SP}/people/{person['id']}"
    assert patch(client, url, {"reported_on": None}, {**bureau, "If-Match": "1"}).status_code == 404
    assert post(client, f"{url}/visits", {"day": clock.day(0), "situation": "正常"}, bureau).status_code == 404
    assert client.get(f"{SP}/grid-list?grid={GRID}", headers=bureau).status_code == 404


def test_every_read_through_a_grant_is_audited_with_the_grants_id(client, who, bureau, person, clock):
    granted = ok(grant(client, who, clock), 201)
    reads(client, bureau, person)
    mine = [e["summary"] for e in audit.trail(ENTITY, person["id"], limit=50).items if e["actor"] == BUREAU]
    assert len(mine) == 3 and all(f"依授权 {granted['id']}" in s for s in mine)
    [created] = audit.trail(GRANT_ENTITY, granted["id"]).items
    assert created["actor"] == "co-tn" and BUREAU in created["summary"]


def test_a_revoked_grant_is_404_again_at_once_and_stays_in_the_districts_list(client, who, bureau, person, clock):
    granted = ok(grant(client, who, clock), 201)
    revoked = ok(revoke(client, who, granted))
    assert revoked["status"] == "revoked" and revoked["revoke_reason"] == "检查结束"
    assert reads(client, bureau, person) == (404, 404, 404)
    assert_problem(revoke(client, who, revoked), 409, "already_revoked")
    [listed] = body(client.get(f"{SP}/grants", headers=who["district officer"]))["items"]
    assert listed["status_title"] == "已撤销"


def test_an_expired_grant_is_404_the_day_after_its_last_day(client, who, bureau, person, clock):
    ok(grant(client, who, clock, valid_until=clock.day(2)), 201)
    with clock.travel(days=2):
        assert reads(client, bureau, person) == (200, 200, 200)
    with clock.travel(days=3):
        assert reads(client, bureau, person) == (404, 404, 404)
        [listed] = body(client.get(f"{SP}/grants", headers=who["district officer"]))["items"]
        assert listed["status_title"] == "已到期"


def test_a_grant_covers_its_own_district_only(client, who, bureau, areas, clock):
    ok(grant(client, who, clock), 201)
    assert client.get(f"{SP}/people?area=320404", headers=bureau).status_code == 404


def test_a_grant_names_an_active_bureau_account_a_reason_and_a_bounded_period(client, who, bureau, clock):
    problem = assert_problem(grant(client, who, clock, grantee="s-nobody", valid_until=clock.day(30)), 422,
                             "invalid_grant")
    assert [e["loc"] for e in problem["errors"]] == [["body", "grantee"], ["body", "valid_until"]]
    assert "30 日" in problem["errors"][1]["msg"]
    assert_problem(grant(client, who, clock, valid_until=clock.day(-1)), 422, "invalid_grant")
    storage.put_new(StaffAccount(sub="s-district-clerk", name="区局职员", roles=["admin"], area="320402"))
    problem = assert_problem(grant(client, who, clock, grantee="s-district-clerk"), 422, "invalid_grant")
    assert "上级司法局" in problem["errors"][0]["msg"]
    assert_problem(grant(client, who, clock, reason=""), 422)
    ok(grant(client, who, clock, valid_until=clock.day(29)), 201)  # 30 days counting today, the default


# caller → status on (grant, list the district's grants, revoke a grant)
MATRIX = {
    "district officer":       (201, 200, 200),
    "town officer":           (403, 404, 404),
    "other district officer": (403, 404, 404),
    "city officer":           (403, 404, 404),
    "assigned grid worker":   (403, 404, 404),
    "other grid worker":      (403, 404, 404),
    "resident":               (403, 404, 404),
    "mediator":               (403, 404, 404),
    "legal aid officer":      (403, 404, 404),
    "district admin":         (403, 404, 404),
    "city admin":             (403, 404, 404),
    "other city admin":       (403, 404, 404),
    "granted bureau account": (403, 404, 404),
}


def test_every_caller_gets_what_the_grant_matrix_says(client, who, bureau, clock):
    assert set(MATRIX) == set(EVERYONE)
    seen = {}
    for caller in EVERYONE:
        target = ok(grant(client, who, clock), 201)
        created = grant(client, who, clock, caller=caller, district="320402")
        seen[caller] = (created.status_code,
                        client.get(f"{SP}/grants?district=320402", headers=who[caller]).status_code,
                        revoke(client, who, target, caller).status_code)
    assert seen == MATRIX
    assert_problem(client.get(f"{SP}/grants", headers=bureau), 404, "grants_not_found")


def test_a_read_through_a_grant_costs_one_query_more_than_the_officers_own(client, who, bureau, person, clock):
    from tests.plugins.special_populations.test_records import dynamodb_calls

    ok(grant(client, who, clock), 201)
    url = f"{SP}/people/{person['id']}"
    officer = dynamodb_calls(lambda: ok(client.get(url, headers=who["district officer"])))
    granted = dynamodb_calls(lambda: ok(client.get(url, headers=bureau)))
    # the person with the parameters at their grid (which the id names), the audit entry
    assert officer == ["BatchGetItem", "TransactWriteItems"]
    assert granted == ["BatchGetItem", "Query", "TransactWriteItems"]  # + the account's own grants
    refused = dynamodb_calls(lambda: client.get(url, headers=who["city admin"]))
    assert refused == ["BatchGetItem", "Query"] and "Scan" not in officer + granted + refused


def test_a_grant_reads_the_grantee_s_account_with_the_longest_term_in_one_call(client, who, bureau, clock):
    """Reliability §3: the account and the parameter in force at the district are one consistent
    BatchGetItem before the one transaction."""
    from tests.plugins.special_populations.test_records import dynamodb_calls

    assert dynamodb_calls(lambda: ok(grant(client, who, clock), 201)) == ["BatchGetItem", "TransactWriteItems"]


# --- review findings F1–F3: a grant follows the job, goes to the bureau only, and expires cheaply -----------

def test_a_grant_goes_only_to_a_bureau_administrator_or_corrections_officer_of_no_institution(
        client, who, areas, clock):
    """Review finding F2: a city-level lawyer of a law firm was accepted as a grantee."""
    storage.put_new(StaffAccount(sub="s-lawyer-city", name="某律所律师", roles=["lawyer"], area="3204",
                                 institution="inst-lawfirm"))
    storage.put_new(StaffAccount(sub="s-admin-firm", name="律所管理员", roles=["admin"], area="3204",
                                 institution="inst-lawfirm"))
    storage.put_new(StaffAccount(sub="s-mixed", name="市局兼职律师", roles=["admin", "lawyer"], area="3204"))
    for grantee in ("s-lawyer-city", "s-admin-firm", "s-mixed"):
        problem = assert_problem(grant(client, who, clock, grantee=grantee), 422, "invalid_grant")
        assert [e["loc"] for e in problem["errors"]] == [["body", "grantee"]]
        assert "管理员或社区矫正工作人员" in problem["errors"][0]["msg"]
    storage.put_new(StaffAccount(sub="s-co-city", name="市局矫正科", roles=["corrections_officer"], area="3204"))
    assert ok(grant(client, who, clock, grantee="s-co-city"), 201)["grantee"] == "s-co-city"


def test_a_grant_ends_when_its_holder_moves_to_another_area_or_another_role(client, who, areas, token, clock, person):
    """Review finding F1: the grant followed the account id, not the account's current job. The token's
    claims are what is checked (tokens are signed from the account as re-read at each refresh)."""
    storage.put_new(StaffAccount(sub="s-mover", name="市局", roles=["admin"], area="3204"))
    ok(grant(client, who, clock, grantee="s-mover"), 201)
    assert reads(client, token("s-mover", "admin", area="3204"), person) == (200, 200, 200)
    assert reads(client, token("s-mover", "mediator", area="320404"), person) == (404, 404, 404)  # another district
    assert reads(client, token("s-mover", "lawyer", area="3204"), person) == (404, 404, 404)      # another role
    assert reads(client, token("s-mover", "admin", area="32"), person) == (404, 404, 404)         # the province


def test_a_grant_is_valid_until_shanghai_midnight_after_its_last_day(client, who, bureau, person, clock):
    """Review probe: the last day is a Shanghai calendar day (00:00 next day Shanghai is 16:00 UTC)."""
    from datetime import datetime, time, timedelta

    from chalicelib.platform import timeutil

    ok(grant(client, who, clock, valid_until=clock.day(0)), 201)
    midnight = datetime.combine(clock.today + timedelta(days=1), time(0), tzinfo=timeutil.SHANGHAI)
    with timeutil.travel(midnight - clock.now - timedelta(minutes=1)):  # 23:59 on the last day
        assert reads(client, bureau, person) == (200, 200, 200)
    with timeutil.travel(midnight - clock.now):  # 00:00 the next day
        assert reads(client, bureau, person) == (404, 404, 404)


def test_many_expired_grants_neither_stay_in_the_holders_reads_nor_break_them(client, who, bureau, person, clock):
    """Review finding F3: expired grants stayed in the holder's list, and past 50 of them every read was a 503."""
    expired = [Grant(id=f"old-{n:03d}", district="320402", grantee=BUREAU, grantee_area="3204", reason="往年检查",
                     valid_from=clock.day(-400 + n), valid_until=clock.day(-300 + n), granted_by="co-tn")
               for n in range(60)]
    storage.batch_write(puts=[g.to_item() for g in expired])
    assert reads(client, bureau, person) == (404, 404, 404)
    assert storage.every(Grant, HELD, BUREAU, after=("320402",), since=(clock.today,)) == []
    granted = ok(grant(client, who, clock), 201)
    assert reads(client, bureau, person) == (200, 200, 200)
    [held] = storage.every(Grant, HELD, BUREAU, after=("320402",), since=(clock.today,))
    assert held["id"] == granted["id"]


def test_a_city_officer_lists_no_district_s_grants_not_even_by_default(client, who, bureau, clock):
    """SPEC S5, issue "reliability" defect 3: the grants list is for the district's own corrections officers;
    a city officer's default (their own area, a city code) once read every district of the city by prefix."""
    ok(grant(client, who, clock), 201)
    assert_problem(client.get(f"{SP}/grants", headers=who["city officer"]), 404, "grants_not_found")
    assert_problem(client.get(f"{SP}/grants?district=320402", headers=who["city officer"]), 404, "grants_not_found")


def test_a_city_officer_cannot_grant_for_their_city_as_if_it_were_a_district(client, who, bureau, clock):
    """SPEC S5: only a district is granted (the default district of a city officer is no district)."""
    storage.put_new(StaffAccount(sub="s-province", name="省厅督察员", roles=["admin"], area="32"))
    problem = assert_problem(grant(client, who, clock, caller="city officer", grantee="s-province"), 403)
    assert problem["code"] == "outside_jurisdiction"


def test_a_grant_shows_the_area_its_holder_had_when_granted(client, who, bureau, clock):
    """SPEC S5: a grant follows the job; its output names the holder's area (the move that would end it)."""
    granted = ok(grant(client, who, clock), 201)
    assert granted["grantee_area"] == "3204"
    [listed] = body(client.get(f"{SP}/grants", headers=who["district officer"]))["items"]
    assert listed["grantee_area"] == "3204"
