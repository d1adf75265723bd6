"""The starting tier (SPEC M2, seeds/000 item 5) as named criteria with reasons, on the core rules engine.

"简易纠纷由网格调解员直接调处，复杂纠纷……流转至镇(街道)调解组织化解，重大矛盾纠纷由各辖市(区)矛盾纠纷调处中心
……共同调处；确保简易纠纷不出网格、一般纠纷不出村(社区)，行业专业矛盾纠纷不出行业(领域)."

The tiers are tried from the highest down; the first whose criteria are met is the starting tier, and the
reasons of the criteria that decided it are recorded on the dispute and shown. Pure: the thresholds in force
are in the facts, so every boundary is tested without storage.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.platform import rules
from chalicelib.platform.rules import Result, criterion
from plugins.mediation.models import KINDS, TIERS

# Kinds a grid mediator settles on the spot when nothing else makes them heavier (seeds/000 item 5 names
# 邻里、婚姻家庭、物业管理 for grid mediators); other kinds are "general" and start at the village committee.
SIMPLE_KINDS = frozenset({"neighbour", "marriage_family", "property_management", "adjacent_property"})
# Kinds with their own industry/professional committee (医疗纠纷人民调解委员会): "行业专业矛盾纠纷不出行业".
INDUSTRY_KINDS = frozenset({"doctor_patient"})
# Complex by nature: they go to the town/street committee.
COMPLEX_KINDS = frozenset({"urban_renewal", "enterprise", "petition"})


@dataclass(frozen=True)
class Threshold:
    value: int
    describe: str     # the version in force, as people read it ("涉及人数达到… 10 人（…起）")


@dataclass(frozen=True)
class Facts:
    kind: str
    parties: int
    people_involved: int
    workers: int
    petition_history: bool
    threat_of_escalation: bool
    district_people: Threshold
    district_workers: Threshold


def _people(facts: Facts) -> int:
    return max(facts.people_involved, facts.parties)


@criterion("mediation.many_people", "涉及人数众多")
def many_people(facts: Facts, on: date) -> Result:
    people, limit = _people(facts), facts.district_people
    met = people >= limit.value
    return Result(met, f"涉及 {people} 人，{'达到' if met else '未达到'} {limit.value} 人（{limit.describe}）",
                  {"people": people, "threshold": limit.value}, changes_on=rules.NEVER)


@criterion("mediation.petition_history", "有信访史")
def petition_history(facts: Facts, on: date) -> Result:
    met = facts.petition_history
    return Result(met, "此前已有信访" if met else "无信访史", changes_on=rules.NEVER)


@criterion("mediation.many_workers", "劳动争议涉及劳动者众多")
def many_workers(facts: Facts, on: date) -> Result:
    limit = facts.district_workers
    if facts.kind != "labour":
        return Result(False, "不是劳动争议", changes_on=rules.NEVER)
    met = facts.workers >= limit.value
    return Result(met, f"劳动争议涉及劳动者 {facts.workers} 人，{'达到' if met else '未达到'} {limit.value} 人"
                       f"（{limit.describe}）", {"workers": facts.workers, "threshold": limit.value},
                  changes_on=rules.NEVER)


@criterion("mediation.industry_kind", "行业专业纠纷")
def industry_kind(facts: Facts, on: date) -> Result:
    met = facts.kind in INDUSTRY_KINDS
    return Result(met, f"{KINDS[facts.kind]}{'由行业性专业性调委会调处（行业纠纷不出行业）' if met else '不属行业专业纠纷'}",
                  changes_on=rules.NEVER)


@criterion("mediation.complex_kind", "复杂类型纠纷")
def complex_kind(facts: Facts, on: date) -> Result:
    met = facts.kind in COMPLEX_KINDS
    return Result(met, f"{KINDS[facts.kind]}{'属复杂纠纷，流转至镇（街道）调委会' if met else '不属复杂类型'}",
                  changes_on=rules.NEVER)


@criterion("mediation.threat_of_escalation", "有激化风险")
def threat_of_escalation(facts: Facts, on: date) -> Result:
    met = facts.threat_of_escalation
    return Result(met, "当事人扬言上访、聚集或有过激行为风险" if met else "无激化风险", changes_on=rules.NEVER)


@criterion("mediation.general_kind", "一般纠纷")
def general_kind(facts: Facts, on: date) -> Result:
    met = facts.kind not in SIMPLE_KINDS
    return Result(met, f"{KINDS[facts.kind]}{'属一般纠纷，不出村（社区）' if met else '属简易纠纷类型'}",
                  changes_on=rules.NEVER)


@criterion("mediation.simple", "简易纠纷")
def simple(facts: Facts, on: date) -> Result:
    return Result(True, f"{KINDS[facts.kind]}，无重大、复杂情形，简易纠纷不出网格", changes_on=rules.NEVER)


# Highest first: the first met decides.
LADDER = (
    ("district", rules.any_of("mediation.tier_district", "重大矛盾纠纷", many_people, petition_history, many_workers)),
    ("industry", rules.any_of("mediation.tier_industry", "行业专业纠纷", industry_kind)),
    ("town", rules.any_of("mediation.tier_town", "复杂纠纷", complex_kind, threat_of_escalation)),
    ("village", rules.any_of("mediation.tier_village", "一般纠纷", general_kind)),
    ("grid", rules.any_of("mediation.tier_grid", "简易纠纷", simple)),
)


@dataclass(frozen=True)
class Decision:
    tier: str
    reasons: list[str]
    result: Result

    @property
    def label(self) -> str:
        return TIERS[self.tier]


def starting_tier(facts: Facts, on: date) -> Decision:
    """The highest tier whose criteria are met, with the reasons of the criteria that decided it."""
    for tier, rule in LADDER:
        result = rule.evaluate(facts, on)
        if result.met:
            return Decision(tier, [result.parts[name].reason for name in result.decided_by], result)
    raise AssertionError("the grid tier is always met")  # `simple` is met for every dispute
