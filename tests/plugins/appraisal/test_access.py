"""The access matrix of every appraisal route (CONTRACT "Identity and access"): who gets what, for one
resident's consultation. Updates are sent with a stale version, so a 409 proves the caller got past the
access check without changing anything. The last test fails when a route is added without its row."""
from __future__ import annotations

import json

import pytest

from chalicelib import plugin
from tests.helpers import blueprint_app, ok, post
from tests.plugins.appraisal.conftest import GRID, question

CALLERS = ("anonymous", "owner", "resident", "officer", "outsider", "admin")
PUBLIC = dict.fromkeys(CALLERS, 200)
SIGNED_IN = {"anonymous": 401, **dict.fromkeys(CALLERS[1:], 200)}
STAFF = {"anonymous": 401, "owner": 403, "resident": 403, "officer": 200, "outsider": 200, "admin": 200}
OWNER_OR_AREA = {"anonymous": 401, "owner": 200, "resident": 404, "officer": 200, "outsider": 404, "admin": 200}
# the full phone: the owner and the staff holding the case (the district's officer), not the city's admin
OWNER_OR_HOLDER = {**OWNER_OR_AREA, "admin": 404}
GUIDANCE = "伤残等级鉴定一般在治疗终结后进行，请带好病历。"

# (method, route as declared, concrete path, body, expected status per caller); {c} is the consultation id
MATRIX = [
    ("GET", "/v1/appraisal/institutions", f"/v1/appraisal/institutions?grid={GRID}", None, PUBLIC),
    ("PUT", "/v1/appraisal/institutions/{institution_id}/licence", "/v1/appraisal/institutions/tn-clinic/licence",
     {"licence_no": "320402009", "kinds": ["mental_state"], "version": 99},
     {"anonymous": 401, "owner": 403, "resident": 403, "officer": 403, "outsider": 403, "admin": 409}),
    ("POST", "/v1/appraisal/consultations", "/v1/appraisal/consultations", question(),
     {"anonymous": 401, **dict.fromkeys(CALLERS[1:], 201)}),
    ("GET", "/v1/appraisal/consultations", "/v1/appraisal/consultations", None, SIGNED_IN),
    ("GET", "/v1/appraisal/consultations/unanswered", "/v1/appraisal/consultations/unanswered", None, STAFF),
    ("GET", "/v1/appraisal/consultations/{consultation_id}", "/v1/appraisal/consultations/{c}", None, OWNER_OR_AREA),
    ("GET", "/v1/appraisal/consultations/{consultation_id}/contact", "/v1/appraisal/consultations/{c}/contact", None,
     OWNER_OR_HOLDER),
    ("POST", "/v1/appraisal/consultations/{consultation_id}/answer", "/v1/appraisal/consultations/{c}/answer",
     {"guidance": GUIDANCE, "version": 99},
     {"anonymous": 401, "owner": 403, "resident": 403, "officer": 409, "outsider": 404, "admin": 409}),
    ("POST", "/v1/appraisal/consultations/{consultation_id}/fee-relief", "/v1/appraisal/consultations/{c}/fee-relief",
     {"groups": ["subsistence_allowance"], "version": 99},
     {"anonymous": 401, "owner": 409, "resident": 404, "officer": 403, "outsider": 404, "admin": 403}),
]


@pytest.fixture
def scene(client, token, world):
    headers = {"anonymous": {}, "owner": token("owner-1"), "resident": token("r-2"),
               "officer": token("officer-1", "legal_aid_officer", area="320402"),
               "outsider": token("officer-9", "legal_aid_officer", area="320404"),
               "admin": token("admin-1", "admin", area="3204")}
    made = ok(post(client, "/v1/appraisal/consultations", question(), headers["owner"]), 201)
    return {"headers": headers, "consultation": made["id"]}


@pytest.mark.parametrize("method, route, path, payload, expected", MATRIX, ids=[f"{m} {r}" for m, r, *_ in MATRIX])
def test_each_caller_gets_what_the_matrix_says(client, scene, method, route, path, payload, expected):
    path = path.replace("{c}", scene["consultation"])
    for who in CALLERS:
        headers = {**scene["headers"][who], "Content-Type": "application/json"}
        response = client.request(method, path, headers=headers,
                                  body=json.dumps(payload, ensure_ascii=False) if payload is not None else None)
        assert response.status_code == expected[who], (who, method, path, response.body.decode())


def test_the_matrix_has_a_row_for_every_route(app):
    declared = plugin.load(["appraisal"])[0]
    routes = blueprint_app(app, declared.blueprint, "/v1/appraisal").routes
    assert {(m, p) for p, methods in routes.items() for m in methods} == {(m, r) for m, r, *_ in MATRIX}
