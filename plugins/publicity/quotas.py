"""The publicity quotas (SPEC P2) as named criteria on the core's rules engine, their figures policy
parameters per area with effective dates:

- 普法惠民 services: at least `publicity.public_services_per_village_year` (2) per village per year;
- legal-culture activities: at least `publicity.culture_activities_per_village_year` (4) per village per year;
- cultural works (小品、锡剧 …): at least `publicity.cultural_works_per_district_year` (30) per district per year;
- a lecture by the village's legal advisor: at least `publicity.advisor_lectures_per_village_quarter` (1) per
  quarter, counted from the lectures whose organiser is the person the core's coverage names the village's
  `legal_advisor` (an assignment to the village itself). Evaluated only while the village legal advisors
  service is enabled and the village has one; otherwise "not evaluated", with the reason.

One criterion, `publicity.quota_pace`, judges them all: by the end of each quarter of the period the area
has done at least that quarter's share of the period's figure (rounded up: 2 a year is 1 by the end of June,
2 by the end of December). Its result names the day its answer may change (the day after the quarter's
end), so the core's look-ahead (`rules.almost`) tells "almost behind" in the last month of a quarter.
Counts are the tallies kept in the activities' own transactions (`counts`), never lists.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Literal

from pydantic import ConfigDict, Field

from chalicelib import plugin as contract
from chalicelib.domain.areas import service as areas
from chalicelib.domain.directory.models import AreaLinks
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import Finding, Parameter, ScreeningContext
from chalicelib.platform import rules, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.model import Model
from chalicelib.platform.rules import NEVER, Result
from chalicelib.platform.timeutil import today_shanghai
from plugins.publicity import counts

PUBLIC_SERVICES = "publicity.public_services_per_village_year"
CULTURE_ACTIVITIES = "publicity.culture_activities_per_village_year"
CULTURAL_WORKS = "publicity.cultural_works_per_district_year"
ADVISOR_LECTURES = "publicity.advisor_lectures_per_village_quarter"

# The core's coverage role a village legal advisor fills (chalicelib.domain.coverage CORE_ROLES), and the
# service that engages advisors: the lecture quota is asked only while it is enabled.
ADVISOR_ROLE = "legal_advisor"
ADVISORS_SERVICE = "advisors"

_SEED = "常州市 2021 年法治宣传考核（seeds/001 第13、16项）"
PARAMETERS = (
    Parameter(PUBLIC_SERVICES, title="每村（社区）每年普法惠民服务次数", unit="次/年", minimum=0, maximum=100, default=2,
              description=f"{_SEED}：每个村（社区）每年开展普法惠民服务不少于 2 次。"),
    Parameter(CULTURE_ACTIVITIES, title="每村（社区）每年法治文化活动次数", unit="次/年", minimum=0, maximum=100,
              default=4, description=f"{_SEED}：每个村（社区）每年开展法治文化活动不少于 4 次。"),
    Parameter(CULTURAL_WORKS, title="每区县每年法治文化作品数", unit="件/年", minimum=0, maximum=1000, default=30,
              description=f"{_SEED}：每个区县每年创作法治文化作品（法治小品、锡剧、三字经等）不少于 30 件。"),
    Parameter(ADVISOR_LECTURES, title="村（社区）法律顾问每季度法治讲座次数", unit="次/季度", minimum=0, maximum=20,
              default=1, description="SPEC P2：村（社区）法律顾问每季度至少为所在村（社区）开展 1 次法治讲座。"),
)

Level = Literal["village", "district"]
Status = Literal["met", "on_track", "almost_behind", "behind", "not_evaluated"]
STATUS_TITLES = {"met": "已完成", "on_track": "进度正常", "almost_behind": "即将落后", "behind": "落后",
                 "not_evaluated": "不评估"}


@dataclass(frozen=True)
class Quota:
    code: str
    title: str                 # what is counted, e.g. "普法惠民服务"
    level: Level
    yearly: bool               # per year (else per quarter)
    parameter: str
    counter: str | None        # the tally's counter; None: lectures by the village's legal advisor


QUOTAS = (
    Quota("public_service", "普法惠民服务", "village", True, PUBLIC_SERVICES, "public_service"),
    Quota("cultural_activity", "法治文化活动", "village", True, CULTURE_ACTIVITIES, "cultural_activity"),
    Quota("advisor_lecture", "法律顾问法治讲座", "village", False, ADVISOR_LECTURES, None),
    Quota("cultural_work", "法治文化作品", "district", True, CULTURAL_WORKS, "cultural_work"),
)
LEVEL_LENGTH = {"village": 12, "district": 6}


# --- the criterion -------------------------------------------------------------------------------------

def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_end(day: date) -> date:
    start = quarter_start(day)
    return (date(start.year + 1, 1, 1) if start.month == 10 else date(start.year, start.month + 3, 1)) - timedelta(days=1)


@dataclass(frozen=True)
class QuotaFacts:
    title: str                 # "普法惠民服务"
    done: int
    required: int
    start: date                # the period's first day
    end: date                  # its last day
    rule: str                  # the policy version in force, described
    unit: str = "次"           # what one counts: 次 (activities), 件 (works)

    def due(self, on: date) -> int:
        """How many should be done by `on`: the share of the period's quarters already over, rounded up."""
        quarters = ((self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1) // 3
        over = sum(1 for q in range(quarters) if quarter_end(_plus_months(self.start, 3 * q)) < on)
        return math.ceil(self.required * over / quarters) if quarters else self.required


def _plus_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


@rules.criterion("publicity.quota_pace", "普法任务进度")
def on_pace(facts: QuotaFacts, on: date) -> Result:
    due = facts.due(on)
    data = {"done": facts.done, "required": facts.required, "due": due}
    changes_on = NEVER if on > facts.end else quarter_end(on) + timedelta(days=1)
    n = facts.unit
    if facts.done >= facts.required:
        return Result(True, f"{facts.title}已完成 {facts.done} {n}，达到{facts.rule}", data, NEVER)
    if facts.done >= due:
        return Result(True, f"{facts.title}已完成 {facts.done} {n}，至今应完成 {due} {n}（{facts.rule}）", data, changes_on)
    return Result(False, f"{facts.title}已完成 {facts.done} {n}，少于至今应完成的 {due} {n}（{facts.rule}）", data,
                  changes_on)


def judge(facts: QuotaFacts, on: date) -> tuple[Status, str, int]:
    """(status, reason, due by now) of one quota on `on`: met, behind, or — in the last month of a quarter,
    when the quarter's end would leave it behind (the look-ahead) — almost behind."""
    now = on_pace.evaluate(facts, on)
    due = facts.due(on)
    if facts.done >= facts.required:
        return "met", now.reason, due
    if not now.met:
        return "behind", now.reason, due
    end = quarter_end(on)
    if on.month == end.month and on <= facts.end:
        ahead = rules.almost(on_pace, facts, on, (end - on).days + 1)
        if ahead.changes:
            need = facts.due(ahead.changes_on)
            n = facts.unit
            return ("almost_behind", f"本季度最后一个月：{facts.title}已完成 {facts.done} {n}，"
                                     f"{end.isoformat()} 前须累计完成 {need} {n}（{facts.rule}）", due)
    return "on_track", now.reason, due


# --- reading an area's progress --------------------------------------------------------------------------

class QuotaQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^(\d{6}|\d{12})$", description="村（社区）或区县代码（默认本人辖区）")
    period: str | None = Field(None, pattern=r"^20\d{2}(-Q[1-4])?$",
                               description="年度 YYYY 或季度 YYYY-Qn（默认本季度）；年度任务按所在年度计")


class QuotaOut(Model):
    code: str
    title: str
    period: str = Field(description="统计期间：YYYY 或 YYYY-Qn")
    done: int | None = None
    required: int | None = None
    due_by_now: int | None = Field(None, description="按季度分解，至今应完成的次数")
    status: Status
    status_title: str
    reason: str
    rule: str | None = Field(None, description="所依据的政策参数版本")


class QuotaProgressOut(Model):
    area: str
    on: date = Field(description="评估日（期间已结束时为期间最后一日）")
    items: list[QuotaOut]


def _period_days(period: str) -> tuple[date, date]:
    year = int(period[:4])
    if "-Q" not in period:
        return date(year, 1, 1), date(year, 12, 31)
    start = date(year, (int(period[-1]) - 1) * 3 + 1, 1)
    return start, quarter_end(start)


def _advisors(links: AreaLinks | None, village: str) -> list[str]:
    """The people the core's coverage names the village's legal advisor (assigned to the village itself)."""
    entries = links.assigned() if links else []
    return sorted({e["assignee_id"] for e in entries if e.get("role") == ADVISOR_ROLE and e.get("area") == village
                   and e.get("assignee_kind") == "person" and e.get("status", "active") == "active"})


def evaluate(area: str, on: date, tallies: dict[str, counts.Tally], links: AreaLinks | None,
             rules_in_force: dict[str, policy.InForce]) -> list[QuotaOut]:
    """Every quota of the area's level on `on`, from its tallies of that year and quarter and its links."""
    out = []
    level = "village" if len(area) == 12 else "district"
    for quota in (q for q in QUOTAS if q.level == level):
        period = counts.year_of(on) if quota.yearly else counts.quarter_of(on)
        start, end = _period_days(period)
        rule = rules_in_force.get(quota.parameter)
        reason = _not_evaluated(quota, area, links)
        if reason is None and rule is None:
            reason = "该区域未配置此项任务的政策参数"
        if reason is not None:
            out.append(QuotaOut(code=quota.code, title=quota.title, period=period, status="not_evaluated",
                                status_title=STATUS_TITLES["not_evaluated"], reason=reason))
            continue
        tally = tallies.get(counts.tally_id(area, period)) or counts.Tally(id=counts.tally_id(area, period))
        done = (tally.count(quota.counter) if quota.counter
                else sum(tally.count(counts.LECTURE_BY + p) for p in _advisors(links, area)))
        facts = QuotaFacts(quota.title, done, int(rule.value), start, end, rule.describe(), rule.unit[:1])
        status, why, due = judge(facts, min(on, end))
        out.append(QuotaOut(code=quota.code, title=quota.title, period=period, done=done, required=facts.required,
                            due_by_now=due, status=status, status_title=STATUS_TITLES[status], reason=why,
                            rule=rule.describe()))
    return out


def _not_evaluated(quota: Quota, village: str, links: AreaLinks | None) -> str | None:
    if quota.counter is not None:
        return None
    if ADVISORS_SERVICE not in contract.names():
        return "村（社区）法律顾问服务未启用，不评估法律顾问讲座"
    if not _advisors(links, village):
        return "该村（社区）尚未配备法律顾问（覆盖角色「网格律师（法律顾问）」），不评估法律顾问讲座"
    return None


def progress(caller: Caller, data: QuotaQuery) -> QuotaProgressOut:
    """GET /quotas: a village's or a district's quotas for a year or a quarter — the tallies, the village's
    links, the area and the parameters' timelines along its chain in one BatchGetItem (an unknown area: 404)."""
    area = data.area or (caller.area or "")[:12]    # a grid worker: their grid's village
    if not (len(area) == 12 and (caller.area or "").startswith(area)):    # their own village, or within reach
        require_covers(caller, area, ["area"])
    if len(area) not in (6, 12):
        raise Unprocessable("请选择村（社区）或区县", code="area_level",
                            errors=field_error(["area"], "任务按村（社区）或区县考核"))
    today = today_shanghai()
    period = data.period or counts.quarter_of(today)
    start, end = _period_days(period)
    on = min(max(today, start), end)
    ids = [counts.tally_id(area, counts.year_of(on)), counts.tally_id(area, counts.quarter_of(on))]
    level = "village" if len(area) == 12 else "district"
    names = [q.parameter for q in QUOTAS if q.level == level]
    along = policy.read_along(names, area, also={counts.Tally: ids, AreaLinks: [area] if len(area) == 12 else []})
    found = along.records
    items = evaluate(area, on, found[counts.Tally], found[AreaLinks].get(area), along.resolve_present(on))
    return QuotaProgressOut(area=area, on=on, items=items)


# --- screening: villages and districts behind ---------------------------------------------------------

def _behind(context: ScreeningContext, level: Level, codes: Iterable[str], check: str) -> Iterable[Finding]:
    """Findings for the areas of `codes` whose quotas (of `check`) are behind or almost: their tallies and
    links in BatchGetItems of 100 keys, one policy read per area."""
    on = context.as_of
    wanted = [q for q in QUOTAS if q.level == level and (q.counter is None) == (check == LECTURES_CHECK)]
    codes = list(codes)
    if not wanted or not codes:
        return
    ids = [counts.tally_id(c, p) for c in codes for p in (counts.year_of(on), counts.quarter_of(on))]
    found = storage.find_each({counts.Tally: ids, AreaLinks: codes if level == "village" else []})
    for code in codes:
        in_force = policy.resolve_present([q.parameter for q in wanted], code, on)
        for item in evaluate(code, on, found[counts.Tally], found[AreaLinks].get(code), in_force):
            if item.code not in {q.code for q in wanted} or item.status not in ("behind", "almost_behind"):
                continue
            _, end = _period_days(item.period)
            yield Finding(check=check, area=code, severity="warning" if item.status == "behind" else "info",
                          title=f"{item.title}{item.status_title}：已完成 {item.done}，全期须 {item.required}",
                          detail=item.reason, record=f"publicity-{item.code}-{code}-{item.period}",
                          due=min(end, quarter_end(on)))


def _under(area: str, level: Level) -> list[str]:
    if len(area) >= LEVEL_LENGTH[level]:
        return [area[:LEVEL_LENGTH[level]]]
    if len(area) < 4:
        return []
    return [a.code for a in areas.descendants(area, level) if a.status == "active" and a.code.startswith(area)]


VILLAGES_CHECK = "publicity.villages-behind"
LECTURES_CHECK = "publicity.advisor-lectures"
DISTRICTS_CHECK = "publicity.districts-behind"


def villages_behind(context: ScreeningContext) -> Iterable[Finding]:
    """Monthly: villages behind (or, in a quarter's last month, almost behind) on their yearly 普法惠民
    services and legal-culture activities."""
    return list(_behind(context, "village", _under(context.area, "village"), VILLAGES_CHECK))


def lectures_behind(context: ScreeningContext) -> Iterable[Finding]:
    """Half-monthly: villages whose legal advisor has given no lecture this quarter, warned in its last
    month (only while the advisors service is enabled)."""
    if ADVISORS_SERVICE not in contract.names():
        return []
    return list(_behind(context, "village", _under(context.area, "village"), LECTURES_CHECK))


def districts_behind(context: ScreeningContext) -> Iterable[Finding]:
    """Monthly: districts behind on the year's cultural works."""
    return list(_behind(context, "district", _under(context.area, "district"), DISTRICTS_CHECK))
