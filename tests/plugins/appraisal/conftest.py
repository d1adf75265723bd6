"""A small appraisal world: the Changzhou slice of areas and three appraisal institutions of the directory —
one mapped to 天宁区 (forensic clinical), one to the city (environment), one to 钟楼区 — with their licences."""
from __future__ import annotations

import pytest

from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import InstitutionIn
from chalicelib.platform import audit
from chalicelib.platform.auth import Caller
from plugins.appraisal import service
from plugins.appraisal.models import LicenceIn
from tests.helpers import seed_areas

GRID = "320402001001001"
ADMIN = Caller(sub="admin-1", roles=frozenset({"admin"}), area="3204")


def institution(inst_id: str, name: str, home: str, serves: list[str], kinds: list[str]) -> None:
    directory.create_institution(ADMIN, InstitutionIn(
        kind="appraisal_institution", name=name, home_area=home, serves=serves, phone="0519-86601234"),
        institution_id=inst_id)
    if kinds:
        service.set_licence(ADMIN, inst_id, LicenceIn(licence_no=f"L-{inst_id}", kinds=kinds), None)


@pytest.fixture
def world(aws_backend):
    seed_areas()
    institution("city-env", "常州环境损害司法鉴定中心", "3204", ["3204"], ["environmental_damage", "trace_evidence"])
    institution("tn-clinic", "天宁法医临床司法鉴定所", "320402", ["320402"], ["injury_degree", "disability_grade"])
    institution("city-clinic", "常州法医临床司法鉴定所", "3204", ["3204"], ["disability_grade", "mental_state"])
    institution("zl-clinic", "钟楼法医临床司法鉴定所", "320404", ["320404"], ["disability_grade"])
    institution("unlicensed", "未登记类别的鉴定所", "320402", ["320402"], [])


@pytest.fixture
def officer(token):
    return token("officer-1", "legal_aid_officer", area="320402")


def question(**fields) -> dict:
    return {"grid": GRID, "kind": "disability_grade", "intended_use": "mediation", "phone": "13800001302",
            "facts": "在工地搬运钢管时被砸伤右手，两根手指截断，想知道能评几级伤残。", **fields}
