"""Routes mounted from a manifest, their module imported on the first call to one of them (Lambda only).

Why: a Lambda cold start serves one request, which needs one route module, yet importing every route module
(and through them the services and their ~390 pydantic model classes: field collection runs at class
creation even with `defer_build`) made the cold start at ready-to-serve 1.64× the floor (`make bench`).
So a deployed stage (`LAZY_ROUTES=1`) registers every route at import from the blueprint's manifest — a
`routes.json` beside its `routes.py` holding what Chalice's route table needs: path, method, view name,
authorizer, API key, content types, CORS — with a stub view; the first call to any route of that blueprint
imports its module, puts its real views (found by name: Chalice's decorator returns the function it
registers) in the app's route table and dispatches. Everything around the view (middleware, the authorizer, `@endpoint`'s checks)
is the same object as in the eager app. The local stage, `make dev` and the tests mount the blueprints
eagerly; tests/core/test_route_manifest.py keeps every manifest equal to what its blueprint declares
(`python -m tools.route_manifest` rewrites them). The OpenAPI document loads every module first.
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Callable

from chalice import Chalice
from chalice.app import RouteEntry



def describe(app: Chalice) -> dict[str, list[dict[str, Any]]]:
    """The manifests of an eagerly mounted `app`: route module → its routes as Chalice's table holds them.
    A view is found again by its name in its module (Chalice's decorator returns the function it registers),
    which the manifest test checks for every route."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            out.setdefault(entry.view_function.__module__, []).append({
                "path": path, "method": method, "view": entry.view_name,
                "authorizer": entry.authorizer.name if entry.authorizer else None,
                "api_key_required": entry.api_key_required, "content_types": entry.content_types,
                "cors": entry.cors is not None})
    return out


def manifest_path(module: str) -> Path:
    """`a.b.routes` → `<a>/b/routes.json`, found without importing `a.b` (a plugin's package imports its
    whole service)."""
    top, *rest = module.split(".")
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(top)
    return Path(list(spec.submodule_search_locations)[0], *rest).with_suffix(".json")


def read_manifest(module: str) -> list[dict[str, Any]]:
    return json.loads(manifest_path(module).read_text(encoding="utf-8"))


def mount(app: Chalice, module: str, authorizers: dict[str, Any]) -> None:
    """Register every route of `module` from its manifest, with stub views."""
    for row in read_manifest(module):
        if row["method"] in app.routes[row["path"]]:
            raise ValueError(f"{row['method']} {row['path']} is declared twice ({module})")
        app.routes[row["path"]][row["method"]] = RouteEntry(
            _stub(app, module, row["view"]), row["view"], row["path"], row["method"],
            api_key_required=row["api_key_required"], content_types=row["content_types"], cors=row["cors"],
            authorizer=authorizers[row["authorizer"]] if row["authorizer"] else None)


def load_all(app: Chalice) -> None:
    """Import every module whose routes are still stubs (the OpenAPI document reads every real view)."""
    for methods in list(app.routes.values()):
        for entry in list(methods.values()):
            module = getattr(entry.view_function, "__lazy_module__", None)
            if module is not None:
                _load(app, module)


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
