"""C1 areas through the API: public tree browsing, breadcrumb in one call, admin create/rename/retire
with idempotency, versions and audit."""
from __future__ import annotations

from chalicelib.platform import audit
from tests.helpers import assert_problem, body, header, patch, post, seed_areas


def test_children_of_a_town_list_its_villages(client, aws_backend):
    seed_areas()
    page = body(client.get("/v1/areas/320402001/children"))
    assert [a["code"] for a in page["items"]] == ["320402001001"] and page["next_cursor"] is None


def test_the_roots_are_the_provinces(client, aws_backend):
    seed_areas()
    assert [a["name"] for a in body(client.get("/v1/areas"))["items"]] == ["江苏省"]


def test_children_are_paginated_with_a_cursor(client, token, aws_backend):
    seed_areas()
    admin = token("a1", "admin", area="320402")
    for n in range(2, 6):
        assert post(client, "/v1/areas", {"code": f"320402001001{n:03d}", "name": f"第{n}网格"}, admin).status_code == 201
    first = body(client.get("/v1/areas/320402001001/children?limit=3"))
    second = body(client.get(f"/v1/areas/320402001001/children?limit=3&cursor={first['next_cursor']}"))
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next_cursor"] is None


def test_the_breadcrumb_runs_from_province_to_the_grid(client, aws_backend):
    seed_areas()
    crumbs = body(client.get("/v1/areas/320402001001001/breadcrumb"))["items"]
    assert [c["name"] for c in crumbs] == ["江苏省", "常州市", "天宁区", "雕庄街道", "演示社区", "第一网格"]


def test_an_unknown_area_is_a_404_problem(client, aws_backend):
    seed_areas()
    assert_problem(client.get("/v1/areas/320499"), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/abc"), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/320499/children"), 404, "area_not_found")


def test_an_admin_creates_a_grid_and_the_change_is_audited(client, token, aws_backend):
    seed_areas()
    response = post(client, "/v1/areas", {"code": "320402001001002", "name": "第二网格"}, token("a1", "admin", area="3204"))
    assert response.status_code == 201 and header(response, "location") == "/v1/areas/320402001001002"
    assert body(response) == {"code": "320402001001002", "name": "第二网格", "level": "grid",
                              "parent": "320402001001", "status": "active", "version": 1}
    [entry] = audit.trail("area", "320402001001002").items
    assert entry["actor"] == "a1" and entry["summary"] == "新建网格「第二网格」"


def test_a_grid_under_a_missing_village_is_refused(client, token, aws_backend):
    seed_areas()
    response = post(client, "/v1/areas", {"code": "320402001999001", "name": "网格"}, token("a1", "admin", area="3204"))
    problem = assert_problem(response, 422, "parent_not_found")
    assert problem["errors"][0]["loc"] == ["body", "code"]


def test_a_duplicate_code_is_a_409(client, token, aws_backend):
    seed_areas()
    response = post(client, "/v1/areas", {"code": "320402001001001", "name": "重复"}, token("a1", "admin", area="3204"))
    assert_problem(response, 409, "area_exists")


def test_renaming_needs_the_current_version_and_a_stale_one_is_409(client, token, aws_backend):
    seed_areas()
    admin = token("a1", "admin", area="3204")
    assert_problem(patch(client, "/v1/areas/320402001001001", {"name": "一网格"}, admin), 400, "version_required")
    renamed = patch(client, "/v1/areas/320402001001001", {"name": "一网格"}, {**admin, "If-Match": '"1"'})
    assert body(renamed)["version"] == 2 and body(renamed)["name"] == "一网格"
    stale = patch(client, "/v1/areas/320402001001001", {"name": "又改", "version": 1}, admin)
    assert_problem(stale, 409, "stale_version")
    [latest, *_] = audit.trail("area", "320402001001001").items
    assert latest["changes"] == {"name": {"from": "第一网格", "to": "一网格"}}


def test_an_area_with_active_children_cannot_be_retired(client, token, aws_backend):
    seed_areas()
    admin = token("a1", "admin", area="3204")
    response = patch(client, "/v1/areas/320402001001", {"status": "retired"}, {**admin, "If-Match": "1"})
    assert_problem(response, 409, "area_has_children")
    grid = patch(client, "/v1/areas/320402001001001", {"status": "retired"}, {**admin, "If-Match": "1"})
    assert body(grid)["status"] == "retired"
