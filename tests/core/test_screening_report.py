"""Issue 14 §6: the district's 需求和风险分析研判 report — XLSX with a summary sheet and one sheet per check,
Chinese headers, frozen header row, fitting widths — in the ledger bucket, downloaded through a presigned
link by the district's staff; building it again replaces the one current report."""
from __future__ import annotations

import dataclasses
import io
from datetime import date

from openpyxl import load_workbook

from chalicelib.domain.screening import report, service as screening
from chalicelib.domain.files import service as files
from chalicelib.platform import aws, config, storage
from tests.core.test_screening import checks, failing_check, finding  # noqa: F401  (the fixture)
from tests.helpers import assert_problem, body, post


def test_district_staff_get_the_month_s_report_as_xlsx_with_a_summary(client, token, checks):  # noqa: F811
    checks.findings = [finding("320402001001001", "case-1"), finding("320402001", "case-2"),
                       finding("320404", "case-3")]
    screening.run_month(date(2026, 11, 18))
    staff = token("o1", "legal_aid_officer", area="320402")
    out = body(post(client, "/v1/screenings/2026-11/reports", {"area": "320402"}, staff))
    assert out["findings"] == 2 and "天宁区 2026-11 主动排摸共发现 2 条" in out["summary"]
    assert out["download"]["url"].startswith("http")
    stored = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/320402/")["Contents"]
    [key] = [o["Key"] for o in stored]
    data = aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["汇总", "逾期未办"]
    summary, sheet = book["汇总"], book["逾期未办"]
    assert [c.value for c in summary[1]] == ["检查项", "代码", "发现数", "风险", "提醒", "提示"]
    assert [c.value for c in summary[2]][:3] == ["逾期未办", "test.overdue", 2]
    assert [c.value for c in sheet[1]] == ["区域代码", "区域", "程度", "问题", "详情", "关联记录", "期限", "服务"]
    assert sheet.freeze_panes == "A2" and sheet.max_row == 3 and sheet["C2"].value == "提醒"
    assert {(sheet[f"A{r}"].value, sheet[f"B{r}"].value) for r in (2, 3)} == {
        ("320402001001001", "天宁区 雕庄街道 演示社区 第一网格"), ("320402001", "天宁区 雕庄街道")}
    assert sheet.column_dimensions["A"].width >= len("320402001001001")


def test_building_the_report_again_replaces_the_one_current_report(client, token, checks):  # noqa: F811
    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    staff = token("o1", "legal_aid_officer", area="320402")
    first = body(post(client, "/v1/screenings/2026-11/reports", {"area": "320402"}, staff))
    second = body(post(client, "/v1/screenings/2026-11/reports", {"area": "320402"}, staff))
    assert first["file_id"] == second["file_id"] == report.file_id("2026-11", "320402")
    listed = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/320402/")["Contents"]
    assert len(listed) == 1


def test_staff_of_another_district_cannot_build_or_download_it(client, token, checks):  # noqa: F811
    other = token("o2", "legal_aid_officer", area="320404")
    assert_problem(post(client, "/v1/screenings/2026-11/reports", {"area": "320402"}, other), 403, "outside_jurisdiction")
    assert_problem(post(client, "/v1/screenings/2026-11/reports", {"area": "3204"}, other), 422)


def test_the_report_names_its_areas_from_one_batch_read_not_one_read_per_row(checks):  # noqa: F811
    from chalicelib.platform import audit

    checks.findings = [finding("320402001001001", f"case-{n}") for n in range(5)] + [finding("320402", "case-9")]
    screening.run_month(date(2026, 11, 18))
    seen: list[str] = []
    dynamodb = aws.dynamodb()
    dynamodb.meta.events.register("before-call.dynamodb.*", lambda model, **_: seen.append(model.name))
    try:
        report.write(audit.SYSTEM, "2026-11", "320402")
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb.*")
    assert seen == ["Query", "BatchGetItem", "TransactWriteItems"]


def test_a_report_on_request_is_four_calls_and_its_download_is_audited_in_its_own_write(client, token, checks):  # noqa: F811
    """Reliability §3: the findings, the runs' failed checks and the areas' names are read (Query, Query,
    BatchGetItem); the report's file, its audit entry and the download's audit entry are one transaction."""
    from chalicelib.platform import audit
    from tests.core.test_write_floor import dynamodb_calls

    checks.findings = [finding("320402001", "case-1")]
    screening.run_month(date(2026, 11, 18))
    staff = token("o1", "legal_aid_officer", area="320402")
    with dynamodb_calls() as made:
        out = body(post(client, "/v1/screenings/2026-11/reports", {"area": "320402"}, staff))
    assert made == ["Query", "Query", "BatchGetItem", "TransactWriteItems"]
    reads = [e for e in audit.trail("file", out["file_id"]).items if e["action"] == "read"]
    assert [e["actor"] for e in reads] == ["o1"]



def current_book(district: str):
    [key] = [o["Key"] for o in aws.s3().list_objects_v2(Bucket=config.ledger_bucket(),
                                                        Prefix=f"report/{district}/")["Contents"]]
    return load_workbook(io.BytesIO(aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read()))


def test_the_report_the_last_shard_writes_names_the_checks_that_failed_and_their_errors(checks, clock):  # noqa: F811
    """Reliability, failures are loud (C7, issue 14 §6): the report the district works from says which checks
    could not run and why — their findings are missing, not zero — on a sheet of its own after the summary."""
    checks.findings = [finding("320402", "case-1")]
    with failing_check(RuntimeError("数据异常")), clock.travel(days=18 - clock.today.day):
        screening.run_month()
    book = current_book("320402")
    assert book.sheetnames[:2] == ["汇总", "未完成的检查"]
    failed = book["未完成的检查"]
    assert [c.value for c in failed[1]] == ["检查项", "代码", "错误", "说明"]
    assert [c.value for c in failed[2]][:3] == ["总是失败", "flaky.broken", "RuntimeError"]
    assert failed.max_row == 2


def test_a_report_built_on_request_names_the_failed_checks_in_its_summary(client, token, checks, clock):  # noqa: F811
    checks.findings = [finding("320402", "case-1")]
    with failing_check(RuntimeError("数据异常")), clock.travel(days=18 - clock.today.day):
        screening.run_month()
        out = body(post(client, f"/v1/screenings/{clock.month()}/reports", {"area": "320402"},
                        token("o1", "legal_aid_officer", area="320402")))
    assert out["failed_checks"] == {"flaky.broken": "RuntimeError"} and out["findings"] == 1
    assert "1 项检查未能完成：「总是失败」（RuntimeError）" in out["summary"]
    assert [c.value for c in current_book("320402")["未完成的检查"][2]][:2] == ["总是失败", "flaky.broken"]


def test_a_report_without_failed_checks_has_no_such_sheet(checks):  # noqa: F811
    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    assert current_book("320402").sheetnames == ["汇总", "逾期未办"]


def test_an_area_named_like_a_formula_is_plain_text_in_the_report_not_a_live_formula(client, token, checks):  # noqa: F811
    """CONTRACT "HTTP" (OWASP CSV injection): every sheet the system writes neutralises cells beginning with
    `=`, `+`, `-`, `@`, tab or carriage return — here a district's name an admin typed and a finding's detail —
    by a leading `'`; the counts stay numbers."""
    from tests.helpers import patch

    trap = '=HYPERLINK("http://evil.example/","点击查看")'
    admin = token("a1", "admin", area="3204")
    renamed = patch(client, "/v1/areas/320402", {"name": trap}, {**admin, "If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.body
    checks.findings = [dataclasses.replace(finding("320402001001001", "case-1"), detail="@SUM(1+1)*cmd|' /C calc'!A0")]
    screening.run_month(date(2026, 11, 18))
    post(client, "/v1/screenings/2026-11/reports", {"area": "320402"}, token("o1", "legal_aid_officer", area="320402"))
    [key] = [o["Key"] for o in aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/320402/")["Contents"]]
    book = load_workbook(io.BytesIO(aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read()))
    sheet = book["逾期未办"]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert sheet["B2"].value == "'" + trap + " 雕庄街道 演示社区 第一网格"
    assert sheet["E2"].value == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert book["汇总"]["C2"].value == 1 and book["汇总"]["C2"].data_type == "n"


def test_a_report_asked_for_before_the_18th_shows_the_preview_as_a_preview_and_when_the_run_is_due(
        client, token, checks, clock):  # noqa: F811
    """Issue 20 §5: a report of a month whose run has not happened never says "no problems": it names the
    day of the run and reports the administrators' preview, said to be one (summary, sheet, file title)."""
    checks.findings = [finding("320402", "case-1"), finding("320402001", "case-2")]
    with clock.travel(days=10 - clock.today.day):
        month, run_on = clock.month(), clock.day(18 - clock.today.day)
        admin, staff = token("a1", "admin", area="3204"), token("o1", "legal_aid_officer", area="320402")
        assert post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, admin).status_code == 200
        out = body(post(client, f"/v1/screenings/{month}/reports", {"area": "320402"}, staff))
    assert out["kind"] == "preview" and out["run_on"] == run_on and out["findings"] == 2
    assert f"定于 {run_on} 执行，尚未执行，本报告不是当月排摸结果" in out["summary"]
    assert "的预览共发现 2 条" in out["summary"] and "未发现需要跟进的问题" not in out["summary"]
    book = current_book("320402")
    assert book.sheetnames == ["汇总（预览）", "逾期未办"] and book["汇总（预览）"]["C2"].value == 2
    assert storage.require(files.StoredFile, out["file_id"]).title.endswith("（预览）.xlsx")


def test_a_report_asked_for_before_the_18th_without_a_preview_says_there_is_none_not_that_all_is_well(
        client, token, checks, clock):  # noqa: F811
    checks.findings = [finding("320402", "case-1")]
    with clock.travel(days=3 - clock.today.day):
        month = clock.month()
        out = body(post(client, f"/v1/screenings/{month}/reports", {"area": "320402"},
                        token("o1", "legal_aid_officer", area="320402")))
    assert out["kind"] == "preview" and out["findings"] == 0
    assert "尚未执行" in out["summary"] and "本月尚无手动预览" in out["summary"]
    assert "未发现需要跟进的问题" not in out["summary"]


def test_the_report_of_a_month_already_run_says_it_is_the_months(client, token, checks, clock):  # noqa: F811
    checks.findings = []
    last_month = clock.month(-1)
    screening.run_month(date.fromisoformat(f"{last_month}-18"))
    out = body(post(client, f"/v1/screenings/{last_month}/reports", {"area": "320402"},
                    token("o1", "legal_aid_officer", area="320402")))
    assert out["kind"] == "month" and out["run_on"] == f"{last_month}-18"
    assert out["summary"] == f"天宁区 {last_month} 主动排摸未发现需要跟进的问题。"
