"""Eligibility as named criteria with reasons (SPEC L2–L5), on the core rules engine (`chalicelib.platform.rules`).

Each criterion has a name (`legal_aid.means_test`), a Chinese title, and `evaluate(situation, on)` returning
`met` and a reason a clerk can read to the applicant. A `Situation` is the application's facts with the
policy versions in force on its date, so the criteria are pure and every boundary is tested without storage.
Stored results and the API keep the short code (`means_test`: the name without `legal_aid.`).

How they combine — explicitly, with the engine's combinators:
- exemptions (L3): `local_special_groups` (where the area's policy is in force) and `art32_exemption` lift
  both the means test and the matter-scope limit; `art42_exemption` lifts the means test only (its matters —
  labour pay, work injury — are in scope anyway); their groups, cases and reasons are the core's
  (`chalicelib.domain.means`, which appraisal fee relief names too), legal aid adds art. 32 and the
  migrant worker's claim;
- `means_test` (L2) = the income test, waived by any exemption (`EXEMPT`);
- `matter_scope` (L4) = the scope list, waived by a scope-lifting exemption (`SCOPE_EXEMPT`);
- `ELIGIBLE` = all of the two; `path` says which route decided it (exempt / means_tested), and a means test
  without a threshold in force leaves the verdict to a clerk (undetermined).
Routing criteria (`green_channel`, `home_visit`) are evaluated alongside; they never change the verdict.
Criteria that read the applicant's age report their next birthday as `changes_on`, so `eligible_within`
answers "eligible within 30 days?" without evaluating every day.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.domain import means
from chalicelib.domain.means import money, per_capita  # noqa: F401  (legal aid's views and workflow use them)
from chalicelib.domain.means import ELDERLY_AGE, next_birthday  # the core's, shared with appraisal
from chalicelib.platform import rules as engine
from chalicelib.platform.rules import Result
from plugins.legal_aid.models import (
    AGRICULTURAL_MATTERS,
    IN_SCOPE,
    Category,
    CriterionResult,
    Eligibility,
    Facts,
    MatterType,
    Verdict,
)
from plugins.legal_aid.params import GREEN_CHANNEL_HOURS, Rules


# --- days and the situation ----------------------------------------------------------------------

@dataclass(frozen=True)
class Situation:
    """What the engine is asked about: an application's facts and the policy versions in force on its date.
    A look-ahead keeps these versions (policy changes are the policy timeline's business) and moves only the
    day, which is what ages are counted on."""
    facts: Facts
    rules: Rules

    @property
    def person(self) -> means.Person:
        """The applicant as the core's exemption cases read them (`chalicelib.domain.means`)."""
        return means.Person(birth_date=self.facts.birth_date, rural=self.facts.rural,
                            groups=frozenset(c.value for c in self.facts.categories))


def _by_age(situation: Situation, on: date) -> date:
    # A criterion reading nothing that moves but the applicant's age can change only on a birthday.
    return next_birthday(situation.facts.birth_date, on)


# --- L3 exemptions: the core's groups, cases and reasons (shared with appraisal fee relief, SPEC A2) ----

def _declared(category: Category) -> means.Case:
    def case(situation: Situation, on: date) -> str | None:
        return category.label if situation.facts.has(category) else None
    return case


def _migrant_worker_claim(situation: Situation, on: date) -> str | None:
    facts = situation.facts
    if not facts.has(Category.migrant_worker):
        return None
    if facts.matter_type == MatterType.labour_pay:
        return "农民工追索劳动报酬"
    if facts.matter_type == MatterType.work_injury:
        return "农民工请求工伤事故人身损害赔偿"
    return None


LOCAL_SPECIAL_GROUPS = means.Exemption(
    name="legal_aid.local_special_groups", title="特殊困难群体免审（地方政策）", basis="地方特殊困难群体免审政策",
    lifts_scope=True, requires_local_policy=True, cases=means.LOCAL_CASES)

ART32_EXEMPTION = means.Exemption(
    name="legal_aid.art32_exemption", title="不受经济困难条件限制的情形（法律援助法第三十二条）",
    basis="法律援助法第三十二条", lifts_scope=True, reads_age=False,
    cases=(
        _declared(Category.martyr_relative), _declared(Category.bravery),
        _declared(Category.retrial_acquittal), _declared(Category.abuse_victim),
    ),
)

ART42_EXEMPTION = means.Exemption(
    name="legal_aid.art42_exemption", title="免予核查经济困难状况的情形（法律援助法第四十二条）",
    basis="法律援助法第四十二条", lifts_scope=False, cases=(*means.ART42_CASES, _migrant_worker_claim))

EXEMPTIONS = (LOCAL_SPECIAL_GROUPS, ART32_EXEMPTION, ART42_EXEMPTION)
EXEMPT = engine.any_of("legal_aid.exemptions", "免于经济困难审查的情形", *EXEMPTIONS)
SCOPE_EXEMPT = engine.any_of("legal_aid.scope_exemptions", "不受事项范围限制的情形",
                             *(e for e in EXEMPTIONS if e.lifts_scope))


def _cases(exemptions: Result) -> str:
    """The cases of the exemptions that applied, in the order the exemptions are listed."""
    return "、".join(case for r in exemptions.parts.values() if r.met for case in r.data.get("cases", []))


# --- L2 means test --------------------------------------------------------------------------------

def _income_test(situation: Situation, on: date) -> Result:
    """SPEC L2: the core's means test (`chalicelib.domain.means`: boundary, rounding and reasons), judged by
    the standard in force on the application date. Without one the result is not met and
    `data["undetermined"]`: a clerk decides."""
    facts, rules = situation.facts, situation.rules
    return means.INCOME_TEST.evaluate(means.Household(household_size=facts.household_size,
                                                      monthly_incomes=facts.monthly_incomes,
                                                      standard=rules.threshold, judged_on=rules.on), on)


INCOME_TEST = engine.Check("legal_aid.income_test", "家庭人均月收入不高于经济困难标准", _income_test)
MEANS_TEST = engine.waived_by("legal_aid.means_test", "经济困难审查（家庭人均月收入）", INCOME_TEST, EXEMPT,
                              explain=lambda situation, exempt: f"免经济困难审查：{_cases(exempt)}")


# --- L4 matter scope ------------------------------------------------------------------------------

def _matter_list(situation: Situation, on: date) -> Result:
    """SPEC L4 (法律援助法第三十一条 and seeds/003's list)."""
    matter = situation.facts.matter_type
    if matter in IN_SCOPE:
        return Result(True, f"“{matter.label}”属于法律援助事项范围", {}, engine.NEVER)
    return Result(False, f"“{matter.label}”不在法律援助事项范围内", {}, engine.NEVER)


MATTER_LIST = engine.Check("legal_aid.matter_list", "申请事项在法律援助事项清单内", _matter_list)
MATTER_SCOPE = engine.waived_by(
    "legal_aid.matter_scope", "法律援助事项范围", MATTER_LIST, SCOPE_EXEMPT,
    explain=lambda situation, exempt:
        f"不受事项范围限制：{_cases(exempt)}（申请事项：{situation.facts.matter_type.label}）")

ELIGIBLE = engine.all_of("legal_aid.eligibility", "法律援助申请条件", MEANS_TEST, MATTER_SCOPE)


# --- L5 green channel and L6 home visits (routing) ------------------------------------------------

def _green_channel(situation: Situation, on: date) -> Result:
    """SPEC L5: agriculture-related cases and migrant workers' pay claims."""
    facts, rules = situation.facts, situation.rules
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
        return Result(True, f"{'、'.join(why)}，适用绿色通道：{promise}", {"hours": hours}, engine.NEVER)
    return Result(False, "非涉农案件，也非农民工追索劳动报酬，按一般程序办理", {}, engine.NEVER)


def _home_visit(situation: Situation, on: date) -> Result:
    """SPEC L6 / seeds/001 item 5: appointments at home for elderly, disabled and seriously ill applicants."""
    facts = situation.facts
    age = facts.age_on(on)
    why = []
    if age >= ELDERLY_AGE:
        why.append(f"老年人（{age} 周岁）")
    if facts.categories & {Category.disabled, Category.severely_disabled, Category.disabled_elderly}:
        why.append("残疾人或失能人员")
    if facts.has(Category.seriously_ill):
        why.append("重病患者")
    if why:
        return Result(True, f"{'、'.join(why)}，可预约上门服务", {}, _by_age(situation, on))
    return Result(False, "不属于老年人、残疾人或重病患者，请到窗口或线上办理", {}, _by_age(situation, on))


GREEN_CHANNEL = engine.Check("legal_aid.green_channel", "绿色通道（涉农案件、农民工追索劳动报酬）", _green_channel)
HOME_VISIT = engine.Check("legal_aid.home_visit", "预约上门服务（老年人、残疾人、重病患者）", _home_visit)


# --- what an application records ------------------------------------------------------------------

@dataclass(frozen=True)
class Listed:
    """A criterion as applications record it and `GET /criteria` lists it: under its short code."""
    criterion: engine.Criterion[Situation]

    @property
    def name(self) -> str:
        return self.criterion.name

    @property
    def code(self) -> str:
        return self.name.removeprefix("legal_aid.")

    @property
    def title(self) -> str:
        return self.criterion.title

    def record(self, result: Result) -> CriterionResult:
        return CriterionResult(code=self.code, title=self.title, met=result.met, status=self._status(result),
                               reason=result.reason, data=dict(result.data))

    def _status(self, result: Result) -> str:
        if isinstance(self.criterion, engine.WaivedBy) and self.criterion.waived(result):
            return "waived"
        if result.data.get("undetermined"):
            return "undetermined"
        return "met" if result.met else "not_met"


ELIGIBILITY = tuple(Listed(c) for c in (*EXEMPTIONS, MEANS_TEST, MATTER_SCOPE))
ROUTING = tuple(Listed(c) for c in (GREEN_CHANNEL, HOME_VISIT))


def evaluate(facts: Facts, rules: Rules) -> tuple[Eligibility, dict[str, CriterionResult]]:
    """The eligibility result (every criterion, the verdict, the deciding path) and the routing results, on
    the application date (`rules.on`)."""
    situation = Situation(facts, rules)
    decided = ELIGIBLE.evaluate(situation, rules.on)
    listed = [item.record(_part(decided, item.name)) for item in ELIGIBILITY]
    by_code = {r.code: r for r in listed}
    means, scope = by_code["means_test"], by_code["matter_scope"]
    path = "exempt" if means.status == "waived" else "means_tested"
    if decided.met:
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
    eligibility = Eligibility(verdict=verdict, path=path, summary=summary, criteria=listed,
                              evaluated_on=rules.on, policy_versions=versions)
    routing = {item.code: item.record(item.criterion.evaluate(situation, rules.on)) for item in ROUTING}
    return eligibility, routing


def _part(decided: Result, name: str) -> Result:
    found = decided.find(name)
    if found is None:  # every listed criterion is part of ELIGIBLE; a new one must be combined there
        raise LookupError(f"{name} is not part of {ELIGIBLE.name}")
    return found


def eligible_within(facts: Facts, rules: Rules, days: int) -> engine.Almost:
    """Whether the verdict eligible / not eligible changes within `days` days after the application date,
    the policy versions in force staying as they are (screening's "within 30 days": a rural elder about to
    turn 80, a child in distress about to come of age)."""
    return engine.almost(ELIGIBLE, Situation(facts, rules), rules.on, days)
