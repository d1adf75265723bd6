"""C4 service menu "6+X" and the public "my grid" board; C8 weekly duty rota and monthly themed activity
("双固定"), published in advance, readable by anyone, one person never on duty in two places at once."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

import pytest

from chalicelib.platform import audit, timeutil
from chalicelib.domain.rota import service as rota
from tests.core.test_coverage import services  # noqa: F401  (fixture)
from tests.core.test_coverage import assign
from tests.core.test_directory import admin, new_institution, new_person, seed_tree
from tests.helpers import JSON, Clock, assert_problem, body, post

GRID = "320402001001001"


TUESDAY = datetime(2026, 11, 24, 10, tzinfo=timeutil.SHANGHAI)  # this module's clock
WEDNESDAY = (TUESDAY + timedelta(days=1)).date().isoformat()  # the first duty day
ACTIVITY_DAY = (TUESDAY + timedelta(days=21)).date().isoformat()  # a Tuesday three weeks on


@pytest.fixture(autouse=True)
def clock():
    """Rota rules are about weekdays and calendar months, so this module's clock is pinned to a known
    Tuesday (2026-11-24) whatever day the suite runs: every date below is read against that week."""
    timeutil.pin(TUESDAY)
    yield Clock(TUESDAY)


def boards_rebuilt() -> dict[str, int]:
    """What the minutely schedule does (`drain_board_changes`, board.upkeep): the boards of the grids under
    the areas changed since the last drain rebuilt and stored, once the changes have settled."""
    from chalicelib.domain.board import upkeep

    with timeutil.travel(timedelta(seconds=upkeep.SETTLE_SECONDS)):
        return upkeep.drain()


def put(client, path: str, payload: dict, headers: dict):
    return client.put(path, headers={**JSON, **headers}, body=json.dumps(payload, ensure_ascii=False))


@pytest.fixture
def points(client, token, aws_backend):
    """A 雕庄街道 station and a 朝阳花园 studio with three people, as the demo data has them."""
    seed_tree()
    headers = admin(token)
    notary = new_institution(client, headers, name="天宁公证处", home_area="320402", phone="0519-88001234")
    station = new_institution(client, headers, kind="service_platform", level="station",
                              name="雕庄街道公共法律服务工作站", home_area="320402001")
    studio = new_institution(client, headers, kind="service_platform", level="studio",
                             name="朝阳花园社区公共法律服务工作室", home_area="320402001001")
    mediator = new_person(client, headers, name="周雅琴", phone="13800001201", duty="网格调解员")
    literate = new_person(client, headers, name="陈立伟", roles=["legal_literate"], phone="13800001202",
                          duty="法律明白人", home_area="320402001001")
    notary_person = new_person(client, headers, name="王建国", roles=["notary"], phone="13800001203",
                               duty="公证员（网格联络）", institution_id=notary["id"], home_area="320402")
    return {"headers": headers, "notary": notary, "station": station, "studio": studio, "mediator": mediator,
            "literate": literate, "notary_person": notary_person}


def duty(client, headers, point: dict, person: dict, **fields):
    payload = {"person_id": person["id"], "weekday": 3, "start": "09:00", "end": "11:30", "duty": "值班调解员",
               "effective_from": WEDNESDAY, **fields}
    return post(client, f"/v1/institutions/{point['id']}/duty-slots", payload, headers)


def activity(client, headers, point: dict, **fields):
    payload = {"date": ACTIVITY_DAY, "start": "14:00", "end": "16:00", "theme": "民法典进社区：婚姻家庭编", **fields}
    return post(client, f"/v1/institutions/{point['id']}/activities", payload, headers)


# --- menu (C4) ------------------------------------------------------------------------------------

def test_the_menu_is_the_enabled_core_services_plus_the_x_items_a_town_enables(client, token, aws_backend, services):
    """C4: "6" from the enabled plugins (core_service), "X" from the town, shown in every grid below it."""
    seed_tree()
    headers = admin(token)
    created = put(client, "/v1/areas/320402001/menu", {"items": [
        {"key": "property-disputes", "title": "物业纠纷调解", "description": "物业管理纠纷的咨询和调解"}]}, headers)
    assert created.status_code == 201 and body(created)["version"] == 1
    menu = body(client.get(f"/v1/areas/{GRID}/menu"))
    assert [(i["title"], i["kind"]) for i in menu["items"]] == [
        ("法律咨询", "core"), ("人民调解", "core"), ("公证服务", "core"), ("物业纠纷调解", "x")]
    assert menu["items"][3]["enabled_by"]["name"] == "雕庄街道"
    assert [i["kind"] for i in body(client.get("/v1/areas/320402002002001/menu"))["items"]] == ["core"] * 3


def test_changing_x_items_needs_the_version_and_bad_items_are_named(client, token, aws_backend, services):
    """C4 + CONTRACT: replace with If-Match; a key clashing with a core service, a city-level menu and an
    area outside the caller's are refused, each naming the field."""
    seed_tree()
    headers = admin(token, "320402")
    put(client, "/v1/areas/320402001/menu", {"items": [{"key": "elder-care", "title": "涉老法律服务"}]}, headers)
    assert_problem(put(client, "/v1/areas/320402001/menu", {"items": []}, headers), 400, "version_required")
    changed = put(client, "/v1/areas/320402001/menu", {"items": [], "version": 1}, headers)
    assert changed.status_code == 200 and body(changed)["version"] == 2 and body(changed)["items"] == []
    problem = assert_problem(put(client, "/v1/areas/320402001/menu", {"items": [
        {"key": "mediation", "title": "调解"}], "version": 2}, headers), 422, "duplicate_menu_item")
    assert problem["errors"][0]["loc"] == ["body", "items", "0", "key"]
    problem = assert_problem(put(client, "/v1/areas/320402001/menu", {"items": [{"key": "Bad Key", "title": "x"}]},
                                 headers), 422, "validation_failed")
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "items", "0", "key"), ("body", "items", "0", "title")}
    assert_problem(put(client, "/v1/areas/320404001/menu", {"items": []}, headers), 403, "outside_jurisdiction")
    assert_problem(put(client, "/v1/areas/3204/menu", {"items": []}, admin(token)), 422, "area_level_not_allowed")
    assert audit.trail("area-menu", "320402001").items[0]["changes"] == {"items": {"from": ["elder-care"], "to": []}}


# --- the board (C4) -------------------------------------------------------------------------------

def test_a_resident_s_grid_board_shows_the_right_people_with_staff_work_phones_in_full(client, points, services):
    """C4 done-when: the "my grid" card: menu (法律咨询 first, answered by the grid's lawyer from coverage),
    the people per role (assigned to the grid or above it), the institutions serving it, this week's duty
    and the coming activity — names, duties, phones, hours, institution names. Staff work phones published
    for the public are shown in full; a resident volunteer's (法律明白人) stays masked (CONTRACT "Identity and
    access"); never a person's id."""
    p, headers = points, points["headers"]
    lawyer = new_person(client, headers, name="郑浩", roles=["lawyer"], phone="13800001204", duty="网格律师",
                        home_area="320402")
    assign(client, headers, "legal_advisor", "320402001", lawyer["id"])
    put(client, "/v1/areas/320402001/menu", {"items": [{"key": "property-disputes", "title": "物业纠纷调解"}]}, headers)
    assign(client, headers, "mediator", GRID, p["mediator"]["id"])
    assign(client, headers, "legal_literate", "320402001001", p["literate"]["id"])
    assign(client, headers, "notary_liaison", "320402001", p["notary_person"]["id"])
    assert duty(client, headers, p["station"], p["mediator"]).status_code == 201
    assert activity(client, headers, p["studio"], hosts=[p["literate"]["id"]]).status_code == 201
    boards_rebuilt()

    response = client.get(f"/v1/areas/{GRID}/board")
    board = body(response)
    assert [a["name"] for a in board["path"]] == ["常州市", "天宁区", "雕庄街道", "朝阳花园社区居委会", "第一网格"]
    assert [m["title"] for m in board["menu"]] == ["法律咨询", "人民调解", "公证服务", "物业纠纷调解"]
    assert board["menu"][0]["answered_by"] == "legal_advisor"
    contacts = {c["role"]: c for c in board["contacts"]}
    assert list(contacts) == ["mediator", "notary_liaison", "legal_advisor", "legal_literate"]
    assert [(x["name"], x["phone"]) for x in contacts["legal_advisor"]["people"]] == [("郑浩", "13800001204")]
    assert contacts["mediator"]["people"] == [{"name": "周雅琴", "duty": "网格调解员", "phone": "13800001201",
                                               "hours": "每周二 9:00–11:30", "institution": None, "demo": False,
                                               "assigned_to": "第一网格"}]
    assert [(x["name"], x["institution"], x["assigned_to"]) for x in contacts["notary_liaison"]["people"]] == [
        ("王建国", "天宁公证处", "雕庄街道")]
    assert [(x["assigned_to"], x["phone"]) for x in contacts["legal_literate"]["people"]] == [
        ("朝阳花园社区居委会", "138****1202")]
    assert contacts["notary_liaison"]["people"][0]["phone"] == "13800001203"
    assert [(i["name"], i["serves_area"]["level"]) for i in board["institutions"]] == [
        ("朝阳花园社区公共法律服务工作室", "village"), ("雕庄街道公共法律服务工作站", "town"), ("天宁公证处", "district")]
    assert [(d["date"], d["weekday"], d["person"]["name"], d["service_point"]) for d in board["on_duty"]] == [
        (WEDNESDAY, "周三", "周雅琴", "雕庄街道公共法律服务工作站")]
    assert [(a["date"], a["theme"], [h["name"] for h in a["hosts"]]) for a in board["activities"]] == [
        (ACTIVITY_DAY, "民法典进社区：婚姻家庭编", ["陈立伟"])]
    text = response.body.decode()
    assert "13800001202" not in text, "a resident volunteer's phone leaked"
    assert all(p[k]["id"] not in text for k in ("mediator", "literate", "notary_person")) and lawyer["id"] not in text
    neighbour = body(client.get("/v1/areas/320402001001002/board"))
    assert {c["role"]: [x["name"] for x in c["people"]] for c in neighbour["contacts"]} == {
        "mediator": [], "notary_liaison": ["王建国"], "legal_advisor": ["郑浩"], "legal_literate": ["陈立伟"]}


def test_the_board_is_for_grids_only_and_unknown_codes_are_404(client, aws_backend):
    """C4 bad input."""
    seed_tree()
    problem = assert_problem(client.get("/v1/areas/320402001001/board"), 422, "not_a_grid")
    assert problem["errors"][0]["loc"] == ["path", "code"]
    assert_problem(client.get("/v1/areas/320402001001999/board"), 404, "area_not_found")
    assert_problem(client.get("/v1/areas/xyz/board"), 404, "area_not_found")


# --- rota (C8) ------------------------------------------------------------------------------------

def test_a_weekly_duty_is_published_in_advance_and_anyone_can_read_the_week(client, points):
    """C8: fixed weekday and time, starting after today; the week's rota is public, phones masked."""
    p, headers = points, points["headers"]
    problem = assert_problem(duty(client, headers, p["station"], p["mediator"], effective_from="2026-11-24"), 422,
                             "not_in_advance")
    assert problem["errors"][0]["loc"] == ["body", "effective_from"]
    problem = assert_problem(duty(client, headers, p["station"], p["mediator"], start="11:00", end="10:00"), 422)
    assert problem["errors"][0]["loc"] == ["body", "end"]
    created = duty(client, headers, p["station"], p["mediator"], weekday=2)
    assert created.status_code == 201 and body(created)["weekday_title"] == "周二"
    this_week = body(client.get(f"/v1/institutions/{p['station']['id']}/rota"))
    assert this_week["week_start"] == "2026-11-23" and this_week["items"] == []  # starts 25th: first Tuesday is Dec 1
    next_week = body(client.get(f"/v1/institutions/{p['station']['id']}/rota?week=2026-12-03"))
    [entry] = next_week["items"]
    assert (entry["date"], entry["start"], entry["end"], entry["person"]["phone"]) == (
        "2026-12-01", "09:00", "11:30", "13800001201")   # a published work phone, in full
    assert_problem(client.get("/v1/institutions/nope/rota"), 404, "institution_not_found")


def test_one_person_on_duty_in_two_places_at_once_is_a_409(client, points):
    """C8: a clash with the person's other duty is refused, naming the other place; adjacent hours and
    other days are fine."""
    p, headers = points, points["headers"]
    assert duty(client, headers, p["station"], p["mediator"]).status_code == 201
    clash = assert_problem(duty(client, headers, p["studio"], p["mediator"], start="10:00", end="12:00"), 409,
                           "rota_conflict")
    assert "雕庄街道公共法律服务工作站" in clash["detail"] and clash["errors"][0]["loc"] == ["body", "person_id"]
    assert duty(client, headers, p["studio"], p["mediator"], start="11:30", end="12:00").status_code == 201
    assert duty(client, headers, p["studio"], p["mediator"], weekday=4).status_code == 201
    assert_problem(duty(client, headers, p["station"], p["mediator"]), 409, "rota_conflict")  # the same twice


def test_withdrawing_a_duty_frees_the_person_for_that_time(client, points):
    """C8: withdrawal needs the version, keeps the record, and removes the booking."""
    p, headers = points, points["headers"]
    slot = body(duty(client, headers, p["station"], p["mediator"]))
    withdrawn = client.delete(f"/v1/duty-slots/{slot['id']}", headers={**headers, "If-Match": "1"})
    assert body(withdrawn)["status"] == "withdrawn"
    assert duty(client, headers, p["studio"], p["mediator"]).status_code == 201
    listed = body(client.get(f"/v1/institutions/{p['station']['id']}/duty-slots", headers=headers))["items"]
    assert listed == []


def test_the_monthly_activity_is_one_per_service_point_and_its_hosts_cannot_be_elsewhere(client, points):
    """C8 "双固定": one themed day a month per service point; a host on duty elsewhere then is a 409."""
    p, headers = points, points["headers"]
    duty(client, headers, p["station"], p["literate"], weekday=2, start="14:00", end="17:00")
    problem = assert_problem(activity(client, headers, p["studio"], hosts=[p["literate"]["id"]]), 409,
                             "rota_conflict")  # 2026-12-15 is a Tuesday
    assert problem["errors"][0]["loc"] == ["body", "hosts", "0"]
    assert activity(client, headers, p["studio"], hosts=[p["mediator"]["id"]]).status_code == 201
    again = assert_problem(activity(client, headers, p["studio"], date="2026-12-20"), 409, "activity_exists")
    assert again["errors"][0]["loc"] == ["body", "date"]
    assert_problem(activity(client, headers, p["studio"], date="2026-11-24"), 422, "not_in_advance")
    listed = body(client.get(f"/v1/institutions/{p['studio']['id']}/activities"))["items"]
    assert [(a["date"], a["hosts"][0]["name"], a["hosts"][0]["phone"]) for a in listed] == [
        (ACTIVITY_DAY, "周雅琴", "13800001201")]
    withdrawn = client.delete(f"/v1/activities/{p['studio']['id']}.2026-12", headers={**headers, "If-Match": "1"})
    assert body(withdrawn)["status"] == "withdrawn"
    assert activity(client, headers, p["studio"], date="2026-12-22", hosts=[p["mediator"]["id"]]).status_code == 201


def test_a_booking_is_one_read_and_one_write_and_a_withdrawal_of_an_activity_or_a_duty_too(client, points):
    """Reliability §3: the point, the people, their ledgers (and the month's activity) are one consistent
    BatchGetItem; a withdrawal takes its entries out of the ledgers without reading them. A duty's id names
    its point and person, so its withdrawal reads them with the slot."""
    from tests.core.test_write_floor import dynamodb_calls

    p, headers = points, points["headers"]
    with dynamodb_calls() as booked:
        slot = body(duty(client, headers, p["station"], p["mediator"]))
    with dynamodb_calls() as published:
        assert activity(client, headers, p["studio"], hosts=[p["literate"]["id"]]).status_code == 201
    with dynamodb_calls() as slot_withdrawn:
        answer = client.delete(f"/v1/duty-slots/{slot['id']}", headers={**headers, "If-Match": "1"})
    with dynamodb_calls() as activity_withdrawn:
        client.delete(f"/v1/activities/{p['studio']['id']}.2026-12", headers={**headers, "If-Match": "1"})
    assert booked == published == activity_withdrawn == slot_withdrawn == ["BatchGetItem", "TransactWriteItems"]
    assert body(answer)["person_name"] == "周雅琴" and slot["person_name"] == "周雅琴"


def test_a_point_s_rota_activities_and_slots_are_its_list_then_the_point_and_its_people_in_one_batch(client, token,
                                                                                                        points):
    """Reliability §3, C8: the list is read by the point's id (one Query), then the point and the people it
    names (one BatchGetItem): two calls, not three. An unknown point is still 404 and one outside a staff
    member's area 403, whatever its list holds or the cursor says."""
    from tests.core.test_write_floor import dynamodb_calls

    p, headers = points, points["headers"]
    assert duty(client, headers, p["station"], p["mediator"], weekday=2).status_code == 201
    assert activity(client, headers, p["station"], hosts=[p["mediator"]["id"]]).status_code == 201
    station = p["station"]["id"]
    with dynamodb_calls() as week:
        [entry] = body(client.get(f"/v1/institutions/{station}/rota?week=2026-12-03"))["items"]
    with dynamodb_calls() as upcoming:
        [listed] = body(client.get(f"/v1/institutions/{station}/activities"))["items"]
    with dynamodb_calls() as slots:
        [slot] = body(client.get(f"/v1/institutions/{station}/duty-slots", headers=headers))["items"]
    assert week == upcoming == slots == ["Query", "BatchGetItem"]
    assert entry["person"]["name"] == listed["hosts"][0]["name"] == slot["person_name"] == "周雅琴"
    for path in ("rota", "activities", "activities?cursor=bogus"):
        assert_problem(client.get(f"/v1/institutions/nope/{path}"), 404, "institution_not_found")
        assert_problem(client.get(f"/v1/institutions/a%23b/{path}"), 404, "institution_not_found")
    outside = token("admin-z", "admin", area="320404")
    assert_problem(client.get(f"/v1/institutions/{station}/duty-slots", headers=outside), 403, "outside_jurisdiction")
    assert_problem(client.get(f"/v1/institutions/{station}/duty-slots?cursor=bogus", headers=outside), 403,
                   "outside_jurisdiction")
    assert_problem(client.get("/v1/institutions/nope/duty-slots", headers=headers), 404, "institution_not_found")
def test_a_withdrawal_raises_the_ledger_s_version_so_a_booking_read_before_it_cannot_write_it_back(client, points):
    """The ledger entry leaves without a read; the booking that read the ledger earlier fails its version
    check (409 `rota_busy`) instead of restoring the withdrawn entry."""
    from chalicelib.domain.rota.models import RotaLedger
    from chalicelib.domain.rota.service import _Ledger
    from chalicelib.platform import storage

    p, headers = points, points["headers"]
    slot = body(duty(client, headers, p["station"], p["mediator"]))
    before = storage.read(RotaLedger, p["mediator"]["id"], consistent=True)
    client.delete(f"/v1/duty-slots/{slot['id']}", headers={**headers, "If-Match": "1"})
    after = storage.read(RotaLedger, p["mediator"]["id"], consistent=True)
    assert after.version == before.version + 1 and after.commitments == {}
    stale = _Ledger(p["mediator"]["id"], before)
    with pytest.raises(Exception) as refused:
        rota._transact([stale.op()])
    assert getattr(refused.value, "code", None) == "rota_busy"


def test_rota_writes_outside_the_area_or_for_unknown_people_are_refused(client, token, points):
    """C8 + C1: 403 for a service point outside the caller's area; 422 naming the unknown person."""
    p = points
    zhonglou = admin(token, "320404")
    assert_problem(duty(client, zhonglou, p["station"], p["mediator"]), 403, "outside_jurisdiction")
    problem = assert_problem(duty(client, p["headers"], p["station"], {"id": "nobody"}), 422, "person_not_found")
    assert problem["errors"][0]["loc"] == ["body", "person_id"]
    assert_problem(duty(client, token("r1"), p["station"], p["mediator"]), 403, "role_not_allowed")
    assert_problem(client.get(f"/v1/institutions/{p['station']['id']}/duty-slots", headers=zhonglou), 403)


@pytest.mark.parametrize("a, b, expected", [
    (dict(weekday=3, effective_from="2026-11-25"), dict(weekday=3, effective_from="2027-01-06"), True),
    (dict(weekday=3, effective_from="2026-11-25", effective_until="2026-12-01"),
     dict(weekday=3, effective_from="2026-12-02"), False),
    (dict(weekday=3, effective_from="2026-11-25", effective_until="2026-11-30"),
     dict(weekday=3, effective_from="2026-11-26", effective_until="2026-12-01"), False),  # no Wednesday in common
    (dict(weekday=3, effective_from="2026-11-25"), dict(kind="activity", date="2026-12-16"), True),
    (dict(weekday=3, effective_from="2026-11-25"), dict(kind="activity", date="2026-12-17"), False),
    (dict(kind="activity", date="2026-12-16"), dict(kind="activity", date="2026-12-16"), True),
])
def test_clash_rules_for_weekly_duties_and_dated_activities(a, b, expected):
    """C8: same moment in two places, over weekly date ranges and single dates."""
    def commitment(fields):
        return rota.Commitment(**{"kind": "duty", "record_id": json.dumps(fields), "institution_id": "x",
                                  "place": "某处", "start": "09:00", "end": "11:30", **fields})

    assert rota.clash(commitment(a), commitment(b)) is expected
    assert rota.clash(commitment(b), commitment(a)) is expected


def test_far_or_ancient_dates_are_a_422_naming_the_field_not_an_overflow_500(client, points):
    """A public ?week=9999-12-31, or a slot/activity dated near the end of the calendar, used to overflow
    (a week's Sunday, a slot's next occurrence); dates are bounded to [2000-01-01, today + 5 years]."""
    p, headers = points, points["headers"]
    for week in ("9999-12-31", "1999-12-31", "2031-11-25"):
        problem = assert_problem(client.get(f"/v1/institutions/{p['station']['id']}/rota?week={week}"), 422)
        assert problem["errors"][0]["loc"] == ["query", "week"], week
    assert client.get(f"/v1/institutions/{p['station']['id']}/rota?week=2031-11-24").status_code == 200
    for field in ("effective_from", "effective_until"):
        problem = assert_problem(duty(client, headers, p["station"], p["mediator"], **{field: "9999-12-31"}), 422)
        assert problem["errors"][0]["loc"] == ["body", field]
    problem = assert_problem(activity(client, headers, p["station"], date="9999-12-31"), 422)
    assert problem["errors"][0]["loc"] == ["body", "date"]


# --- the board in one read, kept current by the writers (issue 9, issue §3) ----------------------------

def test_the_stored_board_is_the_board_built_from_its_records(client, points, services):
    """Issue 9: served from the per-grid item the drain stored, the grid's board (the demo's points, people,
    assignments, duty and activity) is what building it afresh from its records gives."""
    from chalicelib.domain.board import service as board

    p, headers = points, points["headers"]
    assign(client, headers, "mediator", GRID, p["mediator"]["id"])
    assign(client, headers, "notary_liaison", "320402001", p["notary_person"]["id"])
    assert duty(client, headers, p["station"], p["mediator"]).status_code == 201
    assert activity(client, headers, p["studio"], hosts=[p["literate"]["id"]]).status_code == 201
    boards_rebuilt()
    first = client.get(f"/v1/areas/{GRID}/board")
    again = client.get(f"/v1/areas/{GRID}/board")
    assert body(again) == body(first) == json.loads(board.grid_board(GRID).model_dump_json())
    assert body(again)["on_duty"] and body(again)["activities"] and body(again)["institutions"]


def test_a_board_read_is_one_get_item_writes_nothing_and_may_be_cached_a_few_minutes(client, points, services):
    """Issue §3: the public board (every resident's first screen) is one GetItem of the stored board and never
    a write, whatever changed before it; with `Cache-Control` for the gateway or a CDN."""
    from tests.helpers import calls_during

    assign(client, points["headers"], "mediator", GRID, points["mediator"]["id"])
    boards_rebuilt()
    responses = []
    assert calls_during(lambda: responses.append(client.get(f"/v1/areas/{GRID}/board"))) == ["GetItem"]
    assert responses[0].headers["Cache-Control"] == "public, max-age=300"
    assert body(responses[0])["contacts"][0]["people"][0]["name"] == "周雅琴"
    assign(client, points["headers"], "mediator", "320402001", points["literate"]["id"])  # a change not yet drained
    assert calls_during(lambda: client.get(f"/v1/areas/{GRID}/board")) == ["GetItem"]


def test_a_change_to_an_assignment_shows_on_the_board_once_the_drain_has_run(client, points, services):
    """Issue §3: the change's transaction adds an outbox entry for its area; the drain rebuilds the boards of
    the grids below it (a town's assignment reaches its grids), and the read shows the change."""
    p, headers = points, points["headers"]

    def mediators() -> list[str]:
        board = body(client.get(f"/v1/areas/{GRID}/board"))
        return [x["name"] for c in board["contacts"] if c["role"] == "mediator" for x in c["people"]]

    boards_rebuilt()
    assert mediators() == []
    created = body(assign(client, headers, "mediator", "320402001", p["mediator"]["id"]))  # the town's: above
    assert mediators() == []  # the stored board until the drain runs
    assert boards_rebuilt()["grids"] == 4  # the town's four grids
    assert mediators() == ["周雅琴"]
    ended = client.delete(f"/v1/assignments/{created['id']}", headers={**headers, "If-Match": str(created["version"])})
    assert ended.status_code == 200, ended.body
    boards_rebuilt()
    assert mediators() == []


def test_a_stored_board_serves_the_next_days_from_its_own_dated_content(client, points, services, clock):
    """Issue §3: the stored board holds duties beyond the week, so two days on the same item (one read) shows
    that day's seven days — what a build on that day gives — without a rebuild."""
    from chalicelib.domain.board import service as board
    from tests.helpers import calls_during

    assert duty(client, points["headers"], points["station"], points["mediator"]).status_code == 201
    boards_rebuilt()
    assert [d["date"] for d in body(client.get(f"/v1/areas/{GRID}/board"))["on_duty"]] == ["2026-11-25"]
    with clock.travel(days=2):
        responses = []
        assert calls_during(lambda: responses.append(client.get(f"/v1/areas/{GRID}/board"))) == ["GetItem"]
        shown = body(responses[0])
        assert shown == json.loads(board.grid_board(GRID).model_dump_json())
    assert shown["as_of"] == "2026-11-26" and [d["date"] for d in shown["on_duty"]] == ["2026-12-02"]
