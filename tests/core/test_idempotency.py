"""CONTRACT: every creating POST takes `Idempotency-Key` — a retry replays the first response and creates
nothing; the same key with another body is refused; concurrent duplicates create one record."""
from __future__ import annotations

import pytest

from chalicelib.domain.areas.models import Area
from chalicelib.platform import audit, storage
from chalicelib.platform.errors import Conflict
from chalicelib.platform.storage import idempotency
from chalicelib.platform.web import idempotency as web_idempotency
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


def first_attempt(key: str = "concurrent-01", body: bytes = b'{"a":1}') -> idempotency.Claim:
    return idempotency.Claim.of("r1", "POST", "/v1/areas", key, body)


def area(code: str, name: str) -> Area:
    return Area(code=code, name=name, level="province")


def test_two_concurrent_duplicates_make_one_record_and_the_second_replays_the_first(aws_backend):
    """The duplicate commits while the first attempt is still inside its handler, as two Lambda instances
    would see it: the first attempt's transaction fails on the claim and replays the duplicate's record."""
    with idempotency.claiming(first_attempt()):
        with idempotency.claiming(first_attempt()):
            storage.put_new(area("32", "江苏省"))
        with pytest.raises(idempotency.Replayed) as replayed:
            storage.put_new(area("33", "浙江省"))
    assert replayed.value.record_key == ("area#32", "record")
    assert storage.get("area#33", "record") is None


def test_the_claim_is_written_only_with_a_record_and_never_by_a_failed_transaction(aws_backend):
    storage.put_new(area("32", "江苏省"))
    claim = first_attempt("fails-first")
    with idempotency.claiming(claim), pytest.raises(Conflict):
        storage.put_new(area("32", "江苏省"))  # already exists: the transaction, claim included, is refused
    assert storage.get(**claim.key) is None
    with idempotency.claiming(first_attempt("fails-first")):
        storage.put_new(area("33", "浙江省"))  # the corrected retry creates
    assert storage.get(**claim.key)["record_pk"] == "area#33"


def test_an_audit_entry_alone_carries_no_claim(aws_backend):
    claim = first_attempt("read-only")
    with idempotency.claiming(claim):
        audit.record_read(audit.SYSTEM, "area", "32", "查看")
    assert not claim.attached and storage.get(**claim.key) is None


def test_an_expired_claim_no_longer_replays(aws_backend, clock):
    with idempotency.claiming(first_attempt("expires")):
        storage.put_new(area("32", "江苏省"))
    with clock.travel(days=2), idempotency.claiming(first_attempt("expires")):
        storage.put_new(area("33", "浙江省"))
    assert storage.get("area#33", "record") is not None


def test_claims_spread_over_one_partition_per_scope():
    one, other = first_attempt("k1"), first_attempt("k2")
    assert one.key["pk"] != other.key["pk"] and one.key["pk"].startswith("idempotency#")
    assert idempotency.Claim.of("r2", "POST", "/v1/areas", "k1", b"").key != one.key


@pytest.mark.parametrize("template, params, path", [
    ("/v1/policies/{name}/versions", {"name": "a.b"}, "/v1/policies/a.b/versions"),
    ("/v1/legal-aid/households/{household_id}/visits", {"household_id": "H2"}, "/v1/legal-aid/households/H2/visits"),
    ("/v1/hello/greetings", None, "/v1/hello/greetings"),
])
def test_the_scope_is_the_concrete_path_not_the_route_template(template, params, path):
    assert web_idempotency.concrete_path(template, params) == path


def test_every_creating_route_shows_its_record_again_on_a_replay(app):
    from chalicelib.platform.web import openapi

    silent = {(method, path) for path, method, _, spec in openapi.routes_with_specs(app)
              if spec and spec.idempotent and spec.replay is None and web_idempotency._renderer(spec.response) is None}
    assert not silent, f"declare `replay=` on the endpoint of {sorted(silent)}"
