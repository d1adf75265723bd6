"""Routes mounted from a manifest, each route module imported by the first call to one of its routes.

Why, measured (bench/first_request.py, CPU-time medians of 9 alternating fresh interpreters from the unpacked,
precompiled zip, dev stage's six plugins, the shared 2-core machine): registering every blueprint with Chalice
at import — the plain way, pydantic's `defer_build` on every model (platform/model.py) — costs health /
breadcrumb / legal-aid read 1.37× / 1.84× / 1.94× the bare Chalice + boto3 + pydantic floor; mounted from the
manifest, 0.53× / 1.11× / 1.43×. The ~330 ms between them is importing every route module, and through their
`@endpoint` declarations every model: ~390 pydantic classes, whose fields are collected at class creation
even with `defer_build` (importing only the models, no service, is still ~250 ms). A cold start serves one
request, which needs one route module; a plugin's route module imports its package, which declares its
`Plugin` only when the core asks (`plugin.declared_on_first_use`), so not the plugin's hooks and the rest
(with legal aid importing accounts only where it uses them, its read went from 1.46× to 1.28×, base and
change interleaved, 9 runs each).

The manifest (`routes.json` beside app.py, one object: route module → its routes) holds what Chalice's route
table needs — path, method, view name, authorizer, API key, content types, CORS as configured, and the module
the view is declared in when that is not the route module itself (a route module may gather the routes of
modules of its own on its blueprint, so that a route's first request imports only its own: legal aid's) — and is
written into the zip by `make package` (tools/route_manifest.py), never committed. Without it (the source
tree: the tests, `make dev`) the same manifest is read off the blueprints at import (`scan`), so the tests run
the path production runs: stub views in the table, the first call to a route of a module importing it and
putting its real views (found by name: Chalice's decorator returns the function it registers) in the table.
Everything around the view (middleware, the authorizer, `@endpoint`'s checks) is the same object either way.
The OpenAPI document loads every module first (`load_all`).
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any, Callable

from chalice import CORSConfig, Chalice
from chalice.app import RouteEntry

MANIFEST = Path(__file__).resolve().parents[3] / "routes.json"  # beside app.py, in the zip as in the tree


def manifest(modules: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The routes of each of `modules` (route module → URL prefix): from the packaged manifest if there is
    one, else read off their blueprints (which imports them)."""
    if not MANIFEST.exists():
        return scan(modules)
    shipped = json.loads(MANIFEST.read_text(encoding="utf-8"))
    missing = [m for m in modules if m not in shipped]
    if missing:
        raise LookupError(f"{MANIFEST.name} has no routes for {missing}: package again (`make package`)")
    return {module: shipped[module] for module in modules}


_scanned: dict[str, list[dict[str, Any]]] = {}


def scan(modules: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Each module's blueprint (`bp`) registered with a throwaway app at its prefix, as Chalice mounts it; a
    view declared in another module than the route module is named by its row's `module`. Read once per
    process and kept: Chalice consumes a blueprint's route options when it registers them."""
    for module, prefix in modules.items():
        if module not in _scanned:
            eager = Chalice(app_name="scan", configure_logs=False)
            eager.register_blueprint(importlib.import_module(module).bp, url_prefix=prefix)
            rows = [row if declared == module else {**row, "module": declared}
                    for declared, found in describe(eager).items() for row in found]
            _scanned[module] = sorted(rows, key=lambda row: (row["path"], row["method"]))
    return {module: _scanned[module] for module in modules}


def describe(app: Chalice) -> dict[str, list[dict[str, Any]]]:
    """Route module → its routes as Chalice's table holds them (real views only)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            out.setdefault(entry.view_function.__module__, []).append({
                "path": path, "method": method, "view": entry.view_name,
                "authorizer": entry.authorizer.name if entry.authorizer else None,
                "api_key_required": entry.api_key_required, "content_types": entry.content_types,
                "cors": _cors(entry.cors)})
    return out


def mount(app: Chalice, routes: dict[str, list[dict[str, Any]]], authorizers: dict[str, Any]) -> None:
    """Register every route of `routes` (a manifest) with stub views."""
    for module, rows in routes.items():
        for row in rows:
            if row["method"] in app.routes[row["path"]]:
                raise ValueError(f"{row['method']} {row['path']} is declared twice ({module})")
            cors = CORSConfig(**row["cors"]) if row["cors"] is not None else None
            app.routes[row["path"]][row["method"]] = RouteEntry(
                _stub(app, row.get("module", module), row["view"]), row["view"], row["path"], row["method"],
                api_key_required=row["api_key_required"], content_types=row["content_types"], cors=cors,
                authorizer=authorizers[row["authorizer"]] if row["authorizer"] else None)


def load_all(app: Chalice) -> None:
    """Import every module whose routes are still stubs (the OpenAPI document reads every real view)."""
    for methods in list(app.routes.values()):
        for entry in list(methods.values()):
            module = getattr(entry.view_function, "__lazy_module__", None)
            if module is not None:
                _load(app, module)


def _cors(config: CORSConfig | None) -> dict[str, Any] | None:
    """A route's CORS configuration as `CORSConfig`'s arguments (None: no CORS)."""
    if config is None:
        return None
    return {"allow_origin": config.allow_origin, "allow_headers": sorted(config._allow_headers),
            "expose_headers": list(config._expose_headers), "max_age": config._max_age,
            "allow_credentials": config._allow_credentials}


def _stub(app: Chalice, module: str, name: str) -> Callable[..., Any]:
    def view(**path_params: Any) -> Any:
        _load(app, module)
        return getattr(sys.modules[module], name)(**path_params)

    view.__name__ = view.__qualname__ = name
    view.__lazy_module__ = module  # type: ignore[attr-defined]
    return view


def _load(app: Chalice, module: str) -> None:
    """Import `module` and put its real views in the app's route table: later calls go straight to them."""
    real = importlib.import_module(module)
    for methods in app.routes.values():
        for entry in methods.values():
            if getattr(entry.view_function, "__lazy_module__", None) == module:
                entry.view_function = getattr(real, entry.view_name)
