"""Routes mounted from manifests on deployed stages (chalicelib/platform/web/lazy.py; CONTRACT "HTTP"; issue 9,
cold start at ready-to-serve): each `routes.json` equals what its blueprint declares, a lazily mounted app has
the same route table and, once loaded, the very same views, and a deployed stage's cold start imports no route
module until a request needs it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from chalice import Chalice

from chalicelib.platform.auth import authorizer as gateway
from chalicelib.platform.web import lazy
from tools import route_manifest

ROOT = Path(__file__).resolve().parents[2]


def _table(app: Chalice) -> dict[tuple[str, str], tuple]:
    return {(path, method): (e.view_name, e.authorizer, e.api_key_required, e.content_types, e.cors is not None)
            for path, methods in app.routes.items() for method, e in methods.items()}


def test_every_route_module_s_manifest_is_what_its_blueprint_declares(app):
    described = lazy.describe(app)
    assert described, "the app serves routes"
    for module, rows in described.items():
        assert lazy.manifest_path(module).read_text(encoding="utf-8") == route_manifest.render(rows), (
            f"{module}: run `python -m tools.route_manifest`")


def test_every_blueprint_of_the_core_and_of_every_plugin_has_a_manifest():
    modules = [*ROOT.glob("chalicelib/domain/*/routes.py"), *ROOT.glob("plugins/*/routes.py")]
    assert modules
    for source in modules:
        assert source.with_suffix(".json").exists(), f"{source.relative_to(ROOT)}: run `python -m tools.route_manifest`"


def test_each_view_is_found_again_by_its_name_in_its_module(app):
    for methods in app.routes.values():
        for entry in methods.values():
            assert getattr(sys.modules[entry.view_function.__module__], entry.view_name) is entry.view_function


def test_a_lazily_mounted_app_has_the_same_route_table_and_after_loading_the_same_views(app):
    lazy_app = Chalice(app_name="lazy", configure_logs=False)
    for module in lazy.describe(app):
        lazy.mount(lazy_app, module, {"jwt_auth": gateway.jwt_auth})
    assert _table(lazy_app) == _table(app)
    assert all(hasattr(e.view_function, "__lazy_module__") for m in lazy_app.routes.values() for e in m.values())

    lazy.load_all(lazy_app)

    for path, methods in app.routes.items():
        for method, entry in methods.items():
            assert lazy_app.routes[path][method].view_function is entry.view_function


COLD_START = r"""
import json, sys
import app as handler
from chalice.test import Client

def loaded():
    return sorted(m for m in sys.modules if m.endswith(".routes") and m.startswith(("chalicelib.domain", "plugins"))
                  or m.startswith("plugins."))

at_import = loaded()
with Client(handler.app, stage_name="local", project_dir=sys.argv[1]) as client:
    health = client.http.get("/v1/health")
    after_health = loaded()
    document = client.http.get("/v1/openapi.json")
print(json.dumps({"at_import": at_import, "health": [health.status_code, json.loads(health.body)],
                  "after_health": after_health, "document": [document.status_code, json.loads(document.body)]}))
"""


def test_a_deployed_stage_imports_a_route_module_on_its_first_call_and_serves_the_same_document(app):
    from chalicelib.platform.web import openapi

    env = {**os.environ, "LAZY_ROUTES": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", COLD_START, str(ROOT)], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True)
    seen = json.loads(out.stdout.strip().splitlines()[-1])

    assert seen["at_import"] == []
    assert seen["health"][0] == 200
    assert seen["health"][1]["plugins"] == [p["name"] for p in _enabled(app)]
    assert not [m for m in seen["after_health"] if m.startswith("plugins.")], "health activates no plugin"
    assert "chalicelib.domain.meta.routes" in seen["after_health"]
    assert "chalicelib.domain.areas.routes" not in seen["after_health"]
    assert seen["document"][0] == 200
    assert seen["document"][1] == json.loads(json.dumps(openapi.document(app), ensure_ascii=False))


def _enabled(app) -> list[dict]:
    from chalicelib import plugin

    return [{"name": p.name} for p in plugin.enabled()]


def test_a_plugin_whose_name_is_not_its_folder_s_is_refused_when_loaded(monkeypatch):
    """`GET /v1/health` names the enabled plugins without importing them: a name is its folder's, `-` for `_`."""
    import types

    import pytest
    from chalice import Blueprint

    from chalicelib import plugin

    module = types.ModuleType("plugins.renamed_service")
    module.plugin = plugin.Plugin(name="other-name", title="改名的服务", blueprint=Blueprint("plugins.renamed_service"))
    monkeypatch.setitem(sys.modules, "plugins.renamed_service", module)

    with pytest.raises(ValueError, match="not 'renamed-service'"):
        plugin.load(["renamed_service"])
