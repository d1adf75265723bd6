"""Reading applications: one application with its progress, a resident's own, a lawyer's cases (routes
declared on legal aid's blueprint, `blueprint.py`). The read a resident's cold start most often serves:
this module imports the application's models and service, nothing else of legal aid.

Its cold start + first request (an applicant reading their own application, through the Lambda handler, from
the unpacked zip) counted in instructions, which the machine's load does not change (valgrind callgrind, one
fresh interpreter each): the bare Chalice + boto3 + pydantic floor doing the same GetItem 1.396 G; this read
1.662 G (1.19×) before its answer was validated as one whole, its models' annotations left unquoted, `tokens`
and pydantic's `functional_serializers` left out and AES-GCM taken from cryptography's bindings; 1.608 G
(1.15×) after. Timed on the loaded shared machine (`make bench`, CPU): 1.13–1.15× (two runs of 21)."""
from __future__ import annotations

from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PageQuery, endpoint, parse_query
from plugins.legal_aid import service
from plugins.legal_aid.blueprint import READERS, TAGS, bp
from plugins.legal_aid.models import LegalAidApplicationOut, LegalAidApplicationSummary, LegalAidAssignmentQuery


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


@bp.route("/assignments", methods=["GET"], authorizer=jwt_auth)
@endpoint("我承办的案件", who={"lawyer"}, query=LegalAidAssignmentQuery, response=Page[LegalAidApplicationSummary], tags=TAGS)
def my_assignments():
    q = parse_query(LegalAidAssignmentQuery)
    return service.assigned_to(web.caller(), q.state, limit=q.limit, cursor=q.cursor)
