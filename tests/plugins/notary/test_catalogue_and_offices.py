"""SPEC N1 (the catalogue, public and searchable, with the certificate time a policy parameter) and N2 (the
office serving a grid from the directory's district mapping, and the grid's notary liaison)."""
from __future__ import annotations

from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.coverage.models import AssignmentIn
from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import InstitutionIn, PersonIn
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from chalicelib.platform.auth import Caller
from plugins.notary.catalogue import MATTERS
from tests.helpers import assert_problem, body
from tests.plugins.notary.conftest import GRID, OFFICE

ADMIN = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")


def test_the_catalogue_is_public_in_chinese_and_names_the_materials_fee_basis_and_usual_time(client, aws_backend):
    page = body(client.get("/v1/notary/matters?limit=100"))
    assert len(page["items"]) == len(MATTERS) >= 10 and page["next_cursor"] is None
    will = next(m for m in page["items"] if m["code"] == "will")
    assert will["name"] == "遗嘱公证" and will["remote_video"] is False and will["home_visit"] is True
    assert will["usual_working_days"] == 15 and "江苏省公证服务收费标准" in will["fee_basis"]
    assert any("身份证" in m for m in will["materials"])
    assert {m["code"] for m in page["items"]} >= {"kinship", "birth", "marital_status", "will", "inheritance",
                                                  "power_of_attorney", "declaration", "no_criminal_record",
                                                  "marital_property_agreement", "evidence_preservation"}


def test_searching_by_name_finds_the_matters_and_pages_them(client, aws_backend):
    found = body(client.get("/v1/notary/matters?q=继承"))["items"]
    assert [m["name"] for m in found] == ["遗嘱公证", "继承公证"]
    first = body(client.get("/v1/notary/matters?limit=3"))
    rest = body(client.get(f"/v1/notary/matters?limit=3&cursor={first['next_cursor']}"))
    assert len(first["items"]) == 3 and rest["items"][0]["code"] == MATTERS[3].code
    assert body(client.get("/v1/notary/matters?q=不存在的事项"))["items"] == []
    assert_problem(client.get("/v1/notary/matters?colour=red"), 422)
    assert_problem(client.get("/v1/notary/matters/no_such"), 404, "matter_not_found")


def test_the_usual_time_follows_the_policy_in_force_for_the_area(client, clock, aws_backend):
    from tests.helpers import seed_areas

    seed_areas()
    policy.set_version(audit.SYSTEM, None, "notary.certificate_days", area_code="320402", value=10,
                       effective_from=clock.today, label="天宁区承诺时限")
    assert body(client.get("/v1/notary/matters?q=出生&area=320402001001001"))["items"][0]["usual_working_days"] == 10
    assert body(client.get("/v1/notary/matters?q=出生&area=320404"))["items"][0]["usual_working_days"] == 15
    assert body(client.get("/v1/notary/matters/birth"))["usual_working_days"] == 15


def test_a_grid_is_served_by_the_office_mapped_to_its_district_and_shows_its_liaison(client, world):
    directory.create_institution(ADMIN, InstitutionIn(
        kind="notary_office", name="常州公证处", home_area="320404", serves=["320404"]), institution_id="office-cz")
    directory.create_institution(ADMIN, InstitutionIn(
        kind="legal_aid_centre", name="天宁区法律援助中心", home_area="320402"), institution_id="aid-tn")
    person = directory.create_person(ADMIN, PersonIn(
        name="王建国", roles=["notary"], home_area="320402", institution_id=OFFICE, duty="公证员，雕庄街道网格公证联络",
        phone="13800001203", hours="每周四 9:00–11:30"), person_id="p-wang")
    coverage.assign(ADMIN, AssignmentIn(role="notary_liaison", area="320402001",
                                                     assignee_kind="person", assignee_id=person.id))
    found = body(client.get(f"/v1/notary/offices?grid={GRID}"))
    assert [(o["name"], o["serves_area_name"], o["phone"]) for o in found["offices"]] == [
        ("天宁公证处", "天宁区", "0519-8800-****")]
    assert [(x["name"], x["institution"], x["assigned_to"], x["phone"]) for x in found["liaisons"]] == [
        ("王建国", "天宁公证处", "雕庄街道", "138****1203")]
    assert "13800001203" not in str(found) and "p-wang" not in str(found)


def test_an_unknown_grid_is_404_and_a_malformed_one_422(client, world):
    assert_problem(client.get("/v1/notary/offices?grid=320402001001999"), 404, "area_not_found")
    assert_problem(client.get("/v1/notary/offices?grid=3204"), 422)


def test_the_slots_of_an_unknown_office_are_404_not_an_empty_list(client, world):
    """CONTRACT "HTTP" (unknown id 404), issue "reliability" defect 8: an office nobody has, or an institution
    that is no notary office, is 404 problem+json; an office without slots yet is an empty list."""
    assert_problem(client.get("/v1/notary/offices/no-such-office/slots"), 404, "office_not_found")
    centre = directory.create_institution(ADMIN, InstitutionIn(kind="legal_aid_centre", name="天宁区法律援助中心",
                                                               home_area="320402"))
    assert_problem(client.get(f"/v1/notary/offices/{centre.id}/slots"), 404, "office_not_found")
    assert body(client.get(f"/v1/notary/offices/{OFFICE}/slots")) == {"items": [], "next_cursor": None}


def test_an_office_s_slots_are_one_query_and_only_an_empty_first_page_reads_the_office(client, world, notary):
    """Issue "reliability" defect 8: the existence check costs nothing when slots are found (a slot is only
    published at a notary office); an empty first page adds one GetItem of the office."""
    from chalicelib.platform import aws
    from tests.helpers import calls_during
    from tests.plugins.notary.conftest import publish

    path = f"/v1/notary/offices/{OFFICE}/slots"
    aws.dynamodb()  # the client the hook watches
    assert calls_during(lambda: client.get(path)) == ["Query", "GetItem"]
    publish(client, world, notary)
    assert calls_during(lambda: client.get(path)) == ["Query"]
