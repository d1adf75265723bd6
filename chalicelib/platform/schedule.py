"""Scheduled functions re-run by hand from the Lambda console (docs/admin-guide.md, 「重新执行排摸」).

Chalice hands a scheduled function its event as a `CloudWatchEvent`, which needs every field of the
schedule's event: a console test event such as `{"month": "2026-12", "area": "320402"}` failed before the
function ran. `ScheduledEvent` reads both: the schedule's event as it is, and any other object as the
`detail` of a console run (`source` "console"), so a function tells the two apart by `event.detail`.
"""
from __future__ import annotations

from typing import Any

from chalice.app import CloudWatchEvent

CONSOLE = "console"


class ScheduledEvent(CloudWatchEvent):
    def _extract_attributes(self, event_dict: dict[str, Any]) -> None:
        if "detail-type" in event_dict:
            super()._extract_attributes(event_dict)
            return
        self.version, self.account, self.region, self.time, self.event_id = "0", "", "", "", ""
        self.detail, self.detail_type, self.source, self.resources = dict(event_dict), "Console Test Event", CONSOLE, []


def by_hand(handler: Any) -> Any:
    """The registered scheduled `handler` (what `app.schedule` returns), taking console test events too."""
    handler.event_class = ScheduledEvent
    return handler
