"""Reading many items at once: a few calls side by side, and BatchGetItem in chunks of 100."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, TypeVar

from chalicelib.platform.storage import keys

PARALLEL_CALLS = 8  # below botocore's default pool of 10 connections
T = TypeVar("T")
R = TypeVar("R")


def fan_out(function: Callable[[T], R], inputs: Iterable[T]) -> list[R]:
    """`function` over `inputs`, a few DynamoDB calls side by side (boto3 clients are thread-safe);
    results in input order, the first exception re-raised."""
    inputs = list(inputs)
    if len(inputs) <= 1:
        return [function(i) for i in inputs]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_CALLS, len(inputs))) as pool:
        return list(pool.map(function, inputs))


def fetch(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (pk, sk), BatchGetItem in chunks of 100 side by side; missing keys are simply absent."""
    from chalicelib.platform import storage

    unique = list(dict.fromkeys(pairs))
    chunks = [unique[i:i + 100] for i in range(0, len(unique), 100)]
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for items in fan_out(storage.get_many, chunks):
        found.update({(i["pk"], i["sk"]): i for i in items})
    return found


def record_key(entity: str, record_id: str) -> tuple[str, str]:
    key = keys.record(entity, record_id)
    return key["pk"], key["sk"]
