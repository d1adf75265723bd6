"""What the ledger route takes and gives."""
from __future__ import annotations

from decimal import Decimal

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


AREA_CODE = r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$"
PERIOD = r"^\d{4}(-(0[1-9]|1[0-2]))?$"


class WorkStatsQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=AREA_CODE, description="区域代码（省至网格；默认本人辖区）")
    period: str | None = Field(None, pattern=PERIOD, description="月份 YYYY-MM 或年度 YYYY（默认本月，北京时间）",
                               examples=["2026-11", "2026"])
    kind: str = Field("all", max_length=40, description="all（全部）、summary（年度工作统计口径）或已启用服务的名称",
                      examples=["all", "summary", "mediation"])


class StatMeasureOut(Model):
    code: str
    title: str
    value: int | Decimal = Field(description="各来源合计")
    sources: dict[str, int | Decimal] = Field(description="计数来源（服务计数项 → 数值）")


class StatCounterOut(Model):
    key: str
    title: str
    value: int | Decimal


class ServiceVolumeOut(Model):
    service: str
    title: str
    counters: list[StatCounterOut]


class ChildFiguresOut(Model):
    area: str = Field(description="直属下级区域代码（本级直接登记的计数记在本区域代码下）")
    counters: dict[str, int | Decimal]


class WorkStatsOut(Model):
    area: str
    period: str
    kind: str
    months: list[str]
    data_version: int = Field(description="数据版本：所统计计数的变更次数，只增不减")
    counts: list[StatMeasureOut] = Field(description="年度工作统计口径（起草村规民约、法律文书、法律意见、咨询人次、"
                                                 "协助法律援助、代理案件、调解纠纷及其中重大积案）")
    not_wired: list[str] = Field(description="尚无已启用服务提供数据的统计项（显示为 0，不代表没有发生）")
    services: list[ServiceVolumeOut] = Field(description="各服务的业务量")
    children: list[ChildFiguresOut] = Field(description="按直属下级区域汇总（自下而上逐级汇总）")
