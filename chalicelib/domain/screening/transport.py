"""How screening shards reach the queue handler: SQS in deployed stages, an in-process stand-in locally.

The stand-in hands the handler the same SQS event shape Lambda does and honours its partial batch
response the way the event source mapping would: only the failed messages are delivered again, up to
`MAX_RECEIVES` times (the queue's `maxReceiveCount`), after which they count as dead letters — so `make dev`
and the tests go through the very code path production does, including retries.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Callable

from chalicelib.platform import aws, config
from chalicelib.platform.logs import logger

MAX_RECEIVES = 3  # infra/resources.json ScreeningQueue RedrivePolicy.maxReceiveCount
SQS_BATCH = 10    # SendMessageBatch takes at most 10 entries

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def send(bodies: list[dict[str, Any]], local_handler: Handler) -> bool:
    """Enqueue one message per body (SQS when the stage has a queue, else the local stand-in); True when the
    stand-in has already handled them here."""
    url = config.screening_queue_url()
    if url is None:
        deliver_locally(bodies, local_handler)
        return True
    sqs = aws.client("sqs")
    for start in range(0, len(bodies), SQS_BATCH):
        chunk = bodies[start:start + SQS_BATCH]
        entries = [{"Id": str(i), "MessageBody": json.dumps(body, ensure_ascii=False)} for i, body in enumerate(chunk)]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:
            # Resent by the caller's retry (the scheduled run resumes its pending shards); duplicates are harmless.
            raise RuntimeError(f"{len(failed)} screening messages were not enqueued: {failed[0].get('Code')}")
    return False


def sqs_event(messages: list[tuple[str, str]], receive_count: int = 1) -> dict[str, Any]:
    """An SQS event as Lambda delivers it, for (message id, body) pairs."""
    return {"Records": [{
        "messageId": message_id, "receiptHandle": f"local-{message_id}-{receive_count}", "body": body,
        "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": "0", "SenderId": "local",
                       "ApproximateFirstReceiveTimestamp": "0"},
        "messageAttributes": {}, "md5OfBody": hashlib.md5(body.encode()).hexdigest(), "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:local:000000000000:{config.screening_queue_name()}", "awsRegion": "local",
    } for message_id, body in messages]}


def deliver_locally(bodies: list[dict[str, Any]], handler: Handler) -> list[str]:
    """Deliver in batches of 10, redelivering failed messages; returns the bodies that ended as dead letters."""
    dead = []
    for start in range(0, len(bodies), SQS_BATCH):
        pending = [(str(uuid.uuid4()), json.dumps(b, ensure_ascii=False)) for b in bodies[start:start + SQS_BATCH]]
        for receive in range(1, MAX_RECEIVES + 1):
            response = handler(sqs_event(pending, receive), None)
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            pending = [m for m in pending if m[0] in failed]
            if not pending:
                break
        dead += [body for _, body in pending]
    if dead:
        logger().error("screening shards dead-lettered (local stand-in)", extra={"count": len(dead)})
    return dead
