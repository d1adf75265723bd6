"""Routes of institutions and people (C2), mounted at /v1: parse, call `directory.service`, respond.
Routes know nothing of DynamoDB.
"""
from __future__ import annotations

from chalice import Blueprint
from pydantic import Field, field_validator

from chalicelib.domain.areas.models import level_of
from chalicelib.domain.directory import models, service as directory
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.model import Page
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
    kind: models.InstitutionKind | None = Field(None, description="只列出某类机构")


@bp.route("/institutions", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记机构（公证处、法援中心、调委会、律所、鉴定机构、公共法律服务中心/工作站/工作室）", who=ADMIN,
          body=models.InstitutionIn, response=models.InstitutionOut, status=201, tags=("directory",),
          description="服务区域（serves）决定哪些网格的公示栏显示该机构：对接区县即覆盖其下全部网格。")
def create_institution():
    inst = directory.create_institution(web.caller(), parse(models.InstitutionIn))
    return web.respond(models.InstitutionOut.of(inst), status=201, headers={"Location": f"/v1/institutions/{inst.id}"})


@bp.route("/institutions", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区内的机构", who=STAFF, query=InstitutionListQuery, response=Page[models.InstitutionOut],
          tags=("directory",))
def list_institutions():
    q = parse_query(InstitutionListQuery)
    return directory.list_institutions(web.caller(), q.area, q.kind, limit=q.limit, cursor=q.cursor)


@bp.route("/institutions/{institution_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("机构详情", who=STAFF, response=models.InstitutionOut, tags=("directory",))
def get_institution(institution_id):
    return models.InstitutionOut.of(directory.institution_for(web.caller(), institution_id))


@bp.route("/institutions/{institution_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改、停用机构或调整其服务区域", who=ADMIN, body=models.InstitutionPatch,
          response=models.InstitutionOut, tags=("directory",), description="需 If-Match（或 body.version）。")
def change_institution(institution_id):
    patch = parse(models.InstitutionPatch)
    inst = directory.change_institution(web.caller(), institution_id, patch,
                                        web.expected_version(patch.version))
    return models.InstitutionOut.of(inst)


@bp.route("/institutions/{institution_id}/people", methods=["GET"], authorizer=jwt_auth)
@endpoint("机构人员名册", who=STAFF, query=PageQuery, response=Page[models.PersonOut], tags=("directory",),
          over_floor="the institution is read before its roster (one GetItem, one Query) because whether the caller "
                     "may see it depends on the areas it serves, which its people's records do not carry")
def list_institution_people(institution_id):
    q = parse_query(PageQuery)
    return directory.institution_people(web.caller(), institution_id, limit=q.limit, cursor=q.cursor)


@bp.route("/areas/{code}/institutions", methods=["GET"])
@endpoint("为该区域服务的机构（含对接其上级区域的）", who=PUBLIC, query=PageQuery, response=Page[models.ServingInstitution],
          tags=("directory",))
def list_serving_institutions(code):
    q = parse_query(PageQuery)
    return directory.institutions_serving(code, limit=q.limit, cursor=q.cursor)


@bp.route("/people", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记人员（调解员、律师、公证员、法律明白人……）及其公示信息", who=ADMIN, body=models.PersonIn,
          response=models.PersonOut, status=201, tags=("directory",),
          description="电话经校验后加密保存，任何页面只显示掩码。")
def create_person():
    person, inst = directory.add_person(web.caller(), parse(models.PersonIn))
    return web.respond(models.PersonOut.of(person, inst), status=201, headers={"Location": f"/v1/people/{person.id}"})


@bp.route("/people", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区内的人员", who=STAFF, query=AreaListQuery, response=Page[models.PersonOut], tags=("directory",))
def list_people():
    q = parse_query(AreaListQuery)
    return directory.list_people(web.caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/people/{person_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("人员详情", who=STAFF, response=models.PersonOut, tags=("directory",))
def get_person(person_id):
    return directory.person_out(directory.person_for(web.caller(), person_id))


@bp.route("/people/{person_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改或停用人员", who=ADMIN, body=models.PersonPatch, response=models.PersonOut,
          tags=("directory",), description="需 If-Match（或 body.version）。停用的人员不再计入网格覆盖。")
def change_person(person_id):
    patch = parse(models.PersonPatch)
    person = directory.change_person(web.caller(), person_id, patch, web.expected_version(patch.version))
    return directory.person_out(person)
