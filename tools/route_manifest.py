"""Add the route manifest to a `chalice package` zip: `python -m tools.route_manifest <deployment.zip>`.

`make package` runs it: a deployed stage mounts its routes from `routes.json` (beside app.py) and imports a
route module on the first call to one of its routes (chalicelib/platform/web/lazy.py). The manifest is read
off the blueprints of the core and of every plugin in plugins/, enabled in the packaged stage or not, so the
zip serves whichever plugins a stage's environment enables. It is never committed: built from the code that
ships, it cannot go stale.
"""
from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def all_plugins() -> list[str]:
    return sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists())


def render(routes: dict[str, list[dict]]) -> str:
    """One route a line: a diff of two packages' manifests shows which routes changed."""
    modules = [json.dumps(module) + ": [\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]"
               for module, rows in routes.items()]
    return "{\n" + ",\n".join(modules) + "\n}\n"


def build() -> str:
    """The manifest of the core and every plugin, as the app built with all of them read it off their
    blueprints (in the tree, `lazy.manifest` reads it off them: `lazy.scan`)."""
    os.environ["ENABLED_PLUGINS"] = ",".join(all_plugins())
    sys.path.insert(0, str(ROOT))
    import app
    from chalicelib.platform.web import lazy

    return render(lazy.scan(app.route_modules(all_plugins())))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not os.path.isfile(args[0]):
        print("usage: python -m tools.route_manifest <deployment.zip>", file=sys.stderr)
        return 2
    with zipfile.ZipFile(args[0], "a", zipfile.ZIP_DEFLATED) as archive:
        if "routes.json" in archive.namelist():
            print(f"{args[0]} already has routes.json", file=sys.stderr)
            return 1
        info = zipfile.ZipInfo("routes.json", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, build(), zipfile.ZIP_DEFLATED, 9)
    print(f"routes.json added to {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
