"""Screening checks (SPEC S4, S3). Findings are listed to all staff of the area, so they carry counts per grid
only: no person's id, name or category leaves this service through them. Each check reads the area's people
with one Query and the parameters once per grid with people."""
from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Callable, Iterable

from chalicelib.plugin import Finding, ScreeningContext
from plugins.special_populations import params, service
from plugins.special_populations.criteria import CORRECTION
from plugins.special_populations.models import Person

CATEGORY_CHANGES = "special-populations.category-changes"
OVERDUE_VISITS = "special-populations.overdue-visits"
MISSED_REPORT_IN = "special-populations.missed-report-in"


def _per_grid(context: ScreeningContext,
              count: Callable[[Person, dict[str, int], date], int]) -> tuple[Counter, dict[str, dict[str, int]]]:
    counts: Counter = Counter()
    settings: dict[str, dict[str, int]] = {}
    for person in service.people_in(context.area):
        if person.grid not in settings:
            settings[person.grid] = service.settings(person.grid, context.as_of)
        found = settings[person.grid]
        counts[person.grid] += count(person, found, context.as_of)
    return counts, settings


def category_changes(context: ScreeningContext) -> Iterable[Finding]:
    """Per grid: how many enter or leave a category within the look-ahead after the screening day."""
    def changes(person: Person, found: dict[str, int], on: date) -> int:
        return sum(1 for s in service.standings_of(person, found, on) if s.entering or s.leaving)

    entering_or_leaving, settings = _per_grid(context, changes)
    for grid, count in sorted(entering_or_leaving.items()):
        if count:
            days = settings[grid][params.ALMOST_DAYS]
            yield Finding(check=CATEGORY_CHANGES, area=grid, severity="info",
                          title=f"{days} 日内进入或离开特殊人群类别 {count} 人次",
                          record=f"category-changes-{grid}-{context.as_of}")


def overdue_visits(context: ScreeningContext) -> Iterable[Finding]:
    """Per grid: people in a category whose next visit was due before the screening day."""
    def overdue(person: Person, found: dict[str, int], on: date) -> int:
        current = [s for s in service.standings_of(person, found, on) if s.met]
        return int(bool(current) and service.next_visit_due(person, current, found) < on)

    counts, _ = _per_grid(context, overdue)
    for grid, count in sorted(counts.items()):
        if count:
            yield Finding(check=OVERDUE_VISITS, area=grid, severity="warning",
                          title=f"特殊人群走访逾期 {count} 人", record=f"overdue-visits-{grid}-{context.as_of}")


def missed_report_in(context: ScreeningContext) -> Iterable[Finding]:
    """Per grid: correction subjects who have not reported in within the statutory days (社区矫正法 art. 21),
    or reported late, among those whose term is running."""
    def missed(person: Person, found: dict[str, int], on: date) -> int:
        in_term = person.correction_start is not None and person.correction_start <= on
        if not (in_term and service.report_in_missed(person, found, on)):
            return 0
        return int(any(s.met for s in service.standings_of(person, found, on) if s.category == CORRECTION))

    counts, _ = _per_grid(context, missed)
    for grid, count in sorted(counts.items()):
        if count:
            yield Finding(check=MISSED_REPORT_IN, area=grid, severity="risk",
                          title=f"社区矫正对象未按期报到 {count} 人", record=f"missed-report-in-{grid}-{context.as_of}")
