"""What the village legal advisors service stores and what its routes take and give. Input models forbid
unknown fields; output models are explicit. No output carries a check-in's coordinates (only the distance
to the service point); the service point's location is shown to staff only, and no route serves residents."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from chalicelib.domain.areas.models import level_of
from chalicelib.domain.files.service import Download
from chalicelib.platform import storage
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import plus_years, today_shanghai
from plugins.advisors.criteria import GRADES


def _village_code(value: str) -> str:
    try:
        village = level_of(value) == "village"
    except ValueError:
        village = False
    if not village:
        raise ValueError("应为村（社区）的 12 位代码")
    return value


VillageCode = Annotated[str, AfterValidator(_village_code)]  # a village's (community's) 12-digit area code

ENGAGEMENT = "advisors-engagement"        # an advisor ↔ village contract (聘用协议)
BY_AREA = "advisors-engagement"           # the engagements under an area (gsi1, per city)
BY_ACCOUNT = "advisors-engagement-by"     # the engagements of one advisor's sign-in account (gsi2)
ADVISOR = "advisors-advisor"              # one advisor's current load and on-site state
VILLAGE = "advisors-village"              # the plugin's own record of a village: service point, its advisors
VILLAGES = "advisors-village"             # the villages under an area (gsi2, per city)
ENTRY = "advisors-entry"                  # an on-site entry (签到/签退), kept in its engagement's partition
HOURS = "advisors-hours"                  # a village's minutes of a month, counted in each check-out
LOG = "advisors-log"                      # a village's work log of one month (`<village>.<YYYY-MM>`), its entries inside
EVALUATION = "advisors-evaluation"        # a village's yearly evaluation (`<village>.<year>`), listed per city and year
COVER = "cover"                           # the month's log in its partition: sorts before `entry#…`
LOG_ENTRY = "advisors-log-entry"          # one entry of the work log (files link to `<village>.<entry id>`)
COVERAGE_ROLE = "legal_advisor"           # the core's coverage role the advisor fills (C3, C4 法律咨询)
ADVISOR_DUTIES = ("lawyer", "grassroots_legal_worker", "legal_advisor")
EARLIEST_START = date(2015, 1, 1)
ACCOUNT_PATTERN = r"^[A-Za-z0-9._-]{1,128}$"


class Period(Model):
    start: date
    end: date

    def overlaps(self, other: "Period") -> bool:
        return self.start <= other.end and other.start <= self.end


class Renewal(Model):
    previous_end: date
    end: date
    on: date
    by: str


class Engagement(storage.Record):
    """An advisor's contract with one village (一村一法律顾问): who (a directory person, the sign-in account
    they use), the village, the contract period and its renewals. Listed under its village (staff of the
    area) and under the advisor's account (their own list)."""
    entity: ClassVar[str] = ENGAGEMENT
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(BY_AREA, "gsi1", by="area"),
        storage.Listing(BY_ACCOUNT, "gsi2", by="owner"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这份法律顾问聘用记录", "engagement_not_found")

    id: str
    village: str
    person_id: str
    person_name: str
    institution_id: str | None = None
    account: str
    start: date
    end: date
    renewals: list[Renewal] = Field(default_factory=list)
    status: Literal["active", "ended"] = "active"
    ended_on: date | None = None
    open_entry: str | None = None          # the entry checked in and not yet out
    note: str | None = None
    renewal_barred: str | None = None      # why it may not be renewed (a 不合格 yearly evaluation, V3)
    end_reason: str | None = None          # why it was ended before its term (解除聘用)

    @property
    def period(self) -> Period:
        return Period(start=self.start, end=self.ended_on or self.end)

    @staticmethod
    def id_for(village: str, person_id: str, suffix: str) -> str:
        """An engagement's id names its village and its advisor (`<village>.<person id>.<suffix>`), so a request
        on it reads the engagement, the advisor's and the village's records and the rules in force there in
        one BatchGetItem."""
        return f"{village}.{person_id}.{suffix}"

    @staticmethod
    def named(engagement_id: str) -> tuple[str, str] | None:
        """(village, person id) an engagement id names, or None for one that cannot be an engagement's."""
        village, _, rest = engagement_id.partition(".")
        person, _, suffix = rest.rpartition(".")
        if not (len(village) == 12 and village.isdigit() and person and suffix
                and storage.is_record_id(engagement_id)):
            return None
        return village, person

    def place(self, listing: str) -> storage.Place | None:
        if listing == BY_AREA:
            return storage.Place(of=self.village, sort=(self.start.isoformat(), self.id))
        return storage.Place(of=self.account, sort=(self.start.isoformat(), self.id))


class Slot(Model):
    """One engagement as its advisor's and its village's records keep it: enough to check overlaps."""
    village: str
    person_id: str
    account: str
    start: date
    end: date
    person_name: str | None = None          # shown on the evaluation (V3) without reading the engagement

    @property
    def period(self) -> Period:
        return Period(start=self.start, end=self.end)


class Advisor(storage.Record):
    """One advisor (a directory person): their current engagements, and the on-site state that keeps their
    entries from overlapping — the entry open now, and the end of the last one. Updated (by version) in the
    transaction of every engagement, renewal, check-in and check-out, so two concurrent requests cannot
    both pass the ratio or the overlap check."""
    entity: ClassVar[str] = ADVISOR
    id: str                                 # the directory person id
    engagements: dict[str, Slot] = Field(default_factory=dict)
    open_entry: str | None = None           # "<engagement id>/<entry id>"
    open: "Entry | None" = None             # that entry as its check-in wrote it (its check-out reads it here)
    last_out: datetime | None = None


class Village(storage.Record):
    """The service's own record of a village: its service point (the core's area has no location), and its
    engagements, so one village has one advisor at a time. Listed under its area for the monthly report."""
    entity: ClassVar[str] = VILLAGE
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(VILLAGES, "gsi2", by="area"),)
    missing: ClassVar[tuple[str, str]] = ("该村（社区）尚未配备法律顾问或登记服务点", "village_not_found")

    id: str                                 # the village's area code
    point_name: str | None = None
    address: str | None = None
    lat: float | None = None                # GCJ-02
    lng: float | None = None
    engagements: dict[str, Slot] = Field(default_factory=dict)

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=self.id, sort=())


class Entry(storage.Record):
    """An on-site entry: checked in (and out) from the mini-program, kept in its engagement's partition by
    month. `in_distance_m`/`out_distance_m` are the distances to the service point; the coordinates
    themselves are not kept."""
    entity: ClassVar[str] = ENTRY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(ENGAGEMENT, "table"),)
    missing: ClassVar[tuple[str, str]] = ("没有这条驻点记录", "entry_not_found")

    id: str                                 # "<YYYY-MM-DD-HHMM>-<hex>": its month and order are in its id
    engagement: str
    village: str
    account: str                            # the advisor's sign-in account: a read of the entries needs no other
    check_in_at: datetime
    in_distance_m: int | None = None
    in_verified: bool
    check_out_at: datetime | None = None
    out_distance_m: int | None = None
    out_verified: bool | None = None
    minutes: int | None = None
    reason: str | None = None               # why it is (not) verified, in Chinese

    @property
    def month(self) -> str:
        return self.id[:7]

    @property
    def verified(self) -> bool:
        return bool(self.in_verified and self.out_verified)

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=self.engagement, sort=("entry", self.month, self.id))


Advisor.model_rebuild()


class Hours(storage.Record):
    """A village's on-site minutes of one month (`<village>.<YYYY-MM>`): `verified`, `unverified`, `entries`,
    only ever added to in the transaction of a check-out (`storage.add_to`)."""
    model_config = ConfigDict(extra="allow")
    entity: ClassVar[str] = HOURS
    id: str

    def count(self, name: str) -> int:
        return int((self.model_extra or {}).get(name, 0))


DUTIES = {                                # the six duties (六大员) as the log records them
    "lecture": "法治讲座（场）",
    "document": "起草审核法律文书（件）",
    "opinion": "重大决策法律意见（件）",
    "consultation": "法律咨询（人次）",
    "legal_aid": "协助法律援助（件）",
    "case": "代理诉讼、仲裁案件（件）",
    "mediation": "调解矛盾纠纷（起）",
    "report": "上报信息（条）",
}
DOCUMENT_KINDS = {"village_rules": "村规民约（居民公约）", "contract": "合同", "other": "其他法律文书"}
CadreLevel = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied"]
Duty = Literal["lecture", "document", "opinion", "consultation", "legal_aid", "case", "mediation", "report"]


class LogEntry(storage.Record):
    """One entry of a village's work log (V2): what the advisor did on a day, under one of the six duties;
    kept in its month's partition (`advisors-log#<village>.<YYYY-MM>` / `entry#<id>`). Never deleted: a
    correction of the bureau withdraws one (`withdrawn`) or adds one (`correction`)."""
    entity: ClassVar[str] = LOG_ENTRY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(LOG, "table"),)
    missing: ClassVar[tuple[str, str]] = ("没有这条工作日志", "log_entry_not_found")

    id: str                                 # "<YYYY-MM-DD>-<hex>": its month and day are in its id
    village: str
    engagement: str | None = None           # None for an entry a correction added
    account: str                            # the advisor's sign-in account (theirs to read)
    on: date
    duty: Duty
    title: str
    detail: str | None = None
    count: int = 1
    document_kind: str | None = None
    major: bool = False
    backlog: bool = False
    correction: str | None = None           # the reason, for an entry the bureau added to a locked month
    withdrawn: str | None = None            # the reason, for an entry the bureau withdrew

    @property
    def month(self) -> str:
        return self.id[:7]

    @property
    def record_id(self) -> str:
        """What files link to (the core's files): the village and the entry."""
        return f"{self.village}.{self.id}"

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=f"{self.village}.{self.month}", sort=("entry", self.id))


class Correction(Model):
    at: datetime
    by: str
    action: Literal["add", "withdraw"]
    entry: str
    reason: str


class LogMonth(storage.Record):
    """A village's work log of one month (`<village>.<YYYY-MM>`): its entries' number, its verification by
    the village cadre, and the bureau's corrections after it locked. Updated by version with every entry,
    so a verification and an entry cannot cross. Kept as the cover of its month's partition, sorted before
    the entries (`cover` < `entry#…`): the first page of the month's entries reads it in the same Query."""
    entity: ClassVar[str] = LOG
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(LOG, "table"),)
    missing: ClassVar[tuple[str, str]] = ("该村（社区）本月没有工作日志", "log_not_found")

    id: str
    village: str
    month: str
    entries: int = 0
    totals: dict[str, int] = Field(default_factory=dict)   # the ledger's counts (see service.COUNTED)
    verified_by: str | None = None
    verified_at: datetime | None = None
    verification_note: str | None = None
    corrections: list[Correction] = Field(default_factory=list)
    locks_on: date | None = None            # the lock day, fixed when the month's first entry was written
    accounts: list[str] = Field(default_factory=list)  # the advisors' accounts with an entry in it

    @staticmethod
    def at(village: str, month: str) -> storage.Place:
        """Where the month's log stands: its month's partition, ahead of the entries."""
        return storage.Place(of=f"{village}.{month}", sort=(COVER,))

    def place(self, listing: str) -> storage.Place:
        return LogMonth.at(self.village, self.month)


class ReasonOut(Model):
    criterion: str
    met: bool
    reason: str


class Evaluation(storage.Record):
    """A village's yearly evaluation (V3, `<village>.<year>`): the advisor serving it at the year's end, the
    cadre's rating, and — once the bureau runs it — the score, grade, the rule's reasons and the subsidy.
    Listed per city and year (an area's evaluations, by village)."""
    entity: ClassVar[str] = EVALUATION
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(EVALUATION, "gsi1", by="city"),)
    missing: ClassVar[tuple[str, str]] = ("该村（社区）该年度尚未考核", "evaluation_not_found")

    id: str
    village: str
    year: int
    engagement: str
    person_id: str
    person_name: str
    account: str
    cadre_rating: CadreLevel | None = None
    cadre_by: str | None = None
    cadre_comment: str | None = None
    graded_at: datetime | None = None
    score: Decimal | None = None
    grade: Literal["excellent", "good", "pass", "fail"] | None = None
    reasons: list[ReasonOut] = Field(default_factory=list)
    misconduct: str | None = None
    subsidy: Decimal | None = None
    subsidy_reason: str | None = None

    def place(self, listing: str) -> storage.Place:
        return storage.Place(of=(self.village, self.year), sort=())

    def counts(self) -> dict[str, int]:
        """What this evaluation adds to its area's totals of the year (`EvaluationTotals`)."""
        if self.grade is None:
            return {}
        return {"evaluated": 1, self.grade: 1, "withheld": int(bool(self.misconduct)),
                "subsidy_fen": int((self.subsidy or 0) * 100)}


class EvaluationTotals(storage.Record):
    """An area's (city's, district's) totals of a year's evaluations (`<area>.<year>`): `evaluated`, one
    count per grade, `withheld`, `subsidy_fen` — only ever added to in the evaluations' own transactions."""
    model_config = ConfigDict(extra="allow")
    entity: ClassVar[str] = "advisors-evaluation-totals"
    id: str

    def count(self, name: str) -> int:
        return int((self.model_extra or {}).get(name, 0))


# --- input ------------------------------------------------------------------------------------------

class Strict(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _contract_dates(start: date, end: date) -> None:
    today = today_shanghai()
    if not EARLIEST_START <= start <= plus_years(today, 1):
        raise ValueError(f"start 应在 {EARLIEST_START.isoformat()} 至一年内")
    if end <= start:
        raise ValueError("end 应晚于 start")
    if end > plus_years(start, 5):
        raise ValueError("聘用期不超过 5 年")


class EngagementIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"village": "320481100201", "person_id": "5f2c8e4a9b7d4c1e8a3f6b2d0c9e7a14", "start": "2026-01-01",
         "end": "2028-12-31", "note": "经镇司法所推荐，聘为庆丰村法律顾问"}]})

    village: VillageCode = Field(description="村（社区）代码（12 位）", examples=["320481100201"])
    person_id: str = Field(min_length=1, max_length=64, description="法律顾问在人员名录中的编号（律师或基层法律服务工作者）")
    account: str | None = Field(None, pattern=ACCOUNT_PATTERN,
                                description="法律顾问的登录账号（签到、查看本人记录用）；省略时同人员编号")
    start: date = Field(description="聘用期开始日期")
    end: date = Field(description="聘用期结束日期（含当日）")
    note: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _period(self) -> "EngagementIn":
        _contract_dates(self.start, self.end)
        return self


class RenewalIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"end": "2030-12-31", "version": 2}]})

    end: date = Field(description="续聘后的聘用期结束日期")
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")


class ServicePointIn(Strict):
    name: str = Field(min_length=2, max_length=60, examples=["南渡镇庆丰村公共法律服务工作室"])
    address: str | None = Field(None, max_length=120)
    lat: float = Field(ge=3.0, le=54.0, description="纬度（GCJ-02）", examples=[31.4112])
    lng: float = Field(ge=73.0, le=136.0, description="经度（GCJ-02）", examples=[119.4867])
    version: int | None = Field(None, ge=1, description="修改已登记的服务点时必填（或 If-Match）")


class CheckIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"lat": 31.4113, "lng": 119.4869}]})

    lat: float = Field(ge=-90, le=90, description="纬度（GCJ-02，小程序 wx.getLocation type=gcj02）")
    lng: float = Field(ge=-180, le=180, description="经度（GCJ-02）")
    at: datetime | None = Field(None, description="签到/签退时间（带时区）；省略为现在。离线补传时给出，不得晚于现在")


class EngagementQuery(Strict):
    area: str | None = Field(None, description="区域代码，省略为本人辖区")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class MonthQuery(Strict):
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM，省略为本月")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class ComplianceQuery(MonthQuery):
    area: str | None = Field(None, description="区域代码，省略为本人辖区")


class LogEntryIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"village": "320402001001", "on": "2026-11-18", "duty": "document", "title": "为村两委审核土地流转合同",
         "detail": "审核村集体土地流转合同 1 份，提出修改意见 3 条", "count": 1, "document_kind": "contract"}]})

    village: VillageCode = Field(description="村（社区）代码（12 位）：须是本人受聘的村（社区）", examples=["320402001001"])
    on: date = Field(description="工作日期，不得晚于今天；所在月份的日志锁定后不能再记")
    duty: Duty = Field(description="职责类别：" + "；".join(f"{k} {v}" for k, v in DUTIES.items()))
    title: str = Field(min_length=2, max_length=100, examples=["为村两委审核土地流转合同"])
    detail: str | None = Field(None, max_length=1000)
    count: int = Field(1, ge=1, le=1000, description="数量：法律咨询为人次，其他为场、件、起、条")
    document_kind: Literal["village_rules", "contract", "other"] | None = Field(
        None, description="起草审核法律文书（document）时必填：village_rules 村规民约、contract 合同、other 其他")
    major: bool = Field(False, description="调解（mediation）：重大矛盾纠纷")
    backlog: bool = Field(False, description="调解（mediation）：积案（信访积案、历史遗留纠纷）")

    @model_validator(mode="after")
    def _by_duty(self) -> "LogEntryIn":
        if (self.duty == "document") != (self.document_kind is not None):
            raise ValueError("document_kind 仅且必须在起草审核法律文书（document）时填写")
        if self.duty != "mediation" and (self.major or self.backlog):
            raise ValueError("major、backlog 仅用于调解矛盾纠纷（mediation）")
        return self


class EndIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"on": "2026-11-30", "reason": "法律顾问调离本县执业，经双方协商解除聘用", "version": 3}]})

    on: date = Field(description="解除日期（最后一日），不早于聘用开始、不晚于今天和聘用期结束")
    reason: str = Field(min_length=4, max_length=300, description="解除理由（记入审计）")
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")


class LogEntryEdit(Strict):
    """What the advisor may change of their own entry while its month is open (its day and village stay)."""
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"duty": "consultation", "title": "接待村民婚姻家庭法律咨询", "detail": "涉及离婚财产分割、抚养费", "count": 3,
         "version": 1}]})

    duty: Duty
    title: str = Field(min_length=2, max_length=100)
    detail: str | None = Field(None, max_length=1000)
    count: int = Field(1, ge=1, le=1000)
    document_kind: Literal["village_rules", "contract", "other"] | None = None
    major: bool = False
    backlog: bool = False
    version: int | None = Field(None, ge=1, description="条目的版本（也可用 If-Match 头传递）")

    @model_validator(mode="after")
    def _by_duty(self) -> "LogEntryEdit":
        if (self.duty == "document") != (self.document_kind is not None):
            raise ValueError("document_kind 仅且必须在起草审核法律文书（document）时填写")
        if self.duty != "mediation" and (self.major or self.backlog):
            raise ValueError("major、backlog 仅用于调解矛盾纠纷（mediation）")
        return self


class VerificationIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "已电话回访村委会，服务记录属实", "version": 3}]})
    note: str | None = Field(None, max_length=200, description="核实意见")
    version: int | None = Field(None, ge=1, description="当月日志的版本（也可用 If-Match 头传递）")


class CorrectionIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "11 月 18 日的调解漏记，补记一条",
         "add": {"village": "320402001001", "on": "2026-11-18",
                 "duty": "mediation", "title": "调解相邻通行纠纷", "count": 1}, "version": 4}]})

    reason: str = Field(min_length=4, max_length=300, description="更正理由（记入日志和审计）")
    add: LogEntryIn | None = Field(None, description="补记一条（日期须在该月）")
    withdraw: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{1,40}$", description="撤销的日志条目编号")
    version: int | None = Field(None, ge=1, description="当月日志的版本（也可用 If-Match 头传递）")

    @model_validator(mode="after")
    def _one(self) -> "CorrectionIn":
        if (self.add is None) == (self.withdraw is None):
            raise ValueError("add 与 withdraw 须且只能填写一项")
        return self


class LogQuery(Strict):
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM，省略为本月")
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class CadreRatingIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"rating": "satisfied", "comment": "每月按时驻村，讲座贴近村民需要", "version": 1}]})

    rating: CadreLevel = Field(description="村（社区）干部对法律顾问本年度工作的评价（五级：very_satisfied 非常满意 … "
                                           "very_dissatisfied 非常不满意）")
    comment: str | None = Field(None, max_length=300)
    version: int | None = Field(None, ge=1, description="修改已有评价或考核时必填（或 If-Match）")


class EvaluationIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 1}]})
    misconduct: str | None = Field(None, min_length=4, max_length=300,
                                   description="本年度查实的违规情形（有则不发放补贴）；无则省略")
    version: int | None = Field(None, ge=1, description="重新考核时必填（或 If-Match）")


class EvaluationQuery(Strict):
    area: str | None = Field(None, pattern=r"^\d{4}(\d{2})?$", description="市或区（县）代码，省略为本人辖区")
    year: int | None = Field(None, ge=2015, le=2100, description="考核年度，省略为上一年度")
    limit: int = Field(50, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class ExportIn(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"area": "320481", "year": 2025}]})

    area: str | None = Field(None, pattern=r"^\d{4}(\d{2})?$", description="市或区（县）代码，省略为本人辖区")
    year: int = Field(ge=2015, le=2100, description="考核年度")


# --- output -----------------------------------------------------------------------------------------

class EngagementOut(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "320481100201.5f2c8e4a9b7d4c1e8a3f6b2d0c9e7a14.3b9d2f6a1c8e", "village": "320481100201",
        "person_id": "5f2c8e4a9b7d4c1e8a3f6b2d0c9e7a14", "person_name": "王某某",
        "institution_id": "a4c7e1b9d2f34e6a8b0c1d2e3f4a5b6c", "account": "s-9d1e7b3a5c2f4e8a",
        "start": "2026-01-01", "end": "2028-12-31", "renewals": [], "status": "active", "ended_on": None,
        "checked_in": False, "ratio": {"criterion": "advisors.village_ratio", "met": True,
                                       "reason": "挂钩后共 3 个村（社区），未超过 5 个（常州市）"},
        "version": 1}]})

    id: str
    village: str
    person_id: str
    person_name: str
    institution_id: str | None
    account: str
    start: date
    end: date
    renewals: list[Renewal]
    status: Literal["active", "ended"]
    ended_on: date | None
    checked_in: bool = Field(description="是否已签到未签退")
    ratio: ReasonOut | None = Field(None, description="聘用或续聘时的挂钩数核验结果")
    version: int

    @classmethod
    def of(cls, e: Engagement, ratio: ReasonOut | None = None) -> "EngagementOut":
        return cls(id=e.id, village=e.village, person_id=e.person_id, person_name=e.person_name,
                   institution_id=e.institution_id, account=e.account, start=e.start, end=e.end,
                   renewals=e.renewals, status=e.status, ended_on=e.ended_on, checked_in=e.open_entry is not None,
                   ratio=ratio, version=e.version)


class ServicePointOut(Model):
    village: str
    name: str | None
    address: str | None
    lat: float | None = Field(description="纬度（GCJ-02），仅工作人员可见")
    lng: float | None
    version: int

    @classmethod
    def of(cls, v: Village) -> "ServicePointOut":
        return cls(village=v.id, name=v.point_name, address=v.address, lat=v.lat, lng=v.lng, version=v.version)


class EntryOut(Model):
    id: str
    engagement: str
    village: str
    check_in_at: datetime
    in_distance_m: int | None = Field(description="签到位置距服务点（米）；未登记服务点为空")
    check_out_at: datetime | None
    out_distance_m: int | None
    minutes: int | None
    verified: bool = Field(description="签到、签退均在核验半径内")
    reason: str | None

    @classmethod
    def of(cls, e: Entry) -> "EntryOut":
        return cls(id=e.id, engagement=e.engagement, village=e.village, check_in_at=e.check_in_at,
                   in_distance_m=e.in_distance_m, check_out_at=e.check_out_at, out_distance_m=e.out_distance_m,
                   minutes=e.minutes, verified=e.verified, reason=e.reason)


class VillageMonth(Model):
    village: str
    month: str
    verified_hours: Decimal
    unverified_hours: Decimal
    entries: int
    minimum_hours: Decimal
    met: bool
    reason: str


class ComplianceOut(Model):
    area: str
    month: str
    items: list[VillageMonth]
    next_cursor: str | None = None


class LogEntryOut(Model):
    id: str
    record_id: str = Field(description="附件（照片、文书）关联的记录编号")
    village: str
    account: str
    on: date
    duty: str
    duty_title: str
    title: str
    detail: str | None
    count: int
    document_kind: str | None
    major: bool
    backlog: bool
    correction: str | None = Field(description="局更正补记的理由")
    withdrawn: str | None = Field(description="局更正撤销的理由；撤销的条目不计数")
    version: int

    @classmethod
    def of(cls, e: LogEntry) -> "LogEntryOut":
        return cls(id=e.id, record_id=e.record_id, village=e.village, account=e.account, on=e.on, duty=e.duty,
                   duty_title=DUTIES[e.duty], title=e.title, detail=e.detail, count=e.count,
                   document_kind=e.document_kind, major=e.major, backlog=e.backlog, correction=e.correction,
                   withdrawn=e.withdrawn, version=e.version)


class LogMonthState(Model):
    village: str
    month: str
    status: Literal["open", "locked", "verified"] = Field(description="open 可记；locked 已锁定待核实；verified 已核实")
    locks_on: date = Field(description="锁定日（次月的参数日）")
    entries: int
    totals: dict[str, int] = Field(description="各职责合计（未撤销的条目）")
    verified_by: str | None
    verified_at: datetime | None
    verification_note: str | None
    corrections: list[Correction]
    version: int | None = Field(description="当月日志的版本（核实、更正时用）；尚无记录为空")


class LogMonthOut(LogMonthState):
    items: list[LogEntryOut]
    next_cursor: str | None = None


class LogCorrectionOut(LogMonthState):
    entry: LogEntryOut = Field(description="本次补记或撤销的条目")


class EvaluationOut(Model):
    village: str
    year: int
    engagement: str
    person_id: str
    person_name: str
    cadre_rating: str | None
    cadre_comment: str | None
    status: Literal["rated", "graded"] = Field(description="rated 村干部已评价待考核；graded 已考核")
    score: Decimal | None
    grade: str | None
    grade_title: str | None = Field(description="优秀、良好、合格、不合格")
    reasons: list[ReasonOut] = Field(description="评分规则各项及等次的理由")
    misconduct: str | None
    subsidy: Decimal | None = Field(description="补贴金额（元）")
    subsidy_reason: str | None
    renewal: bool = Field(description="可否续聘（不合格不再续聘）")
    version: int

    @classmethod
    def of(cls, e: Evaluation) -> "EvaluationOut":
        return cls(village=e.village, year=e.year, engagement=e.engagement, person_id=e.person_id,
                   person_name=e.person_name, cadre_rating=e.cadre_rating, cadre_comment=e.cadre_comment,
                   status="graded" if e.grade else "rated", score=e.score, grade=e.grade,
                   grade_title=GRADES[e.grade] if e.grade else None, reasons=e.reasons, misconduct=e.misconduct,
                   subsidy=e.subsidy, subsidy_reason=e.subsidy_reason, renewal=e.grade != "fail", version=e.version)


class EvaluationTotalsOut(Model):
    evaluated: int
    excellent: int
    good: int
    passed: int = Field(description="合格")
    failed: int = Field(description="不合格")
    withheld: int = Field(description="因违规不发放补贴")
    subsidy: Decimal = Field(description="补贴合计（元）")


class EvaluationListOut(Model):
    area: str
    year: int
    totals: EvaluationTotalsOut
    items: list[EvaluationOut]
    next_cursor: str | None = None


class EvaluationExportOut(Model):
    area: str
    year: int
    rows: int = Field(description="导出的已考核村（社区）数")
    file_id: str
    title: str
    download: Download


class LogStatus(Model):
    village: str
    month: str
    status: Literal["open", "locked", "verified"]
    locks_on: date
    entries: int
    verified_by: str | None
    corrections: int
    version: int | None


class LogStatusOut(Model):
    area: str
    month: str
    items: list[LogStatus]
    next_cursor: str | None = None
