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


def test_a_keyed_requests_first_batch_read_carries_its_claim_so_a_numbered_create_reads_it_no_more(aws_backend):
    """CONTRACT Idempotency-Key at its floor: the claim is looked up with the request's first BatchGetItem
    (not returned to its caller), and `next_number` answers a replay from that look, with no call of its own
    and no number taken."""
    from chalicelib.platform.storage import idempotency
    from tests.helpers import calls_during

    make("n0")
    pairs = [tuple(keys.record("test-note", "n0").values())]
    numbers = storage.Counter("test-numbers")
    first = idempotency.Claim.of("r-1", "POST", "/v1/notes", "key-1", b"{}")
    with idempotency.claiming(first):
        assert [i["id"] for i in storage.get_many(pairs)] == ["n0"] and first.looked_up and first.seen is None
        storage.put_new(Note(id="n1", folder="a", text="记"), also=[audit.entry(ACTOR, "create", "test-note", "n1", "新建")])
    replayed: list[idempotency.Replayed] = []

    def number() -> None:
        try:
            storage.next_number(numbers, ("x",))
        except idempotency.Replayed as exc:
            replayed.append(exc)

    with idempotency.claiming(idempotency.Claim.of("r-1", "POST", "/v1/notes", "key-1", b"{}")):
        assert calls_during(lambda: storage.get_many(pairs)) == ["BatchGetItem"]
        assert calls_during(number) == []
    assert [r.record_key for r in replayed] == [("test-note#n1", "record")]
    assert storage.next_number(numbers, ("x",)) == 1  # the replay took no number


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
    assert storage.read(Note, record_id) is None


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
    found = storage.read(Count, "320402-2026-11")
    assert found.id == "320402-2026-11" and (found.model_extra["opened"], found.model_extra["closed"]) == (2, 0)
    assert storage.get(**keys.record("test-count", "320402-2026-11"))["entity"] == "test-count"


def test_must_exist_checks_a_record_by_type_and_id_inside_the_transaction(aws_backend):
    make("n1")
    missing = NotFound("没有这条笔记", code="note_not_found")
    storage.transact([storage.must_exist(Note, "n1", missing, equals={"folder": "a"}),
                      storage.add_to(Count, "c", {"n": 1})])
    with pytest.raises(NotFound) as caught:
        storage.transact([storage.must_exist(Note, "n2", missing), storage.add_to(Count, "c", {"n": 1})])
    assert caught.value.code == "note_not_found" and storage.read(Count, "c").model_extra["n"] == 1
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


# --- the core's records keep their stored keys (no data migration) ----------------------------------------
# The literal strings are the keys these records were stored under when each service built them by hand.

def test_account_records_keep_the_keys_they_were_stored_under(clock):
    from chalicelib.domain.accounts import models as a

    staff = a.StaffAccount(sub="s-1", name="王", roles=["admin"], area="320402001")
    assert staff.key_attributes() == {"pk": "staff-account#s-1", "sk": "record",
                                      "gsi1pk": "staff-account@3204", "gsi1sk": "320402001#s-1"}
    assert a.Resident(sub="r-1").key_attributes() == {"pk": "resident#r-1", "sk": "record",  # heads its sessions' list
                                                      "gsi1pk": "session-by#r-1", "gsi1sk": "account"}
    assert a.ResidentLink(openid_hash="h1", sub="r-1").key_attributes() == {"pk": "openid-resident#h1", "sk": "record"}
    assert a.StaffLink(openid_hash="h1", sub="s-1").key_attributes() == {"pk": "openid-staff#h1", "sk": "record"}
    session = a.Session(id="f1", sub="r-1", kind="resident", expires_at=clock.now, refresh_expires_at=clock.now,
                        ttl=1, created_at=clock.now)
    assert session.key_attributes() == {"pk": "session#f1", "sk": "record", "gsi1pk": "session-by#r-1",
                                        "gsi1sk": f"{clock.now.isoformat()}#f1"}
    assert a.RefreshToken(token_hash="t1", session_id="f1", generation=1, ttl=1).key_attributes() \
        == {"pk": "refresh-token#t1", "sk": "record"}
    assert a.StaffInvite(code_hash="c1", sub="s-1", expires_at=clock.now, ttl=1).key_attributes() \
        == {"pk": "staff-invite#c1", "sk": "record"}
    assert a.IdNumberClaim(id_hash="i1", sub="r-1").key_attributes() == {"pk": "id-number#i1", "sk": "record"}
    assert a.RateCounter(scope="signin-ip", subject="ab", window=60).key_attributes() \
        == {"pk": "rate#signin-ip#ab#60", "sk": "record"}


def test_an_area_keeps_its_children_and_per_level_list_keys_and_a_province_stays_out_of_the_level_list():
    from chalicelib.domain.areas.models import Area, BoardDirty, BoardStamp

    grid = Area(code="320402001001001", name="一网格", level="grid", parent="320402001001")
    assert grid.key_attributes() == {"pk": "area#320402001001001", "sk": "record",
                                     "gsi1pk": "area-children#320402001001", "gsi1sk": "320402001001001",
                                     "gsi2pk": "area-level@3204#grid", "gsi2sk": "320402001001001"}
    assert Area(code="32", name="江苏省", level="province").key_attributes() == {
        "pk": "area#32", "sk": "record", "gsi1pk": "area-children#root", "gsi1sk": "32"}
    assert BoardStamp.own_key("3204") == {"pk": "board-stamp#3204", "sk": "record"}
    assert BoardDirty(area="320402001").key_attributes() == {"pk": "board-dirty#all", "sk": "320402001"}


def test_an_audit_entry_stands_in_its_record_s_trail_its_actor_s_list_and_its_shanghai_day_s(clock):
    """docs/data-model.md patterns 4-6: the trail newest first by time, by actor, by day in Asia/Shanghai."""
    from chalicelib.platform.audit import Entry
    from chalicelib.platform.timeutil import iso, parse_moment

    at = parse_moment(clock.at(0, "01:30"))  # still the day before in UTC
    entry = Entry(event_id="e1", at=at, action="read", target_entity="file", target_id="f1", summary="查看",
                  actor="gw-1", actor_roles=["grid_worker"])
    assert entry.key_attributes() == {
        "pk": "audit#file#f1", "sk": f"{iso(at)}#e1", "gsi1pk": "audit-by#gw-1", "gsi1sk": iso(at),
        "gsi2pk": f"audit-day#{clock.day()}", "gsi2sk": f"{iso(at)}#e1"}
    assert "version" not in entry.to_item()


def test_directory_records_keep_their_area_kind_roster_and_area_links_keys():
    from chalicelib.domain.directory.models import AreaLinks, Institution, Person, ServedBy

    inst = Institution(id="i-1", kind="law_firm", name="天宁公证处", home_area="320402", serves=["320402001"])
    assert inst.key_attributes() == {"pk": "institution#i-1", "sk": "record",
                                     "gsi1pk": "institution@3204", "gsi1sk": "320402#i-1",
                                     "gsi2pk": "institution-law_firm@3204", "gsi2sk": "320402#i-1"}
    person = Person(id="p-1", name="周雅琴", roles=["mediator"], home_area="320402001", institution_id="i-1",
                    duty="调解", phone_cipher="x", phone_hash="h", phone_masked="138****0000")
    assert person.key_attributes() == {"pk": "person#p-1", "sk": "record", "gsi1pk": "person@3204",
                                       "gsi1sk": "320402001#p-1", "gsi2pk": "person@i-1", "gsi2sk": "p-1"}
    assert set(person.model_copy(update={"institution_id": None}).key_attributes()) == {"pk", "sk", "gsi1pk", "gsi1sk"}
    links = AreaLinks(area="320402001", entries={"serves.i-1": ServedBy.of(inst).model_dump(exclude_none=True)})
    assert links.to_item() == {
        "pk": "area-links#320402001", "sk": "record", "entity": "area-links", "area": "320402001",
        "entry:serves.i-1": {"id": "i-1", "kind": "law_firm", "name": "天宁公证处", "demo": False}}
    assert AreaLinks.from_item(links.to_item()) == links


def test_an_active_assignment_keeps_its_role_and_area_list_keys_and_an_ended_one_only_its_record_key():
    from chalicelib.domain.coverage.models import Assignment

    active = Assignment(id="legal_literate.320402001001001.person.p-1", role="legal_literate",
                        area="320402001001001", assignee_kind="person", assignee_id="p-1")
    assert active.key_attributes() == {
        "pk": "assignment#legal_literate.320402001001001.person.p-1", "sk": "record",
        "gsi1pk": "assignment@legal_literate@320402", "gsi1sk": "320402001001001#person#p-1"}
    assert active.model_copy(update={"status": "ended"}).key_attributes() == {
        "pk": "assignment#legal_literate.320402001001001.person.p-1", "sk": "record"}


def test_an_available_leaflet_and_a_linked_file_keep_their_list_keys_and_a_pending_file_only_its_record_key(clock):
    from chalicelib.domain.files.service import StoredFile

    fields = dict(id="f1", kind="leaflet", title="普法", area="320402", owner="s-1", content_type="application/pdf",
                  size_bytes=10, sha256="0" * 64, bucket="b", key="k", created_at=clock.now)
    sort = f"{clock.now.isoformat()}~f1"
    assert StoredFile(**fields).key_attributes() == {"pk": "file#f1", "sk": "record"}
    assert StoredFile(**fields, status="available").key_attributes() == {
        "pk": "file#f1", "sk": "record", "gsi1pk": "leaflet@3204", "gsi1sk": f"320402#{sort}"}
    linked = StoredFile(**{**fields, "kind": "attachment"}, status="available", linked_record="ticket:t-1")
    assert linked.key_attributes() == {"pk": "file#f1", "sk": "record", "gsi2pk": "files-for#ticket#t-1",
                                       "gsi2sk": sort}


def test_rota_records_keep_their_service_point_lists_and_the_ledger_its_key(clock):
    import datetime as dt

    from chalicelib.domain.rota.models import Activity, Commitment, DutySlot, RotaLedger

    slot = DutySlot(id="d1", institution_id="i-1", person_id="p-1", weekday=3, start="09:00", end="11:30",
                    duty="值班律师", effective_from=dt.date(2026, 12, 1))
    assert slot.key_attributes() == {"pk": "duty-slot#d1", "sk": "record", "gsi1pk": "duty-slot@i-1",
                                     "gsi1sk": "3#09:00#d1"}
    assert slot.model_copy(update={"status": "withdrawn"}).key_attributes() == {"pk": "duty-slot#d1", "sk": "record"}
    day = clock.today
    month = day.strftime("%Y-%m")
    activity = Activity(id=f"i-1.{month}", institution_id="i-1", month=month, date=day,
                        start="14:00", end="16:00", theme="民法典进社区")
    assert activity.key_attributes() == {"pk": f"activity#i-1.{month}", "sk": "record", "gsi1pk": "activity@i-1",
                                         "gsi1sk": f"{day.isoformat()}#14:00"}
    assert activity.model_copy(update={"status": "withdrawn"}).key_attributes() == {
        "pk": f"activity#i-1.{month}", "sk": "record"}
    duty = Commitment(kind="duty", record_id="duty-slot.d1", institution_id="i-1", place="天宁站", start="09:00",
                      end="11:30", weekday=3, effective_from=dt.date(2026, 12, 1))
    ledger = RotaLedger(person_id="p-1", commitments={duty.record_id: duty}, created_at=clock.now,
                        updated_at=clock.now)
    # The item as the service wrote it by hand: the commitments as JSON, no empty fields.
    assert storage.plain(ledger.to_item()) == storage.plain({
        "pk": "rota-by#p-1", "sk": "record", "entity": "rota-ledger", "person_id": "p-1", "version": 1,
        "created_at": clock.now, "updated_at": clock.now,
        "commitments": {"duty-slot.d1": duty.model_dump(exclude_none=True, mode="json")}})


def test_a_menu_keeps_its_area_key_and_a_stored_board_its_item_as_written_by_hand(clock):
    from chalicelib.domain.board.models import AreaMenu, MenuItemIn, StoredBoard

    menu = AreaMenu(area="320402001", items=[MenuItemIn(key="property-disputes", title="物业纠纷调解")])
    assert menu.key_attributes() == {"pk": "area-menu#320402001", "sk": "record"}
    board = StoredBoard(grid="320402001001001", stamp=3, as_of=clock.now.date(), until=clock.now.date(),
                        services="a,b|c", board="{}")
    assert storage.plain(board.to_item()) == {
        "pk": "grid-board#320402001001001", "sk": "record", "entity": "grid-board", "stamp": 3,
        "as_of": clock.now.date().isoformat(), "until": clock.now.date().isoformat(), "services": "a,b|c",
        "board": "{}"}
    assert StoredBoard.from_item(board.to_item()).stamp == 3  # read back without its key repeated in the item


def test_tickets_their_list_entries_and_number_counters_keep_their_keys(clock):
    """SPEC C5: a ticket at its code, in its owner's held list by due day and its city's bucket list; the
    resident's list entry and the due-day entry in the table; a district's month counter."""
    from chalicelib.domain.intake.models import DueEntry, MineEntry, Ticket
    from chalicelib.platform.timeutil import iso

    due, code, at = clock.today.isoformat(), "FW-320402-2611-0042", iso(clock.now)  # stored in UTC
    ticket = Ticket(id=code, channel="counter", grid="320402001001001", category="consultation", text="咨询",
                    received_by="s-1", owner="s-1", status="accepted", received_on=clock.today,
                    due_on=clock.today, deadline_days=3, deadline_basis="默认")
    assert ticket.key_attributes() == {
        "pk": f"intake-ticket#{code}", "sk": "record", "gsi1pk": "intake-held-by#s-1", "gsi1sk": f"{due}#{code}",
        "gsi2pk": "intake-area#3204#unrouted", "gsi2sk": f"320402001001001#{due}#{code}"}
    closed = ticket.model_copy(update={"status": "closed", "closed_at": clock.now}).key_attributes()
    assert closed == {"pk": f"intake-ticket#{code}", "sk": "record", "gsi2pk": "intake-area#3204#closed",
                      "gsi2sk": f"320402001001001#{at}#{code}"}
    entry = MineEntry(ticket=code, resident="r-1", category="consultation", status="accepted",
                      received_at=clock.now, due_on=clock.today)
    assert entry.key_attributes() == {"pk": "intake-mine-by#r-1", "sk": f"{at}#{code}"}
    assert DueEntry(ticket=code, due_on=clock.today).key_attributes() == {"pk": f"intake-due#{due}", "sk": code}
    assert keys.sequence("intake-counter", "320402", "2611") == {"pk": "intake-counter#320402#2611", "sk": "count"}


def test_ratings_rectifications_and_messages_keep_their_keys(clock):
    """SPEC C6: a rating and its task at the ticket's code, listed per city by month (and the task while
    open, by its deadline); a message per city while open and by month."""
    from chalicelib.domain.feedback.models import Message, Rating, Rectification

    due, code, grid = clock.today.isoformat(), "FW-320402-2611-0042", "320402001001001"
    rating = Rating(id=code, grid=grid, month="2026-11", rater="r-1", staff="s-1", attitude="dissatisfied",
                    efficiency="satisfied", competence="satisfied", overall="dissatisfied")
    assert rating.key_attributes() == {"pk": f"feedback-rating#{code}", "sk": "record",
                                       "gsi2pk": "feedback-rating-month#3204#2026-11", "gsi2sk": f"{grid}#{code}"}
    task = Rectification(id=code, grid=grid, month="2026-11", staff="s-1", opened_on=clock.today,
                         callback_due=clock.today, rectify_due=clock.today, basis="默认")
    assert task.key_attributes() == {
        "pk": f"feedback-rectification#{code}", "sk": "record", "gsi1pk": "feedback-rectification-open#3204#open",
        "gsi1sk": f"{grid}#{due}#{code}", "gsi2pk": "feedback-rectification-month#3204#2026-11",
        "gsi2sk": f"{grid}#{code}"}
    message = Message(id="m1", kind="suggestion", area="320402001", text="建议", month="2026-11",
                      received_on=clock.today, reply_due=clock.today, basis="默认")
    assert message.key_attributes() == {
        "pk": "feedback-message#m1", "sk": "record", "gsi1pk": "feedback-message-open#3204#open",
        "gsi1sk": f"320402001#{due}#m1", "gsi2pk": "feedback-message-month#3204#2026-11", "gsi2sk": "320402001#m1"}


def test_screening_runs_findings_tallies_and_mappings_keep_their_keys_and_items(clock):
    import datetime as dt

    from chalicelib import plugin
    from chalicelib.domain.screening import service as screening, sources, tallies
    from chalicelib.domain.screening.layout import StoredFinding
    from chalicelib.platform.timeutil import SHANGHAI

    run = screening.ScreeningRun(month="2026-11", kind="month", scope="all", as_of=clock.today,
                                 started_at=clock.now, requested_by="schedule")
    assert run.key_attributes() == {"pk": "screening-run#2026-11", "sk": "month#all"}
    finding = plugin.Finding(check="legal-aid.over#due", area="320402001", severity="risk", title="逾期",
                             record="case#1", due=clock.today)
    month = StoredFinding.of("month", finding, 3, service="legal_aid", month="2026-11", generation=2)
    # The item as the shard wrote it by hand: the finding's fields (None left out), no version.
    assert storage.plain(month.to_item()) == {
        "pk": "screening#2026-11#3204", "sk": "finding#320402001#legal-aid.over_due#case_1",
        "entity": "screening-finding", "service": "legal_aid", "month": "2026-11", "generation": 2,
        "check": "legal-aid.over#due", "area": "320402001", "severity": "risk", "title": "逾期", "detail": "",
        "record": "case#1", "due": clock.today.isoformat()}
    unnamed = plugin.Finding(check="c", area="320402", severity="info", title="t")
    assert StoredFinding.of("preview", unnamed, 7, service="s", month="2026-11", generation=1).key_attributes() \
        == {"pk": "screening-preview#2026-11#3204", "sk": "finding#320402#c#n00007"}
    assert StoredFinding.of("half_monthly", unnamed, 0, service="s", month="2026-11", generation=1).key_attributes() \
        == {"pk": "screening-half_monthly#2026-11#3204", "sk": "finding#320402#c#n00000"}
    assert StoredFinding.from_item(month.to_item()).subject == "case_1"
    assert tallies.Tally(name="hotline.category", area="320402001", subject="劳动#保障", month="2026-11") \
        .key_attributes() == {"pk": "tally#hotline.category#2026-11#3204", "sk": "320402001#劳动_保障"}
    assert tallies.Tally(name="unvisited", area="320402001001001").key_attributes() == {
        "pk": "tally#unvisited#3204", "sk": "320402001001001"}
    mapping = sources.ColumnMapping(kind="hotline", city="3204", updated_by="s-1", updated_at=clock.now)
    assert mapping.key_attributes() == {"pk": "source-mapping#hotline#3204", "sk": "record"}
    order = sources.work_order_item("petition", "3204", "320402001", {
        "order_no": "XF(2026)/11-3", "called_at": clock.now, "category": "劳动保障", "content": "欠薪",
        "district": "天宁区", "town": None, "phone": None}, "imp-1")
    # The item as the import wrote it by hand: no version (each import writes it over), no empty fields.
    month = clock.now.astimezone(SHANGHAI).strftime("%Y-%m")
    item = storage.plain(order.to_item())
    assert item.pop("imported_at") and item == {
        "pk": "work-order#petition#3204", "sk": "XF(2026)/11-3", "gsi1pk": f"work-orders@petition#{month}#3204",
        "gsi1sk": "320402001#XF(2026)/11-3", "entity": "work-order", "kind": "petition", "city": "3204",
        "area": "320402001", "month": month, "order_no": "XF(2026)/11-3", "import_id": "imp-1",
        "called_at": storage.plain(clock.now), "category": "劳动保障", "content": "欠薪"}


def test_a_policy_timeline_and_its_versions_keep_the_partition_of_their_parameter_at_their_area():
    import datetime as dt

    from chalicelib.domain.policy.service import Timeline, Version

    name = "means.income_threshold_monthly"
    assert Timeline(name=name, area="3204").key_attributes() == {"pk": f"policy#{name}#3204", "sk": "timeline"}
    version = Version(version_id="3204-20210801-0a1b2c3d", name=name, area="3204", value=2280, unit="元/月",
                      effective_from=dt.date(2021, 8, 1), label="常州市最低工资标准", set_by="s-1")
    assert version.key_attributes() == {"pk": f"policy#{name}#3204", "sk": "v#2021-08-01#0a1b2c3d"}
    assert Timeline(name=name, area="root").key_attributes()["pk"] == f"policy#{name}#root"


def test_the_demo_markers_keep_their_keys_and_carry_their_fingerprint(clock):
    from chalicelib.demo import DemoSeed

    assert storage.plain(DemoSeed(id="directory", fingerprint="f1", roles=["legal_literate"]).to_item()) == {
        "pk": "demo-seed#directory", "sk": "record", "entity": "demo-seed", "id": "directory", "fingerprint": "f1",
        "roles": ["legal_literate"]}
    assert DemoSeed(id="areas", fingerprint="f1", loaded_at=clock.now, areas=3).key_attributes() == {
        "pk": "demo-seed#areas", "sk": "record"}


def test_a_tally_op_adds_into_its_item_and_sets_its_fields_as_written_by_hand(aws_backend):
    from chalicelib.domain.screening import tallies

    storage.transact([tallies.count_op("hotline.category", "320402001", 2, month="2026-11", subject="劳动")])
    storage.transact([tallies.count_op("hotline.category", "320402001", -1, month="2026-11", subject="劳动")])
    assert storage.get("tally#hotline.category#2026-11#3204", "320402001#劳动") == {
        "pk": "tally#hotline.category#2026-11#3204", "sk": "320402001#劳动", "count": 1,
        "entity": "screening-tally", "name": "hotline.category", "area": "320402001", "subject": "劳动"}


# --- records named by their key fields: read, check, delete, amend, tally -------------------------------------

class Link(storage.Record):
    entity: ClassVar[str] = "test-link"
    key_fields: ClassVar[tuple[str, ...]] = ("hash",)
    hash: str
    sub: str


class Hits(storage.Record):
    entity: ClassVar[str] = "test-hits"
    key_prefix: ClassVar[str] = "hits"
    key_fields: ClassVar[tuple[str, ...]] = ("scope", "window")
    scope: str
    window: int
    count: int = 0


def test_find_each_reads_records_of_several_types_in_one_batch_by_the_ids_asked(aws_backend):
    from tests.helpers import calls_during

    storage.put_new(Link(hash="abc", sub="r-1"))
    make("n1")
    found = {}
    calls = calls_during(lambda: found.update(storage.find_each({Link: ["abc", "zzz", "a#b"], Note: ["n1"]})))
    assert calls == ["BatchGetItem"]
    assert set(found[Link]) == {"abc"} and found[Link]["abc"].sub == "r-1"
    assert set(found[Note]) == {"n1"} and isinstance(found[Note]["n1"], Note)


def test_find_each_reads_records_at_their_place_in_a_table_list_in_the_same_batch(aws_backend, clock):
    from tests.helpers import calls_during
    from chalicelib.domain.screening.service import ScreeningRun

    storage.put_new(ScreeningRun(month="2026-11", kind="month", scope="all", as_of=clock.today,
                                 started_at=clock.now, requested_by="schedule"))
    storage.put_new(Link(hash="abc", sub="r-1"))
    here, absent, bad = (storage.Place("2026-11", ("month", "all")), storage.Place("2026-11", ("month", "3204")),
                         storage.Place("2026-11", ("month", "a#b")))
    found = {}
    calls = calls_during(lambda: found.update(storage.find_each({ScreeningRun: [here, absent, bad], Link: ["abc"]})))
    assert calls == ["BatchGetItem"]
    assert list(found[ScreeningRun]) == [here] and found[ScreeningRun][here].scope == "all"
    assert set(found[Link]) == {"abc"}


def test_records_at_their_place_in_a_table_list_are_written_over_changed_by_entries_and_removed(aws_backend, clock):
    from chalicelib.domain.screening.service import RUNS, ScreeningRun

    run = storage.put_new(ScreeningRun(month="2026-11", kind="month", scope="all", as_of=clock.today,
                                       started_at=clock.now, requested_by="schedule",
                                       pending={"320402": "queued"}))
    after = storage.update_entries_in(ScreeningRun, RUNS, "2026-11", ("month", "all"), remove=["pending.320402"],
                                      set_={"found.320402": {"c": 1}}, when={"generation": 1})
    assert after.pending == {} and after.found == {"320402": {"c": 1}}
    assert storage.update_entries_in(ScreeningRun, RUNS, "2026-11", ("month", "all"), set_={"failed.x": "E"},
                                     when={"generation": 2}) is None  # its condition does not hold
    assert storage.update_entries_in(ScreeningRun, RUNS, "2026-11", ("month", "3204"), set_={"failed.x": "E"}) is None
    storage.put_new(Link(hash="abc", sub="r-1"))
    storage.put_all([Link(hash="abc", sub="r-2"), Link(hash="def", sub="r-3")], removing=[run])
    assert storage.read(Link, "abc").sub == "r-2" and storage.read(Link, "def").sub == "r-3"  # written over
    assert storage.find_in(ScreeningRun, RUNS, "2026-11", ("month", "all"), consistent=True) is None


def test_a_record_without_an_id_is_stored_and_read_by_its_key_fields(aws_backend):
    storage.put_new(Link(hash="abc", sub="r-1"))
    assert storage.get(**keys.record("test-link", "abc"))["sub"] == "r-1"
    assert storage.read(Link, "abc").sub == "r-1"
    assert storage.read(Link, "nope") is None
    assert storage.read(Link, "a#b") is None and storage.read(Link, "") is None  # not a key part: not found


def test_check_and_delete_name_a_record_by_type_and_key_inside_a_transaction(aws_backend):
    storage.put_new(Link(hash="abc", sub="r-1"))
    storage.put_new(Link(hash="def", sub="r-1"))
    storage.transact([storage.check(Link, "def", equals={"sub": "r-1"}), storage.delete(Link, "abc")])
    assert storage.read(Link, "abc") is None
    with pytest.raises(Conflict) as caught:
        storage.transact([storage.check(Link, "abc"), storage.put_op(Link(hash="x", sub="r-2").to_item())])
    assert caught.value.errors[0]["loc"] == ["transaction", "0"]
    storage.transact([storage.check(Link, "abc", exists=False), storage.put_op(Link(hash="x", sub="r-2").to_item())])
    assert storage.read(Link, "x").sub == "r-2"


def test_amend_changes_an_existing_record_only_while_its_condition_holds(aws_backend):
    make("n1")
    storage.transact([storage.amend(Note, "n1", when={"text": "你好"}, set_={"text": "再见"}, add={"version": 1})])
    assert storage.read(Note, "n1").text == "再见" and storage.read(Note, "n1").version == 2
    with pytest.raises(Conflict):
        storage.transact([storage.amend(Note, "n1", when={"text": "你好"}, set_={"text": "又见"})])


def test_tally_counts_in_one_record_per_key_and_stores_it_under_its_prefix(aws_backend):
    assert [storage.tally(Hits, "signin", 60, expires_at=999) for _ in range(3)] == [1, 2, 3]
    assert storage.tally(Hits, "signin", 120, expires_at=999) == 1
    item = storage.get(**keys.record("hits", "signin", 60))
    assert item["entity"] == "test-hits" and item["count"] == 3 and item["ttl"] == 999


class Shelf(storage.Aggregate):
    """An aggregate kept entry by entry (like what is linked to one area)."""
    entity: ClassVar[str] = "test-shelf"
    key_fields: ClassVar[tuple[str, ...]] = ("code",)
    code: str | None = None


def test_set_entries_creates_an_aggregate_on_first_use_and_sets_and_removes_entries_without_reading_it(aws_backend):
    """Reliability §3: an aggregate's entry is written inside the change's own transaction, with no read first."""
    storage.transact([storage.set_entries(Shelf, "320402", set_={"a.1": {"name": "甲"}})])
    storage.transact([storage.set_entries(Shelf, "320402", set_={"b.2": {"name": "乙", "hours": None}}),
                      storage.set_entries(Shelf, "320403", set_={"a.1": {"name": "甲"}})])
    found = storage.find_many(Shelf, ["320402", "320403", "320404"])
    assert found["320402"].entries == {"a.1": {"name": "甲"}, "b.2": {"name": "乙"}}
    assert found["320403"].code == "320403" and "320404" not in found
    storage.transact([storage.set_entries(Shelf, "320402", set_={"b.2": {"name": "丙"}}, remove=["a.1"])])
    assert storage.read(Shelf, "320402").entries == {"b.2": {"name": "丙"}}


def test_must_exist_on_line_takes_a_field_above_at_or_below_the_code(aws_backend):
    """A field on the line of an area code: the code, a prefix of it, or a value beginning with it."""
    from chalicelib.platform.errors import Unprocessable

    missing = Unprocessable("不在", code="off_line")
    for folder in ("32", "320402", "320402001001"):
        storage.put_all([Note(id=f"n-{folder}", folder=folder, text="t")])
        storage.transact([storage.must_exist(Note, f"n-{folder}", missing, on_line=("folder", "320402001"))])
    storage.put_all([Note(id="n-x", folder="320404", text="t")])
    with pytest.raises(Unprocessable):
        storage.transact([storage.must_exist(Note, "n-x", missing, on_line=("folder", "320402001"))])
