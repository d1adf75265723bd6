"""The HTTP surface of special populations. Reads are open to any signed-in caller at the route and
decided in the service (S5): a caller with no business with a record gets the same 404 as an unknown id,
so a role check here (403) would already tell a mediator that the route holds something for someone."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import today_shanghai
from chalicelib.platform.web import SIGNED_IN, PageQuery, caller, endpoint, expected_version, parse, parse_query
from plugins.special_populations import grants, service
from plugins.special_populations.models import (
    Grant, GrantIn, GrantOut, GrantQuery, RevokeIn, GridListQuery, GridVisitEntry, HelpChange, JudgedOnQuery, RosterEntry, RosterQuery, SpecialPersonChange,
    SpecialPersonIn, SpecialPersonOut, VisitIn, VisitOut,
)

bp = Blueprint(__name__)
TAGS = ("special-populations",)
OFFICERS = {"corrections_officer"}


@bp.route("/people", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记特殊人群人员（社区矫正工作人员）", who=OFFICERS, body=SpecialPersonIn, response=SpecialPersonOut, status=201, tags=TAGS,
          replay=lambda item: _registered(service.Person.from_item(item)),
          over_floor="the answer shows the person's categories, judged with the parameters in force at the grid, "
                     "which the policy domain reads in its own BatchGetItem, and the registering transaction returns "
                     "no values to bring them")
def register_person():
    who = caller()
    return _registered(service.register(who, parse(SpecialPersonIn)))


def _registered(person):
    return service.full_view(person, person.registered_on)


@bp.route("/people", methods=["GET"], authorizer=jwt_auth)
@endpoint("特殊人群花名册（本区社区矫正工作人员；掩码显示，读取记入审计）", who=SIGNED_IN, query=RosterQuery,
          response=Page[RosterEntry], tags=TAGS,
          over_floor="the categories of each person are judged with the parameters in force at their grid, read for "
                     "every grid on the page in one BatchGetItem once the roster's Query names them: no key of this "
                     "plugin brings the policy domain's items into that Query")
def roster():
    q = parse_query(RosterQuery)
    return service.roster(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/people/{person_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看特殊人群人员档案（本区社区矫正工作人员；读取记入审计）", who=SIGNED_IN, query=JudgedOnQuery,
          response=SpecialPersonOut, tags=TAGS)
def read_person(person_id):
    return service.read(caller(), person_id, parse_query(JudgedOnQuery).on)


@bp.route("/people/{person_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("更正特殊人群人员的日期或网格（需 If-Match）", who=SIGNED_IN, body=SpecialPersonChange, response=SpecialPersonOut,
          tags=TAGS)
def correct_person(person_id):
    data = parse(SpecialPersonChange)
    return service.correct(caller(), person_id, data, expected_version=expected_version(data.version))


@bp.route("/grid-list", methods=["GET"], authorizer=jwt_auth)
@endpoint("网格特殊人群名单（本网格网格员；只含走访所需信息，读取记入审计）", who=SIGNED_IN, query=GridListQuery,
          response=Page[GridVisitEntry], tags=TAGS,
          over_floor="the categories shown are judged with the parameters in force at the grid (windows, visit "
                     "frequencies), which live in the policy domain's own items read by it in one BatchGetItem, and "
                     "no key of this plugin brings them into the grid's Query")
def grid_list():
    q = parse_query(GridListQuery)
    return service.grid_list(caller(), q.grid, limit=q.limit, cursor=q.cursor)


@bp.route("/people/{person_id}/visits", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录一次走访及帮扶（本网格网格员或本区社区矫正工作人员；法律服务需求代为登记受理事项）", who=SIGNED_IN,
          body=VisitIn, response=VisitOut, status=201, tags=TAGS,
          replay=lambda item: service.with_ticket_statuses(service.Visit.from_item(item)),
          over_floor="the person must be read before the write, since the visit moves their last_visit on the "
                     "version read, the recorder's role comes from their grid, and a legal-services need is refused "
                     "without their phone")
def record_visit(person_id):
    return service.record_visit(caller(), person_id, parse(VisitIn))


@bp.route("/people/{person_id}/visits", methods=["GET"], authorizer=jwt_auth)
@endpoint("走访记录（本网格网格员或本区社区矫正工作人员；读取记入审计）", who=SIGNED_IN, query=PageQuery,
          response=Page[VisitOut], tags=TAGS,
          over_floor="only a later page (a cursor): the access check needs the person's grid, kept at the head of "
                     "the visits and so brought by the first page's Query, but the person's record sorts before the "
                     "visits while the list is newest first (the visits do not copy the grid, which an officer may "
                     "correct)")
def list_visits(person_id):
    q = parse_query(PageQuery)
    return service.visits(caller(), person_id, limit=q.limit, cursor=q.cursor)


@bp.route("/people/{person_id}/visits/{visit_id}/help", methods=["PUT"], authorizer=jwt_auth)
@endpoint("更新一次走访的帮扶进展和结果（需 If-Match）", who=SIGNED_IN, body=HelpChange, response=VisitOut, tags=TAGS)
def update_help(person_id, visit_id):
    data = parse(HelpChange)
    return service.update_help(caller(), person_id, visit_id, data, expected_version=expected_version(data.version))


# --- access granted by a district to a bureau account (S5) ----------------------------------------------

@bp.route("/grants", methods=["POST"], authorizer=jwt_auth)
@endpoint("授权市局工作人员账号在限定期限内查阅本区特殊人群档案（本区社区矫正工作人员；记入审计）", who=OFFICERS,
          body=GrantIn, response=GrantOut, status=201, tags=TAGS,
          replay=lambda item: GrantOut.of(Grant.from_item(item), today_shanghai()),
          over_floor="the grantee's account is read because its area is kept on the grant (so the grant follows the "
                     "job), with the longest term in force at the district in one BatchGetItem, before the grant is "
                     "written")
def create_grant():
    who = caller()
    return GrantOut.of(grants.grant(who, parse(GrantIn)), today_shanghai())


@bp.route("/grants", methods=["GET"], authorizer=jwt_auth)
@endpoint("本区的查阅授权（有效、已到期、已撤销；本区社区矫正工作人员）", who=SIGNED_IN, query=GrantQuery,
          response=Page[GrantOut], tags=TAGS)
def list_grants():
    q = parse_query(GrantQuery)
    return grants.listed(caller(), q.district, limit=q.limit, cursor=q.cursor)


@bp.route("/grants/{grant_id}/revoke", methods=["POST"], authorizer=jwt_auth)
@endpoint("撤销一项查阅授权（立即生效；需 If-Match）", who=SIGNED_IN, body=RevokeIn, response=GrantOut, tags=TAGS)
def revoke_grant(grant_id):
    data = parse(RevokeIn)
    return GrantOut.of(grants.revoke(caller(), grant_id, data, expected_version=expected_version(data.version)),
                       today_shanghai())
