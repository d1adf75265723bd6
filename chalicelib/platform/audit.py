"""The audit trail: who did what to which record, when and from where.

An entry is an item built here and written in the same transaction as the change it describes (pass it
in `also=`), so there is never a change without its entry. Reads of sensitive data (S5, ID numbers) are
recorded with `record_read`, a single put. Entries carry no personal data beyond the actor's id: the
summary names fields, not their values.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from chalicelib.platform.storage import keys
from chalicelib.platform import storage
from chalicelib.platform.timeutil import iso, now_utc, today_shanghai


@dataclass(frozen=True)
class Actor:
    sub: str
    roles: tuple[str, ...]
    source_ip: str | None = None
    request_id: str | None = None


SYSTEM = Actor(sub="system", roles=("system",))


def entry(actor: Actor, action: str, entity: str, record_id: str, summary: str,
          changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A transaction op that writes one audit entry. `changes` maps field → {"from", "to"} for
    non-sensitive fields (parameters, statuses)."""
    moment = now_utc()
    moment_iso = iso(moment)
    event_id = uuid.uuid4().hex
    item = {
        "pk": keys.audit_target(entity, record_id),
        "sk": keys.audit_sort(moment_iso, event_id),
        "gsi1pk": keys.audit_by_actor(actor.sub), "gsi1sk": moment_iso,
        "gsi2pk": keys.audit_by_day(today_shanghai(moment).isoformat()),
        "gsi2sk": keys.audit_sort(moment_iso, event_id),
        "entity": "audit", "event_id": event_id, "at": moment_iso, "action": action,
        "target_entity": entity, "target_id": record_id, "summary": summary,
        "actor": actor.sub, "actor_roles": list(actor.roles),
        "source_ip": actor.source_ip, "request_id": actor.request_id,
    }
    if changes:
        item["changes"] = changes
    return storage.put_op({k: v for k, v in item.items() if v is not None})


def record_read(actor: Actor, entity: str, record_id: str, summary: str) -> None:
    storage.transact([entry(actor, "read", entity, record_id, summary)])


def trail(entity: str, record_id: str, *, limit: int = 20, cursor: str | None = None) -> storage.Page:
    return storage.query(keys.audit_target(entity, record_id), limit=limit, cursor=cursor, newest_first=True)
