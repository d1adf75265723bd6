"""Fixtures for the village legal advisors: a slice of the real tree with an urban community (天宁区) and
rural villages of 溧阳市 (320481), the rule versions of the seeds, and directory lawyers."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.platform import audit, storage
from tests.helpers import ok, post, seed_areas

VILLAGE = "320402001001"            # 演示社区, 天宁区 (urban: 1:1)
GRID = "320402001001001"
LIYANG = "320481"
LIYANG_VILLAGES = [f"320481100{n:03d}" for n in range(201, 206)]   # 溧阳市 南渡镇's villages (rural: ≤ 3)


@pytest.fixture
def areas(aws_backend):
    from chalicelib.domain.areas.models import Area
    from chalicelib.domain.policy import service as policy

    seed_areas()
    storage.put_new(Area(code="64", name="宁夏回族自治区", level="province"))
    storage.put_new(Area(code="6401", name="银川市", level="city", parent="64"))
    storage.put_new(Area(code=LIYANG, name="溧阳市", level="district", parent="3204"))
    storage.put_new(Area(code="320481100", name="南渡镇", level="town", parent=LIYANG))
    for n, code in enumerate(LIYANG_VILLAGES):
        storage.put_new(Area(code=code, name=f"南渡镇第{n + 1}村", level="village", parent="320481100"))
    policy.set_version(audit.SYSTEM, None, "advisors.max_villages_per_advisor", area_code=LIYANG, value=3,
                       effective_from=date(2021, 7, 20), label="溧阳市每名法律顾问挂钩村（社区）上限",
                       retroactive_reason="录入历史标准")
    for area, hours in (("3204", 8), ("6401", 4)):
        policy.set_version(audit.SYSTEM, None, "advisors.monthly_onsite_hours", area_code=area, value=hours,
                           effective_from=date(2021, 7, 20), label="每月驻村服务时长", retroactive_reason="录入历史标准")


@pytest.fixture
def admin(token):
    return token("admin-1", "admin", area="3204")


def lawyer(client, admin, name="陈立伟", home="320402") -> str:
    """A lawyer of the directory; returns the person id."""
    return ok(post(client, "/v1/people", {"name": name, "roles": ["lawyer"], "home_area": home,
                                           "duty": "村（社区）法律顾问", "phone": "13800001202"}, admin), 201)["id"]


def engage(client, admin, person, village=VILLAGE, account="lawyer-1", start=None, end=None, clock=None):
    today = clock.today if clock else None
    return post(client, "/v1/advisors/engagements", {
        "village": village, "person_id": person, "account": account,
        "start": start or (today.replace(month=1, day=1).isoformat() if today else "2026-01-01"),
        "end": end or (today.replace(month=12, day=31).isoformat() if today else "2026-12-31")}, admin)
