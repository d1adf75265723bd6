"""What the legal-aid users could not do before: an officer finds whom to assign (the case's district's
lawyers, with their firm and load), the assigned lawyer and the handling officer reach the applicant by
phone (each read audited), the applicant reaches the lawyer, and a resident claims an application filed on
their behalf with the tracking code and their ID number alone."""
from __future__ import annotations

import json

import pytest

from chalicelib.platform import audit, pii, storage
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.legal_aid.conftest import declare_real_name, id_number

URL = "/v1/legal-aid/applications"
CLAIMS = "/v1/legal-aid/claims"
PHONE = "13912345678"


def through(app, step, *actions, who="officer", **payload):
    for action in actions:
        app = ok(step(app, action, who=who, **(payload if action == "assign" else {})))
    return app


@pytest.fixture
def firm(world):
    """lawyer-1 works at a law firm and has a work phone on their staff account."""
    from chalicelib.domain.accounts import service as accounts
    from chalicelib.domain.directory.service import Institution

    storage.put_new(storage.stamp_new(Institution(id="firm-1", kind="law_firm", name="江苏天宁律师事务所",
                                                  home_area="320402", serves=["320402"])))
    lawyer = storage.get_record(accounts.StaffAccount, **storage.keys.record("staff-account", "lawyer-1"))
    storage.update(lawyer, {"institution": "firm-1", "phone_cipher": pii.encrypt("phone", "051988001234"),
                            "phone_masked": pii.mask_phone("0519-88001234")}, expected_version=lawyer.version)


def lawyers(client, app, who, query=""):
    return client.get(f"{URL}/{app['id']}/assignable-lawyers{query}", headers=who)


# --- whom to assign -------------------------------------------------------------------------------------

def test_an_officer_lists_the_district_s_active_lawyers_with_their_firm_and_open_cases(client, people, submit,
                                                                                      step, firm):
    from chalicelib.domain.accounts import service as accounts
    from plugins.legal_aid.demo import seed_lawyer

    seed_lawyer(audit.SYSTEM, "lawyer-far", "远方律师", area="320404")
    storage.put_new(accounts.StaffAccount(sub="lawyer-gone", name="离职律师", roles=["lawyer"], area="320402",
                                          status="disabled"))
    storage.put_new(accounts.StaffAccount(sub="gw-staff", name="网格员", roles=["grid_worker"], area="320402001"))
    busy = through(submit(), step, "accept", "approve", "assign", lawyer="lawyer-1")
    assert busy["lawyer"] == "lawyer-1"
    app = through(submit(matter_type="work_injury", opposing_party={"name": "某厂"}), step, "accept", "approve")
    page = ok(lawyers(client, app, people["officer"]))
    assert page == {"items": [
        {"lawyer": "lawyer-1", "name": "周律师", "firm": "江苏天宁律师事务所", "area": "320402", "open_cases": 1},
        {"lawyer": "lawyer-2", "name": "吴律师", "firm": None, "area": "320402", "open_cases": 0}],
        "next_cursor": None}


def test_the_list_is_paginated_with_an_opaque_tamper_proof_cursor(client, people, submit, step):
    app = submit()
    first = ok(lawyers(client, app, people["officer"], "?limit=1"))
    assert [i["lawyer"] for i in first["items"]] == ["lawyer-1"] and first["next_cursor"]
    assert "lawyer-1" not in first["next_cursor"]
    rest = ok(lawyers(client, app, people["officer"], f"?limit=1&cursor={first['next_cursor']}"))
    assert [i["lawyer"] for i in rest["items"]] == ["lawyer-2"] and rest["next_cursor"] is None
    assert_problem(lawyers(client, app, people["officer"], f"?limit=1&cursor={first['next_cursor'][:-2]}xx"), 400)
    other = submit(matter_type="work_injury")
    assert_problem(lawyers(client, other, people["officer"], f"?limit=1&cursor={first['next_cursor']}"), 400)
    assert_problem(lawyers(client, app, people["officer"], "?limit=101"), 422)
    assert_problem(lawyers(client, app, people["officer"], "?colour=red"), 422)


def test_a_town_officer_may_assign_the_enclosing_district_s_lawyers(client, people, submit, step):
    app = through(submit(), step, "accept", "approve", who="town_officer")
    page = ok(lawyers(client, app, people["town_officer"]))
    assert [i["lawyer"] for i in page["items"]] == ["lawyer-1", "lawyer-2"]
    assigned = ok(step(app, "assign", who="town_officer", lawyer="lawyer-2"))
    assert assigned["lawyer"] == "lawyer-2" and assigned["status"]["code"] == "assigned"


def test_a_town_officer_still_cannot_assign_a_lawyer_of_another_district(client, people, submit, step):
    from plugins.legal_aid.demo import seed_lawyer

    seed_lawyer(audit.SYSTEM, "lawyer-far", "远方律师", area="320404")
    app = through(submit(), step, "accept", "approve", who="town_officer")
    problem = assert_problem(step(app, "assign", who="town_officer", lawyer="lawyer-far"), 422, "lawyer_not_found")
    assert problem["errors"][0]["loc"] == ["body", "lawyer"]


def test_assignment_still_runs_the_conflict_check_for_a_district_lawyer(client, people, submit, step):
    """lawyer-1 represents 赵大海 in an open case: a town officer's wage claim against 赵大海 is 409 for them."""
    zhao = submit(matter_type="traffic_accident", categories=[],
                  applicant={"name": "赵大海", "id_number": id_number(born="19700304", sequence="035")},
                  household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]},
                  opposing_party={"name": "常州某运输有限公司", "kind": "organisation"})
    through(zhao, step, "accept", "approve", "assign", lawyer="lawyer-1")
    wage = through(submit(opposing_party={"name": "赵大海", "kind": "person"}), step, "accept", "approve",
                   who="town_officer")
    assert_problem(step(wage, "assign", who="town_officer", lawyer="lawyer-1"), 409, "conflict_of_interest")
    assert ok(lawyers(client, wage, people["town_officer"]))["items"][0]["open_cases"] == 1


@pytest.mark.parametrize("who, status", [
    ("other_officer", 404),   # an officer of another district: the case's existence is private
    ("lawyer", 403),          # lawyers do not pick lawyers
    ("resident", 403),
    ("grid_worker", 403),
])
def test_strangers_cannot_list_a_case_s_assignable_lawyers(client, people, submit, who, status):
    app = submit()
    assert_problem(lawyers(client, app, people[who]), status)


def test_listing_lawyers_for_an_unknown_case_is_a_404(client, people, world):
    assert_problem(client.get(f"{URL}/no-such-case/assignable-lawyers", headers=people["officer"]), 404,
                   "application_not_found")


def test_an_unknown_case_named_in_the_officer_s_own_area_is_a_404_before_its_bad_cursor(client, people, submit):
    """The lawyers are read before the case when its id names the officer's area; the case's 404 still
    comes first, and nothing of the list shows."""
    area = submit()["id"].partition(".")[0]
    assert_problem(client.get(f"{URL}/{area}.{'0' * 32}/assignable-lawyers?cursor=xx", headers=people["officer"]),
                   404, "application_not_found")


# --- reaching each other ------------------------------------------------------------------------------

def test_the_assigned_lawyer_reads_the_applicant_s_phone_in_full_and_the_read_is_audited(client, people, submit,
                                                                                       step):
    app = through(submit(), step, "accept", "approve", "assign", lawyer="lawyer-1")
    seen = ok(client.get(f"{URL}/{app['id']}", headers=people["lawyer"]))
    assert seen["applicant"]["phone"] == PHONE and seen["applicant"]["id_number"] is None
    [entry] = [i for i in audit.trail("legal-aid-application", app["id"]).items
               if i["action"] == "read" and i["actor"] == "lawyer-1"]
    assert "完整电话" in entry["summary"] and PHONE not in json.dumps(entry, default=str)


def test_the_handling_officer_s_read_with_the_full_phone_is_audited(client, people, submit):
    app = submit()
    assert ok(client.get(f"{URL}/{app['id']}", headers=people["town_officer"]))["applicant"]["phone"] == PHONE
    entries = [i for i in audit.trail("legal-aid-application", app["id"]).items if i["action"] == "read"]
    assert [e["actor"] for e in entries] == ["officer-town"] and "完整电话" in entries[0]["summary"]


def test_others_keep_seeing_the_phone_masked(client, people, submit, step):
    filed = submit("grid_worker")
    filer = ok(client.get(f"{URL}/{filed['id']}", headers=people["grid_worker"]))
    assert filer["applicant"]["phone"] is None and filer["applicant"]["phone_masked"] == "139****5678"
    app = through(submit(), step, "accept")  # a step's response is no read of the phone
    assert app["applicant"]["phone"] is None
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["lawyer2"]), 404)  # not assigned
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["other_officer"]), 404)
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["neighbour"]), 404)


def test_the_applicant_sees_the_assigned_lawyer_s_name_firm_and_work_phone(client, people, submit, step, firm):
    app = submit()
    assert ok(client.get(f"{URL}/{app['id']}", headers=people["resident"]))["lawyer_contact"] is None
    through(app, step, "accept", "approve", "assign", lawyer="lawyer-1")
    mine = ok(client.get(f"{URL}/{app['id']}", headers=people["resident"]))
    assert mine["lawyer_contact"] == {"name": "周律师", "firm": "江苏天宁律师事务所", "work_phone": "051988001234"}
    for who in ("officer", "lawyer"):
        assert ok(client.get(f"{URL}/{app['id']}", headers=people[who]))["lawyer_contact"] is None


def test_a_lawyer_without_firm_or_work_phone_shows_just_the_name(client, people, submit, step):
    app = through(submit(), step, "accept", "approve", "assign", lawyer="lawyer-2")
    mine = ok(client.get(f"{URL}/{app['id']}", headers=people["resident"]))
    assert mine["lawyer_contact"] == {"name": "吴律师", "firm": None, "work_phone": None}


# --- claiming with the tracking code and the ID number ---------------------------------------------------

def claim(client, people, who, code, number):
    return post(client, CLAIMS, {"tracking_code": code, "id_number": number}, people[who])


def test_any_wrong_pair_is_the_same_404_and_each_failure_is_audited(client, people, submit):
    filed = submit("grid_worker")
    declare_real_name("r-1", id_number())
    declare_real_name("r-2", id_number(sequence="005"))
    wrong_code = claim(client, people, "resident", "ABCDEFGHJK", id_number())
    someone_else = claim(client, people, "neighbour", filed["tracking_code"], id_number(sequence="005"))
    for response in (wrong_code, someone_else):
        assert_problem(response, 404, "application_not_found")
    assert body(wrong_code) == body(someone_else)
    assert filed["id"] not in json.dumps(body(someone_else))
    for sub in ("r-1", "r-2"):
        [entry] = audit.trail("legal-aid-claim", sub).items
        assert entry["action"] == "claim_failed" and filed["tracking_code"] not in json.dumps(entry, default=str)


def test_a_resident_claims_only_with_their_own_registered_id_number(client, people, submit):
    filed = submit("grid_worker")
    assert_problem(claim(client, people, "neighbour", filed["tracking_code"], id_number()), 403, "real_name_required")
    declare_real_name("r-2", id_number(sequence="005"))
    problem = assert_problem(claim(client, people, "neighbour", filed["tracking_code"], id_number()), 422,
                             "applicant_not_account_holder")
    assert problem["errors"][0]["loc"] == ["body", "id_number"]


def test_claim_attempts_are_limited_per_resident(client, people, submit):
    filed = submit("grid_worker")
    declare_real_name("r-1", id_number())
    for _ in range(10):
        assert_problem(claim(client, people, "resident", "ABCDEFGHJK", id_number()), 404)
    problem = assert_problem(claim(client, people, "resident", filed["tracking_code"], id_number()), 429,
                             "too_many_attempts")
    assert "认领" in problem["detail"]


def test_the_claim_body_is_strict_and_staff_cannot_claim(client, people, submit):
    filed = submit("grid_worker")
    declare_real_name("r-1", id_number())
    extra = post(client, CLAIMS, {"tracking_code": filed["tracking_code"], "id_number": id_number(),
                                  "application_id": filed["id"]}, people["resident"])
    assert_problem(extra, 422)
    bad = assert_problem(claim(client, people, "resident", filed["tracking_code"], "320402198507150018"), 422)
    assert bad["errors"][0]["loc"] == ["body", "id_number"]
    assert_problem(claim(client, people, "grid_worker", filed["tracking_code"], id_number()), 403)


def test_no_tracking_code_or_id_number_is_stored_in_clear(client, people, submit):
    from chalicelib.platform import aws, config

    filed = submit("grid_worker")
    items = aws.dynamodb().scan(TableName=config.table_name())["Items"]  # the test may look at everything
    text = json.dumps(items)
    assert filed["tracking_code"] not in text and id_number() not in text


def test_a_claim_reads_the_real_name_and_the_ticket_together_then_counts_reads_the_case_and_writes(
        client, people, submit):
    """Reliability §3: the caller's real-name record and the claim ticket are one consistent BatchGetItem;
    the attempt is counted before the ticket is used, then the application is read and claimed."""
    from tests.helpers import calls_during

    filed = submit("grid_worker")
    declare_real_name("r-1", id_number())
    seen = []
    calls = calls_during(lambda: seen.append(claim(client, people, "resident", filed["tracking_code"], id_number())))
    assert ok(seen[0])["id"] == filed["id"]
    assert calls == ["BatchGetItem", "UpdateItem", "GetItem", "TransactWriteItems"]
