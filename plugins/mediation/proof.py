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
}


def world(scene) -> dict[str, str]:
    return {"today": scene.later(0)}
