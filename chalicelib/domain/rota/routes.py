"""Routes of the rota and notices of service points (C8), mounted at /v1: parse, call `rota.service`,
respond.
"""
from __future__ import annotations

from chalice import Blueprint
from pydantic import Field

from chalicelib.domain.directory import service as directory
from chalicelib.domain.rota import models, service as rota
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, PageQuery, endpoint, parse, parse_query

bp = Blueprint(__name__)
ADMIN = {"admin"}
STAFF = STAFF_ROLES


class WeekQuery(PageQuery):
    week: models.RotaDate | None = Field(None, description="该周内任一天（默认本周）；2000-01-01 至 5 年内")


class SinceQuery(PageQuery):
    since: models.RotaDate | None = Field(None, description="从哪天起（默认今天）；2000-01-01 至 5 年内")


# Why a service point's lists are two calls (make bench prints it).
CARDS_AFTER_LIST = ("the list (one Query) is followed by the point and its people (one BatchGetItem): the entries "
                    "name people whose current name, duty and work phone they do not copy, since a copy would go stale")


@bp.route("/institutions/{institution_id}/duty-slots", methods=["POST"], authorizer=jwt_auth)
@endpoint("排每周固定值班（双固定：固定星期、固定时间）", who=ADMIN, body=models.DutySlotIn, response=models.DutySlotOut,
          status=201, tags=("rota",), description="须提前公布（起始日期晚于今天）；同一人同一时间在两处值班为 409。",
          replay=lambda item: _slot_added(models.DutySlot.from_item(item)),
          over_floor="the clash check is a rule over the person's other commitments, read consistently from their "
                     "ledger (with the point and the person, in one BatchGetItem), so it cannot be a condition of "
                     "the write")
def create_duty_slot(institution_id):
    return _slot_added(*rota.add_duty(web.caller(), institution_id, parse(models.DutySlotIn)))


def _slot_added(slot, person=None):
    person = person or directory.get_person(slot.person_id)
    return web.respond(models.DutySlotOut.of(slot, person), status=201, headers={"Location": f"/v1/duty-slots/{slot.id}"})


@bp.route("/institutions/{institution_id}/duty-slots", methods=["GET"], authorizer=jwt_auth)
@endpoint("服务点的值班安排（管理）", who=STAFF, query=PageQuery, response=Page[models.DutySlotOut], tags=("rota",),
          over_floor=CARDS_AFTER_LIST)
def list_duty_slots(institution_id):
    q = parse_query(PageQuery)
    return rota.duty_slots(web.caller(), institution_id, limit=q.limit, cursor=q.cursor)


@bp.route("/duty-slots/{slot_id}", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("撤回值班安排", who=ADMIN, response=models.DutySlotOut, tags=("rota",), description="需 If-Match。")
def withdraw_duty_slot(slot_id):
    return models.DutySlotOut.of(*rota.withdraw_duty(web.caller(), slot_id, web.expected_version()))


@bp.route("/institutions/{institution_id}/rota", methods=["GET"])
@endpoint("服务点某一周的轮值表（公开，电话掩码）", who=PUBLIC, query=WeekQuery, response=models.RotaWeek, tags=("rota",),
          over_floor=CARDS_AFTER_LIST)
def rota_week(institution_id):
    q = parse_query(WeekQuery)
    return rota.rota_week(institution_id, q.week, limit=q.limit, cursor=q.cursor)


@bp.route("/institutions/{institution_id}/activities", methods=["POST"], authorizer=jwt_auth)
@endpoint("公布每月主题活动", who=ADMIN, body=models.ActivityIn, response=models.ActivityOut, status=201,
          tags=("rota",), description="每个服务点每月一次，须提前公布；主持人时间冲突为 409。",
          over_floor="the hosts' clash checks are rules over their other commitments, read consistently from their "
                     "ledgers (with the point and the month's activity, in one BatchGetItem), and a withdrawn "
                     "activity of the month is published again over its record")
def publish_activity(institution_id):
    activity = rota.publish_activity(web.caller(), institution_id, parse(models.ActivityIn))
    return web.respond(models.ActivityOut.of(activity), status=201, headers={"Location": f"/v1/activities/{activity.id}"})


@bp.route("/institutions/{institution_id}/activities", methods=["GET"])
@endpoint("服务点即将举行的主题活动（公开）", who=PUBLIC, query=SinceQuery, response=Page[models.ActivityCard], tags=("rota",),
          over_floor=CARDS_AFTER_LIST)
def list_activities(institution_id):
    q = parse_query(SinceQuery)
    return rota.activities(institution_id, q.since, limit=q.limit, cursor=q.cursor)


@bp.route("/activities/{activity_id}", methods=["DELETE"], authorizer=jwt_auth)
@endpoint("撤回主题活动", who=ADMIN, response=models.ActivityOut, tags=("rota",), description="需 If-Match。")
def withdraw_activity(activity_id):
    return models.ActivityOut.of(rota.withdraw_activity(web.caller(), activity_id, web.expected_version()))
