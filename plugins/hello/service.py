"""The rules of `hello`, with no HTTP: every function takes the caller (who, what they may do, and what
the audit trail records of them) and the parsed input, and raises problems from chalicelib.platform.errors
with field locations relative to its input (`["message"]`; the web layer adds `body`)."""
from __future__ import annotations

import uuid
from collections import Counter
from typing import Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import DemoContext, Finding, ScreeningContext
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_owner
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import today_shanghai
from plugins.hello.models import BUSY_GRID, ENTITY, Greeting, GreetingIn, GreetingOut


def create(caller: Caller, data: GreetingIn, *, greeting_id: str | None = None) -> Greeting:
    """Store a greeting, its audit entry and — when it names a grid — the condition that the grid exists,
    in one transaction: one round trip, and no read before the write."""
    greeting = storage.stamp_new(Greeting(id=greeting_id or uuid.uuid4().hex, owner=caller.sub,
                                          message=data.message, grid=data.grid, day=today_shanghai()))
    checks = [areas.must_exist(data.grid, field="grid", level="grid")] if data.grid else []
    return storage.put_new(greeting, also=[*checks, audit.entry(caller.actor, "create", ENTITY, greeting.id,
                                                                 "留下问候")])


def get(caller: Caller, greeting_id: str) -> Greeting:
    """The caller's own greeting; anyone else's is a 404 (its existence is private)."""
    greeting = storage.require(Greeting, greeting_id)
    require_owner(caller, greeting.owner)
    return greeting


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[GreetingOut]:
    page = storage.page(Greeting, "hello-greeting", caller.sub, limit=limit, cursor=cursor, newest_first=True)
    return Page[GreetingOut](items=[GreetingOut.of(Greeting.from_item(i)) for i in page.items],
                             next_cursor=page.next_cursor)


# --- what hello declares on its Plugin ------------------------------------------------------------------

def may_attach(caller: Caller, greeting_id: str) -> None:
    """Link rule: only a greeting's owner attaches files to it, and reads them."""
    get(caller, greeting_id)


def busy_grids(context: ScreeningContext) -> Iterable[Finding]:
    """Screening check: grids that received more greetings on the screening day than the area's policy
    (`hello.busy_grid_greetings`, in force that day) calls busy. One Query for the area, one policy read
    per grid found."""
    today = context.as_of.isoformat()
    per_grid = Counter(i["grid"] for i in storage.every(Greeting, "hello-greeting-area", context.area,
                                                         max_items=1000) if i.get("day") == today)
    for grid, count in sorted(per_grid.items()):
        threshold = policy.resolve(BUSY_GRID, grid, context.as_of).value
        if count > threshold:
            yield Finding(check="hello.busy-grids", area=grid, severity="info",
                          title=f"当日收到 {count} 条问候（超过 {threshold} 条）", record=f"busy-{grid}-{today}")


DEMO_GREETING = "demo-greeting-1"


def load_demo(context: DemoContext) -> None:
    """One greeting from a demo resident, with a fixed id: loading twice changes nothing."""
    if storage.find(Greeting, ENTITY, DEMO_GREETING) is not None:
        return
    caller = Caller(sub="demo-resident-1", roles=frozenset({"resident"}), area=None)
    create(caller, GreetingIn(message="你好，法网格"), greeting_id=DEMO_GREETING)
