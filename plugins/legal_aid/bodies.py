"""What legal aid accepts: the request bodies of applying, claiming and the case's steps (every field
validated; `extra="forbid"`). Apart from the application's record and what its readers see (`models`):
a read imports none of them, only the routes that parse one do."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cached_property
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from chalicelib.platform import pii
from chalicelib.platform.dates import PastDate
from chalicelib.platform.model import Model
from plugins.legal_aid.models import (
    Applicant,
    Category,
    Facts,
    FollowUpMethod,
    Income,
    IncomeSource,
    MatterType,
    OutcomeKind,
    Party,
    QualityStep,
    Satisfaction,
    normalize_name,
)

AHEAD = timedelta(days=366)


def bounded_moment(value: datetime) -> datetime:
    """An aware time from 2000 to a year ahead."""
    from chalicelib.platform.timeutil import now_utc

    if value.tzinfo is None:
        raise ValueError("时间必须带时区")
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("时间超出范围") from None
    if utc < datetime(2000, 1, 1, tzinfo=timezone.utc):
        raise ValueError("时间不能早于 2000 年")
    if utc > now_utc() + AHEAD:
        raise ValueError("时间不能晚于一年以后")
    return value


class Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LegalAidApplicantIn(Strict):
    name: str = Field(min_length=1, max_length=30, examples=["王建国"])
    id_number: pii.IdNumber = Field(description="18 位居民身份证号（校验位校验）", examples=["320402198507150012"])
    phone: str = Field(description="手机或区号-座机", examples=["13912345678"])
    area: str = Field(description="住址所在区域代码（区县及以下，最好到网格）", examples=["320402001001001"])
    address: str | None = Field(None, max_length=200, description="详细住址（上门服务用）")
    rural: bool = Field(False, description="居住在农村（适用常州“农村高龄、孤寡、失能、失独老人”免审）")

    @property
    def birth_date(self) -> date:
        return pii.birth_date(self.id_number)

    @cached_property
    def stored(self) -> Applicant:
        """The applicant as stored, prepared once: ID number and phone sealed (ciphertext, lookup hash, mask),
        the name's key for conflict checks."""
        return Applicant(name=self.name, name_key=normalize_name(self.name),
                         **pii.seal_id_number(self.id_number).fields("id"), birth_date=self.birth_date,
                         **pii.seal_phone(self.phone).fields("phone", keep_hash=False),
                         address=self.address, rural=self.rural)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return pii.normalize_phone(value)

    @field_validator("area")
    @classmethod
    def _area(cls, value: str) -> str:
        if not value.isdigit() or len(value) not in (6, 9, 12, 15):
            raise ValueError("请填写区县及以下的区划代码（6、9、12 位，网格 15 位）")
        return value


class LegalAidIncomeIn(Strict):
    source: IncomeSource = Field(description="收入来源")
    monthly_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="月收入（元）",
                                    examples=["3700"])
    note: str | None = Field(None, max_length=100)

    @property
    def stored(self) -> Income:
        return Income(source=self.source, monthly_amount=self.monthly_amount, note=self.note)


class LegalAidHouseholdIn(Strict):
    size: int = Field(ge=1, le=30, description="家庭共同生活人口数", examples=[2])
    incomes: list[LegalAidIncomeIn] = Field(default_factory=list, max_length=20,
                                    description="家庭成员的月收入，按来源逐项填写；无收入可为空")


class LegalAidOpposingPartyIn(Strict):
    name: str = Field(min_length=1, max_length=100, examples=["常州某建筑劳务有限公司"])
    kind: Literal["person", "organisation"] = "organisation"
    id_number: pii.IdNumber | None = Field(None, description="对方为个人时的身份证号（如知道，用于利益冲突审查）")
    credit_code: str | None = Field(None, description="对方为单位时的统一社会信用代码（如知道）")

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str | None) -> str | None:
        if not value:
            return None
        import re

        value = value.upper()
        if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}", value):
            raise ValueError("统一社会信用代码应为 18 位")
        return value

    @model_validator(mode="after")
    def _kind_matches(self) -> "LegalAidOpposingPartyIn":
        if self.kind == "person" and self.credit_code:
            raise ValueError("个人没有统一社会信用代码")
        if self.kind == "organisation" and self.id_number:
            raise ValueError("单位请填写统一社会信用代码而非身份证号")
        return self

    @cached_property
    def stored(self) -> Party:
        """The party as stored: its name's key and, where known, the lookup hash of its ID number or credit
        code (the conflict check matches on these), the ID number only masked."""
        if self.id_number:
            id_hash = pii.lookup_hash("id_number", self.id_number)
        else:
            id_hash = pii.lookup_hash("credit_code", self.credit_code) if self.credit_code else None
        return Party(name=self.name, name_key=normalize_name(self.name), kind=self.kind, id_hash=id_hash,
                     id_masked=pii.mask_id_number(self.id_number) if self.id_number else None)


class LegalAidApplicationIn(Strict):
    applicant: LegalAidApplicantIn
    household: LegalAidHouseholdIn
    matter_type: MatterType = Field(description="申请援助的事项", examples=["labour_pay"])
    opposing_party: LegalAidOpposingPartyIn
    description: str = Field(min_length=5, max_length=2000, description="案情简述",
                             examples=["在工地做了八个月，包工头拖欠工资 3.6 万元，多次讨要未果。"])
    categories: list[Category] = Field(default_factory=list, max_length=20,
                                       description="申请人自报的情形（受理时核实）")
    attachment_ids: list[str] = Field(default_factory=list, max_length=20,
                                      description="已上传的证明材料（/v1/files）的编号")

    @field_validator("attachment_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        import re

        for item in value:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", item):
                raise ValueError("附件编号格式不正确")
        return list(dict.fromkeys(value))

    @field_validator("categories")
    @classmethod
    def _unique(cls, value: list[Category]) -> list[Category]:
        return list(dict.fromkeys(value))

    # Named as on the stored application, so `Facts.of` reads either.
    @property
    def household_size(self) -> int:
        return self.household.size

    @cached_property
    def incomes(self) -> list[Income]:
        return [i.stored for i in self.household.incomes]

    @cached_property
    def facts(self) -> Facts:
        return Facts.of(self)


class LegalAidVersionIn(Strict):
    version: int | None = Field(None, ge=1, examples=[2], description="记录的当前版本（也可用 If-Match 头）")


class LegalAidReasonIn(LegalAidVersionIn):
    reason: str = Field(min_length=2, max_length=1000, description="理由（写入审计记录）",
                        examples=["申请事项不属于法律援助范围，已告知可申请人民调解"])


class LegalAidOverrideIn(LegalAidVersionIn):
    verdict: Literal["eligible", "ineligible"] = Field(description="人工认定的结果", examples=["eligible"])
    reason: str = Field(min_length=2, max_length=1000, description="改判理由（必填，写入审计记录）",
                        examples=["申请人家庭上月因病支出较大，经入户核实属经济困难"])


class LegalAidAssignIn(LegalAidVersionIn):
    lawyer: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@:-]+$",
                        description="被指派律师的账号（sub）", examples=["lawyer-1"])
    conflict_override_reason: str | None = Field(None, min_length=2, max_length=1000,
                                                 description="利益冲突审查命中时，坚持指派的理由")


class LegalAidCloseIn(LegalAidVersionIn):
    kind: OutcomeKind = Field(description="结案方式", examples=["mediated"])
    amount_recovered: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="为受援人挽回的金额（元）",
                                      examples=["36000.00"])
    summary: str = Field(min_length=2, max_length=2000, description="结案摘要",
                         examples=["经劳动仲裁调解，用人单位一次性支付拖欠工资 3.6 万元"])


class LegalAidFollowUpIn(LegalAidVersionIn):
    visited_on: PastDate = Field(description="回访日期（不晚于今日）", examples=["2026-11-20"])
    method: FollowUpMethod = Field(examples=["phone"])
    satisfaction: Satisfaction = Field(examples=["satisfied"])
    note: str | None = Field(None, max_length=1000)


class LegalAidMajorIn(LegalAidVersionIn):
    reason: str = Field(min_length=2, max_length=1000, description="认定为重大疑难案件的理由",
                        examples=["涉及农民工 40 余人，社会影响较大"])


class LegalAidStepIn(LegalAidVersionIn):
    step: QualityStep = Field(examples=["court_attendance"])
    on: PastDate = Field(description="完成日期（不晚于今日）", examples=["2026-11-20"])
    note: str = Field(min_length=2, max_length=1000, examples=["出庭代理，庭审笔录已归档"])


class LegalAidHomeVisitIn(LegalAidVersionIn):
    scheduled_at: datetime = Field(description="预约上门时间（带时区）", examples=["2026-11-26T09:30:00+08:00"])
    note: str | None = Field(None, max_length=500)

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return bounded_moment(value)


class LegalAidClaimIn(Strict):
    tracking_code: str = Field(min_length=6, max_length=32, description="代为申请时交给申请人的查询码",
                               examples=["LA7K2M9Q"])
    id_number: pii.IdNumber = Field(description="申请人本人的身份证号（核对身份）", examples=["320402198507150012"])

    @cached_property
    def id_hash(self) -> str:
        return pii.lookup_hash("id_number", self.id_number)
