"""`/v1/screenings`: the monthly proactive screening's findings (staff) and runs (admins)."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.domain.screening import service as screening
from chalicelib.platform.auth import tokens
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.web import PageQuery, endpoint, parse, parse_query
from chalicelib.platform.model import Model

bp = Blueprint(__name__)


class FindingsQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^\d{4,15}$", description="默认本人辖区；可指定辖区内的下级区域")
    preview: bool = Field(False, description="true：查看18日前手动预览的结果（不是当月排摸结果）")


class RunIn(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(pattern=r"^\d{4}$", description="市级代码，如 3204")


@bp.route("/screenings/{month}", methods=["GET"], authorizer=jwt_auth)
@endpoint("本辖区某月主动排摸发现的问题", who=tokens.STAFF_ROLES, query=FindingsQuery,
          response=screening.FindingPage, tags=("screenings",))
def list_findings(month):
    q = parse_query(FindingsQuery)
    return screening.findings(web.actor(), web.caller(), month, q.area, limit=q.limit, cursor=q.cursor,
                               preview=q.preview)


@bp.route("/screenings/{month}/runs", methods=["POST"], authorizer=jwt_auth)
@endpoint("手动执行（或续跑）某市某月的主动排摸", who={"admin"}, body=RunIn, response=screening.RunOut,
          idempotent=False, tags=("screenings",),
          description="只能排摸本月：18日前为预览（结果另存，不影响18日的当月排摸），18日及以后为重跑当月排摸"
                      "（产生新版本并替换旧结果，不会重复）；过去的月份会被拒绝（past_month），因为现有数据已不是当月的状态。"
                      "按区（或大区的街镇）分片排队执行：已完成返回 200，仍在执行返回 202 与当前状态。")
def run_screening(month):
    data = parse(RunIn)
    run = screening.run_now(web.actor(), web.caller(), month, data.area)
    # 202 while the queue function works on its shards (deployed stages); 200 once every shard reported.
    return web.respond(screening.RunOut.of(run), status=202 if run.status == "running" else 200)
