"""SPEC S3 visits and help, and the checks that follow them (S4): overdue visits by the frequency per category,
reporting in within 10 days of the judgment (社区矫正法 art. 21), counts only in the findings."""
from __future__ import annotations

import json
from datetime import date

from chalicelib import plugin
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit
from plugins.special_populations import checks, params, service
from plugins.special_populations.demo import fictional_id
from plugins.special_populations.models import ENTITY, Person
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.special_populations.conftest import GRID
from tests.plugins.special_populations.test_records import person_in

PEOPLE = "/v1/special-populations/people"


def screening(clock, on=None) -> plugin.ScreeningContext:
    return plugin.ScreeningContext(month=clock.month(), area="3204", as_of=on or clock.today)


def test_a_visit_with_help_moves_the_next_visit_due_in_the_grid_list(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    [before] = body(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))["items"]
    assert before["next_visit_due"] == clock.day(90)  # 安置帮教: every 90 days, counted from registration
    visit = ok(post(client, f"{PEOPLE}/{person['id']}/visits", {
        "day": clock.day(-1), "situation": "在物流公司上班，家庭关系和睦", "education": "讲解安置帮教政策",
        "help": [{"kind": "social_insurance", "status": "referred", "referred_to": "街道社保所"},
                 {"kind": "legal_services", "need": "想咨询劳动合同到期不续签的补偿"}]}, who["assigned grid worker"]), 201)
    assert visit["by_role"] == "grid_worker" and visit["help"][0]["status"] == "referred"
    assert visit["help"][1]["status"] == "referred" and visit["help"][1]["ticket"].startswith("FW-320402-")
    [after] = body(client.get("/v1/special-populations/grid-list", headers=who["assigned grid worker"]))["items"]
    assert after["next_visit_due"] == clock.day(89)
    listed = body(client.get(f"{PEOPLE}/{person['id']}/visits", headers=who["district officer"]))["items"]
    assert [v["id"] for v in listed] == [visit["id"]]
    summaries = [e["summary"] for e in audit.trail(ENTITY, person["id"], limit=50).items]
    assert "记录走访（%s），帮扶：社会保险、法律服务（法律咨询、人民调解、法律援助）" % clock.day(-1) in summaries
    assert "查看走访记录（1 条）" in summaries


def test_an_older_visit_does_not_move_the_last_visit_back(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    for day in (-3, -10):
        ok(post(client, f"{PEOPLE}/{person['id']}/visits", {"day": clock.day(day), "situation": "正常"},
                who["assigned grid worker"]), 201)
    assert body(client.get(f"{PEOPLE}/{person['id']}", headers=who["district officer"]))["last_visit"] == clock.day(-3)


def test_a_visit_in_the_future_or_unknown_help_is_422_naming_the_field(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    url = f"{PEOPLE}/{person['id']}/visits"
    for day in (clock.day(1), "9999-12-31", "0001-01-01", "1899-12-31"):  # a visit has happened, since 1900
        far = assert_problem(post(client, url, {"day": day, "situation": "正常"}, who["assigned grid worker"]), 422,
                             "validation_failed")
        assert far["errors"][0]["loc"] == ["body", "day"], day
    unknown = assert_problem(post(client, url, {"day": clock.day(0), "situation": "正常", "help": [{"kind": "loan"}]},
                                  who["assigned grid worker"]), 422)
    assert unknown["errors"][0]["loc"] == ["body", "help", "0", "kind"]


def test_a_grid_worker_of_another_grid_cannot_write_a_visit_and_learns_nothing(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    refused = post(client, f"{PEOPLE}/{person['id']}/visits", {"day": clock.day(0), "situation": "正常"},
                   who["other grid worker"])
    assert assert_problem(refused, 404, "person_not_found") == assert_problem(
        post(client, f"{PEOPLE}/nobody/visits", {"day": clock.day(0), "situation": "正常"}, who["other grid worker"]),
        404, "person_not_found")


def test_visits_overdue_by_the_frequency_of_the_category_are_counted_per_grid(client, areas, who, clock):
    with clock.travel(days=-40):
        ok(post(client, PEOPLE, person_in(clock, prison_release=clock.day(-740)), who["district officer"]), 201)
    assert list(checks.overdue_visits(screening(clock))) == []  # 安置帮教: 90 days
    policy.set_version(audit.SYSTEM, None, params.VISIT_DAYS_RESETTLEMENT, area_code="320402", value=30,
                       effective_from=clock.today, label="天宁区：每月走访")
    [finding] = checks.overdue_visits(screening(clock))
    assert (finding.area, finding.title) == (GRID, "特殊人群走访逾期 1 人")


def test_the_report_in_deadline_is_ten_days_after_the_judgment_moved_past_holidays():
    found = {params.REPORT_IN_DAYS: 10}
    facts = dict(id="x", name="-", grid=GRID, id_cipher="-", id_hash="-", id_masked="-", registered_on=date(2025, 9, 1),
                 registered_by="-", correction_start=date(2025, 9, 26), correction_end=date(2026, 9, 25))
    national_day = Person(judgment_effective=date(2025, 9, 26), **facts)  # day 10 is 6 October, in the holiday
    assert service.report_in_due(national_day, found) == date(2025, 10, 9)
    ordinary = Person(**{**facts, "judgment_effective": date(2025, 11, 3)})
    assert service.report_in_due(ordinary, found) == date(2025, 11, 13)
    assert not service.report_in_missed(ordinary, found, date(2025, 11, 13))
    assert service.report_in_missed(ordinary, found, date(2025, 11, 14))
    on_time = Person(**{**facts, "judgment_effective": date(2025, 11, 3), "reported_on": date(2025, 11, 13)})
    assert not service.report_in_missed(on_time, found, date(2026, 1, 1))


def test_correction_subjects_who_have_not_reported_in_are_counted_per_grid_as_a_risk(client, areas, who, clock):
    start = {"judgment_effective": clock.day(-40), "correction_start": clock.day(-40), "correction_end": clock.day(300),
             "prison_release": None}
    ok(post(client, PEOPLE, person_in(clock, **start), who["district officer"]), 201)
    reported = person_in(clock, **start, reported_on=clock.day(-38), id_number=fictional_id("19820417", "045"))
    ok(post(client, PEOPLE, reported, who["district officer"]), 201)
    [finding] = checks.missed_report_in(screening(clock))
    assert (finding.area, finding.severity, finding.title) == (GRID, "risk", "社区矫正对象未按期报到 1 人")
    assert "person" not in finding.record


def test_the_help_of_a_visit_is_brought_up_to_date_against_the_version_seen(client, areas, who, clock):
    person = ok(post(client, PEOPLE, person_in(clock), who["district officer"]), 201)
    visit = ok(post(client, f"{PEOPLE}/{person['id']}/visits", {
        "day": clock.day(-1), "situation": "失业在家", "help": [{"kind": "minimum_living"}]},
        who["assigned grid worker"]), 201)
    url = f"{PEOPLE}/{person['id']}/visits/{visit['id']}/help"
    granted = {"help": [{"kind": "minimum_living", "status": "granted", "referred_to": "街道民政科",
                         "outcome": "已纳入低保"}], "version": visit["version"]}
    done = ok(client.request("PUT", url, headers={"Content-Type": "application/json", **who["assigned grid worker"]},
                             body=json.dumps(granted, ensure_ascii=False)))
    assert done["help"][0]["status"] == "granted" and done["version"] == visit["version"] + 1
    stale = client.request("PUT", url, headers={"Content-Type": "application/json", **who["district officer"]},
                           body=json.dumps(granted, ensure_ascii=False))
    assert_problem(stale, 409, "stale_version")
    unknown = client.request("PUT", f"{PEOPLE}/{person['id']}/visits/2020-01-01-nothing/help",
                             headers={"Content-Type": "application/json", **who["district officer"]},
                             body=json.dumps(granted, ensure_ascii=False))
    assert_problem(unknown, 404, "visit_not_found")
    assert "更新走访 %s 的帮扶进展：最低生活保障已落实" % visit["id"] in [
        e["summary"] for e in audit.trail(ENTITY, person["id"], limit=50).items]
