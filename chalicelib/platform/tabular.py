"""Tabular import: a spreadsheet (CSV or XLSX bytes) read into checked rows, with a report per row; and
the one way cells are written (`cell`, `row`, `write_csv`), so that no written cell runs as a formula.

What people upload is what their office's systems export: CSV saved by Excel in China is GB18030/GBK, other
tools write UTF-8 with or without a BOM; XLSX straight from Excel or a city platform. Column names and order
vary by sender, so columns are mapped by header name, never by position.

    COLUMNS = [tabular.Column("name", ("姓名", "名字")),
               tabular.Column("phone", ("联系电话", "电话"), parse=check_phone),
               tabular.Column("until", ("有效期至",), required=False, parse=date_of)]
    table = tabular.read(data, COLUMNS)           # TableError (a 422) if the file as a whole is unusable
    for row in table.rows:                        # data rows only; blank rows are skipped and counted
        row.number, row.values, row.refusals      # the row as the spreadsheet numbers it; parsed or refused

Rules:
- Encoding: UTF-8 (a BOM is allowed) is tried strictly first, then GB18030 (a superset of GBK and GB2312);
  `Table.encoding` says which one was used. Anything else is a `table_encoding` error.
- Headers match their aliases after trimming, NFKC (full-width letters, digits and spaces become half-width),
  removing inner spaces (「姓　名」), a leading or trailing `*` (a required-column mark) and case. The header
  row is the first row holding every required header among the first `HEADER_SEARCH` non-blank rows (an
  export's title rows above it are skipped); if there is none, the first non-blank row is the header and the
  missing required headers are one `table_header` error naming them all. Unknown columns are ignored and
  listed in `Table.ignored`; two columns answering to the same field are a `table_header` error.
- Cells are text: trimmed strings; from XLSX a date becomes `YYYY-MM-DD`, a whole number loses its `.0`. A
  blank cell of a required column is refused ("必填"); of an optional one, its value is `None` and its
  parser is not called. A parser takes the text and returns the value or raises `ValueError` with a Chinese
  message, which becomes the refusal. A cell longer than `max_cell` is refused and the rest of its row is not
  parsed (an over-long cell usually means a misplaced quote, which shifts every cell after it).
- At most `max_rows` data rows (default `MAX_ROWS`): past it, a `table_too_large` error, raised while
  reading, instead of a request that times out. Blank rows are skipped; `Table.blank` counts those between
  data rows (Excel's "used range" often runs far past the data: trailing blank rows are cheap to pass over).

Writing: whoever typed a value (an area's name, a finding's detail), every XLSX or CSV the system writes
passes its cells through `cell` (OWASP "CSV injection"): text beginning with `=`, `+`, `-`, `@`, a tab or
a carriage return gets a leading `'`, so a spreadsheet program shows it as text instead of running it.
Numbers, dates and empty cells stay what they are (a negative number is a number, not text).

Pure functions: no storage, no HTTP. Error `loc`s are relative to the file (`["file"]`, `["file", "header"]`).
`openpyxl` is imported only when an XLSX arrives (Lambda cold starts).
"""
from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import Field

from chalicelib.platform.errors import Unprocessable
from chalicelib.platform.model import Model

# Technical bounds, not policy: what one request can check (and a caller write) well within API Gateway's
# 29-second limit on a 1,769 MB Lambda; a longer list is imported in parts.
MAX_ROWS = 5000
MAX_CELL = 1000
HEADER_SEARCH = 10

Format = Literal["csv", "xlsx"]
REQUIRED_MSG = "必填"


class TableError(Unprocessable):
    """The file as a whole cannot be read as a table (a 422). Codes: table_format, table_encoding,
    table_malformed, table_empty, table_sheet, table_header, table_too_large."""

    code = "table_invalid"
    title = "表格文件有误"


@dataclass(frozen=True)
class Column:
    """One field of the table: `key` is the caller's name for it, `headers` the accepted header names (the
    first is its title in messages), `parse` turns the cell's text into the value."""

    key: str
    headers: tuple[str, ...]
    required: bool = True
    parse: Callable[[str], Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.headers, str):
            object.__setattr__(self, "headers", (self.headers,))
        if not self.headers:
            raise ValueError(f"column {self.key!r} needs at least one header name")

    @property
    def title(self) -> str:
        return self.headers[0]


@dataclass(frozen=True)
class Refusal:
    key: str
    column: str  # the column's title (its first header name)
    msg: str


class RowError(Model):
    """A row an import refused, as every import's report shows it (the schema `RowError` of the API)."""
    row: int = Field(description="表格中的行号（与表格软件显示的一致，表头通常为第 1 行）")
    column: str
    msg: str


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it (the first row of the sheet is 1)
    values: dict[str, Any] = field(default_factory=dict, repr=False)  # every column that parsed (may be PII)
    refusals: list[Refusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refusals


@dataclass
class Table:
    format: Format
    encoding: str | None  # "utf-8", "utf-8-sig" (with a BOM) or "gb18030" for CSV; None for XLSX
    sheet: str | None  # the XLSX sheet read
    header_row: int
    headers: dict[str, str]  # column key → the header as written in the file (optional columns may be absent)
    ignored: list[str]  # headers of columns no Column asked for
    rows: list[Row]
    blank: int  # blank rows skipped

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def refused(self) -> int:
        return self.total - self.accepted


# --- reading -------------------------------------------------------------------------------------------

def read(data: bytes, columns: Sequence[Column], *, format: Format | None = None, sheet: str | None = None,
         max_rows: int = MAX_ROWS, max_cell: int = MAX_CELL) -> Table:
    """Read CSV or XLSX bytes (`format` None: told apart by their content) into checked rows."""
    keys = [c.key for c in columns]
    if len(set(keys)) != len(keys):
        raise ValueError("column keys must be unique")
    kind = format or sniff(data)
    if kind == "xlsx":
        sheet_name, raw_rows = _xlsx_rows(data, sheet)
        return _table(raw_rows, columns, kind, None, sheet_name, max_rows, max_cell)
    text, encoding = decode(data)
    return _table(_csv_rows(text), columns, kind, encoding, None, max_rows, max_cell)


def sniff(data: bytes) -> Format:
    """XLSX is a zip; the old binary .xls (an OLE container) is refused by name; everything else is CSV."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableError("不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后重试", code="table_format",
                         errors=[_at_file("应为 XLSX 或 CSV 文件")])
    return "csv"


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: UTF-8 strictly (with or without a BOM), else GB18030."""
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    raise TableError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV", code="table_encoding",
                     errors=[_at_file("文件编码无法识别")])


def normalize_header(name: str) -> str:
    """The form headers are compared in: NFKC, no whitespace, no `*` mark at either end, case-folded."""
    folded = "".join(unicodedata.normalize("NFKC", name).split())
    return folded.strip("*").casefold()


# --- sources ---------------------------------------------------------------------------------------------

def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells
    except csv.Error:
        raise TableError(f"文件不是有效的 CSV（第 {number + 1} 行附近某格内容过长或引号不配对），请用表格软件另存为 CSV 后重试",
                         code="table_malformed", errors=[_at_file("CSV 格式有误")]) from None


def _xlsx_rows(data: bytes, sheet: str | None) -> tuple[str, Iterator[tuple[int, list[str]]]]:
    import zipfile

    from openpyxl import load_workbook  # here, not at the top: only XLSX imports pay for it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise TableError("文件不是有效的 Excel（.xlsx）文件，请用表格软件另存后重试", code="table_malformed",
                         errors=[_at_file("XLSX 格式有误")]) from exc
    try:
        if sheet is None:
            if not book.worksheets:
                raise TableError("工作簿中没有工作表", code="table_empty", errors=[_at_file("没有工作表")])
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            raise TableError(f"工作簿中没有名为「{sheet}」的工作表（有：{'、'.join(book.sheetnames)}）",
                             code="table_sheet", errors=[_at_file(f"没有工作表「{sheet}」")])
    except TableError:
        book.close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        except TableError:
            raise
        except Exception as exc:  # a damaged sheet part inside a valid zip: openpyxl raises many kinds
            raise TableError("Excel 文件内容损坏，请用表格软件另存后重试", code="table_malformed",
                             errors=[_at_file("XLSX 格式有误")]) from exc
        finally:
            book.close()

    return ws.title, rows()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value)


# --- mapping ---------------------------------------------------------------------------------------------

def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _table(source: Iterable[tuple[int, list[str]]], columns: Sequence[Column], kind: Format,
           encoding: str | None, sheet: str | None, max_rows: int, max_cell: int) -> Table:
    source = iter(source)
    seen: list[tuple[int, list[str]]] = []
    header: tuple[int, list[str]] | None = None
    positions: dict[str, int] = {}
    for number, cells in source:
        if _blank(cells):
            continue
        seen.append((number, cells))
        mapped, missing, _ = _map_header(cells, columns)
        if not missing:
            header, positions = (number, cells), mapped
            break
        if len(seen) >= HEADER_SEARCH:
            break
    if header is None:
        if not seen:
            raise TableError("文件是空的", code="table_empty", errors=[_at_file("没有内容")])
        _map_header(seen[0][1], columns, strict=True)  # raises, naming what the first row lacks
        raise AssertionError("unreachable")  # pragma: no cover
    header_row, header_cells = header
    _, _, ignored = _map_header(header_cells, columns, strict=True)
    rows: list[Row] = []
    blank = pending = 0
    for number, cells in source:
        if _blank(cells):
            pending += 1
            continue
        blank, pending = blank + pending, 0
        if len(rows) >= max_rows:
            raise TableError(f"一次最多导入 {max_rows} 行，请分批导入", code="table_too_large",
                             errors=[_at_file(f"超过 {max_rows} 行")])
        rows.append(_row(number, cells, columns, positions, max_cell))
    return Table(format=kind, encoding=encoding, sheet=sheet, header_row=header_row,
                 headers={key: header_cells[i].strip() for key, i in positions.items()}, ignored=ignored,
                 rows=rows, blank=blank)


def _map_header(cells: list[str], columns: Sequence[Column],
                strict: bool = False) -> tuple[dict[str, int], list[Column], list[str]]:
    """Column key → position; the required columns missing; the headers ignored. `strict`: raise on
    missing or duplicated columns."""
    aliases = {normalize_header(h): c for c in columns for h in c.headers}
    positions: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    ignored: list[str] = []
    for i, cell in enumerate(cells):
        column = aliases.get(normalize_header(cell))
        if column is None:
            if cell.strip():
                ignored.append(cell.strip())
        elif column.key in positions:
            duplicates.setdefault(column.key, [positions[column.key]]).append(i)
        else:
            positions[column.key] = i
    missing = [c for c in columns if c.required and c.key not in positions]
    if strict and missing:
        titles = "、".join(c.title for c in missing)
        optional = [c.title for c in columns if not c.required]
        expected = "、".join(c.title for c in columns if c.required) + (
            f"，可选 {'、'.join(optional)}" if optional else "")
        raise TableError(f"表头缺少：{titles}（应有 {expected}）", code="table_header",
                         errors=[{"loc": ["file", "header"], "msg": f"缺少{c.title}列"} for c in missing])
    if strict and duplicates:
        titles = {c.key: c.title for c in columns}
        raise TableError("表头重复：" + "、".join(
            f"{titles[k]}（第 {'、'.join(str(i + 1) for i in at)} 列）" for k, at in duplicates.items()),
            code="table_header",
            errors=[{"loc": ["file", "header"], "msg": f"{titles[k]}列出现了 {len(at)} 次"} for k, at in duplicates.items()])
    return positions, missing, ignored


def _row(number: int, cells: list[str], columns: Sequence[Column], positions: dict[str, int],
         max_cell: int) -> Row:
    row = Row(number=number)
    texts = {c.key: cells[positions[c.key]].strip() if c.key in positions and positions[c.key] < len(cells) else ""
             for c in columns}
    for column in columns:
        if len(texts[column.key]) > max_cell:
            row.refusals.append(Refusal(column.key, column.title, f"内容过长（每格最多 {max_cell} 个字）"))
    if row.refusals:
        return row
    for column in columns:
        text = texts[column.key]
        if not text:
            if column.required:
                row.refusals.append(Refusal(column.key, column.title, REQUIRED_MSG))
            else:
                row.values[column.key] = None
            continue
        if column.parse is None:
            row.values[column.key] = text
            continue
        try:
            row.values[column.key] = column.parse(text)
        except ValueError as exc:
            row.refusals.append(Refusal(column.key, column.title, str(exc) or "格式不正确"))
    return row


def _at_file(msg: str) -> dict[str, Any]:
    return {"loc": ["file"], "msg": msg}


# --- writing ----------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value` as a cell to write: text a spreadsheet program would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def row(values: Iterable[Any]) -> list[Any]:
    """A row of cells to write (`cell` on each): what an XLSX writer appends."""
    return [cell(value) for value in values]


def write_csv(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as CSV bytes in UTF-8 with a BOM (so Excel reads the Chinese), every cell through `cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for values in rows:
        writer.writerow(row(values))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
