"""The case's steps (acceptance to follow-up), the officers' queue and the lawyers an officer may assign
(routes declared on legal aid's blueprint, `blueprint.py`)."""
from __future__ import annotations

from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PageQuery, endpoint, parse, parse_query
from plugins.legal_aid.answers import LegalAidAssignableLawyer, LegalAidQueueItem
from plugins.legal_aid.blueprint import OFFICER, TAGS, bp, seen
from plugins.legal_aid.bodies import (
    LegalAidAssignIn,
    LegalAidCloseIn,
    LegalAidFollowUpIn,
    LegalAidHomeVisitIn,
    LegalAidMajorIn,
    LegalAidOverrideIn,
    LegalAidReasonIn,
    LegalAidStepIn,
    LegalAidVersionIn,
)
from plugins.legal_aid.models import LegalAidApplicationOut


@bp.route("/queue", methods=["GET"], authorizer=jwt_auth)
@endpoint("待办队列（绿色通道优先）", who=OFFICER, query=PageQuery, response=Page[LegalAidQueueItem], tags=TAGS,
          description="本人辖区及下级的待受理、待审查、待指派、待回访案件：绿色通道在前，其余按办理时限先后。")
def officer_queue():
    from plugins.legal_aid import queue

    q = parse_query(PageQuery)
    return queue.page(web.caller().area, limit=q.limit, cursor=q.cursor)


def _step(function, model=LegalAidVersionIn):
    data = parse(model)
    version = web.expected_version(data.version)
    return function(data, version)


@bp.route("/applications/{app_id}/accept", methods=["POST"], authorizer=jwt_auth)
@endpoint("受理", who=OFFICER, body=LegalAidVersionIn, response=LegalAidApplicationOut, tags=TAGS)
def accept(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.accept(web.caller(), app_id, v))
    return seen(app)


@bp.route("/applications/{app_id}/approve", methods=["POST"], authorizer=jwt_auth)
@endpoint("批准给予法律援助", who=OFFICER, body=LegalAidVersionIn, response=LegalAidApplicationOut, tags=TAGS,
          description="资格审查结果须为符合条件（或已人工改判为符合条件）。")
def approve(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.approve(web.caller(), app_id, v))
    return seen(app)


@bp.route("/applications/{app_id}/reject", methods=["POST"], authorizer=jwt_auth)
@endpoint("决定不予法律援助（须说明理由）", who=OFFICER, body=LegalAidReasonIn, response=LegalAidApplicationOut, tags=TAGS)
def reject(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.reject(web.caller(), app_id, d, v), LegalAidReasonIn)
    return seen(app)


@bp.route("/applications/{app_id}/eligibility-override", methods=["POST"], authorizer=jwt_auth)
@endpoint("人工改判资格审查结果（须说明理由）", who=OFFICER, body=LegalAidOverrideIn, response=LegalAidApplicationOut, tags=TAGS)
def override(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.override(web.caller(), app_id, d, v), LegalAidOverrideIn)
    return seen(app)


@bp.route("/applications/{app_id}/assign", methods=["POST"], authorizer=jwt_auth)
@endpoint("指派律师（先做利益冲突审查）", who=OFFICER, body=LegalAidAssignIn, response=LegalAidApplicationOut, tags=TAGS,
          description="律师须为在用的律师账号，属于您的辖区或本案所在区县（见 assignable-lawyers），否则 422 lawyer_not_found；"
                      "律师在办案件中代理本案对方当事人（或对方为本案申请人）时 409 conflict_of_interest；"
                      "填写 conflict_override_reason 可坚持指派，理由记入审计。")
def assign(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.assign(web.caller(), app_id, d, v), LegalAidAssignIn)
    return seen(app)


@bp.route("/applications/{app_id}/assignable-lawyers", methods=["GET"], authorizer=jwt_auth)
@endpoint("可指派的律师", who=OFFICER, query=PageQuery, response=Page[LegalAidAssignableLawyer], tags=TAGS,
          description="本案所在区县在用的律师账号（乡镇街道的工作人员也可指派区县的律师）：姓名、所在机构、在办案件数，"
                      "按账号排序分页。仅本案辖区的法律援助工作人员可查，其他人 404。指派时仍做利益冲突审查。",
          over_floor="the district's lawyers are a Query of the accounts' partition (the district named by the "
                     "case's id), which no BatchGetItem can hold; the case (its access check), the page's "
                     "institutions and open-case tallies are then one BatchGetItem")
def assignable_lawyers(app_id):
    from plugins.legal_aid import workflow

    q = parse_query(PageQuery)
    return workflow.assignable_lawyers(web.caller(), app_id, limit=q.limit, cursor=q.cursor)


@bp.route("/applications/{app_id}/close", methods=["POST"], authorizer=jwt_auth)
@endpoint("结案（结案方式、挽回金额、摘要）", who={"lawyer", "legal_aid_officer"}, body=LegalAidCloseIn,
          response=LegalAidApplicationOut, tags=TAGS)
def close(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.close(web.caller(), app_id, d, v), LegalAidCloseIn)
    return seen(app)


@bp.route("/applications/{app_id}/follow-up", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录案后回访", who=OFFICER, body=LegalAidFollowUpIn, response=LegalAidApplicationOut, tags=TAGS)
def follow_up(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.follow_up(web.caller(), app_id, d, v), LegalAidFollowUpIn)
    return seen(app)


@bp.route("/applications/{app_id}/major", methods=["POST"], authorizer=jwt_auth)
@endpoint("认定为重大疑难案件", who=OFFICER, body=LegalAidMajorIn, response=LegalAidApplicationOut, tags=TAGS,
          description="认定后须完成案前评估方可结案，并记录随案指导、旁听庭审。")
def mark_major(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.mark_major(web.caller(), app_id, d, v), LegalAidMajorIn)
    return seen(app)


@bp.route("/applications/{app_id}/quality-steps", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录质量控制步骤（案前评估、随案指导、旁听庭审）", who=OFFICER, body=LegalAidStepIn,
          response=LegalAidApplicationOut, tags=TAGS)
def quality_step(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.quality_step(web.caller(), app_id, d, v), LegalAidStepIn)
    return seen(app)


@bp.route("/applications/{app_id}/home-visit", methods=["POST"], authorizer=jwt_auth)
@endpoint("预约上门服务（老年人、残疾人、重病患者）", who={"resident", "legal_aid_officer"}, body=LegalAidHomeVisitIn,
          response=LegalAidApplicationOut, tags=TAGS)
def home_visit(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.schedule_home_visit(web.caller(), app_id, d, v), LegalAidHomeVisitIn)
    return seen(app)
