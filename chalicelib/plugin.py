"""The plugin contract, in one screen.

A plugin is a package `plugins/<module>/` whose `plugin` attribute is a `Plugin`. The core never imports
a plugin by name: `load` imports the modules named in `ENABLED_PLUGINS` (per stage, in
`.chalice/config.json`), `mount` registers each blueprint at `/v1/<name>`, and core features call the
hooks below through `call_hook`. Adding a service ("X") is adding a folder and a name in the config.

Hooks (all optional; each is a plain function the plugin provides):
- `coverage_roles()`     → the roles every grid must have filled for this service (C3).
- `screening_checks(ctx)` → findings for the monthly proactive screening on the 18th (C7).
- `ledger_columns()`     → columns this service adds to the village ledger (C9).
- `demo_data(ctx)`       → loads this service's demo records (idempotent) for `make dev`.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable

from chalice import Blueprint
from pydantic import BaseModel

NAME_SHAPE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")


@dataclass(frozen=True)
class CoverageRole:
    code: str       # stable identifier, e.g. "legal_aid_contact"
    title: str      # shown to people, e.g. "法律援助联络员"
    minimum: int = 1


@dataclass(frozen=True)
class ScreeningContext:
    month: str      # "2026-11", the month screened (Asia/Shanghai)
    area: str       # the area code screened (the check sees this area and below)
    as_of: date


@dataclass(frozen=True)
class Finding:
    check: str      # e.g. "legal-aid.green-channel-overdue"
    area: str
    severity: str   # "info" | "warning" | "risk"
    title: str      # Chinese, for the report
    detail: str = ""
    record: str | None = None
    due: date | None = None


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    title: str


@dataclass(frozen=True)
class DemoContext:
    actor: Any                         # chalicelib.platform.audit.Actor used for the writes
    areas: Callable[[str], list[str]]  # area codes under a prefix at a level, for placing demo records


@dataclass(frozen=True)
class Plugin:
    name: str                          # URL segment: mounted at /v1/<name>
    title: str                         # Chinese name of the service, e.g. "法律援助"
    blueprint: Blueprint
    models: tuple[type[BaseModel], ...] = ()
    core_service: bool = False         # one of the "6" core services of the 6+X menu (C4)
    coverage_roles: Callable[[], Iterable[CoverageRole]] | None = None
    screening_checks: Callable[[ScreeningContext], Iterable[Finding]] | None = None
    ledger_columns: Callable[[], Iterable[LedgerColumn]] | None = None
    demo_data: Callable[[DemoContext], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not NAME_SHAPE.match(self.name):
            raise ValueError(f"plugin name {self.name!r} must be lowercase letters, digits and '-'")


_enabled: list[Plugin] = []


def load(modules: Iterable[str]) -> list[Plugin]:
    plugins = []
    for module_name in modules:
        module = importlib.import_module(f"plugins.{module_name}")
        plugin = getattr(module, "plugin", None)
        if not isinstance(plugin, Plugin):
            raise TypeError(f"plugins.{module_name} has no `plugin` object of type Plugin")
        plugins.append(plugin)
    names = [p.name for p in plugins]
    if len(set(names)) != len(names):
        raise ValueError(f"two plugins share a name: {names}")
    return plugins


def mount(app, plugins: list[Plugin]) -> None:
    for plugin in plugins:
        app.register_blueprint(plugin.blueprint, url_prefix=f"/v1/{plugin.name}")
    activate(plugins)


def activate(plugins: list[Plugin]) -> None:
    """Make `plugins` the ones whose hooks the core calls (the app, jobs and the CLI)."""
    _enabled[:] = plugins


def enabled() -> list[Plugin]:
    return list(_enabled)


def call_hook(hook: str, *args: Any) -> list[tuple[Plugin, Any]]:
    """Call `hook` on every enabled plugin that has it: [(plugin, result)]."""
    results = []
    for plugin in _enabled:
        function = getattr(plugin, hook)
        if function is not None:
            result = function(*args)
            results.append((plugin, list(result) if result is not None and not isinstance(result, dict) else result))
    return results
