"""Coverage report (C3) for a 2,000-grid district: DynamoDB calls and time.

    python -m bench.coverage_bench [--backend dynamodb-local|moto] [--repeat 5]

`run()` is what `make bench` calls. It builds, in a fresh table, a district of 20 towns × 10 villages ×
10 grids (2,000 grids) and a second one shaped like the Changzhou demo (1,000 villages × 2 grids), six
coverage roles (four from a stand-in plugin + the platform's 法律明白人 and 网格律师) with ~10,000 assignments at grid,
village, town and district level, then times `coverage.report` and `coverage.gaps` and counts the
DynamoDB calls they make with a botocore `before-call` hook. It also times the grid list alone
(`coverage.subtree`, three Queries of the areas' per-level index: towns, villages, grids).

DynamoDB Local (tools/devstack, started here in memory) is the default: real HTTP round trips on
loopback, so call counts matter as they would in Lambda. `--backend moto` runs in process (slower per
call, no network).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CITY = "3204"
SHAPES = {  # district code → (towns, villages per town, grids per village)
    "320497": (20, 10, 10),   # 2,000 grids in 200 villages: 8–10 grids per community is typical of a city
    "320498": (50, 20, 2),    # 2,000 grids in 1,000 villages: the demo data's 2 grids per village
}
SERVICE_ROLES = ("mediator", "notary_liaison", "legal_aid_contact", "publicist")  # legal_advisor: the core's own role


class CallCounter:
    """Counts DynamoDB API calls by operation (thread-safe: the report queries side by side)."""

    def __init__(self, client) -> None:
        self.client, self.calls, self.lock = client, [], threading.Lock()

    def __call__(self, model, **_: Any) -> None:
        with self.lock:
            self.calls.append(model.name)

    @contextlib.contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.calls = []
        self.client.meta.events.register("before-call.dynamodb", self)
        try:
            yield self.calls
        finally:
            self.client.meta.events.unregister("before-call.dynamodb", self)


@contextlib.contextmanager
def backend(name: str) -> Iterator[str]:
    """Environment of the local stage, a fresh table on DynamoDB Local or moto."""
    from chalicelib import cli

    cli._stage_environment("local")
    os.environ.setdefault("DEV_KEY_DIR", str(ROOT / ".data" / "keys"))
    if name == "moto":
        os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                           "AWS_DEFAULT_REGION": "cn-northwest-1"})
        for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
            os.environ.pop(variable, None)
        from moto import mock_aws

        with mock_aws():
            yield _tables("moto")
        return
    from tools import devstack

    with devstack.local_aws(None, devstack.DEFAULT_TOOLS_DIR) as stack:
        os.environ.update(stack.env())
        yield _tables("DynamoDB Local")


def _tables(label: str) -> str:
    from chalicelib.platform import aws
    from infra import bootstrap

    aws.reset()
    bootstrap.create_tables(aws.dynamodb(), bootstrap.local_params("local"))
    return label


def build(district: str, towns: int, villages: int, grids: int) -> dict[str, int]:
    """Areas, people and assignments of one district, written in batches (no audit: this is fixture data)."""
    from chalicelib.platform import storage
    from chalicelib.domain.areas.models import Area
    from chalicelib.domain.coverage.models import Assignment
    from chalicelib.domain.directory.models import Institution, Person
    from chalicelib.platform import pii

    items = [Area(code="32", name="江苏省", level="province").to_item(),
             Area(code=CITY, name="常州市", level="city", parent="32").to_item(),
             Area(code=district, name=f"基准区{district[-2:]}", level="district", parent=CITY).to_item()]
    phone = pii.seal_phone("13800009999").fields("phone")
    people = [Person(id=f"bench-{district}-{n}", name=f"基准{n}", roles=["mediator"], home_area=district, duty="基准",
                     **phone) for n in range(300)]
    centre = Institution(id=f"bench-centre-{district}", kind="legal_aid_centre", name="基准法律援助中心",
                         home_area=district, serves=[district])
    items += [p.to_item() for p in people] + [centre.to_item()]
    assignments: list[Assignment] = [Assignment(id=f"a-{district}", role="legal_aid_contact", area=district,
                                                assignee_kind="institution", assignee_id=centre.id)]
    n = 0
    for t in range(1, towns + 1):
        town = f"{district}{t:03d}"
        items.append(Area(code=town, name=f"{t}街道", level="town", parent=district).to_item())
        if t % 2:
            assignments.append(_assignment("notary_liaison", town, people[t % 300].id))
        if t % 5 == 0:
            assignments.append(_assignment("publicist", town, people[(t * 7) % 300].id))
        for v in range(1, villages + 1):
            village = f"{town}{v:03d}"
            items.append(Area(code=village, name=f"{v}社区", level="village", parent=town).to_item())
            if v % 5:
                assignments.append(_assignment("legal_advisor", village, people[(t * v) % 300].id))
            if (t + v) % 3:
                assignments.append(_assignment("mediator", village, people[(t + v) % 300].id))
            for g in range(1, grids + 1):
                grid = f"{village}{g:03d}"
                items.append(Area(code=grid, name=f"第{g}网格", level="grid", parent=village).to_item())
                n += 1
                if n % 5:  # 80 % of grids have a 法律明白人 of their own
                    assignments.append(_assignment("legal_literate", grid, people[n % 300].id))
                if n % 3 == 0:
                    assignments.append(_assignment("mediator", grid, people[(n * 11) % 300].id))
    storage.batch_write(items + [a.to_item() for a in assignments])
    return {"grids": n, "villages": towns * villages, "towns": towns, "assignments": len(assignments)}


def _assignment(role: str, area: str, person_id: str):
    from chalicelib.domain.coverage.models import Assignment

    return Assignment(id=Assignment.id_for(role, area, "person", person_id), role=role, area=area,
                      assignee_kind="person", assignee_id=person_id)


def _measure(counter: CallCounter, function: Callable[[], Any], repeat: int) -> dict[str, Any]:
    times, calls = [], []
    for _ in range(repeat):
        with counter.counting() as seen:
            started = time.perf_counter()
            function()
            times.append((time.perf_counter() - started) * 1000)
        calls.append(list(seen))
    by_operation: dict[str, int] = {}
    for name in calls[-1]:
        by_operation[name] = by_operation.get(name, 0) + 1
    return {"calls": len(calls[-1]), "by_operation": by_operation, "ms_median": round(statistics.median(times), 1),
            "ms_min": round(min(times), 1)}


def run(*, backend_name: str = "dynamodb-local", repeat: int = 5, out=print) -> dict[str, Any]:
    """Build the districts, time the coverage queries, print and return the figures."""
    from chalice import Blueprint

    from chalicelib.platform import aws
    from chalicelib.domain.areas import service as areas
    from chalicelib.domain.coverage import service as coverage
    from chalicelib import plugin
    from chalicelib.platform.auth import Caller

    results: dict[str, Any] = {}
    with backend(backend_name) as label:
        before = plugin.enabled()
        plugin.activate([plugin.Plugin(name="bench-services", title="基准", blueprint=Blueprint("bench"),
                                       coverage_roles=tuple(plugin.CoverageRole(r, r) for r in SERVICE_ROLES))])
        try:
            counter = CallCounter(aws.dynamodb())
            caller = Caller(sub="bench", roles=frozenset({"admin"}), area=CITY)
            out(f"coverage bench on {label}: {len(coverage.roles())} roles, repeat {repeat}, median (min)")
            for district, shape in SHAPES.items():
                started = time.perf_counter()
                built = build(district, *shape)
                build_s = time.perf_counter() - started
                area = areas.get_many([district])[district]
                figures = {
                    "report": _measure(counter, lambda: coverage.report(caller, district, None, limit=20, cursor=None),
                                       repeat),
                    "gaps": _measure(counter, lambda: coverage.gaps(caller, district, None, limit=100, cursor=None),
                                     repeat),
                    "grid list (level index)": _measure(counter, lambda: coverage.subtree(area), repeat),
                }
                report = coverage.report(caller, district, None, limit=20, cursor=None)
                results[district] = {**built, "build_s": round(build_s, 1), **figures,
                                     "missing": {t.role: t.missing for t in report.totals}}
                out(f"  district {district}: {built['grids']:,} grids in {built['villages']:,} villages, "
                    f"{built['assignments']:,} assignments (built in {build_s:.1f} s)")
                for name, f in figures.items():
                    ops = ", ".join(f"{k} {v}" for k, v in sorted(f["by_operation"].items()))
                    out(f"    {name:<36} {f['calls']:>5} calls ({ops}) {f['ms_median']:>8.1f} ms ({f['ms_min']:.1f})")
        finally:
            plugin.activate(before)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.coverage_bench")
    parser.add_argument("--backend", choices=["dynamodb-local", "moto"], default="dynamodb-local")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    run(backend_name=args.backend, repeat=args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
