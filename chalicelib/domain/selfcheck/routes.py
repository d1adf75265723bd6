"""Routes of the self-check (issue 25), mounted at /v1: public, no sign-in, nothing stored but the rate count."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.selfcheck import models, service
from chalicelib.platform import web
from chalicelib.platform.web import PUBLIC, endpoint, parse, parse_query

bp = Blueprint(__name__)
TAGS = ("self-check",)


@bp.route("/self-check/questions", methods=["GET"])
@endpoint("自助测评的问题（各项已开通服务所需）", who=PUBLIC, query=models.QuestionsQuery,
          response=models.QuestionnaireOut, tags=TAGS,
          description="小程序据此渲染问卷：题型、选项、哪些服务需要；给出 area 时附上该区域当日执行的标准及已公布的调整。")
def self_check_questions():
    q = parse_query(models.QuestionsQuery)
    return service.questionnaire(q.area)


@bp.route("/self-check", methods=["POST"])
@endpoint("自助测评：我能获得哪些帮助", who=PUBLIC, body=models.SelfCheckIn, response=models.SelfCheckOut, tags=TAGS,
          over_floor="按来源地址限频的计数器一次写入（须计入每次尝试），各服务所依据的政策标准连同区域记录"
                     "（网格时含其上级链上对接的机构）一次读取；依自己的标准测评的服务再读一次",
          description="无需登录。对每项提供自助测评的服务给出“可能符合 / 可能不符合 / 视情况而定”、依据的条件及理由、"
                      "该区域当日执行的标准（及已公布的调整）、需携带的材料和申请途径。所填内容不保存、不记录日志。")
def self_check():
    data = parse(models.SelfCheckIn)
    identity = (web.request().context or {}).get("identity") or {}
    return service.check(data, identity.get("sourceIp"))
