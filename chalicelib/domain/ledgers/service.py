"""The village's yearly ledger (SPEC C9 "一村一卷"): an XLSX a village's clerk prints as it is.

- A cover sheet (封面): the village's full name from the area chain (province down), its code, the period,
  when (Asia/Shanghai) and by whom it was generated, and which columns are empty because a service has no
  figures for them (未接入) or failed to give them (未能生成: not zero).
- One sheet per enabled service declaring `ledger_columns`: a row per month of the year (this year: up to
  this month), a total row, a column per declared column (Chinese headers); each figure is what the
  column's `values(area, months)` reads from the counts its service keeps, for the village and below.
- Every sheet: bold frozen header row, widths that fit (CJK characters count two), the header repeated on
  every printed page, A4 landscape fitted to the page width.
- Figures only, no person-level rows; whatever text reaches a cell (an area's name typed by an admin) has ID
  and mobile numbers masked, and every cell goes through `tabular.cell` (no cell runs as a formula).
- Stored in the ledger bucket at `ledgers/<area>/<yyyy>/<yyyy>-village.xlsx` as a `ledger` file of the
  village, one current file per (village, year), its object recording the data version it was built from:
  asked again while the version is the same, the stored file is handed over, not rebuilt; else building it
  again replaces it (the bucket keeps versions). The data version is the statistics' counters' (`events`
  of the village's year, `counters.rollup`) joined with a digest of what the other columns read (a tally of
  the service's own, which moves no counter) and of the village's full name, so a change of either rebuilds
  it; a ledger with a failed column is always built again.
  The file record, the audit entry of its making and the one of its download are one transaction; the
  caller gets a presigned link.

A column whose `values` raises fails alone: it is named on the cover and in the answer, the others stand.
"""
from __future__ import annotations

import hashlib
import io
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chalicelib import plugin
from chalicelib.domain.areas import service as areas
from chalicelib.domain.files import service as files
from chalicelib.domain.ledgers import counters
from chalicelib.domain.ledgers.models import LedgerIn, LedgerOut
from chalicelib.platform import audit, aws, config, pii, storage, tabular
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.logs import logger
from chalicelib.platform.timeutil import now_utc, to_shanghai

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ENTITY = "ledger"
KIND = "village"
COVER_SHEET = "封面"
MONTH_HEADER = "月份"
TOTAL_ROW = "合计"
NOT_WIRED = "未接入"
MAX_WIDTH = 50
_ID_NUMBER = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")


@dataclass(frozen=True)
class Sheet:
    """One service's sheet: its title, its columns' titles and a row of figures per month (None: no figure)."""
    service: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def file_id(area: str, year: int) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"fawangge:ledger:{KIND}:{area}:{year}").hex


def object_key(area: str, year: int) -> str:
    return f"ledgers/{area}/{year:04d}/{year:04d}-{KIND}.xlsx"


def months_of(year: int, today_month: str) -> tuple[str, ...]:
    """The months of `year` the ledger covers: all twelve, or this year's up to this month."""
    last = int(today_month[5:]) if today_month.startswith(f"{year:04d}-") else 12
    return tuple(f"{year:04d}-{m:02d}" for m in range(1, last + 1))


def build(actor: audit.Actor, caller: Caller, data: LedgerIn) -> LedgerOut:
    """The village's ledger of `data.year`, written and handed over as a presigned link. Staff covering the
    village only (403 naming `area`); a year after this one, or an area that is not an existing village,
    is 422 naming the field."""
    require_covers(caller, data.area, ["area"])
    moment = now_utc()
    this_month = to_shanghai(moment).strftime("%Y-%m")
    if data.year > int(this_month[:4]):
        raise Unprocessable(f"{data.year} 年尚未到来，没有台账", code="future_year",
                            errors=field_error(["year"], "不能晚于今年"))
    chain = areas.get_many(areas.ancestors(data.area))
    village = chain.get(data.area)
    if village is None or village.status != "active":
        raise Unprocessable(f"区域 {data.area} 不存在或已撤销", code="area_not_found",
                            errors=field_error(["area"], "区域不存在或已撤销"))
    if village.level != "village":
        raise Unprocessable("一村一卷：请指定村（社区）", code="not_a_village",
                            errors=field_error(["area"], "应为村（社区）代码"))
    full_name = "".join(chain[c].name for c in areas.ancestors(data.area) if c in chain)
    months = months_of(data.year, this_month)
    rolled = counters.rollup(data.area, months)
    sheets, failed, unwired = figures(data.area, months, rolled)
    title = f"{full_name}{data.year}年度工作台账"
    version = data_version(rolled, full_name, sheets, unwired, failed)
    if stored_version(object_key(data.area, data.year)) == version:
        record = _record(data.area, data.year, f"{title}.xlsx", b"", moment)
        storage.transact([audit.entry(actor, "export", ENTITY, f"{data.area}:{data.year}",
                                      f"{data.year} 年度村（社区）台账数据未变，取用已生成文件（数据版本 {version}）"),
                          *files.download_entries(actor, record)])
        return LedgerOut(area=data.area, area_name=full_name, year=data.year, months=list(months),
                         services=[s.service for s in sheets], failed_columns=failed, file_id=record.id,
                         title=record.title, data_version=version, rebuilt=False, download=files.signed_link(record))
    cover = [("台账", f"{title}（一村一卷）"), ("区域", full_name), ("区域代码", data.area),
             ("期间", f"{months[0]} 至 {months[-1]}"),
             ("生成时间", to_shanghai(moment).strftime("%Y-%m-%d %H:%M") + "（北京时间）"), ("生成人", actor.sub),
             ("服务", "、".join(s.title for s in sheets) or "无（未启用声明台账列的服务）")]
    if unwired:
        cover.append((NOT_WIRED, "、".join(unwired) + "：该服务尚未提供此列数据，列为空"))
    if failed:
        cover.append(("未能生成", "、".join(f"{key}（{error}）" for key, error in sorted(failed.items()))
                      + "：本次未能读取，列为空，不代表为零"))
    data_bytes = workbook(cover, sheets)
    record = _store(actor, data.area, data.year, f"{title}.xlsx", data_bytes, moment, version)
    return LedgerOut(area=data.area, area_name=full_name, year=data.year, months=list(months),
                     services=[s.service for s in sheets], failed_columns=failed, file_id=record.id,
                     title=record.title, data_version=version, rebuilt=True, download=files.signed_link(record))


VERSION_META = "data-version"


def data_version(rolled: counters.Figures, full_name: str, sheets: list[Sheet], unwired: list[str],
                 failed: dict[str, str]) -> str:
    """The ledger's data version: the counters' (`events`, only ever growing) and a digest of everything else
    its content depends on — the figures of columns read from a service's own tallies, which move no
    counter, and the village's full name. A ledger with a failed column gets a version never stored again."""
    if failed:
        return f"{rolled.data_version}-partial-{uuid.uuid4().hex[:8]}"
    content = repr((full_name, [(s.service, s.headers, s.rows) for s in sheets], unwired)).encode()
    return f"{rolled.data_version}-{hashlib.sha256(content).hexdigest()[:16]}"


def stored_version(key: str) -> str | None:
    """The data version the stored object at `key` was built from (its metadata), or None (none stored)."""
    try:
        head = aws.s3().head_object(Bucket=config.ledger_bucket(), Key=key)
    except aws.s3().exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return head.get("Metadata", {}).get(VERSION_META)


def figures(area: str, months: tuple[str, ...], rolled: counters.Figures) -> tuple[list[Sheet], dict[str, str], list[str]]:
    """(one sheet per enabled service with ledger columns, failed columns → error, titles of columns without
    figures). Each column is asked once for all the months; one that raises fails alone. Columns reading the
    statistics' counters (`counters.monthly`) read `rolled`, the one roll-up of the village's year."""
    sheets, failed, unwired = [], {}, []
    for service in plugin.enabled():
        if not service.ledger_columns:
            continue
        columns: list[dict[str, Any] | None] = []
        for column in service.ledger_columns:
            if column.values is None:
                unwired.append(f"{service.title}·{column.title}")
                columns.append(None)
                continue
            try:
                counter = getattr(column.values, "counter", None)
                if counter is not None:
                    columns.append(rolled.monthly(counter))
                    continue
                columns.append(dict(column.values(area, months)))
            except Exception as exc:  # noqa: BLE001 — a column that fails must not cost the ledger
                logger().exception("ledger column failed", extra={"plugin": service.name, "hook": column.key,
                                                                  "error": type(exc).__name__})
                failed[column.key] = plugin.failure(exc)
                columns.append(None)
        rows = [[month, *(None if c is None else c.get(month, 0) for c in columns)] for month in months]
        totals = [None if c is None else sum((c.get(m, 0) for m in months), start=0) for c in columns]
        sheets.append(Sheet(service.name, service.title, [MONTH_HEADER, *(c.title for c in service.ledger_columns)],
                            [*rows, [TOTAL_ROW, *totals]]))
    return sheets, failed, unwired


def masked(value: Any) -> Any:
    """Text with ID and mobile numbers masked (as everywhere they are shown); other values as they are."""
    if not isinstance(value, str):
        return value
    value = _ID_NUMBER.sub(lambda m: pii.mask_id_number(m.group()), value)
    return _MOBILE.sub(lambda m: pii.mask_phone(m.group()), value)


def _cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    return tabular.cell(masked(value))


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in masked(title))[:28] or "服务"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def _fill(sheet, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet.append([_cell(v) for v in header])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        widest = max([_width(title), *(_width(r[index - 1]) for r in rows)])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(widest + 2, MAX_WIDTH)
    sheet.print_title_rows = "1:1"  # the header on every printed page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def workbook(cover: list[tuple[str, str]], sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    first.title = COVER_SHEET
    _fill(first, ["项目", "内容"], [list(pair) for pair in cover])
    used = {COVER_SHEET}
    for sheet in sheets:
        _fill(book.create_sheet(_sheet_name(sheet.title, used)), sheet.headers, sheet.rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _record(area: str, year: int, title: str, data: bytes, moment) -> files.StoredFile:
    return files.StoredFile(id=file_id(area, year), title=title, kind="ledger", area=area, owner="system",
                            content_type=XLSX, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            bucket=config.ledger_bucket(), key=object_key(area, year), status="available",
                            confirmed_at=moment, created_at=moment, updated_at=moment)


def _store(actor: audit.Actor, area: str, year: int, title: str, data: bytes, moment,
           version: str) -> files.StoredFile:
    key = object_key(area, year)
    aws.s3().put_object(Bucket=config.ledger_bucket(), Key=key, Body=data, ContentType=XLSX,
                        Metadata={VERSION_META: version})
    record = _record(area, year, title, data, moment)
    storage.transact([storage.put_op(record.to_item(), must_not_exist=False),
                      audit.entry(actor, "create", ENTITY, f"{area}:{year}", f"生成 {year} 年度村（社区）台账（数据版本 {version}）"),
                      *files.download_entries(actor, record)])
    return record
