"""The ledger export queue (issue 23 §3): large exports are written by the queue's handler, not the request.

`send` puts one message per export on the stage's ledger queue (`LEDGER_QUEUE_URL`, infra/resources.json
`LedgerQueue`); without one (`local`, the tests) the same handler is called in-process by the screening's
SQS stand-in (`screening.transport.deliver_locally`: the event shape and the partial batch response Lambda
uses, redelivery included). `handle_queue_event` runs each export (`exports.run`, idempotent per export) and
reports only the failed messages back to the queue.
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.platform import aws, config
from chalicelib.platform.logs import logger

SQS_BATCH = 10


def send(bodies: list[dict[str, Any]]) -> None:
    url = config.ledger_queue_url()
    if url is None:
        from chalicelib.domain.screening import transport

        transport.deliver_locally(bodies, handle_queue_event)
        return
    sqs = aws.client("sqs")
    for start in range(0, len(bodies), SQS_BATCH):
        entries = [{"Id": str(i), "MessageBody": json.dumps(body)} for i, body in enumerate(bodies[start:start + SQS_BATCH])]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:  # the status record stays "queued": asking again finds it and sends it again
            raise RuntimeError(f"{len(failed)} ledger exports were not enqueued: {failed[0].get('Code')}")


def handle_queue_event(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.domain.ledgers import exports

    failures = []
    for record in event.get("Records", []):
        try:
            exports.run(json.loads(record["body"])["export_id"])
        except Exception as exc:  # noqa: BLE001 — only this message goes back to the queue
            logger().warning("ledger export message failed", extra={"error": type(exc).__name__})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
