"""The advisors' rules as named criteria with reasons (chalicelib.platform.rules), pure: everything they
read is in the facts (the policy versions in force included), so every boundary is tested without storage.

- `advisors.village_ratio` (SPEC V1): an advisor may serve at most the area's number of villages at once
  (城区 1 对 1; 溧阳、金坛 ≤ 3) — counted over the engagements whose contract periods overlap the new one's;
- `advisors.on_site` (SPEC V2): a check-in or check-out within the radius of the village's service point;
- `advisors.monthly_hours` (SPEC V2): a village's verified on-site hours of a month reach the minimum.
Distances are measured between two GCJ-02 points (the mini-program's `wx.getLocation({type: "gcj02"})` and
the service point as picked on a GCJ-02 map): the offset of GCJ-02 varies slowly, so within a few kilometres
the great-circle distance of the two shifted points is the real one to within metres.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.platform import rules
from chalicelib.platform.rules import Result

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> int:
    """Great-circle distance in whole metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


@dataclass(frozen=True)
class RatioFacts:
    serving: tuple[str, ...]   # the villages the advisor serves in periods overlapping the new one
    limit: int                 # the area's maximum (policy `advisors.max_villages_per_advisor`)
    limit_text: str            # the version in force, described ("溧阳市… 3 个村（社区）（2021-07-20 起）")


@rules.criterion("advisors.village_ratio", "法律顾问挂钩村（社区）数")
def village_ratio(facts: RatioFacts, on: date) -> Result:
    after = len(facts.serving) + 1
    data = {"serving": list(facts.serving), "limit": facts.limit}
    if after <= facts.limit:
        return Result(True, f"挂钩后共 {after} 个村（社区），未超过{facts.limit_text}", data)
    listed = "、".join(facts.serving)
    return Result(False, f"该法律顾问同期已挂钩 {len(facts.serving)} 个村（社区）（{listed}），"
                         f"再挂钩将超过{facts.limit_text}", data)


@dataclass(frozen=True)
class PlaceFacts:
    distance_m: int | None     # None: the village has no service point location recorded
    radius_m: int


@rules.criterion("advisors.on_site", "在村（社区）服务点现场")
def on_site(facts: PlaceFacts, on: date) -> Result:
    if facts.distance_m is None:
        return Result(False, "该村（社区）尚未登记服务点位置，无法核验", {"radius_m": facts.radius_m})
    data = {"distance_m": facts.distance_m, "radius_m": facts.radius_m}
    if facts.distance_m <= facts.radius_m:
        return Result(True, f"距服务点 {facts.distance_m} 米，在 {facts.radius_m} 米以内", data)
    return Result(False, f"距服务点 {facts.distance_m} 米，超过 {facts.radius_m} 米，记为未核验", data)


@dataclass(frozen=True)
class HoursFacts:
    verified_minutes: int
    minimum_hours: Decimal
    minimum_text: str          # the version in force, described


@rules.criterion("advisors.monthly_hours", "每月驻村（社区）服务时长")
def monthly_hours(facts: HoursFacts, on: date) -> Result:
    hours = Decimal(facts.verified_minutes) / 60
    shown = f"{hours.quantize(Decimal('0.1'))}"
    data = {"verified_minutes": facts.verified_minutes, "minimum_hours": str(facts.minimum_hours)}
    if hours >= facts.minimum_hours:
        return Result(True, f"本月核验驻点 {shown} 小时，达到{facts.minimum_text}", data)
    return Result(False, f"本月核验驻点 {shown} 小时，未达到{facts.minimum_text}", data)


# --- V3: the yearly evaluation ---------------------------------------------------------------------------
# The published scoring rule (points rounded half up to 0.1): each item earns its weight (a policy parameter) times the share achieved; an
# item without data (no resident rated, the cadre gave no rating) is left out and the score is scaled to
# 100 over the items counted. The grade follows the score's minimums (parameters); the subsidy is the base
# times the grade's percentage, nothing on a misconduct finding. 不合格 loses renewal (service).

GRADES = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
# A cadre's rating on the core feedback's five levels (GB/T 39734-2020) earns a percentage of the item's
# weight: a policy parameter per level (params.CADRE_PERCENT; 100/90/70/30/0 by default).
CADRE_LEVELS = {"very_satisfied": "非常满意", "satisfied": "满意", "basically_satisfied": "基本满意",
                "dissatisfied": "不满意", "very_dissatisfied": "非常不满意"}
PASS_SHARE = Decimal("0.6")   # an item is "met" when it earned at least this share of its weight


@dataclass(frozen=True)
class YearFacts:
    year: int
    months: int                     # the months of the year evaluated (engaged, and over)
    hours_met: int                  # of which the verified hours reached the minimum
    minimum_text: str               # the monthly minimum in force, described
    logs_verified: int              # of which the log has entries and the cadre verified it
    reports: int                    # information reported upward (log `report`, not withdrawn)
    reports_target: int
    residents_ratings: int          # the core feedback's ratings of the village's tickets in the year
    residents_satisfied: int        # of which 基本满意 or better
    cadre_rating: str | None        # the village cadre's rating of the year (a feedback level)
    weights: dict[str, Decimal]     # residents, cadres, log, hours, reports
    minimums: dict[str, Decimal]    # excellent, good, pass
    cadre_percent: dict[str, Decimal]  # the percentage of the cadres' item each of the five levels earns


def _share(part: int, whole: int) -> Decimal:
    return min(Decimal(1), Decimal(part) / Decimal(whole)) if whole else Decimal(0)


def _item(key: str, share: Decimal | None, weight: Decimal, reason: str) -> Result:
    if share is None:
        return Result(True, f"{reason}，不计入", {"item": key, "counted": False, "weight": str(weight)})
    points = (share * weight).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Result(share >= PASS_SHARE, f"{reason}，得 {points}/{weight} 分",
                  {"item": key, "counted": True, "share": str(share), "points": str(points), "weight": str(weight)})


@rules.criterion("advisors.residents_rating", "居民评价")
def residents_rating(facts: YearFacts, on: date) -> Result:
    if not facts.residents_ratings:
        return _item("residents", None, facts.weights["residents"], f"{facts.year} 年本村（社区）无居民评价")
    share = _share(facts.residents_satisfied, facts.residents_ratings)
    return _item("residents", share, facts.weights["residents"],
                 f"居民评价 {facts.residents_ratings} 次，基本满意及以上 {facts.residents_satisfied} 次")


@rules.criterion("advisors.cadre_rating", "村（社区）干部评价")
def cadre_rating(facts: YearFacts, on: date) -> Result:
    if facts.cadre_rating is None:
        return _item("cadres", None, facts.weights["cadres"], "村（社区）干部尚未评价")
    percent = facts.cadre_percent[facts.cadre_rating]
    return _item("cadres", percent / 100, facts.weights["cadres"],
                 f"村（社区）干部评价「{CADRE_LEVELS[facts.cadre_rating]}」（计 {percent}%）")


@rules.criterion("advisors.log_complete", "工作日志完整")
def log_complete(facts: YearFacts, on: date) -> Result:
    return _item("log", _share(facts.logs_verified, facts.months), facts.weights["log"],
                 f"{facts.months} 个月中 {facts.logs_verified} 个月工作日志已记并经村（社区）干部核实")


@rules.criterion("advisors.hours_met", "驻点时长达标")
def hours_met(facts: YearFacts, on: date) -> Result:
    return _item("hours", _share(facts.hours_met, facts.months), facts.weights["hours"],
                 f"{facts.months} 个月中 {facts.hours_met} 个月核验驻点时长达到{facts.minimum_text}")


@rules.criterion("advisors.reports", "上报信息")
def reports(facts: YearFacts, on: date) -> Result:
    return _item("reports", _share(facts.reports, facts.reports_target), facts.weights["reports"],
                 f"上报信息 {facts.reports} 条（满分需 {facts.reports_target} 条）")


ITEMS = (residents_rating, cadre_rating, log_complete, hours_met, reports)


def grade_of(score: Decimal, minimums: dict[str, Decimal]) -> str:
    return next((g for g in ("excellent", "good", "pass") if score >= minimums[g]), "fail")


@rules.criterion("advisors.yearly_grade", "法律顾问年度考核")
def yearly_grade(facts: YearFacts, on: date) -> Result:
    """The score over the items counted, scaled to 100, and its grade; `met` unless 不合格. The parts are
    each item's result (their reasons are the rule's reasons)."""
    parts = {item.name: item.evaluate(facts, on) for item in ITEMS}
    counted = [p.data for p in parts.values() if p.data["counted"]]
    weight = sum((Decimal(d["weight"]) for d in counted), Decimal(0))
    earned = sum((Decimal(d["points"]) for d in counted), Decimal(0))
    score = (earned * 100 / weight).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if weight else Decimal(0)
    grade = grade_of(score, facts.minimums)
    least = facts.minimums.get(grade)
    rule = f"（≥ {least} 分）" if least is not None else f"（低于合格线 {facts.minimums['pass']} 分）"
    return Result(grade != "fail", f"{facts.year} 年度考核得分 {score}，{GRADES[grade]}{rule}",
                  {"score": str(score), "grade": grade}, decided_by=tuple(parts), parts=parts)


@dataclass(frozen=True)
class SubsidyFacts:
    grade: str
    base: Decimal
    percent: Decimal                # the grade's percentage in force
    misconduct: str | None          # a misconduct finding of the year (its description)


@rules.criterion("advisors.subsidy", "法律顾问年度补贴")
def subsidy(facts: SubsidyFacts, on: date) -> Result:
    """Paid (`met`) unless a misconduct finding withholds it; the amount is base × the grade's percentage."""
    if facts.misconduct:
        return Result(False, f"存在违规情形（{facts.misconduct}），不发放补贴", {"amount": "0.00"})
    amount = (facts.base * facts.percent / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Result(True, f"补贴 {amount} 元（基数 {facts.base} 元 × {GRADES[facts.grade]} {facts.percent}%）",
                  {"amount": str(amount)})
