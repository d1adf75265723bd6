"""Issue 12 hooks: a corrections contact for each town, declared as a per-town coverage role (C3)."""
from __future__ import annotations

from tests.helpers import body


def test_the_corrections_contact_is_a_coverage_role_filled_per_town(client):
    roles = {r["code"]: r for r in body(client.get("/v1/coverage-roles"))["items"]}
    contact = roles["corrections_contact"]
    assert contact["source"] == "special-populations" and contact["level"] == "town" and contact["minimum"] == 1
