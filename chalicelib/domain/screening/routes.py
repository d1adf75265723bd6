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


class RunIn(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(pattern=r"^\d{4}$", description="市级代码，如 3204")


@bp.route("/screenings/{month}", methods=["GET"], authorizer=jwt_auth)
@endpoint("本辖区某月主动排摸发现的问题", who=tokens.STAFF_ROLES, query=FindingsQuery,
          response=screening.FindingPage, tags=("screenings",))
def list_findings(month):
    q = parse_query(FindingsQuery)
    return screening.findings(web.actor(), web.caller(), month, q.area, limit=q.limit, cursor=q.cursor)


@bp.route("/screenings/{month}/runs", methods=["POST"], authorizer=jwt_auth)
@endpoint("手动执行（或续跑）某市某月的主动排摸", who={"admin"}, body=RunIn, response=screening.RunOut,
          idempotent=False, tags=("screenings",),
          description="同一市同一月只执行一次：已完成的直接返回结果（200），中断的会被续跑；"
                      "部署环境中交由排摸函数异步执行，先返回 202 与当前状态。")
def run_screening(month):
    data = parse(RunIn)
    run = screening.run_now(web.actor(), web.caller(), month, data.area)
    # 202 while the screening function works on it (deployed stages); 200 with the result once done.
    return web.respond(screening.RunOut.of(run), status=200 if run.status == "done" else 202)
