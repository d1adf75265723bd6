"""Screening checks (SPEC S4). Findings are listed to all staff of the area, so they carry counts per grid
only: no person's id, name or category leaves this service through them."""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from chalicelib.plugin import Finding, ScreeningContext
from plugins.special_populations import params, service


def category_changes(context: ScreeningContext) -> Iterable[Finding]:
    """Per grid: how many people enter or leave a category within the look-ahead after the screening day.
    One Query for the area; one policy read per grid with people."""
    entering, leaving, settings = Counter(), Counter(), {}
    for person in service.people_in(context.area):
        found = settings.setdefault(person.grid, service.settings(person.grid, context.as_of))
        for s in service.standings_of(person, found, context.as_of):
            entering[person.grid] += s.entering
            leaving[person.grid] += s.leaving
    for grid in sorted(set(entering) | set(leaving)):
        if entering[grid] or leaving[grid]:
            days = settings[grid][params.ALMOST_DAYS]
            yield Finding(check="special-populations.category-changes", area=grid, severity="info",
                          title=f"{days} 日内进入特殊人群类别 {entering[grid]} 人次、离开 {leaving[grid]} 人次",
                          record=f"category-changes-{grid}-{context.as_of}")
