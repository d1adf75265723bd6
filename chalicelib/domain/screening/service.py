"""Monthly proactive screening 主动排摸 (SPEC C7, seeds/003: 每月18日定期排摸): every named check of every
enabled service (`Plugin.screening_checks`, run through `plugin.run_screening`, each isolated) looks at one
shard of the area tree — a district, or the towns of a large district — and its findings are stored per city
and month for the staff of each area to work through.

Fan-out: a run (`ScreeningRun`, one per month, kind and scope) plans its shards from the area tree, records
them all as pending, and enqueues one SQS message per shard; the queue function screens shards and reports
partial batch failures (Powertools Batch), so only failed shards are retried, and a shard that keeps failing
ends in the dead-letter queue with its error on the run record (`failed`).

What a run means:
- kind "month": the month's run. The schedule starts it on the 18th; an administrator re-runs it (a city)
  on or after the 18th. A re-run is a new `generation` of the same record whose findings replace the old
  ones under the same deterministic keys (no duplicates); messages of a superseded generation are dropped.
- kind "preview": a manual run before the 18th. Its findings live apart (`layout`: `screening-preview#…`) and it never
  marks the month done, so the 18th's run still happens.
- A past month is refused: the records have moved on since its end and the checks read today's state, so
  screening it now would judge that month with today's data. Its stored results stay readable.
- No lock: every delivery of a shard screens it in full (writes are idempotent), so a shard whose Lambda
  timed out half-way is finished by the next delivery instead of being skipped as "running".
- The month's run turns its findings into proactive service tasks (`tasks`) and, when a district's last
  shard completes, writes the district's report (`report.write`): nobody has to ask for either.
- Failures are loud: a check that raises does not stop the others, but the run ends `done_with_failures`
  (not `done`) naming the check and its error, the district's report names it, and each failure is counted
  as the metric `ScreeningCheckFailed` (dimension `check`) for the operators' alarm (`platform.metrics`).
- Cadences (M5 and the daily sweep): `run_cadence` fans out the same messages with a cadence, so only the
  checks declaring it run — towns weekly, districts half-monthly, deadlines daily; each is a generation of
  its run of the month, and its findings are the month's current list for that cadence.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import Field

from chalicelib import plugin
from chalicelib.domain.areas.service import ROOT, level_of
from chalicelib.domain.screening import analysis, report, tasks, transport
from chalicelib.domain.screening import layout
from chalicelib.domain.screening.layout import StoredFinding
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Unprocessable
from chalicelib.platform.model import Model, Page
from chalicelib.platform.timeutil import now_utc, today_shanghai

SCREENING_DAY = 18            # seeds/003: 每月18日定期排摸
SPLIT_DISTRICT_OVER_TOWNS = 12  # a district with more towns than this is screened town by town
MONTH_SHAPE = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")
EVERYWHERE = "all"
RUNS = "screening-run"  # the table list of a month's runs: `screening-run#<month>` / `<kind>#<scope>`

Kind = Literal["month", "preview", "weekly", "half_monthly", "daily"]
# How far ahead the holiday calendar must reach: the longest working-day deadline a service counts (legal aid's
# statutory periods, intake's time limits) ends well within this many days of a run.
CALENDAR_HORIZON_DAYS = 45
CADENCE_KINDS = ("weekly", "half_monthly", "daily")  # plugin.CADENCES beyond the month's run


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def check_month(month: str) -> str:
    if not MONTH_SHAPE.match(month):
        raise Unprocessable("月份应为 YYYY-MM", code="bad_month", errors=[{"loc": ["month"], "msg": "格式不正确"}])
    return month


class ScreeningRun(storage.Record):
    """One run of a month: which shards are still pending, which failed (and why), what each found.
    Shards report back into their own map entries (`storage.update_entries_in`), never the whole record."""
    entity: ClassVar[str] = "screening-run"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(RUNS, "table"),)
    month: str
    kind: Kind
    scope: str                    # "all" (the schedule) or the area code an administrator ran
    as_of: date
    generation: int = 1
    period: str | None = None     # a cadence's run: which week / half / day of the month this generation is
    started_at: datetime
    finished_at: datetime | None = None
    requested_by: str
    shards: list[str] = Field(default_factory=list)
    pending: dict[str, str] = Field(default_factory=dict)            # shard → "queued"
    failed: dict[str, str] = Field(default_factory=dict)             # shard → error of its last delivery
    found: dict[str, dict[str, int]] = Field(default_factory=dict)   # shard → {check: findings stored}
    check_errors: dict[str, dict[str, str]] = Field(default_factory=dict)  # shard → {check: error}
    notices: list[str] = Field(default_factory=list)  # for the operators (an outdated package), not a finding

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.month, sort=(self.kind, self.scope))

    @property
    def by_check(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for per_check in self.found.values():
            for check, count in per_check.items():
                totals[check] = totals.get(check, 0) + count
        return totals

    @property
    def failed_checks(self) -> dict[str, str]:
        """Checks that raised (the others still ran), with their error, over every shard."""
        return self.failed_checks_within("")

    def failed_checks_within(self, within: str) -> dict[str, str]:
        """The same, over the shards of the area `within` (and a shard holding it)."""
        return {check: error for shard, per_shard in sorted(self.check_errors.items())
                if shard.startswith(within) or within.startswith(shard) for check, error in per_shard.items()}

    @property
    def status(self) -> str:
        if self.pending:
            return "running"
        if self.failed:
            return "failed"
        return "done_with_failures" if self.failed_checks else "done"


def _report_into(month: str, kind: str, scope: str, **change: Any) -> ScreeningRun | None:
    """A shard's report into its own entries of the run (`set_`, `remove`, `when`), the run after it or None."""
    return storage.update_entries_in(ScreeningRun, RUNS, month, (kind, scope), **change)


class RunOut(Model):
    month: str
    kind: str = Field(description="month：当月排摸（18日）；preview：18日前的预览，不影响当月排摸；"
                                  "weekly / half_monthly / daily：街镇每周、区每半月排查和每日期限排查")
    period: str | None = Field(None, description="周、半月或日排查的期次，如 2026-W48、2026-11-H2、2026-11-30")
    scope: str
    as_of: date = Field(description="按哪一天的情况排摸")
    status: Literal["running", "done", "done_with_failures", "failed"] = Field(
        description="done_with_failures：已完成，但有检查项失败（见 failed_checks，结果不完整）；"
                    "failed：有分片多次失败（见 failed_shards）")
    generation: int = Field(description="第几次执行；重跑产生新版本并替换旧结果")
    shards: int
    pending_shards: list[str]
    failed_shards: dict[str, str] = Field(description="失败的分片及原因")
    findings: int
    by_check: dict[str, int]
    failed_checks: dict[str, str] = Field(default_factory=dict, description="失败的检查项及原因（其余检查项照常完成）")
    notices: list[str] = Field(default_factory=list, description="给平台运维人员的提示（如节假日安排数据需升级），不属于辖区排摸发现")
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, run: ScreeningRun, within: str = "") -> "RunOut":
        """`within`: only the shards of that area (an administrator sees the province-wide run for theirs)."""
        mine = [s for s in run.shards if s.startswith(within) or within.startswith(s)]
        return cls(month=run.month, kind=run.kind, period=run.period, scope=run.scope, as_of=run.as_of, status=run.status,
                   generation=run.generation, shards=len(mine), pending_shards=sorted(s for s in run.pending if s in mine),
                   failed_shards={s: e for s, e in run.failed.items() if s in mine}, findings=sum(run.by_check.values()), by_check=run.by_check,
                   failed_checks=run.failed_checks_within(within), notices=run.notices,
                   started_at=run.started_at, finished_at=run.finished_at)


class FindingOut(Model):
    check: str
    area: str
    severity: Literal["info", "warning", "risk"]
    title: str
    detail: str
    record: str | None
    due: date | None
    service: str


CADENCE_TITLES = {"weekly": "街镇每周排查", "half_monthly": "区每半月排查", "daily": "每日期限排查"}


class FindingsPage(Page[FindingOut]):
    """One page of a month's findings that says what they are: an empty page before the 18th is "not run
    yet", never "nothing found" (issue 20 §5)."""
    kind: Kind = Field(description="这些结果是什么：month 当月排摸（18日）；preview 18日前的手动预览（不是当月排摸结果）；"
                                   "weekly / half_monthly / daily 本月最近一次周、半月、每日排查")
    run_on: date = Field(description="当月排摸的日期（每月18日）")
    scheduled: bool = Field(description="true：当月排摸尚未执行（今天在 run_on 之前），当月结果为空不代表没有问题")
    note: str = Field(description="给人看的一句说明，如「2026-12 的主动排摸定于 2026-12-18 执行，尚未执行」")


def run_day(month: str) -> date:
    """The day the month's run is due (SPEC C7: the 18th)."""
    year, mon = (int(part) for part in check_month(month).split("-"))
    return date(year, mon, SCREENING_DAY)


def not_run_yet(month: str, today: date | None = None) -> bool:
    """The month's run has not happened: its day has not come (a future month, or this month before the 18th)."""
    return (today or today_shanghai()) < run_day(month)


def describe(kind: str, month: str, today: date | None = None) -> str:
    """What a list of findings of `kind` for `month` is, in one Chinese sentence."""
    run_on, scheduled = run_day(month), not_run_yet(month, today)
    pending = f"{month} 的主动排摸定于 {run_on.isoformat()} 执行，尚未执行"
    if kind == "preview":
        then = pending if scheduled else f"当月排摸已于 {run_on.isoformat()} 执行，其结果请去掉 preview 查看"
        return f"预览：{month} 18日前手动排摸的结果，不是当月排摸结果；{then}"
    if kind in CADENCE_TITLES:
        return f"{month} 最近一次{CADENCE_TITLES[kind]}的结果"
    if scheduled:
        return f"{pending}，因此还没有结果（不代表没有问题）；18日前的手动预览请加 ?preview=true 查看"
    return f"{month} 主动排摸（{run_on.isoformat()}）的结果"




# --- planning -----------------------------------------------------------------------------------------

def _children(code: str) -> list[str]:
    from chalicelib.domain.areas import service as areas

    return [c.code for c in areas.all_children(code) if c.status == "active"]


def cities() -> list[str]:
    """Every city of every province in the area tree (one Query per province, no Scan)."""
    return [city for province in _children(ROOT) for city in _children(province)]


def shards_of(scope: str, *, towns: bool = False) -> list[str]:
    """The shards that cover `scope`: each district, or each town of a district with many towns (`towns`:
    every town, for the towns' weekly screening). Two Queries per city — its districts and its towns, from
    the city's per-level lists — whatever its number of districts (the area tree only; no screening data is
    read to plan)."""
    from chalicelib.domain.areas import service as areas

    if scope != EVERYWHERE and len(scope) >= 6:
        return [scope]
    out = []
    for city in cities() if scope == EVERYWHERE else _children(scope) if len(scope) == 2 else [scope]:
        districts = [a.code for a in areas.descendants(city, "district") if a.status == "active"]
        towns_of: dict[str, list[str]] = {}
        for town in areas.descendants(city, "town") if districts else ():
            if town.status == "active" and town.parent is not None:
                towns_of.setdefault(town.parent, []).append(town.code)
        for district in districts:
            children = sorted(towns_of.get(district, []))
            out += children if children and (towns or len(children) > SPLIT_DISTRICT_OVER_TOWNS) else [district]
        if not districts:
            out.append(city)
    return out


# --- starting runs ------------------------------------------------------------------------------------

def _start(month: str, kind: str, scope: str, as_of: date, requested_by: str, *, resume: bool,
           period: str | None = None, also: list[dict[str, Any] | storage.Check] = ()) -> ScreeningRun:
    """Record the run with every shard pending, then enqueue them. `resume`: an existing run of the same
    key (and period) only has its pending shards enqueued again (the schedule delivered twice, or it
    crashed while enqueueing); otherwise an existing run starts its next generation, replacing its
    findings — a cadence's next week or half-month is the next generation of its run of the month.
    `also`: ops written in the run's own transaction (the request's audit entry, a check of its area).
    The run is read again only when its shards were screened here (the local stand-in); a queued run is
    answered as written."""
    existing = get_run(month, kind, scope)
    if existing is not None and resume and existing.period == period:
        run = existing
        if also:
            storage.transact(list(also))
    else:
        shards = shards_of(scope, towns=kind == "weekly")
        fresh = {"as_of": as_of, "started_at": now_utc(), "finished_at": None, "requested_by": requested_by,
                 "shards": shards, "pending": {s: "queued" for s in shards}, "failed": {}, "found": {},
                 "check_errors": {}, "period": period, "notices": operational_notices(as_of)}
        if existing is None:
            run = storage.put_new(ScreeningRun(month=month, kind=kind, scope=scope, **fresh), also=also)
        else:
            run = storage.update(existing, {**fresh, "generation": existing.generation + 1},
                                 expected_version=existing.version, also=also)
    if transport.send([_message(run, shard) for shard in sorted(run.pending)], handle_queue_event):
        return get_run(month, kind, scope) or run
    return run


def operational_notices(as_of: date) -> list[str]:
    """What the platform's operators must fix, found when a run starts (so logged once per run) and kept on the
    run record for administrators — never a district's finding: no district can act on an outdated package.
    Today one: the official holiday calendar (`chinese-calendar`) lacks the year of the coming weeks, so
    working-day deadlines are estimated (make-up working weekends unknown)."""
    from datetime import timedelta

    from chalicelib.platform import workdays
    from chalicelib.platform.logs import logger

    horizon = as_of + timedelta(days=CALENDAR_HORIZON_DAYS)
    if workdays.covers(horizon):
        return []
    notice = (f"节假日安排缺少 {horizon.year} 年数据，工作日时限暂按法定节假日和周末推算（调休未计入）；"
              f"请升级 chinese-calendar（requirements.txt）以纳入国务院最新节假日安排")
    logger().warning("holiday calendar lacks a coming year; upgrade chinese-calendar",
                     extra={"year": horizon.year, "package": "chinese-calendar"})
    return [notice]


def _message(run: ScreeningRun, shard: str) -> dict[str, Any]:
    return {"month": run.month, "kind": run.kind, "scope": run.scope, "generation": run.generation,
            "as_of": run.as_of.isoformat(), "shard": shard,
            "cadence": run.kind if run.kind in CADENCE_KINDS else "monthly"}


def get_run(month: str, kind: str, scope: str) -> ScreeningRun | None:
    return storage.find_in(ScreeningRun, RUNS, month, (kind, scope), consistent=True)


def run_month(as_of: date | None = None) -> ScreeningRun:
    """The scheduled job on the 18th: the month's run of every city, as of that day."""
    as_of = as_of or today_shanghai()
    return _start(month_of(as_of), "month", EVERYWHERE, as_of, "schedule", resume=True)


def period_of(cadence: str, day: date) -> str:
    """The week (ISO), half of the month or day a cadence's run is for: its generation's label."""
    if cadence == "weekly":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if cadence == "half_monthly":
        return f"{month_of(day)}-H{1 if day.day <= 15 else 2}"
    return day.isoformat()


def run_cadence(cadence: str, as_of: date | None = None) -> ScreeningRun:
    """A scheduled screening more frequent than the month's (M5; seeds/001 item 12: 乡镇(街道)一周一排查，
    辖市、区半月一排查; and the daily deadline sweep): only the checks declaring that cadence, weekly town by
    town, otherwise district by district, on the same fan-out. Its findings are the current list of the
    month for that cadence: each run is a new generation replacing the previous one's. No tasks and no
    report: the month's run on the 18th makes those."""
    if cadence not in CADENCE_KINDS:
        raise ValueError(f"unknown cadence {cadence!r}")
    as_of = as_of or today_shanghai()
    return _start(month_of(as_of), cadence, EVERYWHERE, as_of, "schedule", resume=True,
                  period=period_of(cadence, as_of))


def run_city(city: str, month: str, as_of: date) -> ScreeningRun:
    """Screen one city now as the month's run of that city (tools and tests; `start_by_hand` for people)."""
    return _start(month, "month", city, as_of, "system", resume=False)


def kind_of_manual_run(month: str, today: date) -> str:
    """Before the 18th a manual run is a preview; on or after it, a re-run of the month's run. Months
    that have not begun, or have ended, are refused with the reason."""
    year, mon = (int(part) for part in check_month(month).split("-"))
    if (year, mon) > (today.year, today.month):
        raise Unprocessable("不能排摸尚未到来的月份", code="future_month",
                            errors=[{"loc": ["month"], "msg": "月份在未来"}])
    if (year, mon) < (today.year, today.month):
        raise Unprocessable(f"{month} 已结束：现有数据已不是当月月末的状态，重新排摸会用今天的数据评判过去的月份；"
                            f"当月结果请查看 GET /v1/screenings/{month}", code="past_month",
                            errors=[{"loc": ["month"], "msg": "只能排摸本月"}])
    return "preview" if today.day < SCREENING_DAY else "month"


def start_by_hand(requested_by: str, month: str, area: str, *,
                  also: list[dict[str, Any]] = ()) -> ScreeningRun:
    """A run of one area (or "all") started by an administrator or the CLI, as of today (see
    `kind_of_manual_run`). The area's existence is a condition of the run's own write (404 when it fails),
    not a read before it; `also`: further ops of that write (the request's audit entry)."""
    from chalicelib.domain.areas.service import known

    today = today_shanghai()
    kind = kind_of_manual_run(month, today)
    checks: list[dict[str, Any] | storage.Check] = list(also)
    if area != EVERYWHERE:
        checks.append(known(area))
    return _start(month, kind, area, today, requested_by, resume=False, also=checks)


def run_now(actor: audit.Actor, caller: Caller, month: str, city: str) -> ScreeningRun:
    """`POST /v1/screenings/{month}/runs`: an administrator runs a city; recorded in the audit trail.

    Four calls, not two: the month's run of the city is read (consistently) to know whether this is its
    first run or its next generation, which the findings' replacement and the shown `generation` depend
    on; the shards are planned from the area tree (the city's districts and towns: two Queries); then one
    transaction writes the run with the audit entry and the city's existence check. A queued run is
    answered as written, not read again."""
    from chalicelib.platform.auth import require_area

    check_month(month)
    if len(city) != 4 or level_of(city) != "city":
        raise Unprocessable("排摸按市进行，请填写 4 位市级代码", code="not_a_city",
                            errors=[{"loc": ["area"], "msg": "应为市级代码"}])
    require_area(caller, city)
    kind_of_manual_run(month, today_shanghai())  # refused before anything is recorded
    # Audited in the run's own write, before any shard is enqueued: a crash mid-run still leaves the
    # request on record.
    return start_by_hand(actor.sub, month, city,
                         also=[audit.entry(actor, "run", "screening-run", f"{month}:{city}", f"手动执行 {month} 主动排摸")])


def runs(caller: Caller, month: str, *, limit: int, cursor: str | None) -> Page[RunOut]:
    """The month's runs an administrator may see: the scheduled one (their shards only) and those of
    their area. One Query of the month's run partition."""
    check_month(month)
    page = storage.page(ScreeningRun, RUNS, month, limit=limit, cursor=cursor)
    visible = [ScreeningRun.from_item(i) for i in page.items]
    visible = [r for r in visible if r.scope == EVERYWHERE or caller.covers(r.scope)]
    return Page[RunOut](items=[RunOut.of(r, within=caller.area or "") for r in visible], next_cursor=page.next_cursor)


# --- the queue function -------------------------------------------------------------------------------

def handle_queue_event(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A batch of shard messages; the answer lists only the failed ones (`batchItemFailures`), which SQS
    delivers again while the others are deleted."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return process_partial_response(event=event, record_handler=_screen_record, processor=processor,
                                    context=context)


def _screen_record(record) -> None:
    message = json.loads(record.body)
    try:
        screen_shard(message)
    except Exception as exc:
        # Recorded on the run before the message goes back to the queue: if this was its last delivery,
        # the dead-letter queue holds the message and the run record says which shard and why.
        shard = message["shard"]
        last = int(record.attributes.approximate_receive_count or 1) >= transport.MAX_RECEIVES
        _report_into(message["month"], message["kind"], message["scope"],
                     set_={f"failed.{shard}": type(exc).__name__},
                     remove=[f"pending.{shard}"] if last else [],  # off to the dead-letter queue
                     when={"generation": message["generation"]})
        raise


def screen_shard(message: dict[str, Any]) -> None:
    """Screen one shard in full and report it done. Safe to deliver any number of times."""
    month, kind, scope, shard = message["month"], message["kind"], message["scope"], message["shard"]
    run = get_run(month, kind, scope)
    if run is None or run.generation != message["generation"]:
        return  # superseded by a newer generation (or removed): that one has its own messages
    cadence = message.get("cadence", "monthly")
    context = plugin.ScreeningContext(month=month, area=shard, as_of=date.fromisoformat(message["as_of"]))
    findings: dict[tuple[str, ...], StoredFinding] = {}
    failed_checks: dict[str, str] = {}
    outcomes = [(o.plugin.name, o.check.code, o.findings, o.error) for o in plugin.run_screening(context, cadence)]
    if cadence == "monthly":  # the hotline and petition analysis is the month's
        outcomes += analysis.run(context)
    for service, code, found, error in outcomes:
        if error:
            failed_checks[code] = error
            _report_failure(message, code, error)
            continue
        for index, finding in enumerate(found):
            if not finding.area.startswith(shard) or finding.check != code:
                continue  # a check may only speak about the shard it was asked about, under its own name
            stored = StoredFinding.of(kind, finding, index, service=service, month=month, generation=run.generation)
            findings[_named(stored)] = stored
    # The previous generation's findings that no longer hold; a failed check keeps its earlier findings
    # rather than having them deleted unseen.
    by_check: dict[str, int] = {}
    for finding in findings.values():
        by_check[finding.check] = by_check.get(finding.check, 0) + 1
    before = {_named(f): f for f in layout.stored(kind, month, shard)}
    stale = [f for name, f in before.items() if name not in findings and f.check not in failed_checks]
    if kind == "month":  # the month's work list; before the findings, so a crash in between loses no task
        tasks.sync([(f.to_item(), f.subject) for name, f in findings.items() if name not in before],
                   [(f.to_item(), f.subject) for f in stale], run.generation)
    write_findings(list(findings.values()), stale)
    after = _report_into(month, kind, scope,
                         set_={f"found.{shard}": by_check, f"check_errors.{shard}": failed_checks},
                         remove=[f"pending.{shard}", f"failed.{shard}"], when={"generation": message["generation"]})
    if after is None:
        return  # superseded while screening: the newer generation reports for itself
    if kind == "month" and _district_done(shard, after):
        district = shard[:6]
        report.write(audit.SYSTEM, month, district, {
            check: error for s, per_shard in after.check_errors.items() if s.startswith(district)
            for check, error in per_shard.items()})
    if not after.pending and not after.finished_at:
        if _report_into(month, kind, scope, set_={"finished_at": now_utc()}, when={"generation": message["generation"]}):
            _report_finished(after)


def _report_finished(run: ScreeningRun) -> None:
    """A run's figures for the operators' dashboard, once, when its last shard reports; a run that ended
    `done_with_failures` is counted for their alarm."""
    from chalicelib.platform import metrics

    metrics.figure("ScreeningDuration", (now_utc() - run.started_at).total_seconds(), "Seconds")
    metrics.figure("ScreeningFindings", sum(run.by_check.values()))
    if run.status == "done_with_failures":
        metrics.figure("ScreeningRunsWithFailures")


def month_run_missing(as_of: date | None = None) -> bool:
    """From the 19th: the month's scheduled run has not finished with results (never started, a shard still
    pending, or one in the dead-letter queue). Counted as `ScreeningMonthRunMissing` for the operators'
    alarm; the daily sweep asks every night. One consistent read."""
    from chalicelib.platform import metrics
    from chalicelib.platform.logs import logger

    as_of = as_of or today_shanghai()
    if as_of.day <= SCREENING_DAY:
        return False
    run = get_run(month_of(as_of), "month", EVERYWHERE)
    if run is not None and run.status in ("done", "done_with_failures"):
        return False
    logger().error("the month's screening run has not finished", extra={
        "month": month_of(as_of), "status": run.status if run else "not started"})
    metrics.figure("ScreeningMonthRunMissing")
    return True


def rerun(kind: str, event: dict[str, Any]) -> ScreeningRun:
    """A scheduled screening re-run from the Lambda console with a test event such as `{"month": "2026-12",
    "area": "320402"}` (docs/admin-guide.md): the month's run (or, before the 18th, its preview) or a
    cadence's, of that area, as of today, recorded in the audit trail with the run. The month must be this
    month (`kind_of_manual_run`)."""
    month, area = check_month(str(event.get("month", ""))), str(event.get("area") or EVERYWHERE)
    actor = audit.Actor(sub="console", roles=("admin",))
    entry = audit.entry(actor, "run", "screening-run", f"{month}:{area}", f"控制台重新执行 {month} {kind} 排摸（{area}）")
    if kind == "month":
        return start_by_hand(actor.sub, month, area, also=[entry])
    today = today_shanghai()
    kind_of_manual_run(month, today)
    checks: list[dict[str, Any] | storage.Check] = [entry]
    if area != EVERYWHERE:
        from chalicelib.domain.areas.service import known

        checks.append(known(area))
    return _start(month, kind, area, today, actor.sub, resume=False, period=period_of(kind, today), also=checks)


def _named(finding: StoredFinding) -> tuple[str, ...]:
    """What names a finding within its shard (its key): area, check and subject."""
    return finding.area, finding.check, finding.subject


def _report_failure(message: dict[str, Any], check: str, error: str) -> None:
    """A check that raised, for the operators: a log line naming the shard, and one count of the metric their
    alarm watches (the check's own log line, with its traceback, was written where it raised)."""
    from chalicelib.platform import metrics
    from chalicelib.platform.logs import logger

    logger().error("screening check failed in a shard", extra={
        "check": check, "error": error, "shard": message["shard"], "month": message["month"], "kind": message["kind"]})
    metrics.count("ScreeningCheckFailed", check=check)


def check_failures(month: str, district: str, kind: str = "month") -> dict[str, str]:
    """The checks that failed in the district's shards on the month's run (or its preview) — of each shard,
    the newest run that screened it (the schedule's or an administrator's re-run) — with their error: for
    its report. One Query of the month's runs (a handful)."""
    return _district_runs(month, district, kind)[0]


def _district_runs(month: str, district: str, kind: str) -> tuple[dict[str, str], date | None]:
    """(failed checks, the day of the newest run) of the district's shards on the month's runs of `kind`."""
    newest: dict[str, tuple[datetime, dict[str, str]]] = {}
    as_of: date | None = None
    for item in storage.every(ScreeningRun, RUNS, month):
        run = ScreeningRun.from_item(item)
        if run.kind != kind:
            continue
        for shard in run.shards:
            if shard.startswith(district) and (shard not in newest or run.started_at > newest[shard][0]):
                newest[shard] = (run.started_at, run.check_errors.get(shard, {}))
                as_of = max(as_of or run.as_of, run.as_of)
    return {check: error for _, errors in newest.values() for check, error in errors.items()}, as_of


def district_report(actor: audit.Actor, caller: Caller, month: str, district: str) -> report.ReportOut:
    """`POST /v1/screenings/{month}/reports`: the district's report. Before the month's run (issue 20 §5) it is
    the report of the preview — said to be one, with the day the run is due — never an empty "no problems"."""
    run_on = run_day(month)
    if not not_run_yet(month):
        return report.build_for(actor, caller, month, district, run_on,
                                lambda: (check_failures(month, district), None))

    def preview() -> tuple[dict[str, str], report.Preview]:
        failures, as_of = _district_runs(month, district, "preview")
        return failures, report.Preview(run_on=run_on, as_of=as_of)

    return report.build_for(actor, caller, month, district, run_on, preview)


def _district_done(shard: str, run: ScreeningRun) -> bool:
    """The shard's district has no shard left pending (a district is one shard, or one per town): its
    report can be written. Two town shards finishing together may both write it — the same report."""
    return len(shard) >= 6 and not any(s.startswith(shard[:6]) for s in run.pending)


def write_findings(puts: list[StoredFinding], removing: list[StoredFinding]) -> None:
    storage.put_all(puts, removing=removing)


# --- reading ------------------------------------------------------------------------------------------

def findings(actor: audit.Actor, caller: Caller, month: str, area: str | None, *, limit: int,
             cursor: str | None, preview: bool = False, cadence: str | None = None) -> FindingsPage:
    """Findings of an area and below for one month: the caller's own area unless they name one inside it.
    One Query (the city's partition, `begins_with` the area). `cadence`: the month's current list of
    that more frequent screening instead (the latest week's, half-month's or day's)."""
    from chalicelib.platform.auth import require_area

    check_month(month)
    area = area or caller.area or ""
    require_area(caller, area)
    if len(area) < 4:
        raise Unprocessable("请指定市或以下的区域：?area=<代码>", code="area_too_wide",
                            errors=[{"loc": ["area"], "msg": "省级范围过大，请按市查看"}])
    kind = cadence or ("preview" if preview else "month")
    page = layout.page(kind, month, area, limit=limit, cursor=cursor)
    # Findings point at vulnerable people and open cases: every read is on the audit trail.
    audit.record_read(actor, "screening-findings", f"{month}:{area}", f"查看 {month} 主动排摸结果（{len(page.items)} 条）")
    today = today_shanghai()
    return FindingsPage(items=[FindingOut(**{k: i.get(k) for k in FindingOut.model_fields}) for i in page.items],
                        next_cursor=page.next_cursor, kind=kind, run_on=run_day(month),
                        scheduled=not_run_yet(month, today), note=describe(kind, month, today))
