"""The vulnerable households (SPEC L7): importing the civil-affairs list, the list, a household and its visits
(routes declared on legal aid's blueprint, `blueprint.py`)."""
from __future__ import annotations

from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import endpoint, parse, parse_query
from plugins.legal_aid.blueprint import OFFICER, TAGS, bp
from plugins.legal_aid.household_models import (
    HouseholdImportIn,
    HouseholdImportReport,
    HouseholdVisitIn,
    HouseholdVisitOut,
    VulnerableHouseholdOut,
    VulnerableHouseholdQuery,
)


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
