"""CONTRACT "Identity and access" (a resident's request on a need-to-know basis), SPEC C5 (首问负责制) and C6,
issue "reliability" defect 9: staff of the area are not all readers of a ticket. While nobody holds it, the
receivers of its area (intake.models.RECEIVERS) and its admins read it and may take it; once held, its
resident, its owner, the staff of the service it was routed to (the target's `handled_by`), the grid's own
worker and the area's admins. Ratings, rectification tasks and the suggestion box go to the unit concerned
and its supervisors. Everyone else gets the 404 of an unknown record, in lists too."""
from __future__ import annotations

import pytest

from chalicelib.domain.intake.models import RECEIVERS
from tests.core.test_intake import GRID, ask, desk, step  # noqa: F401  (desk is a fixture)
from tests.core.test_intake_feedback import BAD, declare_real_name, rate
from tests.helpers import assert_problem, ok, post

OTHER_STAFF = ("notary", "appraiser", "publicist", "corrections_officer")


@pytest.fixture
def staff(token):
    """One account of every staff role at 天宁区, one of the grid itself, and a mediator of the next district."""
    return {
        **{role: token(f"{role}-1", role, area="320402") for role in [*RECEIVERS, *OTHER_STAFF, "admin"]},
        "lawyer": token("lawyer-1", "lawyer", area="320402001"),        # the lawyer on duty at the grid's town
        "district lawyer": token("lawyer-9", "lawyer", area="320402"),
        "grid's worker": token("gw-grid", "grid_worker", area=GRID),
        "mediator elsewhere": token("mediator-9", "mediator", area="320404"),
    }


def area_codes(client, headers, bucket):
    """The codes the caller's own area list shows."""
    return [t["code"] for t in ok(client.get(f"/v1/tickets/area?bucket={bucket}", headers=headers))["items"]]


def test_the_receivers_are_declared_once_as_data():
    assert RECEIVERS == {"grid_worker", "lawyer", "legal_aid_officer", "mediator"}


def test_an_unheld_request_is_read_and_taken_only_by_the_area_s_receivers_and_admins(client, desk, staff):
    ticket = ok(ask(client, desk["resident"]), 201)
    path = f"/v1/tickets/{ticket['code']}"
    for role in OTHER_STAFF:
        assert_problem(client.get(path, headers=staff[role]), 404, "ticket_not_found")
        assert_problem(step(client, staff[role], ticket["code"], "accept", version=ticket["version"]), 404)
        assert ticket["code"] not in area_codes(client, staff[role], "unrouted")
    for role in [*RECEIVERS, "admin"]:
        assert ok(client.get(path, headers=staff[role]))["text"] == ticket["text"]
        assert ticket["code"] in area_codes(client, staff[role], "unrouted")
    assert_problem(client.get(path, headers=staff["mediator elsewhere"]), 404)
    assert_problem(client.get(path, headers=staff["district lawyer"]), 404)   # models.RECEIVER_MIN_AREA
    assert ticket["code"] not in area_codes(client, staff["district lawyer"], "unrouted")
    ok(step(client, staff["lawyer"], ticket["code"], "accept", version=ticket["version"]))


def test_a_lawyer_receives_a_grid_s_requests_only_at_its_town_or_below():
    """Intake decides it simply (models.RECEIVER_MIN_AREA): the lawyer on duty whose area is the grid, its
    village or its town/street receives; a lawyer of the district or the city does not."""
    from chalicelib.domain.intake import access
    from chalicelib.platform.auth import Caller

    def lawyer(area):
        return Caller(sub="l", roles=frozenset({"lawyer"}), area=area)

    assert [access.receives(lawyer(a), GRID) for a in (GRID, GRID[:12], GRID[:9], GRID[:6], GRID[:4])] == [
        True, True, True, False, False]
    assert access.receives(Caller(sub="m", roles=frozenset({"mediator"}), area="3204"), GRID)


def test_once_held_a_ticket_is_read_by_its_owner_routed_service_grid_worker_and_admins_only(client, desk, staff):
    ticket = ok(ask(client, desk["resident"]), 201)
    code, path = ticket["code"], f"/v1/tickets/{ticket['code']}"
    accepted = ok(step(client, desk["worker"], code, "accept", version=ticket["version"]))
    readers = ("grid's worker", "admin")
    for who in [*RECEIVERS, *OTHER_STAFF]:
        assert_problem(client.get(path, headers=staff[who]), 404, "ticket_not_found")
        assert code not in area_codes(client, staff[who], "unrouted")
    assert_problem(client.get(path, headers=desk["colleague"]), 404)
    for who in readers:
        assert ok(client.get(path, headers=staff[who]))["owner"] == "gw-1"
        assert_problem(step(client, staff[who], code, "answer", {"answer": "已答复"}, accepted["version"]), 403,
                       "not_owner")
    ok(step(client, desk["worker"], code, "route", {"target": "test_case"}, accepted["version"]))
    assert ok(client.get(path, headers=staff["mediator"]))["case"]["target"] == "test_case"
    assert code in area_codes(client, staff["mediator"], "routed")
    for who in ("lawyer", "legal_aid_officer", "notary", "mediator elsewhere"):
        assert_problem(client.get(path, headers=staff[who]), 404)
    assert code not in area_codes(client, staff["lawyer"], "routed")
    assert ok(client.get(path, headers=desk["resident"]))["code"] == code


def test_a_rating_and_its_task_go_to_the_staff_rated_and_the_admins_above_not_to_other_staff(
        client, desk, staff, token):
    ticket = ok(ask(client, desk["resident"]), 201)
    answered = ok(step(client, desk["worker"], ticket["code"], "accept", version=ticket["version"]))
    ok(step(client, desk["worker"], ticket["code"], "answer", {"answer": "已当场答复"}, answered["version"]))
    rating = ok(rate(client, desk["resident"], ticket["code"], BAD, comment="态度很差"), 201)
    path = f"/v1/feedback/ratings/{ticket['code']}"
    for who in ("notary", "corrections_officer", "grid's worker", "mediator"):
        assert_problem(client.get(path, headers=staff[who]), 404, "rating_not_found")
        assert ok(client.get("/v1/feedback/rectifications", headers=staff[who]))["items"] == []
        assert_problem(post(client, f"/v1/feedback/rectifications/{ticket['code']}/callback", {"note": "电话回访"},
                            {**staff[who], "If-Match": str(rating["rectification"]["version"])}), 404)
    for who in (desk["worker"], staff["admin"], token("admin-cz", "admin", area="3204")):
        assert ok(client.get(path, headers=who))["comment"] == "态度很差"
        assert [t["ticket"] for t in ok(client.get("/v1/feedback/rectifications", headers=who))["items"]
                ] == [ticket["code"]]


def test_a_complaint_goes_to_the_admins_of_its_area_not_to_the_staff_of_the_grid(client, desk, staff, clock):
    declare_real_name("resident-1")
    sent = ok(post(client, "/v1/feedback/messages",
                   {"kind": "complaint", "area": "320402001", "text": "网格员上门时态度生硬"}, desk["resident"]), 201)
    path = f"/v1/feedback/messages/{sent['id']}"
    for who in ("grid's worker", "notary", "legal_aid_officer"):
        assert_problem(client.get(path, headers=staff[who]), 404, "message_not_found")
        assert_problem(client.get("/v1/feedback/messages?area=320402", headers=staff[who]), 403)
        assert_problem(post(client, f"{path}/reply", {"reply": "已约谈相关人员并致歉"}, {**staff[who], "If-Match": "1"}), 403)
    assert ok(client.get(path, headers=staff["admin"]))["text"] == "网格员上门时态度生硬"
    assert [m["id"] for m in ok(client.get("/v1/feedback/messages?area=320402", headers=staff["admin"]))["items"]
            ] == [sent["id"]]
