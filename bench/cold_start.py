"""Cold start at ready-to-serve, measured from what ships: the unpacked `chalice package` zips of the app and
of a floor (Chalice + pydantic, one model), each precompiled as `make package` does (tools/compile_package.py).

Ready-to-serve: the handler module imported, boto3 imported and the DynamoDB client created — what a first
request needs before it can do anything, whichever of them the app defers. Each sample is a fresh
interpreter with `-S` and the unpacked folder first on the path, then boto3 from this environment (the Lambda
runtime provides boto3), with `PYTHONDONTWRITEBYTECODE` as on Lambda's read-only /var/task. App and floor
runs alternate, so a busy machine slows both alike; the figures are medians.

What the app does for its own cold start: routes mounted from the packaged manifest, each route module
imported by the first call to one of its routes, and the plugins by the first question the core asks about
them (chalicelib/platform/web/lazy.py, `plugin.defer`) — the first request's share is measured too; bytecode in the zip (tools/compile_package.py); pydantic schemas
built on first use (`Model`'s `defer_build`); boto3 imported on the first call (platform/aws.py); the OpenAPI
document built when asked for; and `PYDANTIC_DISABLE_PLUGINS=__all__` in the functions' environment
(.chalice/config.json), so pydantic does not scan every installed distribution's entry points (importlib
.metadata over the whole zip) the first time it builds a schema — the app uses no pydantic plugin.

Measured for issue 9 on the shared 2-core machine (dev stage environment, six plugins; BENCH_RUNS=9, the
commit before lazy routes and this one run one after the other): before, floor 248 / 209 ms, app 434 / 341 ms
= 1.75× / 1.63×; with lazy routes, floor 262 / 186 / 187 ms, app 264 / 206 / 201 ms = 1.01× / 1.11× / 1.08×.
The first request then adds its route module (median 14 ms, at most 45 ms) and, if it asks the core about
plugins (policy parameters, vocabularies, /v1/health…), importing the enabled plugins (~100–110 ms) — still
less than the ~150 ms every cold start paid before, whatever its request.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The floor: a bare Chalice + boto3 + pydantic app. Its client is created at import; `/health` answers a
# model, `/items/{item_id}` one GetItem of the item the bench names `item_id` (bench/first_request.py).
FLOOR_APP = '''
import json
import os

import boto3
from chalice import Chalice
from pydantic import BaseModel


class Thing(BaseModel):
    name: str


class Item(BaseModel):
    pk: str
    sk: str
    version: int


app = Chalice(app_name="floor")
dynamodb = boto3.client("dynamodb")


@app.route("/")
def index():
    return Thing(name="x").model_dump()


@app.route("/health")
def health():
    return Thing(name="ok").model_dump()


@app.route("/items/{item_id}")
def item(item_id):
    found = dynamodb.get_item(TableName=os.environ["TABLE_NAME"], ConsistentRead=True,
                              Key={k: {"S": v} for k, v in json.loads(os.environ["BENCH_KEYS"])[item_id].items()})["Item"]
    return Item(pk=found["pk"]["S"], sk=found["sk"]["S"], version=int(found["version"]["N"])).model_dump()
'''

# After ready-to-serve, what the first request adds on a deployed stage (web.lazy): importing its route
# module, or (argument "plugins") the enabled plugins, imported the first time the core asks about them.

READY = ("import time; t = time.perf_counter(); import app, boto3; "
         "boto3.session.Session().client('dynamodb', region_name='cn-northwest-1'); print(time.perf_counter() - t)")
# The floor is a bare app that creates its client at import, as most do: importing it is its ready-to-serve.
READY_FLOOR = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"


FIRST_CALL = ("import sys, time, app; from chalicelib import plugin; from chalicelib.platform.web import lazy; "
              "t = time.perf_counter(); "
              "plugin.enabled() if sys.argv[1] == 'plugins' else lazy._load(app.app, sys.argv[1]); "
              "print(time.perf_counter() - t)")


def _pinned(name: str) -> str:
    return next(line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
                if line.startswith(name + "=="))


def _package(project: Path, stage: str, out: Path) -> Path:
    """`chalice package` + (the app's) route manifest + precompile, as `make package` does, unpacked into
    `out`/unzipped; returns that folder."""
    chalice = str(Path(sys.executable).with_name("chalice"))
    extra = ["--merge-template", "infra/resources.json"] if project == ROOT else []
    subprocess.run([chalice, "package", "--stage", stage, *extra, str(out)], cwd=project, check=True,
                   capture_output=True, env={**os.environ, "AWS_DEFAULT_REGION": "cn-northwest-1"})
    if project == ROOT:
        subprocess.run([sys.executable, "-m", "tools.route_manifest", str(out / "deployment.zip")], cwd=ROOT,
                       check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "tools.compile_package", str(out / "deployment.zip")], cwd=ROOT,
                   check=True, capture_output=True)
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(out / "unzipped")
    return out / "unzipped"


def _floor_project(where: Path) -> Path:
    project = where / "floor"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(FLOOR_APP)
    (project / "requirements.txt").write_text(_pinned("pydantic") + "\n")
    (project / ".chalice" / "config.json").write_text(json.dumps(
        {"version": "2.0", "app_name": "floor", "stages": {"prod": {"api_gateway_stage": "v1"}}}))
    return project


def _sample(folder: Path, env: dict[str, str], code: str = READY, *args: str) -> float:
    import boto3

    runtime = str(Path(boto3.__file__).parents[1])  # where this environment's boto3 lives
    out = subprocess.run([sys.executable, "-S", "-c", code, *args], cwd=folder, capture_output=True, text=True, check=True,
                         env={**env, "PYTHONPATH": os.pathsep.join([str(folder), runtime]),
                              "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"})
    return float(out.stdout.strip().splitlines()[-1])


def packaged(work: Path) -> tuple[Path, Path]:
    """The floor's and the app's zips, packaged, precompiled and unpacked under `work`: (floor, app)."""
    return _package(_floor_project(work), "prod", work / "floor-out"), _package(ROOT, "prod", work / "app-out")


def measure(runs: int, stage_env: dict[str, str], floor: Path, ours: Path) -> dict[str, float]:
    """Medians (seconds) of `runs` alternating ready-to-serve samples of the floor and the app."""
    env = {"PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "cn-northwest-1", **stage_env}
    _sample(floor, env, READY_FLOOR), _sample(ours, env)  # warm the disk cache
    samples: dict[str, list[float]] = {"floor": [], "app": []}
    for _ in range(runs):
        samples["floor"].append(_sample(floor, env, READY_FLOOR))
        samples["app"].append(_sample(ours, env))
    first = _first_calls(ours, env, max(3, runs // 3))
    return {name: statistics.median(values) for name, values in samples.items()} | {
        f"{name}_all": values for name, values in samples.items()} | {"first_call": first}


def _first_calls(folder: Path, env: dict[str, str], runs: int) -> dict[str, float]:
    """Median seconds the first request adds, per route module of the enabled app, and for the plugins."""
    enabled = {f"plugins.{name}.routes" for name in env.get("ENABLED_PLUGINS", "").split(",") if name}
    shipped = json.loads((folder / "routes.json").read_text(encoding="utf-8"))
    modules = sorted({row.get("module", m) for m in shipped if m.startswith("chalicelib.") or m in enabled
                      for row in shipped[m]})  # a view declared outside its route module: the module it is in
    return {what: statistics.median(_sample(folder, env, FIRST_CALL, what) for _ in range(runs))
            for what in ["plugins", *modules]}
