"""`/v1/audit`: a record's audit trail, for the administrators of its area."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.trail import service
from chalicelib.domain.trail.models import AuditEntryOut
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PageQuery, caller, endpoint, parse_query

bp = Blueprint(__name__)


@bp.route("/audit/{entity}/{record_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("一条记录的审计记录（最新在前）", who={"admin"}, query=PageQuery, response=Page[AuditEntryOut], tags=("audit",),
          description="entity 为记录类型（DynamoDB 控制台中记录的 entity 属性，如 intake-ticket、legal-aid-application、"
                      "staff-account、area），record_id 为其编号。只有辖区覆盖该记录所属区域的管理员可查看；"
                      "没有所属区域的记录（居民账号、会话、全国性参数等）只有省级管理员可查看。其他情况——"
                      "不在辖区、没有这类记录、记录不存在或已删除、该类记录不能单独按编号查找——一律 404。"
                      "已删除记录的审计记录仍在表中，可在控制台按 pk = audit#<entity>#<编号> 查询。"
                      "每次查看本身记入该记录的审计记录。不返回来源 IP。",
          over_floor="the record is read for its area, the one thing that decides who may read its trail, then the "
                     "page is a Query and the read is itself written to the trail: 2 reads and 1 write")
def audit_trail(entity, record_id):
    q = parse_query(PageQuery)
    return service.trail(caller(), entity, record_id, limit=q.limit, cursor=q.cursor)
