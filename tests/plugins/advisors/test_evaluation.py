"""SPEC V3: the yearly evaluation — the cadre's and the residents' ratings, log completeness, verified hours and
reports scored by the published rule (parameters per area), graded with the rule's reasons; the subsidy is
the base times the grade's percentage, nothing on a misconduct finding; 不合格 loses renewal; the bureau's
list carries the area's totals, counted in the evaluations' own transactions, and downloads as XLSX."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest

from chalicelib.platform import audit
from tests.helpers import assert_problem, ok, post
from tests.plugins.advisors.conftest import GRID, VILLAGE, engage, lawyer

pytestmark = pytest.mark.usefixtures("areas")


def put(client, path: str, payload: dict, headers: dict):
    return client.request("PUT", path, headers={**headers, "Content-Type": "application/json"},
                          body=json.dumps(payload, ensure_ascii=False))


@pytest.fixture
def year(client, admin, clock) -> int:
    """Last year, served whole by the lawyer `lawyer-1` at the urban community."""
    last = clock.today.year - 1
    ok(engage(client, admin, lawyer(client, admin), start=f"{last}-01-01", end=f"{last}-12-31"), 201)
    return last


@pytest.fixture
def cadre(token):
    return token("grid-1", "grid_worker", area=GRID)


def evaluation(year: int) -> str:
    return f"/v1/advisors/villages/{VILLAGE}/evaluations/{year}"


def test_the_bureau_grades_the_year_with_the_rules_reasons_and_a_fail_loses_renewal(client, admin, cadre, token,
                                                                                   year):
    rated = ok(put(client, f"{evaluation(year)}/cadre-rating", {"rating": "very_satisfied"}, cadre))
    assert rated["status"] == "rated" and rated["grade"] is None and rated["person_name"] == "陈立伟"
    graded = ok(put(client, evaluation(year), {"version": rated["version"]}, admin))
    # only the cadre's 20 of 80 points counted (no resident rated): 25.0 → 不合格, 50% of the 10000 base
    assert graded["score"] == "25.0" and graded["grade_title"] == "不合格" and graded["renewal"] is False
    assert graded["subsidy"] == "5000.00" and graded["subsidy_reason"] == "补贴 5000.00 元（基数 10000 元 × 不合格 50%）"
    reasons = {r["criterion"]: r["reason"] for r in graded["reasons"]}
    assert reasons["advisors.hours_met"].startswith("12 个月中 0 个月核验驻点时长达到")
    assert reasons["advisors.yearly_grade"] == f"{year} 年度考核得分 25.0，不合格（低于合格线 60 分）"
    engagement = graded["engagement"]
    barred = assert_problem(post(client, f"/v1/advisors/engagements/{engagement}/renewal",
                                 {"end": f"{year + 1}-12-31", "version": 2}, admin), 409, "renewal_barred")
    assert barred["detail"].startswith(f"{year} 年度考核不合格")
    assert ok(client.get(evaluation(year), headers=token("lawyer-1", "lawyer", area="320402")))["grade"] == "fail"
    assert_problem(put(client, f"{evaluation(year)}/cadre-rating", {"rating": "satisfied", "version": 2}, cadre),
                   409, "evaluation_graded")
    assert_problem(put(client, evaluation(year + 2), {}, admin), 422, "year_in_future")
    assert_problem(client.get(evaluation(year), headers=token("lawyer-2", "lawyer", area="320402")), 404)


def test_the_cadres_level_earns_the_percentage_its_parameter_gives_in_force(client, admin, cadre, year):
    """SPEC V3: the cadre's five levels earn a parameter's percentage of the item (100/90/70/30/0 by default)."""
    from chalicelib.domain.policy import service as policy

    policy.set_version(audit.SYSTEM, None, "advisors.cadre_percent_very_satisfied", area_code="3204", value=60,
                       effective_from=date(year, 1, 1), label="常州市村干部评价“非常满意”得分比例",
                       retroactive_reason="录入历史标准")
    rated = ok(put(client, f"{evaluation(year)}/cadre-rating", {"rating": "very_satisfied"}, cadre))
    graded = ok(put(client, evaluation(year), {"version": rated["version"]}, admin))
    reasons = {r["criterion"]: r["reason"] for r in graded["reasons"]}
    assert reasons["advisors.cadre_rating"] == "村（社区）干部评价「非常满意」（计 60%），得 12.0/20 分"


def test_a_misconduct_finding_withholds_the_subsidy_and_the_totals_follow_a_second_run(client, admin, cadre, year):
    from chalicelib.domain.files import service as files
    from chalicelib.domain.policy import service as policy
    from chalicelib.platform import aws, storage
    from openpyxl import load_workbook

    for item in ("log", "hours", "reports"):   # the city's published rule: only the ratings count
        policy.set_version(audit.SYSTEM, None, f"advisors.weight_{item}", area_code="3204", value=0,
                           effective_from=date(2015, 1, 1), label="考核权重", retroactive_reason="测试规则")
    ok(put(client, f"{evaluation(year)}/cadre-rating", {"rating": "very_satisfied"}, cadre))
    first = ok(put(client, evaluation(year), {"version": 1}, admin))
    assert first["grade_title"] == "优秀" and first["subsidy"] == "10000.00" and first["renewal"] is True
    listed = ok(client.get(f"/v1/advisors/evaluations?area=320402&year={year}", headers=admin))
    assert listed["totals"]["excellent"] == 1 and listed["totals"]["subsidy"] == "10000.00"
    again = ok(put(client, evaluation(year), {"version": 2, "misconduct": "=HYPERLINK(\"x\")收取村民费用"}, admin))
    assert again["subsidy"] == "0.00" and "不发放补贴" in again["subsidy_reason"]
    totals = ok(client.get(f"/v1/advisors/evaluations?area=3204&year={year}", headers=admin))["totals"]
    assert totals == {"evaluated": 1, "excellent": 1, "good": 0, "passed": 0, "failed": 0, "withheld": 1,
                      "subsidy": "0.00"}
    exported = ok(post(client, "/v1/advisors/evaluations/export", {"area": "320402", "year": year}, admin))
    assert exported["rows"] == 1 and exported["download"]["url"]
    stored = storage.read(files.StoredFile, exported["file_id"])
    book = load_workbook(io.BytesIO(aws.s3().get_object(Bucket=stored.bucket, Key=stored.key)["Body"].read()))
    row = [c.value for c in list(book.worksheets[1].iter_rows())[1]]
    assert row[:5] == [VILLAGE, "陈立伟", "非常满意", 100, "优秀"] and row[6].startswith("'=HYPERLINK")


def test_the_months_verified_hours_log_and_reports_count_in_the_score(client, admin, cadre, token, year):
    engagement = ok(client.get("/v1/advisors/engagements?area=320402", headers=admin))["items"][0]["id"]
    ok(put(client, f"/v1/advisors/villages/{VILLAGE}/service-point",
           {"name": "演示社区工作室", "lat": 31.7825, "lng": 119.9936, "version": 1}, admin))
    advisor = token("lawyer-1", "lawyer", area="320402")
    near = {"lat": 31.7826, "lng": 119.9937}
    ok(post(client, f"/v1/advisors/engagements/{engagement}/check-in",
            {**near, "at": f"{year}-03-10T09:00:00+08:00"}, advisor), 201)
    ok(post(client, f"/v1/advisors/engagements/{engagement}/check-out",
            {**near, "at": f"{year}-03-10T17:30:00+08:00"}, advisor))
    month = f"{year}-03"
    ok(post(client, f"/v1/advisors/villages/{VILLAGE}/log/{month}/corrections", {
        "reason": "补记漏报的信息", "add": {"village": VILLAGE, "on": f"{month}-12", "duty": "report", "title": "上报土地纠纷隐患"}},
        admin))
    ok(post(client, f"/v1/advisors/villages/{VILLAGE}/log/{month}/verification", {"version": 1}, cadre))
    graded = ok(put(client, evaluation(year), {}, admin))
    reasons = {r["criterion"]: r["reason"] for r in graded["reasons"]}
    assert reasons["advisors.hours_met"].startswith("12 个月中 1 个月核验驻点时长达到")
    assert reasons["advisors.log_complete"].startswith("12 个月中 1 个月工作日志已记并经村（社区）干部核实")
    assert reasons["advisors.reports"] == "上报信息 1 条（满分需 12 条），得 1.3/15 分"
    assert reasons["advisors.cadre_rating"] == "村（社区）干部尚未评价，不计入"
