"""Rules as data, with reasons: named criteria, explicit combinators, and a look-ahead ("almost").

The rules this module keeps (after Recidiviz's task-eligibility criteria; STYLE.md "rules as data"):

1. A criterion has a stable English `name` ("legal_aid.means_test"), a Chinese `title`, and
   `evaluate(facts, on) -> Result`. It is pure: everything it reads is in `facts` (policy versions in force
   included) or is the day `on`, so every boundary is tested without storage. The engine knows nothing of
   what the facts are.
2. A `Result` is never a bare yes or no: `met`, a `reason` in Chinese that the resident it is about can read
   ("人均月收入 1,850 元 ≤ 常州市 2021 年最低工资 2,280 元"), and the figures it used (`data`, JSON-ready, for
   the audit trail).
3. Combining is explicit and itself a criterion: `all_of`, `any_of`, and `waived_by` (one criterion waiving
   another: "a member of a special group is exempt from the means test"). Every part is evaluated, so the
   combined result keeps every part's result (`parts`, searchable with `find`); `decided_by` names the parts
   that decided it, and the combined reason is theirs:
   - all_of: met when every part is; decided by the failing parts, else by all of them;
   - any_of: met when one part is; decided by the met parts, else by all of them;
   - waived_by: met when the waiver is (decided by the waiver; its reason from `explain`, or "…，免于<title>"),
     otherwise exactly the waived criterion's result (decided by it).
4. Look-ahead: a result may name the first day after `on` on which `met` may differ (`changes_on`; `NEVER`
   when it cannot change; `None`, the default, when the criterion does not know). A date window (a
   category that ends on a date, an age reached on a birthday) reports its edge. The date is a promise
   that nothing changes before it; it need not be a change itself. A combination changes no earlier than
   its earliest part, and knows its date only when every part does.
   `almost(criterion, facts, on, days)` answers whether `met` becomes different within `days` days after
   `on` (`on` + 1 … `on` + `days`, both ends included) and on which day: it jumps from one reported date
   to the next, and evaluates day by day only while a result gives no date. Near the end of the calendar
   the window is what is left of it: nothing here raises on a far date.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Generic, Protocol, TypeVar

from chalicelib.platform.timeutil import plus_days

F = TypeVar("F")
F_contra = TypeVar("F_contra", contravariant=True)

NEVER = date.max  # `changes_on` of a result that no later day can change
ONE_DAY = timedelta(days=1)
JOIN = "；"       # between the reasons of the parts that decided a combination


@dataclass(frozen=True)
class Result:
    """What a criterion found on one day. `parts` and `decided_by` are empty for a single criterion."""
    met: bool
    reason: str
    data: Mapping[str, Any] = field(default_factory=dict)
    changes_on: date | None = None
    decided_by: tuple[str, ...] = ()
    parts: Mapping[str, Result] = field(default_factory=dict)

    def find(self, name: str) -> Result | None:
        """The result of the part called `name`, however deep in the combination (None if not part of it)."""
        for part_name, part in self.parts.items():
            found = part if part_name == name else part.find(name)
            if found is not None:
                return found
        return None


class Criterion(Protocol[F_contra]):
    """Anything with a name, a title and `evaluate`: a `Check`, a combination, or a plugin's own class."""

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    def evaluate(self, facts: F_contra, on: date) -> Result: ...


def _check_name(name: str, title: str) -> None:
    # The name is a stable id in stored results and audit lines: dotted identifiers, nothing else.
    if not name or not all(segment.isidentifier() for segment in name.split(".")):
        raise ValueError(f"criterion name must be dotted identifiers: {name!r}")
    if not title.strip():
        raise ValueError(f"criterion {name} needs a Chinese title")


@dataclass(frozen=True)
class Check(Generic[F]):
    """A single criterion made from a function `(facts, on) -> Result` (see `criterion`)."""
    name: str
    title: str
    test: Callable[[F, date], Result]

    def __post_init__(self) -> None:
        _check_name(self.name, self.title)

    def evaluate(self, facts: F, on: date) -> Result:
        return self.test(facts, on)


def criterion(name: str, title: str) -> Callable[[Callable[[F, date], Result]], Check[F]]:
    """Decorator: `@criterion("legal_aid.green_channel", "绿色通道")` over `def green(facts, on) -> Result`."""
    def wrap(test: Callable[[F, date], Result]) -> Check[F]:
        return Check(name, title, test)
    return wrap


def earliest_change(results: Iterable[Result]) -> date | None:
    """When a combination of `results` may change: the earliest part's date; unknown if any part's is."""
    dates = [r.changes_on for r in results]
    if not dates:
        return NEVER
    if any(d is None for d in dates):
        return None
    return min(d for d in dates if d is not None)


def _evaluate_parts(parts: tuple[Criterion[F], ...], facts: F, on: date) -> dict[str, Result]:
    return {part.name: part.evaluate(facts, on) for part in parts}


def _combined(met: bool, deciding: list[str], results: dict[str, Result]) -> Result:
    return Result(met=met, reason=JOIN.join(results[n].reason for n in deciding),
                  changes_on=earliest_change(results.values()), decided_by=tuple(deciding), parts=results)


@dataclass(frozen=True)
class _Combination(Generic[F]):
    name: str
    title: str
    parts: tuple[Criterion[F], ...]

    def __post_init__(self) -> None:
        _check_name(self.name, self.title)
        names = [part.name for part in self.parts]
        if not names:
            raise ValueError(f"{self.name}: a combination needs parts")
        if len(set(names)) != len(names):  # results are kept by name: two parts must not share one
            raise ValueError(f"{self.name}: parts share a name")


class AllOf(_Combination[F]):
    def evaluate(self, facts: F, on: date) -> Result:
        results = _evaluate_parts(self.parts, facts, on)
        failing = [name for name, r in results.items() if not r.met]
        return _combined(not failing, failing or list(results), results)


class AnyOf(_Combination[F]):
    def evaluate(self, facts: F, on: date) -> Result:
        results = _evaluate_parts(self.parts, facts, on)
        passing = [name for name, r in results.items() if r.met]
        return _combined(bool(passing), passing or list(results), results)


def all_of(name: str, title: str, *parts: Criterion[F]) -> AllOf[F]:
    """Met when every part is met; its reason is the failing parts' reasons, else every part's."""
    return AllOf(name, title, parts)


def any_of(name: str, title: str, *parts: Criterion[F]) -> AnyOf[F]:
    """Met when at least one part is met; its reason is the met parts' reasons, else every part's."""
    return AnyOf(name, title, parts)


@dataclass(frozen=True)
class WaivedBy(Generic[F]):
    """`criterion`, unless `waiver` is met. Both are evaluated (what the waived test would have said stays in
    the result, for the audit trail); a waived result keeps the waived criterion's `data`."""
    name: str
    title: str
    criterion: Criterion[F]
    waiver: Criterion[F]
    explain: Callable[[F, Result], str] | None = None  # (facts, the waiver's result) -> reason when waived

    def __post_init__(self) -> None:
        _check_name(self.name, self.title)
        if self.criterion.name == self.waiver.name:
            raise ValueError(f"{self.name}: a criterion cannot waive itself")

    def evaluate(self, facts: F, on: date) -> Result:
        waiver = self.waiver.evaluate(facts, on)
        tested = self.criterion.evaluate(facts, on)
        results = {self.waiver.name: waiver, self.criterion.name: tested}
        changes_on = earliest_change(results.values())
        if not waiver.met:
            return Result(met=tested.met, reason=tested.reason, data=tested.data, changes_on=changes_on,
                          decided_by=(self.criterion.name,), parts=results)
        reason = self.explain(facts, waiver) if self.explain else f"{waiver.reason}，免于{self.criterion.title}"
        return Result(met=True, reason=reason, data=tested.data, changes_on=changes_on,
                      decided_by=(self.waiver.name,), parts=results)

    def waived(self, result: Result) -> bool:
        """Whether `result` (of this criterion) was decided by the waiver."""
        return result.decided_by == (self.waiver.name,)


def waived_by(name: str, title: str, criterion: Criterion[F], waiver: Criterion[F],
              explain: Callable[[F, Result], str] | None = None) -> WaivedBy[F]:
    """`criterion` unless `waiver` is met ("a member of a special group waives the means test")."""
    return WaivedBy(name, title, criterion, waiver, explain)


@dataclass(frozen=True)
class Almost:
    """The answer of `almost`: the result on the day asked, and the first day within the window on which
    `met` is different (with the result of that day), or None for both when it stays as it is."""
    now: Result
    changes_on: date | None = None
    then: Result | None = None

    @property
    def changes(self) -> bool:
        return self.changes_on is not None


def almost(criterion: Criterion[F], facts: F, on: date, days: int) -> Almost:
    """Does `criterion` become met (or stop being met) within `days` days after `on`, and on which day?"""
    if days < 0:
        raise ValueError("days must not be negative")
    now = criterion.evaluate(facts, on)
    last = plus_days(on, days)      # held at the calendar's last day: near it, the window is what is left
    day, current = on, now
    while True:
        step = current.changes_on
        if step is None:            # no date given: look at the next day (there is none after the last)
            if day >= last:
                return Almost(now)
            step = day + ONE_DAY
        elif step == NEVER:
            return Almost(now)
        elif step <= day:           # a date that is not ahead would loop for ever
            raise ValueError(f"{criterion.name}: changes_on {step} is not after {day}")
        if step > last:
            return Almost(now)
        day, current = step, criterion.evaluate(facts, step)
        if current.met != now.met:
            return Almost(now, day, current)
