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
from decimal import Decimal

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
