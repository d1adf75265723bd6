"""SPEC M6, M5: the watch list of settled agreements (the 30-day judicial-confirmation window of 人民调解法
art. 33 and the performance follow-up) stays bounded: an agreement leaves it when its window closes or a
confirmation is recorded — and, if it has performance dates, once performed in full or its follow-up period
(`mediation.follow_up_days`) is over."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from chalicelib import plugin
from chalicelib.platform import storage
from plugins.mediation import service
from plugins.mediation.models import Dispute
from tests.helpers import assert_problem, body, ok, post
from tests.plugins.mediation.conftest import dispute

pytestmark = pytest.mark.usefixtures("areas")


def put(client, path, payload, headers):
    return client.put(path, headers={"Content-Type": "application/json", **headers},
                      body=json.dumps(payload, ensure_ascii=False))


def settled(client, mediator, clock, perform_by: int | None = None) -> dict:
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    term = {"text": "张国强赔偿维修费", "amount": "3000"}
    if perform_by is not None:
        term["perform_by"] = clock.day(perform_by)
    return ok(put(client, f"/v1/mediation/disputes/{created['id']}/outcome",
                  {"result": "agreement", "on": clock.day(), "summary": "达成协议", "version": 1,
                   "agreement": {"signed_on": clock.day(), "terms": [term]}}, mediator))


def watched() -> list[str]:
    return [i["id"] for i in storage.every(Dispute, "mediation-watch", "3204")]


def run_check(clock, days: int):
    """The check as a run on day `days` sees it (call it inside `clock.travel(days=days)`)."""
    return list(service.confirmation_window(plugin.ScreeningContext(month=clock.month(), area="3204",
                                                                    as_of=clock.today + timedelta(days=days))))


def confirm(client, mediator, closed, clock, **changes):
    payload = {"applied_on": clock.day(), "court": "常州市天宁区人民法院", "version": closed["version"], **changes}
    return put(client, f"/v1/mediation/disputes/{closed['id']}/confirmation", payload, mediator)


def test_an_agreement_leaves_the_watch_list_when_its_confirmation_window_closes(client, mediator, clock):
    closed = settled(client, mediator, clock)
    assert watched() == [closed["id"]]
    with clock.travel(days=30):
        assert [f.record for f in run_check(clock, 30)] == [closed["id"]] and watched() == [closed["id"]]
    with clock.travel(days=31):
        assert run_check(clock, 31) == [] and watched() == []
    assert body(client.get(f"/v1/mediation/disputes/{closed['id']}", headers=mediator))["status"] == "closed"


def test_a_recorded_confirmation_takes_the_agreement_out_of_the_watch_and_the_check(client, mediator, clock):
    closed = settled(client, mediator, clock)
    with clock.travel(days=5):
        recorded = ok(confirm(client, mediator, closed, clock, applied_on=clock.day(5)))
    assert recorded["outcome"]["confirmation"]["court"] == "常州市天宁区人民法院"
    assert recorded["outcome"]["confirmation_reminder"] == f"已于 {clock.day(5)} 向常州市天宁区人民法院申请司法确认，等待人民法院裁定"
    assert watched() == []
    with clock.travel(days=25):
        assert run_check(clock, 25) == []


def test_an_agreement_awaiting_performance_stays_watched_until_performed_in_full(client, mediator, clock):
    closed = settled(client, mediator, clock, perform_by=40)
    with clock.travel(days=3):
        confirmed = ok(confirm(client, mediator, closed, clock, applied_on=clock.day(2), confirmed_on=clock.day(3)))
    assert watched() == [closed["id"]]            # confirmed, but the payment is due on day 40
    with clock.travel(days=41):
        visited = ok(post(client, f"/v1/mediation/disputes/{closed['id']}/follow-ups",
                          {"on": clock.day(41), "performed": "full", "notes": "已全额支付", "version": confirmed["version"]},
                          mediator), 201)
    assert visited["outcome"]["follow_ups"][0]["performed"] == "full" and watched() == []


def test_an_unperformed_agreement_leaves_the_watch_after_its_follow_up_period(client, mediator, clock):
    closed = settled(client, mediator, clock, perform_by=10)   # follow-up period: 30 days after day 10
    with clock.travel(days=40):
        run_check(clock, 40)
        assert watched() == [closed["id"]]
    with clock.travel(days=41):
        run_check(clock, 41)
        assert watched() == []


@pytest.mark.parametrize("changes, loc", [
    ({"applied_on": "DAY+31"}, "applied_on"),
    ({"applied_on": "DAY-1"}, "applied_on"),
    ({"applied_on": "DAY+0", "confirmed_on": "DAY-1"}, "confirmed_on"),
])
def test_a_confirmation_outside_the_window_is_refused_naming_the_field(client, mediator, clock, changes, loc):
    closed = settled(client, mediator, clock)
    dated = {k: clock.day(int(v[3:])) for k, v in changes.items()}
    with clock.travel(days=31):
        problem = assert_problem(confirm(client, mediator, closed, clock, **dated), 422, "date_out_of_range")
    assert problem["errors"][0]["loc"] == ["body", loc]


def test_only_an_agreement_can_be_confirmed_and_only_by_its_staff(client, mediator, token, clock):
    created = ok(post(client, "/v1/mediation/disputes", dispute(), mediator), 201)
    assert_problem(confirm(client, mediator, created, clock), 409, "no_agreement")
    closed = settled(client, mediator, clock)
    assert_problem(confirm(client, token("m-x", "mediator", area="320404"), closed, clock), 404)
    assert_problem(confirm(client, token("r-li"), closed, clock), 403)
