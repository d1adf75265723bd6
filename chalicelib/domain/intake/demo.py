"""Demo tickets for `make dev` (issue 10): a few tickets in each state for 天宁区's demo grids, at fixed codes
(`FW-320402-<yymm of the first load>-90xx`, far above what the counter hands out in a demo), owned by the
grid worker `gw-1` (area 320402001) and asked by `resident-1` — the accounts the README's tokens use.

Idempotent: a ticket whose code exists is left as a tester left it. The routed one is routed through the
real service step to the first enabled intake target taking its category, so the service opens its own
case; with no service enabled it stays accepted. Deadlines come from the policy in force, like any ticket.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib import plugin
from chalicelib.domain.intake import service
from chalicelib.domain.intake.models import DueEntry, RouteIn, Step, Ticket, deadline, deadline_parameter
from chalicelib.platform import pii, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.timeutil import now_utc, today_shanghai

WORKER = Caller(sub="gw-1", roles=frozenset({"grid_worker"}), area="320402001")
RESIDENT = "resident-1"

# (number, grid, channel, category, state, text, days ago)
TICKETS: tuple[tuple[int, str, str, str, str, str, int], ...] = (
    (9001, "320402001001001", "mini_program", "consultation", "received", "邻居在楼道堆放杂物，物业不管，想问问该找谁处理", 0),
    (9002, "320402001001002", "counter", "dispute", "accepted", "与房东就押金退还发生争执，房东拒不退还 3000 元押金", 1),
    (9003, "320402001001001", "mini_program", "consultation", "answered", "父亲去世后老房子怎么继承，需要准备哪些材料", 2),
    (9004, "320402001002001", "hotline_12348", "legal_aid", "routed", "在工地干了三个月，包工头拖欠工资一万二，想申请法律援助", 3),
    (9005, "320402001001002", "grid_visit", "consultation", "overdue", "独居老人想立遗嘱，行动不便，询问能否上门办理", 12),
)


def load() -> dict[str, int]:
    """Write the demo tickets that do not exist yet; how many were written."""
    today = today_shanghai()
    codes = {n: f"FW-320402-{today.strftime('%y%m')}-{n}" for n, *_ in TICKETS}
    existing = storage.find_many(Ticket, list(codes.values()))
    written = 0
    for number, grid, channel, category, state, text, days_ago in TICKETS:
        if codes[number] not in existing:
            _write(codes[number], grid, channel, category, state, text, days_ago)
            written += 1
    return {"tickets": written}


def _write(code: str, grid: str, channel: str, category: str, state: str, text: str, days_ago: int) -> None:
    received_on = today_shanghai() - timedelta(days=days_ago)
    limit = service._limit(deadline_parameter(category), grid, received_on, loc="grid")
    moment = now_utc() - timedelta(days=days_ago)
    by_resident = channel == "mini_program"
    history = [Step(at=moment, action="received", actor=RESIDENT if by_resident else WORKER.sub)]
    fields: dict[str, Any] = {"resident": RESIDENT} if by_resident else {
        "person_name": "王秀英", **pii.seal_phone("13900001111").fields("phone")}
    if state != "received":
        history.append(Step(at=moment, action="accepted", actor=WORKER.sub))
        fields.update(owner=WORKER.sub, status="accepted")
    if state == "answered":
        history += [Step(at=moment, action="answered", actor=WORKER.sub), Step(at=moment, action="closed", actor=WORKER.sub)]
        fields.update(status="closed", closed_at=moment, answer="可先到不动产登记中心咨询继承登记；需死亡证明、亲属关系证明、"
                                                                 "房产证及全部继承人身份证明，有遗嘱的带上遗嘱。")
    if state == "overdue":
        history.append(Step(at=now_utc(), action="overdue", actor="system"))
        fields.update(overdue=True)
    ticket = storage.stamp_new(Ticket(
        id=code, channel=channel, grid=grid, category=category, text=text, received_by=history[0].actor,
        received_on=received_on, **deadline(limit, received_on), history=history, **fields))
    ticket.created_at = moment
    ops = [storage.put_op(ticket.to_item(), must_not_exist=False),
           storage.put_op(DueEntry(ticket=code, due_on=ticket.due_on).to_item(), must_not_exist=False),
           *service._mine_ops(ticket)]
    storage.transact(ops)
    if state == "routed":
        _route(ticket)


def _route(ticket: Ticket) -> None:
    targets = [t for _, t in plugin.intake_targets() if ticket.category in t.categories]
    if targets:
        service.route(WORKER, ticket.id, RouteIn(target=targets[0].code, note="演示：分流到承办服务"), ticket.version)
