"""M5 (seeds/001 item 12: 乡镇(街道)一周一排查，辖市、区半月一排查) and the daily deadline sweep, on the month's
fan-out: the scheduled functions (driven through `chalice.test.Client` events) enqueue the same shard
messages carrying their cadence; only the checks declaring it run; each run of a cadence replaces the
previous one's list for the month; no tasks and no report are made outside the 18th's run."""
from __future__ import annotations

import contextlib
import json

import pytest
from chalice import Blueprint

from chalicelib import plugin
from chalicelib.domain.screening import service as screening
from chalicelib.platform import aws, config
from chalicelib.platform.errors import Conflict
from tests.core.test_intake import desk, staff_ticket  # noqa: F401  (fixture)
from tests.core.test_screening import Checks, finding, lambdas, queue, sqs_event  # noqa: F401  (fixtures)
from tests.core.test_screening_tasks import month_tasks
from tests.helpers import body, seed_areas


class Backlog(Checks):
    """Counts which shards it screened; its findings are the test's."""


@pytest.fixture
def checks(aws_backend):
    with contextlib.suppress(Conflict):  # the intake desk's fixture may have seeded them
        seed_areas()
    monthly, backlog, deadlines = Checks(), Backlog(), Checks()
    before = plugin.enabled()
    plugin.activate([plugin.Plugin(  # the test's service alone, as with no service enabled (test_screening.py)
        name="test", title="测试", blueprint=Blueprint("t"),
        screening_checks=(plugin.ScreeningCheck("test.overdue", "逾期未办", monthly),
                          plugin.ScreeningCheck("test.backlog", "积案", backlog, cadence=("weekly", "half_monthly")),
                          plugin.ScreeningCheck("test.deadline", "期限将届满", deadlines, cadence="daily")))])
    monthly.backlog, monthly.deadlines = backlog, deadlines
    yield monthly
    plugin.activate(before)


def scheduled(lambdas) -> dict:
    return lambdas.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])


def on(clock, iso: str):
    from datetime import date

    return clock.travel(days=(date.fromisoformat(iso) - clock.today).days)


def next_month(clock):
    """Next month by the test clock: its label, its first two Mondays (both before its 18th), its 16th (the
    second half begins) and its 18th (the month's run)."""
    from datetime import date, timedelta

    month = clock.month(1)
    first = date.fromisoformat(f"{month}-01")
    monday = first + timedelta(days=-first.weekday() % 7)
    return month, monday, monday + timedelta(days=7), first.replace(day=16), first.replace(day=18)


def iso_week(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_findings(client, token, month: str, cadence: str = "weekly") -> list[dict]:
    staff = token("o1", "legal_aid_officer", area="3204")
    return body(client.get(f"/v1/screenings/{month}?cadence={cadence}&limit=100", headers=staff))["items"]


def test_the_weekly_schedule_screens_the_backlog_town_by_town_and_nothing_else(queue, lambdas, checks, clock):
    month, monday, _, _, _ = next_month(clock)
    checks.backlog.findings = [finding("320402001001001", "dispute-1", check="test.backlog")]
    with on(clock, monday.isoformat()):
        result = lambdas.lambda_.invoke("weekly_screening", scheduled(lambdas)).payload
        assert result == {"period": iso_week(monday), "generation": 1, "shards": 2, "status": "running"}
        bodies = queue()
        assert sorted((json.loads(b)["shard"], json.loads(b)["cadence"]) for b in bodies) == [
            ("320402001", "weekly"), ("320404", "weekly")]  # every town; a district without towns as itself
        assert lambdas.lambda_.invoke("screen_shard", sqs_event(lambdas, bodies)).payload == {"batchItemFailures": []}
    run = screening.get_run(month, "weekly", "all")
    assert run.status == "done" and run.by_check == {"test.backlog": 1}
    assert sorted(checks.backlog.areas) == ["320402001", "320404"] and checks.calls == checks.deadlines.calls == 0


def test_each_week_replaces_the_last_weeks_list_and_a_repeated_delivery_resumes(client, token, lambdas, checks, clock):
    month, monday, next_monday, _, _ = next_month(clock)
    checks.backlog.findings = [finding("320402001001001", "dispute-1", check="test.backlog"),
                               finding("320404", "dispute-2", check="test.backlog")]
    with on(clock, monday.isoformat()):
        lambdas.lambda_.invoke("weekly_screening", scheduled(lambdas))
        assert lambdas.lambda_.invoke("weekly_screening", scheduled(lambdas)).payload["generation"] == 1
        assert len(checks.backlog.areas) == 2  # delivered twice, screened once
        assert {f["record"] for f in weekly_findings(client, token, month)} == {"dispute-1", "dispute-2"}
    checks.backlog.findings = [finding("320404", "dispute-2", check="test.backlog")]
    with on(clock, next_monday.isoformat()):
        nextweek = lambdas.lambda_.invoke("weekly_screening", scheduled(lambdas)).payload
        assert (nextweek["period"], nextweek["generation"], nextweek["status"]) == (iso_week(next_monday), 2, "done")
        assert [f["record"] for f in weekly_findings(client, token, month)] == ["dispute-2"]
    assert month_tasks(month) == []  # tasks are the 18th's


def test_the_half_monthly_schedule_screens_districts_and_the_month_run_includes_every_check(lambdas, checks, clock):
    month, _, _, sixteenth, eighteenth = next_month(clock)
    checks.backlog.findings = [finding("320402001001001", "dispute-1", check="test.backlog")]
    with on(clock, sixteenth.isoformat()):
        result = lambdas.lambda_.invoke("half_monthly_screening", scheduled(lambdas)).payload
    assert result == {"period": f"{month}-H2", "generation": 1, "shards": 2, "status": "done"}
    assert sorted(checks.backlog.areas) == ["320402", "320404"] and checks.calls == 0
    with on(clock, eighteenth.isoformat()):
        month = screening.run_month()
    assert month.by_check == {"test.backlog": 1} and checks.calls == checks.deadlines.calls == 2


def test_the_daily_sweep_marks_overdue_tickets_and_runs_the_due_date_checks(client, desk, lambdas, checks, clock):  # noqa: F811
    with clock.travel(days=-10):
        staff_ticket(client, desk["worker"])
    checks.deadlines.findings = [finding("320402", "agreement-3", check="test.deadline")]
    result = lambdas.lambda_.invoke("daily_sweep", scheduled(lambdas)).payload
    assert result["tickets_overdue"] == 1 and result["period"] == clock.today.isoformat()
    assert result["status"] == "done" and checks.backlog.calls == checks.calls == 0
    assert screening.get_run(clock.month(), "daily", "all").by_check == {"test.deadline": 1}


def test_a_check_with_an_unknown_cadence_is_refused_when_declared():
    with pytest.raises(ValueError, match="cadence"):
        plugin.Plugin(name="xx", title="X", blueprint=Blueprint("x"),
                      screening_checks=(plugin.ScreeningCheck("xx.y", "Y", lambda c: [], cadence="hourly"),))
    with pytest.raises(ValueError, match="staff sign-in role"):
        plugin.Plugin(name="xx", title="X", blueprint=Blueprint("x"),
                      screening_checks=(plugin.ScreeningCheck("xx.y", "Y", lambda c: [], role="resident"),))


def test_no_report_is_written_outside_the_months_run(lambdas, checks, clock):
    _, _, _, sixteenth, _ = next_month(clock)
    checks.backlog.findings = [finding("320402001001001", "dispute-1", check="test.backlog")]
    with on(clock, sixteenth.isoformat()):
        lambdas.lambda_.invoke("half_monthly_screening", scheduled(lambdas))
    assert "Contents" not in aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/")
