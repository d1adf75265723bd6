"""C7 (seeds/003: 每月18日定期排摸, 主动服务) and issue 14 §5–6: the month's findings become proactive service
tasks with deterministic ids, assigned to the post the check names (or the grid worker / the area's
administrator), worked through and closed with a note; re-runs never duplicate them, never reopen a closed
one, and mark the ones no longer found. The district's report is written when its last shard completes."""
from __future__ import annotations

import pytest
from chalice import Blueprint

from chalicelib import plugin
from chalicelib.domain.screening import report, service as screening, tasks
from chalicelib.platform import aws, config, storage
from tests.core.test_screening import Checks, finding, on_day
from tests.helpers import assert_problem, body, seed_areas

GRID = "320402001001001"


@pytest.fixture
def checks(aws_backend):
    """A service with two checks: one for the grid's grid worker (no role named), one for legal-aid officers."""
    seed_areas()
    fake, officers = Checks(), Checks()
    before = plugin.enabled()
    plugin.activate([plugin.Plugin(  # the test's service alone, as with no service enabled (test_screening.py)
        name="test", title="测试", blueprint=Blueprint("t"),
        screening_checks=(plugin.ScreeningCheck("test.overdue", "逾期未办", fake),
                          plugin.ScreeningCheck("test.unassigned", "未指派", officers, role="legal_aid_officer")))])
    fake.officers = officers
    yield fake
    plugin.activate(before)


def month_tasks(month: str, area: str = "3204") -> list[dict]:
    return [i for i in storage.query_all(tasks.Task.listing("screening-task").partition(area), index="gsi1",
                                         begins_with=area) if i["month"] == month]


def by_subject(month: str) -> dict[str, dict]:
    return {t["subject"]: t for t in month_tasks(month)}


def test_each_finding_of_the_months_run_becomes_one_task_for_the_post_that_must_act(checks, clock):
    checks.findings = [finding(GRID, "case-1"), finding("320404", "case-2")]
    checks.officers.findings = [finding("320402001", "app-7", check="test.unassigned")]
    with on_day(clock, 18):
        month = clock.month()
        screening.run_month()
    found = by_subject(month)
    assert {s: (t["area"], t["role"], t["status"]) for s, t in found.items()} == {
        "case-1": (GRID, "grid_worker", "open"),                # a grid's finding: its grid worker
        "case-2": ("320404", "admin", "open"),                  # a wider area's: its administrator
        "app-7": ("320402001", "legal_aid_officer", "open"),    # the post the check names
    }
    assert found["case-1"]["id"] == tasks.task_id(month, GRID, "test.overdue", "case-1")


def test_the_eighteenth_run_twice_and_a_rerun_keep_the_same_tasks_and_a_closed_one_stays_closed(checks, clock):
    checks.findings = [finding(GRID, "case-1"), finding(GRID, "case-2")]
    with on_day(clock, 18):
        month = clock.month()
        screening.run_month()
        screening.run_month()                     # the schedule delivered twice
        first = by_subject(month)
        closing = tasks.Task.from_item(first["case-1"])
        storage.update(closing, {"status": "closed", "note": "已上门", "closed_by": "grid-1"}, expected_version=1)
        checks.findings = [finding(GRID, "case-1"), finding(GRID, "case-2"), finding(GRID, "case-3")]
        rerun = screening.run_city("3204", month, clock.today)   # an administrator re-runs the city
    after = by_subject(month)
    assert rerun.status == "done" and sorted(after) == ["case-1", "case-2", "case-3"] and len(month_tasks(month)) == 3
    assert after["case-1"]["status"] == "closed" and after["case-2"]["id"] == first["case-2"]["id"]


def test_a_finding_gone_in_the_new_generation_marks_its_open_task_and_a_closed_one_is_left_alone(checks, clock):
    checks.findings = [finding(GRID, "case-1"), finding(GRID, "case-2")]
    with on_day(clock, 18):
        month = clock.month()
        screening.run_month()
        done = tasks.Task.from_item(by_subject(month)["case-2"])
        storage.update(done, {"status": "closed", "note": "已办结"}, expected_version=1)
        checks.findings = []
        screening.run_city("3204", month, clock.today)
        assert {s: t["status"] for s, t in by_subject(month).items()} == {"case-1": "gone", "case-2": "closed"}
        checks.findings = [finding(GRID, "case-1")]           # back again: the task is open again
        screening.run_city("3204", month, clock.today)
    assert by_subject(month)["case-1"]["status"] == "open" and len(month_tasks(month)) == 2
    trail = storage.query(f"audit#screening-task#{by_subject(month)['case-1']['id']}", limit=10).items
    assert sorted((e["action"], e["actor"]) for e in trail) == [("gone", "system"), ("open", "system")]


def test_a_shard_that_crashes_after_its_tasks_lands_on_the_same_tasks_when_redelivered(checks, clock, monkeypatch):
    checks.findings = [finding(GRID, "case-1")]
    real = screening.write_findings
    crashes = iter([True])

    def write(puts, deletes):
        if next(crashes, False):
            raise OSError("Lambda 超时")
        real(puts, deletes)

    monkeypatch.setattr(screening, "write_findings", write)
    with on_day(clock, 18):
        month = clock.month()
        run = screening.run_month()
    assert run.status == "done" and len(month_tasks(month)) == 1


def test_previews_before_the_eighteenth_make_no_tasks(checks, clock):
    checks.findings = [finding(GRID, "case-1")]
    with on_day(clock, 10):
        screening.start_by_hand("admin-1", clock.month(), "3204")
        assert month_tasks(clock.month()) == []


def test_the_districts_report_is_written_when_its_last_shard_completes_and_replaced_by_a_rerun(checks, clock):
    checks.findings = [finding(GRID, "case-1")]
    with on_day(clock, 18):
        month = clock.month()
        screening.run_month()
        objects = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/")["Contents"]
        assert sorted(o["Key"].split("/")[1] for o in objects) == ["320402", "320404"]
        stored = storage.require(report.files.StoredFile, report.file_id(month, "320402"))
        screening.run_city("3204", month, clock.today)
    again = aws.s3().list_objects_v2(Bucket=config.ledger_bucket(), Prefix="report/320402/")["Contents"]
    assert [o["Key"] for o in again] == [stored.key] and stored.owner == "system"


# --- over HTTP ------------------------------------------------------------------------------------------

@pytest.fixture
def screened(checks, clock):
    checks.findings = [finding(GRID, "case-1"), finding("320404001001001", "case-9")]
    checks.officers.findings = [finding("320402001", "app-7", check="test.unassigned")]
    with on_day(clock, 18):
        screening.run_month()
        yield clock.month()


def test_a_grid_worker_works_through_a_task_and_closes_it_with_a_note(client, token, screened):
    grid = token("grid-1", "grid_worker", area=GRID)
    [task] = body(client.get("/v1/tasks", headers=grid))["items"]
    assert (task["area"], task["status"], task["version"]) == (GRID, "open", 1)
    path = f"/v1/tasks/{task['id']}"
    update = client.patch(path, headers={**grid, "Content-Type": "application/json", "If-Match": "1"},
                          body='{"status": "open", "note": "已电话联系，约定周二上门"}')
    assert body(update)["status"] == "open" and body(update)["version"] == 2
    stale = client.patch(path, headers={**grid, "Content-Type": "application/json", "If-Match": "1"},
                         body='{"status": "closed", "note": "已上门"}')
    assert stale.status_code == 409
    closed = body(client.patch(path, headers={**grid, "Content-Type": "application/json", "If-Match": "2"},
                               body='{"status": "closed", "note": "已上门，问题解决"}'))
    assert closed["status"] == "closed" and closed["closed_by"] == "grid-1" and closed["note"] == "已上门，问题解决"
    again = client.patch(path, headers={**grid, "Content-Type": "application/json", "If-Match": "3"},
                         body='{"status": "open", "note": "再看看"}')
    assert_problem(again, 409, "task_closed")
    trail = storage.query(f"audit#screening-task#{task['id']}", limit=10).items
    assert {e["action"] for e in trail} == {"update", "close"}


def test_a_post_reads_its_own_queue_and_the_area_reads_everything_below_it(client, token, screened):
    officer = token("officer-1", "legal_aid_officer", area="320402")
    mine = body(client.get("/v1/tasks?role=legal_aid_officer", headers=officer))["items"]
    assert [t["area"] for t in mine] == ["320402001"]
    everything = body(client.get("/v1/tasks?limit=1", headers=officer))
    assert len(everything["items"]) == 1 and everything["next_cursor"]
    rest = body(client.get(f"/v1/tasks?limit=10&cursor={everything['next_cursor']}", headers=officer))["items"]
    assert {t["area"] for t in everything["items"] + rest} == {GRID, "320402001"}
    assert_problem(client.get("/v1/tasks?role=grid_worker", headers=officer), 403, "not_your_role")


def test_staff_of_another_area_and_residents_are_refused(client, token, screened):
    [task] = body(client.get("/v1/tasks", headers=token("grid-1", "grid_worker", area=GRID)))["items"]
    neighbour = token("officer-9", "legal_aid_officer", area="320404")
    assert client.get(f"/v1/tasks/{task['id']}", headers=neighbour).status_code == 404
    closing = client.patch(f"/v1/tasks/{task['id']}", headers={**neighbour, "Content-Type": "application/json",
                                                               "If-Match": "1"}, body='{"status": "closed", "note": "越权"}')
    assert closing.status_code == 404
    assert client.get("/v1/tasks?area=320402", headers=neighbour).status_code == 403
    assert client.get("/v1/tasks", headers=token("r-1", "resident")).status_code == 403


def test_closing_without_a_note_names_the_field(client, token, screened):
    grid = token("grid-1", "grid_worker", area=GRID)
    [task] = body(client.get("/v1/tasks", headers=grid))["items"]
    response = client.patch(f"/v1/tasks/{task['id']}", headers={**grid, "Content-Type": "application/json",
                                                               "If-Match": "1"}, body='{"status": "closed", "extra": 1}')
    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in body(response)["errors"]} >= {("body", "note"), ("body", "extra")}


def test_another_post_of_the_area_reads_a_task_but_may_not_close_it_and_an_admin_may(client, token, screened):
    """Review finding F5: a notary of the district closed a legal-aid officer's task."""
    officer = token("officer-1", "legal_aid_officer", area="320402")
    [task] = body(client.get("/v1/tasks?role=legal_aid_officer", headers=officer))["items"]
    notary = token("notary-1", "notary", area="320402")
    assert client.get(f"/v1/tasks/{task['id']}", headers=notary).status_code == 200
    closing = client.patch(f"/v1/tasks/{task['id']}", headers={**notary, "Content-Type": "application/json",
                                                               "If-Match": "1"}, body='{"status": "closed", "note": "随手办结"}')
    problem = assert_problem(closing, 403, "not_your_role")
    assert [e["loc"] for e in problem["errors"]] == [["path", "task_id"]]
    admin = token("admin-1", "admin", area="3204")
    closed = client.patch(f"/v1/tasks/{task['id']}", headers={**admin, "Content-Type": "application/json",
                                                              "If-Match": "1"}, body='{"status": "closed", "note": "市局代为办结"}')
    assert body(closed)["status"] == "closed" and body(closed)["closed_by"] == "admin-1"


def test_reading_one_task_is_on_its_audit_trail_as_the_list_is(client, token, screened):
    """Review finding F5: GET /v1/tasks/{id} left no audit entry."""
    officer = token("officer-1", "legal_aid_officer", area="320402")
    [task] = body(client.get("/v1/tasks?role=legal_aid_officer", headers=officer))["items"]
    assert client.get(f"/v1/tasks/{task['id']}", headers=officer).status_code == 200
    [read] = storage.query(f"audit#screening-task#{task['id']}", limit=10).items
    assert (read["action"], read["actor"]) == ("read", "officer-1")
    assert read["summary"] == "查看主动服务任务（test.unassigned）"
