"""Legal aid's self-check (issue 25): "would I get legal aid?" asked anonymously, before applying.

The verdict is the application's own: the answers become the same `Facts` an application yields, judged by
`criteria.evaluate` with the rules `params.rules` resolves for the area on the day — the means test (L2), the
exemptions (L3) and the matter scope (L4) — so eligible / ineligible / undetermined read likely / not likely
/ depends. Only the age is asked, never a birth date: the applicant is taken to turn that age on the day
asked, which is the age an application on that day counts from the ID number.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.domain import means
from chalicelib.plugin import Assessment, Question, Reasoned, SelfCheck, born_for
from plugins.legal_aid import criteria, params
from plugins.legal_aid.models import Category, Facts, MatterType, Verdict

VERDICTS = {Verdict.eligible: "likely", Verdict.ineligible: "not_likely", Verdict.undetermined: "depends"}
DECLARABLE = tuple(c for c in Category if c is not Category.hardship_worker)  # outreach's, not the applicant's
DECLARED = frozenset(c.value for c in DECLARABLE)
MATTERS = frozenset(m.value for m in MatterType)  # another service's code of the shared question is "other"

QUESTIONS = (
    Question("household_size", "家庭共同生活人口数", "integer", needed=True, minimum=1, maximum=30),
    Question("monthly_incomes", "家庭成员每月收入（元，逐人或逐项填写；没有收入填空列表）", "money_list", needed=True),
    Question("age", "您的年龄（周岁）", "integer", needed=True, minimum=0, maximum=120),
    Question("rural", "是否居住在农村", "boolean"),
    Question("groups", "符合以下哪些情形（可多选，申请时核实）", "choices",
             choices=tuple((c.value, c.label) for c in DECLARABLE)),
    Question("matter", "您遇到的是哪类问题", "choice", needed=True,
             choices=tuple((m.value, m.label) for m in MatterType)),
)
DOCUMENTS = (
    "居民身份证或其他有效身份证明（代理人另带代理权限证明）",
    "经济困难状况说明表（或低保证、特困供养证等证明）",
    "与所申请法律援助事项有关的材料（合同、欠条、工资记录、判决书等）",
)


def facts(answers: Mapping[str, Any], on: date) -> Facts:
    """The facts an application with these answers would have."""
    return Facts(birth_date=born_for(answers["age"], on), rural=answers.get("rural", False),
                 categories=frozenset(Category(g) for g in answers.get("groups", ()) if g in DECLARED),
                 matter_type=MatterType(answers["matter"] if answers["matter"] in MATTERS else "other"), household_size=answers["household_size"],
                 monthly_incomes=tuple(answers["monthly_incomes"]))


def judge(answers: Mapping[str, Any], area: str, on: date) -> Assessment:
    eligibility, routing = criteria.evaluate(facts(answers, on), params.rules(area, on))
    shown = [r for r in eligibility.criteria if r.code in ("means_test", "matter_scope") or r.met]
    shown += [r for r in routing.values() if r.met]
    summary = eligibility.summary
    if eligibility.verdict == Verdict.ineligible:
        exemptions = "、".join(e.title for e in criteria.EXEMPTIONS)
        summary += f"。如属于以下情形，仍可能获得法律援助：{exemptions}"
    return Assessment(VERDICTS[eligibility.verdict], summary, tuple(
        Reasoned(f"legal_aid.{r.code}", r.title, None if r.status == "undetermined" else r.met, r.reason)
        for r in shown))


SELF_CHECK = SelfCheck(
    code="legal-aid.eligibility", title="法律援助", questions=QUESTIONS, judge=judge,
    apply="POST /v1/legal-aid/applications",
    next_step="登录后在线申请法律援助（测评的回答可带入申请表，由您确认后提交，法律援助机构将重新审查），"
              "或到所在区县法律援助中心、网格工作站申请",
    documents=DOCUMENTS, rules=(means.INCOME_THRESHOLD, means.SPECIAL_GROUPS),
    institution_kind="legal_aid_centre")
