"""Conflict check before assignment (issue 5 item 5): a lawyer representing, in an open case, the opposing
party of this one (or acting against this applicant) is refused unless an officer overrides with a reason."""
from __future__ import annotations

from chalicelib.platform import audit
from plugins.legal_aid.models import normalize_name
from tests.helpers import assert_problem, body, ok
from tests.plugins.legal_aid.conftest import id_number


def assigned(submit, step, lawyer="lawyer-1", **changes) -> dict:
    app = submit(**changes)
    for action in ("accept", "approve"):
        app = ok(step(app, action))
    response = step(app, "assign", lawyer=lawyer)
    assert response.status_code == 200, response.body
    return body(response)


def approved(submit, step, **changes) -> dict:
    app = submit(**changes)
    for action in ("accept", "approve"):
        app = ok(step(app, action))
    return app


ZHAO = id_number(born="19700304", sequence="035")


def test_names_are_compared_as_written_in_any_width_and_spacing():
    assert normalize_name("常州 某某（建筑）有限公司") == normalize_name("常州某某(建筑)有限公司")
    assert normalize_name("ＡＢＣ Ltd.") == normalize_name("abc ltd")


def test_a_lawyer_representing_the_opposing_party_in_an_open_case_is_refused(client, people, submit, step):
    """The lawyer-1 represents 赵大海 (a traffic-accident victim); a worker's wage claim against 赵大海 cannot
    go to lawyer-1, and the refusal says which case."""
    zhao = assigned(submit, step, "lawyer-1", matter_type="traffic_accident", categories=[],
                    applicant={"name": "赵大海", "id_number": ZHAO},
                    household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]},
                    opposing_party={"name": "常州某运输有限公司", "kind": "organisation"})
    wage = approved(submit, step, opposing_party={"name": "赵 大海", "kind": "person"})
    problem = assert_problem(step(wage, "assign", lawyer="lawyer-1"), 409, "conflict_of_interest")
    assert problem["errors"] == [{"loc": ["body", "lawyer"],
                                  "msg": f"该律师在办案件 {zhao['id']} 中代理本案对方当事人「赵 大海」（名称一致）"}]
    again = body(client.get(f"/v1/legal-aid/applications/{wage['id']}", headers=people["officer"]))
    assert again["status"]["code"] == "approved" and again["version"] == wage["version"]
    other = step(wage, "assign", lawyer="lawyer-2")
    assert other.status_code == 200 and body(other)["lawyer"] == "lawyer-2"


def test_an_officer_may_override_the_conflict_with_a_reason_kept_in_the_audit_trail(client, people, submit, step):
    assigned(submit, step, "lawyer-1", matter_type="traffic_accident", categories=[],
             applicant={"name": "赵大海", "id_number": ZHAO},
             household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]})
    wage = approved(submit, step, opposing_party={"name": "赵大海", "kind": "person"})
    reason = "本镇唯一的劳动争议律师，已征得双方书面同意"
    response = step(wage, "assign", lawyer="lawyer-1", conflict_override_reason=reason)
    assert response.status_code == 200, response.body
    app = body(response)
    assert app["conflict_override"]["reason"] == reason and len(app["conflict_override"]["hits"]) == 1
    entry = [e for e in audit.trail("legal-aid-application", app["id"]).items if e["action"] == "assign"][0]
    assert reason in entry["summary"] and "利益冲突审查命中 1 项" in entry["summary"]
    own = body(client.get(f"/v1/legal-aid/applications/{app['id']}", headers=people["resident"]))
    assert own["conflict_override"] is None  # staff-only detail


def test_the_id_number_tells_namesakes_apart(client, people, submit, step):
    """Where both sides have an ID number, a different number is a different person."""
    assigned(submit, step, "lawyer-1", matter_type="traffic_accident", categories=[],
             applicant={"name": "赵大海", "id_number": ZHAO},
             household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]})
    namesake = approved(submit, step, opposing_party={"name": "赵大海", "kind": "person",
                                                      "id_number": id_number(born="19660101", sequence="077")})
    assert step(namesake, "assign", lawyer="lawyer-1").status_code == 200
    same = approved(submit, step, opposing_party={"name": "赵大海（包工头）", "kind": "person", "id_number": ZHAO})
    problem = assert_problem(step(same, "assign", lawyer="lawyer-1"), 409, "conflict_of_interest")
    assert problem["errors"][0]["msg"].endswith("（身份证号/信用代码一致）")


def test_acting_against_this_applicant_elsewhere_is_a_conflict_too(client, people, submit, step):
    assigned(submit, step, "lawyer-1", matter_type="traffic_accident", categories=[],
             applicant={"name": "赵大海", "id_number": ZHAO},
             household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]},
             opposing_party={"name": "王建国", "kind": "person", "id_number": id_number()})
    wage = approved(submit, step, opposing_party={"name": "某劳务公司", "kind": "organisation"})
    problem = assert_problem(step(wage, "assign", lawyer="lawyer-1"), 409, "conflict_of_interest")
    assert "中的对方当事人是本案申请人「王建国」" in problem["errors"][0]["msg"]


def test_a_closed_case_is_no_conflict(client, people, submit, step):
    zhao = assigned(submit, step, "lawyer-1", matter_type="traffic_accident", categories=[],
                    applicant={"name": "赵大海", "id_number": ZHAO},
                    household={"size": 2, "incomes": [{"source": "wage", "monthly_amount": "1500"}]})
    step(zhao, "close", who="lawyer", kind="settled", amount_recovered="8000", summary="和解")
    wage = approved(submit, step, opposing_party={"name": "赵大海", "kind": "person"})
    assert step(wage, "assign", lawyer="lawyer-1").status_code == 200


def test_conflict_hits_are_shown_to_officers_only_never_to_the_filer_the_lawyer_or_the_owner(
        client, people, submit, step):
    """The hits name another legal-aid client and their case: the grid worker who filed, the lawyer and the
    applicant see neither them nor the override."""
    first = assigned(submit, step, "lawyer-1")
    filed = submit("grid_worker", applicant={"name": "李四", "id_number": id_number(sequence="013")},
                   opposing_party={"name": "王建国", "kind": "person"})
    filed = ok(step(ok(step(filed, "accept")), "approve"))
    response = step(filed, "assign", lawyer="lawyer-1", conflict_override_reason="本区仅此一名律师")
    assert response.status_code == 200, response.body
    url = f"/v1/legal-aid/applications/{filed['id']}"
    officer = body(client.get(url, headers=people["officer"]))
    assert first["id"] in officer["conflict_override"]["hits"][0]
    for who in ("grid_worker", "lawyer"):
        seen = client.get(url, headers=people[who])
        assert seen.status_code == 200 and body(seen)["conflict_override"] is None, who
        assert first["id"] not in seen.body.decode()
