"""SPEC A1: a resident asks about a kind of appraisal; staff of the area answer with guidance and the
registered institutions licensed for that kind, nearest first; the statutory clock (司法鉴定程序通则 arts.
13, 28, policy parameters) is shown; residents see their own only, staff their area; the registry of licences."""
from __future__ import annotations

import json

from chalicelib import plugin
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, workdays
from chalicelib.platform.auth import Caller
from plugins.appraisal import service
from plugins.appraisal.models import ConsultationIn
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.appraisal.conftest import GRID, question


def put(client, path, payload, headers):
    return client.put(path, headers={"Content-Type": "application/json", **headers},
                      body=json.dumps(payload, ensure_ascii=False))


def test_the_institutions_licensed_for_a_kind_and_serving_the_grid_come_nearest_first(client, world):
    found = body(client.get(f"/v1/appraisal/institutions?grid={GRID}&kind=disability_grade"))["items"]
    assert [(i["name"], i["serves_area"]) for i in found] == [
        ("天宁法医临床司法鉴定所", "320402"), ("常州法医临床司法鉴定所", "3204")]
    assert found[0]["kind_titles"] == ["人身损伤程度鉴定", "伤残等级鉴定"] and found[0]["phone"] == "0519-8660-****"
    every = body(client.get(f"/v1/appraisal/institutions?grid={GRID}"))["items"]
    assert [i["id"] for i in every] == ["tn-clinic", "city-clinic", "city-env"]
    assert_problem(client.get(f"/v1/appraisal/institutions?grid={GRID}&kind=astrology"), 422)


def test_only_an_administrator_of_the_area_registers_a_licence_and_a_change_needs_the_version(client, token, world):
    admin, outsider = token("a-1", "admin", area="320402"), token("a-2", "admin", area="320404")
    path = "/v1/appraisal/institutions/tn-clinic/licence"
    assert_problem(put(client, path, {"licence_no": "320402009", "kinds": ["mental_state"]}, outsider), 403)
    assert_problem(put(client, path, {"licence_no": "320402009", "kinds": ["mental_state"]},
                       token("ap-1", "appraiser", area="320402")), 403)
    assert_problem(put(client, path, {"licence_no": "320402009", "kinds": ["mental_state"]}, admin), 409,
                   "licence_exists")
    assert_problem(put(client, path, {"licence_no": "320402009", "kinds": ["mental_state"], "version": 5}, admin), 409)
    changed = ok(put(client, path, {"licence_no": "320402009", "kinds": ["mental_state", "injury_degree"],
                                    "version": 1}, admin))
    assert changed["kinds"] == ["injury_degree", "mental_state"] and changed["version"] == 2
    assert_problem(put(client, "/v1/appraisal/institutions/no-such/licence",
                       {"licence_no": "320402009", "kinds": ["mental_state"]}, admin), 404)


def test_a_licence_change_is_one_read_of_the_institution_and_its_licence_and_one_transaction(client, token, world):
    """Reliability §3: the institution the answer shows is the one read to decide, with the licence."""
    from tests.core.test_write_floor import dynamodb_calls

    admin = token("a-1", "admin", area="320402")
    with dynamodb_calls() as made:
        changed = ok(put(client, "/v1/appraisal/institutions/tn-clinic/licence",
                         {"licence_no": "320402009", "kinds": ["mental_state"], "version": 1}, admin))
    assert made == ["BatchGetItem", "TransactWriteItems"]
    assert (changed["name"], changed["kinds"], changed["version"]) == ("天宁法医临床司法鉴定所", ["mental_state"], 2)


def test_an_injured_worker_asks_and_an_officer_answers_with_the_nearest_licensed_institutions(
        client, token, world, officer, clock):
    worker = token("worker-1")
    asked = ok(post(client, "/v1/appraisal/consultations", question(), worker), 201)
    assert (asked["status"], asked["kind_title"], asked["intended_use_title"]) == ("open", "伤残等级鉴定", "调解")
    assert asked["phone"] == "138****1302" and "13800001302" not in json.dumps(asked)
    expected_accept = workdays.add_working_days(clock.today, 7).end.isoformat()
    assert asked["clock"]["acceptance_working_days"] == 7 and asked["clock"]["completion_working_days"] == 30
    assert asked["clock"]["accept_by"] == expected_accept

    [waiting] = body(client.get("/v1/appraisal/consultations/unanswered", headers=officer))["items"]
    assert waiting["id"] == asked["id"]
    answered = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
                       {"guidance": "伤残等级鉴定一般在治疗终结后进行，请带工伤认定书和病历。", "version": 1}, officer))
    assert [r["name"] for r in answered["recommended"]] == ["天宁法医临床司法鉴定所", "常州法医临床司法鉴定所"]
    assert body(client.get(f"/v1/appraisal/consultations/{asked['id']}", headers=worker))["guidance"].startswith("伤残")
    assert body(client.get("/v1/appraisal/consultations/unanswered", headers=officer))["items"] == []
    assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
                        {"guidance": "再答复一次，内容足够长。", "version": 2}, officer), 409, "already_answered")


def test_a_stranger_gets_404_and_staff_of_another_district_cannot_answer(client, token, world, officer):
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    for stranger in (token("worker-2"), token("o-9", "legal_aid_officer", area="320404"),
                     token("pub-1", "publicist", area="320402")):
        assert_problem(client.get(f"/v1/appraisal/consultations/{asked['id']}", headers=stranger), 404)
    assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
                        {"guidance": "这是一条足够长的指引。", "version": 1},
                        token("o-9", "legal_aid_officer", area="320404")), 404)
    assert_problem(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
                        {"guidance": "这是一条足够长的指引。", "version": 1}, token("worker-1")), 403)
    assert_problem(client.get("/v1/appraisal/consultations/unanswered?area=320404", headers=officer), 403)
    assert body(client.get("/v1/appraisal/consultations", headers=token("worker-2")))["items"] == []


def test_staff_of_the_area_reveal_the_resident_s_full_phone_audited_and_others_see_it_masked(
        client, token, world, officer):
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    path = f"/v1/appraisal/consultations/{asked['id']}"
    assert body(client.get(path, headers=officer))["phone"] == "138****1302"
    assert body(client.get(f"{path}/contact", headers=officer)) == {"phone": "13800001302"}
    assert body(client.get(f"{path}/contact", headers=token("worker-1"))) == {"phone": "13800001302"}
    for stranger in (token("worker-2"), token("o-9", "legal_aid_officer", area="320404"),
                     token("pub-1", "publicist", area="320402")):
        assert_problem(client.get(f"{path}/contact", headers=stranger), 404)
    trail = audit.trail("appraisal-consultation", asked["id"]).items
    reads = [(i["actor"], i["summary"]) for i in trail if i["action"] == "read"]
    assert reads == [("worker-1", "查看鉴定咨询人的完整联系电话（联系咨询人）"),
                     ("officer-1", "查看鉴定咨询人的完整联系电话（联系咨询人）")]  # newest first
    assert all("13800001302" not in str(i) for i in trail)


def test_the_full_phone_goes_to_the_district_s_callers_back_while_open_not_to_a_wider_admin(
        client, token, world, officer):
    """Review finding F4 (CONTRACT "PII": the full phone only to the owner and the staff holding the case): an
    administrator of the city or the province covers the grid but does not call the resident back."""
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    path = f"/v1/appraisal/consultations/{asked['id']}"
    for wider in (token("admin-1", "admin", area="3204"), token("admin-0", "admin", area="32"),
                  token("ap-9", "appraiser", area="3204")):
        assert body(client.get(path, headers=wider))["phone"] == "138****1302"
        assert_problem(client.get(f"{path}/contact", headers=wider), 404)
    for holder in (officer, token("ap-1", "appraiser", area="320402"),
                   token("la-town", "legal_aid_officer", area="320402001")):
        assert body(client.get(f"{path}/contact", headers=holder)) == {"phone": "13800001302"}


def test_once_answered_only_the_one_who_answered_and_the_owner_still_get_the_full_phone(
        client, token, world, officer):
    """Review finding F4: after the answer the case is held by the one who gave it."""
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    path = f"/v1/appraisal/consultations/{asked['id']}"
    ok(post(client, f"{path}/answer", {"guidance": "伤残等级鉴定一般在治疗终结后进行，请带好病历。", "version": 1},
            officer))
    assert body(client.get(f"{path}/contact", headers=officer)) == {"phone": "13800001302"}
    assert body(client.get(f"{path}/contact", headers=token("worker-1"))) == {"phone": "13800001302"}
    assert_problem(client.get(f"{path}/contact", headers=token("ap-1", "appraiser", area="320402")), 404)


def test_an_unknown_grid_kind_or_use_and_too_short_facts_are_422s_naming_each_field(client, token, world):
    problem = assert_problem(post(client, "/v1/appraisal/consultations",
                                  question(kind="astrology", intended_use="revenge", facts="短"), token("r1")), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "kind"), ("body", "intended_use"),
                                                            ("body", "facts")}
    problem = assert_problem(post(client, "/v1/appraisal/consultations", question(grid="320402001001999"),
                                  token("r1")), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "grid"]


def test_the_clock_follows_the_parameters_in_force(client, token, world, clock):
    policy.set_version(audit.SYSTEM, None, "appraisal.completion_days", area_code="320402", value=20,
                       effective_from=clock.today, label="试行")
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("r1")), 201)
    assert asked["clock"]["completion_working_days"] == 20
    assert asked["clock"]["finish_by"] == workdays.add_working_days(clock.today, 20).end.isoformat()


def test_a_consultation_unanswered_past_its_limit_is_a_screening_finding(client, token, world, clock):
    with clock.travel(days=-10):
        old = ok(post(client, "/v1/appraisal/consultations", question(), token("r1")), 201)
    ok(post(client, "/v1/appraisal/consultations", question(), token("r2")), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    [finding] = service.overdue(context)
    assert (finding.check, finding.record, finding.area) == ("appraisal.unanswered", old["id"], GRID)
    assert finding.title == "鉴定咨询超过 3 个工作日未答复"


def test_the_demo_loads_licensed_institutions_and_a_question_once(client, world):
    context = plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [GRID])
    service.load_demo(context)
    service.load_demo(context)
    found = service.licensed_serving(GRID, "disability_grade")
    assert "demo-appraisal-clinical" in [i.id for i in found]
    from chalicelib.platform.auth import Caller

    [mine] = service.mine(Caller(sub="demo-resident-2", roles=frozenset({"resident"}), area=None), limit=5,
                          cursor=None).items
    assert mine.kind == "disability_grade" and mine.fee_relief.relief == "waive"


def test_an_answer_reads_the_consultation_its_grid_s_links_and_clock_at_once_and_an_id_naming_no_grid_still_reads(
        client, token, world, officer):
    """Reliability §3: the consultation, its grid's chain and links, its province's licence registry and the
    clock's parameters are one BatchGetItem (its id names its grid); the licence of the institution linked
    there without one registered is looked up in a second; then the write. An id naming no grid, or an
    unknown one, is read (or not found) all the same."""
    from tests.core.test_write_floor import dynamodb_calls

    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    with dynamodb_calls() as made:
        answered = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
                           {"guidance": "伤残等级鉴定一般在治疗终结后进行，请带工伤认定书和病历。", "version": 1}, officer))
    assert made == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    assert answered["clock"] == asked["clock"] and len(answered["recommended"]) == 2
    resident = Caller(sub="worker-1", roles=frozenset({"resident"}), area=None)
    unnamed = service.ask(resident, ConsultationIn(**question()), consultation_id="c-without-grid")
    assert body(client.get(f"/v1/appraisal/consultations/{unnamed.id}", headers=officer))["clock"] == asked["clock"]
    for unknown in (f"999999999999999.{asked['id'].split('.')[1]}", f"{GRID}.nothing"):
        assert_problem(client.get(f"/v1/appraisal/consultations/{unknown}", headers=officer), 404)


def test_once_every_institution_serving_the_grid_is_registered_its_list_is_one_read_and_an_answer_two(
        client, token, world, officer):
    """Reliability §3: a licence is copied into its province's registry in its own transaction, so the
    registry read with the grid's chain and links names them all, a change showing at once."""
    from tests.core.test_write_floor import dynamodb_calls

    admin = token("a-1", "admin", area="320402")
    ok(put(client, "/v1/appraisal/institutions/unlicensed/licence", {"licence_no": "320402010",
                                                                     "kinds": ["paternity"]}, admin))
    ok(put(client, "/v1/appraisal/institutions/tn-clinic/licence",
           {"licence_no": "320402009", "kinds": ["mental_state"], "version": 1}, admin))
    with dynamodb_calls() as made:
        found = body(client.get(f"/v1/appraisal/institutions?grid={GRID}&kind=disability_grade"))["items"]
    assert made == ["BatchGetItem"] and [i["id"] for i in found] == ["city-clinic"]
    every = {i["id"]: (i["licence_no"], i["kinds"], i["version"])
             for i in body(client.get(f"/v1/appraisal/institutions?grid={GRID}"))["items"]}
    assert every["tn-clinic"] == ("320402009", ["mental_state"], 2)
    assert every["unlicensed"] == ("320402010", ["paternity"], 1)
    asked = ok(post(client, "/v1/appraisal/consultations", question(), token("worker-1")), 201)
    with dynamodb_calls() as made:
        answered = ok(post(client, f"/v1/appraisal/consultations/{asked['id']}/answer",
                           {"guidance": "请带工伤认定书和病历。", "version": 1}, officer))
    assert made == ["BatchGetItem", "TransactWriteItems"]
    assert [r["institution_id"] for r in answered["recommended"]] == ["city-clinic"]
