"""CONTRACT (idempotency, errors) and SPEC S5: regression tests of the four defects of the black-box sweep
(issue 9), and the DynamoDB calls a keyed create costs, counted with botocore's event hooks — a policy
version, and a ticket (SPEC C5), whose code takes a number first."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta

from chalicelib.platform import aws, config
from chalicelib.platform.timeutil import today_shanghai
from tests.core.test_intake import ask, desk  # noqa: F401  (the fixture)
from tests.core.test_policy import HOURS, THRESHOLD, changzhou  # noqa: F401  (the fixture)
from tests.helpers import JSON, assert_problem, body, header, ok, patch, post

NEXT_WEEK = (today_shanghai() + timedelta(days=7)).isoformat()
ALLOWED_IN_AN_IDEMPOTENCY_ITEM = {"pk", "sk", "entity", "body_sha256", "record_pk", "record_sk", "ttl", "created_at"}


@contextmanager
def dynamodb_calls():
    """The names of the DynamoDB operations made inside the block (botocore's `before-call` event)."""
    made: list[str] = []

    def count(model, **_):
        made.append(model.name)

    events = aws.dynamodb().meta.events
    events.register("before-call.dynamodb", count)
    try:
        yield made
    finally:
        events.unregister("before-call.dynamodb", count)


def idempotency_items() -> list[dict]:
    from chalicelib.platform import storage

    items = aws.dynamodb().scan(TableName=config.table_name())["Items"]
    return [storage._from_wire(i) for i in items if i.get("entity", {}).get("S") == "idempotency"
            or i["pk"]["S"].startswith("idempotency")]


def version_on(client, headers, name):
    payload = {"area": "3204", "value": 150, "effective_from": NEXT_WEEK, "label": "同一份文件"}
    return post(client, f"/v1/policies/{name}/versions", payload, headers)


def test_one_key_and_body_on_two_parent_records_creates_two_records(client, token, changzhou):  # noqa: F811
    """Defect 1: the scope was the route template, so the second parent's create was a replay of the first's."""
    admin = {**token("admin-1", "admin", area="3204"), "Idempotency-Key": "same-key-two-parents"}
    first, second = version_on(client, admin, THRESHOLD), version_on(client, admin, HOURS)
    assert first.status_code == second.status_code == 201
    assert header(second, "idempotent-replayed") == ""
    assert body(second)["name"] == HOURS and body(second)["version_id"] != body(first)["version_id"]


def test_an_idempotency_item_holds_no_response_and_nothing_the_caller_sent(client, token, changzhou):  # noqa: F811
    """Defect 2: the first response (for a resident's application: full ID number and phone) was kept 24 h."""
    admin = {**token("admin-1", "admin", area="3204"), "Idempotency-Key": "no-body-at-rest"}
    assert version_on(client, admin, THRESHOLD).status_code == 201
    [item] = idempotency_items()
    assert set(item) <= ALLOWED_IN_AN_IDEMPOTENCY_ITEM, sorted(item)
    assert "同一份文件" not in json.dumps(item, ensure_ascii=False, default=str)
    assert "admin-1" not in json.dumps(item, default=str) and "same-key" not in json.dumps(item, default=str)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_is_a_400_on_sign_in_not_a_500(client):
    """Defect 3: `RecursionError` escaped the JSON parser (900 levels were fine, 5,000 were not)."""
    for depth in (5_000, 100_000):
        response = client.post("/v1/auth/session", headers=JSON, body='{"code":' + nested(depth) + "}")
        assert_problem(response, 400, "malformed_json")


def test_deeply_nested_json_is_a_400_on_a_signed_in_create(client, token, changzhou):  # noqa: F811
    admin = token("admin-1", "admin", area="3204")
    response = client.post(f"/v1/policies/{THRESHOLD}/versions", headers={**JSON, **admin},
                           body='{"label":' + nested(5_000) + "}")
    assert_problem(response, 400, "malformed_json")


def test_the_breadcrumb_of_a_malformed_code_is_a_404_like_its_siblings(client):
    """Defect 4: `level_of` raised a ValueError the route turned into a 500."""
    for path in ("/v1/areas/abc", "/v1/areas/abc/children", "/v1/areas/abc/breadcrumb", "/v1/areas/123/breadcrumb"):
        assert_problem(client.get(path), 404, "area_not_found")


def test_a_key_adds_no_dynamodb_call_to_a_create_and_a_replay_reads_the_record_once(client, token, changzhou):  # noqa: F811
    """The floor: the claim rides in the create's own transaction. Powertools' layer, measured here before
    it was replaced, added a PutItem before and an UpdateItem after (4 calls against 2)."""
    admin = token("admin-1", "admin", area="3204")
    version_on(client, admin, HOURS)  # warm: the first request of a process reads the signing keys
    with dynamodb_calls() as unkeyed:
        assert version_on(client, admin, THRESHOLD).status_code == 201
    keyed_headers = {**admin, "Idempotency-Key": "counted-create"}
    payload = {"area": "3204", "value": 160, "effective_from": (today_shanghai() + timedelta(days=9)).isoformat()}
    with dynamodb_calls() as keyed:
        assert post(client, f"/v1/policies/{THRESHOLD}/versions", payload, keyed_headers).status_code == 201
    with dynamodb_calls() as replay:
        again = post(client, f"/v1/policies/{THRESHOLD}/versions", payload, keyed_headers)
    assert header(again, "idempotent-replayed") == "true"
    assert keyed == unkeyed == ["BatchGetItem", "TransactWriteItems"]
    # the service's own read refuses the retry (the date is no longer after the latest version); the claim
    # is looked up on that error path only, then the record is read and shown again
    assert replay == ["BatchGetItem", "GetItem", "GetItem"]


def test_a_ticket_create_is_three_calls_with_or_without_a_key_and_a_replay_two(client, desk):  # noqa: F811
    """SPEC C5 / CONTRACT Idempotency-Key. The floor of a ticket, keyed or not: the time limit in force
    (BatchGetItem, with the grid's record), the district's next number (UpdateItem ADD … UPDATED_NEW), the
    ticket's one transaction (ticket, resident entry, due entry, message, audit, resident check, claim).
    Not 1: the code is the ticket's key and is answered at once, and a transaction returns no values, so the
    number is known before the write; moving the counter into the transaction makes every create of a
    district contend for one item (TransactionConflict), and the time limit sets the due day the lists sort
    by. A key adds no call: its claim is read in the same BatchGetItem, so a retry of a create that landed
    replays it from there (and the record's read) without taking a number."""
    with dynamodb_calls() as unkeyed:
        ok(ask(client, desk["resident"]), 201)
    keyed_headers = {**desk["resident"], "Idempotency-Key": "counted-ticket"}
    with dynamodb_calls() as keyed:
        first = ok(ask(client, keyed_headers), 201)["code"]
    with dynamodb_calls() as replay:
        again = ask(client, keyed_headers)
    assert unkeyed == keyed == ["BatchGetItem", "UpdateItem", "TransactWriteItems"]
    assert replay == ["BatchGetItem", "GetItem"] and header(again, "idempotent-replayed") == "true"
    assert ok(again, 201)["code"] == first


def test_who_serves_a_grid_is_one_read_and_a_card_change_reaches_it_in_the_change_s_own_transaction(
        client, token, aws_backend):
    """Reliability §3, C2: the grid's chain and what is linked to each of its areas come in one BatchGetItem
    (an aggregate per area, not one Query per ancestor); renaming an institution stays a read and a write, and
    the public list shows the new card at once."""
    from tests.core.test_directory import admin, new_institution, seed_tree

    seed_tree()
    headers = admin(token)
    inst = new_institution(client, headers, name="天宁公证处", home_area="320402", phone="0519-88001234")
    client.get("/v1/areas/320402001001002/institutions")  # warm
    with dynamodb_calls() as read:
        items = body(client.get("/v1/areas/320402001001002/institutions"))["items"]
    assert read == ["BatchGetItem"] and [i["name"] for i in items] == ["天宁公证处"]
    with dynamodb_calls() as write:
        ok(patch(client, f"/v1/institutions/{inst['id']}", {"name": "常州市天宁公证处", "hours": "工作日 9:00–17:00"},
                 {**headers, "If-Match": "1"}), 200)
    assert write == ["GetItem", "TransactWriteItems"]
    [card] = body(client.get("/v1/areas/320402001001002/institutions"))["items"]
    assert (card["name"], card["hours"], card["phone"]) == ("常州市天宁公证处", "工作日 9:00–17:00", "0519-8800-****")


def test_who_is_assigned_to_a_grid_is_the_chain_in_one_read_and_the_assignees_names_in_another(
        client, token, aws_backend):
    """Reliability §3, C3: assignments to the grid and the areas above it are entries of those areas'
    aggregates, read with the chain; the assignees' names (people and institutions) in one more BatchGetItem.
    An assignment that ends leaves the aggregate in its own transaction."""
    from tests.core.test_directory import TIANNING_GRIDS, admin, new_person, seed_tree

    seed_tree()
    headers = admin(token)
    person = new_person(client, headers, roles=["legal_literate"])
    made = body(post(client, "/v1/assignments", {"role": "legal_literate", "area": "320402001",
                                                 "assignee_id": person["id"]}, headers))
    path = f"/v1/areas/{TIANNING_GRIDS[0]}/assignments"
    with dynamodb_calls() as read:
        listed = body(client.get(path, headers=headers))["items"]
    assert read == ["BatchGetItem", "BatchGetItem"]
    assert [(a["area"]["name"], a["assignee_name"], a["version"]) for a in listed] == [("雕庄街道", "周雅琴", 1)]
    response = client.delete(f"/v1/assignments/{made['id']}", headers={**headers, "If-Match": "1"})
    assert response.status_code == 200, response.body
    assert body(client.get(path, headers=headers))["items"] == []
