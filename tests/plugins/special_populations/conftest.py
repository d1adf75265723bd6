"""Fixtures of the special-populations tests: the areas (two grids of 天宁区, one of 钟楼区) and callers."""
from __future__ import annotations

import pytest

from chalicelib.domain.areas.models import Area
from chalicelib.platform import storage
from tests.helpers import seed_areas

GRID = "320402001001001"
OTHER_GRID = "320402001001002"
OTHER_DISTRICT_GRID = "320404001001001"
BUREAU = "s-bureau-inspector"


@pytest.fixture
def areas(aws_backend):
    seed_areas()
    storage.put_new(Area(code=OTHER_GRID, name="第二网格", level="grid", parent="320402001001"))
    for code, name, level, parent in [("320404001", "荷花池街道", "town", "320404"),
                                      ("320404001001", "演示社区", "village", "320404001"),
                                      (OTHER_DISTRICT_GRID, "第一网格", "grid", "320404001001")]:
        storage.put_new(Area(code=code, name=name, level=level, parent=parent))


@pytest.fixture
def who(token):
    """Every kind of caller the access matrix asks about, as request headers."""
    return {
        "district officer": token("co-tn", "corrections_officer", area="320402"),
        "town officer": token("co-dz", "corrections_officer", area="320402001"),
        "other district officer": token("co-zl", "corrections_officer", area="320404"),
        "city officer": token("co-cz", "corrections_officer", area="3204"),
        "assigned grid worker": token("gw-1", "grid_worker", area=GRID),
        "other grid worker": token("gw-2", "grid_worker", area=OTHER_GRID),
        "resident": token("r-1"),
        "mediator": token("m-1", "mediator", area="320402"),
        "legal aid officer": token("la-1", "legal_aid_officer", area="320402"),
        "district admin": token("ad-tn", "admin", area="320402"),
        "city admin": token("ad-cz", "admin", area="3204"),
        "other city admin": token("ad-nj", "admin", area="3201"),
        # the city bureau's account 天宁区 granted read access to (`granted` fixture of test_access.py)
        "granted bureau account": token(BUREAU, "admin", area="3204"),
    }
