"""Where the screening's findings are kept: one partition per month (or period) and city, one item per
finding under `finding#<area>#<check>#<subject>` — so an area and everything below it is one `begins_with`.
Its own module so that the service, the report and the tasks share it without importing each other."""
from __future__ import annotations

from chalicelib.platform.storage import keys

FINDING_PREFIX = "finding"


def partition(month: str, city: str) -> str:
    """The month's findings of one city (the month's run)."""
    return keys.compose("screening", month, city)


def preview_partition(month: str, city: str) -> str:
    """A preview's findings, kept apart from the month's."""
    return keys.compose("screening-preview", month, city)


def findings_partition(kind: str, month: str, city: str) -> str:
    """The month's run, a preview, or a more frequent cadence's run (`month` is then its period)."""
    if kind == "month":
        return partition(month, city)
    if kind == "preview":
        return preview_partition(month, city)
    return keys.compose(f"screening-{kind}", month, city)
