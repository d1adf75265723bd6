"""What `appraisal` stores and what its routes take and give. Input models forbid unknown fields; output
models are explicit (a stored record is never returned as it is)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from chalicelib.domain import means
from chalicelib.platform import pii, storage
from chalicelib.platform.dates import PastDate
from chalicelib.platform.model import Model

CONSULTATION = "appraisal-consultation"
LICENCE = "appraisal-licence"
# policy parameters (declared in __init__.py)
ACCEPTANCE_DAYS = "appraisal.acceptance_days"
COMPLETION_DAYS = "appraisal.completion_days"
ANSWER_DAYS = "appraisal.answer_days"

# 司法鉴定的类别 (A1; 司法部《司法鉴定执业分类规定》): the kinds a consultation asks about and an
# institution is licensed for.
KINDS: dict[str, str] = {
    "injury_degree": "人身损伤程度鉴定", "disability_grade": "伤残等级鉴定", "mental_state": "精神状态鉴定",
    "legal_capacity": "民事行为能力鉴定", "paternity": "亲子鉴定", "forensic_pathology": "法医病理鉴定",
    "toxicology": "法医毒物鉴定", "document": "文书鉴定", "trace_evidence": "痕迹鉴定",
    "audio_video": "声像资料鉴定", "environmental_damage": "环境损害鉴定",
}
USES: dict[str, str] = {"mediation": "调解", "insurance_claim": "保险理赔", "litigation": "诉讼",
                        "arbitration": "仲裁", "other": "其他"}
Kind = Literal["injury_degree", "disability_grade", "mental_state", "legal_capacity", "paternity",
               "forensic_pathology", "toxicology", "document", "trace_evidence", "audio_video",
               "environmental_damage"]
Use = Literal["mediation", "insurance_claim", "litigation", "arbitration", "other"]


# --- the registry: what each institution is licensed for -------------------------------------------

class Licence(storage.Record):
    """The kinds an appraisal institution of the directory is licensed for (its 司法鉴定许可证). The
    institution itself — name, areas served, contact — is the directory's."""
    entity: ClassVar[str] = LICENCE
    missing: ClassVar[tuple[str, str]] = ("该机构尚未登记执业类别", "licence_not_found")

    id: str                       # the directory institution's id
    licence_no: str
    kinds: list[Kind]


class LicenceRegistry(storage.Aggregate):
    """A copy of the licences (`Licence`: number, kinds, version) of the institutions homed in one province,
    an entry per institution id, written in each licence's own transaction (`storage.set_entries`: no read),
    so the institutions licensed among those serving a grid are read with the grid's chain and links in one
    BatchGetItem. An institution serving the grid but with no entry here (homed in another province) has its
    licence read after."""
    entity: ClassVar[str] = "appraisal-licences"
    key_fields: ClassVar[tuple[str, ...]] = ("province",)
    province: str | None = None

    def licence(self, institution_id: str) -> Licence | None:
        entry = self.entries.get(institution_id)
        return Licence.model_validate({**entry, "id": institution_id}) if entry else None


def registry_entry(licence: Licence) -> dict:
    """What the province's registry keeps of a licence."""
    return {"licence_no": licence.licence_no, "kinds": list(licence.kinds), "version": licence.version}


class LicenceIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    licence_no: str = Field(min_length=4, max_length=40, description="司法鉴定许可证号", examples=["320415001"])
    kinds: list[Kind] = Field(min_length=1, max_length=len(KINDS), description="核准的执业类别",
                                examples=[["injury_degree", "disability_grade"]])
    version: int | None = Field(None, ge=1, description="修改时的版本（也可用 If-Match 头）；首次登记不填")


class LicensedInstitution(Model):
    id: str
    name: str
    address: str | None
    phone: str | None = Field(description="掩码后的电话")
    hours: str | None
    licence_no: str
    kinds: list[Kind]
    kind_titles: list[str]
    serves_area: str = Field(description="该机构对接的区域（本网格或其上级）代码")
    version: int


class LicensedInstitutionQuery(Model):
    model_config = ConfigDict(extra="forbid")
    grid: str = Field(pattern=r"^\d{15}$", description="网格代码（最近的机构在前）")
    kind: Kind | None = Field(None, description="只看核准此类别的机构")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


# --- the statutory clock ------------------------------------------------------------------------------

class Clock(Model):
    """What to expect once an institution receives the commission (司法鉴定程序通则 arts. 13, 28)."""
    acceptance_working_days: int = Field(description="收到委托后决定是否受理的工作日数")
    completion_working_days: int = Field(description="委托生效后完成鉴定的工作日数（复杂疑难可依法延长）")
    if_commissioned_on: date = Field(description="按今天委托计算")
    accept_by: date
    finish_by: date
    official_calendar: bool = Field(description="是否全部按国务院公布的节假日安排计算（否则为估算）")


# --- consultations (A1) -------------------------------------------------------------------------------

class ConsultationIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    grid: str = Field(pattern=r"^\d{15}$", description="所在网格代码", examples=["320402001001001"])
    kind: Kind = Field(description="想做的鉴定类别", examples=["injury_degree"])
    facts: str = Field(min_length=10, max_length=2000, description="发生了什么",
                       examples=["在工地干活时从脚手架摔下，左腿骨折，已做手术，老板说只赔医药费。"])
    intended_use: Use = Field(description="鉴定意见打算用于", examples=["mediation"])
    phone: str = Field(description="联系电话（只显示掩码）", examples=["13800001234"])

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str) -> str:
        return pii.normalize_phone(value)


class InstitutionRecommendation(Model):
    institution_id: str
    name: str
    serves_area: str


class Consultation(storage.Record):
    """A resident's question about an appraisal. Listed in its owner's list and — while unanswered — under
    its grid for the staff of the area."""
    entity: ClassVar[str] = CONSULTATION
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("appraisal-consultation-by", "gsi1", by="owner"),
        storage.Listing("appraisal-consultation-open", "gsi2", by="area"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这条鉴定咨询", "consultation_not_found")

    id: str
    owner: str
    grid: str
    kind: Kind
    facts: str
    intended_use: Use
    asked_on: date
    phone_cipher: str
    phone_hash: str
    phone_masked: str
    status: Literal["open", "answered"] = "open"
    guidance: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    recommended: list[InstitutionRecommendation] = Field(default_factory=list)
    fee_relief: FeeRelief | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == "appraisal-consultation-by":
            return storage.Place(of=self.owner, sort=(self.created_at.isoformat(), self.id))
        if listing == "appraisal-consultation-open" and self.status == "open":
            return storage.Place(of=self.grid, sort=(self.created_at.isoformat(), self.id))
        return None


Relief = Literal["waive", "reduce", "defer"]
GROUP_HELP = "；".join(f"{name} {label}" for name, label in means.GROUPS.items())


class FeeReliefIn(Model):
    """What the resident declares (staff verify it against documents, as for legal aid): the groups exempt
    from the means test (the core's names, `chalicelib.domain.means.GROUPS`), or the household's incomes."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"household_size": 3, "monthly_incomes": ["2100.00", "1500.00"], "version": 1}]})
    groups: list[means.Group] = Field(default_factory=list, max_length=len(means.GROUPS),
                                      description=f"所属困难群体（可多选）：{GROUP_HELP}")
    rural: bool = Field(False, description="是否农村居民（农村高龄、孤寡、失能、失独老人须为农村居民）")
    birth_date: PastDate | None = Field(None, validate_default=True,
                                        description="出生日期（按年龄认定时必填：老人、困境儿童、无固定生活来源）")
    household_size: int | None = Field(None, ge=1, le=20, description="家庭人口数（按经济困难申请时必填）")
    monthly_incomes: list[Decimal] | None = Field(None, max_length=20,
                                                  description="家庭成员月收入（元，按经济困难申请时必填）")
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")

    @field_validator("groups")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("birth_date")
    @classmethod
    def _age_known(cls, value: date | None, info: ValidationInfo) -> date | None:
        needing = [means.GROUPS[g] for g in info.data.get("groups", ()) if g in means.AGE_BOUND]
        if value is None and needing:
            raise ValueError(f"申报{'、'.join(needing)}须填写出生日期（按年龄认定）")
        return value

    @field_validator("monthly_incomes")
    @classmethod
    def _not_negative(cls, value: list[Decimal] | None) -> list[Decimal] | None:
        if value is not None and any(v < 0 or v > 10_000_000 for v in value):
            raise ValueError("收入应为 0 至 1000 万元之间的数")
        return value


class CriterionOut(Model):
    criterion: str
    title: str
    relief: Relief = Field(description="符合此条件时给予的减缓免")
    met: bool
    reason: str


class FeeRelief(Model):
    """The decision on fee relief, with every criterion's reason (what the resident is shown). A refusal is a
    decision like the others (`granted` false, `relief` "none", `granted_by` empty, the reason why): no field
    is ever null, as the stored decision keeps no null inside a map (`storage.plain`)."""
    granted: bool = Field(description="是否给予减缓免")
    relief: Relief | Literal["none"] = Field(description="waive 免 / reduce 减 / defer 缓；none：不符合减缓免条件（理由见 reason）")
    granted_by: list[str] = Field(default_factory=list,
                                  description="给予减缓免所依据的条件（criteria 中的 criterion）；未给予时为空")
    title: str
    reason: str
    criteria: list[CriterionOut]
    decided_on: date


class ConsultationAnswerIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    guidance: str = Field(min_length=10, max_length=2000, description="指引：是否需要鉴定、如何委托、注意事项",
                          examples=["建议先做伤残等级鉴定：带上病历和出院小结，到天宁区司法鉴定所委托；经济困难可申请减免鉴定费。"])
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")


class ConsultationOut(Model):
    id: str
    grid: str
    kind: Kind
    kind_title: str
    facts: str
    intended_use: Use
    intended_use_title: str
    phone: str = Field(description="掩码后的电话")
    status: Literal["open", "answered"]
    guidance: str | None
    recommended: list[InstitutionRecommendation] = Field(description="核准该类别、对接本网格的鉴定机构，最近的在前")
    clock: Clock = Field(description="鉴定机构的法定时限（供参考）")
    fee_relief: FeeRelief | None = Field(description="鉴定费减缓免的决定及理由")
    asked_on: date
    version: int


class ConsultationContactOut(Model):
    """How to reach the resident about their consultation: for the resident and the staff of its area only
    (every read audited); everyone else sees the masked phone of `ConsultationOut`."""
    phone: str = Field(description="完整电话")


class UnansweredQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^\d{4,15}$", description="区域（默认本人辖区）")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)
