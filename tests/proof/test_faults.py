"""Issue 9 "Faults": DynamoDB throttling and 5xx, and S3 503 SlowDown, injected into the real botocore
client the app uses through botocore's own `before-send` event (a handler that answers instead of the
network, registered first so it speaks before moto's). Nothing of ours is replaced.

Proven (CONTRACT "errors"; chalicelib/platform/aws for the client's retry configuration):
- a transient fault is retried by the SDK with backoff and the caller never sees it;
- a fault that outlasts the bounded attempts is a 503 problem+json with `Retry-After` and a Chinese title,
  never a 500 — on a create (TransactWriteItems), a read (GetItem), a list (Query) and an upload's
  confirmation (S3 HeadObject);
- nothing is half-written: a refused create leaves no record, no audit entry and no idempotency claim; a
  create whose write landed but whose answer was lost is retried by the SDK and answered 201 for the one
  record (replayed under an Idempotency-Key; without one, storage recognises its own earlier write), and the
  client's retry with its Idempotency-Key after a 503 makes exactly one record.
"""
from __future__ import annotations

import json
from contextlib import contextmanager

import pytest
from botocore.awsrequest import AWSResponse

from chalicelib.platform import aws, config
from chalicelib.platform.web import openapi
from tests.helpers import assert_problem, body, header, post, seed_areas

PERSON = {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402001", "duty": "网格调解员",
          "phone": "138 0000 1201"}
DYNAMODB_FAULTS = {
    "throttled": (400, "ProvisionedThroughputExceededException", "The level of configured provisioned throughput "
                                                                 "for the table was exceeded."),
    "throttling": (400, "ThrottlingException", "Rate of requests exceeds the allowed throughput."),
    "internal": (500, "InternalServerError", "Internal server error"),
}


class _Raw:
    """The body of a fabricated response, as botocore reads it from urllib3."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_):
        yield self._data


def _dynamodb_error(status: int, code: str, message: str) -> AWSResponse:
    payload = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}).encode()
    return AWSResponse("https://dynamodb.cn-northwest-1.amazonaws.com.cn", status,
                       {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "fault-injected"},
                       _Raw(payload))


def _s3_slow_down() -> AWSResponse:
    payload = (b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>SlowDown</Code>"
               b"<Message>Please reduce your request rate.</Message></Error>")
    return AWSResponse("https://s3.cn-northwest-1.amazonaws.com.cn", 503,
                       {"Content-Type": "application/xml", "x-amz-request-id": "fault-injected"}, _Raw(payload))


class Fault:
    """Answers `operation` of `client` with `response()` for its first `times` attempts (every attempt when
    None), counting the attempts. botocore offers each attempt to every `before-send` handler (moto's
    included) and uses the first answer, so an attempt that must not land is addressed to a host no backend
    serves; with `land_first`, the first attempt still reaches the backend before its answer is replaced:
    the write landed, the answer was lost on the way back."""

    def __init__(self, client, operation: str, response, times: int | None = None, land_first: bool = False):
        self.client, self.operation, self.response = client, operation, response
        self.times, self.land_first, self.attempts = times, land_first, 0
        self.event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{operation}"

    def __call__(self, request, **kwargs):
        self.attempts += 1
        if self.times is not None and self.attempts > self.times:
            return None  # the fault has passed: on to the backend
        if not (self.land_first and self.attempts == 1):
            request.url = "https://fault-injected.invalid/"
        return self.response()

    def __enter__(self):
        self.client.meta.events.register_first(self.event, self, unique_id=f"fault-{self.event}")
        return self

    def __exit__(self, *_):
        self.client.meta.events.unregister(self.event, unique_id=f"fault-{self.event}")


@pytest.fixture
def backoff(monkeypatch):
    """The delays botocore sleeps between attempts, recorded instead of slept (the suite stays fast)."""
    import botocore.endpoint

    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", delays.append)
    return delays


@pytest.fixture
def admin(token):
    return token("admin-1", "admin", area="3204")


def _max_attempts() -> int:
    return aws.dynamodb().meta.config.retries["total_max_attempts"]


def _items(prefix: str) -> list[dict]:
    """Every item whose pk starts with `prefix` (a Scan: the test's look at the whole table)."""
    items = aws.dynamodb().scan(TableName=config.table_name())["Items"]
    return [i for i in items if i["pk"]["S"].startswith(prefix)]


def _unavailable(response) -> dict:
    problem = assert_problem(response, 503, "service_unavailable")
    assert header(response, "Retry-After").isdigit()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in problem["title"]), problem["title"]
    return problem


def test_the_clients_retry_in_standard_mode_with_bounded_attempts(aws_backend):
    for client in (aws.dynamodb(), aws.s3()):
        assert client.meta.config.retries["mode"] in ("standard", "adaptive")
        assert 2 <= client.meta.config.retries["total_max_attempts"] <= 5


@pytest.mark.parametrize("fault", sorted(DYNAMODB_FAULTS))
def test_a_passing_dynamodb_fault_is_retried_with_backoff_and_the_create_succeeds(
        client, admin, aws_backend, backoff, fault):
    seed_areas()
    response = lambda: _dynamodb_error(*DYNAMODB_FAULTS[fault])  # noqa: E731
    with Fault(aws.dynamodb(), "TransactWriteItems", response, times=_max_attempts() - 1) as injected:
        created = post(client, "/v1/people", PERSON, admin)
    assert created.status_code == 201, created.body
    assert injected.attempts == _max_attempts()
    assert len(backoff) == _max_attempts() - 1 and all(delay > 0 for delay in backoff)
    assert len(_items("person#")) == 1


@pytest.mark.parametrize("fault", sorted(DYNAMODB_FAULTS))
def test_a_lasting_dynamodb_fault_on_a_create_is_a_503_and_writes_nothing_and_the_keyed_retry_makes_one(
        client, admin, aws_backend, backoff, fault):
    seed_areas()
    keyed = {**admin, "Idempotency-Key": f"fault-{fault}"}
    before = len(aws.dynamodb().scan(TableName=config.table_name())["Items"])
    with Fault(aws.dynamodb(), "TransactWriteItems", lambda: _dynamodb_error(*DYNAMODB_FAULTS[fault])) as injected:
        _unavailable(post(client, "/v1/people", PERSON, keyed))
    assert injected.attempts == _max_attempts() and len(backoff) == _max_attempts() - 1
    assert len(aws.dynamodb().scan(TableName=config.table_name())["Items"]) == before  # no record, audit, claim
    first = post(client, "/v1/people", PERSON, keyed)
    again = post(client, "/v1/people", PERSON, keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert body(first)["id"] == body(again)["id"] and header(again, "Idempotent-Replayed") == "true"
    assert len(_items("person#")) == 1 and len(_items("idempotency#")) == 1


def test_a_create_whose_write_landed_but_whose_answer_was_lost_replays_and_makes_one_record(
        client, admin, aws_backend, backoff):
    """The SDK retries a 500 it got back from a TransactWriteItems that in fact committed: the retry meets
    the request's own claim and is answered as a replay — one record, never two, never a 409."""
    seed_areas()
    keyed = {**admin, "Idempotency-Key": "lost-answer-1"}
    lost = lambda: _dynamodb_error(*DYNAMODB_FAULTS["internal"])  # noqa: E731
    with Fault(aws.dynamodb(), "TransactWriteItems", lost, times=1, land_first=True):
        created = post(client, "/v1/people", PERSON, keyed)
    assert created.status_code == 201, created.body
    assert header(created, "Idempotent-Replayed") == "true"
    assert len(_items("person#")) == 1 and len(_items("idempotency#")) == 1


def test_a_create_without_a_key_whose_answer_was_lost_is_a_201_not_a_409_for_the_record_it_made(
        client, admin, aws_backend, backoff):
    """The SDK's retry meets the very item its first attempt wrote (fresh id, same timestamps): the create
    succeeded, so it answers 201 — an "already exists" 409 would send the clerk to type it in again."""
    seed_areas()
    lost = lambda: _dynamodb_error(*DYNAMODB_FAULTS["internal"])  # noqa: E731
    with Fault(aws.dynamodb(), "TransactWriteItems", lost, times=1, land_first=True) as injected:
        created = post(client, "/v1/people", PERSON, admin)
    assert created.status_code == 201, created.body
    assert injected.attempts == 2
    assert [i["pk"]["S"] for i in _items("person#")] == [f"person#{body(created)['id']}"]


@pytest.mark.parametrize("fault", sorted(DYNAMODB_FAULTS))
def test_a_lasting_dynamodb_fault_on_a_read_or_a_list_is_a_503_not_a_500(client, admin, aws_backend, backoff, fault):
    seed_areas()
    person = body(post(client, "/v1/people", PERSON, admin))
    response = lambda: _dynamodb_error(*DYNAMODB_FAULTS[fault])  # noqa: E731
    with Fault(aws.dynamodb(), "GetItem", response) as read:
        _unavailable(client.get(f"/v1/people/{person['id']}", headers=admin))
    with Fault(aws.dynamodb(), "Query", response) as listed:
        _unavailable(client.get("/v1/people?area=320402", headers=admin))
    assert read.attempts == listed.attempts == _max_attempts()
    assert client.get(f"/v1/people/{person['id']}", headers=admin).status_code == 200


def test_s3_slowing_down_is_retried_then_a_503_and_the_upload_stays_pending_until_confirmed(
        client, token, aws_backend, backoff):
    from tests.core.test_files import PDF, confirm, declare, upload

    seed_areas()
    resident = token()
    created = body(declare(client, resident))
    upload(created, PDF)
    with Fault(aws.s3(), "HeadObject", _s3_slow_down, times=1) as passing:
        assert confirm(client, resident, created["id"]).status_code == 200
    assert passing.attempts == 2 and backoff and all(delay > 0 for delay in backoff)

    again = body(declare(client, resident))
    upload(again, PDF)
    with Fault(aws.s3(), "HeadObject", _s3_slow_down) as lasting:
        _unavailable(confirm(client, resident, again["id"]))
    assert lasting.attempts == aws.s3().meta.config.retries["total_max_attempts"]
    shown = body(client.get(f"/v1/files/{again['id']}", headers=resident))
    assert shown["status"] == "pending"
    assert body(confirm(client, resident, again["id"]))["status"] == "available"


def test_every_route_declares_the_503_it_may_answer(app):
    document = openapi.build(app)
    missing = [f"{method.upper()} {path}" for path, operations in document["paths"].items()
               for method, operation in operations.items()
               if isinstance(operation, dict) and "responses" in operation and "503" not in operation["responses"]]
    assert not missing, missing
