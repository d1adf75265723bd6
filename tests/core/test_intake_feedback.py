"""SPEC C6 好差评: a resident rates their closed ticket on the five national levels (GB/T 39734-2020); a bad
rating opens the area's rectification task with its deadlines; the rated staff member may appeal, the area's
supervisor decides; per area and month the satisfaction, callback and on-time rectification rates."""
from __future__ import annotations

from datetime import date

import pytest

from tests.core.test_intake import _pin, ask, desk, step  # noqa: F401  (desk is a fixture)
from tests.helpers import assert_problem, ok, post

GOOD = {"attitude": "very_satisfied", "efficiency": "satisfied", "competence": "satisfied"}
BAD = {"attitude": "satisfied", "efficiency": "dissatisfied", "competence": "basically_satisfied"}


@pytest.fixture
def closed(client, desk):
    """A resident's question answered on the spot by gw-1: its code."""
    def make(who="resident"):
        ticket = ok(ask(client, desk[who]), 201)
        ok(step(client, desk["worker"], ticket["code"], "answer", {"answer": "已当场答复"}, ticket["version"]))
        return ticket["code"]
    return make


def rate(client, headers, code, levels, **more):
    return post(client, "/v1/feedback/ratings", {"ticket": code, **levels, **more}, headers)


def test_a_good_rating_closes_the_loop_without_a_task(client, desk, closed):
    rating = ok(rate(client, desk["resident"], closed(), GOOD, comment="很耐心"), 201)
    assert rating["overall"] == "satisfied" and rating["overall_title"] == "满意"
    assert rating["rectification"] is None


def test_a_bad_rating_opens_a_rectification_task_with_working_day_deadlines(client, desk, closed):
    _pin(date(2026, 9, 30))  # National Day follows: callback 3 working days → Sat 10 Oct (调休); rectify 15
    code = closed()
    rating = ok(rate(client, desk["resident"], code, BAD), 201)
    task = rating["rectification"]
    assert rating["overall"] == "dissatisfied"
    assert task["status"] == "open" and task["callback_due"] == "2026-10-10" and task["rectify_due"] == "2026-10-27"
    listed = ok(client.get("/v1/feedback/rectifications", headers=desk["supervisor"]))
    assert [t["ticket"] for t in listed["items"]] == [code]

    called = ok(post(client, f"/v1/feedback/rectifications/{code}/callback", {"note": "电话回访，解释答复依据"},
                     {**desk["worker"], "If-Match": str(task["version"])}))
    done = ok(post(client, f"/v1/feedback/rectifications/{code}/rectify", {"note": "补充书面答复"},
                   {**desk["worker"], "If-Match": str(called["version"])}))
    assert done["status"] == "rectified"
    assert ok(client.get(f"/v1/feedback/ratings/{code}", headers=desk["resident"]))["rectification"]["status"] == "rectified"
    assert ok(client.get("/v1/feedback/rectifications", headers=desk["supervisor"]))["items"] == []

    stats = ok(client.get("/v1/feedback/stats?month=2026-09", headers=desk["supervisor"]))
    assert stats["ratings"] == 1 and stats["satisfaction_rate"] == 0.0
    assert stats["callback_rate"] == 1.0 and stats["rectification_on_time_rate"] == 1.0


def test_rating_a_ticket_not_closed_or_twice_is_409(client, desk, closed):
    open_ticket = ok(ask(client, desk["resident"]), 201)["code"]
    assert_problem(rate(client, desk["resident"], open_ticket, GOOD), 409, "ticket_not_closed")
    code = closed()
    ok(rate(client, desk["resident"], code, GOOD), 201)
    assert_problem(rate(client, desk["resident"], code, BAD), 409, "already_rated")


def test_rating_anothers_ticket_is_404_and_so_is_reading_its_rating(client, desk, closed):
    code = closed()
    assert_problem(rate(client, desk["neighbour"], code, GOOD), 404, "ticket_not_found")
    ok(rate(client, desk["resident"], code, GOOD), 201)
    assert_problem(client.get(f"/v1/feedback/ratings/{code}", headers=desk["neighbour"]), 404)
    assert_problem(client.get(f"/v1/feedback/ratings/{code}", headers=desk["stranger"]), 404)


def test_an_upheld_appeal_takes_the_rating_out_of_the_figures_and_withdraws_the_task(client, desk, closed, token, clock):
    code = closed()
    rating = ok(rate(client, desk["resident"], code, BAD), 201)
    assert_problem(post(client, f"/v1/feedback/ratings/{code}/appeal", {"reason": "答复符合规定，属误评"},
                        {**desk["supervisor"], "If-Match": str(rating["version"])}), 403, "not_rated_staff")
    appealed = ok(post(client, f"/v1/feedback/ratings/{code}/appeal", {"reason": "答复符合规定，属误评"},
                       {**desk["worker"], "If-Match": str(rating["version"])}))
    assert appealed["appeal"]["status"] == "pending"
    supervisor = token("admin-1", "admin", area="320402")
    decided = ok(post(client, f"/v1/feedback/ratings/{code}/decision", {"uphold": True, "reason": "经核实答复无误"},
                      {**supervisor, "If-Match": str(appealed["version"])}))
    assert decided["excluded"] and decided["rectification"]["status"] == "withdrawn"
    stats = ok(client.get(f"/v1/feedback/stats?month={clock.month()}", headers=desk["supervisor"]))
    assert stats["ratings"] == 0 and stats["bad"] == 0
    assert_problem(post(client, f"/v1/feedback/ratings/{code}/decision", {"uphold": False, "reason": "再次裁决"},
                        {**supervisor, "If-Match": str(decided["version"])}), 409, "no_pending_appeal")


def test_a_good_rating_cannot_be_appealed(client, desk, closed):
    code = closed()
    rating = ok(rate(client, desk["resident"], code, GOOD), 201)
    assert_problem(post(client, f"/v1/feedback/ratings/{code}/appeal", {"reason": "不应该这样评"},
                        {**desk["worker"], "If-Match": str(rating["version"])}), 409, "not_bad_rating")


def test_bad_levels_are_422_naming_each_field(client, desk, closed):
    problem = assert_problem(rate(client, desk["resident"], closed(), {"attitude": "好", "efficiency": "satisfied"}), 422)
    assert {tuple(e["loc"]) for e in problem["errors"]} == {("body", "attitude"), ("body", "competence")}


# --- the suggestion box 意见箱「解忧法空间」 ----------------------------------------------------------------

def declare_real_name(sub: str) -> None:
    from chalicelib.domain.accounts.models import Resident
    from chalicelib.platform import storage

    storage.put_new(Resident(sub=sub, real_name_status="declared"))


def test_a_real_name_complaint_goes_to_the_area_and_is_replied_within_its_limit(client, desk, clock):
    declare_real_name("resident-1")
    sent = ok(post(client, "/v1/feedback/messages",
                   {"kind": "complaint", "area": "320402001", "text": "窗口工作人员态度生硬，反复让我跑腿"},
                   desk["resident"]), 201)
    assert sent["anonymous"] is False and "15 工作日" in sent["basis"]
    waiting = ok(client.get("/v1/feedback/messages", headers=desk["supervisor"]))
    assert [m["id"] for m in waiting["items"]] == [sent["id"]]
    replied = ok(post(client, f"/v1/feedback/messages/{sent['id']}/reply", {"reply": "已约谈窗口人员并致歉，改为一次告知"},
                      {**desk["supervisor"], "If-Match": str(sent["version"])}))
    assert ok(client.get(f"/v1/feedback/messages/{sent['id']}", headers=desk["resident"]))["reply"] == replied["reply"]
    assert ok(client.get("/v1/feedback/messages", headers=desk["supervisor"]))["items"] == []
    counts = ok(client.get(f"/v1/feedback/messages/counts?month={clock.month()}", headers=desk["supervisor"]))
    assert (counts["complaints"], counts["suggestions"], counts["replied_on_time"]) == (1, 0, 1)


def test_a_complaint_needs_a_declared_real_name_and_cannot_be_anonymous(client, desk):
    payload = {"kind": "complaint", "area": "320402001", "text": "投诉窗口服务"}
    assert_problem(post(client, "/v1/feedback/messages", payload, desk["resident"]), 409, "real_name_required")
    problem = assert_problem(post(client, "/v1/feedback/messages", {**payload, "anonymous": True}, desk["resident"]), 422)
    assert problem["errors"][0]["loc"] == ["body", "anonymous"]


def test_an_anonymous_suggestion_keeps_no_author_and_strangers_cannot_read_messages(client, desk):
    sent = ok(post(client, "/v1/feedback/messages",
                   {"kind": "suggestion", "area": "320402", "text": "建议周末也开放法律咨询", "anonymous": True},
                   desk["resident"]), 201)
    from chalicelib.platform import storage
    from chalicelib.platform.storage import keys

    assert "author" not in storage.get(**keys.record("feedback-message", sent["id"]))
    assert_problem(client.get(f"/v1/feedback/messages/{sent['id']}", headers=desk["resident"]), 404)
    assert_problem(client.get(f"/v1/feedback/messages/{sent['id']}", headers=desk["stranger"]), 404)
    assert_problem(post(client, "/v1/feedback/messages", {"kind": "suggestion", "area": "320402999", "text": "建议增加夜间咨询"},
                        desk["resident"]), 422, "area_not_found")


def test_a_retried_rating_shows_the_rating_and_its_task_again(client, desk, closed):
    """CONTRACT idempotency: the same key and body replay the first rating with its rectification task."""
    code = closed()
    keyed = {**desk["resident"], "Idempotency-Key": "rating-0001"}
    first = rate(client, keyed, code, BAD)
    again = rate(client, keyed, code, BAD)
    assert first.status_code == again.status_code == 201
    assert again.body == first.body and again.headers["Idempotent-Replayed"] == "true"
    assert ok(first, 201)["rectification"]["status"] == "open"


def _by_the_lists(area: str, month: str) -> dict:
    """The figures as they were counted before the tally: from the month's two lists, on the day asked."""
    from chalicelib.domain.feedback.models import BAD as BAD_LEVELS, Rating, Rectification
    from chalicelib.platform import storage
    from chalicelib.platform.timeutil import today_shanghai

    ratings = [r for r in map(Rating.from_item, storage.every(Rating, "feedback-rating-month", (area, month)))
               if not r.excluded]
    tasks = [t for t in map(Rectification.from_item, storage.every(
        Rectification, "feedback-rectification-month", (area, month))) if t.status != "withdrawn"]
    due = [t for t in tasks if t.rectified_on or t.rectify_due < today_shanghai()]
    return {"ratings": len(ratings), "satisfied": sum(1 for r in ratings if r.overall not in BAD_LEVELS),
            "bad": len(tasks), "called_back_on_time": sum(1 for t in tasks if t.callback_on and t.callback_on <= t.callback_due),
            "rectifications_due": len(due),
            "rectified_on_time": sum(1 for t in due if t.rectified_on and t.rectified_on <= t.rectify_due)}


def test_the_month_s_figures_are_one_read_of_a_tally_kept_by_each_rating_appeal_and_task_step(client, desk, closed,
                                                                                             token):
    """CONTRACT (Data): the counts are kept in the transactions of the ratings, the appeal's decision and the
    task's steps, and give what the month's two lists give, on any day asked — a task past its deadline
    counts as due from the day after it."""
    from tests.helpers import calls_during

    _pin(date(2026, 9, 30))
    codes = [closed() for _ in range(5)]
    ok(rate(client, desk["resident"], codes[0], GOOD), 201)
    tasks = [ok(rate(client, desk["resident"], code, BAD), 201) for code in codes[1:]]
    late, done, withdrawn, called = tasks
    headers = {**desk["worker"], "If-Match": str(done["rectification"]["version"])}
    done = ok(post(client, f"/v1/feedback/rectifications/{codes[2]}/callback", {"note": "电话回访"}, headers))
    ok(post(client, f"/v1/feedback/rectifications/{codes[2]}/rectify", {"note": "书面答复"},
            {**desk["worker"], "If-Match": str(done["version"])}))
    appealed = ok(post(client, f"/v1/feedback/ratings/{codes[3]}/appeal", {"reason": "答复符合规定，属误评"},
                       {**desk["worker"], "If-Match": str(withdrawn["version"])}))
    ok(post(client, f"/v1/feedback/ratings/{codes[3]}/decision", {"uphold": True, "reason": "经核实答复无误"},
            {**token("admin-1", "admin", area="320402"), "If-Match": str(appealed["version"])}))

    def figures(area: str = "") -> dict:
        query = f"&area={area}" if area else ""
        out = ok(client.get(f"/v1/feedback/stats?month=2026-09{query}", headers=desk["supervisor"]))
        return {k: out[k] for k in ("ratings", "satisfied", "bad", "called_back_on_time", "rectifications_due",
                                    "rectified_on_time")}

    area = ok(client.get("/v1/feedback/stats?month=2026-09", headers=desk["supervisor"]))["area"]
    assert figures() == _by_the_lists(area, "2026-09") == {
        "ratings": 4, "satisfied": 1, "bad": 3, "called_back_on_time": 1, "rectifications_due": 1,
        "rectified_on_time": 1}
    _pin(date(2026, 10, 28))  # the day after the rectification deadline (2026-10-27): two tasks are late
    ok(post(client, f"/v1/feedback/rectifications/{codes[4]}/callback", {"note": "迟到的回访"},
            {**desk["worker"], "If-Match": str(called["rectification"]["version"])}))
    assert figures() == _by_the_lists(area, "2026-09") == {
        "ratings": 4, "satisfied": 1, "bad": 3, "called_back_on_time": 1, "rectifications_due": 3,
        "rectified_on_time": 1}
    assert figures("320402") == _by_the_lists("320402", "2026-09")
    assert calls_during(lambda: figures()) == ["GetItem"]
