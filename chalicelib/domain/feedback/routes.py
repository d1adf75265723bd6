"""The HTTP surface of feedback 好差评 (SPEC C6), mounted at /v1: parse, call `feedback.service`, respond."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.feedback import service
from chalicelib.domain.feedback.models import (
    AppealIn, DecisionIn, MessageCounts, MessageIn, MessageOut, NoteIn, OpenTasksQuery, RatingIn,
    RatingOut, RectificationOut, ReplyIn,
    StatsOut, StatsQuery,
)
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.model import Page
from chalicelib.platform.web import SIGNED_IN, caller, endpoint, parse, parse_query

bp = Blueprint(__name__)
TAGS = ("feedback",)
STAFF = STAFF_ROLES
RESIDENT = {"resident"}
ADMIN = {"admin"}


@bp.route("/feedback/ratings", methods=["POST"], authorizer=jwt_auth)
@endpoint("评价已办结的事项（好差评）", who=RESIDENT, body=RatingIn, response=RatingOut, status=201, tags=TAGS,
          over_floor="the ticket is read because the rating records its grid and the staff it rates, and a ticket "
                     "not the caller's (404) is refused apart from one not closed (409); a bad rating then reads the "
                     "callback and rectification time limits in force at that grid (one BatchGetItem) for its task",
          replay=lambda item: service.read(caller(), item["id"]),
          description="五级评价（非常满意…非常不满意），三项：服务态度、办事效率、业务水平。未办结或重复评价为 409；"
                      "任一项不满意及以下即生成整改任务。")
def rate():
    return service.rate(caller(), parse(RatingIn))


@bp.route("/feedback/ratings/{code}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看评价及整改进展（评价人、被评价的首问负责人或辖区管理员）", who=SIGNED_IN, response=RatingOut, tags=TAGS)
def read_rating(code):
    return service.read(caller(), code)


@bp.route("/feedback/ratings/{code}/appeal", methods=["POST"], authorizer=jwt_auth)
@endpoint("对差评提出申诉（被评价的首问负责人）", who=STAFF, body=AppealIn, response=RatingOut, tags=TAGS,
          description="须带 If-Match 或 version。")
def appeal(code):
    data = parse(AppealIn)
    return service.appeal(caller(), code, data, web.expected_version(data.version))


@bp.route("/feedback/ratings/{code}/decision", methods=["POST"], authorizer=jwt_auth)
@endpoint("裁决申诉（辖区管理员）", who=ADMIN, body=DecisionIn, response=RatingOut, tags=TAGS,
          description="须带 If-Match 或 version。支持申诉：评价不计入统计、整改任务撤销。")
def decide(code):
    data = parse(DecisionIn)
    return service.decide(caller(), code, data, web.expected_version(data.version))


@bp.route("/feedback/rectifications", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区待完成的整改任务", who=STAFF, query=OpenTasksQuery, response=Page[RectificationOut], tags=TAGS)
def open_tasks():
    q = parse_query(OpenTasksQuery)
    return service.open_tasks(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/feedback/rectifications/{code}/callback", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记差评回访", who=STAFF, body=NoteIn, response=RectificationOut, tags=TAGS, description="须带 If-Match 或 version。")
def callback(code):
    data = parse(NoteIn)
    return service.callback(caller(), code, data, web.expected_version(data.version))


@bp.route("/feedback/rectifications/{code}/rectify", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记整改完成", who=STAFF, body=NoteIn, response=RectificationOut, tags=TAGS, description="须带 If-Match 或 version。")
def rectify(code):
    data = parse(NoteIn)
    return service.rectify(caller(), code, data, web.expected_version(data.version))


@bp.route("/feedback/stats", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区月度好差评统计（满意率、回访率、按期整改率）", who=STAFF, query=StatsQuery, response=StatsOut, tags=TAGS)
def stats():
    q = parse_query(StatsQuery)
    return service.stats(caller(), q.area, q.month)


@bp.route("/feedback/messages", methods=["POST"], authorizer=jwt_auth)
@endpoint("意见箱：投诉（实名）或建议（可匿名）", who=RESIDENT, body=MessageIn, response=MessageOut, status=201, tags=TAGS,
          over_floor="the reply deadline is a policy parameter with effective dates at the area (the area and its "
                     "timelines, one BatchGetItem) and is stored on the message, so it is read before the write",
          description="转所选区域负责部门，在时限内答复。投诉须已实名登记（否则 409）。")
def post_message():
    return service.post_message(caller(), parse(MessageIn))


@bp.route("/feedback/messages", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区待答复的投诉和建议（辖区管理员）", who=ADMIN, query=OpenTasksQuery, response=Page[MessageOut], tags=TAGS)
def open_messages():
    q = parse_query(OpenTasksQuery)
    return service.open_messages(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/feedback/messages/counts", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区月度投诉、建议数", who=STAFF, query=StatsQuery, response=MessageCounts, tags=TAGS)
def message_counts():
    q = parse_query(StatsQuery)
    return service.message_counts(caller(), q.area, q.month)


@bp.route("/feedback/messages/{message_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一条投诉或建议（本人或辖区管理员）", who=SIGNED_IN, response=MessageOut, tags=TAGS)
def read_message(message_id):
    return service.read_message(caller(), message_id)


@bp.route("/feedback/messages/{message_id}/reply", methods=["POST"], authorizer=jwt_auth)
@endpoint("答复投诉或建议（辖区管理员）", who=ADMIN, body=ReplyIn, response=MessageOut, tags=TAGS, description="须带 If-Match 或 version。")
def reply_message(message_id):
    data = parse(ReplyIn)
    return service.reply(caller(), message_id, data, web.expected_version(data.version))
