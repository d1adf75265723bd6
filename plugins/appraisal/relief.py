"""Fee relief 减·缓·免 for an appraisal (SPEC A2 "reuse L2/L3"; seed 001 items 3 and 11), decided by named
criteria with reasons on the core rules engine. Each criterion grants one kind of relief; the strongest one
met decides, whatever the others say:

- waive 免 — the groups legal aid exempts from its means test, through the core's cases, labels and reasons
  (`chalicelib.domain.means`, never by importing legal aid), so a member is relieved whatever the income:
  - `appraisal.local_special_groups`: rural elderly of advanced age, living alone, disabled or bereaved of
    their only child; children in distress; the severely disabled; the seriously ill; 低保、特困、五保 —
    where the area's policy `means.special_groups_exempt` is in force on the day asked (Changzhou from
    2021-07-20: seed 001 item 3, the notice whose item 11 relieves the hard-up of appraisal fees);
  - `appraisal.art42_groups`: the groups 法律援助法 art. 42 deems hard-up without a check (minors, elderly
    and disabled people without fixed income; social, judicial assistance; special care 优抚), everywhere;
- reduce 减 — `appraisal.economic_hardship`: the core's means test (the rule, the parameter
  `means.income_threshold_monthly` and the reasons legal aid judges by). With no standard in force at the
  grid the criterion is not met and says so: a clerk decides;
- defer 缓 — `appraisal.environmental_no_prepayment`: an environmental-damage appraisal is not charged in
  advance (seed 001 item 11: "环境损害类司法鉴定不预先收取鉴定费用").

The seed grants 减·缓·免 "酌情" to the hard-up without saying which group gets which; a group deemed hard-up
without any check is relieved the most (免), a household that passes the means test pays less (减).
Pure: the facts carry the versions in force, so every boundary is tested without storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.domain import means
from chalicelib.platform import rules
from chalicelib.platform.rules import Result

RELIEF_TITLES = {"waive": "免交鉴定费", "reduce": "减收鉴定费", "defer": "缓交（不预先收取）鉴定费"}
STRENGTH = ("waive", "reduce", "defer")


@dataclass(frozen=True)
class ReliefFacts:
    """What the criteria read (a `means.Judged`): the consultation's kind, the resident as they declare
    themselves, their household, and the core's parameters in force at the grid on the day asked."""
    kind: str
    person: means.Person
    household_size: int | None
    monthly_incomes: tuple[Decimal, ...]
    rules: means.Standards

    @property
    def asked_on(self) -> date:
        return self.rules.on


LOCAL_SPECIAL_GROUPS = means.Exemption(
    name="appraisal.local_special_groups", title="特殊困难群体（地方政策）", basis="地方特殊困难群体免审政策",
    lifts_scope=False, requires_local_policy=True, cases=means.LOCAL_CASES)
ART42_GROUPS = means.Exemption(
    name="appraisal.art42_groups", title="免予核查经济困难状况的群体（法律援助法第四十二条）",
    basis="法律援助法第四十二条", lifts_scope=False, cases=means.ART42_CASES)
GROUPS = rules.any_of("appraisal.exempt_groups", "免于经济困难审查的群体", LOCAL_SPECIAL_GROUPS, ART42_GROUPS)


@rules.criterion("appraisal.exempt_group", "特殊困难群体免交")
def exempt_group(facts: ReliefFacts, on: date) -> Result:
    """Met when the resident belongs to a group exempt from the means test. Decided by the first group
    criterion met (the local policy before art. 42: it names the notice in force); the reason is that
    criterion's, as legal aid gives it, and the fee waived. Every group criterion's result stays in `parts`."""
    found = GROUPS.evaluate(facts, on)
    if found.met:
        first = found.decided_by[0]
        return Result(True, f"{found.parts[first].reason}，免交鉴定费", {"granted_by": [first]}, found.changes_on,
                      (first,), found.parts)
    return Result(False, found.reason, {"granted_by": []}, found.changes_on, found.decided_by, found.parts)


@rules.criterion("appraisal.economic_hardship", "经济困难减收")
def economic_hardship(facts: ReliefFacts, on: date) -> Result:
    if facts.household_size is None or not facts.monthly_incomes:
        return Result(False, "未提供家庭人口和收入", changes_on=rules.NEVER)
    found = means.INCOME_TEST.evaluate(means.Household(
        household_size=facts.household_size, monthly_incomes=facts.monthly_incomes, standard=facts.rules.threshold,
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
# The named criteria a decision lists, each with the relief it grants when met.
LISTED = (("waive", LOCAL_SPECIAL_GROUPS), ("waive", ART42_GROUPS), ("reduce", economic_hardship),
          ("defer", environmental_no_prepayment))


@dataclass(frozen=True)
class Decision:
    """The strongest relief met (None: none), the named criteria that granted it, and its reason."""
    relief: str | None
    granted_by: tuple[str, ...]
    reason: str
    result: Result


def decide(facts: ReliefFacts, on: date) -> Decision:
    """Every criterion evaluated; the strongest relief met decides."""
    result = RELIEF.evaluate(facts, on)
    relief = next((r for r in STRENGTH if part(result, GRANTS[r].name).met), None)
    if relief is None:
        return Decision(None, (), result.reason, result)
    granting = part(result, GRANTS[relief].name)
    granted_by = granting.decided_by if relief == "waive" else (GRANTS[relief].name,)
    return Decision(relief, granted_by, granting.reason, result)


def part(result: Result, name: str) -> Result:
    """The result of the criterion called `name` within a decision's whole result."""
    found = result.find(name)
    if found is None:  # every listed criterion is part of RELIEF
        raise LookupError(f"{name} is not part of {RELIEF.name}")
    return found
