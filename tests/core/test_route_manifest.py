"""Routes mounted from a manifest, each route module imported by the first call to one of its routes
(chalicelib/platform/web/lazy.py; CONTRACT "HTTP"; issue 9, cold start): the app's route table is the one
Chalice builds from the blueprints, CORS included, and the stubs give way to the very same views. The tests
run this path, as production does; the zip's manifest and its cold start: tests/core/test_packaging.py."""
from __future__ import annotations

import json
import sys

import pytest
from chalice import Blueprint, Chalice, CORSConfig

import app as handler
from chalicelib.platform import config
from chalicelib.platform.auth import authorizer as gateway
from chalicelib.platform.web import lazy


def _table(app: Chalice) -> dict[tuple[str, str], tuple]:
    return {(path, method): (e.view_name, e.authorizer, e.api_key_required, e.content_types, e.cors)
            for path, methods in app.routes.items() for method, e in methods.items()}


def test_every_route_of_the_app_ends_as_its_module_s_own_view_under_its_name(app):
    routes = handler.route_modules(config.enabled_plugins())
    named = {row.get("module", module) for module, rows in lazy.manifest(routes).items() for row in rows}
    lazy.load_all(app)

    modules = set()
    for methods in app.routes.values():
        for entry in methods.values():
            modules.add(entry.view_function.__module__)
            assert getattr(sys.modules[entry.view_function.__module__], entry.view_name) is entry.view_function
            assert hasattr(entry.view_function, "__endpoint__")
    assert modules == named


def test_a_view_declared_outside_its_route_module_is_named_and_imported_alone_by_its_first_call():
    """A route module may gather on its blueprint the routes of modules of its own: the manifest names the
    module of each such view, and its stub imports that module, not the route module."""
    bp = Blueprint("gathered")
    bp.route("/own", methods=["GET"])(exact_cors)
    declared = Chalice(app_name="declared", configure_logs=False)
    declared.register_blueprint(bp, url_prefix="/t")
    rows = lazy.describe(declared)[__name__]
    routes = {"gathering.routes": [{**row, "module": __name__} for row in rows]}
    mounted = Chalice(app_name="mounted", configure_logs=False)
    lazy.mount(mounted, json.loads(json.dumps(routes)), {"jwt_auth": gateway.jwt_auth})
    assert mounted.routes["/t/own"]["GET"].view_function.__lazy_module__ == __name__

    lazy.load_all(mounted)

    assert mounted.routes["/t/own"]["GET"].view_function is exact_cors
    assert "gathering.routes" not in sys.modules


def test_a_route_s_view_is_a_stub_until_the_first_call_to_a_route_of_its_module(app):
    lazy.load_all(app)
    areas = {"chalicelib.domain.areas.routes": lazy.describe(app)["chalicelib.domain.areas.routes"]}
    fresh = Chalice(app_name="fresh", configure_logs=False)
    lazy.mount(fresh, areas, {"jwt_auth": gateway.jwt_auth})
    stub = fresh.routes["/v1/areas/{code}/breadcrumb"]["GET"].view_function
    assert stub.__lazy_module__ == "chalicelib.domain.areas.routes"

    lazy.load_all(fresh)

    assert fresh.routes["/v1/areas/{code}/breadcrumb"]["GET"].view_function is \
        sys.modules["chalicelib.domain.areas.routes"].area_breadcrumb
    assert _table(fresh) == {key: row for key, row in _table(app).items()
                             if app.routes[key[0]][key[1]].view_function.__module__ == "chalicelib.domain.areas.routes"}


def exact_cors():
    return {}


def default_cors():
    return {}


def no_cors():
    return {}


def _declared() -> Chalice:
    """Routes declaring every option the manifest carries, as Chalice registers them (a blueprint registers
    once: Chalice consumes its route options)."""
    bp = Blueprint(__name__)
    bp.route("/exact", methods=["GET", "PUT"], authorizer=gateway.jwt_auth, api_key_required=True,
             content_types=["application/json", "text/csv"],
             cors=CORSConfig(allow_origin="https://wx.example.gov.cn", allow_headers=["X-Trace"],
                             expose_headers=["ETag"], max_age=600, allow_credentials=True))(exact_cors)
    bp.route("/default", methods=["GET"], cors=True)(default_cors)
    bp.route("/none", methods=["GET"])(no_cors)
    declared = Chalice(app_name="declared", configure_logs=False)
    declared.register_blueprint(bp, url_prefix="/t")
    return declared


def test_a_route_s_declaration_cors_included_goes_through_the_manifest_exactly():
    declared = _declared()
    mounted = Chalice(app_name="mounted", configure_logs=False)

    lazy.mount(mounted, json.loads(json.dumps(lazy.describe(declared))), {"jwt_auth": gateway.jwt_auth})

    assert _table(mounted) == _table(declared)
    exact = mounted.routes["/t/exact"]["PUT"]
    assert exact.cors.get_access_control_headers() == {
        "Access-Control-Allow-Origin": "https://wx.example.gov.cn", "Access-Control-Expose-Headers": "ETag",
        "Access-Control-Allow-Headers": "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key,X-Trace",
        "Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true"}
    assert exact.authorizer is gateway.jwt_auth and exact.api_key_required
    assert mounted.routes["/t/default"]["GET"].cors == CORSConfig()
    assert mounted.routes["/t/none"]["GET"].cors is None


def test_a_route_declared_twice_is_refused():
    routes = lazy.describe(_declared())
    mounted = Chalice(app_name="mounted", configure_logs=False)
    lazy.mount(mounted, routes, {"jwt_auth": gateway.jwt_auth})

    with pytest.raises(ValueError, match="GET /t/default is declared twice"):
        lazy.mount(mounted, routes, {"jwt_auth": gateway.jwt_auth})
