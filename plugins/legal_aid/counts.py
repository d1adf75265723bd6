"""Legal aid's counters for the statistics and its ledger columns (SPEC C9, `Plugin.stat_counters`): added in
the transactions of the application, the steps of its case and the household visits, at the applicant's
area (the household's grid for a visit), in the month of the event (Asia/Shanghai)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, TypeVar

from chalicelib.domain.ledgers import counters
from chalicelib.plugin import StatCounter
from chalicelib.platform.timeutil import now_utc, to_shanghai
from plugins.legal_aid.models import Status

if TYPE_CHECKING:
    from datetime import date

    from plugins.legal_aid.models import Application

APPLICATIONS, GREEN = "legal_aid.applications", "legal_aid.green_channel"
ASSISTED, CLOSED, RECOVERED = "legal_aid.cases_assisted", "legal_aid.closed", "legal_aid.amount_recovered"
VISITED = "legal_aid.households_visited"
ON_TIME, LATE = "legal_aid.steps_on_time", "legal_aid.steps_late"
T = TypeVar("T")

# seeds/004's "legal-aid assists": the applications granted legal aid (approved), whoever filed them.
STAT_COUNTERS = (
    StatCounter(APPLICATIONS, "法律援助申请（件）"),
    StatCounter(GREEN, "其中绿色通道（件）"),
    StatCounter(ASSISTED, "给予法律援助（件）", measure="legal_aid_assists"),
    StatCounter(CLOSED, "法律援助结案（件）"),
    StatCounter(RECOVERED, "为受援人挽回金额（元）"),
    StatCounter(VISITED, "困难群体入户走访（户次）"),
    # time-limit compliance (C9): a step with a deadline (acceptance, review, assignment, follow-up) ended by it
    StatCounter(ON_TIME, "限时环节按时办结（件次）", share="on_time"),
    StatCounter(LATE, "限时环节超时办结（件次）", share="late"),
)


def submitted_ops(app: Application) -> list[dict]:
    return [counters.count_op(app.area, to_shanghai(app.submitted_at).date(),
                              {APPLICATIONS: 1, GREEN: int(bool(app.green_channel))})]


def saved(old: Application, new: Application, write: Callable[[list], T]) -> T:
    """`write(ops)` — the step's transaction — with the step's counts (`step_ops`); a closing also counts the
    applicant's problem once for the year at the level of representation (`counters.once`, by the ID number's
    lookup hash)."""
    if new.status == old.status or new.status != Status.closed or new.closed_at is None:
        return write(step_ops(old, new))
    counts = _counts(old, new)
    return counters.once(write, f"person-{new.applicant.id_hash}", to_shanghai(new.closed_at).date(),
                         "representation", new.area, "legal-aid", also=counts)


def step_ops(old: Application, new: Application) -> list[dict]:
    """A case step's counts: granted (approved) or closed, once, in the month of the step."""
    counts = _counts(old, new)
    moment = new.closed_at if counts.get(CLOSED) else new.approved_at if counts.get(ASSISTED) else now_utc()
    return [counters.count_op(new.area, to_shanghai(moment).date(), counts)] if counts and moment else []


def _counts(old: Application, new: Application) -> dict:
    counts = {}
    if new.status != old.status and old.deadline is not None:  # a timed step ended (限时办结)
        counts[ON_TIME if now_utc() <= old.deadline else LATE] = 1
    if new.status != old.status and new.status == Status.approved:
        counts[ASSISTED] = 1
    if new.status != old.status and new.status == Status.closed and new.outcome is not None:
        counts.update({CLOSED: 1, RECOVERED: new.outcome.amount_recovered})
    return counts


def visit_ops(grid: str, on: date) -> list[dict]:
    return [counters.count_op(grid, on, {VISITED: 1})]
