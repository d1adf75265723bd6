"""Proactive service tasks 主动服务任务 (SPEC C7, issue 14 §5): every finding of a month's screening becomes a
task for the staff of its area, who work through it and close it with a note.

- The id is derived from (month, area, check, subject), so the 18th's run delivered twice, a re-run and a
  redelivered shard all arrive at the same task: nothing is duplicated.
- A task is created once; a later generation never reopens or rewrites it, so a task already closed stays
  closed. A finding that is gone in the new generation marks its open task `gone` (kept, not deleted: the
  staff may already have acted on it); if it comes back, the task is open again.
- Assignment is a post, not a person: the staff role the check names (`ScreeningCheck.role`), otherwise the
  grid's grid worker or the administrator of a wider area. Staff read their area's tasks and their role's
  tasks, each with one Query of one index.
- Previews and the more frequent cadences make no tasks: only the month's run is the month's work list.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar, Iterable, Literal

from pydantic import ConfigDict, Field

from chalicelib import plugin
from chalicelib.domain.areas.service import level_of
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.auth.roles import ADMIN
from chalicelib.platform.errors import Conflict, Forbidden, Unprocessable
from chalicelib.platform.model import Model, Page
from chalicelib.platform.timeutil import now_utc

ENTITY = "screening-task"
Status = Literal["open", "closed", "gone"]
GRID_ROLE = "grid_worker"


class Task(storage.Record):
    """One finding of a month's run, to be worked through by the staff of its area."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("screening-task", "gsi1", by="area"),       # an area and below, by month
        storage.Listing("screening-task-role", "gsi2", by="city"),  # one post (role) in an area and below
    )
    missing: ClassVar[tuple[str, str]] = ("没有这项服务任务", "task_not_found")

    id: str
    month: str
    area: str
    check: str
    subject: str                       # the record the finding is about, or its position within its check
    service: str
    role: str                          # the post it is assigned to, in `area`
    severity: str
    title: str
    detail: str = ""
    due: date | None = None
    status: Status = "open"
    note: str | None = None            # what was done (required to close)
    closed_by: str | None = None
    closed_at: datetime | None = None
    generation: int = 1                # the run generation that last saw the finding (or lost it)

    def place(self, listing: str) -> storage.Place | None:
        if listing == "screening-task":
            return storage.Place(of=self.area, sort=(self.month, self.id))
        return storage.Place(of=(self.area, self.role), sort=(self.month, self.id))


def task_id(month: str, area: str, check: str, subject: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"fawangge:screening-task:{month}:{area}:{check}:{subject}").hex


def role_for(check: str, area: str) -> str:
    declared = plugin.screening_check(check)
    if declared is not None and declared.role:
        return declared.role
    return GRID_ROLE if level_of(area) == "grid" else ADMIN


def _of_finding(item: dict[str, Any], subject: str) -> Task:
    moment = now_utc()
    return Task(id=task_id(item["month"], item["area"], item["check"], subject), month=item["month"],
                area=item["area"], check=item["check"], subject=subject, service=item["service"],
                role=role_for(item["check"], item["area"]), severity=item["severity"], title=item["title"],
                detail=item.get("detail") or "", due=item.get("due"), generation=item["generation"],
                created_at=moment, updated_at=moment)


# --- kept in step with the findings (the screening's queue function) -----------------------------------

def sync(fresh: Iterable[tuple[dict[str, Any], str]], gone: Iterable[tuple[dict[str, Any], str]],
         generation: int) -> dict[str, int]:
    """Tasks for findings new in this generation (`fresh`) and for findings no longer found (`gone`), as
    (finding item, subject) pairs. Runs before the findings are written, so a shard that crashes in
    between finds the same findings new again on redelivery and lands on the same tasks."""
    wanted = {t.id: t for t in (_of_finding(item, subject) for item, subject in fresh)}
    lost = {t.id: t for t in (_of_finding(item, subject) for item, subject in gone)}
    # Which tasks exist, and in which state: BatchGetItem per 100, a few side by side.
    stored: dict[str, Task] = storage.find_many(Task, [*wanted, *lost])
    missing = [t for t in wanted.values() if t.id not in stored]
    # Unconditional puts of ids just seen missing: only another delivery of this shard could write them
    # meanwhile, and it writes the same task.
    storage.put_all(missing)
    reopened = sum(_move(stored[i], "open", generation, "最新一次排摸再次发现，任务重新打开")
                   for i in wanted if i in stored and stored[i].status == "gone")
    marked = sum(_move(stored[i], "gone", generation, "最新一次排摸已不再发现，任务保留备查")
                 for i in lost if i in stored and stored[i].status == "open")
    return {"created": len(missing), "reopened": reopened, "gone": marked}


def _move(task: Task, to: str, generation: int, why: str) -> int:
    """Move a task (as just read) to `to` at its version, with its audit entry; 1 if it moved. A task
    changed meanwhile (a worker closing it) keeps the worker's change: the next run looks again."""
    entry = audit.entry(audit.SYSTEM, to, ENTITY, task.id, why, changes={"status": {"from": task.status, "to": to}})
    try:
        storage.update(task, {"status": to, "generation": generation}, expected_version=task.version, also=[entry])
    except Conflict:
        return 0
    return 1


# --- staff ----------------------------------------------------------------------------------------------

class TaskOut(Model):
    id: str
    month: str = Field(description="产生该任务的当月排摸（每月18日）所在月份；18日前的预览和周、半月、每日排查不产生任务")
    area: str
    check: str
    service: str
    role: str = Field(description="负责的岗位（登录角色），如 grid_worker 网格员")
    severity: Literal["info", "warning", "risk"]
    title: str
    detail: str
    due: date | None
    status: Status = Field(description="open 待办；closed 已办结；gone 最新一次排摸已不再发现（保留备查）")
    note: str | None
    closed_by: str | None
    closed_at: datetime | None
    version: int

    @classmethod
    def of(cls, task: Task) -> "TaskOut":
        return cls(**{name: getattr(task, name) for name in cls.model_fields})


class TaskQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^\d{4,15}$", description="默认本人辖区；可指定辖区内的下级区域")
    role: str | None = Field(None, pattern=r"^[a-z_]{2,30}$",
                             description="只看派给该岗位的任务（本人的角色之一；管理员可查看任一岗位）")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2000)


class TaskUpdate(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: Literal["open", "closed"] = Field(description="closed：办结（须填写处理情况）；open：仍在办理，只更新处理情况",
                                              examples=["closed"])
    note: str = Field(min_length=2, max_length=1000, description="处理情况，如「已电话联系当事人，约定12月2日上门」",
                      examples=["已电话联系当事人，约定上门走访"])
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头")


def _reader_area(caller: Caller, area: str | None) -> str:
    area = area or caller.area or ""
    require_area(caller, area)
    return area


def listed(caller: Caller, query: TaskQuery) -> Page[TaskOut]:
    """Tasks of an area and below (or of one post there), newest month first: one Query."""
    area = _reader_area(caller, query.area)
    if query.role is None:
        page = storage.page(Task, "screening-task", area, limit=query.limit, cursor=query.cursor, newest_first=True)
    else:
        if query.role not in caller.roles and ADMIN not in caller.roles:
            raise Forbidden("只能查看派给本人岗位的任务", code="not_your_role",
                            errors=[{"loc": ["role"], "msg": "不是您的角色"}])
        page = storage.page(Task, "screening-task-role", (area, query.role), limit=query.limit, cursor=query.cursor,
                            newest_first=True)
    # Tasks point at vulnerable people and open cases, as the findings do: every read is on the audit trail.
    audit.record_read(caller.actor, ENTITY, f"{area}:{query.role or '*'}", f"查看主动服务任务（{len(page.items)} 项）")
    return Page[TaskOut](items=[TaskOut.of(Task.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def get(caller: Caller, task_id_: str) -> Task:
    """A task of the caller's area; to staff elsewhere it does not exist (404)."""
    task = storage.require(Task, task_id_)
    require_area(caller, task.area, hide=True)
    return task


def read(caller: Caller, task_id_: str) -> Task:
    """GET /v1/tasks/{id}: `get`, on the audit trail as the list is (a task points at a vulnerable person or
    an open case). The PATCH reads through `get` alone: its update is audited already."""
    task = get(caller, task_id_)
    audit.record_read(caller.actor, ENTITY, task.id, f"查看主动服务任务（{task.check}）")  # the check, not the title: no names
    return task


def _require_post(caller: Caller, task: Task) -> None:
    """A task is the work of the post it is assigned to: the area's other posts read it but do not close it
    (an administrator may act for any post)."""
    if task.role not in caller.roles and ADMIN not in caller.roles:
        raise Forbidden("该任务派给其他岗位，只能由该岗位或管理员办理", code="not_your_role",
                        errors=[{"loc": ["task_id"], "msg": f"任务岗位为 {task.role}，不是您的角色"}])


def work(caller: Caller, task: Task, data: TaskUpdate, expected_version: int) -> Task:
    """Record what was done on a task the caller read (`get`) and, with status closed, close it. Audited in
    the same transaction. Only the post the task is assigned to (or an administrator) may: 403 for the area's
    other staff, before the version is looked at."""
    _require_post(caller, task)
    if task.status == "closed":
        raise Conflict("该任务已办结", code="task_closed")
    if task.status == "gone" and data.status == "open":
        raise Unprocessable("最新一次排摸已不再发现该问题：请填写处理情况并办结", code="task_gone",
                            errors=[{"loc": ["status"], "msg": "应为 closed"}])
    changes: dict[str, Any] = {"note": data.note}
    if data.status == "closed":
        changes.update(status="closed", closed_by=caller.sub, closed_at=now_utc())
    summary = "办结主动服务任务" if data.status == "closed" else "更新主动服务任务处理情况"
    entry = audit.entry(caller.actor, "close" if data.status == "closed" else "update", ENTITY, task.id, summary,
                        changes={"status": {"from": task.status, "to": changes.get("status", task.status)}})
    return storage.update(task, changes, expected_version=expected_version, also=[entry])
