"""C2 institutions and people through the API: mapping institutions to the areas they serve (Changzhou's
notary and legal-aid mapping, seed 000), the public "who serves this area" list resolved through the
area's ancestors, people with roles and contact cards, phones validated and masked, jurisdiction."""
from __future__ import annotations

import json

from chalicelib.platform import audit, storage
from chalicelib.platform.storage import keys
from chalicelib.domain.areas.models import Area
from tests.helpers import assert_problem, body, header, patch, post

# A slice of the real Changzhou tree (codes and names from chalicelib/demo/data/areas_demo.json), with grids.
TREE = [
    ("32", "江苏省", None), ("3204", "常州市", "32"),
    ("320402", "天宁区", "3204"),
    ("320402001", "雕庄街道", "320402"),
    ("320402001001", "朝阳花园社区居委会", "320402001"),
    ("320402001001001", "第一网格", "320402001001"), ("320402001001002", "第二网格", "320402001001"),
    ("320402001002", "水岸社区居委会", "320402001"),
    ("320402001002001", "第一网格", "320402001002"), ("320402001002002", "第二网格", "320402001002"),
    ("320402002", "青龙街道", "320402"),
    ("320402002002", "青竹苑社区居委会", "320402002"),
    ("320402002002001", "第一网格", "320402002002"),
    ("320404", "钟楼区", "3204"), ("320404001", "五星街道", "320404"),
    ("320404001001", "五星社区居委会", "320404001"), ("320404001001001", "第一网格", "320404001001"),
    ("320412", "武进区", "3204"),
    ("320412001", "戚墅堰街道", "320412"), ("320412001001", "东街社区居委会", "320412001"),
    ("320412001001001", "第一网格", "320412001001"),
    ("320412100", "湖塘镇", "320412"), ("320412100001", "湖塘社区居委会", "320412100"),
    ("320412100001001", "第一网格", "320412100001"),
]
LEVELS = {2: "province", 4: "city", 6: "district", 9: "town", 12: "village", 15: "grid"}
TIANNING_GRIDS = [c for c, _, _ in TREE if len(c) == 15 and c.startswith("320402")]


def seed_tree() -> None:
    storage.batch_write([Area(code=c, name=n, level=LEVELS[len(c)], parent=p).to_item() for c, n, p in TREE])


def admin(token, area: str = "3204", sub: str = "admin-1") -> dict[str, str]:
    return token(sub, "admin", area=area)


def new_institution(client, headers, **fields) -> dict:
    payload = {"kind": "notary_office", "name": "天宁公证处", "home_area": "320402", **fields}
    response = post(client, "/v1/institutions", payload, headers)
    assert response.status_code == 201, response.body
    return body(response)


def new_person(client, headers, **fields) -> dict:
    payload = {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402001", "duty": "网格调解员",
               "phone": "138 0000 1201", "hours": "每周二 9:00–11:30", **fields}
    response = post(client, "/v1/people", payload, headers)
    assert response.status_code == 201, response.body
    return body(response)


def test_an_admin_maps_a_notary_office_to_its_district_and_the_change_is_audited(client, token, aws_backend):
    """C2, N2: 天宁公证处 → 天宁区, recorded with who did it."""
    seed_tree()
    response = post(client, "/v1/institutions", {"kind": "notary_office", "name": "天宁公证处",
                                                 "home_area": "320402", "phone": "0519-88001234"}, admin(token))
    created = body(response)
    assert response.status_code == 201 and header(response, "location") == f"/v1/institutions/{created['id']}"
    assert created["serves"] == ["320402"] and created["kind_title"] == "公证机构"
    assert created["phone"] == "0519-8800-****"
    [entry] = audit.trail("institution", created["id"]).items
    assert entry["actor"] == "admin-1" and "天宁公证处" in entry["summary"]


def test_institution_input_errors_are_422_naming_each_field(client, token, aws_backend):
    """C2 bad input: unknown area codes, bad phones, missing or misplaced levels."""
    seed_tree()
    headers = admin(token)
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "notary_office", "name": "某公证处",
                                                               "home_area": "320499"}, headers), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "home_area"]
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "law_firm", "name": "某律所", "home_area": "320402",
                                                               "serves": ["320402", "320402999"]}, headers), 422)
    assert problem["errors"][0]["loc"] == ["body", "serves", "1"]
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "law_firm", "name": "某律所", "home_area": "3204x",
                                                               "phone": "12345"}, headers), 422, "validation_failed")
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "home_area"), ("body", "phone")}
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "service_platform", "name": "某工作站",
                                                               "home_area": "320402001"}, headers), 422, "level_required")
    assert problem["errors"][0]["loc"] == ["body", "level"]
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "service_platform", "level": "studio",
                                                               "name": "某工作室", "home_area": "320402001"}, headers),
                             422, "level_area_mismatch")
    assert problem["errors"][0]["loc"] == ["body", "home_area"]
    assert_problem(post(client, "/v1/institutions", {"kind": "law_firm", "level": "town", "name": "某律所",
                                                     "home_area": "320402"}, headers), 422, "level_not_applicable")


def test_a_district_admin_cannot_register_or_map_outside_their_district(client, token, aws_backend):
    """C1/C2 jurisdiction: 403 naming the field."""
    seed_tree()
    tianning = admin(token, "320402")
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "notary_office", "name": "钟楼某处",
                                                               "home_area": "320404"}, tianning), 403, "outside_jurisdiction")
    assert problem["errors"][0]["loc"] == ["body", "home_area"]
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "notary_office", "name": "天宁某处",
                                                               "home_area": "320402", "serves": ["320404"]}, tianning), 403)
    assert problem["errors"][0]["loc"] == ["body", "serves", "0"]
    assert_problem(post(client, "/v1/institutions", {"kind": "notary_office", "name": "x处", "home_area": "320402"},
                        token("m1", "mediator", area="320402")), 403, "role_not_allowed")


def test_a_grid_is_served_by_the_institutions_mapped_to_its_ancestors_nearest_first(client, token, aws_backend):
    """C2 + C4: the notary office mapped to 天宁区 serves every grid under it; 钟楼's does not."""
    seed_tree()
    headers = admin(token)
    new_institution(client, headers, name="天宁公证处", home_area="320402", phone="0519-88001234")
    new_institution(client, headers, name="常州公证处", home_area="3204", serves=["320404"])
    new_institution(client, headers, kind="service_platform", level="station", name="雕庄街道公共法律服务工作站",
                    home_area="320402001")
    items = body(client.get("/v1/areas/320402001001002/institutions"))["items"]
    assert [(i["name"], i["serves_area"]["name"]) for i in items] == [
        ("雕庄街道公共法律服务工作站", "雕庄街道"), ("天宁公证处", "天宁区")]
    assert items[0]["kind_title"] == "公共法律服务工作站" and items[1]["phone"] == "0519-8800-****"
    zhonglou = body(client.get("/v1/areas/320404001001001/institutions"))["items"]
    assert [i["name"] for i in zhonglou] == ["常州公证处"]
    assert_problem(client.get("/v1/areas/320402001999001/institutions"), 404, "area_not_found")


def test_the_jingkai_legal_aid_centre_serves_its_towns_and_wujin_the_others(client, token, aws_backend):
    """C2, seed 000: seven legal-aid centres; 经开区 has no code, its towns sit under 武进区 320412."""
    seed_tree()
    headers = admin(token)
    new_institution(client, headers, kind="legal_aid_centre", name="常州市武进区法律援助中心", home_area="320412",
                    serves=["320412100"])
    new_institution(client, headers, kind="legal_aid_centre", name="常州经济开发区法律援助中心", home_area="3204",
                    serves=["320412001"])
    assert [i["name"] for i in body(client.get("/v1/areas/320412001001001/institutions"))["items"]] == [
        "常州经济开发区法律援助中心"]
    assert [i["name"] for i in body(client.get("/v1/areas/320412100001001/institutions"))["items"]] == [
        "常州市武进区法律援助中心"]


def test_remapping_and_retiring_an_institution_move_it_in_the_public_lists(client, token, aws_backend):
    """C2: mapping changes take the current version (If-Match) and are audited; retired ones vanish."""
    seed_tree()
    headers = admin(token)
    inst = new_institution(client, headers, kind="law_firm", name="江苏某某律师事务所", home_area="3204",
                           serves=["320402001"])
    assert_problem(patch(client, f"/v1/institutions/{inst['id']}", {"serves": ["320402002"]}, headers), 400,
                   "version_required")
    assert_problem(patch(client, f"/v1/institutions/{inst['id']}", {"name": None, "version": 1}, headers), 422)
    moved = body(patch(client, f"/v1/institutions/{inst['id']}", {"serves": ["320402002"]}, {**headers, "If-Match": "1"}))
    assert moved["serves"] == ["320402002"] and moved["version"] == 2
    assert body(client.get("/v1/areas/320402001001001/institutions"))["items"] == []
    assert [i["name"] for i in body(client.get("/v1/areas/320402002002001/institutions"))["items"]] == ["江苏某某律师事务所"]
    assert_problem(patch(client, f"/v1/institutions/{inst['id']}", {"status": "retired", "version": 1}, headers),
                   409, "stale_version")
    patch(client, f"/v1/institutions/{inst['id']}", {"status": "retired", "version": 2}, headers)
    assert body(client.get("/v1/areas/320402002002001/institutions"))["items"] == []
    latest = audit.trail("institution", inst["id"]).items[0]
    assert latest["changes"]["status"] == {"from": "active", "to": "retired"}


def test_staff_list_institutions_of_their_area_and_by_kind(client, token, aws_backend):
    """C2 lists: a Query per city partition, begins_with the caller's area; kind through gsi2."""
    seed_tree()
    headers = admin(token)
    new_institution(client, headers, name="天宁公证处", home_area="320402")
    new_institution(client, headers, kind="legal_aid_centre", name="常州市天宁区法律援助中心", home_area="320402")
    new_institution(client, headers, kind="legal_aid_centre", name="常州市钟楼区法律援助中心", home_area="320404")
    mine = body(client.get("/v1/institutions", headers=token("m1", "mediator", area="320402")))["items"]
    assert sorted(i["name"] for i in mine) == ["天宁公证处", "常州市天宁区法律援助中心"]
    aid = body(client.get("/v1/institutions?kind=legal_aid_centre", headers=headers))["items"]
    assert sorted(i["name"] for i in aid) == ["常州市天宁区法律援助中心", "常州市钟楼区法律援助中心"]
    assert_problem(client.get("/v1/institutions?area=320404", headers=token("m1", "mediator", area="320402")),
                   403, "outside_jurisdiction")
    assert_problem(client.get("/v1/institutions?area=32", headers=token("p1", "admin", area="32")), 422, "area_too_large")


def test_a_person_s_phone_is_validated_encrypted_and_only_ever_shown_masked(client, token, aws_backend):
    """C2 + CONTRACT: phones validated, stored encrypted with a lookup hash, masked in every view."""
    seed_tree()
    headers = admin(token)
    person = new_person(client, headers, phone="+86 138 0000 1201")
    assert person["phone"] == "138****1201" and person["role_titles"] == ["人民调解员"]
    stored = storage.get(**keys.record("person", person["id"]))
    assert "13800001201" not in json.dumps(stored, default=str)
    assert stored["phone_cipher"].startswith("v1:") and len(stored["phone_hash"]) == 64
    staff_view = client.get(f"/v1/people/{person['id']}", headers=token("g1", "grid_worker", area="320402001"))
    assert body(staff_view)["phone"] == "138****1201" and "13800001201" not in staff_view.body.decode()
    [entry] = audit.trail("person", person["id"]).items
    assert "13800001201" not in json.dumps(entry, default=str) and "周雅琴" not in entry["summary"]


def test_person_input_errors_are_4xx_naming_each_field(client, token, aws_backend):
    """C2 bad input: phone, role, unknown institution, area outside jurisdiction."""
    seed_tree()
    headers = admin(token, "320402")
    problem = assert_problem(post(client, "/v1/people", {"name": "周雅琴", "roles": ["wizard"], "home_area": "320402",
                                                         "duty": "调解员", "phone": "1380000"}, headers), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "roles", "0"), ("body", "phone")}
    problem = assert_problem(post(client, "/v1/people", {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402",
                                                         "duty": "调解员", "phone": "13800001201",
                                                         "institution_id": "nope"}, headers), 422, "institution_not_found")
    assert problem["errors"][0]["loc"] == ["body", "institution_id"]
    problem = assert_problem(post(client, "/v1/people", {"name": "周雅琴", "roles": ["mediator"], "home_area": "320404",
                                                         "duty": "调解员", "phone": "13800001201"}, headers), 403)
    assert problem["errors"][0]["loc"] == ["body", "home_area"]


def test_people_outside_a_staff_member_s_area_do_not_exist_for_them(client, token, aws_backend):
    """C1: staff see their area and below; a person elsewhere is a 404 (existence is private)."""
    seed_tree()
    person = new_person(client, admin(token), home_area="320404001")
    assert_problem(client.get(f"/v1/people/{person['id']}", headers=token("g1", "grid_worker", area="320402")), 404,
                   "person_not_found")
    assert_problem(patch(client, f"/v1/people/{person['id']}", {"duty": "调解员", "version": 1}, admin(token, "320402")),
                   404, "person_not_found")
    problem = assert_problem(patch(client, f"/v1/people/{person['id']}", {"name": None, "duty": None, "version": 1},
                                   admin(token)), 422, "validation_failed")
    assert [e["loc"] for e in problem["errors"]] == [["body", "name"], ["body", "duty"]]
    assert body(client.get("/v1/people", headers=token("g1", "grid_worker", area="320402")))["items"] == []


def test_people_are_listed_by_area_page_by_page_and_by_institution(client, token, aws_backend):
    """C2 lists paginated with cursors; an institution's roster (M4)."""
    seed_tree()
    headers = admin(token)
    station = new_institution(client, headers, kind="mediation_committee", level="town", name="雕庄街道人民调解委员会",
                              home_area="320402001")
    for n in range(3):
        new_person(client, headers, name=f"陈立{'伟强军'[n]}", phone=f"1380000120{n}", institution_id=station["id"])
    new_person(client, headers, name="王建国", home_area="320402002", phone="13800001299")
    first = body(client.get("/v1/people?area=320402001&limit=2", headers=headers))
    second = body(client.get(f"/v1/people?area=320402001&limit=2&cursor={first['next_cursor']}", headers=headers))
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert first["items"][0]["institution_name"] == "雕庄街道人民调解委员会"
    roster = body(client.get(f"/v1/institutions/{station['id']}/people", headers=headers))["items"]
    assert sorted(p["name"] for p in roster) == ["陈立伟", "陈立军", "陈立强"]


def test_creating_a_person_twice_with_one_idempotency_key_creates_one(client, token, aws_backend):
    """CONTRACT: creating POSTs are idempotent under Idempotency-Key."""
    seed_tree()
    headers = {**admin(token), "Idempotency-Key": "person-0001"}
    payload = {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402001", "duty": "网格调解员",
               "phone": "13800001201"}
    first, again = post(client, "/v1/people", payload, headers), post(client, "/v1/people", payload, headers)
    assert body(first)["id"] == body(again)["id"] and header(again, "idempotent-replayed") == "true"
    assert len(body(client.get("/v1/people", headers=admin(token)))["items"]) == 1


def test_an_institution_is_created_in_one_call_its_areas_checked_inside_the_transaction(client, token, aws_backend):
    """Reliability §3, C2: one TransactWriteItems, keyed or not; an unknown or retired area of `serves` is
    still the 422 naming its place, and an unknown home area outside the caller's district still a 422."""
    from tests.core.test_write_floor import dynamodb_calls

    seed_tree()
    headers = admin(token)
    new_institution(client, headers, name="热身公证处")  # the first request of a process reads the signing keys
    with dynamodb_calls() as made:
        new_institution(client, headers, serves=["320402", "320404"])
    with dynamodb_calls() as keyed:
        new_institution(client, {**headers, "Idempotency-Key": "inst-floor"}, name="钟楼公证处", home_area="320404")
    assert made == keyed == ["TransactWriteItems"]
    storage.update(storage.read(Area, "320412"), {"status": "retired"}, expected_version=1)
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "law_firm", "name": "某律所", "home_area": "320402",
                                                               "serves": ["320402", "320412"]}, headers), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "serves", "1"]
    problem = assert_problem(post(client, "/v1/institutions", {"kind": "notary_office", "name": "某处", "home_area": "320499"},
                                  admin(token, "320402")), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "home_area"]


def test_a_person_is_created_in_one_call_and_with_an_institution_in_two(client, token, aws_backend):
    """Reliability §3, C2: the home area is a condition of the person's transaction; an institution is read
    with it (whether the caller may name it depends on the areas it serves) and shown from that read."""
    from tests.core.test_write_floor import dynamodb_calls

    seed_tree()
    headers = admin(token)
    station = new_institution(client, headers, kind="mediation_committee", level="town", name="雕庄街道人民调解委员会",
                              home_area="320402001")
    with dynamodb_calls() as plain:
        new_person(client, headers)
    with dynamodb_calls() as keyed:
        new_person(client, {**headers, "Idempotency-Key": "person-floor"}, phone="13800001202")
    with dynamodb_calls() as placed:
        person = new_person(client, headers, phone="13800001203", institution_id=station["id"])
    assert plain == keyed == ["TransactWriteItems"]
    assert placed == ["BatchGetItem", "TransactWriteItems"]
    assert person["institution_name"] == "雕庄街道人民调解委员会"
    problem = assert_problem(post(client, "/v1/people", {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402999",
                                                         "duty": "调解员", "phone": "13800001204"}, headers), 422,
                             "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "home_area"]
    problem = assert_problem(post(client, "/v1/people", {"name": "周雅琴", "roles": ["mediator"], "home_area": "320404999",
                                                         "duty": "调解员", "phone": "13800001204"}, admin(token, "320402")),
                             422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "home_area"]


def test_an_institution_s_roster_is_two_calls_its_people_shown_with_the_institution_read_first(client, token, aws_backend):
    """Reliability §3, M4: the institution (for the caller's access) and its roster; no third read of the
    institution's name."""
    from tests.core.test_write_floor import dynamodb_calls

    seed_tree()
    headers = admin(token)
    station = new_institution(client, headers, kind="mediation_committee", level="town", name="雕庄街道人民调解委员会",
                              home_area="320402001")
    new_person(client, headers, institution_id=station["id"])
    with dynamodb_calls() as made:
        [person] = body(client.get(f"/v1/institutions/{station['id']}/people", headers=headers))["items"]
    assert made == ["GetItem", "Query"] and person["institution_name"] == "雕庄街道人民调解委员会"
