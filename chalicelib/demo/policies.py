"""Demo policy versions for `make dev` (data/policies_demo.json): the core's own parameters' history."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from chalicelib.domain.policy import service as policy
from chalicelib.domain.policy.service import Timeline, set_version
from chalicelib.platform import storage
from chalicelib.platform.audit import Actor
from chalicelib.platform.storage import keys
from chalicelib.platform.timeutil import today_shanghai

DATA = Path(__file__).with_name("data") / "policies_demo.json"


def load(actor: Actor) -> dict[str, int]:
    """The versions of chalicelib/demo/data/policies_demo.json (historical rules, so entered as retroactive
    with the reason "录入历史标准"), skipping any already stored for that area and date: safe to run again."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    loaded = skipped = 0
    for row in sorted(rows["versions"], key=lambda r: r["effective_from"]):
        effective_from = date.fromisoformat(row["effective_from"])
        timeline = storage.get_record(Timeline, keys.policy_partition(row["name"], row["area"]),
                                      keys.POLICY_TIMELINE_SK, consistent=True)
        if timeline and any(e.effective_from >= effective_from for e in timeline.entries):
            skipped += 1
            continue
        set_version(actor, None, row["name"], area_code=row["area"], value=row["value"],
                    effective_from=effective_from, label=row["label"], note=row["note"],
                    retroactive_reason="录入历史标准（演示数据）" if effective_from < today_shanghai() else None)
        loaded += 1
    return {"loaded": loaded, "skipped": skipped}
