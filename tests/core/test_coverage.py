"""C3 grid coverage 全覆盖: roles come from the enabled plugins plus the platform's own (P3 法律明白人);
assignments to a grid or to an area above it; the coverage report per child area and the paginated list
of grids missing each role; fill a gap and see it disappear; duplicates, unknown codes and jurisdiction
refused with problem+json naming the field; the report reads one partition per role, not one item per grid."""
from __future__ import annotations

import pytest
from chalice import Blueprint

from chalicelib.platform import audit, aws
from chalicelib import plugin
from tests.core.test_directory import TIANNING_GRIDS, admin, new_institution, new_person, seed_tree
from tests.helpers import assert_problem, body, patch, post


def service(name: str, title: str, *roles: plugin.CoverageRole) -> plugin.Plugin:
    return plugin.Plugin(name=name, title=title, blueprint=Blueprint(name), core_service=True,
                         coverage_roles=roles)


@pytest.fixture
def services():
    """Two service plugins that declare coverage roles (the real ones are written separately)."""
    before = plugin.enabled()
    plugin.activate([service("mediation", "人民调解", plugin.CoverageRole("mediator", "网格调解员")),
                     service("notary", "公证服务", plugin.CoverageRole("notary_liaison", "公证联络员", 1))])
    yield
    plugin.activate(before)


def assign(client, headers, role: str, area: str, assignee_id: str, kind: str = "person"):
    return post(client, "/v1/assignments", {"role": role, "area": area, "assignee_kind": kind,
                                            "assignee_id": assignee_id}, headers)


def tally(report: dict, role: str) -> tuple[int, int]:
    [row] = [t for t in report["totals"] if t["role"] == role]
    return row["covered"], row["missing"]


def test_the_roles_each_grid_needs_are_the_plugins_roles_plus_the_platform_s(client, services):
    """C3 + CONTRACT plugins: the core lists no service's roles; 法律明白人 (P3) is the platform's."""
    roles = body(client.get("/v1/coverage-roles"))["items"]
    assert [(r["code"], r["source"]) for r in roles] == [
        ("mediator", "mediation"), ("notary_liaison", "notary"), ("legal_advisor", "core"),
        ("legal_literate", "core")]


def test_two_plugins_declaring_the_same_role_is_a_configuration_error(services):
    """C3: a role has one owner; enabling a second is refused when the plugins are activated."""
    from chalicelib.domain.coverage import service as coverage

    before = plugin.enabled()
    with pytest.raises(ValueError, match="coverage role 'mediator' is declared by both mediation and other"):
        plugin.activate([*before, service("other", "其他", plugin.CoverageRole("mediator", "调解员"))])
    assert plugin.enabled() == before and [r.code for r in coverage.roles()].count("mediator") == 1


def test_a_district_report_counts_covered_and_missing_grids_per_town_and_role(client, token, aws_backend, services):
    """C3: per child area, grids covered per role."""
    seed_tree()
    headers = admin(token)
    person = new_person(client, headers)
    assert assign(client, headers, "legal_literate", "320402001001001", person["id"]).status_code == 201
    assert assign(client, headers, "mediator", "320402001", person["id"]).status_code == 201
    report = body(client.get("/v1/areas/320402/coverage", headers=headers))
    assert report["area"]["name"] == "天宁区" and report["grids"] == len(TIANNING_GRIDS) == 5
    rows = {r["name"]: {t["role"]: (t["covered"], t["missing"]) for t in r["roles"]} for r in report["items"]}
    assert rows == {"雕庄街道": {"mediator": (4, 0), "notary_liaison": (0, 4), "legal_advisor": (0, 4),
                             "legal_literate": (1, 3)},
                    "青龙街道": {"mediator": (0, 1), "notary_liaison": (0, 1), "legal_advisor": (0, 1),
                             "legal_literate": (0, 1)}}
    assert tally(report, "mediator") == (4, 1) and tally(report, "legal_literate") == (1, 4)


def test_filling_a_gap_makes_the_grid_disappear_from_the_gaps(client, token, aws_backend, services):
    """C3 done-when: see the gaps of a district, fill one, see it disappear."""
    seed_tree()
    headers = admin(token)
    person = new_person(client, headers, roles=["legal_literate"], duty="法律明白人")
    gaps = body(client.get("/v1/areas/320402/coverage/gaps?role=legal_literate", headers=headers))
    assert [g["code"] for g in gaps["items"]] == TIANNING_GRIDS
    assert gaps["items"][0]["village"]["name"] == "朝阳花园社区居委会" and gaps["items"][0]["missing"] == ["legal_literate"]
    assign(client, headers, "legal_literate", TIANNING_GRIDS[0], person["id"])
    after = body(client.get("/v1/areas/320402/coverage/gaps?role=legal_literate", headers=headers))
    assert [g["code"] for g in after["items"]] == TIANNING_GRIDS[1:]
    assert tally(body(client.get("/v1/areas/320402/coverage?role=legal_literate", headers=headers)),
                 "legal_literate") == (1, 4)


def test_an_assignment_to_a_town_or_district_covers_every_grid_under_it(client, token, aws_backend, services):
    """C3, seed 000: 名优律师 paired to a town; a legal-aid centre (an institution) to its district."""
    seed_tree()
    headers = admin(token)
    centre = new_institution(client, headers, kind="notary_office", name="天宁公证处", home_area="320402")
    assign(client, headers, "notary_liaison", "320402", centre["id"], kind="institution")
    gaps = body(client.get("/v1/areas/320402/coverage/gaps", headers=headers))["items"]
    assert all("notary_liaison" not in g["missing"] for g in gaps) and len(gaps) == 5
    grid = body(client.get(f"/v1/areas/{TIANNING_GRIDS[0]}/coverage", headers=headers))
    assert grid["grids"] == 1 and tally(grid, "notary_liaison") == (1, 0) and grid["items"] == []
    listed = body(client.get(f"/v1/areas/{TIANNING_GRIDS[0]}/assignments", headers=headers))["items"]
    assert [(a["role_title"], a["area"]["name"], a["assignee_name"]) for a in listed] == [
        ("公证联络员", "天宁区", "天宁公证处")]


def test_a_role_needing_two_people_counts_distinct_people_across_levels(client, token, aws_backend):
    """C3: `minimum` of a CoverageRole (M4-like staffing) counts distinct assignees from all levels."""
    before = plugin.enabled()
    plugin.activate([service("mediation", "人民调解", plugin.CoverageRole("mediator", "调解员", 2))])
    try:
        seed_tree()
        headers = admin(token)
        one, two = new_person(client, headers), new_person(client, headers, name="陈立伟", phone="13800001202")
        assign(client, headers, "mediator", "320402001001", one["id"])
        assign(client, headers, "mediator", "320402001001001", one["id"])
        village = body(client.get("/v1/areas/320402001001/coverage?role=mediator", headers=headers))
        assert tally(village, "mediator") == (0, 2)
        assign(client, headers, "mediator", "320402001", two["id"])
        village = body(client.get("/v1/areas/320402001001/coverage?role=mediator", headers=headers))
        assert tally(village, "mediator") == (2, 0) and [r["grids"] for r in village["items"]] == [1, 1]
    finally:
        plugin.activate(before)


def test_bad_assignments_are_clear_4xx_problems_naming_the_field(client, token, aws_backend, services):
    """C3 bad input: unknown role, unknown or too-high area, unknown person, duplicates, jurisdiction."""
    seed_tree()
    headers = admin(token, "320402")
    person = new_person(client, headers)
    cases = [
        ({"role": "wizard", "area": TIANNING_GRIDS[0], "assignee_id": person["id"]}, 422, "unknown_role", "role"),
        ({"role": "mediator", "area": "320402001999001", "assignee_id": person["id"]}, 422, "area_not_found", "area"),
        ({"role": "mediator", "area": "3204", "assignee_id": person["id"]}, 422, "validation_failed", "area"),
        ({"role": "mediator", "area": TIANNING_GRIDS[0], "assignee_id": "nobody"}, 422, "assignee_not_found",
         "assignee_id"),
        ({"role": "mediator", "area": "320404001001001", "assignee_id": person["id"]}, 403, "outside_jurisdiction",
         "area"),
        ({"role": "mediator", "area": TIANNING_GRIDS[0], "assignee_id": person["id"], "extra": 1}, 422,
         "validation_failed", "extra"),
    ]
    for payload, status, code, field in cases:
        problem = assert_problem(post(client, "/v1/assignments", payload, headers), status, code)
        assert problem["errors"][0]["loc"] == ["body", field], (payload, problem)
    assert assign(client, headers, "mediator", TIANNING_GRIDS[0], person["id"]).status_code == 201
    problem = assert_problem(assign(client, headers, "mediator", TIANNING_GRIDS[0], person["id"]), 409,
                             "duplicate_assignment")
    assert problem["errors"][0]["loc"] == ["body", "assignee_id"]


def test_a_person_of_another_district_cannot_be_assigned_by_a_district_admin(client, token, aws_backend, services):
    """C1: the assignee must be inside the caller's jurisdiction too (else it does not exist for them)."""
    seed_tree()
    elsewhere = new_person(client, admin(token), home_area="320404001", phone="13800001301")
    problem = assert_problem(assign(client, admin(token, "320402"), "mediator", TIANNING_GRIDS[0], elsewhere["id"]),
                             422, "assignee_not_found")
    assert problem["errors"][0]["loc"] == ["body", "assignee_id"]


def test_ending_an_assignment_reopens_the_gap_and_it_can_be_made_again(client, token, aws_backend, services):
    """C3: ending needs the current version; the record stays (ended) and reassigning reactivates it."""
    seed_tree()
    headers = admin(token)
    person = new_person(client, headers)
    created = body(assign(client, headers, "mediator", TIANNING_GRIDS[0], person["id"]))
    [entry] = audit.trail("assignment", created["id"]).items
    assert person["id"] in entry["summary"] and person["name"] not in entry["summary"]  # no personal data
    path = f"/v1/assignments/{created['id']}"
    assert_problem(client.delete(path, headers=headers), 400, "version_required")
    ended = body(client.delete(path, headers={**headers, "If-Match": '"1"'}))
    assert ended["status"] == "ended" and ended["version"] == 2
    assert_problem(client.delete(path, headers={**headers, "If-Match": "2"}), 409, "already_ended")
    gaps = body(client.get("/v1/areas/320402001001/coverage/gaps?role=mediator", headers=headers))["items"]
    assert TIANNING_GRIDS[0] in [g["code"] for g in gaps]
    again = body(assign(client, headers, "mediator", TIANNING_GRIDS[0], person["id"]))
    assert again["status"] == "active" and again["version"] == 3


def test_a_retired_person_no_longer_covers_their_grids(client, token, aws_backend, services):
    """C3: coverage counts active people only (no stale counters to forget)."""
    seed_tree()
    headers = admin(token)
    person = new_person(client, headers)
    assign(client, headers, "mediator", "320402001", person["id"])
    assert tally(body(client.get("/v1/areas/320402/coverage", headers=headers)), "mediator") == (4, 1)
    patch(client, f"/v1/people/{person['id']}", {"status": "retired", "version": 1}, headers)
    assert tally(body(client.get("/v1/areas/320402/coverage", headers=headers)), "mediator") == (0, 5)


def test_coverage_is_refused_outside_the_caller_s_area_and_to_residents(client, token, aws_backend, services):
    """C1 jurisdiction: staff of 钟楼 get 403 for 天宁; residents 403; unknown area 404; a province 422."""
    seed_tree()
    assert_problem(client.get("/v1/areas/320402/coverage", headers=token("s1", "mediator", area="320404")), 403,
                   "outside_jurisdiction")
    assert_problem(client.get("/v1/areas/320402/coverage/gaps", headers=token("s1", "admin", area="320402001")), 403)
    assert_problem(client.get("/v1/areas/320402/coverage", headers=token("r1")), 403, "role_not_allowed")
    assert_problem(client.get("/v1/areas/320499/coverage", headers=admin(token)), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/32/coverage", headers=token("p", "admin", area="32")), 422, "area_too_large")
    problem = assert_problem(client.get("/v1/areas/320402/coverage?role=wizard", headers=admin(token)), 422,
                             "unknown_role")
    assert problem["errors"][0]["loc"] == ["query", "role"]


def test_an_unknown_area_is_404_before_any_other_refusal_and_a_grid_s_gaps_name_its_village(client, token, aws_backend,
                                                                                           services):
    """Reliability §3, C3: the area is read with the assignees, after the lists; a request that cannot be
    answered reads it first, so an unknown area is still 404 whoever asks and whatever role is named."""
    from tests.core.test_write_floor import dynamodb_calls

    seed_tree()
    outside = token("s1", "mediator", area="320404")
    assert_problem(client.get("/v1/areas/320402999/coverage", headers=outside), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/320499/coverage?role=wizard", headers=admin(token)), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/33/coverage/gaps", headers=admin(token)), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/abc/coverage", headers=admin(token)), 404, "area_not_found")
    grid = TIANNING_GRIDS[0]
    with dynamodb_calls() as made:
        gaps = body(client.get(f"/v1/areas/{grid}/coverage/gaps?role=legal_literate", headers=admin(token)))
    assert made == ["Query", "BatchGetItem"]  # the role's district partition; the grid and its village
    [row] = gaps["items"]
    assert row["code"] == grid and row["village"]["code"] == grid[:12] and gaps["area"]["code"] == grid
def test_report_rows_and_gaps_are_paginated_with_signed_cursors(client, token, aws_backend, services):
    """CONTRACT lists: limit and cursor; a forged cursor is a 400."""
    seed_tree()
    headers = admin(token)
    first = body(client.get("/v1/areas/3204/coverage?limit=2", headers=headers))
    second = body(client.get(f"/v1/areas/3204/coverage?limit=2&cursor={first['next_cursor']}", headers=headers))
    assert [r["name"] for r in first["items"] + second["items"]] == ["天宁区", "钟楼区", "武进区"]
    assert second["next_cursor"] is None and first["grids"] == 8
    gaps = body(client.get("/v1/areas/3204/coverage/gaps?limit=3", headers=headers))
    assert len(gaps["items"]) == 3 and gaps["next_cursor"]
    assert_problem(client.get("/v1/areas/3204/coverage/gaps?cursor=forged.cursor", headers=headers), 400,
                   "invalid_cursor")


def test_the_report_reads_one_partition_per_role_and_never_scans(client, token, aws_backend, services):
    """C3 + CONTRACT data: Query only; assignments cost one Query per role per district, whatever the
    number of grids; the grids come from the area tree's per-level index (one Query per level below the
    district: towns, villages, grids), whatever the number of villages."""
    seed_tree()
    headers = admin(token)
    person = new_person(client, headers)
    for grid in TIANNING_GRIDS:
        assign(client, headers, "legal_literate", grid, person["id"])
    calls: list[tuple[str, str]] = []

    def count(params, model, **_):  # API-level parameters, once per call
        partition = params.get("ExpressionAttributeValues", {}).get(":p", {}).get("S")
        calls.append((model.name, partition))

    client_ = aws.dynamodb()
    client_.meta.events.register("before-parameter-build.dynamodb", count)
    try:
        report = body(client.get("/v1/areas/320402/coverage", headers=headers))
    finally:
        client_.meta.events.unregister("before-parameter-build.dynamodb", count)
    assert tally(report, "legal_literate") == (5, 0)
    operations = [name for name, _ in calls]
    assert "Scan" not in operations and set(operations) <= {"Query", "BatchGetItem"}
    tree_nodes = 3  # the town, village and grid levels under 天宁区
    role_partitions = [p for _, p in calls if p and p.startswith("assignment@")]
    assert sorted(role_partitions) == ["assignment@legal_advisor@320402", "assignment@legal_literate@320402",
                                       "assignment@mediator@320402",
                                       "assignment@notary_liaison@320402"]
    # one Query per role; + one BatchGetItem of the area itself with the assignees (reliability §3: the
    # area's level is its code's, so its read waits for the lists and rides with the assignees)
    assert len(calls) == tree_nodes + len(role_partitions) + 1


def test_a_per_town_role_is_filled_at_the_town_and_refused_below_it(client, token, aws_backend):
    """C3 with a role a plugin declares per town (a corrections contact for each town, SPEC S5/issue 12):
    an assignment to a grid or a village is refused naming the area; one to the town covers its grids."""
    before = plugin.enabled()
    plugin.activate([service("special-populations", "特殊人群", plugin.CoverageRole("contact", "联络员", level="town"))])
    try:
        seed_tree()
        headers = admin(token)
        person = new_person(client, headers)
        for below in ("320402001001", TIANNING_GRIDS[0]):
            problem = assert_problem(assign(client, headers, "contact", below, person["id"]), 422, "below_role_level")
            assert problem["errors"][0]["loc"] == ["body", "area"] and "镇街" in problem["errors"][0]["msg"]
        assert assign(client, headers, "contact", "320402001", person["id"]).status_code == 201
        report = body(client.get("/v1/areas/320402/coverage?role=contact", headers=headers))
        assert tally(report, "contact") == (4, 1)  # 雕庄街道's four grids; 青龙街道's still lacks one
        [role] = [r for r in body(client.get("/v1/coverage-roles"))["items"] if r["code"] == "contact"]
        assert role["level"] == "town"
    finally:
        plugin.activate(before)


def test_a_role_level_outside_the_area_levels_is_a_configuration_error():
    with pytest.raises(ValueError, match="level must be one of"):
        plugin.CoverageRole("contact", "联络员", level="street")
