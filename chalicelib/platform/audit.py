"""The audit trail: who did what to which record, when and from where.

An entry (`Entry`, a record like any other) is built here and written in the same transaction as the
change it describes (pass it in `also=`), so there is never a change without its entry. Reads of sensitive
data (S5, ID numbers) are recorded with `record_read`, a single put. Entries carry no personal data beyond
the actor's id: the summary names fields, not their values.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from chalicelib.platform import storage
from chalicelib.platform.timeutil import iso, now_utc, today_shanghai


@dataclass(frozen=True)
class Actor:
    sub: str
    roles: tuple[str, ...]
    source_ip: str | None = None
    request_id: str | None = None


SYSTEM = Actor(sub="system", roles=("system",))


# The lists an entry stands in (docs/data-model.md, patterns 4-6).
TRAIL = "audit"              # a record's trail: `audit#<entity>#<id>` / `<utc time>#<event id>`
BY_ACTOR = "audit-by-actor"  # everything one person did: gsi1 `audit-by#<sub>` / `<utc time>`
BY_DAY = "audit-day"         # a day's events (Asia/Shanghai): gsi2 `audit-day#<day>` / `<utc time>#<event id>`


class Entry(storage.Record):
    """One audit entry: kept in its record's trail (the table itself), listed by actor and by day."""
    entity: ClassVar[str] = "audit"
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(TRAIL, "table"),
        storage.Listing(BY_ACTOR, "gsi1", by="owner", prefix="audit"),
        storage.Listing(BY_DAY, "gsi2"),
    )
    version: int | None = None  # type: ignore[assignment]  # written once, never updated
    event_id: str
    at: datetime
    action: str
    target_entity: str
    target_id: str
    summary: str
    actor: str
    actor_roles: list[str]
    source_ip: str | None = None
    request_id: str | None = None
    changes: dict[str, Any] | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == TRAIL:
            return storage.Place(of=(self.target_entity, self.target_id), sort=(iso(self.at), self.event_id))
        if listing == BY_ACTOR:
            return storage.Place(of=self.actor, sort=(iso(self.at),))
        return storage.Place(of=today_shanghai(self.at).isoformat(), sort=(iso(self.at), self.event_id))


def entry(actor: Actor, action: str, entity: str, record_id: str, summary: str,
          changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A transaction op that writes one audit entry. `changes` maps field → {"from", "to"} for
    non-sensitive fields (parameters, statuses)."""
    return storage.put_op(Entry(
        event_id=uuid.uuid4().hex, at=now_utc(), action=action, target_entity=entity, target_id=record_id,
        summary=summary, actor=actor.sub, actor_roles=list(actor.roles), source_ip=actor.source_ip,
        request_id=actor.request_id, changes=changes or None).to_item())


def record_read(actor: Actor, entity: str, record_id: str, summary: str) -> None:
    storage.transact([entry(actor, "read", entity, record_id, summary)])


def trail(entity: str, record_id: str, *, limit: int = 20, cursor: str | None = None) -> storage.Page:
    """One page of a record's entries, newest first (as stored items)."""
    return storage.page(Entry, TRAIL, (entity, record_id), limit=limit, cursor=cursor, newest_first=True)
