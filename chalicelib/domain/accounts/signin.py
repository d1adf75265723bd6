"""Accounts: signing in from the mini-program. The login code is exchanged for the openid (`wechat`); the
openid → account link is keyed by an HMAC of `<app id>:<openid>`, never by the openid. A resident is
found or created; a staff member signs in once bound, or binds with an invitation code.
"""
from __future__ import annotations

import uuid

from chalicelib.domain.accounts.limits import attempt_op, limit_attempts
from chalicelib.domain.accounts.models import (
    Origin, Resident, ResidentLink, SignInIn, StaffAccount, StaffInvite, StaffLink,
)
from chalicelib.domain.accounts.sessions import Issued, start_session
from chalicelib.domain.accounts.staff import invite_hash
from chalicelib.domain.accounts.store import actor_for, failed_op, find_staff, update_op
from chalicelib.domain.accounts.wechat import WechatSession, exchange
from chalicelib.platform import audit, config, pii, storage
from chalicelib.platform.errors import Conflict, Forbidden, Unprocessable
from chalicelib.platform.timeutil import now_utc


def sign_in(data: SignInIn, origin: Origin) -> Issued:
    """POST /v1/auth/session: exchange the login code, find or create the account, start a session.

    Two abuse counters, each one atomic ADD: per IP before the code exchange (it protects our code-to-session
    quota), a call of its own since it must count the attempts that fail; and per openid after it. A staff
    sign-in counts the openid in a call of its own too, since its failures (an invitation code guessed)
    must count; a resident's sign-in has nothing left to fail after the exchange but its one write, so its
    openid is counted inside that transaction. A resident's sign-in is thus three calls: the IP's counter,
    the link (read), and the session written with the openid's counter and a check that the linked account
    is still active — so the account itself is not read."""
    limit_attempts("signin-ip", origin.source_ip or "unknown", *config.signin_limit_per_ip())
    wechat = exchange(data.code)
    openid_hash = pii.lookup_hash("wx_openid", f"{config.wechat_app_id()}:{wechat.openid}")
    if data.mode == "staff":
        limit_attempts("signin-openid", openid_hash, *config.signin_limit_per_openid())
        return _staff_sign_in(openid_hash, data.invite_code, origin)
    counted = attempt_op("signin-openid", openid_hash, *config.signin_limit_per_openid())
    if data.invite_code:
        raise Unprocessable("绑定码只用于工作人员登录", code="invite_needs_staff_mode",
                            errors=[{"loc": ["mode"], "msg": "填写绑定码时应为 staff"}])
    return _resident_sign_in(wechat, openid_hash, origin, counted)


class _NotActive(Exception):
    """The linked account is withdrawn or gone (a dangling link): a new account takes the link."""


def _resident_sign_in(wechat: WechatSession, openid_hash: str, origin: Origin, counted: storage.Check) -> Issued:
    for attempt in (1, 2):
        link = storage.read(ResidentLink, openid_hash, consistent=True)
        if link is not None:
            still_active = storage.Check(storage.check(Resident, link.sub, equals={"status": "active"}), _NotActive())
            try:
                return start_session(Resident(sub=link.sub), origin, [counted, still_active], is_new=False,
                                     summary="小程序登录")
            except _NotActive:
                pass
        resident = storage.stamp_new(Resident(
            sub="r-" + uuid.uuid4().hex, openid_hash=openid_hash, openid_cipher=pii.encrypt("wx_openid", wechat.openid),
            unionid_hash=pii.lookup_hash("wx_unionid", wechat.unionid) if wechat.unionid else None))
        new_link = storage.stamp_new(ResidentLink(openid_hash=openid_hash, sub=resident.sub))
        ops = [counted, storage.put_op(resident.to_item()),
               storage.put_op(new_link.to_item(), must_not_exist=link is None),  # replace a dangling link
               audit.entry(actor_for(resident.sub, ["resident"], origin), "create", Resident.entity, resident.sub,
                           "小程序首次登录，建立居民账号")]
        try:
            return start_session(resident, origin, ops, is_new=True, summary="小程序登录（新账号）")
        except Conflict as exc:
            if failed_op(exc) == 2 and attempt == 1:  # the same person's first sign-in, twice at once
                continue
            raise
    raise Conflict("登录冲突，请重试", code="busy")


def _staff_sign_in(openid_hash: str, invite_code: str | None, origin: Origin) -> Issued:
    link = storage.read(StaffLink, openid_hash, consistent=True)
    if invite_code:
        return _bind_staff(openid_hash, link, invite_code, origin)
    staff = find_staff(link.sub) if link else None
    if staff is None or staff.openid_hash != openid_hash:
        raise Forbidden("该微信尚未绑定工作人员账号，请填写管理员发放的绑定码", code="staff_not_bound",
                        title="未绑定工作人员账号")
    if staff.status != "active":
        raise Forbidden("您的工作人员账号已停用，请联系管理员", code="staff_disabled", title="账号已停用")
    return start_session(staff, origin, [], is_new=False, summary="小程序工作人员登录")


def _bind_staff(openid_hash: str, link: StaffLink | None, invite_code: str, origin: Origin) -> Issued:
    invalid = Forbidden("绑定码无效、已使用或已过期，请联系管理员重新发放", code="invite_invalid", title="绑定码无效")
    code_hash = invite_hash(invite_code)
    invite = storage.read(StaffInvite, code_hash, consistent=True)
    if invite is None or invite.used_at is not None or invite.expires_at <= now_utc():
        raise invalid
    staff = find_staff(invite.sub)
    if staff is None or staff.invite_hash != code_hash:
        raise invalid
    if staff.status != "active":
        raise Forbidden("您的工作人员账号已停用，请联系管理员", code="staff_disabled", title="账号已停用")
    if link is not None and link.sub != staff.sub:
        other = find_staff(link.sub)
        if other is not None and other.openid_hash == openid_hash:
            raise Conflict("该微信已绑定另一个工作人员账号，请联系管理员", code="wechat_already_bound")
    moment = now_utc()
    actor = actor_for(staff.sub, staff.roles, origin)
    _, invite_op = update_op(invite, {"used_at": moment}, expected_version=invite.version)
    bound, staff_op = update_op(staff, {"openid_hash": openid_hash, "bound_at": moment,
                                         "sessions_valid_after": moment}, remove=("invite_hash",),
                                 expected_version=staff.version)
    new_link = storage.stamp_new(StaffLink(openid_hash=openid_hash, sub=staff.sub))
    ops = [staff_op, invite_op, storage.put_op(new_link.to_item(), must_not_exist=False)]
    if staff.openid_hash and staff.openid_hash != openid_hash:  # re-binding to a new WeChat: drop the old link
        ops.append(storage.delete(StaffLink, staff.openid_hash))
    ops.append(audit.entry(actor, "bind", StaffAccount.entity, staff.sub, "工作人员用绑定码绑定微信（此前的登录全部作废）"))
    try:
        return start_session(bound, origin, ops, is_new=False, summary="小程序工作人员登录（首次绑定）")
    except Conflict as exc:
        if failed_op(exc) in (0, 1):
            raise invalid from None
        raise
