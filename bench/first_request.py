"""What a resident waits for: a cold start AND its first request, and then warm requests, next to the floor.

Both run from the unpacked, precompiled `chalice package` zips (bench/cold_start.py builds them), through the
Lambda handler itself (`app.app(event, context)` with an API Gateway proxy event, the authorizer's context
in it as API Gateway passes it), against the items a subprocess seeded through the app's own services (into
moto), served on loopback by GetItem and BatchGetItem from this process. The floor is the bare Chalice + boto3 + pydantic app
of cold_start.FLOOR_APP, its client created at import as most such apps do: `/health` answers a model,
`/items/{id}` does one GetItem of the item the app's request reads (the grid's area for the area routes, the
application for its read) and answers it as a model: the same GetItem, the same item to parse.

(d) cold start + first request: each sample is a fresh interpreter timing `import app` and the first
    request; app and floor alternate, medians. Three requests: `GET /v1/health` (floor: its health),
    an area's breadcrumb and a resident reading their legal-aid application (floor: its GetItem route).
(e) warm requests: in one interpreter per sample, after the first request, the median of many requests
    through the handler; app and floor alternate, the median of the samples' medians.
"""
from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
GRID = "320402001001001"
RESIDENT = "r-1"

# One request through the Lambda handler: argv = [event JSON, expected status, warm repeats].
REQUEST = r'''
import json, sys, time
t, c = time.perf_counter(), time.process_time()
import app
event, expected, warm = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

class Context:
    aws_request_id = "bench"
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws-cn:lambda:cn-northwest-1:000000000000:function:bench"
    memory_limit_in_mb = 1024
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000

response = app.app(event, Context())
first, first_cpu = time.perf_counter() - t, time.process_time() - c
assert response["statusCode"] == expected, response
times, cpu = [], []
for _ in range(warm):
    t, c = time.perf_counter(), time.process_time()
    response = app.app(event, Context())
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
    assert response["statusCode"] == expected, response
median = lambda values: sorted(values)[len(values) // 2] if values else None
print(json.dumps({"first": first, "first_cpu": first_cpu, "warm": median(times), "warm_cpu": sum(cpu) / max(1, len(cpu))}))
'''


def event(method: str, resource: str, path: str, params: dict[str, str] | None = None,
          authorizer: dict[str, str] | None = None) -> dict:
    """An API Gateway (REST, proxy) event as the Lambda handler receives it."""
    context = {"resourcePath": resource, "httpMethod": method, "path": "/v1" + path, "stage": "v1",
               "requestId": "bench-request-0001", "identity": {"sourceIp": "127.0.0.1"}}
    if authorizer:
        context["authorizer"] = authorizer
    return {"resource": resource, "path": path, "httpMethod": method, "headers": {"accept": "application/json"},
            "multiValueHeaders": {"accept": ["application/json"]}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": params, "stageVariables": None,
            "requestContext": context, "body": None, "isBase64Encoded": False}


@contextlib.contextmanager
def dynamodb(items: list[dict]) -> Iterator[str]:
    """The seeded items served on a loopback port by GetItem and BatchGetItem (DynamoDB's JSON protocol), for
    the length of the bench: its endpoint. A stand-in whose answer takes well under a millisecond, so what is
    measured is the two handlers, not an emulator's latency."""
    by_key = {(i["pk"]["S"], i["sk"]["S"]): i for i in items}

    def find(key: dict) -> dict | None:
        return by_key.get((key["pk"]["S"], key["sk"]["S"]))

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # one segment per answer, no 40 ms delayed-ACK stall

        def do_POST(self) -> None:  # noqa: N802 — http.server's name
            operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if operation == "GetItem":
                found = find(request["Key"])
                answer = {"Item": found} if found else {}
            elif operation == "BatchGetItem":
                answer = {"Responses": {table: [i for i in map(find, ask["Keys"]) if i]
                                        for table, ask in request["RequestItems"].items()}, "UnprocessedKeys": {}}
            else:
                self.send_error(400, f"{operation} is not served by the bench")
                return
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def local_secrets() -> dict[str, str]:
    """The local stage's throwaway secrets (the deployed stages read theirs from SSM)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    return {k: v for k, v in config["stages"]["local"]["environment_variables"].items() if k.startswith("SECRET_")}


def seed() -> None:
    """(subprocess, the bench's environment) Changzhou's slice of areas, the income standard and a resident's
    legal-aid application, written through the app's services into moto's in-process table; prints the
    table's items and what the requests need."""
    sys.path.insert(0, str(ROOT))
    from moto import mock_aws

    with mock_aws():
        _seed()


def _seed() -> None:
    import app  # noqa: F401 — enables the stage's plugins
    from chalicelib.domain.accounts import service as accounts
    from chalicelib.domain.areas.models import Area
    from chalicelib.platform import audit, aws, pii, storage
    from chalicelib.platform.auth import Caller
    from chalicelib.platform.storage import keys
    from infra import bootstrap
    from plugins.legal_aid import params, service
    from plugins.legal_aid.bodies import LegalAidApplicationIn

    bootstrap.create_tables(aws.dynamodb(), bootstrap.local_params(os.environ["STAGE"]))
    for code, name, level, parent in [
            ("32", "江苏省", "province", None), ("3204", "常州市", "city", "32"), ("320402", "天宁区", "district", "3204"),
            ("320402001", "雕庄街道", "town", "320402"), ("320402001001", "演示社区", "village", "320402001"),
            (GRID, "第一网格", "grid", "320402001001")]:
        storage.put_new(Area(code=code, name=name, level=level, parent=parent))
    params.load_demo(audit.SYSTEM)
    first17 = "32040219850715001"
    id_number = first17 + pii.check_character(first17)
    resident = storage.stamp_new(accounts.Resident(
        sub=RESIDENT, name="王建国", real_name_status="declared", id_number_cipher=pii.encrypt("id_number", id_number),
        id_number_hash=pii.lookup_hash("id_number", id_number), id_number_masked=pii.mask_id_number(id_number)))
    storage.transact([storage.put_op(resident.to_item(), must_not_exist=False)])
    application, _ = service.submit(Caller(sub=RESIDENT, roles=frozenset({"resident"}), area=None),
                                         LegalAidApplicationIn.model_validate({
        "applicant": {"name": "王建国", "id_number": id_number, "phone": "13912345678", "area": GRID,
                      "address": "雕庄街道演示社区 1 号"},
        "household": {"size": 3, "incomes": [{"source": "wage", "monthly_amount": "3000"}]},
        "matter_type": "labour_pay", "opposing_party": {"name": "赵大海", "kind": "person"},
        "description": "在工地干了四个月，老板拖欠工资 32,000 元", "categories": ["migrant_worker"]}))
    items = aws.dynamodb().scan(TableName=os.environ["TABLE_NAME"])["Items"]  # the bench's own seed, not a request
    print(json.dumps({"application": application.id, "keys": {"application": keys.record(service.ENTITY, application.id),
                                                               "area": keys.record(Area.entity, GRID)},
                      "items": items}))


def cases(seeded: dict) -> dict[str, tuple[dict, dict]]:
    """name → (the app's event, the floor's event)."""
    resident = {"sub": RESIDENT, "principalId": RESIDENT, "roles": "resident"}
    floor_health = event("GET", "/health", "/health")
    floor_read = event("GET", "/items/{item_id}", "/items/application", {"item_id": "application"})
    floor_area = event("GET", "/items/{item_id}", "/items/area", {"item_id": "area"})
    return {
        "GET /v1/health": (event("GET", "/v1/health", "/v1/health"), floor_health),
        "GET /v1/areas/{code}/breadcrumb": (event("GET", "/v1/areas/{code}/breadcrumb", f"/v1/areas/{GRID}/breadcrumb",
                                                  {"code": GRID}), floor_area),
        "GET /v1/legal-aid/applications/{app_id}": (event(
            "GET", "/v1/legal-aid/applications/{app_id}", f"/v1/legal-aid/applications/{seeded['application']}",
            {"app_id": seeded["application"]}, resident), floor_read),
    }


WARM = {"GET /v1/health": "GET /v1/health", "GET /v1/areas/{code}": None}


def _run(folder: Path, env: dict[str, str], request: dict, warm: int = 0) -> dict:
    import boto3

    runtime = str(Path(boto3.__file__).parents[1])  # the Lambda runtime provides boto3
    out = subprocess.run([sys.executable, "-S", "-c", REQUEST, json.dumps(request), "200", str(warm)], cwd=folder,
                         capture_output=True, text=True, check=False,
                         env={**env, "PYTHONPATH": os.pathsep.join([str(folder), runtime]),
                              "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1"})
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(floor: Path, ours: Path, stage_env: dict[str, str], runs: int, warm_runs: int, warm: int) -> dict:
    env = {"PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "cn-northwest-1", **stage_env, **local_secrets()}
    env.setdefault("TABLE_NAME", f"fawangge-{env.get('STAGE', 'dev')}-records")
    seeded = json.loads(subprocess.run([sys.executable, "-m", "bench.first_request", "seed"], cwd=ROOT, env=env,
                                       capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    with dynamodb(seeded["items"]) as endpoint:
        env |= {"AWS_ENDPOINT_URL_DYNAMODB": endpoint, "BENCH_KEYS": json.dumps(seeded["keys"])}
        requests = cases(seeded)
        area = event("GET", "/v1/areas/{code}", f"/v1/areas/{GRID}", {"code": GRID})
        warm_cases = {"GET /v1/health": requests["GET /v1/health"],
                      "GET /v1/areas/{code} (one GetItem)": (area, requests["GET /v1/areas/{code}/breadcrumb"][1])}
        for ours_event, floor_event in requests.values():  # disk cache, and every request answers 200
            _run(floor, env, floor_event), _run(ours, env, ours_event)
        first: dict[str, dict[str, list[dict]]] = {name: {"floor": [], "app": []} for name in requests}
        for _ in range(runs):
            for name, (ours_event, floor_event) in requests.items():
                first[name]["floor"].append(_run(floor, env, floor_event))
                first[name]["app"].append(_run(ours, env, ours_event))
        steady: dict[str, dict[str, list[dict]]] = {name: {"floor": [], "app": []} for name in warm_cases}
        for _ in range(warm_runs):
            for name, (ours_event, floor_event) in warm_cases.items():
                steady[name]["floor"].append(_run(floor, env, floor_event, warm))
                steady[name]["app"].append(_run(ours, env, ours_event, warm))
    return {"first": first, "warm": steady}


def report(figures: dict, runs: int, warm: int) -> None:
    """Wall-clock medians, and the CPU time the interpreter used (less sensitive to the other processes on
    a shared machine: a busy core stretches wall time, not the work done)."""
    def line(name: str, samples: dict, key: str, digits: int) -> str:
        floor = statistics.median(s[key] for s in samples["floor"])
        ours = statistics.median(s[key] for s in samples["app"])
        return (f"    {name:42s} {key:9s} floor {floor * 1000:7.{digits}f} ms  app {ours * 1000:7.{digits}f} ms"
                f"  = {ours / floor:.2f}×  ({(ours - floor) * 1000:+.{digits}f} ms)")

    print(f"(d) cold start + first request through the Lambda handler, from the unpacked zips; median of {runs}"
          " alternating fresh interpreters (target ≤ 1.10× floor)")
    for name, samples in figures["first"].items():
        for key in ("first", "first_cpu"):
            print(line(name, samples, key, 1))
    print(f"(e) warm requests through the Lambda handler: median wall time and mean CPU time of {warm} requests"
          " after the first, median over alternating interpreters (target ≤ 1.10× floor)")
    for name, samples in figures["warm"].items():
        for key in ("warm", "warm_cpu"):
            print(line(name, samples, key, 3))
    print("    targets (≤ 1.10× the floor of this run; wall time | CPU time):")
    for part, wall, cpu in (("first", "first", "first_cpu"), ("warm", "warm", "warm_cpu")):
        for name, samples in figures[part].items():
            ratios = [ratio(samples, key) for key in (wall, cpu)]
            mark = "met" if max(ratios) <= TARGET else ("met in CPU time" if ratios[1] <= TARGET else "OVER")
            print(f"      {part:5s} {name:42s} {ratios[0]:.2f}× | {ratios[1]:.2f}×  {mark}")


TARGET = 1.10


def ratio(samples: dict, key: str) -> float:
    """The app's median over the floor's, of the samples of one run."""
    return statistics.median(s[key] for s in samples["app"]) / statistics.median(s[key] for s in samples["floor"])


if __name__ == "__main__" and sys.argv[1:] == ["seed"]:
    seed()
