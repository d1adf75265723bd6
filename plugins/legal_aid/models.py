"""What legal aid stores, accepts and answers: vocabularies with their Chinese labels, the application
record, the request bodies (every field validated; `extra="forbid"`) and the response models.

Which of an application's fields a reader sees is decided in `views.py`, which fills the response models.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from chalicelib.platform import pii, storage
from chalicelib.platform.dates import PastDate
from chalicelib.platform.model import Model, Number
from chalicelib.platform.timeutil import to_shanghai
from chalicelib.platform.web import PageQuery

ENTITY = "legal-aid-application"
LAWYER_INDEX = "legal-aid-assignment"
CLAIM_ENTITY = "legal-aid-claim"
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


class Labelled(str, Enum):
    """A vocabulary: stable English codes in the API and the table, Chinese labels for people."""

    @property
    def label(self) -> str:
        return LABELS[self]


class MatterType(Labelled):
    # 法律援助法第三十一条 and SPEC L4 (seeds/003, seeds/001 item 5)
    state_compensation = "state_compensation"
    social_insurance = "social_insurance"
    social_assistance = "social_assistance"
    pension_compensation = "pension_compensation"
    elder_support = "elder_support"
    child_support = "child_support"
    labour_relation = "labour_relation"
    labour_pay = "labour_pay"
    capacity_determination = "capacity_determination"
    work_injury = "work_injury"
    traffic_accident = "traffic_accident"
    food_drug_safety = "food_drug_safety"
    medical_accident = "medical_accident"
    personal_injury = "personal_injury"
    environmental_pollution = "environmental_pollution"
    land_contract = "land_contract"
    farm_supplies = "farm_supplies"
    # outside the scope list: eligible only through an exemption that lifts the scope limit
    marriage_family = "marriage_family"
    contract = "contract"
    property = "property"
    debt = "debt"
    other = "other"


IN_SCOPE = frozenset({
    MatterType.state_compensation, MatterType.social_insurance, MatterType.social_assistance,
    MatterType.pension_compensation, MatterType.elder_support, MatterType.child_support,
    MatterType.labour_relation, MatterType.labour_pay, MatterType.capacity_determination,
    MatterType.work_injury, MatterType.traffic_accident, MatterType.food_drug_safety,
    MatterType.medical_accident, MatterType.personal_injury, MatterType.environmental_pollution,
    MatterType.land_contract, MatterType.farm_supplies,
})
AGRICULTURAL_MATTERS = frozenset({MatterType.land_contract, MatterType.farm_supplies})


class Category(Labelled):
    """What the applicant declares about themselves (staff verify it against documents at acceptance)."""
    # SPEC L3 / seeds/001 item 3: Changzhou's special-hardship groups (rural elderly need `rural`)
    living_alone = "living_alone"
    disabled_elderly = "disabled_elderly"
    bereaved_only_child = "bereaved_only_child"
    child_in_distress = "child_in_distress"
    severely_disabled = "severely_disabled"
    seriously_ill = "seriously_ill"
    dibao = "dibao"
    tekun = "tekun"
    wubao = "wubao"
    # 法律援助法第四十二条
    no_fixed_income = "no_fixed_income"
    disabled = "disabled"
    judicial_assistance = "judicial_assistance"
    special_care = "special_care"
    migrant_worker = "migrant_worker"
    # 法律援助法第三十二条
    martyr_relative = "martyr_relative"
    bravery = "bravery"
    retrial_acquittal = "retrial_acquittal"
    abuse_victim = "abuse_victim"
    # routing (SPEC L5) and outreach (SPEC L7)
    agriculture_related = "agriculture_related"
    hardship_worker = "hardship_worker"


class IncomeSource(Labelled):
    wage = "wage"
    business = "business"
    property = "property"
    transfer = "transfer"
    other = "other"


class Status(Labelled):
    submitted = "submitted"
    accepted = "accepted"
    approved = "approved"
    rejected = "rejected"
    assigned = "assigned"
    closed = "closed"
    followed_up = "followed_up"


class Verdict(Labelled):
    eligible = "eligible"
    ineligible = "ineligible"
    undetermined = "undetermined"


class OutcomeKind(Labelled):
    won = "won"
    partially_won = "partially_won"
    mediated = "mediated"
    settled = "settled"
    lost = "lost"
    withdrawn = "withdrawn"
    terminated = "terminated"


class QualityStep(Labelled):
    pre_case_assessment = "pre_case_assessment"
    guidance = "guidance"
    court_attendance = "court_attendance"


class FollowUpMethod(Labelled):
    phone = "phone"
    home = "home"
    office = "office"
    online = "online"


class Satisfaction(Labelled):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    dissatisfied = "dissatisfied"


LABELS: dict[Enum, str] = {
    MatterType.state_compensation: "请求国家赔偿", MatterType.social_insurance: "请求给予社会保险待遇",
    MatterType.social_assistance: "请求给予社会救助", MatterType.pension_compensation: "请求发给抚恤金",
    MatterType.elder_support: "请求给付赡养费", MatterType.child_support: "请求给付抚养费、扶养费",
    MatterType.labour_relation: "请求确认劳动关系", MatterType.labour_pay: "请求支付劳动报酬",
    MatterType.capacity_determination: "请求认定无民事行为能力或限制民事行为能力",
    MatterType.work_injury: "工伤事故人身损害赔偿", MatterType.traffic_accident: "交通事故人身损害赔偿",
    MatterType.food_drug_safety: "食品药品安全事故人身损害赔偿", MatterType.medical_accident: "医疗事故人身损害赔偿",
    MatterType.personal_injury: "人身损害赔偿", MatterType.environmental_pollution: "环境污染、生态破坏损害赔偿",
    MatterType.land_contract: "土地承包经营纠纷", MatterType.farm_supplies: "农业生产资料损害赔偿",
    MatterType.marriage_family: "婚姻家庭纠纷", MatterType.contract: "合同纠纷", MatterType.property: "房产物业纠纷",
    MatterType.debt: "借贷纠纷", MatterType.other: "其他事项",
    Category.living_alone: "孤寡老人", Category.disabled_elderly: "失能老人",
    Category.bereaved_only_child: "失独老人", Category.child_in_distress: "困境儿童",
    Category.severely_disabled: "重度残疾人", Category.seriously_ill: "重病患者", Category.dibao: "低保户",
    Category.tekun: "特困人员", Category.wubao: "农村五保对象", Category.no_fixed_income: "无固定生活来源",
    Category.disabled: "残疾人", Category.judicial_assistance: "司法救助对象", Category.special_care: "优抚对象",
    Category.migrant_worker: "农民工（进城务工人员）", Category.martyr_relative: "英雄烈士近亲属（维护英雄烈士人格权益）",
    Category.bravery: "因见义勇为主张民事权益", Category.retrial_acquittal: "再审改判无罪请求国家赔偿",
    Category.abuse_victim: "遭受虐待、遗弃或家庭暴力的受害人", Category.agriculture_related: "涉农案件",
    Category.hardship_worker: "困难职工",
    IncomeSource.wage: "工资性收入", IncomeSource.business: "经营性收入", IncomeSource.property: "财产性收入",
    IncomeSource.transfer: "转移性收入（养老金、补贴等）", IncomeSource.other: "其他收入",
    Status.submitted: "已提交", Status.accepted: "已受理", Status.approved: "已批准援助", Status.rejected: "不予援助",
    Status.assigned: "已指派律师", Status.closed: "已结案", Status.followed_up: "已回访",
    Verdict.eligible: "符合条件", Verdict.ineligible: "不符合条件", Verdict.undetermined: "待人工审查",
    OutcomeKind.won: "胜诉", OutcomeKind.partially_won: "部分胜诉", OutcomeKind.mediated: "调解结案",
    OutcomeKind.settled: "和解", OutcomeKind.lost: "败诉", OutcomeKind.withdrawn: "撤诉",
    OutcomeKind.terminated: "终止援助",
    QualityStep.pre_case_assessment: "案前评估", QualityStep.guidance: "随案指导",
    QualityStep.court_attendance: "旁听庭审",
    FollowUpMethod.phone: "电话回访", FollowUpMethod.home: "上门回访", FollowUpMethod.office: "来访回访",
    FollowUpMethod.online: "线上回访",
    Satisfaction.satisfied: "满意", Satisfaction.basically_satisfied: "基本满意", Satisfaction.dissatisfied: "不满意",
}

Money = Field(ge=0, max_digits=12, decimal_places=2)


# --- what the criteria look at --------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the criteria look at, taken from an application (or built directly in tests)."""
    birth_date: date
    rural: bool
    categories: frozenset[Category]
    matter_type: MatterType
    household_size: int
    monthly_incomes: tuple[Decimal, ...] = ()

    @classmethod
    def of(cls, application: "Application | LegalAidApplicationIn") -> "Facts":
        """The facts of an application, stored or as submitted: both name its parts alike."""
        return cls(birth_date=application.applicant.birth_date, rural=application.applicant.rural,
                   categories=frozenset(application.categories), matter_type=application.matter_type,
                   household_size=application.household_size,
                   monthly_incomes=tuple(i.monthly_amount for i in application.incomes))

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def has(self, category: Category) -> bool:
        return category in self.categories


_NOISE = re.compile(r"[\s·•.,，。、:：;；'\"“”‘’()\[\]{}（）【】《》<>_\-—]+")


def normalize_name(name: str) -> str:
    """Full-width → half-width (NFKC), no spaces or punctuation, Latin letters lower-cased: "常州 某某（建筑）
    有限公司" and "常州某某(建筑)有限公司" are one party (the conflict check compares these keys)."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name)).lower()


# --- stored parts ---------------------------------------------------------------------------------

class Income(Model):
    model_config = ConfigDict(extra="ignore")
    source: IncomeSource
    monthly_amount: Decimal
    note: str | None = None


class Applicant(Model):
    """The applicant as stored: ID and phone encrypted, with a lookup hash and the masked form."""
    model_config = ConfigDict(extra="ignore")
    name: str
    name_key: str
    id_cipher: str
    id_hash: str
    id_masked: str
    birth_date: date
    phone_cipher: str
    phone_masked: str
    address: str | None = None
    rural: bool = False


class Party(Model):
    """The opposing party: matched in conflict checks by normalized name and, where known, ID hash."""
    model_config = ConfigDict(extra="ignore")
    name: str
    name_key: str
    kind: Literal["person", "organisation"]
    id_hash: str | None = None
    id_masked: str | None = None


class CriterionResult(Model):
    model_config = ConfigDict(extra="ignore")
    code: str
    title: str
    met: bool
    status: Literal["met", "not_met", "waived", "undetermined"]
    reason: str
    data: dict[str, Any] = {}


class Eligibility(Model):
    model_config = ConfigDict(extra="ignore")
    verdict: Verdict
    path: Literal["exempt", "means_tested", "undetermined"]
    summary: str
    criteria: list[CriterionResult]
    evaluated_on: date
    policy_versions: list[str] = []


class Override(Model):
    model_config = ConfigDict(extra="ignore")
    verdict: Verdict
    reason: str
    by: str
    at: datetime


class Event(Model):
    """One line of the progress the applicant follows (status changes and steps, no staff-only detail)."""
    model_config = ConfigDict(extra="ignore")
    at: datetime
    status: Status
    note: str


class Outcome(Model):
    model_config = ConfigDict(extra="ignore")
    kind: OutcomeKind
    amount_recovered: Decimal
    summary: str
    closed_by: str


class FollowUp(Model):
    model_config = ConfigDict(extra="ignore")
    visited_on: date
    method: FollowUpMethod
    satisfaction: Satisfaction
    note: str | None = None
    by: str


class StepRecord(Model):
    model_config = ConfigDict(extra="ignore")
    step: QualityStep
    on: date
    note: str
    by: str


class HomeVisit(Model):
    model_config = ConfigDict(extra="ignore")
    scheduled_at: datetime
    note: str | None = None
    by: str


class ConflictHit(Model):
    model_config = ConfigDict(extra="ignore")
    case_id: str
    relation: Literal["client_is_opposing_party", "opposing_party_is_client"]
    match: Literal["id", "name"]
    party_name: str


class ConflictOverride(Model):
    model_config = ConfigDict(extra="ignore")
    reason: str
    by: str
    hits: list[ConflictHit]


# --- the record -----------------------------------------------------------------------------------

class Application(storage.Record):
    """One application, from submission to follow-up. Listed in its owner's list (once someone owns it) and
    in its lawyer's (once assigned), open or closed."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(ENTITY, "gsi1", by="owner"),        # a resident's own, by submission time
        storage.Listing(LAWYER_INDEX, "gsi2", by="owner"),  # a lawyer's cases: ("open" | "closed", assigned, id)
    )
    missing: ClassVar[tuple[str, str]] = ("没有这件法律援助申请", "application_not_found")

    id: str
    status: Status = Status.submitted
    channel: Literal["online", "on_behalf"]
    owner: str | None = None                  # the resident who follows it (None until claimed)
    filed_by: str
    area: str
    submitted_at: datetime
    application_date: date                    # Asia/Shanghai: the date whose rules judge it (SPEC L2)
    applicant: Applicant
    household_size: int
    incomes: list[Income]
    matter_type: MatterType
    opposing: Party
    description: str
    categories: list[Category] = []
    attachment_ids: list[str] = []
    eligibility: Eligibility
    routing: list[CriterionResult] = []       # green channel, home visit: how the case is handled
    override: Override | None = None
    green_channel: bool = False
    home_visit_eligible: bool = False
    deadline: datetime | None = None          # of the step the case waits for now
    deadline_basis: str | None = None
    green_deadline: datetime | None = None    # acceptance, review and assignment all by then (SPEC L5)
    accepted_at: datetime | None = None
    approved_at: datetime | None = None
    rejected_at: datetime | None = None
    rejection_reason: str | None = None
    lawyer: str | None = None
    assigned_at: datetime | None = None
    conflict_override: ConflictOverride | None = None
    closed_at: datetime | None = None
    outcome: Outcome | None = None
    follow_up: FollowUp | None = None
    major: bool = False
    major_reason: str | None = None
    quality_steps: list[StepRecord] = []
    home_visit: HomeVisit | None = None
    timeline: list[Event] = []

    @property
    def verdict(self) -> Verdict:
        return self.override.verdict if self.override else self.eligibility.verdict

    @property
    def facts(self) -> Facts:
        return Facts.of(self)

    def place(self, listing: str) -> storage.Place | None:
        if listing == ENTITY and self.owner:
            return storage.Place(of=self.owner, sort=(stamp(self.submitted_at), self.id))
        if listing == LAWYER_INDEX and self.lawyer:
            state = "open" if self.status == Status.assigned else "closed"
            return storage.Place(of=self.lawyer, sort=(state, stamp(self.assigned_at or self.submitted_at), self.id))
        return None


def stamp(moment: datetime) -> str:
    """A sortable UTC timestamp for sort keys: fixed width, no separator characters."""
    from datetime import timezone

    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")


# --- inputs ---------------------------------------------------------------------------------------

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
    matter_type: MatterType = Field(description="申请援助的事项")
    opposing_party: LegalAidOpposingPartyIn
    description: str = Field(min_length=5, max_length=2000, description="案情简述")
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
    version: int | None = Field(None, ge=1, description="记录的当前版本（也可用 If-Match 头）")


class LegalAidReasonIn(LegalAidVersionIn):
    reason: str = Field(min_length=2, max_length=1000, description="理由（写入审计记录）")


class LegalAidOverrideIn(LegalAidVersionIn):
    verdict: Literal["eligible", "ineligible"] = Field(description="人工认定的结果")
    reason: str = Field(min_length=2, max_length=1000, description="改判理由（必填，写入审计记录）")


class LegalAidAssignIn(LegalAidVersionIn):
    lawyer: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._@:-]+$",
                        description="被指派律师的账号（sub）", examples=["lawyer-1"])
    conflict_override_reason: str | None = Field(None, min_length=2, max_length=1000,
                                                 description="利益冲突审查命中时，坚持指派的理由")


class LegalAidCloseIn(LegalAidVersionIn):
    kind: OutcomeKind = Field(description="结案方式")
    amount_recovered: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="为受援人挽回的金额（元）")
    summary: str = Field(min_length=2, max_length=2000, description="结案摘要")


class LegalAidFollowUpIn(LegalAidVersionIn):
    visited_on: PastDate = Field(description="回访日期（不晚于今日）")
    method: FollowUpMethod
    satisfaction: Satisfaction
    note: str | None = Field(None, max_length=1000)


class LegalAidMajorIn(LegalAidVersionIn):
    reason: str = Field(min_length=2, max_length=1000, description="认定为重大疑难案件的理由")


class LegalAidStepIn(LegalAidVersionIn):
    step: QualityStep
    on: PastDate = Field(description="完成日期（不晚于今日）")
    note: str = Field(min_length=2, max_length=1000)


class LegalAidHomeVisitIn(LegalAidVersionIn):
    scheduled_at: datetime = Field(description="预约上门时间（带时区）", examples=["2026-11-26T09:30:00+08:00"])
    note: str | None = Field(None, max_length=500)

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return bounded_moment(value)


class LegalAidClaimIn(Strict):
    tracking_code: str = Field(min_length=6, max_length=32, description="代为申请时交给申请人的查询码")
    id_number: pii.IdNumber = Field(description="申请人本人的身份证号（核对身份）")

    @cached_property
    def id_hash(self) -> str:
        return pii.lookup_hash("id_number", self.id_number)


# --- the claim ticket (service.claim) -------------------------------------------------------------

class ClaimTicket(storage.Record):
    """Where an application filed on someone's behalf is found from its tracking code and the applicant's
    ID number: keyed by an HMAC of both, holding only the application id."""
    entity: ClassVar[str] = CLAIM_ENTITY
    id: str
    application_id: str


# --- what each reader sees of an application (built in views.py) ----------------------------------

class LegalAidCode(Model):
    code: str
    label: str


class LegalAidApplicantOut(Model):
    name: str
    id_number_masked: str = Field(examples=["320***********0012"])
    id_number: str | None = Field(None, description="完整身份证号，仅向申请人本人返回")
    phone_masked: str
    phone: str | None = Field(None, description="完整电话：申请人本人，以及查看申请时的承办律师和经办法律援助工作人员（记入审计）")
    age: int
    rural: bool
    address: str | None = None


class LegalAidLawyerOut(Model):
    """The assigned lawyer, as the applicant needs them to get in touch."""
    name: str = Field(examples=["周律师"])
    firm: str | None = Field(None, description="所在律师事务所或法律援助机构", examples=["江苏某律师事务所"])
    work_phone: str | None = Field(None, description="工作电话（账号未登记时为空）")


class LegalAidIncomeOut(Model):
    source: LegalAidCode
    monthly_amount: Number
    note: str | None = None


class LegalAidHouseholdIncomeOut(Model):
    size: int
    incomes: list[LegalAidIncomeOut]
    total_monthly: Number
    per_capita_monthly: Number = Field(description="人均月收入（元，四舍五入到分）")


class LegalAidPartyOut(Model):
    name: str
    kind: str
    id_number_masked: str | None = None


class LegalAidCriterionOut(Model):
    code: str
    title: str
    met: bool
    status: Literal["met", "not_met", "waived", "undetermined"]
    reason: str = Field(examples=["人均月收入 1,850 元 ≤ 2,280 元（常州市最低工资标准）"])

    @classmethod
    def of(cls, result: CriterionResult) -> "LegalAidCriterionOut":
        return cls(code=result.code, title=result.title, met=result.met, status=result.status, reason=result.reason)


class LegalAidEligibilityOut(Model):
    verdict: LegalAidCode
    path: Literal["exempt", "means_tested", "undetermined"] = Field(description="exempt：免审；means_tested：经济困难审查")
    summary: str = Field(examples=["符合条件（免经济困难审查：农民工追索劳动报酬）"])
    evaluated_on: date = Field(description="按哪一天生效的标准审查（申请日，北京时间）")
    criteria: list[LegalAidCriterionOut]

    @classmethod
    def of(cls, eligibility: Eligibility) -> "LegalAidEligibilityOut":
        return cls(verdict=LegalAidCode(code=eligibility.verdict.value, label=eligibility.verdict.label),
                   path=eligibility.path, summary=eligibility.summary, evaluated_on=eligibility.evaluated_on,
                   criteria=[LegalAidCriterionOut.of(c) for c in eligibility.criteria])


class LegalAidOverrideOut(Model):
    verdict: LegalAidCode
    reason: str
    by: str
    at: datetime


class LegalAidEventOut(Model):
    at: datetime
    status: LegalAidCode
    note: str

    @classmethod
    def of(cls, event: Event) -> "LegalAidEventOut":
        return cls(at=to_shanghai(event.at), status=LegalAidCode(code=event.status.value, label=event.status.label),
                   note=event.note)


class LegalAidOutcomeOut(Model):
    kind: LegalAidCode
    amount_recovered: Number
    summary: str


class LegalAidFollowUpOut(Model):
    visited_on: date
    method: LegalAidCode
    satisfaction: LegalAidCode
    note: str | None = None


class LegalAidStepOut(Model):
    step: LegalAidCode
    on: date
    note: str
    by: str


class LegalAidQualityOut(Model):
    major: bool
    reason: str | None = None
    steps: list[LegalAidStepOut] = []
    missing: list[LegalAidCode] = Field(default_factory=list, description="重大疑难案件尚未完成的质量控制步骤")


class LegalAidConflictOverrideOut(Model):
    reason: str
    by: str
    hits: list[str]


class LegalAidHomeVisitOut(Model):
    scheduled_at: datetime
    note: str | None = None


class LegalAidApplicationOut(Model):
    id: str
    version: int
    status: LegalAidCode
    channel: Literal["online", "on_behalf"]
    area: str
    submitted_at: datetime
    application_date: date
    applicant: LegalAidApplicantOut
    household: LegalAidHouseholdIncomeOut
    matter: LegalAidCode
    opposing_party: LegalAidPartyOut
    description: str
    categories: list[LegalAidCode]
    attachment_ids: list[str]
    eligibility: LegalAidEligibilityOut
    override: LegalAidOverrideOut | None = None
    effective_verdict: LegalAidCode = Field(description="以人工改判为准，否则为系统审查结果")
    green_channel: LegalAidCriterionOut
    home_visit_eligible: LegalAidCriterionOut
    deadline: datetime | None = Field(None, description="当前环节的办理时限（北京时间）")
    overdue: bool
    lawyer: str | None = None
    lawyer_contact: LegalAidLawyerOut | None = Field(None, description="承办律师的姓名、所在机构和工作电话（申请人本人可见）")
    assigned_at: datetime | None = None
    conflict_override: LegalAidConflictOverrideOut | None = None
    rejection_reason: str | None = None
    outcome: LegalAidOutcomeOut | None = None
    follow_up: LegalAidFollowUpOut | None = None
    quality: LegalAidQualityOut | None = None
    home_visit: LegalAidHomeVisitOut | None = None
    timeline: list[LegalAidEventOut]
    tracking_code: str | None = Field(None, description="代为申请时给申请人的查询码（仅在提交时返回一次）")


class LegalAidApplicationSummary(Model):
    id: str
    status: LegalAidCode
    matter: LegalAidCode
    submitted_at: datetime
    effective_verdict: LegalAidCode
    green_channel: bool
    deadline: datetime | None = None
    area: str


# --- the vocabulary and the lawyer's list ---------------------------------------------------------

class LegalAidAssignmentQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    state: Literal["open", "closed"] = Field("open", description="open 在办；closed 已结")


class LegalAidCriterionInfo(Model):
    code: str
    title: str


class LegalAidMatterInfo(Model):
    code: str
    label: str
    in_scope: bool = Field(description="属于法律援助事项范围")
    agricultural: bool = Field(description="涉农事项（绿色通道）")


class LegalAidCodeLabel(Model):
    code: str
    label: str


class LegalAidVocabulary(Model):
    criteria: list[LegalAidCriterionInfo]
    matter_types: list[LegalAidMatterInfo]
    categories: list[LegalAidCodeLabel]


# --- the lawyers an officer may assign ------------------------------------------------------------

class LegalAidAssignableLawyer(Model):
    lawyer: str = Field(description="律师账号（指派时填入 lawyer）", examples=["s-2f1c…"])
    name: str = Field(examples=["周律师"])
    firm: str | None = Field(None, description="所在律师事务所或法律援助机构（账号登记了机构时）")
    area: str = Field(description="律师账号所属区域代码")
    open_cases: int = Field(description="在办法律援助案件数")


# --- the officers' queue --------------------------------------------------------------------------

class LegalAidQueueItem(Model):
    id: str
    status: Status
    status_label: str
    green_channel: bool
    priority: int
    deadline: datetime
    overdue: bool
    matter_type: str
    matter_label: str
    area: str
    applicant_name: str
    submitted_at: datetime
    major: bool
    verdict: str


# --- vulnerable households (L7) -------------------------------------------------------------------

HouseholdCategory = Literal["dibao", "tekun", "severely_disabled", "wubao", "hardship_worker", "migrant_worker"]
CATEGORY_LABELS: dict[str, str] = {
    "dibao": "低保户", "tekun": "特困人员", "severely_disabled": "重度残疾人", "wubao": "农村五保对象",
    "hardship_worker": "困难职工", "migrant_worker": "农民工",
}


class HouseholdImportIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    file_id: str = Field(description="已上传并确认的 CSV 或 Excel 文件（/v1/files，kind=attachment，text/csv 或 XLSX）编号")


class HouseholdRowError(Model):
    row: int = Field(description="表格中的行号（与表格软件显示的一致，表头通常为第 1 行）")
    column: str
    msg: str


class HouseholdImportReport(Model):
    id: str
    file_id: str
    rows: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[HouseholdRowError]
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
    visited_on: PastDate = Field(description="走访日期（不晚于今日）")
    needs_legal_aid: bool = Field(False, description="是否有法律援助需求（有则引导其申请）")
    note: str | None = Field(None, max_length=500)
    version: int | None = Field(None, ge=1, description="户的当前版本（也可用 If-Match 头）")


class HouseholdVisitOut(Model):
    id: str
    household: VulnerableHouseholdOut
    visited_on: date
    needs_legal_aid: bool
