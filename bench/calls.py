"""Count DynamoDB calls per request with a botocore event hook on the client the app really uses."""
from __future__ import annotations

import contextlib
from collections import Counter


@contextlib.contextmanager
def counting_dynamodb_calls():
    from chalicelib.platform import aws

    counter: Counter[str] = Counter()

    def count(event_name: str, **_kwargs) -> None:
        counter[event_name.rsplit(".", 1)[-1]] += 1

    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb", count)
    try:
        yield counter
    finally:
        client.meta.events.unregister("before-call.dynamodb", count)
