"""What mediation stores and what its routes take and give: the vocabularies (codes with Chinese labels),
the dispute record with its parties, tier history, sessions and outcome, and the request/response models.
Input models forbid unknown fields; output models are explicit (a stored record is never returned as is)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from chalicelib.platform import dates, pii, storage
from chalicelib.platform.dates import PastDate
from chalicelib.platform.model import Model, vocabulary

ENTITY = "mediation-dispute"

# --- vocabularies (SPEC M1, M2, M6; seeds/000 item 5) -----------------------------------------------------

KINDS = {
    "neighbour": "邻里纠纷", "marriage_family": "婚姻家庭纠纷", "property_management": "物业纠纷",
    "doctor_patient": "医患纠纷", "labour": "劳动争议", "contract": "合同纠纷", "tort": "侵权纠纷",
    "debt": "债务纠纷", "adjacent_property": "相邻关系纠纷", "urban_renewal": "城市更新（征收拆迁）纠纷",
    "enterprise": "涉企纠纷", "petition": "涉访纠纷", "other": "其他纠纷",
}
# The tiers, lowest first ("简易纠纷不出网格、一般纠纷不出村(社区)、行业专业矛盾纠纷不出行业"); industry
# committees stand beside the ladder. Each tier's area is the dispute's grid cut to that level.
TIERS = {
    "grid": "网格调解员", "village": "村（社区）人民调解委员会", "town": "镇（街道）人民调解委员会",
    "district": "区矛盾纠纷调处中心", "industry": "行业性专业性人民调解委员会",
}
TIER_AREA_DIGITS = {"grid": 15, "village": 12, "town": 9, "district": 6, "industry": 6}
LADDER = ("grid", "village", "town", "district")
PARTY_ROLES = {"applicant": "申请人", "respondent": "被申请人", "third_party": "第三人"}
PARTY_KINDS = {"person": "自然人", "organisation": "法人或其他组织"}
STATUSES = {"registered": "已登记，待补录当事人", "mediating": "调解中", "closed": "已结案"}
RESULTS = {"agreement": "达成调解协议", "no_agreement": "调解不成", "withdrawn": "当事人撤回",
           "referred": "已引导至诉讼、仲裁或信访渠道"}
REFERRALS = {"court": "人民法院", "arbitration": "仲裁机构", "petition_office": "信访部门"}
HOLDER_KINDS = {"mediator": "调解员", "committee": "调解委员会"}

Kind = vocabulary(lambda: KINDS, "纠纷类型")
TierCode = vocabulary(lambda: TIERS, "调解层级")
PartyRole = vocabulary(lambda: PARTY_ROLES, "当事人身份")
PartyKind = vocabulary(lambda: PARTY_KINDS, "当事人类型")
Result = vocabulary(lambda: RESULTS, "调解结果")
Referral = vocabulary(lambda: REFERRALS, "引导去向")

GRID_PATTERN = r"^\d{15}$"
MAX_PARTIES = 50
MAX_SESSIONS = 60
MAX_STEPS = 40


# --- stored parts ----------------------------------------------------------------------------------------

class StoredParty(Model):
    """A party as stored: ID number and phone sealed (ciphertext, lookup hash, mask), never in clear."""
    name: str
    kind: str
    role: str
    account: str | None = None        # the party's resident account, when they have one (they may read)
    phone_cipher: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    id_cipher: str | None = None
    id_hash: str | None = None
    id_masked: str | None = None


class Holder(Model):
    """Who holds the dispute now: one mediator (their account) or one committee (of an area at a tier). The
    name is stored when the holder is assigned, so every list shows it without a read per item."""
    kind: Literal["mediator", "committee"]
    id: str
    title: str = Field(description="调解员：所属调解委员会；调解委员会：层级")
    name: str | None = Field(None, description="调解员姓名或调解委员会名称")

    @property
    def seal(self) -> str:
        """The committee whose seal goes on an agreement: the holding committee, or the mediator's own."""
        return (self.name or self.title) if self.kind == "committee" else self.title


class TierStep(Model):
    """One entry of the tier history: where the dispute went, who holds it, why, by whom, and until when."""
    tier: str
    holder: Holder
    reasons: list[str]
    at: datetime
    by: str
    due: date


class Session(Model):
    id: str
    on: date
    place: str | None = None
    video: bool = False
    participants: list[str]
    notes: str
    recorded_by: str


class Term(Model):
    text: str
    amount: Decimal | None = None
    perform_by: date | None = None


class Agreement(Model):
    """The agreement document's record (人民调解法 art. 28–33): what the parties agreed and when it took
    effect; the judicial-confirmation deadline follows from it and the parameter in force that day. Once
    generated, the agreement document's file id, so the parties' list links it without a read."""
    number: str
    terms: list[Term]
    signed_on: date
    effective_on: date
    confirmation_deadline: date
    document: str | None = None
    follow_up_until: date | None = None   # the last performance date plus the follow-up period (parameter)


PERFORMANCE = {"full": "已全部履行", "partial": "部分履行", "none": "未履行"}
Performance = vocabulary(lambda: PERFORMANCE, "履行情况")
MAX_FOLLOW_UPS = 20


class FollowUp(Model):
    """A performance follow-up 履行回访 of an agreement."""
    on: date
    performed: str
    notes: str
    recorded_by: str


class Confirmation(Model):
    """The parties' application for judicial confirmation 司法确认 (人民调解法 art. 33) and, once given, the
    court's ruling date."""
    applied_on: date
    court: str
    confirmed_on: date | None = None
    recorded_by: str


class Outcome(Model):
    result: str
    on: date
    summary: str
    referred_to: str | None = None
    agreement: Agreement | None = None
    recorded_by: str
    follow_ups: list[FollowUp] = Field(default_factory=list)
    confirmation: Confirmation | None = None


class RiskFlags(Model):
    model_config = ConfigDict(extra="forbid")
    people_involved: int = Field(0, ge=0, le=100_000, description="涉及人数（含未列为当事人的群体成员）")
    workers: int = Field(0, ge=0, le=100_000, description="劳动争议中涉及的劳动者人数")
    petition_history: bool = Field(False, description="此前是否有信访")
    threat_of_escalation: bool = Field(False, description="是否扬言上访、聚集或采取过激行为")


class Dispute(storage.Record):
    """One dispute. Listed for staff under its grid (every dispute, newest first) and, while it needs
    watching (open: by its tier deadline; agreed: until the confirmation window closes), in the watch list
    the screening reads."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("mediation-dispute", "gsi2", by="area"),
        storage.Listing("mediation-watch", "gsi1", by="area"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这件纠纷", "dispute_not_found")

    id: str
    grid: str
    kind: str
    facts: str
    amount: Decimal | None = None
    parties: list[StoredParty] = Field(default_factory=list)
    risk: RiskFlags = Field(default_factory=RiskFlags)
    status: str
    tier: str
    holder: Holder
    due: date
    history: list[TierStep]
    sessions: list[Session] = Field(default_factory=list)
    outcome: Outcome | None = None
    opened_on: date
    opened_by: str
    ticket_id: str | None = None
    resident: str | None = None      # the resident whose ticket opened it (they follow it)
    watch_until: date | None = None  # a settled agreement: the last day it stays in the watch list
    # SPEC M3: the roster mediator whose load tally counts this dispute while it is open — set and cleared in
    # the transactions that change its holder or close it (`service.load_ops`), so the tally never drifts.
    counted_for: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == "mediation-dispute":
            return storage.Place(of=self.grid, sort=(self.opened_on.isoformat(), self.id))
        if listing == "mediation-watch":
            if self.status != "closed":
                return storage.Place(of=self.grid, sort=("open", self.due.isoformat(), self.id))
            if self.watch_until is not None:
                return storage.Place(of=self.grid, sort=("agreed", self.watch_until.isoformat(), self.id))
        return None

    def needs_watching_until(self, today: date) -> date | None:
        """Until when a settled agreement stays in the watch list: its judicial-confirmation window, unless a
        confirmation is recorded, and its follow-up period, unless performed in full; None once both are
        over (it then leaves the list, so the list and the checks reading it stay bounded)."""
        agreement = self.outcome.agreement if self.outcome else None
        if self.status != "closed" or agreement is None:
            return None
        ends = []
        if self.outcome.confirmation is None:
            ends.append(agreement.confirmation_deadline)
        if agreement.follow_up_until and not any(f.performed == "full" for f in self.outcome.follow_ups):
            ends.append(agreement.follow_up_until)
        end = max(ends, default=None)
        return end if end is not None and end >= today else None

    def readable_by_party(self, sub: str) -> bool:
        return any(p.account == sub for p in self.parties)


class PartyDispute(storage.Record):
    """A resident's entry for a dispute they are a party to (or whose ticket opened it), in their own
    partition: the list of "my disputes" is one Query of these, then one BatchGetItem of the disputes."""
    entity: ClassVar[str] = "mediation-party-dispute"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("mediation-mine", "table", by="owner"),)

    id: str               # the dispute
    account: str
    opened_on: date

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.account, sort=(self.opened_on.isoformat(), self.id))


# --- input -----------------------------------------------------------------------------------------------

# Dates by meaning (chalicelib.platform.dates): what was done is a PastDate; an agreement may take effect
# a little after it is signed, and what it settles may be due years ahead (or already be due when recorded).
EffectiveOn = dates.window(years=1)
PerformBy = dates.window(years=10)


class Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartyIn(Strict):
    name: str = Field(min_length=1, max_length=100, examples=["张某某"])
    kind: PartyKind = Field("person", description="person 自然人 / organisation 法人或其他组织")
    role: PartyRole = Field(examples=["applicant"])
    phone: str | None = Field(None, max_length=30, examples=["13912345678"])
    id_number: pii.IdNumber | None = Field(None, max_length=30, description="身份证号（自然人，可选）")
    account: str | None = Field(None, max_length=128, pattern=r"^[A-Za-z0-9._-]+$",
                                description="当事人的居民账号（可选；填写后本人可查看）")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return pii.normalize_phone(value) if value else None

    @model_validator(mode="after")
    def _organisations_have_no_id_number(self) -> "PartyIn":
        if self.kind == "organisation" and self.id_number:
            raise ValueError("组织当事人不填写身份证号")
        return self

    def stored(self) -> StoredParty:
        sealed = {}
        if self.phone:
            sealed.update(pii.seal_phone(self.phone).fields("phone"))
        if self.id_number:
            sealed.update(pii.seal_id_number(self.id_number).fields("id"))
        return StoredParty(name=self.name, kind=self.kind, role=self.role, account=self.account, **sealed)


class PartiesIn(Strict):
    """The people of a dispute: at least two, each a person or an organisation, with a role."""
    parties: list[PartyIn] = Field(min_length=2, max_length=MAX_PARTIES, examples=[[
        {"name": "张某某", "role": "applicant", "phone": "13912345678"},
        {"name": "李某某", "role": "respondent"}]])
    risk: RiskFlags = Field(default_factory=RiskFlags)


class PartiesUpdateIn(PartiesIn):
    kind: Kind | None = Field(None, description="纠纷类型：受理台转来的纠纷按工单类别登记，补录当事人时可据实改定",
                              examples=["neighbour"])
    version: int | None = Field(None, ge=1, description="修改所依据的记录版本（也可用 If-Match 头）")


class DisputeIn(PartiesIn):
    grid: str = Field(pattern=GRID_PATTERN, description="纠纷发生地网格代码（15 位）", examples=["320402001001001"])
    kind: Kind = Field(examples=["neighbour"])
    facts: str = Field(min_length=5, max_length=4000, description="纠纷事实和当事人诉求",
                       examples=["楼上装修漏水，浸坏楼下天花板，双方对赔偿金额协商不成"])
    amount: Decimal | None = Field(None, ge=0, le=Decimal("100000000000"), decimal_places=2,
                                   description="争议金额（元，可选）")


class DisputeTransferIn(Strict):
    """Escalate, de-escalate or hand over: the tier, optionally a named mediator, and why (recorded)."""
    tier: TierCode = Field(examples=["town"])
    mediator: str | None = Field(None, min_length=1, max_length=128,
                                 description="接手的调解员账号（不填则由该层级调解委员会承办）")
    reason: str = Field(min_length=2, max_length=500, examples=["涉及多户，网格调解未果，提交镇调委会"])
    version: int | None = Field(None, ge=1, description="修改所依据的记录版本（也可用 If-Match 头）")


class SessionIn(Strict):
    on: PastDate = Field(description="调解日期（不晚于今日）", examples=["2026-11-20"])
    place: str | None = Field(None, min_length=1, max_length=200, examples=["红梅社区调解室"])
    video: bool = Field(False, description="视频调解")
    participants: list[str] = Field(min_length=1, max_length=30, examples=[["张某某", "李某某"]])
    notes: str = Field(min_length=1, max_length=4000, examples=["双方同意由施工方先行维修，赔偿金额下次再议"])
    version: int | None = Field(None, ge=1, description="修改所依据的记录版本（也可用 If-Match 头）")

    @model_validator(mode="after")
    def _where(self) -> "SessionIn":
        if not self.video and not self.place:
            raise ValueError("请填写调解地点，或选择视频调解")
        return self


class TermIn(Strict):
    text: str = Field(min_length=2, max_length=1000)
    amount: Decimal | None = Field(None, ge=0, le=Decimal("100000000000"), decimal_places=2)
    perform_by: PerformBy | None = Field(None, description="履行期限（10 年以内）")


class AgreementIn(Strict):
    terms: list[TermIn] = Field(default_factory=list, max_length=30)
    signed_on: PastDate = Field(description="签署日期（不晚于今日）")
    effective_on: EffectiveOn | None = Field(None, description="生效日期（默认为签署日，各方签名、盖章之日起生效；一年以内）")


class ConfirmationIn(Strict):
    """The parties applied for judicial confirmation (jointly, within the window), and the ruling if given."""
    applied_on: PastDate = Field(description="双方当事人共同申请司法确认的日期", examples=["2026-11-20"])
    court: str = Field(min_length=2, max_length=100, examples=["常州市天宁区人民法院"])
    confirmed_on: PastDate | None = Field(None, description="人民法院裁定确认的日期（尚未裁定则不填）")
    version: int | None = Field(None, ge=1, description="修改所依据的记录版本（也可用 If-Match 头）")


class OutcomeIn(Strict):
    result: Result = Field(examples=["no_agreement"])
    on: PastDate = Field(description="调解结束的日期（不晚于今日）", examples=["2026-11-20"])
    summary: str = Field(min_length=2, max_length=2000, examples=["双方对赔偿金额分歧较大，调解不成，已告知可向法院起诉"])
    referred_to: Referral | None = None
    agreement: AgreementIn | None = None
    version: int | None = Field(None, ge=1, description="修改所依据的记录版本（也可用 If-Match 头）")


# --- output ----------------------------------------------------------------------------------------------

class FollowUpIn(Strict):
    on: PastDate = Field(description="回访日期（不晚于今日）", examples=["2026-11-20"])
    performed: Performance = Field(examples=["full"])
    notes: str = Field(min_length=2, max_length=2000, examples=["赔偿款已按协议付清"])
    version: int | None = Field(None, ge=1, description="修改所依据的记录版本（也可用 If-Match 头）")


class FollowUpOut(Model):
    on: date
    performed: str
    performed_label: str
    notes: str


class PartyOut(Model):
    name: str
    kind: str
    role: str
    role_label: str
    phone: str | None = Field(None, description="脱敏显示")
    id_number: str | None = Field(None, description="脱敏显示")


class DisputeContactOut(Model):
    name: str
    role: str
    phone: str | None
    id_number: str | None


class Contacts(Model):
    items: list[DisputeContactOut]


class TierStepOut(Model):
    tier: str
    tier_label: str
    holder: Holder
    reasons: list[str]
    at: datetime
    due: date


class DisputeSessionOut(Model):
    id: str
    on: date
    place: str | None
    video: bool
    participants: list[str]
    notes: str


class OutcomeOut(Model):
    result: str
    result_label: str
    on: date
    summary: str
    referred_to: str | None
    agreement: Agreement | None
    follow_ups: list[FollowUpOut]
    confirmation: Confirmation | None = None
    confirmation_reminder: str | None = Field(None, description="司法确认申请期限提示（人民调解法第三十三条）")


class DisputeOut(Model):
    id: str
    grid: str
    kind: str
    kind_label: str
    facts: str
    amount: Decimal | None
    parties: list[PartyOut]
    risk: RiskFlags
    status: str
    status_label: str
    tier: str
    tier_label: str
    holder: Holder
    due: date
    overdue: bool
    history: list[TierStepOut]
    sessions: list[DisputeSessionOut]
    outcome: OutcomeOut | None
    opened_on: date
    ticket_id: str | None
    version: int


class DisputeSummary(Model):
    id: str
    grid: str
    kind: str
    kind_label: str
    status: str
    tier: str
    holder: Holder
    due: date
    opened_on: date
    version: int


class ResidentDisputeOut(Model):
    """What a party sees in their own list: where the dispute stands, who holds it (by name), what comes
    next, the agreement document to download and the judicial-confirmation reminder. No other party's
    contact details, no notes."""
    id: str
    kind_label: str
    status: str
    status_label: str
    tier_label: str
    holder: Holder
    opened_on: date
    next_step: str
    result_label: str | None = None
    agreement_number: str | None = None
    agreement_download: str | None = Field(None, description="调解协议书下载地址（生成后）")
    confirmation_deadline: date | None = None
    confirmation_reminder: str | None = Field(None, description="司法确认申请期限提示（人民调解法第三十三条）")


class ListQuery(Strict):
    area: str | None = Field(None, pattern=r"^\d{6}(\d{3}){0,3}$", description="区域代码（默认本人辖区）")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


def confirmation_reminder(outcome: Outcome, today: date) -> str:
    """The judicial-confirmation reminder (人民调解法 art. 33); once applied for, where it stands; once the
    window has closed, that it has."""
    agreement, confirmation = outcome.agreement, outcome.confirmation
    if confirmation is not None:
        ruling = (f"，{confirmation.confirmed_on.isoformat()} 裁定确认有效" if confirmation.confirmed_on
                  else "，等待人民法院裁定")
        return f"已于 {confirmation.applied_on.isoformat()} 向{confirmation.court}申请司法确认{ruling}"
    if today > agreement.confirmation_deadline:
        return (f"申请司法确认的期限已于 {agreement.confirmation_deadline.isoformat()} 届满；"
                "如一方不履行协议，可就协议履行或内容向人民法院提起诉讼")
    return (f"调解协议自 {agreement.effective_on.isoformat()} 起生效；双方当事人可在 "
            f"{agreement.confirmation_deadline.isoformat()} 前共同向人民法院申请司法确认（《人民调解法》第三十三条）")


def next_step(dispute: Dispute, today: date) -> str:
    """What happens next, as a party reads it."""
    if dispute.status == "registered":
        return "调解员将联系您核实当事人情况，请保持电话畅通"
    holder = dispute.holder.name or dispute.holder.title
    if dispute.status == "mediating":
        return f"由{holder}调解，时限至 {dispute.due.isoformat()}；请按通知参加调解"
    outcome = dispute.outcome
    if outcome is None or outcome.result == "withdrawn":
        return "调解已终止"
    if outcome.result == "referred":
        return f"已引导至{REFERRALS.get(outcome.referred_to or '', '有关部门')}，请按其要求办理"
    if outcome.result == "no_agreement":
        return "调解不成，可依法向人民法院起诉或申请仲裁"
    agreement = outcome.agreement
    if agreement is not None and outcome.confirmation is None and today <= agreement.confirmation_deadline:
        return (f"请按协议履行；如需司法确认，请双方在 {agreement.confirmation_deadline.isoformat()} 前"
                "共同向人民法院申请")
    return "请按协议履行"


def resident_dispute_out(dispute: Dispute, today: date) -> ResidentDisputeOut:
    outcome = dispute.outcome
    agreement = outcome.agreement if outcome else None
    return ResidentDisputeOut(
        id=dispute.id, kind_label=KINDS[dispute.kind], status=dispute.status,
        status_label=STATUSES[dispute.status], tier_label=TIERS[dispute.tier], holder=dispute.holder,
        opened_on=dispute.opened_on, next_step=next_step(dispute, today),
        result_label=RESULTS[outcome.result] if outcome else None,
        agreement_number=agreement.number if agreement else None,
        agreement_download=f"/v1/files/{agreement.document}/download" if agreement and agreement.document else None,
        confirmation_deadline=agreement.confirmation_deadline if agreement else None,
        confirmation_reminder=confirmation_reminder(outcome, today) if agreement else None)


def dispute_out(dispute: Dispute, today: date) -> DisputeOut:
    """What a reader sees: labels beside the codes, phones and ID numbers masked, and — once there is an
    agreement — the reminder of the judicial-confirmation window."""
    parties = [PartyOut(name=p.name, kind=p.kind, role=p.role, role_label=PARTY_ROLES[p.role], phone=p.phone_masked,
                        id_number=p.id_masked) for p in dispute.parties]
    history = [TierStepOut(tier=s.tier, tier_label=TIERS[s.tier], holder=s.holder, reasons=s.reasons, at=s.at,
                           due=s.due) for s in dispute.history]
    sessions = [DisputeSessionOut(id=s.id, on=s.on, place=s.place, video=s.video, participants=s.participants,
                           notes=s.notes) for s in dispute.sessions]
    outcome = None
    if dispute.outcome is not None:
        found = dispute.outcome
        reminder = confirmation_reminder(found, today) if found.agreement is not None else None
        outcome = OutcomeOut(result=found.result, result_label=RESULTS[found.result], on=found.on,
                             summary=found.summary, referred_to=found.referred_to, agreement=found.agreement,
                             follow_ups=[FollowUpOut(on=f.on, performed=f.performed,
                                                     performed_label=PERFORMANCE[f.performed], notes=f.notes)
                                         for f in found.follow_ups],
                             confirmation=found.confirmation, confirmation_reminder=reminder)
    return DisputeOut(id=dispute.id, grid=dispute.grid, kind=dispute.kind, kind_label=KINDS[dispute.kind],
                      facts=dispute.facts, amount=dispute.amount, parties=parties, risk=dispute.risk,
                      status=dispute.status, status_label=STATUSES[dispute.status], tier=dispute.tier,
                      tier_label=TIERS[dispute.tier], holder=dispute.holder, due=dispute.due,
                      overdue=dispute.status != "closed" and dispute.due < today, history=history,
                      sessions=sessions, outcome=outcome, opened_on=dispute.opened_on, ticket_id=dispute.ticket_id,
                      version=dispute.version)


# --- the mediator roster (SPEC M3, M4) -------------------------------------------------------------------

MEDIATOR_ENTITY = "mediation-mediator"
AREA_PATTERN = r"^\d{6}(\d{3}){0,3}$"


class Mediator(storage.Record):
    """A mediator or expert on the roster 名册, by their sign-in account: where they serve, their committee,
    full-time or not, grade, and the kinds of dispute they have experience of. Listed under their area."""
    entity: ClassVar[str] = MEDIATOR_ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("mediation-mediator", "gsi2", by="area"),)
    missing: ClassVar[tuple[str, str]] = ("名册中没有这位调解员", "mediator_not_found")

    id: str
    name: str
    area: str
    committee: str
    committee_id: str | None = None   # the committee in the directory (an institution), for the staffing check
    full_time: bool
    grade: str | None = None
    kinds: list[str] = Field(default_factory=list)
    expert: bool = False
    # SPEC M4: hours of training per calendar year ("2026" → 24.0), a tally kept in the transaction of each
    # training record, so the staffing check reads it from the roster without reading any training list.
    training_hours: dict[str, Decimal] = Field(default_factory=dict)
    # SPEC M3: open disputes this mediator holds, a tally kept in the transaction of every change of holder
    # (assignment, transfer, close), so a recommendation reads loads with the roster, never a list of disputes.
    load: int = 0

    def place(self, listing: str) -> storage.Place | None:
        if listing == "mediation-mediator":
            return storage.Place(of=self.area, sort=(self.id,))
        return None

    def trained_hours(self, year: int) -> Decimal:
        return self.training_hours.get(str(year), Decimal(0))


class MediatorIn(Strict):
    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$", description="调解员的登录账号",
                    examples=["mediator-1"])
    name: str = Field(min_length=1, max_length=50, examples=["王秀英"])
    area: str = Field(pattern=AREA_PATTERN, description="服务区域（网格、村、镇或区）", examples=["320402001"])
    committee: str = Field(min_length=2, max_length=100, examples=["雕庄街道人民调解委员会"])
    committee_id: str | None = Field(None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._-]+$",
                                     description="所属调解委员会在机构名录中的编号（用于配备标准检查）")
    full_time: bool = Field(description="专职调解员", examples=[True])
    grade: str | None = Field(None, max_length=20, examples=["二级人民调解员"])
    kinds: list[Kind] = Field(default_factory=list, max_length=len(KINDS), description="擅长的纠纷类型")
    expert: bool = Field(False, description="列入调解专家库")


class MediatorOut(Model):
    id: str
    name: str
    area: str
    committee: str
    committee_id: str | None
    full_time: bool
    grade: str | None
    kinds: list[str]
    expert: bool
    training_hours: dict[str, Decimal] = Field(description="各年度参加培训的小时数（年份 → 小时）")
    version: int

    @classmethod
    def of(cls, m: Mediator) -> "MediatorOut":
        return cls(id=m.id, name=m.name, area=m.area, committee=m.committee, committee_id=m.committee_id,
                   full_time=m.full_time, grade=m.grade,
                   kinds=m.kinds, expert=m.expert, training_hours=m.training_hours, version=m.version)


class Training(storage.Record):
    """One training a mediator attended (SPEC M4 培训记录), kept in the mediator's own partition: their
    records are one Query, newest first. Its id starts with its day, so the partition sorts by day."""
    entity: ClassVar[str] = "mediation-training"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(MEDIATOR_ENTITY, "table"),)
    missing: ClassVar[tuple[str, str]] = ("没有这条培训记录", "training_not_found")

    id: str
    mediator: str
    course: str
    hours: Decimal
    on: date
    organiser: str
    recorded_by: str
    recorded_in: str | None = None  # the recorder's area, which the mediator's lies under (checked at the write)

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.mediator, sort=("training", self.id))


class TrainingIn(Strict):
    course: str = Field(min_length=2, max_length=200, examples=["人民调解业务能力提升培训班"])
    hours: Decimal = Field(gt=0, le=200, decimal_places=1, description="培训时长（小时，可含半小时）",
                           examples=["8"])
    on: PastDate = Field(description="培训日期（不晚于今日）", examples=["2026-11-20"])
    organiser: str = Field(min_length=2, max_length=100, examples=["常州市天宁区司法局"])


class TrainingOut(Model):
    id: str
    mediator: str
    course: str
    hours: Decimal
    on: date
    organiser: str

    @classmethod
    def of(cls, t: Training) -> "TrainingOut":
        return cls(id=t.id, mediator=t.mediator, course=t.course, hours=t.hours, on=t.on, organiser=t.organiser)


class MediatorRecommendation(Model):
    mediator: MediatorOut
    load: int = Field(description="当前承办中的纠纷（件）")
    reasons: list[str]


class Recommendations(Model):
    dispute_id: str
    items: list[MediatorRecommendation]


class ExpertQuery(Strict):
    grid: str = Field(pattern=GRID_PATTERN, description="网格代码：公示服务该网格的调解专家")
    kind: Kind | None = Field(None, description="只看擅长某类纠纷的专家")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class ExpertOut(Model):
    """What the grid's notice board shows of an expert (公示): no account, no contact numbers."""
    name: str
    committee: str
    grade: str | None
    kinds: list[str]
    kind_labels: list[str]
    serves: str = Field(description="服务范围：同一网格、同一村（社区）……")
