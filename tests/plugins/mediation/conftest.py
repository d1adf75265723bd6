"""Fixtures for mediation: Changzhou's slice of the area tree and valid request bodies."""
from __future__ import annotations

import pytest

from chalicelib.platform import pii
from tests.helpers import seed_areas

GRID = "320402001001001"
TOWN = "320402001"
OTHER_DISTRICT = "320404"


def id_number(born: str = "19700312", sequence: str = "021") -> str:
    first17 = "320402" + born + sequence
    return first17 + pii.check_character(first17)


def dispute(**changes) -> dict:
    """A valid neighbour dispute; keyword arguments replace its fields."""
    payload = {
        "grid": GRID, "kind": "neighbour", "facts": "楼上装修漏水，浸湿楼下天花板，双方争执不下。", "amount": "3500",
        "parties": [{"name": "李秀英", "role": "applicant", "phone": "13912340001", "id_number": id_number()},
                    {"name": "张国强", "role": "respondent", "phone": "13912340002"}],
    }
    payload.update(changes)
    return payload


@pytest.fixture
def areas(aws_backend):
    seed_areas()


@pytest.fixture
def mediator(token):
    """The grid's mediator (a member of the town committee, jurisdiction the town)."""
    return token("m-zhou", "mediator", area=TOWN)


def on_roster(*accounts: str, area: str = GRID) -> None:
    """Put mediators on the roster (a named holder must be on it)."""
    from chalicelib.platform import storage
    from plugins.mediation.models import Mediator

    for account in accounts:
        storage.put_new(Mediator(id=account, name=f"调解员{account}", area=area, committee="雕庄街道人民调解委员会",
                                 full_time=True))
