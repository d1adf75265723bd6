"""Accounts: the caller's own account (`/v1/me`): the profile (name, phone, home grid, real-name
declaration), the WeChat-verified phone, withdrawal (erase personal data, keep what the law requires),
and `require_real_name` for services that need it.
"""
from __future__ import annotations

from typing import Any

from chalicelib.domain.accounts.models import (
    HomeGridOut, IdNumberClaim, KeptRecord, MeOut, MePatch, PERSONAL_FIELDS, RealNameOut, Resident, ResidentLink,
    WithdrawalOut, iso,
)
from chalicelib.domain.accounts.sessions import account_and_ending
from chalicelib.domain.accounts.store import (
    active_resident, apply_changes, can_be_sub, failed_op, find_resident, find_staff, phone_fields,
)
from chalicelib.domain.accounts.wechat import phone_number
from chalicelib.domain.areas import service as areas
from chalicelib.platform import audit, pii, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable
from chalicelib.platform.timeutil import now_utc


def me(caller: Caller) -> MeOut:
    """GET /v1/me: the caller's own account (resident or staff)."""
    if caller.has_any({"resident"}):
        return _me_out(active_resident(caller.sub))
    staff = find_staff(caller.sub)
    if staff is None:
        raise NotFound("没有找到您的账号（身份提供方登录的工作人员请在管理端查看）", code="account_not_found")
    return MeOut(sub=staff.sub, kind="staff", status=staff.status, name=staff.name, phone_masked=staff.phone_masked,
                 phone_verified=False, roles=sorted(staff.roles), area=staff.area, institution=staff.institution,
                 version=staff.version, created_at=iso(staff.created_at))


def grid_links(code: str) -> dict[str, str]:
    """Where the mini-program finds the resident's grid: "my grid" is the grid's public board (services,
    people on duty, how to reach them; chalicelib/domain/board), plus the area and its path."""
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
                              declared_at=iso(resident.real_name_declared_at)),
        roles=["resident"], version=resident.version, created_at=iso(resident.created_at))


def _home_grid(code: str) -> str:
    def refuse(msg: str) -> Unprocessable:
        return Unprocessable(msg, code="home_grid_invalid", errors=[{"loc": ["home_grid"], "msg": msg}])

    try:
        area = areas.get(code)
    except NotFound:
        raise refuse(f"网格 {code} 不存在") from None
    if area.level != "grid":
        raise refuse("请选择到网格一级")
    if area.status != "active":
        raise refuse("该网格已撤销，请重新选择")
    return area.code

PHONE_FIELDS = ("phone_cipher", "phone_hash", "phone_masked", "phone_verified", "phone_source")
ID_FIELDS = ("id_number_cipher", "id_number_hash", "id_number_masked", "real_name_declared_at")


def change_profile(actor: audit.Actor, sub: str, patch: MePatch, expected_version: int) -> MeOut:
    """PATCH /v1/me: name, entered phone, home grid, real-name declaration (name + ID number)."""
    resident = active_resident(sub)
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
                                errors=[{"loc": ["name"], "msg": "已实名登记"}])
        if (resident.real_name_status == "declared" and "id_number" not in fields and patch.name != resident.name):
            raise Unprocessable("实名登记后修改姓名须同时重新提交身份证号", code="real_name_name_locked",
                                errors=[{"loc": ["id_number"], "msg": "修改姓名时必填"}])
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
            changes.update(phone_fields(patch.phone, verified=False))
        said.append("电话")
    claim_index = None
    if "id_number" in fields:
        if patch.id_number is None:
            remove.extend(ID_FIELDS)
            changes["real_name_status"] = "none"
            if resident.id_number_hash:
                also.append(storage.delete(IdNumberClaim, resident.id_number_hash))
            said.append("撤回实名登记")
        else:
            if not name:
                raise Unprocessable("实名登记须同时填写姓名", code="real_name_needs_name",
                                    errors=[{"loc": ["name"], "msg": "实名登记时必填"}])
            sealed = pii.seal_id_number(patch.id_number)
            id_hash = sealed.hash
            changes.update({**sealed.fields("id_number"), "real_name_status": "declared",
                            "real_name_declared_at": now_utc()})
            if id_hash != resident.id_number_hash:
                claim_index = 1 + len(also)
                also.append(storage.put_op(storage.stamp_new(IdNumberClaim(id_hash=id_hash, sub=sub)).to_item()))
                if resident.id_number_hash:
                    also.append(storage.delete(IdNumberClaim, resident.id_number_hash))
            said.append("实名登记（姓名、身份证号）")
    also.append(audit.entry(actor, "update", Resident.entity, sub, "修改个人资料：" + "、".join(said)))
    try:
        updated = apply_changes(resident, changes, expected_version=expected_version, remove=remove, also=also)
    except Conflict as exc:
        if claim_index is not None and failed_op(exc) == claim_index:
            raise Conflict("该身份证号已被其他账号实名登记；如非本人操作，请到司法所核实", code="id_number_in_use",
                           errors=[{"loc": ["id_number"], "msg": "已被其他账号登记"}]) from None
        raise
    return _me_out(updated)


def bind_phone(actor: audit.Actor, sub: str, code: str, expected_version: int) -> MeOut:
    """POST /v1/me/phone: the phone number the platform verified (getPhoneNumber), replacing any other."""
    resident = active_resident(sub)
    phone = phone_number(code)
    updated = apply_changes(resident, phone_fields(phone, verified=True), expected_version=expected_version,
                            also=[audit.entry(actor, "update", Resident.entity, sub, "绑定微信验证的手机号")])
    return _me_out(updated)


_UNREAD = object()


def require_real_name(caller: Caller, *, found: Resident | None | object = _UNREAD) -> Resident:
    """For services that need it before submitting (legal aid, notary): the caller's active resident
    account with a real-name declaration, or 403 `real_name_required`. `found`: the caller's account as the
    service read it (consistently) with its own records, None if absent."""
    if not caller.has_any({"resident"}):
        resident = None
    else:
        resident = find_resident(caller.sub) if found is _UNREAD else found
    if resident is None or resident.status != "active" or resident.real_name_status == "none":
        raise Forbidden("办理此项服务须先完成实名登记（在“我的”中填写姓名和身份证号）", code="real_name_required",
                        title="需要实名登记")
    return resident


def seed_resident(actor: audit.Actor, sub: str, *, name: str | None = None, id_number: str | None = None,
                  home_grid: str | None = None) -> Resident:
    """A resident account without a WeChat link, for demo data and other services' tests (e.g. an
    applicant with a real-name declaration). Not reachable over HTTP. Idempotent: an existing active
    account of `sub` is returned unchanged. Validates like PATCH /v1/me (ID checksum, existing grid)."""
    existing = find_resident(sub)
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
        sealed = pii.seal_id_number(number)
        id_hash = sealed.hash
        fields.update({**sealed.fields("id_number"), "real_name_status": "declared",
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
    seen, endings, _ = account_and_ending(sub, "withdrawn") if can_be_sub(sub) else (None, [], 0)
    # the account as the sessions' Query found it, when it is the version the resident saw: the transaction
    # below holds only while that version is stored, so what it erases is what was read; else read it again
    resident = seen if seen is not None and seen.version == expected_version and seen.status == "active" \
        else active_resident(sub)
    moment = now_utc()
    erased = [label for label, present in (
        ("姓名", resident.name), ("电话", resident.phone_cipher), ("所在网格", resident.home_grid),
        ("身份证号及实名登记", resident.id_number_cipher), ("微信身份标识（openid/unionid）", resident.openid_hash),
    ) if present]
    also = [*endings, audit.entry(actor, "withdraw", Resident.entity, sub, "居民注销账号：个人信息已删除，依法须保存的记录保留")]
    if resident.openid_hash:
        also.append(storage.delete(ResidentLink, resident.openid_hash))
    if resident.id_number_hash:
        also.append(storage.delete(IdNumberClaim, resident.id_number_hash))
    apply_changes(resident, {"status": "withdrawn", "withdrawn_at": moment, "sessions_valid_after": moment,
                      "real_name_status": "none"},
           expected_version=expected_version,
           remove=[f for f in PERSONAL_FIELDS if getattr(resident, f) is not None], also=also)
    return WithdrawalOut(
        withdrawn_at=moment.isoformat(), erased=erased + ["全部登录（已退出所有设备）"], kept=_KEPT,
        notice="账号已注销。您可以随时用微信重新登录，届时将建立一个全新的账号，与原账号的记录不再关联。")
