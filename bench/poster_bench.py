"""The grid's 公示栏 poster (C4, chalicelib/domain/board/poster.py): drawing time and peak memory.

    python -m bench.poster_bench [--repeat 5]

`run()` is what `make bench` calls. It draws the poster of a busy grid (14 contacts over six roles, 14
weekly duties at three service points, a 430 px mini-program code from the fake WeChat server's drawing)
in A4 and A3, with no AWS: what a request pays on top of its one GetItem and the S3 calls when the board
changed. It prints the first draw in a fresh process's terms (ReportLab's import and the CID font's first
registration included), then the median of the next draws (wall clock and CPU: a busy machine shows in the first only), and the peak of Python allocations during one
draw (tracemalloc) with the process's resident peak.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def busy_sheet():
    from chalicelib.domain.board.poster import ContactLine, DutyLine, PointLine, Sheet

    roles = ("人民调解员", "公证联络员", "法律援助联络员", "普法宣传员", "网格律师（法律顾问）", "法律明白人")
    contacts = [ContactLine(role=roles[i % 6], name=f"工作人员{i:02d}", duty="网格调解员（周二、周四坐班）",
                            phone=f"138000012{i:02d}" if i % 6 != 5 else f"138****12{i:02d}",
                            hours="每周二、周四 9:00–11:30", institution="雕庄街道人民调解委员会") for i in range(14)]
    points = ["朝阳花园社区公共法律服务工作室", "雕庄街道公共法律服务工作站", "天宁区公共法律服务中心"]
    duties = [DutyLine(weekday=("周一", "周二", "周三", "周四", "周五", "周六", "周日")[i % 7], start="09:00", end="11:30",
                       duty="值班律师", service_point=points[i % 3], name=f"值班人{i:02d}", phone=f"139000013{i:02d}")
              for i in range(14)]
    return Sheet(grid="320402001001001", grid_name="第一网格",
                 path=["常州市", "天宁区", "雕庄街道", "朝阳花园社区居委会", "第一网格"],
                 services=["法律咨询", "人民调解", "公证服务", "法律援助", "司法鉴定", "法治宣传", "物业纠纷调解"],
                 contacts=contacts, duties=duties,
                 points=[PointLine(name=p, kind="公共法律服务工作站", address="天宁区雕庄街道某路 88 号",
                                   hours="工作日 9:00–17:00") for p in points])


def measure(repeat: int = 5) -> dict[str, dict[str, float]]:
    from chalicelib.domain.board import poster
    from tools.fake_wechat import code_png

    sheet, code = busy_sheet(), code_png("320402001001001|" + poster.GRID_PAGE, poster.CODE_WIDTH)
    figures: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    first = poster.render(sheet, "A4", code)
    first_ms = (time.perf_counter() - started) * 1000
    for size in ("A4", "A3"):
        times, cpu = [], []
        for _ in range(repeat):
            started, used = time.perf_counter(), time.process_time()
            data = poster.render(sheet, size, code)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        tracemalloc.start()
        poster.render(sheet, size, code)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures[size] = {"first_ms": first_ms if size == "A4" else float("nan"), "median_ms": statistics.median(times),
                         "cpu_ms": statistics.median(cpu),
                         "peak_mib": peak / 2**20, "bytes": len(data)}
    figures["process"] = {"max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "first_bytes": len(first)}
    return figures


def run(repeat: int = 5) -> None:
    figures = measure(repeat)
    print("\n== grid poster (公示栏 PDF): drawing a busy grid's board, no AWS ==")
    for size in ("A4", "A3"):
        f = figures[size]
        first = f"first {f['first_ms']:.0f} ms (ReportLab import included), " if size == "A4" else ""
        print(f"    {size}: {first}median {f['median_ms']:.0f} ms over {repeat} "
              f"({f['cpu_ms']:.0f} ms CPU), peak {f['peak_mib']:.1f} MiB of Python "
              f"allocations, {f['bytes'] / 1024:.0f} KiB PDF")
    print(f"    process resident peak {figures['process']['max_rss_mib']:.0f} MiB (interpreter, app and ReportLab)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.poster_bench")
    parser.add_argument("--repeat", type=int, default=5)
    run(parser.parse_args().repeat)
