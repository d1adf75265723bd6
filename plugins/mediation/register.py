"""The disputes' register (矛盾纠纷调解台账, SPEC C9 "一事一记"): a row per dispute opened in the months asked, for
an area and below — the ledger staff export (`Plugin.ledger_rows`, `POST /v1/ledgers/exports
{"kind": "mediation.register"}`).

A dispute's month entry (`RegisterEntry`) is written once, in the transaction that opens it, in a table list
by province and month sorted by grid: `rows` reads a month's entries of the area and below one Query page at
a time and the disputes they name in one BatchGetItem per 100, so a district's year streams out without ever
holding it. Rows show what the dispute says now (tier, status, result); its size is known beforehand from the
counter `mediation.opened`, kept in the same transaction. Party names are shown masked (李*英), numbers never.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from chalicelib.platform import storage
from plugins.mediation.models import KINDS, RESULTS, STATUSES, TIERS, Dispute

LIST = "mediation-register"
PAGE = 100
HEADERS = ("登记编号", "登记日期", "网格代码", "纠纷类型", "当事人", "调解层级", "状态", "调解结果", "结案日期",
           "来源受理事项")


class RegisterEntry(storage.Record):
    """A dispute's place in its month's register: written once when it is opened, never changed."""
    entity: ClassVar[str] = LIST
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(LIST, "table", nested=True),)
    version: int | None = None  # type: ignore[assignment]
    dispute: str
    grid: str
    month: str                  # "YYYY-MM", Asia/Shanghai, the day it was opened

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.grid[:2], self.month), sort=(self.grid, self.dispute))


def entry_op(dispute: Dispute) -> dict[str, Any]:
    """The op writing the dispute's register entry, in the transaction that opens it."""
    entry = RegisterEntry(dispute=dispute.id, grid=dispute.grid, month=dispute.opened_on.strftime("%Y-%m"))
    return storage.put_op(entry.to_item())


def _masked(name: str, kind: str) -> str:
    """A person's name with all but its first and last characters hidden (李*英, 王*); an organisation's whole."""
    if kind != "person" or len(name) < 2:
        return name
    return name[0] + "*" * max(len(name) - 2, 1) + (name[-1] if len(name) > 2 else "")


def row(dispute: Dispute) -> list[Any]:
    outcome = dispute.outcome
    parties = "、".join(_masked(p.name, p.kind) for p in dispute.parties)
    return [dispute.id, dispute.opened_on, dispute.grid, KINDS.get(dispute.kind, dispute.kind), parties,
            TIERS.get(dispute.tier, dispute.tier), STATUSES.get(dispute.status, dispute.status),
            RESULTS.get(outcome.result, outcome.result) if outcome else "", outcome.on if outcome else "",
            dispute.ticket_id or ""]


def rows(area: str, months: tuple[str, ...]) -> Iterator[list[Any]]:
    """The register of `area` and below over `months`, month by month, grid by grid: a Query per page of
    entries and a BatchGetItem of the disputes they name."""
    for month in months:
        cursor = None
        while True:
            page = storage.page(RegisterEntry, LIST, (area[:2], month), after=(area,), limit=PAGE, cursor=cursor)
            ids = [item["dispute"] for item in page.items]
            found = storage.find_many(Dispute, ids)
            yield from (row(found[i]) for i in ids if i in found)
            cursor = page.next_cursor
            if not cursor:
                break
