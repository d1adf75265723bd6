"""OWASP API8/API10 and CONTRACT "HTTP": schemathesis generates requests for every operation of the app's
own OpenAPI document, sent through the Chalice test client as three roles (a resident, a legal-aid officer
of 天宁区, the city's administrator) over the access matrix's world, with sign-in talking to the fake
WeChat server (tools/fake_wechat.py). Every response must be a declared
status, of the declared content type, matching the declared schema — and never a 5xx.

Bounded: `PROOF_EXAMPLES` examples per operation and role (default 3 in `make test`; `make proof` raises it).
"""
from __future__ import annotations

import json
import os
from urllib.parse import urlencode

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.core.transport import Response

from chalicelib.platform.web import openapi
from tests.core.test_signin import wechat  # noqa: F401  (the fake WeChat server sign-in talks to)
from tests.proof.access import build_world, headers

EXAMPLES = int(os.environ.get("PROOF_EXAMPLES", "3"))
ROLES = ("resA", "off", "adm")
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


def _send(client, case, auth: dict[str, str]):
    """The case through the Chalice test client, answered as a `requests.Response` schemathesis can check."""
    import requests

    kwargs = case.as_transport_kwargs(base_url="http://test", headers=auth)
    path = kwargs["url"].removeprefix("http://test")
    query = urlencode(kwargs.get("params") or {}, doseq=True)
    sent_headers = {k: str(v) for k, v in (kwargs.get("headers") or {}).items()}
    if "json" in kwargs:
        payload = json.dumps(kwargs["json"], ensure_ascii=False).encode()
        sent_headers.setdefault("Content-Type", "application/json")
    else:
        payload = kwargs.get("data") or b""
        payload = payload.encode() if isinstance(payload, str) else payload
    answered = client.request(kwargs["method"], path + (f"?{query}" if query else ""), headers=sent_headers,
                              body=payload)
    content = answered.body if isinstance(answered.body, bytes) else (answered.body or "").encode()
    request = requests.Request(kwargs["method"], kwargs["url"], headers=sent_headers, params=kwargs.get("params"),
                               data=payload).prepare()
    return Response(status_code=answered.status_code, headers={k.lower(): [v] for k, v in answered.headers.items()},
                    content=content, request=request, elapsed=0.0, verify=False)


def test_every_operation_answers_as_documented_and_never_with_a_5xx(client, token, app, wechat):
    build_world(client, token)
    schema = schemathesis.openapi.from_dict(openapi.build(app))
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for role in ROLES:
            auth = headers(token, role)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy())
            def check(case):
                case.validate_response(_send(client, case, auth), checks=CHECKS)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # collect every finding, then fail once with all
                failures.append(f"{operation.method.upper()} {operation.path} as {role}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
