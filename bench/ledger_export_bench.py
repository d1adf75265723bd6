"""Large ledger export (C9, issue 23 §3): a district's year of 50,000 record rows, written in the background.

    python -m bench.ledger_export_bench [--rows 50000] [--format xlsx|csv]

`run()` is what `make bench` calls. In moto (in process), a stand-in service declares a record-by-record
ledger (`plugin.LedgerRows`) of 50,000 rows of eight text and number columns and a counter saying so; the
export is asked for through the same service function as `POST /v1/ledgers/exports` — over `SYNC_ROWS`, so
it becomes a status record and a message, which the local stand-in hands to the queue's handler
(`exports.run`: openpyxl `write_only` to a temporary file, then S3). Printed: wall and CPU time, how much the
process's peak RSS grew during the export, the file's size — against the export function's memory
(1,024 MB, .chalice/config.json `export_ledgers`) and Lambda's 900 s. `--traced` measures again under
tracemalloc (the peak of Python's allocations; several times slower) and, for comparison, the same rows
through an ordinary (not write-only) openpyxl workbook held in memory.
"""
from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DISTRICT, GRID = "320402", "320402001001001"
FUNCTION_MB = 1024


def _rows(count: int):
    def rows(area, months):
        for i in range(count):
            yield [f"TN-{i:06d}", months[i % len(months)] + "-15", "邻里纠纷" if i % 3 else "=HYPERLINK(\"x\")",
                   "雕庄街道演示社区第一网格", "已调解，达成协议，双方当事人当场履行完毕", i % 7, 1200.5 + i % 100, "张*"]
    return rows


def _stand_in(count: int):
    from chalice import Blueprint

    from chalicelib import plugin

    return plugin.Plugin(
        name="bench-register", title="基准台账", blueprint=Blueprint("bench_register"),
        stat_counters=(plugin.StatCounter("bench_register.records", "登记（件）"),),
        ledger_rows=(plugin.LedgerRows("bench_register.cases", "逐条登记台账",
                                       ("编号", "日期", "类别", "网格", "结果", "天数", "金额（元）", "当事人"),
                                       _rows(count), count="bench_register.records"),))


def _environment() -> None:
    from chalicelib import cli

    cli._stage_environment("local")
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "cn-northwest-1", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    os.environ.setdefault("DEV_KEY_DIR", str(ROOT / ".data" / "keys"))
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3", "LEDGER_QUEUE_URL"):
        os.environ.pop(variable, None)


def measure(count: int, fmt: str, traced: bool = False) -> dict[str, float]:
    from moto import mock_aws

    _environment()
    with mock_aws():
        from chalicelib import plugin
        from chalicelib.domain.areas.models import Area
        from chalicelib.domain.ledgers import counters, exports
        from chalicelib.platform import audit, aws, config, storage
        from chalicelib.platform.auth import Caller
        from chalicelib.platform.timeutil import today_shanghai
        from infra import bootstrap

        params = bootstrap.local_params("local")
        bootstrap.create_tables(aws.dynamodb(), params)
        bootstrap.create_buckets(aws.s3(), params)
        for code, name, level, parent in (("32", "江苏省", "province", None), ("3204", "常州市", "city", "32"),
                                          (DISTRICT, "天宁区", "district", "3204")):
            storage.put_new(Area(code=code, name=name, level=level, parent=parent))
        year = today_shanghai().year - 1
        storage.transact([counters.count_op(GRID, f"{year}-06", {"bench_register.records": count})])
        plugin.activate([_stand_in(count)])
        caller = Caller(sub="bench-admin", roles=frozenset({"admin"}), area=DISTRICT)
        if traced:
            tracemalloc.start()
        rss_before = _rss_mb()
        started, cpu = time.perf_counter(), time.process_time()
        out = exports.export(audit.Actor(sub="bench-admin", roles=("admin",)), caller,
                             exports.LedgerExportIn(area=DISTRICT, period=str(year), kind="bench_register.cases", format=fmt))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
        job = storage.read(exports.ExportJob, out.export_id)
        key = exports.object_key(DISTRICT, str(year), "bench_register.cases", fmt)
        size = aws.s3().head_object(Bucket=config.ledger_bucket(), Key=key)["ContentLength"]
        return {"seconds": seconds, "cpu": cpu, "peak_mb": peak / 1e6, "rows": job.rows or 0, "status": job.status,
                "size_mb": size / 1e6, "rss_before": rss_before, "rss_after": _rss_mb()}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def in_memory(count: int) -> dict[str, float]:
    """The same rows through an ordinary openpyxl workbook saved to memory: what write_only saves."""
    from openpyxl import Workbook

    tracemalloc.start()
    started = time.perf_counter()
    book = Workbook()
    sheet = book.active
    for row in _rows(count)("", ("2025-06",)):
        sheet.append(row)
    book.save(io.BytesIO())
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak_mb": peak / 1e6}


def run(count: int = 50_000, fmt: str = "xlsx", traced: bool = False) -> None:
    figures = measure(count, fmt)
    print(f"(ledger export) a district's year, {figures['rows']:,} rows as {fmt.upper()} written in the background "
          f"({figures['status']}): {figures['seconds']:.1f} s wall, {figures['cpu']:.1f} s CPU; peak RSS "
          f"{figures['rss_before']:.0f} → {figures['rss_after']:.0f} MB; file {figures['size_mb']:.1f} MB"
          f"   (limits: {FUNCTION_MB} MB function memory, 900 s)")
    if traced:
        again = measure(count, fmt, traced=True)
        print(f"    under tracemalloc: Python's peak allocation during the export {again['peak_mb']:.1f} MB")
        if fmt == "xlsx":
            plain = in_memory(count)
            print(f"    the same rows in an ordinary in-memory workbook: Python's peak {plain['peak_mb']:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    parser.add_argument("--traced", action="store_true", help="also measure Python's peak allocation (slow)")
    args = parser.parse_args()
    run(args.rows, args.format, args.traced)


if __name__ == "__main__":
    main()
