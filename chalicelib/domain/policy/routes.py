"""Routes of the policy parameters (SPEC "P-rules"), mounted at /v1: the rule in force (anyone signed in:
the rules are public), the version history (staff), new versions and withdrawals (admins of the area)."""
from __future__ import annotations

from datetime import date

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.domain.policy import service as policy
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.timeutil import today_shanghai
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.web import SIGNED_IN, PageQuery, endpoint, parse, parse_query
from chalicelib.platform.dates import OnDate
from chalicelib.platform.model import Model, Page

bp = Blueprint(__name__)
TAGS = ("policies",)


class InForceQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(description="区域代码（沿区划逐级向上查找，最近的设置优先）", examples=["320402001001"])
    on: OnDate | None = Field(None, description="哪一天（北京时间）生效的规则；省略为今天", examples=["2021-07-19"])


class InForceOut(policy.InForce):
    title: str = Field(description="参数名称")
    asked_area: str = Field(description="查询的区域")
    on: date = Field(description="查询的日期")


class VersionsQuery(PageQuery):
    area: str | None = Field(None, description="只列该区域自身设置的版本；省略为本人辖区", examples=["3204"])


class WithdrawIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=2, max_length=500, description="撤回理由（写入审计记录）", examples=["录入的标准有误"])
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")


class DeclarationOut(Model):
    name: str
    title: str
    unit: str
    minimum: policy.Number
    maximum: policy.Number
    default: policy.Number | None = Field(description="未设置任何版本时的默认值；null 为必须设置")
    description: str


@bp.route("/policies", methods=["GET"], authorizer=jwt_auth)
@endpoint("已登记的政策参数", who=SIGNED_IN, response=Page[DeclarationOut], tags=TAGS,
          description="平台与已启用插件登记的全部参数名称、单位与合理取值范围（数量很少，一页返回）。")
def list_declarations():
    return Page[DeclarationOut](items=[DeclarationOut(name=d.name, title=d.title, unit=d.unit, minimum=d.minimum,
                                                 maximum=d.maximum, default=d.default, description=d.description)
                                  for d in policy.declarations()])


@bp.route("/policies/{name}/in-force", methods=["GET"], authorizer=jwt_auth)
@endpoint("某区域某日生效的政策参数", who=SIGNED_IN, query=InForceQuery, response=InForceOut, tags=TAGS,
          description="从该区域逐级向上（直至全平台默认）找到在该日期已生效的最新版本。")
def in_force(name):
    q = parse_query(InForceQuery)
    on = q.on or today_shanghai()
    found = policy.resolve(name, q.area, on)
    return InForceOut(**found.model_dump(), title=policy.declared(name).title, asked_area=q.area, on=on)


@bp.route("/policies/{name}/versions", methods=["GET"], authorizer=jwt_auth)
@endpoint("政策参数的版本历史", who=STAFF_ROLES, query=VersionsQuery, response=Page[policy.VersionOut], tags=TAGS,
          description="某区域自身设置的全部版本（含已撤回），按生效日期从新到旧。")
def list_versions(name):
    q = parse_query(VersionsQuery)
    caller = web.caller()
    return policy.versions(caller, name, q.area or caller.area, limit=q.limit, cursor=q.cursor)


@bp.route("/policies/{name}/versions", methods=["POST"], authorizer=jwt_auth)
@endpoint("设置政策参数的新版本", who={"admin"}, body=policy.VersionIn, response=policy.VersionOut, status=201,
          tags=TAGS, over_floor="the area and the parameter's timelines along its chain are read (one BatchGetItem) before the one "
                               "transaction: the new date must come after the area's latest version, the audit entry "
                               "names the value it replaces, and the timeline is rewritten on the version it was read at",
          description="管理员在其辖区内设置；生效日期须晚于该区域已有的最新版本，早于今天须说明追溯理由。")
def create_version(name):
    version = policy.set_version(web.actor(), web.caller(), name, parse(policy.VersionIn))
    return web.respond(policy.VersionOut.of(version), status=201,
                       headers={"Location": f"/v1/policies/{name}/versions/{version.version_id}"})


@bp.route("/policies/{name}/versions/{version_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一个参数版本", who=STAFF_ROLES, response=policy.VersionOut, tags=TAGS,
          description="与版本历史相同的范围：本人辖区、其上级与下级区域的版本；其他区域 403。")
def get_version(name, version_id):
    return policy.VersionOut.of(policy.get_version(name, version_id, web.caller()))


@bp.route("/policies/{name}/versions/{version_id}/withdraw", methods=["POST"], authorizer=jwt_auth)
@endpoint("撤回尚未生效的参数版本", who={"admin"}, body=WithdrawIn, response=policy.VersionOut, tags=TAGS,
          description="只能撤回生效日期在今天之后的版本；需 If-Match（或 body.version）为当前版本。")
def withdraw_version(name, version_id):
    data = parse(WithdrawIn)
    version = policy.withdraw(web.actor(), web.caller(), name, version_id, data.reason,
                              web.expected_version(data.version))
    return policy.VersionOut.of(version)
