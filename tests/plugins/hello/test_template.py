"""The template service does what docs/plugins.md says a service does: one round trip per create with the
referential check inside the transaction, field errors relative to the input, owner-only reads, a named
screening check judged by a policy parameter in force that day, a link rule, demo data that loads once."""
from __future__ import annotations

from chalicelib import plugin
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, storage
from plugins.hello import service
from plugins.hello.models import BUSY_GRID, Greeting
from tests.helpers import assert_problem, body, ok, post, seed_areas, calls_during

GRID = "320402001001001"




def test_a_greeting_naming_a_grid_is_one_transaction_and_an_unknown_grid_a_422_naming_the_field(client, token):
    seed_areas()
    created: list = []
    calls = calls_during(lambda: created.append(post(client, "/v1/hello/greetings", {"message": "你好", "grid": GRID},
                                                    token("r1"))))
    assert created[0].status_code == 201 and calls == ["TransactWriteItems"]
    problem = assert_problem(post(client, "/v1/hello/greetings", {"message": "你好", "grid": "320402001001999"},
                                  token("r1")), 422, "area_not_found")
    assert problem["errors"][0]["loc"] == ["body", "grid"]
    assert storage.every(Greeting, "hello-greeting", "r1") and len(storage.every(Greeting, "hello-greeting", "r1")) == 1


def test_my_greetings_list_pages_newest_first_and_shows_nobody_else_s(client, token):
    for text in ("一", "二", "三"):
        ok(post(client, "/v1/hello/greetings", {"message": text}, token("r1")), 201)
    ok(post(client, "/v1/hello/greetings", {"message": "别人的"}, token("r2")), 201)
    first = body(client.get("/v1/hello/greetings?limit=2", headers=token("r1")))
    assert [g["message"] for g in first["items"]] == ["三", "二"] and first["next_cursor"]
    rest = body(client.get(f"/v1/hello/greetings?limit=2&cursor={first['next_cursor']}", headers=token("r1")))
    assert [g["message"] for g in rest["items"]] == ["一"] and rest["next_cursor"] is None


def test_the_busy_grid_check_follows_the_parameter_in_force_at_the_grid(client, token, clock):
    seed_areas()
    for _ in range(3):
        ok(post(client, "/v1/hello/greetings", {"message": "你好", "grid": GRID}, token("r1")), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    assert list(service.busy_grids(context)) == []  # the declared default: 20 a day
    policy.set_version(audit.SYSTEM, None, BUSY_GRID, area_code="320402", value=2, effective_from=clock.today,
                       label="天宁区试行")
    [finding] = service.busy_grids(context)
    assert (finding.check, finding.area, finding.title) == ("hello.busy-grids", GRID, "当日收到 3 条问候（超过 2 条）")


def test_only_the_owner_may_attach_a_file_to_a_greeting(client, token):
    from chalicelib.platform.auth import Caller
    from chalicelib.platform.errors import NotFound

    greeting = body(post(client, "/v1/hello/greetings", {"message": "你好"}, token("r1")))
    rule = plugin.link_rule("hello-greeting")
    rule.may_link(Caller(sub="r1", roles=frozenset({"resident"}), area=None), greeting["id"])
    for stranger in ("r2", "r1-not"):
        try:
            rule.may_link(Caller(sub=stranger, roles=frozenset({"resident"}), area=None), greeting["id"])
        except NotFound:
            continue
        raise AssertionError(f"{stranger} may not attach to someone else's greeting")


def test_the_demo_greeting_loads_once(client):
    context = plugin.DemoContext(actor=audit.SYSTEM, areas=lambda prefix: [])
    service.load_demo(context)
    service.load_demo(context)
    assert len(storage.every(Greeting, "hello-greeting", "demo-resident-1")) == 1
