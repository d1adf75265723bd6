"""Accounts: the records (residents, staff, their WeChat links, sessions and refresh tokens, invitations,
ID-number claims), the vocabularies, and the inputs and outputs of the sign-in, `/v1/me` and staff routes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.areas.models import level_of
from chalicelib.platform import pii, storage
from chalicelib.platform.auth import roles
from chalicelib.platform.model import Model

Kind = Literal["resident", "staff"]
StaffRole = Literal[tuple(sorted(roles.STAFF))]  # type: ignore[valid-type]  # the contract's staff roles
PERSONAL_FIELDS = ("name", "phone_cipher", "phone_hash", "phone_masked", "phone_verified", "phone_source",
                   "home_grid", "id_number_cipher", "id_number_hash", "id_number_masked",
                   "real_name_declared_at", "openid_cipher", "openid_hash", "unionid_hash")


# --- records --------------------------------------------------------------------------------------

class Resident(storage.Record):
    """A resident's account, also at the head of its own list of sessions (`account`, sorting after every
    session's date), so a withdrawal reads the account and the sessions it ends in one Query."""
    entity: ClassVar[str] = "resident"
    key_fields: ClassVar[tuple[str, ...]] = ("sub",)
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("session", "gsi1", by="owner"),)
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

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=self.sub, sort=("account",))


class StaffAccount(storage.Record):
    """A staff account, in its area's list (an admin reads the staff of their area and below)."""
    entity: ClassVar[str] = "staff-account"
    key_fields: ClassVar[tuple[str, ...]] = ("sub",)
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("staff-account", "gsi1", by="area"),)
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

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=self.area, sort=(self.sub,))


class ResidentLink(storage.Record):
    """The mini-program identity → account link, named by an HMAC of the openid (never the openid)."""
    entity: ClassVar[str] = "openid-resident"
    key_fields: ClassVar[tuple[str, ...]] = ("openid_hash",)
    openid_hash: str
    sub: str


class StaffLink(storage.Record):
    """Like `ResidentLink`, for staff sign-in (one WeChat user may be both)."""
    entity: ClassVar[str] = "openid-staff"
    key_fields: ClassVar[tuple[str, ...]] = ("openid_hash",)
    openid_hash: str
    sub: str


class Session(storage.Record):
    """One sign-in's refresh-token family (rotated on each refresh, revoked as a whole), in its account's
    list of sessions."""
    entity: ClassVar[str] = "session"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("session", "gsi1", by="owner"),)
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

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=self.sub, sort=(self.created_at.isoformat(), self.id))


class RefreshToken(storage.Record):
    """One issued refresh token, by the SHA-256 of the token (kept until expiry to detect reuse)."""
    entity: ClassVar[str] = "refresh-token"
    key_fields: ClassVar[tuple[str, ...]] = ("token_hash",)
    token_hash: str
    session_id: str
    generation: int
    ttl: int


class StaffInvite(storage.Record):
    entity: ClassVar[str] = "staff-invite"
    key_fields: ClassVar[tuple[str, ...]] = ("code_hash",)
    code_hash: str
    sub: str
    expires_at: datetime
    used_at: datetime | None = None
    ttl: int


class IdNumberClaim(storage.Record):
    """Which account declared an ID number (one number, one account), by the number's HMAC."""
    entity: ClassVar[str] = "id-number"
    key_fields: ClassVar[tuple[str, ...]] = ("id_hash",)
    id_hash: str
    sub: str


class RateCounter(storage.Record):
    """A fixed-window attempt counter (`rate#<scope>#<subject hash>#<window start>`, expires through `ttl`)."""
    entity: ClassVar[str] = "rate-counter"
    key_prefix: ClassVar[str] = "rate"
    key_fields: ClassVar[tuple[str, ...]] = ("scope", "subject", "window")
    scope: str
    subject: str
    window: int
    count: int = 0


# --- inputs and outputs ---------------------------------------------------------------------------

class SignInIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(min_length=1, max_length=128, description="小程序 wx.login() 取得的登录凭证（一次有效）",
                      examples=["0a3Xk2000abcDEF1"])
    mode: Kind = Field("resident", description="以居民身份（默认）或工作人员身份登录")
    invite_code: str | None = Field(None, min_length=8, max_length=20,
                                    description="工作人员首次登录时填写管理员发放的绑定码")


class RefreshIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    refresh_token: str = Field(min_length=1, max_length=256, description="登录时返回的 refresh_token（每次刷新后换新，旧的作废）",
                               examples=["rt_3f9c2a7e5b1d4c8a9e6f0b2d7c4a1e5f"])


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
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [{"home_grid": "320402001001001", "version": 2}]})
    name: str | None = Field(None, min_length=1, max_length=40, description="姓名；实名登记后须与身份证号一同修改")
    phone: str | None = Field(None, max_length=20, description="自行填写的电话（未验证）；用 POST /v1/me/phone 绑定微信验证的手机号")
    home_grid: str | None = Field(None, description="所在网格的 15 位代码（从区域树选择）；null 清除")
    id_number: pii.IdNumber | None = Field(None, max_length=18, description="18 位身份证号（实名登记，须同时有姓名）；null 撤回实名登记")
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


class PhoneIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    code: str = Field(min_length=1, max_length=128, description="手机号快速验证组件（getPhoneNumber）返回的 code",
                      examples=["e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144"])
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
    name: str = Field(min_length=1, max_length=40, examples=["钱卫东"])
    roles: list[StaffRole] = Field(min_length=1, max_length=9, examples=[["grid_worker"]])
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
        level_of(value)
        return value


class StaffPatch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [{"status": "disabled", "version": 3}]})
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
            level_of(value)
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
                   wechat_bound=bool(staff.openid_hash), bound_at=iso(staff.bound_at), version=staff.version,
                   created_at=iso(staff.created_at), updated_at=iso(staff.updated_at))


class StaffQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, description="市（4 位）或以下的区域代码；默认为管理员自己的辖区")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class InvitationOut(Model):
    sub: str
    invite_code: str = Field(description="一次性绑定码：交给本人，在小程序工作人员登录时填写；重新发放后旧码作废")
    expires_at: str


@dataclass(frozen=True)
class Origin:
    """Where an unauthenticated request came from (for limits and the audit trail)."""
    source_ip: str | None
    request_id: str | None


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
