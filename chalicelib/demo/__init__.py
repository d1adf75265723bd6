"""Demo data for `make dev`: the real division tree of 常州市 and 银川市 (chalicelib/demo/data/areas_demo.json,
国家统计局 2023 codes), two demonstration grids per village (grids are local, not national data), then each
enabled plugin's `demo_data` hook.

Loading is idempotent: a `demo-seed` marker records the data file's hash, and a second run with the same
file does nothing, so an administrator's later edits are never overwritten by a restart.

`load(only=TOUR_AREAS)` loads a part of the tree: every province, city, district and town, and below the
towns only the villages and grids under the given codes — what docs/tour.md walks (its test loads that
part: the whole tree, ~5,000 areas, takes minutes on moto). Everything else (policies, directory, plugins'
records, tickets) is loaded as usual.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from chalicelib import plugin
from chalicelib.platform import storage
from chalicelib.domain.areas.models import Area
from chalicelib.platform.audit import Actor
from chalicelib.platform.timeutil import now_utc

DATA = Path(__file__).with_name("data") / "areas_demo.json"
GRIDS_PER_VILLAGE = 2
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]
DEMO_ACTOR = Actor(sub="demo-loader", roles=("admin",))
# The villages and grids the tour uses: 雕庄街道 and 青龙街道 of 天宁区 (the demo directory, tickets, legal aid,
# mediation, special populations) and the three 溧阳 villages of the demo village advisor.
TOUR_AREAS = ("320402001", "320402002", "320481001200", "320481001202", "320481001203")
TOWN_DIGITS = 9
# The core's demo identities (each plugin declares its own: `Plugin.demo_identities`); `make dev` prints them.
IDENTITIES = (
    plugin.DemoIdentity("admin-1", "admin", "3204", "常州市管理员",
                        "区域、政策参数、覆盖缺口、POST /v1/screenings/<本月>/runs、GET /v1/tasks"),
    plugin.DemoIdentity("gw-1", "grid_worker", "320402001", "雕庄街道网格员（受理台，演示工单 9001…9005）",
                        "GET /v1/tickets/area?bucket=unrouted"),
    plugin.DemoIdentity("resident-1", "resident", None, "居民（演示工单的提问人；也可用假微信登录 ok:<名字>:<n>）",
                        "GET /v1/tickets/mine"),
)


class DemoSeed(storage.Record):
    """What a demo loader last loaded (`demo-seed#<part>`): the hash of its data, so a second run with the
    same data does nothing. Written over by each load, never updated in place."""
    entity: ClassVar[str] = "demo-seed"
    id: str
    fingerprint: str
    loaded_at: datetime | None = None
    areas: int | None = None
    roles: list[str] | None = None
    version: int | None = None


def demo_areas(only: tuple[str, ...] | None = None) -> list[Area]:
    """The demo tree; with `only`, the towns and everything above them, and the villages (and their grids)
    under those codes."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    out = []
    for row in data["areas"]:
        if only and len(row["code"]) > TOWN_DIGITS and not row["code"].startswith(only):
            continue
        out.append(Area(code=row["code"], name=row["name"], level=row["level"], parent=row["parent"],
                        urban_rural=row.get("urban_rural")))
        if row["level"] == "village":
            out += [Area(code=f"{row['code']}{n:03d}", name=GRID_NAMES[n - 1], level="grid", parent=row["code"])
                    for n in range(1, GRIDS_PER_VILLAGE + 1)]
    return out


def _fingerprint(only: tuple[str, ...] | None = None) -> str:
    # The layout version changes when the stored layout changes (v2: the per-level index; v3: an aggregate
    # per area of what serves and covers it, the boards' outbox), so an existing .data/ is brought up to
    # date on the next `make dev`.
    return hashlib.sha256(DATA.read_bytes() + f"grids={GRIDS_PER_VILLAGE};layout=v3".encode()
                          + (f";only={','.join(only)}".encode() if only else b"")).hexdigest()[:16]


def marker(part: str) -> DemoSeed | None:
    """What the loader of `part` last loaded, or None — also for a marker an older layout wrote in another
    shape (then it loads again)."""
    from pydantic import ValidationError

    try:
        return storage.read(DemoSeed, part)
    except ValidationError:
        return None


def load(force: bool = False, only: tuple[str, ...] | None = None) -> dict[str, int | str]:
    fingerprint = _fingerprint(only)
    existing = marker("areas")
    if existing and existing.fingerprint == fingerprint and not force:
        return {"status": "already loaded", "fingerprint": fingerprint, "policies": _policies(),
                "directory": _directory(), "intake": _tickets()}
    moment = now_utc()
    areas, context = write_areas(only)
    policies = _policies()  # before the plugins: their demo records may be judged by these rules
    directory = _directory()  # before the plugins too: their records may name its institutions and people
    failed = {name: result for name, result in plugin.load_demo(context).items() if result != "loaded"}
    if failed:  # no marker: the next start tries again (every loader is idempotent on its own)
        return {"status": "incomplete", "areas": len(areas), "plugins_failed": failed}
    tickets = _tickets()  # after the plugins: the routed demo ticket opens a case in the service it goes to
    storage.put_all([DemoSeed(id="areas", fingerprint=fingerprint, loaded_at=moment, areas=len(areas))])
    return {"status": "loaded", "areas": len(areas), "fingerprint": fingerprint, "policies": policies,
            "directory": directory, "intake": tickets}


def write_areas(only: tuple[str, ...] | None = None) -> tuple[list[Area], plugin.DemoContext]:
    """Store the demo area tree (or its part, `only`); the context plugins' demo loaders place their records
    with."""
    moment = now_utc()
    areas = demo_areas(only)
    for area in areas:
        area.created_at = area.updated_at = moment
    storage.put_all(areas)
    return areas, plugin.DemoContext(actor=DEMO_ACTOR, areas=lambda prefix: [
        a.code for a in areas if a.code.startswith(prefix)])


def _policies() -> dict[str, int]:
    """Demo policy parameters (chalicelib/demo/data/policies_demo.json); idempotent on its own, so it also runs
    when the areas were loaded before the file existed."""
    from chalicelib.demo import policies

    return policies.load(DEMO_ACTOR)


def _directory() -> dict[str, int | str]:
    """Demo institutions, people, assignments, menus and rota (chalicelib/demo/data/directory_demo.json);
    idempotent on its own, like the policies."""
    from chalicelib.demo import directory

    return directory.load(DEMO_ACTOR)


def _tickets() -> dict[str, int]:
    """Demo intake tickets in each state (chalicelib/domain/intake/demo.py); idempotent on its own."""
    from chalicelib.domain.intake import demo

    return demo.load()
