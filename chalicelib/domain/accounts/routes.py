"""Sign-in, the caller's own account (`/v1/me`) and staff accounts (admins). Services in
`chalicelib.domain.accounts.service`; nothing here knows DynamoDB or the code-to-session API.

    POST   /v1/auth/session            sign in with the mini-program login code      public
    POST   /v1/auth/session/refresh    rotate the refresh token                       public
    POST   /v1/auth/session/revoke     sign out on this device (RFC 7009: always 204) public
    GET    /v1/me                      my account                                     signed in
    PATCH  /v1/me                      name, phone, home grid, real-name declaration  resident
    DELETE /v1/me                      withdraw (erase personal data, keep what law requires)  resident
    POST   /v1/me/phone                bind the WeChat-verified phone number          resident
    DELETE /v1/me/sessions             sign out on every device                       signed in
    POST   /v1/staff-accounts          create a staff account                         admin
    GET    /v1/staff-accounts          staff of an area (city or below)               admin
    GET    /v1/staff-accounts/{sub}    one staff account                              admin
    PATCH  /v1/staff-accounts/{sub}    change roles/area/institution, disable         admin
    POST   /v1/staff-accounts/{sub}/invitation   a new one-time WeChat binding code   admin
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.accounts import models, service as accounts
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, SIGNED_IN, endpoint, parse, parse_query

bp = Blueprint(__name__)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # tokens must not be cached (RFC 6749 §5.1)


def _origin() -> models.Origin:
    identity = (web.request().context or {}).get("identity") or {}
    return models.Origin(source_ip=identity.get("sourceIp"), request_id=web.request_id())


def _tokens(issued: accounts.Issued) -> Response:
    return web.respond(issued.out(), headers=NO_STORE)


# --- sessions -------------------------------------------------------------------------------------

@bp.route("/auth/session", methods=["POST"])
@endpoint("小程序登录：用 wx.login() 的 code 换取访问令牌和刷新令牌", who=PUBLIC, body=models.SignInIn,
          response=models.SessionOut, tags=("auth",),
          description="code 一次有效；任何失败都请重新调用 wx.login() 取新 code 再试。"
                      "工作人员在 mode=staff 下登录，首次须填写管理员发放的 invite_code。"
                      "401 login_code_invalid、403 wechat_user_blocked / staff_not_bound / invite_invalid、"
                      "429 wechat_rate_limited / too_many_attempts（带 Retry-After）、"
                      "502 wechat_bad_response、503 wechat_busy / wechat_unavailable、504 wechat_timeout。",
          statuses=(401, 403, 502, 504),
          over_floor="the per-IP abuse counter is one atomic ADD before the code exchange that must count failed "
                     "attempts too, so not in the session's transaction; then the link is read, then the session "
                     "written (with the per-openid counter; a staff sign-in counts it apart, as a guessed "
                     "invitation code fails after it)")
def sign_in():
    return _tokens(accounts.sign_in(parse(models.SignInIn), _origin()))


@bp.route("/auth/session/refresh", methods=["POST"])
@endpoint("刷新登录：换取新的访问令牌和新的刷新令牌", who=PUBLIC, body=models.RefreshIn,
          response=models.SessionOut, tags=("auth",),
          description="每个刷新令牌只能用一次；再次使用已换过的令牌会使这次登录的全部令牌作废"
                      "（401 refresh_token_reused）。请勿并发刷新。", statuses=(401,))
def refresh_session():
    return _tokens(accounts.refresh(parse(models.RefreshIn).refresh_token, _origin()))


@bp.route("/auth/session/revoke", methods=["POST"])
@endpoint("退出登录（本设备）：作废该刷新令牌所在的整组登录", who=PUBLIC, body=models.RefreshIn,
          status=204, tags=("auth",), description="无论令牌是否有效都返回 204（RFC 7009）。访问令牌在 15 分钟内自然过期。")
def revoke_session():
    accounts.revoke(parse(models.RefreshIn).refresh_token, _origin())
    return Response(body="", status_code=204, headers=NO_STORE)


@bp.route("/me/sessions", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("退出全部设备上的登录", who=SIGNED_IN, response=models.SignedOut, tags=("auth",))
def sign_out_everywhere():
    return accounts.sign_out_everywhere(web.caller())


# --- my account -----------------------------------------------------------------------------------

@bp.route("/me", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的账号", who=SIGNED_IN, response=models.MeOut, tags=("me",),
          description="电话、身份证号只返回打码形式。home_grid.links 指向“我的网格”相关接口。")
def get_me():
    return accounts.me(web.caller())


@bp.route("/me", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改我的资料（姓名、电话、所在网格、实名登记）", who={"resident"}, body=models.MePatch,
          response=models.MeOut, tags=("me",),
          description="需 If-Match（或 body.version）。实名登记：同时提交 name 和 id_number（校验位、出生日期）；"
                      "字段为 null 表示清除。")
def change_me():
    patch = parse(models.MePatch)
    return accounts.change_profile(web.actor(), web.caller().sub, patch, web.expected_version(patch.version))


@bp.route("/me/phone", methods=["POST"], authorizer=jwt_auth)
@endpoint("绑定微信验证的手机号", who={"resident"}, body=models.PhoneIn, response=models.MeOut, tags=("me",),
          description="code 来自小程序手机号快速验证组件（getPhoneNumber）；需 If-Match（或 body.version）。",
          statuses=(502, 504))
def bind_my_phone():
    data = parse(models.PhoneIn)
    return accounts.bind_phone(web.actor(), web.caller().sub, data.code, web.expected_version(data.version))


@bp.route("/me", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("注销我的账号", who={"resident"}, response=models.WithdrawalOut, tags=("me",),
          description="删除个人信息、解除微信和身份证号关联、退出全部登录；依法须保存的业务记录和日志保留，"
                      "响应中逐项说明。须带 If-Match（GET /v1/me 返回的 version），与其他修改一样不盲目执行："
                      "缺少为 400 version_required，已过期为 409 stale_version。")
def withdraw_me():
    return accounts.withdraw(web.actor(), web.caller().sub, web.expected_version())


# --- staff accounts -------------------------------------------------------------------------------

@bp.route("/staff-accounts", methods=["POST"], authorizer=jwt_auth)
@endpoint("新建工作人员账号", who={"admin"}, body=models.StaffIn, response=models.StaffOut, status=201,
          tags=("staff-accounts",),
          description="辖区须在管理员自己的辖区内。随后用 POST …/invitation 发放微信绑定码。")
def create_staff():
    staff = accounts.create_staff(web.caller(), parse(models.StaffIn))
    return web.respond(models.StaffOut.of(staff), status=201,
                       headers={"Location": f"/v1/staff-accounts/{staff.sub}"})


@bp.route("/staff-accounts", methods=["GET"], authorizer=jwt_auth)
@endpoint("工作人员账号列表（按辖区）", who={"admin"}, query=models.StaffQuery, response=Page[models.StaffOut],
          tags=("staff-accounts",))
def list_staff():
    return accounts.list_staff(web.caller(), parse_query(models.StaffQuery))


@bp.route("/staff-accounts/{sub}", methods=["GET"], authorizer=jwt_auth)
@endpoint("工作人员账号详情", who={"admin"}, response=models.StaffOut, tags=("staff-accounts",))
def get_staff(sub):
    return models.StaffOut.of(accounts.get_staff(web.caller(), sub))


@bp.route("/staff-accounts/{sub}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改或停用工作人员账号", who={"admin"}, body=models.StaffPatch, response=models.StaffOut,
          tags=("staff-accounts",),
          description="需 If-Match（或 body.version）。status=disabled 立即作废其全部刷新令牌；"
                      "角色、辖区的修改在其下次刷新时生效（访问令牌 15 分钟内过期）。")
def change_staff(sub):
    patch = parse(models.StaffPatch)
    staff = accounts.change_staff(web.caller(), sub, patch, web.expected_version(patch.version))
    return models.StaffOut.of(staff)


@bp.route("/staff-accounts/{sub}/invitation", methods=["POST"], authorizer=jwt_auth)
@endpoint("发放微信绑定码", who={"admin"}, response=models.InvitationOut, status=200, idempotent=False,
          tags=("staff-accounts",),
          description="一次性、72 小时有效；再次发放则旧码作废（因此重试是安全的，无需 Idempotency-Key，"
                      "也不把绑定码存进幂等记录）。")
def invite_staff(sub):
    return web.respond(accounts.invite_staff(web.caller(), sub), headers=NO_STORE)
