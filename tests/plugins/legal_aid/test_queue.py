"""The officers' queue (SPEC L5): green channel first in every queue, then by deadline; one Query of the
partition of the officer's own area; cases leave it when they no longer wait for an officer."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.platform import aws
from tests.helpers import assert_problem, body, ok

QUEUE = "/v1/legal-aid/queue"
NORMAL = {"matter_type": "traffic_accident", "categories": []}


def queue(client, headers, **query) -> list[dict]:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return body(client.get(QUEUE + ("?" + suffix if suffix else ""), headers=headers))["items"]


def test_green_channel_cases_come_first_then_by_deadline(client, people, submit, step):
    normal_first = submit(**NORMAL)
    green = submit()
    land = submit(matter_type="land_contract", categories=[], applicant={"area": "320402001001"})
    normal_second = submit(**NORMAL)
    items = queue(client, people["officer"])
    assert [i["id"] for i in items] == [green["id"], land["id"], normal_first["id"], normal_second["id"]]
    assert [i["priority"] for i in items] == [0, 0, 1, 1]
    assert items[0]["green_channel"] and not items[0]["overdue"] and items[0]["status"] == "submitted"
    deadline = datetime.fromisoformat(items[0]["deadline"])
    submitted = datetime.fromisoformat(items[0]["submitted_at"])
    assert timedelta(hours=24) <= deadline - submitted <= timedelta(days=4)  # one working day


def test_every_level_sees_its_own_area_and_nothing_outside(client, people, submit):
    in_town = submit()
    district_only = submit(applicant={"area": "320402"})
    assert [i["id"] for i in queue(client, people["officer"])] == [in_town["id"], district_only["id"]]
    assert [i["id"] for i in queue(client, people["town_officer"])] == [in_town["id"]]
    assert queue(client, people["other_officer"]) == []
    assert_problem(client.get(QUEUE, headers=people["resident"]), 403)
    assert_problem(client.get(QUEUE, headers=people["lawyer"]), 403)


def test_the_queue_is_one_query_of_the_officer_s_own_partition(client, people, submit):
    submit()
    calls = []

    def count(params, model, **kwargs):
        calls.append((model.name, params.get("ExpressionAttributeValues", {}).get(":p", {}).get("S")))

    dynamodb = aws.dynamodb()
    dynamodb.meta.events.register("before-parameter-build.dynamodb", count)
    try:
        queue(client, people["town_officer"])
    finally:
        dynamodb.meta.events.unregister("before-parameter-build.dynamodb", count)
    assert calls == [("Query", "legal-aid-queue#320402001")]


def test_a_case_moves_through_the_queue_and_leaves_it_when_assigned(clock, client, people, submit, step):
    app = submit(**NORMAL)
    app = ok(step(app, "accept"))
    assert queue(client, people["officer"])[0]["status"] == "accepted"
    app = ok(step(app, "approve"))
    [entry] = queue(client, people["officer"])
    assert entry["status"] == "approved" and entry["deadline"] == app["deadline"]  # 3 days to assign
    app = ok(step(app, "assign", lawyer="lawyer-1"))
    assert queue(client, people["officer"]) == [] and app["deadline"] is None
    app = ok(step(app, "close", who="lawyer", kind="won", amount_recovered="0", summary="胜诉"))
    [entry] = queue(client, people["officer"])
    assert entry["priority"] == 2 and entry["status"] == "closed"  # waiting for the follow-up visit
    ok(step(app, "follow-up", visited_on=clock.day(), method="phone", satisfaction="satisfied"))
    assert queue(client, people["officer"]) == [] and queue(client, people["town_officer"]) == []


def test_a_rejected_case_leaves_every_queue(client, people, submit, step):
    app = ok(step(submit(), "accept"))
    ok(step(app, "reject", reason="不符合条件"))
    assert queue(client, people["officer"]) == [] and queue(client, people["town_officer"]) == []


def test_overdue_green_channel_cases_are_flagged(clock, client, people, submit):
    app = submit()
    with clock.travel(days=8):
        [entry] = queue(client, people["officer"])
    assert entry["id"] == app["id"] and entry["overdue"]


def test_the_queue_pages_with_a_cursor(client, people, submit):
    ids = [submit(**NORMAL)["id"] for _ in range(3)]
    first = body(client.get(QUEUE + "?limit=2", headers=people["officer"]))
    assert [i["id"] for i in first["items"]] == ids[:2] and first["next_cursor"]
    rest = body(client.get(QUEUE + f"?limit=2&cursor={first['next_cursor']}", headers=people["officer"]))
    assert [i["id"] for i in rest["items"]] == ids[2:] and rest["next_cursor"] is None
