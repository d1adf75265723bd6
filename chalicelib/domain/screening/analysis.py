"""The screening's own checks over imported 12345 work orders and petitions (SPEC C7, issue 14 §5), run in
every shard beside the services' checks and, like them, each on its own:

- hotspots: a category whose count in an area this month reaches `screening.hotspot_ratio` × the mean of
  the previous three months (and at least `screening.hotspot_minimum`). Read from the category tallies the
  import keeps (one Query per month), never from the orders themselves.
- group risk: an order naming group-incident words (讨薪, 集体, 上访 …) or `screening.group_parties` people.
- repeat contacts: one caller (by the sealed phone's lookup hash) `screening.repeat_contacts` times this month.
The last two stream the shard's orders of the month once (one Query page after another).

Findings carry order numbers, categories and masked phones — never the content people told the hotline.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Callable, Iterable, Iterator

from chalicelib.domain.policy import service as policy
from chalicelib.domain.screening import sources, tallies
from chalicelib.plugin import Finding, ScreeningContext, failure
from chalicelib.platform.logs import logger

SERVICE = "screening"
GROUP_WORDS = ("讨薪", "欠薪", "集体", "上访", "群体", "围堵", "罢工", "拉横幅", "联名")
PARAMETERS = ("screening.hotspot_ratio", "screening.hotspot_minimum", "screening.repeat_contacts",
              "screening.group_parties")


def _previous_months(month: str, count: int) -> list[str]:
    year, mon = (int(p) for p in month.split("-"))
    out = []
    for _ in range(count):
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
        out.append(f"{year:04d}-{mon:02d}")
    return out


def _limits(area: str, on: date) -> dict[str, Decimal]:
    return {name: found.value for name, found in policy.resolve_many(list(PARAMETERS), area, on).items()}


def hotspots(ctx: ScreeningContext) -> Iterator[Finding]:
    limits = _limits(ctx.area, ctx.as_of)
    for kind, title in sources.KIND_TITLES.items():
        name = sources.category_tally(kind)
        now = {(a, s): c for a, s, c in tallies.counts_by_subject(name, ctx.area, month=ctx.month)}
        if not now:
            continue
        before: dict[tuple[str, str], int] = defaultdict(int)
        for month in _previous_months(ctx.month, 3):
            for area, subject, count in tallies.counts_by_subject(name, ctx.area, month=month):
                before[(area, subject)] += count
        for (area, subject), count in sorted(now.items()):
            mean = Decimal(before[(area, subject)]) / 3
            if count >= limits["screening.hotspot_minimum"] and count >= limits["screening.hotspot_ratio"] * mean:
                yield Finding(check="screening.hotspots", area=area, severity="warning",
                              title=f"「{subject}」类{title}高发：本月 {count} 件",
                              detail=f"前三个月平均 {mean:.1f} 件", record=f"{kind}-{subject}")


def signals(ctx: ScreeningContext) -> Iterator[Finding]:
    limits = _limits(ctx.area, ctx.as_of)
    for kind, title in sources.KIND_TITLES.items():
        callers: dict[str, list[dict]] = defaultdict(list)
        for order in sources.month_orders(kind, ctx.month, ctx.area):
            words = [w for w in GROUP_WORDS if w in f"{order.get('category', '')}{order.get('content', '')}"]
            parties = str(order.get("parties") or "")
            many = parties.isdigit() and int(parties) >= limits["screening.group_parties"]
            if words or many:
                said = "、".join(words) + (f"；涉及 {parties} 人" if many else "")
                yield Finding(check="screening.group-risk", area=order["area"], severity="risk",
                              title=f"{title}含群体性风险信号", detail=f"{order['order_no']}（{order.get('category', '')}）：{said}",
                              record=f"{kind}-{order['order_no']}")
            if order.get("phone_hash"):
                callers[order["phone_hash"]].append({k: order.get(k) for k in ("order_no", "area", "phone_masked")})
        for digest, orders in sorted(callers.items()):
            if len(orders) >= limits["screening.repeat_contacts"]:
                numbers = "、".join(o["order_no"] for o in orders[:10])
                yield Finding(check="screening.repeat-contacts", area=orders[0]["area"], severity="warning",
                              title=f"同一人本月 {len(orders)} 次{'来电' if kind == 'hotline' else '信访'}",
                              detail=f"来电号码 {orders[0]['phone_masked']}：{numbers}", record=f"{kind}-{digest[:16]}")


TITLES = {"screening.hotspots": "12345和信访高发问题", "screening.group-risk": "群体性风险信号",
          "screening.repeat-contacts": "重复来电和重复信访"}
CHECKS: tuple[tuple[str, Callable[[ScreeningContext], Iterable[Finding]]], ...] = (
    ("screening.hotspots", hotspots),
    ("screening.group-risk", signals),  # also speaks for screening.repeat-contacts
)


def run(ctx: ScreeningContext) -> list[tuple[str, str, list[Finding], str | None]]:
    """(service, check, findings, error) per check; `signals` speaks for group-risk and repeat-contacts."""
    out = []
    for code, check in CHECKS:
        try:
            found = list(check(ctx))
        except Exception as exc:  # noqa: BLE001 — one failing check must not cost the shard the others
            logger().exception("screening check failed", extra={"check": code, "error": type(exc).__name__})
            out.append((SERVICE, code, [], failure(exc)))
            continue
        for finding_code in sorted({f.check for f in found} | {code}):
            out.append((SERVICE, finding_code, [f for f in found if f.check == finding_code], None))
    return out
