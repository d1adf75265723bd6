"""Core routes: health, the OpenAPI document, the caller's own claims, and the area tree (C1)."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.domain.areas import service as areas
from chalicelib.platform.web import openapi
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.web import PUBLIC, SIGNED_IN, PageQuery, endpoint, parse, parse_query
from chalicelib.platform.model import Model

bp = Blueprint(__name__)


class Health(Model):
    status: str = Field(examples=["ok"])
    stage: str
    plugins: list[str]
    now: str = Field(description="服务端当前时间（上海时区）；本地环境可用 FIXED_NOW 固定", examples=["2026-11-30T09:00:00+08:00"])


class WhoAmI(Model):
    sub: str
    roles: list[str]
    area: str | None


class ChildrenQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")


@bp.route("/health", methods=["GET"])
@endpoint("健康检查", who=PUBLIC, response=Health, tags=("core",))
def health():
    from chalicelib.platform import config
    from chalicelib import plugin

    from chalicelib.platform import timeutil

    return Health(status="ok", stage=config.stage(), plugins=[p.name for p in plugin.enabled()],
                  now=timeutil.to_shanghai(timeutil.now_utc()).isoformat(timespec="seconds"))


@bp.route("/openapi.json", methods=["GET"])
@endpoint("OpenAPI 3.1 接口文档", who=PUBLIC, tags=("core",))
def openapi_document():
    return web.respond(openapi.document(web._app))


@bp.route("/whoami", methods=["GET"], authorizer=jwt_auth)
@endpoint("当前登录身份", who=SIGNED_IN, response=WhoAmI, tags=("core",))
def whoami():
    who = web.caller()
    return WhoAmI(sub=who.sub, roles=sorted(who.roles), area=who.area)


@bp.route("/areas", methods=["GET"])
@endpoint("顶级区域（省）列表", who=PUBLIC, query=PageQuery, response=areas.AreaPage, tags=("areas",))
def list_root_areas():
    q = parse_query(PageQuery)
    return areas.children(None, limit=q.limit, cursor=q.cursor)


@bp.route("/areas", methods=["POST"], authorizer=jwt_auth)
@endpoint("新建区域（如网格）", who={"admin"}, body=areas.AreaIn, response=areas.AreaOut, status=201,
          tags=("areas",), description="管理员在其辖区内新建下级区域；代码须在上级代码后续位。")
def create_area():
    area = areas.create(web.actor(), web.caller(), parse(areas.AreaIn))
    return web.respond(areas.AreaOut.of(area), status=201, headers={"Location": f"/v1/areas/{area.code}"})


@bp.route("/areas/{code}", methods=["GET"])
@endpoint("区域详情", who=PUBLIC, response=areas.AreaOut, tags=("areas",))
def get_area(code):
    return areas.AreaOut.of(areas.get(code))


@bp.route("/areas/{code}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改或撤销区域", who={"admin"}, body=areas.AreaPatch, response=areas.AreaOut, tags=("areas",),
          description="需 If-Match（或 body.version）为当前版本；撤销前须先撤销所有下级。")
def change_area(code):
    patch = parse(areas.AreaPatch)
    area = areas.change(web.actor(), web.caller(), code, patch, web.expected_version(patch.version))
    return areas.AreaOut.of(area)


@bp.route("/areas/{code}/children", methods=["GET"])
@endpoint("下级区域列表", who=PUBLIC, query=ChildrenQuery, response=areas.AreaPage, tags=("areas",))
def list_child_areas(code):
    q = parse_query(ChildrenQuery)
    return areas.children(code, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/breadcrumb", methods=["GET"])
@endpoint("区域的逐级路径", who=PUBLIC, response=areas.Breadcrumb, tags=("areas",))
def area_breadcrumb(code):
    return areas.breadcrumb(code)
