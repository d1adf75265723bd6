"""Grid assignments and coverage (C3): the `Assignment` record, role definitions, inputs and outputs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.areas.models import AreaRef, level_of
from chalicelib.platform import storage
from chalicelib.platform.model import Model

ASSIGNABLE_LEVELS = ("district", "town", "village", "grid")
LEVEL_TITLES = {"district": "区县", "town": "镇街", "village": "村社区", "grid": "网格"}
LEVEL_CODE_LENGTH = {"district": 6, "town": 9, "village": 12, "grid": 15}


@dataclass(frozen=True)
class RoleDef:
    code: str
    title: str
    minimum: int
    source: str  # "core" or the plugin's name
    level: str = "grid"  # where the role is filled (chalicelib.plugin.CoverageRole.level)

    def counts_at(self, area_code: str) -> bool:
        """Whether an assignment to `area_code` fills this role for the grids below it: at the role's level
        or above (a per-town role is not filled by a village's or a grid's assignee)."""
        return len(area_code) <= LEVEL_CODE_LENGTH[self.level]


class RoleOut(Model):
    code: str = Field(examples=["legal_literate"])
    title: str = Field(examples=["法律明白人"])
    minimum: int = Field(description="每个网格至少需要的人数/机构数")
    source: str = Field(description="core 或声明该角色的插件名")
    level: str = Field("grid", description="在哪一级配备：grid（网格或其上级均可）、town（每个镇街一名，分配到镇街或区县）")

    @classmethod
    def of(cls, role: RoleDef) -> "RoleOut":
        return cls(code=role.code, title=role.title, minimum=role.minimum, source=role.source, level=role.level)


class RolesOut(Model):
    items: list[RoleOut]


# --- assignments ----------------------------------------------------------------------------------

BY_ROLE = "assignment-by-role"


def district_of(code: str) -> str:
    """The district (6 digits) of a code at district level or below."""
    if len(code) < 6:
        raise ValueError(f"{code!r} is above district level")
    return code[:6]


class Assignment(storage.Record):
    """An assignment, while active in its role's list of its district (`assignment@<role>@<district>`,
    sorted by target area: the coverage report reads one partition per role) and, as an entry, in its area's
    aggregate of what is linked to it (`directory.models.AreaLinks`). An ended one leaves both; its history
    stays in the audit."""
    entity: ClassVar[str] = "assignment"
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(BY_ROLE, "gsi1", by="at", prefix="assignment", nested=True),
    )
    id: str
    role: str
    area: str
    assignee_kind: Literal["person", "institution"]
    assignee_id: str
    note: str | None = None
    status: Literal["active", "ended"] = "active"
    demo: bool = False

    @staticmethod
    def id_for(role: str, area: str, kind: str, assignee_id: str) -> str:
        return f"{role}.{area}.{kind}.{assignee_id}"

    def place(self, listing: str) -> storage.Place | None:
        if self.status != "active":
            return None
        return storage.Place(of=(self.role, district_of(self.area)),
                             sort=(self.area, self.assignee_kind, self.assignee_id))


class AssignmentIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    role: str = Field(max_length=41, description="覆盖角色代码（见 GET /v1/coverage-roles）", examples=["legal_literate"])
    area: str = Field(description="网格，或区县/镇街/村社区（覆盖其下全部网格）", examples=["320402001001001"])
    assignee_kind: Literal["person", "institution"] = Field("person", description="分配给人员还是机构")
    assignee_id: str = Field(min_length=1, max_length=64, description="人员或机构的 id（名录中返回的 id）",
                             examples=["p-7c1e2a"])
    note: str | None = Field(None, max_length=200)
    demo: bool = Field(False, description="演示数据")

    @field_validator("area")
    @classmethod
    def _area_shape(cls, value: str) -> str:
        if level_of(value) not in ASSIGNABLE_LEVELS:
            raise ValueError("应为区县、镇街、村社区或网格的代码")
        return value


class AssignmentOut(Model):
    id: str
    role: str
    role_title: str
    area: AreaRef
    assignee_kind: Literal["person", "institution"]
    assignee_id: str
    assignee_name: str | None
    note: str | None
    status: Literal["active", "ended"]
    demo: bool
    version: int


# --- the coverage report --------------------------------------------------------------------------

class RoleTally(Model):
    role: str
    covered: int = Field(description="已覆盖的网格数")
    missing: int = Field(description="缺少该角色的网格数")


class CoverageRow(Model):
    code: str
    name: str
    level: str
    grids: int
    roles: list[RoleTally]


class CoverageReport(Model):
    area: AreaRef
    roles: list[RoleOut]
    grids: int = Field(description="该区域下的网格总数")
    totals: list[RoleTally]
    items: list[CoverageRow] = Field(description="每个下级区域的覆盖情况（分页）")
    next_cursor: str | None = None


class GapGrid(Model):
    code: str
    name: str
    village: AreaRef
    missing: list[str] = Field(description="该网格缺少的角色代码")


class GapPage(Model):
    area: AreaRef
    roles: list[RoleOut]
    items: list[GapGrid] = Field(description="缺少角色的网格，按代码排序（分页）")
    next_cursor: str | None = None
