"""`advisors` — the village legal advisors 一村（社区）一法律顾问 (SPEC V1–V3), the "X" of the 6+X menu.

- V1 engagements: an advisor (a lawyer or a grassroots legal worker of the core directory) engaged for a
  village for a contract period, renewed; one advisor per village at a time, and no more villages per
  advisor than the area's rule (`advisors.max_villages_per_advisor`: 城区 1 对 1, 溧阳、金坛 ≤ 3), a named
  criterion with its reason. The advisor becomes the village's `legal_advisor` of the core's coverage (C3),
  who answers 法律咨询 on the grid boards (C4): the core's role, not one of ours.
- V2 on-site hours: check-in and check-out from the mini-program (GCJ-02), measured against the village's
  service point (kept here: the core's areas have no location); entries far from it are recorded unverified
  with their distance; the month's verified hours per village against the area's minimum
  (`advisors.monthly_onsite_hours`: 常州、枣庄 8 h, 银川 4 h).
- V2 work log: entries per village of the six duties (六大员), photos and documents linked as core files
  (`advisors-log-entry`); the month locks on a parameter day of the next month (`advisors.log_lock_day`),
  the village cadre verifies it, and only the bureau corrects a locked month, with its reason. Each entry
  counts in the village's tallies of the month, the ledger's columns (seed 004's yearly counts).

- V3 yearly evaluation (evaluation.py): the cadre's and residents' ratings, log, hours and reports scored by
  a published rule (parameters), graded with reasons; subsidy by grade, withheld on misconduct; 不合格 bars
  renewal; the area's totals kept in the evaluations' transactions; the bureau's list and XLSX.
- Screening checks (screening.py): hours behind, no lecture this quarter, contracts expiring within 30 days,
  unverified hours — from tallies kept in the events' own transactions.

Files: models, service, routes, evaluation, screening, criteria (the named rules), params (the parameters and their seeded
versions), proof (tests only), DATA_MODEL.md.
"""
from __future__ import annotations

from chalicelib.plugin import (
    DemoIdentity, LedgerColumn, LinkRule, Plugin, ScreeningCheck, StatCounter, Term, declared_on_first_use,
)

# The statistics' seed-004 counts each ledger count feeds (chalicelib.plugin.STAT_MEASURES).
MEASURES = {"village_rules": "village_rules", "legal_documents": "legal_documents", "opinions": "legal_opinions",
            "consultations": "consultations", "legal_aid": "legal_aid_assists", "cases": "cases_represented",
            "disputes": "disputes_mediated", "disputes_major": "disputes_major"}


def declare() -> Plugin:
    """The `plugin` object (`declared_on_first_use`): imports what it declares, the first time it is
    asked for."""
    from chalicelib.domain.ledgers import counters
    from plugins.advisors import screening, service
    from plugins.advisors.models import LOG_ENTRY
    from plugins.advisors.params import PARAMETERS
    from plugins.advisors.routes import bp

    return Plugin(
        name="advisors",
        title="村（社区）法律顾问",
        blueprint=bp,
        parameters=PARAMETERS,
        link_rules=(LinkRule(LOG_ENTRY, service.may_link),),
        ledger_columns=tuple(LedgerColumn(key=service.tally_name(key), title=f"法律顾问{title}",
                                          values=counters.monthly(service.tally_name(key)))
                             for key, title in service.LEDGER),
        stat_counters=tuple(StatCounter(service.tally_name(key), f"法律顾问{title}", measure=MEASURES.get(key))
                            for key, title in service.LEDGER),
        screening_checks=(
            ScreeningCheck("advisors.hours-behind", "法律顾问驻村时长落后", screening.hours_behind),
            ScreeningCheck("advisors.no-lecture", "法律顾问本季度未开展法治讲座", screening.no_lecture),
            ScreeningCheck("advisors.contracts-expiring", "法律顾问聘用期 30 日内届满", screening.contracts_expiring),
            ScreeningCheck("advisors.unverified-hours", "法律顾问驻点时长未通过核验", screening.unverified_hours),
        ),
        institution_kinds=(Term("legal_service_office", "基层法律服务所"),),
        demo_data=service.load_demo,
        demo_identities=(
            DemoIdentity("demo-p-chenliwei", "lawyer", "320402", "村法律顾问陈立伟（溧阳的三个村）",
                         "GET /v1/advisors/engagements/mine"),
        ),
    )


__getattr__ = declared_on_first_use(__name__, declare)
