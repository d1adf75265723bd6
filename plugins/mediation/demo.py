"""Demo disputes for `make dev` in 天宁区 雕庄街道 (the demo tree's first grid): a neighbour dispute at the grid,
a 30-worker wage dispute that starts at the district centre, and a settled one with its agreement; the
demo resident (`demo-resident-1`) is a party to the neighbour and the settled one, and finds both in
"my disputes". The roster's training records (SPEC M4): 周雅琴 met this year's training hours, 钱立新 (full-time at
the same street committee) has not, so the staffing check names the committee with its reason.
Fixed ids; a record already there is left alone, so loading twice changes nothing."""
from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.directory import service as directory
from chalicelib.plugin import DemoContext
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.timeutil import today_shanghai
from plugins.mediation import roster, service
from plugins.mediation.models import (
    MEDIATOR_ENTITY, AgreementIn, DisputeIn, Mediator, MediatorIn, OutcomeIn, PartyIn, RiskFlags, TermIn,
    Training, TrainingIn,
)

GRID = "320402001001001"
# The grid's mediator in the core's demo directory (周雅琴, 雕庄街道人民调解委员会) signs in with this account.
MEDIATOR = Caller(sub="demo-p-zhouyaqin", roles=frozenset({"mediator"}), area="320402001")

DISTRICT_OFFICE = Caller(sub="demo-district-mediation", roles=frozenset({"mediator"}), area="320402")
# The roster: the accounts match the core's demo directory (周雅琴, 吴桂兰) where it has them.
ROSTER = (
    MediatorIn(id="demo-p-zhouyaqin", name="周雅琴", area=GRID, committee="雕庄街道人民调解委员会",
               committee_id="demo-mediation-diaozhuang", full_time=True,
               grade="二级人民调解员", kinds=["neighbour", "marriage_family", "adjacent_property"]),
    MediatorIn(id="demo-p-wuguilan", name="吴桂兰", area="320402001001", committee="朝阳花园社区人民调解委员会",
               committee_id="demo-mediation-chaoyang", full_time=False, grade="三级人民调解员",
               kinds=["neighbour", "property_management"]),
    MediatorIn(id="demo-m-qianlixin", name="钱立新", area="320402001", committee="雕庄街道人民调解委员会",
               committee_id="demo-mediation-diaozhuang", full_time=True, grade="三级人民调解员",
               kinds=["labour", "contract"]),
    MediatorIn(id="demo-m-expert-labour", name="沈卫东", area="320402", committee="天宁区矛盾纠纷调处中心",
               full_time=True, grade="一级人民调解员", kinds=["labour", "enterprise", "contract"], expert=True),
)

# (training id, mediator, course, hours, days ago): 周雅琴 reaches the default 24 hours in one course (so in
# one year, whatever day it is loaded); 钱立新 has 8.
TRAININGS = (
    ("demo-training-zhou-1", "demo-p-zhouyaqin", "人民调解员岗位能力提升培训班（三天集中）", "24", 12),
    ("demo-training-zhou-2", "demo-p-zhouyaqin", "《民法典》婚姻家庭编与邻里纠纷调解实务", "4", 40),
    ("demo-training-qian-1", "demo-m-qianlixin", "劳动争议调解实务讲座", "8", 20),
)

DISPUTES = {
    "demo-dispute-neighbour": DisputeIn(
        grid=GRID, kind="neighbour", facts="楼上住户装修漏水，浸湿楼下天花板和墙面，双方多次争吵，要求赔偿维修费用。",
        amount="3500", parties=[
            PartyIn(name="李秀英", role="applicant", phone="13912340001", account="demo-resident-1"),
            PartyIn(name="张国强", role="respondent", phone="13912340002")]),
    "demo-dispute-wages": DisputeIn(
        grid=GRID, kind="labour", facts="某装饰工程公司拖欠 30 名工人 2026 年下半年工资共计 48 万元，工人扬言集体上访。",
        amount="480000", risk=RiskFlags(people_involved=30, workers=30, threat_of_escalation=True), parties=[
            PartyIn(name="刘德明（工人代表）", role="applicant", phone="13912340003"),
            PartyIn(name="常州某装饰工程有限公司", kind="organisation", role="respondent", phone="0519-80000201")]),
    "demo-dispute-settled": DisputeIn(
        grid=GRID, kind="property_management", facts="业主以电梯长期故障为由拒交物业费，物业公司催缴未果。",
        amount="2400", parties=[
            PartyIn(name="陈美华", role="applicant", phone="13912340004", account="demo-resident-1"),
            PartyIn(name="常州某物业服务有限公司", kind="organisation", role="respondent")]),
}


def load(context: DemoContext) -> None:
    # The committees come from the core's demo directory; without it (a bare tree) the roster names none.
    # 朝阳花园社区's committee has only a part-time mediator: the staffing check names it.
    committees = directory.load_institutions(m.committee_id for m in ROSTER if m.committee_id)
    for mediator in ROSTER:
        if storage.read(Mediator, mediator.id) is None:
            known = mediator.committee_id in committees
            roster.enrol(DISTRICT_OFFICE, mediator if known else mediator.model_copy(update={"committee_id": None}))
    for training_id, mediator_id, course, hours, days_ago in TRAININGS:
        if storage.find_in(Training, MEDIATOR_ENTITY, mediator_id, ("training", training_id)) is None:
            roster.record_training(DISTRICT_OFFICE, mediator_id, TrainingIn(
                course=course, hours=hours, on=today_shanghai() - timedelta(days=days_ago),
                organiser="常州市天宁区司法局"), training_id=training_id)
    for dispute_id, data in DISPUTES.items():
        if storage.read(service.Dispute, dispute_id) is None:
            service.open_dispute(MEDIATOR, data, dispute_id=dispute_id)
    settled = storage.require(service.Dispute, "demo-dispute-settled")
    if settled.status != "closed":
        today = today_shanghai()
        agreement = AgreementIn(signed_on=today, terms=[
            TermIn(text="物业公司于十日内完成电梯维修并公示维修记录"),
            TermIn(text="业主于电梯修复后五日内补交物业费", amount="2400", perform_by=today + timedelta(days=15))])
        service.record_outcome(MEDIATOR, settled.id, OutcomeIn(
            result="agreement", on=today, summary="双方自愿达成协议，当场签字", agreement=agreement),
            expected_version=settled.version)
