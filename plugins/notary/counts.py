"""Notary's counters for the statistics and its ledger columns (SPEC C9, `Plugin.stat_counters`): a booking
counts in the booking's transaction, at the office's area, in the month it was made (Asia/Shanghai)."""
from __future__ import annotations

from chalicelib.domain.ledgers import counters
from chalicelib.plugin import StatCounter
from chalicelib.platform.timeutil import today_shanghai

APPOINTMENTS, HOME_VISITS = "notary.appointments", "notary.home_visits"
STAT_COUNTERS = (StatCounter(APPOINTMENTS, "公证预约（件）"), StatCounter(HOME_VISITS, "其中上门办证（件）"))


def booked_ops(office_area: str, mode: str) -> list[dict]:
    return [counters.count_op(office_area, today_shanghai(), {APPOINTMENTS: 1, HOME_VISITS: int(mode == "home")})]
