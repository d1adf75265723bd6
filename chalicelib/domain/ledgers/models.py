"""What the ledger route takes and gives."""
from __future__ import annotations

from pydantic import ConfigDict, Field

from chalicelib.domain.files.service import Download
from chalicelib.platform.model import Model


class LedgerIn(Model):
    model_config = ConfigDict(extra="forbid")
    area: str = Field(pattern=r"^\d{12}$", description="村（社区）代码（12 位），一村一卷", examples=["320402001001"])
    year: int = Field(ge=2000, le=2100, description="年度（不晚于今年，按北京时间）", examples=[2026])


class LedgerOut(Model):
    area: str
    area_name: str = Field(description="区域全称（省至村、社区）")
    year: int
    months: list[str] = Field(description="台账包含的月份（今年只到本月）")
    services: list[str] = Field(description="台账中的服务（每项一张工作表）")
    failed_columns: dict[str, str] = Field(default_factory=dict,
                                           description="未能生成的列及错误（该列在台账中为空，不代表为零）")
    file_id: str
    title: str
    download: Download
