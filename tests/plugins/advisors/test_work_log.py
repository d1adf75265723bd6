"""SPEC V2: the work log — entries per village of the six duties (六大员), counted in the month's log and the
ledger's tallies (seed 004's yearly counts); the month locks on a parameter day of the next month, the
village cadre verifies it, and only the bureau corrects a locked month, with its reason, audited."""
from __future__ import annotations

from datetime import date

import pytest

from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound
from tests.helpers import assert_problem, ok, post
from tests.plugins.advisors.conftest import GRID, LIYANG_VILLAGES, VILLAGE, engage, lawyer

pytestmark = pytest.mark.usefixtures("areas")


@pytest.fixture
def advisor(client, token, admin, clock):
    ok(engage(client, admin, lawyer(client, admin), clock=clock), 201)
    return token("lawyer-1", "lawyer", area="320402")


@pytest.fixture
def cadre(token):
    return token("grid-1", "grid_worker", area=GRID)


def entry(clock, duty="consultation", offset=0, **extra) -> dict:
    return {"village": VILLAGE, "on": clock.day(offset), "duty": duty, "title": "村民土地承包咨询", **extra}


def days_to_lock(clock) -> int:
    """From today to the 5th of next month (the default `advisors.log_lock_day`)."""
    today = clock.today
    first = date(today.year + 1, 1, 1) if today.month == 12 else date(today.year, today.month + 1, 1)
    return (first.replace(day=5) - today).days


def log_of(client, headers, month) -> dict:
    return ok(client.get(f"/v1/advisors/villages/{VILLAGE}/log?month={month}", headers=headers))


def test_the_advisors_entries_count_in_the_months_log_and_the_ledgers_tallies(client, advisor, admin, clock):
    from chalicelib.domain.screening import tallies

    made = ok(post(client, "/v1/advisors/log", entry(clock, count=12), advisor), 201)
    assert made["duty_title"] == "法律咨询（人次）" and made["record_id"] == f"{VILLAGE}.{made['id']}"
    ok(post(client, "/v1/advisors/log", entry(clock, "document", title="修订村规民约", document_kind="village_rules"),
            advisor), 201)
    ok(post(client, "/v1/advisors/log", entry(clock, "mediation", title="宅基地边界纠纷", major=True), advisor), 201)
    log = log_of(client, admin, clock.month())
    assert log["status"] == "open" and log["entries"] == 3 and len(log["items"]) == 3
    assert log["totals"] == {"consultations": 12, "legal_documents": 1, "village_rules": 1, "disputes": 1,
                             "disputes_major": 1}
    counted = dict(tallies.counts("advisors.consultations", "3204", month=clock.month()))
    assert counted == {VILLAGE: 12}
    assert dict(tallies.counts("advisors.disputes_major", "3204", month=clock.month())) == {VILLAGE: 1}


def test_a_village_not_assigned_a_future_day_or_a_field_of_another_duty_is_refused_naming_it(client, advisor, clock):
    other = assert_problem(post(client, "/v1/advisors/log", {**entry(clock), "village": LIYANG_VILLAGES[0]}, advisor),
                           403, "village_not_assigned")
    assert other["errors"][0]["loc"] == ["body", "village"]
    future = assert_problem(post(client, "/v1/advisors/log", entry(clock, offset=1), advisor), 422, "entry_in_future")
    assert future["errors"][0]["loc"] == ["body", "on"]
    assert_problem(post(client, "/v1/advisors/log", entry(clock, "lecture", major=True), advisor), 422)
    assert_problem(post(client, "/v1/advisors/log", entry(clock, "document"), advisor), 422)


def test_the_month_locks_on_the_parameter_day_and_the_cadre_verifies_it(client, advisor, cadre, admin, clock):
    ok(post(client, "/v1/advisors/log", entry(clock, "lecture", title="民法典进村讲座"), advisor), 201)
    month = clock.month()
    early = assert_problem(post(client, f"/v1/advisors/villages/{VILLAGE}/log/{month}/verification",
                                {"version": 1}, cadre), 409, "log_open")
    assert early["detail"].endswith("锁定后方可核实")
    with clock.travel(days=days_to_lock(clock) - 1):
        ok(post(client, "/v1/advisors/log", entry(clock, "report", title="上报矛盾隐患"), advisor), 201)
    with clock.travel(days=days_to_lock(clock)):
        locked = assert_problem(post(client, "/v1/advisors/log", entry(clock, "report"), advisor), 409, "log_locked")
        assert locked["errors"][0]["loc"] == ["body", "on"]
        log = log_of(client, cadre, month)
        assert log["status"] == "locked" and log["entries"] == 2
        assert_problem(post(client, f"/v1/advisors/villages/{VILLAGE}/log/{month}/verification", {"version": 2},
                            admin), 403, "role_not_allowed")
        done = ok(post(client, f"/v1/advisors/villages/{VILLAGE}/log/{month}/verification",
                       {"version": log["version"], "note": "情况属实"}, cadre))
        assert done["status"] == "verified" and done["verified_by"] == "grid-1"
        assert_problem(post(client, f"/v1/advisors/villages/{VILLAGE}/log/{month}/verification",
                            {"version": done["version"]}, cadre), 409, "log_verified")


def test_a_locked_month_changes_only_by_the_bureaus_correction_with_its_reason(client, advisor, admin, clock):
    from chalicelib.platform import audit

    made = ok(post(client, "/v1/advisors/log", entry(clock, count=5), advisor), 201)
    month, path = clock.month(), f"/v1/advisors/villages/{VILLAGE}/log/{clock.month()}/corrections"
    assert_problem(post(client, path, {"reason": "重复登记撤销", "withdraw": made["id"], "version": 1}, admin),
                   409, "log_open")
    with clock.travel(days=days_to_lock(clock)):
        assert_problem(post(client, path, {"reason": "重复登记撤销", "withdraw": made["id"]}, advisor), 403)
        bad = assert_problem(post(client, path, {"reason": "补记讲座", "version": 1,
                                                 "add": entry(clock, "lecture", offset=days_to_lock(clock))}, admin), 422)
        assert bad["errors"][0]["loc"] == ["body", "add", "on"]
        fixed = ok(post(client, path, {"reason": "重复登记撤销", "withdraw": made["id"], "version": 1}, admin))
        assert fixed["totals"]["consultations"] == 0 and fixed["entries"] == 0
        assert fixed["entry"]["withdrawn"] == "重复登记撤销"
        assert_problem(post(client, path, {"reason": "重复登记撤销", "withdraw": made["id"],
                                           "version": fixed["version"]}, admin), 409, "already_withdrawn")
        added = ok(post(client, path, {"reason": "补记当月讲座", "version": fixed["version"],
                                       "add": entry(clock, "lecture", title="扫黑除恶专题讲座")}, admin))
        assert [c["action"] for c in added["corrections"]] == ["withdraw", "add"] and added["totals"]["lectures"] == 1
        assert added["entry"]["duty"] == "lecture" and added["entry"]["account"] == "lawyer-1"
        trail = audit.trail("advisors-log", f"{VILLAGE}.{month}").items
        assert any("重复登记撤销" in item["summary"] for item in trail)


def test_each_reads_their_own_and_files_link_to_an_entry_for_its_readers_only(client, token, advisor, cadre, clock):
    from chalicelib import plugin

    made = ok(post(client, "/v1/advisors/log", entry(clock), advisor), 201)
    assert log_of(client, cadre, clock.month())["items"][0]["id"] == made["id"]
    assert log_of(client, advisor, clock.month())["items"][0]["id"] == made["id"]
    assert_problem(client.get(f"/v1/advisors/villages/{VILLAGE}/log", headers=token("admin-9", "admin", area="6401")),
                   404)
    assert_problem(client.get(f"/v1/advisors/villages/{VILLAGE}/log", headers=token("lawyer-2", "lawyer",
                                                                                      area="320402")), 404)
    rule = plugin.link_rule("advisors-log-entry")
    rule.may_link(Caller(sub="lawyer-1", roles=frozenset({"lawyer"}), area="320402"), made["record_id"])
    with pytest.raises(NotFound):
        rule.may_link(Caller(sub="lawyer-2", roles=frozenset({"lawyer"}), area="320402"), made["record_id"])


def test_a_months_first_page_reads_its_log_in_the_same_query_and_the_next_page_follows_on(
        client, advisor, cadre, clock):
    """V2: the month's log is the cover of its partition, read with the first page of its entries (one Query)
    for the village's cadre and for the advisor who wrote in it; a later page reads the log beside it."""
    from urllib.parse import quote

    from tests.helpers import calls_during

    made = [ok(post(client, "/v1/advisors/log", entry(clock, duty), advisor), 201)["id"] for duty in ("lecture", "report")]
    url, answers = f"/v1/advisors/villages/{VILLAGE}/log?month={clock.month()}&limit=1", []
    for headers in (cadre, advisor):
        assert calls_during(lambda: answers.append(client.get(url, headers=headers))) == ["Query"]
    first = ok(answers[0])
    assert (first["entries"], first["status"], len(first["items"])) == (2, "open", 1) and first["next_cursor"]
    assert ok(answers[1])["items"] == first["items"]
    rest = ok(client.get(f"{url}&cursor={quote(first['next_cursor'])}", headers=cadre))
    assert rest["entries"] == 2 and rest["next_cursor"] is None
    assert sorted(made) == [first["items"][0]["id"], rest["items"][0]["id"]]
