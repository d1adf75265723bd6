"""Monthly proactive screening 主动排摸 (SPEC C7): on the 18th of every month, every named screening check
of every enabled service (`Plugin.screening_checks`) looks at each city's month and returns findings (risks, overdue work, people not
yet visited); they are stored per city and month for the staff of each area to work through.

Unattended and safe to run twice: a run is claimed with a conditional put (one per city and month); a
finished run is never redone; a run that crashed (claimed more than `STALE_AFTER` ago and not finished) is
taken over. Findings have deterministic keys, and a retried run deletes findings of its earlier attempt
that no longer hold, so a retry never duplicates or leaves stale findings.

Scale: one run per city, each one Query-driven inside its city's partitions. The scheduled job loops over
the cities of every province in the area tree; a run that does not finish in one invocation is picked up
by the next (`run_month` again, or `POST /v1/screenings/{month}/runs`).
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field

from chalicelib.platform import audit, aws, config, storage
from chalicelib.platform.storage import keys
from chalicelib import plugin
from chalicelib.domain.areas.service import ROOT, level_of
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Unprocessable
from chalicelib.platform.timeutil import now_utc, today_shanghai
from chalicelib.platform.model import Model

STALE_AFTER = timedelta(minutes=20)
MONTH_SHAPE = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")
RUN_SK = "run"
FINDING_PREFIX = "finding"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def check_month(month: str) -> str:
    if not MONTH_SHAPE.match(month):
        raise Unprocessable("月份应为 YYYY-MM", code="bad_month", errors=[{"loc": ["path", "month"], "msg": "格式不正确"}])
    return month


class ScreeningRun(storage.Record):
    entity: ClassVar[str] = "screening-run"
    month: str
    area: str
    status: Literal["queued", "running", "done"] = "running"
    claimed_at: datetime
    finished_at: datetime | None = None
    findings: int = 0
    by_check: dict[str, int] = Field(default_factory=dict)
    failed_checks: dict[str, str] = Field(default_factory=dict)  # check code → error; the others still ran
    attempts: int = 1

    def key_attributes(self) -> dict[str, str]:
        return {"pk": partition(self.month, self.area), "sk": RUN_SK,
                "gsi1pk": keys.compose("screening-runs", self.month), "gsi1sk": self.area}


class RunOut(Model):
    month: str
    area: str
    status: str
    findings: int
    by_check: dict[str, int]
    failed_checks: dict[str, str] = Field(default_factory=dict, description="失败的检查项及原因（其余检查项照常完成）")
    claimed_at: datetime
    finished_at: datetime | None
    attempts: int

    @classmethod
    def of(cls, run: ScreeningRun) -> "RunOut":
        return cls(**run.model_dump(include=set(cls.model_fields)))


class FindingOut(Model):
    check: str
    area: str
    severity: Literal["info", "warning", "risk"]
    title: str
    detail: str
    record: str | None
    due: date | None
    service: str


class FindingPage(Model):
    items: list[FindingOut]
    next_cursor: str | None = None


def partition(month: str, city: str) -> str:
    return keys.compose("screening", month, city)


def _finding_sort(finding: plugin.Finding, index: int) -> str:
    # The record id makes a finding's key stable across retries; findings without one use their position
    # within their check, which is stable for a deterministic check over unchanged data.
    return keys.SEP.join([FINDING_PREFIX, finding.area, finding.check.replace(keys.SEP, "_"),
                          (finding.record or f"n{index:05d}").replace(keys.SEP, "_")])


# --- running ------------------------------------------------------------------------------------------

def _claim(month: str, city: str) -> ScreeningRun | None:
    """The run to execute, or None when it is done or another invocation is running it right now."""
    run = ScreeningRun(month=month, area=city, claimed_at=now_utc())
    try:
        return storage.put_new(run)
    except Conflict:
        existing = storage.get_record(ScreeningRun, partition(month, city), RUN_SK, consistent=True)
        if existing is None or existing.status == "done" or now_utc() - existing.claimed_at < STALE_AFTER:
            return None
        try:
            return storage.update(existing, {"claimed_at": now_utc(), "attempts": existing.attempts + 1},
                                  expected_version=existing.version)
        except Conflict:
            return None  # another invocation took it over first


def run_city(city: str, month: str, as_of: date) -> ScreeningRun | None:
    run = _claim(month, city)
    if run is None:
        return storage.get_record(ScreeningRun, partition(month, city), RUN_SK, consistent=True)
    context = plugin.ScreeningContext(month=month, area=city, as_of=as_of)
    items: dict[str, dict[str, Any]] = {}
    by_check: dict[str, int] = {}
    failed: dict[str, str] = {}
    for outcome in plugin.run_screening(context):
        if outcome.error:
            failed[outcome.check.code] = outcome.error
            continue
        for index, finding in enumerate(outcome.findings):
            if not finding.area.startswith(city) or finding.check != outcome.check.code:
                continue  # a check may only speak about the city it was asked about, under its own name
            sort = _finding_sort(finding, index)
            items[sort] = {"pk": partition(month, city), "sk": sort, "entity": "screening-finding",
                           "service": outcome.plugin.name, "month": month, **storage.plain(finding.__dict__)}
            by_check[finding.check] = by_check.get(finding.check, 0) + 1
    # A failed check keeps the findings of an earlier attempt rather than deleting them unseen.
    stale = [i["sk"] for i in storage.query_all(partition(month, city), begins_with=FINDING_PREFIX + keys.SEP)
             if i["sk"] not in items and i.get("check") not in failed]
    _write(partition(month, city), list(items.values()), stale)
    done = storage.update(run, {"status": "done", "finished_at": now_utc(), "findings": len(items),
                                "by_check": by_check, "failed_checks": failed}, expected_version=run.version)
    return done


def _write(pk: str, puts: list[dict[str, Any]], delete_sorts: list[str]) -> None:
    storage.batch_write(puts=puts, deletes=[(pk, sort) for sort in delete_sorts])


def cities() -> list[str]:
    """Every city of every province in the area tree (two Queries per province, no Scan)."""
    out = []
    for province in storage.query_all(keys.area_children_partition(ROOT), index="gsi1"):
        out += [c["code"] for c in storage.query_all(keys.area_children_partition(province["code"]), index="gsi1")
                if c.get("status", "active") == "active"]
    return out


def run_month(as_of: date | None = None) -> dict[str, Any]:
    """The scheduled job: screen every city for the month of `as_of` (today in Asia/Shanghai)."""
    as_of = as_of or today_shanghai()
    month = month_of(as_of)
    results = {}
    for city in cities():
        run = run_city(city, month, as_of)
        results[city] = run.status if run else "missing"
    return {"month": month, "cities": results}


def run_now(actor: audit.Actor, caller: Caller, month: str, city: str) -> ScreeningRun:
    """An administrator starts (or resumes) a city's run by hand; recorded in the audit trail. A past
    month is screened as of its 18th, like the scheduled run; the current month as of today."""
    from chalicelib.platform.auth import require_area
    from chalicelib.domain.areas.service import get as get_area

    check_month(month)
    if len(city) != 4 or level_of(city) != "city":
        raise Unprocessable("排摸按市进行，请填写 4 位市级代码", code="not_a_city",
                            errors=[{"loc": ["body", "area"], "msg": "应为市级代码"}])
    require_area(caller, city)
    get_area(city)
    year, mon = (int(part) for part in month.split("-"))
    today = today_shanghai()
    if (year, mon) > (today.year, today.month):
        raise Unprocessable("不能排摸尚未到来的月份", code="future_month", errors=[{"loc": ["path", "month"], "msg": "月份在未来"}])
    # Audited before it starts: a crash mid-run still leaves the request on record (the run resumes later).
    storage.transact([audit.entry(actor, "run", "screening-run", f"{month}:{city}", f"手动执行 {month} 主动排摸")])
    as_of = min(today, date(year, mon, 18))
    if config.screening_function():
        return _queue(city, month, as_of)
    return run_city(city, month, as_of)


RUN_EVENT_SOURCE = "fawangge.screening"
RUN_EVENT_TYPE = "screening-run"


def _queue(city: str, month: str, as_of: date) -> ScreeningRun:
    """Hand the run to the screening function (asynchronous invoke, retried by Lambda) and answer at once:
    a city of a province-size platform takes longer than an HTTP request may. The event has the shape of
    a scheduled event so that the same handler takes both."""
    existing = storage.get_record(ScreeningRun, partition(month, city), RUN_SK, consistent=True)
    if existing is not None and existing.status == "done":
        return existing
    event = {"version": "0", "id": f"{month}:{city}", "detail-type": RUN_EVENT_TYPE, "source": RUN_EVENT_SOURCE,
             "account": "", "time": now_utc().isoformat(), "region": "", "resources": [],
             "detail": {"city": city, "month": month, "as_of": as_of.isoformat()}}
    aws.client("lambda").invoke(FunctionName=config.screening_function(), InvocationType="Event",
                                Payload=json.dumps(event).encode())
    return existing or ScreeningRun(month=month, area=city, status="queued", claimed_at=now_utc(), attempts=0)


def handle_event(event) -> dict[str, Any]:
    """The screening function: the monthly schedule, or one city's run queued by `run_now`."""
    if getattr(event, "detail_type", None) == RUN_EVENT_TYPE and getattr(event, "source", None) == RUN_EVENT_SOURCE:
        detail = event.detail
        run = run_city(detail["city"], check_month(detail["month"]), date.fromisoformat(detail["as_of"]))
        return {"month": detail["month"], "cities": {detail["city"]: run.status if run else "missing"}}
    return run_month()


def findings(actor: audit.Actor, caller: Caller, month: str, area: str | None, *, limit: int,
             cursor: str | None) -> FindingPage:
    """Findings of an area and below for one month: the caller's own area unless they name one inside it.
    One Query (the city's partition, `begins_with` the area)."""
    from chalicelib.platform.auth import require_area

    check_month(month)
    area = area or caller.area or ""
    require_area(caller, area)
    if len(area) < 4:
        raise Unprocessable("请指定市或以下的区域：?area=<代码>", code="area_too_wide",
                            errors=[{"loc": ["query", "area"], "msg": "省级范围过大，请按市查看"}])
    page = storage.query(partition(month, keys.city_of(area)), begins_with=keys.SEP.join([FINDING_PREFIX, area]),
                         limit=limit, cursor=cursor)
    # Findings point at vulnerable people and open cases: every read is on the audit trail.
    audit.record_read(actor, "screening-findings", f"{month}:{area}", f"查看 {month} 主动排摸结果（{len(page.items)} 条）")
    return FindingPage(items=[FindingOut(**{k: i.get(k) for k in FindingOut.model_fields}) for i in page.items],
                       next_cursor=page.next_cursor)
