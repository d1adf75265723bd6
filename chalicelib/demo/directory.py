"""Demo institutions, people, assignments, menus and rota for `make dev` (data/directory_demo.json),
entered through the same services the API uses."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from chalicelib.demo import DemoSeed, marker
from chalicelib.domain.areas import service as areas
from chalicelib.domain.board import service as board
from chalicelib.domain.board.models import AreaMenu, MenuIn
from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.coverage.models import AssignmentIn
from chalicelib.domain.directory.models import InstitutionIn, PersonIn
from chalicelib.domain.directory.service import create_institution, create_person
from chalicelib.domain.rota import service as rota
from chalicelib.domain.rota.models import ActivityIn, DutySlot, DutySlotIn
from chalicelib.platform import storage
from chalicelib.platform.audit import Actor
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict
from chalicelib.platform.timeutil import today_shanghai

DATA = Path(__file__).with_name("data") / "directory_demo.json"


def demo_put(create: Callable[[], Any]) -> bool:
    """Run a demo creation; an item already there (an earlier, interrupted load) is left as it is."""
    try:
        create()
    except Conflict as exc:
        if exc.code in ("already_exists", "duplicate_assignment", "activity_exists"):
            return False
        raise
    return True




def load(actor: Actor, *, force: bool = False) -> dict[str, int | str]:
    """Load chalicelib/demo/data/directory_demo.json through the same services the API uses (so it is
    validated, audited and conflict-checked like anything an administrator enters). Idempotent: a marker
    records the file's hash and the coverage roles enabled; records already there are left alone, and
    assignments for a role appear once the plugin declaring it is enabled. Dates are relative to the
    day of loading (the rota starts tomorrow, the themed day is in the coming month)."""
    raw = DATA.read_bytes()
    enabled = sorted(r.code for r in coverage.roles())
    fingerprint = hashlib.sha256(raw + ",".join(enabled).encode()).hexdigest()[:16]
    seen = marker("directory")
    if seen and seen.fingerprint == fingerprint and not force:
        return {"status": "already loaded"}
    if not areas.get_many(["3204"]):
        return {"status": "skipped: the 常州 areas are not loaded"}
    data = json.loads(raw)
    caller = Caller(sub=actor.sub, roles=frozenset({"admin"}), area="3204")
    counts = {"institutions": 0, "people": 0, "assignments": 0, "duty_slots": 0, "activities": 0, "menus": 0}
    for row in data["institutions"]:
        fields = {k: v for k, v in row.items() if k != "id"}
        counts["institutions"] += demo_put(lambda: create_institution(
            caller, InstitutionIn(**fields, demo=True), institution_id=row["id"]))
    for row in data["people"]:
        fields = {k: v for k, v in row.items() if k != "id"}
        counts["people"] += demo_put(lambda: create_person(caller, PersonIn(**fields, demo=True),
                                                           person_id=row["id"]))
    for row in data["assignments"]:
        if row["role"] not in enabled:
            continue
        kind = "person" if "person" in row else "institution"
        counts["assignments"] += demo_put(lambda: coverage.assign(caller, AssignmentIn(
            role=row["role"], area=row["area"], assignee_kind=kind, assignee_id=row[kind], demo=True)))
    for row in data["menus"]:
        if storage.read(AreaMenu, row["area"]) is None:
            board.set_menu(caller, row["area"], MenuIn(items=row["items"]), None)
            counts["menus"] += 1
    today = today_shanghai()
    for row in data["duty_slots"]:
        if storage.read(DutySlot, row["id"]) is None:
            rota.add_duty(caller, row["institution"], DutySlotIn(
                person_id=row["person"], weekday=row["weekday"], start=row["start"], end=row["end"],
                duty=row["duty"], effective_from=today + timedelta(days=1), demo=True), slot_id=row["id"])
            counts["duty_slots"] += 1
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    for row in data["activities"]:
        counts["activities"] += demo_put(lambda: rota.publish_activity(caller, row["institution"], ActivityIn(
            date=next_month.replace(day=row["day"]), start=row["start"], end=row["end"], theme=row["theme"],
            description=row.get("description"), hosts=row["hosts"], demo=True)))
    storage.put_all([DemoSeed(id="directory", fingerprint=fingerprint, roles=enabled)])
    return {"status": "loaded", **counts}
