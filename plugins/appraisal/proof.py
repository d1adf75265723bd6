"""What the proof suite (tests/proof) needs of appraisal, kept with the service: its rows of the access
matrix (columns: tests/proof/access.py CALLERS), valid bodies for its write routes, and the records its
rows are asked about. Tests only: no production code imports this module.
"""
from __future__ import annotations

#                                                                          anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/appraisal/consultations"):                               "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/appraisal/consultations"):                              "401  ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/appraisal/consultations/unanswered"):                    "401  403  403  403  ok   ok   ok   ok   403  403  403  ok   403  403",
    ("GET", "/v1/appraisal/consultations/{consultation_id}"):             "401  ok   404  404  ok   404  ok   404  404  404  404  ok   404  404",
    ("GET", "/v1/appraisal/consultations/{consultation_id}/contact"):     "401  ok   404  404  ok   404  404  404  404  404  404  ok   404  404",
    ("POST", "/v1/appraisal/consultations/{consultation_id}/answer"):     "401  403  403  403  409  404  409  404  403  403  403  409  403  403",
    ("POST", "/v1/appraisal/consultations/{consultation_id}/fee-relief"): "401  409  404  404  403  404  403  404  404  404  404  403  404  404",
    ("GET", "/v1/appraisal/institutions"):                                "in   in   in   in   in   in   in   in   in   in   in   in   in   in",
    ("PUT", "/v1/appraisal/institutions/{institution_id}/licence"):       "401  403  403  403  403  403  409  403  403  403  403  403  403  403",
}

EMPTY_BODY_WRITES: set = set()
GUIDANCE = "伤残等级鉴定一般在治疗终结后进行，请带好病历。"
STALE = {("PUT", "/v1/appraisal/institutions/{institution_id}/licence"),
         ("POST", "/v1/appraisal/consultations/{consultation_id}/answer"),
         ("POST", "/v1/appraisal/consultations/{consultation_id}/fee-relief")}


def _question(p) -> dict:
    return {"grid": "320402001001001", "kind": "disability_grade", "intended_use": "mediation",
            "phone": ASKER_PHONE, "facts": "在工地搬运钢管时被砸伤右手，两根手指截断，想知道能评几级伤残。"}


BODIES = {
    ("PUT", "/v1/appraisal/institutions/{institution_id}/licence"): lambda p: {
        "licence_no": "320402009", "kinds": ["mental_state"], "version": 999},
    ("POST", "/v1/appraisal/consultations"): _question,
    ("POST", "/v1/appraisal/consultations/{consultation_id}/answer"): lambda p: {"guidance": GUIDANCE, "version": 999},
    ("POST", "/v1/appraisal/consultations/{consultation_id}/fee-relief"): lambda p: {
        "groups": ["dibao"], "version": 999},
}


def world(scene) -> dict[str, str]:
    """天宁区's licensed forensic clinic and resident A's consultation."""
    from chalicelib.domain.directory import service as directory
    from chalicelib.domain.directory.models import InstitutionIn
    from chalicelib.platform.auth import Caller
    from plugins.appraisal import service
    from plugins.appraisal.models import LicenceIn

    admin = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")
    directory.create_institution(admin, InstitutionIn(
        kind="appraisal_institution", name="天宁法医临床司法鉴定所", home_area="320402", serves=["320402"],
        phone="0519-86601234"), institution_id="tn-clinic")
    service.set_licence(admin, "tn-clinic", LicenceIn(licence_no="L-tn-clinic", kinds=["disability_grade"]), None)
    made = scene.create("/v1/appraisal/consultations", _question({}), "resA")
    return {"institution_id": "tn-clinic", "consultation_id": made["id"]}


# --- the privacy walk (tests/proof/test_privacy.py) ----------------------------------------------------------
ASKER_PHONE = "13800001302"
PRIVACY_NOT_ENTITLED = [
    ("/v1/appraisal/consultations/{consultation}", ("neighbour", "other officer")),
    ("/v1/appraisal/consultations/{consultation}/contact", ("neighbour", "other officer", "admin")),
    ("/v1/appraisal/consultations/unanswered", ("officer", "other officer")),
]


def privacy_secrets() -> dict[str, str]:
    return {"asker phone": ASKER_PHONE}


def privacy_walk(walk) -> dict[str, str]:
    """A resident asks about an appraisal, leaving her phone."""
    from tests.helpers import ok, post

    made = ok(post(walk.client, "/v1/appraisal/consultations", _question({}), walk.callers["resident"]), 201)
    return {"consultation": made["id"]}
