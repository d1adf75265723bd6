"""`/v1/screenings`: the monthly proactive screening's findings (staff) and runs (admins)."""
from __future__ import annotations

import re
from typing import Literal

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.domain.screening import report, service as screening, sources, tasks
from chalicelib.platform.auth import tokens
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.web import PageQuery, endpoint, parse, parse_query
from chalicelib.platform.errors import Unprocessable
from chalicelib.platform.model import Model, Page

bp = Blueprint(__name__)


class FindingsQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^\d{4,15}$", description="默认本人辖区；可指定辖区内的下级区域")
    preview: bool = Field(False, description="true：查看18日前手动预览的结果（不是当月排摸结果）")
    cadence: Literal["weekly", "half_monthly", "daily"] | None = Field(
        None, description="查看本月最近一次周排查（街镇）、半月排查（区）或每日期限排查的结果")


class RunIn(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(pattern=r"^\d{4}$", description="市级代码，如 3204", examples=["3204"])


@bp.route("/screenings/{month}", methods=["GET"], authorizer=jwt_auth)
@endpoint("本辖区某月主动排摸发现的问题", who=tokens.STAFF_ROLES, query=FindingsQuery,
          response=screening.FindingsPage, tags=("screenings",),
          description="当月排摸每月18日执行：此前当月结果为空且 scheduled 为 true（不代表没有问题），"
                      "18日前管理员手动预览的结果用 ?preview=true 查看；kind 与 note 说明这份结果是什么。查看记入审计。")
def list_findings(month):
    q = parse_query(FindingsQuery)
    return screening.findings(web.actor(), web.caller(), month, q.area, limit=q.limit, cursor=q.cursor,
                               preview=q.preview, cadence=q.cadence)


@bp.route("/screenings/{month}/runs", methods=["GET"], authorizer=jwt_auth)
@endpoint("某月的排摸执行情况（进行中、失败的分片）", who={"admin"}, query=PageQuery, response=Page[screening.RunOut],
          tags=("screenings",), description="18日的当月排摸只列本人辖区的分片；failed_shards 为多次失败后转入死信队列的分片及原因。")
def list_runs(month):
    q = parse_query(PageQuery)
    return screening.runs(web.caller(), month, limit=q.limit, cursor=q.cursor)


@bp.route("/screenings/{month}/runs", methods=["POST"], authorizer=jwt_auth)
@endpoint("手动执行（或续跑）某市某月的主动排摸", who={"admin"}, body=RunIn, response=screening.RunOut,
          idempotent=False, tags=("screenings",),
          description="只能排摸本月：18日前为预览（结果另存，不影响18日的当月排摸），18日及以后为重跑当月排摸"
                      "（产生新版本并替换旧结果，不会重复）；过去的月份会被拒绝（past_month），因为现有数据已不是当月的状态。"
                      "按区（或大区的街镇）分片排队执行：已完成返回 200，仍在执行返回 202 与当前状态。",
          over_floor="the month's run of the city is read consistently to know whether this is its first run or its "
                     "next generation, on which the findings' replacement and the shown generation depend, and the "
                     "shards are planned from the city's districts and towns (two Queries) before the one "
                     "transaction")
def run_screening(month):
    data = parse(RunIn)
    run = screening.run_now(web.actor(), web.caller(), month, data.area)
    # 202 while the queue function works on its shards (deployed stages); 200 once every shard reported.
    return web.respond(screening.RunOut.of(run), status=202 if run.status == "running" else 200)


# --- sources beyond our own records: 12345 hotline work orders and petitions --------------------------

SOURCE_KINDS = {"hotline", "petition"}
SOURCE_STAFF = tokens.STAFF_ROLES


def _city(city: str) -> str:
    if not re.fullmatch(r"\d{4}", city):
        raise Unprocessable("请填写 4 位市级代码", code="not_a_city", errors=[{"loc": ["path", "city"], "msg": "应为市级代码"}])
    return city


def _kind(kind: str) -> str:
    if kind not in SOURCE_KINDS:
        raise Unprocessable("来源应为 hotline（12345 热线）或 petition（信访）", code="bad_source",
                            errors=[{"loc": ["path", "kind"], "msg": "应为 hotline 或 petition"}])
    return kind


@bp.route("/screenings/sources/{kind}/mappings/{city}", methods=["GET"], authorizer=jwt_auth)
@endpoint("本市导出文件的列名映射（通用列名 + 本市保存的列名）", who=SOURCE_STAFF, response=sources.MappingOut,
          tags=("screenings",))
def source_mapping(kind, city):
    return sources.get_mapping(web.caller(), _kind(kind), _city(city))


@bp.route("/screenings/sources/{kind}/mappings/{city}", methods=["PUT"], authorizer=jwt_auth)
@endpoint("保存本市导出文件的列名映射", who={"admin"}, body=sources.MappingIn, response=sources.MappingOut,
          tags=("screenings",), description="各市 12345/信访平台导出的列名不同：在通用列名之外补充本市的列名。"
                                            "首次保存无需版本；修改需 If-Match 或 version。")
def save_source_mapping(kind, city):
    data = parse(sources.MappingIn)
    return sources.save_mapping(web.caller(), _kind(kind), _city(city), data,
                                lambda: web.expected_version(data.version))


@bp.route("/screenings/sources/{kind}/imports", methods=["POST"], authorizer=jwt_auth)
@endpoint("导入 12345 热线工单或信访件（CSV/XLSX）", who=SOURCE_STAFF, body=sources.ImportIn,
          response=sources.ImportReport, status=201, tags=("screenings",),
          over_floor="an import reads the uploaded file's record, the city's saved column mapping, its districts and "
                     "towns (to turn names into codes) and the orders already stored, then writes in chunks; a "
                     "retry with its key reads the claim and then the first report it names",
          replay=lambda item: sources.SourceImport.from_item(item).report,
          description="先经 /v1/files 上传导出文件，再以文件编号导入。列按名称识别（见列名映射）；"
                      "逐行报告错误（行号按表格计），其余行照常导入；同一工单编号重复导入只会覆盖，不会重复。"
                      "来电号码加密保存。")
def import_source(kind):
    report = sources.import_file(web.caller(), _kind(kind), parse(sources.ImportIn))
    return web.respond(report, status=201)


# --- the district's report ------------------------------------------------------------------------------

class ReportIn(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(pattern=r"^\d{6}$", description="区县代码，如 320402", examples=["320402"])


@bp.route("/screenings/{month}/reports", methods=["POST"], authorizer=jwt_auth)
@endpoint("生成并下载本区某月的需求和风险分析研判报告（XLSX）", who=tokens.STAFF_ROLES, body=ReportIn,
          response=report.ReportOut, idempotent=False, tags=("screenings",),
          over_floor="the workbook is made of the district's findings of the month (a Query), the checks that "
                     "failed in its shards (a Query of the month's runs) and the names of the findings' areas (a "
                     "BatchGetItem): three partitions read before the one write, which also audits the download",
          description="按当月排摸结果生成：汇总表 + 每个检查项一张表；每区每月只有一份当前报告，再次生成即替换。"
                      "当月排摸（18日）执行前生成的是预览报告（kind 为 preview，摘要写明排摸日期，汇总表为「汇总（预览）」），"
                      "18日的排摸完成后自动生成当月报告替换它。返回简短文字摘要和短时有效的下载链接（下载记入审计）。")
def district_report(month):
    data = parse(ReportIn)
    return screening.district_report(web.actor(), web.caller(), screening.check_month(month), data.area)


# --- proactive service tasks: the month's findings as the staff's work list ----------------------------

@bp.route("/tasks", methods=["GET"], authorizer=jwt_auth)
@endpoint("本辖区（或本人岗位）的主动服务任务", who=tokens.STAFF_ROLES, query=tasks.TaskQuery, response=Page[tasks.TaskOut],
          tags=("screenings",), description="每月18日排摸的每条发现生成一项任务，派给所在区域的相应岗位；"
                                            "按月份倒序。role：只看派给该岗位的任务。查看记入审计。")
def list_tasks():
    return tasks.listed(web.caller(), parse_query(tasks.TaskQuery))


@bp.route("/tasks/{task_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一项主动服务任务", who=tokens.STAFF_ROLES, response=tasks.TaskOut, tags=("screenings",))
def get_task(task_id):
    return tasks.TaskOut.of(tasks.read(web.caller(), task_id))


@bp.route("/tasks/{task_id}", methods=["PATCH"], authorizer=jwt_auth)
@endpoint("填写处理情况或办结主动服务任务", who=tokens.STAFF_ROLES, body=tasks.TaskUpdate, response=tasks.TaskOut,
          tags=("screenings",), description="需 If-Match（或 version）；办结须填写处理情况，办结后不能再修改。")
def work_task(task_id):
    caller = web.caller()
    task = tasks.get(caller, task_id)  # a task outside the caller's area is 404 before anything about the body
    data = parse(tasks.TaskUpdate)
    return tasks.TaskOut.of(tasks.work(caller, task, data, web.expected_version(data.version)))
