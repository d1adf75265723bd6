"""Accounts: residents and staff, how they sign in from the mini-program, their sessions, their profile.

Identity. A resident's `sub` is our own opaque id (`r-<uuid>`), a staff member's `s-<uuid>`; never the
openid. The openid → account link is an item keyed by an HMAC of `<app id>:<openid>`
(`pii.lookup_hash`), not by the openid: an openid is a persistent per-app identifier of a person (personal
information under PIPL), the table's keys show up in consoles, exports, backups and CloudWatch
contributor insights, and nothing ever needs to go from a key back to the openid. The account keeps the
openid encrypted (AES-GCM, like ID numbers) for the one future use that needs it in the clear (sending
subscription messages), and erases it on withdrawal.

A WeChat user may be both a resident and a staff member (a grid worker lives somewhere too): there are
two links, `openid-resident#…` and `openid-staff#…`, and the mini-program says which one it signs in as
(`mode`). Staff accounts are created by an admin; the person binds their WeChat once with a one-time
invitation code the admin hands them (72 h, keyed by HMAC, a new one voids the old).

Sessions. Sign-in returns our own access token (RS256 JWT, 15 minutes, `tokens.issue_access_token`) and
a refresh token: 256 random bits, stored only as its SHA-256. Each sign-in is a *family* (`session#<id>`)
with a generation counter; every refresh rotates the token (generation + 1, one conditional
transaction). Presenting a token of an older generation — a rotated token used again — is the signature
of a stolen token: the whole family is revoked (RFC 9700 §4.14.2, OAuth 2.0 Security BCP "refresh token
rotation"), so neither the thief nor the victim can go on, and the victim signs in again. Refresh
re-reads the account: a staff member's roles and area come from their record at every refresh, and a
disabled or withdrawn account, or a session older than the account's `sessions_valid_after`, gets no new
tokens — that check is what makes "disable revokes at once" atomic; the families are also marked revoked
for the console. Access tokens are not checked against the store (the authorizer stays stateless), so
they live out their 15 minutes.

Lifetimes: residents 30 days since the last refresh, at most 90 days per sign-in (the mini-program signs in
silently again with wx.login()); staff 7 and 30 days.

Abuse limits. Sign-in attempts are counted per source IP (before the exchange, to protect our
code-to-session quota) and per openid (after it) in fixed windows, DynamoDB counters that expire through
the table's TTL; over the limit is 429 with Retry-After. The limits are generous per IP because mobile
carriers put many users behind one address (CGNAT); volumetric attacks belong to WAF rate rules.

Audit. Account creation, sign-in, sign-out, revocation, reuse detection, profile changes, real-name
declaration, phone binding, withdrawal and every staff-account change are audited in the transaction
that makes them. Routine rotations are not (one every 15 minutes per active user): the session record
shows its generation and last refresh.
"""
from __future__ import annotations

import hashlib
import math
import re
import secrets as random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.areas import service as areas
from chalicelib.platform import audit, config, pii, storage
from chalicelib.platform.storage import keys
from chalicelib.domain.accounts import signin
from chalicelib.platform.auth import tokens
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import (
    Conflict, Forbidden, NotFound, ServiceUnavailable, TooManyRequests, Unauthorized, Unprocessable,
)
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import now_utc
from chalicelib.platform.model import Model

Kind = Literal["resident", "staff"]
StaffRole = Literal["grid_worker", "mediator", "lawyer", "notary", "appraiser", "publicist",
                    "legal_aid_officer", "corrections_officer", "admin"]
LIFETIMES = {  # (idle: since the last refresh, absolute: since sign-in)
    "resident": (timedelta(days=30), timedelta(days=90)),
    "staff": (timedelta(days=7), timedelta(days=30)),
}
INVITE_LIFETIME = timedelta(hours=72)
INVITE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
INVITE_LENGTH = 10  # 50 bits, and every guess costs a fresh WeChat login code
REFRESH_PREFIX = "rt1."
KEEP_AFTER_EXPIRY = timedelta(days=7)  # old refresh tokens stay this long past their family, to spot reuse
PERSONAL_FIELDS = ("name", "phone_cipher", "phone_hash", "phone_masked", "phone_verified", "phone_source",
                   "home_grid", "id_number_cipher", "id_number_hash", "id_number_masked",
                   "real_name_declared_at", "openid_cipher", "openid_hash", "unionid_hash")


# --- records --------------------------------------------------------------------------------------

class Resident(storage.Record):
    entity: ClassVar[str] = "resident"
    sub: str
    status: Literal["active", "withdrawn"] = "active"
    name: str | None = None
    phone_cipher: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    phone_verified: bool | None = None
    phone_source: Literal["wechat", "entered"] | None = None
    home_grid: str | None = None
    real_name_status: Literal["none", "declared"] = "none"
    id_number_cipher: str | None = None
    id_number_hash: str | None = None
    id_number_masked: str | None = None
    real_name_declared_at: datetime | None = None
    openid_cipher: str | None = None
    openid_hash: str | None = None
    unionid_hash: str | None = None
    sessions_valid_after: datetime | None = None
    withdrawn_at: datetime | None = None

    def key_attributes(self) -> dict[str, str]:
        return keys.record(self.entity, self.sub)


class StaffAccount(storage.Record):
    entity: ClassVar[str] = "staff-account"
    sub: str
    name: str
    roles: list[str]
    area: str
    institution: str | None = None
    status: Literal["active", "disabled"] = "active"
    phone_cipher: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    openid_hash: str | None = None
    bound_at: datetime | None = None
    invite_hash: str | None = None
    sessions_valid_after: datetime | None = None
    created_by: str | None = None

    def key_attributes(self) -> dict[str, str]:
        pk, sk = keys.area_scoped(self.entity, self.area, self.sub)
        return {**keys.record(self.entity, self.sub), "gsi1pk": pk, "gsi1sk": sk}


class ResidentLink(storage.Record):
    entity: ClassVar[str] = "openid-resident"
    openid_hash: str
    sub: str

    def key_attributes(self) -> dict[str, str]:
        return keys.openid_link("resident", self.openid_hash)


class StaffLink(storage.Record):
    entity: ClassVar[str] = "openid-staff"
    openid_hash: str
    sub: str

    def key_attributes(self) -> dict[str, str]:
        return keys.openid_link("staff", self.openid_hash)


class Session(storage.Record):
    entity: ClassVar[str] = "session"
    id: str
    sub: str
    kind: Kind
    status: Literal["active", "revoked"] = "active"
    generation: int = 1
    expires_at: datetime
    refresh_expires_at: datetime
    last_refreshed_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    ttl: int

    def key_attributes(self) -> dict[str, str]:
        return {**keys.session_family(self.id), "gsi1pk": keys.owned_by(self.entity, self.sub),
                "gsi1sk": f"{self.created_at.isoformat()}#{self.id}"}


class RefreshToken(storage.Record):
    entity: ClassVar[str] = "refresh-token"
    token_hash: str
    session_id: str
    generation: int
    ttl: int

    def key_attributes(self) -> dict[str, str]:
        return keys.refresh_token(self.token_hash)


class StaffInvite(storage.Record):
    entity: ClassVar[str] = "staff-invite"
    code_hash: str
    sub: str
    expires_at: datetime
    used_at: datetime | None = None
    ttl: int

    def key_attributes(self) -> dict[str, str]:
        return keys.staff_invite(self.code_hash)


class IdNumberClaim(storage.Record):
    entity: ClassVar[str] = "id-number"
    id_hash: str
    sub: str

    def key_attributes(self) -> dict[str, str]:
        return keys.id_number_claim(self.id_hash)


# --- inputs and outputs ---------------------------------------------------------------------------

class SignInIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(min_length=1, max_length=128, description="小程序 wx.login() 取得的登录凭证（一次有效）")
    mode: Kind = Field("resident", description="以居民身份（默认）或工作人员身份登录")
    invite_code: str | None = Field(None, min_length=8, max_length=20,
                                    description="工作人员首次登录时填写管理员发放的绑定码")


class RefreshIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    refresh_token: str = Field(min_length=1, max_length=256)


class AccountBrief(Model):
    sub: str = Field(description="平台账号编号（不是微信 openid）")
    kind: Kind
    roles: list[str]
    area: str | None
    is_new: bool = Field(description="本次登录新建了账号")


class SessionOut(Model):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="访问令牌有效秒数")
    refresh_token: str = Field(description="刷新令牌：每次刷新后旧的即作废，重复使用会使整组登录失效")
    refresh_expires_in: int
    account: AccountBrief


class HomeGridOut(Model):
    code: str
    name: str
    status: str
    links: dict[str, str] = Field(description="相关接口，如该网格详情")


class RealNameOut(Model):
    status: Literal["none", "declared"] = Field(description="none 未实名登记；declared 已登记姓名和身份证号（校验通过）")
    id_number_masked: str | None = None
    declared_at: str | None = None


class MeOut(Model):
    sub: str
    kind: Kind
    status: str
    name: str | None
    phone_masked: str | None
    phone_verified: bool
    home_grid: HomeGridOut | None = None
    real_name: RealNameOut | None = None
    roles: list[str]
    area: str | None = None
    institution: str | None = None
    version: int
    created_at: str


def _phone(value: str | None) -> str | None:
    return pii.normalize_phone(value) if value is not None else None


class MePatch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = Field(None, min_length=1, max_length=40, description="姓名；实名登记后须与身份证号一同修改")
    phone: str | None = Field(None, max_length=20, description="自行填写的电话（未验证）；用 POST /v1/me/phone 绑定微信验证的手机号")
    home_grid: str | None = Field(None, description="所在网格的 15 位代码（从区域树选择）；null 清除")
    id_number: str | None = Field(None, max_length=18, description="18 位身份证号（实名登记，须同时有姓名）；null 撤回实名登记")
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        return _phone(value)

    @field_validator("home_grid")
    @classmethod
    def _grid_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{15}", value):
            raise ValueError("网格代码应为 15 位数字（村社区代码 + 3 位）")
        return value

    @field_validator("id_number")
    @classmethod
    def _id_shape(cls, value: str | None) -> str | None:
        return pii.normalize_id_number(value) if value is not None else None


class PhoneIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(min_length=1, max_length=128, description="手机号快速验证组件（getPhoneNumber）返回的 code")
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")


class KeptRecord(Model):
    what: str
    why: str


class WithdrawalOut(Model):
    status: Literal["withdrawn"] = "withdrawn"
    withdrawn_at: str
    erased: list[str] = Field(description="已删除的个人信息")
    kept: list[KeptRecord] = Field(description="依法保留的记录及理由")
    notice: str


class SignedOut(Model):
    sessions_ended: int


class StaffIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=40)
    roles: list[StaffRole] = Field(min_length=1, max_length=9)
    area: str = Field(description="管辖区域代码（须在管理员自己的辖区内）", examples=["320402001"])
    institution: str | None = Field(None, max_length=64, description="所属机构编号（如公证处、调解委员会）")
    phone: str | None = Field(None, max_length=20)

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        return _phone(value)

    @field_validator("area")
    @classmethod
    def _area_shape(cls, value: str) -> str:
        areas.level_of(value)
        return value


class StaffPatch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str | None = Field(None, min_length=1, max_length=40)
    roles: list[StaffRole] | None = Field(None, min_length=1, max_length=9)
    area: str | None = None
    institution: str | None = Field(None, max_length=64)
    status: Literal["active", "disabled"] | None = Field(None, description="disabled：停用并立即作废其全部登录")
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")

    @field_validator("area")
    @classmethod
    def _area_shape(cls, value: str | None) -> str | None:
        if value is not None:
            areas.level_of(value)
        return value


class StaffOut(Model):
    sub: str
    name: str
    roles: list[str]
    area: str
    institution: str | None
    status: Literal["active", "disabled"]
    phone_masked: str | None
    wechat_bound: bool
    bound_at: str | None
    version: int
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, staff: StaffAccount) -> "StaffOut":
        return cls(sub=staff.sub, name=staff.name, roles=sorted(staff.roles), area=staff.area,
                   institution=staff.institution, status=staff.status, phone_masked=staff.phone_masked,
                   wechat_bound=bool(staff.openid_hash), bound_at=_iso(staff.bound_at), version=staff.version,
                   created_at=_iso(staff.created_at), updated_at=_iso(staff.updated_at))


class StaffPage(Model):
    items: list[StaffOut]
    next_cursor: str | None = None


class StaffQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, description="市（4 位）或以下的区域代码；默认为管理员自己的辖区")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class InvitationOut(Model):
    sub: str
    invite_code: str = Field(description="一次性绑定码：交给本人，在小程序工作人员登录时填写；重新发放后旧码作废")
    expires_at: str


# --- small helpers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Origin:
    """Where an unauthenticated request came from (for limits and the audit trail)."""
    source_ip: str | None
    request_id: str | None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _actor(sub: str, roles: list[str] | tuple[str, ...], origin: Origin) -> audit.Actor:
    return audit.Actor(sub=sub, roles=tuple(sorted(roles)), source_ip=origin.source_ip, request_id=origin.request_id)


def _update_op(record: storage.Record, changes: dict[str, Any], *, expected_version: int,
               remove: tuple[str, ...] | list[str] = ()) -> tuple[storage.Record, dict[str, Any]]:
    """(the updated record, its conditional update op); `remove` names fields to erase."""
    return storage.prepare_update(record, {**changes, **dict.fromkeys(remove)}, expected_version=expected_version)


def _apply(record: storage.Record, changes: dict[str, Any], *, expected_version: int,
           remove: tuple[str, ...] | list[str] = (), also: list[dict[str, Any]] | None = None) -> storage.Record:
    """Update `record` with `also` in one transaction (see `storage.update`); `remove` names fields to erase."""
    return storage.update(record, {**changes, **dict.fromkeys(remove)}, expected_version=expected_version,
                          also=also or [])


def _failed_op(exc: Conflict) -> int | None:
    if exc.code != "condition_failed" or not exc.errors:
        return None
    return int(exc.errors[0]["loc"][1])


# --- abuse limits ---------------------------------------------------------------------------------

def limit_attempts(scope: str, subject: str, limit: int, window_seconds: int) -> int:
    """Count one attempt of `subject` (hashed with the PII key: IPs and openids are personal data) in
    the current fixed window; over `limit` is 429 with Retry-After (seconds to the window's end).

    One atomic `ADD` on a counter item that expires through the table's TTL. Throttling of the counter
    fails open (logged): the limit is a defence, not a precondition of correctness."""
    from botocore.exceptions import ClientError

    now = time.time()
    start = int(now // window_seconds * window_seconds)
    key = keys.rate_counter(scope, pii.lookup_hash(f"rate:{scope}", subject)[:32], start)
    try:
        count = storage.increment(key["pk"], key["sk"], entity="rate-counter",
                                  expires_at=start + window_seconds + 3600)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in storage.THROTTLED:
            logger().warning("rate counter throttled; allowing", extra={"scope": scope})
            return 0
        raise
    if count > limit:
        retry_after = max(1, math.ceil(start + window_seconds - now))
        logger().info("rate limited", extra={"scope": scope, "count": count, "limit": limit})
        raise TooManyRequests(f"登录尝试过于频繁，请 {retry_after} 秒后再试", code="too_many_attempts",
                              headers={"Retry-After": str(retry_after)})
    return count


# --- loading accounts -----------------------------------------------------------------------------

# What a sub can be (the token's shape, tokens.SUB_SHAPE: printable ASCII without the key separator '#'),
# checked before it becomes a key part: a sub from a path or a token that cannot be one is no account (404)
# rather than a ValueError from keys.compose or a DynamoDB key-size error (500).
_SUB_SHAPE = re.compile(r"^[!-\"$-~]{1,128}$", re.ASCII)
STAFF_SUB = re.compile(r"^s-[A-Za-z0-9_-]{1,100}$", re.ASCII)


def _resident(sub: str) -> Resident | None:
    if not _SUB_SHAPE.match(sub or ""):
        return None
    return storage.get_record(Resident, **keys.record(Resident.entity, sub), consistent=True)


def _staff(sub: str) -> StaffAccount | None:
    if not _SUB_SHAPE.match(sub or ""):
        return None
    return storage.get_record(StaffAccount, **keys.record(StaffAccount.entity, sub), consistent=True)


def _account(sub: str, kind: str) -> Resident | StaffAccount | None:
    return _resident(sub) if kind == "resident" else _staff(sub)


def _active_resident(sub: str) -> Resident:
    resident = _resident(sub)
    if resident is None or resident.status != "active":
        raise NotFound("没有找到您的居民账号，请通过小程序登录", code="account_not_found")
    return resident


def _claims(account: Resident | StaffAccount) -> tuple[list[str], str | None, Kind]:
    if isinstance(account, StaffAccount):
        return sorted(account.roles), account.area, "staff"
    return ["resident"], None, "resident"


# --- sessions -------------------------------------------------------------------------------------

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
    return token, _sha256(token)


def _sign(account: Resident | StaffAccount, session_id: str) -> tuple[str, int]:
    roles, area, _ = _claims(account)
    try:
        return tokens.issue_access_token(account.sub, roles, area, session_id=session_id)
    except tokens.SigningUnavailable:
        logger().exception("cannot sign access tokens")
        raise ServiceUnavailable("登录服务暂不可用，请稍后再试", code="signing_unavailable",
                                 headers={"Retry-After": "30"}) from None


def _start_session(account: Resident | StaffAccount, origin: Origin, ops: list[dict[str, Any]],
                   *, is_new: bool, summary: str) -> Issued:
    """A new refresh-token family for `account`, written with `ops` (account creation, binding) and the
    sign-in audit entry in one transaction. The access token is signed first, so a failed signature
    writes nothing and a failed write returns nothing."""
    roles, area, kind = _claims(account)
    idle, absolute = LIFETIMES[kind]
    now = now_utc()
    session_id = uuid.uuid4().hex
    token, token_hash = _new_refresh_token()
    expires_at = now + absolute
    ttl = _epoch(expires_at + KEEP_AFTER_EXPIRY)
    session = storage.stamp_new(Session(id=session_id, sub=account.sub, kind=kind, expires_at=expires_at,
                                        refresh_expires_at=now + idle, ttl=ttl))
    refresh = storage.stamp_new(RefreshToken(token_hash=token_hash, session_id=session_id, generation=1, ttl=ttl))
    access, access_exp = _sign(account, session_id)
    storage.transact([*ops, storage.put_op(session.to_item()), storage.put_op(refresh.to_item()),
                      audit.entry(_actor(account.sub, roles, origin), "sign-in", account.entity, account.sub, summary)])
    return Issued(access, access_exp, token, session.refresh_expires_at,
                  AccountBrief(sub=account.sub, kind=kind, roles=roles, area=area, is_new=is_new))


def sign_in(data: SignInIn, origin: Origin) -> Issued:
    """POST /v1/auth/session: exchange the login code, find or create the account, start a session."""
    limit_attempts("signin-ip", origin.source_ip or "unknown", *config.signin_limit_per_ip())
    wechat = signin.exchange(data.code)
    openid_hash = pii.lookup_hash("wx_openid", f"{config.wechat_app_id()}:{wechat.openid}")
    limit_attempts("signin-openid", openid_hash, *config.signin_limit_per_openid())
    if data.mode == "staff":
        return _staff_sign_in(openid_hash, data.invite_code, origin)
    if data.invite_code:
        raise Unprocessable("绑定码只用于工作人员登录", code="invite_needs_staff_mode",
                            errors=[{"loc": ["body", "mode"], "msg": "填写绑定码时应为 staff"}])
    return _resident_sign_in(wechat, openid_hash, origin)


def _resident_sign_in(wechat: signin.WechatSession, openid_hash: str, origin: Origin) -> Issued:
    link_key = keys.openid_link("resident", openid_hash)
    for attempt in (1, 2):
        link = storage.get(**link_key, consistent=True)
        resident = _resident(link["sub"]) if link else None
        if resident is not None and resident.status == "active":
            return _start_session(resident, origin, [], is_new=False, summary="小程序登录")
        resident = storage.stamp_new(Resident(
            sub="r-" + uuid.uuid4().hex, openid_hash=openid_hash, openid_cipher=pii.encrypt("wx_openid", wechat.openid),
            unionid_hash=pii.lookup_hash("wx_unionid", wechat.unionid) if wechat.unionid else None))
        new_link = storage.stamp_new(ResidentLink(openid_hash=openid_hash, sub=resident.sub))
        ops = [storage.put_op(resident.to_item()),
               storage.put_op(new_link.to_item(), must_not_exist=link is None),  # replace a dangling link
               audit.entry(_actor(resident.sub, ["resident"], origin), "create", Resident.entity, resident.sub,
                           "小程序首次登录，建立居民账号")]
        try:
            return _start_session(resident, origin, ops, is_new=True, summary="小程序登录（新账号）")
        except Conflict as exc:
            if _failed_op(exc) == 1 and attempt == 1:  # the same person's first sign-in, twice at once
                continue
            raise
    raise Conflict("登录冲突，请重试", code="busy")


def _invite_hash(code: str) -> str:
    return pii.lookup_hash("staff_invite", re.sub(r"[\s-]", "", code).upper())


def _staff_sign_in(openid_hash: str, invite_code: str | None, origin: Origin) -> Issued:
    link = storage.get_record(StaffLink, **keys.openid_link("staff", openid_hash), consistent=True)
    if invite_code:
        return _bind_staff(openid_hash, link, invite_code, origin)
    staff = _staff(link.sub) if link else None
    if staff is None or staff.openid_hash != openid_hash:
        raise Forbidden("该微信尚未绑定工作人员账号，请填写管理员发放的绑定码", code="staff_not_bound",
                        title="未绑定工作人员账号")
    if staff.status != "active":
        raise Forbidden("您的工作人员账号已停用，请联系管理员", code="staff_disabled", title="账号已停用")
    return _start_session(staff, origin, [], is_new=False, summary="小程序工作人员登录")


def _bind_staff(openid_hash: str, link: StaffLink | None, invite_code: str, origin: Origin) -> Issued:
    invalid = Forbidden("绑定码无效、已使用或已过期，请联系管理员重新发放", code="invite_invalid", title="绑定码无效")
    code_hash = _invite_hash(invite_code)
    invite = storage.get_record(StaffInvite, **keys.staff_invite(code_hash), consistent=True)
    if invite is None or invite.used_at is not None or invite.expires_at <= now_utc():
        raise invalid
    staff = _staff(invite.sub)
    if staff is None or staff.invite_hash != code_hash:
        raise invalid
    if staff.status != "active":
        raise Forbidden("您的工作人员账号已停用，请联系管理员", code="staff_disabled", title="账号已停用")
    if link is not None and link.sub != staff.sub:
        other = _staff(link.sub)
        if other is not None and other.openid_hash == openid_hash:
            raise Conflict("该微信已绑定另一个工作人员账号，请联系管理员", code="wechat_already_bound")
    moment = now_utc()
    actor = _actor(staff.sub, staff.roles, origin)
    _, invite_op = _update_op(invite, {"used_at": moment}, expected_version=invite.version)
    bound, staff_op = _update_op(staff, {"openid_hash": openid_hash, "bound_at": moment,
                                         "sessions_valid_after": moment}, remove=("invite_hash",),
                                 expected_version=staff.version)
    new_link = storage.stamp_new(StaffLink(openid_hash=openid_hash, sub=staff.sub))
    ops = [staff_op, invite_op, storage.put_op(new_link.to_item(), must_not_exist=False)]
    if staff.openid_hash and staff.openid_hash != openid_hash:  # re-binding to a new WeChat: drop the old link
        ops.append(storage.delete_op(**keys.openid_link("staff", staff.openid_hash)))
    ops.append(audit.entry(actor, "bind", StaffAccount.entity, staff.sub, "工作人员用绑定码绑定微信（此前的登录全部作废）"))
    try:
        return _start_session(bound, origin, ops, is_new=False, summary="小程序工作人员登录（首次绑定）")
    except Conflict as exc:
        if _failed_op(exc) in (0, 1):
            raise invalid from None
        raise


def refresh(token: str, origin: Origin) -> Issued:
    """POST /v1/auth/session/refresh: rotate the refresh token, re-read the account, new access token."""
    expired = Unauthorized("登录已失效，请重新登录", code="session_ended", title="登录已失效")
    if not token.startswith(REFRESH_PREFIX):
        raise Unauthorized("刷新令牌无效，请重新登录", code="refresh_token_invalid")
    presented = storage.get_record(RefreshToken, **keys.refresh_token(_sha256(token)), consistent=True)
    session = storage.get_record(Session, **keys.session_family(presented.session_id), consistent=True) \
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
    account = _account(session.sub, session.kind)
    if (account is None or account.status != "active"
            or (account.sessions_valid_after and session.created_at < account.sessions_valid_after)):
        _revoke(session, "account", origin)
        raise expired
    idle, _ = LIFETIMES[session.kind]
    new_token, new_hash = _new_refresh_token()
    access, access_exp = _sign(account, session.id)
    rotated, session_op = _update_op(session, {
        "generation": session.generation + 1, "last_refreshed_at": now,
        "refresh_expires_at": min(now + idle, session.expires_at)}, expected_version=session.version)
    new_refresh = storage.stamp_new(RefreshToken(token_hash=new_hash, session_id=session.id,
                                                 generation=session.generation + 1, ttl=session.ttl))
    try:
        storage.transact([session_op, storage.put_op(new_refresh.to_item())])
    except Conflict as exc:
        if _failed_op(exc) == 0:  # the same token used twice at the same moment: reuse
            current = storage.get_record(Session, **keys.session_family(session.id), consistent=True)
            if current is not None:
                _revoke(current, "reuse", origin)
            raise Unauthorized("刷新令牌已被使用过：为安全起见，该次登录已全部作废，请重新登录",
                               code="refresh_token_reused", title="登录已失效") from None
        raise
    roles, area, kind = _claims(account)
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
                    else _actor(session.sub, roles, origin))
    entity = Resident.entity if session.kind == "resident" else StaffAccount.entity
    for _ in range(3):
        if session.status == "revoked":
            return False
        _, op = _update_op(session, {"status": "revoked", "revoked_at": now_utc(), "revoked_reason": reason},
                           expected_version=session.version)
        try:
            storage.transact([op, audit.entry(who, "revoke-session", entity, session.sub,
                                              f"{_REVOKE_SUMMARIES.get(reason, reason)}（会话 {session.id[:8]}）")])
        except Conflict as exc:
            if _failed_op(exc) != 0:
                raise
            session = storage.get_record(Session, **keys.session_family(session.id), consistent=True)
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
    presented = storage.get_record(RefreshToken, **keys.refresh_token(_sha256(token)), consistent=True)
    if presented is None:
        return
    session = storage.get_record(Session, **keys.session_family(presented.session_id), consistent=True)
    if session is not None and session.status == "active":
        _revoke(session, "sign-out", origin)


def _revoke_all(sub: str, reason: str, actor: audit.Actor, *, at_most: int = 200) -> int:
    """Mark the newest `at_most` families of `sub` revoked (the active ones). The account's
    `sessions_valid_after`, written before this in one transaction with the change that requires it,
    already refuses every one of them; this only makes the records say so, so it is bounded (an account
    with thousands of sign-ins is left to the TTL rather than failing the request)."""
    ended, examined, cursor = 0, 0, None
    while True:
        page = storage.query(keys.owned_by(Session.entity, sub), index="gsi1", limit=100, cursor=cursor,
                             newest_first=True)
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


def sign_out_everywhere(actor: audit.Actor, caller: Caller) -> SignedOut:
    """DELETE /v1/me/sessions: end every session of the caller (all devices)."""
    account = _account(caller.sub, "resident" if caller.has_any({"resident"}) else "staff")
    if account is None or account.status != "active":
        raise NotFound("没有找到您的账号", code="account_not_found")
    for _ in range(3):
        try:
            _apply(account, {"sessions_valid_after": now_utc()}, expected_version=account.version,
                   also=[audit.entry(actor, "sign-out-everywhere", account.entity, account.sub, "退出全部登录")])
            break
        except Conflict as exc:
            if exc.code != "stale_version":
                raise
            account = _account(account.sub, _claims(account)[2])
    return SignedOut(sessions_ended=_revoke_all(account.sub, "sign-out-everywhere", actor))


# --- the resident's profile -----------------------------------------------------------------------

def me(caller: Caller) -> MeOut:
    """GET /v1/me: the caller's own account (resident or staff)."""
    if caller.has_any({"resident"}):
        return _me_out(_active_resident(caller.sub))
    staff = _staff(caller.sub)
    if staff is None:
        raise NotFound("没有找到您的账号（身份提供方登录的工作人员请在管理端查看）", code="account_not_found")
    return MeOut(sub=staff.sub, kind="staff", status=staff.status, name=staff.name, phone_masked=staff.phone_masked,
                 phone_verified=False, roles=sorted(staff.roles), area=staff.area, institution=staff.institution,
                 version=staff.version, created_at=_iso(staff.created_at))


def grid_links(code: str) -> dict[str, str]:
    """Where the mini-program finds the resident's grid: "my grid" is the grid's public board (services,
    people on duty, how to reach them; chalicelib/board.py), plus the area and its path."""
    return {"board": f"/v1/areas/{code}/board", "area": f"/v1/areas/{code}",
            "breadcrumb": f"/v1/areas/{code}/breadcrumb"}


def _me_out(resident: Resident) -> MeOut:
    grid = None
    if resident.home_grid:
        try:
            area = areas.get(resident.home_grid)
            grid = HomeGridOut(code=area.code, name=area.name, status=area.status, links=grid_links(area.code))
        except NotFound:
            grid = HomeGridOut(code=resident.home_grid, name="（网格已不存在）", status="missing", links={})
    return MeOut(
        sub=resident.sub, kind="resident", status=resident.status, name=resident.name,
        phone_masked=resident.phone_masked, phone_verified=bool(resident.phone_verified), home_grid=grid,
        real_name=RealNameOut(status=resident.real_name_status, id_number_masked=resident.id_number_masked,
                              declared_at=_iso(resident.real_name_declared_at)),
        roles=["resident"], version=resident.version, created_at=_iso(resident.created_at))


def _home_grid(code: str) -> str:
    def refuse(msg: str) -> Unprocessable:
        return Unprocessable(msg, code="home_grid_invalid", errors=[{"loc": ["body", "home_grid"], "msg": msg}])

    try:
        area = areas.get(code)
    except NotFound:
        raise refuse(f"网格 {code} 不存在") from None
    if area.level != "grid":
        raise refuse("请选择到网格一级")
    if area.status != "active":
        raise refuse("该网格已撤销，请重新选择")
    return area.code


def _phone_fields(phone: str, *, verified: bool) -> dict[str, Any]:
    return {"phone_cipher": pii.encrypt("phone", phone), "phone_hash": pii.lookup_hash("phone", phone),
            "phone_masked": pii.mask_phone(phone), "phone_verified": verified,
            "phone_source": "wechat" if verified else "entered"}


PHONE_FIELDS = ("phone_cipher", "phone_hash", "phone_masked", "phone_verified", "phone_source")
ID_FIELDS = ("id_number_cipher", "id_number_hash", "id_number_masked", "real_name_declared_at")


def change_profile(actor: audit.Actor, sub: str, patch: MePatch, expected_version: int) -> MeOut:
    """PATCH /v1/me: name, entered phone, home grid, real-name declaration (name + ID number)."""
    resident = _active_resident(sub)
    fields = patch.model_fields_set - {"version"}
    if not fields:
        raise Unprocessable("没有要修改的字段", code="nothing_to_change")
    changes: dict[str, Any] = {}
    remove: list[str] = []
    also: list[dict[str, Any]] = []
    said: list[str] = []
    name = patch.name if "name" in fields else resident.name
    if "name" in fields:
        if patch.name is None and resident.real_name_status == "declared" and "id_number" not in fields:
            raise Unprocessable("实名登记后不能清除姓名", code="real_name_name_locked",
                                errors=[{"loc": ["body", "name"], "msg": "已实名登记"}])
        if (resident.real_name_status == "declared" and "id_number" not in fields and patch.name != resident.name):
            raise Unprocessable("实名登记后修改姓名须同时重新提交身份证号", code="real_name_name_locked",
                                errors=[{"loc": ["body", "id_number"], "msg": "修改姓名时必填"}])
        if patch.name is None:
            remove.append("name")
        else:
            changes["name"] = patch.name
        said.append("姓名")
    if "home_grid" in fields:
        if patch.home_grid is None:
            remove.append("home_grid")
        else:
            changes["home_grid"] = _home_grid(patch.home_grid)
        said.append("所在网格")
    if "phone" in fields:
        if patch.phone is None:
            remove.extend(PHONE_FIELDS)
        else:
            changes.update(_phone_fields(patch.phone, verified=False))
        said.append("电话")
    claim_index = None
    if "id_number" in fields:
        if patch.id_number is None:
            remove.extend(ID_FIELDS)
            changes["real_name_status"] = "none"
            if resident.id_number_hash:
                also.append(storage.delete_op(**keys.id_number_claim(resident.id_number_hash)))
            said.append("撤回实名登记")
        else:
            if not name:
                raise Unprocessable("实名登记须同时填写姓名", code="real_name_needs_name",
                                    errors=[{"loc": ["body", "name"], "msg": "实名登记时必填"}])
            id_hash = pii.lookup_hash("id_number", patch.id_number)
            changes.update({"id_number_cipher": pii.encrypt("id_number", patch.id_number), "id_number_hash": id_hash,
                            "id_number_masked": pii.mask_id_number(patch.id_number), "real_name_status": "declared",
                            "real_name_declared_at": now_utc()})
            if id_hash != resident.id_number_hash:
                claim_index = 1 + len(also)
                also.append(storage.put_op(storage.stamp_new(IdNumberClaim(id_hash=id_hash, sub=sub)).to_item()))
                if resident.id_number_hash:
                    also.append(storage.delete_op(**keys.id_number_claim(resident.id_number_hash)))
            said.append("实名登记（姓名、身份证号）")
    also.append(audit.entry(actor, "update", Resident.entity, sub, "修改个人资料：" + "、".join(said)))
    try:
        updated = _apply(resident, changes, expected_version=expected_version, remove=remove, also=also)
    except Conflict as exc:
        if claim_index is not None and _failed_op(exc) == claim_index:
            raise Conflict("该身份证号已被其他账号实名登记；如非本人操作，请到司法所核实", code="id_number_in_use",
                           errors=[{"loc": ["body", "id_number"], "msg": "已被其他账号登记"}]) from None
        raise
    return _me_out(updated)


def bind_phone(actor: audit.Actor, sub: str, code: str, expected_version: int) -> MeOut:
    """POST /v1/me/phone: the phone number the platform verified (getPhoneNumber), replacing any other."""
    resident = _active_resident(sub)
    phone = signin.phone_number(code)
    updated = _apply(resident, _phone_fields(phone, verified=True), expected_version=expected_version,
                     also=[audit.entry(actor, "update", Resident.entity, sub, "绑定微信验证的手机号")])
    return _me_out(updated)


def require_real_name(caller: Caller) -> Resident:
    """For services that need it before submitting (legal aid, notary): the caller's active resident
    account with a real-name declaration, or 403 `real_name_required`."""
    resident = _resident(caller.sub) if caller.has_any({"resident"}) else None
    if resident is None or resident.status != "active" or resident.real_name_status == "none":
        raise Forbidden("办理此项服务须先完成实名登记（在“我的”中填写姓名和身份证号）", code="real_name_required",
                        title="需要实名登记")
    return resident


def seed_resident(actor: audit.Actor, sub: str, *, name: str | None = None, id_number: str | None = None,
                  home_grid: str | None = None) -> Resident:
    """A resident account without a WeChat link, for demo data and other services' tests (e.g. an
    applicant with a real-name declaration). Not reachable over HTTP. Idempotent: an existing active
    account of `sub` is returned unchanged. Validates like PATCH /v1/me (ID checksum, existing grid)."""
    existing = _resident(sub)
    if existing is not None and existing.status == "active":
        return existing
    fields: dict[str, Any] = {"name": name}
    also: list[dict[str, Any]] = []
    if home_grid:
        fields["home_grid"] = _home_grid(home_grid)
    if id_number:
        if not name:
            raise ValueError("a real-name declaration needs a name")
        number = pii.normalize_id_number(id_number)
        id_hash = pii.lookup_hash("id_number", number)
        fields.update({"id_number_cipher": pii.encrypt("id_number", number), "id_number_hash": id_hash,
                       "id_number_masked": pii.mask_id_number(number), "real_name_status": "declared",
                       "real_name_declared_at": now_utc()})
        also.append(storage.put_op(storage.stamp_new(IdNumberClaim(id_hash=id_hash, sub=sub)).to_item()))
    resident = Resident(sub=sub, **fields)
    also.append(audit.entry(actor, "create", Resident.entity, sub, "建立居民账号（演示或后台导入）"))
    return storage.put_new(resident, also=also)


_KEPT = [
    KeptRecord(what="您提交过的法律援助申请、调解案件、公证预约、咨询工单等业务记录",
               why="《法律援助法》《人民调解法》《公证法》及档案管理规定要求归档保存；记录中的账号显示为“已注销用户”"),
    KeptRecord(what="操作日志（谁在何时做了什么，不含个人信息内容）",
               why="《网络安全法》第二十一条要求留存网络日志不少于六个月；依《个人信息保护法》第四十七条，"
                   "法律规定的保存期限未届满的，停止除存储和必要安全保护以外的处理"),
    KeptRecord(what="已注销账号的编号和注销时间", why="用于说明上述记录的归属已注销，不含可识别您的信息"),
]


def withdraw(actor: audit.Actor, sub: str, expected_version: int) -> WithdrawalOut:
    """DELETE /v1/me: erase the resident's personal data, unlink their WeChat and ID number, end every
    session; keep the account id as a tombstone for the records the law requires us to keep. Like every
    change it takes the version the resident last saw (a stale one is 409): an irreversible erasure is
    never done blindly, e.g. by a replayed request after the account changed on another device."""
    resident = _active_resident(sub)
    moment = now_utc()
    erased = [label for label, present in (
        ("姓名", resident.name), ("电话", resident.phone_cipher), ("所在网格", resident.home_grid),
        ("身份证号及实名登记", resident.id_number_cipher), ("微信身份标识（openid/unionid）", resident.openid_hash),
    ) if present]
    also = [audit.entry(actor, "withdraw", Resident.entity, sub, "居民注销账号：个人信息已删除，依法须保存的记录保留")]
    if resident.openid_hash:
        also.append(storage.delete_op(**keys.openid_link("resident", resident.openid_hash)))
    if resident.id_number_hash:
        also.append(storage.delete_op(**keys.id_number_claim(resident.id_number_hash)))
    _apply(resident, {"status": "withdrawn", "withdrawn_at": moment, "sessions_valid_after": moment,
                      "real_name_status": "none"},
           expected_version=expected_version,
           remove=[f for f in PERSONAL_FIELDS if getattr(resident, f) is not None], also=also)
    _revoke_all(sub, "withdrawn", actor)
    return WithdrawalOut(
        withdrawn_at=moment.isoformat(), erased=erased + ["全部登录（已退出所有设备）"], kept=_KEPT,
        notice="账号已注销。您可以随时用微信重新登录，届时将建立一个全新的账号，与原账号的记录不再关联。")


# --- staff accounts (admins) ----------------------------------------------------------------------

def _visible_staff(caller: Caller, sub: str) -> StaffAccount:
    staff = _staff(sub) if STAFF_SUB.match(sub or "") else None  # a path parameter: any text may come
    if staff is None:
        raise NotFound("工作人员账号不存在", code="staff_not_found")
    require_area(caller, staff.area)
    return staff


def _existing_area(code: str, loc: str = "area") -> None:
    try:
        areas.get(code)
    except NotFound:
        raise Unprocessable(f"区域 {code} 不存在", code="area_not_found",
                            errors=[{"loc": ["body", loc], "msg": "区域不存在"}]) from None


def create_staff(actor: audit.Actor, caller: Caller, data: StaffIn) -> StaffAccount:
    require_area(caller, data.area)
    _existing_area(data.area)
    staff = StaffAccount(sub="s-" + uuid.uuid4().hex, name=data.name, roles=sorted(set(data.roles)),
                         area=data.area, institution=data.institution, created_by=actor.sub,
                         **({k: v for k, v in _phone_fields(data.phone, verified=False).items()
                             if k in ("phone_cipher", "phone_hash", "phone_masked")} if data.phone else {}))
    return storage.put_new(staff, also=[audit.entry(
        actor, "create", StaffAccount.entity, staff.sub,
        f"新建工作人员账号（{'、'.join(staff.roles)}，辖区 {staff.area}）")])


def get_staff(caller: Caller, sub: str) -> StaffAccount:
    return _visible_staff(caller, sub)


def list_staff(caller: Caller, query: StaffQuery) -> StaffPage:
    area = query.area or caller.area or ""
    try:
        areas.level_of(area)
    except ValueError as exc:
        raise Unprocessable(str(exc), errors=[{"loc": ["query", "area"], "msg": str(exc)}]) from None
    if len(area) < 4:
        raise Unprocessable("请按市（4 位代码）或以下区域查询", code="area_too_broad",
                            errors=[{"loc": ["query", "area"], "msg": "请指定市或以下区域"}])
    require_area(caller, area)
    partition = keys.area_scope_partition(StaffAccount.entity, keys.city_of(area))
    page = storage.query(partition, index="gsi1", begins_with=area, limit=query.limit, cursor=query.cursor)
    return StaffPage(items=[StaffOut.of(StaffAccount.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def change_staff(actor: audit.Actor, caller: Caller, sub: str, patch: StaffPatch, expected_version: int) -> StaffAccount:
    """Change a staff member; `status: disabled` ends every session of theirs in the same transaction
    (their next refresh is refused) and marks the families revoked."""
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
    updated = _apply(staff, changes, expected_version=expected_version, remove=remove, also=[
        audit.entry(actor, "disable" if disabling else "update", StaffAccount.entity, sub,
                    summary + ("（停用，全部登录立即作废）" if disabling else ""), record or None)])
    if disabling:
        _revoke_all(sub, "disabled", actor)
    return updated


def invite_staff(actor: audit.Actor, caller: Caller, sub: str) -> InvitationOut:
    """A one-time code binding the staff member's WeChat (a new one voids the previous)."""
    staff = _visible_staff(caller, sub)
    if staff.status != "active":
        raise Conflict("账号已停用，请先启用再发放绑定码", code="staff_disabled")
    code = "".join(random.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))
    code_hash = _invite_hash(code)
    expires_at = now_utc() + INVITE_LIFETIME
    invite = storage.stamp_new(StaffInvite(code_hash=code_hash, sub=sub, expires_at=expires_at,
                                           ttl=_epoch(expires_at + KEEP_AFTER_EXPIRY)))
    also = [storage.put_op(invite.to_item()),
            audit.entry(actor, "invite", StaffAccount.entity, sub, "发放微信绑定码（72 小时有效，旧码作废）")]
    if staff.invite_hash:
        also.append(storage.delete_op(**keys.staff_invite(staff.invite_hash)))
    _apply(staff, {"invite_hash": code_hash}, expected_version=staff.version, also=also)
    return InvitationOut(sub=sub, invite_code=f"{code[:5]}-{code[5:]}", expires_at=expires_at.isoformat())


# --- read API for plugins (appended: staff of an area by role) ------------------------------------

def active_staff_with_role(area: str, role: str, *, max_items: int = 5_000) -> list[StaffAccount]:
    """The active staff accounts holding `role` whose area is `area` or below (city level or below: one
    Query of the city's staff partition from the area's prefix; staff of other roles are read and dropped,
    so keep `area` as narrow as the use allows). For plugins that pick a colleague (legal aid assigns a
    lawyer). The records carry `institution` (a directory institution id) and the sealed work phone."""
    if len(area) < 4:
        raise ValueError("area must be at city level or below")
    partition = keys.area_scope_partition(StaffAccount.entity, keys.city_of(area))
    items = storage.query_all(partition, index="gsi1", begins_with=area, max_items=max_items)
    staff = (StaffAccount.from_item(i) for i in items)
    return [s for s in staff if s.status == "active" and role in s.roles]


def staff_account(sub: str) -> StaffAccount | None:
    """The staff account `sub` (read consistently), or None — also for a sub that cannot be one. For plugins
    that show or check a colleague (legal aid: the lawyer to assign, the assigned lawyer's contact)."""
    return _staff(sub)
