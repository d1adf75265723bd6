"""Routes of files (SPEC C10 and attachments), mounted at /v1: register an upload and get its presigned
POST, confirm it, read its metadata, get a short-lived download link; and the public list of an area's
leaflets."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.domain.files import service as files
from chalicelib.platform import web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, SIGNED_IN, PageQuery, endpoint, parse, parse_query

bp = Blueprint(__name__)
TAGS = ("files",)


class LinkedQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    linked_record: str = Field(pattern=files.LINKED_RECORD.pattern, description="`<entity>:<id>`，如 intake-ticket:FW-320402-2611-0042",
                               examples=["intake-ticket:FW-320402-2611-0042"])


@bp.route("/files", methods=["GET"], authorizer=jwt_auth)
@endpoint("某条记录的附件", who=SIGNED_IN, query=LinkedQuery, response=Page[files.FileOut], tags=TAGS,
          over_floor="the linked record's own rule reads that record to decide who may see its files (who holds a "
                     "ticket changes, and its files do not carry it), then its files are one Query",
          description="能查看该记录的人可见（如受理单：本人及辖区工作人员）；其他人得到该记录的 404。")
def list_linked_files():
    q = parse_query(LinkedQuery)
    return files.linked_to(web.caller(), q.linked_record, limit=q.limit, cursor=q.cursor)


@bp.route("/files", methods=["POST"], authorizer=jwt_auth)
@endpoint("登记上传文件，取得直传表单", who=SIGNED_IN, body=files.FileIn, response=files.FileCreated, status=201,
          tags=TAGS, over_floor="the upload limit in force at the area is a policy parameter with effective dates "
                                "(the area and its timelines, one BatchGetItem) that decides the 422 before the write, "
                                "and a linked record's rule reads that record", description="返回 10 分钟内有效的 S3 预签名 POST 表单（限定对象键、类型与确切大小）；"
                                 "上传后调用 /v1/files/{id}/confirm，文件才可下载。居民只能上传附件。",
          replay=lambda item: _created(files.StoredFile.from_item(item), None))
def create_file():
    return _created(*files.create(web.actor(), web.caller(), parse(files.FileIn)))


def _created(record: files.StoredFile, upload: files.UploadForm | None):
    """The registered file with its upload form (a replay of the request gets a fresh form)."""
    created = files.FileCreated(**files.FileOut.of(record).model_dump(), upload=upload or files.upload_form(record))
    return web.respond(created, status=201, headers={"Location": f"/v1/files/{record.id}"})


@bp.route("/files/{file_id}/confirm", methods=["POST"], authorizer=jwt_auth)
@endpoint("确认上传完成", who=SIGNED_IN, response=files.FileOut, tags=TAGS,
          description="核对对象已存在且大小、类型、SHA-256 与登记一致后标记为可用；重复确认无副作用。")
def confirm_file(file_id):
    return files.FileOut.of(files.confirm(web.actor(), web.caller(), file_id))


@bp.route("/files/{file_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("文件信息", who=SIGNED_IN, response=files.FileOut, tags=TAGS,
          description="上传者本人可见；关联到某条记录的附件，能查看该记录的人可见；宣传资料、台账、报告由辖区"
                      "工作人员可见；已发布的宣传资料所有登录用户可见（不显示上传者）。其他人 404。")
def get_file(file_id):
    caller = web.caller()
    return files.FileOut.of(files.visible(caller, file_id), viewer=caller)


@bp.route("/files/{file_id}/download", methods=["GET"], authorizer=jwt_auth)
@endpoint("取得下载链接", who=SIGNED_IN, response=files.Download, tags=TAGS,
          description="5 分钟内有效的预签名 GET，下载文件名为文件标题。宣传资料以外的下载记入审计。")
def download_file(file_id):
    return files.download(web.actor(), web.caller(), file_id)


@bp.route("/areas/{code}/leaflets", methods=["GET"])
@endpoint("区域的宣传资料（公开）", who=PUBLIC, query=PageQuery, response=Page[files.LeafletOut], tags=TAGS,
          description="该区域及其下级区域已发布的宣传资料（C10）；下载需登录。")
def list_leaflets(code):
    q = parse_query(PageQuery)
    return files.leaflets(code, limit=q.limit, cursor=q.cursor)
