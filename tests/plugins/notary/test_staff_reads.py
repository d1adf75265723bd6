"""CONTRACT "Identity and access" for an office's appointments: its lists (the day, the reminders) and slot
publishing follow the single read's rule — staff whose jurisdiction holds the office's own area, not an area
the office merely serves; the home-visit address comes only from the audited `/contact`; the green
channel's reason (a health or disability basis) goes to the resident and the notaries holding the
appointment, other staff see its basis title; every staff read is audited."""
from __future__ import annotations

import pytest

from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import InstitutionIn
from chalicelib.platform import audit
from chalicelib.platform.auth import Caller
from plugins.notary.models import APPOINTMENT
from tests.helpers import assert_problem, ok, post
from tests.plugins.notary.conftest import booking, publish
from tests.plugins.notary.test_green_channel import home

CITY_OFFICE = "office-changzhou"


@pytest.fixture
def city_office(world):
    """常州市公证处: home area 常州 (3204), serving 天宁区 too."""
    admin = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")
    directory.create_institution(admin, InstitutionIn(
        kind="notary_office", name="常州市公证处", home_area="3204", serves=["320402"], address="常州市龙城大道 1 号",
        phone="0519-88000000", hours="工作日 9:00–17:00"), institution_id=CITY_OFFICE)
    return CITY_OFFICE


def test_a_served_district_s_notary_neither_lists_nor_publishes_at_an_office_it_may_not_read(
        client, token, world, city_office):
    city_notary = token("notary-cz", "notary", area="3204")
    district_notary = token("notary-tn", "notary", area="320402")        # of 天宁公证处, not of the city office
    slot = ok(post(client, f"/v1/notary/offices/{city_office}/slots",
                   {"day": world.day.isoformat(), "start": "10:00", "capacity": 5}, city_notary), 201)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("owner-1")), 201)
    assert_problem(client.get(f"/v1/notary/appointments/{made['id']}", headers=district_notary), 404)
    assert_problem(client.get(f"/v1/notary/appointments/{made['id']}/contact", headers=district_notary), 404)
    day = world.day.isoformat()
    assert_problem(client.get(f"/v1/notary/offices/{city_office}/appointments?day={day}", headers=district_notary),
                   403, "outside_jurisdiction")
    assert_problem(client.get(f"/v1/notary/offices/{city_office}/reminders", headers=district_notary), 403,
                   "outside_jurisdiction")
    assert_problem(post(client, f"/v1/notary/offices/{city_office}/slots", {"day": day, "start": "11:00"},
                        district_notary), 403, "outside_jurisdiction")
    listed = ok(client.get(f"/v1/notary/offices/{city_office}/appointments?day={day}", headers=city_notary))
    assert [a["id"] for a in listed["items"]] == [made["id"]]


def test_the_address_is_only_in_the_contact_and_the_reason_only_for_those_holding_the_appointment(
        client, token, world, notary):
    slot = publish(client, world, notary)
    resident = token("r1")
    made = ok(post(client, "/v1/notary/appointments", home(slot["id"], basis="seriously_ill", birth_date=None),
                   resident), 201)
    city_admin = token("admin-1", "admin", area="3204")
    assert_problem(client.get(f"/v1/notary/appointments/{made['id']}/contact", headers=city_admin), 404)
    day = world.day.isoformat()
    seen_by_admin = [ok(client.get(f"/v1/notary/appointments/{made['id']}", headers=city_admin)),
                     *ok(client.get(f"/v1/notary/offices/{world.office}/appointments?day={day}",
                                    headers=city_admin))["items"]]
    for seen in seen_by_admin:
        assert "address" not in seen
        assert seen["green_channel"] == {"met": True, "basis": "notary.seriously_ill", "basis_title": "重症病人",
                                         "reason": None}
    for holder in (resident, notary):
        seen = ok(client.get(f"/v1/notary/appointments/{made['id']}", headers=holder))
        assert "address" not in seen and seen["green_channel"]["reason"].startswith("申报为重症病人")
    assert ok(client.get(f"/v1/notary/appointments/{made['id']}/contact", headers=notary))["address"].startswith("雕庄")


def test_every_staff_read_of_an_appointment_is_audited_and_the_resident_s_own_is_not(client, token, world, notary):
    slot = publish(client, world, notary)
    made = ok(post(client, "/v1/notary/appointments", booking(slot["id"]), token("r1")), 201)
    ok(client.get(f"/v1/notary/appointments/{made['id']}", headers=token("r1")))
    city_admin = token("admin-1", "admin", area="3204")
    ok(client.get(f"/v1/notary/appointments/{made['id']}", headers=city_admin))
    ok(client.get(f"/v1/notary/appointments/{made['id']}", headers=notary))
    reads = [e for e in audit.trail(APPOINTMENT, made["id"], limit=50).items if e["action"] == "read"]
    assert sorted(e["actor"] for e in reads) == ["admin-1", "notary-1"]
    ok(client.get(f"/v1/notary/offices/{world.office}/appointments?day={world.day.isoformat()}", headers=city_admin))
    [listed] = audit.trail(APPOINTMENT, f"{world.office}:{world.day.isoformat()}").items
    assert listed["actor"] == "admin-1" and listed["action"] == "read" and "1 条" in listed["summary"]
