"""The local stage's API server: `chalice local --no-autoreload`, built by Chalice's own CLI factory, whose
errors from the gateway's side answer as the deployed gateway does (issue 20 §6).

`chalice local` plays API Gateway itself, and answers in its own words where the gateway would: an unknown
route is 403 `{"message": "Missing Authentication Token"}`, a route without a token 401
`{"message":"Unauthorized"}`. A deployed stage answers those with the gateway responses of
`infra/resources.json` (problem+json, Chinese titles, stable codes), and a client generated from the document
expects problem+json. So the local server sends the same gateway responses, read from that template: one
source for both. Everything else (routes, the authorizer, the middleware) is the framework's, untouched.

    python -m tools.local_api --port 8000     # what `make dev` runs (tools/dev.py)
"""
from __future__ import annotations

import argparse
import functools
import json
import os
from pathlib import Path
from typing import Any

from chalice.local import (
    ChaliceRequestHandler, ForbiddenError, InvalidAuthorizerError, LocalGatewayException, NotAuthorizedError,
)

ROOT = Path(__file__).resolve().parents[1]
STAGE = "local"
PROBLEM_JSON = "application/problem+json"


@functools.lru_cache(maxsize=1)
def gateway_responses() -> dict[str, tuple[int, str]]:
    """The deployed gateway's responses by type (`UNAUTHORIZED`, `MISSING_AUTHENTICATION_TOKEN` …): (status,
    problem+json body), as `infra/resources.json` declares them."""
    template = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
    out = {}
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::ApiGateway::GatewayResponse":
            properties = resource["Properties"]
            out[properties["ResponseType"]] = (int(properties["StatusCode"]),
                                               properties["ResponseTemplates"]["application/json"])
    return out


def as_gateway_response(error: LocalGatewayException) -> tuple[int, dict[str, Any], bytes]:
    """(status, headers, body) the deployed gateway would send for what `chalice local` refused. A refusal
    that already is problem+json (our authorizer's, `auth._reject`) goes out as it is."""
    headers = {k: v for k, v in (error.headers or {}).items() if k.lower() != "content-type"}
    if PROBLEM_JSON in str((error.headers or {}).get("Content-Type", "")):
        return error.CODE, dict(error.headers), error.body or b""
    if isinstance(error, NotAuthorizedError):
        kind = "UNAUTHORIZED"
    elif isinstance(error, ForbiddenError) and b"not authorized to access" not in (error.body or b""):
        kind = "MISSING_AUTHENTICATION_TOKEN"  # an unknown route (with or without an Authorization header)
    elif isinstance(error, ForbiddenError):
        kind = "ACCESS_DENIED"
    else:
        kind = "DEFAULT_5XX" if isinstance(error, InvalidAuthorizerError) else "DEFAULT_4XX"
    known = gateway_responses().get(kind)
    if known is None:  # a type the template leaves to the gateway's default: still problem+json
        from chalicelib.platform.errors import Problem

        problem = Problem("网关错误")
        problem.status = error.CODE or 500
        return problem.status, {**headers, "Content-Type": PROBLEM_JSON}, json.dumps(
            problem.body(), ensure_ascii=False).encode()
    status, body = known
    request_id = str((error.headers or {}).get("x-amzn-RequestId", ""))
    return status, {**headers, "Content-Type": PROBLEM_JSON, "x-request-id": request_id}, body.encode()


class GatewayResponsesHandler(ChaliceRequestHandler):
    """`chalice local`'s request handler, its gateway errors sent as the deployed gateway's responses."""

    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, headers, body = as_gateway_response(error)
        self._send_http_response(status, headers, body)


def create_server(host: str, port: int, stage: str = STAGE):
    """`chalice local`'s server (the same factory, config and route validation), with our handler."""
    from chalice.cli import create_local_server
    from chalice.cli.factory import CLIFactory

    factory = CLIFactory(str(ROOT), environ=os.environ)
    server = create_local_server(factory, host, port, stage)
    return use_gateway_responses(server)


def use_gateway_responses(server):
    """Serve `server` (a `chalice.local.LocalDevServer`) through `GatewayResponsesHandler`."""
    http = server.server
    http.RequestHandlerClass = functools.partial(GatewayResponsesHandler, **http.RequestHandlerClass.keywords)
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--stage", default=STAGE)
    args = parser.parse_args()
    import logging
    import sys

    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")  # as `chalice local`
    try:
        create_server(args.host, args.port, args.stage).serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
