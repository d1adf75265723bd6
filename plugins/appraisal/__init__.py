"""`appraisal` — 司法鉴定 (SPEC A1; seed 001 item 11, seed 000 item 12).

- the registry of what each appraisal institution of the directory is licensed for;
- consultations: kind, facts and intended use; staff of the area answer with guidance and the institutions
  licensed for that kind, nearest first; the statutory clock shown as what to expect;
- fee relief 减·缓·免 decided by named criteria with reasons (`relief.py`, SPEC A2): the groups legal aid
  exempts from its means test (the core's, `chalicelib.domain.means`) waive the fee whatever the income,
  economic hardship reduces it, an environmental-damage appraisal is not charged in advance;
- a screening check for consultations left unanswered.
"""
from __future__ import annotations

from chalicelib.plugin import (
    DemoIdentity, LedgerColumn, LinkRule, Parameter, Plugin, ScreeningCheck, declared_on_first_use,
)


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from chalicelib.domain.ledgers.counters import monthly
    from plugins.appraisal import counts, selfcheck, service
    from plugins.appraisal.models import ACCEPTANCE_DAYS, ANSWER_DAYS, COMPLETION_DAYS, CONSULTATION
    from plugins.appraisal.routes import bp

    return Plugin(
        name="appraisal",
        title="司法鉴定",
        blueprint=bp,
        core_service=True,
        parameters=(
            Parameter(ACCEPTANCE_DAYS, title="鉴定机构决定是否受理的时限", unit="工作日", minimum=1, maximum=30, default=7,
                      description="司法鉴定程序通则第十三条：自收到委托之日起七个工作日内作出是否受理的决定。"),
            Parameter(COMPLETION_DAYS, title="鉴定完成时限", unit="工作日", minimum=1, maximum=120, default=30,
                      description="司法鉴定程序通则第二十八条：自委托书生效之日起三十个工作日内完成鉴定；复杂、疑难、"
                                  "特殊技术问题等经批准可延长，延长时限一般不得超过三十个工作日。"),
            Parameter(ANSWER_DAYS, title="鉴定咨询答复时限", unit="工作日", minimum=1, maximum=30, default=3,
                      description="平台服务承诺：群众的鉴定咨询在此期限内答复，超期列入每月排查。"),
        ),
        link_rules=(LinkRule(CONSULTATION, service.may_attach),),
        screening_checks=(ScreeningCheck("appraisal.unanswered", "鉴定咨询超期未答复", service.overdue),),
        ledger_columns=tuple(LedgerColumn(key=c.key, title=c.title, values=monthly(c.key)) for c in counts.STAT_COUNTERS),
        stat_counters=counts.STAT_COUNTERS,
        demo_data=service.load_demo,
        demo_identities=(
            DemoIdentity("appraiser-1", "appraiser", "3204", "司法鉴定机构工作人员", "GET /v1/appraisal/consultations/unanswered"),
        ),
        self_checks=(selfcheck.SELF_CHECK,),
    )


__getattr__ = declared_on_first_use(__name__, declare)
