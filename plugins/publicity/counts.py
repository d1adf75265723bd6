"""The counts the quotas read (SPEC P2; CONTRACT "Data": counts are kept in the transaction of the event
they count, never found by reading a list).

An activity counts, while published, in the tallies of the year and of the quarter it starts in (Asia/
Shanghai), at its own area and every area above it: `<kind>` (a village's 普法惠民 services, a district's
cultural works) and, for a lecture organised by a directory person, `lecture_by.<person id>` (a village's
lectures by its legal advisor). Publishing adds, cancelling takes away, an edit moves what changed — one op
per tally item, inside the activity's own transaction. Reading an area's year and quarter is one
BatchGetItem (`read`).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from chalicelib.domain.areas.models import ancestors
from chalicelib.platform import storage
from chalicelib.platform.timeutil import to_shanghai
from plugins.publicity.models import Event, Tally

LECTURE_BY = "lecture_by."
Counts = dict[str, dict[str, int]]   # tally id -> {counter: amount}


def year_of(day: date) -> str:
    return f"{day.year:04d}"


def quarter_of(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def tally_id(area: str, period: str) -> str:
    return f"{area}-{period}"


def of(event: Event, sign: int = 1) -> Counts:
    """What `event` adds to the tallies (`sign=-1`: what cancelling it takes away)."""
    day = to_shanghai(event.starts_at).date()
    counters = {event.kind: sign}
    if event.kind == "lecture" and event.organiser_kind == "person":
        counters[LECTURE_BY + event.organiser_id] = sign
    out: Counts = {}
    for area in ancestors(event.area):
        if len(area) < 4:     # the province is nobody's quota
            continue
        for period in (year_of(day), quarter_of(day)):
            out[tally_id(area, period)] = dict(counters)
    return out


def moved(before: Event, after: Event) -> Counts:
    """What an edit changes: the old counts taken away and the new ones added, net per counter."""
    total: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for counts in (of(before, -1), of(after)):
        for tally, counters in counts.items():
            for name, amount in counters.items():
                total[tally][name] += amount
    return {tally: {n: a for n, a in counters.items() if a} for tally, counters in total.items()
            if any(counters.values())}


def ops(counts: Counts) -> list[dict]:
    return [storage.add_to(Tally, tally, counters) for tally, counters in counts.items() if counters]


def read(*ids: str) -> dict[str, Tally]:
    """The tallies of these ids (absent ones all zero), in one BatchGetItem."""
    found = storage.find_many(Tally, ids)
    return {i: found.get(i) or Tally(id=i) for i in ids}
