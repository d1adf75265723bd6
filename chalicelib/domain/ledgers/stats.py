"""Statistics (SPEC C9, issue 23 §2): `GET /v1/stats?area=&period=&kind=` — seed 004's yearly counts and each
service's volumes for any area from grid to province, over a month or a year.

Every figure is a counter a service keeps in the transaction of the event it counts (`counters`, declared as
`Plugin.stat_counters`), never a count of a list; an area's figures are its own and everything below it,
summed child → parent from one Query (paged) of the year's counter items. The seed-004 counts
(`plugin.STAT_MEASURES`) are the sums of the counters the enabled services name as feeding them, shown with
their sources; a count no enabled service feeds is listed in `not_wired` (0 there means "no data", not "none").

Beside them, from counters kept the same way (issue 23, second pass): time-limit compliance (tickets and the
services' timed steps, counted when they close: on time or late), the grass-roots share (resolved at the
grid or village, or escalated), 好差评 (each rating counted at its level when given, taken back when an
appeal is upheld) with the direct sub-areas ranked by satisfaction, and "count once" (`counting.once`: a
problem counted once a year at its highest level of service, beside each service's own count). The core's
own counters (the intake desk's, the ratings') are declared here (`CORE`); a service's counters name the
side of a share they count (`StatCounter.share`).

The periods, kinds and services rules here are shared with the monthly ledgers (`exports`).
"""
from __future__ import annotations

import importlib.util
from decimal import ROUND_HALF_UP, Decimal

from chalicelib import plugin
from chalicelib.domain.feedback.models import BAD, LEVELS
from chalicelib.domain.ledgers import counters
from chalicelib.domain.ledgers.models import (ChildFiguresOut, CountOnceOut, RankedAreaOut, RatingLevelOut, RatingsOut,
                                              ServiceVolumeOut, ShareOut, SharesOut, StatCounterOut, StatMeasureOut,
                                              WorkStatsOut, WorkStatsQuery)
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Unprocessable, field_error
from chalicelib.platform.timeutil import today_shanghai

ALL, SUMMARY = "all", "summary"
SC = plugin.StatCounter
# The core's own counters, kept by the intake desk at a ticket's closing (taken back when it is reopened) and
# by feedback at a rating (taken back when an appeal against it is upheld): (source, title, counters).
CORE: tuple[tuple[str, str, tuple[plugin.StatCounter, ...]], ...] = (
    ("intake", "受理事项", (SC("intake.closed", "办结受理事项（件）"),
                        SC("intake.closed_on_time", "其中按时办结（件）", share="on_time"),
                        SC("intake.closed_late", "其中超过时限办结（件）", share="late"),
                        SC("intake.grassroots", "其中前台办结、未转办（件）", share="grassroots"),
                        SC("intake.escalated", "其中转办服务后办结（件）", share="escalated"))),
    ("feedback", "好差评", tuple(SC(f"feedback.{level}", f"{title}（件）") for level, title in LEVELS.items())),
)


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
    sources = [(p.name, p.title, p.stat_counters) for p in services]
    if chosen is None:
        sources = [*CORE, *sources]
        volumes = [] if q.kind == SUMMARY else [
            ServiceVolumeOut(service=name, title=title,
                             counters=[StatCounterOut(key=c.key, title=c.title, value=figures.total(c.key)) for c in kept])
            for name, title, kept in CORE] + volumes
    return WorkStatsOut(area=area, period=period, kind=q.kind, months=list(months), data_version=figures.data_version,
                        counts=counts, not_wired=not_wired, services=volumes, children=[c for c in children if c.counters],
                        time_limits=shares(figures, sources, "on_time", "late", "限时办结（按时办结率）"),
                        grass_roots=shares(figures, sources, "grassroots", "escalated", "基层化解（网格、村化解率）"),
                        ratings=None if chosen else ratings(figures), count_once=None if chosen else count_once(figures))


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def shares(figures: counters.Figures, sources, part: str, other: str, title: str) -> SharesOut | None:
    """A share over every source whose counters count its sides: `part` among `part` + `other`."""
    out = []
    for name, source_title, kept in sources:
        sides = {side: [c.key for c in kept if c.share == side] for side in (part, other)}
        if not sides[part] or not sides[other]:
            continue
        yes, no = (int(sum(figures.total(k) for k in sides[side])) for side in (part, other))
        out.append(ShareOut(source=name, title=source_title, counted=yes + no, part=yes, share=percent(yes, yes + no)))
    if not out:
        return None
    counted, yes = sum(s.counted for s in out), sum(s.part for s in out)
    return SharesOut(title=title, counted=counted, part=yes, share=percent(yes, counted), sources=out)


def ratings(figures: counters.Figures) -> RatingsOut:
    """好差评 by level, the satisfaction share (基本满意 and better) and the direct sub-areas ranked by it."""
    def tally(totals) -> tuple[int, int]:
        given = {level: int(totals.get(f"feedback.{level}", 0)) for level in LEVELS}
        return sum(given.values()), sum(v for level, v in given.items() if level not in BAD)

    levels = [RatingLevelOut(level=level, title=title, value=int(figures.total(f"feedback.{level}")))
              for level, title in LEVELS.items()]
    total = sum(level.value for level in levels)
    satisfied = sum(level.value for level in levels if level.level not in BAD)
    ranked = sorted(((code, *tally(totals)) for code, totals in figures.by_child.items()),
                    key=lambda r: (-(r[2] / r[1]) if r[1] else 1, -r[1], r[0]))
    ranking = [RankedAreaOut(rank=i, area=code, ratings=n, satisfied=ok, share=percent(ok, n))
               for i, (code, n, ok) in enumerate((r for r in ranked if r[1]), start=1)]
    return RatingsOut(total=total, satisfied=satisfied, share=percent(satisfied, total), levels=levels, ranking=ranking)


def count_once(figures: counters.Figures) -> CountOnceOut:
    """Each problem once a year at its highest level of service, and each service's own count beside it."""
    levels = [RatingLevelOut(level=level, title=title, value=int(figures.total(counters.ONCE + level)))
              for level, title in counters.SERVICE_LEVELS.items()]
    prefix = counters.ONCE + "by_"
    by_service = {key[len(prefix):].replace("_", "-"): int(value)
                  for key, value in sorted(_totals(figures).items()) if key.startswith(prefix)}
    return CountOnceOut(total=sum(level.value for level in levels), levels=levels, by_service=by_service)


def _totals(figures: counters.Figures) -> dict[str, counters.Number]:
    out: dict[str, counters.Number] = {}
    for month in figures.by_month.values():
        for key, value in month.items():
            out[key] = out.get(key, 0) + value
    return out


def measures(figures: counters.Figures, services: list[plugin.Plugin]) -> tuple[list[StatMeasureOut], list[str]]:
    """Seed 004's counts from the counters feeding them, and the titles of those no service here feeds."""
    out, not_wired = [], []
    for code, title in plugin.STAT_MEASURES.items():
        sources = {c.key: figures.total(c.key) for p in services for c in p.stat_counters if c.measure == code}
        if not sources:
            not_wired.append(title)
        out.append(StatMeasureOut(code=code, title=title, value=sum(sources.values(), start=0), sources=sources))
    return out, not_wired
