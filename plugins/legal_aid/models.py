"""What legal aid stores and answers when an application is read: vocabularies with their Chinese labels, the
application record and the models of what its readers see (an application's read imports this module alone
of legal aid's models). What it accepts is in `bodies`; what the form, the queue and the lawyers' list
answer in `answers`; the vulnerable households' models in `household_models`.

Which of an application's fields a reader sees is decided in `views.py`, which fills the response models.

No `from __future__ import annotations` here: with it every field's annotation is a string pydantic must
evaluate when the class is made, and this module's ~34 models are made by every cold read of an application.
Measured on a cold start + first read of an application (unpacked zip, median of 7 fresh interpreters
each, pydantic's model class creation timed): the app's models cost ~21 ms CPU with it, ~16 ms without. Annotations naming what is defined later or
imported for type checking only are quoted.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import ConfigDict, Field

from chalicelib.platform import storage
from chalicelib.platform.model import Model, Number
from chalicelib.platform.web import PageQuery

if TYPE_CHECKING:
    from plugins.legal_aid.bodies import LegalAidApplicationIn

ENTITY = "legal-aid-application"
LAWYER_INDEX = "legal-aid-assignment"
CLAIM_ENTITY = "legal-aid-claim"


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


class LegalAidEligibilityOut(Model):
    verdict: LegalAidCode
    path: Literal["exempt", "means_tested", "undetermined"] = Field(description="exempt：免审；means_tested：经济困难审查")
    summary: str = Field(examples=["符合条件（免经济困难审查：农民工追索劳动报酬）"])
    evaluated_on: date = Field(description="按哪一天生效的标准审查（申请日，北京时间）")
    criteria: list[LegalAidCriterionOut]


class LegalAidOverrideOut(Model):
    verdict: LegalAidCode
    reason: str
    by: str
    at: datetime


class LegalAidEventOut(Model):
    at: datetime
    status: LegalAidCode
    note: str


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


# --- the lists of one's applications -----------------------------------------------------------

class LegalAidAssignmentQuery(PageQuery):
    model_config = ConfigDict(extra="forbid")
    state: Literal["open", "closed"] = Field("open", description="open 在办；closed 已结")
