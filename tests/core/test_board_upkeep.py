"""C4 (公示栏), issue §3: the stored grid boards are kept current by the writers — the board outbox written
in each change's transaction, the drain the minutely schedule runs, the queue handler that rebuilds, the
daily rotation — so a resident's read is one GetItem and never a write."""
from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.domain.areas import service as areas
from chalicelib.domain.areas.models import BOARD_DIRTY, BoardDirty
from chalicelib.domain.board import service as board
from chalicelib.domain.board import upkeep
from chalicelib.domain.board.models import StoredBoard
from chalicelib.platform import storage, timeutil
from tests.core.test_board_rota import GRID, boards_rebuilt, clock, duty, points  # noqa: F401  (fixtures)
from tests.core.test_coverage import assign, services  # noqa: F401  (fixture)
from tests.core.test_directory import TIANNING_GRIDS, admin, new_person, seed_tree
from tests.helpers import body, calls_during, post

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def outbox() -> dict[str, int]:
    return {i["area"]: int(i["changes"]) for i in storage.every(BoardDirty, BOARD_DIRTY, "all")}


def mediators(client, grid: str = GRID) -> list[str]:
    shown = body(client.get(f"/v1/areas/{grid}/board"))
    return [x["name"] for c in shown["contacts"] if c["role"] == "mediator" for x in c["people"]]


def test_a_change_marks_its_area_in_the_board_outbox_in_its_own_transaction(client, points, services):
    """The outbox entry costs the change no call: the assignment is still one transaction."""
    p = points
    boards_rebuilt()
    made = calls_during(lambda: assign(client, p["headers"], "mediator", "320402001", p["mediator"]["id"]))
    assert made.count("TransactWriteItems") == 1 and not (set(made) & WRITES) - {"TransactWriteItems"}
    assert outbox() == {"320402001": 1}
    assert boards_rebuilt() == {"areas": 1, "grids": 4}
    assert outbox() == {}


def test_a_grid_never_built_is_answered_from_a_build_that_is_not_stored(client, aws_backend, services):
    """Issue §3: the rare case (an area imported in bulk, before the rotation reached it) costs a build but
    still writes nothing, and says so in the log."""
    seed_tree()  # written in bulk: no outbox entries
    made = calls_during(lambda: client.get(f"/v1/areas/{GRID}/board"))
    assert made[0] == "GetItem" and len(made) > 1 and not set(made) & WRITES
    assert storage.read(StoredBoard, GRID) is None
    assert body(client.get(f"/v1/areas/{GRID}/board"))["grid"]["code"] == GRID


def test_a_new_grid_gets_its_board_from_the_outbox(client, token, aws_backend, services):
    """Creating a grid marks it, so the next drain stores its board and its first read is one GetItem."""
    seed_tree()
    created = post(client, "/v1/areas", {"code": "320402001001003", "name": "第三网格"}, admin(token))
    assert created.status_code == 201, created.body
    assert boards_rebuilt()["grids"] == 1
    assert calls_during(lambda: client.get("/v1/areas/320402001001003/board")) == ["GetItem"]
    assert body(client.get("/v1/areas/320402001001003/board"))["grid"]["name"] == "第三网格"


def test_a_rebuild_against_an_older_change_never_replaces_a_newer_board(client, points, services):
    """A rebuild that read the city's stamp before a change, and stores after the change's own rebuild, is
    refused: the board keeps the change."""
    p = points
    boards_rebuilt()
    stamp = storage.read(areas.BoardStamp, "3204", consistent=True).stamp
    older = board.stored_board(GRID, stamp)  # built before the change, not yet stored
    assign(client, p["headers"], "mediator", GRID, p["mediator"]["id"])
    boards_rebuilt()
    assert storage.put_unless_newer(older, ("stamp", "as_of")) is False
    assert mediators(client) == ["周雅琴"]
    # the same stamp on a later day replaces it (the rotation); an earlier day does not
    with timeutil.travel(timedelta(days=1)):
        assert upkeep.rebuild([GRID]) == 1
    assert upkeep.rebuild([GRID]) == 0


def test_a_change_made_while_the_drain_runs_stays_in_the_outbox_for_the_next(client, points, services):
    """The drain deletes an entry only if its count is still the one it read."""
    p = points
    boards_rebuilt()
    assign(client, p["headers"], "mediator", GRID, p["mediator"]["id"])
    [read] = [BoardDirty.from_item(i) for i in storage.every(BoardDirty, BOARD_DIRTY, "all")]
    second = new_person(client, p["headers"], name="李明", phone="13800001209")
    assign(client, p["headers"], "mediator", GRID, second["id"])  # the same grid, during the drain
    assert storage.remove_if(read, {"changes": read.changes}) is False
    assert outbox()[GRID] == 2
    boards_rebuilt()
    assert sorted(mediators(client)) == ["周雅琴", "李明"] and outbox() == {}


def test_the_drain_leaves_a_change_younger_than_a_few_seconds_for_its_next_run(client, points, services):
    """The rebuild reads lists through the table's indexes, which follow a write by a moment."""
    p = points
    boards_rebuilt()
    assign(client, p["headers"], "mediator", GRID, p["mediator"]["id"])
    assert upkeep.drain() == {"areas": 0, "grids": 0} and outbox() == {GRID: 1}
    boards_rebuilt()
    assert mediators(client) == ["周雅琴"]


def test_a_change_touching_many_areas_marks_their_districts_within_a_transaction_s_room():
    """An institution serving 20 villages: its change marks the two districts (and moves the city's stamp)
    rather than 20 entries that, with its own items, would not fit one transaction."""
    villages = [f"320402{t:03d}001" for t in range(1, 11)] + [f"320404{t:03d}001" for t in range(1, 11)]
    ops = areas.boards_changed(*villages)
    marked = sorted(json.dumps(op["Update"]["Key"]) for op in ops)
    assert len(ops) == 3 and any("board-stamp#3204" in k for k in marked)
    assert sum("320402" in k and "board-dirty" in k for k in marked) == 1
    assert len(areas.boards_changed("320402001", "320402001001001")) == 3


def test_the_daily_rotation_rebuilds_a_seventh_of_the_grids_and_a_week_reaches_them_all(client, aws_backend,
                                                                                        services, clock):
    """Each board is rebuilt once a week, within the days its dated content lasts, changed or not."""
    seed_tree()
    rebuilt: list[str] = []
    for day in range(7):
        with timeutil.travel(timedelta(days=day)):
            before = {g for g in TIANNING_GRIDS if storage.read(StoredBoard, g)}
            assert upkeep.rotate()["cities"] == 1
            rebuilt += [g for g in TIANNING_GRIDS if storage.read(StoredBoard, g) and g not in before]
    assert sorted(rebuilt) == sorted(TIANNING_GRIDS)
    assert board.DAYS_AHEAD > upkeep.ROTATION_DAYS  # a board is rebuilt before its dated content runs out


def test_a_stored_board_past_its_last_day_is_not_served_stale(client, points, services, clock):
    """Were the rotation to stop, a board whose dated content ran out is built on the read (not stored)."""
    assert duty(client, points["headers"], points["station"], points["mediator"]).status_code == 201
    boards_rebuilt()
    with clock.travel(days=board.DAYS_AHEAD + 1):
        made = calls_during(lambda: client.get(f"/v1/areas/{GRID}/board"))
        shown = body(client.get(f"/v1/areas/{GRID}/board"))
    assert len(made) > 1 and not set(made) & WRITES
    assert shown["as_of"] == "2026-12-04" and [d["date"] for d in shown["on_duty"]] == ["2026-12-09"]


def test_a_failing_message_goes_back_to_the_queue_alone(client, points, services):
    """ReportBatchItemFailures: the queue handler returns only the message that failed."""
    event = {"Records": [{"messageId": "a", "body": json.dumps({"grids": [GRID]})},
                         {"messageId": "b", "body": "not json"}]}
    assert upkeep.handle_queue_event(event) == {"batchItemFailures": [{"itemIdentifier": "b"}]}
    assert storage.read(StoredBoard, GRID) is not None


def test_the_scheduled_drain_enqueues_the_grids_and_the_queue_function_stores_their_boards(
        client, points, services, monkeypatch):
    """app.py as deployed: the minutely function hands the changed grids to the stage's board queue (moto's
    SQS) and the queue function rebuilds them, as Lambda delivers the messages."""
    from chalice.test import Client

    from app import app
    from chalicelib.platform import aws, config
    from infra import bootstrap
    from tests.conftest import ROOT

    sqs = aws.client("sqs")
    [url] = [u for u in bootstrap.create_queues(sqs, bootstrap.local_params("local"))
             if u.endswith("/" + config.board_queue_name())]
    monkeypatch.setenv("BOARD_QUEUE_URL", url)
    assign(client, points["headers"], "mediator", "320402001", points["mediator"]["id"])
    with Client(app, stage_name="local", project_dir=str(ROOT)) as lambdas, \
            timeutil.travel(timedelta(seconds=upkeep.SETTLE_SECONDS)):
        scheduled = lambdas.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                     detail={}, resources=[])
        assert lambdas.lambda_.invoke("drain_board_changes", scheduled).payload["grids"] == 5  # 天宁区's five
        bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
        assert sorted(g for b in bodies for g in json.loads(b)["grids"]) == TIANNING_GRIDS
        event = lambdas.events.generate_sqs_event(message_bodies=bodies, queue_name=config.board_queue_name())
        assert lambdas.lambda_.invoke("rebuild_boards", event).payload == {"batchItemFailures": []}
    assert mediators(client) == ["周雅琴"]
    assert calls_during(lambda: client.get(f"/v1/areas/{GRID}/board")) == ["GetItem"]
