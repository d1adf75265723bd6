"""Files (SPEC C10 and every attachment): uploads straight to S3 through presigned POSTs, metadata in the
table, downloads through short-lived presigned GETs. Plugins attach files to their records (declared in `Plugin.link_rules`) through this
module (`attach`, `attachments_ops`, `for_record`, `visible`, `read_bytes`, `download_link`) and never talk to
S3 themselves.

A file's life: `create` stores it as `pending` and returns a presigned POST bound to its exact key, content
type and size (a content-length-range of [size, size]) for 10 minutes; the client uploads; `confirm` checks
the object really is there with the declared size and type, reads it once to check the SHA-256 and that
its first bytes match the type, and only then marks it `available`. The check is ours, not S3's alone:
a presigned POST's conditions are enforced by AWS but not by the local S3 (tools/devstack.py
S3_LOCAL_NOT_ENFORCED), and neither checks what the bytes are.

Object keys of what staff publish or export (leaflets, ledgers, reports) read well in the S3 console:
`<kind>/<area>/<yyyy>/<id>-<slug>.<ext>`, e.g. `leaflet/320402/2026/9f2c…-法律援助条件范围清单.pdf`. The
slug keeps Chinese characters: S3 keys are UTF-8, the console shows them as written, and administrators
browse the console in Chinese; the cost is percent-encoding in URLs, which only machines read (boto3 and
the presigned URLs handle it). Anything else in the title becomes `-`, runs of 6 or more digits (ID and
phone numbers) are dropped, and the id keeps keys unique whatever the title. Attachments (and anything a
resident uploads) carry personal data in their titles (「张三身份证」), so their keys are
`<kind>/<area>/<yyyy>/<id>.<ext>` with no slug: keys end up in S3 access logs, inventories and the
console. For the same reason audit summaries name a file by kind and id, never by title; only the
download's Content-Disposition, which goes to the one person allowed to download it, carries the title.

Who may see a file (`may_see`): its uploader always; a file linked to a record (`<entity>:<id>`) whoever
the entity's registered link rule lets at that record, so exactly the record's readers read its files;
what staff make (leaflets, ledgers, reports) the staff covering its area; a published leaflet anyone
signed in. Covering the area is never enough for a resident's attachment.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable, ClassVar, Literal
from urllib.parse import quote

from pydantic import ConfigDict, Field, field_validator

from chalicelib import plugin
from chalicelib.platform import audit, aws, config, storage
from chalicelib.domain.intake import access as intake_access
from chalicelib.domain.policy import service as policy
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Problem, Unprocessable
from chalicelib.platform.timeutil import now_utc, to_shanghai
from chalicelib.platform.model import Model, Page

ENTITY = "file"
LEAFLET_LIST = "leaflet"
FILES_FOR = "files-for"  # the files linked to one record: `files-for#<entity>#<id>`
MAX_UPLOAD_PARAMETER = "files.max_upload_mb"
UPLOAD_SECONDS = 600
DOWNLOAD_SECONDS = 300
MB = 1024 * 1024

Kind = Literal["leaflet", "attachment", "ledger", "report"]
KIND_TITLES = {"leaflet": "宣传资料", "attachment": "附件", "ledger": "台账", "report": "报告"}
RESIDENT_KINDS = frozenset({"attachment"})  # residents upload attachments to their own requests only
STAFF_KINDS = frozenset({"leaflet", "ledger", "report"})  # made by staff, seen by the staff of their area

# content type → (extension, how its first bytes look)
ALLOWED_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    "application/pdf": ("pdf", lambda head: head.startswith(b"%PDF-")),
    "image/jpeg": ("jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    "image/png": ("png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ("docx", lambda head: head.startswith(b"PK\x03\x04")),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        ("xlsx", lambda head: head.startswith(b"PK\x03\x04")),
    "text/csv": ("csv", lambda head: b"\x00" not in head),
}
TYPE_NAMES = "PDF、JPEG、PNG、Word（DOCX）、Excel（XLSX）、CSV"
LINKED_RECORD = re.compile(r"^([a-z][a-z0-9-]{1,40}):([A-Za-z0-9._-]{1,100})$")
FILE_ID = re.compile(r"^[0-9a-f]{32}$")
AREA_SHAPE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$")


# --- records and models -------------------------------------------------------------------------------------

class StoredFile(storage.Record):
    """An uploaded file; once available, a leaflet is in its area's list and a linked file in its record's."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(LEAFLET_LIST, "gsi1", by="area"),
        storage.Listing(FILES_FOR, "gsi2"),
    )
    id: str
    title: str
    kind: Kind
    area: str
    owner: str
    content_type: str
    size_bytes: int
    sha256: str
    bucket: str
    key: str
    status: Literal["pending", "available"] = "pending"
    linked_record: str | None = None
    confirmed_at: datetime | None = None

    def place(self, listing: str) -> storage.Place | None:
        if self.status != "available":
            return None
        sort = (f"{self.created_at.isoformat()}~{self.id}",)
        if listing == LEAFLET_LIST:  # listed publicly per area once available (C10)
            return storage.Place(of=self.area, sort=sort) if self.kind == "leaflet" else None
        if self.linked_record:
            return storage.Place(of=tuple(self.linked_record.split(":", 1)), sort=sort)
        return None

    @property
    def extension(self) -> str:
        return ALLOWED_TYPES[self.content_type][0]


class FileIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=100, examples=["法律援助条件范围清单"])
    kind: Kind = Field(examples=["leaflet"], description="leaflet 宣传资料（居民可下载）、attachment 附件、ledger 台账、report 报告")
    area: str = Field(description="文件所属区域代码", examples=["320402"])
    content_type: str = Field(description=f"只接受 {TYPE_NAMES}", examples=["application/pdf"])
    size_bytes: int = Field(ge=1, description="文件字节数，须与实际上传的完全一致", examples=[182044])
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="文件内容的 SHA-256（十六进制）",
                        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"])
    linked_record: str | None = Field(None, description="所属记录，形如 `<entity>:<id>`",
                                      examples=["legal-aid-application:3f2a9c"])

    @field_validator("content_type")
    @classmethod
    def _allowed_type(cls, value: str) -> str:
        value = value.lower()
        if value not in ALLOWED_TYPES:
            raise ValueError(f"不支持该文件类型，只接受 {TYPE_NAMES}")
        return value

    @field_validator("area")
    @classmethod
    def _area_shape(cls, value: str) -> str:
        if not AREA_SHAPE.match(value):
            raise ValueError("区划代码应为 2、4、6、9、12 位数字（网格为 15 位）")
        return value

    @field_validator("sha256")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("linked_record")
    @classmethod
    def _linked_shape(cls, value: str | None) -> str | None:
        if value is not None and not LINKED_RECORD.match(value):
            raise ValueError("应为 `<entity>:<id>`，如 legal-aid-application:3f2a9c")
        return value


class FileOut(Model):
    id: str
    title: str
    kind: Kind
    area: str
    owner: str | None = Field(None, description="上传者；只向上传者本人及有权管理该文件的人返回"
                                                "（已发布的宣传资料对其他人不显示上传者）")
    content_type: str
    size_bytes: int
    sha256: str
    status: Literal["pending", "available"]
    linked_record: str | None
    created_at: str
    confirmed_at: str | None
    version: int

    @classmethod
    def of(cls, f: StoredFile, viewer: Caller | None = None) -> "FileOut":
        """`viewer` given: the uploader is shown only if the viewer may handle the file, not to someone who
        sees it only because it is a published leaflet."""
        owner = f.owner if viewer is None or _may_handle(viewer, f) else None
        return cls(id=f.id, title=f.title, kind=f.kind, area=f.area, owner=owner, content_type=f.content_type,
                   size_bytes=f.size_bytes, sha256=f.sha256, status=f.status, linked_record=f.linked_record,
                   created_at=f.created_at.isoformat(),
                   confirmed_at=f.confirmed_at.isoformat() if f.confirmed_at else None, version=f.version)


class UploadForm(Model):
    url: str = Field(description="以 multipart/form-data POST 到此地址")
    fields: dict[str, str] = Field(description="按原样作为表单字段提交，文件须是最后一个字段（名为 file）")
    expires_at: str
    max_bytes: int = Field(description="本次上传允许的字节数（即声明的大小）")


class FileCreated(FileOut):
    upload: UploadForm


class LeafletOut(Model):
    """What anyone may see of a published leaflet (no uploader)."""
    id: str
    title: str
    area: str
    content_type: str
    size_bytes: int
    created_at: str

    @classmethod
    def of(cls, f: StoredFile) -> "LeafletOut":
        return cls(id=f.id, title=f.title, area=f.area, content_type=f.content_type, size_bytes=f.size_bytes,
                   created_at=f.created_at.isoformat())


class Download(Model):
    url: str = Field(description="直接 GET 即可下载，短时有效")
    expires_at: str


# --- which records files may be linked to ---------------------------------------------------------------
# Declared on each plugin (`Plugin.link_rules`, see chalicelib/plugin.py); an entity whose plugin is not
# enabled has no rule: nothing can be linked to it, and its files are readable by their uploader only.
# The core's own records that take attachments declare theirs here, in the same shape.
CORE_LINK_RULES: dict[str, plugin.LinkRule] = {rule.entity: rule for rule in (
    plugin.LinkRule(intake_access.ENTITY, intake_access.may_link),
)}


def link_rule(entity: str) -> plugin.LinkRule | None:
    return CORE_LINK_RULES.get(entity) or plugin.link_rule(entity)


def _may_read_linked(caller: Caller, linked_record: str) -> bool:
    """Whether the linked record's rule lets the caller through (an entity whose plugin is not enabled
    any more: nobody but the uploader)."""
    entity, record_id = linked_record.split(":", 1)
    rule = link_rule(entity)
    if rule is None:
        return False
    try:
        rule.may_link(caller, record_id)
    except Problem:
        return False
    return True


def _check_link(caller: Caller, linked_record: str) -> None:
    entity, record_id = linked_record.split(":", 1)
    rule = link_rule(entity)
    if rule is None:
        raise Unprocessable(f"不能把文件关联到「{entity}」类记录", code="unknown_linked_entity",
                            errors=[{"loc": ["linked_record"], "msg": "不支持关联此类记录"}])
    rule.may_link(caller, record_id)


# --- helpers ------------------------------------------------------------------------------------------------

def slug(title: str, limit: int = 40) -> str:
    """Chinese characters, ASCII letters and digits kept; every other run of characters becomes one `-`;
    runs of 6 or more digits (an ID or phone number typed into the title) are dropped."""
    text = re.sub(r"[0-9]{6,}[Xx]?", "-", title)
    text = re.sub(r"[^0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+", "-", text).strip("-")
    return text[:limit].strip("-") or "file"


def object_key(kind: str, area: str, year: int, file_id: str, title: str, extension: str, *,
               by_resident: bool = False) -> str:
    """Staff-made kinds keep a readable slug; attachments and whatever a resident uploads do not."""
    if kind not in STAFF_KINDS or by_resident:
        return f"{kind}/{area}/{year}/{file_id}.{extension}"
    return f"{kind}/{area}/{year}/{file_id}-{slug(title)}.{extension}"


def bucket_for(kind: str) -> str:
    return config.leaflet_bucket() if kind == "leaflet" else config.ledger_bucket()


def content_disposition(title: str, extension: str) -> str:
    """`attachment` with an ASCII fallback name and the real (Chinese) one in RFC 5987 / 6266 form."""
    stem = title[: -len(extension) - 1] if title.lower().endswith(f".{extension}") else title
    name = f"{stem}.{extension}"
    fallback = f"{re.sub(r'[^0-9A-Za-z._-]+', '_', stem).strip('_.') or 'file'}.{extension}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _field(loc: str, msg: str) -> list[dict[str, Any]]:
    return [{"loc": [loc], "msg": msg}]


def _expires(seconds: int) -> str:
    return (now_utc() + timedelta(seconds=seconds)).isoformat()


def max_upload_bytes(area: str) -> tuple[int, policy.InForce]:
    limit = policy.resolve(MAX_UPLOAD_PARAMETER, area)
    return int(limit.value * MB), limit


# --- service ------------------------------------------------------------------------------------------------

def create(actor: audit.Actor, caller: Caller, data: FileIn) -> tuple[StoredFile, UploadForm]:
    """Register a pending file and return the presigned POST that uploads exactly it."""
    if caller.is_staff:
        require_area(caller, data.area)
    elif data.kind not in RESIDENT_KINDS:
        raise Forbidden(f"居民只能上传附件，不能上传{KIND_TITLES[data.kind]}", code="kind_not_allowed",
                        errors=_field("kind", "居民只能上传 attachment"))
    try:
        limit_bytes, limit = max_upload_bytes(data.area)
    except NotFound as exc:
        if exc.code == "area_not_found":
            raise Unprocessable(f"区域 {data.area} 不存在", code="area_not_found",
                                errors=_field("area", "区域不存在")) from None
        raise
    if data.size_bytes > limit_bytes:
        raise Unprocessable(f"文件过大：上限为 {limit.describe()}", code="file_too_large",
                            errors=_field("size_bytes", f"不能超过 {limit_bytes} 字节（{policy._number(limit.value)} MB）"))
    if data.linked_record:
        _check_link(caller, data.linked_record)

    file_id = uuid.uuid4().hex
    created = now_utc()
    extension = ALLOWED_TYPES[data.content_type][0]
    record = StoredFile(
        id=file_id, title=data.title, kind=data.kind, area=data.area, owner=actor.sub,
        content_type=data.content_type, size_bytes=data.size_bytes, sha256=data.sha256,
        bucket=bucket_for(data.kind),
        key=object_key(data.kind, data.area, to_shanghai(created).year, file_id, data.title, extension,
                       by_resident=not caller.is_staff),
        linked_record=data.linked_record, created_at=created,
    )
    storage.put_new(record, also=[audit.entry(
        actor, "create", ENTITY, file_id,
        f"登记待上传{KIND_TITLES[data.kind]} {file_id}（{extension}，{data.size_bytes} 字节）")])
    return record, upload_form(record)


def generated(actor: audit.Actor, *, title: str, kind: Kind, area: str, content_type: str, content: bytes,
              linked_record: str | None = None) -> tuple[StoredFile, list[dict[str, Any]]]:
    """A file the system made itself (an agreement rendered from its record): the bytes are stored now and
    the record, already available, comes back with its ops — its `Put` and audit entry — for the caller's
    own transaction, so the file and what it documents are written together (no pending record, no
    confirm). The upload limit and the link rule guard what people send; the caller has read and checked
    the record it links to before rendering it."""
    if content_type not in ALLOWED_TYPES or not ALLOWED_TYPES[content_type][1](content[:4096]):
        raise ValueError(f"not a {content_type} file")
    file_id = uuid.uuid4().hex
    created = now_utc()
    extension = ALLOWED_TYPES[content_type][0]
    record = storage.stamp_new(StoredFile(
        id=file_id, title=title, kind=kind, area=area, owner=actor.sub, content_type=content_type,
        size_bytes=len(content), sha256=hashlib.sha256(content).hexdigest(), bucket=bucket_for(kind),
        key=object_key(kind, area, to_shanghai(created).year, file_id, title, extension), status="available",
        linked_record=linked_record, created_at=created, confirmed_at=created))
    aws.s3().put_object(Bucket=record.bucket, Key=record.key, Body=content, ContentType=content_type)
    return record, [storage.put_op(record.to_item()), audit.entry(
        actor, "create", ENTITY, file_id, f"生成{KIND_TITLES[kind]} {file_id}（{extension}，{len(content)} 字节）")]


def upload_form(record: StoredFile) -> UploadForm:
    post = aws.s3().generate_presigned_post(
        Bucket=record.bucket, Key=record.key,
        Fields={"Content-Type": record.content_type},
        Conditions=[{"Content-Type": record.content_type},
                    ["content-length-range", record.size_bytes, record.size_bytes]],
        ExpiresIn=UPLOAD_SECONDS,
    )
    return UploadForm(url=post["url"], fields=post["fields"], expires_at=_expires(UPLOAD_SECONDS),
                      max_bytes=record.size_bytes)


def get(file_id: str) -> StoredFile:
    record = storage.read(StoredFile, file_id) if FILE_ID.match(file_id) else None
    if record is None:
        raise NotFound("没有这个文件", code="file_not_found")
    return record


def _may_handle(caller: Caller, record: StoredFile) -> bool:
    """Its uploader; for a linked file whoever the record's link rule lets through; for what staff make,
    the staff covering its area. Never area coverage alone for an attachment."""
    if caller.sub == record.owner:
        return True
    if record.kind in STAFF_KINDS and caller.covers(record.area):
        return True
    if record.linked_record:
        return _may_read_linked(caller, record.linked_record)
    return False


def may_see(caller: Caller, record: StoredFile) -> bool:
    """Published leaflets: anyone signed in. Everything else: see `_may_handle`."""
    if record.kind == "leaflet" and record.status == "available":
        return True
    return _may_handle(caller, record)


def visible(caller: Caller, file_id: str) -> StoredFile:
    """The file if the caller may see it; otherwise 404, since even its existence is private."""
    record = get(file_id)
    if not may_see(caller, record):
        raise NotFound("没有这个文件", code="file_not_found")
    return record


def confirm(actor: audit.Actor, caller: Caller, file_id: str) -> StoredFile:
    """Mark the upload available once the object is there as declared; confirming twice is harmless."""
    record = get(file_id)
    if not _may_handle(caller, record):
        raise NotFound("没有这个文件", code="file_not_found")
    if record.status == "available":
        return record
    from botocore.exceptions import ClientError

    s3 = aws.s3()
    try:
        head = s3.head_object(Bucket=record.bucket, Key=record.key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            raise Conflict("还没有收到上传的文件，请先按 upload 上传再确认", code="upload_missing",
                           errors=[{"loc": ["file_id"], "msg": "对象不存在"}]) from None
        raise
    if head["ContentLength"] != record.size_bytes:
        raise Unprocessable(f"上传的文件大小为 {head['ContentLength']} 字节，与登记的 {record.size_bytes} 字节不符",
                            code="size_mismatch", errors=[{"loc": ["file", "size_bytes"], "msg": "与实际大小不符"}])
    actual_type = (head.get("ContentType") or "").split(";")[0].strip().lower()
    if actual_type != record.content_type:
        raise Unprocessable(f"上传的文件类型为「{actual_type or '未知'}」，与登记的「{record.content_type}」不符",
                            code="type_mismatch", errors=[{"loc": ["file", "content_type"], "msg": "与实际类型不符"}])
    digest, head_bytes = _read_digest(s3, record)
    if not ALLOWED_TYPES[record.content_type][1](head_bytes):
        raise Unprocessable(f"文件内容不像 {record.extension.upper()} 文件", code="type_mismatch",
                            errors=[{"loc": ["file", "content_type"], "msg": "内容与类型不符"}])
    if digest != record.sha256:
        raise Unprocessable("文件内容的 SHA-256 与登记的不符（上传不完整或文件已变）", code="checksum_mismatch",
                            errors=[{"loc": ["file", "sha256"], "msg": "校验值不符"}])
    try:
        return storage.update(record, {"status": "available", "confirmed_at": now_utc()},
                              expected_version=record.version, also=[audit.entry(
                                  actor, "confirm", ENTITY, record.id, f"确认上传{KIND_TITLES[record.kind]} {record.id}",
                                  {"status": {"from": "pending", "to": "available"}})])
    except Conflict as exc:  # confirmed by a concurrent call a moment ago: the same outcome
        current = storage.read(StoredFile, file_id, consistent=True)
        if exc.code == "stale_version" and current is not None and current.status == "available":
            return current
        raise


def _read_digest(s3, record: StoredFile) -> tuple[str, bytes]:
    """SHA-256 of the object, streamed (never more than a chunk in memory), and its first bytes."""
    body = s3.get_object(Bucket=record.bucket, Key=record.key)["Body"]
    digest, first = hashlib.sha256(), b""
    for chunk in body.iter_chunks(chunk_size=1024 * 1024):
        if not first:
            first = chunk[:4096]
        digest.update(chunk)
    return digest.hexdigest(), first


def read_bytes(record: StoredFile) -> bytes:
    """The content of an available file, for plugins that process an upload (e.g. a CSV import), checked
    again against the confirmed SHA-256 so what is processed is exactly what was confirmed. The caller
    audits its own action (the import), which names the file."""
    if record.status != "available":
        raise Conflict("文件尚未上传完成", code="file_not_available")
    data = aws.s3().get_object(Bucket=record.bucket, Key=record.key)["Body"].read()
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise Conflict("文件内容与确认时不一致", code="checksum_mismatch")
    return data


def download_link(actor: audit.Actor, record: StoredFile) -> Download:
    """A presigned GET for an available file, named by its title. Downloads of anything but a published
    leaflet may carry personal data, so they are audited. Plugins call this after their own checks."""
    if record.status != "available":
        raise Conflict("文件尚未上传完成，暂不能下载", code="file_not_available")
    storage.transact(download_entries(actor, record))
    return signed_link(record)


def download_entries(actor: audit.Actor, record: StoredFile) -> list[dict[str, Any]]:
    """The audit entry of a download of `record` (none for a published leaflet), for a transaction: a
    service that writes the file itself (a report) audits its download in that same write."""
    if record.kind == "leaflet":
        return []
    return [audit.entry(actor, "read", ENTITY, record.id, f"下载{KIND_TITLES[record.kind]} {record.id}")]


def signed_link(record: StoredFile) -> Download:
    """The presigned GET of `download_link`, for a caller that wrote its `download_entries` already."""
    url = aws.s3().generate_presigned_url("get_object", ExpiresIn=DOWNLOAD_SECONDS, Params={
        "Bucket": record.bucket, "Key": record.key, "ResponseContentType": record.content_type,
        "ResponseContentDisposition": content_disposition(record.title, record.extension)})
    return Download(url=url, expires_at=_expires(DOWNLOAD_SECONDS))


def download(actor: audit.Actor, caller: Caller, file_id: str) -> Download:
    return download_link(actor, visible(caller, file_id))


def attach(actor: audit.Actor, caller: Caller, file_id: str, entity: str, record_id: str) -> StoredFile:
    """Link a file the caller uploaded (or, for what staff make, staff of its area) to a record; for plugins,
    after they checked the caller may change that record. Linking again to the same record is harmless; to
    another is 409. A file the caller may not handle is 404."""
    record = get(file_id)
    if not _may_handle(caller, record):
        raise NotFound("没有这个文件", code="file_not_found")
    linked = f"{entity}:{record_id}"
    if not LINKED_RECORD.match(linked):
        raise ValueError(f"bad record reference {linked!r}")
    if record.linked_record == linked:
        return record
    if record.linked_record:
        raise Conflict(f"该文件已关联到 {record.linked_record}", code="file_already_linked")
    return storage.update(record, {"linked_record": linked}, expected_version=record.version, also=[
        audit.entry(actor, "link", ENTITY, record.id, f"关联到 {linked}", {"linked_record": {"to": linked}})])


def link_ops(actor: audit.Actor, caller: Caller, record: StoredFile, entity: str, record_id: str) -> list[Any]:
    """`attach` for a record being created: the link and its audit entry as operations of the record's own
    transaction, so neither exists without the other. `record` as the caller read it (a file they may not
    handle is 404); a link made meanwhile fails the transaction with 409 `file_already_linked`."""
    if not _may_handle(caller, record):
        raise NotFound("没有这个文件", code="file_not_found")
    return _link_new(actor, record, entity, record_id)


def _link_new(actor: audit.Actor, record: StoredFile, entity: str, record_id: str) -> list[Any]:
    linked = f"{entity}:{record_id}"
    if not LINKED_RECORD.match(linked):
        raise ValueError(f"bad record reference {linked!r}")
    _, op = storage.prepare_update(record, {"linked_record": linked}, expected_version=record.version)
    return [storage.Check(op, Conflict("该文件已关联到其他记录", code="file_already_linked")),
            audit.entry(actor, "link", ENTITY, record.id, f"关联到 {linked}", {"linked_record": {"to": linked}})]


def attachments_ops(actor: audit.Actor, caller: Caller, file_ids: list[str], entity: str, record_id: str, *,
                    field: str = "attachment_ids") -> list[Any]:
    """The attachments of a record being created, answered in one place and one read (a BatchGetItem for
    all of them): each must be a file the caller may use (sees and handles: their upload, or a linked
    file's record they read), uploaded (`available`) and linked to nothing yet (the record has no id
    before this, so any link is to another record). The answer is `link_ops` for each, operations of the
    record's own transaction. The first file that fails is a 422 located at `field` and its index:
    `attachment_not_found` (missing, or not the caller's to use: the same answer, a file's existence is
    private), `attachment_not_available`, `attachment_already_linked`."""
    found: dict[str, StoredFile] = storage.find_many(StoredFile, [i for i in file_ids if FILE_ID.match(i)])
    ops: list[Any] = []
    for index, file_id in enumerate(file_ids):
        loc = [field, str(index)]
        record = found.get(file_id)
        if record is None or not may_see(caller, record):
            raise Unprocessable("附件不存在或无权使用", code="attachment_not_found",
                                errors=[{"loc": loc, "msg": "附件不存在"}])
        if record.status != "available":
            raise Unprocessable("附件尚未上传完成", code="attachment_not_available",
                                errors=[{"loc": loc, "msg": "请先完成上传并确认"}])
        if record.linked_record:
            raise Unprocessable("附件已用于其他事项", code="attachment_already_linked",
                                errors=[{"loc": loc, "msg": "已关联到其他记录"}])
        if not _may_handle(caller, record):  # a published leaflet: seen by all, used by its staff only
            raise Unprocessable("附件不存在或无权使用", code="attachment_not_found",
                                errors=[{"loc": loc, "msg": "附件不存在"}])
        ops += _link_new(actor, record, entity, record_id)
    return ops


def for_record(entity: str, record_id: str, *, limit: int = 20, cursor: str | None = None) -> Page[FileOut]:
    """The available files linked to one record, oldest first (the plugin decides who may see them)."""
    page = storage.page(StoredFile, FILES_FOR, (entity, record_id), limit=limit, cursor=cursor)
    return Page[FileOut](items=[FileOut.of(StoredFile.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def linked_to(caller: Caller, linked_record: str, *, limit: int, cursor: str | None) -> Page[FileOut]:
    """The files attached to a record, for whoever its link rule lets through (a ticket's resident and
    the staff holding it); anyone else gets the record's own 404. One Query after the rule's check."""
    entity, _, record_id = linked_record.partition(":")
    rule = link_rule(entity)
    if rule is None:
        raise Unprocessable(f"「{entity}」类记录没有附件", code="unknown_linked_entity",
                            errors=[{"loc": ["linked_record"], "msg": "不支持关联此类记录"}])
    rule.may_link(caller, record_id)
    page = storage.page(StoredFile, FILES_FOR, (entity, record_id), limit=limit, cursor=cursor)
    return Page[FileOut](items=[FileOut.of(StoredFile.from_item(i), viewer=caller) for i in page.items],
                    next_cursor=page.next_cursor)


def leaflets(area_code: str, *, limit: int, cursor: str | None) -> Page[LeafletOut]:
    """Published leaflets of an area and everything below it (C10: downloadable by residents): one Query;
    only an empty first page reads the area, to answer 404 for an unknown one rather than an empty list."""
    from chalicelib.domain.areas import service as areas

    if not areas.is_code(area_code):
        areas.get(area_code)  # the same 404 for a code that cannot be one, before any key is made of it
    page = storage.page(StoredFile, LEAFLET_LIST, area_code, limit=limit, cursor=cursor)
    if not page.items and cursor is None:
        areas.get(area_code)
    return Page[LeafletOut](items=[LeafletOut.of(StoredFile.from_item(i)) for i in page.items],
                       next_cursor=page.next_cursor)
