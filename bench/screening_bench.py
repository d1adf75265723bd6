"""Monthly screening (C7, issue 14): one shard at 1×, 10× and 100× of a month's data, with the table also
holding eleven other months of the same size, so that what grows with the table (not the month) shows.

    python -m bench.screening_bench [--scales 1,10,100] [--local-from 100]

For each scale it seeds, in a fresh table, one district of 10 towns × 10 grids: hotline work orders
(`sources`, month-bucketed index, with their category tallies), legal aid's open queue (cases waiting for an
officer, some green-channel ones overdue, and ten times as many closed cases waiting for their follow-up
visit, which the screening must not read) and its per-grid unvisited tally, and a stand-in service reading a
tally. It runs the month through the real fan-out (local stand-in → the same queue handler, tasks and the
district's XLSX report included) with legal aid's real checks enabled, and prints per shard: DynamoDB calls,
items read ÷ items relevant to the month, time and peak Python memory (tracemalloc) and the process's peak
RSS; then a projection for Jiangsu (13 cities, ~100,000 grids) against Lambda's limits (900 s, 10,240 MB).

Scales from `--local-from` (default 100) run on DynamoDB Local and the local S3 (tools/devstack, as the
integration tier; moto ran out of memory there), seeded with BatchWriteItem from parallel threads; the
seeding time is printed.
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
BASE_AWAITING = 20        # 1×: legal-aid cases waiting for an officer in the district (a quarter green channel)
FOLLOW_UPS_PER_CASE = 10  # closed cases waiting for their follow-up visit, per waiting case: never read
OTHER_MONTHS = 11
WRITERS = 8               # threads seeding with BatchWriteItem
JIANGSU_GRIDS, JIANGSU_DISTRICTS = 100_000, 100


def _environment() -> None:
    from chalicelib import cli

    cli._stage_environment("local")
    os.environ.update({"POWERTOOLS_LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DEV_KEY_DIR", str(ROOT / ".data" / "keys"))
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "SCREENING_QUEUE_URL"):
        os.environ.pop(variable, None)


def _create(skip: frozenset[str] = frozenset()) -> None:
    from chalicelib.platform import aws
    from infra import bootstrap

    params = bootstrap.local_params("local")
    bootstrap.create_tables(aws.dynamodb(), params)
    bootstrap.create_buckets(aws.s3(), params, skip=skip)  # the district's report is written at the end


@contextlib.contextmanager
def _moto() -> Iterator[str]:
    _environment()
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "cn-northwest-1"})
    from moto import mock_aws

    from chalicelib.platform import aws

    with mock_aws():
        aws.reset()
        _create()
        yield "moto"
    aws.reset()


@contextlib.contextmanager
def _dynamodb_local() -> Iterator[str]:
    """DynamoDB Local and the local S3 in memory for the block (the integration tier's helper)."""
    _environment()
    from chalicelib.platform import aws
    from tools import devstack

    with devstack.local_aws(None, devstack.DEFAULT_TOOLS_DIR) as stack:
        os.environ.update(stack.env())
        aws.reset()
        _create(devstack.S3_LOCAL_UNSUPPORTED)
        try:
            yield "DynamoDB Local"
        finally:
            aws.reset()
            for name in stack.env():
                os.environ.pop(name, None)


def _bulk(items: list[dict[str, Any]]) -> None:
    """BatchWriteItem from WRITERS threads (boto3 clients are thread-safe)."""
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.platform import storage

    chunks = [items[i:i + 500] for i in range(0, len(items), 500)]
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(lambda chunk: storage.batch_write(puts=chunk), chunks))


def _grids() -> list[str]:
    return [f"{DISTRICT}{t:03d}001{g:03d}" for t in range(1, TOWNS + 1) for g in range(1, GRIDS_PER_TOWN + 1)]


def _areas() -> list[dict[str, Any]]:
    from chalicelib.domain.areas.models import Area

    items = [Area(code="32", name="江苏省", level="province").to_item(),
             Area(code=CITY, name="常州市", level="city", parent="32").to_item(),
             Area(code=DISTRICT, name="基准区", level="district", parent=CITY).to_item()]
    for t in range(1, TOWNS + 1):
        town, village = f"{DISTRICT}{t:03d}", f"{DISTRICT}{t:03d}001"
        items.append(Area(code=town, name=f"{t}街道", level="town", parent=DISTRICT).to_item())
        items.append(Area(code=village, name=f"{t}社区", level="village", parent=town).to_item())
        items += [Area(code=f"{village}{g:03d}", name=f"第{g}网格", level="grid", parent=village).to_item()
                  for g in range(1, GRIDS_PER_TOWN + 1)]
    return items


def _orders(scale: int) -> tuple[list[dict[str, Any]], dict[str, dict[tuple[str, str], int]]]:
    """`scale` × BASE_ORDERS hotline work orders in each of twelve months, and their category counts."""
    from datetime import datetime

    from chalicelib.domain.screening import sources
    from chalicelib.platform.timeutil import SHANGHAI

    grids = _grids()
    orders = []
    for month_index in range(OTHER_MONTHS + 1):
        month = f"2026-{month_index + 1:02d}"
        for n in range(BASE_ORDERS * scale):
            values = {"order_no": f"CZ{month}-{n:06d}", "called_at": datetime(2026, month_index + 1, 3, 9, tzinfo=SHANGHAI),
                      "category": "劳动保障" if n % 3 else "婚姻家庭", "content": "讨薪" if n % 7 == 0 else "咨询"}
            orders.append(sources.work_order_item("hotline", CITY, grids[n % len(grids)][:9], values, "bench"))
    per_month: dict[str, dict[tuple[str, str], int]] = {}
    for order in orders:
        bucket = per_month.setdefault(order["month"], {})
        bucket[(order["area"], order["category"])] = bucket.get((order["area"], order["category"]), 0) + 1
    return orders, per_month


def _queue(scale: int) -> tuple[list[dict[str, Any]], int]:
    """Legal aid's queue entries of the district's partition (the shard reads its own level only): cases
    waiting for an officer — a quarter green channel, one in ten of those overdue — and the closed cases
    waiting for their follow-up. Returns the items and how many the screening should read."""
    from datetime import datetime, timedelta, timezone

    from plugins.legal_aid import queue

    grids = _grids()
    as_of = datetime(2026, 11, 18, 1, tzinfo=timezone.utc)
    items, relevant = [], 0
    waiting = BASE_AWAITING * scale
    for n in range(waiting * (1 + FOLLOW_UPS_PER_CASE)):
        green, follow_up = n % 4 == 0 and n < waiting, n >= waiting
        overdue = green and n % 40 == 0
        priority = queue.FOLLOW_UP if follow_up else queue.GREEN if green else queue.NORMAL
        deadline = as_of + timedelta(days=-1 if overdue else 5 + n % 20)
        entry = queue.QueueEntry(
            queue=DISTRICT, application_id=f"bench-{n:07d}", area=grids[n % len(grids)],
            status="closed" if follow_up else "approved", priority=priority, green_channel=green,
            deadline=deadline, matter_type="labour_pay", applicant_name="基准", submitted_at=as_of - timedelta(days=9),
            major=False, verdict="eligible", approved_at=None if follow_up else as_of - timedelta(days=n % 7))
        items.append(entry.to_item())
        relevant += not follow_up  # the cases waiting for an officer: what the checks must look at
    return items, relevant


def _tally(name: str, area: str, count: int, month: str | None = None, subject: str | None = None) -> dict[str, Any]:
    """A tally item as `tallies.count_op` leaves it after `count` events (written in bulk here: moto copies the
    whole table for every transaction)."""
    from chalicelib.domain.screening import tallies

    sort = area if subject is None else f"{area}#{subject}"
    return {"pk": tallies.partition(name, CITY, month), "sk": sort, "entity": tallies.ENTITY, "name": name,
            "area": area, "count": count, **({"subject": subject} if subject else {})}


def _seed(scale: int) -> tuple[int, float]:
    """The district, its month's and eleven other months' data; returns (items relevant to the month, seconds
    the seeding took). Relevant: the month's orders, the category tallies of the month and of the three
    months before (the hotspot baseline), the two per-grid tallies, the legal-aid cases waiting for an officer."""
    from chalicelib.domain.screening import sources
    from plugins.legal_aid import households

    started = time.perf_counter()
    orders, per_month = _orders(scale)
    entries, waiting = _queue(scale)
    category = sources.category_tally("hotline")
    counted = [_tally(category, area, n, month=month, subject=subject)
               for month, counts in per_month.items() for (area, subject), n in counts.items()]
    grids = _grids()
    per_grid = [_tally(name, grid, scale) for grid in grids for name in ("bench.unvisited", households.UNVISITED_TALLY)]
    _bulk(_areas() + orders + entries + counted + per_grid)
    month_items = BASE_ORDERS * scale + 4 * len(per_month[MONTH]) + len(per_grid) + waiting
    return month_items, time.perf_counter() - started


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


def _measure(scale: int, backend: str) -> dict[str, Any]:
    import resource

    from chalicelib import plugin
    from chalicelib.domain.screening import service as screening
    from chalicelib.platform import aws

    month_items, seed_seconds = _seed(scale)
    plugin.activate([*plugin.load(["legal_aid"]), _stand_in()])
    calls: list[str] = []
    read = {"sources": 0, "findings": 0}
    partition = [""]

    def before(model, **_):
        calls.append(model.name)

    def parameters(params, **_):
        partition[0] = str(params.get("ExpressionAttributeValues", {}).get(":p", {}).get("S", ""))

    def after(model, parsed, **_):
        if model.name == "Query":
            # The shard's own findings, read back to replace the previous generation and for the report.
            kind = "findings" if partition[0].startswith("screening#") else "sources"
            read[kind] += int(parsed.get("Count", 0))

    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb", before)
    client.meta.events.register("before-parameter-build.dynamodb", parameters)
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
        client.meta.events.unregister("before-parameter-build.dynamodb", parameters)
        client.meta.events.unregister("after-call.dynamodb", after)
    return {"scale": scale, "backend": backend, "month_items": month_items, "calls": len(calls),
            "read": read["sources"], "findings_read": read["findings"],
            "findings": sum(run.by_check.values()), "seconds": seconds, "peak_mb": peak / 1e6,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "status": run.status,
            "failed_checks": run.failed_checks, "seed_seconds": seed_seconds}


def run(scales: tuple[int, ...] = (1, 10, 100), local_from: int = 100) -> None:
    print("\n  Monthly screening, one district shard (10 towns × 10 grids; the table holds 12 months of the same size)")
    print(f"    {'scale':>5}  {'backend':>14}  {'month items':>11}  {'calls':>5}  {'items read':>10}  {'read÷month':>10}  "
          f"{'findings':>8}  {'re-read':>7}  {'time s':>7}  {'peak MB':>7}  {'RSS MB':>6}  {'seeded in':>9}")
    rows = []
    for scale in scales:
        with (_dynamodb_local() if scale >= local_from else _moto()) as backend:
            row = _measure(scale, backend)
        rows.append(row)
        print(f"    {row['scale']:>4}×  {row['backend']:>14}  {row['month_items']:>11}  {row['calls']:>5}  {row['read']:>10}  "
              f"{row['read'] / row['month_items']:>10.2f}  {row['findings']:>8}  {row['findings_read']:>7}  {row['seconds']:>7.2f}  "
              f"{row['peak_mb']:>7.1f}  {row['rss_mb']:>6.0f}  {row['seed_seconds']:>8.1f}s"
              + (f"  status {row['status']}, failed checks {row['failed_checks']}" if row["status"] != "done"
                 or row["failed_checks"] else ""))
    largest = rows[-1]
    grids = TOWNS * GRIDS_PER_TOWN
    per_grid_s = largest["seconds"] / grids
    per_grid_mb = largest["peak_mb"] / grids
    shard_grids = JIANGSU_GRIDS // JIANGSU_DISTRICTS
    print("    items read: every item a Query returned from the sources (orders, tallies, legal aid's queue, policy);"
          " re-read: the shard's findings read back (the previous generation's, and the district's for its report);"
          " month items: the month's orders, the category tallies of the month and the three before, the per-grid"
          " tallies and the legal-aid cases waiting for an officer (the closed ones waiting for their follow-up,"
          " 10× as many, are not read). Calls include the tasks and the district's XLSX report.")
    print(f"  Jiangsu projection at {largest['scale']}× ({largest['backend']}): ~{JIANGSU_DISTRICTS} district shards of "
          f"~{shard_grids} grids: ~{per_grid_s * shard_grids:.0f} s and ~{per_grid_mb * shard_grids:.0f} MB of Python "
          f"objects per shard (limits 900 s, 10,240 MB; screen_shard has 300 s and 1,024 MB; a district over "
          f"{TOWNS + 2} towns is split into town shards), run side by side by SQS.")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.screening_bench")
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--local-from", type=int, default=100, help="scales from this one run on DynamoDB Local")
    args = parser.parse_args()
    run(tuple(int(s) for s in args.scales.split(",")), args.local_from)


if __name__ == "__main__":
    main()
