"""`make bench`: cold-start import time next to the stack's floor, the Lambda zip size, and DynamoDB calls
per request for each core route. Prints figures; asserts nothing (tests never assert on timings).

Import times are the median of fresh interpreter runs, measured in the same run as the floor, because the
absolute figure depends on the machine and its disk cache.
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
RUNS = int(os.environ.get("BENCH_RUNS", "9"))

FLOOR_APP = '''
import boto3
from chalice import Chalice
from pydantic import BaseModel


class Thing(BaseModel):
    name: str


app = Chalice(app_name="floor")


@app.route("/")
def index():
    return Thing(name="x").model_dump()
'''

TIMER = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def _stage_env() -> dict[str, str]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {**config["environment_variables"], **config["stages"]["dev"]["environment_variables"]}


def _median_import_seconds(module: str, cwd: Path, env: dict[str, str]) -> float:
    samples = []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", TIMER.format(module=module)], cwd=cwd, env=env,
                             capture_output=True, text=True, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def import_times() -> None:
    env = {**os.environ, **_stage_env(), "PYTHONDONTWRITEBYTECODE": "0"}
    with tempfile.TemporaryDirectory() as floor_dir:
        Path(floor_dir, "floor_app.py").write_text(FLOOR_APP)
        _median_import_seconds("floor_app", Path(floor_dir), env)  # warm the bytecode and disk caches
        _median_import_seconds("app", ROOT, env)
        floor = _median_import_seconds("floor_app", Path(floor_dir), env)
        ours = _median_import_seconds("app", ROOT, env)
    print("(a) cold start: `import app` (median of %d fresh interpreters)" % RUNS)
    print(f"    floor (Chalice + boto3 + pydantic, one model): {floor * 1000:7.1f} ms")
    print(f"    app.py with enabled plugins ({env.get('ENABLED_PLUGINS')}):     {ours * 1000:7.1f} ms"
          f"   = {ours / floor:.2f}× floor (target ≤ 1.25×)")


def zip_size() -> None:
    with tempfile.TemporaryDirectory() as out:
        chalice = str(Path(sys.executable).with_name("chalice"))
        subprocess.run([chalice, "package", "--stage", "prod", "--merge-template", "infra/resources.json", out],
                       cwd=ROOT, env={**os.environ, "AWS_DEFAULT_REGION": "cn-northwest-1"},
                       check=True, capture_output=True)
        archive = Path(out, "deployment.zip")
        with zipfile.ZipFile(archive) as z:
            unpacked = sum(i.file_size for i in z.infolist())
        print("(b) deployment package (stage prod)")
        print(f"    deployment.zip: {archive.stat().st_size / 1e6:6.2f} MB zipped, {unpacked / 1e6:6.2f} MB unpacked"
              f"   (target ≤ 15 MB zipped; Lambda limit 250 MB unpacked)")


def calls_per_request() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(_stage_env())
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    os.environ.update(config["stages"]["local"]["environment_variables"])
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                       "AWS_DEFAULT_REGION": "cn-northwest-1", "DEV_KEY_DIR": tempfile.mkdtemp(),
                       "POWERTOOLS_LOG_LEVEL": "WARNING"})
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_S3"):
        os.environ.pop(variable, None)
    from chalice.test import Client
    from moto import mock_aws

    from bench.calls import counting_dynamodb_calls
    from chalicelib.platform import aws, storage
    from chalicelib.platform.auth import tokens
    from chalicelib.domain.areas.models import Area
    from infra import bootstrap

    with mock_aws():
        aws.reset()
        params = bootstrap.local_params("local")
        bootstrap.create_tables(aws.dynamodb(), params)
        for code, name, level, parent in [("32", "江苏省", "province", None), ("3204", "常州市", "city", "32"),
                                          ("320402", "天宁区", "district", "3204"),
                                          ("320402001", "雕庄街道", "town", "320402"),
                                          ("320402001001", "演示社区", "village", "320402001")]:
            storage.put_new(Area(code=code, name=name, level=level, parent=parent))
        from app import app

        admin = {"Authorization": "Bearer " + tokens.issue_dev_token("admin-1", ["admin"], "3204"),
                 "Content-Type": "application/json"}
        requests = [
            ("GET", "/v1/health", {}, None), ("GET", "/v1/whoami", admin, None),
            ("GET", "/v1/areas", {}, None), ("GET", "/v1/areas/320402", {}, None),
            ("GET", "/v1/areas/3204/children", {}, None), ("GET", "/v1/areas/320402001001/breadcrumb", {}, None),
            ("POST", "/v1/areas", admin, {"code": "320402001001001", "name": "第一网格"}),
            ("POST", "/v1/areas", {**admin, "Idempotency-Key": "bench-1"}, {"code": "320402001001002", "name": "第二网格"}),
            ("PATCH", "/v1/areas/320402001001001", {**admin, "If-Match": "1"}, {"name": "一网格"}),
        ]
        print("(c) DynamoDB calls per request (botocore before-call hook; moto in-process)")
        with Client(app, stage_name="local", project_dir=str(ROOT)) as client:
            for method, path, headers, payload in requests:
                body = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else b""
                with counting_dynamodb_calls() as counter:
                    response = client.http.request(method, path, headers=headers, body=body)
                calls = sum(counter.values())
                detail = ", ".join(f"{k}×{v}" for k, v in sorted(counter.items())) or "-"
                label = f"{method} {path}" + (" (Idempotency-Key)" if "Idempotency-Key" in headers else "")
                print(f"    {label:58s} {response.status_code}  {calls} call(s)  [{detail}]")
    extra_benches()


def extra_benches() -> None:
    """Benchmarks that features add (each module exposes `run()`), e.g. bench/coverage_bench.py."""
    for module in sorted(p.stem for p in Path(__file__).parent.glob("*_bench.py")):
        __import__(f"bench.{module}", fromlist=["run"]).run()


def main() -> None:
    import_times()
    zip_size()
    calls_per_request()


if __name__ == "__main__":
    main()
