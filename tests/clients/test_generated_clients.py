"""Issue 20: a mini-program team generates its clients from the served document with the tools it would
pick, each with the tool's defaults, and they work out of the box.

- TypeScript: openapi-typescript writes the types, and a small mini-program module (sign-in, my grid's
  board, a ticket with If-Match, a paged list) type-checks against them with `tsc --strict` and openapi-fetch.
- Python: openapi-python-client generates a package that pip installs, and its functions call the app as
  `make dev` serves it (the local stage's server, gateway refusals as problem+json) and parse the answers.

The Node tools are pinned in `package.json`/`package-lock.json` here (installed by `make test`), the Python
one in requirements-dev.txt; `python-client.yaml` only names the package (the title is Chinese).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chalicelib.platform.web import openapi
from tests.helpers import seed_areas

HERE = Path(__file__).resolve().parent
NODE_BIN = HERE / "node_modules" / ".bin"
VENV_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.clients


def served_document(app, directory: Path) -> Path:
    path = directory / "openapi.json"
    path.write_text(json.dumps(openapi.document(app), ensure_ascii=False), encoding="utf-8")
    return path


def run(*command, cwd: Path) -> None:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, f"{' '.join(map(str, command))}\n{done.stdout}\n{done.stderr}"


def test_the_mini_program_module_type_checks_strictly_against_the_generated_typescript(app, tmp_path):
    if not (NODE_BIN / "tsc").exists():
        pytest.fail("tests/clients/node_modules is missing: `make test` installs it (npm ci --prefix tests/clients)")
    document = served_document(app, tmp_path)
    run(NODE_BIN / "openapi-typescript", document, "--output", HERE / "generated" / "api.ts", cwd=HERE)
    run(NODE_BIN / "tsc", "--project", "tsconfig.json", cwd=HERE)


@pytest.fixture
def python_client(app, tmp_path):
    """The generated package, pip-installed into a directory of its own and importable from there."""
    run(VENV_BIN / "openapi-python-client", "generate", "--path", served_document(app, tmp_path),
        "--config", HERE / "python-client.yaml", "--output-path", tmp_path / "client", cwd=tmp_path)
    run(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
        "--no-build-isolation", "--target", tmp_path / "site", tmp_path / "client", cwd=tmp_path)
    sys.path.insert(0, str(tmp_path / "site"))
    try:
        yield __import__("fawangge_client")
    finally:
        sys.path.remove(str(tmp_path / "site"))
        for name in [n for n in sys.modules if n == "fawangge_client" or n.startswith("fawangge_client.")]:
            del sys.modules[name]
        shutil.rmtree(tmp_path / "site", ignore_errors=True)


@pytest.fixture
def local_stage(app):
    """The local stage's server (tools/local_api, what `make dev` runs) on a free port, on moto."""
    from chalice.config import Config
    from chalice.local import LocalDevServer

    from tools import local_api

    config = Config.create(chalice_app=app, chalice_stage=local_api.STAGE, project_dir=str(HERE.parents[1]))
    server = local_api.use_gateway_responses(LocalDevServer(app, config, "127.0.0.1", 0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server.server_address[1]}"
    finally:
        server.server.shutdown()
        server.server.server_close()


def test_the_generated_python_client_installs_and_calls_the_local_stage(python_client, local_stage, token):
    from importlib import import_module

    seed_areas()
    api = lambda name: import_module(f"fawangge_client.api.{name}")  # noqa: E731
    models = import_module("fawangge_client.models")
    anonymous = python_client.Client(base_url=local_stage)
    resident = python_client.AuthenticatedClient(
        base_url=local_stage, token=token("resident-1")["Authorization"].split()[1])

    assert api("core.health").sync_detailed(client=anonymous).status_code == 200

    refused = api("me.get_me").sync_detailed(client=anonymous)  # the gateway's 401, parsed as the document says
    assert refused.status_code == 401 and isinstance(refused.parsed, models.ProblemDetails)
    assert refused.parsed.code == "unauthorized"

    created = api("intake.create_ticket").sync_detailed(client=resident, idempotency_key="ticket-1", body=models.TicketIn(
        channel=models.TicketInChannel.MINI_PROGRAM, grid="320402001001001",
        category=models.TicketInCategory.CONSULTATION, text="邻居装修占用楼道，协商无果，想咨询怎么处理"))
    assert created.status_code == 201, created.content.decode()
    page = api("intake.my_tickets").sync(client=resident, limit=10)
    assert [item.code for item in page.items] == [created.parsed.code] and page.next_cursor is None
