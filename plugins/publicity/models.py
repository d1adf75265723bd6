"""What the publicity service stores and what its routes take and give (SPEC P1). Input models forbid
unknown fields; output models are explicit: the public one shows what a resident needs to come along, the
staff one also who recorded it, the attendance and the version to edit by."""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field, TypeAdapter, field_validator

from chalicelib.platform import dates, storage
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import iso, to_shanghai

ENTITY = "publicity-event"
IN_AREA = "publicity-event-area"        # staff: an area's events and everything below it, by area then start
UPCOMING = "publicity-upcoming"         # public: the published events held at one area, one aggregate a month
TALLY = "publicity-tally"               # counts per area and period, kept in the events' own transactions

# SPEC P1 and seed 001 (常州 2021, items 13 and 16): the kinds of activity a bureau counts.
KINDS: dict[str, str] = {
    "monthly_theme": "月度主题活动",
    "lecture": "法治讲座",
    "festival_tour": "三节四时普法行",
    "public_service": "普法惠民服务",
    "cultural_activity": "法治文化活动（法治直播、法治文艺表演等）",
    "cultural_work": "法治文化作品（法治小品、锡剧、三字经、滑稽戏等）",
}
Kind = Literal["monthly_theme", "lecture", "festival_tour", "public_service", "cultural_activity",
               "cultural_work"]
OrganiserKind = Literal["institution", "person"]
Status = Literal["published", "cancelled"]
AREA_CODE = r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$"

YEARS_AHEAD = 1           # an activity is published at most a year ahead
MAX_DAYS = 31             # a single activity (a festival tour) lasts at most a month
_DAY = TypeAdapter(dates.window(years=YEARS_AHEAD))


class Event(storage.Record):
    """One publicity activity. Staff list it under its area; while published it also stands in the public
    list of the one area it is held at (so a resident's grid and each area above it is one Query)."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(IN_AREA, "gsi1", by="area"),)
    missing: ClassVar[tuple[str, str]] = ("没有这项普法活动", "publicity_event_not_found")

    id: str
    kind: Kind
    area: str
    venue: str
    capacity: int | None = None
    starts_at: datetime
    ends_at: datetime
    organiser_kind: OrganiserKind
    organiser_id: str
    theme: str
    audience: str
    attendance: int | None = None
    status: Status = "published"
    cancel_reason: str | None = None
    recorded_by: str

    def place_in(self) -> tuple[str, str]:
        return iso(self.starts_at), self.id

    def place(self, listing: str) -> storage.Place | None:
        if listing == IN_AREA:
            return storage.Place(of=self.area, sort=self.place_in())
        return None

    @property
    def month(self) -> str:
        """The Shanghai month it starts in: the public aggregate it stands in while published."""
        return to_shanghai(self.starts_at).strftime("%Y-%m")


class Upcoming(storage.Aggregate):
    """The published activities held at exactly one area and starting in one month (id `<area>-<YYYY-MM>`,
    Asia/Shanghai), as residents read them: an entry per activity (its `PublicEventOut`), set and removed in
    the activity's own transactions. A resident's chain of areas over the months ahead is one BatchGetItem
    (six levels × thirteen months ≤ 100 keys); an area-month holds few activities, far from 400 KB."""
    entity: ClassVar[str] = UPCOMING
    id: str | None = None

    @staticmethod
    def id_for(area: str, month: str) -> str:
        return f"{area}-{month}"


class Tally(storage.Record):
    """One area's counts of one period (`<area>-<YYYY>` or `<area>-<YYYY>-Q<n>`), at the activity's area and
    every area above it: per kind (`lecture`, `public_service` …) and, for lectures organised by a directory
    person, per organiser (`lecture_by.<person id>`). Only ever added to inside the transaction of what it
    counts (`storage.add_to`); read by id (SPEC P2: counts never found by reading lists)."""
    model_config = ConfigDict(extra="allow")
    entity: ClassVar[str] = TALLY
    id: str

    def count(self, name: str) -> int:
        return int((self.model_extra or {}).get(name, 0))


# --- input --------------------------------------------------------------------------------------------

def _check_day(moment: datetime) -> datetime:
    """A moment with an offset whose Shanghai day lies between 1900 and a year ahead (chalicelib dates)."""
    if moment.tzinfo is None:
        raise ValueError("时间须带时区，如 2026-05-01T09:30:00+08:00")
    _DAY.validate_python(to_shanghai(moment).date())
    return moment.replace(microsecond=0)


class OrganiserIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: OrganiserKind = Field(description="主办方类别：institution 机构 / person 人员（名录中）", examples=["institution"])
    id: str = Field(min_length=1, max_length=64, description="名录中机构或人员的编号",
                    examples=["3f9a1c7e5b2d4e8f9a0b1c2d3e4f5a6b"])


class _Timing(Model):
    @field_validator("starts_at", "ends_at", check_fields=False)
    @classmethod
    def _within_horizon(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _check_day(value)


class EventIn(_Timing):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: Kind = Field(description="活动类别：" + "；".join(f"{k} {v}" for k, v in KINDS.items()), examples=["lecture"])
    area: str = Field(pattern=AREA_CODE, description="举办区域代码（网格、村社区、镇街、区、市）",
                      examples=["320402001001"])
    venue: str = Field(min_length=2, max_length=100, examples=["演示社区新时代文明实践站"])
    capacity: int | None = Field(None, ge=1, le=100_000, description="场地可容纳人数（可选）")
    starts_at: datetime = Field(description="开始时间（带时区）", examples=["2026-05-01T09:30:00+08:00"])
    ends_at: datetime = Field(description="结束时间（带时区）", examples=["2026-05-01T11:00:00+08:00"])
    organiser: OrganiserIn
    theme: str = Field(min_length=2, max_length=100, examples=["民法典进社区"])
    audience: str = Field(min_length=2, max_length=100, examples=["社区居民"])
    attendance: int | None = Field(None, ge=0, le=100_000, description="参加人数（活动开始后登记）")


class EventPatch(_Timing):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: Kind | None = None
    venue: str | None = Field(None, min_length=2, max_length=100)
    capacity: int | None = Field(None, ge=1, le=100_000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    organiser: OrganiserIn | None = None
    theme: str | None = Field(None, min_length=2, max_length=100)
    audience: str | None = Field(None, min_length=2, max_length=100)
    attendance: int | None = Field(None, ge=0, le=100_000, description="参加人数（活动开始后登记）")
    version: int | None = Field(None, ge=1, description="所见版本（或用 If-Match）")

    def changes(self) -> dict[str, Any]:
        sent = self.model_dump(exclude_unset=True, exclude={"version", "organiser"})
        if self.organiser is not None:
            sent.update(organiser_kind=self.organiser.kind, organiser_id=self.organiser.id)
        return sent


class CancellationIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=2, max_length=200, examples=["台风预警，活动取消"])
    version: int | None = Field(None, ge=1, description="所见版本（或用 If-Match）")


class EventListQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=AREA_CODE, description="区域代码（默认本人辖区）")
    limit: int = Field(20, ge=1, le=100, description="每页条数（1–100）")
    cursor: str | None = Field(None, max_length=2048, description="上一页返回的 next_cursor")


# --- output -------------------------------------------------------------------------------------------

class OrganiserOut(Model):
    kind: OrganiserKind
    id: str


class PublicEventOut(Model):
    """What a resident reads of a published activity."""
    id: str
    kind: Kind
    kind_title: str
    area: str
    venue: str
    starts_at: datetime
    ends_at: datetime
    organiser: OrganiserOut
    theme: str
    audience: str

    @classmethod
    def of(cls, event: Event) -> "PublicEventOut":
        return cls(id=event.id, kind=event.kind, kind_title=KINDS[event.kind], area=event.area, venue=event.venue,
                   starts_at=event.starts_at, ends_at=event.ends_at,
                   organiser=OrganiserOut(kind=event.organiser_kind, id=event.organiser_id),
                   theme=event.theme, audience=event.audience)


class EventOut(PublicEventOut):
    """What staff read: also the capacity, attendance, status, who recorded it and the version."""
    capacity: int | None
    attendance: int | None
    status: Status
    cancel_reason: str | None
    recorded_by: str
    created_at: datetime
    version: int

    @classmethod
    def of(cls, event: Event) -> "EventOut":
        return cls(**PublicEventOut.of(event).model_dump(), capacity=event.capacity, attendance=event.attendance,
                   status=event.status, cancel_reason=event.cancel_reason, recorded_by=event.recorded_by,
                   created_at=event.created_at, version=event.version)


class Kinds(Model):
    items: list["KindOut"]


class KindOut(Model):
    code: Kind
    title: str


Kinds.model_rebuild()

