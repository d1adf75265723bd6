"""SPEC S1/S5 person records: identity sealed, dated events checked, one transaction per registration, and
corrections only against the version the officer saw."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.platform import aws, config
from plugins.special_populations.demo import fictional_id
from tests.helpers import assert_problem, body, ok, patch, post
from tests.plugins.special_populations.conftest import GRID

PEOPLE = "/v1/special-populations/people"


def person_in(clock, **overrides) -> dict:
    """A person released from prison 700 days ago (安置帮教), with fictional identity."""
    data = {"name": "测试人员甲", "id_number": fictional_id("19820417", "035"), "phone": "13912345678",
            "grid": GRID, "judgment_effective": clock.day(-2000), "prison_release": clock.day(-700)}
    return {**data, **overrides}


def dynamodb_calls(action) -> list[str]:
    seen: list[str] = []
    events = aws.dynamodb().meta.events

    def count(model, **_):
        seen.append(model.name)

    events.register("before-call.dynamodb.*", count)
    try:
        action()
    finally:
        events.unregister("before-call.dynamodb.*", count)
    return seen


def stored_text() -> str:
    items = aws.dynamodb().scan(TableName=config.table_name())["Items"]  # a test looking at the whole table
    return str(items)


def test_registering_is_one_transaction_and_stores_the_id_number_and_phone_only_sealed(client, areas, who, clock):
    created = []
    calls = dynamodb_calls(lambda: created.append(post(client, PEOPLE, person_in(clock), who["district officer"])))
    person = ok(created[0], 201)
    assert calls == ["TransactWriteItems", "BatchGetItem"]  # the registration, then the policy read of the view
    text = stored_text()
    assert person_in(clock)["id_number"] not in text and "13912345678" not in text
    assert "320***********" in text and "139****5678" in text
    [resettlement] = [c for c in person["categories"] if c["met"]]
    assert resettlement["label"].startswith("安置帮教（至 ")


def test_a_wrong_id_checksum_an_unknown_grid_and_bad_dates_are_422_naming_every_field(client, areas, who, clock):
    number = fictional_id("19820417", "035")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    problem = assert_problem(post(client, PEOPLE, person_in(clock, id_number=wrong), who["district officer"]), 422)
    assert problem["errors"][0]["loc"] == ["body", "id_number"] and "校验位" in problem["errors"][0]["msg"]
    assert wrong not in str(problem)
    bad = person_in(clock, prison_release=clock.day(-2100), correction_start=clock.day(10),
                    correction_end=clock.day(5))
    problem = assert_problem(post(client, PEOPLE, bad, who["district officer"]), 422, "inconsistent_dates")
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "prison_release"), ("body", "correction_end")}
    future = assert_problem(post(client, PEOPLE, person_in(clock, rehab_release=clock.day(3)), who["district officer"]),
                            422, "validation_failed")  # an event that has not happened yet
    assert [e["loc"] for e in future["errors"]] == [["body", "rehab_release"]]
    unknown = person_in(clock, grid="320402001001099")
    assert assert_problem(post(client, PEOPLE, unknown, who["district officer"]), 422,
                          "area_not_found")["errors"][0]["loc"] == ["body", "grid"]


def test_the_same_id_number_is_registered_once(client, areas, who, clock):
    ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    again = assert_problem(post(client, PEOPLE, person_in(clock, name="别名"), who["town officer"]), 409,
                           "already_registered")
    assert again["errors"][0]["loc"] == ["body", "id_number"]


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(client, areas, who, clock):
    headers = {**who["district officer"], "Idempotency-Key": "sp-register-0001"}
    first = ok(post(client, PEOPLE, person_in(clock), headers), 201)
    assert ok(post(client, PEOPLE, person_in(clock), headers), 201)["id"] == first["id"]


def test_a_correction_needs_the_version_seen_and_is_checked_like_a_registration(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    url, officer = f"{PEOPLE}/{person['id']}", who["district officer"]
    assert_problem(patch(client, url, {"prison_release": clock.day(-600)}, officer), 400, "version_required")
    changed = ok(patch(client, url, {"prison_release": clock.day(-600)}, {**officer, "If-Match": "1"}))
    assert changed["prison_release"] == clock.day(-600) and changed["version"] == 2
    assert_problem(patch(client, url, {"prison_release": clock.day(-500)}, {**officer, "If-Match": "1"}), 409,
                   "stale_version")
    problem = assert_problem(patch(client, url, {"correction_start": clock.day(1)}, {**officer, "If-Match": "2"}),
                             422, "inconsistent_dates")
    assert problem["errors"][0]["loc"] == ["body", "correction_end"]
    moved = patch(client, url, {"grid": "320404001001001"}, {**officer, "If-Match": "2"})
    assert assert_problem(moved, 403, "outside_jurisdiction")["errors"][0]["loc"] == ["body", "grid"]


def test_the_full_record_judges_the_categories_on_any_day_asked(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    before = body(client.get(f"{PEOPLE}/{person['id']}?on={clock.day(-701)}", headers=who["district officer"]))
    assert before["as_of"] == clock.day(-701) and not any(c["met"] for c in before["categories"])
    today = body(client.get(f"{PEOPLE}/{person['id']}", headers=who["district officer"]))
    assert [c["code"] for c in today["categories"] if c["met"]] == ["resettlement"]
    assert today["phone"] == "13912345678"
    assert (clock.today - timedelta(days=700)).isoformat() in today["categories"][1]["reason"]


def test_a_read_is_one_batch_with_the_parameters_and_one_audit_write_and_the_grid_list_one_query(
        client, areas, who, clock):
    """Reliability §3: a person's id names their grid, so the record and the parameters in force there are one
    BatchGetItem; a correction is that read and one write. A person whose grid was corrected since is still
    judged by the parameters of the grid they are at now (one read more)."""
    officer = who["district officer"]
    person = ok(post(client, PEOPLE, person_in(clock), officer), 201)
    assert person["id"].startswith(person["grid"] + ".")
    read = dynamodb_calls(lambda: ok(client.get(f"{PEOPLE}/{person['id']}", headers=officer)))
    listed = dynamodb_calls(lambda: ok(client.get("/v1/special-populations/grid-list",
                                                  headers=who["assigned grid worker"])))
    assert read == ["BatchGetItem", "TransactWriteItems"]
    assert listed == ["BatchGetItem", "Query", "TransactWriteItems"]
    corrected = dynamodb_calls(lambda: ok(patch(client, f"{PEOPLE}/{person['id']}", {"version": 1,
                                                "prison_release": clock.day(-600)}, officer)))
    assert corrected == ["BatchGetItem", "TransactWriteItems"]
    assert_problem(client.get(f"{PEOPLE}/999999999999999.{person['id'].split('.')[1]}", headers=officer), 404)


def test_far_dates_are_a_422_naming_the_field_and_a_far_day_asked_is_never_a_500(client, areas, who, clock):
    """CONTRACT "HTTP": dates are checked by their meaning — an event not before 1900 nor in the future, a
    correction term within its horizon, the day asked within ten years — and `?on=9999-12-31` was a 500
    (OverflowError in the look-ahead)."""
    officer = who["district officer"]
    for field, day in (("judgment_effective", "0001-01-01"), ("judgment_effective", "1899-12-31"),
                       ("prison_release", clock.day(1)), ("correction_end", "9999-12-31")):
        data = person_in(clock, **{field: day}, **({"correction_start": clock.day(-10)} if field == "correction_end" else {}))
        problem = assert_problem(post(client, PEOPLE, data, officer), 422, "validation_failed")
        assert [e["loc"] for e in problem["errors"]] == [["body", field]], (field, day)
    oldest = ok(post(client, PEOPLE, person_in(clock, judgment_effective="1900-01-01"), officer), 201)
    url = f"{PEOPLE}/{oldest['id']}"
    for day in ("9999-12-31", "0001-01-01", (clock.today.replace(year=clock.today.year + 11)).isoformat()):
        problem = assert_problem(client.get(f"{url}?on={day}", headers=officer), 422, "validation_failed")
        assert problem["errors"][0]["loc"] == ["query", "on"], day
    assert body(client.get(f"{url}?on={clock.day(365 * 9)}", headers=officer))["as_of"] == clock.day(365 * 9)
    moved = patch(client, url, {"correction_start": clock.day(-10), "correction_end": "9999-12-31"},
                  {**officer, "If-Match": "1"})
    assert assert_problem(moved, 422, "validation_failed")["errors"][0]["loc"] == ["body", "correction_end"]
