"""DynamoDB calls for every route the app serves, on a scripted walkthrough: the suite's own stories.

A pytest plugin (`-p bench.route_calls`) wraps the Chalice app's entry point so that each request the tests
make is counted with a botocore `before-call` hook on the DynamoDB client the app uses (as bench/calls.py
does), keyed by method, route template and status. The tests are the walkthrough: they drive every route
through its successful path with realistic data, so a new route is walked as soon as it is tested (one no
test calls with success is listed as "not walked"). `make bench` runs them in a subprocess and prints, per
route, the fewest calls of a successful (2xx) request against its target: a read 1 (+1 where it writes its
audit entry, CONTRACT "PII"), a create 1 (with or without `Idempotency-Key`), an update ≤ 2.
"""
from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Any

OUT = "BENCH_ROUTE_CALLS_OUT"
_seen: dict[str, list[list[Any]]] = defaultdict(list)


def pytest_configure(config) -> None:
    from chalice.app import Chalice

    original = Chalice.__call__

    def counted(self, event, context):
        route = (event.get("requestContext") or {}).get("resourcePath")
        if route is None:  # not an HTTP request (an SQS batch, the scheduler)
            return original(self, event, context)
        from chalicelib.platform import aws

        calls: list[str] = []
        client = aws.dynamodb()
        client.meta.events.register("before-call.dynamodb.*",
                                    lambda model, params, **_: calls.append(_named(model.name, params)),
                                    unique_id="bench-route-calls")
        try:
            response = original(self, event, context)
        finally:
            client.meta.events.unregister("before-call.dynamodb.*", unique_id="bench-route-calls")
        keyed = "idempotency-key" in {k.lower() for k in (event.get("headers") or {})}
        _seen[f"{event['requestContext']['httpMethod']} {route}"].append([response["statusCode"], keyed, calls])
        return response

    Chalice.__call__ = counted


AUDIT_ONLY = "TransactWriteItems(audit)"


def _named(operation: str, params: dict[str, Any]) -> str:
    """The operation's name; a transaction that writes only audit entries (a read that CONTRACT "PII" audits)
    is told apart, because such a read's target is 1 + 1."""
    if operation == "TransactWriteItems":  # `params` is the serialized request: its body is the JSON sent
        body = json.loads(params.get("body") or b"{}")
        items = [next(iter(op.values())).get("Item", {}) for op in body.get("TransactItems", [])]
        if items and all(item.get("entity") == {"S": "audit"} for item in items):
            return AUDIT_ONLY
    return operation


def pytest_unconfigure(config) -> None:
    if os.environ.get(OUT):
        with open(os.environ[OUT], "w", encoding="utf-8") as out:
            json.dump(_seen, out, ensure_ascii=False)


def target(method: str, status: int, calls: list[str] = ()) -> tuple[str, int]:
    """(kind, most calls) for a route: a read (+1 where it writes its audit entry), a create (declared 201)
    or an update."""
    if method == "GET":
        return "read", 1 + (AUDIT_ONLY in calls)
    if status == 201:
        return "create", 1
    return "update", 2


def table(seen: dict[str, list[list[Any]]], routes: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    """One row per route the app serves: its target and the successful request (keyed and unkeyed apart for
    creates) that came closest to it, with the operations of that request."""
    rows = []
    for method, path, status in routes:
        kind, _ = target(method, status)
        ok = [(len(calls) - target(method, status, calls)[1], keyed, calls)
              for code, keyed, calls in seen.get(f"{method} {path}", []) if 200 <= code < 300]
        best = min(ok, default=None, key=lambda r: r[0])
        keyed = min((r for r in ok if r[1]), default=None, key=lambda r: r[0])
        rows.append({"route": f"{method} {path}", "kind": kind, "requests": len(ok),
                     "target": target(method, status, best[2])[1] if best else target(method, status)[1],
                     "calls": len(best[2]) if best else None, "ops": best[2] if best else [],
                     "keyed_calls": len(keyed[2]) if keyed else None,
                     "over": bool(best) and (best[0] > 0 or (keyed is not None and keyed[0] > 0))})
    return rows
