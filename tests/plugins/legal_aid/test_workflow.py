"""The case workflow (SPEC L6): every transition, every refusal, conditional writes, and the audit trail."""
from __future__ import annotations

from chalicelib.platform import audit
from chalicelib.platform.timeutil import today_shanghai
from tests.helpers import assert_problem, body, ok, post

URL = "/v1/legal-aid/applications"
OUTCOME = {"kind": "mediated", "amount_recovered": "32000", "summary": "调解结案，老板当场支付工资"}


def follow_up(**changes) -> dict:
    """A follow-up visit made today (the test clock's today, read through the core's time module)."""
    return {"visited_on": today_shanghai().isoformat(), "method": "phone", "satisfaction": "satisfied", **changes}




def through(app, step, *actions):
    """Run `actions` in order as the officer (assign to lawyer-1, close as the lawyer)."""
    for action in actions:
        if action == "assign":
            app = ok(step(app, "assign", lawyer="lawyer-1"))
        elif action == "close":
            app = ok(step(app, "close", who="lawyer", **OUTCOME))
        elif action == "follow-up":
            app = ok(step(app, "follow-up", **follow_up()))
        else:
            app = ok(step(app, action))
    return app


def trail(app_id: str) -> list[dict]:
    return audit.trail("legal-aid-application", app_id, limit=50).items


def test_the_whole_line_from_submission_to_follow_up(client, people, submit, step):
    """L6: submitted → accepted → approved → assigned → closed → followed_up, each step on the timeline."""
    app = through(submit(), step, "accept", "approve", "assign", "close", "follow-up")
    assert app["status"]["code"] == "followed_up" and app["version"] == 6
    assert app["outcome"] == {"kind": {"code": "mediated", "label": "调解结案"}, "amount_recovered": 32000,
                              "summary": OUTCOME["summary"]}
    assert app["follow_up"]["satisfaction"]["label"] == "满意"
    own = body(client.get(f"{URL}/{app['id']}", headers=people["resident"]))
    assert [e["status"]["code"] for e in own["timeline"]] == [
        "submitted", "accepted", "approved", "assigned", "closed", "followed_up"]
    assert own["timeline"][4]["note"] == "已结案：调解结案，为您挽回 32,000 元"
    changes = [e.get("changes", {}).get("status") for e in reversed(trail(app["id"])) if e["action"] != "read"]
    assert [c["to"] for c in changes if c] == ["accepted", "approved", "assigned", "closed", "followed_up"]


def test_a_rejection_needs_a_reason_and_the_applicant_reads_it(client, people, submit, step):
    """L6: approved | rejected (reason); a missing reason is 422 naming the field."""
    app = through(submit(), step, "accept")
    problem = assert_problem(step(app, "reject"), 422, "validation_failed")
    assert problem["errors"][0]["loc"] == ["body", "reason"]
    app = ok(step(app, "reject", reason="对方已按时足额支付工资，不存在欠薪"))
    assert app["status"]["code"] == "rejected" and app["rejection_reason"] == "对方已按时足额支付工资，不存在欠薪"
    own = body(client.get(f"{URL}/{app['id']}", headers=people["resident"]))
    assert own["timeline"][-1]["note"] == "决定不予法律援助：对方已按时足额支付工资，不存在欠薪"


ALL_ACTIONS = ("accept", "approve", "reject", "assign", "close", "follow-up")
ALLOWED = {"submitted": {"accept"}, "accepted": {"approve", "reject"}, "approved": {"assign"},
           "assigned": {"close"}, "closed": {"follow-up"}, "followed_up": set(), "rejected": set()}


def _attempt(client, people, app, action):
    payload = {"reject": {"reason": "理由"}, "assign": {"lawyer": "lawyer-1"}, "close": OUTCOME,
               "follow-up": follow_up()}.get(action, {})
    who = "lawyer" if action == "close" and app["lawyer"] else "officer"
    return post(client, f"{URL}/{app['id']}/{action}", {"version": app["version"], **payload}, people[who])


def test_every_step_the_status_does_not_allow_is_a_409_that_names_the_status(client, people, submit, step):
    """L6: transitions are conditional writes; at each status, every other step is refused and changes nothing."""
    app = submit()
    for status, next_action in [("submitted", "accept"), ("accepted", "approve"), ("approved", "assign"),
                                ("assigned", "close"), ("closed", "follow-up"), ("followed_up", None)]:
        assert app["status"]["code"] == status
        for action in ALL_ACTIONS:
            if action in ALLOWED[status]:
                continue
            problem = assert_problem(_attempt(client, people, app, action), 409, "illegal_transition")
            assert problem["detail"].startswith(f"当前状态为「{app['status']['label']}」")
        if next_action:
            app = through(app, step, next_action)
    assert app["version"] == 6  # nothing refused was written
    rejected = through(submit(), step, "accept")
    rejected = ok(step(rejected, "reject", reason="不属于援助范围"))
    for action in ALL_ACTIONS:
        assert_problem(_attempt(client, people, rejected, action), 409, "illegal_transition")


def test_a_stale_version_is_a_409_and_changes_nothing(client, people, submit, step):
    app = submit()
    ok(step(app, "accept"))
    problem = assert_problem(step(app, "accept"), 409)
    assert problem["code"] in ("stale_version", "illegal_transition")
    stale = post(client, f"{URL}/{app['id']}/approve", {"version": app["version"]}, people["officer"])
    assert_problem(stale, 409, "stale_version")


def test_a_step_without_a_version_is_refused(client, people, submit):
    app = submit()
    assert_problem(post(client, f"{URL}/{app['id']}/accept", {}, people["officer"]), 400, "version_required")
    response = post(client, f"{URL}/{app['id']}/accept", {}, {**people["officer"], "If-Match": f'"{app["version"]}"'})
    assert response.status_code == 200


def test_officers_outside_the_area_and_other_roles_cannot_move_a_case(client, people, submit, step):
    app = submit()
    assert_problem(post(client, f"{URL}/{app['id']}/accept", {"version": 1}, people["other_officer"]), 404)
    assert_problem(post(client, f"{URL}/{app['id']}/accept", {"version": 1}, people["resident"]), 403,
                   "role_not_allowed")
    assert_problem(post(client, f"{URL}/{app['id']}/accept", {"version": 1}, people["lawyer"]), 403)


def test_an_ineligible_case_cannot_be_approved_until_an_officer_overrides_with_a_reason(client, people, submit, step):
    """L2: an officer may override the result only with a reason, recorded in the audit trail."""
    app = through(submit(matter_type="contract", categories=[]), step, "accept")
    assert app["effective_verdict"]["code"] == "ineligible"
    problem = assert_problem(step(app, "approve"), 409, "not_eligible")
    assert problem["errors"][0]["msg"].startswith("不符合条件：")
    missing = assert_problem(step(app, "eligibility-override", verdict="eligible"), 422)
    assert missing["errors"][0]["loc"] == ["body", "reason"]
    reason = "合同纠纷系追索农民工工资的变相形式，实质为劳动报酬"
    app = ok(step(app, "eligibility-override", verdict="eligible", reason=reason))
    assert app["effective_verdict"]["code"] == "eligible" and app["override"]["reason"] == reason
    assert app["eligibility"]["verdict"]["code"] == "ineligible"  # the computed result stays on record
    entry = [e for e in trail(app["id"]) if e["action"] == "override"][0]
    assert reason in entry["summary"] and entry["changes"]["verdict"] == {"from": "ineligible", "to": "eligible"}
    assert ok(step(app, "approve"))["status"]["code"] == "approved"
    own = body(client.get(f"{URL}/{app['id']}", headers=people["resident"]))
    assert own["override"]["by"] == "法律援助工作人员"


def test_the_result_cannot_be_overridden_after_the_decision(client, submit, step):
    app = through(submit(), step, "accept", "approve")
    assert_problem(step(app, "eligibility-override", verdict="ineligible", reason="复核"), 409, "illegal_transition")


def test_a_major_case_needs_a_pre_case_assessment_before_closing(clock, client, people, submit, step):
    """L6: quality steps for major/difficult cases (pre-case assessment, guidance, court attendance)."""
    app = through(submit(), step, "accept", "approve")
    assert_problem(step(app, "quality-steps", step="guidance", on=clock.day(), note="指导"), 409, "not_major")
    app = ok(step(app, "major", reason="涉及 40 名农民工，可能引发群体性事件"))
    app = through(app, step, "assign")
    assert [m["code"] for m in app["quality"]["missing"]] == ["pre_case_assessment", "guidance", "court_attendance"]
    assert_problem(step(app, "close", who="lawyer", **OUTCOME), 409, "quality_steps_missing")
    app = ok(step(app, "quality-steps", step="pre_case_assessment", on=clock.day(), note="集体评估，确定仲裁策略"))
    app = ok(step(app, "quality-steps", step="court_attendance", on=clock.day(), note="旁听仲裁庭审"))
    assert [m["code"] for m in app["quality"]["missing"]] == ["guidance"]
    assert ok(step(app, "close", who="lawyer", **OUTCOME))["status"]["code"] == "closed"
    future = assert_problem(step(submit(), "major", reason="x" * 3), 409)
    assert future["code"] == "illegal_transition"


def test_only_the_assigned_lawyer_closes_and_sees_the_case(client, people, submit, step):
    app = through(submit(), step, "accept", "approve", "assign")
    assert client.get(f"{URL}/{app['id']}", headers=people["lawyer"]).status_code == 200
    assert_problem(client.get(f"{URL}/{app['id']}", headers=people["lawyer2"]), 404)
    assert_problem(step(app, "close", who="lawyer2", **OUTCOME), 404)
    cases = body(client.get("/v1/legal-aid/assignments", headers=people["lawyer"]))["items"]
    assert [c["id"] for c in cases] == [app["id"]]
    app = ok(step(app, "close", who="lawyer", **OUTCOME))
    assert body(client.get("/v1/legal-aid/assignments", headers=people["lawyer"]))["items"] == []
    closed = body(client.get("/v1/legal-aid/assignments?state=closed", headers=people["lawyer"]))["items"]
    assert [c["id"] for c in closed] == [app["id"]]


def test_closing_needs_an_outcome_with_a_non_negative_amount(client, submit, step):
    app = through(submit(), step, "accept", "approve", "assign")
    problem = assert_problem(step(app, "close", who="lawyer", kind="won", amount_recovered="-5", summary="x y"), 422)
    assert problem["errors"][0]["loc"] == ["body", "amount_recovered"]
    problem = assert_problem(step(app, "close", who="lawyer", kind="vanished", amount_recovered="0", summary="x y"),
                             422)
    assert problem["errors"][0]["loc"] == ["body", "kind"]


def test_a_follow_up_cannot_be_dated_in_the_future(clock, client, submit, step):
    app = through(submit(), step, "accept", "approve", "assign", "close")
    problem = assert_problem(step(app, "follow-up", **follow_up(visited_on=clock.day(366 * 70))), 422)
    assert problem["errors"][0]["loc"] == ["body", "visited_on"]


def test_elderly_applicants_book_a_home_visit_and_others_cannot(clock, client, people, submit, step):
    """L6 / seeds/001 item 5: 对行动不便的老年人、残疾人、重病患者……提供预约上门服务."""
    from datetime import timedelta

    from chalicelib.platform.timeutil import today_shanghai
    from tests.plugins.legal_aid.conftest import id_number

    day = (today_shanghai() + timedelta(days=30)).isoformat()
    born = f"{clock.today.year - 84}0101"  # 84 on any day of the test clock's year
    elder = submit(applicant={"id_number": id_number(born=born), "rural": True}, matter_type="elder_support",
                   categories=[])
    assert elder["home_visit_eligible"]["met"] and elder["home_visit_eligible"]["reason"].startswith("老年人（84 周岁）")
    booked = ok(step(elder, "home-visit", who="resident", scheduled_at=f"{day}T09:30:00+08:00", note="行动不便"))
    assert booked["home_visit"]["scheduled_at"] == f"{day}T09:30:00+08:00"
    assert booked["timeline"][-1]["note"] == f"已预约上门服务：{day} 09:30"
    young = submit()
    assert_problem(step(young, "home-visit", who="resident", scheduled_at=f"{day}T09:30:00+08:00"), 409,
                   "home_visit_not_eligible")
    past = assert_problem(step(booked, "home-visit", scheduled_at=clock.at(-1)), 422)
    assert past["errors"][0]["loc"] == ["body", "scheduled_at"]
    assert_problem(step(booked, "home-visit", who="neighbour", scheduled_at=f"{day}T09:30:00+08:00"), 404)


# --- review fixes ---------------------------------------------------------------------------------

def test_assigning_anyone_but_an_active_lawyer_of_the_officer_s_area_is_a_422(client, people, submit, step):
    from chalicelib.domain.accounts import service as accounts
    from chalicelib.platform import storage
    from plugins.legal_aid.demo import seed_lawyer

    seed_lawyer(audit.SYSTEM, "lawyer-far", "远方律师", area="320404")
    storage.put_new(accounts.StaffAccount(sub="gw-staff", name="网格员", roles=["grid_worker"], area="320402"))
    storage.put_new(accounts.StaffAccount(sub="lawyer-gone", name="离职律师", roles=["lawyer"], area="320402",
                                          status="disabled"))
    app = through(submit(), step, "accept", "approve")
    for sub in ("anyone-at-all", "lawyer-far", "gw-staff", "lawyer-gone", "r-1"):
        problem = assert_problem(step(app, "assign", lawyer=sub), 422, "lawyer_not_found")
        assert problem["errors"][0]["loc"] == ["body", "lawyer"], sub
    assert ok(step(app, "assign", lawyer="lawyer-2"))["lawyer"] == "lawyer-2"


def test_a_home_visit_beyond_a_year_or_before_2000_is_a_422_not_a_500(client, submit, step):
    from tests.plugins.legal_aid.conftest import id_number

    elder = submit(applicant={"id_number": id_number(born="19420218")}, categories=[])
    for when in ("9999-12-31T23:00:00+00:00", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+08:00",
                 "1999-12-31T09:00:00+08:00"):
        problem = assert_problem(step(elder, "home-visit", who="resident", scheduled_at=when), 422)
        assert problem["errors"][0]["loc"] == ["body", "scheduled_at"], when
    problem = assert_problem(step(elder, "follow-up", **follow_up(visited_on="9999-12-31")), 422)
    assert problem["errors"][0]["loc"] == ["body", "visited_on"]


def test_more_than_the_cap_of_quality_steps_of_one_kind_is_a_409(clock, client, submit, step, monkeypatch):
    from plugins.legal_aid import workflow

    monkeypatch.setattr(workflow, "MAX_STEPS_PER_KIND", 2)
    app = ok(step(through(submit(), step, "accept", "approve"), "major", reason="涉及 40 名农民工"))
    for _ in range(2):
        app = ok(step(app, "quality-steps", step="guidance", on=clock.day(), note="随案指导"))
    assert_problem(step(app, "quality-steps", step="guidance", on=clock.day(), note="随案指导"), 409, "too_many_steps")
    assert ok(step(app, "quality-steps", step="pre_case_assessment", on=clock.day(), note="评估"))
