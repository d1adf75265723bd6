"""`make dev`: the embedded AWS backend, the production table/bucket definitions, demo data, and
`chalice local` (tools/local_api) on http://127.0.0.1:${PORT:-8000}. Ctrl-C stops everything it started.

Data lives under `.data/` (DynamoDB Local's file, s3rver's folder, the dev signing key) and survives a
restart; demo data is loaded once.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tools import devstack, fake_wechat

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DATA_DIR", ROOT / ".data"))  # DATA_DIR: a second dev server beside the first
STAGE = "local"
# A token for a server on another DATA_DIR must be signed with that server's key.
DATA_DIR_HINT = f"DATA_DIR={os.environ['DATA_DIR']} " if os.environ.get("DATA_DIR") else ""


def _banner(port: int, env: dict[str, str]) -> str:
    return f"""
  法网格 API is starting on http://127.0.0.1:{port}  (stage: {STAGE})
  DynamoDB Local {env['AWS_ENDPOINT_URL_DYNAMODB']}   local S3 {env['AWS_ENDPOINT_URL_S3']}   data in {DATA}
  fake WeChat code-to-session {env['WECHAT_API_BASE']}  (codes: ok:<name>:<n>, invalid-1, busy-1 … tools/fake_wechat.py)

  fake WeChat login codes are single-use, like WeChat's: ok:alice:1, then ok:alice:2 … (the same person)

  The tour of every service: docs/tour.md.  Try:
    curl -s http://127.0.0.1:{port}/v1/health
    curl -s http://127.0.0.1:{port}/v1/areas/3204/children
    TOKEN=$(.venv/bin/python -m chalicelib.cli token --sub admin-1 --role admin --area 3204)
    curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:{port}/v1/whoami
    curl -s -H 'Content-Type: application/json' -d '{{"code": "ok:alice:1"}}' http://127.0.0.1:{port}/v1/auth/session
    .venv/bin/python -m chalicelib.cli screen --month YYYY-MM --area 3204   # 主动排摸 by hand

{_identities()}

  Screening shards go through the same queue handler as on AWS, delivered in-process (no SQS locally;
  failed shards are redelivered up to 3 times, then reported on the run record as dead letters).

  Subscribe messages to residents (订阅消息) are relayed every {RELAY_SECONDS} s to the same queue handler as on
  AWS; what the fake WeChat server accepted:  curl -s {env['WECHAT_API_BASE']}/fake/messages

  Grid boards (公示栏) are rebuilt from their outbox every {RELAY_SECONDS} s by the same queue handler as on AWS:
  a change shows on  curl -s http://127.0.0.1:{port}/v1/areas/320402001001001/board  within seconds.

  Ctrl-C stops the API and the local AWS services.
"""


def _identities() -> str:
    """The demo identities by role, the core's then each enabled plugin's, with their token options and what each
    can try (`Plugin.demo_identities`)."""
    from chalicelib import demo, plugin

    rows = [("core", identity) for identity in demo.IDENTITIES]
    rows += [(p.name, identity) for p, identity in plugin.demo_identities()]
    lines = [f"  Demo identities ({DATA_DIR_HINT}.venv/bin/python -m chalicelib.cli token --sub … --role … [--area …]):"]
    for role in sorted({identity.role for _, identity in rows}):
        lines.append(f"    {role}")
        for service, identity in rows:
            if identity.role == role:
                options = f"--sub {identity.sub} --role {role}" + (f" --area {identity.area}" if identity.area else "")
                lines += [f"      {identity.who} [{service}] → {identity.tries}", f"          {options}"]
    return "\n".join(lines)


def use_the_app_clock() -> None:
    """This process loads the demo data and relays subscribe messages, so it reads the clock the API reads:
    `FIXED_NOW` pins both (the API in app.py), or a message due on the pinned day would never fall due."""
    from chalicelib.platform import config, timeutil

    timeutil.apply_fixed_now(STAGE, config.fixed_now())


def _prepare(env: dict[str, str]) -> None:
    """Tables, buckets and demo data, in this process with the child's environment."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from chalicelib.platform import aws
    from chalicelib import cli
    from infra import bootstrap

    cli._stage_environment(STAGE)
    use_the_app_clock()
    aws.reset()
    params = bootstrap.local_params(STAGE)
    bootstrap.create_tables(aws.dynamodb(), params)
    bootstrap.create_buckets(aws.s3(), params, skip=devstack.S3_LOCAL_UNSUPPORTED)
    from chalicelib.platform import config
    from chalicelib import demo, plugin

    plugin.activate(plugin.load(config.enabled_plugins()))
    result = demo.load()
    print(f"  demo data: {result['status']}" + (f" ({result['areas']} areas)" if "areas" in result else ""))


RELAY_SECONDS = 5


def _relay_notifications(env: dict[str, str], stop: threading.Event) -> None:
    """The local stand-in of the scheduled relay (`relay_notifications` in app.py): hands the due
    subscribe messages to the queue handler in this process, which sends them to the fake WeChat server."""
    from chalicelib.domain.notify import service as notify

    while not stop.wait(RELAY_SECONDS):
        try:
            notify.relay()
        except Exception as exc:  # noqa: BLE001 — keep relaying; the messages stay pending
            print(f"  notify relay: {type(exc).__name__}: {exc}", flush=True)


def _drain_boards(env: dict[str, str], stop: threading.Event) -> None:
    """The local stand-in of the scheduled board drain (`drain_board_changes` in app.py): the grids under the
    areas changed since the last run are rebuilt by the same queue handler, in this process."""
    from chalicelib.domain.board import upkeep

    while not stop.wait(RELAY_SECONDS):
        try:
            upkeep.drain()
        except Exception as exc:  # noqa: BLE001 — keep draining; the outbox entries stay
            print(f"  board drain: {type(exc).__name__}: {exc}", flush=True)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C, and SIGTERM from a supervisor; SIGINT is ignored in background jobs unless we set it.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    port = int(os.environ.get("PORT", "8000"))
    ddb_port = int(os.environ.get("DYNAMODB_PORT", "8765"))
    s3_port = int(os.environ.get("S3_PORT", "8766"))
    print("  starting DynamoDB Local and the local S3 (first run downloads them from npm) …", flush=True)
    local_stage = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))["stages"][STAGE]
    wechat_port = int(os.environ.get("WECHAT_FAKE_PORT", "0"))  # 0: any free port, shown in the banner
    with devstack.local_aws(DATA, devstack.DEFAULT_TOOLS_DIR, ddb_port=ddb_port, s3_port=s3_port) as stack, \
            fake_wechat.running(wechat_port, appid=local_stage["environment_variables"]["WECHAT_APP_ID"],
                                secret=local_stage["environment_variables"]["SECRET_WECHAT_APP_SECRET"]) as (wechat, _):
        env = {**stack.env(), "DEV_KEY_DIR": str(DATA / "keys"), "STAGE": STAGE, "WECHAT_API_BASE": wechat}
        _prepare(env)
        print(_banner(port, env), flush=True)
        stop_relay = threading.Event()
        threading.Thread(target=_relay_notifications, args=(env, stop_relay), name="notify-relay", daemon=True).start()
        threading.Thread(target=_drain_boards, args=(env, stop_relay), name="board-drain", daemon=True).start()
        # `chalice local --no-autoreload` answering the gateway's errors as the deployed gateway does
        # (tools/local_api). No autoreload: the reloader watches the whole project, .data/ included, and would
        # restart the server (dropping the request) whenever DynamoDB Local writes. Restart `make dev` after
        # code changes.
        server = subprocess.Popen([sys.executable, "-m", "tools.local_api", "--stage", STAGE, "--host", "127.0.0.1",
                                   "--port", str(port)],
                                  cwd=ROOT, env={**os.environ, **env})
        try:
            return server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            stop_relay.set()
            print(f"\n  stopped: API, DynamoDB Local, local S3, fake WeChat. Data kept in {DATA}")
            return 0


if __name__ == "__main__":
    sys.exit(main())
