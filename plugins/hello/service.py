"""The rules of `hello`, with no HTTP: every function takes the caller (who, what they may do, and what
the audit trail records of them) and the parsed input, and raises problems from chalicelib.platform.errors
with field locations relative to its input (`["message"]`; the web layer adds `body`)."""
from __future__ import annotations

import uuid
from typing import Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.policy import service as policy
from chalicelib.domain.screening import tallies
from chalicelib.plugin import DemoContext, Finding, ScreeningContext
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_owner
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import today_shanghai
from plugins.hello.models import (BUSY_GRID_PARAMETER, BUSY_GRIDS_CHECK, BY_OWNER, ENTITY, GREETINGS_PER_GRID,
                                  Greeting, GreetingIn, GreetingOut)


def create(caller: Caller, data: GreetingIn, *, greeting_id: str | None = None) -> Greeting:
    """Store a greeting and its audit entry in one transaction — one round trip, no read before the write.
    A greeting naming a grid also checks, inside it, that the grid exists, and counts itself in the grid's
    tally of the month (what the screening reads instead of the greetings)."""
    greeting = storage.stamp_new(Greeting(id=greeting_id or uuid.uuid4().hex, owner=caller.sub,
                                          message=data.message, grid=data.grid))
    per_grid = [areas.must_exist(data.grid, field="grid", level="grid"),
                tallies.count_op(GREETINGS_PER_GRID, data.grid, month=today_shanghai().strftime("%Y-%m"))
                ] if data.grid else []
    return storage.put_new(greeting, also=[*per_grid, audit.entry(caller.actor, "create", ENTITY, greeting.id,
                                                                   "留下问候")])


def get(caller: Caller, greeting_id: str) -> Greeting:
    """The caller's own greeting; anyone else's is a 404 (its existence is private). Also the link rule:
    only the owner attaches files to a greeting, and reads them."""
    greeting = storage.require(Greeting, greeting_id)
    require_owner(caller, greeting.owner)
    return greeting


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[GreetingOut]:
    page = storage.page(Greeting, BY_OWNER, caller.sub, limit=limit, cursor=cursor, newest_first=True)
    return Page[GreetingOut](items=[GreetingOut.of(Greeting.from_item(i)) for i in page.items],
                             next_cursor=page.next_cursor)


def busy_grids(context: ScreeningContext) -> Iterable[Finding]:
    """Screening check: grids that received more greetings in the month than the policy in force there on
    the screening day (`hello.busy_grid_greetings`) calls busy. Reads the month's tally — one Query per 500
    grids with greetings — and one policy read per such grid; never the greetings themselves."""
    for grid, count in tallies.counts(GREETINGS_PER_GRID, context.area, month=context.month):
        threshold = policy.resolve(BUSY_GRID_PARAMETER, grid, context.as_of).value
        if count > threshold:
            yield Finding(check=BUSY_GRIDS_CHECK, area=grid, severity="info",
                          title=f"本月收到 {count} 条问候（超过 {threshold} 条）", record=f"busy-{grid}-{context.month}")


def greetings_per_month(area: str, months: tuple[str, ...]) -> dict[str, int]:
    """The ledger column (C9): greetings naming a grid at or below `area`, per month — the same tally the
    greeting's transaction keeps (one Query per month), never the greetings."""
    return {month: sum(count for _, count in tallies.counts(GREETINGS_PER_GRID, area, month=month)) for month in months}


DEMO_GREETING = "demo-greeting-1"


def load_demo(context: DemoContext) -> None:
    """One greeting from a demo resident, with a fixed id: loading twice changes nothing."""
    if storage.read(Greeting, DEMO_GREETING) is not None:
        return
    resident = Caller(sub="demo-resident-1", roles=frozenset({"resident"}), area=None)
    create(resident, GreetingIn(message="你好，法网格"), greeting_id=DEMO_GREETING)
