"""Issue 24 §3 and §2: every scheduled function runs from the Lambda console with a test event
(`{"month": "2026-12", "area": "320402"}`, docs/admin-guide.md) and such a run lands in the audit trail; the
figures the operators' alarms watch are emitted as embedded metrics (a run `done_with_failures`, the month's
run missing on the 19th)."""
from __future__ import annotations

import json

from chalicelib.domain.screening import service as screening
from chalicelib.platform import audit
from tests.core.test_screening import checks, finding, lambdas, on_day  # noqa: F401  (fixtures)


def figures(capsys) -> dict[str, float]:
    """The embedded-metric lines written to stdout: metric name → value."""
    out = {}
    for line in capsys.readouterr().out.splitlines():
        if line.startswith('{"_aws"'):
            blob = json.loads(line)
            for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                out[metric["Name"]] = blob[metric["Name"]][0]
    return out


def test_the_monthly_screening_re_runs_one_area_from_a_console_test_event_recorded_in_the_audit_trail(
        checks, lambdas, clock):  # noqa: F811
    checks.findings = [finding("320402", "case-1"), finding("320404", "case-2")]
    with on_day(clock, 19):
        month = clock.month()
        result = lambdas.lambda_.invoke("monthly_screening", {"month": month, "area": "320402"}).payload
    assert result == {"month": month, "generation": 1, "shards": 1, "status": "done"}
    assert checks.areas == ["320402"]
    [entry] = audit.trail("screening-run", f"{month}:320402").items
    assert (entry["actor"], entry["action"]) == ("console", "run")


def test_a_console_run_of_a_past_month_is_refused_with_the_reason(checks, lambdas, clock):  # noqa: F811
    import pytest

    from chalicelib.platform.errors import Unprocessable

    with pytest.raises(Unprocessable, match="已结束"):
        lambdas.lambda_.invoke("monthly_screening", {"month": clock.month(-1), "area": "320402"})


def test_every_scheduled_function_runs_from_the_console(checks, lambdas, clock):  # noqa: F811
    with on_day(clock, 10):
        month = clock.month()
        weekly = lambdas.lambda_.invoke("weekly_screening", {"month": month, "area": "320402"}).payload
        sweep = lambdas.lambda_.invoke("daily_sweep", {"month": month, "area": "320402"}).payload
        for name in ("half_monthly_screening", "relay_notifications", "drain_board_changes", "refresh_boards"):
            lambdas.lambda_.invoke(name, {})
    assert weekly["status"] == sweep["status"] == "done" and sweep["month_run_missing"] is False
    assert screening.get_run(month, "daily", "320402").requested_by == "console"


def test_a_run_that_ends_done_with_failures_is_counted_for_the_alarm_with_its_duration_and_findings(
        checks, lambdas, clock, capsys):  # noqa: F811
    with on_day(clock, 18):
        checks.findings = [finding("320402", "case-1")]
        lambdas.lambda_.invoke("monthly_screening", {"month": clock.month(), "area": "320402"})
        assert figures(capsys).keys() >= {"ScreeningDuration", "ScreeningFindings"}
        checks.findings = None  # the check raises; the run still finishes
        run = lambdas.lambda_.invoke("monthly_screening", {"month": clock.month(), "area": "320402"}).payload
    assert run["status"] == "done_with_failures"
    seen = figures(capsys)
    assert seen["ScreeningRunsWithFailures"] == 1 and seen["ScreeningFindings"] == 0


def test_from_the_19th_a_month_whose_run_has_not_finished_is_counted_every_night(checks, clock, capsys):  # noqa: F811
    with on_day(clock, 18):
        assert screening.month_run_missing() is False
    with on_day(clock, 19):
        assert screening.month_run_missing() is True
        assert figures(capsys)["ScreeningMonthRunMissing"] == 1
        screening.run_month(clock.today.replace(day=18))
        assert screening.month_run_missing() is False
