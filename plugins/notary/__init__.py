"""`notary` — 公证服务 (SPEC N1–N3; seeds 000 item 4, 001 item 10).

- the catalogue of notarial matters: materials to bring, fee basis, usual time, remote video (N1);
- the office serving a grid, from the directory's district mapping, and the grid's notary liaison (N2);
- appointments at the office, by remote video, or at home through the green channel; slots published by the
  office and never double-booked; cancel, reschedule, the materials checklist; staff see the day (N3).
"""
from __future__ import annotations

from chalicelib.plugin import (
    DemoIdentity, CoverageRole, LedgerColumn, LinkRule, Parameter, Plugin, ScreeningCheck, TicketCategory, declared_on_first_use,
)


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from chalicelib.domain.ledgers.counters import monthly
    from plugins.notary import counts, selfcheck, service
    from plugins.notary.models import (
        APPOINTMENT, CERTIFICATE_DAYS, CLOSES_AT, HOME_VISIT_AGE, MATERIALS_LOOKAHEAD, OPENS_AT, REMINDER_DAYS,
        REMINDER_HOUR,
    )
    from plugins.notary.routes import bp

    # The certificate period is also the time limit of the intake desk's notary tickets, stated once.
    certificate = Parameter(CERTIFICATE_DAYS, title="公证书出具时限", unit="工作日", minimum=1, maximum=60, default=15,
                            description="公证程序规则第三十五条：自受理公证申请之日起十五个工作日内出具公证书。")

    return Plugin(
        name="notary",
        title="公证服务",
        blueprint=bp,
        core_service=True,
        parameters=(
            certificate,
            Parameter(OPENS_AT, title="公证处预约开始时间", unit="时", minimum=0, maximum=23, default=9,
                      description="预约时段不得早于此时（北京时间）。"),
            Parameter(CLOSES_AT, title="公证处预约结束时间", unit="时", minimum=1, maximum=24, default=17,
                      description="预约时段须在此时之前结束（北京时间）。"),
            Parameter(HOME_VISIT_AGE, title="上门办证绿色通道年龄", unit="周岁", minimum=50, maximum=100, default=60,
                      description="老年人权益保障法第二条：六十周岁以上为老年人；「公证进乡村」为农村老年人、残疾人、"
                                  "重症病人等行动不便者开辟上门服务绿色通道。"),
            Parameter(MATERIALS_LOOKAHEAD, title="预约材料未备齐提示天数", unit="工作日", minimum=1, maximum=20, default=3,
                      description="排查时列出此后若干个工作日内材料尚未确认备齐的预约，便于工作人员提前联系。"),
            Parameter(REMINDER_DAYS, title="预约提醒提前工作日数", unit="工作日", minimum=1, maximum=5, default=1,
                      description="N3：预约前一（个工作）日提醒申请人时间、方式和尚未备齐的材料：居民本人预约的以订阅消息提醒，"
                                  "工作人员代为预约的列入提醒清单由工作人员电话提醒。"),
            Parameter(REMINDER_HOUR, title="预约提醒发送时刻", unit="时", minimum=8, maximum=21, default=18,
                      description="订阅消息提醒在提醒日的此时（北京时间）发出：傍晚下班后，不在深夜打扰老年人。"),
        ),
        link_rules=(LinkRule(APPOINTMENT, service.may_attach),),
        screening_checks=(ScreeningCheck("notary.materials-incomplete", "公证预约材料未备齐", service.materials_incomplete),),
        coverage_roles=(CoverageRole("notary_liaison", "网格公证联络员"),),
        ledger_columns=tuple(LedgerColumn(key=c.key, title=c.title, values=monthly(c.key)) for c in counts.STAT_COUNTERS),
        stat_counters=counts.STAT_COUNTERS,
        demo_data=service.load_demo,
        demo_identities=(
            DemoIdentity("demo-p-wangjianguo", "notary", "320402", "天宁公证处公证员王建国",
                         "GET /v1/notary/offices/demo-notary-tianning/reminders（次日的预约）"),
        ),
        ticket_categories=(TicketCategory("notary", "公证", time_limit=certificate),),
        self_checks=(selfcheck.SELF_CHECK,),
    )


__getattr__ = declared_on_first_use(__name__, declare)
