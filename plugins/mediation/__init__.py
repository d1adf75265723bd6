"""人民调解 People's mediation (SPEC M1, M2, M5, M6), mounted at /v1/mediation and built only on the core.

- `models`   vocabularies (codes with Chinese labels), the dispute record, request and response models
- `params`   the policy parameters it owns: thresholds of the starting tier, time limits per tier, the
             judicial-confirmation window (人民调解法 art. 33)
- `tiers`    the starting tier as named criteria with reasons (core rules engine)
- `service`  opening, reading, transfers between tiers, sessions, the outcome; the hooks below
- `roster`   the mediator roster, recommendations for a dispute, the staffing check
- `routes`   the HTTP surface;  `demo`  the demo disputes for `make dev`
"""
from __future__ import annotations

from chalicelib.plugin import (
    CoverageRole, DemoIdentity, IntakeTarget, LedgerColumn, LedgerRows, LinkRule, Plugin, ScreeningCheck,
    declared_on_first_use,
)


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from plugins.mediation import rates, register, roster, selfcheck, service
    from plugins.mediation.models import ENTITY
    from plugins.mediation.params import PARAMETERS
    from plugins.mediation.routes import bp

    return Plugin(
        name="mediation",
        title="人民调解",
        blueprint=bp,
        core_service=True,
        parameters=PARAMETERS,
        link_rules=(LinkRule(ENTITY, service.may_attach),),
        # seeds/000 item 5: 人民调解网格全覆盖 — a mediator for every grid.
        coverage_roles=(CoverageRole("mediator", "网格调解员"),),
        # Tickets come in the intake desk's categories; the dispute's kind (KINDS) is decided once it is opened.
        intake_targets=(IntakeTarget("mediation_dispute", "矛盾纠纷调解", ("dispute",),
                                     open_case=service.open_from_ticket, progress=service.progress,
                                     handled_by=("mediator",)),),
        screening_checks=(
            # M5 (seeds/001 item 12): the backlog is screened weekly by towns and half-monthly by districts,
            # beside the month's run; a confirmation window closes on a day, so it is looked at daily.
            ScreeningCheck("mediation.overdue", "矛盾纠纷超过调解时限", service.overdue, role="mediator",
                           cadence=("weekly", "half_monthly")),
            ScreeningCheck("mediation.high-risk", "高风险矛盾纠纷", service.high_risk, role="mediator",
                           cadence=("weekly", "half_monthly")),
            ScreeningCheck("mediation.confirmation-window", "调解协议司法确认期限将届满", service.confirmation_window,
                           role="mediator", cadence="daily"),
            ScreeningCheck("mediation.performance-due", "调解协议履行期限已过未回访", service.performance_due),
            ScreeningCheck("mediation.new-disputes", "本月新登记矛盾纠纷", service.new_disputes),
            ScreeningCheck("mediation.hotspots", "矛盾纠纷热点（同一网格同类纠纷）", service.hotspots),
            ScreeningCheck("mediation.understaffed", "调解委员会专职调解员低于配备标准", roster.understaffed),
        ),
        # seeds/004: "调解矛盾纠纷770起，其中，重大疑难矛盾纠纷或信访积案87起".
        ledger_columns=(LedgerColumn("mediation.disputes", "调解矛盾纠纷（起）", values=rates.disputes_mediated),
                        LedgerColumn("mediation.major", "其中重大疑难或信访积案（起）")),
        stat_counters=rates.STAT_COUNTERS,
        ledger_rows=(LedgerRows("mediation.register", "矛盾纠纷调解台账", register.HEADERS, register.rows,
                                count="mediation.opened"),),
        # 人民调解法第四条: free of charge; the self-check says so, with the matters it takes up (issue 25).
        self_checks=(selfcheck.SELF_CHECK,),
        demo_data=service.load_demo,
        demo_identities=(
            DemoIdentity("demo-p-zhouyaqin", "mediator", "320402001", "雕庄街道调解员周雅琴", "GET /v1/mediation/disputes"),
            DemoIdentity("demo-resident-1", "resident", None, "两起纠纷的当事人李秀英", "GET /v1/mediation/my-disputes"),
        ),
    )


__getattr__ = declared_on_first_use(__name__, declare)
