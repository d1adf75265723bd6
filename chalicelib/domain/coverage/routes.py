"""Routes of grid assignments and coverage (C3), mounted at /v1: parse, call `coverage.service`, respond."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import Field, field_validator

from chalicelib.domain.areas.models import level_of
from chalicelib.domain.coverage import models, service as coverage
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, PageQuery, endpoint, parse, parse_query

bp = Blueprint(__name__)
ADMIN = {"admin"}
STAFF = STAFF_ROLES


class RoleQuery(PageQuery):
    role: str | None = Field(None, max_length=41, description="只看一个覆盖角色")


class AssignmentListQuery(PageQuery):
    area: str = Field(description="区县或以下区域代码")
    role: str = Field(max_length=41, description="覆盖角色代码")

    @field_validator("area")
    @classmethod
    def _area_shape(cls, value: str) -> str:
        level_of(value)
        return value


@bp.route("/coverage-roles", methods=["GET"])
@endpoint("每个网格须配齐的角色（启用的服务插件声明的角色 + 平台角色）", who=PUBLIC, response=models.RolesOut,
          tags=("coverage",))
def list_coverage_roles():
    return models.RolesOut(items=[models.RoleOut.of(r) for r in coverage.roles()])


@bp.route("/assignments", methods=["POST"], authorizer=jwt_auth)
@endpoint("把人员或机构分配到网格（或村、镇、区县：覆盖其下全部网格）", who=ADMIN, body=models.AssignmentIn,
          response=models.AssignmentOut, status=201, tags=("coverage",),
          replay=lambda item: _assigned(models.Assignment.from_item(item)),
          over_floor="the area and the assignee decide the 422s and the 403 (active, in the caller's jurisdiction, "
                     "the role's level) and name the answer, so they are read (one BatchGetItem) before the one "
                     "transaction")
def create_assignment():
    return _shown(coverage.assigned(web.caller(), parse(models.AssignmentIn)))


def _assigned(record):
    return _shown(coverage.describe([record])[0])


def _shown(out):
    return web.respond(out, status=201, headers={"Location": f"/v1/assignments/{out.id}"})


@bp.route("/assignments", methods=["GET"], authorizer=jwt_auth)
@endpoint("某角色在区域内的全部分配", who=STAFF, query=AssignmentListQuery, response=Page[models.AssignmentOut],
          tags=("coverage",))
def list_assignments():
    q = parse_query(AssignmentListQuery)
    return coverage.list_in_area(web.caller(), q.area, q.role, limit=q.limit, cursor=q.cursor)


@bp.route("/assignments/{assignment_id}", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("解除分配", who=ADMIN, response=models.AssignmentOut, tags=("coverage",),
          description="需 If-Match 为当前版本；记录保留（status=ended），历史见审计。")
def end_assignment(assignment_id):
    return coverage.end(web.caller(), assignment_id, web.expected_version())


@bp.route("/areas/{code}/assignments", methods=["GET"], authorizer=jwt_auth)
@endpoint("该区域（网格）由谁负责：直接分配的和上级区域分配的", who=STAFF, query=RoleQuery,
          response=Page[models.AssignmentOut], tags=("coverage",))
def list_area_assignments(code):
    q = parse_query(RoleQuery)
    return coverage.list_for_area(web.caller(), code, q.role, limit=q.limit, cursor=q.cursor)


# Why a coverage report is more than one read (make bench prints it).
COMPUTED = ("the report is computed when asked from the area tree below the area (one Query per level) and each "
            "role's assignments per district (one Query each), the area and the assignees' status read together "
            "after them; no tally per area is kept, so an assignment, a retirement or a new grid changes it at once")


@bp.route("/areas/{code}/coverage", methods=["GET"], authorizer=jwt_auth)
@endpoint("网格全覆盖报告：每个下级区域各角色已覆盖/缺少的网格数", who=STAFF, query=RoleQuery,
          response=models.CoverageReport, tags=("coverage",), over_floor=COMPUTED,
          description="缺少角色的网格清单见 /v1/areas/{code}/coverage/gaps。")
def coverage_report(code):
    q = parse_query(RoleQuery)
    return coverage.report(web.caller(), code, q.role, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/coverage/gaps", methods=["GET"], authorizer=jwt_auth)
@endpoint("缺少角色的网格清单", who=STAFF, query=RoleQuery, response=models.GapPage, tags=("coverage",), over_floor=COMPUTED)
def coverage_gaps(code):
    q = parse_query(RoleQuery)
    return coverage.gaps(web.caller(), code, q.role, limit=q.limit, cursor=q.cursor)
