"""SPEC C5 (issue 10, item 5): progress pushed to the resident as subscribe messages (订阅消息) on received,
routed, answered and closed — written to an outbox in the same transaction as the ticket change, sent by
the queue function through the platform's API (here the fake in tools/fake_wechat.py), with retries;
a resident who did not subscribe (43101, or no acceptance left) is recorded and never retried, and
sending never blocks or fails the request that caused it."""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import pytest

from chalicelib import plugin
from chalicelib.domain.notify import service as notify
from chalicelib.domain.notify.models import ENTITY, Message
from chalicelib.platform import storage, timeutil
from tests.core.test_signin import signed_in
from tests.helpers import also_enabled, assert_problem, ok, post, seed_areas, stand_in_plugin
from tools import fake_wechat

GRID = "320402001001001"
TEMPLATES = {stage: f"local-tmpl-intake-{stage}" for stage in ("received", "routed", "answered", "closed")}
RESULTS: dict[str, plugin.CaseProgress] = {}


def _open(request: plugin.IntakeRequest) -> plugin.CaseRef:
    RESULTS[request.ticket_id] = plugin.CaseProgress(status="已受理")
    return plugin.CaseRef(service="test-service", entity="test-case", id=request.ticket_id,
                          title="法律援助转介（请申请人补充材料提交申请）")


SERVICE = stand_in_plugin("test-service", intake_targets=(
    plugin.IntakeTarget("test_case", "法律援助", ("consultation", "legal_aid"), _open,
                        lambda ref: RESULTS.get(ref.id, plugin.CaseProgress(status="已受理"))),))


@pytest.fixture
def wechat(monkeypatch):
    with fake_wechat.running(appid=os.environ["WECHAT_APP_ID"], secret=os.environ["SECRET_WECHAT_APP_SECRET"]) \
            as (url, state):
        monkeypatch.setenv("WECHAT_API_BASE", url)
        monkeypatch.setenv("WECHAT_TIMEOUT_SECONDS", "0.5")
        yield state


@pytest.fixture
def desk(client, token, aws_backend, wechat):
    seed_areas()
    RESULTS.clear()
    with also_enabled(SERVICE):
        yield {"worker": token("gw-1", "grid_worker", area="320402001"), "wechat": wechat}


def resident(client, who: str) -> dict:
    """A resident signed in from the mini-program (so the account keeps the sealed openid)."""
    session = signed_in(client, f"ok:{who}:1")
    return session["headers"]


def accept(client, headers, *stages):
    return ok(post(client, "/v1/notify/subscriptions", {"results": {TEMPLATES[s]: "accept" for s in stages}}, headers))


def ask(client, headers):
    return ok(post(client, "/v1/tickets", {"channel": "mini_program", "grid": GRID, "category": "consultation",
                                           "text": "邻居装修占用楼道，协商无果，想咨询怎么处理"}, headers), 201)


def step(client, headers, code, action, payload, version):
    return ok(post(client, f"/v1/tickets/{code}/{action}", payload, {**headers, "If-Match": str(version)}))


def message(code: str, stage: str, version: int) -> Message:
    return storage.read(Message, f"{code}-{stage}-v{version}", consistent=True)


def sent_to(wechat, who: str) -> list[dict]:
    return [m for m in wechat.messages if m["touser"] == f"fake-openid-{who}"]


# --- the field rules -------------------------------------------------------------------------------

def test_message_data_is_fitted_to_the_platform_field_rules(clock):
    assert notify.fit("thing2", "因邻里纠纷转交天宁区人民调解委员会办理，请耐心等待") == "因邻里纠纷转交天宁区人民调解委员会办理…"
    assert len(notify.fit("thing2", "甲" * 40)) == 20
    assert notify.fit("phrase3", "已经受理完毕了") == "已经受理完"
    assert notify.fit("character_string1", "FW-320402-2611-0042" * 3) == ("FW-320402-2611-0042" * 3)[:32]
    assert notify.fit("thing5", "第一行\n第二行\t") == "第一行 第二行"
    assert notify.fit("time4", clock.now) == clock.now.strftime("%Y年%m月%d日 %H:%M")
    with pytest.raises(ValueError):
        notify.fit("colour1", "红")


# --- the four stages -----------------------------------------------------------------------------------

def test_a_subscribed_resident_receives_received_routed_and_closed_for_a_routed_question(client, desk):
    alice = resident(client, "alice")
    grants = accept(client, alice, "received", "routed", "closed")
    assert {g["stage"]: g["remaining"] for g in grants["items"] if g["stage"].startswith("intake.")} == {
        "intake.answered": 0, "intake.closed": 1, "intake.received": 1, "intake.routed": 1}
    ticket = ask(client, alice)
    code = ticket["code"]
    routed = step(client, desk["worker"], code, "route", {"target": "test_case"}, ticket["version"])
    RESULTS[code] = plugin.CaseProgress(status="已办结", closed=True, result="经审查符合法律援助条件，已指派律师。")
    step(client, desk["worker"], code, "close", {}, routed["version"])

    assert notify.relay() == 3
    messages = sent_to(desk["wechat"], "alice")
    assert [m["template_id"] for m in messages] == [TEMPLATES["received"], TEMPLATES["routed"], TEMPLATES["closed"]]
    assert all(m["data"]["character_string1"] == code for m in messages)
    assert [m["data"]["phrase3"] for m in messages] == ["已受理", "已转办", "已办结"]
    # The target's short name, not the case's long title: on the walk the lock screen read
    # "已转法律援助转介(请申请人补充材料提交…", cut at the field's 20 characters.
    assert messages[1]["data"]["thing5"] == "已转法律援助办理"
    assert messages[0]["page"] == f"pages/tickets/detail?code={code}"
    assert "楼道" not in str(messages)  # the request's text never goes to a lock screen
    assert message(code, "received", 1).status == "sent"
    assert notify.relay() == 0  # sent ones leave the pending list
    remaining = ok(client.get("/v1/notify/subscriptions", headers=alice))
    assert all(g["remaining"] == 0 for g in remaining["items"])


def test_an_answer_on_the_spot_sends_one_answered_message(client, desk):
    bob = resident(client, "bob")
    accept(client, bob, "received", "answered")
    ticket = ask(client, bob)
    step(client, desk["worker"], ticket["code"], "answer", {"answer": "可先请物业和社区调解。"}, ticket["version"])
    notify.relay()
    assert [m["data"]["phrase3"] for m in sent_to(desk["wechat"], "bob")] == ["已受理", "已答复"]


# --- not subscribed, refused, failing ---------------------------------------------------------------------

def test_a_resident_without_an_acceptance_left_is_recorded_not_sent_and_not_retried(client, desk):
    carol = resident(client, "carol")
    ticket = ask(client, carol)
    assert notify.relay() == 1
    assert message(ticket["code"], "received", 1).status == "not_subscribed"
    assert desk["wechat"].messages == []
    assert notify.relay() == 0


def test_a_resident_who_refused_on_the_platform_43101_is_recorded_and_not_retried(client, desk):
    refuser = resident(client, "nosub1")
    accept(client, refuser, "received")
    ticket = ask(client, refuser)
    notify.relay()
    stored = message(ticket["code"], "received", 1)
    assert (stored.status, stored.attempts, stored.last_error) == ("refused", 1, "43101")
    with timeutil.travel(timedelta(hours=1)):
        assert notify.relay() == 0


def test_a_platform_error_is_retried_after_a_backoff_and_takes_one_acceptance_only(client, desk):
    flaky = resident(client, "flakysend1")
    accept(client, flaky, "received")
    ticket = ask(client, flaky)
    notify.relay()
    stored = message(ticket["code"], "received", 1)
    assert (stored.status, stored.attempts) == ("pending", 1) and stored.last_error.startswith("-1")
    assert notify.relay() == 0  # not due before its backoff
    with timeutil.travel(timedelta(minutes=2)):
        assert notify.relay() == 1
    assert message(ticket["code"], "received", 1).status == "sent"
    assert len(sent_to(desk["wechat"], "flakysend1")) == 1


def test_with_the_platform_unreachable_the_ticket_is_created_and_the_message_gives_up_after_five_tries(
        client, desk, monkeypatch):
    dave = resident(client, "dave")
    accept(client, dave, "received")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("WECHAT_API_BASE", f"http://127.0.0.1:{closed_port}")
    ticket = ask(client, dave)
    assert ticket["status"] == "received"
    waited = timedelta()
    for attempt in range(1, notify.MAX_ATTEMPTS + 1):
        with timeutil.travel(waited):
            assert notify.relay() == 1
        waited += timedelta(minutes=2 ** attempt)
    stored = message(ticket["code"], "received", 1)
    assert (stored.status, stored.attempts) == ("failed", notify.MAX_ATTEMPTS)
    with timeutil.travel(timedelta(days=1)):
        assert notify.relay() == 0


def test_a_stage_without_a_configured_template_is_recorded_and_not_sent(client, desk, monkeypatch):
    erin = resident(client, "erin")
    accept(client, erin, "received")
    monkeypatch.setenv("WECHAT_SUBSCRIBE_TEMPLATES", "intake.closed=local-tmpl-intake-closed")
    ticket = ask(client, erin)
    notify.relay()
    assert message(ticket["code"], "received", 1).status == "no_template"


def test_a_person_registered_by_staff_without_an_account_gets_no_message(client, desk):
    ticket = ok(post(client, "/v1/tickets", {"channel": "counter", "grid": GRID, "category": "consultation",
                                             "text": "想咨询赡养费怎么主张", "person": {"name": "王秀英", "phone": "13900001111"}},
                     desk["worker"]), 201)
    assert message(ticket["code"], "received", 1) is None
    assert notify.relay() == 0


# --- reporting acceptances -----------------------------------------------------------------------------

def test_an_unknown_template_id_is_refused_naming_it(client, desk):
    frank = resident(client, "frank")
    response = post(client, "/v1/notify/subscriptions", {"results": {"tmpl-not-ours": "accept",
                                                                     TEMPLATES["received"]: "accept"}}, frank)
    problem = assert_problem(response, 422, "unknown_template")
    assert problem["errors"][0]["loc"][-1] == "tmpl-not-ours"
    assert all(g["remaining"] == 0 for g in ok(client.get("/v1/notify/subscriptions", headers=frank))["items"])


def test_rejections_are_acknowledged_without_a_grant(client, desk):
    grace = resident(client, "grace")
    out = ok(post(client, "/v1/notify/subscriptions", {"results": {TEMPLATES["received"]: "reject"}}, grace))
    assert all(g["remaining"] == 0 for g in out["items"])


def test_staff_cannot_report_subscriptions(client, desk):
    assert_problem(post(client, "/v1/notify/subscriptions", {"results": {TEMPLATES["received"]: "accept"}},
                        desk["worker"]), 403)


def test_the_fake_server_shows_a_tester_what_was_sent(client, desk):
    import json
    import urllib.request

    henry = resident(client, "henry")
    accept(client, henry, "received")
    ask(client, henry)
    notify.relay()
    base = os.environ["WECHAT_API_BASE"]
    with urllib.request.urlopen(f"{base}/fake/messages?touser=fake-openid-henry") as response:
        shown = json.loads(response.read())["messages"]
    assert [m["data"]["phrase3"] for m in shown] == ["已受理"]


# --- the same transaction ----------------------------------------------------------------------------

def test_a_step_refused_writes_no_message_and_a_retried_create_writes_one(client, desk):
    from chalicelib.platform import aws, config

    ivy = resident(client, "ivy")
    accept(client, ivy, "received", "answered")
    payload = {"channel": "mini_program", "grid": GRID, "category": "consultation", "text": "想咨询工伤认定的流程"}
    headers = {**ivy, "Idempotency-Key": "ivy-first-question"}
    first = ok(post(client, "/v1/tickets", payload, headers), 201)
    again = ok(post(client, "/v1/tickets", payload, headers), 201)
    assert again["code"] == first["code"]
    stale = post(client, f"/v1/tickets/{first['code']}/answer", {"answer": "可向人社局申请工伤认定。"},
                 {**desk["worker"], "If-Match": str(first["version"] + 1)})
    assert_problem(stale, 409)
    items = aws.dynamodb().scan(TableName=config.table_name())["Items"]  # test-only Scan: what exists at all
    messages = [i["pk"]["S"] for i in items if i.get("entity", {}).get("S") == ENTITY]
    assert messages == [f"notify-message#{first['code']}-received-v1"]


def test_the_staff_holding_a_ticket_see_whether_the_resident_was_told_and_the_resident_does_not(client, desk):
    jack = resident(client, "jack")
    accept(client, jack, "answered")
    ticket = ask(client, jack)
    step(client, desk["worker"], ticket["code"], "answer", {"answer": "可以申请劳动仲裁。"}, ticket["version"])
    notify.relay()
    seen = ok(client.get(f"/v1/tickets/{ticket['code']}", headers=desk["worker"]))["notices"]
    assert [(n["stage"], n["status"]) for n in seen] == [("intake.received", "not_subscribed"), ("intake.answered", "sent")]
    assert ok(client.get(f"/v1/tickets/{ticket['code']}", headers=jack))["notices"] is None


# --- due later, withdrawn (issue 13: notary reminders) ---------------------------------------------------

def test_a_message_due_later_waits_for_its_time_and_a_withdrawn_one_is_never_handed_on(aws_backend, clock):
    later = timeutil.now_utc() + timedelta(hours=3)
    storage.transact([notify.message_op("acct-1", "intake.received", {"phrase3": "已受理"}, page="pages/t",
                                        source="t:1", key=key, due=later) for key in ("t1-wait", "t1-gone")])
    assert notify.relay() == 0
    storage.transact([notify.withdraw_op("t1-gone")])
    gone = storage.read(Message, "t1-gone", consistent=True)
    assert (gone.status, gone.version) == ("withdrawn", 2)
    with timeutil.travel(timedelta(hours=3, minutes=1)):
        assert notify.relay() == 1  # t1-wait only
    assert storage.read(Message, "t1-wait", consistent=True).status == "not_subscribed"
    for finished in ("t1-wait", "t1-gone", "no-such-message"):  # nothing pending left to take back
        with pytest.raises(notify.NotPending):
            storage.transact([notify.withdraw_op(finished)])


# --- the dev server's relay (make dev) -------------------------------------------------------------------

def test_the_dev_server_relay_reads_the_clock_fixed_now_pins_so_a_message_due_then_falls_due(aws_backend, clock,
                                                                                              monkeypatch):
    """`FIXED_NOW` pins the API's clock under `make dev` (app.py); the relay runs in tools/dev.py's own
    process and must read the same clock, or a reminder due on the pinned day never falls due."""
    from tools import dev

    pinned = clock.now + timedelta(days=40)
    storage.transact([notify.message_op("acct-1", "intake.received", {"phrase3": "已受理"}, page="pages/t",
                                        source="t:1", key="due-then", due=pinned - timedelta(hours=1))])
    timeutil.pin(datetime.now(timeutil.SHANGHAI))  # the dev process starts on the real clock
    monkeypatch.setenv("FIXED_NOW", pinned.isoformat())
    dev.use_the_app_clock()
    assert abs(timeutil.now_utc() - pinned) < timedelta(minutes=1)
    assert notify.relay() == 1


def test_subscribe_message_text_keeps_its_chinese_punctuation_as_written():
    """Issue 20 §7: NFKC turned "，" into "," in every message; only the ASCII-only kinds are made half-width."""
    assert notify.fit("thing2", "已受理，请于（周三）前补充：身份证") == "已受理，请于（周三）前补充：身份证"
    assert notify.fit("name1", "张三（代理人）") == "张三（代理人）"
    assert notify.fit("phrase3", "已受理！") == "已受理！"
    assert notify.fit("character_string1", "ＦＷ－０４２") == "FW-042"
    assert notify.fit("number1", "１２３") == "123"
