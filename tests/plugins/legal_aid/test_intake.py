"""Legal aid as an intake target (SPEC C5, L1): a ticket routed to legal aid opens a referral, and the
resident's ticket follows the application they submit after it, to its result."""
from __future__ import annotations

from tests.helpers import ok, post
from tests.plugins.legal_aid.conftest import GRID
from tests.plugins.legal_aid.test_workflow import through


def test_a_ticket_routed_to_legal_aid_follows_the_application_to_its_result(client, people, submit, step):
    question = {"channel": "mini_program", "grid": GRID, "category": "legal_aid",
                "text": "老板拖欠四个月工资，能不能申请法律援助？"}
    ticket = ok(post(client, "/v1/tickets", question, people["resident"]), 201)
    routed = ok(post(client, f"/v1/tickets/{ticket['code']}/route", {"target": "legal_aid_referral"},
                     {**people["grid_worker"], "If-Match": str(ticket["version"])}))
    assert routed["case"]["service"] == "legal-aid" and routed["case"]["entity"] == "legal-aid-referral"
    assert routed["progress"]["status"].startswith("已转法律援助中心") and not routed["progress"]["closed"]

    app = submit()
    seen = ok(client.get(f"/v1/tickets/{ticket['code']}", headers=people["resident"]))
    assert seen["progress"] == {"status": "法律援助申请已提交", "closed": False, "result": None}

    through(app, step, "accept", "approve", "assign", "close")
    seen = ok(client.get(f"/v1/tickets/{ticket['code']}", headers=people["resident"]))
    assert seen["progress"]["closed"] and "老板当场支付工资" in seen["progress"]["result"]
    closed = ok(post(client, f"/v1/tickets/{ticket['code']}/close", {},
                     {**people["grid_worker"], "If-Match": str(seen["version"])}))
    assert closed["status"] == "closed" and "调解结案" not in closed["answer"]   # the worker reads no outcome
    assert "调解结案" in ok(client.get(f"/v1/tickets/{ticket['code']}", headers=people["resident"]))["answer"]
