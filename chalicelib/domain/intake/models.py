"""What intake stores and what its routes take and give (SPEC C5).

A ticket is stored at `intake-ticket#<code>`: its human code (`FW-320402-2611-0042`: district, yymm, the
district's sequence that month) is its id, so a resident quoting it on the phone is one GetItem away from
it. It appears in two lists of its own (docs/data-model.md "Intake"):
- gsi1 `intake-held` — the open tickets its owner (the first receiver) holds, by deadline;
- gsi2 `intake-area` — per city and bucket (`unrouted`, `routed`, `overdue`, `closed`), read with the
  caller's area code as prefix.
Two small items are kept in step in the same transactions: the resident's own list (`intake-mine`, one per
ticket of a resident account, holding what the list shows) and the due-day list (`intake-due#<day>`) the
daily sweep reads to mark overdue tickets without a Scan.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib import plugin
from chalicelib.domain.notify.models import Notice
from chalicelib.platform import pii, storage, workdays
from chalicelib.platform.model import Model, vocabulary
from chalicelib.platform.timeutil import iso

if TYPE_CHECKING:
    from chalicelib.domain.policy.service import InForce

ENTITY = "intake-ticket"
MINE = "intake-mine"
DUE = "intake-due"
# Each district's ticket numbers of a month: FW-<district>-<yymm>-<number> (`next_code`).
TICKET_NUMBERS = storage.Counter("intake-counter")
CODE_SHAPE = r"^FW-\d{6}-\d{4}-\d{4,6}$"


def next_code(district: str, today: date) -> str:
    """The next code of the grid's district this month, `FW-<district>-<yymm>-<number>`, its number taken
    from the district's counter (`storage.next_number`: one UpdateItem that never fails under contention —
    a hundred residents of one district asking at the same moment each get a code, none the same). A
    create that fails after this (a check refused in its transaction) leaves its number unused: the
    district's codes are unique and increasing, with such gaps; a resident only ever quotes their own code.
    A retry with the same Idempotency-Key replays its ticket before taking a number (see `next_number`)."""
    month = today.strftime("%y%m")
    number = storage.next_number(TICKET_NUMBERS, (district, month))
    return f"FW-{district}-{month}-{number:04d}"


# The categories a request is classified into (the plugin contract's vocabulary: the core's and the enabled
# plugins' own), and the policy parameter holding each one's time limit: the one an enabled service declares
# for the category (`plugin.TicketCategory`: its own statutory period, or `intake.<category>_days` for a
# category of its own), else the core's `intake.<category>_days` in working days
# (chalicelib.domain.policy.service.CORE_PARAMETERS), else, for a category only a disabled service times,
# the general `intake.other_days`.
CATEGORIES = plugin.CATEGORIES
DUE_SOON_PARAMETER = "intake.due_soon_days"
GENERAL_DEADLINE = "intake.other_days"
WORKING_DAYS = "工作日"


def deadline_parameter(category: str) -> str:
    from chalicelib.domain.policy.service import CORE_PARAMETERS

    owned = plugin.ticket_time_limit(category)
    if owned is not None:
        return owned.name
    core = f"intake.{category}_days"
    return core if core in CORE_PARAMETERS else GENERAL_DEADLINE


def due_after(day: date, days: int, unit: str) -> workdays.Counted:
    """The due day of a time limit counted from `day`: working days, or calendar days by the Civil Code."""
    return workdays.add_working_days(day, days) if unit == WORKING_DAYS else workdays.period_last_day(day, days)


def deadline(limit: InForce, received_on: date) -> dict[str, Any]:
    """A ticket's deadline fields, prepared once from the time limit in force on the day it was received:
    its due day, the limit and its unit, the version that set it, and whether the holiday calendar lacked
    a year (for a new ticket, a ticket routed under another category, the demo's tickets)."""
    days = int(limit.value)
    due = due_after(received_on, days, limit.unit)
    return {"due_on": due.end, "deadline_days": days, "deadline_unit": limit.unit,
            "deadline_basis": limit.describe(), "deadline_estimated": not due.official}


def time_limit_text(days: int, unit: str) -> str:
    return f"{days} 个工作日" if unit == WORKING_DAYS else f"{days} {unit}"


# The receivers (首问负责制, SPEC C5): the sign-in roles staffing the desks where requests arrive — the grid,
# the legal-aid and lawyers' desks, the mediators. They see their area's tickets nobody holds yet and may
# accept them; no other staff role does (CONTRACT "Identity and access": a resident's request is read on a
# need-to-know basis). Who reads a ticket once it is held: `access.may_read`.
RECEIVERS: frozenset[str] = frozenset({"grid_worker", "lawyer", "legal_aid_officer", "mediator"})
# The widest area a receiver of a role may have to receive a grid's requests (the length of its code), where
# not every account of the role covering the grid staffs its desk. A lawyer receives at the grid's own desk
# — the lawyer on duty whose area is the grid, its village or its town/street (9 digits) — not a lawyer of
# the district or the city, whose cases come through their service (legal aid assigns them).
RECEIVER_MIN_AREA: dict[str, int] = {"lawyer": 9}

CHANNELS: dict[str, str] = {
    "mini_program": "小程序",
    "counter": "窗口",
    "hotline_12348": "12348 热线",
    "grid_visit": "网格走访",
}
STAFF_CHANNELS = ("counter", "hotline_12348", "grid_visit")

Status = Literal["received", "accepted", "routed", "closed"]
STATUS_TITLES: dict[str, str] = {
    "received": "已收到，等待受理", "accepted": "已受理，正在办理", "routed": "已转交承办单位办理", "closed": "已办结",
}
Action = Literal["received", "accepted", "answered", "routed", "transferred", "closed", "reopened", "overdue"]
ACTION_TITLES: dict[str, str] = {
    "received": "登记受理", "accepted": "首问受理", "answered": "当场答复办结", "routed": "分流转办",
    "transferred": "改派", "closed": "办结", "reopened": "重新办理",
    "overdue": "超过办理时限",
}
# Which steps each state allows (a step from any other state is 409 naming these).
ALLOWED: dict[str, tuple[str, ...]] = {
    "received": ("accept", "answer", "route"),
    "accepted": ("answer", "route"),
    "routed": ("transfer", "close"),
    "closed": ("reopen",),
}
STEP_TITLES = {"accept": "受理", "answer": "当场答复", "route": "转办", "transfer": "改派", "close": "办结",
               "reopen": "重新办理"}


def _categories() -> dict[str, str]:
    return dict(CATEGORIES)


def _channels() -> dict[str, str]:
    return CHANNELS


def _targets() -> dict[str, str]:
    return {target.code: target.title for _, target in plugin.intake_targets()}


Category = vocabulary(_categories, "事项类别")
Channel = vocabulary(_channels, "受理渠道")
TargetCode = vocabulary(_targets, "承办服务")


# --- stored records ---------------------------------------------------------------------------------

class Step(Model):
    """One step of a ticket's history: who did what when, and why where it matters (a transfer)."""
    model_config = ConfigDict(extra="ignore")
    at: datetime
    action: Action
    actor: str
    note: str | None = None


class Case(Model):
    """The case a service opened for the ticket (`chalicelib.plugin.CaseRef`) and through which target."""
    model_config = ConfigDict(extra="ignore")
    target: str
    service: str
    entity: str
    id: str
    title: str
    opened_at: datetime

    def ref(self) -> plugin.CaseRef:
        return plugin.CaseRef(service=self.service, entity=self.entity, id=self.id, title=self.title)


class Ticket(storage.Record):
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("intake-held", "gsi1", by="owner"),
        storage.Listing("intake-area", "gsi2", by="city"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这件受理事项", "ticket_not_found")

    id: str                                  # the human code, FW-<district>-<yymm>-<seq>
    channel: str
    grid: str
    category: str
    text: str
    resident: str | None = None              # the resident account it concerns, when there is one
    person_name: str | None = None           # entered by staff for someone without an account here
    phone_cipher: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    received_by: str                         # who recorded it (the resident themself in the mini-program)
    owner: str | None = None                 # the first receiver (首问负责人): staff, from acceptance on
    status: Status = "received"
    received_on: date                        # Asia/Shanghai: the day the time limit counts from
    due_on: date                             # the last working day of the time limit
    deadline_days: int
    deadline_unit: str = WORKING_DAYS        # of the parameter that set it: 工作日, or 日 counted by the Civil Code
    deadline_basis: str                      # the policy version that set it, for the reason shown
    deadline_estimated: bool = False         # the holiday calendar lacked a year (see platform.workdays)
    overdue: bool = False
    answer: str | None = None                # the answer or result the resident reads
    answer_from_case: bool = False           # closed with the service's result: read as the case is (access.reads_case)
    case: Case | None = None
    earlier_cases: list[Case] = []
    closed_at: datetime | None = None
    history: list[Step] = []

    @property
    def district(self) -> str:
        return self.grid[:6]

    @property
    def bucket(self) -> str:
        if self.status == "closed":
            return "closed"
        if self.overdue:
            return "overdue"
        return "routed" if self.status == "routed" else "unrouted"

    def place(self, listing: str) -> storage.Place | None:
        if listing == "intake-held" and self.owner and self.status != "closed":
            return storage.Place(of=self.owner, sort=(self.due_on.isoformat(), self.id))
        if listing == "intake-area":
            when = iso(self.closed_at) if self.closed_at else self.due_on.isoformat()
            return storage.Place(of=(self.grid, self.bucket), sort=(when, self.id))
        return None


class MineEntry(storage.Record):
    """A resident's own list: one item per ticket, rewritten with the ticket in the same transaction."""
    entity: ClassVar[str] = MINE
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(MINE, "table", by="owner"),)
    ticket: str
    resident: str
    category: str
    status: Status
    received_at: datetime
    due_on: date

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.resident, sort=(iso(self.received_at), self.ticket))


class DueEntry(storage.Record):
    """The tickets whose time limit ends on a day, for the daily sweep (one Query per day)."""
    entity: ClassVar[str] = DUE
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(DUE, "table"),)
    ticket: str
    due_on: date

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.due_on.isoformat(),), sort=(self.ticket,))


# --- inputs -----------------------------------------------------------------------------------------

class IntakeInput(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TicketPersonIn(IntakeInput):
    name: str = Field(min_length=1, max_length=30, examples=["王秀英"])
    phone: str = Field(min_length=7, max_length=20, description="手机或固定电话，加密保存、脱敏显示",
                       examples=["13900001111"])

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str) -> str:
        return pii.normalize_phone(value)

    @cached_property
    def stored(self) -> dict[str, str]:
        """The person's fields of the ticket, prepared once: the name, and the phone sealed (ciphertext, lookup
        hash, mask)."""
        return {"person_name": self.name, **pii.seal_phone(self.phone).fields("phone")}


class TicketIn(IntakeInput):
    channel: Channel = Field(description="受理渠道：居民在小程序提交为 mini_program；工作人员登记为其余三种",
                             examples=["mini_program"])
    grid: str = Field(pattern=r"^\d{15}$", description="诉求所在网格", examples=["320402001001001"])
    category: Category = Field(examples=["consultation"])
    text: str = Field(min_length=2, max_length=2000, examples=["邻居装修占用楼道，协商无果，想咨询怎么处理"])
    person: TicketPersonIn | None = Field(None, description="工作人员代为登记时：当事人姓名与电话（居民本人提交时不填）")
    resident: str | None = Field(None, min_length=1, max_length=100,
                                 description="工作人员代为登记、当事人有居民账号时：其账号 id")

    # Prepared once from the input, for the service to pass on.
    @property
    def district(self) -> str:
        """The grid's district, whose sequence numbers the ticket."""
        return self.grid[:6]

    @property
    def time_limit(self) -> str:
        """The policy parameter timing the request's category (`deadline_parameter`)."""
        return deadline_parameter(self.category)


class AnswerIn(IntakeInput):
    answer: str = Field(min_length=2, max_length=2000, description="给群众的答复（白话）",
                        examples=["楼道属于共有部分，可先请物业和社区调解；不成可向法院起诉排除妨害。"])
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头")


class RouteIn(IntakeInput):
    target: TargetCode = Field(description="承办服务（来自已启用服务声明的受理目标）", examples=["legal_aid_referral"])
    category: Category | None = Field(None, description="中台研判后的类别（改类别将按新类别重算时限）")
    note: str | None = Field(None, max_length=500, description="研判意见")
    version: int | None = Field(None, ge=1)


class TransferIn(IntakeInput):
    target: TargetCode = Field(description="改派到的承办服务（来自已启用服务声明的受理目标）", examples=["legal_aid_referral"])
    reason: str = Field(min_length=2, max_length=500, description="改派原因（必填，记入历史）",
                        examples=["当事人经济困难，申请法律援助"])
    version: int | None = Field(None, ge=1)


class ReopenIn(IntakeInput):
    reason: str = Field(min_length=2, max_length=500, description="重新办理的原因（如群众对答复有新的疑问），记入历史",
                        examples=["群众对答复有新的疑问"])
    version: int | None = Field(None, ge=1)


class CloseIn(IntakeInput):
    model_config = ConfigDict(json_schema_extra={"examples": [{"result": "已协调用人单位当场结清拖欠工资", "version": 5}]})
    result: str | None = Field(None, min_length=2, max_length=2000,
                               description="办理结果；省略则采用承办单位反馈的结果")
    version: int | None = Field(None, ge=1)


class TicketAreaQuery(IntakeInput):
    area: str | None = Field(None, pattern=r"^(\d{6}|\d{9}|\d{12}|\d{15})$", description="默认本人辖区")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


# --- outputs ----------------------------------------------------------------------------------------

class ProgressOut(Model):
    status: str = Field(description="承办单位反馈的进度（中文）")
    closed: bool
    result: str | None = None


class CaseOut(Model):
    target: str
    service: str
    entity: str
    id: str
    title: str
    opened_at: datetime

    @classmethod
    def of(cls, case: Case) -> "CaseOut":
        return cls(**case.model_dump())


class StepOut(Model):
    at: datetime
    action: str
    title: str
    actor: str | None = Field(description="办理人账号（居民看不到）")
    note: str | None


class TicketOut(Model):
    code: str = Field(examples=["FW-320402-2611-0042"])
    channel: str
    grid: str
    category: str
    category_title: str
    text: str
    status: str
    status_title: str = Field(description="白话状态，如「已转交承办单位办理」")
    received_on: date
    due_on: date
    deadline: str = Field(description="时限说明，如「法律咨询 3 个工作日内办结（至 2026-12-03）」")
    overdue: bool
    answer: str | None
    case: CaseOut | None
    progress: ProgressOut | None = Field(description="承办单位反馈的进度（转办后）")
    person_name: str | None = Field(description="当事人姓名（仅工作人员）")
    phone_masked: str | None = Field(description="当事人电话（脱敏，仅工作人员）")
    resident: str | None = Field(description="当事人居民账号（仅工作人员）")
    owner: str | None = Field(description="首问负责人（仅工作人员）")
    history: list[StepOut]
    notices: list[Notice] | None = Field(None, description="推送给居民的订阅消息及结果（仅工作人员查看受理单时）")
    version: int


class MineOut(Model):
    code: str
    category: str
    category_title: str
    status: str
    status_title: str
    received_at: datetime
    due_on: date

    @classmethod
    def of(cls, entry: MineEntry) -> "MineOut":
        return cls(code=entry.ticket, category=entry.category, category_title=CATEGORIES.get(entry.category, ""),
                   status=entry.status, status_title=STATUS_TITLES[entry.status], received_at=entry.received_at,
                   due_on=entry.due_on)


class TicketSummary(Model):
    """A line of a staff list."""
    code: str
    grid: str
    category: str
    category_title: str
    status: str
    due_on: date
    overdue: bool
    owner: str | None
    case_title: str | None

    @classmethod
    def of(cls, t: Ticket) -> "TicketSummary":
        return cls(code=t.id, grid=t.grid, category=t.category, category_title=CATEGORIES.get(t.category, ""),
                   status=t.status, due_on=t.due_on, overdue=t.overdue, owner=t.owner,
                   case_title=t.case.title if t.case else None)


class TicketContactOut(Model):
    name: str | None
    phone: str | None = Field(description="完整电话（仅首问负责人，查看留痕）")


class TargetOut(Model):
    code: str
    title: str
    service: str
    service_title: str
    categories: list[str]


class TargetList(Model):
    items: list[TargetOut]
