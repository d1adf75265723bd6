"""SPEC C9 (issue 23 §1, §3): an area's ledger of one service over a month or a year, XLSX or CSV
(`POST /v1/ledgers/exports`): from the service's counters (a row per sub-area) or its record-by-record rows
(`Plugin.ledger_rows`, large ones in the background with a status record); stored at
`ledgers/<area>/<yyyy>/<period>-<kind>.<ext>` with the data version it was built from, rebuilt only when that
changed; every cell neutralised (CONTRACT: `=`, `+`, `-`, `@`, tab, CR); every export and download audited."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from chalicelib import plugin
from chalicelib.domain.ledgers import counters, exports
from chalicelib.platform import audit, aws, config, storage
from tests.helpers import also_enabled, assert_problem, body, calls_during, post, seed_areas, stand_in_plugin

TOWN, VILLAGE, GRID = "320402001", "320402001001", "320402001001001"
TRAPS = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"]


def _rows(area, months):
    yield from ([f"R{i}", TRAPS[i % len(TRAPS)], i] for i in range(int(counters.rollup(area, months).total("exp.records"))))


SERVICE = stand_in_plugin(
    "exp", stat_counters=(plugin.StatCounter("exp.records", "登记（件）"), plugin.StatCounter("exp.visits", "走访（次）")),
    ledger_rows=(plugin.LedgerRows("exp.register", "登记台账", ("编号", "摘要", "序号"), _rows, count="exp.records"),))


@pytest.fixture
def counted(client, clock):
    seed_areas()
    storage.transact([counters.count_op(GRID, clock.month(), {"exp.records": 3, "exp.visits": 2}),
                      counters.count_op(VILLAGE, clock.month(), {"exp.visits": 1})])
    with also_enabled(SERVICE):
        yield clock.month()


def _export(client, token, payload, area="320402", role="admin"):
    return post(client, "/v1/ledgers/exports", payload, token("clerk-1", role, area=area))


def _object(key: str) -> bytes:
    return aws.s3().get_object(Bucket=config.ledger_bucket(), Key=key)["Body"].read()


def test_a_village_s_month_lists_its_grids_and_itself_with_a_total_and_is_audited(client, token, counted):
    out = body(_export(client, token, {"area": VILLAGE, "period": counted, "kind": "exp"}))
    assert out["status"] == "ready" and out["rebuilt"] and out["download"]["url"].startswith("http")
    key = f"ledgers/{VILLAGE}/{counted[:4]}/{counted}-exp.xlsx"
    book = load_workbook(io.BytesIO(_object(key)))
    assert book.sheetnames == ["封面", "测试服务"]
    rows = list(book["测试服务"].iter_rows(values_only=True))
    assert rows[0] == ("区域代码", "区域", "登记（件）", "走访（次）")
    assert rows[1:] == [(VILLAGE, "演示社区（本级）", 0, 1), (GRID, "第一网格", 3, 2), (None, "合计", 3, 3)]
    cover = {r[0]: r[1] for r in book["封面"].iter_rows(min_row=2, values_only=True)}
    assert cover["区域"] == "江苏省常州市天宁区雕庄街道演示社区" and cover["数据版本"] == str(out["data_version"])
    assert len(audit.trail("ledger", f"{VILLAGE}:{counted}:exp").items) == 1


def test_asked_again_with_the_same_data_it_is_handed_over_not_rebuilt_and_rebuilt_once_the_data_changed(client, token, counted):
    first = body(_export(client, token, {"area": TOWN, "period": counted, "kind": "exp"}))
    again = []
    calls = calls_during(lambda: again.append(body(_export(client, token, {"area": TOWN, "period": counted, "kind": "exp"}))))
    assert again[0]["rebuilt"] is False and again[0]["data_version"] == first["data_version"]
    assert calls == ["Query", "TransactWriteItems"]  # a read and its audit entry
    storage.transact([counters.count_op(GRID, counted, {"exp.visits": 1})])
    later = body(_export(client, token, {"area": TOWN, "period": counted, "kind": "exp"}))
    assert later["rebuilt"] and later["data_version"] == first["data_version"] + 1
    assert len(audit.trail("ledger", f"{TOWN}:{counted}:exp").items) == 3


def test_a_csv_of_records_neutralises_every_cell_that_would_run_as_a_formula(client, token, counted):
    out = body(_export(client, token, {"area": "320402", "period": counted, "kind": "exp.register", "format": "csv"}))
    assert out["status"] == "ready" and out["rows"] == 3
    text = _object(f"ledgers/320402/{counted[:4]}/{counted}-exp.register.csv").decode("utf-8-sig")
    cells = [c for line in text.split("\r\n")[1:] if line for c in line.split(",")]
    assert not [c for c in cells if c.strip('"').startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert "'=HYPERLINK" in text and "'+1" in text


def test_a_large_record_ledger_is_written_in_the_background_once_per_data_version(client, token, counted, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROWS", 2)
    payload = {"area": "320402", "period": counted[:4], "kind": "exp.register"}
    out = body(_export(client, token, payload))
    job = storage.read(exports.ExportJob, out["export_id"])
    assert job.status == "done" and job.rows == 3  # the local stand-in ran the queue's handler already
    status = body(client.get(f"/v1/ledgers/exports/{out['export_id']}", headers=token("clerk-1", "admin", area="320402")))
    assert status["status"] == "ready" and status["download"]["url"].startswith("http")
    book = load_workbook(io.BytesIO(_object(f"ledgers/320402/{counted[:4]}/{counted[:4]}-exp.register.xlsx")))
    sheet = book["登记台账"]
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert len(values) == 9 and not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@"))]
    assert sheet.freeze_panes == "A2"
    assert body(_export(client, token, payload))["rebuilt"] is False
    assert exports.run(out["export_id"]) == "done"  # a redelivered message changes nothing


def test_another_district_s_export_is_not_found_to_it(client, token, counted, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROWS", 2)
    out = body(_export(client, token, {"area": "320402", "period": counted, "kind": "exp.register"}))
    response = client.get(f"/v1/ledgers/exports/{out['export_id']}", headers=token("clerk-2", "admin", area="320404"))
    assert_problem(response, 404, "export_not_found")


@pytest.mark.parametrize("payload, status, code, field", [
    ({"area": "320404", "period": "2026-01", "kind": "exp"}, 403, "outside_jurisdiction", "area"),
    ({"area": "320402", "period": "2999-01", "kind": "exp"}, 422, "future_period", "period"),
    ({"area": "320402", "period": "2026-01", "kind": "nothing-here"}, 422, "unknown_kind", "kind"),
    ({"area": "320402", "period": "2026-01", "kind": "exp.nothing"}, 422, "unknown_kind", "kind"),
    ({"area": "320402", "period": "2026-01", "kind": "exp", "format": "pdf"}, 422, None, "format"),
])
def test_bad_input_is_refused_naming_the_field(client, token, counted, payload, status, code, field):
    problem = assert_problem(_export(client, token, payload), status, code)
    assert problem["errors"][0]["loc"] == ["body", field]


def test_residents_are_refused(client, token, counted):
    response = post(client, "/v1/ledgers/exports", {"area": VILLAGE, "period": counted, "kind": "exp"},
                    token("r-1", "resident"))
    assert_problem(response, 403, "role_not_allowed")


def test_on_a_deployed_queue_the_request_answers_202_queued_and_the_queue_s_function_writes_it(client, token, counted,
                                                                                               monkeypatch, app):
    from chalice.test import Client

    from infra import bootstrap
    from tests.conftest import ROOT

    monkeypatch.setattr(exports, "SYNC_ROWS", 2)
    sqs = aws.client("sqs")
    [url] = [u for u in bootstrap.create_queues(sqs, bootstrap.local_params("local")) if u.endswith("/" + config.ledger_queue_name())]
    monkeypatch.setenv("LEDGER_QUEUE_URL", url)
    response = _export(client, token, {"area": "320402", "period": counted, "kind": "exp.register"})
    assert response.status_code == 202 and body(response)["status"] == "queued"
    messages = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    with Client(app, stage_name="local", project_dir=str(ROOT)) as lambdas:
        event = lambdas.events.generate_sqs_event(message_bodies=messages, queue_name=config.ledger_queue_name())
        assert lambdas.lambda_.invoke("export_ledgers", event).payload == {"batchItemFailures": []}
    assert storage.read(exports.ExportJob, body(response)["export_id"]).status == "done"


def test_an_export_that_failed_says_so_and_asking_again_retries_it(client, token, counted, monkeypatch):
    monkeypatch.setattr(exports, "SYNC_ROWS", 2)
    broken = {"now": True}

    def rows(area, months):
        if broken["now"]:
            raise RuntimeError("store down")
        yield from _rows(area, months)

    flaky = stand_in_plugin("flaky", stat_counters=(plugin.StatCounter("flaky.records", "登记（件）"),),
                            ledger_rows=(plugin.LedgerRows("flaky.register", "登记台账", ("编号", "摘要", "序号"), rows,
                                                           count="flaky.records"),))
    storage.transact([counters.count_op(VILLAGE, counted, {"flaky.records": 3})])
    payload = {"area": "320402", "period": counted, "kind": "flaky.register"}
    with also_enabled(flaky):
        failed = body(_export(client, token, payload))
        assert failed["status"] == "failed" and failed["download"] is None and "RuntimeError" in failed["detail"]
        broken["now"] = False
        again = body(_export(client, token, payload))
    assert again["status"] == "ready" and again["export_id"] == failed["export_id"]
