"""The HTTP surface of `notary` (mounted at /v1/notary): parse, call the service with the caller, respond."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import (
    PUBLIC, SIGNED_IN, PageQuery, caller, endpoint, expected_version, parse, parse_query,
)
from plugins.notary import service
from plugins.notary.models import (
    AppointmentIn, AppointmentOut, AppointmentContactOut, DayQuery, GridNotary, GridQuery, MaterialsIn, MatterOut,
    MatterQuery, ReminderPage, ReminderQuery, RescheduleIn, SlotIn, SlotOut, SlotQuery, CancelIn,
)

bp = Blueprint(__name__)
TAGS = ("notary",)
STAFF = {"notary", "admin"}


@bp.route("/matters", methods=["GET"])
@endpoint("公证事项清单（可按名称搜索）", who=PUBLIC, query=MatterQuery, response=Page[MatterOut], tags=TAGS)
def notary_list_matters():
    q = parse_query(MatterQuery)
    return service.matters(q.q, q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/matters/{code}", methods=["GET"])
@endpoint("公证事项详情：材料、收费依据、办理时限", who=PUBLIC, response=MatterOut, tags=TAGS)
def notary_get_matter(code):
    return service.matter(code, None)


@bp.route("/offices", methods=["GET"])
@endpoint("对接某网格的公证处和网格公证联络员", who=PUBLIC, query=GridQuery, response=GridNotary, tags=TAGS)
def notary_offices_for_grid():
    return service.for_grid(parse_query(GridQuery).grid)


@bp.route("/offices/{office_id}/slots", methods=["POST"], authorizer=jwt_auth)
@endpoint("发布预约时段", who=STAFF, body=SlotIn, response=SlotOut, status=201, tags=TAGS,
          over_floor="the office (its staff decide, its area and name are kept on the slot) and the opening hours "
                     "in force at its area are read in one BatchGetItem before the write, since a slot outside them "
                     "is refused")
def notary_publish_slot(office_id):
    return SlotOut.of(service.publish_slot(caller(), office_id, parse(SlotIn)))


@bp.route("/offices/{office_id}/slots", methods=["GET"])
@endpoint("公证处的预约时段（含剩余名额）", who=PUBLIC, query=SlotQuery, response=Page[SlotOut], tags=TAGS)
def notary_list_slots(office_id):
    q = parse_query(SlotQuery)
    return service.slots(office_id, q.day, limit=q.limit, cursor=q.cursor)


@bp.route("/offices/{office_id}/appointments", methods=["GET"], authorizer=jwt_auth)
@endpoint("公证处某日的预约（工作人员）", who=STAFF, query=DayQuery, response=Page[AppointmentOut], tags=TAGS)
def notary_day_appointments(office_id):
    q = parse_query(DayQuery)
    return service.day_list(caller(), office_id, q.day, limit=q.limit, cursor=q.cursor)


@bp.route("/offices/{office_id}/reminders", methods=["GET"], authorizer=jwt_auth)
@endpoint("待提醒的预约（次日预约及材料未备齐，工作人员）", who=STAFF, query=ReminderQuery, response=ReminderPage,
          tags=TAGS, description="每条预约附居民订阅消息提醒的状态（notice）：已发送的不必再电话提醒；"
                                 "工作人员代为预约或居民未订阅的，由工作人员电话提醒。",
          over_floor="the day listed is set by a parameter in force at the office's area, read with the office "
                     "in one BatchGetItem, before the day's Query")
def notary_reminders(office_id):
    q = parse_query(ReminderQuery)
    return service.reminders(caller(), office_id, limit=q.limit, cursor=q.cursor)


@bp.route("/appointments", methods=["POST"], authorizer=jwt_auth)
@endpoint("预约办理公证（到处、远程视频或上门）", who=SIGNED_IN, body=AppointmentIn, response=AppointmentOut,
          status=201, tags=TAGS, replay=lambda item: service.out(service.Appointment.from_item(item), caller()),
          over_floor="the slot must be read before the write (its free seats, its time not past, the ways it offers, "
                     "and its office, day and start copied onto the appointment), and the seat is then taken on the "
                     "version read; a home visit reads the green channel's age in force at the slot's office area "
                     "too (one more)")
def notary_book():
    who = caller()
    return service.out(service.book(who, parse(AppointmentIn)), who)


@bp.route("/appointments", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的公证预约", who=SIGNED_IN, query=PageQuery, response=Page[AppointmentOut], tags=TAGS)
def notary_my_appointments():
    q = parse_query(PageQuery)
    return service.mine(caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/appointments/{appointment_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看公证预约（本人或公证处工作人员；工作人员查看留痕）", who=SIGNED_IN, response=AppointmentOut, tags=TAGS,
          description="不含上门地址（见 /contact）；绿色通道原因只给本人和办理该预约的公证员。")
def notary_get_appointment(appointment_id):
    return service.read(caller(), appointment_id)


@bp.route("/appointments/{appointment_id}/contact", methods=["GET"], authorizer=jwt_auth)
@endpoint("预约人的完整联系电话（本人，或办理该预约的公证处公证员；管理员不可见；留痕）", who=SIGNED_IN, response=AppointmentContactOut, tags=TAGS)
def notary_contact(appointment_id):
    return service.contact(caller(), appointment_id)


@bp.route("/appointments/{appointment_id}/cancel", methods=["POST"], authorizer=jwt_auth)
@endpoint("取消公证预约", who=SIGNED_IN, body=CancelIn, response=AppointmentOut, tags=TAGS)
def notary_cancel(appointment_id):
    data = parse(CancelIn)
    who = caller()
    return service.out(service.cancel(who, appointment_id, expected_version(data.version)), who)


@bp.route("/appointments/{appointment_id}/reschedule", methods=["POST"], authorizer=jwt_auth)
@endpoint("改约到同一公证处的另一时段", who=SIGNED_IN, body=RescheduleIn, response=AppointmentOut, tags=TAGS)
def notary_reschedule(appointment_id):
    data = parse(RescheduleIn)
    who = caller()
    return service.out(service.reschedule(who, appointment_id, data.slot_id, expected_version(data.version)), who)


@bp.route("/appointments/{appointment_id}/materials", methods=["PUT"], authorizer=jwt_auth)
@endpoint("确认已备齐的材料", who=SIGNED_IN, body=MaterialsIn, response=AppointmentOut, tags=TAGS)
def notary_confirm_materials(appointment_id):
    data = parse(MaterialsIn)
    who = caller()
    return service.out(service.confirm_materials(who, appointment_id, data.ready, expected_version(data.version)), who)
