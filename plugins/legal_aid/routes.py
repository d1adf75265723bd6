"""Routes of legal aid, mounted at /v1/legal-aid. Routes parse, check who may call, and shape the answer;
the services (service, workflow, households, queue) know nothing of HTTP."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, PageQuery, endpoint, parse, parse_query
from plugins.legal_aid import service  # the rest where a view uses it: a read's first request imports less
from plugins.legal_aid.models import (
    AGRICULTURAL_MATTERS,
    IN_SCOPE,
    Application,
    Category,
    HouseholdImportIn,
    HouseholdImportReport,
    HouseholdVisitIn,
    HouseholdVisitOut,
    LegalAidApplicationIn,
    LegalAidApplicationOut,
    LegalAidApplicationSummary,
    LegalAidAssignIn,
    LegalAidAssignableLawyer,
    LegalAidAssignmentQuery,
    LegalAidClaimIn,
    LegalAidCloseIn,
    LegalAidCodeLabel,
    LegalAidCriterionInfo,
    LegalAidFollowUpIn,
    LegalAidHomeVisitIn,
    LegalAidMajorIn,
    LegalAidMatterInfo,
    LegalAidOverrideIn,
    LegalAidQueueItem,
    LegalAidReasonIn,
    LegalAidStepIn,
    LegalAidVersionIn,
    LegalAidVocabulary,
    MatterType,
    VulnerableHouseholdOut,
    VulnerableHouseholdQuery,
)

bp = Blueprint(__name__)
TAGS = ("legal-aid",)
OFFICER = {"legal_aid_officer"}
APPLICANTS = {"resident", "grid_worker", "legal_aid_officer"}
READERS = {"resident", "grid_worker", "legal_aid_officer", "lawyer"}


def _seen(app):
    return service.seen(web.caller(), app)


# --- applying and following --------------------------------------------------------------------------

@bp.route("/criteria", methods=["GET"])
@endpoint("法律援助条件范围清单", who=PUBLIC, response=LegalAidVocabulary, tags=TAGS,
          description="审查依据的各项条件、事项范围和可申报的情形（申请表的选项）。")
def vocabulary():
    from plugins.legal_aid import criteria

    return LegalAidVocabulary(
        criteria=[LegalAidCriterionInfo(code=c.code, title=c.title)
                  for c in (*criteria.ELIGIBILITY, *criteria.ROUTING)],
        matter_types=[LegalAidMatterInfo(code=m.value, label=m.label, in_scope=m in IN_SCOPE,
                                 agricultural=m in AGRICULTURAL_MATTERS) for m in MatterType],
        categories=[LegalAidCodeLabel(code=c.value, label=c.label) for c in Category])


@bp.route("/applications", methods=["POST"], authorizer=jwt_auth)
@endpoint("申请法律援助", who=APPLICANTS, body=LegalAidApplicationIn, response=LegalAidApplicationOut, status=201,
          tags=TAGS,
          description="居民本人申请；网格员或法律援助工作人员可为辖区居民代为申请（返回一次性查询码交给申请人）。"
                      "立即按申请日生效的标准审查资格，逐项给出理由。",
          replay=lambda item: _submitted(Application.from_item(item)))
def submit_application():
    return _submitted(*service.submit(web.caller(), parse(LegalAidApplicationIn)))


def _submitted(app, code=None):
    """The new application as its filer sees it. A replay (same Idempotency-Key) shows it again without the
    one-time tracking code: only its hash is kept."""
    return web.respond(service.seen(web.caller(), app, tracking_code=code), status=201,
                       headers={"Location": f"/v1/legal-aid/applications/{app.id}"})


@bp.route("/applications", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的法律援助申请", who={"resident"}, query=PageQuery, response=Page[LegalAidApplicationSummary], tags=TAGS)
def my_applications():
    q = parse_query(PageQuery)
    return service.mine(web.caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/applications/{app_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看法律援助申请及进度", who=READERS, response=LegalAidApplicationOut, tags=TAGS,
          description="申请人本人、辖区法律援助工作人员、承办律师、代为申请的网格员可见；其他人 404。"
                      "完整身份证号只返回给申请人本人；完整电话返回给申请人本人，以及为联系申请人而查看的承办律师和"
                      "辖区法律援助工作人员（每次查看记入审计），其他人只见打码。申请人可见承办律师的姓名、所在机构和工作电话。")
def get_application(app_id):
    return service.get(web.caller(), app_id)


@bp.route("/claims", methods=["POST"], authorizer=jwt_auth)
@endpoint("认领代为提交的申请", who={"resident"}, body=LegalAidClaimIn, response=LegalAidApplicationOut, tags=TAGS,
          description="网格员或法律援助工作人员代为申请后，申请人凭拿到的查询码和本人身份证号认领（身份证号须与本人实名登记的一致），"
                      "之后可随时查看进度。查询码或身份证号任一不符均为 404 application_not_found；"
                      "每个账号每小时最多尝试 10 次（超过 429 too_many_attempts），未成功的尝试记入审计。",
          over_floor="the caller's real-name record and the claim ticket keyed by code and ID number are one "
                     "BatchGetItem, but the attempt is counted in its own UpdateItem (failed attempts count too) "
                     "before the ticket is used, and the application it names (its owner and version) is read "
                     "before the write")
def claim_application():
    return _seen(service.claim(web.caller(), parse(LegalAidClaimIn)))


@bp.route("/assignments", methods=["GET"], authorizer=jwt_auth)
@endpoint("我承办的案件", who={"lawyer"}, query=LegalAidAssignmentQuery, response=Page[LegalAidApplicationSummary], tags=TAGS)
def my_assignments():
    q = parse_query(LegalAidAssignmentQuery)
    return service.assigned_to(web.caller(), q.state, limit=q.limit, cursor=q.cursor)


@bp.route("/queue", methods=["GET"], authorizer=jwt_auth)
@endpoint("待办队列（绿色通道优先）", who=OFFICER, query=PageQuery, response=Page[LegalAidQueueItem], tags=TAGS,
          description="本人辖区及下级的待受理、待审查、待指派、待回访案件：绿色通道在前，其余按办理时限先后。")
def officer_queue():
    from plugins.legal_aid import queue

    q = parse_query(PageQuery)
    return queue.page(web.caller().area, limit=q.limit, cursor=q.cursor)


# --- the workflow --------------------------------------------------------------------------------------

def _step(function, model=LegalAidVersionIn):
    data = parse(model)
    version = web.expected_version(data.version)
    return function(data, version)


@bp.route("/applications/{app_id}/accept", methods=["POST"], authorizer=jwt_auth)
@endpoint("受理", who=OFFICER, body=LegalAidVersionIn, response=LegalAidApplicationOut, tags=TAGS)
def accept(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.accept(web.caller(), app_id, v))
    return _seen(app)


@bp.route("/applications/{app_id}/approve", methods=["POST"], authorizer=jwt_auth)
@endpoint("批准给予法律援助", who=OFFICER, body=LegalAidVersionIn, response=LegalAidApplicationOut, tags=TAGS,
          description="资格审查结果须为符合条件（或已人工改判为符合条件）。")
def approve(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.approve(web.caller(), app_id, v))
    return _seen(app)


@bp.route("/applications/{app_id}/reject", methods=["POST"], authorizer=jwt_auth)
@endpoint("决定不予法律援助（须说明理由）", who=OFFICER, body=LegalAidReasonIn, response=LegalAidApplicationOut, tags=TAGS)
def reject(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.reject(web.caller(), app_id, d, v), LegalAidReasonIn)
    return _seen(app)


@bp.route("/applications/{app_id}/eligibility-override", methods=["POST"], authorizer=jwt_auth)
@endpoint("人工改判资格审查结果（须说明理由）", who=OFFICER, body=LegalAidOverrideIn, response=LegalAidApplicationOut, tags=TAGS)
def override(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.override(web.caller(), app_id, d, v), LegalAidOverrideIn)
    return _seen(app)


@bp.route("/applications/{app_id}/assign", methods=["POST"], authorizer=jwt_auth)
@endpoint("指派律师（先做利益冲突审查）", who=OFFICER, body=LegalAidAssignIn, response=LegalAidApplicationOut, tags=TAGS,
          description="律师须为在用的律师账号，属于您的辖区或本案所在区县（见 assignable-lawyers），否则 422 lawyer_not_found；"
                      "律师在办案件中代理本案对方当事人（或对方为本案申请人）时 409 conflict_of_interest；"
                      "填写 conflict_override_reason 可坚持指派，理由记入审计。",
          over_floor="the conflict check must see the lawyer's open cases (one Query of the lawyer's list, in no "
                     "partition the case or the account sits in), read between the case and account's BatchGetItem "
                     "and the write, since a conflict found only at the write would need them anyway")
def assign(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.assign(web.caller(), app_id, d, v), LegalAidAssignIn)
    return _seen(app)


@bp.route("/applications/{app_id}/assignable-lawyers", methods=["GET"], authorizer=jwt_auth)
@endpoint("可指派的律师", who=OFFICER, query=PageQuery, response=Page[LegalAidAssignableLawyer], tags=TAGS,
          description="本案所在区县在用的律师账号（乡镇街道的工作人员也可指派区县的律师）：姓名、所在机构、在办案件数，"
                      "按账号排序分页。仅本案辖区的法律援助工作人员可查，其他人 404。指派时仍做利益冲突审查。",
          over_floor="the case is read for access and its district, then the district's lawyers (one Query), then "
                     "the page's institutions and open-case tallies (kept by the transactions that assign and close "
                     "cases) in one BatchGetItem")
def assignable_lawyers(app_id):
    from plugins.legal_aid import workflow

    q = parse_query(PageQuery)
    return workflow.assignable_lawyers(web.caller(), app_id, limit=q.limit, cursor=q.cursor)


@bp.route("/applications/{app_id}/close", methods=["POST"], authorizer=jwt_auth)
@endpoint("结案（结案方式、挽回金额、摘要）", who={"lawyer", "legal_aid_officer"}, body=LegalAidCloseIn,
          response=LegalAidApplicationOut, tags=TAGS,
          over_floor="the follow-up deadline is a parameter in force at the case's area, known only once the case is "
                     "read, and read by the policy domain in its own BatchGetItem")
def close(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.close(web.caller(), app_id, d, v), LegalAidCloseIn)
    return _seen(app)


@bp.route("/applications/{app_id}/follow-up", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录案后回访", who=OFFICER, body=LegalAidFollowUpIn, response=LegalAidApplicationOut, tags=TAGS)
def follow_up(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.follow_up(web.caller(), app_id, d, v), LegalAidFollowUpIn)
    return _seen(app)


@bp.route("/applications/{app_id}/major", methods=["POST"], authorizer=jwt_auth)
@endpoint("认定为重大疑难案件", who=OFFICER, body=LegalAidMajorIn, response=LegalAidApplicationOut, tags=TAGS,
          description="认定后须完成案前评估方可结案，并记录随案指导、旁听庭审。")
def mark_major(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.mark_major(web.caller(), app_id, d, v), LegalAidMajorIn)
    return _seen(app)


@bp.route("/applications/{app_id}/quality-steps", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录质量控制步骤（案前评估、随案指导、旁听庭审）", who=OFFICER, body=LegalAidStepIn,
          response=LegalAidApplicationOut, tags=TAGS)
def quality_step(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.quality_step(web.caller(), app_id, d, v), LegalAidStepIn)
    return _seen(app)


@bp.route("/applications/{app_id}/home-visit", methods=["POST"], authorizer=jwt_auth)
@endpoint("预约上门服务（老年人、残疾人、重病患者）", who={"resident", "legal_aid_officer"}, body=LegalAidHomeVisitIn,
          response=LegalAidApplicationOut, tags=TAGS)
def home_visit(app_id):
    from plugins.legal_aid import workflow

    app = _step(lambda d, v: workflow.schedule_home_visit(web.caller(), app_id, d, v), LegalAidHomeVisitIn)
    return _seen(app)


# --- vulnerable households (L7) -------------------------------------------------------------------------

def _households():
    """The households service, imported by the first household request (not by the module: a cold start's
    one request is rarely one of these)."""
    from plugins.legal_aid import households

    return households


@bp.route("/households/imports", methods=["POST"], authorizer=jwt_auth)
@endpoint("导入民政困难群体名单（CSV）", who=OFFICER, body=HouseholdImportIn, response=HouseholdImportReport,
          status=201, tags=TAGS, replay=lambda item: _imported(_households().ImportRecord.from_item(item).report),
          description="先经 /v1/files 上传 CSV（列：类别、姓名、身份证号、网格代码，可选 有效期至；UTF-8 或 GBK），"
                      "再以文件编号导入。逐行报告错误（行号按表格计，表头为第 1 行）；有误的行不导入，其余照常导入。",
          over_floor="the file's record (who may use it, its state and type) is read before its bytes, and the rows "
                     "are written in batches before the report")
def import_households():
    from plugins.legal_aid import households

    return _imported(households.import_file(web.caller(), parse(HouseholdImportIn)))


def _imported(report: HouseholdImportReport):
    return web.respond(report, status=201, headers={"Location": f"/v1/legal-aid/households/imports/{report.id}"})


@bp.route("/households/imports/{import_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("导入报告", who=OFFICER, response=HouseholdImportReport, tags=TAGS)
def household_import(import_id):
    from plugins.legal_aid import households

    return households.import_report(web.caller(), import_id)


@bp.route("/households", methods=["GET"], authorizer=jwt_auth)
@endpoint("困难群体名单（本人网格/辖区）", who={"grid_worker", "legal_aid_officer"}, query=VulnerableHouseholdQuery,
          response=Page[VulnerableHouseholdOut], tags=TAGS, description="unvisited=true 只列尚未入户走访的。")
def list_households():
    from plugins.legal_aid import households

    return households.listing(web.caller(), parse_query(VulnerableHouseholdQuery))


@bp.route("/households/{household_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("一户的情况", who={"grid_worker", "legal_aid_officer"}, response=VulnerableHouseholdOut, tags=TAGS)
def get_household(household_id):
    from plugins.legal_aid import households

    return VulnerableHouseholdOut.of(households.get(web.caller(), household_id))


@bp.route("/households/{household_id}/visits", methods=["POST"], authorizer=jwt_auth)
@endpoint("记录入户走访", who={"grid_worker", "legal_aid_officer"}, body=HouseholdVisitIn,
          response=HouseholdVisitOut, status=201, tags=TAGS,
          replay=lambda item: _households().visit_again(web.caller(), _households().Visit.from_item(item)),
          over_floor="the household is read for access (its grid), for whether this is its first visit (the "
                     "unvisited tally goes down once) and for the answer, which shows it after the visit because a "
                     "transaction returns no values")
def visit_household(household_id):
    from plugins.legal_aid import households

    data = parse(HouseholdVisitIn)
    return web.respond(households.visit(web.caller(), household_id, data,
                                        web.expected_version(data.version)), status=201)
