"""The storage layer's promises (CONTRACT "Data"): never overwrite on create, never update blindly,
all-or-nothing transactions, exact pages with tamper-proof cursors. These same tests run against moto here
and against DynamoDB Local in tests/integration."""
from __future__ import annotations

from typing import ClassVar

import pytest

from chalicelib.platform import audit, storage
from chalicelib.platform.storage import keys
from chalicelib.platform.errors import BadRequest, Conflict, NotFound

ACTOR = audit.Actor(sub="admin-1", roles=("admin",), source_ip="127.0.0.1", request_id="req-test-0001")


class Note(storage.Record):
    entity: ClassVar[str] = "test-note"
    id: str
    folder: str
    text: str

    def key_attributes(self) -> dict[str, str]:
        return {**keys.record(self.entity, self.id), "gsi1pk": f"notes-in#{self.folder}", "gsi1sk": self.id}


def make(note_id: str, folder: str = "a", text: str = "你好") -> Note:
    return storage.put_new(Note(id=note_id, folder=folder, text=text))


def test_put_new_stores_a_readable_item_with_entity_and_version(aws_backend):
    make("n1")
    item = storage.get(**keys.record("test-note", "n1"))
    assert item["entity"] == "test-note" and item["text"] == "你好" and item["version"] == 1
    assert item["created_at"].endswith("+00:00")


def test_put_new_refuses_to_overwrite_an_existing_record(aws_backend):
    make("n1", text="first")
    with pytest.raises(Conflict) as caught:
        make("n1", text="second")
    assert caught.value.code == "already_exists"
    assert storage.get(**keys.record("test-note", "n1"))["text"] == "first"


def test_update_with_current_version_increments_it(aws_backend):
    note = make("n1")
    updated = storage.update(note, {"text": "改过"}, expected_version=1)
    stored = storage.get_record(Note, **keys.record("test-note", "n1"), consistent=True)
    assert updated.version == 2 and stored.version == 2 and stored.text == "改过"


def test_update_with_stale_version_is_a_conflict_and_changes_nothing(aws_backend):
    note = make("n1")
    storage.update(note, {"text": "第一次"}, expected_version=1)
    with pytest.raises(Conflict) as caught:
        storage.update(note, {"text": "第二次"}, expected_version=1)
    assert caught.value.code == "stale_version"
    assert storage.get(**keys.record("test-note", "n1"))["text"] == "第一次"


def test_update_of_a_vanished_record_is_not_found(aws_backend):
    ghost = storage.stamp_new(Note(id="ghost", folder="a", text="x"))
    with pytest.raises(NotFound):
        storage.update(ghost, {"text": "y"}, expected_version=1)


def test_update_moves_the_record_in_its_index(aws_backend):
    note = make("n1", folder="a")
    storage.update(note, {"folder": "b"}, expected_version=1)
    assert storage.query("notes-in#a", index="gsi1").items == []
    assert [i["id"] for i in storage.query("notes-in#b", index="gsi1").items] == ["n1"]


def test_a_failed_transaction_writes_nothing(aws_backend):
    with pytest.raises(Conflict):
        storage.put_new(Note(id="n2", folder="a", text="x"), also=[
            audit.entry(ACTOR, "create", "test-note", "n2", "新建"),
            storage.check_op(**keys.record("test-note", "does-not-exist")),
        ])
    assert storage.get(**keys.record("test-note", "n2")) is None
    assert audit.trail("test-note", "n2").items == []


def test_record_and_audit_entry_are_written_together(aws_backend):
    storage.put_new(Note(id="n3", folder="a", text="x"), also=[audit.entry(ACTOR, "create", "test-note", "n3", "新建")])
    [entry] = audit.trail("test-note", "n3").items
    assert entry["actor"] == "admin-1" and entry["action"] == "create" and entry["request_id"] == "req-test-0001"


@pytest.mark.parametrize("count", [0, 19, 20, 21, 45])
def test_pages_are_exact_and_the_last_page_has_no_cursor(aws_backend, count):
    for i in range(count):
        make(f"n{i:03d}")
    seen, cursor, pages = [], None, 0
    while True:
        page = storage.query("notes-in#a", index="gsi1", limit=20, cursor=cursor)
        pages += 1
        assert len(page.items) <= 20
        seen += [i["id"] for i in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"n{i:03d}" for i in range(count)]
    assert pages == max(1, -(-count // 20))


def test_a_tampered_cursor_is_a_bad_request(aws_backend):
    for i in range(3):
        make(f"n{i}")
    cursor = storage.query("notes-in#a", index="gsi1", limit=1).next_cursor
    forged = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (forged, "garbage", "a.b.c", ""):
        if not bad:
            continue
        with pytest.raises(BadRequest) as caught:
            storage.query("notes-in#a", index="gsi1", limit=1, cursor=bad)
        assert caught.value.code == "invalid_cursor"


def test_a_cursor_reveals_no_part_of_the_table_keys(aws_backend):
    """CONTRACT "cursors are opaque": not a base64 of the keys (they name owners, areas and sort values)."""
    import base64

    for i in range(3):
        make(f"n{i}")
    cursor = storage.query("notes-in#a", index="gsi1", limit=1).next_cursor
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    for secret in (b"notes-in", b"test-note", b"gsi1sk", b'"pk"'):  # long enough not to occur by chance
        assert secret not in raw and secret.decode() not in cursor
    assert storage.query("notes-in#a", index="gsi1", limit=1).next_cursor != cursor  # fresh nonce each time


def test_a_cursor_from_another_list_is_refused(aws_backend):
    for i in range(3):
        make(f"n{i}", folder="a")
        make(f"m{i}", folder="b")
    cursor = storage.query("notes-in#a", index="gsi1", limit=1).next_cursor
    with pytest.raises(BadRequest):
        storage.query("notes-in#b", index="gsi1", limit=1, cursor=cursor)


def test_get_many_reads_several_items_in_one_call(aws_backend):
    for i in range(3):
        make(f"n{i}")
    pairs = [tuple(keys.record("test-note", f"n{i}").values()) for i in range(4)]
    assert sorted(i["id"] for i in storage.get_many(pairs)) == ["n0", "n1", "n2"]


def test_key_parts_holding_the_separator_are_refused():
    with pytest.raises(ValueError):
        keys.compose("area", "32#04")


class Memo(storage.Record):
    entity: ClassVar[str] = "test-memo"
    id: str
    text: str
    reviewer: str | None = None

    def key_attributes(self) -> dict[str, str]:
        keys_ = keys.record(self.entity, self.id)
        if self.reviewer:  # listed under its reviewer only while it has one
            keys_.update(gsi1pk=f"memos-of#{self.reviewer}", gsi1sk=self.id)
        return keys_


def test_update_setting_a_field_to_none_removes_it_and_its_index_entry(aws_backend):
    memo = storage.put_new(Memo(id="m1", text="x", reviewer="lawyer-1"))
    storage.update(memo, {"reviewer": None}, expected_version=1)
    item = storage.get(**keys.record("test-memo", "m1"))
    assert "reviewer" not in item and "gsi1pk" not in item
    assert storage.query("memos-of#lawyer-1", index="gsi1").items == []


def test_an_update_decided_on_another_version_than_the_one_read_is_stale(aws_backend):
    """A client that saw version 2 while we read version 1 must not write, even if version 2 is what is
    stored by the time we write (a concurrent change between our read and our write)."""
    note = make("n1")
    with pytest.raises(Conflict) as caught:
        storage.update(note, {"text": "x"}, expected_version=2)
    assert caught.value.code == "stale_version"
    assert storage.get(**keys.record("test-note", "n1"))["version"] == 1


@pytest.mark.parametrize("record_id", ["a#b", "", "with space", "全角", "x" * 201])
def test_an_id_that_cannot_be_a_key_is_simply_not_found(aws_backend, record_id):
    assert storage.find(Note, "test-note", record_id) is None


class Line(storage.Record):
    """A child kept in its parent's partition (a table list), like a visit under its person."""
    entity: ClassVar[str] = "line"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("note", "table"),)
    id: str
    note: str

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.note, sort=("line", self.id))


def test_find_in_reads_a_child_at_its_place_in_the_parents_partition(aws_backend):
    storage.put_new(Line(id="l-1", note="n-1"))
    found = storage.find_in(Line, "note", "n-1", ("line", "l-1"))
    assert found is not None and found.note == "n-1"
    assert storage.find_in(Line, "note", "n-1", ("line", "l-2")) is None
    assert storage.find_in(Line, "note", "n-1", ("line", "l#1")) is None  # a path parameter: never a key error


class Count(storage.Record):
    """Counters kept as a record of their own (a month's tally), extra fields being the counts."""
    model_config = {"extra": "allow"}
    entity: ClassVar[str] = "test-count"
    id: str


def test_add_to_creates_a_counter_record_on_first_use_and_adds_inside_a_transaction(aws_backend):
    for _ in range(2):
        storage.transact([storage.add_to(Count, "320402-2026-11", {"opened": 1, "closed": 0})])
    found = storage.find(Count, "test-count", "320402-2026-11")
    assert found.id == "320402-2026-11" and (found.model_extra["opened"], found.model_extra["closed"]) == (2, 0)
    assert storage.get(**keys.record("test-count", "320402-2026-11"))["entity"] == "test-count"


def test_must_exist_checks_a_record_by_type_and_id_inside_the_transaction(aws_backend):
    make("n1")
    missing = NotFound("没有这条笔记", code="note_not_found")
    storage.transact([storage.must_exist(Note, "n1", missing, equals={"folder": "a"}),
                      storage.add_to(Count, "c", {"n": 1})])
    with pytest.raises(NotFound) as caught:
        storage.transact([storage.must_exist(Note, "n2", missing), storage.add_to(Count, "c", {"n": 1})])
    assert caught.value.code == "note_not_found" and storage.find(Count, "test-count", "c").model_extra["n"] == 1
    with pytest.raises(NotFound):   # an id that cannot be a key fails before any write
        storage.must_exist(Note, "n#1", missing)


def test_a_counter_hands_out_each_number_once_separately_for_each_sequence(aws_backend):
    """`storage.next_number`: 1, 2, 3 … per `of`, from one item read back like any (`entity` named)."""
    numbers = storage.Counter("test-numbers")
    assert [storage.next_number(numbers, ("320402", "2611")) for _ in range(3)] == [1, 2, 3]
    assert storage.next_number(numbers, ("320404", "2611")) == 1
    assert storage.next_number(numbers, ("320402", "2612")) == 1
    item = storage.get(**keys.sequence("test-numbers", "320402", "2611"))
    assert (item["entity"], item["count"]) == ("test-numbers", 3)
