"""Command line for developers and administrators.

    python -m chalicelib.cli token --sub ID --role ROLE [--role ROLE] [--area CODE] [--ttl SECONDS]
    python -m chalicelib.cli demo [--force] # load the demo areas and plugin demo data (idempotent)
    python -m chalicelib.cli screen --month 2026-11 [--area CODE]  # run a screening by hand (C7)

On the local stage `demo` and `screen` talk to the services `make dev` runs (DYNAMODB_PORT, S3_PORT as there).

`token` works where AUTH_MODE=local (the local and dev stages) and prints one dev token.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stage_environment(stage: str) -> None:
    """Apply the stage's variables from .chalice/config.json, as `chalice local` does, without overriding
    what the shell already set."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    merged = {**config.get("environment_variables", {}),
              **config["stages"].get(stage, {}).get("environment_variables", {})}
    for name, value in merged.items():
        os.environ.setdefault(name, value)


# The ports `make dev` gives DynamoDB Local and s3rver (tools/dev.py; DYNAMODB_PORT / S3_PORT move them) and
# the credentials s3rver accepts. Without them `cli screen` on the local stage went to the real AWS and died
# with NoCredentialsError (seen on the README tour).
LOCAL_CREDENTIALS = "S3RVER"


def _local_aws_environment() -> None:
    """Point boto3 at the dev server's local services, unless the shell already points it somewhere."""
    ports = {"DYNAMODB": os.environ.get("DYNAMODB_PORT", "8765"), "S3": os.environ.get("S3_PORT", "8766")}
    for service, port in ports.items():
        os.environ.setdefault(f"AWS_ENDPOINT_URL_{service}", f"http://127.0.0.1:{port}")
    for name, value in (("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ACCESS_KEY_ID", LOCAL_CREDENTIALS),
                        ("AWS_SECRET_ACCESS_KEY", LOCAL_CREDENTIALS)):
        os.environ.setdefault(name, value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chalicelib.cli")
    parser.add_argument("--stage", default=os.environ.get("STAGE", "local"))
    commands = parser.add_subparsers(dest="command", required=True)
    token = commands.add_parser("token", help="print a dev token")
    token.add_argument("--sub", required=True)
    token.add_argument("--role", action="append", required=True, dest="roles")
    token.add_argument("--area")
    token.add_argument("--ttl", type=int, default=12 * 3600)
    demo = commands.add_parser("demo", help="load demo data")
    demo.add_argument("--force", action="store_true")
    screen = commands.add_parser("screen", help="run the month's screening (or a preview before the 18th)")
    screen.add_argument("--month", required=True, help="YYYY-MM, the current month")
    screen.add_argument("--area", default="all", help="a city, district or town code; default: every city")
    args = parser.parse_args(argv)
    _stage_environment(args.stage)
    if args.stage == "local" and args.command != "token":
        _local_aws_environment()

    if args.command == "token":
        from chalicelib.platform.auth import tokens

        try:
            print(tokens.issue_dev_token(args.sub, args.roles, args.area, ttl=args.ttl))
        except tokens.InvalidToken as exc:
            print(f"invalid claims: {exc} (roles: {', '.join(sorted(tokens.ROLES))}; staff need --area)",
                  file=sys.stderr)
            return 2
        return 0
    if args.command == "demo":
        return _explaining_unreachable_services(_demo, args.force)
    if args.command == "screen":
        return _explaining_unreachable_services(_screen, args.month, args.area)
    return 1


UNREACHABLE = 3


def _explaining_unreachable_services(command, *args) -> int:
    """A command that needs DynamoDB and S3, with their absence said in one line rather than a page of
    botocore traceback (issue 20 §6: `cli screen` without `make dev` running)."""
    from botocore.exceptions import EndpointConnectionError

    try:
        return command(*args)
    except EndpointConnectionError as exc:
        endpoint = exc.kwargs.get("endpoint_url", "")
        print(f"连接不上 {endpoint}：本地 DynamoDB / S3 没有运行。请先在另一个终端运行 `make dev`"
              f"（端口不同时设置 DYNAMODB_PORT、S3_PORT）", file=sys.stderr)
        return UNREACHABLE


def _demo(force: bool) -> int:
    from chalicelib.platform import config
    from chalicelib import demo, plugin

    plugin.activate(plugin.load(config.enabled_plugins()))  # hooks only; no routes are mounted
    print(json.dumps(demo.load(force=force), ensure_ascii=False))
    return 0


def _screen(month: str, area: str) -> int:
    """Same shards and queue handler as the deployed run (the stage's queue, or in-process locally)."""
    from chalicelib import plugin
    from chalicelib.domain.screening import service as screening
    from chalicelib.platform import config
    from chalicelib.platform.errors import Problem

    if not plugin.enabled():
        plugin.activate(plugin.load(config.enabled_plugins()))
    try:
        run = screening.start_by_hand(f"cli:{os.environ.get('USER', 'operator')}", month, area)
    except Problem as exc:
        print(f"{exc.code}: {exc.detail}", file=sys.stderr)
        return 2
    print(json.dumps(screening.RunOut.of(run).model_dump(mode="json"), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
