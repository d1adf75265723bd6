"""The template service does what docs/plugins.md says a service does: one round trip per create with the
referential check and the tally inside the transaction, field errors relative to the input, owner-only
reads, a named screening check reading a tally (never the list) judged by a policy parameter in force that
day, a link rule, demo data that loads once."""
from __future__ import annotations

from chalicelib import plugin
from chalicelib.domain.policy import service as policy
from chalicelib.platform import audit, storage
from plugins.hello import service
from plugins.hello.models import BUSY_GRID_PARAMETER, BY_OWNER, Greeting
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
    assert len(storage.every(Greeting, BY_OWNER, "r1")) == 1


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
    assert list(service.busy_grids(context)) == []  # the declared default: 200 a month
    policy.set_version(audit.SYSTEM, None, BUSY_GRID_PARAMETER, area_code="320402", value=2,
                       effective_from=clock.today, label="天宁区试行")
    [finding] = service.busy_grids(context)
    assert (finding.check, finding.area, finding.title) == ("hello.busy-grids", GRID, "本月收到 3 条问候（超过 2 条）")


def test_the_busy_grid_check_reads_one_tally_item_per_grid_not_the_greetings(client, token, clock):
    """CONTRACT "Data": no check depends on a list's total size — after any number of greetings the check
    reads the same: one Query of the month's tally and one policy read per grid with greetings."""
    seed_areas()
    policy.set_version(audit.SYSTEM, None, BUSY_GRID_PARAMETER, area_code="320402", value=1,
                       effective_from=clock.today, label="天宁区试行")
    for _ in range(4):
        ok(post(client, "/v1/hello/greetings", {"message": "你好", "grid": GRID}, token("r1")), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    found: list = []
    assert calls_during(lambda: found.extend(service.busy_grids(context))) == ["Query", "BatchGetItem"]
    assert [f.title for f in found] == ["本月收到 4 条问候（超过 1 条）"]


def test_a_greeting_of_last_month_does_not_count_in_this_month_s_screening(client, token, clock):
    seed_areas()
    policy.set_version(audit.SYSTEM, None, BUSY_GRID_PARAMETER, area_code="320402", value=1,
                       effective_from=clock.today, label="天宁区试行")
    with clock.travel(days=-35):
        for _ in range(2):
            ok(post(client, "/v1/hello/greetings", {"message": "上月的问候", "grid": GRID}, token("r1")), 201)
    context = plugin.ScreeningContext(month=clock.month(), area="3204", as_of=clock.today)
    assert list(service.busy_grids(context)) == []


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
    assert len(storage.every(Greeting, BY_OWNER, "demo-resident-1")) == 1
