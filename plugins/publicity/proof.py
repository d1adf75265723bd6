"""What the proof suite (tests/proof) needs of `publicity`: its rows of the access matrix (columns:
tests/proof/access.py CALLERS), valid bodies for its write routes, and the records its rows are asked
about. Tests only: no production code imports this module.

The world: the city's administrator enters a directory person (the organiser); 天宁区's publicist announces
a lecture in resident A's grid for next week. Anybody reads the kinds and what is coming in the grid;
publicists, grid workers and administrators record activities of their jurisdiction and read, edit and
cancel those (the grid's worker covers the grid; another city's administrator does not: 404); no other
role reaches the staff routes (403).
"""
from __future__ import annotations

import itertools
from datetime import timedelta

from chalicelib.platform import timeutil

GRID = "320402001001001"

#                                                                   anon resA resB grid off  offX adm  admX med  law  not  apr  pub  cor
ROWS = {
    ("GET", "/v1/publicity/kinds"):                                "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("GET", "/v1/publicity/areas/{area_code}/upcoming"):           "ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok   ok",
    ("POST", "/v1/publicity/events"):                              "401  403  403  ok   403  403  ok   403  403  403  403  403  ok   403",
    ("GET", "/v1/publicity/events"):                               "401  403  403  ok   403  403  ok   ok   403  403  403  403  ok   403",
    ("GET", "/v1/publicity/events/{event_id}"):                    "401  403  403  ok   403  403  ok   404  403  403  403  403  ok   403",
    ("PATCH", "/v1/publicity/events/{event_id}"):                  "401  403  403  409  403  403  409  404  403  403  403  403  409  403",
    ("POST", "/v1/publicity/events/{event_id}/cancellation"):      "401  403  403  409  403  403  409  404  403  403  403  403  409  403",
    ("POST", "/v1/publicity/events/{event_id}/reminder"):          "401  ok   ok   403  403  403  403  403  403  403  403  403  403  403",
    ("POST", "/v1/publicity/literates"):                           "401  403  403  ok   403  403  ok   403  403  403  403  403  ok   403",
    ("GET", "/v1/publicity/literates"):                            "401  403  403  ok   403  403  ok   ok   403  403  403  403  ok   403",
    ("GET", "/v1/publicity/literates/target"):                     "401  403  403  in   403  403  in   in   403  403  403  403  in   403",
    ("GET", "/v1/publicity/literates/{literate_id}"):              "401  403  403  ok   403  403  ok   404  403  403  403  403  ok   403",
    ("POST", "/v1/publicity/literates/{literate_id}/trainings"):    "401  403  403  409  403  403  409  404  403  403  403  403  409  403",
    ("POST", "/v1/publicity/literates/{literate_id}/activities"):   "401  403  403  409  403  403  409  404  403  403  403  403  409  403",
    ("POST", "/v1/publicity/literates/imports"):                   "401  403  403  422  403  403  422  422  403  403  403  403  422  403",
    ("GET", "/v1/publicity/suggestions"):                          "401  403  403  in   403  403  ok   ok   403  403  403  403  ok   403",
    ("GET", "/v1/publicity/quotas"):                               "401  403  403  ok   403  403  in   in   403  403  403  403  ok   403",
}

EMPTY_BODY_WRITES: set = set()
STALE = {("PATCH", "/v1/publicity/events/{event_id}"),
         ("POST", "/v1/publicity/events/{event_id}/cancellation"),
         ("POST", "/v1/publicity/literates/{literate_id}/trainings"),
         ("POST", "/v1/publicity/literates/{literate_id}/activities")}
_SEQUENCE = itertools.count(1)


def _literate(p=None) -> dict:
    """A 法律明白人 of resident A's grid, a new ID number at each call (each entitled caller registers one)."""
    from chalicelib.platform import pii

    first17 = f"32040219700101{next(_SEQUENCE) % 1000:03d}"
    return {"name": "王秀兰", "id_number": first17 + pii.check_character(first17), "phone": "13800001302",
            "grid": GRID, "trainings": [{"course": "民法典专题培训", "hours": "4", "on": "2024-05-10"}]}


def _next_week(hour: int) -> str:
    day = timeutil.today_shanghai() + timedelta(days=7)
    return f"{day.isoformat()}T{hour:02d}:00:00+08:00"


def _lecture(p) -> dict:
    return {"kind": "lecture", "area": GRID, "venue": "演示社区新时代文明实践站", "capacity": 80,
            "starts_at": _next_week(9), "ends_at": _next_week(11),
            "organiser": {"kind": "person", "id": p["organiser_id"]},
            "theme": "民法典进社区", "audience": "社区居民"}


BODIES = {
    ("POST", "/v1/publicity/events"): _lecture,
    ("PATCH", "/v1/publicity/events/{event_id}"): lambda p: {"theme": "民法典与婚姻家庭", "version": 999},
    ("POST", "/v1/publicity/events/{event_id}/cancellation"): lambda p: {"reason": "场地临时调整", "version": 999},
    ("POST", "/v1/publicity/literates"): _literate,
    ("POST", "/v1/publicity/events/{event_id}/reminder"): lambda p: {},
    ("POST", "/v1/publicity/literates/{literate_id}/trainings"):
        lambda p: {"course": "人民调解实务", "hours": "2", "on": "2025-03-01", "version": 999},
    ("POST", "/v1/publicity/literates/{literate_id}/activities"): lambda p: {"event_id": p["event_id"], "version": 999},
    ("POST", "/v1/publicity/literates/imports"): lambda p: {"file_id": "no-such-file"},
}


def world(scene) -> dict[str, str]:
    organiser = scene.create("/v1/people", {"name": "周雅琴", "roles": ["publicist"], "home_area": "320402",
                                            "duty": "普法宣传员", "phone": "13800001301"}, "adm")["id"]
    event = scene.create("/v1/publicity/events", _lecture({"organiser_id": organiser}), "pub")
    literate = scene.create("/v1/publicity/literates", _literate(), "pub")
    return {"event_id": event["id"], "area_code": GRID, "organiser_id": organiser, "literate_id": literate["id"]}


# --- the privacy walk (tests/proof/test_privacy.py) ----------------------------------------------------------
LITERATE_PHONE = "13912340301"
# Nobody reads a 法律明白人's numbers in full: staff of the grid see them masked, others not at all.
PRIVACY_NOT_ENTITLED = [
    ("/v1/publicity/literates/{literate}", ("grid worker", "admin", "other grid worker", "resident")),
    ("/v1/publicity/literates", ("grid worker", "admin")),
]


def privacy_secrets() -> dict[str, str]:
    """A 法律明白人's ID number (check character X, so both cases are looked for) and phone."""
    from chalicelib.platform import pii

    number = next(n for n in (f"32040219750505{s:03d}" for s in range(1, 999)) if pii.check_character(n) == "X")
    return {"literate id": number + "X", "literate phone": LITERATE_PHONE}


def privacy_walk(walk) -> dict[str, str]:
    """The grid's worker registers a 法律明白人 with the ID number typed with a lower-case x, and the phone."""
    from tests.helpers import ok, post

    made = ok(post(walk.client, "/v1/publicity/literates", {
        "name": "王秀兰", "id_number": walk.secrets["literate id"].lower(), "phone": LITERATE_PHONE, "grid": GRID},
        walk.callers["grid worker"]), 201)
    return {"literate": made["id"]}
