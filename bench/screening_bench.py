"""Monthly screening (C7, issue 14): one shard at 1×, 10× and 100× of a month's data, with the table also
holding eleven other months of the same size, so that what grows with the table (not the month) shows.

    python -m bench.screening_bench [--scales 1,10,100]

For each scale it seeds, in a fresh moto table, one district of 10 towns × 10 grids, hotline work orders
(`sources`, month-bucketed index, with their category tallies) and a per-grid tally (`tallies`), enables a
stand-in service whose check reads that tally beside the core's own checks (which read the month's orders
and category tallies), runs the month through the real fan-out (local stand-in → the same queue handler) and
prints per shard: DynamoDB calls, items read ÷ items of the month, time and peak Python memory; then a
projection for Jiangsu (13 cities, ~100,000 grids) against Lambda's limits (900 s, 10,240 MB).

Only the core's reads are measured: the enabled plugins' own checks (legal aid reads its whole open queue
per shard) are outside this bench and outside the core's reach (they are called via `plugin.run_screening`).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CITY, DISTRICT, MONTH = "3204", "320497", "2026-11"
TOWNS, GRIDS_PER_TOWN = 10, 10
BASE_ORDERS = 50          # 1×: work orders of the district in the month
OTHER_MONTHS = 11
JIANGSU_GRIDS, JIANGSU_DISTRICTS = 100_000, 100


@contextlib.contextmanager
def _moto() -> Iterator[None]:
    from chalicelib import cli

    cli._stage_environment("local")
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "cn-northwest-1", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DEV_KEY_DIR", str(ROOT / ".data" / "keys"))
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "SCREENING_QUEUE_URL"):
        os.environ.pop(variable, None)
    from moto import mock_aws

    from chalicelib.platform import aws
    from infra import bootstrap

    with mock_aws():
        aws.reset()
        bootstrap.create_tables(aws.dynamodb(), bootstrap.local_params("local"))
        yield
    aws.reset()


def _seed(scale: int) -> int:
    """The district, its grids, and `scale` × BASE_ORDERS work orders in each of twelve months; returns the
    month's orders and category tallies."""
    from chalicelib.domain.areas.models import Area
    from chalicelib.domain.screening import sources, tallies
    from chalicelib.platform import storage

    items = [Area(code="32", name="江苏省", level="province").to_item(),
             Area(code=CITY, name="常州市", level="city", parent="32").to_item(),
             Area(code=DISTRICT, name="基准区", level="district", parent=CITY).to_item()]
    grids = []
    for t in range(1, TOWNS + 1):
        town = f"{DISTRICT}{t:03d}"
        items.append(Area(code=town, name=f"{t}街道", level="town", parent=DISTRICT).to_item())
        grids += [f"{town}001{g:03d}" for g in range(1, GRIDS_PER_TOWN + 1)]
    storage.batch_write(puts=items)
    orders = []
    for month_index in range(OTHER_MONTHS + 1):
        month = f"2026-{month_index + 1:02d}"
        for n in range(BASE_ORDERS * scale):
            from datetime import datetime

            from chalicelib.platform.timeutil import SHANGHAI
            values = {"order_no": f"CZ{month}-{n:06d}", "called_at": datetime(2026, month_index + 1, 3, 9, tzinfo=SHANGHAI),
                      "category": "劳动保障" if n % 3 else "婚姻家庭", "content": "讨薪" if n % 7 == 0 else "咨询"}
            orders.append(sources.work_order_item("hotline", CITY, grids[n % len(grids)][:9], values, "bench"))
    # The orders as `sources.write_orders` leaves them, written in bulk (moto copies the table per transaction):
    # the items, then their category tallies, one transaction per month.
    storage.batch_write(puts=orders)
    per_month: dict[str, dict[tuple[str, str], int]] = {}
    for order in orders:
        bucket = per_month.setdefault(order["month"], {})
        bucket[(order["area"], order["category"])] = bucket.get((order["area"], order["category"]), 0) + 1
    for month, counted in per_month.items():
        storage.transact([tallies.count_op(sources.category_tally("hotline"), area, n, month=month, subject=category)
                          for (area, category), n in counted.items()])
    for grid in grids:
        storage.transact([tallies.count_op("bench.unvisited", grid, by=scale)])
    return BASE_ORDERS * scale + len(per_month[MONTH])


def _stand_in():
    """A service whose check reads a tally, as a bounded check should (the core's own checks read the
    month's work orders and their category tallies)."""
    from chalice import Blueprint

    from chalicelib import plugin
    from chalicelib.domain.screening import tallies

    def unvisited(context: plugin.ScreeningContext):
        for grid, count in tallies.counts("bench.unvisited", context.area):
            if count > 1:
                yield plugin.Finding(check="bench.unvisited", area=grid, severity="info", title=f"{count} 户未走访",
                                     record=f"unvisited-{grid}")

    return plugin.Plugin(name="bench", title="基准", blueprint=Blueprint("bench"),
                         screening_checks=(plugin.ScreeningCheck("bench.unvisited", "未走访", unvisited),))


def _measure(scale: int) -> dict[str, Any]:
    from chalicelib import plugin
    from chalicelib.domain.screening import service as screening
    from chalicelib.platform import aws

    month_items = _seed(scale) + TOWNS * GRIDS_PER_TOWN  # orders and category tallies; one unvisited tally per grid
    plugin.activate([_stand_in()])
    calls: list[str] = []
    read = [0]

    def before(model, **_):
        calls.append(model.name)

    def after(model, parsed, **_):
        if model.name == "Query":
            read[0] += int(parsed.get("Count", 0))

    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb", before)
    client.meta.events.register("after-call.dynamodb", after)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        run = screening.run_city(DISTRICT, MONTH, date(2026, 11, 18))
    finally:
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        client.meta.events.unregister("before-call.dynamodb", before)
        client.meta.events.unregister("after-call.dynamodb", after)
    source_reads = read[0]
    return {"scale": scale, "month_items": month_items, "calls": len(calls), "read": source_reads,
            "findings": sum(run.by_check.values()), "seconds": seconds, "peak_mb": peak / 1e6, "status": run.status}


def run(scales: tuple[int, ...] = (1, 10)) -> None:  # 100×: --scales 1,10,100 (seeding 60,000 items in moto takes minutes)
    print("\n  Monthly screening, one district shard (moto; the table holds 12 months of the same size)")
    print(f"    {'scale':>5}  {'month items':>11}  {'calls':>5}  {'items read':>10}  {'read÷month':>10}  "
          f"{'findings':>8}  {'time s':>7}  {'peak MB':>7}")
    rows = []
    for scale in scales:
        with _moto():
            row = _measure(scale)
        rows.append(row)
        print(f"    {row['scale']:>4}×  {row['month_items']:>11}  {row['calls']:>5}  {row['read']:>10}  "
              f"{row['read'] / row['month_items']:>10.2f}  {row['findings']:>8}  {row['seconds']:>7.2f}  "
              f"{row['peak_mb']:>7.1f}")
    largest = rows[-1]
    grids = TOWNS * GRIDS_PER_TOWN
    per_grid_s = largest["seconds"] / grids
    per_grid_mb = largest["peak_mb"] / grids
    shard_grids = JIANGSU_GRIDS // JIANGSU_DISTRICTS
    print("    items read: every item returned by a Query during the run (sources, tallies, the shard's earlier findings);"
          " times are moto's, in process (slower per call than DynamoDB)")
    print(f"  Jiangsu projection at {largest['scale']}×: ~{JIANGSU_DISTRICTS} district shards of ~{shard_grids} grids: "
          f"~{per_grid_s * shard_grids:.0f} s and ~{per_grid_mb * shard_grids:.0f} MB per shard (limits 900 s, "
          f"10,240 MB; a district over {TOWNS + 2} towns is split into town shards), run side by side by SQS.")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.screening_bench")
    parser.add_argument("--scales", default="1,10,100")
    args = parser.parse_args()
    run(tuple(int(s) for s in args.scales.split(",")))


if __name__ == "__main__":
    main()
