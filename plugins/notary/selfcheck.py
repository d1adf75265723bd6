"""Notary's self-check (issue 25): "can a notary come to my home?" — the green channel for home visits
(SPEC N3), by the same criteria a home-visit booking is decided by (`criteria.GREEN_CHANNEL`: elderly at the
area's `notary.home_visit_age`, a disability certificate, serious illness), with the age in force at the
area on the day. The matter, when given, names its papers from the catalogue.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.domain.policy import service as policy
from chalicelib.plugin import Assessment, Question, Reasoned, SelfCheck, born_for
from plugins.notary import catalogue
from plugins.notary.criteria import GREEN_CHANNEL, HomeVisitFacts
from plugins.notary.models import HOME_VISIT_AGE

QUESTIONS = (
    Question("age", "您的年龄（周岁）", "integer", needed=True, minimum=0, maximum=120),
    Question("groups", "符合以下哪些情形（可多选，申请时核实）", "choices",
             choices=(("disabled", "残疾人"), ("severely_disabled", "重度残疾人"), ("seriously_ill", "重病患者"))),
    Question("notary_matter", "想办理的公证事项", "choice", choices=tuple((m.code, m.name) for m in catalogue.MATTERS)),
)


def judge(answers: Mapping[str, Any], area: str, on: date) -> Assessment:
    groups = answers.get("groups", frozenset())
    facts = HomeVisitFacts(birth_date=born_for(answers["age"], on),
                           disability_certificate=bool(groups & {"disabled", "severely_disabled"}),
                           seriously_ill="seriously_ill" in groups,
                           elderly_age=int(policy.resolve(HOME_VISIT_AGE, area, on).value))
    result = GREEN_CHANNEL.evaluate(facts, on)
    criteria = tuple(Reasoned(name, part.title, result.parts[name].met, result.parts[name].reason)
                     for part in GREEN_CHANNEL.parts for name in (part.name,))
    matter = catalogue.find(answers.get("notary_matter", ""))
    papers = matter.materials if matter else ()
    if matter is not None and not matter.home_visit:
        return Assessment("not_likely", f"“{matter.name}”须到公证处办理，不能上门", criteria, papers)
    if result.met:
        what = f"“{matter.name}”" if matter else "公证事项"
        return Assessment("likely", f"可申请公证员上门办理{what}（绿色通道）：{result.reason}", criteria, papers)
    return Assessment("not_likely", f"不符合上门办证绿色通道条件：{result.reason}，请预约到公证处或视频办理",
                      criteria, papers)


SELF_CHECK = SelfCheck(
    code="notary.home-visit", title="公证上门服务（绿色通道）", questions=QUESTIONS, judge=judge,
    apply="POST /v1/notary/appointments",
    next_step="登录后预约公证，办理方式选择“上门办证”（测评的回答可带入，由您确认后提交，公证处将重新审核）",
    documents=("居民身份证", "户口簿", "残疾人证或病历等证明（以残疾或重病申请上门的）"), rules=(HOME_VISIT_AGE,),
    institution_kind="notary_office")
