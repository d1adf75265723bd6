"""What special populations stores and what its routes take and give (SPEC S1–S5).

A person record holds identity (name; ID number and phone sealed: ciphertext, lookup hash, mask), the grid
they live in, and the dated legal events the categories are derived from — nothing about offences. Output
models are views, one per kind of reader: the full record (corrections officers of the person's district)
and the grid list entry (the assigned grid worker: only what a visit needs).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import ConfigDict, Field, field_validator

from chalicelib.platform import dates, pii, storage
from chalicelib.platform.dates import OnDate, PastDate
from chalicelib.platform.model import Model, vocabulary
from chalicelib.platform.web import PageQuery

ENTITY = "special-populations-person"
ID_ENTITY = "special-populations-id"           # one item per ID number hash: a person is registered once
GRID_LIST_ENTITY = "special-populations-grid-list"  # audit target of grid-list reads
LIST = "special-populations-person"

EVENT_FIELDS = ("judgment_effective", "correction_start", "correction_end", "correction_ended", "prison_release",
                "rehab_release", "reported_on")


class Person(storage.Record):
    """One person of the special populations. Listed under their grid (a city partition, `begins_with` the
    grid or district): the grid worker's list and the officers' district list read it with one Query."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(LIST, "gsi2", by="area"),)
    missing: ClassVar[tuple[str, str]] = ("没有这个人员", "person_not_found")

    id: str
    name: str
    grid: str
    id_cipher: str
    id_hash: str
    id_masked: str
    phone_cipher: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    judgment_effective: date | None = None   # 判决、裁定生效之日（社区矫正法第二十一条报到时限起算）
    correction_start: date | None = None
    correction_end: date | None = None
    correction_ended: date | None = None
    prison_release: date | None = None
    rehab_release: date | None = None
    reported_on: date | None = None          # 报到之日
    last_visit: date | None = None
    registered_on: date
    registered_by: str

    @property
    def district(self) -> str:
        return self.grid[:6]

    def place(self, listing: str) -> storage.Place | None:
        if listing == LIST:
            return storage.Place(of=self.grid, sort=(self.id,))
        return None


class IdClaim(storage.Record):
    """One per ID number (by its lookup hash): created with the person, so a person is registered once."""
    entity: ClassVar[str] = ID_ENTITY
    id: str
    person: str


def _date_field(title: str) -> object:
    return Field(default=None, description=title)


# A correction term's days may lie ahead (its last day years away); every other event has happened.
CORRECTION_YEARS_AHEAD = 20
TermDay = dates.window(years=CORRECTION_YEARS_AHEAD)


class LegalEvents(Model):
    """The dated legal events (all optional; each category needs its own), each checked by its meaning
    (chalicelib.platform.dates): what has happened is a PastDate, the correction term a TermDay."""
    model_config = ConfigDict(extra="forbid")
    judgment_effective: PastDate | None = _date_field("判决、裁定生效之日")
    correction_start: TermDay | None = _date_field("社区矫正期起始日")
    correction_end: TermDay | None = _date_field("社区矫正期满日（“至…止”，含当日）")
    correction_ended: PastDate | None = _date_field("解除社区矫正之日（提前解除时填写）")
    prison_release: PastDate | None = _date_field("刑满释放之日")
    rehab_release: PastDate | None = _date_field("解除强制隔离戒毒之日")
    reported_on: PastDate | None = _date_field("到社区矫正机构报到之日")


class SpecialPersonIn(LegalEvents):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=30, description="姓名", examples=["赵某"])
    id_number: pii.IdNumber = Field(max_length=30, description="18 位公民身份号码（加密保存，只显示掩码）",
                                    examples=["320402198507150012"])
    phone: str | None = Field(default=None, max_length=20, description="联系电话（加密保存，只显示掩码）")
    grid: str = Field(pattern=r"^\d{15}$", description="居住地所在网格代码（15 位）", examples=["320402001001001"])

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return pii.normalize_phone(value) if value else None


class SpecialPersonChange(LegalEvents):
    """A correction of the dated events or the grid (If-Match or `version` required). Only the fields sent
    change; `null` clears a date."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"grid": "320402001001002", "reported_on": "2026-11-20", "version": 2}]})
    grid: str | None = Field(default=None, pattern=r"^\d{15}$", description="居住地所在网格代码")
    version: int | None = Field(default=None, ge=1, description="记录版本（或用 If-Match）")


class SpecialCategoryOut(Model):
    code: str = Field(description="community_correction | resettlement | aftercare")
    title: str
    met: bool = Field(description="当日是否属于该类")
    label: str = Field(description="如“安置帮教（至 2026-03-15）”")
    reason: str
    since: date | None
    until: date | None = Field(description="当前连续属于该类的最后一日")
    entering_on: date | None = Field(description="提示期内将进入该类的日期")
    leaving_on: date | None = Field(description="提示期内将离开该类的日期（至日的次日）")

    @classmethod
    def of(cls, s) -> "SpecialCategoryOut":
        return cls(code=s.category, title=s.title, met=s.met, label=s.label, reason=s.reason, since=s.since,
                   until=s.until, entering_on=s.changes_on if s.entering else None,
                   leaving_on=s.changes_on if s.leaving else None)


class SpecialPersonOut(Model):
    """The full record: corrections officers of the person's district (each read audited); an account the
    district granted access reads it with the numbers masked."""
    id: str
    name: str
    grid: str
    id_number: str = Field(description="身份证号：本区社区矫正工作人员为完整号码（履职所需，读取已记入审计）；依授权查阅为掩码")
    phone: str | None = Field(description="电话：本区社区矫正工作人员为完整号码；依授权查阅为掩码")
    judgment_effective: date | None
    correction_start: date | None
    correction_end: date | None
    correction_ended: date | None
    prison_release: date | None
    rehab_release: date | None
    reported_on: date | None
    last_visit: date | None
    report_in_due: date | None = Field(description="社区矫正对象报到的最后一日（社区矫正法第二十一条）")
    report_in_missed: bool = Field(description="判断日已过报到期限而未报到，或逾期报到")
    as_of: date
    categories: list[SpecialCategoryOut] = Field(description="三类人员的当日判断（含不属于的类别及原因）")
    version: int
    created_at: datetime


class GridVisitEntry(Model):
    """What a grid worker sees of one person (SPEC S2): only what a visit needs."""
    id: str
    name: str
    phone_masked: str | None
    categories: list[str] = Field(description="当日所属类别，如“安置帮教（至 2026-03-15）”")
    until: date = Field(description="最晚的类别截止日")
    next_visit_due: date = Field(description="上次走访（尚未走访的，登记之日）加所属类别中最短的走访间隔")


class JudgedOnQuery(Model):
    model_config = ConfigDict(extra="forbid")
    on: OnDate | None = Field(default=None, description="判断日期（默认今日）")


class GridListQuery(PageQuery):
    grid: str | None = Field(default=None, pattern=r"^\d{15}$", description="网格代码（默认：本人负责的网格）")


# --- visits and help (S3) ------------------------------------------------------------------------------

HELP_KINDS = {
    "social_insurance": "社会保险", "minimum_living": "最低生活保障", "destitute_support": "特困人员供养",
    "medical_aid": "医疗救助", "temporary_aid": "临时救助", "job_guidance": "就业指引",
    "legal_services": "法律服务（法律咨询、人民调解、法律援助）",
}
HELP_STATUSES = {"requested": "已提出", "referred": "已转介", "granted": "已落实", "refused": "未获批准"}
HelpKind = vocabulary(lambda: HELP_KINDS, "帮扶事项")
HelpStatus = vocabulary(lambda: HELP_STATUSES, "帮扶进展")


LEGAL_SERVICES = "legal_services"


class HelpIn(Model):
    """Help asked for or arranged during a visit (seeds/000 item 8), and where it stands. Legal services go
    through an intake ticket (S3): `need` is what the ticket says, in the person's words — never their
    category or anything about an offence (the ticket is read by the staff of the grid's area)."""
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: HelpKind = Field(examples=["job_guidance"])
    status: HelpStatus = "requested"
    referred_to: str | None = Field(default=None, max_length=60, description="转介的部门或机构")
    outcome: str | None = Field(default=None, max_length=200, description="结果")
    need: str | None = Field(default=None, min_length=2, max_length=500,
                             description="法律服务需求（kind 为 legal_services 时必填，写入代为登记的受理事项；不写身份类别和案情）")


class Help(HelpIn):
    """The help as stored: with the code of the intake ticket opened for legal services (set by the
    service, never by a client)."""
    model_config = ConfigDict(extra="ignore")
    ticket: str | None = None


class HelpOut(Help):
    ticket_status: str | None = Field(default=None, description="受理事项的当前状态（如“已受理，正在办理”）")


class Visit(storage.Record):
    """A visit, kept in the person's own partition: the person's visits are one Query, and nothing about them
    is listed anywhere else. Its id starts with its day (`2026-11-29-<hex>`), so the partition sorts by day
    and a visit is found from its id alone."""
    entity: ClassVar[str] = "special-populations-visit"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(ENTITY, "table"),)
    missing: ClassVar[tuple[str, str]] = ("没有这次走访记录", "visit_not_found")

    id: str
    person: str
    day: date
    by: str
    by_role: str
    situation: str
    education: str | None = None
    help: list[Help] = []

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.person, sort=("visit", self.id))


class VisitsHead(storage.Record):
    """The person's grid, kept at the head of their visits (sorting after every visit, so it is the first item
    of the visits' Query, newest first): the first page's access check needs no read of the person. Written
    with the person and with every correction of their grid, in that transaction; a person without one
    (registered before it was kept) is read as before."""
    entity: ClassVar[str] = "special-populations-visits-head"
    key_fields: ClassVar[tuple[str, ...]] = ("person",)
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(ENTITY, "table"),)

    person: str
    grid: str

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.person, sort=("visit", "~"))  # after every visit id (`<day>-<hex>`)

    @classmethod
    def op(cls, person: str, grid: str) -> dict:
        """The transaction op writing it (whether or not one exists): it follows the person's own write."""
        return storage.put_op(cls(person=person, grid=grid).to_item(), must_not_exist=False)


class VisitIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    day: PastDate = Field(description="走访日期（不晚于今日）", examples=["2026-11-20"])
    situation: str = Field(min_length=1, max_length=500, description="了解到的思想、生活、就业等情况（不写案情）",
                           examples=["在物流公司做分拣，收入稳定，与家人关系融洽"])
    education: str | None = Field(default=None, max_length=500, description="开展的教育（形势政策、法律法规、思想道德）")
    help: list[HelpIn] = Field(default_factory=list, max_length=10, description="提出或转介的帮扶事项")


class HelpChange(Model):
    """The help of a visit as it stands now (its progress and outcome); If-Match or `version` required."""
    model_config = ConfigDict(extra="forbid")
    help: list[HelpIn] = Field(max_length=10)
    version: int | None = Field(default=None, ge=1, description="记录版本（或用 If-Match）")


class VisitOut(Model):
    id: str
    person: str
    day: date
    by: str
    by_role: str
    situation: str
    education: str | None
    help: list[HelpOut]
    created_at: datetime
    version: int

    @classmethod
    def of(cls, visit: Visit, ticket_statuses: dict[str, str] | None = None) -> "VisitOut":
        """The visit, its legal-services help showing the ticket's status now (`ticket_statuses`: code → title)."""
        statuses = ticket_statuses or {}
        help = [HelpOut(**h.model_dump(), ticket_status=statuses.get(h.ticket or "")) for h in visit.help]
        return cls(id=visit.id, person=visit.person, day=visit.day, by=visit.by, by_role=visit.by_role,
                   situation=visit.situation, education=visit.education, help=help,
                   created_at=visit.created_at, version=visit.version)


class RosterEntry(Model):
    """A line of a district's roster (corrections officers): masked numbers, today's categories."""
    id: str
    name: str
    grid: str
    id_masked: str
    phone_masked: str | None
    categories: list[str] = Field(description="当日所属类别，如“社区矫正（至 2027-06-30）”；空表示当日不属于任何类别")
    report_in_missed: bool


class RosterQuery(PageQuery):
    area: str | None = Field(default=None, pattern=r"^\d{6}(\d{3}){0,2}(\d{3})?$",
                             description="区、街道、社区或网格代码（默认：本人辖区）")


# --- access granted by a district to a bureau account (S5) -------------------------------------------------

GRANT_ENTITY = "special-populations-grant"
GRANTS = "special-populations-grant"          # a district's grants, newest period last (area list)
HELD = "special-populations-grant-held"       # the grants an account holds, by last day (owner list)
GRANT_STATUSES = {"active": "有效", "revoked": "已撤销"}


class Grant(storage.Record):
    """A district's corrections officer lets one named bureau staff account read the district's full records
    for a stated reason until a day (S5: "not the bureau's general admins unless the district grants it").
    The holder's list keeps only grants not revoked; expiry is judged on the day of each read."""
    entity: ClassVar[str] = GRANT_ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(GRANTS, "gsi2", by="area"),
                                                   storage.Listing(HELD, "gsi1", by="owner"))
    missing: ClassVar[tuple[str, str]] = ("没有这项授权", "grant_not_found")

    id: str
    district: str
    grantee: str
    grantee_area: str                         # the account's area when granted: a move elsewhere ends the grant
    reason: str
    valid_from: date
    valid_until: date                         # the last day access is granted (inclusive)
    granted_by: str
    status: str = "active"
    revoked_by: str | None = None
    revoked_on: date | None = None
    revoke_reason: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == GRANTS:
            return storage.Place(of=self.district, sort=(self.id,))
        if listing == HELD and self.status == "active":
            # the last day in the key: the holder's reads skip expired grants in the Query itself
            return storage.Place(of=self.grantee, sort=(self.district, self.valid_until, self.id))
        return None

    def valid_on(self, day: date) -> bool:
        return self.status == "active" and self.valid_from <= day <= self.valid_until


class GrantIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    grantee: str = Field(min_length=3, max_length=64, description="被授权的市局工作人员账号（s-…）",
                         examples=["s-3f1c0b2e"])
    reason: str = Field(min_length=4, max_length=200, description="授权事由（如“市局执法检查”）", examples=["市局执法检查"])
    # A plan whose horizon is a policy parameter (the longest grant): the service checks it with the grantee.
    valid_until: date = Field(description="授权的最后一日（含当日；不超过授权最长天数）",
                              examples=[dates.example_ahead(3)])
    district: str | None = Field(default=None, pattern=r"^\d{6}$", description="区代码（默认：本人所在区）")


class RevokeIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=2, max_length=200, description="撤销原因", examples=["检查已结束"])
    version: int | None = Field(default=None, ge=1, description="记录版本（或用 If-Match）")


class GrantOut(Model):
    id: str
    district: str
    grantee: str
    grantee_area: str | None = None           # the account's area when granted: a move elsewhere ends the grant
    reason: str
    valid_from: date
    valid_until: date
    granted_by: str
    status: str = Field(description="active | revoked")
    status_title: str = Field(description="有效 / 已到期 / 已撤销（按今日判断）")
    revoked_by: str | None
    revoked_on: date | None
    revoke_reason: str | None
    version: int
    created_at: datetime

    @classmethod
    def of(cls, grant: Grant, today: date) -> "GrantOut":
        title = GRANT_STATUSES[grant.status] if grant.status != "active" or today <= grant.valid_until else "已到期"
        return cls(id=grant.id, district=grant.district, grantee=grant.grantee, grantee_area=grant.grantee_area,
                   reason=grant.reason,
                   valid_from=grant.valid_from, valid_until=grant.valid_until, granted_by=grant.granted_by,
                   status=grant.status, status_title=title, revoked_by=grant.revoked_by,
                   revoked_on=grant.revoked_on, revoke_reason=grant.revoke_reason, version=grant.version,
                   created_at=grant.created_at)


class GrantQuery(PageQuery):
    district: str | None = Field(default=None, pattern=r"^\d{6}$", description="区代码（默认：本人所在区）")
