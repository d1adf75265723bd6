"""SPEC C9 (issue 23, second pass): legal aid's time-limit compliance — a step with a deadline (acceptance,
review, assignment, follow-up) counted on time or late in the transaction that ends it (法律援助法 art. 43)."""
from __future__ import annotations

from chalicelib.domain.ledgers import counters
from chalicelib.platform.timeutil import today_shanghai
from tests.helpers import ok
from tests.plugins.legal_aid.test_conflicts import approved


def _counted(area: str, months: list[str], key: str) -> int:
    return sum(counters.rollup(area, (m,)).total(key) for m in dict.fromkeys(months))


def test_steps_ended_by_their_deadline_count_on_time_and_an_assignment_after_it_counts_late(submit, step, clock):
    app = approved(submit, step)
    assert _counted(app["area"], [clock.month()], "legal_aid.steps_on_time") == 2  # acceptance, review
    with clock.travel(days=40):
        ok(step(app, "assign", lawyer="lawyer-1"))
        month = today_shanghai().strftime("%Y-%m")  # the month the late assignment is counted in
    assert _counted(app["area"], [clock.month(), month], "legal_aid.steps_late") == 1
    assert _counted(app["area"], [clock.month(), month], "legal_aid.steps_on_time") == 2
