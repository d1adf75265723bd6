"""What legal aid gives the core's cross-service features: coverage roles (C3), monthly screening checks
(C7: overdue green channel, approved but unassigned, unvisited households, expiring statuses), ledger
columns (C9) and demo data."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib import plugin
from chalicelib.domain.screening import service as screening
from chalicelib.platform import storage
from chalicelib.platform.timeutil import today_shanghai
from plugins.legal_aid import hooks
from tests.helpers import body, ok
from tests.plugins.legal_aid.conftest import GRID, id_number


def run_checks() -> list[plugin.Finding]:
    """Every legal-aid check on this month's Changzhou, as the core's monthly run calls them."""
    outcomes = plugin.run_screening(context())
    assert not [o.error for o in outcomes if o.error]
    return [f for o in outcomes if o.plugin.name == "legal-aid" for f in o.findings]


def context() -> plugin.ScreeningContext:
    today = today_shanghai()
    return plugin.ScreeningContext(month=f"{today.year:04d}-{today.month:02d}", area="3204", as_of=today)


def test_every_grid_needs_a_legal_aid_contact(app):
    """C3 / seeds/000 item 7."""
    assert hooks.COVERAGE_ROLES == (plugin.CoverageRole("legal_aid_contact", "法律援助联络员", 1),)
    assert [p.name for p, _ in plugin.coverage_roles()].count("legal-aid") == 1


def test_the_ledger_gets_legal_aid_columns():
    """C9 / seeds/004: 协助群众办理法律援助（件）."""
    assert "协助办理法律援助（件）" in [c.title for c in hooks.LEDGER_COLUMNS]


def test_screening_flags_overdue_green_channel_cases(clock, client, people, submit):
    """L5: overdue ones are flagged; C7 lists them for the area."""

    with clock.travel(days=-6):
        late = submit()
    on_time = submit()
    findings = [f for f in run_checks() if f.check == "legal-aid.green-channel-overdue"]
    assert [f.record for f in findings] == [late["id"]] and on_time["id"] != late["id"]
    assert findings[0].severity == "risk" and findings[0].area == GRID
    assert f"案件 {late['id']}（请求支付劳动报酬）" in findings[0].detail and "当前状态：已提交" in findings[0].detail


def test_screening_flags_approved_cases_unassigned_for_more_than_n_days(clock, client, people, submit, step):
    """`legal_aid.unassigned_alert_days` (3 by default) after approval without a lawyer."""

    app = ok(step(submit(matter_type="traffic_accident", categories=[]), "accept"))
    with clock.travel(days=-5):
        ok(step(app, "approve"))
    findings = [f for f in run_checks() if f.check == "legal-aid.approved-unassigned"]
    assert [f.record for f in findings] == [app["id"]]
    assert findings[0].title == "批准后超过 3 日仍未指派律师"


def test_screening_lists_unvisited_households_per_grid_and_expiring_statuses(client, people, upload, world):
    """L7: the monthly screening lists households not yet visited and statuses about to expire."""
    from tests.helpers import post

    soon = (today_shanghai() + timedelta(days=10)).isoformat()
    rows = ["类别,姓名,身份证号,网格代码,有效期至",
            f"低保户,张一,{id_number(born='19510101', sequence='012')},{GRID},{soon}",
            f"特困人员,张二,{id_number(born='19520101', sequence='013')},{GRID},2030-01-01"]
    file_id = upload(("\n".join(rows) + "\n").encode(), who="officer", content_type="text/csv")
    assert post(client, "/v1/legal-aid/households/imports", {"file_id": file_id}, people["officer"]).status_code == 201
    findings = run_checks()
    [unvisited] = [f for f in findings if f.check == "legal-aid.households-unvisited"]
    assert (unvisited.area, unvisited.title) == (GRID, "2 户困难群体尚未入户走访")
    [expiring] = [f for f in findings if f.check == "legal-aid.household-status-expiring"]
    assert expiring.title == "困难群体资格即将到期" and expiring.due == date.fromisoformat(soon)


def test_screening_findings_name_no_person_and_no_household_status(clock, client, people, upload, submit, step):
    """Findings are listed to every staff member of the area: record ids and dates, never the applicant's or
    the household's name, nor the household's category (低保/重度残疾)."""
    from tests.helpers import post

    soon = (today_shanghai() + timedelta(days=10)).isoformat()
    rows = ["类别,姓名,身份证号,网格代码,有效期至",
            f"重度残疾,张一,{id_number(born='19510101', sequence='012')},{GRID},{soon}"]
    file_id = upload(("\n".join(rows) + "\n").encode(), who="officer", content_type="text/csv")
    assert post(client, "/v1/legal-aid/households/imports", {"file_id": file_id}, people["officer"]).status_code == 201
    app = ok(step(submit(matter_type="traffic_accident", categories=[]), "accept"))
    with clock.travel(days=-5):
        ok(step(app, "approve"))
    findings = run_checks()
    [expiring] = [f for f in findings if f.check == "legal-aid.household-status-expiring"]
    assert expiring.detail.startswith(f"有 1 户困难群体资格将于 {soon} 到期") and expiring.record in expiring.detail
    [unassigned] = [f for f in findings if f.check == "legal-aid.approved-unassigned"]
    assert unassigned.detail.startswith(f"案件 {app['id']}：")
    for finding in (expiring, unassigned):
        text = finding.title + finding.detail
        assert not any(word in text for word in ("张一", "王建国", "重度残疾")), text


def test_an_outdated_holiday_calendar_is_no_district_s_finding(client, people, submit, monkeypatch):
    # Seen on the walk: "请升级 chinese-calendar" was listed as a district's 风险; it is for the operators
    # (the run's notices, tests/core/test_screening.py).
    from chalicelib.platform import workdays

    submit()
    monkeypatch.setattr(workdays, "covers", lambda day: False)
    assert not [f for f in run_checks() if "chinese-calendar" in f.detail or "节假日" in f.title]


def test_the_core_s_monthly_run_stores_legal_aid_findings(clock, client, people, submit):
    """C7 end to end: the core's run calls our hook and keeps the findings under the city."""

    with clock.travel(days=-6):
        submit()
    today = today_shanghai()
    run = screening.run_city("3204", f"{today.year:04d}-{today.month:02d}", today)
    assert run.by_check.get("legal-aid.green-channel-overdue") == 1


@pytest.mark.parametrize("times", [2])
def test_demo_data_tells_the_stories_and_loads_once(world, times):
    from chalicelib.platform import audit
    from chalicelib.platform.storage import keys
    from plugins.legal_aid import demo
    from plugins.legal_aid.models import Application

    grids = [GRID]
    ctx = plugin.DemoContext(actor=None, areas=lambda prefix: [g for g in grids if g.startswith(prefix)])
    for _ in range(times):
        hooks.demo_data(plugin.DemoContext(actor=audit.SYSTEM,
                                           areas=ctx.areas))
    assert storage.read(demo._Marker, demo.MARKER_ID) is not None
    queue = storage.query_all(keys.compose("legal-aid-queue", "320402"))
    assert len(queue) == 4  # 孙志强 (green channel), 李秀英 (accepted), 张桂兰, 陈明; 赵大海 is assigned
    first = storage.read(Application, queue[0]["application_id"])
    assert first.applicant.name == "孙志强" and queue[0]["green_channel"]  # the green channel comes first (L5)
    owners = {Application.from_item(i).applicant.name for i in storage.query_all(
        keys.owned_by("legal-aid-assignment", "lawyer-1"), index="gsi2")}
    assert owners == {"赵大海"}
