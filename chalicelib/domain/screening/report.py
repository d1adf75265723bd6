"""The district's 需求和风险分析研判 report of a month (issue 14 §6): an XLSX workbook — a summary sheet and
one sheet per check, Chinese headers, frozen header row, widths that fit — written to the ledger bucket as a
`report` file of the district, plus a short Chinese summary. Staff download it through the core's files
(`files.download_link`: presigned, audited; a report built on request audits its download in its own write).

One current report per district and month: the file id and object key are derived from (month, district),
so building it again replaces it (the versioned bucket keeps the earlier versions).

A check that failed in the district's shards is named in the summary and on a sheet of its own
(「未完成的检查」: the check, its error, what that means): its findings are missing, not zero.

Before the month's run (this month before the 18th) there is nothing of the month to report, and an empty
report would read "no problems" (issue 20 §5). A report asked for then says when the run is due and shows the
administrators' preview, as a preview (kind "preview": the summary, the sheet and the file's title say so),
or says that there is none yet. The 18th's run writes the month's report over it.
"""
from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Callable, Iterator, Literal

from pydantic import Field

from chalicelib import plugin
from chalicelib.domain.files import service as files
from chalicelib.domain.screening import layout
from chalicelib.platform import audit, aws, config, storage, tabular
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import now_utc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEVERITY = {"risk": "风险", "warning": "提醒", "info": "提示"}
HEADERS = [("area", "区域代码"), ("area_name", "区域"), ("severity", "程度"), ("title", "问题"), ("detail", "详情"), ("record", "关联记录"),
           ("due", "期限"), ("service", "服务")]
MAX_WIDTH = 60
SUMMARY_SHEET, PREVIEW_SHEET = "汇总", "汇总（预览）"
FAILED_SHEET = "未完成的检查"
FAILED_NOTE = "本项检查未能完成，本报告中没有它的结果（不代表没有问题）；错误已记录，修复后可重新排摸"


class ReportOut(Model):
    month: str
    area: str
    kind: Literal["month", "preview"] = Field(
        description="month：当月排摸（18日）的报告；preview：当月排摸尚未执行，报告的是18日前的手动预览（不是当月结果）")
    run_on: date = Field(description="当月排摸的日期（每月18日）")
    findings: int
    summary: str
    failed_checks: dict[str, str] = Field(default_factory=dict,
                                          description="本区未能完成的检查项及错误（其结果不在报告中）")
    file_id: str
    download: files.Download


def file_id(month: str, district: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"fawangge:screening-report:{month}:{district}").hex


def _findings(month: str, district: str, kind: str = "month") -> Iterator[dict[str, Any]]:
    """The district's findings of the month's run (or of its preview), page by page."""
    cursor = None
    while True:
        page = layout.page(kind, month, district, limit=500, cursor=cursor)
        yield from page.items
        cursor = page.next_cursor
        if not cursor:
            return


def _check_titles() -> dict[str, str]:
    from chalicelib.domain.screening import analysis

    return {**analysis.TITLES, **{check.code: check.title for p in plugin.enabled() for check in p.screening_checks}}


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK characters take two columns


def _sheet_name(title: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in title)[:28] or "检查项"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]}{n}", n + 1
    used.add(name)
    return name


def _fill(sheet, header: list[str], rows: list[list[Any]]) -> None:
    sheet.append(tabular.row(header))
    for row in rows:
        sheet.append(tabular.row(row))  # an area's name or a finding's text never runs as a formula
    sheet.freeze_panes = "A2"
    for index, title in enumerate(header, start=1):
        widest = max([_width(title), *(_width(r[index - 1]) for r in rows)])
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = min(widest + 2, MAX_WIDTH)


def area_names(district: str, findings: list[dict[str, Any]]) -> dict[str, str]:
    """The district's name and each finding's area as people say it, from the district down ("天宁区 雕庄街道
    演示社区 第一网格"): every area involved and the ones between, read in one BatchGetItem (by chunks of 100)."""
    from chalicelib.domain.areas import service as areas

    codes = {district} | {c for item in findings for c in areas.ancestors(str(item.get("area") or ""))
                          if c.startswith(district) and areas.is_code(c)}
    known = areas.get_many(codes)
    if district not in known:
        areas.get(district)  # 404 area_not_found, as before
    return {code: " ".join(known[c].name for c in areas.ancestors(code) if c.startswith(district) and c in known)
            for code in codes}


@dataclass(frozen=True)
class Preview:
    """The month's run is due on `run_on` and has not happened: the report shows the preview of `as_of`
    (None: no preview screened the district this month)."""
    run_on: date
    as_of: date | None = None


def workbook(month: str, district: str, name: str, findings: list[dict[str, Any]],
             names: dict[str, str] | None = None, failures: dict[str, str] | None = None,
             preview: Preview | None = None) -> tuple[bytes, str]:
    """(XLSX bytes, the short summary). `names`: each area's name (`area_names`), shown next to its code;
    `failures`: the checks that failed in the district's shards, with their error; `preview`: the findings
    are a preview's, before the month's run (the summary sheet is 「汇总（预览）」)."""
    names, failures = names or {}, failures or {}
    from openpyxl import Workbook
    from openpyxl.styles import Font

    titles = _check_titles()
    by_check: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in findings:
        by_check[item["check"]].append(item)
    book = Workbook()
    summary_sheet = book.active
    summary_sheet.title = SUMMARY_SHEET if preview is None else PREVIEW_SHEET
    summary_rows = []
    for check, items in sorted(by_check.items(), key=lambda kv: -len(kv[1])):
        severities = Counter(i.get("severity") for i in items)
        summary_rows.append([titles.get(check, check), check, len(items), severities["risk"], severities["warning"],
                             severities["info"]])
    _fill(summary_sheet, ["检查项", "代码", "发现数", "风险", "提醒", "提示"], summary_rows)
    used = {summary_sheet.title}
    if failures:
        _fill(book.create_sheet(_sheet_name(FAILED_SHEET, used)), ["检查项", "代码", "错误", "说明"],
              [[titles.get(check, check), check, error, FAILED_NOTE] for check, error in sorted(failures.items())])
    for check, items in sorted(by_check.items()):
        sheet = book.create_sheet(_sheet_name(titles.get(check, check), used))
        rows = [[_cell(i, k, names) for k, _ in HEADERS] for i in items]
        _fill(sheet, [title for _, title in HEADERS], rows)
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), summary_text(month, name, findings, summary_rows, failures, preview)


def _cell(item: dict[str, Any], key: str, names: dict[str, str]) -> Any:
    if key == "severity":
        return SEVERITY.get(item.get(key), item.get(key))
    if key == "area_name":
        return names.get(str(item.get("area") or ""), "")
    return item.get(key)


def summary_text(month: str, name: str, findings: list[dict[str, Any]], summary_rows: list[list[Any]],
                 failures: dict[str, str] | None = None, preview: Preview | None = None) -> str:
    """The report in a few sentences. Before the month's run it never says "no problems": it says when the
    run is due, and what the preview found, as a preview."""
    partial = "已完成的检查" if failures else ""
    if preview is None:
        subject, text = f"{name} {month} 主动排摸", ""
    else:
        subject = f"{preview.as_of.isoformat()} 的预览" if preview.as_of else ""
        text = (f"{name} {month} 的主动排摸定于 {preview.run_on.isoformat()} 执行，尚未执行，本报告不是当月排摸结果。")
        if preview.as_of is None:
            return text + "本月尚无手动预览（管理员可在18日前手动预览），当月结果待排摸后生成。"
    if not findings:
        text += (f"{subject}{partial}未发现需要跟进的问题。" if preview is None else
                 f"{subject}{partial}暂未发现需要跟进的问题（仅为预览，以 {preview.run_on.isoformat()} 的当月排摸为准）。")
    else:
        severities = Counter(i.get("severity") for i in findings)
        top = summary_rows[0]
        text += (f"{subject}共发现 {len(findings)} 条：风险 {severities['risk']} 条、提醒 {severities['warning']} 条、"
                 f"提示 {severities['info']} 条；最多的是「{top[0]}」（{top[2]} 条）。")
        if preview is not None:
            text += f"以上仅为预览，以 {preview.run_on.isoformat()} 的当月排摸为准。"
    if failures:
        titles = _check_titles()
        listed = "、".join(f"「{titles.get(check, check)}」（{error}）" for check, error in sorted(failures.items()))
        text += f"另有 {len(failures)} 项检查未能完成：{listed}，其结果不在本报告中。"
    return text


def build_for(actor: audit.Actor, caller: Caller, month: str, district: str, run_on: date,
              runs: Callable[[], tuple[dict[str, str], Preview | None]]) -> ReportOut:
    """Staff of the district or above (the report lists its findings: the same rule as reading them).
    `runs` reads, once allowed, the checks that failed in the district's shards (from the screening's runs)
    and, before the month's run (`run_on`), which preview the report shows."""
    require_area(caller, district)
    failures, preview = runs()
    return build(actor, month, district, failures, run_on=run_on, preview=preview)


def build(actor: audit.Actor, month: str, district: str, failures: dict[str, str] | None = None, *,
          run_on: date, preview: Preview | None = None) -> ReportOut:
    """Write the district's current report and return a download link: the download's audit entry is
    written in the report's own transaction (the file is available as it is written)."""
    record, count, summary = write(actor, month, district, failures, preview=preview, downloaded_by=actor)
    return ReportOut(month=month, area=district, kind="month" if preview is None else "preview", run_on=run_on,
                     findings=count, summary=summary, failed_checks=failures or {}, file_id=record.id,
                     download=files.signed_link(record))


def write(actor: audit.Actor, month: str, district: str, failures: dict[str, str] | None = None, *,
          preview: Preview | None = None, downloaded_by: audit.Actor | None = None,
          ) -> tuple[files.StoredFile, int, str]:
    """Write the district's current report (replacing the earlier one): (its file, findings, summary). The
    screening calls this when the district's last shard of the month's run completes, with the checks that
    failed in the district's shards (`failures`: check → error). `preview`: before the month's run, the
    preview's findings (none when there was no preview), said to be a preview. `downloaded_by`: who is
    handed its link, whose download is audited in the same transaction."""
    kind = "month" if preview is None else "preview"
    findings = list(_findings(month, district, kind)) if preview is None or preview.as_of else []
    names = area_names(district, findings)
    data, summary = workbook(month, district, names[district], findings, names, failures, preview)
    fid = file_id(month, district)
    key = f"report/{district}/{month[:4]}/{fid}-主动排摸研判-{month}.xlsx"
    aws.s3().put_object(Bucket=config.ledger_bucket(), Key=key, Body=data, ContentType=XLSX)
    moment = now_utc()
    record = files.StoredFile(id=fid, title=f"{names[district]}{month}需求和风险分析研判{'（预览）' if preview else ''}.xlsx", kind="report", area=district,
                              owner="system", content_type=XLSX, size_bytes=len(data),
                              sha256=hashlib.sha256(data).hexdigest(), bucket=config.ledger_bucket(), key=key,
                              status="available", confirmed_at=moment, created_at=moment, updated_at=moment)
    storage.transact([storage.put_op(record.to_item(), must_not_exist=False),
                      audit.entry(actor, "create", "screening-report", f"{month}:{district}",
                                  f"生成 {month} 主动排摸研判报告{'（预览）' if preview else ''}（{len(findings)} 条）"),
                      *(files.download_entries(downloaded_by, record) if downloaded_by else [])])
    return record, len(findings), summary
