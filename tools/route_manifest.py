"""Write the route manifest of every route module (web.lazy): `python -m tools.route_manifest`.

Each `routes.json` sits beside its `routes.py`: the core's and every plugin's in plugins/, enabled in a stage
or not (the app is built here with all of them), so any stage can enable any plugin. Run it after adding,
removing or changing a route; tests/core/test_route_manifest.py fails until the manifests match.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def all_plugins() -> list[str]:
    return sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists())


def render(rows: list[dict]) -> str:
    """One route a line: a diff shows which routes changed."""
    return "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n"


def main() -> int:
    os.environ.update({"LAZY_ROUTES": "0", "ENABLED_PLUGINS": ",".join(all_plugins())})
    sys.path.insert(0, str(ROOT))
    from app import app
    from chalicelib.platform.web import lazy

    for module, rows in lazy.describe(app).items():
        lazy.manifest_path(module).write_text(render(rows), encoding="utf-8")
        print(lazy.manifest_path(module).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
