"""`storage.every(..., until=)`: a list read only up to a bound of its sort key (a queue's entries whose
deadline has passed), so a job reads what it needs and not the whole list (issue 14 §2); `since=`: only from
a bound on (grants whose last day has not passed)."""
from __future__ import annotations

from typing import ClassVar

import pytest

from chalicelib.platform import storage
from tests.helpers import calls_during


class Entry(storage.Record):
    entity: ClassVar[str] = "test-entry"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("test-queue", "table"),)
    queue: str
    priority: int
    due: str

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.queue, sort=(self.priority, self.due))


def test_a_list_is_read_up_to_a_bound_within_its_prefix(aws_backend):
    for priority, due in [(0, "20261101"), (0, "20261120"), (0, "20261201"), (1, "20261102"), (2, "20261001")]:
        storage.put_new(Entry(queue="q", priority=priority, due=due))
    found = []
    calls = calls_during(lambda: found.extend(storage.every(Entry, "test-queue", "q", after=(0,), until=("20261130",))))
    assert [(i["priority"], i["due"]) for i in found] == [(0, "20261101"), (0, "20261120")] and calls == ["Query"]


def test_a_list_is_read_from_a_bound_to_the_end_of_its_prefix(aws_backend):
    for priority, due in [(0, "20261101"), (0, "20261130"), (0, "20261201"), (1, "20261102"), (1, "20261230")]:
        storage.put_new(Entry(queue="q", priority=priority, due=due))
    found = []
    calls = calls_during(lambda: found.extend(storage.every(Entry, "test-queue", "q", after=(0,), since=("20261130",))))
    assert [(i["priority"], i["due"]) for i in found] == [(0, "20261130"), (0, "20261201")] and calls == ["Query"]
    both = storage.every(Entry, "test-queue", "q", after=(0,), since=("20261102",), until=("20261130",))
    assert [i["due"] for i in both] == ["20261130"]  # both bounds together: the range between them


def test_an_upper_bound_without_a_prefix_reads_from_the_start_of_the_list(aws_backend):
    for priority, due in [(0, "20261101"), (1, "20261102"), (2, "20261001")]:
        storage.put_new(Entry(queue="q", priority=priority, due=due))
    found = []
    calls = calls_during(lambda: found.extend(storage.every(Entry, "test-queue", "q", until=(1, "20261130"))))
    assert [(i["priority"], i["due"]) for i in found] == [(0, "20261101"), (1, "20261102")] and calls == ["Query"]
    with pytest.raises(ValueError, match="not both"):
        storage.every(Entry, "test-queue", "q", until=(1,), through=(1,))


def test_through_reads_the_entries_at_its_bound_too_and_until_stops_before_them(aws_backend):
    """The notify relay's read (issue §3): messages due at this very moment are due, not left for the next run."""
    for priority, due in [(0, "20261101"), (1, "20261102"), (1, "20261103"), (2, "20261001")]:
        storage.put_new(Entry(queue="q", priority=priority, due=due))
    through = storage.page(Entry, "test-queue", "q", through=(1,), limit=10)
    assert [(i["priority"], i["due"]) for i in through.items] == [(0, "20261101"), (1, "20261102"), (1, "20261103")]
    until = storage.page(Entry, "test-queue", "q", until=(1,), limit=10)
    assert [(i["priority"], i["due"]) for i in until.items] == [(0, "20261101")]
    within = storage.every(Entry, "test-queue", "q", after=(1,), since=("20261102",), through=("20261102",))
    assert [i["due"] for i in within] == ["20261102"]


def test_a_page_is_read_from_a_bound_on_without_a_prefix(aws_backend):
    for due in ["20261101", "20261130", "20261201", "20261215"]:
        storage.put_new(Entry(queue="q", priority=0, due=due))
    storage.put_new(Entry(queue="q", priority=1, due="20261102"))
    first = storage.page(Entry, "test-queue", "q", after=(0,), since=("20261130",), limit=2)
    assert [i["due"] for i in first.items] == ["20261130", "20261201"] and first.next_cursor
    rest = storage.page(Entry, "test-queue", "q", after=(0,), since=("20261130",), limit=2, cursor=first.next_cursor)
    assert [i["due"] for i in rest.items] == ["20261215"] and rest.next_cursor is None
    unprefixed = storage.page(Entry, "test-queue", "q", since=(1,), limit=10)  # from a bound to the list's end
    assert [(i["priority"], i["due"]) for i in unprefixed.items] == [(1, "20261102")]
