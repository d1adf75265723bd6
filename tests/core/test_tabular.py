"""The core's tabular import (chalicelib/platform/tabular.py): CSV in UTF-8, UTF-8 with a BOM or GBK, and
XLSX, mapped by header name into rows that are parsed or refused cell by cell. Pure: no storage, no HTTP."""
from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime

import pytest

from chalicelib.platform import tabular
from chalicelib.platform.tabular import Column, TableError


def _age(text: str) -> int:
    if not text.isdigit():
        raise ValueError("年龄应为整数")
    return int(text)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("日期应为 YYYY-MM-DD") from None


COLUMNS = [
    Column("order", ("工单编号", "编号")),
    Column("caller", ("来电人", "姓名")),
    Column("age", ("年龄",), parse=_age),
    Column("closed_on", ("办结时间", "办结日期"), required=False, parse=_day),
]


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list], *, title: str = "工单", extra_sheets: dict[str, list[list]] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for name, more in (extra_sheets or {}).items():
        other = book.create_sheet(name)
        for row in more:
            other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problem(exc: pytest.ExceptionInfo[TableError]) -> tuple[str, str, list]:
    return exc.value.code, exc.value.detail, exc.value.errors


# --- encodings ------------------------------------------------------------------------------------------

def test_a_utf8_csv_is_read_into_parsed_rows_numbered_as_the_spreadsheet_numbers_them():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄,办结时间", "A1,张三,40,2024-03-02", "A2,李四,51,"), COLUMNS)
    assert (table.format, table.encoding, table.header_row) == ("csv", "utf-8", 1)
    assert [(r.number, r.values, r.ok) for r in table.rows] == [
        (2, {"order": "A1", "caller": "张三", "age": 40, "closed_on": date(2024, 3, 2)}, True),
        (3, {"order": "A2", "caller": "李四", "age": 51, "closed_on": None}, True),
    ]
    assert (table.total, table.accepted, table.refused, table.blank) == (2, 2, 0, 0)


def test_a_csv_with_a_byte_order_mark_keeps_its_first_header_and_says_so():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄", "A1,张三,40", encoding="utf-8-sig"), COLUMNS)
    assert table.encoding == "utf-8-sig"
    assert table.headers["order"] == "工单编号" and table.rows[0].values["order"] == "A1"


def test_a_csv_saved_by_excel_in_gbk_is_detected_and_reported_as_gb18030():
    data = csv_bytes("工单编号,来电人,年龄", "A1,欧阳锋,40", encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = tabular.read(data, COLUMNS)
    assert table.encoding == "gb18030" and table.rows[0].values["caller"] == "欧阳锋"


def test_a_csv_in_gb18030_with_characters_beyond_gbk_is_read_too():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄", "A1,王䶮,40", encoding="gb18030"), COLUMNS)
    assert table.encoding == "gb18030" and table.rows[0].values["caller"] == "王䶮"


def test_bytes_that_are_neither_utf8_nor_gb18030_are_one_encoding_error():
    with pytest.raises(TableError) as exc:
        tabular.read(b"\x80\x80\xff\xfe,,\n", COLUMNS)
    assert problem(exc)[0] == "table_encoding" and exc.value.status == 422
    assert exc.value.errors == [{"loc": ["file"], "msg": "文件编码无法识别"}]


# --- XLSX ----------------------------------------------------------------------------------------------

def test_an_xlsx_is_read_from_its_first_sheet_with_dates_and_whole_numbers_as_text():
    data = xlsx_bytes([["工单编号", "来电人", "年龄", "办结时间"],
                       [20240302001, "张三", 40, datetime(2024, 3, 2)],
                       ["A2", "李四", 51.0, None]],
                      extra_sheets={"说明": [["不是数据"]]})
    table = tabular.read(data, COLUMNS)
    assert (table.format, table.encoding, table.sheet) == ("xlsx", None, "工单")
    assert [r.values for r in table.rows] == [
        {"order": "20240302001", "caller": "张三", "age": 40, "closed_on": date(2024, 3, 2)},
        {"order": "A2", "caller": "李四", "age": 51, "closed_on": None},
    ]
    assert [r.number for r in table.rows] == [2, 3]


def test_a_named_sheet_is_read_and_a_missing_one_is_an_error_listing_the_sheets():
    data = xlsx_bytes([["说明"]], title="封面", extra_sheets={"名单": [["编号", "姓名", "年龄"], ["A1", "张三", 40]]})
    table = tabular.read(data, COLUMNS, sheet="名单")
    assert table.sheet == "名单" and table.rows[0].values["caller"] == "张三"
    with pytest.raises(TableError) as exc:
        tabular.read(data, COLUMNS, sheet="工单")
    code, detail, _ = problem(exc)
    assert code == "table_sheet" and "封面" in detail and "名单" in detail


def test_a_damaged_xlsx_and_an_old_xls_are_clear_errors():
    with pytest.raises(TableError) as exc:
        tabular.read(b"PK\x03\x04 not really a zip", COLUMNS)
    assert problem(exc)[0] == "table_malformed"
    with pytest.raises(TableError) as exc:
        tabular.read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, COLUMNS)
    code, detail, _ = problem(exc)
    assert code == "table_format" and ".xls" in detail


def test_importing_the_module_does_not_load_openpyxl():
    """Cold starts: openpyxl is imported only when an XLSX arrives."""
    code = ("import sys, chalicelib.platform.tabular, plugins.legal_aid.households; "
            "sys.exit('openpyxl' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


# --- headers -------------------------------------------------------------------------------------------

def test_headers_match_their_aliases_trimmed_full_width_spaced_starred_and_in_any_order():
    data = csv_bytes(" 年龄 ,＊姓　名,备注,编号*,办结日期", "40,张三,老客户,A1,2024-03-02")
    table = tabular.read(data, COLUMNS)
    assert table.rows[0].values == {"order": "A1", "caller": "张三", "age": 40, "closed_on": date(2024, 3, 2)}
    assert table.headers == {"age": "年龄", "caller": "＊姓　名", "order": "编号*", "closed_on": "办结日期"}


def test_full_width_latin_headers_match_half_width_aliases_case_insensitively():
    columns = [Column("id", ("ID",)), Column("phone", ("Phone",))]
    table = tabular.read(csv_bytes("ｉｄ,PHONE", "1,2"), columns)
    assert table.rows[0].values == {"id": "1", "phone": "2"}


def test_unknown_columns_are_ignored_and_listed():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄,诉求内容,,满意度", "A1,张三,40,欠薪,,满意"), COLUMNS)
    assert table.ignored == ["诉求内容", "满意度"]
    assert set(table.rows[0].values) == {"order", "caller", "age", "closed_on"}


def test_missing_required_headers_are_one_error_naming_all_of_them():
    with pytest.raises(TableError) as exc:
        tabular.read(csv_bytes("来电人,办结时间", "张三,2024-03-02"), COLUMNS)
    code, detail, errors = problem(exc)
    assert code == "table_header"
    assert detail == "表头缺少：工单编号、年龄（应有 工单编号、来电人、年龄，可选 办结时间）"
    assert errors == [{"loc": ["file", "header"], "msg": "缺少工单编号列"},
                      {"loc": ["file", "header"], "msg": "缺少年龄列"}]


def test_two_columns_answering_to_the_same_field_are_a_header_error():
    with pytest.raises(TableError) as exc:
        tabular.read(csv_bytes("工单编号,来电人,年龄,编号", "A1,张三,40,A2"), COLUMNS)
    code, detail, _ = problem(exc)
    assert code == "table_header" and detail == "表头重复：工单编号（第 1、4 列）"


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    data = xlsx_bytes([["常州市 12345 工单导出（2024 年 3 月）"], [], ["导出时间：2024-03-31"],
                       ["工单编号", "来电人", "年龄"], ["A1", "张三", 40]])
    table = tabular.read(data, COLUMNS)
    assert table.header_row == 4 and [r.number for r in table.rows] == [5]


def test_an_empty_file_or_one_with_only_blank_lines_is_an_error():
    for data in (b"", b"\r\n , ,\r\n\r\n"):
        with pytest.raises(TableError) as exc:
            tabular.read(data, COLUMNS)
        assert problem(exc)[0] == "table_empty"


# --- rows ----------------------------------------------------------------------------------------------

def test_each_bad_cell_is_refused_with_its_column_and_a_chinese_reason_while_good_rows_pass():
    table = tabular.read(csv_bytes(
        "工单编号,来电人,年龄,办结时间",
        "A1,张三,四十,2024-03-02",
        ",李四,51,十一月",
        "A3,王五,60,",
    ), COLUMNS)
    assert [(r.number, [(f.column, f.msg) for f in r.refusals]) for r in table.rows] == [
        (2, [("年龄", "年龄应为整数")]),
        (3, [("工单编号", "必填"), ("办结时间", "日期应为 YYYY-MM-DD")]),
        (4, []),
    ]
    assert table.rows[0].values == {"order": "A1", "caller": "张三", "closed_on": date(2024, 3, 2)}
    assert (table.total, table.accepted, table.refused) == (3, 1, 2)


def test_a_short_row_leaves_its_missing_cells_blank():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄,办结时间", "A1,张三"), COLUMNS)
    assert [(f.column, f.msg) for f in table.rows[0].refusals] == [("年龄", "必填")]


def test_an_over_long_cell_is_the_only_refusal_of_its_row():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄", f"A1,{'张' * 11},老"), COLUMNS, max_cell=10)
    [row] = table.rows
    assert [(f.column, f.msg) for f in row.refusals] == [("来电人", "内容过长（每格最多 10 个字）")]
    assert row.values == {}


def test_blank_rows_are_skipped_and_counted_without_renumbering_the_others():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄", "", "A1,张三,40", " , , ", "A2,李四,51", "", ""), COLUMNS)
    assert [r.number for r in table.rows] == [3, 5] and table.blank == 2


def test_a_row_s_repr_does_not_show_its_values():
    table = tabular.read(csv_bytes("工单编号,来电人,年龄", "A1,张三,40"), COLUMNS)
    assert "张三" not in repr(table.rows[0])


def test_a_csv_that_cannot_be_parsed_is_one_malformed_error():
    data = ("工单编号,来电人,年龄\r\nA1,\"" + "张" * 140_000 + "\",40\r\n").encode()
    with pytest.raises(TableError) as exc:
        tabular.read(data, COLUMNS)
    assert problem(exc)[0] == "table_malformed"


# --- the cap -------------------------------------------------------------------------------------------

def test_more_rows_than_the_cap_is_a_clear_error_and_exactly_the_cap_is_read():
    lines = ["工单编号,来电人,年龄", *(f"A{n},张{n},40" for n in range(3))]
    assert tabular.read(csv_bytes(*lines), COLUMNS, max_rows=3).total == 3
    with pytest.raises(TableError) as exc:
        tabular.read(csv_bytes(*lines, "A3,张3,40"), COLUMNS, max_rows=3)
    code, detail, errors = problem(exc)
    assert code == "table_too_large" and detail == "一次最多导入 3 行，请分批导入"
    assert errors == [{"loc": ["file"], "msg": "超过 3 行"}]


def test_the_default_cap_applies_to_data_rows_not_blank_ones():
    rows = [f"A{n},张,40" for n in range(tabular.MAX_ROWS)]
    assert tabular.read(csv_bytes("工单编号,来电人,年龄", *rows, "", ""), COLUMNS).total == tabular.MAX_ROWS
    with pytest.raises(TableError) as exc:
        tabular.read(csv_bytes("工单编号,来电人,年龄", *rows, "A,张,40"), COLUMNS)
    assert problem(exc)[0] == "table_too_large"


def test_the_cap_applies_to_xlsx_too():
    data = xlsx_bytes([["工单编号", "来电人", "年龄"], *([f"A{n}", "张", 40] for n in range(4))])
    with pytest.raises(TableError) as exc:
        tabular.read(data, COLUMNS, max_rows=3)
    assert problem(exc)[0] == "table_too_large"


# --- writing: no cell runs as a formula (CONTRACT "HTTP", OWASP CSV injection) ----------------------------

@pytest.mark.parametrize("text", ["=1+2", '=HYPERLINK("http://evil.example/","点击查看")', "+86 519", "-2+3",
                                  "@SUM(A1)", "\t=1", "\r=1"])
def test_text_beginning_like_a_formula_is_written_with_a_leading_quote(text):
    assert tabular.cell(text) == "'" + text


def test_numbers_dates_empty_cells_and_ordinary_text_are_written_as_they_are():
    for value in (-5, -1.5, 0, 2280, None, True, date(2026, 11, 18), "天宁区", "a=b", "'=已转义", ""):
        assert tabular.cell(value) == value and type(tabular.cell(value)) is type(value)
    assert tabular.row(["=1", -3, "张三"]) == ["'=1", -3, "张三"]


def test_a_written_csv_opens_in_excel_and_runs_nothing():
    data = tabular.write_csv([["区域", "发现数"], ["=HYPERLINK(\"http://evil.example/\")", -2], ["天宁区", 3]])
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert data.decode("utf-8-sig").splitlines() == ["区域,发现数", "\"'=HYPERLINK(\"\"http://evil.example/\"\")\",-2",
                                                     "天宁区,3"]
