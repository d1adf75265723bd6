"""C7 monthly proactive screening: every enabled service's checks run per city and month, findings are
stored for the staff of each area, and running twice (or after a crash) never duplicates anything."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from chalice import Blueprint

from chalicelib import plugin
from chalicelib.domain.screening import service as screening
from chalicelib.platform import storage
from tests.helpers import assert_problem, body, post, seed_areas


class Checks:
    """A service whose findings the test controls."""

    def __init__(self):
        self.findings: list[plugin.Finding] = []
        self.calls = 0

    def __call__(self, context: plugin.ScreeningContext):
        self.calls += 1
        return [f for f in self.findings if f.area.startswith(context.area)]


@pytest.fixture
def checks(aws_backend):
    seed_areas()
    fake = Checks()
    before = plugin.enabled()
    plugin.activate([*before, plugin.Plugin(name="test", title="测试", blueprint=Blueprint("t"),
                                            screening_checks=(plugin.ScreeningCheck("test.overdue", "逾期未办", fake),))])
    yield fake
    plugin.activate(before)


def finding(area: str, record: str, check: str = "test.overdue") -> plugin.Finding:
    return plugin.Finding(check=check, area=area, severity="warning", title="逾期未办", record=record,
                          due=date(2026, 11, 20))


def test_the_monthly_job_screens_every_city_and_stores_the_findings(checks):
    checks.findings = [finding("320402001001001", "case-1"), finding("320404", "case-2")]
    result = screening.run_month(date(2026, 11, 18))
    assert result == {"month": "2026-11", "cities": {"3204": "done"}}
    run = storage.get_record(screening.ScreeningRun, screening.partition("2026-11", "3204"), "run")
    assert run.findings == 2 and run.by_check == {"test.overdue": 2}


def test_running_twice_does_not_run_the_checks_again(checks):
    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    screening.run_month(date(2026, 11, 18))
    assert checks.calls == 1


def test_a_crashed_run_is_taken_over_and_stale_findings_are_removed(checks, monkeypatch):
    checks.findings = [finding("320402", "case-1"), finding("320402", "case-2")]
    crashed = screening.ScreeningRun(month="2026-11", area="3204",
                                     claimed_at=screening.now_utc() - timedelta(hours=1))
    storage.put_new(crashed)
    storage.batch_write(puts=[{"pk": screening.partition("2026-11", "3204"),
                               "sk": "finding#320402#test.overdue#case-0", "entity": "screening-finding"}])
    run = screening.run_city("3204", "2026-11", date(2026, 11, 18))
    assert run.status == "done" and run.attempts == 2
    sorts = [i["sk"] for i in storage.query_all(screening.partition("2026-11", "3204"), begins_with="finding#")]
    assert sorts == ["finding#320402#test.overdue#case-1", "finding#320402#test.overdue#case-2"]


def test_a_run_claimed_moments_ago_is_left_to_its_owner(checks):
    storage.put_new(screening.ScreeningRun(month="2026-11", area="3204", claimed_at=screening.now_utc()))
    run = screening.run_city("3204", "2026-11", date(2026, 11, 18))
    assert run.status == "running" and checks.calls == 0


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


def test_an_admin_runs_a_city_by_hand_and_a_second_call_returns_the_same_run(client, token, checks):
    checks.findings = [finding("320402", "case-1")]
    admin = token("a1", "admin", area="3204")
    first = body(post(client, "/v1/screenings/2026-11/runs", {"area": "3204"}, admin))
    second = body(post(client, "/v1/screenings/2026-11/runs", {"area": "3204"}, admin))
    assert first["status"] == second["status"] == "done" and first["findings"] == 1 and checks.calls == 1


@pytest.mark.parametrize("month, area, status, code", [
    ("2026-13", "3204", 422, "bad_month"), ("2099-01", "3204", 422, "future_month"),
    ("2026-11", "320402", 422, "validation_failed"), ("2026-11", "6401", 403, "outside_jurisdiction"),
])
def test_bad_runs_are_refused(client, token, checks, month, area, status, code):
    response = post(client, f"/v1/screenings/{month}/runs", {"area": area}, token("a1", "admin", area="3204"))
    assert_problem(response, status, code)


def test_every_read_of_findings_is_audited(client, token, checks):
    from chalicelib.platform.storage import keys

    checks.findings = [finding("320402", "case-1")]
    screening.run_month(date(2026, 11, 18))
    client.get("/v1/screenings/2026-11", headers=token("o1", "legal_aid_officer", area="320402"))
    [entry] = storage.query(keys.audit_by_actor("o1"), index="gsi1").items
    assert entry["action"] == "read" and entry["target_id"] == "2026-11:320402"


def test_in_a_deployed_stage_a_manual_run_is_queued_on_the_screening_function_and_answers_202(
        client, token, checks, monkeypatch):
    """A province-size city takes longer than an HTTP request may: the route hands the run to the
    screening Lambda (asynchronous invoke) and answers 202 with the run's state."""
    import json as json_

    from botocore.stub import ANY, Stubber

    from chalicelib.platform import aws

    monkeypatch.setenv("SCREENING_FUNCTION", "fawangge-prod-monthly_screening")
    lambda_client = aws.client("lambda")
    sent = []
    lambda_client.meta.events.register("before-parameter-build.lambda.Invoke",
                                       lambda params, **_: sent.append(json_.loads(params["Payload"])))
    with Stubber(lambda_client) as stub:
        stub.add_response("invoke", {"StatusCode": 202}, {"FunctionName": "fawangge-prod-monthly_screening",
                                                          "InvocationType": "Event", "Payload": ANY})
        response = post(client, "/v1/screenings/2026-11/runs", {"area": "3204"}, token("a1", "admin", area="3204"))
    assert response.status_code == 202 and body(response)["status"] == "queued"
    assert sent[0]["detail"] == {"city": "3204", "month": "2026-11", "as_of": "2026-11-18"} and checks.calls == 0


def test_the_screening_function_runs_a_queued_city_and_the_monthly_schedule(checks, clock):
    from app import monthly_screening

    checks.findings = [finding("320402", "case-1")]
    month = clock.month()
    queued = {"version": "0", "id": f"{month}:3204", "detail-type": screening.RUN_EVENT_TYPE,
              "source": screening.RUN_EVENT_SOURCE, "account": "", "time": clock.now.isoformat(), "region": "",
              "resources": [], "detail": {"city": "3204", "month": month, "as_of": f"{month}-18"}}
    assert monthly_screening(queued, None) == {"month": month, "cities": {"3204": "done"}}
    scheduled = {**queued, "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
    assert monthly_screening(scheduled, None)["cities"] == {"3204": "done"}
    assert checks.calls == 1  # the scheduled run found this month's run done


def test_a_check_that_fails_is_recorded_and_the_others_still_run(checks, clock):
    """Issue 8 §2: a plugin's check that raises is recorded against it and does not stop the others; the
    findings an earlier attempt stored for the failed check are kept, not deleted unseen."""
    def broken(context):
        raise RuntimeError("数据异常")

    checks.findings = [finding("320402", "case-1")]
    failing = plugin.Plugin(name="flaky", title="不稳定的服务", blueprint=Blueprint("flaky"),
                            screening_checks=(plugin.ScreeningCheck("flaky.broken", "总是失败", broken),))
    before = plugin.enabled()
    plugin.activate([failing, *before])
    try:
        run = screening.run_city("3204", clock.month(), clock.today)
    finally:
        plugin.activate(before)
    assert run.status == "done" and run.by_check == {"test.overdue": 1}
    assert run.failed_checks == {"flaky.broken": "RuntimeError"}
