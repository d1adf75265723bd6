"""Issue 10 "Done when", walked over HTTP as a new user would (SPEC C5, C6): a resident asks a question and
the grid worker answers it on the spot; a second question goes to the legal-aid desk (a stand-in declaring
the intake target, so the core needs no plugin) whose outcome shows on the resident's ticket; the fake
WeChat server shows the messages the resident received at the four stages; the resident rates 不满意 and
the area's rectification task appears with its deadline; a ticket left past its limit shows as overdue.
Also: files attached to a ticket are listed to its resident and the staff holding it, nobody else."""
from __future__ import annotations

import json
import os
import urllib.request
from datetime import date, timedelta

from chalicelib.domain.intake import service as intake
from chalicelib.domain.notify import service as notify
from tests.core.test_files import available
from tests.core.test_notify import RESULTS, TEMPLATES, accept, ask, desk, resident, step, wechat  # noqa: F401
from tests.helpers import assert_problem, ok, post
from chalicelib import plugin

DISSATISFIED = {"attitude": "dissatisfied", "efficiency": "dissatisfied", "competence": "basically_satisfied"}


def shown_on_fake(touser: str) -> list[dict]:
    """What a tester reads from the fake server (GET /fake/messages), as after `make dev`."""
    with urllib.request.urlopen(f"{os.environ['WECHAT_API_BASE']}/fake/messages?touser={touser}") as response:
        return json.loads(response.read())["messages"]


def test_the_resident_follows_two_questions_to_the_end_and_a_bad_rating_opens_rectification(client, desk, token):
    alice = resident(client, "alice")
    worker = desk["worker"]

    # 1. A question answered on the spot (前台办结).
    accept(client, alice, "received", "answered")
    first = ask(client, alice)
    step(client, worker, first["code"], "answer", {"answer": "楼道属于共有部分，可先请物业和社区调解。"}, first["version"])

    # 2. A question routed to legal aid; the desk's outcome shows on the resident's ticket, then it is closed.
    accept(client, alice, "received", "routed", "closed")
    second = ask(client, alice)
    code = second["code"]
    routed = step(client, worker, code, "route", {"target": "test_case", "note": "涉及欠薪，转法律援助"},
                  second["version"])
    RESULTS[code] = plugin.CaseProgress(status="已指派律师", closed=True, result="符合法律援助条件，已指派律师代理讨薪。")
    mine = ok(client.get(f"/v1/tickets/{code}", headers=alice))
    assert mine["progress"]["result"] == "符合法律援助条件，已指派律师代理讨薪。"
    step(client, worker, code, "close", {}, routed["version"])
    assert ok(client.get(f"/v1/tickets/{code}", headers=alice))["answer"] == "符合法律援助条件，已指派律师代理讨薪。"

    # 3. The messages the resident received, as the fake WeChat server shows them.
    notify.relay()
    received = shown_on_fake("fake-openid-alice")
    assert [m["data"]["phrase3"] for m in received] == ["已受理", "已答复", "已受理", "已转办", "已办结"]
    assert {m["template_id"] for m in received} == set(TEMPLATES.values())  # all four stages

    # 4. 不满意 opens the area's rectification task with its deadline.
    rating = ok(post(client, "/v1/feedback/ratings", {"ticket": code, **DISSATISFIED}, alice), 201)
    assert rating["overall"] == "dissatisfied" and rating["rectification"]["status"] == "open"
    tasks = ok(client.get("/v1/feedback/rectifications", headers=worker))["items"]
    assert [t["ticket"] for t in tasks] == [code] and tasks[0]["rectify_due"]


def test_a_ticket_left_past_its_limit_shows_in_the_overdue_lists(client, desk, clock):
    bob = resident(client, "bob")
    with clock.travel(days=-10):
        old = ask(client, bob)
        accepted = ok(post(client, f"/v1/tickets/{old['code']}/accept", {},
                           {**desk["worker"], "If-Match": str(old["version"])}))
    # The daily sweep (its schedule is another issue's) run the day after the limit ended.
    assert intake.sweep_overdue(date.fromisoformat(old["due_on"]) + timedelta(days=1)) == 1
    overdue = ok(client.get("/v1/tickets/area?bucket=overdue", headers=desk["worker"]))["items"]
    assert [t["code"] for t in overdue] == [old["code"]] and overdue[0]["overdue"]
    held = ok(client.get("/v1/tickets/held?window=overdue", headers=desk["worker"]))["items"]
    assert [t["code"] for t in held] == [accepted["code"]]


def test_attachments_of_a_ticket_are_listed_to_its_resident_and_the_staff_holding_it_only(client, desk, token):
    carol = resident(client, "carol")
    ticket = ask(client, carol)
    linked = f"intake-ticket:{ticket['code']}"
    attached = available(client, carol, linked_record=linked)
    path = f"/v1/files?linked_record={linked}"
    assert [f["id"] for f in ok(client.get(path, headers=carol))["items"]] == [attached["id"]]
    assert [f["id"] for f in ok(client.get(path, headers=desk["worker"]))["items"]] == [attached["id"]]
    assert_problem(client.get(path, headers=token("r-stranger")), 404)
    assert_problem(client.get(path, headers=token("gw-9", "grid_worker", area="320404")), 404)
    assert_problem(client.get("/v1/files?linked_record=no-such-entity:1", headers=carol), 422)


def test_demo_tickets_stand_in_each_state_at_fixed_codes_and_load_twice_without_change(client, desk, clock):
    from chalicelib.domain.areas.models import Area
    from chalicelib.domain.intake import demo
    from chalicelib.platform import storage

    storage.put_new(Area(code="320402001002", name="第二村", level="village", parent="320402001"))
    storage.put_new(Area(code="320402001002001", name="第一网格", level="grid", parent="320402001002"))
    storage.put_new(Area(code="320402001001002", name="第二网格", level="grid", parent="320402001001"))
    assert demo.load() == {"tickets": 5}
    yymm = clock.today.strftime("%y%m")
    worker = desk["worker"]
    states = {n: ok(client.get(f"/v1/tickets/FW-320402-{yymm}-{n}", headers=worker)) for n in range(9001, 9006)}
    assert [t["status"] for t in states.values()] == ["received", "accepted", "closed", "routed", "accepted"]
    assert states[9005]["overdue"] and states[9004]["case"] is not None
    assert demo.load() == {"tickets": 0}
    assert ok(client.get(f"/v1/tickets/FW-320402-{yymm}-9001", headers=worker))["version"] == states[9001]["version"]
