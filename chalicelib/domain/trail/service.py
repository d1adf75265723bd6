"""Who reads which record's trail (issue 24 §3; CONTRACT "Identity and access": every read of sensitive data
and every change is on the trail).

Rules, stated once:
- an administrator reads the trail of a record of their area or below (`Record.jurisdiction`: a ticket's
  grid, an application's area, a staff account's area, an area itself);
- a record of no area (a resident's account, a session, a platform-wide parameter) has its trail read by
  the administrators of a province only; no one below the province reads it by route;
- to anyone else, and for an entity that is no record type of the core or an enabled service, a record that
  does not (or no longer) exist, or a record kept inside another's partition (not named by one id), the trail
  does not exist: one and the same 404. A deleted record's trail stays in the table (DynamoDB console, pk
  `audit#<entity>#<id>`), where no area can be checked any more;
- every read is itself an entry of that trail, written before the page is answered (a failed write answers
  nothing).

Cost: one GetItem (the record, for its area), one Query (the page), one write (the read's entry).
"""
from __future__ import annotations

import functools
import importlib
import importlib.util
import pkgutil

from chalicelib import plugin
from chalicelib.domain.areas.models import CODE_LENGTHS
from chalicelib.domain.trail.models import AuditEntryOut
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound
from chalicelib.platform.model import Page

PROVINCE = next(length for length, level in CODE_LENGTHS.items() if level == "province")


def trail(caller: Caller, entity: str, record_id: str, *, limit: int, cursor: str | None) -> Page[AuditEntryOut]:
    """One page of the record's trail, newest first, for an administrator of its area."""
    cls = record_types().get(entity)
    record = storage.read(cls, record_id) if cls is not None and storage.is_record_id(record_id) else None
    if record is None or not may_read(caller, record.jurisdiction()):
        raise NotFound("没有这条记录的审计记录", code="audit_trail_not_found")
    page = audit.trail(entity, record_id, limit=limit, cursor=cursor)
    audit.record_read(caller.actor, entity, record_id, f"查看审计记录（{len(page.items)} 条）")
    return Page[AuditEntryOut](items=[AuditEntryOut.of(audit.Entry.from_item(i)) for i in page.items],
                               next_cursor=page.next_cursor)


def may_read(caller: Caller, area: str | None) -> bool:
    """An administrator of the record's area or above; for a record of no area, of a province."""
    if not caller.is_admin:
        return False
    if area is None:
        return caller.area is not None and len(caller.area) == PROVINCE
    return caller.covers(area)


def record_types() -> dict[str, type[storage.Record]]:
    """The record types a trail may be asked of, by entity: those of the core's features and of the enabled
    services (not a disabled one's, nor the demo loader's or a test's), named by one id and stored under their
    own key."""
    enabled = {p.name for p in plugin.enabled()}
    packages = [f"plugins.{name.replace('-', '_')}" for name in sorted(enabled)]  # plugin.load's, name_of's inverse
    _import_all(("chalicelib.domain", *(p for p in packages if importlib.util.find_spec(p) is not None)))
    found: dict[str, type[storage.Record]] = {}
    for cls in storage.record_types():
        module = cls.__module__.split(".")
        ours = module[:2] == ["chalicelib", "domain"] or (module[0] == "plugins" and len(module) > 1
                                                          and plugin.name_of(module[1]) in enabled)
        if not ours or len(cls.key_fields) != 1 or any(listing.index == "table" for listing in cls.lists):
            continue
        if found.setdefault(cls.entity, cls) is not cls:
            raise TypeError(f"entity {cls.entity!r} is declared by both {found[cls.entity].__qualname__} "
                            f"and {cls.__qualname__}")
    return found


@functools.cache
def _import_all(packages: tuple[str, ...]) -> None:
    """Every module of `packages` but a service's `proof` (tests only), once per set: a record type is known
    only once its module is imported, and which ones are depends on what this instance served before (web.lazy
    imports a route module on its first call, a service its parts where it uses them). The first read of a
    trail in an instance pays for it."""
    for package in packages:
        for module in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
            if module.name.rsplit(".", 1)[-1] != "proof":
                importlib.import_module(module.name)
