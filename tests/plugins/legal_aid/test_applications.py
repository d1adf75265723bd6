"""Applying and following an application (SPEC L1), who may read it, and bad input (422 naming the field)."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from chalicelib.platform import storage
from tests.helpers import JSON, assert_problem, body, header, post
from tests.plugins.legal_aid.conftest import GRID, application, declare_real_name, id_number

URL = "/v1/legal-aid/applications"
CLAIMS = "/v1/legal-aid/claims"


def test_a_resident_applies_from_a_phone_and_sees_the_reasons_at_once(client, people, submit):
    """L1 + L2–L5: eligibility is decided at submission with every criterion's reason."""
    app = submit()
    assert app["status"] == {"code": "submitted", "label": "已提交"} and app["channel"] == "online"
    assert app["eligibility"]["summary"] == "符合条件（免经济困难审查：农民工追索劳动报酬）"
    assert app["eligibility"]["path"] == "exempt" and app["effective_verdict"]["code"] == "eligible"
    assert app["green_channel"]["met"] and app["deadline"]
    assert app["applicant"]["id_number"] == id_number() and app["applicant"]["phone"] == "13912345678"
    assert app["timeline"][0]["note"] == "已提交申请（绿色通道）"


def test_the_applicant_follows_it_and_nobody_else_sees_the_full_id_number(client, people, submit):
    """L1 / CONTRACT: the ID number in full only to its owner (the handling officer gets the phone to reach
    them, not the ID number); another resident gets 404."""
    app = submit()
    own = body(client.get(f"{URL}/{app['id']}", headers=people["resident"]))
    assert own["applicant"]["id_number"] == id_number()
    officer = body(client.get(f"{URL}/{app['id']}", headers=people["officer"]))
    assert officer["applicant"]["id_number"] is None and officer["applicant"]["phone"] == "13912345678"
    assert officer["applicant"]["id_number_masked"] == "320***********" + id_number()[-4:]
    assert id_number() not in json.dumps(officer, ensure_ascii=False)
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["neighbour"]), 404, "application_not_found")


def test_officers_see_only_their_area_and_lawyers_only_their_cases(client, people, submit):
    app = submit()
    assert client.get(f"{URL}/{app['id']}", headers=people["town_officer"]).status_code == 200
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["other_officer"]), 404)
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["lawyer"]), 404)
    assert_problem(client.get(f"{URL}/no-such-id", headers=people["officer"]), 404)


def test_a_staff_read_is_audited(client, people, submit):
    from chalicelib.platform import audit

    app = submit()
    client.get(f"{URL}/{app['id']}", headers=people["officer"])
    actions = [i["action"] for i in audit.trail("legal-aid-application", app["id"]).items]
    assert actions[0] == "read" and "create" in actions


def test_my_applications_lists_only_mine_newest_first(client, people, submit):
    first = submit()
    second = submit(matter_type="work_injury")
    page = body(client.get(f"{URL}?limit=1", headers=people["resident"]))
    assert [i["id"] for i in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = body(client.get(f"{URL}?limit=1&cursor={page['next_cursor']}", headers=people["resident"]))
    assert [i["id"] for i in rest["items"]] == [first["id"]] and rest["next_cursor"] is None
    assert body(client.get(URL, headers=people["neighbour"]))["items"] == []


def test_a_resident_must_be_real_name_registered_and_apply_as_themselves(client, people, world):
    """SPEC issue 4: legal aid needs 实名; a resident applies with their own registered ID number."""
    assert_problem(post(client, URL, application(), people["resident"]), 403, "real_name_required")
    declare_real_name("r-1", id_number(born="19700101"))
    problem = assert_problem(post(client, URL, application(), people["resident"]), 422, "applicant_not_account_holder")
    assert problem["errors"][0]["loc"] == ["body", "applicant", "id_number"]


def test_a_grid_worker_applies_on_behalf_and_the_applicant_claims_it_with_the_code(client, people, submit):
    """L1: by a grid worker on a resident's behalf; the applicant claims it with the tracking code and their
    ID number alone (no application id) and follows it from then on."""
    app = submit("grid_worker")
    assert app["channel"] == "on_behalf" and len(app["tracking_code"]) == 10
    assert app["applicant"]["id_number"] is None and app["applicant"]["phone"] is None
    assert body(client.get(f"{URL}/{app['id']}", headers=people["grid_worker"]))["tracking_code"] is None
    declare_real_name("r-1", id_number())
    wrong = post(client, CLAIMS, {"tracking_code": "WRONGCODE2", "id_number": id_number()}, people["resident"])
    assert_problem(wrong, 404, "application_not_found")
    code = app["tracking_code"]
    claimed = post(client, CLAIMS, {"tracking_code": f" {code[:5].lower()} {code[5:]} ", "id_number": id_number()},
                   people["resident"])
    assert claimed.status_code == 200, claimed.body
    assert body(claimed)["id"] == app["id"] and body(claimed)["applicant"]["id_number"] == id_number()
    assert [i["id"] for i in body(client.get(URL, headers=people["resident"]))["items"]] == [app["id"]]
    again = post(client, CLAIMS, {"tracking_code": code, "id_number": id_number()}, people["resident"])
    assert again.status_code == 200 and body(again)["id"] == app["id"]  # a retry is harmless
    declare_real_name("r-2", id_number())
    taken = post(client, CLAIMS, {"tracking_code": code, "id_number": id_number()}, people["neighbour"])
    assert_problem(taken, 409, "already_claimed")


def test_staff_apply_only_for_residents_of_their_area(client, people, world):
    problem = assert_problem(post(client, URL, application(), people["other_officer"]), 403, "outside_jurisdiction")
    assert problem["code"] == "outside_jurisdiction"


@pytest.mark.parametrize("change, loc", [
    ({"applicant": {"id_number": id_number()[:17] + ("0" if id_number()[-1] != "0" else "1")}},
     ["body", "applicant", "id_number"]),
    ({"household": {"size": 0}}, ["body", "household", "size"]),
    ({"household": {"incomes": [{"source": "wage", "monthly_amount": "-1"}]}},
     ["body", "household", "incomes", "0", "monthly_amount"]),
    ({"matter_type": "alien_abduction"}, ["body", "matter_type"]),
    ({"categories": ["celebrity"]}, ["body", "categories", "0"]),
    ({"applicant": {"phone": "12345"}}, ["body", "applicant", "phone"]),
    ({"applicant": {"area": "32"}}, ["body", "applicant", "area"]),
    ({"opposing_party": {"kind": "person", "credit_code": "91320400MA1XXXXX0X"}}, ["body", "opposing_party"]),
    ({"salary": 1}, ["body", "salary"]),
])
def test_bad_input_is_a_422_naming_the_field(client, people, world, change, loc):
    declare_real_name("r-1", id_number())
    problem = assert_problem(post(client, URL, application(**change), people["resident"]), 422, "validation_failed")
    assert loc in [e["loc"] for e in problem["errors"]], problem["errors"]


def test_an_unknown_area_is_a_422_on_the_area(client, people, world):
    declare_real_name("r-1", id_number())
    problem = assert_problem(post(client, URL, application(applicant={"area": "320402009"}), people["resident"]),
                             422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "applicant", "area"]


def test_a_retired_area_is_a_422_on_the_area_found_by_the_same_read_as_its_rules(client, people, world):
    """L1: no application starts in a retired area. The area record rides along the one read of the area's
    rules (SPEC P-rules), so the submission reads it once; the error is the same 422 on the area."""
    from chalicelib.domain.areas.models import Area

    declare_real_name("r-1", id_number())
    grid = storage.require(Area, GRID, consistent=True)
    storage.update(grid, {"status": "retired"}, expected_version=grid.version)
    problem = assert_problem(post(client, URL, application(), people["resident"]), 422, "area_retired")
    assert problem["errors"][0]["loc"] == ["body", "applicant", "area"]


def test_the_checksum_error_is_in_chinese(client, people, world):
    declare_real_name("r-1", id_number())
    bad = id_number()[:17] + ("0" if id_number()[-1] != "0" else "1")
    problem = assert_problem(post(client, URL, application(applicant={"id_number": bad}), people["resident"]), 422)
    assert problem["errors"][0]["msg"] == "身份证号校验位不正确，请核对"


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(client, people, world):
    declare_real_name("r-1", id_number())
    headers = {**people["resident"], "Idempotency-Key": "apply-0001"}
    first = post(client, URL, application(), headers)
    second = post(client, URL, application(), headers)
    assert first.status_code == second.status_code == 201
    assert body(first)["id"] == body(second)["id"] and header(second, "idempotent-replayed") == "true"
    assert len(body(client.get(URL, headers=people["resident"]))["items"]) == 1


def test_attachments_are_uploaded_files_linked_to_the_application(client, people, submit, upload):
    """L1: attachments go through the core's S3 files (presigned upload), then link to the application."""
    from chalicelib.domain.files import service as files

    file_id = upload(b"%PDF-1.4 wage slip")
    app = submit(attachment_ids=[file_id])
    assert app["attachment_ids"] == [file_id]
    assert [f.id for f in files.for_record("legal-aid-application", app["id"]).items] == [file_id]
    declare_real_name("r-1", id_number())
    reused = assert_problem(post(client, URL, application(attachment_ids=[file_id]), people["resident"]), 422,
                            "attachment_already_linked")
    assert reused["errors"][0]["loc"] == ["body", "attachment_ids", "0"]
    someone_elses = upload(b"%PDF-1.4 not yours", who="officer")
    declare_real_name("r-1", id_number())
    problem = assert_problem(post(client, URL, application(attachment_ids=[someone_elses]), people["resident"]), 422,
                             "attachment_not_found")
    assert problem["errors"][0]["loc"] == ["body", "attachment_ids", "0"]


def test_the_application_date_picks_the_rule_in_force_the_day_the_policy_changed(client, people, submit):
    """L2: Changzhou moved from 2× 低保 (1,790 元) to the minimum wage (2,020 元) on 2021-07-20; an application
    is judged by the rule in force on its submission date in Asia/Shanghai."""
    from chalicelib.platform import timeutil

    household = {"size": 2, "incomes": [{"source": "wage", "monthly_amount": "3800"}]}  # 1,900 元 per head
    timeutil.pin(datetime(2021, 7, 19, 15, 59, tzinfo=timezone.utc))  # the test clock, moved to the boundary
    before = submit(matter_type="traffic_accident", categories=[], household=household)  # 23:59 in Shanghai
    timeutil.pin(datetime(2021, 7, 19, 16, 0, tzinfo=timezone.utc))
    after = submit(matter_type="traffic_accident", categories=[], household=household)  # 00:00 on the 20th
    assert before["application_date"] == "2021-07-19" and after["application_date"] == "2021-07-20"
    assert before["eligibility"]["summary"] == "不符合条件：人均月收入 1,900 元 > 1,790 元（常州市最低生活保障标准的2倍）"
    assert after["eligibility"]["summary"] == "符合条件（经济困难：人均月收入 1,900 元 ≤ 2,020 元（常州市最低工资标准））"


def test_the_stored_item_reads_well_and_holds_no_id_number_in_clear(client, people, submit):
    app = submit()
    item = storage.get(f"legal-aid-application#{app['id']}", "record")
    assert item["entity"] == "legal-aid-application" and item["status"] == "submitted"
    assert id_number() not in json.dumps(item, default=str, ensure_ascii=False)
    assert "13912345678" not in json.dumps(item, default=str)


def test_the_criteria_list_is_public(client):
    vocabulary = body(client.get("/v1/legal-aid/criteria"))
    assert {"code": "means_test", "title": "经济困难审查（家庭人均月收入）"} in vocabulary["criteria"]
    labour = [m for m in vocabulary["matter_types"] if m["code"] == "labour_pay"][0]
    assert labour == {"code": "labour_pay", "label": "请求支付劳动报酬", "in_scope": True, "agricultural": False}


def test_a_body_that_is_not_json_is_refused(client, people, world):
    response = client.post(URL, headers={**JSON, **people["resident"]}, body=b"{oops")
    assert_problem(response, 400, "malformed_json")


def test_grid_is_the_home_of_the_test_applicant():
    assert GRID.startswith("320402")


def test_a_retried_filing_shows_the_filer_the_staff_view_even_after_the_applicant_claimed_it(client, people, submit):
    """CONTRACT "Identity and access": the ID number in full goes only to its owner. A grid worker's retried
    filing (same Idempotency-Key) after the applicant claimed it answers as the filer reads it, masked."""
    declare_real_name("r-1", id_number())
    keyed = {**people["grid_worker"], "Idempotency-Key": "on-behalf-0001"}
    filed = post(client, URL, application(), keyed)
    assert filed.status_code == 201, filed.body
    code = body(filed)["tracking_code"]
    assert post(client, CLAIMS, {"tracking_code": code, "id_number": id_number()}, people["resident"]).status_code == 200
    again = post(client, URL, application(), keyed)
    assert again.status_code == 201, again.body
    seen = body(again)
    assert seen["id"] == body(filed)["id"] and seen["tracking_code"] is None
    assert seen["applicant"]["id_number"] is None and seen["applicant"]["phone"] is None
