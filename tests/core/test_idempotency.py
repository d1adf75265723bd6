"""CONTRACT: every creating POST takes `Idempotency-Key` — a retry replays the first response and creates
nothing; the same key with another body is refused; concurrent duplicates create one record."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from chalice import Response

from chalicelib.platform.web import idempotency
from chalicelib.platform.errors import Conflict
from tests.helpers import assert_problem, body, header, post, requires_plugins

# The template plugin's POST /v1/hello/greetings is the creating route these tests drive.
via_hello = requires_plugins("hello")


def greetings(client, headers) -> list[dict]:
    return body(client.get("/v1/hello/greetings", headers=headers))["items"]


@via_hello
def test_a_retry_with_the_same_key_replays_the_first_response_and_creates_nothing(client, token):
    resident = {**token("r1"), "Idempotency-Key": "retry-0001"}
    first = post(client, "/v1/hello/greetings", {"message": "你好"}, resident)
    again = post(client, "/v1/hello/greetings", {"message": "你好"}, resident)
    assert first.status_code == again.status_code == 201
    assert body(first) == body(again)
    assert header(again, "idempotent-replayed") == "true" and header(first, "idempotent-replayed") == ""
    assert len(greetings(client, token("r1"))) == 1


@via_hello
def test_the_same_key_with_another_body_is_refused(client, token):
    resident = {**token("r1"), "Idempotency-Key": "retry-0002"}
    post(client, "/v1/hello/greetings", {"message": "你好"}, resident)
    response = post(client, "/v1/hello/greetings", {"message": "再见"}, resident)
    assert_problem(response, 422, "idempotency_key_reused")
    assert len(greetings(client, token("r1"))) == 1


@via_hello
def test_two_residents_may_use_the_same_key(client, token):
    post(client, "/v1/hello/greetings", {"message": "甲"}, {**token("r1"), "Idempotency-Key": "same-key-01"})
    post(client, "/v1/hello/greetings", {"message": "乙"}, {**token("r2"), "Idempotency-Key": "same-key-01"})
    assert [g["message"] for g in greetings(client, token("r2"))] == ["乙"]


@via_hello
def test_a_rejected_first_attempt_is_not_remembered(client, token):
    resident = {**token("r1"), "Idempotency-Key": "retry-0003"}
    assert post(client, "/v1/hello/greetings", {"message": ""}, resident).status_code == 422
    assert post(client, "/v1/hello/greetings", {"message": "改正后"}, resident).status_code == 201


@via_hello
def test_without_a_key_each_post_creates(client, token):
    post(client, "/v1/hello/greetings", {"message": "一"}, token("r1"))
    post(client, "/v1/hello/greetings", {"message": "一"}, token("r1"))
    assert len(greetings(client, token("r1"))) == 2


@via_hello
def test_a_malformed_key_is_a_400(client, token):
    response = post(client, "/v1/hello/greetings", {"message": "x"}, {**token("r1"), "Idempotency-Key": "有中文"})
    assert_problem(response, 400, "bad_idempotency_key")


def test_a_duplicate_arriving_while_the_first_runs_is_409_and_only_one_record_is_made(aws_backend):
    """The second request arrives while the first is still inside its handler (DynamoDB holds the
    in-progress record), as two Lambda instances would see it."""
    request = SimpleNamespace(headers={"idempotency-key": "concurrent-01"}, method="POST", path="/v1/x",
                              raw_body=b'{"a":1}')
    app = SimpleNamespace(current_request=request, lambda_context=None)
    made, seen = [], []

    def second_arrival() -> Response:
        made.append("inner")  # would create a record, must never run
        return Response(body="{}", status_code=201)

    def first_arrival() -> Response:
        try:
            idempotency.run(app, "r1", second_arrival)
        except Conflict as exc:
            seen.append(exc.code)
        made.append("outer")
        return Response(body='{"ok":true}', status_code=201)

    response = idempotency.run(app, "r1", first_arrival)
    assert response.status_code == 201
    assert seen == ["idempotency_in_progress"] and made == ["outer"]


@pytest.mark.parametrize("status", [400, 404, 409, 422])
def test_error_responses_are_returned_but_not_stored(aws_backend, status):
    request = SimpleNamespace(headers={"idempotency-key": f"err-{status}-01"}, method="POST", path="/v1/x", raw_body=b"{}")
    app = SimpleNamespace(current_request=request, lambda_context=None)
    calls = []

    def view() -> Response:
        calls.append(1)
        return Response(body="{}", status_code=status)

    assert idempotency.run(app, "r1", view).status_code == status
    assert idempotency.run(app, "r1", view).status_code == status
    assert len(calls) == 2
