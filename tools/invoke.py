"""The Lambda console's 「测试」 against `make dev`: run one scheduled function of app.py with a test event.

    .venv/bin/python -m tools.invoke monthly_screening '{"month": "2026-12", "area": "320402"}'
    .venv/bin/python -m tools.invoke daily_sweep '{}'

The function runs as deployed (Chalice's own invocation of its handler, the local stage's variables), on
`make dev`'s DynamoDB Local and S3; its answer is printed as the console prints the result.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    from chalicelib import cli

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    name, event = args[0], json.loads(args[1] if len(args) > 1 else "{}")
    cli._stage_environment("local")
    cli._local_aws_environment()
    from chalice.test import Client

    import app

    with Client(app.app, stage_name="local", project_dir=str(ROOT)) as client:
        result = client.lambda_.invoke(name, event).payload
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
