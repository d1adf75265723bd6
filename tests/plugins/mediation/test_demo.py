"""What a new user finds after `make dev`: with the core's demo committees in the directory (loaded before the
plugins), the mediation demo's roster makes the staffing check name the under-staffed village committee, and
the street committee whose second full-time mediator has not met the yearly training hours (SPEC M4)."""
from __future__ import annotations

import pytest

from chalicelib import plugin
from chalicelib.domain.directory.models import Institution
from chalicelib.platform import audit, storage
from tests.helpers import seed_areas


def test_the_demo_roster_leaves_the_village_committee_under_staffed(aws_backend, clock):
    from plugins.mediation import service
    from plugins.mediation.roster import understaffed

    seed_areas()
    for id, level, name, home in (("demo-mediation-diaozhuang", "town", "雕庄街道人民调解委员会", "320402001"),
                                  ("demo-mediation-chaoyang", "village", "朝阳花园社区人民调解委员会", "320402001001")):
        storage.put_new(Institution(id=id, kind="mediation_committee", level=level, name=name, home_area=home,
                                    serves=[home]))
    service.load_demo(plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: []))
    context = plugin.ScreeningContext(month=clock.month(), area="320402", as_of=clock.today)
    titles = {f.record: f.title for f in understaffed(context)}
    assert titles == {"demo-mediation-chaoyang": "朝阳花园社区人民调解委员会合格专职调解员 0 名，低于配备标准 1 名",
                      "demo-mediation-diaozhuang": "雕庄街道人民调解委员会合格专职调解员 1 名，低于配备标准 2 名"}


def test_the_demo_resident_finds_their_disputes_and_loading_twice_changes_nothing(aws_backend, clock):
    from chalicelib.platform.auth import Caller
    from plugins.mediation import service

    seed_areas()
    context = plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [])
    service.load_demo(context)
    service.load_demo(context)
    from plugins.mediation.models import Mediator

    trained = storage.require(Mediator, "demo-p-zhouyaqin").training_hours
    assert sum(trained.values()) == 28 and max(trained.values()) >= 24   # loaded once
    resident = Caller(sub="demo-resident-1", roles=frozenset({"resident"}), area=None)
    mine = {d.id: d for d in service.mine(resident, limit=10, cursor=None).items}
    assert set(mine) == {"demo-dispute-neighbour", "demo-dispute-settled"}
    assert mine["demo-dispute-neighbour"].holder.name == "周雅琴"
    assert mine["demo-dispute-settled"].confirmation_deadline.isoformat() == clock.day(30)
