"""Demo policy versions for `make dev` (data/policies_demo.json): the core's own parameters. Each service's
demo versions come with its own demo data (`Plugin.demo_data`)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from chalicelib.domain.policy import service as policy
from chalicelib.platform.audit import Actor

DATA = Path(__file__).with_name("data") / "policies_demo.json"


def load(actor: Actor) -> dict[str, int]:
    """The versions of data/policies_demo.json, skipping any already stored: safe to run again."""
    rows = json.loads(DATA.read_text(encoding="utf-8"))["versions"]
    return policy.load_versions(actor, [
        policy.VersionRow(name=r["name"], area=r["area"], value=r["value"],
                          effective_from=date.fromisoformat(r["effective_from"]), label=r["label"], note=r["note"])
        for r in rows], reason="录入历史标准（演示数据）")
