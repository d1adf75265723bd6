"""What `make dev` shows of the village legal advisors (SPEC V1, V2): the demo directory's lawyer engaged for
three rural villages of 溧阳市 through the service itself, their service points, verified visits of this
month and the log — loaded once however often the demo loads."""
from __future__ import annotations

import pytest

from chalicelib import plugin
from chalicelib.domain.areas.models import Area
from chalicelib.domain.directory.models import PersonIn
from chalicelib.domain.directory.service import create_person
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from tests.helpers import seed_areas
from tests.plugins.advisors.conftest import LIYANG, LIYANG_VILLAGES

pytestmark = pytest.mark.usefixtures("aws_backend")
ADMIN = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")


def _tree() -> list[str]:
    seed_areas()
    storage.put_new(Area(code=LIYANG, name="溧阳市", level="district", parent="3204"))
    storage.put_new(Area(code="320481100", name="南渡镇", level="town", parent=LIYANG))
    for n, code in enumerate(LIYANG_VILLAGES):
        storage.put_new(Area(code=code, name=f"南渡镇第{n + 1}村", level="village", parent="320481100"))
    return ["320481100", *LIYANG_VILLAGES]


def _context(codes: list[str]) -> plugin.DemoContext:
    return plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [c for c in codes if c.startswith(prefix)])


def test_loading_the_demo_twice_engages_the_demo_lawyer_once_and_the_compliance_shows_the_hours(clock):
    """SPEC V1 (≤ 3 villages in 溧阳), V2 (verified hours against 8 h a month, the work log)."""
    from plugins.advisors import service

    codes = _tree()
    create_person(ADMIN, PersonIn(name="陈立伟", roles=["lawyer", "legal_advisor"], home_area="320402",
                                  duty="村（社区）法律顾问", phone="13800001202", demo=True), person_id="demo-p-chenliwei")
    with clock.travel(days=15 - clock.today.day):    # mid-month: three days of visits before today
        service.load_demo(_context(codes))
        service.load_demo(_context(codes))
        engagements = service.in_area(ADMIN, LIYANG, limit=20, cursor=None).items
        assert sorted(e.id for e in engagements) == [f"{c}.demo-p-chenliwei.demo" for c in LIYANG_VILLAGES[:3]]
        assert {e.person_id for e in engagements} == {"demo-p-chenliwei"}
        report = {row.village: row for row in service.compliance(ADMIN, LIYANG, None, limit=20, cursor=None).items}
        first, second, third = (report[c] for c in LIYANG_VILLAGES[:3])
        assert (str(first.verified_hours), first.entries, first.met) == ("8.5", 1, True)
        assert (str(second.verified_hours), str(third.verified_hours)) == ("3.0", "3.0")
        assert second.unverified_hours == 0 and not second.met and "8 小时" in second.reason
        log = service.read_log(ADMIN, LIYANG_VILLAGES[0], None)
        assert log.entries == 2 and log.totals == {"consultations": 4, "village_rules": 1, "legal_documents": 1}
        point = service.get_point(ADMIN, LIYANG_VILLAGES[0])
        assert point.point_name == "南渡镇第1村公共法律服务工作室" and point.lat and point.lng


def test_without_the_demo_lawyer_the_demo_engages_nobody(clock):
    """SPEC V1: an advisor is a directory person; the demo leaves the villages alone when the directory's
    demo lawyer is not loaded."""
    from plugins.advisors import service

    service.load_demo(_context(_tree()))
    assert service.in_area(ADMIN, LIYANG, limit=20, cursor=None).items == []
