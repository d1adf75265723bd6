"""Demo data for `make dev`: the real division tree of 常州市 and 银川市 (chalicelib/data/areas_demo.json,
国家统计局 2023 codes), two demonstration grids per village (grids are local, not national data), then each
enabled plugin's `demo_data` hook.

Loading is idempotent: a `demo-seed` marker records the data file's hash, and a second run with the same
file does nothing, so an administrator's later edits are never overwritten by a restart.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from chalicelib import aws, config, keys, plugin, storage
from chalicelib.areas import Area
from chalicelib.audit import Actor
from chalicelib.timeutil import now_utc

DATA = Path(__file__).with_name("data") / "areas_demo.json"
GRIDS_PER_VILLAGE = 2
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]
DEMO_ACTOR = Actor(sub="demo-loader", roles=("admin",))


def demo_areas() -> list[Area]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    out = []
    for row in data["areas"]:
        out.append(Area(code=row["code"], name=row["name"], level=row["level"], parent=row["parent"],
                        urban_rural=row.get("urban_rural")))
        if row["level"] == "village":
            out += [Area(code=f"{row['code']}{n:03d}", name=GRID_NAMES[n - 1], level="grid", parent=row["code"])
                    for n in range(1, GRIDS_PER_VILLAGE + 1)]
    return out


def _fingerprint() -> str:
    return hashlib.sha256(DATA.read_bytes() + f"grids={GRIDS_PER_VILLAGE}".encode()).hexdigest()[:16]


def _batch_put(items: list[dict]) -> None:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    client = aws.dynamodb()
    for start in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in storage.plain(item).items()}}}
                    for item in items[start:start + 25]]
        pending = {config.table_name(): requests}
        for _ in range(8):
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        if pending:
            raise RuntimeError("DynamoDB left demo items unprocessed")


def load(force: bool = False) -> dict[str, int | str]:
    marker = keys.record("demo-seed", "areas")
    fingerprint = _fingerprint()
    existing = storage.get(**marker)
    if existing and existing.get("fingerprint") == fingerprint and not force:
        return {"status": "already loaded", "fingerprint": fingerprint}
    moment = now_utc()
    areas = demo_areas()
    for area in areas:
        area.created_at = area.updated_at = moment
    _batch_put([a.to_item() for a in areas])
    context = plugin.DemoContext(actor=DEMO_ACTOR, areas=lambda prefix: [
        a.code for a in areas if a.code.startswith(prefix)])
    plugin.call_hook("demo_data", context)
    _batch_put([{**marker, "entity": "demo-seed", "fingerprint": fingerprint, "loaded_at": moment,
                 "areas": len(areas)}])
    return {"status": "loaded", "areas": len(areas), "fingerprint": fingerprint}
