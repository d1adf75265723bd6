"""CONTRACT "Layout": what ships to Lambda is what `chalice package` builds. The plugins must be inside
the zip (via vendor/plugins), the app must import from the unzipped folder alone — with no system zone
database, as on a bare Lambda image — and the template must carry the tables, buckets and policies."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    out = tmp_path_factory.mktemp("package") / "out"
    env = {**os.environ, "AWS_DEFAULT_REGION": "cn-northwest-1"}
    chalice = str(Path(sys.executable).with_name("chalice"))
    subprocess.run([chalice, "package", "--stage", "dev",
                    "--merge-template", "infra/resources.json", str(out)],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    for tool in ("tools.route_manifest", "tools.compile_package"):  # as `make package` does
        subprocess.run([sys.executable, "-m", tool, str(out / "deployment.zip")], cwd=ROOT,
                       check=True, capture_output=True, timeout=600)
    unzipped = out / "unzipped"
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        archive.extractall(unzipped)
    return out, unzipped


def test_the_zip_holds_the_app_the_core_and_the_enabled_plugins(package):
    _, unzipped = package
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]["environment_variables"]
    plugin_dirs = [f"plugins/{name.strip()}/__init__.py" for name in stage["ENABLED_PLUGINS"].split(",") if name.strip()]
    for path in ("app.py", "chalicelib/platform/web/__init__.py", "chalicelib/demo/data/areas_demo.json", "plugins/__init__.py", "tzdata", *plugin_dirs):
        assert (unzipped / path).exists(), path
    assert not (unzipped / "boto3").exists(), "boto3 comes from the Lambda runtime"


# Lambda takes 50 MB zipped, 250 MB unpacked. Before the poster the zip was ~15 MB; ReportLab (~3.6 MB) and the
# Pillow it needs (~8 MB with its bundled image libraries) make it ~27 MB: the budget keeps the next addition honest.
ZIP_BUDGET_MB, UNPACKED_BUDGET_MB = 30, 100


def test_the_zip_stays_within_its_size_budget_and_draws_a_poster_from_the_unzipped_package(package):
    """Issue 22 §5: ReportLab (and the Pillow it brings) ship for the printed grid board and keep the zip
    within its budget; Pillow is a wheel for the Lambda platform (glibc 2.26), not a build against this
    machine's libraries; from the unzipped package alone a poster is drawn with the built-in CID font."""
    out, unzipped = package
    wheel = next(unzipped.glob("pillow-*.dist-info")) / "WHEEL"
    assert "manylinux2014_x86_64" in wheel.read_text() or "manylinux_2_17_x86_64" in wheel.read_text()
    with zipfile.ZipFile(out / "deployment.zip") as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    assert (out / "deployment.zip").stat().st_size < ZIP_BUDGET_MB * 1e6 and unpacked < UNPACKED_BUDGET_MB * 1e6
    probe = ("import sys\n"
             "from chalicelib.domain.board import poster\n"
             "assert 'reportlab' not in sys.modules\n"
             "sheet = poster.Sheet(grid='320402001001001', grid_name='第一网格', path=['常州市'], services=['法律咨询'],\n"
             "    contacts=[], duties=[], points=[])\n"
             "png = bytes.fromhex('89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55'\n"
             "                    '0000000a49444154789c636000000002000148afa4710000000049454e44ae426082')\n"
             "print(poster.render(sheet, 'A4', png)[:5])\n")
    env = {"PATH": os.environ["PATH"], "PYTHONTZPATH": "/nonexistent", "PYTHONNOUSERSITE": "1",
           "PYTHONPATH": str(unzipped)}
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=unzipped, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "b'%PDF-'"


def test_the_package_ships_bytecode_that_python_uses_as_it_is(package):
    """Issue 9: Lambda's /var/task is read-only, so bytecode must ship; unchecked-hash .pyc files stay valid
    whatever mtimes unzipping gives the sources."""
    _, unzipped = package
    tag = sys.implementation.cache_tag
    for module in ("app", "chalicelib/platform/web/__init__", "pydantic/main"):
        source = unzipped / f"{module}.py"
        pyc = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert pyc.exists(), pyc
        assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01, "an unchecked-hash pyc (PEP 552)"


def test_the_app_and_every_enabled_plugin_import_from_the_unzipped_package_alone(package):
    _, unzipped = package
    stage = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]["dev"]["environment_variables"]
    probe = (
        "import app, datetime, zoneinfo\n"
        "from chalicelib import plugin\n"
        "print(sorted(p.name for p in plugin.enabled()))\n"
        "print(datetime.datetime(2026, 11, 18, tzinfo=zoneinfo.ZoneInfo('Asia/Shanghai')).utcoffset())\n"
    )
    # -S: no site-packages at all, only the stdlib and the unzipped folder; no system zone database.
    # boto3 (the Lambda runtime's) is not needed to import the app: clients are created lazily.
    env = {"PATH": os.environ["PATH"], "PYTHONTZPATH": "/nonexistent", "PYTHONNOUSERSITE": "1",
           "PYTHONPATH": str(unzipped), **stage}
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=unzipped, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    names, offset = result.stdout.split("\n")[:2]
    enabled = [name.strip() for name in stage["ENABLED_PLUGINS"].split(",") if name.strip()]
    mounted = [__import__("importlib").import_module(f"plugins.{name}").plugin.name for name in enabled]
    assert names == str(sorted(mounted)) and mounted
    assert offset == "8:00:00"


def test_the_zip_ships_the_route_manifest_of_the_core_and_every_plugin_as_their_blueprints_declare(package, app):
    """Issue 9 (cold start): `make package` writes `routes.json` (web.lazy) from the code it ships, with every
    plugin's routes, so any stage can enable any plugin; each module's routes are what the tree's app, which
    reads them off the blueprints, serves."""
    import app as handler
    from chalicelib.platform import config as settings
    from chalicelib.platform.web import lazy
    from tools import route_manifest

    _, unzipped = package
    shipped = json.loads((unzipped / "routes.json").read_text(encoding="utf-8"))
    assert list(shipped) == list(handler.route_modules(route_manifest.all_plugins()))
    served = lazy.scan(handler.route_modules(settings.enabled_plugins()))  # as the tree's `app` read them
    assert {module: shipped[module] for module in served} == served
    assert not (ROOT / "routes.json").exists(), "the manifest is built by `make package`, never kept in the tree"


def test_a_deployed_stage_mounts_every_route_from_the_shipped_manifest_and_loads_each_from_the_zip(package):
    """With the deployed environment the app imports no route module, nor the plugin contract (a core route
    that never asks about plugins does not pay for it: chalicelib/enabled.py); every route is in the table,
    and every stub finds its real view in the unzipped package alone."""
    _, unzipped = package
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    deployed = {**config["environment_variables"], **config["stages"]["dev"]["environment_variables"]}
    probe = (
        "import sys, app\n"
        "from chalicelib.platform.web import lazy\n"
        "print(sum(m.endswith('.routes') for m in sys.modules), 'chalicelib.plugin' in sys.modules)\n"
        "lazy.load_all(app.app)\n"
        "print(sum(len(m) for m in app.app.routes.values()),"
        " sum(hasattr(e.view_function, '__endpoint__') for m in app.app.routes.values() for e in m.values()))\n"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONTZPATH": "/nonexistent", "PYTHONNOUSERSITE": "1",
           "PYTHONPATH": str(unzipped), **deployed}
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=unzipped, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    imported, counts = result.stdout.split("\n")[:2]
    routes, real_views = map(int, counts.split())
    assert imported == "0 False"
    assert routes == real_views > 100


COLD_START = r"""
import json, sys
import app as handler

def event(path):
    return {"resource": path, "path": path, "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
            "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
            "stageVariables": None, "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": path, "httpMethod": "GET", "path": path, "stage": "v1",
                               "requestId": "cold-start-0001", "identity": {"sourceIp": "127.0.0.1"}}}

class Context:
    aws_request_id = function_name = log_group_name = log_stream_name = "cold-start"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws-cn:lambda:cn-northwest-1:000000000000:function:cold-start"
    memory_limit_in_mb = 1024
    def get_remaining_time_in_millis(self):
        return 30000

def ours():
    return sorted(m for m in sys.modules if m.startswith(("chalicelib.domain.", "plugins.")) and m.endswith(".routes")
                  or m.startswith("plugins."))

at_import = ours()
health = handler.app(event("/v1/health"), Context())
after_health = ours()
document = handler.app(event("/v1/openapi.json"), Context())
print(json.dumps({"at_import": at_import, "health": [health["statusCode"], json.loads(health["body"])],
                  "after_health": after_health, "document": [document["statusCode"], json.loads(document["body"])]}))
"""


def test_from_the_zip_a_health_request_imports_no_plugin_and_the_document_is_the_tree_s(package, app):
    """A cold start answering `GET /v1/health` imports only the meta routes and no plugin module (it names the
    enabled plugins without importing them); the OpenAPI document, which loads every route, is the same as
    the source tree's app's."""
    from chalicelib import plugin
    from chalicelib.platform.web import openapi

    _, unzipped = package
    env = {**os.environ, "PYTHONPATH": str(unzipped), "PYTHONNOUSERSITE": "1"}
    out = subprocess.run([sys.executable, "-S", "-c", COLD_START], cwd=unzipped, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])

    assert seen["at_import"] == []
    assert seen["health"][0] == 200
    assert seen["health"][1]["plugins"] == [p.name for p in plugin.enabled()]
    assert seen["after_health"] == ["chalicelib.domain.meta.routes"]
    assert seen["document"][0] == 200
    assert seen["document"][1] == json.loads(json.dumps(openapi.document(app), ensure_ascii=False))


def test_the_template_has_the_table_buckets_and_least_privilege_policies(package):
    out, _ = package
    template = json.loads((out / "sam.json").read_text())
    table = template["Resources"]["RecordsTable"]["Properties"]
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table["SSESpecification"]["SSEEnabled"] is True
    for bucket in ("LedgerBucket", "LeafletBucket"):
        props = template["Resources"][bucket]["Properties"]
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert props["BucketEncryption"]
    assert template["Resources"]["JwtAuth"]["Properties"]["Handler"] == "chalicelib.platform.auth.authorizer.jwt_auth"
    for policy_file in (ROOT / ".chalice").glob("policy-*.json"):
        actions = [a for s in json.loads(policy_file.read_text())["Statement"] for a in s["Action"]]
        assert "dynamodb:Scan" not in actions and not any(a.endswith(":*") or a == "*" for a in actions), policy_file
