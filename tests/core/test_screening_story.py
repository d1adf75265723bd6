"""Issue 14, end to end over HTTP as a district would live it (SPEC C7): a city imports its 12345 export,
the 18th's run screens it beside the services' checks — hotspots against the previous three months, group-
incident signals, repeat callers — staff read the findings and download the district's XLSX; running the
month again changes nothing and duplicates nothing."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from chalicelib.domain.screening import analysis, service as screening
from chalicelib.platform import aws, config
from tests.core.test_screening import on_day
from tests.core.test_screening_sources import HEADER, export, officer, upload  # noqa: F401  (fixtures)
from tests.helpers import body, only_enabled, post


@pytest.fixture(autouse=True)
def core_alone():
    """The core's own checks alone, as with no service enabled: a service's checks find their own things on
    the same table (a quota check finds every village behind), which is not this story."""
    with only_enabled():
        yield


def rows(clock) -> list[str]:
    this, last = clock.month(), clock.month(-1)
    out = [f"H{last}-{n},{last}-05 10:00,劳动保障,咨询加班费,天宁区,雕庄街道,,," for n in range(3)]
    out += [f"H{this}-{n},{this}-0{n + 1} 09:00,劳动保障,咨询社保,天宁区,雕庄街道,,13900000{n:03d}" for n in range(5)]
    out += [f"H{this}-9{n},{this}-1{n} 09:00,婚姻家庭,离婚财产,钟楼区,,,13912345678" for n in range(3)]
    out.append(f"H{this}-77,{this}-08 15:00,劳动保障,工地四十多名工人集体讨薪,天宁区,雕庄街道,,")
    return out


def test_an_imported_export_is_screened_reported_and_rescreened_without_duplicates(client, token, officer, upload, clock):  # noqa: F811
    month = clock.month()
    file_id = upload(export(*rows(clock)))
    imported = body(post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer))
    assert imported["imported"] == 12 and imported["failed"] == 0

    with on_day(clock, 18):
        run = screening.run_month()
        assert run.status == "done" and run.failed_checks == {}
        staff = token("o1", "legal_aid_officer", area="3204")
        found = body(client.get(f"/v1/screenings/{month}?limit=100", headers=staff))["items"]
        by_check = {}
        for item in found:
            by_check.setdefault(item["check"], []).append(item)
        [hotspot] = by_check["screening.hotspots"]
        assert hotspot["area"] == "320402001" and "劳动保障" in hotspot["title"] and "本月 6 件" in hotspot["title"]
        [group] = by_check["screening.group-risk"]
        assert "讨薪" in group["detail"] and "集体" in group["detail"] and group["severity"] == "risk"
        assert "工地" not in group["detail"]  # what people told the hotline stays in the work order
        [repeat] = by_check["screening.repeat-contacts"]
        assert repeat["area"] == "320404" and "139****5678" in repeat["detail"] and "13912345678" not in str(found)

        out = body(post(client, f"/v1/screenings/{month}/reports", {"area": "320402"}, officer))
        key = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/320402/")["Contents"][0]["Key"]
        book = load_workbook(io.BytesIO(aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read()))
        assert {analysis.TITLES["screening.hotspots"], analysis.TITLES["screening.group-risk"]} <= set(book.sheetnames)
        assert out["findings"] == 2

        admin = token("a1", "admin", area="3204")
        again = body(post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, admin))
        assert again["status"] == "done" and again["findings"] == len(found)
        assert len(body(client.get(f"/v1/screenings/{month}?limit=100", headers=staff))["items"]) == len(found)


def test_the_months_findings_become_tasks_the_report_is_ready_and_a_rerun_keeps_a_closed_task_closed(  # noqa: F811
        client, token, officer, upload, clock):
    """C7 / issue 14 §5–6 over HTTP: the 18th's run leaves each area's staff a work list and the district its
    report without anyone asking; the town's administrator closes a task with a note; re-running the month
    neither duplicates the tasks nor reopens the closed one."""
    month = clock.month()
    file_id = upload(export(*rows(clock)))
    assert post(client, "/v1/screenings/sources/hotline/imports", {"file_id": file_id, "city": "3204"}, officer).status_code == 201
    with on_day(clock, 18):
        screening.run_month()
        reports = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/")["Contents"]
        assert {o["Key"].split("/")[1] for o in reports} == {"320402", "320404"}

        town = token("a-town", "admin", area="320402001")
        [group, hotspot] = sorted(body(client.get("/v1/tasks", headers=town))["items"], key=lambda t: t["check"])
        assert (hotspot["check"], hotspot["role"], hotspot["status"]) == ("screening.hotspots", "admin", "open")
        assert group["check"] == "screening.group-risk" and group["severity"] == "risk"
        closed = client.patch(f"/v1/tasks/{group['id']}", body='{"status": "closed", "note": "已约谈施工方，工资已发放"}',
                              headers={**town, "Content-Type": "application/json", "If-Match": str(group["version"])})
        assert body(closed)["status"] == "closed"

        admin = token("a1", "admin", area="3204")
        assert body(post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, admin))["status"] == "done"
        after = {t["id"]: t for t in body(client.get("/v1/tasks?limit=100", headers=admin))["items"]}
    assert len(after) == 3 and after[group["id"]]["status"] == "closed"
    assert after[group["id"]]["note"] == "已约谈施工方，工资已发放"
