"""SPEC S3: legal services asked for during a visit go through an intake ticket (SPEC C5). The grid worker
records it on the person's behalf (channel 网格走访, owned by them as first receiver); the visit's help
shows the ticket's code and its status as it moves; the ticket never says why the person is visited."""
from __future__ import annotations

from plugins.special_populations.demo import fictional_id
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.special_populations.test_access import put
from tests.plugins.special_populations.test_records import person_in

PEOPLE = "/v1/special-populations/people"
NEED = "想咨询劳动合同到期不续签能否要求经济补偿"


def visit_with_legal_help(client, who, clock, person, **headers):
    return post(client, f"{PEOPLE}/{person['id']}/visits", {
        "day": clock.day(0), "situation": "在物流公司上班", "help": [{"kind": "legal_services", "need": NEED}]},
        {**who["assigned grid worker"], **headers})


def test_a_legal_services_need_opens_a_ticket_for_the_person_owned_by_the_grid_worker(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    visit = ok(visit_with_legal_help(client, who, clock, person), 201)
    [help] = visit["help"]
    assert help["ticket"].startswith("FW-320402-") and help["status"] == "referred"
    assert help["ticket_status"] == "已受理，正在办理"
    ticket = body(client.get(f"/v1/tickets/{help['ticket']}", headers=who["assigned grid worker"]))
    assert ticket["channel"] == "grid_visit" and ticket["category"] == "consultation"
    assert ticket["owner"] == "gw-1" and ticket["person_name"] == person["name"]
    assert ticket["phone_masked"] == "139****5678" and NEED in ticket["text"]
    assert "安置帮教" not in ticket["text"] and "特殊人群" not in ticket["text"]


def test_the_visit_shows_the_tickets_status_as_it_moves(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    code = ok(visit_with_legal_help(client, who, clock, person), 201)["help"][0]["ticket"]
    ticket = body(client.get(f"/v1/tickets/{code}", headers=who["assigned grid worker"]))
    ok(post(client, f"/v1/tickets/{code}/answer", {"answer": "可以要求经济补偿，已告知申请劳动仲裁的途径。"},
            {**who["assigned grid worker"], "If-Match": str(ticket["version"])}))
    [listed] = body(client.get(f"{PEOPLE}/{person['id']}/visits", headers=who["district officer"]))["items"]
    assert listed["help"][0]["ticket"] == code and listed["help"][0]["ticket_status"] == "已办结"


def test_a_need_in_words_and_a_phone_are_required_and_nothing_is_written_without_them(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    url = f"{PEOPLE}/{person['id']}/visits"
    problem = assert_problem(post(client, url, {"day": clock.day(0), "situation": "正常",
                                                "help": [{"kind": "legal_services"}]}, who["assigned grid worker"]),
                             422, "legal_services_incomplete")
    assert problem["errors"][0]["loc"] == ["body", "help", 0, "need"]
    silent = ok(post(client, PEOPLE, person_in(clock, id_number=fictional_id("19900101", "021"), phone=None),
                     who["district officer"]), 201)
    problem = assert_problem(visit_with_legal_help(client, who, clock, silent), 422, "legal_services_incomplete")
    assert problem["errors"][0]["loc"] == ["body", "help", 0, "kind"] and "电话" in problem["errors"][0]["msg"]
    for someone in (person, silent):
        assert body(client.get(f"{PEOPLE}/{someone['id']}/visits", headers=who["district officer"]))["items"] == []


def test_updating_the_help_keeps_the_ticket_refuses_to_drop_it_and_opens_one_for_a_new_need(
        client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    visit = ok(visit_with_legal_help(client, who, clock, person), 201)
    code = visit["help"][0]["ticket"]
    url = f"{PEOPLE}/{person['id']}/visits/{visit['id']}/help"
    gw = who["assigned grid worker"]
    dropped = put(client, url, {"help": [{"kind": "temporary_aid"}]}, {**gw, "If-Match": str(visit["version"])})
    assert code in assert_problem(dropped, 422, "ticket_kept")["errors"][0]["msg"]
    updated = ok(put(client, url, {"help": [{"kind": "legal_services", "status": "granted", "outcome": "已解答"},
                                            {"kind": "legal_services", "need": "还想了解社保断缴怎么补"}]},
                     {**gw, "If-Match": str(visit["version"])}))
    assert updated["help"][0]["ticket"] == code and updated["help"][0]["status"] == "granted"
    assert updated["help"][1]["ticket"] not in (None, code) and updated["help"][1]["status"] == "referred"


def test_a_ticket_code_sent_by_a_client_is_refused(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    forged = post(client, f"{PEOPLE}/{person['id']}/visits", {
        "day": clock.day(0), "situation": "正常",
        "help": [{"kind": "legal_services", "need": NEED, "ticket": "FW-320402-0000-0001"}]}, who["assigned grid worker"])
    assert assert_problem(forged, 422)["errors"][0]["loc"] == ["body", "help", "0", "ticket"]


def test_a_replayed_visit_opens_no_second_ticket(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    first = ok(visit_with_legal_help(client, who, clock, person, **{"Idempotency-Key": "visit-legal-1"}), 201)
    again = ok(visit_with_legal_help(client, who, clock, person, **{"Idempotency-Key": "visit-legal-1"}), 201)
    assert again["id"] == first["id"] and again["help"][0]["ticket"] == first["help"][0]["ticket"]
    assert again["help"][0]["ticket_status"] == "已受理，正在办理"
    mine = body(client.get("/v1/tickets/held", headers=who["assigned grid worker"]))["items"]
    assert [t["code"] for t in mine] == [first["help"][0]["ticket"]]


def test_when_the_ticket_cannot_be_opened_the_visit_is_kept_and_updating_the_help_opens_it(
        client, areas, who, clock, monkeypatch):
    from chalicelib.platform.errors import Conflict
    from plugins.special_populations import service

    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    real = service.intake.create

    def busy(*_args, **_kwargs):
        raise Conflict("受理编号正被同时分配，请稍后重试", code="busy")

    monkeypatch.setattr(service.intake, "create", busy)
    visit = ok(visit_with_legal_help(client, who, clock, person), 201)
    assert visit["help"][0]["ticket"] is None and visit["help"][0]["status"] == "requested"
    monkeypatch.setattr(service.intake, "create", real)
    url = f"{PEOPLE}/{person['id']}/visits/{visit['id']}/help"
    again = ok(put(client, url, {"help": [{"kind": "legal_services", "need": NEED}]},
                   {**who["assigned grid worker"], "If-Match": str(visit["version"])}))
    assert again["help"][0]["ticket"].startswith("FW-320402-") and again["help"][0]["ticket_status"]


def test_a_visit_with_a_legal_need_costs_the_visit_the_tickets_creation_and_one_update(client, areas, who, clock):
    from tests.plugins.special_populations.test_records import dynamodb_calls

    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    calls = dynamodb_calls(lambda: ok(visit_with_legal_help(client, who, clock, person), 201))
    # the person; the visit (first, so an Idempotency-Key claims it); intake's own create in a cold instance
    # (its limit, the district's counter, the ticket; a warm one writes the ticket only); the visit's ticket
    # code. The new ticket's status is known: not read again.
    assert calls[:2] == ["GetItem", "TransactWriteItems"] and calls[-1] == "TransactWriteItems"
    assert len(calls) == 6 and "Scan" not in calls
