"""CONTRACT "Identity and access" (a resident's request on a need-to-know basis), SPEC C5/L1: a ticket
routed to legal aid is read, like the application it leads to, by the legal-aid officers of its area and
the ASSIGNED lawyer (the plugin's `holds` hook) — not by every lawyer of the district; its attachments
follow; the legal-aid outcome on the ticket goes only to those who may read the case; every staff read of
the ticket is audited."""
from __future__ import annotations

from chalicelib.platform import audit
from tests.helpers import assert_problem, ok, post
from tests.plugins.legal_aid.conftest import GRID
from tests.plugins.legal_aid.test_workflow import through


def test_only_the_assigned_lawyer_reads_a_routed_ticket_and_only_case_readers_its_outcome(
        client, people, submit, step):
    question = {"channel": "mini_program", "grid": GRID, "category": "legal_aid",
                "text": "老板拖欠四个月工资，能不能申请法律援助？"}
    ticket = ok(post(client, "/v1/tickets", question, people["resident"]), 201)
    code, path = ticket["code"], f"/v1/tickets/{ticket['code']}"
    ok(post(client, f"{path}/route", {"target": "legal_aid_referral"},
            {**people["grid_worker"], "If-Match": str(ticket["version"])}))
    app = through(submit(), step, "accept", "approve", "assign", "close")   # assigned to lawyer-1
    attachment = {"title": "欠条.png", "kind": "attachment", "area": GRID, "content_type": "image/png",
                  "size_bytes": 10, "sha256": "0" * 64, "linked_record": f"intake-ticket:{code}"}

    # lawyer-2, of the district, holds neither the application nor the ticket, nor its files
    assert_problem(client.get(f"/v1/legal-aid/applications/{app['id']}", headers=people["lawyer2"]), 404)
    assert_problem(client.get(path, headers=people["lawyer2"]), 404, "ticket_not_found")
    assert_problem(post(client, "/v1/files", attachment, people["lawyer2"]), 404)
    assert_problem(client.get(f"/v1/files?linked_record=intake-ticket:{code}", headers=people["lawyer2"]), 404)

    # the assigned lawyer and the district's officer read it with the outcome, as the resident does
    for who in ("lawyer", "officer", "resident"):
        seen = ok(client.get(path, headers=people[who]))
        assert seen["progress"]["closed"] and "调解结案" in seen["progress"]["result"], who
    ok(client.get(f"/v1/files?linked_record=intake-ticket:{code}", headers=people["lawyer"]))

    # the grid's worker (its first receiver) sees that the case ended, not how
    seen = ok(client.get(path, headers=people["grid_worker"]))
    assert seen["progress"]["closed"] and seen["progress"]["result"] is None
    closed = ok(post(client, f"{path}/close", {}, {**people["grid_worker"], "If-Match": str(seen["version"])}))
    assert "调解结案" not in closed["answer"]
    assert "调解结案" not in ok(client.get(path, headers=people["grid_worker"]))["answer"]
    assert "调解结案" in ok(client.get(path, headers=people["lawyer"]))["answer"]
    assert "调解结案" in ok(client.get(path, headers=people["resident"]))["answer"]

    reads = [e["actor"] for e in audit.trail("intake-ticket", code, limit=50).items if e["action"] == "read"]
    assert sorted(set(reads)) == ["gw-1", "lawyer-1", "officer-1"]


def test_a_district_lawyer_receives_no_request_of_a_grid_and_the_town_s_lawyer_does(client, people, token, world):
    question = {"channel": "mini_program", "grid": GRID, "category": "legal_aid", "text": "想咨询工资被拖欠怎么办"}
    ticket = ok(post(client, "/v1/tickets", question, people["resident"]), 201)
    assert_problem(client.get(f"/v1/tickets/{ticket['code']}", headers=people["lawyer2"]), 404)
    on_duty = token("lawyer-town", "lawyer", area="320402001")
    assert ok(client.get(f"/v1/tickets/{ticket['code']}", headers=on_duty))["text"] == question["text"]
