"""What the proof suite (tests/proof) needs of notary, kept with the service: its rows of the access
matrix (columns: tests/proof/access.py CALLERS), valid bodies for its write routes, and the records its
rows are asked about. Tests only: no production code imports this module.
"""
from __future__ import annotations

import itertools

#                                                                     anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/notary/appointments"):                              "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/notary/appointments"):                             "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/notary/appointments/{appointment_id}"):             "401  ok   404  404  404  404  ok   404  404  404  ok   404  404  404",
    ("POST", "/v1/notary/appointments/{appointment_id}/cancel"):     "401  409  404  404  404  404  409  404  404  404  409  404  404  404",
    ("GET", "/v1/notary/appointments/{appointment_id}/contact"):     "401  ok   404  404  404  404  404  404  404  404  ok   404  404  404",
    ("PUT", "/v1/notary/appointments/{appointment_id}/materials"):   "401  409  404  404  404  404  403  404  404  404  403  404  404  404",
    ("POST", "/v1/notary/appointments/{appointment_id}/reschedule"): "401  409  404  404  404  404  409  404  404  404  409  404  404  404",
    ("GET", "/v1/notary/matters"):                                   "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/notary/matters/{code}"):                            "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/notary/offices"):                                   "in   in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/notary/offices/{office_id}/appointments"):          "401  403  403  403  403  403  in   in   403  403  in   403  403  403",
    ("GET", "/v1/notary/offices/{office_id}/reminders"):             "401  403  403  403  403  403  ok   403  403  403  ok   403  403  403",
    ("GET", "/v1/notary/offices/{office_id}/slots"):                 "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/notary/offices/{office_id}/slots"):                "401  403  403  403  403  403  ok   403  403  403  ok   403  403  403",
}

EMPTY_BODY_WRITES: set = set()
STALE = {("POST", "/v1/notary/appointments/{appointment_id}/cancel"),
         ("POST", "/v1/notary/appointments/{appointment_id}/reschedule"),
         ("PUT", "/v1/notary/appointments/{appointment_id}/materials")}
_slot_times = itertools.count()


def _next_start(_) -> str:
    """A start time of its own for each slot published (the office's two per hour, 09:00–15:30)."""
    n = next(_slot_times) % 14
    return f"{9 + n // 2:02d}:{30 * (n % 2):02d}"


def _booking(p) -> dict:
    return {"slot_id": p["slot_id"], "matter": "power_of_attorney", "mode": "office", "phone": "13800001234"}


BODIES = {
    ("POST", "/v1/notary/offices/{office_id}/slots"): lambda p: {"day": p["slot_day"], "start": _next_start(p)},
    ("POST", "/v1/notary/appointments"): _booking,
    ("POST", "/v1/notary/appointments/{appointment_id}/cancel"): lambda p: {"version": 999},
    ("POST", "/v1/notary/appointments/{appointment_id}/reschedule"): lambda p: {"slot_id": p["slot_id"], "version": 999},
    ("PUT", "/v1/notary/appointments/{appointment_id}/materials"): lambda p: {"ready": [], "version": 999},
}


def world(scene) -> dict[str, str]:
    """A slot of 天宁公证处 (the core world's notary office) and resident A's appointment in it."""
    day = scene.working_day_ahead()
    slot = scene.create(f"/v1/notary/offices/{scene.params['office_id']}/slots",
                        {"day": day, "start": "16:00", "capacity": 20}, "not")
    made = scene.create("/v1/notary/appointments", _booking({"slot_id": slot["id"]}), "resA")
    return {"slot_id": slot["id"], "slot_day": day, "appointment_id": made["id"], "code": "will"}


# --- the privacy walk (tests/proof/test_privacy.py) ----------------------------------------------------------
BOOKING_PHONE = "13800001234"
PRIVACY_NOT_ENTITLED = [
    ("/v1/notary/appointments/{appointment}", ("neighbour", "other notary", "grid worker")),
    ("/v1/notary/appointments/{appointment}/contact", ("neighbour", "other notary", "grid worker")),
    ("/v1/notary/appointments", ("neighbour",)),
]


def privacy_secrets() -> dict[str, str]:
    return {"booking phone": BOOKING_PHONE}


def privacy_walk(walk) -> dict[str, str]:
    """The notary publishes a slot of 天宁公证处; a resident books it with her phone."""
    from chalicelib.domain.directory import service as directory
    from chalicelib.domain.directory.models import InstitutionIn
    from chalicelib.platform import workdays
    from chalicelib.platform.auth import Caller
    from tests.helpers import ok, post

    admin = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")
    office = directory.create_institution(admin, InstitutionIn(
        kind="notary_office", name="天宁公证处", home_area="320402", address="天宁区北直街 8 号",
        phone="0519-88001234", hours="工作日 9:00–17:00"), institution_id="office-tianning").id
    day = workdays.add_working_days(walk.clock.today, 2).end
    slot = ok(post(walk.client, f"/v1/notary/offices/{office}/slots", {"day": day.isoformat(), "start": "09:30"},
                   walk.callers["notary"]), 201)["id"]
    made = ok(post(walk.client, "/v1/notary/appointments", {
        "slot_id": slot, "matter": "power_of_attorney", "mode": "office", "phone": BOOKING_PHONE},
        walk.callers["resident"]), 201)
    return {"appointment": made["id"]}
