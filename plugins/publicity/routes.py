"""The HTTP surface of publicity activities (SPEC P1): each route declares who may call it (`@endpoint`; the
finer rule — the caller's jurisdiction — is the service's), parses, calls the service, responds.

    GET  /kinds                          the kinds of activity                    anybody
    GET  /areas/{code}/upcoming           published activities to come, my area   anybody
    POST /events                         record / announce an activity            publicist, grid_worker, admin
    GET  /events?area=                   the activities of an area and below      publicist, grid_worker, admin
    GET  /events/{id}                    one activity                             the same, over its area
    PATCH /events/{id}                   edit it, record the attendance (If-Match) the same, over its area
    POST /events/{id}/cancellation       cancel it with the reason (If-Match)     the same, over its area
    POST /events/{id}/reminder           remind me the day before (subscribe msg)  a resident
    GET  /suggestions?area=&month=       next month's topics from the hotline's counts  the same
    GET  /quotas?area=&period=           a village's / district's quota progress  the same, over the area
    POST /literates                      register one 法律明白人                   the same, over the grid
    GET  /literates?area=                the registry of an area, paged           the same
    GET  /literates/{id}                 one person (numbers masked)              the same, over their grid
    POST /literates/{id}/trainings       add a training (If-Match)                the same
    POST /literates/{id}/activities      add an activity taken part in (If-Match) the same
    POST /literates/imports              import a CSV/XLSX list, report per row   the same
    GET  /literates/target?grid=&households=  the grid's target and how it stands  the same
"""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, PageQuery, caller, endpoint, expected_version, parse, parse_query
from plugins.publicity import quotas, registry, reminders, service, suggestions
from plugins.publicity.models import (
    KINDS, CancellationIn, EventIn, EventOut, EventPatch, KindOut, Kinds, PublicEventOut, EventListQuery,
)

bp = Blueprint(__name__)
TAGS = ("publicity",)
STAFF = set(service.STAFF)


@bp.route("/kinds", methods=["GET"])
@endpoint("普法活动类别", who=PUBLIC, response=Kinds, tags=TAGS)
def publicity_kinds():
    return Kinds(items=[KindOut(code=code, title=title) for code, title in KINDS.items()])


@bp.route("/areas/{area_code}/upcoming", methods=["GET"])
@endpoint("我所在区域即将举办的普法活动（含上级区域）", who=PUBLIC, query=PageQuery, response=Page[PublicEventOut],
          tags=TAGS)
def publicity_upcoming(area_code):
    q = parse_query(PageQuery)
    return service.upcoming(area_code, limit=q.limit, cursor=q.cursor)


@bp.route("/events", methods=["POST"], authorizer=jwt_auth)
@endpoint("发布（登记）普法活动", who=STAFF, body=EventIn, response=EventOut, status=201, tags=TAGS)
def publicity_publish():
    return EventOut.of(service.publish(caller(), parse(EventIn)))


@bp.route("/events", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区普法活动", who=STAFF, query=EventListQuery, response=Page[EventOut], tags=TAGS)
def publicity_events():
    q = parse_query(EventListQuery)
    return service.in_area(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/events/{event_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一项普法活动", who=STAFF, response=EventOut, tags=TAGS)
def publicity_event(event_id):
    return EventOut.of(service.get(caller(), event_id))


@bp.route("/events/{event_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("修改普法活动、登记参加人数", who=STAFF, body=EventPatch, response=EventOut, tags=TAGS)
def publicity_edit(event_id):
    data = parse(EventPatch)
    return EventOut.of(service.edit(caller(), event_id, data, expected_version(data.version)))


@bp.route("/events/{event_id}/cancellation", methods=["POST"], authorizer=jwt_auth)
@endpoint("取消普法活动（须说明原因）", who=STAFF, body=CancellationIn, response=EventOut, tags=TAGS)
def publicity_cancel(event_id):
    data = parse(CancellationIn)
    return EventOut.of(service.cancel(caller(), event_id, data, expected_version(data.version)))


@bp.route("/quotas", methods=["GET"], authorizer=jwt_auth)
@endpoint("村（社区）、区县普法任务进度", who=STAFF, query=quotas.QuotaQuery, response=quotas.QuotaProgressOut, tags=TAGS)
def publicity_quotas():
    return quotas.progress(caller(), parse_query(quotas.QuotaQuery))


@bp.route("/literates", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记法律明白人", who=STAFF, body=registry.LiterateIn, response=registry.LiterateOut, status=201, tags=TAGS,
          over_floor="the grid's links are read first (with the grid, one BatchGetItem) to decide whether the person also "
                     "fills the grid's 法律明白人 coverage role: a condition can require an entry but not the absence of "
                     "any entry of a role, so the choice cannot move into the transaction")
def publicity_literate_register():
    return registry.LiterateOut.of(registry.register(caller(), parse(registry.LiterateIn)))


@bp.route("/literates", methods=["GET"], authorizer=jwt_auth)
@endpoint("法律明白人名册", who=STAFF, query=registry.LiterateListQuery, response=Page[registry.LiterateOut], tags=TAGS)
def publicity_literates():
    return registry.in_area(caller(), parse_query(registry.LiterateListQuery))


@bp.route("/literates/target", methods=["GET"], authorizer=jwt_auth)
@endpoint("网格法律明白人配备目标", who=STAFF, query=registry.LiterateTargetQuery, response=registry.LiterateTargetOut, tags=TAGS)
def publicity_literate_target():
    return registry.target(caller(), parse_query(registry.LiterateTargetQuery))


@bp.route("/literates/{literate_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一位法律明白人", who=STAFF, response=registry.LiterateOut, tags=TAGS)
def publicity_literate(literate_id):
    return registry.LiterateOut.of(registry.get(caller(), literate_id))


@bp.route("/literates/{literate_id}/trainings", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记法律明白人培训", who=STAFF, body=registry.LiterateTrainingIn, response=registry.LiterateOut, tags=TAGS)
def publicity_literate_training(literate_id):
    data = parse(registry.LiterateTrainingIn)
    return registry.LiterateOut.of(registry.add_training(caller(), literate_id, data, expected_version(data.version)))


@bp.route("/literates/{literate_id}/activities", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记法律明白人参加的普法活动", who=STAFF, body=registry.LiterateActivityIn, response=registry.LiterateOut, tags=TAGS)
def publicity_literate_activity(literate_id):
    data = parse(registry.LiterateActivityIn)
    return registry.LiterateOut.of(registry.add_activity(caller(), literate_id, data, expected_version(data.version)))


@bp.route("/literates/imports", methods=["POST"], authorizer=jwt_auth)
@endpoint("导入法律明白人名册（CSV/XLSX，逐行报告）", who=STAFF, body=registry.LiterateImportIn,
          response=registry.LiterateImportOut, status=201, tags=TAGS,
          replay=lambda item: registry.ImportRecord.from_item(item).report,
          over_floor="a bulk job over a file: its record (with the key's claim), then the rows' grids, their links and "
                     "the first 45 people in one BatchGetItem, the last batch written with the report; each further "
                     "45 rows a read and a transaction, each grid newly covered one — calls grow with the rows")
def publicity_literate_import():
    return registry.import_file(caller(), parse(registry.LiterateImportIn))


@bp.route("/events/{event_id}/reminder", methods=["POST"], authorizer=jwt_auth)
@endpoint("活动前一天提醒我（订阅消息）", who={"resident"}, response=reminders.EventReminderOut, status=201, tags=TAGS,
          replay=reminders.EventReminderOut.replayed,
          over_floor="the reminder is composed from the activity (its theme, place and start, which decides when the "
                     "message goes), so the activity and its reminders are read first in one BatchGetItem; the "
                     "activity's unchanged version is a condition of the one transaction")
def publicity_remind_me(event_id):
    return reminders.EventReminderOut.of(reminders.subscribe(caller(), event_id))


@bp.route("/suggestions", methods=["GET"], authorizer=jwt_auth)
@endpoint("精准普法：依据本月热线、信访类别提出下月主题和地点", who=STAFF, query=suggestions.SuggestionQuery,
          response=suggestions.SuggestionsOut, tags=TAGS,
          over_floor="a monthly report over the screening's category tallies, kept per source kind and month: four "
                     "Queries (hotline, petitions; this month, the one before) side by side, then the ranked towns' "
                     "names in one BatchGetItem — two round trips")
def publicity_suggestions():
    return suggestions.suggest(caller(), parse_query(suggestions.SuggestionQuery))
