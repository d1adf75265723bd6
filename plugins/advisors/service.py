"""The rules of the village legal advisors (SPEC V1, V2), with no HTTP. Every function takes the caller and
the parsed input and raises problems naming fields relative to its input.

Who may do what (CONTRACT "Identity and access"; the rows are in proof.py):
- bureau administrators engage advisors for the villages of their area, renew them, record a village's
  service point, and read everything of their area;
- a grid worker reads the engagements, entries and monthly hours of their own village;
- the advisor (the engagement's sign-in account) reads their own engagements and entries and checks in
  and out; nobody else learns an engagement exists (404). Residents have no route here.

An engagement makes the advisor the village's `legal_advisor` of the coverage (C3) — the core's role, who
answers 法律咨询 on every grid's board (C4) — through the core's `coverage.filling`, in the engagement's
own transaction.
"""
from __future__ import annotations

import calendar
import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from chalicelib.domain.areas.models import Area
from chalicelib.domain.areas.service import boards_changed
from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.coverage.models import Assignment
from chalicelib.domain.ledgers import counters
from chalicelib.domain.directory.models import Person
from chalicelib.domain.policy import service as policy
from chalicelib.domain.screening import tallies
from chalicelib.plugin import DemoContext
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc, plus_years, to_shanghai, today_shanghai
from chalicelib.platform.rules import Result
from plugins.advisors import criteria, params, screening
from plugins.advisors.models import (
    ADVISOR_DUTIES, BY_ACCOUNT, COVER, DUTIES, BY_AREA, COVERAGE_ROLE, ENGAGEMENT, ENTRY, LOG, LOG_ENTRY, VILLAGE, VILLAGES,
    Advisor, ComplianceOut, Correction, CorrectionIn, Engagement, EngagementIn, EngagementOut, Entry, EntryOut,
    CheckIn, EndIn, Hours, LogCorrectionOut, LogEntry, LogEntryEdit, LogEntryIn, LogEntryOut, LogMonth, LogMonthOut,
    LogMonthState, LogStatus, LogStatusOut, Period, ReasonOut, Renewal, RenewalIn,
    ServicePointIn, Slot, Village, VillageMonth,
)


# --- who may read what ------------------------------------------------------------------------------

def _admin_over(caller: Caller, village: str) -> bool:
    return caller.is_admin and caller.covers(village)


def _of_village(caller: Caller, village: str) -> bool:
    """A grid worker of the village: their grid is in it (or their area is above it)."""
    area = caller.area or ""
    return "grid_worker" in caller.roles and bool(area) and (area.startswith(village) or village.startswith(area))


def _reads(caller: Caller, engagement: Engagement) -> bool:
    return (caller.sub == engagement.account or _admin_over(caller, engagement.village)
            or _of_village(caller, engagement.village))


def get(caller: Caller, engagement_id: str) -> Engagement:
    """The engagement, for its advisor, the administrators over its village and the village's grid workers;
    to anyone else it does not exist (404)."""
    engagement = storage.require(Engagement, engagement_id)
    if not _reads(caller, engagement):
        raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
    return engagement


class Read:
    """An engagement read with what a change of it decides on — its advisor's and its village's records and
    the rules in force at the village (`names`) — in one BatchGetItem: the engagement's id names them."""

    def __init__(self, engagement_id: str, names: tuple[str, ...] = ()) -> None:
        named = Engagement.named(engagement_id)
        if named is None:
            raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
        village, person = named
        self.found = storage.find_each({Engagement: [engagement_id], Advisor: [person], Village: [village],
                                        **params.along(names, village)})
        engagement: Engagement | None = self.found[Engagement].get(engagement_id)
        if engagement is None:
            raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
        self.engagement = engagement
        self.advisor: Advisor = self.found[Advisor].get(person) or Advisor(id=person)
        self.village: Village = self.found[Village].get(village) or Village(id=village)

    def rule(self, name: str, on: date) -> policy.InForce:
        return params.in_force(self.found, name, self.engagement.village, on)

    def own(self, caller: Caller) -> Read:
        """The caller's own engagement (they are its advisor); anyone else's is a 404."""
        if caller.sub != self.engagement.account:
            if _reads(caller, self.engagement):
                raise Forbidden("只有该村（社区）的法律顾问本人可以签到、签退", code="not_the_advisor")
            raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
        return self

    def administered(self, caller: Caller) -> Read:
        if not _reads(caller, self.engagement):
            raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
        if not _admin_over(caller, self.engagement.village):
            raise Forbidden("只有辖区司法行政管理员可以办理聘用、续聘", code="admin_only")
        return self


# --- engagements (V1) -------------------------------------------------------------------------------

def _overlapping(slots: dict[str, Slot], period: Period, *, leaving_out: str | None = None) -> dict[str, Slot]:
    return {i: s for i, s in slots.items() if i != leaving_out and s.period.overlaps(period)}


def _ratio(serving: dict[str, Slot], limit: policy.InForce, on: date) -> Result:
    """SPEC V1: the advisor's villages in overlapping periods, against the maximum in force at the village
    on the contract's first day (`limit`). A refusal is a 422 naming `loc`, with the rule's reason."""
    facts = criteria.RatioFacts(serving=tuple(sorted({s.village for s in serving.values()})),
                                limit=int(limit.value), limit_text=limit.describe())
    return criteria.village_ratio.evaluate(facts, on)


def _refuse_ratio(result: Result, loc: list[str]) -> None:
    if not result.met:
        raise Unprocessable(result.reason, code="advisor_ratio_exceeded", errors=field_error(loc, result.reason))


def _village_free(village: Village | None, period: Period, loc: list[str], *, leaving_out: str | None = None) -> None:
    taken = _overlapping(village.engagements if village else {}, period, leaving_out=leaving_out)
    if taken:
        other = next(iter(taken.values()))
        raise Conflict(f"村（社区）{village.id} 在 {other.start.isoformat()} 至 {other.end.isoformat()} 已有法律顾问"
                       f"（一村一法律顾问）", code="village_has_advisor",
                       errors=field_error(loc, "该期间已有法律顾问"))


def _save(record: storage.Record | None, new: storage.Record, changes: dict) -> tuple[storage.Record, dict]:
    """The op writing `new` when `record` did not exist, else updating `record` by version."""
    if record is None:
        storage.stamp_new(new)
        return new, storage.put_op(new.to_item())
    return storage.prepare_update(record, changes, expected_version=record.version)


def engage(caller: Caller, data: EngagementIn, *, engagement_id: str | None = None) -> tuple[Engagement, Result]:
    """SPEC V1: an advisor (a lawyer or grassroots legal worker of the directory) engaged for a village for a
    contract period. Refused: a village outside the caller's area (403), an unknown village or person (422),
    a village that has an advisor in an overlapping period (409), an advisor who would serve more villages
    than the area allows (422 naming `person_id`, the rule's reason). One read (BatchGetItem: the area, the
    person, the advisor's and the village's records, the coverage assignment and the ratio rule's
    timelines) and one transaction: the engagement, the advisor's and the village's records (by version), the coverage
    assignment and the audit entries."""
    require_covers(caller, data.village, ["village"])
    if not caller.is_admin:
        raise Forbidden("只有辖区司法行政管理员可以聘用法律顾问", code="admin_only")
    cover_id = Assignment.id_for(COVERAGE_ROLE, data.village, "person", data.person_id)
    found = storage.find_each({Area: [data.village], Person: [data.person_id], Advisor: [data.person_id],
                               Village: [data.village], Assignment: [cover_id],
                               **params.along([params.MAX_VILLAGES], data.village)})
    area = found[Area].get(data.village)
    if area is None or area.level != "village" or area.status != "active":
        raise Unprocessable(f"村（社区）{data.village} 不存在", code="area_not_found",
                            errors=field_error(["village"], "村（社区）不存在"))
    person = found[Person].get(data.person_id)
    if person is None or person.status != "active" or not caller.covers(person.home_area[:4]) \
            or not set(person.roles) & set(ADVISOR_DUTIES):
        raise Unprocessable(f"人员名录中没有可聘为法律顾问的人员 {data.person_id}（须为律师或基层法律服务工作者）",
                            code="advisor_not_found", errors=field_error(["person_id"], "不是名录中的律师或基层法律服务工作者"))
    period = Period(start=data.start, end=data.end)
    village: Village | None = found[Village].get(data.village)
    _village_free(village, period, ["village"])
    advisor: Advisor | None = found[Advisor].get(data.person_id)
    ratio = _ratio(_overlapping(advisor.engagements if advisor else {}, period),
                   params.in_force(found, params.MAX_VILLAGES, data.village, data.start), data.start)
    _refuse_ratio(ratio, ["person_id"])

    account = data.account or person.id
    engagement = storage.stamp_new(Engagement(
        id=engagement_id or Engagement.id_for(data.village, person.id, uuid.uuid4().hex[:12]), village=data.village, person_id=person.id, person_name=person.name,
        institution_id=person.institution_id, account=account, start=data.start, end=data.end, note=data.note))
    slot = Slot(village=data.village, person_id=person.id, account=account, start=data.start, end=data.end,
                person_name=person.name)
    _, advisor_op = _save(advisor, Advisor(id=person.id, engagements={engagement.id: slot}),
                          {"engagements": {**(advisor.engagements if advisor else {}), engagement.id: slot}})
    _, village_op = _save(village, Village(id=data.village, engagements={engagement.id: slot}),
                          {"engagements": {**(village.engagements if village else {}), engagement.id: slot}})
    summary = (f"聘用人员 {person.id} 为「{area.name}」法律顾问（{data.start.isoformat()} 至 {data.end.isoformat()}）："
               f"{ratio.reason}")
    return storage.put_new(engagement, also=[
        advisor_op, village_op, *coverage.filling(caller.actor, coverage.role_named(COVERAGE_ROLE, ["village"]), area,
                                                  "person", person.id, existing=found[Assignment].get(cover_id),
                                                  note="村（社区）法律顾问聘用", demo=person.demo)[1],
        *screening.engaged_ops(data.village, engagement.id, data.end, 1),
        audit.entry(caller.actor, "create", ENGAGEMENT, engagement.id, summary)]), ratio


def renew(caller: Caller, engagement_id: str, data: RenewalIn, expected_version: int) -> tuple[Engagement, Result]:
    """Renewal 续聘: the contract's end moves later (the history kept). The village must stay free and the
    advisor within the ratio over the longer period (the rule in force on the renewal's first day). One
    BatchGetItem (the engagement, the advisor's and the village's records, the ratio rule), one transaction."""
    read = Read(engagement_id, (params.MAX_VILLAGES,)).administered(caller)
    engagement, advisor, village = read.engagement, read.advisor, read.village
    if engagement.status != "active":
        raise Conflict("该聘用已解除，不能续聘", code="engagement_ended")
    if engagement.renewal_barred:
        raise Conflict(f"{engagement.renewal_barred}，不再续聘", code="renewal_barred",
                       errors=field_error(["end"], engagement.renewal_barred))
    if engagement.version != expected_version:
        raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version")
    if data.end <= engagement.end or data.end > plus_years(engagement.end, 5):
        raise Unprocessable(f"续聘后的结束日期应晚于 {engagement.end.isoformat()}，且不超过 5 年",
                            code="invalid_renewal", errors=field_error(["end"], "应晚于现聘用期结束日期"))
    added = Period(start=engagement.end + timedelta(days=1), end=data.end)
    _village_free(village, added, ["end"], leaving_out=engagement.id)
    ratio = _ratio(_overlapping(advisor.engagements, added, leaving_out=engagement.id),
                   read.rule(params.MAX_VILLAGES, added.start), added.start)
    _refuse_ratio(ratio, ["end"])
    slot = advisor.engagements[engagement.id].model_copy(update={"end": data.end})
    renewal = Renewal(previous_end=engagement.end, end=data.end, on=today_shanghai(), by=caller.sub)
    _, advisor_op = storage.prepare_update(advisor, {"engagements": {**advisor.engagements, engagement.id: slot}},
                                           expected_version=advisor.version)
    _, village_op = storage.prepare_update(village, {"engagements": {**village.engagements, engagement.id: slot}},
                                           expected_version=village.version)
    updated = storage.update(engagement, {"end": data.end, "renewals": [*engagement.renewals, renewal]},
                             expected_version=expected_version, also=[
                                 advisor_op, village_op, *boards_changed(engagement.village),
                                 *_moved_end(engagement, data.end),
                                 audit.entry(caller.actor, "update", ENGAGEMENT, engagement.id,
                                             f"续聘至 {data.end.isoformat()}：{ratio.reason}",
                                             {"end": {"from": engagement.end.isoformat(), "to": data.end.isoformat()}})])
    return updated, ratio


def _moved_end(engagement: Engagement, end: date) -> list[dict]:
    """The contract-end tally (screening) follows a renewal: out of the old end's month, into the new one's."""
    return [screening.end_op(engagement.village, engagement.id, engagement.end, -1),
            screening.end_op(engagement.village, engagement.id, end, 1)]


def end(caller: Caller, engagement_id: str, data: EndIn, expected_version: int) -> Engagement:
    """解除聘用: the engagement ends on a day (its last), with the reason: the advisor's and the village's slots
    end then (the village is free after it), the advisor stops being the village's `legal_advisor` of the
    coverage (`coverage.vacating`) unless another of their engagements there runs on, and the screening's
    tallies forget it — one BatchGetItem (the engagement, the advisor's and the village's records), one
    transaction, the village's record by the version that decided the coverage. Refused: an engagement already ended or checked in (409), a day outside its period or in
    the future (422 naming `on`), a stale version (409)."""
    read = Read(engagement_id).administered(caller)
    engagement, village = read.engagement, read.village
    if engagement.status != "active":
        raise Conflict("该聘用已解除", code="engagement_ended")
    if engagement.open_entry is not None:
        raise Conflict("法律顾问已签到尚未签退，请签退后再解除", code="checked_in")
    if not engagement.start <= data.on <= min(engagement.end, today_shanghai()):
        raise Unprocessable("解除日期应在聘用期内且不晚于今天", code="invalid_end",
                            errors=field_error(["on"], "应在聘用期内且不晚于今天"))
    advisor_op = storage.amend(Advisor, engagement.person_id, set_={("engagements", engagement.id, "end"): data.on},
                               add={"version": 1})
    _, village_op = storage.prepare_update(village, {"engagements": _ending(village.engagements, engagement.id, data.on)},
                                           expected_version=village.version)
    # The person stays the village's legal advisor of the coverage while another of their engagements there
    # runs past this one's end (engagements of a village never overlap: such a one follows this one).
    serves_on = any(i != engagement.id and s.person_id == engagement.person_id and s.end > data.on
                    for i, s in village.engagements.items())
    return storage.update(engagement, {"status": "ended", "ended_on": data.on, "end_reason": data.reason},
                          expected_version=expected_version, also=[
        advisor_op, village_op,
        *([] if serves_on else coverage.vacating(caller.actor, COVERAGE_ROLE, engagement.village, "person",
                                                 engagement.person_id)),
        *screening.engaged_ops(engagement.village, engagement.id, engagement.end, -1),
        audit.entry(caller.actor, "update", ENGAGEMENT, engagement.id, f"解除聘用（{data.on.isoformat()} 止）：{data.reason}",
                    {"status": {"from": "active", "to": "ended"}})])


def _ending(slots: dict[str, Slot], engagement_id: str, on: date) -> dict[str, Slot]:
    return {i: (s.model_copy(update={"end": on}) if i == engagement_id else s) for i, s in slots.items()}


def reason_out(result: Result, name: str) -> ReasonOut:
    return ReasonOut(criterion=name, met=result.met, reason=result.reason)


def _scope(caller: Caller, area: str | None) -> str:
    """The area a list reads: an administrator's (or an area under it); a grid worker's own village."""
    if caller.is_admin:
        scope = area or caller.area or ""
        require_covers(caller, scope, ["area"])
        if len(scope) < 4:
            raise Unprocessable("请选择市级或以下区域", code="area_too_large",
                                errors=field_error(["area"], "请选择市级或以下区域"))
        return scope
    own = (caller.area or "")[:12]
    scope = area or own
    if len(own) < 12 or not _of_village(caller, scope) or len(scope) < 12:
        raise Forbidden("网格员只能查看本村（社区）的法律顾问", code="outside_jurisdiction",
                        errors=field_error(["area"], "不是您所在的村（社区）"))
    return scope


def in_area(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[EngagementOut]:
    page = storage.page(Engagement, BY_AREA, _scope(caller, area), limit=limit, cursor=cursor)
    return Page[EngagementOut](items=[EngagementOut.of(Engagement.from_item(i)) for i in page.items],
                               next_cursor=page.next_cursor)


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[EngagementOut]:
    page = storage.page(Engagement, BY_ACCOUNT, caller.sub, limit=limit, cursor=cursor, newest_first=True)
    return Page[EngagementOut](items=[EngagementOut.of(Engagement.from_item(i)) for i in page.items],
                               next_cursor=page.next_cursor)


# --- the village's service point ---------------------------------------------------------------------

def set_point(caller: Caller, code: str, data: ServicePointIn, expected_version: int | None) -> Village:
    """The village's service point and its GCJ-02 location (the core's area record has none): kept on the
    service's own record of the village, created here or with its first engagement."""
    require_covers(caller, code, ["code"])
    found = storage.find_each({Area: [code], Village: [code]})
    area = found[Area].get(code)
    if area is None or area.level != "village":
        raise NotFound(f"村（社区）{code} 不存在", code="area_not_found")
    village: Village | None = found[Village].get(code)
    fields = {"point_name": data.name, "address": data.address, "lat": data.lat, "lng": data.lng}
    summary = f"登记「{area.name}」法律顾问服务点：{data.name}"
    if village is None:
        return storage.put_new(Village(id=code, **fields), also=[audit.entry(caller.actor, "create", VILLAGE, code, summary)])
    if expected_version is None:
        raise Unprocessable("修改已登记的服务点需提供记录版本（If-Match 或 version）", code="version_required",
                            errors=field_error(["version"], "必填项"))
    return storage.update(village, fields, expected_version=expected_version,
                          also=[audit.entry(caller.actor, "update", VILLAGE, code, summary)])


def get_point(caller: Caller, code: str) -> Village:
    """The service point, for the village's administrators, grid workers and advisors (staff only)."""
    village = storage.read(Village, code) if len(code) == 12 and code.isdigit() else None
    advisors = {s.account for s in village.engagements.values()} if village else set()
    if village is None or not (_admin_over(caller, code) or _of_village(caller, code) or caller.sub in advisors):
        raise NotFound(Village.missing[0], code=Village.missing[1])
    return village


# --- on-site hours (V2) -------------------------------------------------------------------------------

def _moment(at: datetime | None, loc: list[str]) -> datetime:
    now = now_utc()
    if at is None:
        return now
    if at.tzinfo is None:
        raise Unprocessable("时间须带时区", code="validation_failed", errors=field_error(loc, "时间须带时区"))
    if at > now:
        raise Unprocessable("签到、签退时间不得晚于现在", code="entry_in_future", errors=field_error(loc, "不得晚于现在"))
    return at


def _placed(read: Read, data: CheckIn, on: date) -> tuple[int | None, Result]:
    """How far the caller stands from the village's service point, and whether that is on site (the radius
    in force at the village that day)."""
    radius, village = int(read.rule(params.CHECK_IN_RADIUS, on).value), read.village
    distance = (criteria.distance_m(data.lat, data.lng, village.lat, village.lng)
                if village is not None and village.lat is not None and village.lng is not None else None)
    return distance, criteria.on_site.evaluate(criteria.PlaceFacts(distance_m=distance, radius_m=radius), on)


def check_in(caller: Caller, engagement_id: str, data: CheckIn, *, entry_id: str | None = None) -> Entry:
    """The advisor arrives at the village: an entry opens. One far from the service point is recorded
    unverified with its distance, not refused. Refused, naming `at`: a time in the future or outside the
    contract period, an entry already open (409), a time before the end of the advisor's last entry
    (entries do not overlap, whichever village). One BatchGetItem (the engagement, the advisor's on-site
    state, the village's service point, the radius in force), one transaction."""
    read = Read(engagement_id, (params.CHECK_IN_RADIUS,)).own(caller)
    engagement, advisor = read.engagement, read.advisor
    at = _moment(data.at, ["at"])
    day = to_shanghai(at).date()
    if engagement.status != "active" or not engagement.start <= day <= engagement.end:
        raise Unprocessable(f"{day.isoformat()} 不在聘用期（{engagement.start.isoformat()} 至 {engagement.end.isoformat()}）内",
                            code="outside_contract", errors=field_error(["at"], "不在聘用期内"))
    if advisor.open_entry is not None:
        raise Conflict("已签到尚未签退，请先签退", code="already_checked_in", errors=field_error(["at"], "已有未签退的签到"))
    if advisor.last_out is not None and at < advisor.last_out:
        raise Unprocessable(f"与已记录的驻点时间重叠（上次签退 {to_shanghai(advisor.last_out).isoformat()}）",
                            code="overlapping_entry", errors=field_error(["at"], "与已有驻点记录重叠"))
    distance, placed = _placed(read, data, day)
    local = to_shanghai(at)
    entry = storage.stamp_new(Entry(
        id=entry_id or f"{local:%Y-%m-%d-%H%M}-{uuid.uuid4().hex[:8]}", engagement=engagement.id,
        village=engagement.village, account=engagement.account, check_in_at=at, in_distance_m=distance,
        in_verified=placed.met, reason=placed.reason))
    pointer = f"{engagement.id}/{entry.id}"
    _, engagement_op = storage.prepare_update(engagement, {"open_entry": entry.id}, expected_version=engagement.version)
    _, advisor_op = storage.prepare_update(advisor, {"open_entry": pointer, "open": entry},
                                           expected_version=advisor.version)
    return storage.put_new(entry, also=[engagement_op, advisor_op, audit.entry(
        caller.actor, "create", ENTRY, pointer, f"驻点签到：{placed.reason}")])


def check_out(caller: Caller, engagement_id: str, data: CheckIn) -> Entry:
    """The advisor leaves: the open entry closes with its minutes, and the village's month counts them
    (verified when both ends were within the radius). Refused, naming `at`: no open check-in, a time in
    the future or before the check-in. One BatchGetItem (the engagement, the advisor's on-site state with
    the open entry as its check-in wrote it, the village's service point, the radius in force), one
    transaction: the entry is updated by the version it was written at."""
    read = Read(engagement_id, (params.CHECK_IN_RADIUS,)).own(caller)
    engagement, advisor = read.engagement, read.advisor
    entry = advisor.open
    if engagement.open_entry is None or entry is None or entry.id != engagement.open_entry:
        raise Unprocessable("没有未签退的签到，请先签到", code="not_checked_in", errors=field_error(["at"], "尚未签到"))
    at = _moment(data.at, ["at"])
    if at < entry.check_in_at:
        raise Unprocessable("签退时间不得早于签到时间", code="check_out_before_check_in",
                            errors=field_error(["at"], "早于签到时间"))
    distance, placed = _placed(read, data, to_shanghai(at).date())
    minutes = int((at - entry.check_in_at).total_seconds() // 60)
    verified = entry.in_verified and placed.met
    reason = "签到、签退均在服务点核验范围内" if verified else (
        entry.reason if not entry.in_verified else f"签退{placed.reason}")
    updated, entry_op = storage.prepare_update(entry, {
        "check_out_at": at, "out_distance_m": distance, "out_verified": placed.met, "minutes": minutes,
        "reason": reason}, expected_version=entry.version)
    _, engagement_op = storage.prepare_update(engagement, {"open_entry": None}, expected_version=engagement.version)
    _, advisor_op = storage.prepare_update(advisor, {"open_entry": None, "open": None, "last_out": at},
                                           expected_version=advisor.version)
    counted = storage.add_to(Hours, f"{engagement.village}.{entry.month}", {
        "verified": minutes if verified else 0, "unverified": 0 if verified else minutes, "entries": 1})
    tally = screening.minutes_op(engagement.village, entry.month, minutes, verified)
    storage.transact([entry_op, engagement_op, advisor_op, counted, tally, audit.entry(
        caller.actor, "update", ENTRY, f"{engagement.id}/{entry.id}", f"驻点签退，{minutes} 分钟：{reason}")])
    return updated


def entries(caller: Caller, engagement_id: str, month: str | None, *, limit: int, cursor: str | None) -> Page[EntryOut]:
    """A month's on-site entries of an engagement, for those who read it (`get`). One Query: the entries
    name their village and advisor's account, which decide who reads them; a month without entries reads
    the engagement too (GetItem), so an unknown one, or another's, is still 404."""
    if Engagement.named(engagement_id) is None:
        raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
    month = month or today_shanghai().strftime("%Y-%m")
    page = storage.page(Entry, ENGAGEMENT, engagement_id, after=("entry", month), limit=limit, cursor=cursor)
    items = [Entry.from_item(i) for i in page.items]
    if not items:
        get(caller, engagement_id)
    elif not all(caller.sub == e.account or _admin_over(caller, e.village) or _of_village(caller, e.village)
                 for e in items):
        raise NotFound(Engagement.missing[0], code=Engagement.missing[1])
    return Page[EntryOut](items=[EntryOut.of(e) for e in items], next_cursor=page.next_cursor)


def _decisive_day(month: str) -> date:
    """The rule of a month is the one in force on its last day (today, for the month under way)."""
    year, number = int(month[:4]), int(month[5:])
    return min(date(year, number, calendar.monthrange(year, number)[1]), today_shanghai())


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def compliance(caller: Caller, area: str | None, month: str | None, *, limit: int, cursor: str | None) -> ComplianceOut:
    """SPEC V2: per village of the area with an engagement or a service point, the month's verified hours
    against the minimum in force there (`advisors.monthly_onsite_hours`), with the reason. One Query for
    the page of villages, one BatchGetItem for their tallies and the minimum's timelines along their chains."""
    scope = _scope(caller, area)
    month = month or today_shanghai().strftime("%Y-%m")
    page = storage.page(Village, VILLAGES, scope, limit=limit, cursor=cursor)
    villages = [Village.from_item(i) for i in page.items]
    found = storage.find_each({Hours: [f"{v.id}.{month}" for v in villages],
                               **params.along_many([params.MONTHLY_HOURS], [v.id for v in villages])})
    tallies = found[Hours]
    on = _decisive_day(month)
    items = []
    for village in villages:
        tally = tallies.get(f"{village.id}.{month}")
        verified = tally.count("verified") if tally else 0
        minimum = params.in_force(found, params.MONTHLY_HOURS, village.id, on)
        result = criteria.monthly_hours.evaluate(criteria.HoursFacts(
            verified_minutes=verified, minimum_hours=Decimal(str(minimum.value)), minimum_text=minimum.describe()), on)
        items.append(VillageMonth(village=village.id, month=month, verified_hours=_hours(verified),
                                  unverified_hours=_hours(tally.count("unverified") if tally else 0),
                                  entries=tally.count("entries") if tally else 0,
                                  minimum_hours=Decimal(str(minimum.value)), met=result.met, reason=result.reason))
    return ComplianceOut(area=scope, month=month, items=items, next_cursor=page.next_cursor)


# --- work log (V2) ----------------------------------------------------------------------------------

# The ledger's yearly counts (seed 004) as tallies per village and month, counted in each entry's own
# transaction (`tallies.count_op`), and the same counts on the month's log (`LogMonth.totals`).
LEDGER = (
    ("lectures", "法治讲座（场）"),
    ("village_rules", "起草审核村规民约（件）"),
    ("legal_documents", "起草审核法律文书（件）"),
    ("opinions", "出具法律意见（件）"),
    ("consultations", "法律咨询（人次）"),
    ("legal_aid", "协助法律援助（件）"),
    ("cases", "代理诉讼、仲裁案件（件）"),
    ("disputes", "调解矛盾纠纷（起）"),
    ("disputes_major", "其中重大、积案纠纷（起）"),
    ("reports", "上报信息（条）"),
)
_BY_DUTY = {"lecture": "lectures", "document": "legal_documents", "opinion": "opinions",
            "consultation": "consultations", "legal_aid": "legal_aid", "case": "cases", "mediation": "disputes",
            "report": "reports"}
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def tally_name(key: str) -> str:
    return f"advisors.{key}"


def counted(entry: LogEntry | LogEntryIn) -> dict[str, int]:
    """What one entry adds to the ledger's counts."""
    counts = {_BY_DUTY[entry.duty]: entry.count}
    if entry.duty == "document" and entry.document_kind == "village_rules":
        counts["village_rules"] = entry.count
    if entry.duty == "mediation" and (entry.major or entry.backlog):
        counts["disputes_major"] = entry.count
    return counts


def locks_on(village: str, month: str, found: dict | None = None) -> date:
    """The day the month's log locks: the parameter day of the next month (`advisors.log_lock_day`, the
    version in force at the village on the next month's first day) — from the timelines a request read with
    its records (`found`, `params.along`), else one policy read."""
    year, number = int(month[:4]), int(month[5:])
    first = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    rule = (params.in_force(found, params.LOG_LOCK_DAY, village, first) if found is not None
            else policy.resolve(params.LOG_LOCK_DAY, village, first))
    return first.replace(day=int(rule.value))


def _lock_day(village: str, month: str, log: LogMonth | None, found: dict | None) -> date:
    """The month's lock day: fixed on its log when its first entry was written, else the parameter's in
    force now (`locks_on`, from the timelines read with the log: `params.along`)."""
    return log.locks_on if log is not None and log.locks_on is not None else locks_on(village, month, found)


def _month_ops(log: LogMonth | None, village: str, month: str, counts: dict[str, int], entries: int,
               changes: dict | None = None, *, lock: date, account: str | None = None) -> tuple[LogMonth, list[dict]]:
    """The month's log (created, or updated by version; its lock day fixed on it, and the `account` of the
    advisor whose entry it counts among its readers) and the village's tallies, for an entry's transaction."""
    totals = dict(log.totals) if log else {}
    for key, amount in counts.items():
        totals[key] = totals.get(key, 0) + amount
    accounts = [*(log.accounts if log else [])]
    changes = {**(changes or {}), "locks_on": lock,
               "accounts": accounts + [account] if account and account not in accounts else accounts}
    record, op = _save(log, LogMonth(id=f"{village}.{month}", village=village, month=month, entries=entries,
                                     totals=totals, **changes),
                       {"entries": (log.entries if log else 0) + entries, "totals": totals, **changes})
    return record, [op, *(tallies.count_op(tally_name(key), village, amount, month=month)
                          for key, amount in counts.items() if amount),
                    counters.count_op(village, month, {tally_name(key): amount for key, amount in counts.items()})]


def _not_in_future(on: date, loc: list[str]) -> None:
    if on > today_shanghai():
        raise Unprocessable("工作日期不得晚于今天", code="entry_in_future", errors=field_error(loc, "不得晚于今天"))


def _serving(village: Village | None, on: date, loc: list[str], *, account: str | None = None) -> Slot:
    """The engagement serving the village on that day (the caller's own, when `account` is given)."""
    slots = [s for s in (village.engagements.values() if village else []) if account in (None, s.account)]
    slot = next((s for s in slots if s.start <= on <= s.end), None)
    if slot is None:
        raise Unprocessable(f"{on.isoformat()} 该村（社区）没有{'您的' if account else ''}法律顾问聘用",
                            code="outside_contract", errors=field_error(loc, "不在聘用期内"))
    return slot


def _engagement_of(village: Village, slot: Slot) -> str | None:
    return next((i for i, s in village.engagements.items() if s == slot), None)


def _new_entry(data: LogEntryIn, account: str, engagement: str | None, entry_id: str | None, **extra) -> LogEntry:
    return LogEntry(id=entry_id or f"{data.on.isoformat()}-{uuid.uuid4().hex[:8]}", village=data.village,
                    engagement=engagement, account=account, on=data.on, duty=data.duty, title=data.title,
                    detail=data.detail, count=data.count, document_kind=data.document_kind, major=data.major,
                    backlog=data.backlog, **extra)


def log_entry(caller: Caller, data: LogEntryIn, *, entry_id: str | None = None) -> LogEntry:
    """SPEC V2: the advisor records a day's work for a village under one of the six duties; the month's log
    and the village's ledger tallies count it in the same transaction. Refused: a village the caller is not
    engaged for (403 naming `village`), a day in the future or outside the contract (422 naming `on`), a
    month whose log has locked (409 `log_locked` naming `on`: only the bureau corrects it)."""
    month = data.on.strftime("%Y-%m")
    found = storage.find_each({Village: [data.village], LogMonth: [LogMonth.at(data.village, month)],
                               **params.along([params.LOG_LOCK_DAY], data.village)})
    village: Village | None = found[Village].get(data.village)
    if village is None or not any(s.account == caller.sub for s in village.engagements.values()):
        raise Forbidden("您不是该村（社区）的法律顾问，不能为其记工作日志", code="village_not_assigned",
                        errors=field_error(["village"], "不是本人受聘的村（社区）"))
    _not_in_future(data.on, ["on"])
    slot = _serving(village, data.on, ["on"], account=caller.sub)
    log: LogMonth | None = found[LogMonth].get(LogMonth.at(data.village, month))
    lock = _lock_day(data.village, month, log, found)
    if today_shanghai() >= lock:
        raise Conflict(f"{month} 的工作日志已于 {lock.isoformat()} 锁定，需更正请联系司法局",
                       code="log_locked", errors=field_error(["on"], "该月工作日志已锁定"))
    entry = _new_entry(data, caller.sub, _engagement_of(village, slot), entry_id)
    _, ops = _month_ops(log, data.village, month, counted(entry), 1, lock=lock, account=caller.sub)
    return storage.put_new(entry, also=[*ops, audit.entry(
        caller.actor, "create", LOG_ENTRY, entry.record_id, f"工作日志：{_summary(entry)}")])


def edit_entry(caller: Caller, code: str, entry_id: str, data: LogEntryEdit, expected_version: int) -> LogEntry:
    """The advisor corrects their own entry while its month is open; the month's totals and the ledger's
    tallies follow the difference in the same transaction. Refused: another's entry or an unknown one (404),
    a locked month (409 `log_locked`: the bureau corrects it), a withdrawn entry (409), a stale version (409).
    One BatchGetItem (the entry, its month and the lock day's timelines), one transaction."""
    month = entry_id[:7]
    if not (len(code) == 12 and code.isdigit() and MONTH_PATTERN.match(month)):
        raise NotFound(LogEntry.missing[0], code=LogEntry.missing[1])
    found = storage.find_each({LogEntry: [storage.Place(of=f"{code}.{month}", sort=("entry", entry_id))],
                               LogMonth: [LogMonth.at(code, month)], **params.along([params.LOG_LOCK_DAY], code)})
    entry: LogEntry | None = next(iter(found[LogEntry].values()), None)
    if entry is None or entry.account != caller.sub:
        raise NotFound(LogEntry.missing[0], code=LogEntry.missing[1])
    log: LogMonth | None = found[LogMonth].get(LogMonth.at(code, month))
    lock = _lock_day(code, month, log, found)
    if today_shanghai() >= lock:
        raise Conflict(f"{month} 的工作日志已于 {lock.isoformat()} 锁定，需更正请联系司法局", code="log_locked")
    if entry.withdrawn:
        raise Conflict("这条记录已撤销", code="already_withdrawn")
    changes = data.model_dump(exclude={"version"})
    updated, op = storage.prepare_update(entry, changes, expected_version=expected_version)
    before, after = counted(entry), counted(updated)
    diff = {k: after.get(k, 0) - before.get(k, 0) for k in {*before, *after}}
    _, month_ops = _month_ops(log, code, month, {k: v for k, v in diff.items() if v}, 0, lock=lock)
    storage.transact([op, *month_ops, audit.entry(caller.actor, "update", LOG_ENTRY, entry.record_id,
                                                  f"修改工作日志：{_summary(updated)}")])
    return updated


def month_status(caller: Caller, area: str | None, month: str | None, *, limit: int,
                 cursor: str | None) -> LogStatusOut:
    """The bureau's view of a month's logs: per village of the area (a page of the villages the service
    knows), open / locked / verified, its entries and corrections. One Query (the villages), one BatchGetItem
    (their months' logs and the lock day's timelines along their chains)."""
    scope = _scope(caller, area)
    month = _month(month)
    page = storage.page(Village, VILLAGES, scope, limit=limit, cursor=cursor)
    codes = [Village.from_item(i).id for i in page.items]
    found = storage.find_each({LogMonth: [LogMonth.at(c, month) for c in codes],
                               **params.along_many([params.LOG_LOCK_DAY], codes)})
    logs = found[LogMonth]
    items = []
    for code in codes:
        log = logs.get(LogMonth.at(code, month))
        locks = _lock_day(code, month, log, found)
        status = "verified" if log and log.verified_by else "locked" if today_shanghai() >= locks else "open"
        items.append(LogStatus(village=code, month=month, status=status, locks_on=locks,
                               entries=log.entries if log else 0, verified_by=log.verified_by if log else None,
                               corrections=len(log.corrections) if log else 0, version=log.version if log else None))
    return LogStatusOut(area=scope, month=month, items=items, next_cursor=page.next_cursor)


def _summary(entry: LogEntry) -> str:
    return f"{DUTIES[entry.duty]} {entry.count}：{entry.title}"


def _log_reader(caller: Caller, code: str, village: Village | None) -> bool:
    """Whether the caller reads the village's log as its advisor only (their own entries), or all of it (its
    administrators and grid workers); to anyone else it does not exist (404)."""
    if village is not None and (_admin_over(caller, code) or _of_village(caller, code)):
        return False
    if village is not None and any(s.account == caller.sub for s in village.engagements.values()):
        return True
    raise NotFound(Village.missing[0], code=Village.missing[1])


def _month(month: str | None) -> str:
    month = month or today_shanghai().strftime("%Y-%m")
    if not MONTH_PATTERN.match(month):
        raise NotFound(LogMonth.missing[0], code=LogMonth.missing[1])
    return month


def _state(code: str, month: str, log: LogMonth | None, lock: date) -> dict:
    """The month's log as `LogMonthState` shows it."""
    status = "verified" if log and log.verified_by else "locked" if today_shanghai() >= lock else "open"
    return dict(village=code, month=month, status=status, locks_on=lock, entries=log.entries if log else 0,
                totals=log.totals if log else {}, verified_by=log.verified_by if log else None,
                verified_at=log.verified_at if log else None,
                verification_note=log.verification_note if log else None,
                corrections=log.corrections if log else [], version=log.version if log else None)


def _code(code: str) -> bool:
    return len(code) == 12 and code.isdigit()


def read_log(caller: Caller, code: str, month: str | None, *, limit: int = 50, cursor: str | None = None) -> LogMonthOut:
    """A village's log of a month, its state (open, locked, verified), totals and entries. Advisors see their
    own entries; the village's grid workers and the area's administrators all of them. One Query of the
    month's partition: its first page reads the month's log (the cover, ahead of the entries) with them,
    which holds the lock day and the advisors who wrote in it. The village (who advises it) and the lock
    day's timelines are read (one BatchGetItem) only when that does not decide: a later page, a month
    without a log, an advisor with no entry in it."""
    month = _month(month)
    if not _code(code):
        raise NotFound(Village.missing[0], code=Village.missing[1])
    first = cursor is None
    page = storage.page(LogEntry, LOG, f"{code}.{month}", limit=limit + 1 if first else limit, cursor=cursor)
    items, log = page.items, None
    if first and items and items[0].get("entity") == LOG:
        log, items = LogMonth.from_item(items[0]), items[1:]
    elif first and items:  # entries without their month's cover (never written so): the page at its size
        page = storage.page(LogEntry, LOG, f"{code}.{month}", limit=limit)
        items = page.items
    full = _admin_over(caller, code) or _of_village(caller, code)
    if log is not None and log.locks_on is not None and (full or caller.sub in log.accounts):
        own_only, lock = not full, log.locks_on
    else:
        found = storage.find_each({Village: [code], LogMonth: [] if log else [LogMonth.at(code, month)],
                                   **params.along([params.LOG_LOCK_DAY], code)})
        own_only = _log_reader(caller, code, found[Village].get(code))
        log = log or found[LogMonth].get(LogMonth.at(code, month))
        lock = _lock_day(code, month, log, found)
    entries = [LogEntry.from_item(i) for i in items]
    return LogMonthOut(**_state(code, month, log, lock),
                       items=[LogEntryOut.of(e) for e in entries if not own_only or e.account == caller.sub],
                       next_cursor=page.next_cursor)


def _stored_month(code: str, month: str) -> LogMonth | None:
    return storage.find_in(LogMonth, LOG, f"{code}.{month}", (COVER,), consistent=True)


def verify(caller: Caller, code: str, month: str, note: str | None, expected_version: int) -> LogMonthState:
    """The village cadre (a grid worker of the village) verifies the month's log once it has locked (as
    timekeeping locks, then is verified). Refused: anyone else (404), a month still open or already
    verified (409), a stale version (409). One consistent GetItem, one write by version with its audit."""
    if not (_code(code) and _of_village(caller, code)):
        raise NotFound(Village.missing[0], code=Village.missing[1])
    month = _month(month)
    log = _stored_month(code, month)
    if log is None:
        raise NotFound(LogMonth.missing[0], code=LogMonth.missing[1])
    lock = _lock_day(code, month, log, None)
    if today_shanghai() < lock:
        raise Conflict(f"{month} 的工作日志 {lock.isoformat()} 锁定后方可核实", code="log_open")
    if log.verified_by:
        raise Conflict("该月工作日志已核实", code="log_verified")
    updated = storage.update(log, {"verified_by": caller.sub, "verified_at": now_utc(), "verification_note": note},
                             expected_version=expected_version, also=[audit.entry(
                                 caller.actor, "update", LOG, log.id, f"核实 {month} 法律顾问工作日志")])
    return LogMonthState(**_state(code, month, updated, lock))


def correct(caller: Caller, code: str, month: str, data: CorrectionIn, expected_version: int | None) -> LogCorrectionOut:
    """A locked month changes only here: the bureau (an administrator over the village) adds an entry or
    withdraws one, with its reason — kept on the month's log and in the audit trail; the ledger's tallies
    follow. Refused: a village outside the caller's area (404), a month still open (409: its advisor records
    it), an added day outside the month, in the future or without an advisor (422 naming `add.on`), an
    unknown or withdrawn entry (422/409 naming `withdraw`), a stale version (409). One consistent
    BatchGetItem (the village, the month's log, the entry withdrawn), one transaction."""
    if not (_code(code) and _admin_over(caller, code)):
        raise NotFound(Village.missing[0], code=Village.missing[1])
    month = _month(month)
    withdrawn = [storage.Place(of=f"{code}.{month}", sort=("entry", data.withdraw))] if data.withdraw else []
    found = storage.find_each({Village: [code], LogMonth: [LogMonth.at(code, month)], LogEntry: withdrawn,
                               **params.along([params.LOG_LOCK_DAY], code)}, consistent=True)
    log: LogMonth | None = found[LogMonth].get(LogMonth.at(code, month))
    lock = _lock_day(code, month, log, found)
    if today_shanghai() < lock:
        raise Conflict(f"{month} 的工作日志尚未锁定，由法律顾问本人记录", code="log_open")
    if log is not None and expected_version != log.version:
        raise Conflict("数据已被他人修改，请刷新后重试", code="stale_version")
    if data.add is not None:
        if data.add.village != code:
            raise Unprocessable("补记的村（社区）应与日志一致", code="validation_failed",
                                errors=field_error(["add", "village"], "应与日志的村（社区）一致"))
        _not_in_future(data.add.on, ["add", "on"])
        if data.add.on.strftime("%Y-%m") != month:
            raise Unprocessable(f"补记的日期应在 {month}", code="validation_failed",
                                errors=field_error(["add", "on"], f"应在 {month}"))
        village = found[Village].get(code)
        slot = _serving(village, data.add.on, ["add", "on"])
        entry = storage.stamp_new(_new_entry(data.add, slot.account, _engagement_of(village, slot), None,
                                             correction=data.reason))
        ops, counts, action = [storage.put_op(entry.to_item())], counted(entry), "add"
        delta = 1
    else:
        entry = next(iter(found[LogEntry].values()), None)
        if entry is None:
            raise Unprocessable("该月工作日志没有这条记录", code="log_entry_not_found",
                                errors=field_error(["withdraw"], "没有这条记录"))
        if entry.withdrawn:
            raise Conflict("这条记录已撤销", code="already_withdrawn", errors=field_error(["withdraw"], "已撤销"))
        entry, op = storage.prepare_update(entry, {"withdrawn": data.reason}, expected_version=entry.version)
        ops, counts, action = [op], {k: -v for k, v in counted(entry).items()}, "withdraw"
        delta = -1
    correction = Correction(at=now_utc(), by=caller.sub, action=action, entry=entry.id, reason=data.reason)
    updated, month_ops = _month_ops(log, code, month, counts, delta,
                                    {"corrections": [*(log.corrections if log else []), correction]}, lock=lock,
                                    account=entry.account if action == "add" else None)
    storage.transact([*ops, *month_ops, audit.entry(
        caller.actor, "update", LOG, f"{code}.{month}",
        f"更正 {month} 法律顾问工作日志（{'补记' if action == 'add' else '撤销'} {entry.id}）：{data.reason}")])
    return LogCorrectionOut(**_state(code, month, updated, lock), entry=LogEntryOut.of(entry))


def may_link(caller: Caller, record_id: str) -> None:
    """Link rule of `advisors-log-entry` (`<village>.<entry id>`): photos and documents of a log entry are
    linked and read by its advisor, the village's grid workers and the area's administrators; to anyone
    else the entry does not exist (404)."""
    code, _, entry_id = record_id.partition(".")
    entry = storage.find_in(LogEntry, LOG, f"{code}.{entry_id[:7]}", ("entry", entry_id)) if entry_id else None
    if entry is None or not (entry.account == caller.sub or _admin_over(caller, code) or _of_village(caller, code)):
        raise NotFound(LogEntry.missing[0], code=LogEntry.missing[1])


# --- demo data ----------------------------------------------------------------------------------------

def load_demo(context: DemoContext) -> None:
    """The seeds' parameter versions (see params.AREA_VERSIONS), then the demo advisor's engagements, service
    points, visits and log (plugins/advisors/demo.py), judged by those versions."""
    from plugins.advisors import demo

    params.load_demo(context.actor)
    demo.load(context)
