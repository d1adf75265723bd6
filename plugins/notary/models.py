"""What `notary` stores and what its routes take and give. Input models forbid unknown fields; output models
are explicit (a stored record is never returned as it is)."""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.notify.models import Notice
from chalicelib.platform import pii, storage
from chalicelib.platform import dates
from chalicelib.platform.dates import OnDate, PastDate
from chalicelib.platform.model import Model

SLOT = "notary-slot"
APPOINTMENT = "notary-appointment"
# policy parameters (declared in __init__.py)
CERTIFICATE_DAYS = "notary.certificate_days"
OPENS_AT = "notary.opens_at_hour"
CLOSES_AT = "notary.closes_at_hour"
HOME_VISIT_AGE = "notary.home_visit_age"
MATERIALS_LOOKAHEAD = "notary.materials_lookahead_days"
REMINDER_DAYS = "notary.reminder_working_days"
REMINDER_HOUR = "notary.reminder_hour"
BOOKED_STAGE = "notary.booked"        # subscribe-message stages (template ids: WECHAT_SUBSCRIBE_TEMPLATES)
REMINDER_STAGE = "notary.reminder"

Mode = Literal["office", "video", "home"]
MODE_TITLES = {"office": "到公证处办理", "video": "远程视频办证", "home": "上门办证（绿色通道）"}
GreenBasis = Literal["elderly", "disabled", "seriously_ill"]
SlotDay = dates.plan(days=366)  # an office publishes its slots from today up to a year ahead


# --- the catalogue (N1) ---------------------------------------------------------------------------

class MatterOut(Model):
    code: str
    name: str
    category: str
    summary: str
    materials: list[str]
    fee_basis: str = Field(description="收费依据")
    usual_working_days: int = Field(description="受理后通常出具公证书的工作日数（政策参数 notary.certificate_days）")
    remote_video: bool = Field(description="可远程视频办证")
    home_visit: bool = Field(description="行动不便的可申请上门办理")


class MatterQuery(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    q: str | None = Field(None, max_length=20, description="按名称、类别搜索，如 继承")
    area: str | None = Field(None, pattern=r"^\d{4,15}$", description="所在区域代码（决定适用的办理时限）")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


# --- offices and liaisons (N2) --------------------------------------------------------------------

class GridQuery(Model):
    model_config = ConfigDict(extra="forbid")
    grid: str = Field(pattern=r"^\d{15}$", description="网格代码", examples=["320402001001001"])


class OfficeCard(Model):
    id: str
    name: str
    address: str | None
    phone: str | None = Field(description="掩码后的电话")
    hours: str | None
    serves_area: str = Field(description="该公证处对接的区域（本网格或其上级）代码")
    serves_area_name: str


class LiaisonCard(Model):
    name: str
    duty: str
    phone: str = Field(description="掩码后的电话")
    hours: str | None
    institution: str | None
    assigned_to: str = Field(description="分配到的区域名称")


class GridNotary(Model):
    grid: str
    offices: list[OfficeCard] = Field(description="对接该网格的公证处，最近的在前")
    liaisons: list[LiaisonCard] = Field(description="网格公证联络员")


# --- slots (N3) -----------------------------------------------------------------------------------

class Slot(storage.Record):
    """One bookable time at an office (optionally with one notary), with how many may book it. Its id is
    the office and the start, so the same time is never published twice."""
    entity: ClassVar[str] = SLOT
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(SLOT, "gsi1", by="key"),)
    missing: ClassVar[tuple[str, str]] = ("没有这个预约时段", "slot_not_found")

    id: str
    office_id: str
    office_area: str
    day: date
    start: str                      # "09:30", Asia/Shanghai
    starts_at: datetime
    minutes: int
    capacity: int
    booked: int = 0
    modes: list[Mode]
    notary: str | None = None       # the notary's name, when the slot is with one notary
    office_name: str | None = None  # for the resident's messages, so a booking reads nothing more
    remind_at: datetime | None = None  # when a resident's reminder of this slot is due (set when published)

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.office_id,), sort=(self.day.isoformat(), self.start, self.id))

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


class SlotIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    day: SlotDay = Field(description="日期（工作日；今日起一年以内）", examples=[dates.example_ahead(7)])
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="开始时间（北京时间）", examples=["09:30"])
    minutes: int = Field(30, ge=10, le=240)
    capacity: int = Field(1, ge=1, le=20, description="可预约人数")
    modes: list[Mode] = Field(default_factory=lambda: ["office", "video", "home"], min_length=1, max_length=3)
    notary: str | None = Field(None, min_length=2, max_length=30, description="接待公证员姓名（可选）")


class SlotOut(Model):
    id: str
    office_id: str
    day: date
    start: str
    minutes: int
    capacity: int
    free: int
    modes: list[Mode]
    notary: str | None
    version: int

    @classmethod
    def of(cls, slot: Slot) -> "SlotOut":
        return cls(id=slot.id, office_id=slot.office_id, day=slot.day, start=slot.start, minutes=slot.minutes,
                   capacity=slot.capacity, free=slot.free, modes=slot.modes, notary=slot.notary,
                   version=slot.version)


class SlotQuery(Model):
    model_config = ConfigDict(extra="forbid")
    day: OnDate | None = Field(None, description="只看这一天")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


# --- appointments (N3) ----------------------------------------------------------------------------

class GreenChannelIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    basis: GreenBasis = Field(description="elderly 老年人 / disabled 残疾人 / seriously_ill 重症病人")
    birth_date: PastDate | None = Field(None, description="出生日期（老年人必填）")
    reason: str = Field(min_length=4, max_length=200, description="不能到窗口办理的原因",
                        examples=["年迈行动不便，常年卧床"])


class AppointmentIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    slot_id: str = Field(min_length=1, max_length=200, description="预约的时段（时段列表返回的 id）",
                         examples=["inst-7d41.202612140930"])
    matter: str = Field(min_length=1, max_length=40, description="公证事项代码，见 /v1/notary/matters",
                        examples=["kinship"])
    mode: Mode = "office"
    phone: str = Field(description="联系电话（只显示掩码）", examples=["13800001234"])
    address: str | None = Field(None, min_length=4, max_length=120, description="上门办证的地址")
    green_channel: GreenChannelIn | None = Field(None, description="上门办证必填：绿色通道的依据与原因")

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str) -> str:
        return pii.normalize_phone(value)


class Decision(Model):
    met: bool
    basis: str = Field(description="决定的依据（准则名称）")
    reason: str


class DecisionOut(Decision):
    """A decision as shown: the stored basis code (kept: data and clients use it) with its Chinese title; the
    reason (health, disability, age) only with `reason` (the resident and the staff holding the case)."""
    basis_title: str = Field(description="依据的中文名称，如“老年人”", examples=["老年人"])
    reason: str | None = Field(None, description="决定的理由：仅本人和办理该预约的公证员可见")

    @classmethod
    def of(cls, decision: Decision | None, *, reason: bool) -> DecisionOut | None:
        from plugins.notary.criteria import BASIS_TITLES

        if decision is None:
            return None
        shown = decision.model_dump() if reason else {**decision.model_dump(), "reason": None}
        return cls(**shown, basis_title=BASIS_TITLES.get(decision.basis, decision.basis))


class Appointment(storage.Record):
    """A resident's booking of one slot. Listed in its owner's list and — while booked — in the office's
    day list that staff read."""
    entity: ClassVar[str] = APPOINTMENT
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("notary-appointment-by", "gsi1", by="owner"),
        storage.Listing("notary-appointment-day", "gsi2", by="key"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这个公证预约", "appointment_not_found")

    id: str
    owner: str
    office_id: str
    office_area: str
    slot_id: str
    day: date
    start: str
    matter: str
    mode: Mode
    phone_cipher: str
    phone_hash: str
    phone_masked: str
    address: str | None = None
    green_channel: Decision | None = None
    green_reason: str | None = None
    materials_ready: list[str] = Field(default_factory=list)
    status: Literal["booked", "cancelled"] = "booked"
    reminder_id: str | None = None  # the outbox reminder of the current slot (booked by a resident account)

    def place(self, listing: str) -> storage.Place | None:
        if listing == "notary-appointment-by":
            return storage.Place(of=self.owner, sort=(self.day.isoformat(), self.start, self.id))
        if listing == "notary-appointment-day" and self.status == "booked":
            return storage.Place(of=(self.office_id, self.day.isoformat()), sort=(self.start, self.id))
        return None


class AppointmentOut(Model):
    id: str
    office_id: str
    slot_id: str
    day: date
    start: str
    matter: str
    matter_name: str
    mode: Mode
    mode_title: str
    phone: str = Field(description="掩码后的电话")
    green_channel: DecisionOut | None
    materials: list[str] = Field(description="需携带/准备的材料")
    materials_ready: list[str] = Field(description="申请人已确认备齐的材料")
    materials_complete: bool
    status: Literal["booked", "cancelled"]
    version: int


class AppointmentContactOut(Model):
    """How to reach the resident before the visit: for the resident and the office's staff only (audited)."""
    phone: str = Field(description="完整电话")
    address: str | None = Field(description="上门办证的地址")


ReminderReason = Literal["appointment_due", "materials_incomplete"]


class ReminderOut(Model):
    """One appointment to remind the resident of: `notice` says whether the subscribe-message reminder went
    out (a resident's own booking); without one, or not sent, the desk calls — the masked phone only here,
    the full one through the audited `/contact` read."""
    appointment_id: str
    day: date
    start: str
    matter: str
    matter_name: str
    mode: Mode
    mode_title: str
    phone: str = Field(description="掩码后的电话")
    materials_missing: list[str] = Field(description="尚未确认备齐的材料")
    reasons: list[ReminderReason] = Field(description="appointment_due 预约临近 / materials_incomplete 材料未备齐")
    message: str = Field(description="提醒内容（电话提醒时照读）")
    notice: Notice | None = Field(None, description="发给居民的订阅消息提醒及其状态（居民本人预约时才有）：已发送的不必再电话提醒")


class ReminderPage(Model):
    day: date = Field(description="提醒的是这一天的预约")
    items: list[ReminderOut]
    next_cursor: str | None = None


class ReminderQuery(Model):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class DayQuery(Model):
    model_config = ConfigDict(extra="forbid")
    day: OnDate = Field(description="日期")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class CancelIn(Model):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(None, ge=1, examples=[2], description="也可用 If-Match 头传递")


class RescheduleIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    slot_id: str = Field(min_length=1, max_length=200, description="改约到的时段", examples=["inst-7d41.202612161400"])
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")


class MaterialsIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    ready: list[str] = Field(max_length=20, description="已备齐的材料（取自该事项的材料清单）",
                             examples=[["申请人居民身份证（原件）", "户口簿（原件）"]])
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")
