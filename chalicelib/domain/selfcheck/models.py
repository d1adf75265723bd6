"""What the self-check accepts and answers. The answers are a mapping from question id to value, checked
against the questions the enabled services declare (`service.answers`): the body itself forbids other
fields, and the area must be a district or below (a code of 6, 9, 12 or 15 digits)."""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.directory.models import InstitutionCard
from chalicelib.platform.model import Model

RESIDENT_AREA = (6, 9, 12, 15)  # district, town, village, grid: where a resident lives and a service applies


def _resident_area(value: str) -> str:
    if not value.isdigit() or len(value) not in RESIDENT_AREA:
        raise ValueError("请选择所在的区县、街道（乡镇）、村（社区）或网格（6、9、12 或 15 位区划代码）")
    return value


class SelfCheckIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    area: str = Field(description="所在区域代码（区县及以下）", examples=["320402001001001"])
    answers: dict[str, Any] = Field(max_length=40, description="问题编号 → 回答（见 GET /v1/self-check/questions）",
                                    examples=[{"household_size": 3, "monthly_incomes": ["3000", "3839.99"],
                                               "age": 45, "matter": "labour_pay"}])

    @field_validator("area")
    @classmethod
    def _area(cls, value: str) -> str:
        return _resident_area(value)


class QuestionsQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, description="所在区域代码（区县及以下）：给出时附上该区域当日执行的标准")

    @field_validator("area")
    @classmethod
    def _area(cls, value: str | None) -> str | None:
        return None if value is None else _resident_area(value)


class ChoiceOut(Model):
    code: str
    label: str


class QuestionOut(Model):
    id: str = Field(examples=["household_size"])
    label: str = Field(examples=["家庭共同生活人口数"])
    type: Literal["integer", "money_list", "boolean", "choice", "choices"]
    choices: list[ChoiceOut] = []
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""
    asked_by: list[str] = Field(description="提出该问题的服务（自助测评编号）")
    needed_by: list[str] = Field(description="缺少该回答就无法给出结论的服务（自助测评编号）")


class RuleOut(Model):
    name: str = Field(examples=["means.income_threshold_monthly"])
    in_force: str | None = Field(description="该区域当日执行的标准及其依据；None：该区域未设置",
                                 examples=["常州市最低工资标准 2280 元/月（2021-08-01 起）"])
    upcoming: str | None = Field(None, description="已公布、以后生效的调整", examples=["自 2027-01-01 起标准调整为 2490 元/月（常州市最低工资标准）"])
    upcoming_from: date | None = None


class ServiceOut(Model):
    code: str = Field(examples=["legal-aid.eligibility"])
    service: str = Field(examples=["legal-aid"])
    title: str = Field(examples=["法律援助"])
    rules: list[RuleOut] = []


class QuestionnaireOut(Model):
    services: list[ServiceOut]
    questions: list[QuestionOut]


class SelfCheckCriterionOut(Model):
    code: str = Field(examples=["legal_aid.means_test"])
    title: str
    met: bool | None = Field(description="None：根据所填情况无法判断")
    reason: str


class NextStepOut(Model):
    route: str = Field(examples=["POST /v1/legal-aid/applications"])
    text: str
    institution: InstitutionCard | None = Field(None, description="网格就近的受理机构（测评区域为网格时）")


class VerdictOut(Model):
    code: str = Field(examples=["legal-aid.eligibility"])
    service: str = Field(examples=["legal-aid"])
    title: str
    verdict: Literal["likely", "not_likely", "depends"]
    verdict_label: str = Field(examples=["可能符合"])
    summary: str
    criteria: list[SelfCheckCriterionOut]
    rules: list[RuleOut]
    documents: list[str] = Field(description="申请时请携带的材料")
    next_step: NextStepOut


class SelfCheckOut(Model):
    area: str
    on: date = Field(description="测评所依据的日期（北京时间）")
    results: list[VerdictOut]
    notice: str
