"""Operational metrics as CloudWatch embedded metric format (EMF): one JSON line on stdout per count, which
CloudWatch Logs turns into a metric of the namespace below — no call to CloudWatch, no extra permission, and
an alarm on the metric pages the operators (a failed screening check: `ScreeningCheckFailed` by `service`,
always the app's name, and `check`).

Dimensions name what failed (a check's code, a hook), never a person, a record or a message.

Powertools Metrics is kept (not hand-written like the logs, platform/logs.py): importing it costs ~11 ms CPU
(python3.11 -S, precompiled, the app's other imports done, median of 7 interpreters), paid by a screening run
and, once per Lambda instance, by the first write that counts a business figure (`figure`) — never by a read.

`figure`: the business figures the operations dashboard plots (infra/operations.py), by `service` alone:
applications, tickets received and overdue, ratings below 满意, screening duration and findings; and the two
the operators' alarms watch besides `ScreeningCheckFailed`: a run finished `done_with_failures`, and the
month's run not finished by the 19th.
"""
from __future__ import annotations

from chalicelib.platform.config import APP_NAME

NAMESPACE = "Fawangge"


def count(name: str, **dimensions: str) -> None:
    """One occurrence of `name` with `dimensions`, written at once (a Lambda that times out later has
    already reported it)."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE,
                       default_dimensions={"service": APP_NAME}) as metric:
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


# infra/operations.py plots and alarms on these (a test holds the two lists together).
BUSINESS = ("ApplicationsSubmitted", "TicketsReceived", "TicketsOverdue", "RatingsBelowSatisfied", "ScreeningFindings")
OPERATIONS = ("ScreeningRunsWithFailures", "ScreeningMonthRunMissing", "ScreeningDuration")


def figure(name: str, value: float = 1, unit: str = "Count") -> None:
    """`value` of the figure `name` (one of BUSINESS or OPERATIONS), with no dimension but `service`."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    if name not in BUSINESS + OPERATIONS:
        raise ValueError(f"not a declared figure: {name}")
    with single_metric(name=name, unit=MetricUnit[unit], value=value, namespace=NAMESPACE,
                       default_dimensions={"service": APP_NAME}):
        pass
