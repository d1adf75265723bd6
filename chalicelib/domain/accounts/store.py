"""Accounts: loading an account by its sub, and the few helpers every accounts module writes with
(the audit actor of a request, conditional updates in one transaction, which operation of a transaction
failed, how a phone number is stored on an account).
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from chalicelib.domain.accounts.models import Kind, Origin, Resident, StaffAccount
from chalicelib.platform import audit, pii, storage
from chalicelib.platform.errors import Conflict, NotFound


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def actor_for(sub: str, roles: list[str] | tuple[str, ...], origin: Origin) -> audit.Actor:
    return audit.Actor(sub=sub, roles=tuple(sorted(roles)), source_ip=origin.source_ip, request_id=origin.request_id)


def update_op(record: storage.Record, changes: dict[str, Any], *, expected_version: int,
              remove: tuple[str, ...] | list[str] = ()) -> tuple[storage.Record, dict[str, Any]]:
    """(the updated record, its conditional update op); `remove` names fields to erase."""
    return storage.prepare_update(record, {**changes, **dict.fromkeys(remove)}, expected_version=expected_version)


def apply_changes(record: storage.Record, changes: dict[str, Any], *, expected_version: int,
                  remove: tuple[str, ...] | list[str] = (), also: list[dict[str, Any]] | None = None) -> storage.Record:
    """Update `record` with `also` in one transaction (see `storage.update`); `remove` names fields to erase."""
    return storage.update(record, {**changes, **dict.fromkeys(remove)}, expected_version=expected_version,
                          also=also or [])


def failed_op(exc: Conflict) -> int | None:
    if exc.code != "condition_failed" or not exc.errors:
        return None
    return int(exc.errors[0]["loc"][1])


# --- loading accounts -----------------------------------------------------------------------------

# What a sub can be (the token's shape, tokens.SUB_SHAPE: printable ASCII without the key separator '#'),
# checked before it becomes a key part: a sub from a path or a token that cannot be one is no account (404)
# rather than a ValueError from a key or a DynamoDB key-size error (500).
_SUB_SHAPE = re.compile(r"^[!-\"$-~]{1,128}$", re.ASCII)
STAFF_SUB = re.compile(r"^s-[A-Za-z0-9_-]{1,100}$", re.ASCII)


def can_be_sub(sub: str | None) -> bool:
    return bool(_SUB_SHAPE.match(sub or ""))


def find_resident(sub: str) -> Resident | None:
    if not can_be_sub(sub):
        return None
    return storage.read(Resident, sub, consistent=True)


def find_staff(sub: str) -> StaffAccount | None:
    if not can_be_sub(sub):
        return None
    return storage.read(StaffAccount, sub, consistent=True)


def find_account(sub: str, kind: str) -> Resident | StaffAccount | None:
    return find_resident(sub) if kind == "resident" else find_staff(sub)


def resident_check(sub: str, problem: Exception, *, real_name: bool = False) -> storage.Check:
    """A condition for another service's transaction: `sub` is a resident account (with a real-name
    declaration, when `real_name`); `problem` is raised when it is not — no read before the write."""
    return storage.must_exist(Resident, sub, problem, equals={"real_name_status": "declared"} if real_name else None)


def active_resident(sub: str) -> Resident:
    resident = find_resident(sub)
    if resident is None or resident.status != "active":
        raise NotFound("没有找到您的居民账号，请通过小程序登录", code="account_not_found")
    return resident


def claims(account: Resident | StaffAccount) -> tuple[list[str], str | None, Kind]:
    if isinstance(account, StaffAccount):
        return sorted(account.roles), account.area, "staff"
    return ["resident"], None, "resident"


def phone_fields(phone: str, *, verified: bool) -> dict[str, Any]:
    return {**pii.seal_phone(phone).fields("phone"), "phone_verified": verified,
            "phone_source": "wechat" if verified else "entered"}
