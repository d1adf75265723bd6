"""Issue 14 §2: the counts screening needs are tallies kept in the same transaction as the events they
count, read with one Query per shard instead of reading every record of it."""
from __future__ import annotations

import pytest

from chalicelib.domain.screening import tallies
from chalicelib.platform import storage
from chalicelib.platform.errors import Conflict

UNVISITED = "test.unvisited-households"


def household(number: int, grid: str) -> dict:
    return {"pk": f"household#{number}", "sk": "record", "entity": "household", "grid": grid}


def add_household(number: int, grid: str) -> None:
    storage.transact([storage.put_op(household(number, grid)), tallies.count_op(UNVISITED, grid)])


def test_a_tally_moves_with_the_event_it_counts_and_not_without_it(aws_backend):
    add_household(1, "320402001001001")
    add_household(2, "320402001001001")
    with pytest.raises(Conflict):
        add_household(1, "320402001001001")  # already there: the transaction fails, the tally stays
    assert dict(tallies.counts(UNVISITED, "320402")) == {"320402001001001": 2}


def test_a_shard_reads_one_tally_per_grid_below_it_and_zero_tallies_are_skipped(aws_backend):
    for number, grid in enumerate(["320402001001001", "320402001001002", "320404001001001"]):
        add_household(number, grid)
    storage.transact([storage.delete_op("household#1", "record"), tallies.count_op(UNVISITED, "320402001001002", -1)])
    assert list(tallies.counts(UNVISITED, "320402")) == [("320402001001001", 1)]
    assert list(tallies.counts(UNVISITED, "3204")) == [("320402001001001", 1), ("320404001001001", 1)]


def test_a_monthly_tally_keeps_each_month_apart(aws_backend):
    storage.transact([tallies.count_op("test.opened", "320402001001001", month="2026-10")])
    storage.transact([tallies.count_op("test.opened", "320402001001001", 2, month="2026-11")])
    assert dict(tallies.counts("test.opened", "320402", month="2026-10")) == {"320402001001001": 1}
    assert dict(tallies.counts("test.opened", "320402", month="2026-11")) == {"320402001001001": 2}
