"""Routes for institutions and people (C2), grid assignments and coverage (C3), the 6+X menu and the
public "my grid" board (C4), and the rota and notices of service points (C8). Mounted at /v1.

Routes know nothing of DynamoDB: each parses its input, names the caller and calls one service function.
"""
from __future__ import annotations

import datetime as dt

from chalice import Blueprint
from pydantic import Field, field_validator

from chalicelib.domain.board import service as board
from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.directory import service as directory
from chalicelib.domain.rota import service as rota
from chalicelib.platform import web
from chalicelib.domain.areas.service import level_of
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.web import PUBLIC, PageQuery, endpoint, parse, parse_query

bp = Blueprint(__name__)
ADMIN = {"admin"}
STAFF = STAFF_ROLES


class AreaListQuery(PageQuery):
    area: str | None = Field(None, description="区域代码（市级或以下）；默认为本人辖区")

    @field_validator("area")
    @classmethod
    def _area_shape(cls, value: str | None) -> str | None:
        if value is not None:
            level_of(value)
        return value


class InstitutionListQuery(AreaListQuery):
    kind: directory.InstitutionKind | None = Field(None, description="只列出某类机构")


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


class WeekQuery(PageQuery):
    week: dt.date | None = Field(None, description="该周内任一天（默认本周）；2000-01-01 至 5 年内")

    _bounded = field_validator("week")(rota.bounded_day)


class SinceQuery(PageQuery):
    since: dt.date | None = Field(None, description="从哪天起（默认今天）")


def _version_if_given(body_version: int | None) -> int | None:
    if web.request().headers.get("if-match") or body_version is not None:
        return web.expected_version(body_version)
    return None


# --- institutions and people (C2) -----------------------------------------------------------------

@bp.route("/institutions", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记机构（公证处、法援中心、调委会、律所、鉴定机构、公共法律服务中心/工作站/工作室）", who=ADMIN,
          body=directory.InstitutionIn, response=directory.InstitutionOut, status=201, tags=("directory",),
          description="服务区域（serves）决定哪些网格的公示栏显示该机构：对接区县即覆盖其下全部网格。")
def create_institution():
    inst = directory.create_institution(web.actor(), web.caller(), parse(directory.InstitutionIn))
    return web.respond(directory.InstitutionOut.of(inst), status=201, headers={"Location": f"/v1/institutions/{inst.id}"})


@bp.route("/institutions", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区内的机构", who=STAFF, query=InstitutionListQuery, response=directory.InstitutionPage,
          tags=("directory",))
def list_institutions():
    q = parse_query(InstitutionListQuery)
    return directory.list_institutions(web.caller(), q.area, q.kind, limit=q.limit, cursor=q.cursor)


@bp.route("/institutions/{institution_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("机构详情", who=STAFF, response=directory.InstitutionOut, tags=("directory",))
def get_institution(institution_id):
    return directory.InstitutionOut.of(directory.institution_for(web.caller(), institution_id))


@bp.route("/institutions/{institution_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改、停用机构或调整其服务区域", who=ADMIN, body=directory.InstitutionPatch,
          response=directory.InstitutionOut, tags=("directory",), description="需 If-Match（或 body.version）。")
def change_institution(institution_id):
    patch = parse(directory.InstitutionPatch)
    inst = directory.change_institution(web.actor(), web.caller(), institution_id, patch,
                                        web.expected_version(patch.version))
    return directory.InstitutionOut.of(inst)


@bp.route("/institutions/{institution_id}/people", methods=["GET"], authorizer=jwt_auth)
@endpoint("机构人员名册", who=STAFF, query=PageQuery, response=directory.PersonPage, tags=("directory",))
def list_institution_people(institution_id):
    q = parse_query(PageQuery)
    return directory.institution_people(web.caller(), institution_id, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/institutions", methods=["GET"])
@endpoint("为该区域服务的机构（含对接其上级区域的）", who=PUBLIC, query=PageQuery, response=directory.ServingPage,
          tags=("directory",))
def list_serving_institutions(code):
    q = parse_query(PageQuery)
    return directory.institutions_serving(code, limit=q.limit, cursor=q.cursor)


@bp.route("/people", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记人员（调解员、律师、公证员、法律明白人……）及其公示信息", who=ADMIN, body=directory.PersonIn,
          response=directory.PersonOut, status=201, tags=("directory",),
          description="电话经校验后加密保存，任何页面只显示掩码。")
def create_person():
    person = directory.create_person(web.actor(), web.caller(), parse(directory.PersonIn))
    return web.respond(directory.person_out(person), status=201, headers={"Location": f"/v1/people/{person.id}"})


@bp.route("/people", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区内的人员", who=STAFF, query=AreaListQuery, response=directory.PersonPage, tags=("directory",))
def list_people():
    q = parse_query(AreaListQuery)
    return directory.list_people(web.caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/people/{person_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("人员详情", who=STAFF, response=directory.PersonOut, tags=("directory",))
def get_person(person_id):
    return directory.person_out(directory.person_for(web.caller(), person_id))


@bp.route("/people/{person_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改或停用人员", who=ADMIN, body=directory.PersonPatch, response=directory.PersonOut,
          tags=("directory",), description="需 If-Match（或 body.version）。停用的人员不再计入网格覆盖。")
def change_person(person_id):
    patch = parse(directory.PersonPatch)
    person = directory.change_person(web.actor(), web.caller(), person_id, patch, web.expected_version(patch.version))
    return directory.person_out(person)


# --- assignments and coverage (C3) ----------------------------------------------------------------

@bp.route("/coverage-roles", methods=["GET"])
@endpoint("每个网格须配齐的角色（启用的服务插件声明的角色 + 平台角色）", who=PUBLIC, response=coverage.RolesOut,
          tags=("coverage",))
def list_coverage_roles():
    return coverage.RolesOut(items=[coverage.RoleOut.of(r) for r in coverage.roles()])


@bp.route("/assignments", methods=["POST"], authorizer=jwt_auth)
@endpoint("把人员或机构分配到网格（或村、镇、区县：覆盖其下全部网格）", who=ADMIN, body=coverage.AssignmentIn,
          response=coverage.AssignmentOut, status=201, tags=("coverage",))
def create_assignment():
    record = coverage.assign(web.actor(), web.caller(), parse(coverage.AssignmentIn))
    return web.respond(coverage.describe([record])[0], status=201, headers={"Location": f"/v1/assignments/{record.id}"})


@bp.route("/assignments", methods=["GET"], authorizer=jwt_auth)
@endpoint("某角色在区域内的全部分配", who=STAFF, query=AssignmentListQuery, response=coverage.AssignmentPage,
          tags=("coverage",))
def list_assignments():
    q = parse_query(AssignmentListQuery)
    return coverage.list_in_area(web.caller(), q.area, q.role, limit=q.limit, cursor=q.cursor)


@bp.route("/assignments/{assignment_id}", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("解除分配", who=ADMIN, response=coverage.AssignmentOut, tags=("coverage",),
          description="需 If-Match 为当前版本；记录保留（status=ended），历史见审计。")
def end_assignment(assignment_id):
    record = coverage.end(web.actor(), web.caller(), assignment_id, web.expected_version())
    return coverage.describe([record])[0]


@bp.route("/areas/{code}/assignments", methods=["GET"], authorizer=jwt_auth)
@endpoint("该区域（网格）由谁负责：直接分配的和上级区域分配的", who=STAFF, query=RoleQuery,
          response=coverage.AssignmentPage, tags=("coverage",))
def list_area_assignments(code):
    q = parse_query(RoleQuery)
    return coverage.list_for_area(web.caller(), code, q.role, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/coverage", methods=["GET"], authorizer=jwt_auth)
@endpoint("网格全覆盖报告：每个下级区域各角色已覆盖/缺少的网格数", who=STAFF, query=RoleQuery,
          response=coverage.CoverageReport, tags=("coverage",),
          description="缺少角色的网格清单见 /v1/areas/{code}/coverage/gaps。")
def coverage_report(code):
    q = parse_query(RoleQuery)
    return coverage.report(web.caller(), code, q.role, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/coverage/gaps", methods=["GET"], authorizer=jwt_auth)
@endpoint("缺少角色的网格清单", who=STAFF, query=RoleQuery, response=coverage.GapPage, tags=("coverage",))
def coverage_gaps(code):
    q = parse_query(RoleQuery)
    return coverage.gaps(web.caller(), code, q.role, limit=q.limit, cursor=q.cursor)


# --- menu and board (C4) --------------------------------------------------------------------------

@bp.route("/areas/{code}/menu", methods=["GET"])
@endpoint("服务事项清单（6+X）", who=PUBLIC, response=board.ServiceMenu, tags=("board",))
def get_menu(code):
    return board.menu(code)


@bp.route("/areas/{code}/menu", methods=["PUT"], authorizer=jwt_auth)
@endpoint("设置本区域自选服务项（X）", who=ADMIN, body=board.MenuIn, response=board.AreaMenuOut, tags=("board",),
          description="首次设置返回 201；修改已有清单需 If-Match（或 body.version）。")
def put_menu(code):
    data = parse(board.MenuIn)
    record, created = board.set_menu(web.actor(), web.caller(), code, data, _version_if_given(data.version))
    return web.respond(board.AreaMenuOut.of(record), status=201 if created else 200)


@bp.route("/areas/{code}/board", methods=["GET"])
@endpoint("我的网格：服务清单、各角色联系人、对接机构、本周值班和主题活动（电话掩码）", who=PUBLIC,
          response=board.GridBoard, tags=("board",))
def grid_board(code):
    return board.grid_board(code)


# --- rota and notices (C8) ------------------------------------------------------------------------

@bp.route("/institutions/{institution_id}/duty-slots", methods=["POST"], authorizer=jwt_auth)
@endpoint("排每周固定值班（双固定：固定星期、固定时间）", who=ADMIN, body=rota.DutySlotIn, response=rota.DutySlotOut,
          status=201, tags=("rota",), description="须提前公布（起始日期晚于今天）；同一人同一时间在两处值班为 409。")
def create_duty_slot(institution_id):
    slot = rota.add_duty(web.actor(), web.caller(), institution_id, parse(rota.DutySlotIn))
    person = directory.get_person(slot.person_id)
    return web.respond(rota.DutySlotOut.of(slot, person), status=201, headers={"Location": f"/v1/duty-slots/{slot.id}"})


@bp.route("/institutions/{institution_id}/duty-slots", methods=["GET"], authorizer=jwt_auth)
@endpoint("服务点的值班安排（管理）", who=STAFF, query=PageQuery, response=rota.DutySlotPage, tags=("rota",))
def list_duty_slots(institution_id):
    q = parse_query(PageQuery)
    return rota.duty_slots(web.caller(), institution_id, limit=q.limit, cursor=q.cursor)


@bp.route("/duty-slots/{slot_id}", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("撤回值班安排", who=ADMIN, response=rota.DutySlotOut, tags=("rota",), description="需 If-Match。")
def withdraw_duty_slot(slot_id):
    slot = rota.withdraw_duty(web.actor(), web.caller(), slot_id, web.expected_version())
    return rota.DutySlotOut.of(slot, directory.get_person(slot.person_id))


@bp.route("/institutions/{institution_id}/rota", methods=["GET"])
@endpoint("服务点某一周的轮值表（公开，电话掩码）", who=PUBLIC, query=WeekQuery, response=rota.RotaWeek, tags=("rota",))
def rota_week(institution_id):
    q = parse_query(WeekQuery)
    return rota.rota_week(institution_id, q.week, limit=q.limit, cursor=q.cursor)


@bp.route("/institutions/{institution_id}/activities", methods=["POST"], authorizer=jwt_auth)
@endpoint("公布每月主题活动", who=ADMIN, body=rota.ActivityIn, response=rota.ActivityOut, status=201,
          tags=("rota",), description="每个服务点每月一次，须提前公布；主持人时间冲突为 409。")
def publish_activity(institution_id):
    activity = rota.publish_activity(web.actor(), web.caller(), institution_id, parse(rota.ActivityIn))
    return web.respond(rota.ActivityOut.of(activity), status=201, headers={"Location": f"/v1/activities/{activity.id}"})


@bp.route("/institutions/{institution_id}/activities", methods=["GET"])
@endpoint("服务点即将举行的主题活动（公开）", who=PUBLIC, query=SinceQuery, response=rota.ActivityPage, tags=("rota",))
def list_activities(institution_id):
    q = parse_query(SinceQuery)
    return rota.activities(institution_id, q.since, limit=q.limit, cursor=q.cursor)


@bp.route("/activities/{activity_id}", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("撤回主题活动", who=ADMIN, response=rota.ActivityOut, tags=("rota",), description="需 If-Match。")
def withdraw_activity(activity_id):
    return rota.ActivityOut.of(rota.withdraw_activity(web.actor(), web.caller(), activity_id, web.expected_version()))
