"""The vulnerable households' models (SPEC L7): what an import and a visit accept, and what the list, a
household and an import's report answer (imported by the household routes and service only)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import ConfigDict, Field

from chalicelib.platform import tabular
from chalicelib.platform.dates import PastDate
from chalicelib.platform.model import Model

if TYPE_CHECKING:
    from plugins.legal_aid.households import Household


HouseholdCategory = Literal["dibao", "tekun", "severely_disabled", "wubao", "hardship_worker", "migrant_worker"]
CATEGORY_LABELS: dict[str, str] = {
    "dibao": "低保户", "tekun": "特困人员", "severely_disabled": "重度残疾人", "wubao": "农村五保对象",
    "hardship_worker": "困难职工", "migrant_worker": "农民工",
}


class HouseholdImportIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    file_id: str = Field(description="已上传并确认的 CSV 或 Excel 文件（/v1/files，kind=attachment，text/csv 或 XLSX）编号",
                         examples=["f-5b8e31d0"])


class HouseholdImportReport(Model):
    id: str
    file_id: str
    rows: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[tabular.RowError]
    errors_truncated: bool = False


class VulnerableHouseholdOut(Model):
    id: str
    category: str
    category_label: str
    name: str
    id_number_masked: str
    grid: str
    valid_until: date | None
    visited: bool
    visit_count: int
    last_visited_on: date | None
    version: int

    @classmethod
    def of(cls, h: Household) -> "VulnerableHouseholdOut":
        return cls(id=h.id, category=h.category, category_label=CATEGORY_LABELS[h.category], name=h.name,
                   id_number_masked=h.id_masked, grid=h.grid, valid_until=h.valid_until, visited=h.visit_count > 0,
                   visit_count=h.visit_count, last_visited_on=h.last_visited_on, version=h.version)


class VulnerableHouseholdQuery(Model):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)
    area: str | None = Field(None, pattern=r"^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$",
                             description="只看该区域（须在本人辖区内）；省略为本人辖区")
    unvisited: bool = Field(False, description="只看尚未走访的")


class HouseholdVisitIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    visited_on: PastDate = Field(description="走访日期（不晚于今日）", examples=["2026-11-20"])
    needs_legal_aid: bool = Field(False, description="是否有法律援助需求（有则引导其申请）")
    note: str | None = Field(None, max_length=500)
    version: int | None = Field(None, ge=1, description="户的当前版本（也可用 If-Match 头）")


class HouseholdVisitOut(Model):
    id: str
    household: VulnerableHouseholdOut
    visited_on: date
    needs_legal_aid: bool
