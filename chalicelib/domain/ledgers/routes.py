"""The HTTP surface of ledgers 台账 and statistics (SPEC C9), mounted at /v1: parse, call the service, respond."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.ledgers import exports, service, stats
from chalicelib.domain.ledgers.exports import LedgerExportIn, LedgerExportOut
from chalicelib.domain.ledgers.models import LedgerIn, LedgerOut, WorkStatsOut, WorkStatsQuery
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.auth.tokens import STAFF_ROLES
from chalicelib.platform.web import endpoint, parse, parse_query, respond

bp = Blueprint(__name__)


@bp.route("/ledgers", methods=["POST"], authorizer=jwt_auth)
@endpoint("生成并下载村（社区）年度工作台账（XLSX，一村一卷）", who=STAFF_ROLES, body=LedgerIn, response=LedgerOut,
          idempotent=False, tags=("ledgers",),
          over_floor="the village's area chain (one BatchGetItem for its full name), then the columns: those reading "
                     "the statistics' counters all in one Query, any other as its service reads the counts it keeps "
                     "(a BatchGetItem or a Query per month), then the one write of the file record with its audit entries "
                     "(unchanged data version: the audit write only)",
          description="封面（区域全称、期间、生成时间和生成人）+ 每项已启用服务一张表（按月统计，合计行），"
                      "数据取自各服务记录时同步登记的计数，不需重复填报。每村每年只有一份当前台账，数据未变时直接取用，"
                      "数据变化后再次生成即替换；"
                      "生成与下载均记入审计，返回短时有效的下载链接。")
def build_ledger():
    return service.build(web.actor(), web.caller(), parse(LedgerIn))


@bp.route("/stats", methods=["GET"], authorizer=jwt_auth)
@endpoint("工作统计（年度工作统计口径、各服务业务量；网格至省，按月或按年）", who=STAFF_ROLES, query=WorkStatsQuery,
          response=WorkStatsOut, tags=("ledgers",),
          description="数据取自各服务在业务发生时同一事务中登记的计数，自下而上逐级汇总（一次查询），不读取业务清单；"
                      "未启用服务提供的统计项列于 not_wired。另含限时办结率、基层化解率、好差评（各等级及下级区域满意率排名）"
                      "和一事一计（同一事项一年内按所受最高层级服务只计一次，并列各服务分别计数）。")
def get_stats():
    return stats.stats(web.caller(), parse_query(WorkStatsQuery))


@bp.route("/ledgers/exports", methods=["POST"], authorizer=jwt_auth)
@endpoint("导出区域台账（某项服务按月或按年：业务量台账，或逐条台账；XLSX 或 CSV）", who=STAFF_ROLES, body=LedgerExportIn,
          response=LedgerExportOut, idempotent=False, tags=("ledgers",), statuses=(202,),
          over_floor="built anew only when its data changed: the counters' Query (which gives the data version), "
                     "then the area chain and sub-areas' names (one BatchGetItem) for the cover and rows, then the "
                     "file record with its audit entries; unchanged, the Query and the audit write",
          description="数据未变（数据版本相同）时直接取用已生成的文件；逐条台账行数较多时转入后台生成，返回 202 和导出编号，"
                      "凭 GET /v1/ledgers/exports/{export_id} 查询进度并取得下载链接。每次导出与下载均记入审计。")
def export_ledger():
    out = exports.export(web.actor(), web.caller(), parse(LedgerExportIn))
    return respond(out, status=202 if out.status in ("queued", "running") else 200)


@bp.route("/ledgers/exports/{export_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("后台台账导出的进度与下载链接", who=STAFF_ROLES, response=LedgerExportOut, tags=("ledgers",),
          description="生成完成后返回短时下载链接（下载记入审计）；非本辖区的导出视为不存在（404）。")
def export_status(export_id: str):
    return exports.status(web.actor(), web.caller(), export_id)
