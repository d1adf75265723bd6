"""What the proof suite (tests/proof) needs of `advisors`: its rows of the access matrix (columns:
tests/proof/access.py CALLERS), valid bodies for its write routes, and the records its rows are asked
about. Tests only: no production code imports this module.

The world: the city's administrator engages a directory lawyer for resident A's village (演示社区), signing
in as the matrix's lawyer (`lawyer-1`), records the village's service point, and the lawyer checks in there
(and stays checked in, so a second check-in is 409 and a check-out before it 422, whatever the order), and
logs a consultation this month: the month is open, so the cadre's verification and the bureau's
correction are 409 (a locked month is the tests' of tests/plugins/advisors/test_work_log.py).
Administrators see their area (another city's: 404), the village's grid worker their village, the advisor
their own; no resident and no other staff role reaches any route.
"""
from __future__ import annotations

import itertools
import json
from datetime import timedelta

from chalicelib.platform import timeutil

VILLAGE = "320402001001"

#                                                                      anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("POST", "/v1/advisors/engagements"):                             "401  403  403  403  403  403  ok   403  403  403  403  403  403  403",
    ("GET", "/v1/advisors/engagements"):                              "401  403  403  ok   403  403  ok   ok   403  403  403  403  403  403",
    ("GET", "/v1/advisors/engagements/mine"):                         "401  403  403  403  403  403  403  403  403  ok   403  403  403  403",
    ("GET", "/v1/advisors/engagements/{engagement_id}"):              "401  403  403  ok   403  403  ok   404  403  ok   403  403  403  403",
    ("POST", "/v1/advisors/engagements/{engagement_id}/renewal"):     "401  403  403  403  403  403  409  404  403  403  403  403  403  403",
    ("POST", "/v1/advisors/engagements/{engagement_id}/check-in"):    "401  403  403  403  403  403  403  403  403  409  403  403  403  403",
    ("POST", "/v1/advisors/engagements/{engagement_id}/check-out"):   "401  403  403  403  403  403  403  403  403  422  403  403  403  403",
    ("GET", "/v1/advisors/engagements/{engagement_id}/entries"):      "401  403  403  ok   403  403  ok   404  403  ok   403  403  403  403",
    ("PUT", "/v1/advisors/villages/{code}/service-point"):            "401  403  403  403  403  403  409  403  403  403  403  403  403  403",
    ("GET", "/v1/advisors/villages/{code}/service-point"):            "401  403  403  ok   403  403  ok   404  403  ok   403  403  403  403",
    ("GET", "/v1/advisors/compliance"):                               "401  403  403  ok   403  403  ok   ok   403  403  403  403  403  403",
    ("POST", "/v1/advisors/log"):                                     "401  403  403  403  403  403  403  403  403  ok   403  403  403  403",
    ("GET", "/v1/advisors/villages/{code}/log"):                      "401  403  403  ok   403  403  ok   404  403  ok   403  403  403  403",
    ("POST", "/v1/advisors/villages/{code}/log/{month}/verification"): "401  403  403  409  403  403  403  403  403  403  403  403  403  403",
    ("POST", "/v1/advisors/villages/{code}/log/{month}/corrections"): "401  403  403  403  403  403  409  404  403  403  403  403  403  403",
    ("POST", "/v1/advisors/engagements/{engagement_id}/end"):         "401  403  403  403  403  403  409  404  403  403  403  403  403  403",
    ("PUT", "/v1/advisors/villages/{code}/log/entries/{entry_id}"):   "401  403  403  403  403  403  403  403  403  409  403  403  403  403",
    ("GET", "/v1/advisors/log-status"):                               "401  403  403  ok   403  403  ok   ok   403  403  403  403  403  403",
    ("PUT", "/v1/advisors/villages/{code}/evaluations/{year}/cadre-rating"): "401  403  403  409  403  403  403  403  403  403  403  403  403  403",
    ("PUT", "/v1/advisors/villages/{code}/evaluations/{year}"):       "401  403  403  403  403  403  409  404  403  403  403  403  403  403",
    ("GET", "/v1/advisors/villages/{code}/evaluations/{year}"):       "401  403  403  ok   403  403  ok   404  403  ok   403  403  403  403",
    ("GET", "/v1/advisors/evaluations"):                              "401  403  403  403  403  403  ok   ok   403  403  403  403  403  403",
    ("POST", "/v1/advisors/evaluations/export"):                      "401  403  403  403  403  403  ok   ok   403  403  403  403  403  403",
}

EMPTY_BODY_WRITES: set = set()
STALE = {("POST", "/v1/advisors/engagements/{engagement_id}/renewal"),
         ("POST", "/v1/advisors/engagements/{engagement_id}/end"),
         ("PUT", "/v1/advisors/villages/{code}/log/entries/{entry_id}"),
         ("PUT", "/v1/advisors/villages/{code}/service-point"),
         ("POST", "/v1/advisors/villages/{code}/log/{month}/verification"),
         ("POST", "/v1/advisors/villages/{code}/log/{month}/corrections"),
         ("PUT", "/v1/advisors/villages/{code}/evaluations/{year}/cadre-rating"),
         ("PUT", "/v1/advisors/villages/{code}/evaluations/{year}")}
_months = itertools.count()


def _past_month(_) -> dict:
    """Each engagement the administrator makes for real takes a month of its own in 2016–2024, when the
    village had no advisor, for the second lawyer (an urban advisor serves one village at a time)."""
    n = next(_months) % 100
    year, month = 2016 + n // 12, n % 12 + 1
    return {"year": year, "month": month}


def _engagement(p) -> dict:
    m = _past_month(p)
    return {"village": VILLAGE, "person_id": p["second_lawyer"], "account": "lawyer-2",
            "start": f"{m['year']}-{m['month']:02d}-01", "end": f"{m['year']}-{m['month']:02d}-28"}


POINT = {"name": "演示社区公共法律服务工作室", "address": "雕庄街道演示路 1 号", "lat": 31.7825, "lng": 119.9936}
HERE = {"lat": 31.7826, "lng": 119.9937}


def _before_the_check_in(p) -> dict:
    at = timeutil.to_shanghai(timeutil.now_utc() - timedelta(hours=1))
    return {**HERE, "at": at.isoformat()}


BODIES = {
    ("POST", "/v1/advisors/engagements"): _engagement,
    ("POST", "/v1/advisors/engagements/{engagement_id}/renewal"): lambda p: {"end": "2030-12-31", "version": 999},
    ("POST", "/v1/advisors/engagements/{engagement_id}/check-in"): lambda p: dict(HERE),
    ("POST", "/v1/advisors/engagements/{engagement_id}/check-out"): _before_the_check_in,
    ("PUT", "/v1/advisors/villages/{code}/service-point"): lambda p: {**POINT, "version": 999},
    ("POST", "/v1/advisors/log"): lambda p: _log_entry(),
    ("POST", "/v1/advisors/villages/{code}/log/{month}/verification"): lambda p: {"note": "情况属实", "version": 999},
    ("POST", "/v1/advisors/villages/{code}/log/{month}/corrections"):
        lambda p: {"reason": "重复登记撤销", "withdraw": p["log_entry"], "version": 999},
    ("PUT", "/v1/advisors/villages/{code}/evaluations/{year}/cadre-rating"):
        lambda p: {"rating": "satisfied", "version": 999},
    ("PUT", "/v1/advisors/villages/{code}/evaluations/{year}"): lambda p: {"version": 999},
    ("POST", "/v1/advisors/engagements/{engagement_id}/end"):
        lambda p: {"on": timeutil.today_shanghai().isoformat(), "reason": "合同到期前解除", "version": 999},
    ("PUT", "/v1/advisors/villages/{code}/log/entries/{entry_id}"):
        lambda p: {"duty": "consultation", "title": "村民土地承包咨询", "count": 4, "version": 999},
    ("POST", "/v1/advisors/evaluations/export"): lambda p: {"year": int(p["year"])},
}


def _log_entry() -> dict:
    return {"village": VILLAGE, "on": timeutil.today_shanghai().isoformat(), "duty": "consultation",
            "title": "村民土地承包咨询", "count": 3}


def world(scene) -> dict[str, str]:
    today = timeutil.today_shanghai()

    def lawyer(name: str, phone: str) -> str:
        return scene.create("/v1/people", {"name": name, "roles": ["lawyer"], "home_area": "320402",
                                           "duty": "村（社区）法律顾问", "phone": phone}, "adm")["id"]

    first, second = lawyer("陈立伟", "13800001202"), lawyer("郑浩", "13800001204")
    engagement = scene.create("/v1/advisors/engagements", {
        "village": VILLAGE, "person_id": first, "account": "lawyer-1",
        "start": today.replace(month=1, day=1).isoformat(), "end": today.replace(month=12, day=31).isoformat()},
        "adm")
    # the engagement made the service's record of the village (version 1); its service point is added to it
    response = scene.client.request("PUT", f"/v1/advisors/villages/{VILLAGE}/service-point",
                                    headers={**scene.headers("adm"), "Content-Type": "application/json"},
                                    body=json.dumps({**POINT, "version": 1}, ensure_ascii=False))
    assert response.status_code == 200, response.body
    scene.create(f"/v1/advisors/engagements/{engagement['id']}/check-in", dict(HERE), "law")
    logged = scene.create("/v1/advisors/log", _log_entry(), "law")
    response = scene.client.request("PUT", f"/v1/advisors/villages/{VILLAGE}/evaluations/{today.year}/cadre-rating",
                                    headers={**scene.headers("grid"), "Content-Type": "application/json"},
                                    body=json.dumps({"rating": "satisfied"}))
    assert response.status_code == 200, response.body
    return {"engagement_id": engagement["id"], "code": VILLAGE, "second_lawyer": second,
            "month": today.strftime("%Y-%m"), "log_entry": logged["id"], "year": str(today.year),
            "entry_id": logged["id"]}
