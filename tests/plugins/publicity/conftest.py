"""Fixtures for publicity activities: the slice of 常州's tree of tests/helpers.seed_areas, a directory
person and institution to organise, and the staff who record activities."""
from __future__ import annotations

import pytest

from tests.helpers import ok, post, seed_areas

GRID = "320402001001001"            # 第一网格 of 演示社区, 雕庄街道, 天宁区, 常州市
VILLAGE = "320402001001"
TOWN = "320402001"
DISTRICT = "320402"


@pytest.fixture
def areas(aws_backend):
    seed_areas()


@pytest.fixture
def staff(token):
    return {"publicist": token("publicist-1", "publicist", area=DISTRICT),
            "grid_worker": token("grid-1", "grid_worker", area=GRID),
            "admin": token("admin-1", "admin", area="3204"),
            "other_admin": token("admin-9", "admin", area="6401"),
            "other_grid": token("grid-9", "grid_worker", area="320404001001001"),
            "mediator": token("mediator-1", "mediator", area=DISTRICT),
            "resident": token("r-1")}


@pytest.fixture
def organiser(client, areas, staff) -> str:
    """A person of the core directory, the usual organiser of the activities below."""
    return ok(post(client, "/v1/people", {"name": "周雅琴", "roles": ["publicist"], "home_area": DISTRICT,
                                           "duty": "普法宣传员", "phone": "13800001301"}, staff["admin"]), 201)["id"]


@pytest.fixture
def event_body(clock, organiser):
    """A valid activity `days` ahead (negative: already held) at `area`, with any field overridden."""
    def make(days: int = 7, area: str = GRID, **fields) -> dict:
        return {"kind": "lecture", "area": area, "venue": "演示社区新时代文明实践站", "capacity": 80,
                "starts_at": clock.at(days, "09:00"), "ends_at": clock.at(days, "11:00"),
                "organiser": {"kind": "person", "id": organiser}, "theme": "民法典进社区",
                "audience": "社区居民", **fields}
    return make
