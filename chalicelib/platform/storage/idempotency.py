"""`Idempotency-Key` at the floor: the key is claimed in the same transaction that creates the record.

Why hand-written rather than Powertools' Idempotency utility (which this replaced, issue 9):
- Calls. Powertools claims the key with a `PutItem` before the handler and saves the response with an
  `UpdateItem` after it, so a keyed create cost 2 DynamoDB calls more than the same create without a key
  (measured in tests/core/test_write_floor.py with botocore's `before-call` hook: a policy version,
  `PutItem, BatchGetItem, TransactWriteItems, UpdateItem` keyed against `BatchGetItem, TransactWriteItems`
  without). Here the claim is one more `Put` inside the record's own `TransactWriteItems`: a keyed create
  costs exactly what an unkeyed one does, and a replay costs the failed transaction plus one `GetItem` of
  the record. (A create numbered by a `storage.Counter` looks the claim up before it takes a number, so
  that a replay takes none — in the request's first BatchGetItem when it makes one, as a ticket's time-limit
  read does (`storage.get_many`), else one `GetItem`: `storage.next_number`.)
- Personal data. Powertools stores the whole first response for 24 h (for a resident's application: the
  owner view with the full ID number and phone). The item here holds hashes and the created record's key
  only — no body, no response, no personal data, no secret — and a replay renders the record again for
  the caller, as a fresh read would.
- Scope. The key is scoped to the caller, the method and the *concrete* path (`/v1/policies/a/versions`,
  not the route template), so one key sent to two parent records creates two records.
- Atomicity. The claim and the record are written together or not at all: no "in progress" state, no
  claim left behind by a failed handler, and of two concurrent duplicates one transaction wins while the
  other fails its condition and replays the winner's record.

How it flows. The web layer puts a `Claim` in a request-scoped context (`claiming`). The first
transaction of the request that creates a record (`storage.put_new`, or `storage.transact` with a
conditional `Put` that is not an audit entry) carries the claim's item: pk `idempotency#<sha256 of
caller, method, path, key>` (one partition per key, spread over the table), the body's SHA-256, the
created record's key, and `ttl` (24 h, the table's TTL attribute; an expired item that TTL has not yet
removed is overwritten). When that `Put` fails its condition the transaction is a replay (`Replayed`):
with the same body the web layer reads the record and renders it again with the route's response model;
with another body it is 422 `idempotency_key_reused`. A retry that fails before it writes (its checks
see the state its first attempt created: "already exists", "date not after the latest version") looks
the claim up once, on that error path only, and replays the same way.
"""
from __future__ import annotations

import contextvars
import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from chalicelib.platform.errors import Unprocessable

ENTITY = "idempotency"
EXPIRES_AFTER_SECONDS = 24 * 3600


@dataclass
class Claim:
    """One keyed request: its scope's hash, its body's hash and, once the creating transaction ran, whether
    it was a replay and of which record."""
    scope: str
    body_sha256: str
    attached: bool = False
    replayed_key: tuple[str, str] | None = None
    held_back: bool = False
    looked_up: bool = False                 # its item was read along with the request's first batch read
    seen: dict[str, Any] | None = None      # … and this is what that read found (None: no item)

    @classmethod
    def of(cls, caller: str, method: str, path: str, key: str, body: bytes) -> "Claim":
        scope = "\n".join((caller, method.upper(), path, key)).encode()
        return cls(scope=hashlib.sha256(scope).hexdigest(), body_sha256=hashlib.sha256(body).hexdigest())

    @property
    def key(self) -> dict[str, str]:
        return {"pk": f"{ENTITY}#{self.scope}", "sk": "record"}

    @property
    def replayed(self) -> bool:
        return self.replayed_key is not None


class Replayed(Exception):
    """A keyed create that had already been made: the web layer renders `record_key`'s record again. Not a
    `Problem`, so no service's `except Conflict` can mistake it for one of its own conditions."""

    def __init__(self, record_key: tuple[str, str]) -> None:
        super().__init__(record_key[0])
        self.record_key = record_key


_current: contextvars.ContextVar[Claim | None] = contextvars.ContextVar("idempotency_claim", default=None)


@contextmanager
def claiming(claim: Claim) -> Iterator[Claim]:
    """Within the block, the request's first creating transaction carries `claim`."""
    token = _current.set(claim)
    try:
        yield claim
    finally:
        _current.reset(token)


@contextmanager
def held_back() -> Iterator[None]:
    """Within the block no transaction carries the claim: for a request that writes many records before the
    one that sums them up (an import's batches, then its report), so that the claim names the summary and a
    replay shows it."""
    claim = _current.get()
    if claim is None:
        yield
        return
    before, claim.held_back = claim.held_back, True
    try:
        yield
    finally:
        claim.held_back = before


def _creates_record(op: dict[str, Any]) -> bool:
    put = op.get("Put")
    return bool(put) and "attribute_not_exists" in put.get("ConditionExpression", "") \
        and put["Item"].get("entity", {}).get("S") not in ("audit", ENTITY)


def attach(ops: list[dict[str, Any]], table: str, now_epoch: int, to_wire, *,
           names: int | None = None) -> int | None:
    """Append the pending claim's `Put` to `ops` if they create a record — or, with `names`, if they change
    the record `ops[names]` updates (an entry appended to it: a session recorded on a dispute); its index,
    or None."""
    claim = _current.get()
    if claim is None or claim.attached or claim.held_back:
        return None
    created = next((op["Put"]["Item"] for op in ops if _creates_record(op)), None)
    if created is None and names is not None:
        created = ops[names]["Update"]["Key"]
    if created is None:
        return None
    claim.attached = True
    item = {**claim.key, "entity": ENTITY, "body_sha256": claim.body_sha256,
            "record_pk": created["pk"]["S"], "record_sk": created["sk"]["S"],
            "ttl": now_epoch + EXPIRES_AFTER_SECONDS}
    ops.append({"Put": {
        "TableName": table, "Item": to_wire(item),
        "ConditionExpression": "attribute_not_exists(pk) OR #ttl < :now",
        "ExpressionAttributeNames": {"#ttl": "ttl"}, "ExpressionAttributeValues": to_wire({":now": now_epoch}),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }})
    return len(ops) - 1


def current() -> Claim | None:
    return _current.get()


def unread() -> Claim | None:
    """The pending claim when no read has looked its item up yet: the request's first batch read carries it
    (one more key in a call made anyway), so a numbered create need not look it up on its own."""
    claim = _current.get()
    if claim is None or claim.attached or claim.looked_up:
        return None
    return claim


def replay(stored: dict[str, Any] | None, now_epoch: int) -> Exception | None:
    """What the claim's item met in the table means: None if there is no live item (removed or expired:
    nothing to replay), else `Replayed` — or 422 when the key came with another body."""
    claim = _current.get()
    assert claim is not None
    if stored is None or int(stored.get("ttl", 0)) < now_epoch:
        return None
    if stored.get("body_sha256") != claim.body_sha256:
        return Unprocessable("同一 Idempotency-Key 已用于内容不同的请求，请换一个新的 Key", code="idempotency_key_reused",
                             errors=[{"loc": ["header", "Idempotency-Key"], "msg": "已被内容不同的请求使用"}])
    claim.replayed_key = (stored["record_pk"], stored["record_sk"])
    return Replayed(claim.replayed_key)


def pending() -> bool:
    """Whether this request holds a claim no transaction has carried yet."""
    claim = _current.get()
    return claim is not None and not claim.attached
