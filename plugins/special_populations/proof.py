"""What the proof suite (tests/proof) needs of special_populations, kept with the service: its rows of the access
matrix (columns: tests/proof/access.py CALLERS), valid bodies for its write routes, and the records its
rows are asked about. Tests only: no production code imports this module.
"""
from __future__ import annotations

import itertools

#                                                                                  anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/special-populations/grants"):                                    "401  404  404  404  404  404  404  404  404  404  404  404  404  ok",
    ("POST", "/v1/special-populations/grants"):                                   "401  403  403  403  403  403  403  403  403  403  403  403  403  ok",
    ("POST", "/v1/special-populations/grants/{grant_id}/revoke"):                 "401  404  404  404  404  404  404  404  404  404  404  404  404  409",
    ("GET", "/v1/special-populations/grid-list"):                                 "401  404  404  ok   404  404  404  404  404  404  404  404  404  404",
    ("GET", "/v1/special-populations/people"):                                    "401  404  404  404  404  404  404  404  404  404  404  404  404  ok",
    ("POST", "/v1/special-populations/people"):                                   "401  403  403  403  403  403  403  403  403  403  403  403  403  ok",
    ("GET", "/v1/special-populations/people/{person_id}"):                        "401  404  404  404  404  404  404  404  404  404  404  404  404  ok",
    ("PATCH", "/v1/special-populations/people/{person_id}"):                      "401  404  404  404  404  404  404  404  404  404  404  404  404  409",
    ("GET", "/v1/special-populations/people/{person_id}/visits"):                 "401  404  404  ok   404  404  404  404  404  404  404  404  404  ok",
    ("POST", "/v1/special-populations/people/{person_id}/visits"):                "401  404  404  ok   404  404  404  404  404  404  404  404  404  ok",
    ("PUT", "/v1/special-populations/people/{person_id}/visits/{visit_id}/help"): "401  404  404  409  404  404  404  404  404  404  404  404  404  409",
}

EMPTY_BODY_WRITES: set = set()
BUREAU = "s-bureau-inspector"      # the city bureau's account 天宁区 grants read access to
STALE = {("PATCH", "/v1/special-populations/people/{person_id}"),
         ("PUT", "/v1/special-populations/people/{person_id}/visits/{visit_id}/help"),
         ("POST", "/v1/special-populations/grants/{grant_id}/revoke")}
_registrations = itertools.count(1)


def _person(p) -> dict:
    """A person released from prison 700 days ago (安置帮教), with a fictional identity of their own."""
    from plugins.special_populations.demo import fictional_id

    return {"name": "测试人员甲", "id_number": fictional_id("19820417", f"{next(_registrations) % 1000:03d}"),
            "phone": "13912345678", "grid": "320402001001001", "judgment_effective": p["judged_on"],
            "prison_release": p["released_on"]}


BODIES = {
    ("POST", "/v1/special-populations/people"): _person,
    ("PATCH", "/v1/special-populations/people/{person_id}"): lambda p: {"reported_on": None},
    ("POST", "/v1/special-populations/people/{person_id}/visits"): lambda p: {
        "day": p["today"], "situation": "在家，情绪稳定"},
    ("PUT", "/v1/special-populations/people/{person_id}/visits/{visit_id}/help"): lambda p: {
        "help": [{"kind": "temporary_aid", "status": "granted"}]},
    ("POST", "/v1/special-populations/grants"): lambda p: {"grantee": BUREAU, "reason": "市局执法检查",
                                                          "valid_until": p["in_a_week"], "district": "320402"},
    ("POST", "/v1/special-populations/grants/{grant_id}/revoke"): lambda p: {"reason": "检查结束"},
}


def world(scene) -> dict[str, str]:
    """A person of A's grid registered by 天宁区's corrections officer, with a visit, and a week's grant of
    read access to the city bureau's inspector (none of the matrix's callers)."""
    from chalicelib.domain.accounts.models import StaffAccount
    from chalicelib.platform import storage

    dates = {"today": scene.later(0), "in_a_week": scene.later(7), "judged_on": scene.later(-2000),
             "released_on": scene.later(-700)}
    person = scene.create("/v1/special-populations/people", _person(dates), "cor")
    visit = scene.create(f"/v1/special-populations/people/{person['id']}/visits",
                         {"day": dates["today"], "situation": "正常"}, "cor")
    storage.put_new(StaffAccount(sub=BUREAU, name="市局督察员", roles=["admin"], area="3204"))
    grant = scene.create("/v1/special-populations/grants", BODIES[("POST", "/v1/special-populations/grants")](dates),
                         "cor")
    return {**dates, "person_id": person["id"], "visit_id": visit["id"], "grant_id": grant["id"]}


# --- the privacy walk (tests/proof/test_privacy.py) ----------------------------------------------------------
SUPERVISED_PHONE = "13911112222"
PRIVACY_NOT_ENTITLED = [
    ("/v1/special-populations/people/{supervised}", ("other corrections", "resident", "grid worker", "admin")),
    ("/v1/special-populations/people", ("other corrections", "officer")),
]


def privacy_secrets() -> dict[str, str]:
    from plugins.special_populations.demo import fictional_id

    return {"supervised id": fictional_id("19820417", "035"), "supervised phone": SUPERVISED_PHONE}


def privacy_walk(walk) -> dict[str, str]:
    """A corrections officer registers a person under community supervision."""
    from tests.helpers import ok, post

    dates = {"judged_on": walk.clock.day(-2000), "released_on": walk.clock.day(-700)}
    person = {**_person(dates), "id_number": walk.secrets["supervised id"], "phone": SUPERVISED_PHONE}
    made = ok(post(walk.client, "/v1/special-populations/people", person, walk.callers["corrections"]), 201)
    return {"supervised": made["id"]}
