"""Publicity activities (SPEC P1): staff of the area record and announce them, residents find what is
coming in their grid and the areas above it, every change is versioned and audited (CONTRACT "HTTP",
"Identity and access")."""
from __future__ import annotations

from chalicelib.platform import audit
from tests.helpers import assert_problem, body, ok, patch, post
from tests.plugins.publicity.conftest import DISTRICT, GRID, TOWN, VILLAGE

EVENTS = "/v1/publicity/events"


def upcoming(client, area=GRID, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return ok(client.get(f"/v1/publicity/areas/{area}/upcoming" + (f"?{params}" if params else "")))


# --- recording ----------------------------------------------------------------------------------------

def test_a_publicist_announces_a_lecture_and_a_resident_of_the_grid_finds_it(client, staff, event_body):
    """P1: published in advance, found by the resident's grid without signing in."""
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    assert created["status"] == "published" and created["version"] == 1 and created["kind_title"] == "法治讲座"
    [found] = upcoming(client)["items"]
    assert found["id"] == created["id"] and found["venue"] == "演示社区新时代文明实践站"
    assert "attendance" not in found and "recorded_by" not in found


def test_a_grid_worker_and_an_administrator_record_activities_of_their_jurisdiction(client, staff, event_body):
    ok(post(client, EVENTS, event_body(), staff["grid_worker"]), 201)
    ok(post(client, EVENTS, event_body(area=DISTRICT, kind="festival_tour"), staff["admin"]), 201)


def test_staff_outside_the_area_are_refused_naming_the_area(client, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(area=VILLAGE), staff["grid_worker"]), 403,
                             "outside_jurisdiction")
    assert problem["errors"][0]["loc"] == ["body", "area"]
    assert_problem(post(client, EVENTS, event_body(), staff["other_admin"]), 403, "outside_jurisdiction")


def test_other_roles_and_residents_do_not_record_activities(client, staff, event_body):
    assert_problem(post(client, EVENTS, event_body(), staff["mediator"]), 403)
    assert_problem(post(client, EVENTS, event_body(), staff["resident"]), 403)


def test_an_organiser_missing_from_the_directory_is_refused_and_nothing_is_stored(client, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(organiser={"kind": "institution", "id": "nope-1"}),
                                  staff["publicist"]), 422, "organiser_not_found")
    assert problem["errors"][0]["loc"] == ["body", "organiser", "id"]
    assert ok(client.get(EVENTS, headers=staff["publicist"]))["items"] == []


def test_an_institution_of_the_directory_organises_an_activity(client, staff, event_body):
    office = ok(post(client, "/v1/institutions", {"kind": "legal_aid_centre", "name": "常州市天宁区法律援助中心",
                                                   "home_area": DISTRICT}, staff["admin"]), 201)
    created = ok(post(client, EVENTS, event_body(organiser={"kind": "institution", "id": office["id"]}),
                      staff["publicist"]), 201)
    assert created["organiser"] == {"kind": "institution", "id": office["id"]}


def test_an_unknown_area_is_refused_naming_the_field(client, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(area="320402001002"), staff["publicist"]), 422,
                             "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "area"]


def test_an_activity_ending_before_it_starts_is_refused_naming_the_end(client, clock, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(ends_at=clock.at(7, "08:00")), staff["publicist"]),
                             422, "event_ends_before_start")
    assert problem["errors"][0]["loc"] == ["body", "ends_at"]


def test_an_activity_beyond_a_year_ahead_or_before_1900_is_refused(client, clock, staff, event_body):
    for days in (367, -(clock.today.year - 1899) * 366):
        problem = assert_problem(post(client, EVENTS, event_body(days=days), staff["publicist"]), 422)
        assert {tuple(e["loc"]) for e in problem["errors"]} >= {("body", "starts_at")}


def test_a_moment_without_an_offset_is_refused(client, clock, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(starts_at=f"{clock.day(7)}T09:00:00"),
                                  staff["publicist"]), 422)
    assert problem["errors"][0]["loc"] == ["body", "starts_at"]


def test_an_unknown_kind_or_field_is_refused(client, staff, event_body):
    assert_problem(post(client, EVENTS, event_body(kind="concert"), staff["publicist"]), 422)
    problem = assert_problem(post(client, EVENTS, event_body(secret="x"), staff["publicist"]), 422)
    assert problem["errors"][0]["loc"] == ["body", "secret"]


def test_attendance_is_recorded_only_once_the_activity_has_begun(client, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(attendance=30), staff["publicist"]), 422,
                             "attendance_before_event")
    assert problem["errors"][0]["loc"] == ["body", "attendance"]
    held = ok(post(client, EVENTS, event_body(days=-3, attendance=45), staff["publicist"]), 201)
    assert held["attendance"] == 45


def test_attendance_above_the_venue_capacity_or_below_zero_is_refused(client, staff, event_body):
    problem = assert_problem(post(client, EVENTS, event_body(days=-1, attendance=81), staff["publicist"]), 422,
                             "attendance_above_capacity")
    assert problem["errors"][0]["loc"] == ["body", "attendance"]
    assert_problem(post(client, EVENTS, event_body(days=-1, attendance=-1), staff["publicist"]), 422)


def test_the_kinds_are_listed_in_chinese_for_anybody(client):
    kinds = {k["code"]: k["title"] for k in ok(client.get("/v1/publicity/kinds"))["items"]}
    assert kinds["festival_tour"] == "三节四时普法行" and kinds["public_service"] == "普法惠民服务"


# --- reading and the public list ----------------------------------------------------------------------

def test_a_resident_finds_the_activities_of_the_grid_and_every_area_above_it_soonest_first(
        client, staff, event_body):
    """P1: what is coming in my grid, my village, my town, my district and my city; not a neighbour's."""
    city = ok(post(client, "/v1/people", {"name": "李明", "roles": ["publicist"], "home_area": "3204",
                                          "duty": "普法宣传员", "phone": "13800001305"}, staff["admin"]), 201)
    for days, area in ((5, GRID), (3, VILLAGE), (4, TOWN), (1, DISTRICT), (2, "3204"), (2, "320404")):
        ok(post(client, EVENTS, event_body(days=days, area=area, theme=f"主题{area}",
                                           organiser={"kind": "person", "id": city["id"]}), staff["admin"]), 201)
    found = upcoming(client)["items"]
    assert [e["area"] for e in found] == [DISTRICT, "3204", VILLAGE, TOWN, GRID]
    assert [e["area"] for e in upcoming(client, area=VILLAGE)["items"]] == [DISTRICT, "3204", VILLAGE, TOWN]


def test_the_public_list_pages_through_every_level_without_repeating_or_skipping(client, staff, event_body):
    made = []
    for n in range(7):
        area = (GRID, VILLAGE, DISTRICT)[n % 3]
        made.append(ok(post(client, EVENTS, event_body(days=1 + n // 2, area=area, theme=f"第{n}场"),
                            staff["admin"]), 201)["id"])
    seen, cursor = [], None
    while True:
        page = upcoming(client, limit=2, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= 2
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_a_cursor_of_another_area_is_refused(client, staff, event_body):
    for n in range(3):
        ok(post(client, EVENTS, event_body(days=n + 1), staff["publicist"]), 201)
    cursor = upcoming(client, limit=1)["next_cursor"]
    assert_problem(client.get(f"/v1/publicity/areas/{VILLAGE}/upcoming?cursor={cursor}"), 400, "invalid_cursor")


def test_past_and_cancelled_activities_are_not_announced(client, clock, staff, event_body):
    ok(post(client, EVENTS, event_body(days=-2), staff["publicist"]), 201)
    gone = ok(post(client, EVENTS, event_body(days=2), staff["publicist"]), 201)
    ok(post(client, f"{EVENTS}/{gone['id']}/cancellation", {"reason": "台风预警", "version": 1}, staff["publicist"]))
    today = ok(post(client, EVENTS, event_body(days=0), staff["publicist"]), 201)
    assert [e["id"] for e in upcoming(client)["items"]] == [today["id"]]


def test_an_unknown_area_code_has_no_list(client, areas):
    assert_problem(client.get("/v1/publicity/areas/12345/upcoming"), 404, "area_not_found")


def test_staff_list_the_activities_of_their_area_and_below_only(client, staff, event_body):
    ok(post(client, EVENTS, event_body(area=GRID), staff["publicist"]), 201)
    ok(post(client, EVENTS, event_body(area=DISTRICT), staff["publicist"]), 201)
    assert len(ok(client.get(EVENTS, headers=staff["publicist"]))["items"]) == 2
    assert [e["area"] for e in ok(client.get(EVENTS, headers=staff["grid_worker"]))["items"]] == [GRID]
    assert_problem(client.get(f"{EVENTS}?area={DISTRICT}", headers=staff["grid_worker"]), 403,
                   "outside_jurisdiction")


def test_an_activity_is_unknown_to_staff_outside_its_area(client, staff, event_body):
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    assert ok(client.get(f"{EVENTS}/{created['id']}", headers=staff["grid_worker"]))["id"] == created["id"]
    for who in ("other_admin", "other_grid"):
        assert_problem(client.get(f"{EVENTS}/{created['id']}", headers=staff[who]), 404,
                       "publicity_event_not_found")


# --- editing and cancelling -------------------------------------------------------------------------

def test_an_edit_at_the_version_seen_changes_the_activity_and_moves_it_in_the_public_list(
        client, clock, staff, event_body):
    first = ok(post(client, EVENTS, event_body(days=3), staff["publicist"]), 201)
    second = ok(post(client, EVENTS, event_body(days=5), staff["publicist"]), 201)
    moved = ok(patch(client, f"{EVENTS}/{first['id']}",
                     {"starts_at": clock.at(6, "09:00"), "ends_at": clock.at(6, "11:00"), "theme": "宪法进万家"},
                     {**staff["publicist"], "If-Match": '"1"'}))
    assert moved["version"] == 2 and moved["theme"] == "宪法进万家"
    assert [e["id"] for e in upcoming(client)["items"]] == [second["id"], first["id"]]


def test_a_stale_or_weak_version_is_409_and_changes_nothing(client, staff, event_body):
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    path = f"{EVENTS}/{created['id']}"
    assert_problem(patch(client, path, {"theme": "新主题"}, {**staff["publicist"], "If-Match": '"7"'}), 409,
                   "stale_version")
    assert_problem(patch(client, path, {"theme": "新主题"}, {**staff["publicist"], "If-Match": 'W/"1"'}), 409)
    assert ok(client.get(path, headers=staff["publicist"]))["theme"] == "民法典进社区"


def test_the_attendance_is_recorded_after_the_activity_and_kept_within_capacity(client, clock, staff, event_body):
    created = ok(post(client, EVENTS, event_body(days=1), staff["grid_worker"]), 201)
    path, headers = f"{EVENTS}/{created['id']}", staff["grid_worker"]
    assert_problem(patch(client, path, {"attendance": 40, "version": 1}, headers), 422, "attendance_before_event")
    with clock.travel(days=2):
        assert_problem(patch(client, path, {"attendance": 81, "version": 1}, headers), 422,
                       "attendance_above_capacity")
        assert ok(patch(client, path, {"attendance": 64, "version": 1}, headers))["attendance"] == 64


def test_an_edit_naming_an_organiser_outside_the_directory_is_refused(client, staff, event_body):
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    problem = assert_problem(patch(client, f"{EVENTS}/{created['id']}",
                                   {"organiser": {"kind": "person", "id": "nobody-1"}, "version": 1},
                                   staff["publicist"]), 422, "organiser_not_found")
    assert problem["errors"][0]["loc"] == ["body", "organiser", "id"]


def test_an_edit_ending_before_the_stored_start_is_refused(client, clock, staff, event_body):
    created = ok(post(client, EVENTS, event_body(days=7), staff["publicist"]), 201)
    assert_problem(patch(client, f"{EVENTS}/{created['id']}", {"ends_at": clock.at(7, "08:00"), "version": 1},
                         staff["publicist"]), 422, "event_ends_before_start")


def test_an_empty_edit_is_refused(client, staff, event_body):
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    assert_problem(patch(client, f"{EVENTS}/{created['id']}", {"version": 1}, staff["publicist"]), 422,
                   "nothing_to_change")


def test_a_cancelled_activity_keeps_its_reason_and_is_neither_edited_nor_cancelled_again(client, staff, event_body):
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    path = f"{EVENTS}/{created['id']}"
    cancelled = ok(post(client, f"{path}/cancellation", {"reason": "场地临时调整"},
                        {**staff["publicist"], "If-Match": '"1"'}))
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == "场地临时调整"
    assert_problem(post(client, f"{path}/cancellation", {"reason": "再次取消", "version": 2}, staff["publicist"]), 409,
                   "event_cancelled")
    assert_problem(patch(client, path, {"theme": "新主题", "version": 2}, staff["publicist"]), 409, "event_cancelled")


def test_an_activity_already_over_is_not_cancelled(client, staff, event_body):
    held = ok(post(client, EVENTS, event_body(days=-1), staff["publicist"]), 201)
    assert_problem(post(client, f"{EVENTS}/{held['id']}/cancellation", {"reason": "补录取消", "version": 1},
                        staff["publicist"]), 409, "event_over")


def test_every_change_is_written_to_the_audit_trail(client, staff, event_body):
    created = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    path = f"{EVENTS}/{created['id']}"
    ok(patch(client, path, {"theme": "宪法进万家", "version": 1}, staff["publicist"]))
    ok(post(client, f"{path}/cancellation", {"reason": "场地临时调整", "version": 2}, staff["publicist"]))
    entries = audit.trail("publicity-event", created["id"]).items
    assert [e["action"] for e in entries] == ["cancel", "update", "create"]   # newest first
    assert entries[1]["changes"]["theme"] == {"from": "民法典进社区", "to": "宪法进万家"}
    assert all(e["actor"] == "publicist-1" for e in entries)


def test_a_retried_announcement_with_its_idempotency_key_creates_one_activity(client, staff, event_body):
    headers = {**staff["publicist"], "Idempotency-Key": "lecture-0001"}
    first = ok(post(client, EVENTS, event_body(), headers), 201)
    again = ok(post(client, EVENTS, event_body(), headers), 201)
    assert again["id"] == first["id"]
    assert len(ok(client.get(EVENTS, headers=staff["publicist"]))["items"]) == 1


# --- photos and handouts ---------------------------------------------------------------------------

def test_staff_of_the_area_attach_a_photo_and_others_cannot(client, staff, event_body):
    """The link rule is the activity's own reader rule: other roles of the district and residents are told
    the activity does not exist."""
    created = ok(post(client, EVENTS, event_body(days=-1, attendance=40), staff["publicist"]), 201)
    photo = {"title": "讲座现场.jpg", "kind": "attachment", "area": GRID, "content_type": "image/jpeg",
             "size_bytes": 2048, "sha256": "0" * 64, "linked_record": f"publicity-event:{created['id']}"}
    ok(post(client, "/v1/files", photo, staff["grid_worker"]), 201)
    assert_problem(post(client, "/v1/files", photo, staff["mediator"]), 404)
    assert_problem(post(client, "/v1/files", photo, staff["resident"]), 404)


def test_someone_from_another_district_who_holds_the_village_s_coverage_role_organises_there(client, staff,
                                                                                           event_body):
    """An advisor engaged for a village (the village's coverage role, core coverage) whose home area is in
    another district organises in that village and its grids — while the assignment lasts; a role held
    elsewhere does not count."""
    from tests.core.test_coverage import assign

    advisor = ok(post(client, "/v1/people", {"name": "钱志明", "roles": ["lawyer"], "home_area": "320404",
                                             "duty": "村法律顾问", "phone": "13800001305"}, staff["admin"]), 201)
    organiser = {"kind": "person", "id": advisor["id"]}
    ok(assign(client, staff["admin"], "legal_advisor", "320404", advisor["id"]), 201)  # a role held elsewhere
    assert_problem(post(client, EVENTS, event_body(organiser=organiser), staff["publicist"]), 422, "organiser_outside_area")
    held = ok(assign(client, staff["admin"], "legal_advisor", VILLAGE, advisor["id"]), 201)
    created = ok(post(client, EVENTS, event_body(organiser=organiser), staff["publicist"]), 201)
    assert created["organiser"]["id"] == advisor["id"]
    other = ok(post(client, EVENTS, event_body(), staff["publicist"]), 201)
    ok(patch(client, f"{EVENTS}/{other['id']}", {"organiser": organiser, "version": 1}, staff["publicist"]))
    ended = client.delete(f"/v1/assignments/{held['id']}", headers={**staff["admin"], "If-Match": str(held["version"])})
    assert ended.status_code == 200, ended.body
    assert_problem(post(client, EVENTS, event_body(organiser=organiser), staff["publicist"]), 422, "organiser_outside_area")


def test_an_organiser_outside_the_area_is_refused_naming_the_field(client, staff, event_body):
    """Bad input (issue P1): the organiser's home area is the activity's area, above it or below it."""
    elsewhere = ok(post(client, "/v1/people", {"name": "钱志明", "roles": ["publicist"], "home_area": "320404",
                                               "duty": "普法宣传员", "phone": "13800001303"}, staff["admin"]), 201)
    problem = assert_problem(post(client, EVENTS, event_body(organiser={"kind": "person", "id": elsewhere["id"]}),
                                  staff["publicist"]), 422, "organiser_outside_area")
    assert problem["errors"][0]["loc"] == ["body", "organiser", "id"] and "320404" in problem["detail"]
    below = ok(post(client, "/v1/people", {"name": "孙丽", "roles": ["publicist"], "home_area": VILLAGE,
                                           "duty": "普法宣传员", "phone": "13800001304"}, staff["admin"]), 201)
    ok(post(client, EVENTS, event_body(area=TOWN, organiser={"kind": "person", "id": below["id"]}),
            staff["publicist"]), 201)
