"""What notify stores and what its routes take and give (docs/data-model.md "Notify").

- `notify-message#<id>` one outbox message. While it waits to be sent it stands in the gsi1 list
  `notify-pending` sorted by when it is due (`next_at`), which is all the relay reads; once sent or given
  up (final statuses) it leaves that list and stays as the record of what happened.
- `notify-grant#<account>` / `<stage>` how many messages of a stage the resident still accepts: each
  acceptance reported by the mini-program adds one, each message sent takes one (REFERENCE: one
  acceptance = one message), inside the same transaction that claims the message.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import ConfigDict, Field, StringConstraints

from chalicelib.platform import storage
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import iso

ENTITY = "notify-message"
GRANT = "notify-grant"
PENDING = "notify-pending"
ABOUT = "notify-about"

Status = Literal["pending", "sent", "not_subscribed", "refused", "rejected", "failed", "no_template", "no_openid",
                 "withdrawn"]
FINAL_TITLES: dict[str, str] = {
    "sent": "已发送",
    "not_subscribed": "居民未订阅（或订阅次数已用完），未发送",
    "refused": "居民拒收或已退订（43101），不再重试",
    "rejected": "平台拒绝（模板、页面或字段不合规则），不再重试",
    "failed": "多次发送失败，已放弃",
    "no_template": "该环节未配置消息模板，未发送",
    "no_openid": "居民账号没有可用的微信身份，未发送",
    "withdrawn": "所报告的事项已变化（如预约取消或改约），消息已撤回，未发送",
}


class Message(storage.Record):
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(PENDING, "gsi1"), storage.Listing(ABOUT, "gsi2"))
    missing: ClassVar[tuple[str, str]] = ("没有这条消息", "message_not_found")

    id: str
    account: str                 # the resident account it is for
    stage: str                   # `<feature>.<event>`, e.g. intake.received; its template id is configuration
    data: dict[str, str]         # template keys (thing1, phrase3 …) → values already fitted to the rules
    page: str                    # the mini-program page the message opens
    source: str                  # `<entity>:<id>` of the record it reports on
    status: Status = "pending"
    attempts: int = 0
    next_at: datetime            # when it is due (the first time: when written, or `due`; then the backoff)
    granted: bool = False        # one of the resident's grants was taken for it (never twice)
    last_error: str | None = None
    sent_at: datetime | None = None

    def place(self, listing: str) -> storage.Place | None:
        if listing == ABOUT:  # every message about a record, for the staff holding it
            return storage.Place(of=(self.source,), sort=(iso(self.created_at), self.id))
        if self.status != "pending":
            return None
        return storage.Place(of=("due",), sort=(iso(self.next_at), self.id))


class Grant(storage.Record):
    entity: ClassVar[str] = GRANT
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(GRANT, "table", by="owner"),)
    account: str
    stage: str
    count: int = 0

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.account, sort=(self.stage,))


# --- routes ----------------------------------------------------------------------------------------

class Notice(Model):
    """A message about a record as the staff holding it see it: whether the resident was told."""
    stage: str
    status: str
    status_title: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None = None

    @classmethod
    def of(cls, m: Message) -> "Notice":
        title = FINAL_TITLES.get(m.status, "等待发送" if not m.attempts else f"发送失败，稍后重试（已试 {m.attempts} 次）")
        return cls(stage=m.stage, status=m.status, status_title=title, attempts=m.attempts, created_at=m.created_at,
                   sent_at=m.sent_at)


class SubscribeIn(Model):
    """What `wx.requestSubscribeMessage` answered, passed on as it is: template id → the resident's choice."""
    model_config = ConfigDict(extra="forbid")
    results: dict[Annotated[str, StringConstraints(min_length=1, max_length=128)],
                  Literal["accept", "reject", "ban", "filter"]] = Field(
        min_length=1, max_length=20, description="模板 id → accept（同意）/ reject（拒绝）/ ban（已被封禁）/ filter（被过滤）",
        examples=[{"local-tmpl-intake-received": "accept", "local-tmpl-intake-closed": "reject"}])


class AcceptanceOut(Model):
    stage: str
    template_id: str
    remaining: int = Field(description="还可以接收的消息条数（每同意一次可接收一条）")


class SubscriptionsOut(Model):
    items: list[AcceptanceOut]
