"""Keeping the stored grid boards current (C4; why this design: `board.service`'s docstring).

- `drain` — every minute (`drain_board_changes` in app.py; a thread of `make dev`; the tests call it): one
  Query of the board outbox (`BoardDirty`, one entry per area a change touched, written in that change's
  own transaction), the grids at or below each area (one Query per area above a grid), handed to the board
  queue in messages of `GRIDS_PER_MESSAGE`, then each entry deleted — only if no change added to it
  meanwhile (its `changes` count is still the one read), so a change made during the drain stays for the
  next. An entry younger than `SETTLE_SECONDS` waits for the next run: the rebuild reads lists through
  the table's indexes, which follow a write by a moment.
- `handle_queue_event` — the queue function (`rebuild_boards`): per message, each city's stamp read
  consistently, then each grid's board built and stored against it with a conditional put that refuses
  to replace a board built against a newer stamp (or a later day at the same stamp). A message delivered
  twice rebuilds twice and stores the same board: idempotent.
- `rotate` — daily (`refresh_boards`): the seventh of every city's grids whose code falls on today, so each
  board is rebuilt once a week, within the `DAYS_AHEAD` days its dated content lasts, whether or not
  anything changed (and a grid that never had a board gets one).

No queue where the stage has none (`local`, the tests): the messages go to the same handler in-process.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from chalicelib.domain.areas import service as areas
from chalicelib.domain.areas.models import BOARD_DIRTY, ROOT, BoardDirty, BoardStamp
from chalicelib.domain.board import service as board
from chalicelib.platform import aws, config, storage
from chalicelib.platform.errors import NotFound
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import iso, now_utc, today_shanghai

DRAIN_BATCH = 200          # outbox entries per run (the rest wait a minute)
SETTLE_SECONDS = 5
GRIDS_PER_MESSAGE = 10     # ~10 calls a grid: a message is ~100 calls
ROTATION_DAYS = 7
SQS_BATCH = 10


def drain() -> dict[str, int]:
    """Hand the grids under the areas changed since the last run to the board queue (module docstring)."""
    settled = iso(now_utc() - timedelta(seconds=SETTLE_SECONDS))
    marks = [BoardDirty.from_item(i) for i in storage.page(BoardDirty, BOARD_DIRTY, "all", limit=DRAIN_BATCH).items]
    marks = [m for m in marks if (m.changed_at or "") <= settled]
    grids = sorted({g for m in marks for g in grids_under(m.area)})
    enqueue(grids)
    for mark in marks:  # after the grids are queued: a failure above leaves every entry for the next run
        storage.remove_if(mark, {"changes": mark.changes})
    return {"areas": len(marks), "grids": len(grids)}


def grids_under(code: str) -> list[str]:
    """The grids at or below `code`: itself for a grid, one Query of its city's grids otherwise."""
    if len(code) == 15:
        return [code]
    if len(code) < 4:
        return []  # a province's change reaches its cities' boards through their own changes or the rotation
    return [a.code for a in areas.descendants(code, "grid")]


def rotate() -> dict[str, int]:
    """Today's seventh of every city's grids, to the board queue: every board rebuilt once a week."""
    turn = today_shanghai().toordinal() % ROTATION_DAYS
    cities = [c.code for p in areas.all_children(ROOT) for c in areas.all_children(p.code) if c.level == "city"]
    grids = [g for city in cities for g in grids_under(city) if int(g) % ROTATION_DAYS == turn]
    enqueue(grids)
    return {"cities": len(cities), "grids": len(grids)}


def enqueue(grids: list[str]) -> None:
    bodies = [json.dumps({"grids": grids[i:i + GRIDS_PER_MESSAGE]}) for i in range(0, len(grids), GRIDS_PER_MESSAGE)]
    url = config.board_queue_url()
    if url is None:
        for start in range(0, len(bodies), SQS_BATCH):
            handle_queue_event({"Records": [{"messageId": str(i), "body": b}
                                            for i, b in enumerate(bodies[start:start + SQS_BATCH])]})
        return
    sqs = aws.client("sqs")
    for start in range(0, len(bodies), SQS_BATCH):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + SQS_BATCH])]
        failed = sqs.send_message_batch(QueueUrl=url, Entries=entries).get("Failed") or []
        if failed:  # raised before the outbox entries are deleted: the next drain hands them again
            raise RuntimeError(f"{len(failed)} board messages were not enqueued: {failed[0].get('Code')}")


def handle_queue_event(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A batch of `{"grids": [...]}` messages; a message that fails goes back to the queue alone."""
    failures = []
    for record in event.get("Records", []):
        try:
            rebuild(json.loads(record["body"])["grids"])
        except Exception:  # noqa: BLE001 — one message failing must not fail the others
            logger().exception("board rebuild failed")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


def rebuild(grids: list[str]) -> int:
    """Build and store the boards of `grids`, each against its city's stamp read (consistently) before any
    of them is built; the number stored (a board built against an older stamp than the stored one is not)."""
    stamps = {}
    for city in sorted({g[:4] for g in grids}):
        found = storage.read(BoardStamp, city, consistent=True)
        stamps[city] = found.stamp if found else 0
    stored = 0
    for grid in grids:
        try:
            built = board.stored_board(grid, stamps[grid[:4]])
        except NotFound:
            continue  # an area removed since it was marked
        stored += storage.put_unless_newer(built, ("stamp", "as_of"))
    return stored
