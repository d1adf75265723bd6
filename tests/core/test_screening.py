"""C7 monthly proactive screening (seeds/003: 每月18日定期排摸): the 18th's run fans out one shard per
district over the queue, findings are stored for the staff of each area, a failed shard is retried alone and
named on the run record, and re-running (or redelivery after a crash) never duplicates anything."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date

import pytest
from chalice import Blueprint

from chalicelib import plugin
from chalicelib.domain.screening import service as screening, transport
from chalicelib.platform import storage
from tests.helpers import assert_problem, body, post, seed_areas


class Checks:
    """A service whose findings the test controls; `areas` records which shards it was asked about."""

    def __init__(self):
        self.findings: list[plugin.Finding] = []
        self.areas: list[str] = []

    @property
    def calls(self) -> int:
        return len(self.areas)

    def __call__(self, context: plugin.ScreeningContext):
        self.areas.append(context.area)
        return [f for f in self.findings if f.area.startswith(context.area)]


@pytest.fixture
def checks(aws_backend):
    seed_areas()
    fake = Checks()
    before = plugin.enabled()
    # the test's service alone: the core's screening must not depend on what the enabled services find
    # (a service's quota check finds every village behind on an empty table), as with no service at all
    plugin.activate([plugin.Plugin(name="test", title="测试", blueprint=Blueprint("t"),
                                            screening_checks=(plugin.ScreeningCheck("test.overdue", "逾期未办", fake),))])
    yield fake
    plugin.activate(before)


def finding(area: str, record: str, check: str = "test.overdue") -> plugin.Finding:
    return plugin.Finding(check=check, area=area, severity="warning", title="逾期未办", record=record,
                          due=date(2026, 11, 20))


def on_day(clock, day: int):
    """A block on the given day of the current month."""
    return clock.travel(days=day - clock.today.day)


def stored(month: str, city: str = "3204") -> list[str]:
    return [i["sk"] for i in storage.query_all(f"screening#{month}#{city}", begins_with="finding#")]


def test_the_monthly_job_screens_every_district_as_a_shard_and_stores_the_findings(checks):
    checks.findings = [finding("320402001001001", "case-1"), finding("320404", "case-2")]
    run = screening.run_month(date(2026, 11, 18))
    assert (run.kind, run.scope, run.status) == ("month", "all", "done")
    assert sorted(checks.areas) == ["320402", "320404"] and run.by_check == {"test.overdue": 2}
    assert screening.RunOut.of(run).findings == 2 and run.finished_at is not None


def test_a_district_with_many_towns_is_screened_town_by_town(checks, monkeypatch):
    monkeypatch.setattr(screening, "SPLIT_DISTRICT_OVER_TOWNS", 0)
    assert screening.shards_of("all") == ["320402001", "320404"]


def test_the_schedule_delivered_twice_does_not_run_the_checks_again(checks):
    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    again = screening.run_month(date(2026, 11, 18))
    assert checks.calls == 2 and again.generation == 1 and stored("2026-11") == ["finding#320402#test.overdue#case-1"]


@pytest.fixture
def queue(checks, monkeypatch):
    """The stage's SQS queue (moto), as deployed: the scheduled function really enqueues."""
    from chalicelib.platform import aws, config
    from infra import bootstrap

    sqs = aws.client("sqs")
    [url] = [u for u in bootstrap.create_queues(sqs, bootstrap.local_params("local"))
             if u.endswith("/" + config.screening_queue_name())]
    monkeypatch.setenv("SCREENING_QUEUE_URL", url)

    def receive() -> list[str]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        return [m["Body"] for m in messages]

    return receive


@pytest.fixture
def lambdas(app):
    from chalice.test import Client

    from tests.conftest import ROOT

    with Client(app, stage_name="local", project_dir=str(ROOT)) as test_client:
        yield test_client


def sqs_event(lambdas, bodies: list[str]) -> dict:
    event = lambdas.events.generate_sqs_event(message_bodies=bodies, queue_name="fawangge-local-screening")
    for i, record in enumerate(event["Records"]):
        record["messageId"] = f"message-{i}"
    return event


def test_the_scheduled_function_enqueues_one_shard_per_district_and_the_queue_function_screens_them(
        queue, lambdas, checks, clock):
    checks.findings = [finding("320402001001001", "case-1"), finding("320404", "case-2")]
    with on_day(clock, 18):
        month = clock.month()
        scheduled = lambdas.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event",
                                                     detail={}, resources=[])
        result = lambdas.lambda_.invoke("monthly_screening", scheduled).payload
        assert result == {"month": month, "generation": 1, "shards": 2, "status": "running"}
        bodies = queue()
        assert sorted(json.loads(b)["shard"] for b in bodies) == ["320402", "320404"] and checks.calls == 0
        response = lambdas.lambda_.invoke("screen_shard", sqs_event(lambdas, bodies)).payload
    assert response == {"batchItemFailures": []}
    run = screening.get_run(month, "month", "all")
    assert run.status == "done" and run.by_check == {"test.overdue": 2} and len(stored(month)) == 2


def test_a_failing_shard_alone_is_retried_and_the_run_record_names_it(queue, lambdas, checks, clock, monkeypatch):
    checks.findings = [finding("320402", "case-1"), finding("320404", "case-2")]
    real_write = screening.write_findings

    def write(puts, deletes):
        if any(p.area.startswith("320404") for p in puts):
            raise OSError("磁盘故障")
        real_write(puts, deletes)

    monkeypatch.setattr(screening, "write_findings", write)
    with on_day(clock, 18):
        month = clock.month()
        screening.run_month()
        bodies = sorted(queue(), key=lambda b: json.loads(b)["shard"])
        response = lambdas.lambda_.invoke("screen_shard", sqs_event(lambdas, bodies)).payload
        assert response == {"batchItemFailures": [{"itemIdentifier": "message-1"}]}  # 320404 only
        run = screening.get_run(month, "month", "all")
        assert run.failed == {"320404": "OSError"} and list(run.pending) == ["320404"] and run.status == "running"
        monkeypatch.setattr(screening, "write_findings", real_write)
        redelivered = lambdas.lambda_.invoke("screen_shard", sqs_event(lambdas, [bodies[1]])).payload
    assert redelivered == {"batchItemFailures": []}
    run = screening.get_run(month, "month", "all")
    assert run.status == "done" and run.failed == {} and len(stored(month)) == 2


def test_a_shard_that_keeps_failing_is_dead_lettered_by_the_local_stand_in_and_the_run_says_so(
        checks, clock, monkeypatch):
    def write(puts, deletes):
        if puts and puts[0].area == "320404":
            raise OSError("磁盘故障")

    monkeypatch.setattr(screening, "write_findings", write)
    checks.findings = [finding("320404", "case-2")]
    with on_day(clock, 18):
        run = screening.run_month()
    assert run.status == "failed" and run.failed == {"320404": "OSError"}
    assert checks.areas.count("320404") == transport.MAX_RECEIVES  # redelivered, then dead-lettered


def test_a_shard_that_crashed_half_way_is_finished_by_the_next_delivery_without_duplicates(checks, clock):
    """No "running" lock: a Lambda timeout leaves the message to reappear, and that delivery screens the
    shard again in full (the issue's 20-minute lock made retries skip it)."""
    checks.findings = [finding("320402", "case-1"), finding("320402", "case-2")]
    with on_day(clock, 18):
        month = clock.month()
        run = storage.put_new(screening.ScreeningRun(
            month=month, kind="month", scope="all", as_of=clock.today, started_at=screening.now_utc(),
            requested_by="schedule", shards=["320402"], pending={"320402": "queued"}))
        half = {"pk": f"screening#{month}#3204", "sk": "finding#320402#test.overdue#case-1",
                "entity": "screening-finding", "check": "test.overdue", "area": "320402", "service": "test",
                "month": month, "generation": 1, "severity": "risk", "title": "逾期"}
        storage.batch_write(puts=[half])  # the crashed delivery wrote one finding and never reported
        message = screening._message(run, "320402")
        transport.deliver_locally([message], screening.handle_queue_event)
    assert screening.get_run(month, "month", "all").status == "done"
    assert stored(month) == ["finding#320402#test.overdue#case-1", "finding#320402#test.overdue#case-2"]


def test_a_rerun_after_the_18th_is_a_new_generation_that_replaces_the_findings(client, token, checks, clock):
    checks.findings = [finding("320402", "case-1"), finding("320402", "case-2")]
    admin = token("a1", "admin", area="3204")
    with on_day(clock, 20):
        month = clock.month()
        screening.run_month(clock.today.replace(day=18))
        checks.findings = [finding("320402", "case-2"), finding("320402", "case-3")]
        first = body(post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, admin))
        second = body(post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, admin))
    assert (first["kind"], first["status"], first["generation"]) == ("month", "done", 1)
    assert second["generation"] == 2 and second["findings"] == 2 and second["as_of"] == clock.day(20 - clock.today.day)
    assert stored(month) == ["finding#320402#test.overdue#case-2", "finding#320402#test.overdue#case-3"]


def test_a_manual_run_before_the_18th_is_a_preview_that_never_blocks_the_month(client, token, checks, clock):
    checks.findings = [finding("320402", "case-1")]
    admin = token("a1", "admin", area="3204")
    with on_day(clock, 10):
        month = clock.month()
        preview = body(post(client, f"/v1/screenings/{month}/runs", {"area": "3204"}, admin))
        assert preview["kind"] == "preview" and preview["status"] == "done" and stored(month) == []
        staff = token("o1", "legal_aid_officer", area="3204")
        seen = body(client.get(f"/v1/screenings/{month}?preview=true", headers=staff))
        assert [f["record"] for f in seen["items"]] == ["case-1"]
    with on_day(clock, 18):
        run = screening.run_month()
    assert run.kind == "month" and run.status == "done" and stored(month) == ["finding#320402#test.overdue#case-1"]


def test_staff_see_the_findings_of_their_area_and_below_only(client, token, checks):
    checks.findings = [finding("320402001001001", "case-1"), finding("320404001", "case-2")]
    screening.run_month(date(2026, 11, 18))
    tianning = body(client.get("/v1/screenings/2026-11", headers=token("o1", "legal_aid_officer", area="320402")))
    assert [f["record"] for f in tianning["items"]] == ["case-1"]
    assert tianning["items"][0]["service"] == "test" and tianning["items"][0]["title"] == "逾期未办"
    city = body(client.get("/v1/screenings/2026-11", headers=token("o2", "legal_aid_officer", area="3204")))
    assert len(city["items"]) == 2
    outside = client.get("/v1/screenings/2026-11?area=320404", headers=token("o1", "legal_aid_officer", area="320402"))
    assert_problem(outside, 403, "outside_jurisdiction")


def test_residents_never_see_screening_findings(client, token, checks):
    assert_problem(client.get("/v1/screenings/2026-11", headers=token("r1")), 403)


@pytest.mark.parametrize("offset, area, status, code", [
    (None, "3204", 422, "bad_month"), (1, "3204", 422, "future_month"), (-1, "3204", 422, "past_month"),
    (0, "320402", 422, "validation_failed"), (0, "6401", 403, "outside_jurisdiction"),
])
def test_bad_runs_are_refused_and_a_past_month_is_never_judged_with_todays_data(
        client, token, checks, clock, offset, area, status, code):
    month = "2026-13" if offset is None else clock.month(offset)
    response = post(client, f"/v1/screenings/{month}/runs", {"area": area}, token("a1", "admin", area="3204"))
    problem = assert_problem(response, status, code)
    if code == "past_month":
        assert "今天的数据" in problem["detail"] and checks.calls == 0


def test_every_read_of_findings_is_audited(client, token, checks):
    from chalicelib.platform import audit

    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    client.get("/v1/screenings/2026-11", headers=token("o1", "legal_aid_officer", area="320402"))
    [entry] = storage.page(audit.Entry, audit.BY_ACTOR, "o1").items
    assert entry["action"] == "read" and entry["target_id"] == "2026-11:320402"


def test_a_message_of_a_superseded_generation_is_dropped(checks, clock):
    with on_day(clock, 18):
        run = screening.run_month()
        old = screening._message(run, "320402")
        screening.start_by_hand("cli:ops", clock.month(), "all")  # generation 2
        calls = checks.calls
        transport.deliver_locally([old], screening.handle_queue_event)
    assert checks.calls == calls


@contextmanager
def failing_check(error: Exception):
    """A service whose one check always raises `error`, enabled beside the others for the block."""
    def broken(context):
        raise error

    failing = plugin.Plugin(name="flaky", title="不稳定的服务", blueprint=Blueprint("flaky"),
                            screening_checks=(plugin.ScreeningCheck("flaky.broken", "总是失败", broken),))
    before = plugin.enabled()
    plugin.activate([failing, *before])
    try:
        yield
    finally:
        plugin.activate(before)


def emitted_metrics(printed: str) -> list[dict]:
    """The CloudWatch embedded-metric-format lines among what a run printed."""
    lines = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    return [line for line in lines if "_aws" in line]


def test_a_check_that_fails_is_recorded_and_the_others_still_run(checks, clock):
    """Issue 8 §2: a plugin's check that raises is recorded against it and does not stop the others; the
    findings an earlier attempt stored for the failed check are kept, not deleted unseen."""
    checks.findings = [finding("320402", "case-1")]
    with failing_check(RuntimeError("数据异常")), on_day(clock, 18):
        run = screening.run_month()
    out = screening.RunOut.of(run)
    assert out.findings == 1 and out.failed_checks == {"flaky.broken": "RuntimeError"}


def test_a_run_with_a_failed_check_is_done_with_failures_naming_the_check_and_its_error(client, token, checks, clock):
    """Reliability, failures are loud (C7): a check that raised makes the run `done_with_failures`, not `done`;
    the run an administrator reads names the check and the error (the problem's stable code with its type)."""
    from chalicelib.platform.errors import ServiceUnavailable

    checks.findings = [finding("320402", "case-1")]
    with failing_check(ServiceUnavailable("数据量超过单次处理上限", code="too_many_items")), on_day(clock, 18):
        screening.run_month()
        [run] = body(client.get(f"/v1/screenings/{clock.month()}/runs", headers=token("a1", "admin", area="3204")))["items"]
    assert run["status"] == "done_with_failures" and run["findings"] == 1
    assert run["failed_checks"] == {"flaky.broken": "ServiceUnavailable too_many_items"}


def test_a_failed_check_emits_a_metric_for_the_operations_alarm_naming_the_check(checks, clock, capsys):
    """Reliability: one `ScreeningCheckFailed` count per failed check and shard, by `service` and `check`, as a
    CloudWatch embedded-metric log line (no call to CloudWatch); a run without failures emits none."""
    with on_day(clock, 18):
        screening.run_month()
    assert [m for m in emitted_metrics(capsys.readouterr().out) if "ScreeningCheckFailed" in m] == []
    with failing_check(RuntimeError("数据异常")), on_day(clock, 18):
        screening.start_by_hand("cli:ops", clock.month(), "320402")
    [metric] = [m for m in emitted_metrics(capsys.readouterr().out) if "ScreeningCheckFailed" in m]
    [declared] = metric["_aws"]["CloudWatchMetrics"]
    assert declared["Namespace"] == "Fawangge" and [sorted(d) for d in declared["Dimensions"]] == [["check", "service"]]
    assert declared["Metrics"] == [{"Name": "ScreeningCheckFailed", "Unit": "Count"}]
    assert (metric["service"], metric["check"], metric["ScreeningCheckFailed"]) == ("fawangge", "flaky.broken", [1.0])


def test_the_cli_screens_an_area_by_hand(checks, clock, capsys, monkeypatch):
    from chalicelib import cli

    # The shell already points boto3 somewhere, so the CLI keeps it (on the local stage it would otherwise
    # go to `make dev`'s DynamoDB Local and s3rver): here AWS's own endpoints, which the in-process backend
    # answers.
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "https://dynamodb.cn-northwest-1.amazonaws.com.cn")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.cn-northwest-1.amazonaws.com.cn")
    checks.findings = [finding("320404", "case-2")]
    with on_day(clock, 18):
        assert cli.main(["screen", "--month", clock.month(), "--area", "320404"]) == 0
    printed = json.loads(capsys.readouterr().out.splitlines()[-1])  # the run, after any JSON log lines
    assert printed["scope"] == "320404" and printed["status"] == "done" and printed["findings"] == 1


def test_in_a_deployed_stage_a_manual_run_is_queued_and_answers_202(client, token, checks, clock, queue):
    admin = token("a1", "admin", area="3204")
    with on_day(clock, 20):
        response = post(client, f"/v1/screenings/{clock.month()}/runs", {"area": "3204"}, admin)
    assert response.status_code == 202 and body(response)["status"] == "running"
    assert sorted(json.loads(b)["shard"] for b in queue()) == ["320402", "320404"] and checks.calls == 0


def test_a_queued_manual_run_is_its_run_s_read_two_area_queries_and_one_transaction(
        client, token, checks, clock, queue):
    """Reliability §3: the audit entry and the city's existence ride in the run's own transaction; the area
    tree is read per level (districts, towns), not per district; a queued run is answered as written."""
    from tests.core.test_write_floor import dynamodb_calls

    admin = token("a1", "admin", area="3204")
    with on_day(clock, 20), dynamodb_calls() as made:
        response = post(client, f"/v1/screenings/{clock.month()}/runs", {"area": "3204"}, admin)
    assert response.status_code == 202
    assert made == ["GetItem", "Query", "Query", "TransactWriteItems"]


def test_a_run_of_an_unknown_city_is_a_404_that_records_nothing(client, token, checks, clock, queue):
    from chalicelib.platform import audit

    with on_day(clock, 20):
        response = post(client, f"/v1/screenings/{clock.month()}/runs", {"area": "3299"}, token("a1", "admin", area="32"))
    assert_problem(response, 404, "area_not_found")
    assert screening.get_run(clock.month(), "month", "3299") is None and queue() == []
    assert storage.page(audit.Entry, audit.BY_ACTOR, "a1").items == []


def test_an_administrator_sees_the_month_s_runs_with_their_own_failed_shards(client, token, checks, clock, monkeypatch):
    def write(puts, deletes):
        raise OSError("磁盘故障")

    monkeypatch.setattr(screening, "write_findings", write)
    checks.findings = [finding("320402", "case-1"), finding("320404", "case-2")]
    with on_day(clock, 18):
        screening.run_month()
        listed = body(client.get(f"/v1/screenings/{clock.month()}/runs", headers=token("a2", "admin", area="320404")))
    [run] = listed["items"]
    assert run["status"] == "failed" and run["failed_shards"] == {"320404": "OSError"} and run["shards"] == 1
    refused = client.get(f"/v1/screenings/{clock.month()}/runs", headers=token("o1", "legal_aid_officer", area="3204"))
    assert_problem(refused, 403)


def test_an_outdated_holiday_calendar_is_a_notice_for_administrators_logged_once_per_run_not_a_finding(
        client, token, checks, clock, monkeypatch):
    # Seen on the walk: "请升级 chinese-calendar" was listed among a district's 风险 findings.
    from types import SimpleNamespace

    from chalicelib.platform import logs, workdays

    logged: list[str] = []
    monkeypatch.setattr(logs, "logger", lambda: SimpleNamespace(warning=lambda message, **_: logged.append(message),
                                                                isEnabledFor=lambda level: False))
    monkeypatch.setattr(workdays, "covers", lambda day: False)
    checks.findings = [finding("320402", "case-1"), finding("320404", "case-2")]
    with on_day(clock, 18):
        run = screening.run_month()
        listed = body(client.get(f"/v1/screenings/{clock.month()}/runs", headers=token("a1", "admin", area="3204")))
    assert len(run.shards) == 2 and run.by_check == {"test.overdue": 2}
    [notice] = listed["items"][0]["notices"]
    assert "chinese-calendar" in notice
    assert len(logged) == 1 and "chinese-calendar" in logged[0]   # a warning once per run, not once per shard
    assert not [sk for sk in stored(clock.month()) if "calendar" in sk]


def test_a_run_with_a_current_holiday_calendar_has_no_notices(checks, clock, monkeypatch):
    from chalicelib.platform import workdays

    monkeypatch.setattr(workdays, "covers", lambda day: True)
    with on_day(clock, 18):
        assert screening.run_month().notices == []


def test_before_the_18th_the_months_findings_say_the_run_is_scheduled_not_that_nothing_was_found(
        client, token, checks, clock):
    """Issue 20 §5 (C7: the 18th): an empty list before the month's run means "not run yet", and says so —
    with the day it is due — while the preview's list says it is a preview."""
    checks.findings = [finding("320402", "case-1")]
    with on_day(clock, 10):
        month = clock.month()
        assert post(client, f"/v1/screenings/{month}/runs", {"area": "3204"},
                    token("a1", "admin", area="3204")).status_code == 200
        staff = token("o1", "legal_aid_officer", area="3204")
        month_list = body(client.get(f"/v1/screenings/{month}", headers=staff))
        preview = body(client.get(f"/v1/screenings/{month}?preview=true", headers=staff))
    run_on = clock.day(18 - clock.today.day)
    assert month_list["items"] == [] and month_list["scheduled"] is True and month_list["kind"] == "month"
    assert month_list["run_on"] == run_on and f"定于 {run_on} 执行，尚未执行" in month_list["note"]
    assert "不代表没有问题" in month_list["note"] and "preview=true" in month_list["note"]
    assert [f["record"] for f in preview["items"]] == ["case-1"] and preview["kind"] == "preview"
    assert preview["note"].startswith("预览") and "不是当月排摸结果" in preview["note"]


def test_after_the_run_the_months_findings_say_they_are_the_months_run(client, token, checks):
    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    seen = body(client.get("/v1/screenings/2026-11", headers=token("o1", "legal_aid_officer", area="3204")))
    assert seen["kind"] == "month" and seen["scheduled"] is False and seen["run_on"] == "2026-11-18"
    assert seen["note"] == "2026-11 主动排摸（2026-11-18）的结果"
