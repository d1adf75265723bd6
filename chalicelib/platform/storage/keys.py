"""The mechanics of the shared table's key strings (see docs/data-model.md for the access patterns): joining
parts, a record's own key, the city that partitions area-scoped lists. Which record sits where is declared
by the record types themselves (`Record.key_fields`, `Listing`, `Place` in `storage`).

Layout, chosen to read well in the AWS console:
- a record:           pk `<entity>#<id>`                 sk `record`
- its history/audit:  pk `audit#<entity>#<id>`           sk `<utc iso time>#<event id>`
- area tree:          gsi1 `area-children#<parent code>` / `<code>`
- area-scoped lists:  gsi1 `<entity>@<city code>`        / `<area code>#<sort value>`
  (partitioned by city so one busy city never throttles another, and "my area and below" is one
  `begins_with` on the sort key within the city)
- audit by actor:     gsi1 `audit-by#<sub>`               / `<utc iso time>`
- audit by day:       gsi2 `audit-day#<yyyy-mm-dd>`       / `<utc iso time>#<event id>`
  (the audit entries' three lists are declared by `chalicelib.platform.audit.Entry`)
"""
from __future__ import annotations

SEP = "#"
RECORD_SK = "record"


def compose(*parts: object) -> str:
    """Join key parts; a part holding the separator would make keys ambiguous, so it is refused."""
    texts = [str(p) for p in parts]
    for text in texts:
        if SEP in text or not text:
            raise ValueError(f"invalid key part {text!r}")
    return SEP.join(texts)


def record(entity: str, *record_id: object) -> dict[str, str]:
    """A record's own key: pk `<entity>#<id>` (or `<prefix>#<part>#…` for a record named by several
    fields), sk `record`."""
    return {"pk": compose(entity, *record_id), "sk": RECORD_SK}


def area_children_partition(parent_code: str) -> str:
    return compose("area-children", parent_code)


def city_of(area_code: str) -> str:
    """The city-level prefix that partitions area-scoped lists (a province-level code stays itself)."""
    return area_code[:4] if len(area_code) >= 4 else area_code


def area_scoped(entity: str, area_code: str, sort_value: str) -> tuple[str, str]:
    """(partition, sort key) for listing `entity` records by area: query with begins_with(area)."""
    return f"{entity}@{city_of(area_code)}", compose(area_code, sort_value)


def area_scope_partition(entity: str, city_code: str) -> str:
    return f"{entity}@{city_code}"


def owned_by(entity: str, owner_sub: str) -> str:
    """Partition listing one owner's records of `entity` (a resident's own applications, greetings …)."""
    return compose(f"{entity}-by", owner_sub)


def sequence(name: str, *of: object) -> dict[str, str]:
    """A numbered sequence's counter item (`storage.Counter`): `<name>#<parts>`, `sk = count`."""
    return {"pk": compose(name, *of), "sk": "count"}
