"""Routes of the area tree (C1), mounted at /v1: parse, call `areas.service`, respond."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import ConfigDict

from chalicelib.domain.areas import models, service as areas
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, PageQuery, endpoint, parse, parse_query

bp = Blueprint(__name__)


class ChildrenQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")


@bp.route("/areas", methods=["GET"])
@endpoint("顶级区域（省）列表", who=PUBLIC, query=PageQuery, response=Page[models.AreaOut], tags=("areas",))
def list_root_areas():
    q = parse_query(PageQuery)
    return areas.children(None, limit=q.limit, cursor=q.cursor)


@bp.route("/areas", methods=["POST"], authorizer=jwt_auth)
@endpoint("新建区域（如网格）", who={"admin"}, body=models.AreaIn, response=models.AreaOut, status=201,
          tags=("areas",), description="管理员在其辖区内新建下级区域；代码须在上级代码后续位。")
def create_area():
    area = areas.create(web.actor(), web.caller(), parse(models.AreaIn))
    return web.respond(models.AreaOut.of(area), status=201, headers={"Location": f"/v1/areas/{area.code}"})


@bp.route("/areas/{code}", methods=["GET"])
@endpoint("区域详情", who=PUBLIC, response=models.AreaOut, tags=("areas",))
def get_area(code):
    return models.AreaOut.of(areas.get(code))


@bp.route("/areas/{code}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改或撤销区域", who={"admin"}, body=models.AreaPatch, response=models.AreaOut, tags=("areas",),
          description="需 If-Match（或 body.version）为当前版本；撤销前须先撤销所有下级。")
def change_area(code):
    patch = parse(models.AreaPatch)
    area = areas.change(web.actor(), web.caller(), code, patch, web.expected_version(patch.version))
    return models.AreaOut.of(area)


@bp.route("/areas/{code}/children", methods=["GET"])
@endpoint("下级区域列表", who=PUBLIC, query=ChildrenQuery, response=Page[models.AreaOut], tags=("areas",))
def list_child_areas(code):
    q = parse_query(ChildrenQuery)
    return areas.children(code, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/breadcrumb", methods=["GET"])
@endpoint("区域的逐级路径", who=PUBLIC, response=models.Breadcrumb, tags=("areas",))
def area_breadcrumb(code):
    return areas.breadcrumb(code)
