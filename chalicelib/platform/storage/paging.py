"""Pages of a computed, bounded list, with the same signed, query-bound cursors as Queries."""
from __future__ import annotations

from typing import Callable, TypeVar

from chalicelib.platform.storage import cursor as cursors

T = TypeVar("T")


def paged(items: list[T], *, sort_key: Callable[[T], str], query_id: str, limit: int,
          cursor: str | None) -> tuple[list[T], str | None]:
    """A page of `items` sorted by `sort_key`, resuming after the cursor's position."""
    ordered = sorted(items, key=sort_key)
    if cursor:
        after = cursors.decode(query_id, cursor).get("after", "")
        ordered = [i for i in ordered if sort_key(i) > after]
    page = ordered[:limit]
    more = len(ordered) > limit
    return page, (cursors.encode(query_id, {"after": sort_key(page[-1])}) if more else None)
