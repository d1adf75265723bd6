"""Rota and notices (C8): the `DutySlot` and `Activity` records, the lines of a person's rota ledger
(`Commitment`), inputs (times and dates validated here) and outputs.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.directory.models import ContactCard, InstitutionCard, Person
from chalicelib.platform import dates, storage
from chalicelib.platform.model import Model

TIME_SHAPE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
MAX_HOSTS = 5


def _time(value: str) -> str:
    if not TIME_SHAPE.match(value):
        raise ValueError("时间应为 24 小时制 HH:MM，如 09:00")
    return value


EARLIEST = dt.date(2000, 1, 1)
YEARS_AHEAD = 5


# A day of the rota (a week asked for, a slot's first or last day, an activity): from 2000-01-01 to five
# years from today (chalicelib.platform.dates). Publishing ahead is the service's rule (`not_in_advance`).
RotaDate = dates.window(earliest=EARLIEST, years=YEARS_AHEAD)


class _Timed(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    start: str = Field(description="开始时间 HH:MM（北京时间）", examples=["09:00"])
    end: str = Field(description="结束时间 HH:MM（北京时间）", examples=["11:30"])

    @field_validator("start")
    @classmethod
    def _start_shape(cls, value: str) -> str:
        return _time(value)

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: str, info) -> str:
        _time(value)
        start = info.data.get("start")
        if start and value <= start:
            raise ValueError("结束时间应晚于开始时间")
        return value


# --- records --------------------------------------------------------------------------------------

SLOTS = "duty-slot"      # gsi1 `duty-slot@<institution>` / `<weekday>#<start>#<id>`: a point's standing slots
ACTIVITIES = "activity"  # gsi1 `activity@<institution>` / `<date>#<start>`: a point's activities by date


class DutySlot(storage.Record):
    entity: ClassVar[str] = "duty-slot"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(SLOTS, "gsi1", by="at"),)
    missing: ClassVar[tuple[str, str]] = ("值班安排不存在", "duty_slot_not_found")
    id: str
    institution_id: str
    person_id: str
    weekday: int
    start: str
    end: str
    duty: str
    effective_from: dt.date
    effective_until: dt.date | None = None
    status: Literal["active", "withdrawn"] = "active"
    demo: bool = False

    def place(self, listing: str) -> storage.Place | None:
        if self.status != "active":
            return None
        return storage.Place(of=self.institution_id, sort=(self.weekday, self.start, self.id))


class Activity(storage.Record):
    entity: ClassVar[str] = "activity"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(ACTIVITIES, "gsi1", by="at"),)
    missing: ClassVar[tuple[str, str]] = ("主题活动不存在", "activity_not_found")
    id: str  # <institution>.<yyyy-mm>: one themed activity per service point per month
    institution_id: str
    month: str
    date: dt.date
    start: str
    end: str
    theme: str
    description: str | None = None
    hosts: list[str] = []
    status: Literal["published", "withdrawn"] = "published"
    demo: bool = False

    def place(self, listing: str) -> storage.Place | None:
        if self.status != "published":
            return None
        return storage.Place(of=self.institution_id, sort=(self.date.isoformat(), self.start))


class Commitment(Model):
    """One line of a person's rota ledger."""
    kind: Literal["duty", "activity"]
    record_id: str
    institution_id: str
    place: str
    start: str
    end: str
    weekday: int | None = None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    date: dt.date | None = None

    def last_day(self) -> dt.date | None:
        return self.date if self.kind == "activity" else self.effective_until

    def describe(self) -> str:
        when = (f"{WEEKDAYS[self.weekday or 1]} {self.start}–{self.end}" if self.kind == "duty"
                else f"{self.date.isoformat() if self.date else ''} {self.start}–{self.end}")
        what = "值班" if self.kind == "duty" else "主持主题活动"
        return f"{when}已在「{self.place}」{what}"


class RotaLedger(storage.Record):
    """A person's rota ledger (`rota-by#<person>`): every duty slot and activity they are booked for, in one
    record, read consistently and updated with a version check so two bookings cannot race past the clash
    check. Its commitments are keyed by `<entity>.<record id>`."""
    entity: ClassVar[str] = "rota-ledger"
    key_prefix: ClassVar[str] = "rota-by"
    key_fields: ClassVar[tuple[str, ...]] = ("person_id",)
    person_id: str
    commitments: dict[str, Commitment] = {}


# --- input and output -----------------------------------------------------------------------------

class DutySlotIn(_Timed):
    person_id: str = Field(min_length=1, max_length=64, description="值班人员 id（名录中返回的 id）", examples=["p-7c1e2a"])
    weekday: int = Field(ge=1, le=7, description="星期几：1=周一 … 7=周日", examples=[2])
    duty: str = Field(min_length=2, max_length=40, description="值班职责", examples=["值班律师：法律咨询"])
    effective_from: RotaDate = Field(description="从哪天起（须晚于今天：提前公布）", examples=["2027-01-04"])
    effective_until: RotaDate | None = Field(None, description="到哪天为止（含）；省略为长期")
    demo: bool = Field(False, description="演示数据")


class ActivityIn(_Timed):
    date: RotaDate = Field(description="活动日期（须晚于今天）；每个服务点每月一次", examples=["2027-01-16"])
    theme: str = Field(min_length=2, max_length=60, examples=["民法典进社区：婚姻家庭编"])
    description: str | None = Field(None, max_length=500)
    hosts: list[str] = Field(default_factory=list, max_length=MAX_HOSTS, description="主持/参与人员 id")
    demo: bool = Field(False, description="演示数据")


class DutySlotOut(Model):
    id: str
    institution_id: str
    person_id: str
    person_name: str | None
    weekday: int
    weekday_title: str
    start: str
    end: str
    duty: str
    effective_from: dt.date
    effective_until: dt.date | None
    status: Literal["active", "withdrawn"]
    demo: bool
    version: int

    @classmethod
    def of(cls, slot: DutySlot, person: Person | None) -> "DutySlotOut":
        return cls(**slot.model_dump(include={"id", "institution_id", "person_id", "weekday", "start", "end", "duty",
                                              "effective_from", "effective_until", "status", "demo", "version"}),
                   person_name=person.name if person else None, weekday_title=WEEKDAYS[slot.weekday])


class ActivityOut(Model):
    id: str
    institution_id: str
    month: str
    date: dt.date
    start: str
    end: str
    theme: str
    description: str | None
    hosts: list[str]
    status: Literal["published", "withdrawn"]
    demo: bool
    version: int

    @classmethod
    def of(cls, activity: Activity) -> "ActivityOut":
        return cls(**activity.model_dump(include=set(cls.model_fields)))


class DutyEntry(Model):
    """One duty in a week's rota, for residents: who, when, where, how to reach them (masked)."""
    date: dt.date
    weekday: str
    start: str
    end: str
    duty: str
    service_point: str
    person: ContactCard


class RotaWeek(Model):
    service_point: InstitutionCard
    week_start: dt.date
    week_end: dt.date
    items: list[DutyEntry]
    next_cursor: str | None = None


class ActivityCard(Model):
    date: dt.date
    weekday: str
    start: str
    end: str
    theme: str
    description: str | None
    service_point: str
    hosts: list[ContactCard]
