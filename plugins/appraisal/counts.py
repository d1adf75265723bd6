"""Appraisal's counters for the statistics and its ledger columns (SPEC C9, `Plugin.stat_counters`): a
consultation counts in its own transaction at its grid, a fee relief once granted in the decision's, in the
month of the day (Asia/Shanghai)."""
from __future__ import annotations

from datetime import date

from chalicelib.domain.ledgers import counters
from chalicelib.plugin import StatCounter

CONSULTATIONS, FEE_RELIEF = "appraisal.consultations", "appraisal.fee_relief"
STAT_COUNTERS = (StatCounter(CONSULTATIONS, "司法鉴定咨询（件）"), StatCounter(FEE_RELIEF, "其中鉴定费减缓免（件）"))


def asked_ops(grid: str, on: date) -> list[dict]:
    return [counters.count_op(grid, on, {CONSULTATIONS: 1})]


def relieved_ops(grid: str, on: date, before: bool, now: bool) -> list[dict]:
    """A relief granted where none was: +1; a later decision taking it back: -1."""
    change = int(now) - int(before)
    return [counters.count_op(grid, on, {FEE_RELIEF: change})] if change else []
