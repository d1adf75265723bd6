"""A small notary world: the Changzhou slice of areas, 天宁公证处 mapped to 天宁区, tokens for a resident,
the office's notary and staff of another district, and a working day ahead to publish slots on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import InstitutionIn
from chalicelib.platform import audit, workdays
from chalicelib.platform.auth import Caller
from tests.helpers import ok, post, seed_areas

OFFICE = "office-tianning"
GRID = "320402001001001"


@dataclass
class World:
    office: str
    day: date               # the second working day from today: open for slots

    def slot_path(self) -> str:
        return f"/v1/notary/offices/{self.office}/slots"


def build_world(today: date) -> World:
    """The area tree and 天宁公证处; the day slots are published for: two working days ahead."""
    seed_areas()
    admin = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")
    directory.create_institution(admin, InstitutionIn(
        kind="notary_office", name="天宁公证处", home_area="320402", address="天宁区北直街 8 号",
        phone="0519-88001234", hours="工作日 9:00–17:00"), institution_id=OFFICE)
    return World(office=OFFICE, day=workdays.add_working_days(today, 2).end)


@pytest.fixture
def world(aws_backend, clock):
    return build_world(clock.today)


@pytest.fixture
def notary(token):
    return token("notary-1", "notary", area="320402")


def publish(client, world: World, headers, start: str = "09:30", **fields) -> dict:
    return ok(post(client, world.slot_path(), {"day": world.day.isoformat(), "start": start, **fields}, headers), 201)


def booking(slot_id: str, **fields) -> dict:
    return {"slot_id": slot_id, "matter": "power_of_attorney", "mode": "office", "phone": "13800001234", **fields}
