"""OWASP API1 / API5 (broken object- and function-level authorization), CONTRACT "auth": one declared table
of route × caller → outcome, checked for every route the app serves. A route without a row fails the suite,
so every service added later is held to it.

Callers (tests/proof/access.py): no token; resident A, who owns the records; resident B of the same grid;
a grid worker of A's grid; a legal-aid officer of A's district and one of the neighbouring district; the
city's administrator and another city's; then a mediator, a lawyer, a notary, an appraiser, a publicist and
a corrections officer of A's district — every sign-in role. The records: a notary office and a mediator of
天宁区, a root policy version, A's ticket; ids of records that do not exist elsewhere.

The core's routes have their rows here; every enabled service brings its own from its folder
(`plugins/<module>/proof.py`: rows, bodies, the records its rows are asked about), and this file names
no service.

Outcomes: `ok` 2xx · `401` · `403` · `404` (a record the caller may not know of does not exist for them) ·
for a write sent a valid body (access.BODIES: creates aimed at 天宁区/常州, updates at a stale version so
nothing changes), the exact status: `409`/`412` past the gate and stopped by the stale version, `422` …;
for the other writes (EMPTY_BODY_WRITES, sent an empty body and no If-Match) `in`: past the gate, stopped
by validation or state. Bounded: one request per cell, ~1,300 in all.
"""
from __future__ import annotations

from chalicelib.platform.web import openapi
from tests.helpers import also_enabled
from tests.proof.access import (BODIES, COLUMNS, ROUTING_DESK, UPDATES, build_world, call, outcome, params_for,
                                plugin_proofs)

#                                                                    anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
MATRIX: dict[tuple[str, str], str] = {
    ("DELETE", "/v1/activities/{activity_id}"):                     "401  403  403  403  403  403  in   in   403  403  403  403  403  403",
    ("GET", "/v1/areas"):                                           "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/areas"):                                          "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/areas/{code}"):                                    "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("PATCH", "/v1/areas/{code}"):                                  "401  403  403  403  403  403  409  403  403  403  403  403  403  403",
    ("GET", "/v1/areas/{code}/assignments"):                        "401  403  403  ok   ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/board"):                              "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/breadcrumb"):                         "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/children"):                           "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/coverage"):                           "401  403  403  ok   ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/coverage/gaps"):                      "401  403  403  ok   ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/institutions"):                       "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/leaflets"):                           "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/areas/{code}/menu"):                               "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("PUT", "/v1/areas/{code}/menu"):                               "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/audit/{entity}/{record_id}"):                      "401  403  403  403  403  403  ok   404  403  403  403  403  403  403",
    ("GET", "/v1/assignments"):                                     "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/assignments"):                                    "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("DELETE", "/v1/assignments/{assignment_id}"):                  "401  403  403  403  403  403  in   in   403  403  403  403  403  403",
    ("POST", "/v1/auth/session"):                                   "in   in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/auth/session/refresh"):                           "in   in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/auth/session/revoke"):                            "in   in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/coverage-roles"):                                  "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("DELETE", "/v1/duty-slots/{slot_id}"):                         "401  403  403  403  403  403  in   in   403  403  403  403  403  403",
    ("GET", "/v1/files"):                                           "401  in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/files"):                                          "401  in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/files/{file_id}"):                                 "401  404  404  404  404  404  404  404  404  404  404  404  404  404",
    ("POST", "/v1/files/{file_id}/confirm"):                        "401  404  404  404  404  404  404  404  404  404  404  404  404  404",
    ("GET", "/v1/files/{file_id}/download"):                        "401  404  404  404  404  404  404  404  404  404  404  404  404  404",
    ("GET", "/v1/health"):                                          "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/ledgers"):                                        "401  403  403  403  ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/ledgers/exports"):                                "401  403  403  403  ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/ledgers/exports/{export_id}"):                     "401  403  403  404  404  404  404  404  404  404  404  404  404  404",
    ("GET", "/v1/stats"):                                           "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/institutions"):                                    "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/institutions"):                                   "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/institutions/{institution_id}"):                   "401  403  403  403  ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("PATCH", "/v1/institutions/{institution_id}"):                 "401  403  403  403  403  403  409  403  403  403  403  403  403  403",
    ("GET", "/v1/institutions/{institution_id}/activities"):        "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/institutions/{institution_id}/activities"):       "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/institutions/{institution_id}/duty-slots"):        "401  403  403  403  ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/institutions/{institution_id}/duty-slots"):       "401  403  403  403  403  403  in   in   403  403  403  403  403  403",
    ("GET", "/v1/institutions/{institution_id}/people"):            "401  403  403  403  ok   403  ok   403  ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/institutions/{institution_id}/rota"):              "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("DELETE", "/v1/me"):                                           "401  in   in   403  403  403  403  403  403  403  403  403  403  403",
    ("GET", "/v1/me"):                                              "401  ok   404  404  404  404  404  404  404  404  404  404  404  404",
    ("PATCH", "/v1/me"):                                            "401  in   in   403  403  403  403  403  403  403  403  403  403  403",
    ("POST", "/v1/me/phone"):                                       "401  in   in   403  403  403  403  403  403  403  403  403  403  403",
    ("DELETE", "/v1/me/sessions"):                                  "401  ok   404  404  404  404  404  404  404  404  404  404  404  404",
    ("GET", "/v1/openapi.json"):                                    "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/people"):                                          "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/people"):                                         "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/people/{person_id}"):                              "401  403  403  404  ok   404  ok   404  ok   ok   ok   ok   ok   ok",
    ("PATCH", "/v1/people/{person_id}"):                            "401  403  403  403  403  403  409  404  403  403  403  403  403  403",
    ("GET", "/v1/policies"):                                        "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/policies/{name}/in-force"):                        "401  in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/policies/{name}/versions"):                        "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/policies/{name}/versions"):                       "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/policies/{name}/versions/{version_id}"):           "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/policies/{name}/versions/{version_id}/withdraw"): "401  403  403  403  403  403  403  403  403  403  403  403  403  403",
    ("GET", "/v1/screenings/{month}"):                              "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/screenings/{month}/runs"):                        "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/staff-accounts"):                                  "401  403  403  403  403  403  ok   ok   403  403  403  403  403  403",
    ("POST", "/v1/staff-accounts"):                                 "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/staff-accounts/{sub}"):                            "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("PATCH", "/v1/staff-accounts/{sub}"):                          "401  403  403  403  403  403  409  403  403  403  403  403  403  403",
    ("POST", "/v1/staff-accounts/{sub}/invitation"):                "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/whoami"):                                          "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    # intake, feedback and the services built on the platform: routes of records that do not exist for
    # these callers ("x" ids) answer 404 to everyone; each service's own tests prove owners and staff
    # reach real records (tests/core/test_intake*.py, tests/plugins/<name>/). Tickets are resident A's own
    # request in A's grid: its staff act on it (409 at the stale version), staff elsewhere do not find it.
    ("GET", "/v1/feedback/messages"):                               "401  403  403  403  403  403  ok   ok   403  403  403  403  403  403",
    ("POST", "/v1/feedback/messages"):                              "401  in   in   403  403  403  403  403  403  403  403  403  403  403",
    ("GET", "/v1/feedback/messages/counts"):                        "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/feedback/messages/{message_id}"):                  "401  404  404  404  404  404  404  404  404  404  404  404  404  404",
    ("POST", "/v1/feedback/messages/{message_id}/reply"):           "401  403  403  403  403  403  in   in   403  403  403  403  403  403",
    ("POST", "/v1/feedback/ratings"):                               "401  in   in   403  403  403  403  403  403  403  403  403  403  403",
    ("GET", "/v1/feedback/ratings/{code}"):                         "401  404  404  404  404  404  404  404  404  404  404  404  404  404",
    ("POST", "/v1/feedback/ratings/{code}/appeal"):                 "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/feedback/ratings/{code}/decision"):               "401  403  403  403  403  403  in   in   403  403  403  403  403  403",
    ("GET", "/v1/feedback/rectifications"):                         "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/feedback/rectifications/{code}/callback"):        "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/feedback/rectifications/{code}/rectify"):         "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/feedback/stats"):                                  "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/notify/subscriptions"):                            "401  ok   ok   403  403  403  403  403  403  403  403  403  403  403",
    ("POST", "/v1/notify/subscriptions"):                           "401  ok   ok   403  403  403  403  403  403  403  403  403  403  403",
    ("POST", "/v1/tickets"):                                        "401  in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/tickets/area"):                                    "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/tickets/held"):                                    "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/tickets/mine"):                                    "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/tickets/targets"):                                 "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/tickets/{code}"):                                  "401  ok   404  ok   ok   404  ok   404  ok   404  404  404  404  404",
    ("POST", "/v1/tickets/{code}/accept"):                          "401  403  403  409  409  404  409  404  409  404  404  404  404  404",
    ("POST", "/v1/tickets/{code}/answer"):                          "401  403  403  409  409  404  409  404  409  404  404  404  404  404",
    ("POST", "/v1/tickets/{code}/close"):                           "401  403  403  409  409  404  409  404  409  404  404  404  404  404",
    ("GET", "/v1/tickets/{code}/contact"):                          "401  403  403  403  403  404  403  404  403  404  404  404  404  404",
    ("POST", "/v1/tickets/{code}/reopen"):                          "401  403  403  409  409  404  409  404  409  404  404  404  404  404",
    ("POST", "/v1/tickets/{code}/route"):                           "401  403  403  409  409  404  409  404  409  404  404  404  404  404",
    ("POST", "/v1/tickets/{code}/transfer"):                        "401  403  403  409  409  404  409  404  409  404  404  404  404  404",
    ("POST", "/v1/screenings/sources/{kind}/imports"):              "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/screenings/sources/{kind}/mappings/{city}"):       "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("PUT", "/v1/screenings/sources/{kind}/mappings/{city}"):       "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("POST", "/v1/screenings/{month}/reports"):                     "401  403  403  in   in   in   in   in   in   in   in   in   in   in",
    ("POST", "/v1/self-check"):                                     "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/self-check/questions"):                            "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/screenings/{month}/runs"):                         "401  403  403  403  403  403  ok   ok   403  403  403  403  403  403",
    ("GET", "/v1/tasks"):                                           "401  403  403  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/tasks/{task_id}"):                                 "401  403  403  ok   ok   404  ok   404  ok   ok   ok   ok   ok   ok",
    ("PATCH", "/v1/tasks/{task_id}"):                               "401  403  403  409  403  404  409  404  403  403  403  403  403  403",
}


def every_row(proofs) -> dict[tuple[str, str], str]:
    rows = dict(MATRIX)
    for proof in proofs:
        rows.update(proof.get("ROWS", {}))
    return rows


def test_every_route_has_a_row_in_the_access_matrix(app):
    rows = every_row(plugin_proofs())
    missing = [f"{method} {path}" for path, method, _, _ in openapi.routes_with_specs(app)
               if (method, path) not in rows]
    assert not missing, "declare who may call these routes (a service's in its proof.py ROWS): " + ", ".join(missing)


def test_a_service_declares_rows_and_bodies_of_its_own_routes_only():
    for proof in plugin_proofs():
        for table in ("ROWS", "BODIES", "STALE", "EMPTY_BODY_WRITES"):
            foreign = [f"{m} {p}" for m, p in proof.get(table, {}) if not proof.owns(p)]
            assert not foreign, f"{proof.name}'s proof.py {table} names routes not under {proof.prefix}: {foreign}"


def test_every_caller_gets_exactly_the_declared_outcome_on_every_route(client, token, app):
    with also_enabled(ROUTING_DESK):
        check_every_cell(client, token, app)


def check_every_cell(client, token, app) -> None:
    proofs = plugin_proofs()
    rows, worlds = every_row(proofs), build_world(client, token, proofs)
    bodies, updates = dict(BODIES), set(UPDATES)
    for proof in proofs:
        bodies.update(proof.get("BODIES", {}))
        updates |= set(proof.get("STALE", set()))
    wrong = []
    for path, method, _, _ in openapi.routes_with_specs(app):
        declared, params = rows.get((method, path), "").split(), params_for(worlds, path)
        for who, expected in zip(COLUMNS, declared):
            got = outcome(call(client, token, method, path, params, who, bodies, updates).status_code,
                          exact=(method, path) in bodies)
            if got != expected:
                wrong.append(f"{method} {path} as {who}: declared {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


# Write routes still called with an empty body (their cells say `in` where validation stops the call first).
# A ratchet: a write route added from now on must come with a valid body in access.BODIES, and one taken off
# this list never goes back on it.
EMPTY_BODY_WRITES = {
    ("DELETE", "/v1/activities/{activity_id}"),
    ("DELETE", "/v1/assignments/{assignment_id}"),
    ("DELETE", "/v1/duty-slots/{slot_id}"),
    ("DELETE", "/v1/me"),
    ("DELETE", "/v1/me/sessions"),
    ("PATCH", "/v1/me"),
    ("POST", "/v1/auth/session"),
    ("POST", "/v1/auth/session/refresh"),
    ("POST", "/v1/auth/session/revoke"),
    ("POST", "/v1/feedback/messages"),
    ("POST", "/v1/feedback/messages/{message_id}/reply"),
    ("POST", "/v1/feedback/ratings"),
    ("POST", "/v1/feedback/ratings/{code}/appeal"),
    ("POST", "/v1/feedback/ratings/{code}/decision"),
    ("POST", "/v1/feedback/rectifications/{code}/callback"),
    ("POST", "/v1/feedback/rectifications/{code}/rectify"),
    ("POST", "/v1/files"),
    ("POST", "/v1/files/{file_id}/confirm"),
    ("POST", "/v1/institutions/{institution_id}/duty-slots"),
    ("POST", "/v1/me/phone"),
    ("POST", "/v1/screenings/sources/{kind}/imports"),
    ("POST", "/v1/screenings/{month}/reports"),
    ("POST", "/v1/tickets"),
}


def test_every_new_write_route_is_called_with_a_valid_body(app):
    proofs = plugin_proofs()
    bodies = {*BODIES, *(route for proof in proofs for route in proof.get("BODIES", {}))}
    without = {*EMPTY_BODY_WRITES, *(route for proof in proofs for route in proof.get("EMPTY_BODY_WRITES", set()))}
    writes = {(m, p) for p, m, _, _ in openapi.routes_with_specs(app) if m != "GET"}
    unbodied = {route for route in writes if route not in bodies}
    assert not unbodied - without, "give these a valid body (a service's in its proof.py BODIES): " + \
        ", ".join(f"{m} {p}" for m, p in sorted(unbodied - without))
    assert not without & bodies, "a route with a body no longer belongs in EMPTY_BODY_WRITES"


def test_each_row_names_one_outcome_per_caller():
    for route, row in every_row(plugin_proofs()).items():
        assert len(row.split()) == len(COLUMNS) and set(row.split()) <= {
            "ok", "401", "403", "404", "409", "412", "422", "428", "in"}, (route, row)
