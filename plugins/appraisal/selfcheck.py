"""Appraisal fee relief's self-check (issue 25): "would my appraisal fee be waived, reduced or deferred?"

The verdict is the fee-relief decision's own: the answers become the same `ReliefFacts` a relief request
yields, with the core's means standards in force at the area on the day (`means.standards`), decided by
`relief.decide` — the strongest relief met wins. Some relief met reads likely, none not likely; with no
group declared, no household answered and no environmental appraisal the request itself would be refused
for missing facts, so it depends.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.domain import means
from chalicelib.plugin import Assessment, Question, Reasoned, SelfCheck, born_for
from plugins.appraisal import relief
from plugins.appraisal.models import KINDS

QUESTIONS = (
    Question("appraisal_kind", "需要哪类司法鉴定（如已知道）", "choice", choices=tuple(KINDS.items())),
    Question("household_size", "家庭共同生活人口数", "integer", minimum=1, maximum=30),
    Question("monthly_incomes", "家庭成员每月收入（元，逐人或逐项填写；没有收入填空列表）", "money_list"),
    Question("age", "您的年龄（周岁）", "integer", minimum=0, maximum=120),
    Question("rural", "是否居住在农村", "boolean"),
    Question("groups", "符合以下哪些情形（可多选，申请时核实）", "choices", choices=tuple(means.GROUPS.items())),
)


def judge(answers: Mapping[str, Any], area: str, on: date) -> Assessment:
    kind = answers.get("appraisal_kind", "")
    groups = frozenset(g for g in answers.get("groups", ()) if g in means.GROUPS)
    age = answers.get("age")
    person = means.Person(birth_date=None if age is None else born_for(age, on), rural=answers.get("rural", False),
                          groups=groups)
    household = answers.get("household_size")
    incomes = tuple(answers.get("monthly_incomes", ()))
    if not groups and not person.rural and kind != "environmental_damage" and (household is None or not incomes):
        return Assessment("depends", "请填写家庭人口和收入，或说明所属的困难群体")
    decided = relief.decide(relief.ReliefFacts(kind=kind, person=person, household_size=household,
                                               monthly_incomes=incomes, rules=means.standards(area, on)), on)
    criteria = tuple(Reasoned(c.name, c.title, found.met, found.reason)
                     for _, c in relief.LISTED for found in (relief.part(decided.result, c.name),))
    if decided.relief is None:
        return Assessment("not_likely", f"不符合鉴定费减缓免条件：{decided.reason}", criteria)
    return Assessment("likely", f"可申请{relief.RELIEF_TITLES[decided.relief]}：{decided.reason}", criteria)


SELF_CHECK = SelfCheck(
    code="appraisal.fee-relief", title="司法鉴定费减缓免", questions=QUESTIONS, judge=judge,
    apply="POST /v1/appraisal/consultations",
    next_step="登录后提交司法鉴定咨询，再在咨询中申请鉴定费减缓免（测评的回答可带入，由您确认后提交，将重新审查）",
    documents=("居民身份证", "困难群体证明（低保证、特困供养证、残疾人证等）或家庭收入证明"),
    rules=(means.INCOME_THRESHOLD, means.SPECIAL_GROUPS),
    institution_kind="appraisal_institution")
