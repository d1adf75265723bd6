"""The advisors' screening checks (core screening, run on the 18th for every city; see docs/plugins.md): each
reads tallies the service keeps in the transactions of the events they count (`tallies.count_op`), bounded
by the month or the quarter, never a list of engagements, entries or log entries.

- `advisors.hours-behind`: a village with an advisor whose verified on-site hours of the month lag the
  area's minimum pro rata to the day (the whole minimum once the month is over); a village whose contract
  ran out (its period over, not renewed) or was ended is not engaged then, whatever the tally says;
- `advisors.no-lecture`: a village with an advisor and no lecture (法治讲座) logged this quarter;
- `advisors.contracts-expiring`: an engagement whose contract ends within 30 days (this month's and next
  month's tallies of contract ends);
- `advisors.unverified-hours`: a village with on-site minutes this month recorded unverified (far from the
  service point), for the village cadre to confirm or the bureau to look at.
Findings name the village and the engagement, never the advisor.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from chalicelib.domain.screening import tallies
from chalicelib.platform import storage
from chalicelib.plugin import Finding, ScreeningContext
from plugins.advisors import params
from plugins.advisors.models import Village

ENGAGED = "advisors.engaged"                    # active engagements per village (no month)
CONTRACT_ENDS = "advisors.contract_ends"        # per month of the end, village, subject "<end>.<engagement>"
VERIFIED = "advisors.verified_minutes"          # per month and village
UNVERIFIED = "advisors.unverified_minutes"      # per month and village
LECTURES = "advisors.lectures"                  # the ledger's tally (service.LEDGER), per month and village
EXPIRING_DAYS = 30


def engaged_ops(village: str, engagement: str, end: date, by: int) -> list[dict]:
    """An engagement entering (`by=1`) or leaving (`-1`) the tallies: the village's count and its end date."""
    return [tallies.count_op(ENGAGED, village, by), end_op(village, engagement, end, by)]


def end_op(village: str, engagement: str, end: date, by: int) -> dict:
    """The contract's end date in its month's tally (moved by a renewal: -1 at the old end, +1 at the new)."""
    return tallies.count_op(CONTRACT_ENDS, village, by, month=end.strftime("%Y-%m"),
                            subject=f"{end.isoformat()}.{engagement}")


def minutes_op(village: str, month: str, minutes: int, verified: bool) -> dict:
    return tallies.count_op(VERIFIED if verified else UNVERIFIED, village, minutes, month=month)


def _engaged(area: str) -> list[str]:
    return [village for village, count in tallies.counts(ENGAGED, area) if count > 0]


def _month_bounds(month: str) -> tuple[date, date]:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def hours_behind(context: ScreeningContext) -> Iterable[Finding]:
    """Villages with an advisor whose verified minutes of the month are below the minimum in force pro rata
    to the screening day. One Query per 500 villages for each of two tallies; the engaged villages' records
    with the minimum's timelines (one BatchGetItem per 100 keys, side by side), so a village counts only on
    a day one of its contracts covers: the tally of engagements knows no end dates."""
    first, last = _month_bounds(context.month)
    day = min(context.as_of, last)
    tallied = _engaged(context.area)
    if not tallied:
        return
    districts = sorted({v[:6] for v in tallied})
    found = storage.find_each({Village: tallied, **params.along_many([params.MONTHLY_HOURS], districts)})
    villages = [v for v in tallied if (record := found[Village].get(v)) is not None
                and any(s.start <= day <= s.end for s in record.engagements.values())]
    elapsed = Decimal(min(max((context.as_of - first).days + 1, 0), last.day)) / last.day
    done = dict(tallies.counts(VERIFIED, context.area, month=context.month))
    minimums = {d: params.in_force(found, params.MONTHLY_HOURS, d, day) for d in districts}
    for village in villages:
        district = village[:6]
        minimum = Decimal(str(minimums[district].value))
        due = (minimum * 60 * elapsed).quantize(Decimal(1))
        have = done.get(village, 0)
        if have < due:
            yield Finding(check="advisors.hours-behind", area=village, severity="warning" if elapsed < 1 else "risk",
                          title=f"法律顾问本月核验驻点 {Decimal(have) / 60:.1f} 小时，落后于进度 {due / 60:.1f} 小时",
                          detail=f"{minimums[district].describe()}；按 {context.as_of.isoformat()} 的进度应达 {due / 60:.1f} 小时",
                          record=f"{village}.{context.month}", due=last)


def _quarter(month: str) -> list[str]:
    year, number = int(month[:4]), int(month[5:])
    start = (number - 1) // 3 * 3 + 1
    return [f"{year}-{m:02d}" for m in range(start, number + 1)]


def no_lecture(context: ScreeningContext) -> Iterable[Finding]:
    """Villages with an advisor and no lecture logged in the quarter so far (SPEC V2: ≥ 1 a quarter). One
    Query per month of the quarter so far, and one for the villages."""
    villages = _engaged(context.area)
    if not villages:
        return
    months = _quarter(context.month)
    lectured = {v for m in months for v, count in tallies.counts(LECTURES, context.area, month=m) if count > 0}
    _, quarter_end = _month_bounds(f"{months[0][:4]}-{(int(months[0][5:]) + 2):02d}")
    for village in villages:
        if village not in lectured:
            yield Finding(check="advisors.no-lecture", area=village,
                          severity="warning" if len(months) == 3 else "info",
                          title=f"法律顾问本季度（{months[0]} 起）尚未开展法治讲座",
                          detail="每季度至少开展 1 场法治讲座", record=f"{village}.{months[0]}", due=quarter_end)


def contracts_expiring(context: ScreeningContext) -> Iterable[Finding]:
    """Engagements whose contract ends within 30 days of the screening day: the tallies of contract ends of
    the months that window touches (two Queries), never the engagements."""
    until = context.as_of + timedelta(days=EXPIRING_DAYS)
    months = sorted({context.as_of.strftime("%Y-%m"), until.strftime("%Y-%m")})
    for month in months:
        for village, subject, count in tallies.counts_by_subject(CONTRACT_ENDS, context.area, month=month):
            end_text, _, engagement = subject.partition(".")
            end = date.fromisoformat(end_text)
            if count > 0 and context.as_of <= end <= until:
                yield Finding(check="advisors.contracts-expiring", area=village, severity="info",
                              title=f"法律顾问聘用期 {end.isoformat()} 届满", detail="请及时办理续聘或另行聘用（年度考核不合格的不再续聘）",
                              record=engagement, due=end)


def unverified_hours(context: ScreeningContext) -> Iterable[Finding]:
    """Villages with on-site minutes of the month recorded unverified (one Query per 500 villages)."""
    for village, minutes in tallies.counts(UNVERIFIED, context.area, month=context.month):
        if minutes > 0:
            yield Finding(check="advisors.unverified-hours", area=village, severity="info",
                          title=f"本月有 {Decimal(minutes) / 60:.1f} 小时驻点记录未通过位置核验",
                          detail="签到或签退位置超出服务点核验半径，请村（社区）干部核实",
                          record=f"{village}.{context.month}")
