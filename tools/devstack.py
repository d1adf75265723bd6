"""Local stand-ins for AWS (DynamoDB + S3), for development and integration tests.

Not shipped to Lambda. Standard library plus boto3 only.

DynamoDB: DynamoDB Local (AWS's own emulator, a Java jar). AWS publishes it only as a
download from its own web site, which this project's machines cannot reach, so we take
the copy bundled in the npm package amplify-dynamodb-simulator (``npm pack`` it and
unpack ``package/emulator/``). ``npm pack`` checks the tarball against the registry's
integrity hash; we also pin the SHA-256 of DynamoDBLocal.jar. The package's own
``emulator/sha256`` file is NOT a checksum of the jar: it is the hash of the upstream
``dynamodb_local_latest.tar.gz`` that Amplify's update script downloaded, so it cannot
be checked against anything we have.

DynamoDB Local has no option to choose the listening address (``-help`` lists none; it
does ``new org.eclipse.jetty.server.Server(port)``, i.e. all interfaces). An unauthenticated
database on the LAN is not acceptable, so we start it through a tiny Java launcher
(``_LAUNCHER_SOURCE``) that builds the server the same way and sets the Jetty connector's
host to 127.0.0.1 before starting it. The launcher is compiled once with ``javac``; where
there is no ``javac`` (a JRE only) we fall back to the plain jar and warn that it listens
on every interface.

S3: s3rver 3.7.1 from npm, chosen over moto's server because the requirement is that
files survive a restart:
  * s3rver stores buckets and objects as plain files under ``--directory``, so a
    restarted server sees everything; it binds to ``--address 127.0.0.1``; it starts in
    about a second.
  * moto 5.2.5 keeps every backend in process memory and has no persistence option
    (no setting, environment variable or state dump in its server); persisting would
    mean pickling moto internals ourselves, which is fragile and lost on a crash.
  * Cost of s3rver: it is unmaintained since 2021 and implements less. The bucket
    configuration calls in ``S3_LOCAL_UNSUPPORTED`` fail (moto would accept them), so the
    bootstrap must skip them locally. See ``S3_LOCAL_NOT_ENFORCED`` for what it accepts
    that real S3 would refuse -- note moto does not enforce those either.
  * s3rver only knows the access key id ``S3RVER``; use ``LOCAL_ACCESS_KEY_ID`` /
    ``LOCAL_SECRET_ACCESS_KEY`` for every local client (DynamoDB Local takes any key).

Usage in a pytest conftest::

    from tools.devstack import local_aws, DEFAULT_TOOLS_DIR

    @pytest.fixture(scope="session")
    def aws():
        with local_aws(None, DEFAULT_TOOLS_DIR) as stack:   # None: in memory / temp dir
            yield stack      # stack.client("s3"), stack.env(), stack.s3_endpoint, ...

Command line: ``python -m tools.devstack selftest`` checks the whole thing;
``python -m tools.devstack run`` keeps both services up with data in ``.data/``.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TOOLS_DIR = REPO_ROOT / ".tools"  # both folders are in .gitignore
DEFAULT_DATA_DIR = REPO_ROOT / ".data"

# The local services ignore the region; us-east-1 is the one region where S3
# create_bucket needs no LocationConstraint, which keeps local calls simple.
LOCAL_REGION = "us-east-1"
# s3rver rejects every access key id but this one (it does not check the secret).
LOCAL_ACCESS_KEY_ID = "S3RVER"
LOCAL_SECRET_ACCESS_KEY = "S3RVER"

DYNAMODB_LOCAL_PACKAGE = "amplify-dynamodb-simulator@2.9.30"  # ships DynamoDB Local 1.25.1
DYNAMODB_LOCAL_JAR_SHA256 = "454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7"
S3RVER_PACKAGE = "s3rver@3.7.1"
START_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 10

# boto3 S3 client methods that s3rver 3.7.1 answers with an error (checked by selftest).
# Most fail with NotImplemented; put_bucket_versioning and put_bucket_ownership_controls
# are mistaken for CreateBucket and fail with BucketAlreadyExists.
S3_LOCAL_UNSUPPORTED = frozenset({
    "put_bucket_versioning",
    "put_bucket_encryption",
    "put_public_access_block",
    "put_bucket_ownership_controls",
    "put_bucket_policy",
    "put_bucket_lifecycle_configuration",
    "put_bucket_tagging",
})
# Accepted by s3rver although real S3 refuses them: tests of these rules need real AWS.
S3_LOCAL_NOT_ENFORCED = frozenset({
    "presigned POST policy conditions (content-length-range, Content-Type, expiry)",
    "SigV4 signatures (only the access key id and the expiry of presigned URLs are checked)",
})

_LAUNCHER_CLASS = "LoopbackDynamoDBLocal"
_LAUNCHER_SOURCE = """\
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Runs DynamoDB Local like its own main(), but listening on 127.0.0.1 only. */
public class LoopbackDynamoDBLocal {
    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        java.lang.reflect.Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        for (Connector connector : ((Server) field.get(proxy)).getConnectors()) {
            ((ServerConnector) connector).setHost("127.0.0.1");
        }
        try {
            proxy.start();
        } catch (Exception e) {
            // Jetty's threads would keep the JVM alive after a failed start (port taken).
            e.printStackTrace();
            System.exit(1);
        }
    }
}
"""


# ---------------------------------------------------------------- small helpers

def free_port() -> int:
    """A loopback port that was free a moment ago (another process could still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_client(service: str, endpoint: str, read_timeout: float = 30):
    """A boto3 client for a local endpoint: dummy credentials, no retries to hide errors."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=LOCAL_REGION,
        aws_access_key_id=LOCAL_ACCESS_KEY_ID,
        aws_secret_access_key=LOCAL_SECRET_ACCESS_KEY,
        config=Config(connect_timeout=2, read_timeout=read_timeout,
                      retries={"total_max_attempts": 1}),
    )


def _probe_client(service: str, port: int):
    # Short read timeout: a stuck or foreign listener must not eat the whole start timeout.
    return local_client(service, endpoint_url(port), read_timeout=2)


def _require_free(port: int) -> None:
    """Fail at once if the port is taken: otherwise whatever holds it could answer our probe."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the servers themselves, ignore TIME_WAIT leftovers of a previous run.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as error:
            raise RuntimeError(f"port {port} on 127.0.0.1 is already in use") from error


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run_quietly(command: list[str], cwd: Path) -> None:
    """Run a setup command; show its output only if it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


def _publish_dir(staging: Path, final: Path) -> None:
    """Move a fully built folder into place in one step, so no reader sees half of it."""
    staging.chmod(0o755)  # mkdtemp made it private; the published folder need not be
    try:
        staging.rename(final)
    except OSError:
        if not final.exists():
            raise
        shutil.rmtree(staging)  # a parallel run finished first; its copy is as good


# ---------------------------------------------------------------- DynamoDB Local

def ensure_dynamodb_local(tools_dir: Path) -> Path:
    """Folder holding DynamoDBLocal.jar, fetched from npm on first use (~57 MB download)."""
    target = Path(tools_dir) / "dynamodb-local"
    if (target / "DynamoDBLocal.jar").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download_dir:
        _run_quietly(["npm", "pack", DYNAMODB_LOCAL_PACKAGE, "--silent"], Path(download_dir))
        (tarball,) = Path(download_dir).glob("*.tgz")
        staging = Path(tempfile.mkdtemp(prefix=".dynamodb-local-", dir=target.parent))
        try:
            _extract_emulator(tarball, staging)
            _check_jar(staging / "DynamoDBLocal.jar")
            _publish_dir(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _extract_emulator(tarball: Path, destination: Path) -> None:
    """Unpack package/emulator/* from the npm tarball into destination."""
    prefix = "package/emulator/"
    with tarfile.open(tarball) as archive:
        members = []
        for member in archive.getmembers():
            if member.name.startswith(prefix) and member.name != prefix:
                member.name = member.name[len(prefix):]
                members.append(member)
        # filter="data" refuses absolute paths, links out of the folder and device files.
        archive.extractall(destination, members=members, filter="data")


def _check_jar(jar: Path) -> None:
    actual = _sha256(jar)
    if actual != DYNAMODB_LOCAL_JAR_SHA256:
        raise RuntimeError(f"{jar} has SHA-256 {actual}, expected {DYNAMODB_LOCAL_JAR_SHA256}")


def _loopback_launcher(emulator_dir: Path) -> Path | None:
    """Class folder of the compiled loopback launcher, or None if javac is unavailable."""
    source_hash = hashlib.sha256(_LAUNCHER_SOURCE.encode()).hexdigest()[:12]
    classes = emulator_dir / f"loopback-launcher-{source_hash}"  # a changed source recompiles
    if (classes / f"{_LAUNCHER_CLASS}.class").is_file():
        return classes
    if shutil.which("javac") is None:
        return None
    staging = Path(tempfile.mkdtemp(prefix=".launcher-", dir=emulator_dir))
    try:
        (staging / f"{_LAUNCHER_CLASS}.java").write_text(_LAUNCHER_SOURCE)
        # --release 8: runs on any java that can run DynamoDB Local, even if older than javac.
        _run_quietly(["javac", "--release", "8", "-Xlint:-options", "-cp", "DynamoDBLocal.jar",
                      "-d", str(staging), str(staging / f"{_LAUNCHER_CLASS}.java")], emulator_dir)
        _publish_dir(staging, classes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return classes


def _dynamodb_command(emulator_dir: Path, port: int, db_path: Path | None) -> list[str]:
    storage = ["-dbPath", str(db_path)] if db_path else ["-inMemory"]
    # -sharedDb: one database whatever the credentials/region of the caller.
    options = ["-sharedDb", "-disableTelemetry", *storage, "-port", str(port)]
    # The client compiler only and one GC thread: a test run or a dev session is too short for the
    # optimising compiler to pay for itself. The integration tier took 180 s of CPU (DynamoDB Local's
    # included) with the JVM's defaults, 151 s with these, on the 2-core machine.
    java = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Djava.library.path=DynamoDBLocal_lib"]
    launcher = _loopback_launcher(emulator_dir)
    if launcher is not None:
        classpath = os.pathsep.join(["DynamoDBLocal.jar", str(launcher)])
        return [*java, "-cp", classpath, _LAUNCHER_CLASS, *options]
    print("devstack: no javac, so DynamoDB Local listens on ALL interfaces, not only 127.0.0.1",
          file=sys.stderr)
    return [*java, "-jar", "DynamoDBLocal.jar", *options]


def start_dynamodb_local(port: int, db_path: Path | None, tools_dir: Path,
                         log_file: Path | None = None) -> subprocess.Popen:
    """Start DynamoDB Local on 127.0.0.1:port and return once it answers.

    db_path: folder for its SQLite file (created if missing); None keeps data in memory.
    log_file: where its output goes; default tools_dir/logs/dynamodb-local-PORT.log.
    """
    _require_free(port)
    emulator_dir = ensure_dynamodb_local(tools_dir)
    if db_path is not None:
        db_path = Path(db_path).resolve()  # the process runs in the emulator folder
        db_path.mkdir(parents=True, exist_ok=True)
    log_file = log_file or Path(tools_dir) / "logs" / f"dynamodb-local-{port}.log"
    # -disableTelemetry alone is not enough: unless this variable is "0" it still sets up
    # its AWS Pinpoint telemetry at start-up (writes dynamodb-local-metadata.json, and
    # through the launcher sends a start event), which also costs ~0.8 s here.
    no_telemetry = {"DDB_LOCAL_TELEMETRY": "0"}
    command = _dynamodb_command(emulator_dir, port, db_path)
    proc = _spawn(command, emulator_dir, log_file, no_telemetry)
    _wait_until_ready(proc, "DynamoDB Local", log_file, _probe_client("dynamodb", port).list_tables)
    return proc


# ---------------------------------------------------------------- S3 (s3rver)

def ensure_s3rver(tools_dir: Path) -> Path:
    """Path of s3rver's start script, installed from npm into tools_dir/node_modules."""
    tools_dir = Path(tools_dir)
    package_dir = tools_dir / "node_modules" / "s3rver"
    script = package_dir / "bin" / "s3rver.js"
    wanted = S3RVER_PACKAGE.split("@")[1]
    if script.is_file() and f'"version": "{wanted}"' in (package_dir / "package.json").read_text():
        return script
    tools_dir.mkdir(parents=True, exist_ok=True)
    # Re-running npm install repairs an interrupted install, so no staging folder here.
    _run_quietly(["npm", "install", "--prefix", str(tools_dir), S3RVER_PACKAGE, "--save-exact",
                  "--no-audit", "--no-fund", "--ignore-scripts", "--silent"], tools_dir)
    return script


def start_s3_local(port: int, data_dir: Path, tools_dir: Path,
                   log_file: Path | None = None) -> subprocess.Popen:
    """Start s3rver on 127.0.0.1:port, keeping buckets as files in data_dir."""
    _require_free(port)
    script = ensure_s3rver(tools_dir)
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_file or Path(tools_dir) / "logs" / f"s3rver-{port}.log"
    command = ["node", str(script), "--directory", str(data_dir),
               "--address", "127.0.0.1", "--port", str(port)]
    proc = _spawn(command, Path(tools_dir), log_file)
    _wait_until_ready(proc, "s3rver", log_file, _probe_client("s3", port).list_buckets)
    return proc


# ---------------------------------------------------------------- processes

def endpoint_url(port: int) -> str:
    # 127.0.0.1 rather than localhost: boto3 then uses path-style S3 URLs, which s3rver needs.
    return f"http://127.0.0.1:{port}"


def _spawn(command: list[str], cwd: Path, log_file: Path,
           extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("wb") as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(extra_env or {})})


def _wait_until_ready(proc: subprocess.Popen, name: str, log_file: Path,
                      probe: Callable[[], object]) -> None:
    """Poll probe() until it succeeds; on exit or timeout stop proc and raise with its log."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            _fail(proc, f"{name} exited with code {proc.returncode}", log_file)
        try:
            probe()
            return
        except (BotoCoreError, ClientError):
            time.sleep(0.2)
    _fail(proc, f"{name} did not answer within {START_TIMEOUT_SECONDS} s", log_file)


def _fail(proc: subprocess.Popen, reason: str, log_file: Path) -> None:
    stop(proc)
    lines = log_file.read_text(errors="replace").splitlines()[-30:]
    raise RuntimeError(f"{reason}; last lines of {log_file}:\n" + "\n".join(lines))


def stop(proc: subprocess.Popen) -> None:
    """Ask the process to exit, and kill it if it is still there after 10 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---------------------------------------------------------------- both together

@dataclass(frozen=True)
class LocalAws:
    dynamodb_endpoint: str
    s3_endpoint: str
    region: str = LOCAL_REGION
    access_key_id: str = LOCAL_ACCESS_KEY_ID
    secret_access_key: str = LOCAL_SECRET_ACCESS_KEY

    def client(self, service: str):
        """A boto3 client for "dynamodb" or "s3" pointed at the local service."""
        endpoint = {"dynamodb": self.dynamodb_endpoint, "s3": self.s3_endpoint}[service]
        return local_client(service, endpoint)

    def env(self) -> dict[str, str]:
        """Environment for a child process (e.g. chalice local): boto3 >= 1.28 reads the
        per-service AWS_ENDPOINT_URL_* variables, so app code needs no endpoint setting."""
        return {
            "AWS_ENDPOINT_URL_DYNAMODB": self.dynamodb_endpoint,
            "AWS_ENDPOINT_URL_S3": self.s3_endpoint,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }


@contextlib.contextmanager
def local_aws(data_dir: Path | None, tools_dir: Path,
              ddb_port: int = 0, s3_port: int = 0) -> Iterator[LocalAws]:
    """Run DynamoDB Local and s3rver for the duration of the block.

    data_dir: keeps data in data_dir/dynamodb and data_dir/s3 (logs in data_dir/logs);
    None: DynamoDB in memory, S3 in a temporary folder, both gone afterwards.
    Port 0 picks a free loopback port.
    """
    with contextlib.ExitStack() as cleanup:
        if data_dir is None:
            data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="devstack-")))
            db_path = None
        else:
            data_dir = Path(data_dir)
            db_path = data_dir / "dynamodb"
        ddb_port = ddb_port or free_port()
        s3_port = s3_port or free_port()
        logs = data_dir / "logs"
        ddb = start_dynamodb_local(ddb_port, db_path, tools_dir, logs / "dynamodb-local.log")
        cleanup.callback(stop, ddb)
        s3 = start_s3_local(s3_port, data_dir / "s3", tools_dir, logs / "s3rver.log")
        cleanup.callback(stop, s3)
        yield LocalAws(endpoint_url(ddb_port), endpoint_url(s3_port))


# ---------------------------------------------------------------- HTTP helpers for tests

def http_request(method: str, url: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Plain HTTP call, as a browser would make it with a presigned URL: (status, body)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def post_presigned_form(presigned_post: dict, data: bytes, filename: str = "upload",
                        content_type: str = "application/octet-stream") -> tuple[int, bytes]:
    """Upload like an HTML form would, using boto3's generate_presigned_post() result."""
    boundary = "devstack" + uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in presigned_post["fields"].items()
    ]
    # S3 requires the file to be the last field.
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return http_request("POST", presigned_post["url"], b"".join(parts), headers)


# ---------------------------------------------------------------- selftest

class _Checks:
    """Runs named checks, prints each result, and counts them."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def run(self, name: str, check: Callable[[], object]) -> None:
        try:
            detail = check()
        except Exception as error:  # a selftest reports every failure and carries on
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
        else:
            self.passed += 1
            print(f"ok   {name}" + (f" ({detail})" if detail not in (None, "") else ""))


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _timed(action: Callable[[], object]) -> str:
    started = time.monotonic()
    action()
    return f"{time.monotonic() - started:.1f} s"


def _write_sample_data(ddb, s3, table: str, bucket: str) -> None:
    ddb.create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "case#1"}, "title": {"S": "租赁合同纠纷"}})
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="docs/合同.txt", Body="第一条".encode(),
                  ContentType="text/plain; charset=utf-8")


def _check_sample_data(ddb, s3, table: str, bucket: str) -> str:
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "case#1"}}, ConsistentRead=True)
    _expect(item.get("Item", {}).get("title") == {"S": "租赁合同纠纷"}, f"item is {item}")
    head = s3.head_object(Bucket=bucket, Key="docs/合同.txt")
    body = s3.get_object(Bucket=bucket, Key="docs/合同.txt")["Body"].read()
    _expect(body == "第一条".encode(), f"object body is {body!r}")
    return f"content-type {head['ContentType']}, {head['ContentLength']} bytes"


def _check_presigned_put_get(s3, bucket: str) -> None:
    params = {"Bucket": bucket, "Key": "uploads/a.pdf", "ContentType": "application/pdf"}
    put_url = s3.generate_presigned_url("put_object", Params=params, ExpiresIn=300)
    status, _ = http_request("PUT", put_url, b"%PDF-1.7", {"Content-Type": "application/pdf"})
    _expect(status == 200, f"presigned PUT answered {status}")
    get_url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "uploads/a.pdf"}, ExpiresIn=300)
    status, body = http_request("GET", get_url)
    _expect((status, body) == (200, b"%PDF-1.7"), f"presigned GET answered {status} {body!r}")


def _check_presigned_post(s3, bucket: str) -> str:
    post = s3.generate_presigned_post(
        bucket, "uploads/b.png", Fields={"Content-Type": "image/png"},
        Conditions=[["content-length-range", 1, 1024], {"Content-Type": "image/png"}],
        ExpiresIn=300)
    status, body = post_presigned_form(post, b"\x89PNG....", "b.png", "image/png")
    _expect(status in (200, 201, 204), f"presigned POST answered {status} {body[:200]!r}")
    head = s3.head_object(Bucket=bucket, Key="uploads/b.png")
    _expect(head["ContentType"] == "image/png", f"stored content-type {head['ContentType']}")
    return f"status {status}"


def _check_unsupported_calls_fail(s3, bucket: str) -> str:
    """S3_LOCAL_UNSUPPORTED must stay true: each call in it has to fail locally."""
    calls = {
        "put_bucket_versioning": dict(VersioningConfiguration={"Status": "Enabled"}),
        "put_bucket_encryption": dict(ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}),
        "put_public_access_block": dict(PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True}),
        "put_bucket_ownership_controls": dict(OwnershipControls={
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}),
        "put_bucket_policy": dict(Policy='{"Version": "2012-10-17", "Statement": []}'),
        "put_bucket_lifecycle_configuration": dict(LifecycleConfiguration={"Rules": [
            {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
             "Expiration": {"Days": 1}}]}),
        "put_bucket_tagging": dict(Tagging={"TagSet": [{"Key": "app", "Value": "fawangge"}]}),
    }
    _expect(set(calls) == S3_LOCAL_UNSUPPORTED, "selftest and S3_LOCAL_UNSUPPORTED differ")
    accepted = []
    for method, arguments in calls.items():
        with contextlib.suppress(ClientError):
            getattr(s3, method)(Bucket=bucket, **arguments)
            accepted.append(method)
    _expect(not accepted, f"now supported locally, remove from S3_LOCAL_UNSUPPORTED: {accepted}")
    return ", ".join(sorted(calls))


def _check_return_values_on_condition_failure(ddb, table: str) -> str:
    try:
        ddb.put_item(TableName=table, Item={"pk": {"S": "case#1"}, "title": {"S": "x"}},
                     ConditionExpression="attribute_not_exists(pk)",
                     ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except ddb.exceptions.ConditionalCheckFailedException as error:
        _expect("Item" in error.response, "old item missing from the error response")
        return "old item returned in the error"
    raise AssertionError("condition did not fail")


def _check_transact_write_items(ddb, table: str) -> str:
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": {"pk": {"S": "case#2"}}}},
        {"Update": {"TableName": table, "Key": {"pk": {"S": "case#1"}},
                    "UpdateExpression": "SET n = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ])
    try:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "case#3"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "case#1"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        ])
    except ddb.exceptions.TransactionCanceledException as error:
        reasons = [reason["Code"] for reason in error.response.get("CancellationReasons", [])]
        rolled_back = "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "case#3"}})
        _expect(rolled_back, "the failed transaction's Put was kept")
        return f"commit ok; cancel rolled back, reasons {reasons}"
    raise AssertionError("conflicting transaction was not cancelled")


def _listening_addresses(port: int) -> str:
    """What `ss` says the port is bound to (shows whether it is loopback only)."""
    if shutil.which("ss") is None:
        return "ss not installed"
    output = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True)
    return " ".join(line.split()[3] for line in output.stdout.splitlines()) or "nothing"


def _check_loopback_only(port: int) -> str:
    addresses = _listening_addresses(port)
    _expect(all("127.0.0.1" in address for address in addresses.split()), addresses)
    return addresses


def selftest(tools_dir: Path) -> bool:
    checks = _Checks()
    checks.run("fetch DynamoDB Local (npm pack)", lambda: _timed(lambda: ensure_dynamodb_local(tools_dir)))
    checks.run("install s3rver (npm install)", lambda: _timed(lambda: ensure_s3rver(tools_dir)))
    checks.run("compile loopback launcher (javac)", lambda: _timed(
        lambda: _expect(_loopback_launcher(ensure_dynamodb_local(tools_dir)) is not None, "no javac")))
    table, bucket = "selftest-cases", "selftest-documents"
    with tempfile.TemporaryDirectory(prefix="devstack-selftest-") as data:
        data_dir = Path(data)
        procs: dict[str, subprocess.Popen] = {}
        ports = {"ddb": free_port(), "s3": free_port()}

        def start_both() -> str:
            ddb_time = _timed(lambda: procs.__setitem__("ddb", start_dynamodb_local(
                ports["ddb"], data_dir / "dynamodb", tools_dir, data_dir / "ddb.log")))
            s3_time = _timed(lambda: procs.__setitem__("s3", start_s3_local(
                ports["s3"], data_dir / "s3", tools_dir, data_dir / "s3.log")))
            return f"DynamoDB Local {ddb_time}, s3rver {s3_time}"

        def stop_both() -> None:
            for proc in procs.values():
                stop(proc)

        try:
            checks.run("start both (cold)", start_both)
            ddb = local_client("dynamodb", endpoint_url(ports["ddb"]))
            s3 = local_client("s3", endpoint_url(ports["s3"]))
            checks.run("DynamoDB Local listens on loopback only", lambda: _check_loopback_only(ports["ddb"]))
            checks.run("s3rver listens on loopback only", lambda: _check_loopback_only(ports["s3"]))
            checks.run("DynamoDB Local version", lambda: _dynamodb_local_version(tools_dir))
            checks.run("create table + bucket, write", lambda: _write_sample_data(ddb, s3, table, bucket))
            checks.run("read back, head object", lambda: _check_sample_data(ddb, s3, table, bucket))
            checks.run("presigned PUT + presigned GET", lambda: _check_presigned_put_get(s3, bucket))
            checks.run("presigned POST with conditions", lambda: _check_presigned_post(s3, bucket))
            checks.run("S3_LOCAL_UNSUPPORTED calls fail", lambda: _check_unsupported_calls_fail(s3, bucket))
            checks.run("put_item ReturnValuesOnConditionCheckFailure",
                       lambda: _check_return_values_on_condition_failure(ddb, table))
            checks.run("TransactWriteItems", lambda: _check_transact_write_items(ddb, table))
            checks.run("stop both", lambda: _timed(stop_both))
            checks.run("restart both (warm)", start_both)
            checks.run("data survived the restart", lambda: _check_sample_data(ddb, s3, table, bucket))
        finally:
            stop_both()
    checks.run("in-memory local_aws() context manager", lambda: _check_context_manager(tools_dir))
    print(f"selftest: {checks.passed} passed, {checks.failed} failed")
    return checks.failed == 0


def _check_context_manager(tools_dir: Path) -> str:
    with local_aws(None, tools_dir) as stack:
        stack.client("s3").create_bucket(Bucket="ctx")
        tables = stack.client("dynamodb").list_tables()["TableNames"]
        _expect(tables == [], f"in-memory DynamoDB is not empty: {tables}")
        endpoints = (stack.dynamodb_endpoint, stack.s3_endpoint)
    still_up = [endpoint for endpoint in endpoints if _answers(endpoint)]
    _expect(not still_up, f"still answering after the block: {still_up}")
    return ", ".join(endpoints)


def _answers(endpoint: str) -> bool:
    port = int(endpoint.rsplit(":", 1)[1])
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _dynamodb_local_version(tools_dir: Path) -> str:
    emulator_dir = ensure_dynamodb_local(tools_dir)
    result = subprocess.run(["java", "-jar", "DynamoDBLocal.jar", "-version"],
                            cwd=emulator_dir, capture_output=True, text=True, timeout=60)
    return result.stdout.strip().splitlines()[-1]


# ---------------------------------------------------------------- command line

def _run_until_interrupted(data_dir: Path, tools_dir: Path, ddb_port: int, s3_port: int) -> None:
    # Turn SIGTERM into SystemExit, and re-arm SIGINT (a background job inherits it
    # ignored), so that either one unwinds local_aws() and stops both services.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with local_aws(data_dir, tools_dir, ddb_port, s3_port) as stack:
        for name, value in stack.env().items():
            print(f"export {name}={value}")
        print("# local AWS is up; Ctrl-C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.devstack", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["selftest", "run", "fetch"])
    parser.add_argument("--tools-dir", type=Path, default=DEFAULT_TOOLS_DIR)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="for run")
    parser.add_argument("--ddb-port", type=int, default=8000, help="for run")
    parser.add_argument("--s3-port", type=int, default=4569, help="for run")
    args = parser.parse_args(argv)
    if args.command == "selftest":
        return 0 if selftest(args.tools_dir) else 1
    if args.command == "fetch":
        print(ensure_dynamodb_local(args.tools_dir), ensure_s3rver(args.tools_dir), sep="\n")
        return 0
    _run_until_interrupted(args.data_dir, args.tools_dir, args.ddb_port, args.s3_port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
