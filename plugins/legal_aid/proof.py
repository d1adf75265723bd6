"""What the proof suite (tests/proof) needs of legal aid, kept with the service: its rows of the access
matrix (columns: tests/proof/access.py CALLERS), valid bodies for its write routes, and resident A's
application the rows are asked about. Tests only: no production code imports this module.

A's application is in 天宁区: its officer acts on it (409 at the stale version, which legal aid reads from
the body), the neighbouring district's officer does not find it, staff of other roles are refused.
"""
from __future__ import annotations

from datetime import date

#                                                                          anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/legal-aid/applications"):                                "401  ok   ok   403  403  403  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications"):                               "401  in   in   in   in   in   403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/applications/{app_id}"):                       "401  ok   404  404  ok   404  403  403  403  404  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/accept"):               "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/approve"):              "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/assign"):               "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/applications/{app_id}/assignable-lawyers"):    "401  403  403  403  ok   404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/close"):                "401  403  403  403  409  404  403  403  403  404  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/eligibility-override"): "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/follow-up"):            "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/home-visit"):           "401  409  404  403  409  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/major"):                "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/quality-steps"):        "401  403  403  403  in   in   403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/applications/{app_id}/reject"):               "401  403  403  403  409  404  403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/assignments"):                                 "401  403  403  403  403  403  403  403  403  ok   403  403  403  403",
    ("POST", "/v1/legal-aid/claims"):                                     "401  in   in   403  403  403  403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/criteria"):                                    "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/legal-aid/households"):                                  "401  403  403  ok   ok   ok   403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/households/imports"):                         "401  403  403  403  in   in   403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/households/imports/{import_id}"):              "401  403  403  403  404  404  403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/households/{household_id}"):                   "401  403  403  404  404  404  403  403  403  403  403  403  403  403",
    ("POST", "/v1/legal-aid/households/{household_id}/visits"):           "401  403  403  in   in   in   403  403  403  403  403  403  403  403",
    ("GET", "/v1/legal-aid/queue"):                                       "401  403  403  403  ok   ok   403  403  403  403  403  403  403  403",
}

EMPTY_BODY_WRITES = {
    ("POST", "/v1/legal-aid/applications"),
    ("POST", "/v1/legal-aid/applications/{app_id}/quality-steps"),
    ("POST", "/v1/legal-aid/claims"),
    ("POST", "/v1/legal-aid/households/imports"),
    ("POST", "/v1/legal-aid/households/{household_id}/visits"),
}

STALE = {
    ("POST", "/v1/legal-aid/applications/{app_id}/" + step)
    for step in ("accept", "approve", "reject", "assign", "close", "follow-up", "eligibility-override", "major",
                 "home-visit")
}
BODIES = {
    ("POST", "/v1/legal-aid/applications/{app_id}/accept"): lambda p: {"version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/approve"): lambda p: {"version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/reject"): lambda p: {"reason": "对方已按时足额支付工资", "version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/assign"): lambda p: {"lawyer": "lawyer-1", "version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/close"): lambda p: {
        "kind": "mediated", "amount_recovered": "32000", "summary": "调解结案，老板当场支付工资", "version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/follow-up"): lambda p: {
        "visited_on": p["today"], "method": "phone", "satisfaction": "satisfied", "version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/eligibility-override"): lambda p: {
        "verdict": "eligible", "reason": "申请人提交了最新收入证明", "version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/major"): lambda p: {"reason": "涉及人数众多的群体性欠薪", "version": 999},
    ("POST", "/v1/legal-aid/applications/{app_id}/home-visit"): lambda p: {
        "scheduled_at": f"{p['in_three_days']}T09:30:00+08:00", "note": "老人行动不便，上门受理", "version": 999},
}


def world(scene) -> dict[str, str]:
    """Resident A's application for legal aid, under 常州's income thresholds."""
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from plugins.legal_aid import params
    from tests.plugins.legal_aid.conftest import THRESHOLDS, application, declare_real_name

    for effective_from, value, label in THRESHOLDS:
        policy.set_version(audit.SYSTEM, None, params.INCOME_THRESHOLD, area_code="3204", value=value,
                           effective_from=date.fromisoformat(effective_from), label=label, retroactive_reason="录入历史标准")
    params.load_demo(audit.SYSTEM)
    payload = application()
    declare_real_name("r-1", payload["applicant"]["id_number"])
    return {"app_id": scene.create("/v1/legal-aid/applications", payload, "resA")["id"],
            "today": scene.later(0), "in_three_days": scene.later(3)}


# --- the privacy walk (tests/proof/test_privacy.py) ----------------------------------------------------------
APPLICANT_PHONE = "13912345678"
PRIVACY_NOT_ENTITLED = [
    ("/v1/legal-aid/applications/{application}", ("neighbour", "other officer", "grid worker", "admin")),
    ("/v1/legal-aid/applications", ("neighbour",)),
    ("/v1/legal-aid/queue", ("other officer",)),
]


def privacy_secrets() -> dict[str, str]:
    """The applicant's ID number (its check character an X, so both cases are looked for) and phone."""
    from tests.plugins.legal_aid.conftest import id_number

    applicant = next(n for n in (id_number(sequence=f"{s:03d}") for s in range(1, 999)) if n.endswith("X"))
    return {"applicant id": applicant, "applicant phone": APPLICANT_PHONE}


def privacy_walk(walk) -> dict[str, str]:
    """A resident applies with her ID number (typed with a lower-case x) and phone, with an Idempotency-Key,
    so a claim item is written too."""
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import audit
    from plugins.legal_aid import params
    from tests.helpers import ok, post
    from tests.plugins.legal_aid.conftest import THRESHOLDS, application, declare_real_name, seed_lawyers

    for effective_from, value, label in THRESHOLDS:
        policy.set_version(audit.SYSTEM, None, params.INCOME_THRESHOLD, area_code="3204", value=value,
                           effective_from=date.fromisoformat(effective_from), label=label, retroactive_reason="录入历史标准")
    params.load_demo(audit.SYSTEM)
    seed_lawyers()
    applicant = walk.secrets["applicant id"]
    payload = application(applicant={"id_number": applicant.lower(), "phone": APPLICANT_PHONE})
    declare_real_name("r-1", applicant)
    made = ok(post(walk.client, "/v1/legal-aid/applications", payload,
                   {**walk.callers["resident"], "Idempotency-Key": "privacy-walk-1"}), 201)
    return {"application": made["id"]}
