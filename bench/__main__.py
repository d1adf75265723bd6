"""`make bench`: cold start at ready-to-serve next to the stack's floor (bench/cold_start.py), cold start plus
the first request and warm requests through the Lambda handler next to the floor (bench/first_request.py), the Lambda zip
size as `make package` builds it, and DynamoDB calls per request for every route (bench/route_calls.py).
Prints figures; asserts nothing (tests never assert on timings).

Times are medians of fresh interpreters, app and floor alternating in the same run, because the absolute
figure depends on the machine, its load and its disk cache.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "9"))


def _stage_env() -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {**config["environment_variables"], **config["stages"]["dev"]["environment_variables"]}


def import_times(floor: Path, ours: Path) -> None:
    from bench import cold_start

    env = _stage_env()
    figures = cold_start.measure(RUNS, env, floor, ours)
    floor, ours = figures["floor"], figures["app"]
    print(f"(a) cold start at ready-to-serve (handler imported + boto3 + DynamoDB client), from the unpacked, "
          f"precompiled `chalice package` zips; median of {RUNS} alternating fresh interpreters")
    print(f"    floor (Chalice + boto3 + pydantic, a client):     {floor * 1000:7.1f} ms")
    print(f"    app.py with enabled plugins ({env.get('ENABLED_PLUGINS')}): {ours * 1000:7.1f} ms"
          f"   = {ours / floor:.2f}× floor (target ≤ 1.25×)")
    print("    samples (ms): floor " + " ".join(f"{v * 1000:.0f}" for v in figures["floor_all"])
          + " | app " + " ".join(f"{v * 1000:.0f}" for v in figures["app_all"]))
    first = dict(figures["first_call"])
    if first:
        plugins = first.pop("plugins")
        slowest = max(first, key=first.get)
        typical = statistics.median(first.values())
        print(f"    then the first request imports its route module (lazy routes): median {typical * 1000:.0f} ms"
              f" (+{typical / floor:.2f}× floor), at most {first[slowest] * 1000:.0f} ms (+{first[slowest] / floor:.2f}×,"
              f" {slowest}); the enabled plugins, the first time the core asks about them: {plugins * 1000:.0f} ms"
              f" (+{plugins / floor:.2f}×)")


FIRST_RUNS = int(os.environ.get("BENCH_FIRST_RUNS", "11"))
WARM_RUNS = int(os.environ.get("BENCH_WARM_RUNS", "5"))
WARM_REQUESTS = int(os.environ.get("BENCH_WARM_REQUESTS", "300"))


def first_requests(floor: Path, ours: Path) -> None:
    from bench import first_request

    figures = first_request.measure(floor, ours, _stage_env(), FIRST_RUNS, WARM_RUNS, WARM_REQUESTS)
    first_request.report(figures, FIRST_RUNS, WARM_REQUESTS)


def zip_size() -> None:
    with tempfile.TemporaryDirectory() as out:
        chalice = str(Path(sys.executable).with_name("chalice"))
        subprocess.run([chalice, "package", "--stage", "prod", "--merge-template", "infra/resources.json", out],
                       cwd=ROOT, env={**os.environ, "AWS_DEFAULT_REGION": "cn-northwest-1"},
                       check=True, capture_output=True)
        archive = Path(out, "deployment.zip")
        for tool in ("tools.route_manifest", "tools.compile_package"):
            subprocess.run([sys.executable, "-m", tool, str(archive)], cwd=ROOT, check=True, capture_output=True)
        with zipfile.ZipFile(archive) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        print("(b) deployment package (stage prod, with its bytecode, as `make package` builds it)")
        print(f"    deployment.zip: {archive.stat().st_size / 1e6:6.2f} MB zipped, {unpacked / 1e6:6.2f} MB unpacked"
              f"   (budget ≤ 30 MB zipped with the poster's ReportLab and Pillow, tests/core/test_packaging.py; "
              f"Lambda limit 50 MB zipped, 250 MB unpacked)")


WALKTHROUGH = os.environ.get("BENCH_WALKTHROUGH", "tests/core tests/plugins").split()


def calls_per_request() -> None:
    """(c) DynamoDB calls for every route the app serves (core and enabled plugins), counted over the unit
    suite's requests (bench/route_calls.py)."""
    from bench import route_calls

    if os.environ.get("BENCH_CALLS_FROM"):  # the counts of an earlier walkthrough (its JSON), not a new one
        seen = json.loads(Path(os.environ["BENCH_CALLS_FROM"]).read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory() as out:
            seen_file = Path(out, "calls.json")
            subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:logging", "-p", "no:cacheprovider",
                            "-p", "bench.route_calls", "-m", "not integration and not packaging", *WALKTHROUGH],
                           cwd=ROOT, env={**os.environ, route_calls.OUT: str(seen_file)}, capture_output=True,
                           check=False)
            seen = json.loads(seen_file.read_text(encoding="utf-8"))
    served = _served_routes()
    rows = route_calls.table(seen, [(method, path, status) for method, path, status, _ in served])
    reasons = {f"{method} {path}": why for method, path, _, why in served}
    print(f"(c) DynamoDB calls per request, every route ({len(rows)}), fewest of the walkthrough's successful requests"
          " (targets: read 1, +1 where it writes its audit entry; create 1 with or without Idempotency-Key; update ≤ 2)")
    for row in rows:
        if row["calls"] is None:
            print(f"    {row['route']:72s} {row['kind']:6s}  not walked")
            continue
        keyed = f", keyed {row['keyed_calls']}" if row["keyed_calls"] is not None else ""
        ops = ", ".join(f"{op}×{row['ops'].count(op)}" for op in sorted(set(row["ops"]))) or "-"
        mark = "  OVER" if row["over"] else ""
        print(f"    {row['route']:72s} {row['kind']:6s} {row['calls']:2d}/{row['target']}{keyed}  [{ops}]{mark}")
        if row["over"] and reasons.get(row["route"]):
            print(f"        why: {reasons[row['route']]}")
    over = [r for r in rows if r["over"]]
    missing = [r for r in rows if r["calls"] is None]
    print(f"    {len(rows) - len(over) - len(missing)} at target, {len(over)} over ({sum(1 for r in over if reasons.get(r['route']))}"
          f" with their reason), {len(missing)} not walked")
    extra_benches()


def _served_routes() -> list[tuple[str, str, int, str]]:
    """(method, route, declared status, why it is over its floor) of every route of the app with the local
    stage's plugins."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    os.environ.update({**_stage_env(), **config["stages"]["local"]["environment_variables"]})
    sys.path.insert(0, str(ROOT))
    from app import app
    from chalicelib.platform.web import openapi

    return sorted((method, path, spec.status if spec else 200, spec.over_floor if spec else "")
                  for path, method, _, spec in openapi.routes_with_specs(app))


def extra_benches() -> None:
    """Benchmarks that features add (each module exposes `run()`), e.g. bench/coverage_bench.py."""
    for module in sorted(p.stem for p in Path(__file__).parent.glob("*_bench.py")):
        __import__(f"bench.{module}", fromlist=["run"]).run()


def main() -> None:
    parts = set(sys.argv[1:]) or {"cold", "first", "zip", "calls"}  # `python -m bench calls`: one part only
    if parts & {"cold", "first"}:
        from bench import cold_start

        with tempfile.TemporaryDirectory() as work:
            floor, ours = cold_start.packaged(Path(work))
            if "cold" in parts:
                import_times(floor, ours)
            if "first" in parts:
                first_requests(floor, ours)
    if "zip" in parts:
        zip_size()
    if "calls" in parts:
        calls_per_request()


if __name__ == "__main__":
    main()
