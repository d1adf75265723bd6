"""The audit trail as an administrator reads it: what was done, when, by which account in which roles, with
which request. Entries hold no personal data by design (a summary names fields, not their values; `changes`
only non-sensitive fields: statuses, parameters); the source IP address they keep for investigations is not
shown here (it stays in the table, for the console)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from chalicelib.platform import audit
from chalicelib.platform.model import Model


class AuditEntryOut(Model):
    at: datetime = Field(description="发生时间（UTC）")
    action: str = Field(description="操作：create、update、read、run 等", examples=["update"])
    summary: str = Field(description="摘要（不含个人信息）", examples=["受理事项 FW-320402-2612-0001：已受理"])
    actor: str = Field(description="操作人账号（sub）；system / console 为系统与控制台", examples=["gw-1"])
    actor_roles: list[str] = Field(description="操作时的角色")
    changes: dict[str, Any] | None = Field(None, description="变更的字段：{字段: {from, to}}（仅非敏感字段）")
    request_id: str | None = Field(None, description="请求编号（X-Request-Id），可在日志中查到该请求")

    @classmethod
    def of(cls, entry: audit.Entry) -> "AuditEntryOut":
        return cls(at=entry.at, action=entry.action, summary=entry.summary, actor=entry.actor,
                   actor_roles=entry.actor_roles, changes=entry.changes, request_id=entry.request_id)
