"""`publicity` — 法治宣传 (SPEC P1): publicity activities recorded by publicists, grid workers and
administrators, announced ahead so residents find what is coming in their grid and the areas above it.

The same files as every service: `models.py`, `service.py`, `routes.py`, this `Plugin` object,
`DATA_MODEL.md` (keys and access patterns) and `proof.py` (its rows of the access matrix; tests only).
Photos and handouts are core files linked to an activity by the link rule below.
"""
from __future__ import annotations

from chalicelib.plugin import DemoIdentity, LinkRule, Plugin, declared_on_first_use


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from plugins.publicity import service
    from plugins.publicity.models import ENTITY
    from plugins.publicity.routes import bp

    return Plugin(
        name="publicity",
        title="法治宣传",
        blueprint=bp,
        link_rules=(LinkRule(ENTITY, service.get),),
        demo_identities=(
            DemoIdentity("demo-p-zhenghao", "publicist", "320402001", "雕庄街道普法宣传员郑浩", "GET /v1/publicity/events"),
        ),
    )


__getattr__ = declared_on_first_use(__name__, declare)
