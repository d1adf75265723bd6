"""Monthly ledgers and exports (SPEC C9, issue 23 §1 and §3): `POST /v1/ledgers/exports {area, period, kind,
format}` — an area's ledger of one service over a month (or a year), as XLSX or CSV:

- `kind=<service>` (a service keeping `stat_counters`): a row per direct sub-area (and one for what was
  recorded at the area itself), a column per counter, a total row — the counters summed child → parent
  (`counters.rollup`, the one Query that also gives the data version);
- `kind=<ledger rows key>` (a service's `LedgerRows`, "一事一记"): a row per record, from the service's
  `rows(area, months)`. Its size is known before reading from the counter it names: up to `SYNC_ROWS`
  rows are written at once, more go to the background (`ExportJob`, a status record; `queue`), written
  with openpyxl's `write_only` so a district's year (50,000 rows) stays within the function's memory.

Stored at `ledgers/<area>/<yyyy>/<period>-<kind>.<xlsx|csv>`, the object recording the data version it was
built from (its metadata): asked again while the data version is the same, the file is handed over as it
is, not rebuilt; one export per (area, period, kind, format, data version). Every cell goes through
`tabular.cell` (no formula runs) and the ledger's masking; only counts ever leave a service's figures here.
Every export and every download is audited; the caller gets a presigned link.
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import uuid
from datetime import datetime
from typing import Any, ClassVar, Iterable, Literal, Sequence

from pydantic import ConfigDict, Field

from chalicelib import plugin
from chalicelib.domain.areas import service as areas
from chalicelib.domain.files import service as files
from chalicelib.domain.ledgers import counters, service as ledger, stats
from chalicelib.domain.files.service import Download
from chalicelib.platform import audit, aws, config, storage, tabular
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable, field_error
from chalicelib.platform.logs import logger
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import now_utc, to_shanghai

SYNC_ROWS = 2_000          # record-by-record ledgers with more rows than this are written in the background
CONTENT_TYPES = {"xlsx": ledger.XLSX, "csv": "text/csv"}
VERSION_META = "data-version"
JOB = "ledger-export"
OWN_LEVEL = "（本级）"


class LedgerExportIn(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(pattern=r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$", description="区域代码（省至网格）",
                      examples=["320402"])
    period: str = Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$", description="月份 YYYY-MM 或年度 YYYY（北京时间）",
                        examples=["2026-11"])
    kind: str = Field(min_length=2, max_length=60, description="已启用服务的名称（业务量台账），或服务声明的逐条台账",
                      examples=["mediation"])
    format: Literal["xlsx", "csv"] = "xlsx"


class LedgerExportOut(Model):
    export_id: str
    area: str
    period: str
    kind: str
    format: str
    data_version: int = Field(description="所依据的数据版本；数据未变时再次导出直接取用已生成的文件")
    status: Literal["ready", "queued", "running", "failed"]
    rebuilt: bool = Field(description="本次是否重新生成（数据未变时为 false）")
    rows: int | None = Field(None, description="数据行数")
    file_id: str | None = None
    title: str
    download: Download | None = Field(None, description="status 为 ready 时的短时下载链接")
    detail: str = ""


class ExportJob(storage.Record):
    """A background export's status record, named by what it exports (one per area, period, kind, format and
    data version): created once, moved queued → running → done | failed by the queue's handler."""
    entity: ClassVar[str] = JOB
    id: str
    area: str
    period: str
    kind: str
    format: str
    data_version: int
    title: str
    requested_by: str
    status: Literal["queued", "running", "done", "failed"] = "queued"
    rows: int | None = None
    file_id: str | None = None
    error: str | None = None
    finished_at: datetime | None = None


def object_key(area: str, period: str, kind: str, fmt: str) -> str:
    return f"ledgers/{area}/{period[:4]}/{period}-{kind}.{fmt}"


def export_id(area: str, period: str, kind: str, fmt: str, version: int) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"fawangge:ledger-export:{area}:{period}:{kind}:{fmt}:{version}").hex


def _file_id(area: str, period: str, kind: str, fmt: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"fawangge:ledger:{object_key(area, period, kind, fmt)}").hex


# --- what is asked ---------------------------------------------------------------------------------------

def _what(kind: str) -> tuple[plugin.Plugin, plugin.LedgerRows | None]:
    """(the service, its record-by-record ledger or None for its counters' ledger) named by `kind`."""
    found = plugin.ledger_rows(kind)
    if found is not None:
        return found
    if "." in kind:
        raise Unprocessable(f"未知的台账种类 {kind}", code="unknown_kind", errors=field_error(["kind"], "没有这种逐条台账"))
    return stats.service(kind, ["kind"], also="服务声明的逐条台账或"), None


def export(actor: audit.Actor, caller: Caller, data: LedgerExportIn) -> LedgerExportOut:
    """The ledger asked for: the stored one when its data version is current, else built now (small) or in the
    background (large). Staff covering the area only (403 naming `area`); a future period, an unknown kind or
    a service not enabled here is 422 naming the field."""
    require_covers(caller, data.area, ["area"])
    months = stats.months_of(data.period, ["period"])
    service, rows = _what(data.kind)
    figures = counters.rollup(data.area, months)
    key = object_key(data.area, data.period, data.kind, data.format)
    eid = export_id(data.area, data.period, data.kind, data.format, figures.data_version)
    stored = _stored_version(key)
    if stored == figures.data_version:
        record = _file(data, service, rows, size=0)
        storage.transact([audit.entry(actor, "export", "ledger", f"{data.area}:{data.period}:{data.kind}",
                                      f"导出台账（数据未变，取用已生成文件，数据版本 {stored}）"),
                          *files.download_entries(actor, record)])
        return _out(data, eid, figures.data_version, "ready", False, None, record)
    expected = int(figures.total(rows.count)) if rows else None
    if rows is not None and expected > SYNC_ROWS:
        return _queue(actor, caller, data, eid, figures.data_version, _title(service, rows, data), expected)
    chain = areas.get_many([*areas.ancestors(data.area), *figures.by_child])
    full_name = _full_name(data.area, chain)
    moment = now_utc()
    cover = _cover(full_name, data, service, rows, actor.sub, moment, figures.data_version)
    if rows is None:
        header, body = _counter_table(data.area, service, figures, chain)
        content = _bytes(data.format, cover, service.title, header, body)
        count = len(body) - 1
    else:
        with _written(data.format, cover, rows.title, rows.headers, rows.rows(data.area, months)) as (path, count):
            content = _read(path)
    record = _store(actor, data, service, rows, content, figures.data_version, moment)
    return _out(data, eid, figures.data_version, "ready", True, count, record)


def _stored_version(key: str) -> int | None:
    try:
        head = aws.s3().head_object(Bucket=config.ledger_bucket(), Key=key)
    except aws.s3().exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    value = head.get("Metadata", {}).get(VERSION_META)
    return int(value) if value and value.isdigit() else None


def _title(service: plugin.Plugin, rows: plugin.LedgerRows | None, data: LedgerExportIn) -> str:
    what = rows.title if rows else f"{service.title}工作台账"
    return f"{data.area} {data.period} {what}"


def _full_name(area: str, chain: dict[str, areas.Area]) -> str:
    if area not in chain:
        raise Unprocessable(f"区域 {area} 不存在", code="area_not_found", errors=field_error(["area"], "区域不存在"))
    return "".join(chain[c].name for c in areas.ancestors(area) if c in chain)


def _cover(full_name: str, data: LedgerExportIn, service: plugin.Plugin, rows: plugin.LedgerRows | None, by: str,
           moment: datetime, version: int) -> list[tuple[str, str]]:
    return [("台账", f"{full_name}{data.period} {rows.title if rows else service.title + '工作台账'}"),
            ("区域", full_name), ("区域代码", data.area), ("期间", data.period), ("服务", service.title),
            ("生成时间", to_shanghai(moment).strftime("%Y-%m-%d %H:%M") + "（北京时间）"), ("生成人", by),
            ("数据版本", str(version))]


def _counter_table(area: str, service: plugin.Plugin, figures: counters.Figures,
                   chain: dict[str, areas.Area]) -> tuple[list[str], list[list[Any]]]:
    """A row per direct sub-area with figures (and the area's own), a column per counter, the total row."""
    keys = [c.key for c in service.stat_counters]
    body = []
    for code, totals in sorted(figures.by_child.items()):
        if not any(k in totals for k in keys):  # counted by other services only
            continue
        name = chain[code].name if code in chain else code
        body.append([code, name + (OWN_LEVEL if code == area else ""), *(totals.get(k, 0) for k in keys)])
    body.append(["", ledger.TOTAL_ROW, *(figures.total(k) for k in keys)])
    return ["区域代码", "区域", *(c.title for c in service.stat_counters)], body


def _bytes(fmt: str, cover: list[tuple[str, str]], title: str, header: list[str], body: list[list[Any]]) -> bytes:
    if fmt == "csv":
        return tabular.write_csv([[ledger.masked(v) for v in row] for row in [header, *body]])
    return ledger.workbook(cover, [ledger.Sheet("", title, header, body)])


class _written:
    """Rows streamed to a temporary file (XLSX `write_only`, or CSV), never all held in memory: (path, rows)."""

    def __init__(self, fmt: str, cover: list[tuple[str, str]], title: str, header: Sequence[str],
                 rows: Iterable[Sequence[Any]]) -> None:
        self.fmt, self.cover, self.title, self.header, self.rows = fmt, cover, title, list(header), rows
        self.path = ""

    def __enter__(self) -> tuple[str, int]:
        handle, self.path = tempfile.mkstemp(suffix="." + self.fmt)
        os.close(handle)
        count = write_csv(self.path, self.header, self.rows) if self.fmt == "csv" else \
            write_xlsx(self.path, self.cover, self.title, self.header, self.rows)
        return self.path, count

    def __exit__(self, *exc: object) -> None:
        if self.path and os.path.exists(self.path):
            os.remove(self.path)


def _clean(values: Sequence[Any]) -> list[Any]:
    return [ledger._cell(v) for v in values]


def write_csv(path: str, header: list[str], rows: Iterable[Sequence[Any]]) -> int:
    import csv

    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(_clean(header))
        for values in rows:
            writer.writerow(_clean(values))
            count += 1
    return count


def write_xlsx(path: str, cover: list[tuple[str, str]], title: str, header: list[str],
               rows: Iterable[Sequence[Any]]) -> int:
    """A cover and one sheet of rows with openpyxl's `write_only` (rows go to disk as they come): bold frozen
    header, the header on every printed page, A4 landscape fitted to the width, widths from the header."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(name: str, head: list[str], widths: list[int]):
        ws = book.create_sheet(name)
        ws.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            from openpyxl.utils import get_column_letter

            ws.column_dimensions[get_column_letter(index)].width = min(max(width, 8) + 2, ledger.MAX_WIDTH)
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        cells = []
        for value in _clean(head):
            cell = WriteOnlyCell(ws, value=value)
            cell.font = bold
            cells.append(cell)
        ws.append(cells)
        return ws

    front = sheet(ledger.COVER_SHEET, ["项目", "内容"], [8, max(ledger._width(v) for _, v in cover)])
    for pair in cover:
        front.append(_clean(pair))
    body = sheet(ledger._sheet_name(title, {ledger.COVER_SHEET}), header, [ledger._width(h) + 4 for h in header])
    count = 0
    for values in rows:
        body.append(_clean(values))
        count += 1
    book.save(path)
    return count


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _file(data: LedgerExportIn, service: plugin.Plugin, rows: plugin.LedgerRows | None, *, size: int,
          sha256: str = "", moment: datetime | None = None) -> files.StoredFile:
    moment = moment or now_utc()
    return files.StoredFile(id=_file_id(data.area, data.period, data.kind, data.format),
                            title=f"{_title(service, rows, data)}.{data.format}", kind="ledger", area=data.area,
                            owner="system", content_type=CONTENT_TYPES[data.format], size_bytes=size, sha256=sha256,
                            bucket=config.ledger_bucket(), key=object_key(data.area, data.period, data.kind, data.format),
                            status="available", confirmed_at=moment, created_at=moment, updated_at=moment)


def _put(key: str, fmt: str, content: bytes | str, version: int) -> None:
    """The object, recording the data version it was built from (bytes, or a file's path)."""
    extra = {"Bucket": config.ledger_bucket(), "Key": key, "ContentType": CONTENT_TYPES[fmt],
             "Metadata": {VERSION_META: str(version)}}
    if isinstance(content, bytes):
        aws.s3().put_object(Body=content, **extra)
    else:
        with open(content, "rb") as body:
            aws.s3().put_object(Body=body, **extra)


def _store(actor: audit.Actor, data: LedgerExportIn, service: plugin.Plugin, rows: plugin.LedgerRows | None,
           content: bytes, version: int, moment: datetime) -> files.StoredFile:
    _put(object_key(data.area, data.period, data.kind, data.format), data.format, content, version)
    record = _file(data, service, rows, size=len(content), sha256=hashlib.sha256(content).hexdigest(), moment=moment)
    storage.transact([storage.put_op(record.to_item(), must_not_exist=False),
                      audit.entry(actor, "export", "ledger", f"{data.area}:{data.period}:{data.kind}",
                                  f"生成台账 {record.title}（数据版本 {version}）"),
                      *files.download_entries(actor, record)])
    return record


def _out(data: LedgerExportIn, eid: str, version: int, status: str, rebuilt: bool, count: int | None,
         record: files.StoredFile | None, detail: str = "") -> LedgerExportOut:
    return LedgerExportOut(export_id=eid, area=data.area, period=data.period, kind=data.kind, format=data.format,
                     data_version=version, status=status, rebuilt=rebuilt, rows=count,
                     file_id=record.id if record else None,
                     title=record.title if record else "", download=files.signed_link(record) if record else None,
                     detail=detail)


# --- in the background -------------------------------------------------------------------------------------

def _queue(actor: audit.Actor, caller: Caller, data: LedgerExportIn, eid: str, version: int, title: str,
           expected: int) -> LedgerExportOut:
    """The export's status record and its audit entry in one write (one per data version: asked again, the
    same record answers), then its message on the ledger queue."""
    from chalicelib.domain.ledgers import queue

    job = ExportJob(id=eid, area=data.area, period=data.period, kind=data.kind, format=data.format,
                    data_version=version, title=f"{title}.{data.format}", requested_by=caller.sub, rows=expected)
    try:
        storage.put_new(storage.stamp_new(job), also=[audit.entry(
            actor, "export", "ledger", f"{data.area}:{data.period}:{data.kind}",
            f"申请后台导出台账 {job.title}（约 {expected} 行，数据版本 {version}）")])
    except Conflict:  # already asked for this data version: its status record answers (a failed one is retried)
        existing = storage.read(ExportJob, eid, consistent=True)
        if existing is not None and existing.status == "failed":
            queue.send([{"export_id": eid}])
        return status(actor, caller, eid)
    queue.send([{"export_id": eid}])
    return status(actor, caller, eid)


def status(actor: audit.Actor, caller: Caller, eid: str) -> LedgerExportOut:
    """A background export's status; once done, the download link (its download audited). Staff covering
    its area only; anyone else is told it does not exist."""
    job = storage.read(ExportJob, eid, consistent=True) if storage.is_record_id(eid) else None
    if job is None or not caller.covers(job.area):
        raise NotFound("没有这项台账导出", code="export_not_found")
    data = LedgerExportIn.model_construct(area=job.area, period=job.period, kind=job.kind, format=job.format)
    if job.status != "done" or job.file_id is None:
        shown = "ready" if job.status == "done" else job.status
        detail = {"queued": "已排队，稍后再查询", "running": "正在生成", "failed": f"生成失败（{job.error}），请重新导出"}
        return _out(data, eid, job.data_version, shown, False, job.rows, None, detail.get(job.status, ""))
    record = files.StoredFile(id=job.file_id, title=job.title, kind="ledger", area=job.area, owner="system",
                              content_type=CONTENT_TYPES[job.format], size_bytes=0, sha256="",
                              bucket=config.ledger_bucket(), key=object_key(job.area, job.period, job.kind, job.format))
    storage.transact(files.download_entries(actor, record))
    return _out(data, eid, job.data_version, "ready", True, job.rows, record)


def run(eid: str) -> str:
    """Write one background export (the queue's handler): its rows streamed to a temporary file with
    `write_only`, the object put, then the file record and the status in one transaction. Idempotent: a job
    already done is left as it is. Returns the job's final status."""
    job = storage.read(ExportJob, eid, consistent=True)
    if job is None or job.status == "done":
        return "done" if job else "missing"
    found = plugin.ledger_rows(job.kind)
    if found is None:
        _finish(job, "failed", error="kind_not_enabled")
        return "failed"
    service, rows = found
    data = LedgerExportIn.model_construct(area=job.area, period=job.period, kind=job.kind, format=job.format)
    moment = now_utc()
    chain = areas.get_many(areas.ancestors(job.area))
    cover = _cover(_full_name(job.area, chain), data, service, rows, job.requested_by, moment, job.data_version)
    months = stats.months_of(job.period, ["period"])
    try:
        with _written(job.format, cover, rows.title, rows.headers, rows.rows(job.area, months)) as (path, count):
            digest, size = _digest(path)
            _put(object_key(job.area, job.period, job.kind, job.format), job.format, path, job.data_version)
    except Exception as exc:  # noqa: BLE001 — the status says it failed; the queue retries
        logger().exception("ledger export failed", extra={"export": eid, "error": type(exc).__name__})
        _finish(job, "failed", error=plugin.failure(exc))
        raise
    record = _file(data, service, rows, size=size, sha256=digest, moment=moment)
    made = audit.entry(audit.SYSTEM, "export", "ledger", f"{job.area}:{job.period}:{job.kind}",
                       f"后台生成台账 {record.title}（{count} 行，数据版本 {job.data_version}，申请人 {job.requested_by}）")
    _finish(job, "done", rows=count, file_id=record.id,
            also=[storage.put_op(record.to_item(), must_not_exist=False), made])
    return "done"


def _digest(path: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _finish(job: ExportJob, state: str, *, also: list[dict] = (), **changes: Any) -> None:
    storage.update(job, {"status": state, "finished_at": now_utc(), **changes}, expected_version=job.version,
                   also=list(also))
