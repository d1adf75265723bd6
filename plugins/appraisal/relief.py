"""Fee relief 减·缓·免 for an appraisal (SPEC A2; seed 001 item 11), decided by named criteria with reasons on
the core rules engine. Each criterion grants one kind of relief; the strongest one met decides:

- `appraisal.exempt_group` → waive 免: 城乡最低生活保障对象、特困供养人员、重度残疾人、
  享受抚恤补助的优抚对象 — the groups legal aid also exempts from its means test;
- `appraisal.economic_hardship` → reduce 减: household income per head not above the area's economic
  hardship standard — the same parameter legal aid judges by (`legal_aid.income_threshold_monthly`), read
  through the core's policy registry (never by importing legal aid). With legal aid disabled, or no standard
  in force, the criterion is not met and says so: a clerk decides;
- `appraisal.environmental_no_prepayment` → defer 缓: an environmental-damage appraisal is not charged in
  advance (seed 001: "环境损害类司法鉴定不预先收取鉴定费用").

Pure: the facts carry the standard in force, so every boundary is tested without storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.platform import rules
from chalicelib.platform.rules import Result

HARDSHIP_STANDARD = "legal_aid.income_threshold_monthly"
GROUPS = {"subsistence_allowance": "城乡最低生活保障对象", "extreme_poverty": "特困供养人员",
          "severe_disability": "重度残疾人", "entitled_group": "享受抚恤补助的优抚对象"}
RELIEF_TITLES = {"waive": "免交鉴定费", "reduce": "减收鉴定费", "defer": "缓交（不预先收取）鉴定费"}
STRENGTH = ("waive", "reduce", "defer")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ReliefFacts:
    kind: str
    groups: frozenset[str]
    household_size: int | None
    monthly_incomes: tuple[Decimal, ...]
    standard: Decimal | None          # the hardship standard in force at the grid, if any
    standard_label: str | None = None


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,} 元"


@rules.criterion("appraisal.exempt_group", "特殊困难群体免交")
def exempt_group(facts: ReliefFacts, on: date) -> Result:
    found = [GROUPS[g] for g in GROUPS if g in facts.groups]
    if found:
        return Result(True, "属于" + "、".join(found) + "，免交鉴定费", {"groups": sorted(facts.groups)}, rules.NEVER)
    return Result(False, "不属于免交鉴定费的特殊困难群体", changes_on=rules.NEVER)


@rules.criterion("appraisal.economic_hardship", "经济困难减收")
def economic_hardship(facts: ReliefFacts, on: date) -> Result:
    if facts.household_size is None or not facts.monthly_incomes:
        return Result(False, "未提供家庭人口和收入", changes_on=rules.NEVER)
    total = sum(facts.monthly_incomes, Decimal("0"))
    each = total / facts.household_size
    data = {"total_monthly": str(total), "household_size": facts.household_size}
    if facts.standard is None:
        return Result(False, f"本地区未设定经济困难标准，需人工审查（家庭人均月收入 {_money(each)}）",
                      {**data, "undetermined": True}, rules.NEVER)
    label = facts.standard_label or "经济困难标准"
    if total <= facts.standard * facts.household_size:  # exact, like legal aid: no rounding decides
        return Result(True, f"人均月收入 {_money(each)} ≤ {_money(facts.standard)}（{label}），减收鉴定费", data,
                      rules.NEVER)
    return Result(False, f"人均月收入 {_money(each)} > {_money(facts.standard)}（{label}）", data, rules.NEVER)


@rules.criterion("appraisal.environmental_no_prepayment", "环境损害不预收")
def environmental_no_prepayment(facts: ReliefFacts, on: date) -> Result:
    if facts.kind == "environmental_damage":
        return Result(True, "环境损害司法鉴定不预先收取鉴定费用", changes_on=rules.NEVER)
    return Result(False, "不是环境损害鉴定", changes_on=rules.NEVER)


GRANTS = {"waive": exempt_group, "reduce": economic_hardship, "defer": environmental_no_prepayment}
RELIEF = rules.any_of("appraisal.fee_relief", "鉴定费减缓免", *GRANTS.values())


def decide(facts: ReliefFacts, on: date) -> tuple[str | None, Result]:
    """The strongest relief met (None: none), and the whole result with every criterion's reason."""
    result = RELIEF.evaluate(facts, on)
    granted = next((relief for relief in STRENGTH if result.find(GRANTS[relief].name).met), None)
    return granted, result
