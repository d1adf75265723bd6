"""Vulnerable households (SPEC L7): the civil-affairs list imported from a CSV uploaded through the core's
files with a per-row error report; grid workers see their grid's households not yet visited and record
visits."""
from __future__ import annotations

import json

from chalicelib.platform import audit
from tests.helpers import assert_problem, body, post
from tests.plugins.legal_aid.conftest import GRID, id_number

IMPORTS = "/v1/legal-aid/households/imports"
HOUSEHOLDS = "/v1/legal-aid/households"
HEADER = "类别,姓名,身份证号,网格代码,有效期至"


def person(n: int) -> str:
    return id_number(born=f"19{50 + n}0101", sequence=f"{n + 11:03d}")


def csv_of(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def imported(client, people, upload, data: bytes) -> dict:
    file_id = upload(data, who="officer", content_type="text/csv", title="民政困难群体名单")
    response = post(client, IMPORTS, {"file_id": file_id}, people["officer"])
    assert response.status_code == 201, response.body
    return body(response)


def test_the_list_is_imported_with_a_per_row_error_report(client, people, upload, world):
    """L7: valid rows are imported; each bad row is reported by its spreadsheet row, column and reason,
    never with the ID number itself."""
    bad_checksum = person(2)[:17] + ("0" if person(2)[-1] != "0" else "1")
    report = imported(client, people, upload, csv_of(
        f"低保户,张一,{person(1)},{GRID},2026-12-31",
        f"特困人员,张二,{bad_checksum},{GRID},",
        f"外星人,张三,{person(3)},{GRID},",
        f"重度残疾人,张四,{person(4)},320402001001999,",
        f"农村五保,张五,{person(1)},{GRID},",
        f"困难职工,,{person(6)},{GRID},2027/01/31",
        f"农民工,张七,{person(7)},{GRID},明年",
    ))
    assert (report["rows"], report["created"], report["failed"]) == (7, 1, 6)
    by_row = {(e["row"], e["column"]): e["msg"] for e in report["errors"]}
    assert by_row == {
        (3, "身份证号"): "身份证号校验位不正确，请核对",
        (4, "类别"): "不认识的类别，应为：低保户、特困人员、重度残疾人、农村五保对象、困难职工、农民工",
        (5, "网格代码"): "网格不存在",
        (6, "身份证号"): "与第 2 行重复",
        (7, "姓名"): "必填",
        (8, "有效期至"): "日期应为 YYYY-MM-DD",
    }
    assert bad_checksum not in str(report)
    again = body(client.get(f"{IMPORTS}/{report['id']}", headers=people["officer"]))
    assert again == report


def test_a_list_saved_by_excel_in_gbk_imports_too(client, people, upload, world):
    report = imported(client, people, upload, csv_of(f"低保,李一,{person(1)},{GRID},").decode().encode("gb18030"))
    assert report["created"] == 1 and report["errors"] == []


def test_a_missing_column_is_a_422_naming_it(client, people, upload, world):
    file_id = upload(csv_of(f"低保户,张一,{person(1)}", header="类别,姓名,身份证号"), who="officer",
                     content_type="text/csv")
    problem = assert_problem(post(client, IMPORTS, {"file_id": file_id}, people["officer"]), 422, "csv_header")
    assert problem["errors"] == [{"loc": ["file", "header"], "msg": "缺少网格代码列"}]
    pdf = upload(b"%PDF-1.4 not a list", who="officer")
    assert_problem(post(client, IMPORTS, {"file_id": pdf}, people["officer"]), 422, "not_a_csv")
    assert_problem(post(client, IMPORTS, {"file_id": "0" * 32}, people["officer"]), 422, "file_not_found")


def test_importing_next_year_s_list_updates_rather_than_duplicates(client, people, upload, world):
    imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},2026-12-31"))
    report = imported(client, people, upload, csv_of(f"特困人员,张一,{person(1)},{GRID},2027-12-31",
                                                     f"低保户,张二,{person(2)},{GRID},"))
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 0)
    items = body(client.get(f"{HOUSEHOLDS}?area={GRID}", headers=people["grid_worker"]))["items"]
    assert sorted((i["name"], i["category"]) for i in items) == [("张一", "tekun"), ("张二", "dibao")]
    same = imported(client, people, upload, csv_of(f"低保户,张二,{person(2)},{GRID},"))
    assert same["unchanged"] == 1


def test_a_grid_worker_sees_the_grid_s_unvisited_households_and_records_a_visit(client, people, upload, world):
    """L7: grid workers see their grid's households not yet visited (入户走访) and record visits."""
    imported(client, people, upload, csv_of(*(f"低保户,户{n},{person(n)},{GRID}," for n in range(1, 4))))
    todo = body(client.get(f"{HOUSEHOLDS}?unvisited=true", headers=people["grid_worker"]))["items"]
    assert len(todo) == 3 and all(not h["visited"] for h in todo)
    assert todo[0]["id_number_masked"].startswith("320***") and person(1) not in str(todo)
    first = todo[0]
    response = post(client, f"{HOUSEHOLDS}/{first['id']}/visits",
                    {"visited_on": "2026-11-20", "needs_legal_aid": True, "note": "欠薪，已引导申请法律援助",
                     "version": first["version"]}, people["grid_worker"])
    assert response.status_code == 201, response.body
    visit = body(response)
    assert visit["household"]["visited"] and visit["household"]["last_visited_on"] == "2026-11-20"
    left = body(client.get(f"{HOUSEHOLDS}?unvisited=true", headers=people["grid_worker"]))["items"]
    assert first["id"] not in [h["id"] for h in left] and len(left) == 2
    assert len(body(client.get(HOUSEHOLDS, headers=people["grid_worker"]))["items"]) == 3
    entry = audit.trail("legal-aid-household", first["id"]).items[0]
    assert entry["action"] == "visit" and entry["summary"] == "入户走访（2026-11-20，有法律援助需求）"
    stale = post(client, f"{HOUSEHOLDS}/{first['id']}/visits",
                 {"visited_on": "2026-11-21", "version": first["version"]}, people["grid_worker"])
    assert_problem(stale, 409, "stale_version")
    future = post(client, f"{HOUSEHOLDS}/{first['id']}/visits", {"visited_on": "2099-01-01", "version": 2},
                  people["grid_worker"])
    assert assert_problem(future, 422)["errors"][0]["loc"] == ["body", "visited_on"]


def test_households_outside_the_grid_are_invisible(client, people, token, upload, world):
    imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},"))
    [household] = body(client.get(HOUSEHOLDS, headers=people["officer"]))["items"]
    elsewhere = token("gw-9", "grid_worker", area="320402001001002")
    assert body(client.get(HOUSEHOLDS, headers=elsewhere))["items"] == []
    assert_problem(client.get(f"{HOUSEHOLDS}/{household['id']}", headers=elsewhere), 404)
    assert_problem(client.get(f"{HOUSEHOLDS}?area=320404", headers=people["grid_worker"]), 403)
    assert_problem(client.get(HOUSEHOLDS, headers=people["resident"]), 403)
    assert_problem(post(client, IMPORTS, {"file_id": "0" * 32}, people["grid_worker"]), 403)


# --- review fixes ---------------------------------------------------------------------------------

OTHER_GRID = "320404001001001"


def _other_district_grid() -> None:
    from chalicelib.platform import storage
    from chalicelib.domain.areas.models import Area

    for code, name, level, parent in [("320404001", "南大街", "town", "320404"),
                                      ("320404001001", "某社区", "village", "320404001"),
                                      (OTHER_GRID, "他区网格", "grid", "320404001001")]:
        storage.put_new(Area(code=code, name=name, level=level, parent=parent))


def _household(client, people, n: int, who: str = "officer") -> dict:
    from plugins.legal_aid.households import household_id

    return body(client.get(f"{HOUSEHOLDS}/{household_id(person(n))}", headers=people[who]))


def test_an_officer_of_another_district_cannot_move_or_overwrite_a_household_by_its_id_number(
        client, people, upload, world):
    _other_district_grid()
    imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},2026-12-31"))
    file_id = upload(csv_of(f"特困人员,李一,{person(1)},{OTHER_GRID},"), who="other_officer",
                     content_type="text/csv", area="320404")
    report = body(post(client, IMPORTS, {"file_id": file_id}, people["other_officer"]))
    assert (report["created"], report["updated"], report["failed"]) == (0, 0, 1)
    assert report["errors"] == [{"row": 2, "column": "身份证号", "msg": "该户已在其他辖区的名单中，请联系其所在辖区"}]
    assert "320402" not in json.dumps(report, ensure_ascii=False)
    kept = _household(client, people, 1)
    assert (kept["grid"], kept["name"], kept["category"], kept["version"]) == (GRID, "张一", "dibao", 1)


def test_re_importing_a_new_end_date_in_the_same_month_is_an_update_not_a_500(client, people, upload, world):
    imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},2026-12-01"))
    report = imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},2026-12-15"))
    assert report["updated"] == 1 and report["failed"] == 0
    assert _household(client, people, 1)["valid_until"] == "2026-12-15"
    from plugins.legal_aid.households import expiring
    assert [i["valid_until"] for i in expiring("3204", "2026-12")] == ["2026-12-15"]


def test_a_malformed_csv_is_a_422_naming_the_file_and_an_oversized_cell_a_row_error(client, people, upload, world):
    huge = ("类别,姓名,身份证号,网格代码\n低保,\"" + "张" * 140000 + "\"," + person(1) + "," + GRID + "\n").encode()
    file_id = upload(huge, who="officer", content_type="text/csv")
    problem = assert_problem(post(client, IMPORTS, {"file_id": file_id}, people["officer"]), 422, "csv_malformed")
    assert problem["errors"][0]["loc"] == ["body", "file_id"]
    report = imported(client, people, upload, csv_of(f"低保户,{'张' * 201},{person(1)},{GRID},"))
    assert report["failed"] == 1 and report["errors"][0]["column"] == "姓名" and "过长" in report["errors"][0]["msg"]


def test_clearing_the_end_date_in_a_re_import_removes_it(client, people, upload, world):
    imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},2027-03-01"))
    assert imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},"))["updated"] == 1
    assert _household(client, people, 1)["valid_until"] is None
    assert imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},"))["unchanged"] == 1
    from plugins.legal_aid.households import expiring
    assert expiring("3204", "2027-03") == []


def test_reading_a_household_or_the_list_is_audited(client, people, upload, world):
    from chalicelib.platform import storage
    from plugins.legal_aid.households import ENTITY, LIST_ENTITY

    imported(client, people, upload, csv_of(f"重度残疾人,张一,{person(1)},{GRID},"))
    household = _household(client, people, 1, who="grid_worker")
    assert client.get(HOUSEHOLDS, headers=people["grid_worker"]).status_code == 200
    reads = [i for i in storage.every(audit.Entry, audit.BY_ACTOR, "gw-1") if i["action"] == "read"]
    assert sorted((i["target_entity"], i["target_id"]) for i in reads) == sorted(
        [(ENTITY, household["id"]), (LIST_ENTITY, GRID)])


# --- spreadsheets read by the core's tabular import ----------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_of(*rows: list) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_list_exported_as_xlsx_imports_with_its_title_row_and_date_cells(client, people, upload, world):
    from datetime import datetime

    data = xlsx_of(["2026 年困难群体名单（民政局导出）"],
                   ["困难类别", "姓　名", "公民身份号码", "网格编码", "救助截止日期", "备注"],
                   ["低保", "张一", person(1), int(GRID), datetime(2026, 12, 31), "独居"],
                   [None, None, None, None, None, None],
                   ["外星人", "张二", person(2), GRID, None, None])
    file_id = upload(data, who="officer", content_type=XLSX, title="民政困难群体名单")
    response = post(client, IMPORTS, {"file_id": file_id}, people["officer"])
    assert response.status_code == 201, response.body
    report = body(response)
    assert (report["rows"], report["created"], report["failed"]) == (2, 1, 1)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "类别")]
    assert _household(client, people, 1)["valid_until"] == "2026-12-31"


def test_an_xlsx_missing_a_column_is_the_same_422_as_a_csv(client, people, upload, world):
    file_id = upload(xlsx_of(["类别", "姓名", "身份证号"], ["低保户", "张一", person(1)]), who="officer",
                     content_type=XLSX)
    problem = assert_problem(post(client, IMPORTS, {"file_id": file_id}, people["officer"]), 422, "csv_header")
    assert problem["errors"] == [{"loc": ["file", "header"], "msg": "缺少网格代码列"}]


def test_a_list_longer_than_the_cap_is_a_422_before_anything_is_written(client, people, upload, world):
    from chalicelib.platform import tabular

    rows = [f"低保户,户{n},{person(1)},{GRID}," for n in range(tabular.MAX_ROWS + 1)]
    file_id = upload(csv_of(*rows), who="officer", content_type="text/csv")
    problem = assert_problem(post(client, IMPORTS, {"file_id": file_id}, people["officer"]), 422, "csv_too_large")
    assert problem["errors"] == [{"loc": ["body", "file_id"], "msg": f"超过 {tabular.MAX_ROWS} 行"}]
    assert body(client.get(HOUSEHOLDS, headers=people["officer"]))["items"] == []


def test_a_retried_import_shows_its_first_report_again_and_imports_nothing_twice(client, people, upload, world):
    """CONTRACT idempotency: the key names the import's report (written last), so a retry renders it."""
    file_id = upload(csv_of(*(f"低保户,户{n},{person(n)},{GRID}," for n in range(1, 4))), who="officer",
                     content_type="text/csv")
    keyed = {**people["officer"], "Idempotency-Key": "households-import-1"}
    first = post(client, IMPORTS, {"file_id": file_id}, keyed)
    again = post(client, IMPORTS, {"file_id": file_id}, keyed)
    assert first.status_code == again.status_code == 201 and body(again) == body(first)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == f"{IMPORTS}/{body(first)['id']}" and body(first)["created"] == 3
    assert len(body(client.get(HOUSEHOLDS, headers=people["officer"]))["items"]) == 3


def test_a_retried_visit_shows_the_visit_again_and_counts_once(client, people, upload, world):
    imported(client, people, upload, csv_of(f"低保户,张一,{person(1)},{GRID},"))
    [household] = body(client.get(HOUSEHOLDS, headers=people["grid_worker"]))["items"]
    keyed = {**people["grid_worker"], "Idempotency-Key": "visit-0001"}
    visit = {"visited_on": "2026-11-20", "needs_legal_aid": False, "version": household["version"]}
    first = post(client, f"{HOUSEHOLDS}/{household['id']}/visits", visit, keyed)
    again = post(client, f"{HOUSEHOLDS}/{household['id']}/visits", visit, keyed)
    assert first.status_code == again.status_code == 201 and body(again) == body(first)
    assert again.headers["Idempotent-Replayed"] == "true" and body(again)["household"]["visit_count"] == 1
