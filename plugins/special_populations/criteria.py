"""The three categories of SPEC S1 as named criteria on the core rules engine: derived from dated legal events
for any day, never typed by hand. Pure: everything they read is in `Facts` (the window lengths included,
from the policy parameters in force), so every boundary is tested without storage.

Which days count (the convention, and why):
- A correction term "自 A 起至 B 止" includes both A and B: that is how judgments and correction documents
  write terms. If correction ended early (解除社区矫正 before B), the day it ended is the last day under
  correction (解除 is announced that day, 社区矫正法 art. 44).
- "N 年内" after an event counts like every statutory period in years (民法典 art. 201: the day of the
  event is not counted, the period starts the next day; art. 202: it ends on the corresponding day of the
  last year — the anniversary — and where that day does not exist, on the last day of that month, so a
  release on 29 February is covered through 28 February N years later). The day of release itself also
  belongs to the window: the person is already released that day, and leaving it out would leave them in
  no category for a day. After correction the window starts the day after correction ended, which is still
  a correction day (no day in two of these windows for the same event).
- A window's last day is "until" (至); the person leaves the category the day after it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chalicelib.platform import rules
from chalicelib.platform.rules import NEVER, Result, criterion
from chalicelib.platform.timeutil import plus_days, plus_years


CORRECTION, RESETTLEMENT, AFTERCARE = "community_correction", "resettlement", "aftercare"
TITLES = {CORRECTION: "社区矫正对象", RESETTLEMENT: "安置帮教对象", AFTERCARE: "后续照管对象"}
SHORT = {CORRECTION: "社区矫正", RESETTLEMENT: "安置帮教", AFTERCARE: "后续照管"}


@dataclass(frozen=True)
class Facts:
    """A person's dated legal events and the window lengths in force (years)."""
    correction_start: date | None = None     # 矫正期起始日
    correction_end: date | None = None       # 矫正期满日（“至…止”，含当日）
    correction_ended: date | None = None     # 解除社区矫正之日（提前解除时填写）
    prison_release: date | None = None       # 刑满释放之日
    rehab_release: date | None = None        # 解除强制隔离戒毒之日
    after_prison_years: int = 5
    after_correction_years: int = 3
    aftercare_years: int = 1

    @property
    def correction_last_day(self) -> date | None:
        """The last day under correction: the day it ended, else the term's last day."""
        return self.correction_ended or self.correction_end


def add_years(day: date, years: int) -> date:
    """The corresponding day `years` later; 29 February becomes 28 February (民法典 art. 202: no such day,
    the end of the month). Held at the calendar's last day, like every step here (`plus_days`)."""
    return plus_years(day, years)


def window(first: date, last: date, on: date, *, inside: str, before: str, after: str) -> Result:
    """Membership of the closed window [first, last] on `on`, with its edges (`from`/`until`) and the next
    day it may change (the window's first day, or the day after its last)."""
    data = {"from": first.isoformat(), "until": last.isoformat()}
    if on < first:
        return Result(False, before, data, changes_on=first)
    if on <= last:
        return Result(True, inside, data, changes_on=plus_days(last, 1))
    return Result(False, after, data, changes_on=NEVER)


def absent(reason: str) -> Result:
    return Result(False, reason, {}, changes_on=NEVER)


@criterion("special_populations.community_correction", "社区矫正对象")
def in_correction(facts: Facts, on: date) -> Result:
    start, last = facts.correction_start, facts.correction_last_day
    if start is None or last is None:
        return absent("无社区矫正期")
    return window(start, last, on, inside=f"矫正期自 {start} 起至 {last} 止，{on} 在矫正期内",
                  before=f"矫正期自 {start} 起，{on} 尚未开始", after=f"社区矫正已于 {last} 结束")


@criterion("special_populations.resettlement_after_prison", "刑满释放后安置帮教")
def after_prison(facts: Facts, on: date) -> Result:
    released, years = facts.prison_release, facts.after_prison_years
    if released is None:
        return absent("无刑满释放记录")
    last = add_years(released, years)
    return window(released, last, on, inside=f"{released} 刑满释放，{years} 年内（至 {last}）属安置帮教对象",
                  before=f"刑满释放日 {released} 尚未到来", after=f"刑满释放已满 {years} 年（安置帮教至 {last} 止）")


@criterion("special_populations.resettlement_after_correction", "解除社区矫正后安置帮教")
def after_correction(facts: Facts, on: date) -> Result:
    ended, years = facts.correction_last_day, facts.after_correction_years
    if ended is None:
        return absent("无社区矫正期")
    last = add_years(ended, years)
    return window(plus_days(ended, 1), last, on,
                  inside=f"{ended} 解除社区矫正，{years} 年内（至 {last}）属安置帮教对象",
                  before=f"社区矫正至 {ended} 止，尚未解除", after=f"解除社区矫正已满 {years} 年（安置帮教至 {last} 止）")


@criterion("special_populations.aftercare", "后续照管对象")
def in_aftercare(facts: Facts, on: date) -> Result:
    released, years = facts.rehab_release, facts.aftercare_years
    if released is None:
        return absent("无解除强制隔离戒毒记录")
    last = add_years(released, years)
    return window(released, last, on, inside=f"{released} 解除强制隔离戒毒，{years} 年内（至 {last}）属后续照管对象",
                  before=f"解除强制隔离戒毒日 {released} 尚未到来",
                  after=f"解除强制隔离戒毒已满 {years} 年（后续照管至 {last} 止）")


in_resettlement = rules.any_of("special_populations.resettlement", "安置帮教对象", after_prison, after_correction)

CATEGORIES: dict[str, rules.Criterion[Facts]] = {
    CORRECTION: in_correction, RESETTLEMENT: in_resettlement, AFTERCARE: in_aftercare}


@dataclass(frozen=True)
class Standing:
    """A person's standing in one category on one day: in it or not, why, since and until when, and whether
    that changes within the look-ahead ("almost": the day they enter or leave)."""
    category: str
    met: bool
    reason: str
    since: date | None        # first day of the current stretch (when met)
    until: date | None        # last day of the current stretch (when met)
    changes_on: date | None   # the day they enter or leave, when within the look-ahead
    entering: bool = False
    leaving: bool = False

    @property
    def title(self) -> str:
        return TITLES[self.category]

    @property
    def label(self) -> str:
        """"安置帮教（至 2026-03-15）" — what the grid list shows."""
        return f"{SHORT[self.category]}（至 {self.until}）" if self.met else SHORT[self.category]


def _windows(result: Result) -> list[tuple[date, date]]:
    """The [from, until] windows behind a result (one per part of a combination)."""
    found = [result, *result.parts.values()]
    return [(date.fromisoformat(r.data["from"]), date.fromisoformat(r.data["until"]))
            for r in found if "from" in r.data]


def _stretch(result: Result, on: date) -> tuple[date | None, date | None]:
    """The continuous stretch of days around `on` covered by the result's windows (two windows that touch
    or overlap — released from prison during the 3 years after correction — are one stretch)."""
    windows = sorted(_windows(result))
    current = [w for w in windows if w[0] <= on <= w[1]]
    if not current:
        return None, None
    since, until = min(w[0] for w in current), max(w[1] for w in current)
    grown = True
    while grown:
        grown = False
        for first, last in windows:
            if first <= plus_days(until, 1) and last > until:
                until, grown = last, True
            if last >= plus_days(since, -1) and first < since:
                since, grown = first, True
    return since, until


def standing(category: str, facts: Facts, on: date, *, look_ahead: int) -> Standing:
    """The person's standing in `category` on `on`, looking `look_ahead` days ahead."""
    ahead = rules.almost(CATEGORIES[category], facts, on, look_ahead)
    since, until = _stretch(ahead.now, on) if ahead.now.met else (None, None)
    return Standing(category=category, met=ahead.now.met, reason=ahead.now.reason, since=since, until=until,
                    changes_on=ahead.changes_on, entering=ahead.changes and not ahead.now.met,
                    leaving=ahead.changes and ahead.now.met)


def standings(facts: Facts, on: date, *, look_ahead: int) -> list[Standing]:
    """Every category, in the fixed order of SPEC S1 (a person may be in several at once)."""
    return [standing(category, facts, on, look_ahead=look_ahead) for category in CATEGORIES]
