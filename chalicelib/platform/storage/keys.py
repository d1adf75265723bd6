"""Every key string of the shared table is built here (see docs/data-model.md for the access patterns).

Layout, chosen to read well in the AWS console:
- a record:           pk `<entity>#<id>`                 sk `record`
- its history/audit:  pk `audit#<entity>#<id>`           sk `<utc iso time>#<event id>`
- area tree:          gsi1 `area-children#<parent code>` / `<code>`
- area-scoped lists:  gsi1 `<entity>@<city code>`        / `<area code>#<sort value>`
  (partitioned by city so one busy city never throttles another, and "my area and below" is one
  `begins_with` on the sort key within the city)
- audit by actor:     gsi1 `audit-by#<sub>`               / `<utc iso time>`
- audit by day:       gsi2 `audit-day#<yyyy-mm-dd>`       / `<utc iso time>#<event id>`
"""
from __future__ import annotations

SEP = "#"
RECORD_SK = "record"


def is_record_id(record_id: str) -> bool:
    """Whether a client-supplied id (a path parameter) can be a record id at all: letters, digits, `-_.`,
    at most 200 characters. Anything else is simply not found — never a key error."""
    return 0 < len(record_id) <= 200 and all(c.isascii() and (c.isalnum() or c in "-_.") for c in record_id)


def compose(*parts: object) -> str:
    """Join key parts; a part holding the separator would make keys ambiguous, so it is refused."""
    texts = [str(p) for p in parts]
    for text in texts:
        if SEP in text or not text:
            raise ValueError(f"invalid key part {text!r}")
    return SEP.join(texts)


def record(entity: str, record_id: str) -> dict[str, str]:
    return {"pk": compose(entity, record_id), "sk": RECORD_SK}


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


def audit_target(entity: str, record_id: str) -> str:
    return compose("audit", entity, record_id)


def audit_sort(moment_iso: str, event_id: str) -> str:
    return f"{moment_iso}{SEP}{event_id}"


def audit_by_actor(sub: str) -> str:
    return f"audit-by{SEP}{sub}"


def audit_by_day(day_iso: str) -> str:
    return compose("audit-day", day_iso)


def owned_by(entity: str, owner_sub: str) -> str:
    """Partition listing one owner's records of `entity` (a resident's own applications, greetings …)."""
    return compose(f"{entity}-by", owner_sub)


# --- policy parameters (P-rules): one partition per (parameter, area) ----------------------------------
POLICY_TIMELINE_SK = "timeline"
POLICY_VERSION_PREFIX = "v#"


def policy_partition(name: str, area_code: str) -> str:
    """`policy#<name>#<area>`: the timeline item and every version of one parameter at one area."""
    return compose("policy", name, area_code)


def policy_version_sort(effective_from_iso: str, suffix: str) -> str:
    """`v#<effective_from>#<suffix>`: versions sort by the date they take effect."""
    return compose("v", effective_from_iso, suffix)


# --- files (C10) -------------------------------------------------------------------------------------

def files_for_record(entity: str, record_id: str) -> str:
    """gsi2 partition of the files attached to one record of a plugin or core entity."""
    return compose("files-for", entity, record_id)


# --- accounts and sign-in (chalicelib/accounts.py; docs/data-model.md A1–A10) -----------------------

def openid_link(kind: str, openid_hash: str) -> dict[str, str]:
    """The mini-program identity → account link, keyed by an HMAC of the openid (never the openid):
    `openid-resident#<hmac>` or `openid-staff#<hmac>` (one WeChat user may be both)."""
    return record(f"openid-{kind}", openid_hash)


def session_family(family_id: str) -> dict[str, str]:
    """One sign-in's refresh-token family (rotated on each refresh, revoked as a whole)."""
    return record("session", family_id)


def refresh_token(token_hash: str) -> dict[str, str]:
    """One issued refresh token, by the SHA-256 of the token (kept until expiry to detect reuse)."""
    return record("refresh-token", token_hash)


def staff_invite(code_hash: str) -> dict[str, str]:
    return record("staff-invite", code_hash)


def id_number_claim(id_hash: str) -> dict[str, str]:
    """Which account declared an ID number (one number, one account), by the number's HMAC."""
    return record("id-number", id_hash)


def sequence(name: str, *of: object) -> dict[str, str]:
    """A numbered sequence's counter item (`storage.Counter`): `<name>#<parts>`, `sk = count`."""
    return {"pk": compose(name, *of), "sk": "count"}


def rate_counter(scope: str, subject_hash: str, window_start: int) -> dict[str, str]:
    """A fixed-window attempt counter (expires through `ttl`)."""
    return {"pk": compose("rate", scope, subject_hash, window_start), "sk": RECORD_SK}


# --- directory, coverage, board and rota (C2, C3, C4, C8) -------------------------------------------

def district_of(area_code: str) -> str:
    """The district-level prefix (6 digits) of a code at district level or below."""
    if len(area_code) < 6:
        raise ValueError(f"{area_code!r} is above district level")
    return area_code[:6]


def area_services(area_code: str) -> str:
    """gsi2 partition of everything linked to exactly one area: the institutions mapped to serve it
    (sk `serves#<kind>#<institution>`) and the assignments targeting it (sk `assignment#<role>#…`).
    "Who serves this grid" is one Query per ancestor of the grid."""
    return compose("area-services", area_code)


def serving_sort(area_code: str) -> str:
    """sk of an institution's mapping item inside the institution's own partition (`institution#<id>`)."""
    return compose("serves", area_code)


def coverage_partition(role: str, district_code: str) -> str:
    """gsi1 partition of the assignments of one coverage role in one district, sorted by target area
    code: the coverage report reads one partition per role instead of one item per grid."""
    return f"assignment@{role}@{district_code}"


def rota_person(person_id: str) -> dict[str, str]:
    """A person's rota ledger: every duty slot and activity they are booked for, in one item, read
    consistently and updated with a version check so two bookings cannot race past the clash check."""
    return {"pk": compose("rota-by", person_id), "sk": RECORD_SK}


def service_point_list(entity: str, institution_id: str) -> str:
    """gsi1 partition listing one service point's duty slots or activities."""
    return f"{entity}@{institution_id}"


def area_level(city_code: str, level: str) -> str:
    """gsi2 partition of one city's areas of one level: `begins_with(code)` lists every town, village or
    grid under an area in one Query (coverage of a 2,000-grid district)."""
    return f"area-level@{city_code}{SEP}{level}"
