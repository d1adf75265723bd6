"""What feedback stores and what its routes take and give (SPEC C6).

A rating is stored at `feedback-rating#<ticket code>` (one per ticket: rating twice is a 409 from the
creating write itself), listed per city and month (`feedback-rating-month`, gsi2) for the area's figures.
A bad rating's rectification task is at `feedback-rectification#<ticket code>`, listed while open per city
(`feedback-rectification-open`, gsi1, by the rectification deadline) and per city and month
(`feedback-rectification-month`, gsi2). The month's figures per area are a tally (`FeedbackTally`) kept by
the same transactions.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field

from chalicelib.platform import storage
from chalicelib.platform.model import Model

RATING = "feedback-rating"
RECTIFICATION = "feedback-rectification"
CALLBACK_PARAMETER = "feedback.callback_days"
RECTIFY_PARAMETER = "feedback.rectify_days"
MESSAGE = "feedback-message"
REPLY_PARAMETER = "feedback.reply_days"
MESSAGE_KINDS = {"complaint": "投诉", "suggestion": "建议"}

# GB/T 39734-2020's five levels, best first.
Level = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
LEVELS: dict[str, str] = {
    "very_satisfied": "非常满意", "satisfied": "满意", "basically_satisfied": "基本满意",
    "dissatisfied": "不满意", "very_dissatisfied": "非常不满意",
}
ORDER = list(LEVELS)
BAD = frozenset({"dissatisfied", "very_dissatisfied"})
DIMENSIONS = {"attitude": "服务态度", "efficiency": "办事效率", "competence": "业务水平"}


def worst(*levels: str) -> str:
    return max(levels, key=ORDER.index)


class Appeal(Model):
    model_config = ConfigDict(extra="ignore")
    status: Literal["pending", "upheld", "rejected"]
    reason: str
    by: str
    at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


class Rating(storage.Record):
    entity: ClassVar[str] = RATING
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing("feedback-rating-month", "gsi2", by="city"),)
    missing: ClassVar[tuple[str, str]] = ("该事项还没有评价", "rating_not_found")

    id: str                      # the ticket's code
    grid: str
    month: str                   # "2026-11", Asia/Shanghai, when rated
    rater: str
    staff: str | None            # the ticket's owner, whose service is rated
    attitude: Level
    efficiency: Level
    competence: Level
    overall: Level               # the worst of the three: a bad mark on any counts as a bad rating
    comment: str | None = None
    appeal: Appeal | None = None
    excluded: bool = False       # an upheld appeal takes the rating out of the figures

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.grid, self.month), sort=(self.id,))


class Rectification(storage.Record):
    """The rectification a bad rating opens (整改): a callback to the resident, then the rectification."""
    entity: ClassVar[str] = RECTIFICATION
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("feedback-rectification-open", "gsi1", by="city"),
        storage.Listing("feedback-rectification-month", "gsi2", by="city"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这项整改任务", "rectification_not_found")

    id: str                      # the ticket's code
    grid: str
    month: str
    staff: str | None
    status: Literal["open", "called_back", "rectified", "withdrawn"] = "open"
    opened_on: date
    callback_due: date
    rectify_due: date
    basis: str                   # the policy versions that set the deadlines
    callback_on: date | None = None
    callback_note: str | None = None
    rectified_on: date | None = None
    rectified_note: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == "feedback-rectification-open":
            if self.status in ("rectified", "withdrawn"):
                return None
            return storage.Place(of=(self.grid, "open"), sort=(self.rectify_due.isoformat(), self.id))
        return storage.Place(of=(self.grid, self.month), sort=(self.id,))


class FeedbackTally(storage.Record):
    """One area's figures of one month (`feedback-tally#<area>-<YYYY-MM>`), kept for the grid and every area
    above it to the city, only ever added to inside the transaction of the rating or task step they count
    (`service.tally_ops`); `stats` reads one item instead of the month's two lists. The counters are its
    extra fields: `ratings`, `satisfied` (ratings not excluded by an upheld appeal), `bad`,
    `called_back_on_time`, `rectified`, `rectified_on_time` (tasks not withdrawn) and, per rectification
    deadline, `pending_<YYYY-MM-DD>`: tasks neither rectified nor withdrawn due that day — so the tasks
    whose deadline has passed on the day the figures are asked are summed from the tally too."""
    model_config = ConfigDict(extra="allow")
    entity: ClassVar[str] = "feedback-tally"

    id: str

    def count(self, name: str) -> int:
        return int((self.model_extra or {}).get(name, 0))

    def pending_before(self, day: date) -> int:
        """Tasks neither rectified nor withdrawn whose rectification deadline is before `day`."""
        return sum(int(v) for k, v in (self.model_extra or {}).items()
                   if k.startswith("pending_") and date.fromisoformat(k[len("pending_"):]) < day)


class Message(storage.Record):
    """A complaint or suggestion in the box (意见箱「解忧法空间」), addressed to an area's responsible office.
    A complaint is real-name (its author is kept); a suggestion may be anonymous (no author is stored at all,
    so nobody, the author included, can tie it to an account)."""
    entity: ClassVar[str] = MESSAGE
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("feedback-message-open", "gsi1", by="city"),
        storage.Listing("feedback-message-month", "gsi2", by="city"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这条意见", "message_not_found")

    id: str
    kind: Literal["complaint", "suggestion"]
    area: str
    text: str
    author: str | None = None
    month: str
    received_on: date
    reply_due: date
    basis: str
    reply: str | None = None
    replied_on: date | None = None
    replied_by: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == "feedback-message-open":
            if self.reply:
                return None
            return storage.Place(of=(self.area, "open"), sort=(self.reply_due.isoformat(), self.id))
        return storage.Place(of=(self.area, self.month), sort=(self.id,))


# --- inputs -----------------------------------------------------------------------------------------

class FeedbackInput(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RatingIn(FeedbackInput):
    ticket: str = Field(pattern=r"^FW-\d{6}-\d{4}-\d{4,6}$", examples=["FW-320402-2611-0042"])
    attitude: Level = Field(examples=["very_satisfied"], description="服务态度")
    efficiency: Level = Field(examples=["satisfied"], description="办事效率")
    competence: Level = Field(examples=["very_satisfied"], description="业务水平")
    comment: str | None = Field(None, max_length=500)


class MessageIn(FeedbackInput):
    kind: Literal["complaint", "suggestion"] = Field(description="complaint 投诉（实名）；suggestion 建议（可匿名）",
                                                   examples=["suggestion"])
    area: str = Field(pattern=r"^(\d{6}|\d{9}|\d{12}|\d{15})$", description="反映的区域（转该区域负责部门）",
                      examples=["320402001"])
    text: str = Field(min_length=4, max_length=2000, examples=["建议周末也安排律师值班，方便上班族咨询"])
    anonymous: bool = Field(False, description="仅建议可匿名；匿名后本人也无法查看答复")


class ReplyIn(FeedbackInput):
    reply: str = Field(min_length=4, max_length=2000, examples=["已安排每周六上午律师值班，感谢您的建议"])
    version: int | None = Field(None, ge=1)


class AppealIn(FeedbackInput):
    reason: str = Field(min_length=4, max_length=500, description="申诉理由（误评、恶意差评的依据）",
                        examples=["评价人并非本工单当事人，系误评"])
    version: int | None = Field(None, ge=1)


class DecisionIn(FeedbackInput):
    uphold: bool = Field(description="true：申诉成立，该评价不计入统计、整改任务撤销；false：驳回", examples=[True])
    reason: str = Field(min_length=4, max_length=500, examples=["核实通话记录，评价人确为误评"])
    version: int | None = Field(None, ge=1)


class NoteIn(FeedbackInput):
    note: str = Field(min_length=2, max_length=1000, description="回访或整改情况", examples=["已电话回访，当事人表示满意"])
    version: int | None = Field(None, ge=1)


class StatsQuery(FeedbackInput):
    area: str | None = Field(None, pattern=r"^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$", description="默认本人辖区")
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])


class OpenTasksQuery(FeedbackInput):
    area: str | None = Field(None, pattern=r"^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


# --- outputs ----------------------------------------------------------------------------------------

class RectificationOut(Model):
    ticket: str
    grid: str
    status: str
    status_title: str
    callback_due: date
    rectify_due: date
    basis: str
    callback_on: date | None
    callback_note: str | None
    rectified_on: date | None
    rectified_note: str | None
    version: int

    @classmethod
    def of(cls, r: Rectification) -> "RectificationOut":
        titles = {"open": "待回访", "called_back": "已回访，整改中", "rectified": "已整改", "withdrawn": "申诉成立，已撤销"}
        return cls(ticket=r.id, grid=r.grid, status=r.status, status_title=titles[r.status],
                   callback_due=r.callback_due, rectify_due=r.rectify_due, basis=r.basis, callback_on=r.callback_on,
                   callback_note=r.callback_note, rectified_on=r.rectified_on, rectified_note=r.rectified_note,
                   version=r.version)


class AppealOut(Model):
    status: str
    reason: str
    decision_reason: str | None


class RatingOut(Model):
    ticket: str
    attitude: str
    efficiency: str
    competence: str
    overall: str
    overall_title: str
    comment: str | None
    excluded: bool
    appeal: AppealOut | None
    rectification: RectificationOut | None = Field(description="差评引发的整改任务（居民可见其时限与进展）")
    version: int

    @classmethod
    def of(cls, rating: Rating, task: Rectification | None) -> "RatingOut":
        appeal = AppealOut(status=rating.appeal.status, reason=rating.appeal.reason,
                           decision_reason=rating.appeal.decision_reason) if rating.appeal else None
        return cls(ticket=rating.id, attitude=rating.attitude, efficiency=rating.efficiency,
                   competence=rating.competence, overall=rating.overall, overall_title=LEVELS[rating.overall],
                   comment=rating.comment, excluded=rating.excluded, appeal=appeal,
                   rectification=RectificationOut.of(task) if task else None, version=rating.version)


class MessageOut(Model):
    id: str
    kind: str
    kind_title: str
    area: str
    text: str
    anonymous: bool
    received_on: date
    reply_due: date
    basis: str
    reply: str | None
    replied_on: date | None
    version: int

    @classmethod
    def of(cls, m: Message) -> "MessageOut":
        return cls(id=m.id, kind=m.kind, kind_title=MESSAGE_KINDS[m.kind], area=m.area, text=m.text,
                   anonymous=m.author is None, received_on=m.received_on, reply_due=m.reply_due, basis=m.basis,
                   reply=m.reply, replied_on=m.replied_on, version=m.version)


class MessageCounts(Model):
    area: str
    month: str
    complaints: int
    suggestions: int
    replied: int
    replied_on_time: int


class StatsOut(Model):
    area: str
    month: str
    ratings: int = Field(description="计入统计的评价数（申诉成立的不计）")
    satisfied: int = Field(description="基本满意及以上")
    satisfaction_rate: float | None
    bad: int
    called_back_on_time: int
    callback_rate: float | None = Field(description="按时回访的差评占比")
    rectifications_due: int = Field(description="整改时限已到的任务数")
    rectified_on_time: int
    rectification_on_time_rate: float | None
