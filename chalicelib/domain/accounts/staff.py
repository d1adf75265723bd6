"""Accounts: staff accounts, managed by admins within their jurisdiction, and the one-time invitation code
that binds a staff member's WeChat (72 h, keyed by HMAC, a new one voids the old). Disabling a staff
account ends every session of theirs at once.
"""
from __future__ import annotations

import re
import secrets as random
import uuid
from datetime import timedelta

from chalicelib.domain.accounts.models import (
    InvitationOut, StaffAccount, StaffIn, StaffInvite, StaffOut, StaffPatch, StaffQuery,
)
from chalicelib.domain.accounts.sessions import KEEP_AFTER_EXPIRY, ending
from chalicelib.domain.accounts.store import STAFF_SUB, apply_changes, epoch, find_staff, phone_fields
from chalicelib.domain.areas import service as areas
from chalicelib.platform import audit, pii, storage
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc

INVITE_LIFETIME = timedelta(hours=72)
INVITE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
INVITE_LENGTH = 10  # 50 bits, and every guess costs a fresh WeChat login code


def invite_hash(code: str) -> str:
    return pii.lookup_hash("staff_invite", re.sub(r"[\s-]", "", code).upper())


def _visible_staff(caller: Caller, sub: str) -> StaffAccount:
    staff = find_staff(sub) if STAFF_SUB.match(sub or "") else None  # a path parameter: any text may come
    if staff is None:
        raise NotFound("工作人员账号不存在", code="staff_not_found")
    require_area(caller, staff.area)
    return staff


def _existing_area(code: str, loc: str = "area") -> None:
    try:
        areas.get(code)
    except NotFound:
        raise Unprocessable(f"区域 {code} 不存在", code="area_not_found",
                            errors=[{"loc": [loc], "msg": "区域不存在"}]) from None


def create_staff(caller: Caller, data: StaffIn) -> StaffAccount:
    """One TransactWriteItems: the area's existence is a condition in it (the same 422 naming `area`)."""
    actor = caller.actor
    require_area(caller, data.area)
    staff = StaffAccount(sub="s-" + uuid.uuid4().hex, name=data.name, roles=sorted(set(data.roles)),
                         area=data.area, institution=data.institution, created_by=actor.sub,
                         **({k: v for k, v in phone_fields(data.phone, verified=False).items()
                             if k in ("phone_cipher", "phone_hash", "phone_masked")} if data.phone else {}))
    return storage.put_new(staff, also=[areas.must_exist(data.area, field="area"), audit.entry(
        actor, "create", StaffAccount.entity, staff.sub,
        f"新建工作人员账号（{'、'.join(staff.roles)}，辖区 {staff.area}）")])


def get_staff(caller: Caller, sub: str) -> StaffAccount:
    return _visible_staff(caller, sub)


def list_staff(caller: Caller, query: StaffQuery) -> Page[StaffOut]:
    area = query.area or caller.area or ""
    try:
        areas.level_of(area)
    except ValueError as exc:
        raise Unprocessable(str(exc), errors=[{"loc": ["area"], "msg": str(exc)}]) from None
    if len(area) < 4:
        raise Unprocessable("请按市（4 位代码）或以下区域查询", code="area_too_broad",
                            errors=[{"loc": ["area"], "msg": "请指定市或以下区域"}])
    require_area(caller, area)
    page = storage.page(StaffAccount, StaffAccount.entity, area, limit=query.limit, cursor=query.cursor)
    return Page[StaffOut](items=[StaffOut.of(StaffAccount.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def change_staff(caller: Caller, sub: str, patch: StaffPatch, expected_version: int) -> StaffAccount:
    """Change a staff member; `status: disabled` ends every session of theirs in the same transaction
    (their next refresh is refused) and marks the families revoked."""
    actor = caller.actor
    staff = _visible_staff(caller, sub)
    given = patch.model_dump(exclude_unset=True, exclude={"version"})
    remove = ["institution"] if "institution" in given and given["institution"] is None else []
    changes = {k: v for k, v in given.items() if v is not None}  # null clears the institution, nothing else
    if not changes and not remove:
        raise Unprocessable("没有要修改的字段", code="nothing_to_change")
    if "area" in changes:
        require_area(caller, changes["area"])
        _existing_area(changes["area"])
    if "roles" in changes:
        changes["roles"] = sorted(set(changes["roles"]))
    disabling = changes.get("status") == "disabled" and staff.status == "active"
    if disabling:
        changes["sessions_valid_after"] = now_utc()
    summary = "修改工作人员账号：" + "、".join(sorted({*changes, *remove} - {"sessions_valid_after"}))
    record = {k: {"from": getattr(staff, k), "to": v} for k, v in changes.items()
              if k in ("roles", "area", "status", "institution")}
    endings = ending(sub, "disabled")[0] if disabling else []  # marked revoked in the same transaction
    return apply_changes(staff, changes, expected_version=expected_version, remove=remove, also=[
        *endings, audit.entry(actor, "disable" if disabling else "update", StaffAccount.entity, sub,
                              summary + ("（停用，全部登录立即作废）" if disabling else ""), record or None)])


def invite_staff(caller: Caller, sub: str) -> InvitationOut:
    """A one-time code binding the staff member's WeChat (a new one voids the previous)."""
    actor = caller.actor
    staff = _visible_staff(caller, sub)
    if staff.status != "active":
        raise Conflict("账号已停用，请先启用再发放绑定码", code="staff_disabled")
    code = "".join(random.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    code_hash = invite_hash(code)
    expires_at = now_utc() + INVITE_LIFETIME
    invite = storage.stamp_new(StaffInvite(code_hash=code_hash, sub=sub, expires_at=expires_at,
                                           ttl=epoch(expires_at + KEEP_AFTER_EXPIRY)))
    also = [storage.put_op(invite.to_item()),
            audit.entry(actor, "invite", StaffAccount.entity, sub, "发放微信绑定码（72 小时有效，旧码作废）")]
    if staff.invite_hash:
        also.append(storage.delete(StaffInvite, staff.invite_hash))
    apply_changes(staff, {"invite_hash": code_hash}, expected_version=staff.version, also=also)
    return InvitationOut(sub=sub, invite_code=f"{code[:5]}-{code[5:]}", expires_at=expires_at.isoformat())


# --- what services need of staff accounts -------------------------------------------------------------

def active_staff_with_role(area: str, role: str, *, max_items: int = 5_000) -> list[StaffAccount]:
    """The active staff accounts holding `role` whose area is `area` or below (city level or below: one
    Query of the city's staff partition from the area's prefix; staff of other roles are read and dropped,
    so keep `area` as narrow as the use allows). For plugins that pick a colleague (legal aid assigns a
    lawyer). The records carry `institution` (a directory institution id) and the sealed work phone."""
    if len(area) < 4:
        raise ValueError("area must be at city level or below")
    items = storage.every(StaffAccount, StaffAccount.entity, area, max_items=max_items)
    staff = (StaffAccount.from_item(i) for i in items)
    return [s for s in staff if s.status == "active" and role in s.roles]


def staff_account(sub: str) -> StaffAccount | None:
    """The staff account `sub` (read consistently), or None — also for a sub that cannot be one. For plugins
    that show or check a colleague (legal aid: the lawyer to assign, the assigned lawyer's contact)."""
    return find_staff(sub)
