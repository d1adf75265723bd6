"""Mediation's self-check (issue 25): "can the people's mediation committee help me, and what does it cost?"

People's mediation is free by law — 人民调解法第四条: "人民调解委员会调解民间纠纷，不收取任何费用" — so the
only question is whether the problem is a civil dispute (民间纠纷, 第二条) that a committee takes up. The
answer is the shared `matter` question (legal aid's codes, plus 邻里纠纷, which mediation handles most): a code
that becomes one of the dispute kinds a dispute is opened with (`models.KINDS`) reads likely, with the tier
that usually starts it (`tiers`); a matter that belongs to another authority reads depends, naming where to
go. Mediation is voluntary (第三条、第十七条): if the other party refuses, the committee cannot mediate — said
in every answer, never judged.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from chalicelib.plugin import Assessment, Question, Reasoned, SelfCheck
from plugins.mediation.models import KINDS, TIERS
from plugins.mediation.tiers import INDUSTRY_KINDS, SIMPLE_KINDS

FREE = "依据《人民调解法》第四条，人民调解委员会调解民间纠纷，不收取任何费用"
VOLUNTARY = "调解须双方自愿，一方明确拒绝调解的不得调解（《人民调解法》第十七条），调解不成可依法仲裁或诉讼"

# The shared `matter` answer → the dispute kind it is opened as (models.KINDS).
KIND_OF = {
    "neighbour": "neighbour", "marriage_family": "marriage_family", "elder_support": "marriage_family",
    "child_support": "marriage_family", "property": "property_management", "labour_pay": "labour",
    "labour_relation": "labour", "contract": "contract", "land_contract": "contract", "debt": "debt",
    "personal_injury": "tort", "traffic_accident": "tort", "medical_accident": "doctor_patient",
}
# Matters another authority decides: where to go instead (or as well).
ELSEWHERE = {
    "state_compensation": "国家赔偿应向赔偿义务机关提出，可申请法律援助",
    "social_insurance": "社会保险待遇由人力资源和社会保障部门处理，可申请法律援助",
    "social_assistance": "社会救助由民政部门处理，可申请法律援助",
    "pension_compensation": "抚恤金由退役军人事务等部门发放，可申请法律援助",
    "capacity_determination": "认定无民事行为能力或限制民事行为能力须向人民法院申请，可申请法律援助",
    "work_injury": "工伤认定由人力资源和社会保障部门作出；认定后的赔偿争议可申请劳动争议调解或仲裁，可申请法律援助",
    "food_drug_safety": "食品药品安全纠纷可向市场监管部门（12315）投诉；与经营者之间的赔偿争议也可申请人民调解",
    "farm_supplies": "农资损害可向市场监管或农业农村部门投诉；与经营者之间的赔偿争议也可申请人民调解",
    "environmental_pollution": "环境污染可向生态环境部门举报，损害可申请司法鉴定；邻里之间的污染纠纷可申请人民调解",
    "other": "如属公民之间、公民与单位之间的民间纠纷，可申请人民调解；不确定的可先到网格工作站咨询",
}
# The choices, in the shared question's codes and wording (services asking `matter` share its codes).
MATTERS = (
    ("neighbour", "邻里纠纷（含相邻关系）"), ("marriage_family", "婚姻家庭纠纷"), ("elder_support", "请求给付赡养费"),
    ("child_support", "请求给付抚养费、扶养费"), ("property", "房产物业纠纷"), ("labour_pay", "请求支付劳动报酬"),
    ("labour_relation", "请求确认劳动关系"), ("contract", "合同纠纷"), ("land_contract", "土地承包经营纠纷"),
    ("debt", "借贷纠纷"), ("personal_injury", "人身损害赔偿"), ("traffic_accident", "交通事故人身损害赔偿"),
    ("medical_accident", "医疗事故人身损害赔偿"), ("state_compensation", "请求国家赔偿"),
    ("social_insurance", "请求给予社会保险待遇"), ("social_assistance", "请求给予社会救助"),
    ("pension_compensation", "请求发给抚恤金"), ("capacity_determination", "请求认定无民事行为能力或限制民事行为能力"),
    ("work_injury", "工伤事故人身损害赔偿"), ("food_drug_safety", "食品药品安全事故人身损害赔偿"),
    ("farm_supplies", "农业生产资料损害赔偿"), ("environmental_pollution", "环境污染、生态破坏损害赔偿"),
    ("other", "其他事项"),
)

QUESTIONS = (
    Question("matter", "您遇到的是哪类问题", "choice", needed=True, choices=MATTERS),
)


def _starts_at(kind: str) -> str:
    if kind in SIMPLE_KINDS:
        return f"{KINDS[kind]}一般由{TIERS['grid']}就地调解"
    if kind in INDUSTRY_KINDS:
        return f"{KINDS[kind]}一般由{TIERS['industry']}调解"
    return f"{KINDS[kind]}一般由{TIERS['village']}调解"


def judge(answers: Mapping[str, Any], area: str, on: date) -> Assessment:
    matter = answers["matter"]
    free = Reasoned("mediation.free", "免费调解", True, FREE)
    kind = KIND_OF.get(matter)
    if kind is None:
        where = ELSEWHERE.get(matter, ELSEWHERE["other"])
        return Assessment("depends", f"{where}。{FREE}", (
            free, Reasoned("mediation.civil_dispute", "属于民间纠纷", None, where)))
    tier = _starts_at(kind)
    return Assessment("likely", f"可申请人民调解，{FREE}；{tier}（涉及人数多等情形会由更高层级调处）。{VOLUNTARY}", (
        free, Reasoned("mediation.civil_dispute", "属于民间纠纷", True, f"{KINDS[kind]}属于人民调解受理的民间纠纷")))


SELF_CHECK = SelfCheck(
    code="mediation.free-mediation", title="人民调解（免费）", questions=QUESTIONS, judge=judge,
    apply="POST /v1/tickets",
    next_step="登录后在小程序提交诉求，类别选“矛盾纠纷”，由网格调解员受理；也可到网格工作站或村（社区）人民调解委员会当面申请",
    documents=("居民身份证", "与纠纷有关的材料（合同、欠条、收据、照片、聊天记录等）", "对方当事人的姓名和联系方式（如知道）"),
    institution_kind="mediation_committee")
