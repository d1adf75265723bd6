"""Publicity quotas (SPEC P2): named criteria on the core's rules engine with figures from policy
parameters, a progress view per area and period from tallies kept in the activities' own transactions,
"almost behind" in a quarter's last month, and the screening's checks for villages behind."""
from __future__ import annotations

from datetime import date, timedelta

from chalicelib.platform.auth import Caller
from chalicelib.plugin import ScreeningContext
from plugins.publicity import quotas
from tests.helpers import assert_problem, calls_during, ok, only_enabled, post
from tests.plugins.publicity.conftest import DISTRICT, GRID, VILLAGE

EVENTS = "/v1/publicity/events"


def facts(clock, done: int, required: int = 2) -> quotas.QuotaFacts:
    year = clock.today.year
    return quotas.QuotaFacts("普法惠民服务", done, required, date(year, 1, 1), date(year, 12, 31), "每年 2 次")


def progress(client, headers, area=VILLAGE, **query) -> dict[str, dict]:
    params = "&".join(f"{k}={v}" for k, v in {"area": area, **query}.items())
    found = ok(client.get(f"/v1/publicity/quotas?{params}", headers=headers))
    return {item["code"]: item for item in found["items"]}


def days_to_quarter_end(clock, before: int) -> int:
    """Days from the test clock's today to `before` days ahead of its quarter's last day."""
    return (quotas.quarter_end(clock.today) - timedelta(days=before) - clock.today).days


def test_a_yearly_quota_falls_due_quarter_by_quarter_rounded_up(clock):
    """P2: 2 a year is 1 by the end of June and 2 by the end of December; nothing is due in the first quarter."""
    year = clock.today.year
    due = facts(clock, 0).due
    assert [due(date(year, 3, 31)), due(date(year, 4, 1)), due(date(year, 7, 1)), due(date(year, 10, 1)),
            due(date(year + 1, 1, 1))] == [0, 1, 1, 2, 2]


def test_the_look_ahead_says_almost_behind_in_a_quarters_last_month_only(clock):
    year = clock.today.year
    status, reason, _ = quotas.judge(facts(clock, 0), date(year, 3, 20))
    assert status == "almost_behind" and f"{year}-03-31 前须累计完成 1 次" in reason
    assert quotas.judge(facts(clock, 0), date(year, 2, 20))[0] == "on_track"
    assert quotas.judge(facts(clock, 0), date(year, 4, 2))[0] == "behind"
    assert quotas.judge(facts(clock, 2), date(year, 4, 2))[0] == "met"


def test_a_village_without_an_advisor_lecture_in_its_quarters_last_month_is_almost_behind(client, staff, event_body,
                                                                                          organiser, clock):
    """P2: the lecture is counted from activities whose organiser the core's coverage names the village's
    legal advisor; in the quarter's last month with none yet the view says so, with the reason."""
    ok(post(client, "/v1/assignments", {"role": "legal_advisor", "area": VILLAGE, "assignee_kind": "person",
                                        "assignee_id": organiser}, staff["admin"]), 201)
    with clock.travel(days=days_to_quarter_end(clock, 5)):
        lecture = progress(client, staff["publicist"])["advisor_lecture"]
        assert lecture["status"] == "almost_behind" and lecture["done"] == 0
        assert "须累计完成 1 次" in lecture["reason"]
        ok(post(client, EVENTS, event_body(days=-1), staff["publicist"]), 201)
        lecture = progress(client, staff["grid_worker"], area=VILLAGE)["advisor_lecture"]
        assert (lecture["status"], lecture["done"], lecture["required"]) == ("met", 1, 1)


def test_the_lecture_quota_is_not_evaluated_without_an_advisor_or_without_the_advisors_service(client, staff,
                                                                                              areas):
    lecture = progress(client, staff["publicist"])["advisor_lecture"]
    assert lecture["status"] == "not_evaluated" and "尚未配备法律顾问" in lecture["reason"]
    from plugins import publicity
    publicist = Caller(sub="publicist-1", roles=frozenset({"publicist"}), area=DISTRICT)
    with only_enabled(publicity.plugin):
        found = quotas.progress(publicist, quotas.QuotaQuery(area=VILLAGE))
    lecture = next(i for i in found.items if i.code == "advisor_lecture")
    assert lecture.status == "not_evaluated" and "法律顾问服务未启用" in lecture.reason


def test_counts_follow_publishing_cancelling_and_changing_the_kind(client, staff, event_body):
    """CONTRACT "Data": the tallies move in the activities' own transactions; no list is read — the progress
    view is one BatchGetItem (tallies, links and the parameters in force together)."""
    first = ok(post(client, EVENTS, event_body(days=1, kind="public_service"), staff["publicist"]), 201)
    ok(post(client, EVENTS, event_body(days=2, kind="public_service"), staff["publicist"]), 201)
    other = ok(post(client, EVENTS, event_body(days=3, kind="cultural_activity"), staff["publicist"]), 201)
    period = str(clock_year(first))
    seen = progress(client, staff["publicist"], period=period)
    assert seen["public_service"]["done"] == 2 and seen["cultural_activity"]["done"] == 1
    ok(post(client, f"{EVENTS}/{first['id']}/cancellation", {"reason": "场地临时调整", "version": 1},
            staff["publicist"]))
    ok(client.patch(f"{EVENTS}/{other['id']}", body='{"kind": "public_service"}',
                    headers={**staff["publicist"], "Content-Type": "application/json", "If-Match": '"1"'}))
    seen = progress(client, staff["publicist"], period=period)
    assert seen["public_service"]["done"] == 2 and seen["cultural_activity"]["done"] == 0
    works = progress(client, staff["publicist"], area=DISTRICT, period=period)
    assert list(works) == ["cultural_work"] and works["cultural_work"]["required"] == 30
    assert calls_during(lambda: progress(client, staff["publicist"], period=period)) == ["BatchGetItem"]


def clock_year(event: dict) -> int:
    return int(event["starts_at"][:4])


def test_the_progress_view_is_for_a_village_or_a_district_of_the_callers_jurisdiction(client, staff, areas):
    town = assert_problem(client.get(f"/v1/publicity/quotas?area={GRID[:9]}", headers=staff["publicist"]), 422)
    assert town["errors"][0]["loc"] == ["query", "area"]
    assert_problem(client.get("/v1/publicity/quotas", headers=staff["admin"]), 422, "area_level")
    assert_problem(client.get(f"/v1/publicity/quotas?area={VILLAGE}", headers=staff["other_admin"]), 403,
                   "outside_jurisdiction")


def test_the_screening_names_villages_behind_with_the_reason(client, staff, areas, clock):
    """P2 screening: a village with no 普法惠民 service nor culture activity is found at the quarter's end
    (almost behind in the first quarter, behind later); the lecture check stays silent without an advisor."""
    with clock.travel(days=days_to_quarter_end(clock, 3)):
        context = ScreeningContext(month=clock.month(), area=DISTRICT, as_of=quotas.quarter_end(clock.today)
                                   - timedelta(days=3))
        found = list(quotas.villages_behind(context))
        assert {f.record for f in found} == {f"publicity-public_service-{VILLAGE}-{context.as_of.year}",
                                             f"publicity-cultural_activity-{VILLAGE}-{context.as_of.year}"}
        assert all(f.area == VILLAGE and f.detail for f in found)
        assert list(quotas.lectures_behind(context)) == []
        [district] = quotas.districts_behind(context)
        assert district.area == DISTRICT and "法治文化作品" in district.title
