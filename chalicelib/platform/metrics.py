"""Operational metrics as CloudWatch embedded metric format (EMF): one JSON line on stdout per count, which
CloudWatch Logs turns into a metric of the namespace below — no call to CloudWatch, no extra permission, and
an alarm on the metric pages the operators (a failed screening check: `ScreeningCheckFailed` by `service`,
always the app's name, and `check`).

Dimensions name what failed (a check's code, a hook), never a person, a record or a message.

Powertools Metrics is kept (not hand-written like the logs, platform/logs.py): importing it costs ~11 ms CPU
(python3.11 -S, precompiled, the app's other imports done, median of 7 interpreters), paid only by a screening
run that has a failed check — a run that already imports Powertools' batch processor — never by a request.
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
