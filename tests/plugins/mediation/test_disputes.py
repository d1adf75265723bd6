"""SPEC M1: disputes entered by the mediator or grid worker of the area, with sealed parties; who sees them."""
from __future__ import annotations

import pytest

from chalicelib.platform import storage
from plugins.mediation.models import Dispute
from tests.helpers import assert_problem, body, ok, post, calls_during
from tests.plugins.mediation.conftest import GRID, OTHER_DISTRICT, TOWN, dispute, on_roster

pytestmark = pytest.mark.usefixtures("areas")




def test_a_mediator_enters_a_dispute_held_by_them_at_the_grid_with_the_reason(client, mediator, clock):
    on_roster("m-zhou")
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert (created["tier"], created["status"], created["kind_label"]) == ("grid", "mediating", "邻里纠纷")
    assert created["holder"] == {"kind": "mediator", "id": "m-zhou", "title": "雕庄街道人民调解委员会",
                                 "name": "调解员m-zhou"}
    assert created["history"][0]["reasons"] == ["邻里纠纷，无重大、复杂情形，简易纠纷不出网格"]
    assert created["due"] == clock.day(7) and created["overdue"] is False and created["opened_on"] == clock.day()


def test_phones_and_id_numbers_are_stored_sealed_and_shown_masked(client, mediator):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    first = created["parties"][0]
    assert first["phone"] == "139****0001" and first["id_number"].startswith("320") and "*" in first["id_number"]
    item = storage.get(f"mediation-dispute#{created['id']}", "record")
    assert "13912340001" not in str(item) and item["parties"][0]["phone_hash"]


def test_creating_is_one_transaction_after_one_read_of_the_parameters_with_the_holder_s_name(client, mediator, token):
    """Reliability §3: the parameters in force at the grid, the recording mediator's roster entry or the
    grid's areas (a committee's name) are one BatchGetItem before the one transaction."""
    calls = calls_during(lambda: ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201))
    assert calls == ["BatchGetItem", "TransactWriteItems"]
    worker = token("g-1", "grid_worker", area=GRID)
    calls = calls_during(lambda: ok(post(client, "/v1/mediation/disputes", dispute(), worker), 201))
    assert calls == ["BatchGetItem", "TransactWriteItems"]


def test_a_grid_worker_s_dispute_is_held_by_the_village_committee_by_name(client, token):
    worker = token("g-1", "grid_worker", area=GRID)
    created = ok(post(client, "/v1/mediation/disputes", dispute(), worker), 201)
    assert created["holder"] == {"kind": "committee", "id": "village:320402001001",
                                 "title": "村（社区）人民调解委员会", "name": "演示社区人民调解委员会"}
    listed = body(client.get("/v1/mediation/disputes", headers=worker))["items"]
    assert [i["holder"]["name"] for i in listed] == ["演示社区人民调解委员会"]


@pytest.mark.parametrize("change, loc", [
    ({"parties": [{"name": "李秀英", "role": "applicant"}]}, ["body", "parties"]),
    ({"kind": "quarrel"}, ["body", "kind"]),
    ({"parties": [{"name": "甲", "role": "judge"}, {"name": "乙", "role": "respondent"}]},
     ["body", "parties", "0", "role"]),
    ({"parties": [{"name": "甲", "role": "applicant", "id_number": "320402197003120219"},
                  {"name": "乙", "role": "respondent"}]}, ["body", "parties", "0", "id_number"]),
    ({"amount": "-1"}, ["body", "amount"]),
])
def test_bad_input_is_a_422_naming_the_field(client, mediator, change, loc):
    problem = assert_problem(post(client, "/v1/mediation/disputes", dispute(**change), mediator), 422)
    assert loc in [e["loc"] for e in problem["errors"]], problem


def test_an_unknown_grid_is_a_422_naming_the_grid(client, token):
    staff = token("m-1", "mediator", area="320402")
    problem = assert_problem(post(client, "/v1/mediation/disputes", dispute(grid="320402001001999"), staff), 422,
                             "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "grid"]


def test_a_mediator_cannot_enter_a_dispute_outside_their_area(client, token):
    outsider = token("m-2", "mediator", area=OTHER_DISTRICT)
    assert_problem(post(client, "/v1/mediation/disputes", dispute(), outsider), 403, "outside_jurisdiction")


def test_a_resident_may_not_enter_a_dispute_directly(client, token):
    assert_problem(post(client, "/v1/mediation/disputes", dispute(), token("r-1")), 403)


def test_staff_of_the_area_and_above_read_it_and_a_stranger_gets_404(client, token, mediator):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    path = f"/v1/mediation/disputes/{created['id']}"
    for reader in (mediator, token("d-1", "mediator", area="320402"), token("g-1", "grid_worker", area=GRID)):
        assert body(client.get(path, headers=reader))["id"] == created["id"]
    for stranger in (token("r-1"), token("m-3", "mediator", area=OTHER_DISTRICT),
                     token("l-1", "lawyer", area="320402"), token("g-2", "grid_worker", area="320402001002001")):
        assert_problem(client.get(path, headers=stranger), 404, "dispute_not_found")
    assert_problem(client.get("/v1/mediation/disputes/no-such", headers=mediator), 404)


def test_a_party_with_an_account_reads_their_own_dispute(client, token, mediator):
    parties = dispute()["parties"]
    parties[0]["account"] = "r-li"
    created = ok(post(client, "/v1/mediation/disputes", dispute(parties=parties), mediator), 201)
    seen = body(client.get(f"/v1/mediation/disputes/{created['id']}", headers=token("r-li")))
    assert seen["parties"][0]["phone"] == "139****0001"
    assert_problem(client.get(f"/v1/mediation/disputes/{created['id']}", headers=token("r-zhang")), 404)


def test_the_area_list_pages_and_shows_nothing_outside_the_area(client, token, mediator):
    for _ in range(3):
        ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    first = body(client.get("/v1/mediation/disputes?limit=2", headers=mediator))
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = body(client.get(f"/v1/mediation/disputes?limit=2&cursor={first['next_cursor']}", headers=mediator))
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    other = token("m-3", "mediator", area=OTHER_DISTRICT)
    assert body(client.get("/v1/mediation/disputes", headers=other))["items"] == []
    assert_problem(client.get(f"/v1/mediation/disputes?area={TOWN}", headers=other), 403)


def test_only_the_holding_mediator_reads_contacts_in_full_and_the_read_is_audited(client, token, mediator):
    from chalicelib.platform import audit

    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    path = f"/v1/mediation/disputes/{created['id']}/contacts"
    contacts = body(client.get(path, headers=mediator))["items"]
    assert contacts[0]["phone"] == "13912340001" and contacts[1]["id_number"] is None
    assert_problem(client.get(path, headers=token("d-1", "mediator", area="320402")), 403, "not_holder")
    assert_problem(client.get(path, headers=token("m-3", "mediator", area=OTHER_DISTRICT)), 404)
    actions = [i["action"] for i in audit.trail("mediation-dispute", created["id"]).items]
    assert actions.count("read") == 1


def test_the_record_lists_under_its_grid(client, mediator):
    ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert len(storage.every(Dispute, "mediation-dispute", "3204")) == 1


def test_the_tier_reason_cites_the_area_s_own_threshold_in_force(client, token, clock):
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from plugins.mediation import params

    policy.set_version(audit.SYSTEM, None, params.DISTRICT_PEOPLE, area_code="320402", value=6,
                       effective_from=clock.today, label="天宁区重大纠纷人数标准")
    created = ok(post(client, "/v1/mediation/disputes", dispute(risk={"people_involved": 6}),
                      token("g-1", "grid_worker", area=GRID)), 201)
    assert created["tier"] == "district"
    assert created["history"][0]["reasons"] == [f"涉及 6 人，达到 6 人（天宁区重大纠纷人数标准 6 人（{clock.day()} 起））"]


def test_a_retried_create_with_the_same_idempotency_key_opens_one_dispute(client, mediator):
    headers = {**mediator, "Idempotency-Key": "open-dispute-0001"}
    first = ok(post(client, "/v1/mediation/disputes", dispute(), headers), 201)
    again = ok(post(client, "/v1/mediation/disputes", dispute(), headers), 201)
    assert again["id"] == first["id"]
    assert len(storage.every(Dispute, "mediation-dispute", "3204")) == 1
    assert_problem(post(client, "/v1/mediation/disputes", dispute(facts="另一件纠纷的事实经过"), headers), 422)
    stored = str(storage.every(Dispute, "mediation-dispute", "3204"))
    assert "13912340001" not in stored
