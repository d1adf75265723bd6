"""The one storage layer over the shared DynamoDB table: the one language the core and the plugins store in.

A record type (`Record`) names its own key (`entity`, `key_fields`) and the lists it appears in (`Listing`,
answered per record by `place()` with a `Place`); callers then name records by type and key values and lists
by type, name and owner/area — no caller builds or touches a key string (`keys` stays inside this package):
- read: `require` (get or 404), `read` (or None), `find_in` (a child in its parent's partition),
  `find_many` / `find_each` (several records, of one type or of several, in one BatchGetItem),
  `page` / `every` (a type's declared lists);
- write: `put_new`, `update`, `transact` with the ops `put_op` / `remove_op` (a record), `check` /
  `delete` / `amend` / `must_exist` / `add_to` (a record named by type and key), `add_into` (a tally at
  its place in a list), `update_entries_in` (map entries of a record at its place, now), `set_entries` (entries
  of an `Aggregate`, created on first use, without reading it), `put_all` (records
  written over unconditionally), `tally` / `tally_op` (an expiring counter, alone or in a transaction), `Counter` / `next_number` (a numbered
  sequence: a district's ticket codes).

Rules kept here so no caller can forget them:
- creating never overwrites (`attribute_not_exists(pk)`), updating always checks `version`;
- a record and its audit entry (and any index items) are written in one transaction, with the request's
  `Idempotency-Key` claim when it has one (`storage.idempotency`);
- every list is a Query, never a Scan; `limit` is honoured exactly and `next_cursor` is null on the last
  page (we read limit+1 items to know).

Below the typed surface sit the item-level mechanics (`get`, `query`, `query_all`, `check_op`, `update_op`,
`entries_op`, `add_op`, `batch_write` …) the typed surface is built on; outside this package only the
idempotency replay reads an item by its key (`get`). Everyone else, the audit trail included, names records.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Iterable, Self

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.platform import aws, config
from chalicelib.platform.storage import cursor as cursors, idempotency, keys
from chalicelib.platform.errors import Conflict, NotFound, ServiceUnavailable
from chalicelib.platform.timeutil import iso, now_utc
from chalicelib.platform.model import Model

__all__ = [
    # typed records and their lists
    "Record", "Aggregate", "Listing", "Place", "Check", "Page",
    # reads
    "require", "read", "find_in", "record_types", "find_many", "find_each", "page", "every", "is_record_id",
    # writes
    "put_new", "stamp_new", "update", "prepare_update", "transact", "put_op", "remove_op", "check", "delete",
    "amend", "must_exist", "add_to", "add_into", "put_all", "put_unless_newer", "remove_if", "update_entries_in",
    "set_entries", "tally", "tally_op", "Counter", "next_number",
    # the idempotency replay and the throttling answer
    "get", "plain", "replay_if_claimed", "THROTTLED",
]

INDEXES = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("gsi2pk", "gsi2sk")}
KEY_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk")


# --- serialisation --------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _serializers():
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def plain(value: Any) -> Any:
    """Python values → what DynamoDB stores, readable in the console (dates as ISO strings, floats as
    Decimal, enums as their value, empty strings and None dropped from maps)."""
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, (str, int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(plain(v) for v in value)
    raise TypeError(f"cannot store {type(value).__name__}")


def _to_wire(item: dict[str, Any]) -> dict[str, Any]:
    serializer, _ = _serializers()
    return {k: serializer.serialize(v) for k, v in plain(item).items()}


def _from_wire(item: dict[str, Any]) -> dict[str, Any]:
    _, deserializer = _serializers()
    return {k: deserializer.deserialize(v) for k, v in item.items()}


def _value(v: Any) -> dict[str, Any]:
    serializer, _ = _serializers()
    return serializer.serialize(plain(v))


# --- typed records --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Listing:
    """A list a record type appears in, kept in one of the table's two indexes. Declared on the record type
    (`lists = (Listing("mine", "gsi1", by="owner"),)`); each record says where it stands in the list with
    `place(name)`. `by` decides the partition:
    - `owner` — one caller's records (a resident's own applications): `<name>-by#<sub>`;
    - `area` — records under an area, partitioned per city and read with a prefix of the area code (a
      district sees its towns and grids): `<name>@<city>`. Parts after the area code fill the `{}` of a
      name such as `"institution-{}"` (one list per kind: `institution-notary@<city>`), or else follow the
      city (`area-level@<city>#<level>`);
    - `city` — like `area`, with further parts after the city in the partition name
      (`<name>#<city>#<month>`: a city's reminders of one month);
    - `at` — one list per owner that is no caller, its parts joined by `@` (`duty-slot@<service point>`,
      `assignment@<role>@<district>`);
    - `key` — any other partition, named by its parts (`<name>#<part>#…`).

    `index="table"` puts the list in the table itself: the record's own key (`pk`/`sk`) is its place in the
    list, for items that exist to be listed — a queue's entries, a month's reminders, or the items kept in
    their parent record's own partition (`Listing(<parent entity>, "table")` with `of=<parent id>` gives the
    parent's pk `<parent entity>#<id>`; sort parts such as `("visit", <date>, <id>)` follow its `record`)."""
    name: str
    index: str                       # "gsi1" | "gsi2" | "table"
    by: str = "key"                  # "owner" | "area" | "city" | "at" | "key"
    prefix: str | None = None        # the partitions' name when it is not `name` (two lists sharing one)
    nested: bool = False             # sorted by an area code first: `after=(<code>,)` reads it and below

    def partition(self, of: str | tuple[object, ...]) -> str:
        parts = of if isinstance(of, tuple) else (of,)
        name = self.prefix or self.name
        if self.by == "owner":
            return keys.owned_by(name, *parts)
        if self.by == "area":
            rest = parts[1:]
            if "{}" in name:
                filled, rest = rest[:name.count("{}")], rest[name.count("{}"):]
                name = name.format(*(keys.compose(p) for p in filled))
            return keys.area_scope_partition(name, keys.compose(keys.city_of(str(parts[0])), *rest))
        if self.by == "city":
            return keys.compose(name, keys.city_of(str(parts[0])), *parts[1:])
        if self.by == "at":
            return "@".join([name, *(keys.compose(p) for p in parts)])
        return keys.compose(name, *parts)

    def sort(self, of: str | tuple[object, ...], after: tuple[object, ...]) -> str:
        if self.by in ("area", "city"):  # the area code leads, so `begins_with(area)` reads an area and everything below
            return keys.compose(of if isinstance(of, str) else of[0], *after)
        return keys.compose(*after)


@dataclass(frozen=True)
class Place:
    """Where one record stands in one of its lists: the partition (`of`) and the sort parts after it."""
    of: str | tuple[object, ...]
    sort: tuple[object, ...]


AREA_FIELDS = ("area", "grid", "village", "district", "home_area", "office_area", "city")
AREA_CODE_LENGTHS = (2, 4, 6, 9, 12, 15)  # province, city, district, town, village, grid


class Record(Model):
    """A stored record. Subclasses set `entity` and are stored at `<entity>#<id>` / `record` — or, naming
    their key otherwise, at `<key_prefix>#<values of key_fields>` (a WeChat link by the hash of its openid:
    `key_fields = ("openid_hash",)`; a rate counter by scope, subject and window) — unless a table list
    (`Listing(…, "table")`) gives their key. A record type that appears in lists declares them in `lists`
    and answers `place(name)`; the index attributes are then built here, so no service writes `gsi1pk` or
    joins keys.

    Items carry the record's own field names plus `entity`, so an administrator reading the table in the
    AWS console sees `entity=area, name=天宁区, parent=3204` rather than opaque blobs.
    """

    model_config = ConfigDict(extra="ignore", frozen=False)
    entity: ClassVar[str]
    key_fields: ClassVar[tuple[str, ...]] = ("id",)  # the fields whose values name the record, in key order
    key_prefix: ClassVar[str | None] = None          # the key's first part when it is not `entity`
    lists: ClassVar[tuple[Listing, ...]] = ()
    missing: ClassVar[tuple[str, str]] = ("记录不存在", "not_found")  # (Chinese detail, code) of its 404

    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def key_attributes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for listing in self.lists:
            place = self.place(listing.name)
            if place is not None:
                pk_name, sk_name = INDEXES.get(listing.index, ("pk", "sk"))
                out[pk_name] = listing.partition(place.of)
                out[sk_name] = listing.sort(place.of, place.sort)
        if "pk" not in out:  # its own key unless a table list gives it
            out.update(type(self).own_key(*(getattr(self, f) for f in self.key_fields)))
        return out

    @classmethod
    def own_key(cls, *values: object) -> dict[str, str]:
        """The record's own key (pk, sk) from the values of its `key_fields`."""
        if len(values) != len(cls.key_fields):
            raise TypeError(f"{cls.__name__} is named by {cls.key_fields}, not {len(values)} values")
        return keys.record(cls.key_prefix or cls.entity, *values)

    def place(self, listing: str) -> Place | None:
        """Where this record stands in the list `listing` (None: not in it now, e.g. a closed case)."""
        raise NotImplementedError(f"{type(self).__name__} declares lists but not where it stands in them")

    @classmethod
    def listing(cls, name: str) -> Listing:
        for listing in cls.lists:
            if listing.name == name:
                return listing
        raise KeyError(f"{cls.__name__} has no list {name!r}")

    def to_item(self) -> dict[str, Any]:
        return {**self.model_dump(exclude_none=True), **self.key_attributes(), "entity": self.entity}

    def jurisdiction(self) -> str | None:
        """The area code the record belongs to — the first of its `AREA_FIELDS` holding one (a ticket's
        grid, an application's area, a notary slot's office area) — or None for a record of no area (an
        account by sub, a platform-wide parameter). A type whose area is elsewhere says so by overriding."""
        for name in AREA_FIELDS:
            value = getattr(self, name, None)
            if isinstance(value, str) and value.isdigit() and len(value) in AREA_CODE_LENGTHS:
                return value
        return None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        return cls.model_validate({k: v for k, v in item.items() if k not in KEY_ATTRIBUTES})


ENTRY = "entry:"  # the attribute-name prefix of an aggregate's entries


class Aggregate(Record):
    """A record kept entry by entry (what is linked to one area): `entries` maps an entry's key to a map of
    plain values. Each entry is an attribute of its own (`entry:<key>`), so one transaction op sets or removes
    an entry without reading the record, whether or not the record exists yet (`set_entries`), and writers
    of different entries never overwrite each other — a map attribute could not be created and added to in
    one op. Unversioned: no writer replaces it whole. Bounded by DynamoDB's 400 KB per item (about a
    thousand entries of a few hundred bytes); it is read whole, by key, like any record."""
    version: int | None = None  # type: ignore[assignment]
    entries: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def to_item(self) -> dict[str, Any]:
        item = super().to_item()
        return {**{k: v for k, v in item.items() if k != "entries"},
                **{ENTRY + key: value for key, value in self.entries.items()}}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Self:
        entries = {k[len(ENTRY):]: v for k, v in item.items() if k.startswith(ENTRY)}
        return super().from_item({**{k: v for k, v in item.items() if not k.startswith(ENTRY)}, "entries": entries})


def set_entries(cls: type[Aggregate], *key: object, set_: dict[str, Any] | None = None,
                remove: Iterable[str] = ()) -> dict[str, Any]:
    """A transaction op on the aggregate of type `cls` named by `key`: set entries (values are models or
    maps) and remove others, creating the aggregate on first use — no read, no condition. One op per
    aggregate and transaction (DynamoDB refuses two ops on one item): gather an aggregate's changes first."""
    fields = {"entity": cls.entity, **dict(zip(cls.key_fields, key)),
              **{ENTRY + k: v for k, v in (set_ or {}).items()}}
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    sets = []
    for i, (field, value) in enumerate(fields.items()):
        names[f"#s{i}"], values[f":s{i}"] = field, _value(value)
        sets.append(f"#s{i} = :s{i}")
    removes = []
    for i, entry in enumerate(remove):
        names[f"#r{i}"] = ENTRY + entry
        removes.append(f"#r{i}")
    expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    return {"Update": {"TableName": _table(), "Key": _to_wire(cls.own_key(*key)), "UpdateExpression": expression,
                       "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}}


# --- single-item operations -----------------------------------------------------------------------

def _table() -> str:
    return config.table_name()


def _error_code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def get(pk: str, sk: str, *, consistent: bool = False) -> dict[str, Any] | None:
    response = aws.dynamodb().get_item(
        TableName=_table(), Key=_to_wire({"pk": pk, "sk": sk}), ConsistentRead=consistent
    )
    item = response.get("Item")
    return _from_wire(item) if item else None


def record_types() -> list[type[Record]]:
    """Every record type of the modules imported so far that declares an `entity` of its own: found by
    walking `Record`'s subclasses when asked — nothing registers itself at import. (Which modules count, and
    that each entity is declared once among them, is the asker's business: a test's throwaway types count
    for no route.)"""
    found, pending = [], list(Record.__subclasses__())
    while pending:
        cls = pending.pop(0)
        pending.extend(cls.__subclasses__())
        if isinstance(cls.__dict__.get("entity"), str):
            found.append(cls)
    return found


def get_record(cls: type[Record], pk: str, sk: str, *, consistent: bool = False) -> Record | None:
    item = get(pk, sk, consistent=consistent)
    return cls.from_item(item) if item else None


def read(cls: type[Record], *key: object, consistent: bool = False) -> Record | None:
    """The record of type `cls` named by these values of its `key_fields` (its id; a link's hash; a
    counter's scope, subject and window), or None — also for values that cannot be key parts (a path
    parameter with `#`), so a route answers 404 rather than failing on the key."""
    if not all(_key_part(v) for v in key):
        return None
    return get_record(cls, **cls.own_key(*key), consistent=consistent)


def _key_part(value: object) -> bool:
    text = str(value)
    return 0 < len(text) <= 200 and keys.SEP not in text


def is_record_id(record_id: str) -> bool:
    """Whether a client-supplied id (a path parameter) can name a record at all: letters, digits, `-_.`, at
    most 200 characters. Anything else is simply not found, never a key error: a list of a parent read
    before the parent itself answers 404 at once for one that cannot, rather than making a key of it."""
    return 0 < len(record_id) <= 200 and all(c.isascii() and (c.isalnum() or c in "-_.") for c in record_id)


def require(cls: type[Record], record_id: str, *, consistent: bool = False) -> Record:
    """The record of type `cls` with this id, or the type's 404 (`missing`) — the one "get or 404"."""
    found = read(cls, record_id, consistent=consistent) if is_record_id(record_id) else None
    if found is None:
        detail, code = cls.missing
        raise NotFound(detail, code=code)
    return found


def find_in(cls: type[Record], listing: str, of: str | tuple[object, ...], sort: tuple[object, ...], *,
            consistent: bool = False) -> Record | None:
    """The record standing at `sort` in the table list `listing` of `of` — a child kept in its parent's
    partition (a visit under its person) — or None, also for parts that cannot be key parts (path
    parameters), like `read`."""
    key = _place_key(cls, listing, of, sort)
    return get_record(cls, *key, consistent=consistent) if key else None


def update_entries_in(cls: type[Record], listing: str, of: str | tuple[object, ...], sort: tuple[object, ...], *,
                      set_: dict[str, Any] | None = None, remove: Iterable[str] = (),
                      when: dict[str, Any] | None = None) -> Record | None:
    """`update_entries` on the record standing at `sort` in the table list `listing` of `of`, without
    reading it first (a run's shards reporting into their own map entries): the record after the change,
    or None when it is missing or `when` does not hold."""
    key = _place_key(cls, listing, of, sort)
    item = update_entries(*key, set_=set_, remove=remove, when=when) if key else None
    return cls.from_item(item) if item else None


def _place_key(cls: type[Record], listing: str, of: str | tuple[object, ...],
               sort: tuple[object, ...]) -> tuple[str, str] | None:
    declared = cls.listing(listing)
    parts = [*(of if isinstance(of, tuple) else (of,)), *sort]
    if declared.index != "table" or not all(is_record_id(str(p)) for p in parts):
        return None
    return declared.partition(of), declared.sort(of, sort)


def find_many(cls: type[Record], ids: Iterable[str]) -> dict[str, Record]:
    """The records of type `cls` with these ids that exist, by id (ids that cannot be record ids are simply
    not found): one BatchGetItem per 100 ids, a few side by side."""
    return find_each({cls: ids})[cls]


def find_each(wanted: dict[type[Record], Iterable[str | Place]], *,
              consistent: bool = False) -> dict[type[Record], dict[Any, Record]]:
    """`find_many` for records of several types at once, in the same BatchGetItems (an area's ancestors and
    their menus; a grid's stored board and its city's stamp): for each type, the records found by id. A
    type kept in a table list (`Listing(…, "table")`) is asked for by `Place` instead — where it stands in
    that list (a parameter's timeline in its partition, a work order under its city) — and found by it;
    a place whose parts cannot be key parts is simply not found. `consistent`: strongly consistent reads (a
    refresh token, its session and its account)."""
    from chalicelib.platform.storage.batch import fan_out

    named: dict[tuple[str, str], tuple[type[Record], Any]] = {}
    for cls, ids in wanted.items():
        for i in dict.fromkeys(ids):
            key = _at_place(cls, i) if isinstance(i, Place) else \
                (tuple(cls.own_key(i).values()) if is_record_id(i) else None)
            if key is not None:
                named[key] = (cls, i)
    pairs = list(named)
    chunks = [pairs[start:start + 100] for start in range(0, len(pairs), 100)]
    found: dict[type[Record], dict[str, Record]] = {cls: {} for cls in wanted}
    for item in (item for items in fan_out(lambda chunk: get_many(chunk, consistent=consistent), chunks)
                 for item in items):
        cls, record_id = named[(item["pk"], item["sk"])]
        found[cls][record_id] = cls.from_item(item)
    return found


def _at_place(cls: type[Record], place: Place) -> tuple[str, str] | None:
    """The key of the record of type `cls` standing at `place` in its table list (None: not a key)."""
    declared = next(listing for listing in cls.lists if listing.index == "table")
    parts = [*(place.of if isinstance(place.of, tuple) else (place.of,)), *place.sort]
    if not all(_key_part(p) for p in parts):
        return None
    return declared.partition(place.of), declared.sort(place.of, place.sort)


def stamp_new(record: Record) -> Record:
    moment = now_utc()
    record.version = 1
    record.created_at = record.created_at or moment
    record.updated_at = moment
    return record


def put_new(record: Record, *, also: Iterable[dict[str, Any] | Check] = ()) -> Record:
    """Create `record`; 409 if its key exists. With `also` (audit entry, index items, `Check`s of the
    records it refers to), one transaction."""
    stamp_new(record)
    ops = [put_op(record.to_item()), *also]
    if len(ops) == 1 and not idempotency.pending():
        from botocore.exceptions import ClientError

        try:
            aws.dynamodb().put_item(**ops[0]["Put"])
        except ClientError as exc:
            if _error_code(exc) == "ConditionalCheckFailedException":
                if _own_earlier_write(exc, exc.response.get("Item"), ops[0]["Put"]["Item"]):
                    return record
                raise Conflict("该记录已存在", code="already_exists") from None
            raise
    else:
        try:
            transact(ops)
        except Conflict as exc:
            if exc.code == "condition_failed" and exc.errors[0]["loc"][1] == "0":
                raise Conflict("该记录已存在", code="already_exists") from None
            raise
    return record


def prepare_update(record: Record, changes: dict[str, Any], *, expected_version: int) -> tuple[Record, dict[str, Any]]:
    """(the updated record, its conditional update op) for a transaction the caller assembles.

    Validators re-run on the new state; version becomes expected+1; index keys are recomputed so a change
    of area or status moves the record in its lists; a field set to None (or an index key the record no
    longer has) is removed from the item.
    """
    updated = record.model_copy(update=changes)
    updated = type(record).model_validate(updated.model_dump())
    updated.version = expected_version + 1
    updated.updated_at = now_utc()
    new_item = updated.to_item()
    old_item = record.to_item()
    op = update_op(old_item["pk"], old_item["sk"], {k: v for k, v in new_item.items() if k not in ("pk", "sk")},
                   expected_version=expected_version, remove=sorted(k for k in old_item if k not in new_item))
    return updated, op


def update(
    record: Record, changes: dict[str, Any], *, expected_version: int, also: Iterable[dict[str, Any]] = (),
    appends: bool = False,
) -> Record:
    """Apply `changes` to `record` if its stored version is `expected_version`, with `also` in the same
    transaction. A stale version is 409 `stale_version`; a record that vanished is 404; a failed condition
    of another op is re-raised as 409 `condition_failed` with `errors[0].loc[1]` = its index.

    `appends`: this update is what a creating request creates — an entry kept inside `record` (a session on
    a dispute) — so the request's `Idempotency-Key` claim names `record` and a retry replays it."""
    if record.version != expected_version:
        # The client saw another version than the one just read: whatever it decided, it decided on
        # other data. (Checking only the stored version would let a client sending N+1 overwrite a
        # concurrent write made between our read and our write.)
        raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version")
    updated, op = prepare_update(record, changes, expected_version=expected_version)
    try:
        transact([op, *also], claim_names=0 if appends else None)
    except Conflict as exc:
        if exc.code == "condition_failed" and exc.errors[0]["loc"][1] == "0":
            keys_ = record.key_attributes()
            if get(keys_["pk"], keys_["sk"], consistent=True) is None:
                raise NotFound() from None
            raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version") from None
        raise
    return updated


def increment(pk: str, sk: str, *, entity: str, expires_at: int, by: int = 1) -> int:
    """Atomically add `by` to the `count` of a counter item (created on first use, removed by the table's
    TTL at `expires_at`, epoch seconds) and return the new count. For rate limits and similar tallies."""
    response = aws.dynamodb().update_item(
        TableName=_table(), Key=_to_wire({"pk": pk, "sk": sk}),
        UpdateExpression="ADD #count :by SET #ttl = if_not_exists(#ttl, :ttl), #entity = :entity",
        ExpressionAttributeNames={"#count": "count", "#ttl": "ttl", "#entity": "entity"},
        ExpressionAttributeValues={":by": _value(by), ":ttl": _value(expires_at), ":entity": _value(entity)},
        ReturnValues="UPDATED_NEW")
    return int(response["Attributes"]["count"]["N"])


@dataclass(frozen=True)
class Counter:
    """A sequence handing out 1, 2, 3 … separately for each `of` (a district's month), declared once by the
    domain that numbers something (`TICKET_NUMBERS = storage.Counter("intake-counter")`) and drawn from with
    `next_number`. Its item (`keys.sequence`) holds the last number handed out, in `count`."""
    name: str


def next_number(counter: Counter, of: tuple[object, ...]) -> int:
    """The next number of `counter` for `of`: one UpdateItem `ADD count :1` answering the new count
    (UPDATED_NEW; the item is created on first use). DynamoDB applies concurrent updates of one item one
    after another, so callers at the same moment never refuse or wait for each other: each gets its own
    number, none twice, whatever the instance.

    A number is taken before the write it names and is not given back: if that write then fails (a check
    refused, the caller gone), the sequence has a gap there — never a duplicate. Numbers are unique and
    increasing, not gapless.

    A keyed request whose claim no transaction has carried yet (`idempotency.pending`) first looks its
    `Idempotency-Key` up — in its first BatchGetItem if it made one (`get_many`), else one GetItem, only
    then — and raises the first attempt's outcome, so a retry burns no number and concurrent retries replay
    without meeting in a transaction. (Two identical requests at the very same moment may both pass that
    look; the loser's transaction then replays the winner, and its number is a gap.)"""
    from botocore.exceptions import ClientError

    replay_if_claimed()
    try:
        response = aws.dynamodb().update_item(
            TableName=_table(), Key=_to_wire(keys.sequence(counter.name, *of)),
            UpdateExpression="ADD #count :one SET #entity = :entity",
            ExpressionAttributeNames={"#count": "count", "#entity": "entity"},
            ExpressionAttributeValues={":one": _value(1), ":entity": _value(counter.name)},
            ReturnValues="UPDATED_NEW")
    except ClientError as exc:
        if _error_code(exc) in THROTTLED:  # after the SDK's own retries: the client may retry, not a bug
            raise ServiceUnavailable(headers={"Retry-After": "1"}) from None
        raise
    return int(response["Attributes"]["count"]["N"])


def update_entries(pk: str, sk: str, *, set_: dict[str, Any] | None = None, remove: Iterable[str] = (),
                   when: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Set and remove fields of an existing item without a version: dotted paths (`"pending.320402"`)
    address one entry of a map attribute, so concurrent writers that touch different entries (the shards
    of one job reporting back) never overwrite each other. `when`: fields that must equal the given values.
    Returns the item after the update, or None when the item is missing or `when` does not hold."""
    request = entries_op(pk, sk, set_=set_, remove=remove, when=when)["Update"]
    try:
        response = aws.dynamodb().update_item(**request, ReturnValues="ALL_NEW")
    except aws.dynamodb().exceptions.ConditionalCheckFailedException:
        return None
    return _from_wire(response["Attributes"])


def entries_op(pk: str, sk: str, *, set_: dict[str, Any] | None = None, remove: Iterable[str] = (),
               when: dict[str, Any] | None = None, add: dict[str, int] | None = None,
               starts: dict[str, str] | None = None) -> dict[str, Any]:
    """`update_entries` as a transaction op, conditional on the item existing, on `when` and on fields
    beginning with `starts` (a record under the caller's area); `add` adds to number fields (`{"version": 1}`:
    the change is seen by a writer holding the version read before it)."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}

    def path(dotted: str | tuple[str, ...]) -> str:  # a tuple names parts that may hold dots themselves
        parts = []
        for part in dotted if isinstance(dotted, tuple) else dotted.split("."):
            names[f"#n{len(names)}"] = part
            parts.append(f"#n{len(names) - 1}")
        return ".".join(parts)

    sets = []
    for i, (field, value) in enumerate((set_ or {}).items()):
        values[f":s{i}"] = _value(value)
        sets.append(f"{path(field)} = :s{i}")
    adds = []
    for i, (field, amount) in enumerate((add or {}).items()):
        values[f":a{i}"] = _value(amount)
        adds.append(f"{path(field)} :a{i}")
    removes = [path(field) for field in remove]
    condition = ["attribute_exists(pk)"]
    for i, (field, value) in enumerate((when or {}).items()):
        values[f":w{i}"] = _value(value)
        condition.append(f"{path(field)} = :w{i}")
    for i, (field, prefix) in enumerate((starts or {}).items()):
        values[f":b{i}"] = _value(prefix)
        condition.append(f"begins_with({path(field)}, :b{i})")
    expression = (" SET " + ", ".join(sets) if sets else "") + (" ADD " + ", ".join(adds) if adds else "") \
        + (" REMOVE " + ", ".join(removes) if removes else "")
    request: dict[str, Any] = {"TableName": _table(), "Key": _to_wire({"pk": pk, "sk": sk}),
                               "UpdateExpression": expression.strip(), "ExpressionAttributeNames": names,
                               "ConditionExpression": " AND ".join(condition)}
    if values:
        request["ExpressionAttributeValues"] = values
    return {"Update": request}


THROTTLED = ("ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded")


# --- transactions ---------------------------------------------------------------------------------

def put_op(item: dict[str, Any], *, must_not_exist: bool = True) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": _table(), "Item": _to_wire(item)}
    if must_not_exist:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"  # to tell our own earlier write (_own_earlier_write)
    return {"Put": put}


def _own_earlier_write(exc: Exception, found: dict[str, Any] | None, sent: dict[str, Any]) -> bool:
    """Whether a create refused as "already exists" met the very item it sends: the SDK retried it (a 5xx or
    a timeout after DynamoDB had committed; `RetryAttempts` > 0) and its first attempt had landed. The item
    carries a fresh id and timestamps, so only that attempt can have written it: the create succeeded, and a
    409 would tell the caller otherwise (issue 9, tests/proof/test_faults.py)."""
    retried = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("RetryAttempts", 0)
    return bool(retried) and found is not None and _from_wire(found) == _from_wire(sent)


def update_op(
    pk: str, sk: str, values: dict[str, Any], *, expected_version: int | None, remove: Iterable[str] = ()
) -> dict[str, Any]:
    names, vals, sets = {}, {}, []
    for i, (field, value) in enumerate(sorted(values.items())):
        names[f"#f{i}"] = field
        vals[f":v{i}"] = _value(value)
        sets.append(f"#f{i} = :v{i}")
    expression = "SET " + ", ".join(sets)
    removes = [f"#r{i}" for i, _ in enumerate(remove)]
    names.update({f"#r{i}": field for i, field in enumerate(remove)})
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    update: dict[str, Any] = {
        "TableName": _table(), "Key": _to_wire({"pk": pk, "sk": sk}),
        "UpdateExpression": expression, "ExpressionAttributeNames": names, "ExpressionAttributeValues": vals,
    }
    if expected_version is not None:
        names["#version_check"] = "version"
        vals[":expected_version"] = _value(expected_version)
        update["ConditionExpression"] = "#version_check = :expected_version"
    else:
        update["ConditionExpression"] = "attribute_exists(pk)"
    return {"Update": update}


def add_op(pk: str, sk: str, amounts: dict[str, int], *, set_: dict[str, Any] | None = None,
           entity: str | None = None, at_least: dict[str, int] | None = None) -> dict[str, Any]:
    """A transaction op that adds `amounts` to number fields of an item (created on first use) and sets
    `set_` on it: counters kept in the same transaction as the event they count, so they never drift.
    `entity` names what the item is, for an administrator reading the table. `at_least` makes it
    conditional on fields holding at least these values before the change (taking one of a stock:
    `amounts={"count": -1}, at_least={"count": 1}`); wrap it in a `Check` to name the refusal."""
    if entity is not None:
        set_ = {**(set_ or {}), "entity": entity}
    names, values, adds, sets = {}, {}, [], []
    for i, (field, amount) in enumerate(sorted(amounts.items())):
        names[f"#a{i}"], values[f":a{i}"] = field, _value(amount)
        adds.append(f"#a{i} :a{i}")
    for i, (field, value) in enumerate(sorted((set_ or {}).items())):
        names[f"#s{i}"], values[f":s{i}"] = field, _value(value)
        sets.append(f"#s{i} = :s{i}")
    expression = "ADD " + ", ".join(adds) + (" SET " + ", ".join(sets) if sets else "")
    update = {"TableName": _table(), "Key": _to_wire({"pk": pk, "sk": sk}), "UpdateExpression": expression,
              "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
    conditions = []
    for i, (field, least) in enumerate(sorted((at_least or {}).items())):
        names[f"#l{i}"], values[f":l{i}"] = field, _value(least)
        conditions.append(f"#l{i} >= :l{i}")
    if conditions:
        update["ConditionExpression"] = " AND ".join(conditions)
    return {"Update": update}


def add_to(cls: type[Record], record_id: str, amounts: dict[str, int]) -> dict[str, Any]:
    """`add_op` on the record `cls`/`record_id` (created on first use, with its `id`): counters kept as a
    record of their own — a month's tally — read back with `read` / `find_many` like any record."""
    return add_op(**cls.own_key(record_id), amounts=amounts, set_={cls.key_fields[0]: record_id}, entity=cls.entity)


def add_into(record: Record, amounts: dict[str, int], *, at_least: dict[str, int] | None = None) -> dict[str, Any]:
    """`add_op` on `record`'s own item (created on first use), setting its other fields as they are: a tally
    kept at a place in a table list (a screening tally per area, a resident's message grants), counted in
    the event's own transaction. `at_least`: only if those fields hold at least these values before (taking
    one of a stock; wrap it in a `Check` to name the refusal)."""
    key = record.key_attributes()
    fields = {k: v for k, v in record.to_item().items() if k not in KEY_ATTRIBUTES and k not in amounts}
    return add_op(key["pk"], key["sk"], amounts, set_=fields, at_least=at_least)


def put_all(records: Iterable[Record] = (), *, removing: Iterable[Record] = ()) -> None:
    """Write `records` over whatever stands at their keys, and delete `removing`, unconditionally (chunks of
    25, `batch_write`): only for records whose keys are deterministic and which one job alone rewrites (a
    shard's findings, a grid's stored board)."""
    deletes = [(key["pk"], key["sk"]) for key in (r.key_attributes() for r in removing)]
    batch_write(puts=[r.to_item() for r in records], deletes=deletes)


def put_unless_newer(record: Record, order: tuple[str, ...]) -> bool:
    """Write `record` over the stored one unless that one is newer by the fields `order`, compared in turn
    (a rebuilt copy against a stamp, then a date): one conditional PutItem. False when the stored one won."""
    from botocore.exceptions import ClientError

    item = record.to_item()
    names = {f"#o{i}": field for i, field in enumerate(order)}
    values = {f":o{i}": _value(item[field]) for i, field in enumerate(order)}
    terms, equal = ["attribute_not_exists(pk)"], []
    for i in range(len(order)):
        last = i == len(order) - 1
        terms.append(" AND ".join([*equal, f"#o{i} {'<=' if last else '<'} :o{i}"]))
        equal.append(f"#o{i} = :o{i}")
    try:
        aws.dynamodb().put_item(TableName=_table(), Item=_to_wire(item), ExpressionAttributeNames=names,
                                ExpressionAttributeValues=values,
                                ConditionExpression=" OR ".join(f"({t})" for t in terms))
    except ClientError as exc:
        if _error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def remove_if(record: Record, equals: dict[str, Any]) -> bool:
    """Delete `record` if its stored fields still equal `equals` (an outbox entry nobody touched since it was
    read): one conditional DeleteItem. False when it changed meanwhile (or is gone)."""
    from botocore.exceptions import ClientError

    key = record.key_attributes()
    names = {f"#e{i}": field for i, field in enumerate(equals)}
    values = {f":e{i}": _value(value) for i, value in enumerate(equals.values())}
    try:
        aws.dynamodb().delete_item(TableName=_table(), Key=_to_wire({"pk": key["pk"], "sk": key["sk"]}),
                                   ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                                   ConditionExpression=" AND ".join(f"#e{i} = :e{i}" for i in range(len(equals))))
    except ClientError as exc:
        if _error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def must_exist(cls: type[Record], record_id: str, problem: Exception, *,
               equals: dict[str, Any] | None = None, on_line: tuple[str, str] | None = None) -> "Check":
    """A `Check` for a transaction: the record `cls`/`record_id` exists (with fields equal to `equals`, and
    `on_line=(field, code)`: the field holds `code`, a prefix of it or a value beginning with it — an area
    code above, at or below `code`); `problem` is raised when it does not — at once for an id that cannot be
    a record id."""
    if not is_record_id(record_id):
        raise problem
    return Check(check_op(**cls.own_key(record_id), equals=equals, on_line=on_line), problem)


def check(cls: type[Record], *key: object, exists: bool = True, equals: dict[str, Any] | None = None) -> dict[str, Any]:
    """A transaction condition on the record of type `cls` named by `key` (its `key_fields` values): it
    exists (or, `exists=False`, it does not) and, optionally, fields equal values."""
    return check_op(**cls.own_key(*key), exists=exists, equals=equals)


def delete(cls: type[Record], *key: object) -> dict[str, Any]:
    """A transaction op deleting the record of type `cls` named by `key` (nothing if it is absent): the
    record need not be read first (a link, a claim being given up)."""
    return delete_op(**cls.own_key(*key))


def amend(cls: type[Record], *key: object, set_: dict[str, Any] | None = None, remove: Iterable[str] = (),
          when: dict[str, Any] | None = None, add: dict[str, int] | None = None,
          starts: dict[str, str] | None = None) -> dict[str, Any]:
    """`entries_op` on the record of type `cls` named by `key`, without reading it first: conditional on
    it existing, on `when` (a message withdrawn only while it is still pending) and on `starts` (its area
    under the caller's)."""
    return entries_op(**cls.own_key(*key), set_=set_, remove=remove, when=when, add=add, starts=starts)


def tally(cls: type[Record], *key: object, expires_at: int, by: int = 1) -> int:
    """Add `by` to the `count` of the counter record of type `cls` named by `key` (created on first use,
    removed by the table's TTL at `expires_at`, epoch seconds) and return the new count, in one call."""
    return increment(**cls.own_key(*key), entity=cls.entity, expires_at=expires_at, by=by)


def tally_op(cls: type[Record], *key: object, expires_at: int, below: int, by: int = 1) -> dict[str, Any]:
    """`tally` as a transaction op, only while the count is below `below` before it: a limit counted in the
    transaction of what it limits (wrap it in a `Check` to name the refusal; a refused attempt adds nothing)."""
    return {"Update": {
        "TableName": _table(), "Key": _to_wire(cls.own_key(*key)),
        "UpdateExpression": "ADD #count :by SET #ttl = if_not_exists(#ttl, :ttl), #entity = :entity",
        "ConditionExpression": "attribute_not_exists(#count) OR #count < :below",
        "ExpressionAttributeNames": {"#count": "count", "#ttl": "ttl", "#entity": "entity"},
        "ExpressionAttributeValues": {":by": _value(by), ":ttl": _value(expires_at), ":entity": _value(cls.entity),
                                      ":below": _value(below)}}}


def check_op(pk: str, sk: str, *, exists: bool = True, equals: dict[str, Any] | None = None,
             on_line: tuple[str, str] | None = None) -> dict[str, Any]:
    """A transaction condition on another item: it exists (or not) and, optionally, fields equal values and
    a field is on the line of a code (`must_exist`)."""
    condition = "attribute_exists(pk)" if exists else "attribute_not_exists(pk)"
    names, values = {}, {}
    for i, (field, value) in enumerate(sorted((equals or {}).items())):
        names[f"#c{i}"], values[f":c{i}"] = field, _value(value)
        condition += f" AND #c{i} = :c{i}"
    if on_line:
        field, code = on_line
        names["#l"] = field
        values.update({f":l{i}": _value(code[:i + 1]) for i in range(len(code))})
        above = ", ".join(f":l{i}" for i in range(len(code)))
        condition += f" AND (#l IN ({above}) OR begins_with(#l, :l{len(code) - 1}))"
    check: dict[str, Any] = {"TableName": _table(), "Key": _to_wire({"pk": pk, "sk": sk}),
                             "ConditionExpression": condition}
    if names:
        check.update(ExpressionAttributeNames=names, ExpressionAttributeValues=values)
    return {"ConditionCheck": check}


def delete_op(pk: str, sk: str) -> dict[str, Any]:
    return {"Delete": {"TableName": _table(), "Key": _to_wire({"pk": pk, "sk": sk})}}


def remove_op(record: Record) -> dict[str, Any]:
    """Delete `record` (by its own key) inside a transaction: an entry leaving its list."""
    key = record.key_attributes()
    return delete_op(key["pk"], key["sk"])


@dataclass(frozen=True)
class Check:
    """A condition inside a transaction with the problem to raise when it fails: a referential check
    ("the grid exists") costs no read before the write, and the caller still gets a precise 4xx."""
    op: dict[str, Any]
    problem: Exception


def transact(ops: list[dict[str, Any] | Check], *, claim_names: int | None = None) -> None:
    """All or nothing. A failed `Check` raises its own problem; any other failed condition is 409
    `condition_failed` naming which op; contention is retried once, then reported as 409 `busy` so the
    client retries with its idempotency key. `claim_names`: the index of an `Update` an idempotency claim
    may name when no op creates a record (see `update(appends=True)`)."""
    from botocore.exceptions import ClientError

    if not ops:
        return
    problems = {i: op.problem for i, op in enumerate(ops) if isinstance(op, Check)}
    ops = [op.op if isinstance(op, Check) else op for op in ops]
    claim_at = idempotency.attach(ops, _table(), int(now_utc().timestamp()), _to_wire, names=claim_names)
    if len(ops) > 100:
        raise ValueError("a transaction holds at most 100 items")
    for attempt in (1, 2):
        try:
            aws.dynamodb().transact_write_items(TransactItems=ops)
            return
        except ClientError as exc:
            code = _error_code(exc)
            if code == "TransactionCanceledException":
                cancelled = exc.response.get("CancellationReasons", [])
                reasons = [r.get("Code", "None") for r in cancelled]
                if claim_at is not None and reasons[claim_at:claim_at + 1] == ["ConditionalCheckFailed"]:
                    met = cancelled[claim_at].get("Item")  # returned with the cancellation (ALL_OLD)
                    outcome = claim_outcome(_from_wire(met) if met else claim_lookup())
                    raise outcome or Conflict("数据正被同时修改，请稍后重试", code="busy") from None
                if any(_own_earlier_write(exc, reason.get("Item"), op["Put"]["Item"])
                       for op, reason in zip(ops, cancelled) if "Put" in op):
                    return  # this transaction committed on an earlier attempt whose answer was lost
                if "ConditionalCheckFailed" in reasons:
                    index = reasons.index("ConditionalCheckFailed")
                    if index in problems:
                        raise problems[index] from None
                    raise Conflict("数据状态已变化，操作未执行", code="condition_failed",
                                   errors=[{"loc": ["transaction", str(index)], "msg": "条件不满足"}]) from None
                if "TransactionConflict" in reasons and attempt == 1:
                    continue
                raise Conflict("数据正被同时修改，请稍后重试", code="busy") from None
            if code == "TransactionInProgressException" or code in THROTTLED:
                raise ServiceUnavailable(headers={"Retry-After": "1"}) from None
            raise


def claim_lookup() -> dict[str, Any] | None:
    """The item of this request's idempotency claim, read consistently (None without a claim or item)."""
    claim = idempotency.current()
    return get(**claim.key, consistent=True) if claim else None


def replay_if_claimed() -> None:
    """For a long creating request (an import): if this request's `Idempotency-Key` was already used, raise
    its outcome (`idempotency.Replayed` or 422) now — from the request's first batch read if it carried the
    claim, else one GetItem — rather than doing the work again."""
    if idempotency.pending():
        claim = idempotency.current()
        outcome = claim_outcome(claim.seen if claim.looked_up else claim_lookup())
        if outcome is not None:
            raise outcome


def claim_outcome(stored: dict[str, Any] | None) -> Exception | None:
    """`idempotency.Replayed`, 422 for another body, or None (no live claim item)."""
    return idempotency.replay(stored, int(now_utc().timestamp()))


# --- queries --------------------------------------------------------------------------------------

def _key_condition(partition: str, index: str | None, begins_with: str | None,
                   between: tuple[str, str] | None, at_most: str | None = None) -> dict[str, Any]:
    pk_attr, sk_attr = INDEXES[index] if index else ("pk", "sk")
    names, values = {"#p": pk_attr}, {":p": _value(partition)}
    condition = "#p = :p"
    if begins_with is not None:
        names["#s"], values[":s"] = sk_attr, _value(begins_with)
        condition += " AND begins_with(#s, :s)"
    elif between is not None:
        names["#s"] = sk_attr
        values[":lo"], values[":hi"] = _value(between[0]), _value(between[1])
        condition += " AND #s BETWEEN :lo AND :hi"
    elif at_most is not None:
        names["#s"], values[":hi"] = sk_attr, _value(at_most)
        condition += " AND #s <= :hi"
    request: dict[str, Any] = {"TableName": _table(), "KeyConditionExpression": condition,
                               "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
    if index:
        request["IndexName"] = index
    return request


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None


def query(
    partition: str,
    *,
    index: str | None = None,
    begins_with: str | None = None,
    between: tuple[str, str] | None = None,
    at_most: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    newest_first: bool = False,
) -> Page:
    """One page of one partition (of the table or a GSI), optionally narrowed by sort-key prefix/range
    (`at_most`: a range from the partition's start)."""
    request = _key_condition(partition, index, begins_with, between, at_most)
    query_id = "|".join([index or "table", partition, begins_with or "", "~".join(between or ()),
                         "desc" if newest_first else "asc", *([f"<={at_most}"] if at_most is not None else [])])
    request.update(Limit=limit + 1, ScanIndexForward=not newest_first)
    if cursor:
        request["ExclusiveStartKey"] = _to_wire(cursors.decode(query_id, cursor))
    response = aws.dynamodb().query(**request)
    items = [_from_wire(i) for i in response.get("Items", [])]
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        key_names = {"pk", "sk", *(INDEXES[index] if index else ())}
        next_cursor = cursors.encode(query_id, {k: items[-1][k] for k in key_names})
    return Page(items=items, next_cursor=next_cursor)


def page(cls: type[Record], listing: str, of: str | tuple[object, ...], *, after: tuple[object, ...] = (),
         since: tuple[object, ...] | None = None, until: tuple[object, ...] | None = None,
         through: tuple[object, ...] | None = None,
         limit: int = 20, cursor: str | None = None, newest_first: bool = False) -> Page:
    """One page of the list `listing` of `cls` records for `of` (an owner, an area and below, key parts),
    narrowed to sort keys starting with `after` (e.g. `("open",)`), and to the part from `since` on or up to
    `until` / `through`, as in `every` (a service point's activities from a date onward: `since=(<date>,)`;
    the outbox messages due by now: `through=(<now>,)`)."""
    declared = cls.listing(listing)
    return query(declared.partition(of), index=_index(declared),
                 **_narrowed(declared, of, after, since, until, through),
                 limit=limit, cursor=cursor, newest_first=newest_first)


def every(cls: type[Record], listing: str, of: str | tuple[object, ...], *, after: tuple[object, ...] = (),
          until: tuple[object, ...] | None = None, since: tuple[object, ...] | None = None,
          through: tuple[object, ...] | None = None, max_items: int = 10_000) -> list[dict[str, Any]]:
    """The whole list (bounded by `max_items`), for jobs and checks that must see all of it. `until`: only
    the part of the list sorting before `after + until` — e.g. `after=(0,), until=(<now>,)` reads the
    green-channel entries whose deadline has passed, not the whole queue. `through`: like `until`, but
    inclusive — the entries whose sort parts begin with `after + through` are read too (a message due at
    this very moment, sorted `<moment>#<id>`). `since`: only the part sorting at or after `after + since`
    — e.g. `after=(<district>,), since=(<today>,)` reads the grants whose last day has not passed; without
    `after`, from `since` to the end of the list. An upper bound without `after` or `since` reads from the
    start of the list."""
    declared = cls.listing(listing)
    return query_all(declared.partition(of), index=_index(declared), max_items=max_items,
                     **_narrowed(declared, of, after, since, until, through))


def _narrowed(declared: Listing, of: str | tuple[object, ...], after: tuple[object, ...],
              since: tuple[object, ...] | None, until: tuple[object, ...] | None,
              through: tuple[object, ...] | None = None) -> dict[str, Any]:
    """The sort-key condition of a list read: a prefix (`begins_with`), a range (`between`) or a range from
    the list's start (`at_most`)."""
    if until is not None and through is not None:
        raise ValueError("`until` or `through`, not both")
    prefix = _list_prefix(declared, of, after)
    if until is None and since is None and through is None:
        return {"begins_with": prefix}
    low = declared.sort(of, (*after, *since)) if since is not None else prefix
    if until is not None:
        high = declared.sort(of, (*after, *until))
    elif through is not None:  # `<bound>#…` sorts below `<bound>#<highest>`; `<bound>x…` (a longer part) above
        high = declared.sort(of, (*after, *through)) + keys.SEP + _HIGHEST
    else:
        high = (prefix or "") + _HIGHEST
    return {"between": (low, high)} if low else {"at_most": high}


_HIGHEST = "\U0010ffff"  # sorts after every character a key part can hold (DynamoDB compares UTF-8 bytes)


def _index(listing: Listing) -> str | None:
    return None if listing.index == "table" else listing.index


def _list_prefix(listing: Listing, of: str | tuple[object, ...], after: tuple[object, ...]) -> str | None:
    if listing.by in ("area", "city"):
        return listing.sort(of, after) + (keys.SEP if after else "")
    if listing.nested and after:
        return keys.compose(*after)
    return keys.compose(*after) + keys.SEP if after else None


def query_all(partition: str, *, index: str | None = None, begins_with: str | None = None,
              between: tuple[str, str] | None = None, at_most: str | None = None,
              max_items: int = 10_000) -> list[dict[str, Any]]:
    """Every item of a partition, page by page (for jobs and small fixed sets, never unbounded lists)."""
    request = _key_condition(partition, index, begins_with, between, at_most)
    out: list[dict[str, Any]] = []
    while True:
        response = aws.dynamodb().query(**request)
        out.extend(_from_wire(i) for i in response.get("Items", []))
        if len(out) > max_items:
            raise ServiceUnavailable(f"数据量超过单次处理上限（{max_items} 条），请缩小范围", code="too_many_items")
        if "LastEvaluatedKey" not in response:
            return out
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]



def batch_write(puts: list[dict[str, Any]] = (), deletes: list[tuple[str, str]] = ()) -> None:
    """Unconditional puts and deletes in chunks of 25, retrying what DynamoDB leaves unprocessed. Only for
    items whose keys are deterministic (demo data, screening findings): it overwrites without a version."""
    from chalicelib.platform.storage.batch import fan_out

    requests = [{"PutRequest": {"Item": _to_wire(item)}} for item in puts]
    requests += [{"DeleteRequest": {"Key": _to_wire({"pk": pk, "sk": sk})}} for pk, sk in deletes]
    fan_out(_write_chunk, [requests[start:start + 25] for start in range(0, len(requests), 25)])


def _write_chunk(requests: list[dict[str, Any]]) -> None:
    """One BatchWriteItem of ≤ 25 requests, retrying what DynamoDB leaves unprocessed (a few chunks run side
    by side: a screening shard writes thousands of findings and tasks)."""
    pending = {_table(): requests}
    for _ in range(8):
        pending = aws.dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        if not pending:
            return
    raise ServiceUnavailable(headers={"Retry-After": "1"})


def get_many(pairs: list[tuple[str, str]], *, consistent: bool = False) -> list[dict[str, Any]]:
    """Several items by key in one BatchGetItem (≤100), retrying what DynamoDB leaves unprocessed;
    `consistent`: strongly consistent reads. The first one of a keyed request also reads its claim,
    consistently (`idempotency.unread`): what it finds is kept on the claim for `replay_if_claimed`, and not
    returned."""
    if not pairs:
        return []
    if len(pairs) > 100:
        raise ValueError("at most 100 keys per call")
    wanted = list(dict.fromkeys(pairs))
    claim = idempotency.unread() if len(wanted) < 100 else None
    claim_key = (claim.key["pk"], claim.key["sk"]) if claim else None
    request = {_table(): {"Keys": [_to_wire({"pk": pk, "sk": sk}) for pk, sk in wanted + ([claim_key] if claim else [])]}}
    if claim or consistent:
        request[_table()]["ConsistentRead"] = True
    found: list[dict[str, Any]] = []
    for _ in range(5):
        response = aws.dynamodb().batch_get_item(RequestItems=request)
        found.extend(_from_wire(i) for i in response.get("Responses", {}).get(_table(), []))
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    else:
        raise ServiceUnavailable(headers={"Retry-After": "1"})
    if claim is None:
        return found
    claim.looked_up = True
    claim.seen = next((i for i in found if (i["pk"], i["sk"]) == claim_key), None)
    return [i for i in found if (i["pk"], i["sk"]) != claim_key]
