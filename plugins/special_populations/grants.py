"""Access a district grants to a bureau account (SPEC S5: "not the bureau's general admins unless the
district grants it").

A corrections officer of a district (their jurisdiction is the district itself) names one staff account of
the bureau above it (a city or province account), states why, and sets the last day; the grant is a record,
its creation and revocation audited. While it is valid — not revoked, today between its first and last day
— that account reads the district's full records, rosters and visits (never writes), the ID number and
phone masked (a grant is oversight: an admin holds no case), and every such read is audited as usual with
the grant's id. Revoked or expired, the account gets the 404 of anyone else.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta

from chalicelib.domain.accounts.store import can_be_sub
from chalicelib.domain.accounts.models import StaffAccount
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.auth.roles import ADMIN
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import today_shanghai
from plugins.special_populations import params
from plugins.special_populations.models import (
    GRANT_ENTITY, GRANTS, HELD, Grant, GrantIn, GrantOut, RevokeIn,
)

OFFICER = "corrections_officer"
DISTRICT_DIGITS = 6
HELD_AT_MOST = 50  # unexpired grants one account holds in one district: a handful, never a long list
# A grant goes to the bureau itself: its administrators and corrections officers, never to the staff of an
# institution (a law firm's lawyer, a notary office) even when their account sits at the city.
BUREAU_ROLES = frozenset({ADMIN, OFFICER})


def is_district_officer(caller: Caller, district: str) -> bool:
    """A corrections officer whose jurisdiction is the district itself (本区社区矫正工作人员, SPEC S5): the one who
    may grant, list and revoke. A city's or province's officer is not one, even for the district their area
    holds: a code of another length is no district (the grants list is read with the code as a prefix)."""
    return OFFICER in caller.roles and len(district) == DISTRICT_DIGITS and caller.area == district


def is_bureau_job(roles: frozenset[str] | list[str], area: str | None, district: str) -> bool:
    """A job a grant may go to: only bureau roles, at an area above the district and containing it."""
    return (bool(roles) and set(roles) <= BUREAU_ROLES and area is not None
            and len(area) < DISTRICT_DIGITS and district.startswith(area))


def holding(caller: Caller, district: str, on: date) -> Grant | None:
    """The grant through which `caller` reads `district`'s records on `on`, if any (one Query of their own
    list, only for callers who are not the district's officers; expired grants are outside the range read).

    A grant follows the job, not just the account id: the caller must still hold a bureau job above the
    district, in the area the account had when granted. The token's claims are checked, not the account
    (no extra GetItem per read): every access token is signed from the account as re-read at refresh, and
    disabling an account ends its sessions at once, so the claims are at most one access-token lifetime old.
    An institution is not a claim; it was checked at grant time, and a bureau role is what the grant needs."""
    if not caller.is_staff or len(district) != DISTRICT_DIGITS:
        return None
    if not is_bureau_job(caller.roles, caller.area, district):
        return None
    items = storage.every(Grant, HELD, caller.sub, after=(district,), since=(on,), max_items=HELD_AT_MOST)
    valid = [g for g in map(Grant.from_item, items)
             if g.valid_on(on) and g.grantee_area == caller.area]
    return max(valid, key=lambda g: g.valid_until, default=None)


def _hidden() -> NotFound:
    detail, code = Grant.missing
    return NotFound(detail, code=code)


def grant(caller: Caller, data: GrantIn, *, grant_id: str | None = None) -> Grant:
    """The named account (it must be an active bureau account above the district: an administrator or
    corrections officer, of no institution) and the longest term in force at the district in one consistent
    BatchGetItem (`policy.read_along`), then the grant and its audit entry in one transaction.

    Two calls, one over a create's floor of 1: the grantee's account is read (its area is kept on the grant,
    so the grant follows the job) and the longest term is a parameter in force at the district."""
    district = data.district or caller.area or ""
    if not is_district_officer(caller, district):
        raise Forbidden("只有本区社区矫正工作人员可以授权查阅本区特殊人群档案", code="outside_jurisdiction",
                        errors=[{"loc": ["district"], "msg": "不是您所在的区"}])
    today = today_shanghai()
    along = policy.read_along([params.GRANT_MAX_DAYS], district, consistent=True,
                              also={StaffAccount: [data.grantee] if can_be_sub(data.grantee) else []})
    longest = int(along.resolve_many(today)[params.GRANT_MAX_DAYS].value)
    problems = []
    account = along.records[StaffAccount].get(data.grantee)
    if account is None or account.status != "active":
        problems.append({"loc": ["grantee"], "msg": "没有这个在用的工作人员账号"})
    elif account.institution is not None or not is_bureau_job(account.roles, account.area, district):
        problems.append({"loc": ["grantee"],
                         "msg": "只能授权给本区上级司法局的管理员或社区矫正工作人员账号（不属于律所等机构）"})
    if data.valid_until < today:
        problems.append({"loc": ["valid_until"], "msg": "不能早于今日"})
    elif data.valid_until > today + timedelta(days=longest - 1):
        problems.append({"loc": ["valid_until"], "msg": f"授权期限最长 {longest} 日（至 {today + timedelta(days=longest - 1)}）"})
    if problems:
        raise Unprocessable("授权信息有误：" + "、".join(p["loc"][0] for p in problems), code="invalid_grant",
                            errors=problems)
    record = Grant(id=grant_id or uuid.uuid4().hex, district=district, grantee=data.grantee,
                   grantee_area=account.area, reason=data.reason,
                   valid_from=today, valid_until=data.valid_until, granted_by=caller.sub)
    summary = f"授权账号 {record.grantee} 查阅区 {district} 特殊人群档案（{today} 至 {record.valid_until}）"
    return storage.put_new(record, also=[audit.entry(caller.actor, "create", GRANT_ENTITY, record.id, summary)])


def listed(caller: Caller, district: str | None, *, limit: int, cursor: str | None) -> Page[GrantOut]:
    """The district's grants (valid, expired and revoked), for its officers; one Query page."""
    district = district or caller.area or ""
    if not is_district_officer(caller, district):
        raise NotFound("没有这个区的授权记录", code="grants_not_found")
    page = storage.page(Grant, GRANTS, district, limit=limit, cursor=cursor)
    today = today_shanghai()
    return Page[GrantOut](items=[GrantOut.of(Grant.from_item(i), today) for i in page.items], next_cursor=page.next_cursor)


def revoke(caller: Caller, grant_id: str, data: RevokeIn, *, expected_version: int) -> Grant:
    """Revoke at once (the account's next read is 404); the grant leaves the holder's list, the district's
    list keeps it, and the revocation is audited."""
    record = storage.read(Grant, grant_id, consistent=True)
    if record is None or not is_district_officer(caller, record.district):
        raise _hidden()
    if record.status == "revoked":
        raise Conflict("该授权已撤销", code="already_revoked")
    changes = {"status": "revoked", "revoked_by": caller.sub, "revoked_on": today_shanghai(),
               "revoke_reason": data.reason}
    return storage.update(record, changes, expected_version=expected_version, also=[
        audit.entry(caller.actor, "update", GRANT_ENTITY, record.id, f"撤销账号 {record.grantee} 的查阅授权",
                    {"status": {"from": "active", "to": "revoked"}})])
