"""The plugin contract: every way a service extends the core, in one file.

A plugin is a package `plugins/<module>/` whose `plugin` attribute is a `Plugin`. The core never imports a
plugin by name: `load` imports the modules named in `ENABLED_PLUGINS` (per stage, `.chalice/config.json`),
`mount` registers each blueprint at `/v1/<name>` and `activate`s them. Nothing is registered by side effect
at import: a plugin *declares* what it adds, and the core asks through the typed functions at the bottom
of this file, which only ever see the enabled plugins — so disabling a plugin removes its routes,
parameters, link rules, roles, institution kinds, intake targets, checks, columns and demo data at once.

What a plugin may declare (all optional but `name`, `title`, `blueprint`):
- `parameters`        policy parameters it owns (`Parameter`: thresholds, deadlines…, data with effective
                      dates, set per area by administrators); names start with the plugin's prefix
                      (`legal-aid` → `legal_aid.…`).
- `link_rules`        records of its own that files may be attached to, and who may attach/read them.
- `intake_targets`    the kinds of request it handles: how it opens its own case from an intake ticket
                      and how the ticket learns the case's progress and result.
- `coverage_roles`    roles every grid must have filled for this service (C3), each filled at its level
                      (per grid by default, or per town: a corrections contact for each town).
- `screening_checks`  named checks for the monthly screening on the 18th (C7), each run on its own.
- `ledger_columns`    columns it adds to the village ledger (C9), each with the figures it reads (`values`).
- `stat_counters`     counts it keeps for the statistics and the monthly ledgers (C9, `GET /v1/stats`), each
                      added in the transaction of its event and named to the seed-004 count it feeds, if any.
- `ledger_rows`       its record-by-record ledgers (C9 "一事一记") an area's staff export, large ones in the
                      background: the headers and the rows, read page by page.
- `roles`             people's roles it adds to the directory's vocabulary (the sign-in roles a token may
                      carry are fixed by CONTRACT.md: `chalicelib.platform.auth.roles`).
- `institution_kinds` kinds of institution it adds to the directory's vocabulary.
- `ticket_categories` intake categories it times (`TicketCategory`): its own, beside the core's
                      `TICKET_CATEGORIES`, or a core one its statutory period limits; the time limit
                      stated once.
- `demo_data`         loads its demo records for `make dev` (idempotent).
- `demo_identities`   who of its demo data to sign in as (`DemoIdentity`), and what to try: `make dev` prints them.
- `self_checks`       what an anonymous resident may ask before applying (`SelfCheck`: its questions and a
                      verdict likely / not likely / depends from the answers, by the service's own criteria).
A check or demo loader that raises is recorded against its plugin and does not stop the others.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Iterable

from chalice import Blueprint

from chalicelib import enabled as enabled_plugins
from chalicelib.enabled import defer, name_of  # noqa: F401 — part of the contract: `plugin.defer`, `plugin.name_of`
from chalicelib.platform.auth.roles import STAFF as STAFF_ROLES

NAME_SHAPE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
PARAMETER_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


# --- what a plugin declares ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """A policy parameter: a number with a unit and sanity bounds; versions per area and date are data."""
    name: str                  # "legal_aid.review_days"
    title: str                 # Chinese, e.g. "法律援助申请审查时限"
    unit: str                  # "日", "元/月", "小时/月"
    minimum: Decimal
    maximum: Decimal
    description: str = ""      # where the rule comes from (law, notice), for administrators
    default: Decimal | None = None  # the national rule, used where no area set a version

    def __post_init__(self) -> None:
        for name in ("minimum", "maximum", "default"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Decimal):
                object.__setattr__(self, name, Decimal(str(value)))
        if not PARAMETER_SHAPE.match(self.name):
            raise ValueError(f"parameter name {self.name!r} must look like 'service.snake_case_name'")
        if self.minimum > self.maximum:
            raise ValueError(f"{self.name}: minimum above maximum")
        if self.default is not None and not self.minimum <= self.default <= self.maximum:
            raise ValueError(f"{self.name}: default outside its bounds")


@dataclass(frozen=True)
class LinkRule:
    """Files may be linked to records of `entity`. `may_link(caller, record_id)` raises a problem (404 for
    a record the caller may not see, 403/409 otherwise) or returns; the same rule decides who may read the
    files linked to such a record, so it should let through exactly the record's readers."""
    entity: str                # "legal-aid-application"
    may_link: Callable[[Any, str], None]


@dataclass(frozen=True)
class CaseRef:
    """The case a service opened for an intake ticket, as the ticket shows it."""
    service: str               # the plugin's name
    entity: str
    id: str
    title: str                 # Chinese, e.g. "法律援助申请（已预填，待申请人确认）"


@dataclass(frozen=True)
class IntakeRequest:
    """What the intake desk hands a service when it routes a ticket to it."""
    ticket_id: str
    category: str
    area: str                  # the grid the request comes from
    text: str
    actor: Any                 # chalicelib.platform.audit.Actor doing the routing
    resident: str | None = None  # the resident account concerned, when there is one


@dataclass(frozen=True)
class CaseProgress:
    """Where a case opened from a ticket stands, as the resident following the ticket reads it."""
    status: str                # Chinese, e.g. "已指派律师"
    closed: bool = False
    result: str | None = None  # Chinese, once closed: what came of it


# The core's categories the intake desk classifies a request (a ticket) into (SPEC C5). A plugin adds its own
# (`Plugin.ticket_categories`); an intake target names the core's or its own plugin's, checked when the
# plugin is declared. Intake reads the whole vocabulary as `CATEGORIES` below.
TIME_LIMIT_UNITS = ("日", "工作日")  # calendar days (民法典 arts. 201, 203) or working days
TICKET_CATEGORIES: dict[str, str] = {
    "consultation": "法律咨询",
    "dispute": "矛盾纠纷",
    "legal_aid": "法律援助",
    "notary": "公证",
    "appraisal": "司法鉴定",
    "complaint": "投诉",
    "other": "其他",
}


def ticket_deadline_parameter(category: str) -> str:
    """The policy parameter holding a category's time limit in working days (SPEC C5 限时办结)."""
    return f"intake.{category}_days"


@dataclass(frozen=True)
class TicketCategory:
    """A category of request a service times at the intake desk (SPEC C5 限时办结), its time limit stated once:
    - a category of its own, added to the vocabulary beside the core's: `days`, the default of the parameter
      `intake.<code>_days` (working days from the day received), set per area like the core's;
    - or a core category its own statutory period limits (legal aid's review period, notary's certificate
      period): `time_limit`, one of the plugin's `parameters`, counted in its unit (日 by the Civil Code, or
      工作日). The core declares no `intake.<code>_days` for such a category; while no enabled service times
      it, its tickets take `intake.other_days`."""
    code: str                  # "publicity_request"
    title: str                 # "普法宣传"
    days: int | None = None    # the default time limit, in working days (a category of its own)
    basis: str = ""            # where the limit comes from, for administrators
    time_limit: Parameter | None = None

    def __post_init__(self) -> None:
        if not CODE_SHAPE.match(self.code):
            raise ValueError(f"ticket category {self.code!r} must be snake_case")
        if (self.days is None) == (self.time_limit is None):
            raise ValueError(f"ticket category {self.code!r}: give its time limit once, as days or as time_limit")
        if self.time_limit is not None and self.time_limit.unit not in TIME_LIMIT_UNITS:
            raise ValueError(f"ticket category {self.code!r}: a ticket time limit counts {TIME_LIMIT_UNITS}, "
                             f"not {self.time_limit.unit!r}")

    @property
    def deadline(self) -> Parameter:
        if self.time_limit is not None:
            return self.time_limit
        return Parameter(ticket_deadline_parameter(self.code), title=f"受理时限：{self.title}", unit="工作日",
                         minimum=1, maximum=60, default=self.days, description=self.basis)


@dataclass(frozen=True)
class IntakeTarget:
    """A kind of request a service takes from the intake desk (C5/C6): how it opens its case from a ticket,
    and how the desk learns the result to report back to the resident (the ticket follows the case)."""
    code: str                  # "legal_aid_application"
    title: str                 # "法律援助申请"
    categories: tuple[str, ...]  # the ticket categories routed here (the core's or the plugin's own), e.g. ("legal_aid",)
    open_case: Callable[[IntakeRequest], CaseRef]
    progress: Callable[[CaseRef], CaseProgress]
    # The staff sign-in roles who work the cases opened here: they read the tickets routed here in their area.
    handled_by: tuple[str, ...] = ()
    # Whether a caller holds one case opened here (e.g. its assigned lawyer) though no role of `handled_by`
    # is theirs: they read its ticket (staff of the grid's area only) and the case's result on it. Asked on a
    # single ticket's read, never per line of a list; one that raises answers no.
    holds: Callable[[Any, CaseRef], bool] | None = None

    def __post_init__(self) -> None:
        if set(self.handled_by) - STAFF_ROLES:
            raise ValueError(f"intake target {self.code!r}: handled_by {self.handled_by} names no staff sign-in role")


COVERAGE_LEVELS = ("district", "town", "village", "grid")


@dataclass(frozen=True)
class CoverageRole:
    """A role every grid must have filled. `level` is where it is filled: "grid" (the default) counts an
    assignment to the grid or to any area above it; "town" means one per town — only an assignment to the
    grid's town (or its district) counts, and assignments below the town are refused."""
    code: str                  # stable identifier, e.g. "legal_aid_contact"
    title: str                 # shown to people, e.g. "法律援助联络员"
    minimum: int = 1
    level: str = "grid"        # one of COVERAGE_LEVELS

    def __post_init__(self) -> None:
        if self.level not in COVERAGE_LEVELS:
            raise ValueError(f"coverage role {self.code!r}: level must be one of {COVERAGE_LEVELS}")


@dataclass(frozen=True)
class ScreeningContext:
    month: str                 # "2026-11", the month screened (Asia/Shanghai)
    area: str                  # the area code screened (the check sees this area and below)
    as_of: date


@dataclass(frozen=True)
class Finding:
    check: str                 # the check's code, e.g. "legal-aid.green-channel-overdue"
    area: str
    severity: str              # "info" | "warning" | "risk"
    title: str                 # Chinese, for the report
    detail: str = ""
    record: str | None = None
    due: date | None = None


CADENCES = ("monthly", "half_monthly", "weekly", "daily")


@dataclass(frozen=True)
class ScreeningCheck:
    """One named check of the screening: it looks at one thing and returns findings. By default it runs
    in the month's screening on the 18th; `cadence` makes it run more often on the same fan-out (M5: a
    mediation backlog weekly or half-monthly, deadlines daily). Each finding of the month's run becomes a
    service task for the staff of its area holding `role` (default: the grid's grid worker, or the
    administrator of a wider area)."""
    code: str                  # "<plugin name>.<check>", e.g. "legal-aid.green-channel-overdue"
    title: str                 # Chinese, e.g. "绿色通道案件超时"
    run: Callable[[ScreeningContext], Iterable[Finding]]
    role: str | None = None    # a staff sign-in role, e.g. "legal_aid_officer"
    cadence: str | tuple[str, ...] = "monthly"  # one of CADENCES, or several (a backlog: weekly and half-monthly)

    @property
    def cadences(self) -> tuple[str, ...]:
        return (self.cadence,) if isinstance(self.cadence, str) else tuple(self.cadence)


@dataclass(frozen=True)
class LedgerColumn:
    """A column of the village's yearly ledger (C9 "一村一卷"): one figure per month for an area and below.
    `values(area, months)` returns {month "YYYY-MM" (Asia/Shanghai): figure} for the months asked (a month
    left out is 0), read from counts the service keeps in the transaction of what it counts — never by
    listing records — and holding no personal data. A column without `values` is shown empty (未接入)."""
    key: str
    title: str
    values: Callable[[str, tuple[str, ...]], Mapping[str, int | Decimal]] | None = None


# The counts of seed 004 the statistics report (SPEC C9), whichever services feed them (`StatCounter.measure`).
STAT_MEASURES: dict[str, str] = {
    "village_rules": "起草审核村规民约（件）",
    "legal_documents": "起草审核法律文书（件）",
    "legal_opinions": "出具法律意见（件）",
    "consultations": "法律咨询（人次）",
    "legal_aid_assists": "协助法律援助（件）",
    "cases_represented": "代理诉讼、仲裁案件（件）",
    "disputes_mediated": "调解矛盾纠纷（起）",
    "disputes_major": "其中重大、积案纠纷（起）",
}


# The shares the statistics report beside them (C9), each from the counters on its two sides (`StatCounter.share`).
STAT_SHARES: dict[str, str] = {"on_time": "限时办结：按时", "late": "限时办结：超时",
                               "grassroots": "基层化解：网格、村（社区）", "escalated": "基层化解：上交"}


@dataclass(frozen=True)
class StatCounter:
    """A count the service keeps for the statistics and its monthly ledger (C9): added to with
    `chalicelib.domain.ledgers.counters.count_op` inside the transaction of the event it counts, at the area
    where it happened, per month (Asia/Shanghai); summed child → parent when read. `measure` names the
    seed-004 count (a key of `STAT_MEASURES`) it adds to, if any, and `share` the side of a share it counts (a
    key of `STAT_SHARES`: closed on time or late, resolved at the grass roots or escalated); every counter is
    one of the service's volumes."""
    key: str                   # "<plugin prefix><name>", e.g. "mediation.closed"
    title: str                 # Chinese, with its unit: "调解结案（起）"
    measure: str | None = None
    share: str | None = None

    def __post_init__(self) -> None:
        if not PARAMETER_SHAPE.match(self.key):
            raise ValueError(f"stat counter {self.key!r} must look like 'service.snake_case_name'")
        if self.measure is not None and self.measure not in STAT_MEASURES:
            raise ValueError(f"stat counter {self.key!r}: measure {self.measure!r} is not one of {tuple(STAT_MEASURES)}")
        if self.share is not None and self.share not in STAT_SHARES:
            raise ValueError(f"stat counter {self.key!r}: share {self.share!r} is not one of {tuple(STAT_SHARES)}")


@dataclass(frozen=True)
class LedgerRows:
    """A record-by-record ledger (C9 "一事一记") of an area and below over some months, exported as XLSX or CSV
    (`POST /v1/ledgers/exports` with `kind=key`). `rows(area, months)` yields one row per record, its values in
    `headers` order, reading page by page (a district's year may hold 50,000 rows; the core writes them as
    they come, in the background when there are many); personal numbers masked, and no person-level row of a
    special population for an area above the district. `count` is the key of the service's `StatCounter`
    counting these records, from which the core knows a ledger's size before reading it."""
    key: str                   # the export's kind, "<plugin prefix><name>": "mediation.disputes"
    title: str                 # Chinese: "矛盾纠纷调解台账"
    headers: tuple[str, ...]
    rows: Callable[[str, tuple[str, ...]], Iterable[Sequence[Any]]]
    count: str

    def __post_init__(self) -> None:
        if not PARAMETER_SHAPE.match(self.key) or not self.headers:
            raise ValueError(f"ledger rows {self.key!r}: a 'service.snake_case_name' key and headers")


@dataclass(frozen=True)
class Term:
    """An entry a plugin adds to a shared vocabulary (a person's role, an institution kind)."""
    code: str
    title: str


QUESTION_TYPES = ("integer", "money_list", "boolean", "choice", "choices")
VERDICTS = {"likely": "可能符合", "not_likely": "可能不符合", "depends": "视情况而定"}


@dataclass(frozen=True)
class Question:
    """One question of the self-check questionnaire. Services asking the same `id` share it (same type; their
    choices joined), so a resident answers it once. `needed`: without an answer the service says "depends".
    No question asks for a personal identifier (name, ID number, phone, address)."""
    id: str                    # "household_size"
    label: str                 # Chinese, "家庭共同生活人口数"
    type: str                  # one of QUESTION_TYPES
    choices: tuple[tuple[str, str], ...] = ()  # (code, Chinese label), for "choice" / "choices"
    needed: bool = False
    minimum: int | None = None  # "integer": its bounds; "money_list": each amount ≥ 0 always
    maximum: int | None = None
    help: str = ""

    def __post_init__(self) -> None:
        if not CODE_SHAPE.match(self.id) or self.type not in QUESTION_TYPES:
            raise ValueError(f"question {self.id!r}: snake_case id and a type of {QUESTION_TYPES}")
        if (self.type in ("choice", "choices")) != bool(self.choices):
            raise ValueError(f"question {self.id!r}: choices go with (and only with) a choice question")


@dataclass(frozen=True)
class Reasoned:
    """A named criterion as a self-check shows it: the service's own criterion's code, title and reason."""
    code: str                  # "legal_aid.means_test"
    title: str
    met: bool | None           # None: could not be judged from the answers
    reason: str


@dataclass(frozen=True)
class Assessment:
    """A self-check's answer: `verdict` a key of VERDICTS, a Chinese summary, the criteria that decided it."""
    verdict: str
    summary: str
    criteria: tuple[Reasoned, ...] = ()
    documents: tuple[str, ...] = ()  # papers these answers call for, beside the self-check's own

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} is not one of {tuple(VERDICTS)}")


@dataclass(frozen=True)
class SelfCheck:
    """What a resident may ask a service anonymously before applying (`POST /v1/self-check`).

    CONTRACT: `judge(answers, area, on)` gets the answers to its `questions` (validated by the core: int,
    tuple of Decimal, bool, str or frozenset; an unanswered question is absent, a `needed` one never is),
    the resident's area (an existing district or below) and the day (Asia/Shanghai), and returns an
    `Assessment` reached by the SAME criteria and policy reads as the service's real decision. It stores
    nothing and logs none of the answers. `rules`: the policy parameters it judges by, shown in force at the
    area that day and with a version already set for a later day. `apply`: the route that applies."""
    code: str                  # "<plugin name>.<check>", e.g. "legal-aid.eligibility"
    title: str                 # Chinese, e.g. "法律援助"
    questions: tuple[Question, ...]
    judge: Callable[[Mapping[str, Any], str, date], Assessment]
    apply: str                 # "POST /v1/legal-aid/applications"
    next_step: str             # Chinese: how to apply
    documents: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    institution_kind: str | None = None  # the directory's kind that takes the application: at a grid, its nearest


def born_for(age: int, on: date) -> date:
    """A birth date making someone `age` on `on`: a self-check asks the age, never the birth date, and takes
    `on` as the birthday (28 February for 29 February) — the age an application that day counts."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:
        return date(on.year - age, 2, 28)


@dataclass(frozen=True)
class DemoContext:
    actor: Any                           # chalicelib.platform.audit.Actor used for the writes
    areas: Callable[[str], list[str]]    # area codes under a prefix, for placing demo records


@dataclass(frozen=True)
class DemoIdentity:
    """Someone of the demo data to try the service as: `make dev` prints their token command and what to try."""
    sub: str                             # `--sub`, the account its demo records name (e.g. the assigned lawyer)
    role: str                            # a sign-in role (chalicelib.platform.auth.roles)
    area: str | None                     # staff: `--area`, their jurisdiction
    who: str                             # Chinese, e.g. "天宁区法律援助中心审查员"
    tries: str                           # what to try, e.g. "GET /v1/legal-aid/queue（绿色通道在前）"

    def __post_init__(self) -> None:
        if self.role in STAFF_ROLES and not self.area:
            raise ValueError(f"demo identity {self.sub!r}: a staff role needs its area")


@dataclass(frozen=True)
class Plugin:
    name: str                            # URL segment: mounted at /v1/<name>
    title: str                           # Chinese name of the service, e.g. "法律援助"
    blueprint: Blueprint
    core_service: bool = False           # one of the "6" core services of the 6+X menu (C4)
    parameters: tuple[Parameter, ...] = ()
    link_rules: tuple[LinkRule, ...] = ()
    intake_targets: tuple[IntakeTarget, ...] = ()
    coverage_roles: tuple[CoverageRole, ...] = ()
    screening_checks: tuple[ScreeningCheck, ...] = ()
    ledger_columns: tuple[LedgerColumn, ...] = ()
    stat_counters: tuple[StatCounter, ...] = ()
    ledger_rows: tuple[LedgerRows, ...] = ()
    roles: tuple[Term, ...] = ()
    institution_kinds: tuple[Term, ...] = ()
    demo_data: Callable[[DemoContext], None] | None = None
    ticket_categories: tuple[TicketCategory, ...] = ()
    self_checks: tuple[SelfCheck, ...] = ()
    demo_identities: tuple[DemoIdentity, ...] = ()

    def __post_init__(self) -> None:
        if not NAME_SHAPE.match(self.name):
            raise ValueError(f"plugin name {self.name!r} must be lowercase letters, digits and '-'")
        # A category no ticket can have would advertise the target for requests that never reach it.
        known = {*TICKET_CATEGORIES, *(c.code for c in self.ticket_categories)}
        for target in self.intake_targets:
            unknown = [c for c in target.categories if c not in known]
            if unknown or not target.categories:
                raise ValueError(f"{self.name}: intake target {target.code!r}: categories {unknown or '()'} are not "
                                 f"ticket categories {tuple(sorted(known))}")
        prefix = self.parameter_prefix
        for parameter in self.parameters:
            if not parameter.name.startswith(prefix):
                raise ValueError(f"{self.name}: parameter {parameter.name!r} must start with {prefix!r}")
        for check in self.screening_checks:
            if not check.code.startswith(self.name + "."):
                raise ValueError(f"{self.name}: check {check.code!r} must start with '{self.name}.'")
            if not check.cadences or set(check.cadences) - set(CADENCES):
                raise ValueError(f"{self.name}: check {check.code!r} has cadence {check.cadence!r}, not of {CADENCES}")
            if check.role is not None and check.role not in STAFF_ROLES:
                raise ValueError(f"{self.name}: check {check.code!r} names {check.role!r}, not a staff sign-in role")
        for counter in self.stat_counters:
            if not counter.key.startswith(prefix):
                raise ValueError(f"{self.name}: stat counter {counter.key!r} must start with {prefix!r}")
        for rows in self.ledger_rows:
            if not rows.key.startswith(prefix) or rows.count not in {c.key for c in self.stat_counters}:
                raise ValueError(f"{self.name}: ledger rows {rows.key!r} must start with {prefix!r} and be counted "
                                 "by one of its stat counters")
        for check in self.self_checks:
            if not check.code.startswith(self.name + "."):
                raise ValueError(f"{self.name}: self-check {check.code!r} must start with '{self.name}.'")
        for code in [r.code for r in self.coverage_roles + self.roles + self.institution_kinds]:  # type: ignore[operator]
            if not CODE_SHAPE.match(code):
                raise ValueError(f"{self.name}: code {code!r} must be snake_case")

    @property
    def parameter_prefix(self) -> str:
        return self.name.replace("-", "_") + "."


# --- loading and activation ------------------------------------------------------------------------------

@dataclass
class _Index:
    plugins: list[Plugin] = field(default_factory=list)
    parameters: dict[str, tuple[Plugin, Parameter]] = field(default_factory=dict)
    link_rules: dict[str, tuple[Plugin, LinkRule]] = field(default_factory=dict)
    intake_targets: dict[str, tuple[Plugin, IntakeTarget]] = field(default_factory=dict)


_index = _Index()


def _current() -> _Index:
    if enabled_plugins.deferred is not None:
        activate(load(enabled_plugins.deferred))
    return _index


def declared_on_first_use(package: str, declare: Callable[[], Plugin]) -> Callable[[str], Plugin]:
    """A plugin package's module `__getattr__`: its `plugin` is `declare()`d (importing the service, hooks…)
    the first time it is asked for (`load`), not when the package is imported — a route module's first
    request imports the package and what the route needs, not what the plugin declares (web.lazy)."""
    def __getattr__(name: str) -> Plugin:
        if name != "plugin":
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            found = declare()
        except AttributeError as exc:  # not "no plugin": `getattr(module, "plugin", None)` would hide it
            raise ImportError(f"declaring {package}.plugin failed: {exc}") from exc
        setattr(importlib.import_module(package), "plugin", found)
        return found

    return __getattr__


def load(modules: Iterable[str]) -> list[Plugin]:
    plugins = []
    for module_name in modules:
        module = importlib.import_module(f"plugins.{module_name}")
        found = getattr(module, "plugin", None)
        if not isinstance(found, Plugin):
            raise TypeError(f"plugins.{module_name} has no `plugin` object of type Plugin")
        if found.name != name_of(module_name):
            raise ValueError(f"plugins.{module_name} is named {found.name!r}, not {name_of(module_name)!r}")
        plugins.append(found)
    return plugins


def activate(plugins: list[Plugin]) -> None:
    """Make `plugins` the enabled ones (the app, jobs and the CLI): everything they declare becomes visible
    to the core, and what earlier enabled plugins declared disappears. Two plugins declaring the same
    name, entity, code or role are a configuration error, found here and not at the first request."""
    index = _Index(plugins=list(plugins))
    _unique("plugin name", [(p, p.name) for p in plugins])
    for kind, pairs in {
        "coverage role": [(p, r.code) for p in plugins for r in p.coverage_roles],
        "screening check": [(p, c.code) for p in plugins for c in p.screening_checks],
        "ledger column": [(p, c.key) for p in plugins for c in p.ledger_columns],
        "stat counter": [(p, c.key) for p in plugins for c in p.stat_counters],
        "ledger rows": [(p, r.key) for p in plugins for r in p.ledger_rows],
        "role": [(p, r.code) for p in plugins for r in p.roles],
        "institution kind": [(p, k.code) for p in plugins for k in p.institution_kinds],
        "ticket category": [(p, c.code) for p in plugins for c in p.ticket_categories],
        "self-check": [(p, c.code) for p in plugins for c in p.self_checks],
    }.items():
        _unique(kind, pairs)
    asked: dict[str, Question] = {}  # services asking one question id must agree on what it is
    for question in (q for p in plugins for c in p.self_checks for q in c.questions):
        if asked.setdefault(question.id, question).type != question.type:
            raise ValueError(f"self-check question {question.id!r} is declared with two types")
    for plugin in plugins:
        for category in plugin.ticket_categories:
            if category.code in TICKET_CATEGORIES and category.time_limit is None:
                raise ValueError(f"{plugin.name}: ticket category {category.code!r} is the core's already (a service "
                                 "times a core category only by a statutory period of its own, `time_limit`)")
            if category.time_limit is not None and category.time_limit not in plugin.parameters:
                raise ValueError(f"{plugin.name}: ticket category {category.code!r}: its time_limit "
                                 f"{category.time_limit.name!r} is not one of the plugin's parameters")
        owned = [c.deadline for c in plugin.ticket_categories if c.time_limit is None]
        for parameter in [*plugin.parameters, *owned]:
            index.parameters[parameter.name] = (plugin, parameter)
        for rule in plugin.link_rules:
            index.link_rules[rule.entity] = (plugin, rule)
        for target in plugin.intake_targets:
            index.intake_targets[target.code] = (plugin, target)
    _unique("parameter", [(p, x.name) for p in plugins for x in p.parameters])
    _unique("linked entity", [(p, x.entity) for p in plugins for x in p.link_rules])
    _unique("intake target", [(p, x.code) for p in plugins for x in p.intake_targets])
    global _index
    _index, enabled_plugins.deferred = index, None


def _unique(kind: str, pairs: list[tuple[Plugin, str]]) -> None:
    seen: dict[str, str] = {}
    for plugin, code in pairs:
        if code in seen:
            raise ValueError(f"{kind} {code!r} is declared by both {seen[code]} and {plugin.name}")
        seen[code] = plugin.name


# --- what the core asks (only ever the enabled plugins) --------------------------------------------------

def enabled() -> list[Plugin]:
    return list(_current().plugins)


def names() -> list[str]:
    """The enabled plugins' names, without importing deferred ones (`GET /v1/health` activates none)."""
    if enabled_plugins.deferred is not None:
        return [name_of(module) for module in enabled_plugins.deferred]
    return [p.name for p in _index.plugins]


def parameter(name: str) -> Parameter | None:
    found = _current().parameters.get(name)
    return found[1] if found else None


def parameters() -> list[Parameter]:
    return [parameter for _, parameter in _current().parameters.values()]


def ticket_time_limit(category: str) -> Parameter | None:
    """The parameter an enabled service declares as the time limit of `category` (`TicketCategory`), if any."""
    return next((c.deadline for p in _current().plugins for c in p.ticket_categories if c.code == category), None)


def link_rule(entity: str) -> LinkRule | None:
    found = _current().link_rules.get(entity)
    return found[1] if found else None


def intake_targets() -> list[tuple[Plugin, IntakeTarget]]:
    return list(_current().intake_targets.values())


def coverage_roles() -> list[tuple[Plugin, CoverageRole]]:
    return [(p, role) for p in _current().plugins for role in p.coverage_roles]


def ledger_columns() -> list[tuple[Plugin, LedgerColumn]]:
    return [(p, column) for p in _current().plugins for column in p.ledger_columns]


def stat_counters() -> list[tuple[Plugin, StatCounter]]:
    return [(p, counter) for p in _current().plugins for counter in p.stat_counters]


def ledger_rows(key: str) -> tuple[Plugin, LedgerRows] | None:
    return next(((p, rows) for p in _current().plugins for rows in p.ledger_rows if rows.key == key), None)


def roles() -> list[tuple[Plugin, Term]]:
    return [(p, role) for p in _current().plugins for role in p.roles]


def institution_kinds() -> list[tuple[Plugin, Term]]:
    return [(p, kind) for p in _current().plugins for kind in p.institution_kinds]


class _TicketCategories(Mapping[str, str]):
    """Every ticket category → its title: the core's, then the enabled plugins' (read at each use)."""

    def _all(self) -> dict[str, str]:
        return {**TICKET_CATEGORIES, **{c.code: c.title for p in _current().plugins for c in p.ticket_categories
                                        if c.code not in TICKET_CATEGORIES}}

    def __getitem__(self, code: str) -> str:
        return self._all()[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


CATEGORIES: Mapping[str, str] = _TicketCategories()


@dataclass(frozen=True)
class CheckOutcome:
    plugin: Plugin
    check: ScreeningCheck
    findings: list[Finding]
    error: str | None = None   # `failure(exc)` when the check failed (the message may hold data: logs only)


def failure(exc: BaseException) -> str:
    """How a failed hook is named on a run and in reports: the exception's type and, for a problem, its stable
    code ("ServiceUnavailable too_many_items"); never its message, which may hold data (logs only)."""
    from chalicelib.platform.errors import Problem

    return f"{type(exc).__name__} {exc.code}" if isinstance(exc, Problem) else type(exc).__name__


def demo_identities() -> list[tuple[Plugin, DemoIdentity]]:
    return [(p, identity) for p in _current().plugins for identity in p.demo_identities]


def self_checks() -> list[tuple[Plugin, SelfCheck]]:
    return [(p, check) for p in _current().plugins for check in p.self_checks]


def screening_check(code: str) -> ScreeningCheck | None:
    return next((c for p in _current().plugins for c in p.screening_checks if c.code == code), None)


def run_screening(context: ScreeningContext, cadence: str = "monthly") -> list[CheckOutcome]:
    """Every enabled plugin's checks of `cadence`, each on its own: one that raises is logged and reported
    with its error, and the others still run (a failing check must not cost a city its month). The month's
    run ("monthly") runs every check: the more frequent ones are part of the month's picture too."""
    outcomes = []
    for plugin in _current().plugins:
        for check in plugin.screening_checks:
            if cadence != "monthly" and cadence not in check.cadences:
                continue
            try:
                outcomes.append(CheckOutcome(plugin, check, list(check.run(context))))
            except Exception as exc:  # noqa: BLE001 — isolation is the point; logged with its traceback
                _log_failure("screening check failed", plugin, check.code, exc)
                outcomes.append(CheckOutcome(plugin, check, [], failure(exc)))
    return outcomes


def load_demo(context: DemoContext) -> dict[str, str]:
    """Each enabled plugin's demo data: {plugin name: "loaded" | the error}, one failing alone."""
    results = {}
    for plugin in _current().plugins:
        if plugin.demo_data is None:
            continue
        try:
            plugin.demo_data(context)
            results[plugin.name] = "loaded"
        except Exception as exc:  # noqa: BLE001
            _log_failure("demo data failed", plugin, "demo_data", exc)
            results[plugin.name] = type(exc).__name__
    return results


def _log_failure(message: str, plugin: Plugin, hook: str, exc: Exception) -> None:
    from chalicelib.platform.logs import logger

    logger().exception(message, extra={"plugin": plugin.name, "hook": hook, "error": type(exc).__name__})
