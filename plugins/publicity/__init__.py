"""`publicity` — 法治宣传 (SPEC P1): publicity activities recorded by publicists, grid workers and
administrators, announced ahead so residents find what is coming in their grid and the areas above it.

The same files as every service: `models.py`, `service.py`, `routes.py`, this `Plugin` object,
`DATA_MODEL.md` (keys and access patterns) and `proof.py` (its rows of the access matrix; tests only).
Photos and handouts are core files linked to an activity by the link rule below.
"""
from __future__ import annotations

from chalicelib.plugin import DemoIdentity, LinkRule, Plugin, ScreeningCheck, declared_on_first_use


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from plugins.publicity import quotas, registry, service
    from plugins.publicity.models import ENTITY
    from plugins.publicity.routes import bp

    return Plugin(
        name="publicity",
        title="法治宣传",
        blueprint=bp,
        parameters=quotas.PARAMETERS + registry.PARAMETERS,
        link_rules=(LinkRule(ENTITY, service.get),),
        demo_data=service.load_demo,
        demo_identities=(
            DemoIdentity("demo-p-zhenghao", "publicist", "320402001", "雕庄街道普法宣传员郑浩", "GET /v1/publicity/events"),
        ),
        screening_checks=(
            ScreeningCheck(quotas.VILLAGES_CHECK, "普法惠民服务、法治文化活动进度落后的村（社区）", quotas.villages_behind,
                           role="publicist"),
            ScreeningCheck(quotas.LECTURES_CHECK, "本季度尚无法律顾问法治讲座的村（社区）", quotas.lectures_behind,
                           role="publicist", cadence=("monthly", "half_monthly")),
            ScreeningCheck(quotas.DISTRICTS_CHECK, "法治文化作品进度落后的区县", quotas.districts_behind, role="publicist"),
        ),
    )


__getattr__ = declared_on_first_use(__name__, declare)
