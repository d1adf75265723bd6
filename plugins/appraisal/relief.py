"""Fee relief 减·缓·免 for an appraisal (SPEC A2; seed 001 item 11), decided by named criteria with reasons on
the core rules engine. Each criterion grants one kind of relief; the strongest one met decides:

- `appraisal.exempt_group` → waive 免: 城乡最低生活保障对象、特困供养人员、重度残疾人、
  享受抚恤补助的优抚对象 — the groups legal aid also exempts from its means test;
- `appraisal.economic_hardship` → reduce 减: the core's means test (`chalicelib.domain.means`, the same
  rule, parameter `means.income_threshold_monthly` and reasons legal aid judges by — never by importing
  legal aid). With no standard in force at the grid the criterion is not met and says so: a clerk decides;
- `appraisal.environmental_no_prepayment` → defer 缓: an environmental-damage appraisal is not charged in
  advance (seed 001: "环境损害类司法鉴定不预先收取鉴定费用").

Pure: the facts carry the standard in force, so every boundary is tested without storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.domain import means
from chalicelib.domain.policy.service import InForce
from chalicelib.platform import rules
from chalicelib.platform.rules import Result

GROUPS = {"subsistence_allowance": "城乡最低生活保障对象", "extreme_poverty": "特困供养人员",
          "severe_disability": "重度残疾人", "entitled_group": "享受抚恤补助的优抚对象"}
RELIEF_TITLES = {"waive": "免交鉴定费", "reduce": "减收鉴定费", "defer": "缓交（不预先收取）鉴定费"}
STRENGTH = ("waive", "reduce", "defer")


@dataclass(frozen=True)
class ReliefFacts:
    kind: str
    groups: frozenset[str]
    household_size: int | None
    monthly_incomes: tuple[Decimal, ...]
    standard: InForce | None          # the hardship standard in force at the grid on the day asked, if any
    asked_on: date


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
    found = means.INCOME_TEST.evaluate(means.Household(
        household_size=facts.household_size, monthly_incomes=facts.monthly_incomes, standard=facts.standard,
        judged_on=facts.asked_on), on)
    if found.met:
        return Result(True, f"{found.reason}，减收鉴定费", found.data, found.changes_on)
    return found


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
