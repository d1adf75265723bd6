"""Success rate and the grass-roots share (SPEC M6, M2's ≥95% goal), per area and period, from tallies kept in
the same transaction as each outcome — never recomputed by reading every dispute.

A tally is one record per area and month (`Tally`, id `<area>-<YYYY-MM>`) for the grid and each area
above it up to the city, adding: `opened`, `opened_<tier>` when a dispute is opened (moved to the tier
decided once a ticket's parties are recorded); `closed`, `result_<result>`, and for an agreement
`agreed_<tier>`, when one is closed. Reading
a period is one BatchGetItem of at most 24 items.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from typing import Callable, ClassVar, TypeVar

from pydantic import ConfigDict, Field

from chalicelib.domain.ledgers import counters
from chalicelib.domain.policy import service as policy
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.model import Model
from chalicelib.plugin import StatCounter
from plugins.mediation import params, register
from plugins.mediation.models import RESULTS, TIERS, Dispute, Outcome

TALLY = "mediation-tally"
GRASS_ROOTS = ("grid", "village", "town")   # "在基层化解": settled below the district
MAX_MONTHS = 24
# Besides the mediators and grid workers who do the work, the bureau's admins read the rates: the grass-roots
# share is what a city or district reports on. Everyone is still held to their own area (`require_covers`).
READERS = frozenset({"mediator", "grid_worker", "admin"})
# The statistics' counters (C9), kept at the dispute's grid beside the tallies: seed 004's "disputes mediated" is
# the disputes whose mediation ended (any result). Major or backlog disputes are not marked here (yet).
STAT_COUNTERS = (StatCounter("mediation.opened", "受理矛盾纠纷（起）"),
                 StatCounter("mediation.closed", "调解矛盾纠纷（起）", measure="disputes_mediated"),
                 StatCounter("mediation.agreed", "达成调解协议（起）"),
                 # the statistics' grass-roots share (C9): ended at the grid or village ("不出网格、不出村") or above
                 StatCounter("mediation.grassroots", "其中网格、村（社区）调结（起）", share="grassroots"),
                 StatCounter("mediation.escalated", "其中上交镇街及以上调结（起）", share="escalated"))
T = TypeVar("T")


class Tally(storage.Record):
    """One area's counts of one month; the counters are its extra fields (`opened`, `result_agreement`, …),
    only ever added to inside the transaction of what they count (`storage.add_to`)."""
    model_config = ConfigDict(extra="allow")
    entity: ClassVar[str] = TALLY

    id: str

    def count(self, name: str) -> int:
        return int((self.model_extra or {}).get(name, 0))


def _levels(grid: str) -> list[str]:
    return [grid[:digits] for digits in (4, 6, 9, 12, 15)]


def _add(grid: str, month: str, counts: dict[str, int]) -> list[dict]:
    return [storage.add_to(Tally, f"{area}-{month}", counts) for area in _levels(grid)]


def opened_ops(dispute: Dispute) -> list[dict]:
    """The ops adding a newly opened dispute to its month's tallies (the screening's "new disputes")."""
    month = dispute.opened_on.strftime("%Y-%m")
    return [*_add(dispute.grid, month, {"opened": 1, f"opened_{dispute.tier}": 1}),
            counters.count_op(dispute.grid, month, {"mediation.opened": 1}), register.entry_op(dispute)]


def retiered_ops(dispute: Dispute, tier: str) -> list[dict]:
    """The ops moving a dispute opened at one tier to the tier decided later (a ticket's dispute once its
    parties are recorded), in the tallies of the month it was opened."""
    if tier == dispute.tier:
        return []
    return _add(dispute.grid, dispute.opened_on.strftime("%Y-%m"), {f"opened_{dispute.tier}": -1, f"opened_{tier}": 1})


def month_tally(area: str, month: str) -> Tally:
    """One area's tally of one month (all zero when nothing happened)."""
    tally_id = f"{area}-{month}"
    return storage.read(Tally, tally_id) or Tally(id=tally_id)


def closing(dispute: Dispute, outcome: Outcome, write: Callable[[list], T]) -> T:
    """`write(ops)` — the outcome's transaction — with the outcome added to the tallies of its month (the grid
    and every area above it) and to the statistics' counters, the problem counted once for the year at the
    level of mediation (`counters.once`: by its ticket, else its first party with an ID number, else itself)."""
    counts = {"closed": 1, f"result_{outcome.result}": 1}
    if outcome.agreement is not None:
        counts[f"agreed_{dispute.tier}"] = 1
    tallies = _add(dispute.grid, outcome.on.strftime("%Y-%m"), counts)
    stats = {"mediation.closed": 1, "mediation.agreed": int(outcome.agreement is not None),
             "mediation.grassroots" if dispute.tier in ("grid", "village") else "mediation.escalated": 1}
    person = next((p.id_hash for p in dispute.parties if p.id_hash), None)
    subject = f"ticket-{dispute.ticket_id}" if dispute.ticket_id else f"person-{person}" if person else \
        f"dispute-{dispute.id}"
    return counters.once(lambda ops: write([*tallies, *ops]), subject, outcome.on, "mediation", dispute.grid,
                         "mediation", also=stats)


def disputes_mediated(area: str, months: tuple[str, ...]) -> dict[str, int]:
    """The village ledger's column (C9): disputes whose mediation ended in each month (any result), for the
    area and below — its months' tallies in one BatchGetItem."""
    found = storage.find_many(Tally, [f"{area}-{m}" for m in months])
    return {m: found[f"{area}-{m}"].count("closed") for m in months if f"{area}-{m}" in found}


class RatesQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^\d{4}(\d{2})?(\d{3}){0,3}$", description="区域代码（默认本人辖区）")
    since: str | None = Field(None, pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="起始月 YYYY-MM（默认当年 1 月）")
    until: str | None = Field(None, pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="截止月 YYYY-MM（默认本月）")

    def period(self, today: date) -> tuple[date, date]:
        def month(text: str) -> date:
            return date(int(text[:4]), int(text[5:]), 1)

        return (month(self.since) if self.since else date(today.year, 1, 1),
                month(self.until) if self.until else today.replace(day=1))


class RatesOut(Model):
    area: str
    months: list[str]
    closed: int
    by_result: dict[str, int]
    agreed_by_tier: dict[str, int]
    success_rate: Decimal | None = None      # agreements among outcomes other than a withdrawal, in %
    grass_roots_share: Decimal | None = None  # agreements reached at grid/village/town among all, in %
    goal: Decimal
    meets_goal: bool | None = None
    explanation: str


def _months(start: date, end: date) -> list[str]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rates(caller: Caller, area: str | None, start: date, end: date) -> RatesOut:
    """The success rate and the grass-roots share of an area over whole months, from the months' tallies.

    One call: the goal is a parameter in force at the area, and the policy domain reads it in the same
    BatchGetItem as the months' tallies (`policy.read_along`)."""
    scope = area or caller.area or ""
    require_covers(caller, scope, ["area"])
    months = _months(start, end)
    if not months or len(months) > MAX_MONTHS:
        raise Unprocessable(f"统计期间应为 1 至 {MAX_MONTHS} 个月", code="period_out_of_range",
                            errors=field_error(["until"], f"不早于起始月，且不超过 {MAX_MONTHS} 个月"))
    along = policy.read_along([params.GRASS_ROOTS_GOAL], scope, also={Tally: [f"{scope}-{m}" for m in months]})
    tallies = along.records[Tally].values()
    total = lambda name: sum(t.count(name) for t in tallies)  # noqa: E731
    by_result = {r: total(f"result_{r}") for r in RESULTS}
    agreed = {t: total(f"agreed_{t}") for t in TIERS}
    agreements = by_result["agreement"]
    goal = Decimal(along.resolve_many(end)[params.GRASS_ROOTS_GOAL].value)
    share = _percent(sum(agreed[t] for t in GRASS_ROOTS), agreements)
    success = _percent(agreements, total("closed") - by_result["withdrawn"])
    return RatesOut(area=scope, months=months, closed=total("closed"), by_result=by_result, agreed_by_tier=agreed,
                    success_rate=success, grass_roots_share=share, goal=goal,
                    meets_goal=None if share is None else share >= goal,
                    explanation=f"调解成功率＝达成协议件数÷结案件数（不含撤回）；基层化解率＝在网格、村（社区）、"
                                f"镇（街道）达成协议的件数÷达成协议件数，目标 {goal}% 以上")
