"""SPEC C5 intake: one ticket per request, owned by its first receiver (首问负责制), routed only to the
intake targets the enabled services declare, with a time limit in working days (限时办结) and a history.
Routing is proven with a stand-in service, so the core needs no real one."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from chalicelib import plugin
from chalicelib.domain.intake import service as intake
from chalicelib.domain.intake.models import TICKET_NUMBERS
from chalicelib.platform import audit, storage, timeutil
from chalicelib.platform.storage import keys
from tests.helpers import also_enabled, assert_problem, ok, post, seed_areas, stand_in_plugin

GRID = "320402001001001"
CASES: dict[str, plugin.CaseProgress] = {}  # the stand-in service's cases: id → where it stands
OPENED: list[plugin.IntakeRequest] = []


def _open_case(request: plugin.IntakeRequest) -> plugin.CaseRef:
    OPENED.append(request)
    case_id = f"case-{len(OPENED)}"
    CASES[case_id] = plugin.CaseProgress(status="已受理")
    return plugin.CaseRef(service="test-service", entity="test-case", id=case_id, title="测试服务案件")


def _progress(ref: plugin.CaseRef) -> plugin.CaseProgress:
    return CASES[ref.id]


def _broken(request: plugin.IntakeRequest) -> plugin.CaseRef:
    raise RuntimeError("the service's table is down")


SERVICE = stand_in_plugin("test-service", intake_targets=(
    plugin.IntakeTarget("test_case", "测试受理", ("consultation", "dispute"), _open_case, _progress,
                        handled_by=("mediator",)),
    plugin.IntakeTarget("test_other", "另一测试受理", ("dispute",), _open_case, _progress),
    plugin.IntakeTarget("test_broken", "故障服务", ("other",), _broken, _progress),
))


@pytest.fixture
def desk(client, token, aws_backend):
    seed_areas()
    CASES.clear()
    OPENED.clear()
    with also_enabled(SERVICE):
        yield {
            "resident": token("resident-1"),
            "neighbour": token("resident-2"),
            "worker": token("gw-1", "grid_worker", area="320402001"),
            "colleague": token("gw-2", "grid_worker", area="320402"),    # a receiver of the district, not of the grid
            "supervisor": token("ad-2", "admin", area="320402"),          # reads every ticket of the district
            "stranger": token("gw-9", "grid_worker", area="320404"),
        }


def ask(client, headers, **fields):
    payload = {"channel": "mini_program", "grid": GRID, "category": "consultation",
               "text": "邻居装修占用楼道，协商无果，想咨询怎么处理", **fields}
    return post(client, "/v1/tickets", payload, headers)


def step(client, headers, code, action, payload=None, version=None):
    return post(client, f"/v1/tickets/{code}/{action}", payload or {}, {**headers, "If-Match": str(version)})


def staff_ticket(client, headers, **fields):
    return ask(client, headers, channel="counter", person={"name": "王秀英", "phone": "13900001111"}, **fields)


# --- the story --------------------------------------------------------------------------------------

def test_a_resident_asks_and_the_grid_worker_answers_on_the_spot(client, desk, clock):
    ticket = ok(ask(client, desk["resident"]), 201)
    yymm = clock.today.strftime("%y%m")
    assert ticket["code"] == f"FW-320402-{yymm}-0001"
    assert ticket["status"] == "received" and ticket["owner"] is None

    unrouted = ok(client.get("/v1/tickets/area?bucket=unrouted", headers=desk["worker"]))
    assert [t["code"] for t in unrouted["items"]] == [ticket["code"]]

    done = ok(step(client, desk["worker"], ticket["code"], "answer",
                   {"answer": "楼道属共有部分，可先请物业和社区调解。"}, ticket["version"]))
    assert done["status"] == "closed" and done["owner"] == "gw-1"
    assert [s["action"] for s in done["history"]] == ["received", "accepted", "answered", "closed"]

    mine = ok(client.get(f"/v1/tickets/{ticket['code']}", headers=desk["resident"]))
    assert mine["status_title"] == "已办结" and mine["answer"].startswith("楼道属共有部分")
    assert mine["owner"] is None and all(s["actor"] is None for s in mine["history"])  # staff only
    listed = ok(client.get("/v1/tickets/mine", headers=desk["resident"]))
    assert [(t["code"], t["status"]) for t in listed["items"]] == [(ticket["code"], "closed")]


def test_a_routed_ticket_shows_the_services_progress_and_closes_with_its_result(client, desk):
    ticket = ok(ask(client, desk["resident"], category="dispute"), 201)
    routed = ok(step(client, desk["worker"], ticket["code"], "route", {"target": "test_case", "note": "涉邻里纠纷"},
                     ticket["version"]))
    assert routed["status"] == "routed" and routed["case"]["id"] == "case-1"
    assert OPENED[0].ticket_id == ticket["code"] and OPENED[0].resident == "resident-1" and OPENED[0].area == GRID

    CASES["case-1"] = plugin.CaseProgress(status="调解成功", closed=True, result="双方达成调解协议，楼道已清理。")
    seen = ok(client.get(f"/v1/tickets/{ticket['code']}", headers=desk["resident"]))
    assert seen["progress"] == {"status": "调解成功", "closed": True, "result": "双方达成调解协议，楼道已清理。"}

    closed = ok(step(client, desk["worker"], ticket["code"], "close", {}, routed["version"]))
    assert closed["answer"] == intake.OUTCOME_WITHHELD   # the owner may not read the service's case
    assert ok(client.get(f"/v1/tickets/{ticket['code']}", headers=desk["resident"]))["answer"] == "双方达成调解协议，楼道已清理。"


def test_a_transfer_keeps_the_first_receiver_and_records_why(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"], category="dispute"), 201)
    routed = ok(step(client, desk["worker"], ticket["code"], "route", {"target": "test_case"}, ticket["version"]))
    moved = ok(step(client, desk["worker"], ticket["code"], "transfer",
                    {"target": "test_other", "reason": "涉及物业合同，转专业调解"}, routed["version"]))
    assert moved["owner"] == "gw-1" and moved["case"]["target"] == "test_other"
    assert moved["history"][-1]["action"] == "transferred" and moved["history"][-1]["note"] == "涉及物业合同，转专业调解"


def test_the_person_staff_record_is_sealed_once_by_the_input_itself():
    """CONTRACT "Identity and access": the phone is stored encrypted with a lookup hash and shown masked;
    the input prepares those fields once, for the service to pass on."""
    from chalicelib.domain.intake.models import TicketPersonIn

    person = TicketPersonIn(name="王秀英", phone="139 0000 1111")
    stored = person.stored
    assert stored["person_name"] == "王秀英" and stored["phone_masked"] == "139****1111"
    assert {"phone_cipher", "phone_hash"} <= set(stored) and "13900001111" not in str(stored)
    assert person.stored is stored


def test_staff_recording_a_request_own_it_and_the_phone_is_sealed(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"]), 201)
    assert ticket["status"] == "accepted" and ticket["owner"] == "gw-1"
    assert ticket["phone_masked"] == "139****1111"
    item = storage.get(**keys.record("intake-ticket", ticket["code"]))
    assert "13900001111" not in str(item)
    assert ok(client.get(f"/v1/tickets/{ticket['code']}/contact", headers=desk["worker"]))["phone"] == "13900001111"
    assert_problem(client.get(f"/v1/tickets/{ticket['code']}/contact", headers=desk["supervisor"]), 403, "not_owner")
    reads = [i for i in audit.trail("intake-ticket", ticket["code"]).items if i["action"] == "read"]
    assert len(reads) == 1 and "13900001111" not in str(reads)


def test_codes_count_per_district_and_month(client, desk):
    first = ok(ask(client, desk["resident"]), 201)["code"]
    second = ok(ask(client, desk["neighbour"]), 201)["code"]
    assert int(second[-4:]) == int(first[-4:]) + 1


def test_a_retried_submission_with_one_idempotency_key_makes_one_ticket(client, desk):
    headers = {**desk["resident"], "Idempotency-Key": "ask-1"}
    first = ok(ask(client, headers), 201)
    again = ok(ask(client, headers), 201)
    assert again["code"] == first["code"]
    assert len(ok(client.get("/v1/tickets/mine", headers=desk["resident"]))["items"]) == 1


# --- time limits ------------------------------------------------------------------------------------

def _pin(day: date) -> None:
    timeutil.pin(datetime(day.year, day.month, day.day, 10, tzinfo=timeutil.SHANGHAI))


def test_the_time_limit_skips_a_weekend(client, desk):
    _pin(date(2026, 11, 27))  # a Friday: 3 working days are Mon 30, Tue 1, Wed 2
    ticket = ok(ask(client, desk["resident"]), 201)
    assert ticket["due_on"] == "2026-12-02"
    assert "3 个工作日" in ticket["deadline"]


def test_the_time_limit_skips_a_public_holiday_and_counts_a_make_up_saturday(client, desk):
    _pin(date(2026, 9, 30))  # National Day 1–7 Oct off; Sat 10 Oct is a make-up working day (调休)
    assert ok(ask(client, desk["resident"]), 201)["due_on"] == "2026-10-10"


def test_an_area_sets_its_own_time_limit_as_a_policy_parameter(client, desk, token, clock):
    admin = token("admin-1", "admin", area="3204")
    ok(post(client, "/v1/policies/intake.consultation_days/versions",
            {"area": "320402", "value": 1, "effective_from": clock.day(0), "label": "天宁区咨询一日办结"}, admin), 201)
    ticket = ok(ask(client, desk["resident"]), 201)
    assert ticket["deadline"].startswith("法律咨询 1 个工作日")


def test_reclassifying_recomputes_the_time_limit_from_the_day_received(client, desk):
    _pin(date(2026, 11, 27))
    ticket = ok(ask(client, desk["resident"]), 201)
    routed = ok(step(client, desk["worker"], ticket["code"], "route", {"target": "test_case", "category": "dispute"},
                     ticket["version"]))
    assert routed["category"] == "dispute" and routed["deadline"].startswith("矛盾纠纷 15 个工作日")


def test_lists_by_deadline_due_soon_and_the_sweep_marks_overdue(client, desk, clock):
    old = None
    with clock.travel(days=-10):
        old = ok(staff_ticket(client, desk["worker"]), 201)["code"]
    fresh = ok(staff_ticket(client, desk["worker"]), 201)["code"]
    held = ok(client.get("/v1/tickets/held", headers=desk["worker"]))
    assert [t["code"] for t in held["items"]] == [old, fresh]  # soonest deadline first
    overdue = ok(client.get("/v1/tickets/held?window=overdue", headers=desk["worker"]))
    assert [t["code"] for t in overdue["items"]] == [old]
    soon = ok(client.get("/v1/tickets/held?window=due_soon", headers=desk["worker"]))
    assert old not in [t["code"] for t in soon["items"]]

    assert intake.sweep_overdue() == 1
    assert intake.sweep_overdue() == 0  # safe to run twice
    area = ok(client.get("/v1/tickets/area?bucket=overdue", headers=desk["supervisor"]))
    assert [(t["code"], t["overdue"]) for t in area["items"]] == [(old, True)]
    assert ok(client.get(f"/v1/tickets/{old}", headers=desk["worker"]))["history"][-1]["action"] == "overdue"


def test_a_ticket_due_within_two_working_days_is_almost_overdue(client, desk):
    _pin(date(2026, 11, 27))
    ok(post(client, "/v1/policies/intake.other_days/versions",
            {"area": "320402", "value": 2, "effective_from": "2026-11-27", "label": "两日"},
            desk_admin(client)), 201)
    code = ok(staff_ticket(client, desk["worker"], category="other"), 201)["code"]
    soon = ok(client.get("/v1/tickets/held?window=due_soon", headers=desk["worker"]))
    assert [t["code"] for t in soon["items"]] == [code]


def desk_admin(client):
    from chalicelib.platform.auth import tokens

    return {"Authorization": "Bearer " + tokens.issue_dev_token("admin-1", ["admin"], "3204")}


# --- refusals ---------------------------------------------------------------------------------------

def test_a_resident_reading_anothers_ticket_gets_404(client, desk):
    code = ok(ask(client, desk["resident"]), 201)["code"]
    assert_problem(client.get(f"/v1/tickets/{code}", headers=desk["neighbour"]), 404, "ticket_not_found")


def test_staff_outside_the_area_neither_see_nor_touch_a_ticket(client, desk):
    ticket = ok(ask(client, desk["resident"]), 201)
    assert_problem(client.get(f"/v1/tickets/{ticket['code']}", headers=desk["stranger"]), 404)
    assert_problem(step(client, desk["stranger"], ticket["code"], "accept", {}, 1), 404)
    assert_problem(ask(client, desk["stranger"], channel="counter", person={"name": "李", "phone": "13900001111"}),
                   403, "outside_jurisdiction")


def test_closing_or_transferring_a_ticket_one_does_not_own_is_403(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"]), 201)
    routed = ok(step(client, desk["worker"], ticket["code"], "route", {"target": "test_case"}, ticket["version"]))
    assert_problem(step(client, desk["supervisor"], ticket["code"], "close", {"result": "已处理"}, routed["version"]),
                   403, "not_owner")
    assert_problem(step(client, desk["supervisor"], ticket["code"], "transfer",
                        {"target": "test_other", "reason": "改派"}, routed["version"]), 403, "not_owner")


def test_a_step_the_state_does_not_allow_is_409_naming_the_allowed_ones(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"]), 201)
    problem = assert_problem(step(client, desk["worker"], ticket["code"], "close", {"result": "已处理"},
                                  ticket["version"]), 409, "step_not_allowed")
    assert "answer" in problem["detail"] and "route" in problem["detail"]
    closed = ok(step(client, desk["worker"], ticket["code"], "answer", {"answer": "已答复"}, ticket["version"]))
    assert_problem(step(client, desk["worker"], ticket["code"], "route", {"target": "test_case"}, closed["version"]),
                   409, "step_not_allowed")


def test_a_stale_version_is_409_and_a_missing_one_400(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"]), 201)
    assert_problem(step(client, desk["worker"], ticket["code"], "answer", {"answer": "已答复"}, 7), 409, "stale_version")
    assert_problem(post(client, f"/v1/tickets/{ticket['code']}/answer", {"answer": "已答复"}, desk["worker"]), 400)


def test_routing_only_to_targets_enabled_services_declare(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"]), 201)
    problem = assert_problem(step(client, desk["worker"], ticket["code"], "route", {"target": "legal_aid_x"},
                                  ticket["version"]), 422)
    assert problem["errors"][0]["loc"] == ["body", "target"]
    targets = ok(client.get("/v1/tickets/targets", headers=desk["worker"]))
    assert {"test_case", "test_other"} <= {t["code"] for t in targets["items"]}


def test_a_service_failing_to_open_its_case_leaves_the_ticket_unchanged(client, desk):
    ticket = ok(staff_ticket(client, desk["worker"]), 201)
    assert_problem(step(client, desk["worker"], ticket["code"], "route", {"target": "test_broken"}, ticket["version"]),
                   503, "target_failed")
    assert ok(client.get(f"/v1/tickets/{ticket['code']}", headers=desk["worker"]))["status"] == "accepted"


def test_bad_input_names_every_field(client, desk):
    problem = assert_problem(post(client, "/v1/tickets", {"channel": "fax", "grid": "12", "category": "x", "text": ""},
                                  desk["resident"]), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} >= {("body", "channel"), ("body", "grid"),
                                                            ("body", "category"), ("body", "text")}
    problem = assert_problem(ask(client, desk["resident"], channel="counter", person={"name": "王", "phone": "13900001111"}), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "channel"), ("body", "person")}
    problem = assert_problem(ask(client, desk["worker"], channel="counter", person={"name": "王", "phone": "12345"}), 422)
    assert [e["loc"] for e in problem["errors"]] == [["body", "person", "phone"]]
    assert_problem(ask(client, desk["worker"], channel="counter", resident="nobody"), 422, "resident_not_found")


def test_an_unknown_grid_is_422_and_takes_no_number(client, desk):
    problem = assert_problem(ask(client, desk["resident"], grid="320402001001999"), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "grid"]
    assert ok(ask(client, desk["resident"]), 201)["code"].endswith("-0001")


def test_a_retired_grid_takes_no_new_ticket_and_no_number(client, desk):
    """A retired grid has no worker to take a request (coverage refuses retired areas): the create is a 422
    naming `grid`, found on the area record the time limit's policy read already brings, before a number
    is taken; the tickets it already has stay readable."""
    from chalicelib.domain.areas.models import Area

    before = ok(ask(client, desk["resident"]), 201)
    grid = storage.require(Area, GRID, consistent=True)
    storage.update(grid, {"status": "retired"}, expected_version=grid.version)
    for headers, fields in ((desk["resident"], {}),
                            (desk["worker"], {"channel": "counter", "person": {"name": "王", "phone": "13900001111"}})):
        problem = assert_problem(ask(client, headers, **fields), 422, "area_retired")
        assert problem["errors"][0]["loc"] == ["body", "grid"]
    assert ok(client.get(f"/v1/tickets/{before['code']}", headers=desk["resident"]))["grid"] == GRID
    storage.update(storage.require(Area, GRID, consistent=True), {"status": "active"}, expected_version=grid.version + 1)
    assert ok(ask(client, desk["resident"]), 201)["code"].endswith("-0002")


def test_files_link_to_a_ticket_for_exactly_its_readers(client, desk):
    code = ok(ask(client, desk["resident"]), 201)["code"]
    payload = {"title": "照片.png", "kind": "attachment", "area": GRID, "content_type": "image/png",
               "size_bytes": 10, "sha256": "0" * 64, "linked_record": f"intake-ticket:{code}"}
    ok(post(client, "/v1/files", payload, desk["resident"]), 201)
    assert_problem(post(client, "/v1/files", payload, desk["neighbour"]), 404)


def test_accepting_a_residents_request_makes_the_worker_its_first_receiver(client, desk):
    ticket = ok(ask(client, desk["resident"]), 201)
    accepted = ok(step(client, desk["worker"], ticket["code"], "accept", {}, ticket["version"]))
    assert accepted["owner"] == "gw-1" and accepted["status"] == "accepted"
    held = ok(client.get("/v1/tickets/held", headers=desk["worker"]))
    assert [t["code"] for t in held["items"]] == [ticket["code"]]
    assert_problem(step(client, desk["supervisor"], ticket["code"], "answer", {"answer": "已答复"}, accepted["version"]),
                   403, "not_owner")
    assert ok(client.get("/v1/tickets/area?bucket=unrouted", headers=desk["supervisor"]))["items"][0]["owner"] == "gw-1"


def test_the_owner_reopens_a_closed_ticket_with_a_reason(client, desk):
    ticket = ok(ask(client, desk["resident"]), 201)
    closed = ok(step(client, desk["worker"], ticket["code"], "answer", {"answer": "已答复"}, ticket["version"]))
    assert_problem(step(client, desk["supervisor"], ticket["code"], "reopen", {"reason": "群众有新问题"}, closed["version"]),
                   403, "not_owner")
    again = ok(step(client, desk["worker"], ticket["code"], "reopen", {"reason": "群众对答复有新的疑问"}, closed["version"]))
    assert again["status"] == "accepted" and again["history"][-1]["action"] == "reopened"
    mine = ok(client.get("/v1/tickets/mine", headers=desk["resident"]))
    assert mine["items"][0]["status"] == "accepted"


# --- numbers and calls (issue 9; reliability defect 1) --------------------------------------------------

def test_a_ticket_create_is_the_policy_read_one_counter_update_and_one_transaction(client, desk):
    """The floor of a create (docs/data-model.md I2): the time limit in force (BatchGetItem), the district's
    next number (UpdateItem ADD, which no concurrent create can refuse), the ticket's one transaction. The
    second create of an instance costs the same: nothing is kept between requests."""
    from tests.helpers import calls_during

    made = []
    for _ in range(2):
        assert calls_during(lambda: made.append(ask(client, desk["resident"]))) == [
            "BatchGetItem", "UpdateItem", "TransactWriteItems"]
    first, second = (ok(m, 201)["code"] for m in made)
    assert second == first[:-4] + "0002"


def test_numbers_taken_by_another_instance_are_never_handed_out_again(client, desk):
    """The counter item is the only memory of the sequence: numbers taken elsewhere (3–7 here) are skipped."""
    first = ok(ask(client, desk["resident"]), 201)["code"]
    for _ in range(6):
        storage.next_number(TICKET_NUMBERS, (first[3:9], first[10:14]))
    assert ok(ask(client, desk["resident"]), 201)["code"] == first[:-4] + "0008"


def test_a_create_refused_in_its_transaction_leaves_a_gap_and_never_reuses_its_number(client, desk):
    """A number is taken before the transaction that uses it: a refusal there (an unknown resident account)
    leaves that number unused — a gap in the district's codes, never a duplicate."""
    first = ok(staff_ticket(client, desk["worker"]), 201)["code"]
    assert_problem(ask(client, desk["worker"], channel="counter", resident="no-such-resident"), 422,
                   "resident_not_found")
    assert ok(staff_ticket(client, desk["worker"]), 201)["code"] == first[:-4] + "0003"


def test_a_replayed_submission_takes_no_number(client, desk):
    """CONTRACT Idempotency-Key: a retry looks its key up before the counter, so it burns no number and
    costs the policy read (which carries the claim's look-up) and the ticket's read — no counter update, no
    failed transaction."""
    from tests.helpers import calls_during

    headers = {**desk["resident"], "Idempotency-Key": "ask-once"}
    first = ok(ask(client, headers), 201)["code"]
    replays = []
    assert calls_during(lambda: replays.append(ask(client, headers))) == ["BatchGetItem", "GetItem"]
    assert ok(replays[0], 201)["code"] == first
    assert ok(ask(client, desk["neighbour"]), 201)["code"] == first[:-4] + "0002"


def test_each_district_counts_its_own_month_from_one(client, desk, clock):
    """The code names the grid's district and month; another district's tickets take none of its numbers."""
    from chalicelib.domain.areas.models import Area

    for code, name, level, parent in (("320404", "钟楼区", "district", "3204"),
                                      ("320404001", "南大街街道", "town", "320404"),
                                      ("320404001001", "第一社区", "village", "320404001"),
                                      ("320404001001001", "第一网格", "grid", "320404001001")):
        if storage.read(Area, code) is None:
            storage.put_new(Area(code=code, name=name, level=level, parent=parent))
    ok(ask(client, desk["resident"]), 201)
    other = ok(ask(client, desk["neighbour"], grid="320404001001001"), 201)["code"]
    assert other == f"FW-320404-{clock.today.strftime('%y%m')}-0001"


def test_an_intake_target_naming_a_category_no_ticket_can_have_is_refused_when_declared():
    # Seen on the walk: mediation advertised `neighbour`, a dispute kind, as a ticket category (SPEC C5).
    with pytest.raises(ValueError, match="neighbour"):
        stand_in_plugin(intake_targets=(
            plugin.IntakeTarget("test_neighbours", "邻里纠纷", ("dispute", "neighbour"), _open_case, _progress),))
    with pytest.raises(ValueError, match="not ticket categories"):
        stand_in_plugin(intake_targets=(plugin.IntakeTarget("test_nothing", "无类别", (), _open_case, _progress),))


TIMING_DAYS = plugin.Parameter("timing_service.review_days", title="审查时限", unit="日", minimum=1, maximum=60, default=7)
TIMING_SERVICE = stand_in_plugin("timing-service", parameters=(TIMING_DAYS,),
                                 ticket_categories=(plugin.TicketCategory("appraisal", "司法鉴定", time_limit=TIMING_DAYS),))


def test_a_service_states_its_categorys_period_once_and_the_desk_counts_tickets_by_it(client, desk):
    """SPEC C5, CONTRACT "Plugins" (the core names no plugin parameter): a service's own statutory period
    (`TicketCategory(time_limit=…)`) limits that category's tickets, in its unit — here 7 days by the Civil
    Code, a last day on a Sunday moving to Monday. Legal aid and notary time theirs so: the core states no
    `intake.legal_aid_days` or `intake.notary_days`."""
    from chalicelib.domain.policy.service import CORE_PARAMETERS

    assert not {"intake.legal_aid_days", "intake.notary_days"} & set(CORE_PARAMETERS)
    _pin(date(2026, 11, 29))  # a Sunday: the seventh day is Sunday 6 December, so Monday 7 December
    with also_enabled(TIMING_SERVICE):
        timed = ok(ask(client, desk["resident"], category="appraisal"), 201)
    assert timed["due_on"] == "2026-12-07" and timed["deadline"].startswith("司法鉴定 7 日内办结")


def test_a_category_only_a_disabled_service_times_takes_the_general_time_limit():
    from chalicelib.domain.intake.models import deadline_parameter

    before = plugin.enabled()
    plugin.activate([])
    try:
        assert deadline_parameter("notary") == deadline_parameter("legal_aid") == "intake.other_days"
        assert deadline_parameter("consultation") == "intake.consultation_days"
    finally:
        plugin.activate(before)
    with also_enabled(TIMING_SERVICE):
        assert deadline_parameter("appraisal") == "timing_service.review_days"


def test_legal_aid_and_notary_time_their_tickets_by_their_own_statutory_periods():
    """SPEC C5, L2 (法律援助法 art. 43: 7 days), N3 (15 working days): each period stated once, in its plugin."""
    from chalicelib.domain.intake.models import deadline_parameter

    before = plugin.enabled()
    plugin.activate(plugin.load(["legal_aid", "notary"]))
    try:
        assert deadline_parameter("legal_aid") == "legal_aid.review_days"
        assert deadline_parameter("notary") == "notary.certificate_days"
        assert plugin.CATEGORIES["legal_aid"] == "法律援助"
    finally:
        plugin.activate(before)


def test_a_ticket_time_limit_is_stated_once_and_counts_days_or_working_days():
    with pytest.raises(ValueError, match="once"):
        plugin.TicketCategory("timing", "x", days=3, time_limit=TIMING_DAYS)
    with pytest.raises(ValueError, match="once"):
        plugin.TicketCategory("timing", "x")
    hours = plugin.Parameter("timing_service.x_hours", title="x", unit="小时", minimum=1, maximum=9)
    with pytest.raises(ValueError, match="ticket time limit"):
        plugin.TicketCategory("notary", "公证", time_limit=hours)
    undeclared = stand_in_plugin("timing-undeclared", ticket_categories=(
        plugin.TicketCategory("notary", "公证", time_limit=TIMING_DAYS),))
    with pytest.raises(ValueError, match="not one of the plugin's parameters"):
        plugin.activate([undeclared])


PUBLICITY = stand_in_plugin("publicity-test", ticket_categories=(
    plugin.TicketCategory("publicity_request", "普法宣传", days=10, basis="示例：普法宣传需求 10 个工作日内安排"),),
    intake_targets=(plugin.IntakeTarget("publicity_visit", "送法上门", ("publicity_request",), _open_case, _progress),))


def test_a_plugin_declares_a_ticket_category_of_its_own_with_its_time_limit(client, desk):
    """SPEC C5: a service adds a category in its own folder; tickets take it while the service is enabled,
    with the time limit its parameter `intake.<category>_days` gives (set per area like the core's)."""
    from chalicelib.domain.policy import service as policy

    with also_enabled(PUBLICITY):
        ticket = ok(ask(client, desk["resident"], category="publicity_request"), 201)
        assert ticket["category_title"] == "普法宣传" and ticket["deadline"].startswith("普法宣传 10 个工作日")
        assert policy.declared("intake.publicity_request_days").default == 10
    assert_problem(ask(client, desk["resident"], category="publicity_request"), 422)


def test_a_plugin_may_not_declare_a_category_the_core_or_another_plugin_has():
    for clash in (plugin.TicketCategory("dispute", "纠纷", days=3), PUBLICITY.ticket_categories[0]):
        with pytest.raises(ValueError, match="ticket category"):
            plugin.activate([PUBLICITY, stand_in_plugin("other-test", ticket_categories=(clash,))])
