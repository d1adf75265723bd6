"""Eligibility as named criteria with reasons (SPEC L2–L5), after Recidiviz's task-eligibility criteria.

Each criterion is a small object: a code, a Chinese title, and `evaluate(facts, rules) -> CriterionResult`
with `met` and a reason a clerk can read to the applicant. The criteria are pure (facts and the policy
versions in force are passed in), so every boundary is tested without storage.

How they combine (`evaluate`):
- exemptions first. `local_special_groups` (SPEC L3, where the area's policy is in force) and
  `art32_exemption` lift both the means test and the matter-scope limit; `art42_exemption` lifts the means
  test only (its matters — labour pay, work injury — are in scope anyway);
- `means_test` (L2) is waived by any exemption, otherwise per-capita income ≤ threshold;
- `matter_scope` (L4) is waived by a scope-lifting exemption, otherwise the matter must be on the list;
- the verdict is eligible when both hold, and `path` says which route decided it (exempt / means_tested).
Routing criteria (`green_channel`, `home_visit`) are evaluated alongside; they never change the verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from plugins.legal_aid.models import (
    AGRICULTURAL_MATTERS,
    IN_SCOPE,
    Category,
    CriterionResult,
    Eligibility,
    MatterType,
    Verdict,
)
from plugins.legal_aid.params import GREEN_CHANNEL_HOURS, Rules

CENT = Decimal("0.01")
ELDERLY_AGE = 60   # 老年人权益保障法第二条：六十周岁以上
ADULT_AGE = 18     # 民法典第十七条：十八周岁以上为成年人


# --- facts ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Facts:
    """What the criteria look at, taken from an application (or built directly in tests)."""
    birth_date: date
    rural: bool
    categories: frozenset[Category]
    matter_type: MatterType
    household_size: int
    monthly_incomes: tuple[Decimal, ...] = ()

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def has(self, category: Category) -> bool:
        return category in self.categories


def money(amount: Decimal) -> str:
    """"1,850 元", "1,850.50 元": thousands separators, cents only when there are any."""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + " 元"


def per_capita(incomes: tuple[Decimal, ...], household_size: int) -> tuple[Decimal, Decimal]:
    """(total, per capita): per capita rounded to the cent, half up, as a clerk's calculator would."""
    total = sum(incomes, Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
    return total, (total / household_size).quantize(CENT, rounding=ROUND_HALF_UP)


# --- the criterion shape --------------------------------------------------------------------------

class Criterion(Protocol):
    code: str
    title: str

    def evaluate(self, facts: Facts, rules: Rules, decided: dict[str, CriterionResult]) -> CriterionResult: ...


def _result(criterion, met: bool, reason: str, status: str | None = None, **data) -> CriterionResult:
    return CriterionResult(code=criterion.code, title=criterion.title, met=met,
                           status=status or ("met" if met else "not_met"), reason=reason, data=data)


@dataclass(frozen=True)
class Exemption:
    """An exemption: met when any of its cases applies; lifts the means test, and the scope limit if
    `lifts_scope`."""
    code: str
    title: str
    basis: str
    lifts_scope: bool
    cases: tuple = field(default_factory=tuple)
    requires_local_policy: bool = False

    def evaluate(self, facts: Facts, rules: Rules, decided: dict[str, CriterionResult]) -> CriterionResult:
        found = [text for case in self.cases if (text := case(facts, rules))]
        lifts = "免于经济困难审查，不受事项范围限制" if self.lifts_scope else "免于经济困难审查"
        if self.requires_local_policy and not rules.special_groups_in_force:
            note = "；申报情形：" + "、".join(found) if found else ""
            return _result(self, False, f"申请日（{rules.on.isoformat()}）本地区未实行特殊困难群体免审政策{note}",
                           cases=found)
        if not found:
            return _result(self, False, f"不属于{self.basis}规定的情形", cases=[])
        basis = self.basis
        if self.requires_local_policy and rules.special_groups:
            basis = f"{rules.special_groups.label}（{rules.special_groups.effective_from.isoformat()} 起）"
        return _result(self, True, f"{'、'.join(found)}（{basis}），{lifts}", cases=found,
                       lifts_scope=self.lifts_scope)


# The cases: each returns the Chinese text of the case when it applies, else None.

def _rural_elderly(category: Category | None, label: str):
    def case(facts: Facts, rules: Rules) -> str | None:
        age = facts.age_on(rules.on)
        if not facts.rural:
            return None
        if category is None:  # advanced age: from the ID number's birth date, never typed in
            return f"{label}（{age} 周岁）" if age >= rules.advanced_age_years else None
        if facts.has(category) and age >= ELDERLY_AGE:
            return f"{label}（{age} 周岁）"
        return None
    return case


def _declared(category: Category, label: str | None = None):
    def case(facts: Facts, rules: Rules) -> str | None:
        return (label or category.label) if facts.has(category) else None
    return case


def _child_in_distress(facts: Facts, rules: Rules) -> str | None:
    age = facts.age_on(rules.on)
    return f"困境儿童（{age} 周岁）" if facts.has(Category.child_in_distress) and age < ADULT_AGE else None


def _without_fixed_income(facts: Facts, rules: Rules) -> str | None:
    if not facts.has(Category.no_fixed_income):
        return None
    age = facts.age_on(rules.on)
    if age < ADULT_AGE:
        return f"无固定生活来源的未成年人（{age} 周岁）"
    if age >= ELDERLY_AGE:
        return f"无固定生活来源的老年人（{age} 周岁）"
    if facts.categories & {Category.disabled, Category.severely_disabled}:
        return "无固定生活来源的残疾人"
    return None


def _social_assistance(facts: Facts, rules: Rules) -> str | None:
    held = [c.label for c in (Category.dibao, Category.tekun, Category.wubao) if facts.has(c)]
    return f"社会救助对象（{'、'.join(held)}）" if held else None


def _migrant_worker_claim(facts: Facts, rules: Rules) -> str | None:
    if not facts.has(Category.migrant_worker):
        return None
    if facts.matter_type == MatterType.labour_pay:
        return "农民工追索劳动报酬"
    if facts.matter_type == MatterType.work_injury:
        return "农民工请求工伤事故人身损害赔偿"
    return None


LOCAL_SPECIAL_GROUPS = Exemption(
    code="local_special_groups", title="特殊困难群体免审（地方政策）", basis="地方特殊困难群体免审政策",
    lifts_scope=True, requires_local_policy=True,
    cases=(
        _rural_elderly(None, "农村高龄老人"),
        _rural_elderly(Category.living_alone, "农村孤寡老人"),
        _rural_elderly(Category.disabled_elderly, "农村失能老人"),
        _rural_elderly(Category.bereaved_only_child, "农村失独老人"),
        _child_in_distress,
        _declared(Category.severely_disabled),
        _declared(Category.seriously_ill),
        _social_assistance,
    ),
)

ART32_EXEMPTION = Exemption(
    code="art32_exemption", title="不受经济困难条件限制的情形（法律援助法第三十二条）", basis="法律援助法第三十二条",
    lifts_scope=True,
    cases=(
        _declared(Category.martyr_relative), _declared(Category.bravery),
        _declared(Category.retrial_acquittal), _declared(Category.abuse_victim),
    ),
)

ART42_EXEMPTION = Exemption(
    code="art42_exemption", title="免予核查经济困难状况的情形（法律援助法第四十二条）", basis="法律援助法第四十二条",
    lifts_scope=False,
    cases=(
        _without_fixed_income, _social_assistance,
        _declared(Category.judicial_assistance), _declared(Category.special_care),
        _migrant_worker_claim,
    ),
)

EXEMPTIONS = (LOCAL_SPECIAL_GROUPS, ART32_EXEMPTION, ART42_EXEMPTION)


@dataclass(frozen=True)
class MeansTest:
    """SPEC L2. Boundary: per-capita income EQUAL to the threshold is eligible (SPEC: "≤ the area's
    threshold"). Compared exactly, as total ≤ threshold × household size (no rounding): a household of 3
    earning 6,840 元 under 2,280 元 is eligible, one earning 6,840.01 元 is not, although its per capita
    rounds to 2,280.00 元 — the rounded figure is only shown in the reason."""
    code: str = "means_test"
    title: str = "经济困难审查（家庭人均月收入）"

    def evaluate(self, facts: Facts, rules: Rules, decided: dict[str, CriterionResult]) -> CriterionResult:
        total, each = per_capita(facts.monthly_incomes, facts.household_size)
        data = {"total_monthly": str(total), "household_size": facts.household_size, "per_capita": str(each)}
        exempt = [r for r in decided.values() if r.code in {e.code for e in EXEMPTIONS} and r.met]
        if exempt:
            cases = "、".join(c for r in exempt for c in r.data.get("cases", []))
            return _result(self, True, f"免经济困难审查：{cases}", "waived", **data)
        if rules.threshold is None:
            return _result(self, False, f"申请地在申请日（{rules.on.isoformat()}）未设定经济困难标准，需人工审查"
                                        f"（家庭月收入合计 {money(total)}，共 {facts.household_size} 人，"
                                        f"人均 {money(each)}）", "undetermined", **data)
        limit = Decimal(str(rules.threshold.value))
        data.update(threshold=str(limit), threshold_label=rules.threshold.label,
                    threshold_version=rules.threshold.version_id)
        detail = f"；家庭月收入合计 {money(total)}，共 {facts.household_size} 人" \
                 f"（{rules.threshold.label}自 {rules.threshold.effective_from.isoformat()} 起执行）"
        if total <= limit * facts.household_size:
            return _result(self, True, f"人均月收入 {money(each)} ≤ {money(limit)}（{rules.threshold.label}）{detail}",
                           **data)
        if each <= limit:  # above by less than half a cent per head: the rounded figure would read as equal
            return _result(self, False, f"人均月收入略高于 {money(limit)}（{rules.threshold.label}）：家庭月收入合计 "
                                        f"{money(total)} > {money(limit)} × {facts.household_size} 人 = "
                                        f"{money(limit * facts.household_size)}{detail}", **data)
        return _result(self, False, f"人均月收入 {money(each)} > {money(limit)}（{rules.threshold.label}）{detail}",
                       **data)


@dataclass(frozen=True)
class MatterScope:
    """SPEC L4 (法律援助法第三十一条 and seeds/003's list)."""
    code: str = "matter_scope"
    title: str = "法律援助事项范围"

    def evaluate(self, facts: Facts, rules: Rules, decided: dict[str, CriterionResult]) -> CriterionResult:
        matter = facts.matter_type.label
        lifting = [r for r in decided.values() if r.met and r.data.get("lifts_scope")]
        if lifting:
            cases = "、".join(c for r in lifting for c in r.data.get("cases", []))
            return _result(self, True, f"不受事项范围限制：{cases}（申请事项：{matter}）", "waived")
        if facts.matter_type in IN_SCOPE:
            return _result(self, True, f"“{matter}”属于法律援助事项范围")
        return _result(self, False, f"“{matter}”不在法律援助事项范围内")


@dataclass(frozen=True)
class GreenChannel:
    """SPEC L5: agriculture-related cases and migrant workers' pay claims."""
    code: str = "green_channel"
    title: str = "绿色通道（涉农案件、农民工追索劳动报酬）"

    def evaluate(self, facts: Facts, rules: Rules, decided: dict[str, CriterionResult]) -> CriterionResult:
        hours = rules.hours(GREEN_CHANNEL_HOURS) if GREEN_CHANNEL_HOURS in rules.timing else 24
        promise = f"{'一个工作日' if hours == 24 else f'{hours} 个工作小时'}内受理、审查、指派，优先办理"
        why = []
        if facts.has(Category.migrant_worker) and facts.matter_type == MatterType.labour_pay:
            why.append("农民工追索劳动报酬")
        if facts.matter_type in AGRICULTURAL_MATTERS:
            why.append(f"涉农案件（{facts.matter_type.label}）")
        elif facts.has(Category.agriculture_related):
            why.append("涉农案件")
        if why:
            return _result(self, True, f"{'、'.join(why)}，适用绿色通道：{promise}", hours=hours)
        return _result(self, False, "非涉农案件，也非农民工追索劳动报酬，按一般程序办理")


@dataclass(frozen=True)
class HomeVisitEligible:
    """SPEC L6 / seeds/001 item 5: appointments at home for elderly, disabled and seriously ill applicants."""
    code: str = "home_visit"
    title: str = "预约上门服务（老年人、残疾人、重病患者）"

    def evaluate(self, facts: Facts, rules: Rules, decided: dict[str, CriterionResult]) -> CriterionResult:
        age = facts.age_on(rules.on)
        why = []
        if age >= ELDERLY_AGE:
            why.append(f"老年人（{age} 周岁）")
        if facts.categories & {Category.disabled, Category.severely_disabled, Category.disabled_elderly}:
            why.append("残疾人或失能人员")
        if facts.has(Category.seriously_ill):
            why.append("重病患者")
        if why:
            return _result(self, True, f"{'、'.join(why)}，可预约上门服务")
        return _result(self, False, "不属于老年人、残疾人或重病患者，请到窗口或线上办理")


MEANS_TEST, MATTER_SCOPE, GREEN_CHANNEL, HOME_VISIT = MeansTest(), MatterScope(), GreenChannel(), HomeVisitEligible()
ELIGIBILITY = (*EXEMPTIONS, MEANS_TEST, MATTER_SCOPE)
ROUTING = (GREEN_CHANNEL, HOME_VISIT)


def run(criteria, facts: Facts, rules: Rules) -> dict[str, CriterionResult]:
    decided: dict[str, CriterionResult] = {}
    for criterion in criteria:
        decided[criterion.code] = criterion.evaluate(facts, rules, decided)
    return decided


def evaluate(facts: Facts, rules: Rules) -> tuple[Eligibility, dict[str, CriterionResult]]:
    """The eligibility result (every criterion, the verdict, the deciding path) and the routing results."""
    results = run(ELIGIBILITY, facts, rules)
    means, scope = results[MEANS_TEST.code], results[MATTER_SCOPE.code]
    path = "exempt" if means.status == "waived" else "means_tested"
    if means.met and scope.met:
        verdict = Verdict.eligible
        summary = f"符合条件（{means.reason}）" if path == "exempt" else f"符合条件（经济困难：{means.reason.split('；')[0]}）"
    elif means.status == "undetermined" and scope.met:
        verdict, path = Verdict.undetermined, "undetermined"
        summary = f"待人工审查：{means.reason}"
    else:
        verdict = Verdict.ineligible
        failing = [r.reason.split("；")[0] for r in (means, scope) if not r.met]
        summary = "不符合条件：" + "；".join(failing)
    versions = [v.version_id for v in (rules.threshold, rules.special_groups, rules.advanced_age) if v]
    eligibility = Eligibility(verdict=verdict, path=path, summary=summary, criteria=list(results.values()),
                              evaluated_on=rules.on, policy_versions=versions)
    return eligibility, run(ROUTING, facts, rules)
