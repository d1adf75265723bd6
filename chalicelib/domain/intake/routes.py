"""The HTTP surface of intake (SPEC C5), mounted at /v1: parse, call `intake.service`, respond."""
from __future__ import annotations

from typing import Literal

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.domain.intake import service
from chalicelib.domain.intake.models import (
    AnswerIn, CloseIn, TicketContactOut, MineOut, ReopenIn, RouteIn, TargetList, TicketAreaQuery, TicketIn, TicketOut,
    TicketSummary, TransferIn,
)
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.model import Model, Page
from chalicelib.platform.web import SIGNED_IN, PageQuery, caller, endpoint, parse, parse_query

bp = Blueprint(__name__)
TAGS = ("intake",)
STAFF = STAFF_ROLES
STEP_NOTE = "须带 If-Match（或 body 中的 version）。非首问负责人 403；当前状态不允许 409（列出允许的操作）。"


class HeldQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    window: Literal["all", "due_soon", "overdue"] = Field(
        "all", description="all 全部在办（按时限先后）；due_soon 临近时限（工作日）；overdue 已超时")


class BucketQuery(TicketAreaQuery):
    bucket: Literal["unrouted", "routed", "overdue", "closed"] = Field(
        "unrouted", description="unrouted 待分流；routed 已转办；overdue 已超时（每日巡查标记）；closed 已办结")


class TicketStepIn(Model):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(None, ge=1, examples=[2], description="受理单的当前版本（也可用 If-Match 头传递）")


@bp.route("/tickets", methods=["POST"], authorizer=jwt_auth)
@endpoint("提出或登记一项诉求（受理单）", who=SIGNED_IN, body=TicketIn, response=TicketOut, status=201, tags=TAGS,
          description="居民在小程序提交（mini_program）；工作人员在窗口、12348 热线或网格走访时代为登记并成为首问负责人。"
                      "返回受理编号（如 FW-320402-2611-0042），居民可凭本人账号查询。",
          replay=lambda item: _created(service.Ticket.from_item(item)),
          over_floor="the time limit's policy read (which checks the grid too) sets the due day the ticket's lists "
                     "sort by, and the code's number is taken from the district's counter before the write because "
                     "the code is the ticket's key answered at once and a transaction returns no values, while a "
                     "counter inside it would make every create of the district contend for one item")
def create_ticket():
    return _created(service.create(caller(), parse(TicketIn)))


def _created(ticket):
    return web.respond(service.view(ticket, staff=caller().is_staff), status=201,
                       headers={"Location": f"/v1/tickets/{ticket.id}"})


@bp.route("/tickets/mine", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的诉求（居民）", who=SIGNED_IN, query=PageQuery, response=Page[MineOut], tags=TAGS)
def my_tickets():
    q = parse_query(PageQuery)
    return service.mine(caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/tickets/held", methods=["GET"], authorizer=jwt_auth)
@endpoint("我负责的在办事项（按时限先后）", who=STAFF, query=HeldQuery, response=Page[TicketSummary], tags=TAGS)
def held_tickets():
    q = parse_query(HeldQuery)
    return service.held(caller(), q.window, limit=q.limit, cursor=q.cursor)


@bp.route("/tickets/area", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区事项（待分流 / 已转办 / 超时 / 已办结）", who=STAFF, query=BucketQuery, response=Page[TicketSummary], tags=TAGS)
def area_tickets():
    q = parse_query(BucketQuery)
    return service.in_area(caller(), q.bucket, q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/tickets/targets", methods=["GET"], authorizer=jwt_auth)
@endpoint("可转办的服务（来自已启用的服务）", who=STAFF, response=TargetList, tags=TAGS)
def intake_targets():
    return service.targets()


@bp.route("/tickets/{code}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看受理单（居民本人或辖区工作人员）", who=SIGNED_IN, response=TicketOut, tags=TAGS,
          description="他人的受理单为 404。转办后显示承办单位反馈的进度。")
def get_ticket(code):
    return service.read(caller(), code)


@bp.route("/tickets/{code}/contact", methods=["GET"], authorizer=jwt_auth)
@endpoint("当事人完整联系方式（仅首问负责人，留痕）", who=STAFF, response=TicketContactOut, tags=TAGS)
def ticket_contact(code):
    return service.contact(caller(), code)


def _version(body_version: int | None) -> int:
    return web.expected_version(body_version)


@bp.route("/tickets/{code}/accept", methods=["POST"], authorizer=jwt_auth)
@endpoint("受理（成为首问负责人）", who=STAFF, body=TicketStepIn, response=TicketOut, tags=TAGS, description=STEP_NOTE)
def accept_ticket(code):
    data = parse(TicketStepIn)
    return service.view(service.accept(caller(), code, _version(data.version)), staff=True)


@bp.route("/tickets/{code}/answer", methods=["POST"], authorizer=jwt_auth)
@endpoint("当场答复并办结", who=STAFF, body=AnswerIn, response=TicketOut, tags=TAGS, description=STEP_NOTE)
def answer_ticket(code):
    data = parse(AnswerIn)
    return service.view(service.answer(caller(), code, data, _version(data.version)), staff=True)


@bp.route("/tickets/{code}/route", methods=["POST"], authorizer=jwt_auth)
@endpoint("研判分类并转办到服务", who=STAFF, body=RouteIn, response=TicketOut, tags=TAGS, description=STEP_NOTE)
def route_ticket(code):
    data = parse(RouteIn)
    return service.view(service.route(caller(), code, data, _version(data.version)), staff=True)


@bp.route("/tickets/{code}/transfer", methods=["POST"], authorizer=jwt_auth)
@endpoint("改派到另一服务（首问负责人不变，须说明原因）", who=STAFF, body=TransferIn, response=TicketOut, tags=TAGS,
          description=STEP_NOTE)
def transfer_ticket(code):
    data = parse(TransferIn)
    return service.view(service.transfer(caller(), code, data, _version(data.version)), staff=True)


@bp.route("/tickets/{code}/close", methods=["POST"], authorizer=jwt_auth)
@endpoint("办结（反馈结果给群众）", who=STAFF, body=CloseIn, response=TicketOut, tags=TAGS, description=STEP_NOTE)
def close_ticket(code):
    data = parse(CloseIn)
    return service.view(service.close(caller(), code, data, _version(data.version)), staff=True)


@bp.route("/tickets/{code}/reopen", methods=["POST"], authorizer=jwt_auth)
@endpoint("重新办理已办结的事项（首问负责人，须说明原因）", who=STAFF, body=ReopenIn, response=TicketOut, tags=TAGS,
          description=STEP_NOTE)
def reopen_ticket(code):
    data = parse(ReopenIn)
    return service.view(service.reopen(caller(), code, data, _version(data.version)), staff=True)
