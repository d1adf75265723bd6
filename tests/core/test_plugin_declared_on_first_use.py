"""A plugin's `plugin` object is declared the first time the core asks for it (`plugin.declared_on_first_use`),
not when its package is imported: a cold start whose first request is a plugin's route imports that route's
module and what it needs, not the plugin's hooks, intake targets, demo data or the accounts a read does not
touch (issue 9, cold start; chalicelib/platform/web/lazy.py). Fresh interpreters, as a Lambda cold start."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib import plugin
from chalicelib.platform import config

ROOT = Path(__file__).resolve().parents[2]


def _fresh(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_a_plugins_route_module_imports_neither_its_declaration_nor_what_a_read_does_not_need():
    found = _fresh(
        "import json, sys; import plugins.legal_aid.routes, plugins.legal_aid as package;"
        "print(json.dumps({'declared': 'plugin' in vars(package), 'loaded': [m for m in ("
        "'plugins.legal_aid.hooks', 'plugins.legal_aid.intake', 'plugins.legal_aid.demo',"
        "'chalicelib.domain.accounts.service') if m in sys.modules]}))")

    assert found == {"declared": False, "loaded": []}


@pytest.mark.parametrize("module", config.enabled_plugins())
def test_every_plugin_is_declared_once_the_first_time_it_is_asked_for(module):
    found = _fresh(
        f"import json, importlib; from chalicelib import plugin;"
        f"package = importlib.import_module('plugins.{module}'); before = 'plugin' in vars(package);"
        f"[loaded] = plugin.load(['{module}']);"
        f"print(json.dumps({{'before': before, 'name': loaded.name, 'kept': package.plugin is loaded,"
        f"'again': plugin.load(['{module}'])[0] is loaded}}))")

    assert found == {"before": False, "name": plugin.name_of(module), "kept": True, "again": True}


def test_a_declaration_missing_an_attribute_is_an_import_error_not_a_plugin_missing():
    ask = plugin.declared_on_first_use("plugins.broken", lambda: plugin.MISSING)  # type: ignore[attr-defined]

    with pytest.raises(ImportError, match="declaring plugins.broken.plugin failed"):
        ask("plugin")


def test_a_plugin_package_has_no_other_attribute_by_declaration():
    ask = plugin.declared_on_first_use("plugins.hello", lambda: pytest.fail("declared"))

    with pytest.raises(AttributeError, match="no attribute 'title'"):
        ask("title")
