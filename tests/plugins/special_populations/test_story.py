"""The walkthrough of issue 12 over HTTP (SPEC S1, S2, S4, S5): a corrections officer registers a man released
from prison almost five years ago; the grid worker's list shows him as 安置帮教 until the fifth anniversary;
the month's screening counts him as leaving within 30 days (a count, no name); a resident, an officer of
another district and a mediator get 404; the grid worker's visit turns a legal question into an intake ticket;
the city bureau's admin reads only while the district's grant lasts; the audit trail holds every read made on
the way."""
from __future__ import annotations

import io
from contextlib import redirect_stdout
from datetime import date, timedelta
import json
import logging

from chalicelib.domain.accounts.models import StaffAccount
from chalicelib.platform import audit, storage
from chalicelib.platform.logs import logger
from plugins.special_populations.criteria import add_years
from plugins.special_populations.demo import fictional_id, people, years_ago
from plugins.special_populations.models import ENTITY
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.special_populations.conftest import GRID


def test_a_release_almost_five_years_ago_is_listed_until_the_anniversary_and_screened_as_leaving(
        client, areas, who, clock):
    screened_on = min(clock.today, clock.today.replace(day=18))  # the screening judges the month on the 18th
    released = years_ago(screened_on, 5, 20)  # 4 years and ~11 months ago: the window ends 20 days later
    person = ok(post(client, "/v1/special-populations/people", {
        "name": "测试人员乙", "id_number": fictional_id("19790923", "017"), "phone": "13800001111", "grid": GRID,
        "judgment_effective": years_ago(clock.today, 8).isoformat(), "prison_release": released.isoformat()},
        who["district officer"]), 201)
    until = add_years(released, 5)

    listed = body(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))
    [entry] = listed["items"]
    assert entry["name"] == "测试人员乙" and entry["categories"] == [f"安置帮教（至 {until}）"]
    assert entry["phone_masked"] == "138****1111" and entry["until"] == until.isoformat()

    run = ok(post(client, f"/v1/screenings/{clock.month()}/runs", {"area": "3204"}, who["city admin"]))
    assert run["status"] == "done" and run["by_check"].get("special-populations.category-changes") == 1
    preview = "&preview=true" if clock.today.day < 18 else ""  # before the 18th a manual run is a preview
    findings = body(client.get(f"/v1/screenings/{clock.month()}?limit=100{preview}", headers=who["mediator"]))["items"]
    [finding] = [f for f in findings if f["check"] == "special-populations.category-changes"]
    assert finding["area"] == GRID and "进入或离开特殊人群类别 1 人次" in finding["title"]
    assert person["id"] not in json.dumps(finding, ensure_ascii=False) and "测试" not in finding["title"]

    for stranger in ("resident", "other district officer", "mediator"):
        assert_problem(client.get(f"/v1/special-populations/people/{person['id']}", headers=who[stranger]), 404)
        assert_problem(client.get(f"/v1/special-populations/grid-list?grid={GRID}", headers=who[stranger]), 404)

    full = body(client.get(f"/v1/special-populations/people/{person['id']}", headers=who["district officer"]))
    [resettlement] = [c for c in full["categories"] if c["met"]]
    assert resettlement["leaving_on"] is not None and resettlement["until"] == until.isoformat()

    # S3: the grid worker visits; the legal question he asks becomes an intake ticket the visit shows.
    visit = ok(post(client, f"/v1/special-populations/people/{person['id']}/visits", {
        "day": clock.day(0), "situation": "在快递站上班，生活稳定", "education": "讲解安置帮教政策",
        "help": [{"kind": "legal_services", "need": "工资被拖欠两个月，想咨询怎么讨要"}]}, who["assigned grid worker"]), 201)
    code = visit["help"][0]["ticket"]
    assert visit["help"][0]["ticket_status"] == "已受理，正在办理"
    assert body(client.get(f"/v1/tickets/{code}", headers=who["assigned grid worker"]))["channel"] == "grid_visit"

    # S5: the city bureau's admin reads nothing until the district grants it, and nothing once revoked.
    storage.put_new(StaffAccount(sub="ad-cz", name="市局管理员", roles=["admin"], area="3204"))
    url = f"/v1/special-populations/people/{person['id']}"
    assert_problem(client.get(url, headers=who["city admin"]), 404, "person_not_found")
    grant = ok(post(client, "/v1/special-populations/grants", {
        "grantee": "ad-cz", "reason": "市局安置帮教工作检查", "valid_until": clock.day(6)}, who["district officer"]), 201)
    masked = body(client.get(url, headers=who["city admin"]))["id_number"]   # oversight, not the case: masked
    assert "*" in masked and masked[-4:] == person["id_number"][-4:]
    ok(post(client, f"/v1/special-populations/grants/{grant['id']}/revoke", {"reason": "检查结束"},
            {**who["district officer"], "If-Match": str(grant["version"])}))
    assert_problem(client.get(url, headers=who["city admin"]), 404, "person_not_found")

    # The trail holds every read made on the way: the grid list, the officer's, the bureau's (with the grant).
    reads = [(e["actor"], e["summary"]) for e in audit.trail(ENTITY, person["id"], limit=50).items
             if e["action"] == "read"]
    assert sorted(a for a, _ in reads) == ["ad-cz", "co-tn", "gw-1"]
    assert any(f"依授权 {grant['id']}" in summary for actor, summary in reads if actor == "ad-cz")


def test_a_full_run_over_the_demo_people_logs_no_name_and_no_id_number(client, areas, who, clock):
    from plugins.special_populations import demo
    from chalicelib.plugin import DemoContext

    log, captured = logger(), io.StringIO()
    level = log.level
    log.setLevel(logging.DEBUG)
    try:
        with redirect_stdout(captured):  # the app's handler writes to stdout as it is at the time
            demo.load_demo(DemoContext(actor=audit.SYSTEM, areas=lambda prefix: []))
            for pid, _ in people(clock.today):
                ok(client.get(f"/v1/special-populations/people/{pid}", headers=who["district officer"]))
                client.get(f"/v1/special-populations/people/{pid}", headers=who["mediator"])
            ok(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))
            ok(post(client, f"/v1/screenings/{clock.month()}/runs", {"area": "3204"}, who["city admin"]))
            post(client, "/v1/special-populations/people", {"name": "【演示】周某甲", "id_number": "32040219800312031X",
                                                            "grid": GRID}, who["district officer"])
            for pid, _ in people(clock.today):  # a legal question on every visit: tickets carry the name
                post(client, f"/v1/special-populations/people/{pid}/visits", {
                    "day": clock.day(0), "situation": "正常", "help": [{"kind": "legal_services", "need": "想咨询借款纠纷"}]},
                    who["district officer"])
                client.get(f"/v1/special-populations/people/{pid}/visits", headers=who["district officer"])
            storage.put_new(StaffAccount(sub="ad-cz", name="市局管理员", roles=["admin"], area="3204"))
            ok(post(client, "/v1/special-populations/grants", {"grantee": "ad-cz", "reason": "市局检查",
                                                               "valid_until": clock.day(1)}, who["district officer"]), 201)
            ok(client.get("/v1/special-populations/people?area=320402", headers=who["city admin"]))
    finally:
        log.setLevel(level)
    text = captured.getvalue()
    assert '"message":"request"' in text  # the access log was captured
    for _, data in people(clock.today):
        for secret in (data.name, data.id_number, data.phone):
            assert not secret or secret not in text
    assert "32040219800312031X" not in text


def test_the_demo_people_sit_at_the_edges_the_walkthrough_needs(client, areas, who, clock):
    from plugins.special_populations import demo
    from chalicelib.plugin import DemoContext

    demo.load_demo(DemoContext(actor=audit.SYSTEM, areas=lambda prefix: []))
    listed = body(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))["items"]
    labels = {e["id"]: e["categories"] for e in listed}
    assert set(labels) == {"demo-sp-1", "demo-sp-2", "demo-sp-3", "demo-sp-4"}
    assert len(labels["demo-sp-4"]) == 2  # 安置帮教 and 后续照管 at once
    last_day = body(client.get("/v1/special-populations/people/demo-sp-5", headers=who["district officer"]))
    until = add_years(date.fromisoformat(last_day["correction_end"]), 3)
    resettlement = last_day["categories"][1]
    if (clock.today.month, clock.today.day) == (2, 29):  # no anniversary falls on 29 February: it ended yesterday
        assert until == clock.today - timedelta(days=1) and not resettlement["met"]
    else:
        assert until == clock.today and resettlement["met"] and resettlement["until"] == until.isoformat()
        assert resettlement["leaving_on"] == (until + timedelta(days=1)).isoformat()
