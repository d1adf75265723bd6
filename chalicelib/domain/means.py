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

The groups exempt from the means test (SPEC L3; A2 "reuse L3"), the same for every service:

- `GROUPS` — each group's stable name and Chinese label (`Group`, the names as a type for request bodies);
- `Person` — what a resident declares about themselves (groups, rural or not, birth date);
- `LOCAL_CASES` — the local special-hardship groups of seeds/001 item 3 (rural elderly of advanced age, or
  living alone, disabled, bereaved of their only child; children in distress; the severely disabled; the
  seriously ill; social-assistance recipients), in force where the core parameter
  `means.special_groups_exempt` is 1 on the day (advanced age: `means.advanced_age_years`);
- `ART42_CASES` — the groups 法律援助法 art. 42 waives the hardship check for (minors, elderly and disabled
  people without fixed income; social assistance, judicial assistance, special care);
- `Exemption` — a named criterion met when one of its cases applies, with the reason legal aid's verdict
  gives ("农村孤寡老人（72 周岁）（常州市特殊困难群体免审政策（2021-07-20 起）），免于经济困难审查"). Each service
  names its own (legal aid's `legal_aid.local_special_groups`, appraisal's `appraisal.local_special_groups`),
  so its stored results keep their names; the cases, labels and reasons are these.

Ages are counted from the birth date on the day judged: a case that reads the age may change on a birthday
(`changes_on`), so screening's look-ahead finds a child about to come of age without evaluating every day.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol

from chalicelib.domain.policy import service as policy
from chalicelib.platform import rules
from chalicelib.platform.money import money, per_capita
from chalicelib.platform.rules import Result

INCOME_THRESHOLD = policy.MEANS_INCOME_THRESHOLD


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


# --- the groups exempt from the means test (SPEC L3) ---------------------------------------------

SPECIAL_GROUPS = policy.MEANS_SPECIAL_GROUPS
ADVANCED_AGE = policy.MEANS_ADVANCED_AGE
ELDERLY_AGE = 60   # 老年人权益保障法第二条：六十周岁以上
ADULT_AGE = 18     # 民法典第十七条：十八周岁以上为成年人
DEFAULT_ADVANCED_AGE = 80

GROUPS: dict[str, str] = {
    # seeds/001 item 3: Changzhou's special-hardship groups (the elderly ones count only in rural areas)
    "living_alone": "孤寡老人", "disabled_elderly": "失能老人", "bereaved_only_child": "失独老人",
    "child_in_distress": "困境儿童", "severely_disabled": "重度残疾人", "seriously_ill": "重病患者",
    "dibao": "低保户", "tekun": "特困人员", "wubao": "农村五保对象",
    # 法律援助法第四十二条
    "no_fixed_income": "无固定生活来源", "disabled": "残疾人", "judicial_assistance": "司法救助对象",
    "special_care": "优抚对象",
}
Group = Literal["living_alone", "disabled_elderly", "bereaved_only_child", "child_in_distress",
                "severely_disabled", "seriously_ill", "dibao", "tekun", "wubao", "no_fixed_income", "disabled",
                "judicial_assistance", "special_care"]
AGE_BOUND = frozenset({"living_alone", "disabled_elderly", "bereaved_only_child", "child_in_distress",
                       "no_fixed_income"})  # groups whose case reads the age: they need a birth date


def next_birthday(birth_date: date, on: date) -> date:
    """The first day after `on` on which the age counted from `birth_date` grows: the birthday, or 1 March
    for someone born on 29 February in a common year (their age turns when 28 February is over)."""
    for year in (on.year, on.year + 1):
        try:
            birthday = birth_date.replace(year=year)
        except ValueError:
            birthday = date(year, 3, 1)
        if birthday > on:
            return birthday
    raise AssertionError("unreachable: next year's birthday is after `on`")


@dataclass(frozen=True)
class Person:
    """What a resident declares about themselves (staff verify it against documents); `birth_date` None:
    not given, so no case that reads the age applies."""
    birth_date: date | None
    rural: bool
    groups: frozenset[str]

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def has(self, group: str) -> bool:
        return group in self.groups


class GroupRules(Protocol):
    """The versions in force that the cases read (legal aid's `Rules` is one, `Standards` another)."""

    @property
    def on(self) -> date: ...

    @property
    def special_groups(self) -> policy.InForce | None: ...

    @property
    def special_groups_in_force(self) -> bool: ...

    @property
    def advanced_age_years(self) -> int: ...


@dataclass(frozen=True)
class Standards:
    """The core's parameters in force at an area on the day judged: the hardship standard, whether the local
    special-hardship groups are exempt (`means.special_groups_exempt`), and the advanced age. A `GroupRules`."""
    on: date
    threshold: policy.InForce | None          # None: no standard there (a clerk decides)
    special_groups: policy.InForce | None     # None: treated as 0 (national exemptions only)
    advanced_age: policy.InForce | None

    @property
    def special_groups_in_force(self) -> bool:
        return bool(self.special_groups and self.special_groups.value >= 1)

    @property
    def advanced_age_years(self) -> int:
        return int(self.advanced_age.value) if self.advanced_age else DEFAULT_ADVANCED_AGE


STANDARDS = (INCOME_THRESHOLD, SPECIAL_GROUPS, ADVANCED_AGE)  # the parameters `standards` reads


def standards(area: str, on: date, found: dict[str, policy.InForce] | None = None) -> Standards:
    """The means test's and the exemptions' parameters in force at `area` on `on` (one round trip) — or
    taken from `found`, a caller's own `policy.resolve_present` of `STANDARDS` with its other names."""
    if found is None:
        found = policy.resolve_present(list(STANDARDS), area, on)
    return Standards(on=on, threshold=found.get(INCOME_THRESHOLD), special_groups=found.get(SPECIAL_GROUPS),
                     advanced_age=found.get(ADVANCED_AGE))


class Judged(Protocol):
    """What an exemption is asked about: the person and the versions in force on the day judged."""

    @property
    def person(self) -> Person: ...

    @property
    def rules(self) -> GroupRules: ...


Case = Callable[[Judged, date], str | None]  # the Chinese text of the case when it applies on the day


@dataclass(frozen=True)
class Exemption:
    """An exemption from the means test: met when any of its cases applies; it lifts the scope limit too if
    `lifts_scope` (legal aid's matter scope). `requires_local_policy`: only where `means.special_groups_exempt`
    is in force. `reads_age`: some case depends on the age on the day (so it may change on a birthday)."""
    name: str
    title: str
    basis: str
    lifts_scope: bool
    cases: tuple[Case, ...] = ()
    requires_local_policy: bool = False
    reads_age: bool = True

    def evaluate(self, subject: Judged, on: date) -> Result:
        rules_ = subject.rules
        found = [text for case in self.cases if (text := case(subject, on))]
        born = subject.person.birth_date
        changes_on = next_birthday(born, on) if self.reads_age and born is not None else rules.NEVER
        lifts = "免于经济困难审查，不受事项范围限制" if self.lifts_scope else "免于经济困难审查"
        if self.requires_local_policy and not rules_.special_groups_in_force:
            note = "；申报情形：" + "、".join(found) if found else ""
            return Result(False, f"申请日（{rules_.on.isoformat()}）本地区未实行特殊困难群体免审政策{note}",
                          {"cases": found}, changes_on)
        if not found:
            return Result(False, f"不属于{self.basis}规定的情形", {"cases": []}, changes_on)
        basis = self.basis
        if self.requires_local_policy and rules_.special_groups:
            basis = f"{rules_.special_groups.label}（{rules_.special_groups.effective_from.isoformat()} 起）"
        return Result(True, f"{'、'.join(found)}（{basis}），{lifts}",
                      {"cases": found, "lifts_scope": self.lifts_scope}, changes_on)


# The cases: each returns the Chinese text of the case when it applies on the day, else None.

def rural_elderly(group: str | None, label: str) -> Case:
    """A rural elder of advanced age (`group` None: from the birth date, never typed in), or one of 60 or
    more in `group`."""
    def case(subject: Judged, on: date) -> str | None:
        person = subject.person
        age = person.age_on(on)
        if not person.rural or age is None:
            return None
        if group is None:
            return f"{label}（{age} 周岁）" if age >= subject.rules.advanced_age_years else None
        if person.has(group) and age >= ELDERLY_AGE:
            return f"{label}（{age} 周岁）"
        return None
    return case


def declared(group: str) -> Case:
    """A group that counts as declared, whatever the age."""
    def case(subject: Judged, on: date) -> str | None:
        return GROUPS[group] if subject.person.has(group) else None
    return case


def child_in_distress(subject: Judged, on: date) -> str | None:
    person = subject.person
    age = person.age_on(on)
    return f"困境儿童（{age} 周岁）" if person.has("child_in_distress") and age is not None and age < ADULT_AGE \
        else None


def without_fixed_income(subject: Judged, on: date) -> str | None:
    person = subject.person
    age = person.age_on(on)
    if not person.has("no_fixed_income") or age is None:
        return None
    if age < ADULT_AGE:
        return f"无固定生活来源的未成年人（{age} 周岁）"
    if age >= ELDERLY_AGE:
        return f"无固定生活来源的老年人（{age} 周岁）"
    if person.groups & {"disabled", "severely_disabled"}:
        return "无固定生活来源的残疾人"
    return None


def social_assistance(subject: Judged, on: date) -> str | None:
    held = [GROUPS[g] for g in ("dibao", "tekun", "wubao") if subject.person.has(g)]
    return f"社会救助对象（{'、'.join(held)}）" if held else None


LOCAL_CASES: tuple[Case, ...] = (
    rural_elderly(None, "农村高龄老人"),
    rural_elderly("living_alone", "农村孤寡老人"),
    rural_elderly("disabled_elderly", "农村失能老人"),
    rural_elderly("bereaved_only_child", "农村失独老人"),
    child_in_distress,
    declared("severely_disabled"),
    declared("seriously_ill"),
    social_assistance,
)
ART42_CASES: tuple[Case, ...] = (
    without_fixed_income, social_assistance, declared("judicial_assistance"), declared("special_care"),
)
