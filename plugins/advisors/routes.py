"""The HTTP surface of the village legal advisors: each route declares who may call it (`@endpoint`; the
finer rule — own records, own village, own area — is the service's), parses, calls the service, responds.

    POST /engagements                          engage an advisor for a village          admin
    GET  /engagements                          the engagements of an area / village     admin, grid_worker
    GET  /engagements/mine                     my engagements                           lawyer
    GET  /engagements/{id}                     one engagement                           its advisor, admin, grid_worker
    POST /engagements/{id}/renewal             renew (续聘)                              admin
    POST /engagements/{id}/check-in            on-site check-in (GCJ-02)                its advisor (lawyer)
    POST /engagements/{id}/check-out           on-site check-out                        its advisor (lawyer)
    GET  /engagements/{id}/entries?month=      the month's on-site entries              its advisor, admin, grid_worker
    PUT  /villages/{code}/service-point        the village's service point and location admin
    GET  /villages/{code}/service-point        read it (staff only)                     admin, grid_worker, advisor
    GET  /compliance?area=&month=              monthly on-site hours per village        admin, grid_worker
    POST /log                                  a work log entry (six duties)            its advisor (lawyer)
    GET  /villages/{code}/log?month=           a village's log of a month               admin, grid_worker, advisor
    POST /villages/{code}/log/{month}/verification  the cadre verifies a locked month    grid_worker of the village
    POST /villages/{code}/log/{month}/corrections   the bureau corrects a locked month   admin
    POST /engagements/{id}/end                 end an engagement (解除聘用)                admin
    PUT  /villages/{code}/log/entries/{entry_id}  the advisor edits their own open entry its advisor (lawyer)
    GET  /log-status?area=&month=              the month's logs per village (status)    admin, grid_worker
    PUT  /villages/{code}/evaluations/{year}/cadre-rating  the cadre rates the year      grid_worker of the village
    PUT  /villages/{code}/evaluations/{year}   the bureau grades the year (V3)          admin
    GET  /villages/{code}/evaluations/{year}   one village's evaluation                 admin, grid_worker, advisor
    GET  /evaluations?area=&year=              the district's evaluations and totals    admin
    POST /evaluations/export                   the same as XLSX (download link)         admin
"""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PageQuery, caller, endpoint, expected_version, parse, parse_query, request
from plugins.advisors import evaluation, service
from plugins.advisors.models import (
    EndIn, LogCorrectionOut, LogEntryEdit, LogMonthState, LogStatusOut, CadreRatingIn, EvaluationExportOut, EvaluationIn, EvaluationListOut, EvaluationOut, EvaluationQuery, ExportIn,
    CheckIn, ComplianceOut, ComplianceQuery, CorrectionIn, Engagement, EngagementIn, EngagementOut, EntryOut,
    EngagementQuery, LogEntry, LogEntryIn, LogEntryOut, LogMonthOut, LogQuery, MonthQuery, RenewalIn, ServicePointIn,
    ServicePointOut, VerificationIn,
)

bp = Blueprint(__name__)
TAGS = ("advisors",)
ADMIN = {"admin"}
READERS = {"admin", "grid_worker", "lawyer"}
ADVISOR = {"lawyer"}


def _engaged(result) -> EngagementOut:
    engagement, ratio = result
    return EngagementOut.of(engagement, service.reason_out(ratio, "advisors.village_ratio"))


@bp.route("/engagements", methods=["POST"], authorizer=jwt_auth)
@endpoint("聘用村（社区）法律顾问", who=ADMIN, body=EngagementIn, response=EngagementOut, status=201, tags=TAGS,
          replay=lambda item: EngagementOut.of(Engagement.from_item(item)),
          over_floor="one BatchGetItem (the village, the person, the advisor's and the village's engagements, the "
                     "ratio rule) before the one transaction: one advisor per village and the ratio are overlaps of "
                     "periods and a count against a parameter, which no condition of a transaction can state")
def advisors_engage():
    return _engaged(service.engage(caller(), parse(EngagementIn)))


@bp.route("/engagements", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区（本村）法律顾问聘用情况", who={"admin", "grid_worker"}, query=EngagementQuery, response=Page[EngagementOut],
          tags=TAGS)
def advisors_engagements():
    q = parse_query(EngagementQuery)
    return service.in_area(caller(), q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/engagements/mine", methods=["GET"], authorizer=jwt_auth)
@endpoint("我担任法律顾问的村（社区）", who=ADVISOR, query=PageQuery, response=Page[EngagementOut], tags=TAGS)
def advisors_mine():
    q = parse_query(PageQuery)
    return service.mine(caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/engagements/{engagement_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一份法律顾问聘用记录", who=READERS, response=EngagementOut, tags=TAGS)
def advisors_engagement(engagement_id):
    return EngagementOut.of(service.get(caller(), engagement_id))


@bp.route("/engagements/{engagement_id}/renewal", methods=["POST"], authorizer=jwt_auth)
@endpoint("续聘法律顾问", who=ADMIN, body=RenewalIn, response=EngagementOut, tags=TAGS)
def advisors_renew(engagement_id):
    data = parse(RenewalIn)
    return _engaged(service.renew(caller(), engagement_id, data, expected_version(data.version)))


@bp.route("/engagements/{engagement_id}/check-in", methods=["POST"], authorizer=jwt_auth)
@endpoint("驻点签到", who=ADVISOR, body=CheckIn, response=EntryOut, status=201, tags=TAGS,
          over_floor="one BatchGetItem (the engagement, the advisor's on-site state, the village's service point and "
                     "the radius in force) before the one transaction: the answer's distance and verification are "
                     "measured from the stored service point")
def advisors_check_in(engagement_id):
    return EntryOut.of(service.check_in(caller(), engagement_id, parse(CheckIn)))


@bp.route("/engagements/{engagement_id}/check-out", methods=["POST"], authorizer=jwt_auth)
@endpoint("驻点签退", who=ADVISOR, body=CheckIn, response=EntryOut, tags=TAGS)
def advisors_check_out(engagement_id):
    return EntryOut.of(service.check_out(caller(), engagement_id, parse(CheckIn)))


@bp.route("/engagements/{engagement_id}/entries", methods=["GET"], authorizer=jwt_auth)
@endpoint("法律顾问某月驻点记录", who=READERS, query=MonthQuery, response=Page[EntryOut], tags=TAGS)
def advisors_entries(engagement_id):
    q = parse_query(MonthQuery)
    return service.entries(caller(), engagement_id, q.month, limit=q.limit, cursor=q.cursor)


@bp.route("/villages/{code}/service-point", methods=["PUT"], authorizer=jwt_auth)
@endpoint("登记村（社区）法律顾问服务点及位置", who=ADMIN, body=ServicePointIn, response=ServicePointOut, tags=TAGS)
def advisors_set_point(code):
    data = parse(ServicePointIn)
    version = expected_version(data.version) if request().headers.get("if-match") or data.version else None
    return ServicePointOut.of(service.set_point(caller(), code, data, version))


@bp.route("/villages/{code}/service-point", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看村（社区）法律顾问服务点（工作人员）", who=READERS, response=ServicePointOut, tags=TAGS)
def advisors_point(code):
    return ServicePointOut.of(service.get_point(caller(), code))


@bp.route("/compliance", methods=["GET"], authorizer=jwt_auth)
@endpoint("各村（社区）法律顾问当月驻点时长达标情况", who={"admin", "grid_worker"}, query=ComplianceQuery,
          response=ComplianceOut, tags=TAGS,
          over_floor="a page of villages (Query), then their month's hours and the minimum in force along their "
                     "chains (one BatchGetItem): the tallies are per village and month, keyed by what the page found")
def advisors_compliance():
    q = parse_query(ComplianceQuery)
    return service.compliance(caller(), q.area, q.month, limit=q.limit, cursor=q.cursor)


@bp.route("/log", methods=["POST"], authorizer=jwt_auth)
@endpoint("记法律顾问工作日志", who=ADVISOR, body=LogEntryIn, response=LogEntryOut, status=201, tags=TAGS,
          replay=lambda item: LogEntryOut.of(LogEntry.from_item(item)),
          over_floor="one BatchGetItem (the village's engagements, the month's log, the lock day's timelines) before "
                     "the one transaction: whether the caller serves the village that day is a date range, and the "
                     "month's lock day, totals and version come from its log")
def advisors_log_entry():
    return LogEntryOut.of(service.log_entry(caller(), parse(LogEntryIn)))


@bp.route("/villages/{code}/log", methods=["GET"], authorizer=jwt_auth)
@endpoint("村（社区）法律顾问某月工作日志", who=READERS, query=LogQuery, response=LogMonthOut, tags=TAGS)
def advisors_log(code):
    q = parse_query(LogQuery)
    return service.read_log(caller(), code, q.month, limit=q.limit, cursor=q.cursor)


def _optional_version(body_version: int | None) -> int | None:
    return expected_version(body_version) if request().headers.get("if-match") or body_version else None


@bp.route("/villages/{code}/log/{month}/verification", methods=["POST"], authorizer=jwt_auth)
@endpoint("村（社区）干部核实法律顾问工作日志", who={"grid_worker"}, body=VerificationIn, response=LogMonthState, tags=TAGS)
def advisors_log_verify(code, month):
    data = parse(VerificationIn)
    return service.verify(caller(), code, month, data.note, expected_version(data.version))


@bp.route("/villages/{code}/log/{month}/corrections", methods=["POST"], authorizer=jwt_auth)
@endpoint("司法局更正已锁定的法律顾问工作日志", who=ADMIN, body=CorrectionIn, response=LogCorrectionOut, tags=TAGS)
def advisors_log_correct(code, month):
    data = parse(CorrectionIn)
    return service.correct(caller(), code, month, data, _optional_version(data.version))


@bp.route("/villages/{code}/evaluations/{year}/cadre-rating", methods=["PUT"], authorizer=jwt_auth)
@endpoint("村（社区）干部评价法律顾问年度工作", who={"grid_worker"}, body=CadreRatingIn, response=EvaluationOut, tags=TAGS)
def advisors_cadre_rating(code, year):
    data = parse(CadreRatingIn)
    return EvaluationOut.of(evaluation.rate(caller(), code, year, data, _optional_version(data.version)))


@bp.route("/villages/{code}/evaluations/{year}", methods=["PUT"], authorizer=jwt_auth)
@endpoint("法律顾问年度考核（评分、等次、补贴）", who=ADMIN, body=EvaluationIn, response=EvaluationOut, tags=TAGS,
          over_floor="one read of the village's year (its record, the evaluation, the twelve months' hours, logs and "
                     "feedback tallies) with the scoring rule's 22 parameters along the village's chain: 170 keys, two "
                     "BatchGetItems side by side (100 keys a call), one round trip; then the one transaction")
def advisors_evaluate(code, year):
    data = parse(EvaluationIn)
    return EvaluationOut.of(evaluation.evaluate(caller(), code, year, data, _optional_version(data.version)))


@bp.route("/villages/{code}/evaluations/{year}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看村（社区）法律顾问年度考核", who=READERS, response=EvaluationOut, tags=TAGS)
def advisors_evaluation(code, year):
    return EvaluationOut.of(evaluation.read(caller(), code, year))


@bp.route("/evaluations", methods=["GET"], authorizer=jwt_auth)
@endpoint("辖区法律顾问年度考核结果及合计", who=ADMIN, query=EvaluationQuery, response=EvaluationListOut, tags=TAGS,
          over_floor="the area's totals (one GetItem of the tally the evaluations' transactions add to) and the page "
                     "(one Query) side by side, one round trip: a tally kept by atomic ADD is no item of the list")
def advisors_evaluations():
    q = parse_query(EvaluationQuery)
    return evaluation.in_area(caller(), q.area, q.year, limit=q.limit, cursor=q.cursor)


@bp.route("/evaluations/export", methods=["POST"], authorizer=jwt_auth)
@endpoint("导出辖区法律顾问年度考核结果（XLSX）", who=ADMIN, body=ExportIn, response=EvaluationExportOut, tags=TAGS,
          idempotent=False,
          over_floor="an export: every page of the area's evaluations (a Query each; the totals are counted from "
                     "them), then the one write of the file record with its audit entries")
def advisors_export_evaluations():
    data = parse(ExportIn)
    record, link, count = evaluation.export(caller(), data.area, data.year)
    return EvaluationExportOut(area=record.area, year=data.year, rows=count, file_id=record.id, title=record.title,
                               download=link)


@bp.route("/engagements/{engagement_id}/end", methods=["POST"], authorizer=jwt_auth)
@endpoint("解除法律顾问聘用", who=ADMIN, body=EndIn, response=EngagementOut, tags=TAGS)
def advisors_end(engagement_id):
    data = parse(EndIn)
    return EngagementOut.of(service.end(caller(), engagement_id, data, expected_version(data.version)))


@bp.route("/villages/{code}/log/entries/{entry_id}", methods=["PUT"], authorizer=jwt_auth)
@endpoint("法律顾问修改本人未锁定的工作日志", who=ADVISOR, body=LogEntryEdit, response=LogEntryOut, tags=TAGS)
def advisors_edit_entry(code, entry_id):
    data = parse(LogEntryEdit)
    return LogEntryOut.of(service.edit_entry(caller(), code, entry_id, data, expected_version(data.version)))


@bp.route("/log-status", methods=["GET"], authorizer=jwt_auth)
@endpoint("各村（社区）法律顾问某月工作日志状态", who={"admin", "grid_worker"}, query=ComplianceQuery,
          response=LogStatusOut, tags=TAGS,
          over_floor="a page of villages (Query), then their months' logs and the lock day's timelines along their "
                     "chains (one BatchGetItem): the logs are per village and month, keyed by what the page found")
def advisors_log_status():
    q = parse_query(ComplianceQuery)
    return service.month_status(caller(), q.area, q.month, limit=q.limit, cursor=q.cursor)
