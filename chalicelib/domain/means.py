"""The economic-hardship means test 经济困难审查 shared by every service that relieves the hard-up of a cost
(SPEC L2 for legal aid, A2 for appraisal fees: "reuse L2"): per-capita monthly household income not above the
area's hardship standard, the core policy parameter `means.income_threshold_monthly`.

- `standard(area, on)` → the version in force at the area on the date, or None (nothing set there: no
  national figure exists — 法律援助法 leaves the standard to each locality, Changzhou 2021 the local minimum
  wage — so a clerk decides);
- `INCOME_TEST` — the named criterion `means.income_test` on the core rules engine, over a `Household`. A
  service wraps it in its own named criterion (legal aid's `legal_aid.income_test`, appraisal's
  `appraisal.economic_hardship`) so its stored results keep their names; the arithmetic and the reasons are
  this one.

Boundary: income per head EQUAL to the standard passes. Compared exactly, as total ≤ standard × household
size: a household of 3 earning 6,840 元 under 2,280 元 passes, one earning 6,840.01 元 does not, although its
per capita rounds to 2,280.00 元 — the rounded figure is only shown in the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.domain.policy import service as policy
from chalicelib.platform import rules
from chalicelib.platform.rules import Result

INCOME_THRESHOLD = policy.MEANS_INCOME_THRESHOLD
CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """"1,850 元", "1,850.50 元": thousands separators, cents only when there are any."""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + " 元"


def per_capita(incomes: tuple[Decimal, ...], household_size: int) -> tuple[Decimal, Decimal]:
    """(total, per capita): per capita rounded to the cent, half up, as a clerk's calculator would."""
    total = sum(incomes, Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
    return total, (total / household_size).quantize(CENT, rounding=ROUND_HALF_UP)


def standard(area: str, on: date) -> policy.InForce | None:
    """The hardship standard in force at `area` on `on` (one round trip), or None where none is set."""
    return policy.resolve_present([INCOME_THRESHOLD], area, on).get(INCOME_THRESHOLD)


@dataclass(frozen=True)
class Household:
    """What the means test reads: the household and the standard in force on the day it is judged by
    (`judged_on`: the application date; a look-ahead moves `on`, never the rule)."""
    household_size: int
    monthly_incomes: tuple[Decimal, ...]
    standard: policy.InForce | None
    judged_on: date


def _income_test(household: Household, on: date) -> Result:
    size = household.household_size
    total, each = per_capita(household.monthly_incomes, size)
    data: dict = {"total_monthly": str(total), "household_size": size, "per_capita": str(each)}
    if household.standard is None:
        return Result(False, f"申请地在申请日（{household.judged_on.isoformat()}）未设定经济困难标准，需人工审查"
                             f"（家庭月收入合计 {money(total)}，共 {size} 人，人均 {money(each)}）",
                      {**data, "undetermined": True}, rules.NEVER)
    limit = Decimal(str(household.standard.value))
    label = household.standard.label
    data.update(threshold=str(limit), threshold_label=label, threshold_version=household.standard.version_id)
    detail = f"；家庭月收入合计 {money(total)}，共 {size} 人" \
             f"（{label}自 {household.standard.effective_from.isoformat()} 起执行）"
    if total <= limit * size:
        return Result(True, f"人均月收入 {money(each)} ≤ {money(limit)}（{label}）{detail}", data, rules.NEVER)
    if each <= limit:  # above by less than half a cent per head: the rounded figure would read as equal
        return Result(False, f"人均月收入略高于 {money(limit)}（{label}）：家庭月收入合计 {money(total)} > "
                             f"{money(limit)} × {size} 人 = {money(limit * size)}{detail}", data, rules.NEVER)
    return Result(False, f"人均月收入 {money(each)} > {money(limit)}（{label}）{detail}", data, rules.NEVER)


INCOME_TEST = rules.Check("means.income_test", "家庭人均月收入不高于经济困难标准", _income_test)
