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
    actor_for, can_be_sub, claims, epoch, failed_op, sha256, update_op,
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
REFRESH_PREFIX = "rt2."
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


def _new_refresh_token(sub: str, session_id: str) -> tuple[str, str]:
    """(token, its hash). The token names its account and session before its secret (`rt2.<sub>.<session>.
    <secret>`), so a refresh reads the token, its session and its account in one BatchGetItem; the stored
    hash covers the whole token, so the names cannot be changed without the secret failing."""
    token = f"{REFRESH_PREFIX}{sub}.{session_id}.{random.token_urlsafe(32)}"
    return token, sha256(token)


@dataclass(frozen=True)
class Presented:
    """A presented refresh token with the records it names, read together (None where absent or where they
    do not name each other)."""
    token: RefreshToken | None
    session: Session | None
    account: Resident | StaffAccount | None


def _presented(token: str) -> Presented:
    """The token's record, its session and its account: one consistent BatchGetItem."""
    parts = token.removeprefix(REFRESH_PREFIX).split(".")
    if not token.startswith(REFRESH_PREFIX) or len(parts) != 3:
        return Presented(None, None, None)
    sub, session_id, _ = parts
    found = storage.find_each({RefreshToken: [sha256(token)], Session: [session_id], Resident: [sub],
                               StaffAccount: [sub]}, consistent=True)
    presented = found[RefreshToken].get(sha256(token))
    session = found[Session].get(session_id)
    if presented is None or session is None or presented.session_id != session.id or session.sub != sub:
        return Presented(None, None, None)
    return Presented(presented, session, found[Resident if session.kind == "resident" else StaffAccount].get(sub))


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
    token, token_hash = _new_refresh_token(account.sub, session_id)
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
    """POST /v1/auth/session/refresh: rotate the refresh token, re-read the account, new access token.
    Two calls: the token, its session and its account in one read (`_presented`), the rotation in one
    transaction conditional on the session's version."""
    expired = Unauthorized("登录已失效，请重新登录", code="session_ended", title="登录已失效")
    found = _presented(token)
    presented, session, account = found.token, found.session, found.account
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
    if (account is None or account.status != "active"
            or (account.sessions_valid_after and session.created_at < account.sessions_valid_after)):
        _revoke(session, "account", origin)
        raise expired
    idle, _ = LIFETIMES[session.kind]
    new_token, new_hash = _new_refresh_token(account.sub, session.id)
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
    session = _presented(token).session
    if session is not None and session.status == "active":
        _revoke(session, "sign-out", origin)


MOST_ENDED_AT_ONCE = 90  # with the account's change and its audit entry, within a transaction's 100 items


def ending(sub: str, reason: str) -> tuple[list[dict[str, Any]], int]:
    """(ops marking the account's newest active sessions revoked, how many) for the transaction that sets the
    account's `sessions_valid_after`: one Query. That timestamp already refuses every session of the
    account; these ops only make the records say so, so they are bounded (the newest `MOST_ENDED_AT_ONCE`;
    older families are left to the TTL rather than failing the request). Each op holds only while its
    session is still active: a session revoked meanwhile fails the transaction, which the caller retries."""
    _, ops, count = account_and_ending(sub, reason)
    return ops, count


def account_and_ending(sub: str, reason: str) -> tuple[Resident | None, list[dict[str, Any]], int]:
    """`ending`, with the resident's account as the same Query found it at the head of its sessions' list
    (None for a staff account, kept apart): read from an index, so possibly a moment old — a caller deciding
    on it checks its version against the one the client sent and reads it again when they differ."""
    now = now_utc()
    page = storage.page(Session, Session.entity, sub, limit=MOST_ENDED_AT_ONCE, newest_first=True)
    account = next((Resident.from_item(i) for i in page.items if i.get("entity") == Resident.entity), None)
    sessions = [Session.from_item(i) for i in page.items if i.get("entity") == Session.entity]
    active = [s for s in sessions if s.status == "active" and s.expires_at > now]
    if page.next_cursor:
        logger().info("older sessions left to expire", extra={"examined": len(page.items)})
    return account, [storage.amend(Session, s.id, set_={"status": "revoked", "revoked_at": now,
                                                        "revoked_reason": reason, "updated_at": now},
                                   when={"status": "active"}, add={"version": 1}) for s in active], len(active)


def ended_summary(reason: str, count: int) -> str:
    return f"{_REVOKE_SUMMARIES[reason]}（结束 {count} 个会话）"


def sign_out_everywhere(caller: Caller) -> SignedOut:
    """DELETE /v1/me/sessions: end every session of the caller (all devices). Two calls: the caller's
    sessions (one Query), then one transaction setting the account's `sessions_valid_after` — conditional
    on the account being active, not on its version: the newest moment wins whatever else changed —,
    marking those sessions revoked, with one audit entry."""
    actor = caller.actor
    account_type = Resident if caller.has_any({"resident"}) else StaffAccount
    not_found = NotFound("没有找到您的账号", code="account_not_found")
    if not can_be_sub(caller.sub):
        raise not_found
    for attempt in range(3):
        ops, count = ending(caller.sub, "sign-out-everywhere")
        moment = now_utc()
        account_op = storage.Check(storage.amend(account_type, caller.sub, when={"status": "active"},
                                                 set_={"sessions_valid_after": moment, "updated_at": moment},
                                                 add={"version": 1}), not_found)
        try:
            storage.transact([account_op, *ops, audit.entry(actor, "sign-out-everywhere", account_type.entity,
                                                             caller.sub, ended_summary("sign-out-everywhere", count))])
        except Conflict as exc:
            if exc.code == "condition_failed" and attempt < 2:  # a session revoked meanwhile: read them again
                continue
            raise
        return SignedOut(sessions_ended=count)
    raise Conflict("登录冲突，请重试", code="busy")
