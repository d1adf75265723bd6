"""What the proof suite (tests/proof) needs of mediation, kept with the service: its rows of the access
matrix (columns: tests/proof/access.py CALLERS) and valid bodies for its write routes. Tests only: no
production code imports this module. Disputes are asked about by ids nobody has ("x"); the mediation
tests prove parties and mediators reach real ones (tests/plugins/mediation/).
"""
from __future__ import annotations

#                                                                        anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/mediation/disputes"):                                  "401  403  403  ok   403  403  403  403  ok   403  403  403  403  403",
    ("POST", "/v1/mediation/disputes"):                                 "401  403  403  in   403  403  403  403  in   403  403  403  403  403",
    ("GET", "/v1/mediation/disputes/{dispute_id}"):                     "401  404  404  404  404  404  404  404  404  404  404  404  404  404",
    ("POST", "/v1/mediation/disputes/{dispute_id}/agreement-document"): "401  403  403  404  403  403  403  403  404  403  403  403  403  403",
    ("PUT", "/v1/mediation/disputes/{dispute_id}/confirmation"):        "401  403  403  404  403  403  403  403  404  403  403  403  403  403",
    ("GET", "/v1/mediation/disputes/{dispute_id}/contacts"):            "401  403  403  403  403  403  403  403  404  403  403  403  403  403",
    ("POST", "/v1/mediation/disputes/{dispute_id}/follow-ups"):         "401  403  403  in   403  403  403  403  in   403  403  403  403  403",
    ("PUT", "/v1/mediation/disputes/{dispute_id}/outcome"):             "401  403  403  in   403  403  403  403  in   403  403  403  403  403",
    ("PUT", "/v1/mediation/disputes/{dispute_id}/parties"):             "401  403  403  in   403  403  403  403  in   403  403  403  403  403",
    ("GET", "/v1/mediation/disputes/{dispute_id}/recommendations"):     "401  403  403  404  403  403  403  403  404  403  403  403  403  403",
    ("POST", "/v1/mediation/disputes/{dispute_id}/sessions"):           "401  403  403  in   403  403  403  403  in   403  403  403  403  403",
    ("POST", "/v1/mediation/disputes/{dispute_id}/transfers"):          "401  403  403  in   403  403  403  403  in   403  403  403  403  403",
    ("GET", "/v1/mediation/experts"):                                   "401  in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("GET", "/v1/mediation/my-disputes"):                               "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/mediation/mediators"):                                 "401  403  403  ok   403  403  403  403  ok   403  403  403  403  403",
    ("POST", "/v1/mediation/mediators"):                                "401  403  403  403  403  403  403  403  in   403  403  403  403  403",
    ("GET", "/v1/mediation/mediators/{mediator_id}/trainings"):         "401  403  403  ok   403  403  403  403  ok   403  403  403  403  403",
    ("POST", "/v1/mediation/mediators/{mediator_id}/trainings"):        "401  403  403  403  403  403  403  403  ok   403  403  403  403  403",
    ("GET", "/v1/mediation/rates"):                                     "401  403  403  ok   403  403  ok   ok   ok   403  403  403  403  403",
}

EMPTY_BODY_WRITES = {
    ("POST", "/v1/mediation/disputes"),
    ("POST", "/v1/mediation/disputes/{dispute_id}/agreement-document"),
    ("POST", "/v1/mediation/disputes/{dispute_id}/follow-ups"),
    ("POST", "/v1/mediation/disputes/{dispute_id}/sessions"),
    ("POST", "/v1/mediation/disputes/{dispute_id}/transfers"),
    ("POST", "/v1/mediation/mediators"),
    ("PUT", "/v1/mediation/disputes/{dispute_id}/outcome"),
    ("PUT", "/v1/mediation/disputes/{dispute_id}/parties"),
}

STALE = {("PUT", "/v1/mediation/disputes/{dispute_id}/confirmation")}
BODIES = {
    ("PUT", "/v1/mediation/disputes/{dispute_id}/confirmation"): lambda p: {
        "applied_on": p["today"], "court": "常州市天宁区人民法院"},
    ("POST", "/v1/mediation/mediators/{mediator_id}/trainings"): lambda p: {
        "course": "人民调解业务培训班", "hours": "8", "on": p["today"], "organiser": "常州市天宁区司法局"},
}


def world(scene) -> dict[str, str]:
    """A mediator of A's grid on the roster (its training records are asked about)."""
    scene.create("/v1/mediation/mediators", {"id": "mediator-grid", "name": "钱立新", "area": scene.params["code"],
                                            "committee": "朝阳花园社区人民调解委员会", "full_time": True}, "med")
    return {"today": scene.later(0), "mediator_id": "mediator-grid"}


# --- the privacy walk (tests/proof/test_privacy.py) ----------------------------------------------------------
PARTY_PHONES = ("13912340001", "13912340002")
PRIVACY_NOT_ENTITLED = [
    ("/v1/mediation/disputes/{dispute}", ("other mediator", "resident", "officer", "admin")),
    ("/v1/mediation/disputes/{dispute}/contacts", ("other mediator", "resident", "admin")),
    ("/v1/mediation/disputes", ("other mediator",)),
]


def privacy_secrets() -> dict[str, str]:
    from tests.plugins.mediation.conftest import id_number

    return {"party id": id_number(), "party phone 1": PARTY_PHONES[0], "party phone 2": PARTY_PHONES[1]}


def privacy_walk(walk) -> dict[str, str]:
    """A mediator opens a dispute with a party's ID number and both parties' phones."""
    from tests.helpers import ok, post
    from tests.plugins.mediation.conftest import dispute

    made = ok(post(walk.client, "/v1/mediation/disputes", dispute(parties=[
        {"name": "李秀英", "role": "applicant", "phone": PARTY_PHONES[0], "id_number": walk.secrets["party id"]},
        {"name": "张国强", "role": "respondent", "phone": PARTY_PHONES[1]}]), walk.callers["mediator"]), 201)
    return {"dispute": made["id"]}
