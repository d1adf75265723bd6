"""Issue 9's concurrency proofs on DynamoDB Local (AWS's own emulator, the session's instance from
tests/integration/conftest), with real threads sending real HTTP requests through the app — so the
idempotency claim inside the creating transaction (storage.idempotency) and the conditional writes of the
legal-aid workflow (SPEC L6) are proven where transactions really run side by side:

- 50 concurrent creates with one Idempotency-Key and one body → one record; every answer a 201 with its id
  (the losers' replays carry `Idempotent-Replayed: true`);
- 50 concurrent creates with one key on 50 different parents → 50 records (the scope is the concrete path);
- approve and reject of one application at once → exactly one wins, the other is 409, one decision in the
  history.
"""
from __future__ import annotations

import json
import os
import threading
from datetime import date

import pytest
from chalice import Chalice

from chalicelib.platform import audit, aws, config, storage
from chalicelib.platform.auth import Caller
from tests.helpers import JSON, body, header, ok, post

RACERS = 50
ADMIN = ("admin-1", "admin", "3204")
PERSON = {"name": "周雅琴", "roles": ["mediator"], "home_area": "320402001", "duty": "网格调解员",
          "phone": "138 0000 1201"}


class _PerThread:
    """`Chalice.current_request` kept per thread. In Lambda each concurrent request has a container of its
    own; here they share one process, so each thread sees its own request as its own container would."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(self._local, "value", None)

    def __set__(self, obj, value) -> None:
        self._local.value = value


@pytest.fixture
def at_once(monkeypatch):
    """Run the given calls in threads released together by a barrier; their results, in order."""
    monkeypatch.setattr(Chalice, "current_request", _PerThread(), raising=False)

    def run(calls):
        start = threading.Barrier(len(calls))
        results: list = [None] * len(calls)

        def go(index, call):
            start.wait()
            try:
                results[index] = call()
            except BaseException as exc:  # a crash is a finding: reported, not swallowed by the thread
                results[index] = exc

        environ = os.environ  # the test client swaps os.environ per request; put the real one back after
        threads = [threading.Thread(target=go, args=(i, c)) for i, c in enumerate(calls)]
        try:
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        finally:
            os.environ = environ
        crashed = [r for r in results if isinstance(r, BaseException)]
        assert not crashed, crashed
        return results

    return run


@pytest.fixture
def admin(token):
    sub, role, area = ADMIN
    return token(sub, role, area=area)


def _items(prefix: str) -> list[dict]:
    """Every item whose pk starts with `prefix`, read back by a Scan (a test's look at the whole table)."""
    found, request = [], {"TableName": config.table_name()}
    while True:
        page = aws.dynamodb().scan(**request)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            return [i for i in found if i["pk"]["S"].startswith(prefix)]
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_fifty_identical_keyed_creates_at_once_make_one_record_and_every_answer_carries_its_id(
        client, admin, at_once):
    """Issue 9 / CONTRACT "HTTP" Idempotency-Key: one transaction wins the claim, 49 replay the winner."""
    from tests.helpers import seed_areas

    seed_areas()
    keyed = {**admin, "Idempotency-Key": "race-person-1"}
    answers = at_once([lambda: post(client, "/v1/people", PERSON, keyed)] * RACERS)
    assert {a.status_code for a in answers} == {201}, {a.status_code: a.body for a in answers}
    ids = {body(a)["id"] for a in answers}
    assert len(ids) == 1
    replays = [a for a in answers if header(a, "Idempotent-Replayed") == "true"]
    assert len(replays) == RACERS - 1
    assert len(_items("person#")) == 1
    assert len(_items("idempotency#")) == 1


def test_fifty_keyed_creates_on_fifty_parents_at_once_make_fifty_records(client, admin, at_once, clock):
    """Issue 9 defect 1 under load: the key's scope is the concrete path, so one key on 50 institutions
    publishes 50 monthly activities (SPEC rota: one per service point per month)."""
    from chalicelib.domain.directory import service as directory
    from chalicelib.domain.directory.models import InstitutionIn
    from tests.helpers import seed_areas

    seed_areas()
    sub, role, area = ADMIN
    caller = Caller(sub=sub, roles=frozenset({role}), area=area)
    institutions = [directory.create_institution(caller, InstitutionIn(
        kind="notary_office", name=f"天宁第{n + 1}公证服务点", home_area="320402")).id for n in range(RACERS)]
    activity = {"date": clock.day(20), "start": "09:00", "end": "11:00", "theme": "民法典进社区：婚姻家庭编"}
    keyed = {**admin, "Idempotency-Key": "race-activity-1"}
    answers = at_once([lambda i=i: post(client, f"/v1/institutions/{i}/activities", activity, keyed)
                       for i in institutions])
    assert [a.status_code for a in answers] == [201] * RACERS, [a.body for a in answers if a.status_code != 201]
    assert [body(a)["institution_id"] for a in answers] == institutions
    assert not [a for a in answers if header(a, "Idempotent-Replayed")]
    assert len(_items("activity#")) == RACERS
    assert len(_items("idempotency#")) == RACERS


def test_approve_and_reject_at_once_exactly_one_decision_wins(client, token, at_once):
    """SPEC L6: a decision is a conditional write at the version the officer saw; two officers deciding
    one application at the same moment — one wins, the other gets 409, the history holds one decision."""
    from tests.plugins.legal_aid.conftest import _build_world, application, declare_real_name

    _build_world()
    resident, officer = token("r-1", "resident"), token("officer-1", "legal_aid_officer", area="320402")
    payload = application()
    declare_real_name("r-1", payload["applicant"]["id_number"])
    app = ok(post(client, "/v1/legal-aid/applications", payload, resident), 201)
    url = f"/v1/legal-aid/applications/{app['id']}"
    app = ok(post(client, f"{url}/accept", {"version": app["version"]}, officer))
    decisions = at_once([
        lambda: post(client, f"{url}/approve", {"version": app["version"]}, officer),
        lambda: post(client, f"{url}/reject", {"version": app["version"], "reason": "对方已足额支付工资"}, officer),
    ])
    assert sorted(d.status_code for d in decisions) == [200, 409], [d.body for d in decisions]
    winner = body(next(d for d in decisions if d.status_code == 200))
    assert body(next(d for d in decisions if d.status_code == 409))["code"] in ("stale_version", "illegal_transition")
    stored = ok(client.get(url, headers=officer))
    assert stored["status"] == winner["status"] and stored["version"] == app["version"] + 1
    decided = [e for e in stored["timeline"] if e["status"]["code"] in ("approved", "rejected")]
    assert len(decided) == 1
    entries = audit.trail("legal-aid-application", app["id"], limit=50).items
    won = {"approved": "approve", "rejected": "reject"}[winner["status"]["code"]]
    assert [e["action"] for e in entries if e["action"] in ("approve", "reject")] == [won]
