"""The first request of a cold start that reads an application imports what the read answers with and
nothing of applying, the case's steps or the households (issue 18 §4; chalicelib/platform/web/lazy.py): its
route's view is declared in a module of its own, which the route manifest names. A fresh interpreter, as a
Lambda cold start."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chalicelib.platform.web import lazy

ROOT = Path(__file__).resolve().parents[3]
NOT_FOR_A_READ = (
    "plugins.legal_aid.bodies", "plugins.legal_aid.answers", "plugins.legal_aid.household_models",
    "plugins.legal_aid.routes", "plugins.legal_aid.routes_apply", "plugins.legal_aid.routes_workflow",
    "plugins.legal_aid.routes_households", "plugins.legal_aid.criteria", "plugins.legal_aid.workflow",
    "plugins.legal_aid.households", "chalicelib.plugin", "chalicelib.domain.policy.service",
    "chalicelib.domain.means",
)


def test_the_manifest_names_the_read_s_own_module_for_its_route():
    [row] = [row for row in lazy.manifest({"plugins.legal_aid.routes": "/v1/legal-aid"})["plugins.legal_aid.routes"]
             if row["path"] == "/v1/legal-aid/applications/{app_id}" and row["method"] == "GET"]

    assert row["module"] == "plugins.legal_aid.routes_read" and row["view"] == "get_application"


def test_importing_the_read_s_module_imports_neither_request_bodies_nor_other_services_nor_the_contract():
    out = subprocess.run(
        [sys.executable, "-c", "import json, sys; import plugins.legal_aid.routes_read;"
                               f"print(json.dumps([m for m in {NOT_FOR_A_READ!r} if m in sys.modules]))"],
        cwd=ROOT, capture_output=True, text=True, check=True)

    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
