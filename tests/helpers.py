"""Small helpers shared by tests (no test doubles of project code)."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest

from chalicelib.platform import storage, timeutil
from chalicelib.domain.areas.models import Area

JSON = {"Content-Type": "application/json"}


def body(response) -> dict:
    return json.loads(response.body)


def post(client, path: str, payload: dict, headers: dict | None = None):
    return client.post(path, headers={**JSON, **(headers or {})}, body=json.dumps(payload, ensure_ascii=False))


def patch(client, path: str, payload: dict, headers: dict | None = None):
    return client.request("PATCH", path, headers={**JSON, **(headers or {})},
                          body=json.dumps(payload, ensure_ascii=False))


def seed_areas() -> None:
    """A slice of the real Changzhou tree: 江苏 → 常州 → 天宁区 → 雕庄街道 → one community, and 钟楼区."""
    rows = [("32", "江苏省", "province", None), ("3204", "常州市", "city", "32"),
            ("320402", "天宁区", "district", "3204"), ("320404", "钟楼区", "district", "3204"),
            ("320402001", "雕庄街道", "town", "320402"), ("320402001001", "演示社区", "village", "320402001"),
            ("320402001001001", "第一网格", "grid", "320402001001")]
    for code, name, level, parent in rows:
        storage.put_new(Area(code=code, name=name, level=level, parent=parent))


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.body
    assert header(response, "content-type").startswith("application/problem+json"), response.headers
    problem = body(response)
    assert set(problem) >= {"type", "title", "status", "detail", "code", "errors"}
    assert problem["status"] == status
    if code:
        assert problem["code"] == code, problem
    return problem


def header(response, name: str) -> str:
    return {k.lower(): v for k, v in response.headers.items()}.get(name.lower(), "")


def ok(response, status: int = 200) -> dict:
    """The body of a step that must have succeeded (a helper driving a story never carries on past a refusal)."""
    assert response.status_code == status, response.body
    return body(response)


class Clock:
    """The suite's one clock. `now` is pinned through the core's time module for every test: by default to
    10:00 Asia/Shanghai on the day the suite runs, or to `TEST_NOW` (`2030-01-01`, `2030-01-05T22:30`) to
    prove the suite on a weekend, a holiday or a year the calendar package does not know yet. Tests derive
    every date from it, so none depends on the day it was written."""

    def __init__(self, now: datetime):
        self.now = now

    @property
    def today(self) -> date:
        return self.now.astimezone(timeutil.SHANGHAI).date()

    def day(self, offset: int = 0) -> str:
        """Today plus `offset` days, as the API writes a date (`2030-01-31`)."""
        return (self.today + timedelta(days=offset)).isoformat()

    def at(self, offset_days: int = 0, time: str = "09:30") -> str:
        """A local time `offset_days` from today, as the API writes it (`2030-02-01T09:30:00+08:00`)."""
        return f"{self.day(offset_days)}T{time}:00+08:00"

    def month(self, offset: int = 0) -> str:
        """This month plus `offset` months (`2030-01`)."""
        index = self.today.year * 12 + self.today.month - 1 + offset
        return f"{index // 12:04d}-{index % 12 + 1:02d}"

    def travel(self, days: int = 0, hours: int = 0):
        """A block in which "now" is moved by `days`/`hours` (a case submitted six days ago)."""
        return timeutil.travel(timedelta(days=days, hours=hours))

    def next_weekday(self, weekday: int, after_days: int = 1) -> date:
        """The first date at least `after_days` from today falling on `weekday` (Monday = 0)."""
        start = self.today + timedelta(days=after_days)
        return start + timedelta(days=(weekday - start.weekday()) % 7)


@contextmanager
def also_enabled(*extra):
    """For the block, the given stand-in plugins are enabled beside the real ones (the core's tests declare
    what they need the way a service would, through the plugin contract)."""
    from chalicelib import plugin

    before = plugin.enabled()
    plugin.activate(before + list(extra))
    try:
        yield
    finally:
        plugin.activate(before)


@contextmanager
def only_enabled(*plugins):
    """For the block, exactly these plugins are enabled (none: the core alone)."""
    from chalicelib import plugin

    before = plugin.enabled()
    plugin.activate(list(plugins))
    try:
        yield
    finally:
        plugin.activate(before)


def stand_in_plugin(name: str = "test-service", **declared):
    """A plugin with no routes, declaring `declared` (parameters, link_rules, screening_checks …)."""
    from chalice import Blueprint

    from chalicelib import plugin

    return plugin.Plugin(name=name, title="测试服务", blueprint=Blueprint(f"tests.{name}"), **declared)


def undeclared_routes(app) -> list[str]:
    """What breaks the `@endpoint` contract among `app`'s routes (empty when none): every route declares who
    may call it, and only the public ones skip the authorizer. The core's contract test runs it over the
    app, the plugins' contract test over each plugin's blueprint (`blueprint_app`)."""
    from chalicelib.platform import web
    from chalicelib.platform.web import openapi

    problems = []
    for path, method, entry, spec in openapi.routes_with_specs(app):
        if spec is None:
            problems.append(f"{method} {path} has no @endpoint declaration")
        elif (entry.authorizer is None) != (spec.who == web.PUBLIC):
            problems.append(f"{method} {path}: who={spec.who!r} but authorizer={entry.authorizer!r}")
    return problems


def blueprint_app(app, blueprint, url_prefix: str):
    """An app-like view (`.routes`) of `blueprint`'s routes as mounted at `url_prefix`. A Chalice blueprint
    can be registered once only (registering consumes its routes' options; the app's manifest did, web.lazy),
    so an enabled plugin's routes are read from the real `app` it is mounted on, and a plugin not enabled in
    this stage is mounted on a throwaway app of its own."""
    from types import SimpleNamespace

    from chalice import Chalice

    if blueprint._current_app is None:
        throwaway = Chalice(app_name="contract-check")
        throwaway.register_blueprint(blueprint, url_prefix=url_prefix)
        return throwaway
    routes = {path: methods for path, methods in app.routes.items()
              if path == url_prefix or path.startswith(url_prefix + "/")}
    assert routes, f"the blueprint is not mounted on the app at {url_prefix}"
    return SimpleNamespace(routes=routes)


def requires_plugins(*modules: str):
    """Marks a core test that drives a plugin's routes as a vehicle (the template plugin's POST for
    idempotency): skipped when the suite runs with that plugin disabled (`TEST_ENABLED_PLUGINS`)."""
    from chalicelib.platform import config

    missing = [m for m in modules if m not in config.enabled_plugins()]
    return pytest.mark.skipif(bool(missing), reason=f"needs the plugin(s) {', '.join(missing)} enabled")


def calls_during(action) -> list[str]:
    """The DynamoDB operations `action` makes, in order (a botocore hook on the client the app uses)."""
    from chalicelib.platform import aws

    seen: list[str] = []
    client = aws.dynamodb()
    def hook(model, **_):
        seen.append(model.name)

    client.meta.events.register("before-call.dynamodb.*", hook)
    try:
        action()
    finally:
        client.meta.events.unregister("before-call.dynamodb.*", hook)  # the client outlives the test
    return seen


def records_table():
    """The records table in moto's store, read and written in place (as tests/conftest.py empties it); None
    where moto holds none."""
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.platform import config

    tables = [backend.tables[config.table_name()] for _, _, backend in dynamodb_backends.iter_backends()
              if config.table_name() in backend.tables]
    assert len(tables) <= 1, "one records table in moto's store"
    return tables[0] if tables else None


_STORED: dict[str, tuple[dict, object]] = {}


def stored_once(name: str, write):
    """What `write()` stores into the empty records table, and what it returns: written by the first test of
    the worker that asks, then put back from a copy of moto's table — for a setup that writes thousands of
    items (the demo's 5,098 areas: 3.6 s written, 0.2 s put back) or many versions. On DynamoDB Local
    (tests/integration) it is simply written."""
    import copy

    table = records_table()
    if table is None or os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"):  # DynamoDB Local (tests/integration)
        return write()
    if name not in _STORED:
        assert not table.items, f"{name} is stored into an empty table"
        made = write()
        _STORED[name] = (copy.deepcopy(table.items), made)
    items, made = _STORED[name]
    table.items.update(copy.deepcopy(items))
    return made
