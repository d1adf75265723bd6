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
    data_version: str = Field(description="所依据的数据版本（统计计数的变更次数-其余数据摘要）；数据未变时直接取用已生成的文件")
    rebuilt: bool = Field(description="本次是否重新生成（数据未变时为 false）")
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


class ShareOut(Model):
    source: str = Field(description="来源：受理事项（intake）或服务名称")
    title: str
    counted: int = Field(description="计入的件数（两侧合计）")
    part: int = Field(description="按时办结（限时办结）或在网格、村（社区）化解（基层化解）的件数")
    share: Decimal | None = Field(None, description="占比（%，一位小数）；没有计入的件数时为空")


class SharesOut(Model):
    title: str
    counted: int
    part: int
    share: Decimal | None = None
    sources: list[ShareOut]


class RatingLevelOut(Model):
    level: str
    title: str
    value: int


class RankedAreaOut(Model):
    rank: int
    area: str = Field(description="直属下级区域代码（本级直接登记的计在本区域代码下）")
    ratings: int
    satisfied: int = Field(description="基本满意及以上")
    share: Decimal | None = Field(None, description="满意率（%，一位小数）")


class RatingsOut(Model):
    total: int
    satisfied: int = Field(description="基本满意及以上")
    share: Decimal | None = Field(None, description="满意率（%）")
    levels: list[RatingLevelOut]
    ranking: list[RankedAreaOut] = Field(description="直属下级区域按满意率排名（同率按评价数，再按代码）；按月查询即月度排名")


class CountOnceOut(Model):
    total: int = Field(description="一事一计：同一事项（按受理事项或当事人）一年内只按所受最高层级服务计一次")
    levels: list[RatingLevelOut] = Field(description="按服务层级")
    by_service: dict[str, int] = Field(description="各服务分别计数（同一事项可在多项服务中各计一次）")


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
    time_limits: SharesOut | None = Field(None, description="限时办结：按时办结件数及占比（办结时计数）")
    grass_roots: SharesOut | None = Field(None, description="基层化解：在网格、村（社区）化解的件数及占比")
    ratings: RatingsOut | None = Field(None, description="好差评：各等级评价数、满意率和下级区域排名")
    count_once: CountOnceOut | None = Field(None, description="一事一计（同一事项多项服务只按最高层级计一次）")
