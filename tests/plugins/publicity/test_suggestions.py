"""Targeted 普法: next month's topics and places from the month's hotline and petition counts, each with its
evidence (issue: "雕庄街道：劳动报酬纠纷 14 件，较上月 +9")."""
from __future__ import annotations

from chalicelib.domain.screening import sources, tallies
from chalicelib.platform import storage
from tests.helpers import ok
from tests.plugins.publicity.conftest import DISTRICT, GRID


def test_suggestions_cite_the_towns_counts_and_their_rise(client, staff, areas, clock):
    this, last = clock.month(), clock.month(-1)
    name = sources.category_tally("hotline")
    storage.transact([tallies.count_op(name, GRID, 14, month=this, subject="劳动报酬"),
                      tallies.count_op(name, GRID, 5, month=last, subject="劳动报酬"),
                      tallies.count_op(name, GRID[:12], 3, month=this, subject="物业管理"),
                      tallies.count_op(sources.category_tally("petition"), GRID[:9], 2, month=this,
                                       subject="劳动报酬")])
    found = ok(client.get(f"/v1/publicity/suggestions?area={DISTRICT}", headers=staff["publicist"]))
    assert found["plan_for"] == clock.month(1)
    first, second = found["items"]
    assert first["evidence"] == "雕庄街道：劳动报酬 16 件，较上月 +11" and "工资" in first["topic"]
    assert (second["category"], second["count"], second["kind"]) == ("物业管理", 3, "public_service")
