"""Accounts: sessions. Sign-in starts a refresh-token *family*; every refresh rotates the token; a rotated
token presented again revokes the whole family (RFC 9700 §4.14.2); refresh re-reads the account, so a
disabled or withdrawn account, or a session older than `sessions_valid_after`, gets no new tokens.
Lifetimes: residents 30 days idle / 90 days absolute, staff 7 / 30.
"""
from __future__ import annotations

import secrets as random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.accounts.models import (
    AccountBrief, Origin, RefreshToken, Resident, Session, SessionOut, SignedOut, StaffAccount,
)
from chalicelib.domain.accounts.store import (
    actor_for, apply_changes, claims, epoch, failed_op, find_account, sha256, update_op,
)
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, tokens
from chalicelib.platform.errors import Conflict, NotFound, ServiceUnavailable, Unauthorized
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import now_utc

LIFETIMES = {  # (idle: since the last refresh, absolute: since sign-in)
    "resident": (timedelta(days=30), timedelta(days=90)),
    "staff": (timedelta(days=7), timedelta(days=30)),
}
REFRESH_PREFIX = "rt1."
KEEP_AFTER_EXPIRY = timedelta(days=7)  # old refresh tokens stay this long past their family, to spot reuse


@dataclass(frozen=True)
class Issued:
    access_token: str
    access_expires_at: int
    refresh_token: str
    refresh_expires_at: datetime
    account: AccountBrief

    def out(self) -> SessionOut:
        now = time.time()
        return SessionOut(access_token=self.access_token, expires_in=max(0, self.access_expires_at - int(now)),
                          refresh_token=self.refresh_token,
                          refresh_expires_in=max(0, int(self.refresh_expires_at.timestamp() - now)),
                          account=self.account)


def _new_refresh_token() -> tuple[str, str]:
    token = REFRESH_PREFIX + random.token_urlsafe(32)
    return token, sha256(token)


def _sign(account: Resident | StaffAccount, session_id: str) -> tuple[str, int]:
    roles, area, _ = claims(account)
    try:
        return tokens.issue_access_token(account.sub, roles, area, session_id=session_id)
    except tokens.SigningUnavailable:
        logger().exception("cannot sign access tokens")
        raise ServiceUnavailable("登录服务暂不可用，请稍后再试", code="signing_unavailable",
                                 headers={"Retry-After": "30"}) from None


def start_session(account: Resident | StaffAccount, origin: Origin, ops: list[dict[str, Any]],
                  *, is_new: bool, summary: str) -> Issued:
    """A new refresh-token family for `account`, written with `ops` (account creation, binding) and the
    sign-in audit entry in one transaction. The access token is signed first, so a failed signature
    writes nothing and a failed write returns nothing."""
    roles, area, kind = claims(account)
    idle, absolute = LIFETIMES[kind]
    now = now_utc()
    session_id = uuid.uuid4().hex
    token, token_hash = _new_refresh_token()
    expires_at = now + absolute
    ttl = epoch(expires_at + KEEP_AFTER_EXPIRY)
    session = storage.stamp_new(Session(id=session_id, sub=account.sub, kind=kind, expires_at=expires_at,
                                        refresh_expires_at=now + idle, ttl=ttl))
    refresh = storage.stamp_new(RefreshToken(token_hash=token_hash, session_id=session_id, generation=1, ttl=ttl))
    access, access_exp = _sign(account, session_id)
    storage.transact([*ops, storage.put_op(session.to_item()), storage.put_op(refresh.to_item()),
                      audit.entry(actor_for(account.sub, roles, origin), "sign-in", account.entity, account.sub, summary)])
    return Issued(access, access_exp, token, session.refresh_expires_at,
                  AccountBrief(sub=account.sub, kind=kind, roles=roles, area=area, is_new=is_new))


def refresh(token: str, origin: Origin) -> Issued:
    """POST /v1/auth/session/refresh: rotate the refresh token, re-read the account, new access token."""
    expired = Unauthorized("登录已失效，请重新登录", code="session_ended", title="登录已失效")
    if not token.startswith(REFRESH_PREFIX):
        raise Unauthorized("刷新令牌无效，请重新登录", code="refresh_token_invalid")
    presented = storage.read(RefreshToken, sha256(token), consistent=True)
    session = storage.read(Session, presented.session_id, consistent=True) \
        if presented else None
    if presented is None or session is None:
        raise Unauthorized("刷新令牌无效，请重新登录", code="refresh_token_invalid")
    if session.status != "active":
        raise expired
    if presented.generation != session.generation:
        _revoke(session, "reuse", origin)
        raise Unauthorized("刷新令牌已被使用过：为安全起见，该次登录已全部作废，请重新登录",
                           code="refresh_token_reused", title="登录已失效")
    now = now_utc()
    if now >= session.refresh_expires_at or now >= session.expires_at:
        raise Unauthorized("登录已过期，请重新登录", code="refresh_token_expired", title="登录已过期")
    account = find_account(session.sub, session.kind)
    if (account is None or account.status != "active"
            or (account.sessions_valid_after and session.created_at < account.sessions_valid_after)):
        _revoke(session, "account", origin)
        raise expired
    idle, _ = LIFETIMES[session.kind]
    new_token, new_hash = _new_refresh_token()
    access, access_exp = _sign(account, session.id)
    rotated, session_op = update_op(session, {
        "generation": session.generation + 1, "last_refreshed_at": now,
        "refresh_expires_at": min(now + idle, session.expires_at)}, expected_version=session.version)
    new_refresh = storage.stamp_new(RefreshToken(token_hash=new_hash, session_id=session.id,
                                                 generation=session.generation + 1, ttl=session.ttl))
    try:
        storage.transact([session_op, storage.put_op(new_refresh.to_item())])
    except Conflict as exc:
        if failed_op(exc) == 0:  # the same token used twice at the same moment: reuse
            current = storage.read(Session, session.id, consistent=True)
            if current is not None:
                _revoke(current, "reuse", origin)
            raise Unauthorized("刷新令牌已被使用过：为安全起见，该次登录已全部作废，请重新登录",
                               code="refresh_token_reused", title="登录已失效") from None
        raise
    roles, area, kind = claims(account)
    return Issued(access, access_exp, new_token, rotated.refresh_expires_at,
                  AccountBrief(sub=account.sub, kind=kind, roles=roles, area=area, is_new=False))


_REVOKE_SUMMARIES = {
    "reuse": "检测到已轮换的刷新令牌被再次使用，整组登录作废",
    "sign-out": "退出登录",
    "account": "账号已停用、注销或全部登录已作废，本次登录作废",
    "sign-out-everywhere": "退出全部登录",
    "disabled": "工作人员账号停用，登录作废",
    "withdrawn": "账号注销，登录作废",
}


def _revoke(session: Session, reason: str, origin: Origin | None = None, *, actor: audit.Actor | None = None) -> bool:
    """Mark one family revoked (with an audit entry on the account). True if this call revoked it.
    Revocations the system decides (reuse, a disabled account) are the system's acts, with the IP of
    whoever presented the token: the presenter of a reused token may be the thief, not the owner."""
    origin = origin or Origin(None, None)
    roles = ["resident"] if session.kind == "resident" else []
    who = actor or (audit.Actor(sub=audit.SYSTEM.sub, roles=audit.SYSTEM.roles, source_ip=origin.source_ip,
                                request_id=origin.request_id) if reason in ("reuse", "account")
                    else actor_for(session.sub, roles, origin))
    entity = Resident.entity if session.kind == "resident" else StaffAccount.entity
    for _ in range(3):
        if session.status == "revoked":
            return False
        _, op = update_op(session, {"status": "revoked", "revoked_at": now_utc(), "revoked_reason": reason},
                          expected_version=session.version)
        try:
            storage.transact([op, audit.entry(who, "revoke-session", entity, session.sub,
                                              f"{_REVOKE_SUMMARIES.get(reason, reason)}（会话 {session.id[:8]}）")])
        except Conflict as exc:
            if failed_op(exc) != 0:
                raise
            session = storage.read(Session, session.id, consistent=True)
            if session is None:
                return False
            continue
        if reason == "reuse":
            logger().warning("refresh token reuse; family revoked", extra={"session": session.id[:8]})
        return True
    return False


def revoke(token: str, origin: Origin) -> None:
    """POST /v1/auth/session/revoke (sign out on this device). Unknown tokens are ignored (RFC 7009)."""
    if not token.startswith(REFRESH_PREFIX):
        return
    presented = storage.read(RefreshToken, sha256(token), consistent=True)
    if presented is None:
        return
    session = storage.read(Session, presented.session_id, consistent=True)
    if session is not None and session.status == "active":
        _revoke(session, "sign-out", origin)


def revoke_all(sub: str, reason: str, actor: audit.Actor, *, at_most: int = 200) -> int:
    """Mark the newest `at_most` families of `sub` revoked (the active ones). The account's
    `sessions_valid_after`, written before this in one transaction with the change that requires it,
    already refuses every one of them; this only makes the records say so, so it is bounded (an account
    with thousands of sign-ins is left to the TTL rather than failing the request)."""
    ended, examined, cursor = 0, 0, None
    while True:
        page = storage.page(Session, Session.entity, sub, limit=100, cursor=cursor, newest_first=True)
        for item in page.items:
            session = Session.from_item(item)
            if session.status == "active" and session.expires_at > now_utc():
                ended += _revoke(session, reason, actor=actor)
        examined += len(page.items)
        if not page.next_cursor or examined >= at_most:
            break
        cursor = page.next_cursor
    if page.next_cursor:
        logger().info("older sessions left to expire", extra={"examined": examined})
    return ended


def sign_out_everywhere(caller: Caller) -> SignedOut:
    """DELETE /v1/me/sessions: end every session of the caller (all devices)."""
    actor = caller.actor
    account = find_account(caller.sub, "resident" if caller.has_any({"resident"}) else "staff")
    if account is None or account.status != "active":
        raise NotFound("没有找到您的账号", code="account_not_found")
    for _ in range(3):
        try:
            apply_changes(account, {"sessions_valid_after": now_utc()}, expected_version=account.version,
                          also=[audit.entry(actor, "sign-out-everywhere", account.entity, account.sub, "退出全部登录")])
            break
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            account = find_account(account.sub, claims(account)[2])
    return SignedOut(sessions_ended=revoke_all(account.sub, "sign-out-everywhere", actor))
