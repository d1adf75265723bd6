"""The access matrix of every notary route (CONTRACT "Identity and access"): who gets what, for a booked
appointment of one resident. Updates are sent with a stale version, so a 409 proves the caller got past the
access check without changing anything. The last test fails when a route is added without its row."""
from __future__ import annotations

import json

import pytest

from chalicelib import plugin
from tests.helpers import blueprint_app, ok, post
from tests.plugins.notary.conftest import GRID, OFFICE, booking, publish

CALLERS = ("anonymous", "owner", "resident", "notary", "outsider", "admin")
PUBLIC = dict.fromkeys(CALLERS, 200)
SIGNED_IN = {"anonymous": 401, **dict.fromkeys(CALLERS[1:], 200)}
OWNER_OR_STAFF = {"anonymous": 401, "owner": 200, "resident": 404, "notary": 200, "outsider": 404, "admin": 200}
# the full phone: the owner and the office's notary holding the appointment, not the city's admin
OWNER_OR_HOLDER = {**OWNER_OR_STAFF, "admin": 404}
STAFF_OF_OFFICE = {"anonymous": 401, "owner": 403, "resident": 403, "notary": 200, "outsider": 403, "admin": 200}
STALE = {"anonymous": 401, "owner": 409, "resident": 404, "notary": 409, "outsider": 404, "admin": 409}

# (method, route as declared, concrete path, body, expected status per caller); {a} is the appointment id
MATRIX = [
    ("GET", "/v1/notary/matters", "/v1/notary/matters?q=遗嘱", None, PUBLIC),
    ("GET", "/v1/notary/matters/{code}", "/v1/notary/matters/will", None, PUBLIC),
    ("GET", "/v1/notary/offices", f"/v1/notary/offices?grid={GRID}", None, PUBLIC),
    ("GET", "/v1/notary/offices/{office_id}/slots", f"/v1/notary/offices/{OFFICE}/slots", None, PUBLIC),
    ("POST", "/v1/notary/offices/{office_id}/slots", f"/v1/notary/offices/{OFFICE}/slots", "slot",
     {**STAFF_OF_OFFICE, "notary": 201, "admin": 201}),
    ("GET", "/v1/notary/offices/{office_id}/appointments", f"/v1/notary/offices/{OFFICE}/appointments?day={{day}}",
     None, STAFF_OF_OFFICE),
    ("GET", "/v1/notary/offices/{office_id}/reminders", f"/v1/notary/offices/{OFFICE}/reminders", None,
     STAFF_OF_OFFICE),
    ("POST", "/v1/notary/appointments", "/v1/notary/appointments", "booking",
     {"anonymous": 401, **dict.fromkeys(CALLERS[1:], 201)}),
    ("GET", "/v1/notary/appointments", "/v1/notary/appointments", None, SIGNED_IN),
    ("GET", "/v1/notary/appointments/{appointment_id}", "/v1/notary/appointments/{a}", None, OWNER_OR_STAFF),
    ("GET", "/v1/notary/appointments/{appointment_id}/contact", "/v1/notary/appointments/{a}/contact", None,
     OWNER_OR_HOLDER),
    ("POST", "/v1/notary/appointments/{appointment_id}/cancel", "/v1/notary/appointments/{a}/cancel",
     {"version": 99}, STALE),
    ("POST", "/v1/notary/appointments/{appointment_id}/reschedule", "/v1/notary/appointments/{a}/reschedule",
     {"slot_id": "x", "version": 99}, STALE),
    ("PUT", "/v1/notary/appointments/{appointment_id}/materials", "/v1/notary/appointments/{a}/materials",
     {"ready": [], "version": 99}, {**STALE, "notary": 403, "admin": 403}),
]


@pytest.fixture
def scene(client, token, world, notary):
    headers = {"anonymous": {}, "owner": token("owner-1"), "resident": token("r-2"), "notary": notary,
               "outsider": token("notary-9", "notary", area="320404"), "admin": token("admin-1", "admin", area="3204")}
    big = publish(client, world, notary, "15:00", capacity=20)
    made = ok(post(client, "/v1/notary/appointments", booking(big["id"]), headers["owner"]), 201)
    return {"headers": headers, "appointment": made["id"], "slot": big["id"], "day": world.day.isoformat()}


@pytest.mark.parametrize("method, route, path, payload, expected", MATRIX, ids=[f"{m} {r}" for m, r, *_ in MATRIX])
def test_each_caller_gets_what_the_matrix_says(client, scene, method, route, path, payload, expected):
    path = path.replace("{a}", scene["appointment"]).replace("{day}", scene["day"])
    for n, who in enumerate(CALLERS):
        data = payload
        if payload == "slot":
            data = {"day": scene["day"], "start": f"{9 + n // 2:02d}:{30 * (n % 2):02d}"}  # a time per caller
        elif payload == "booking":
            data = booking(scene["slot"])
        headers = {**scene["headers"][who], "Content-Type": "application/json"}
        response = client.request(method, path, headers=headers,
                                  body=json.dumps(data, ensure_ascii=False) if data is not None else None)
        assert response.status_code == expected[who], (who, method, path, response.body.decode())


def test_the_matrix_has_a_row_for_every_route(app):
    declared = plugin.load(["notary"])[0]
    routes = blueprint_app(app, declared.blueprint, "/v1/notary").routes
    assert {(m, p) for p, methods in routes.items() for m in methods} == {(m, r) for m, r, *_ in MATRIX}
