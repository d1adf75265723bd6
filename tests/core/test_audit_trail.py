"""Issue 24 §3 ("the audit trail of a record can be read by route, admins of its area") and CONTRACT
"Identity and access" (staff see their area and below; 404 where existence is private; every read of
sensitive data on the trail): `GET /v1/audit/{entity}/{record_id}`."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.domain.accounts.models import Resident
from chalicelib.domain.trail import service
from chalicelib.platform import audit, storage
from tests.core.test_intake import ask
from tests.helpers import assert_problem, body, calls_during, ok, only_enabled, seed_areas

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ticket(client, token, aws_backend):
    """A resident's ticket of 天宁区's first grid (created through the route: its trail has the create)."""
    seed_areas()
    return ok(ask(client, token("resident-1", "resident")), 201)["code"]


def read(client, headers, path, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return client.get(f"/v1/audit/{path}{suffix}", headers=headers)


def test_a_city_admin_reads_a_tickets_trail_newest_first_and_each_read_goes_in_that_trail(client, token, ticket,
                                                                                          clock):
    admin = token("admin-1", "admin", area="3204")
    with clock.travel(hours=1):
        first = ok(read(client, admin, f"intake-ticket/{ticket}"))
    [created] = first["items"]
    assert (created["action"], created["actor"], created["actor_roles"]) == ("create", "resident-1", ["resident"])
    assert set(created) == {"at", "action", "summary", "actor", "actor_roles", "changes", "request_id"}  # no IP
    with clock.travel(hours=2):
        again = ok(read(client, admin, f"intake-ticket/{ticket}", limit=1))
    assert [(e["action"], e["actor"]) for e in again["items"]] == [("read", "admin-1")]
    with clock.travel(hours=3):
        rest = ok(read(client, admin, f"intake-ticket/{ticket}", limit=1, cursor=again["next_cursor"]))
    assert rest["items"][0]["action"] == "create" and rest["next_cursor"] is None
    assert len(audit.trail("intake-ticket", ticket, limit=10).items) == 4  # the create and three reads


def test_whatever_an_admin_may_not_read_is_the_same_404(client, token, ticket):
    """Another district's admin, another city's, an unknown entity, a record that does not exist, a record
    kept inside another's partition (an audit entry itself), an id that cannot be an id: one answer."""
    district, neighbour = token("admin-2", "admin", area="320402"), token("admin-3", "admin", area="320404")
    ok(read(client, district, f"intake-ticket/{ticket}"))
    answers = [read(client, neighbour, f"intake-ticket/{ticket}"),
               read(client, token("admin-9", "admin", area="6401"), f"intake-ticket/{ticket}"),
               read(client, district, f"no-such-entity/{ticket}"),
               read(client, district, "intake-ticket/FW-320402-0001-9999"),
               read(client, district, f"audit/{ticket}"),
               read(client, district, "intake-ticket/a%23b")]
    problems = [assert_problem(response, 404, "audit_trail_not_found") for response in answers]
    assert len({json.dumps(p, sort_keys=True) for p in problems}) == 1


def test_residents_and_staff_who_are_not_administrators_are_refused(client, token, ticket):
    for who in (token("resident-1", "resident"), token("gw-1", "grid_worker", area="320402001001001")):
        assert_problem(read(client, who, f"intake-ticket/{ticket}"), 403)


def test_a_record_of_no_area_has_its_trail_read_by_a_province_admin_only(client, token, aws_backend):
    seed_areas()
    storage.put_new(Resident(sub="r-1", name="王建国"),
                    also=[audit.entry(audit.SYSTEM, "create", Resident.entity, "r-1", "居民首次登录")])
    [entry] = ok(read(client, token("admin-0", "admin", area="32"), "resident/r-1"))["items"]
    assert entry["summary"] == "居民首次登录"
    assert_problem(read(client, token("admin-1", "admin", area="3204"), "resident/r-1"), 404)


def test_a_deleted_records_trail_is_not_read_by_route(client, token, ticket):
    from chalicelib.domain.intake.models import Ticket

    storage.transact([storage.remove_op(storage.require(Ticket, ticket))])
    assert_problem(read(client, token("admin-1", "admin", area="3204"), f"intake-ticket/{ticket}"), 404)
    assert audit.trail("intake-ticket", ticket).items  # kept in the table, for the console


def test_reading_a_trail_costs_one_get_one_query_and_one_write(client, token, ticket):
    admin = token("admin-1", "admin", area="3204")
    made = calls_during(lambda: ok(read(client, admin, f"intake-ticket/{ticket}")))
    assert made == ["GetItem", "Query", "TransactWriteItems"]


def test_a_disabled_services_records_have_no_trail_by_route(aws_backend):
    with only_enabled():
        assert not [cls for cls in service.record_types().values() if cls.__module__.startswith("plugins.")]
        assert {"area", "intake-ticket", "staff-account", "resident"} <= set(service.record_types())


def test_a_fresh_instance_knows_every_record_type_whatever_it_served_before():
    """The route modules are imported on first call (web.lazy): the types are found from a cold start all
    the same, as they are once every module of the core and the enabled services is imported."""
    script = (
        "import importlib, pkgutil, json\n"
        "import app\n"
        "from chalicelib.domain.trail import service\n"
        "first = sorted(service.record_types())\n"
        "import chalicelib.domain, plugins\n"
        "from chalicelib import plugin\n"
        "for pkg in [chalicelib.domain] + [importlib.import_module('plugins.' + p.name.replace('-', '_')) "
        "for p in plugin.enabled()]:\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if not m.name.endswith('.proof'):\n"
        "            importlib.import_module(m.name)\n"
        "import chalicelib.demo, chalicelib.cli\n"
        "print(json.dumps([first, sorted(service.record_types())]))\n")
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-3000:]
    first, everything = json.loads(run.stdout.splitlines()[-1])
    assert first == everything and "intake-ticket" in first
