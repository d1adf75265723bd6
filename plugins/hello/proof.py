"""What the proof suite (tests/proof) needs of `hello`, kept with the service: its rows of the access matrix,
valid bodies for its write routes and the records its rows are asked about. Tests only: no production code
imports this module.

Rows: one per route of the blueprint, an outcome per caller in the order of the heading below
(tests/proof/access.py CALLERS: no token; resident A, who owns the records `world` makes; resident B; A's
grid worker; 天宁区's legal-aid officer and the neighbouring district's; the city's administrator and
another city's; then 天宁区's mediator, lawyer, notary, appraiser, publicist and corrections officer). `ok` 2xx · `401` · `403` · `404` · for a
write sent a body from BODIES the exact status (`409` past the gate at a stale version …) · `in` for a write
sent an empty body (EMPTY_BODY_WRITES) and stopped after the gate by validation or state.
"""
from __future__ import annotations

#                                                  anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/hello"):                         "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/hello/greetings"):               "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/hello/greetings"):              "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/hello/greetings/{greeting_id}"): "401  ok   404  404  404  404  404  404  404  404  404  404  404  404",
}

BODIES = {
    ("POST", "/v1/hello/greetings"): lambda p: {"message": "你好，法网格"},
}
EMPTY_BODY_WRITES: set = set()


def world(scene) -> dict[str, str]:
    """Resident A's greeting: its owner reads it, nobody else learns it exists."""
    return {"greeting_id": scene.create("/v1/hello/greetings", {"message": "你好"}, "resA")["id"]}
