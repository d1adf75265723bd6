"""`special-populations` — 特殊人群 (SPEC S1–S5): community-correction subjects, resettlement and aftercare.

The most sensitive data in the system. Categories are derived from dated legal events for any day
(`criteria.py`, on the core rules engine), never typed; corrections officers of a person's district read
the full record, the grid worker of the person's grid sees the grid list with only what a visit needs,
and everyone else gets 404; every read is audited (`service.py` states the access rules).
"""
from __future__ import annotations

from chalicelib.plugin import CoverageRole, DemoIdentity, Plugin, ScreeningCheck, declared_on_first_use


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from plugins.special_populations import checks, demo
    from plugins.special_populations.params import PARAMETERS
    from plugins.special_populations.routes import bp

    return Plugin(
        name="special-populations",
        title="特殊人群服务管理",
        blueprint=bp,
        parameters=PARAMETERS,
        # One corrections contact per town (the 司法所 that works with the district's corrections office): filled
        # at the town, so a grid's coverage looks for it on the grid's town.
        coverage_roles=(CoverageRole("corrections_contact", "社区矫正联络员（每个镇街）", 1, level="town"),),
        screening_checks=(
            ScreeningCheck(checks.CATEGORY_CHANGES, "特殊人群类别变动（仅计数）", checks.category_changes),
            ScreeningCheck(checks.OVERDUE_VISITS, "特殊人群走访逾期（仅计数）", checks.overdue_visits),
            ScreeningCheck(checks.MISSED_REPORT_IN, "社区矫正对象未按期报到（仅计数）", checks.missed_report_in),
        ),
        demo_data=demo.load_demo,
        demo_identities=(
            DemoIdentity("demo-corrections-320402", "corrections_officer", "320402", "天宁区社区矫正工作人员",
                         "GET /v1/special-populations/people"),
            DemoIdentity("gw-1001", "grid_worker", demo.GRID_1, "雕庄街道朝阳花园社区第一网格网格员（名单只给本网格的网格员）",
                         "GET /v1/special-populations/grid-list"),
        ),
    )


__getattr__ = declared_on_first_use(__name__, declare)
