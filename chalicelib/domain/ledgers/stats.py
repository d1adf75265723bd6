"""Statistics (SPEC C9, issue 23 §2): `GET /v1/stats?area=&period=&kind=` — seed 004's yearly counts and each
service's volumes for any area from grid to province, over a month or a year.

Every figure is a counter a service keeps in the transaction of the event it counts (`counters`, declared as
`Plugin.stat_counters`), never a count of a list; an area's figures are its own and everything below it,
summed child → parent from one Query (paged) of the year's counter items. The seed-004 counts
(`plugin.STAT_MEASURES`) are the sums of the counters the enabled services name as feeding them, shown with
their sources; a count no enabled service feeds is listed in `not_wired` (0 there means "no data", not "none").

The periods, kinds and services rules here are shared with the monthly ledgers (`exports`).
"""
from __future__ import annotations

import importlib.util

from chalicelib import plugin
from chalicelib.domain.ledgers import counters
from chalicelib.domain.ledgers.models import (ChildFiguresOut, ServiceVolumeOut, StatCounterOut, StatMeasureOut,
                                              WorkStatsOut, WorkStatsQuery)
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.timeutil import today_shanghai

ALL, SUMMARY = "all", "summary"


def months_of(period: str, loc: list[str]) -> tuple[str, ...]:
    """The months a period ("YYYY-MM" or "YYYY") covers, this year's only up to this month (Asia/Shanghai);
    a period after this month is 422 naming `loc`."""
    this_month = today_shanghai().strftime("%Y-%m")
    if period > this_month[:len(period)]:
        raise Unprocessable(f"{period} 尚未到来，没有统计", code="future_period",
                            errors=field_error(loc, "不能晚于本月（北京时间）"))
    if len(period) == 7:
        return (period,)
    last = int(this_month[5:]) if this_month.startswith(period) else 12
    return tuple(f"{period}-{m:02d}" for m in range(1, last + 1))


def service(kind: str, loc: list[str], *, also: str = "all、summary 或") -> plugin.Plugin:
    """The enabled service named `kind` that keeps counters; 422 naming `loc` for a service that is not
    enabled here, one that keeps none, or a name that is no service."""
    found = next((p for p in plugin.enabled() if p.name == kind), None)
    if found is not None and found.stat_counters:
        return found
    if found is not None:
        raise Unprocessable(f"服务「{found.title}」尚未提供统计计数", code="kind_without_counters",
                            errors=field_error(loc, "该服务没有统计计数"))
    if plugin.NAME_SHAPE.match(kind) and importlib.util.find_spec(f"plugins.{kind.replace('-', '_')}") is not None:
        raise Unprocessable(f"服务 {kind} 未在本地启用", code="service_not_enabled",
                            errors=field_error(loc, "该服务未启用"))
    raise Unprocessable(f"未知的统计种类 {kind}", code="unknown_kind",
                        errors=field_error(loc, f"应为{also}已启用服务的名称：" + "、".join(
                            p.name for p in plugin.enabled() if p.stat_counters)))


def stats(caller: Caller, q: WorkStatsQuery) -> WorkStatsOut:
    """The figures of `q.area` (default: the caller's) over `q.period` (default: this month). Staff of the
    area or above only (403 naming `area`). One Query of the year's counters (page by page), nothing else."""
    area = q.area or caller.area or ""
    require_covers(caller, area, ["area"])
    period = q.period or today_shanghai().strftime("%Y-%m")
    months = months_of(period, ["period"])
    chosen = None if q.kind in (ALL, SUMMARY) else service(q.kind, ["kind"])
    figures = counters.rollup(area, months)
    services = [chosen] if chosen else [p for p in plugin.enabled() if p.stat_counters]
    counts, not_wired = measures(figures, services)
    volumes = [] if q.kind == SUMMARY else [
        ServiceVolumeOut(service=p.name, title=p.title,
                         counters=[StatCounterOut(key=c.key, title=c.title, value=figures.total(c.key)) for c in p.stat_counters])
        for p in services]
    keys = {c.key for p in services for c in p.stat_counters if q.kind != SUMMARY or c.measure}
    children = [ChildFiguresOut(area=code, counters={k: v for k, v in sorted(totals.items()) if k in keys})
                for code, totals in sorted(figures.by_child.items())]
    return WorkStatsOut(area=area, period=period, kind=q.kind, months=list(months), data_version=figures.data_version,
                    counts=counts, not_wired=not_wired, services=volumes, children=[c for c in children if c.counters])


def measures(figures: counters.Figures, services: list[plugin.Plugin]) -> tuple[list[StatMeasureOut], list[str]]:
    """Seed 004's counts from the counters feeding them, and the titles of those no service here feeds."""
    out, not_wired = [], []
    for code, title in plugin.STAT_MEASURES.items():
        sources = {c.key: figures.total(c.key) for p in services for c in p.stat_counters if c.measure == code}
        if not sources:
            not_wired.append(title)
        out.append(StatMeasureOut(code=code, title=title, value=sum(sources.values(), start=0), sources=sources))
    return out, not_wired
