"""Demo data of the village legal advisors for `make dev`, entered through the service's own functions (so it
is validated, ratio-checked and audited like anything an administrator or advisor enters):

- the demo directory's lawyer (陈立伟) engaged for three rural villages of 溧阳市 (≤ 3 villages per advisor
  there), or — when the demo tree has no 溧阳 villages — for the demo district's villages, as many as its
  rule allows;
- each village's service point, at an illustrative location (GCJ-02, not surveyed);
- verified check-ins and check-outs on the last days before today of this month, and two work-log entries.

Idempotent: fixed ids, records already there are left alone; the visits and the log are entered only while
the advisor has no other on-site entries (a load in a later month adds nothing to an earlier one's).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from chalicelib.domain.areas import service as areas
from chalicelib.domain.directory.models import Person
from chalicelib.plugin import DemoContext
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Unprocessable
from chalicelib.platform.timeutil import SHANGHAI, now_utc, plus_years, today_shanghai
from plugins.advisors import service
from plugins.advisors.models import (
    ENGAGEMENT, CheckIn, Engagement, EngagementIn, Entry, LOG, LogEntry, LogEntryIn, ServicePointIn, Village,
)

PERSON = "demo-p-chenliwei"
LIYANG = "320481"
DISTRICT = "320402"                       # the demo directory's district (天宁区), when 溧阳 is not loaded
CENTRE = (31.4168, 119.4842)              # 溧阳市区, GCJ-02 (illustrative)
# (village index, check-in, check-out) on the days before today: the first village meets 8 hours alone.
VISITS = ((0, time(8, 30), time(17, 0)), (1, time(9, 0), time(12, 0)), (2, time(14, 0), time(17, 0)))


def engagement_id(village: str) -> str:
    return Engagement.id_for(village, PERSON, "demo")


def villages(context: DemoContext) -> list[str]:
    """Three rural villages (村委会: the code's last three digits from 200) of 溧阳市, else of the demo district."""
    for prefix in (LIYANG, DISTRICT):
        codes = sorted(c for c in context.areas(prefix) if len(c) == 12)
        rural = [c for c in codes if c[9] in "23"] or codes
        if rural:
            return rural[:3]
    return []


def load(context: DemoContext) -> dict[str, int]:
    counts = {"engagements": 0, "service_points": 0, "visits": 0, "log_entries": 0}
    codes = villages(context)
    found = areas.get_many(codes)
    if storage.read(Person, PERSON) is None or not codes:
        return counts  # the directory's demo lawyer (or the villages) not loaded
    admin = Caller(sub=context.actor.sub, roles=frozenset({"admin"}), area="3204")
    advisor = Caller(sub=PERSON, roles=frozenset({"lawyer"}), area=DISTRICT)
    today = today_shanghai()
    engaged = []
    for n, code in enumerate(codes):
        if code not in found:
            continue
        village = storage.read(Village, code)
        if village is None or village.point_name is None:
            name = found[code].name
            service.set_point(admin, code, ServicePointIn(
                name=f"{name}公共法律服务工作室", address=f"{name}党群服务中心一楼",
                lat=round(CENTRE[0] + 0.011 * (n + 1), 4), lng=round(CENTRE[1] - 0.013 * (n + 1), 4)),
                village.version if village else None)
            counts["service_points"] += 1
        if storage.read(Engagement, engagement_id(code)) is None:
            start = today.replace(month=1, day=1)
            try:
                service.engage(admin, EngagementIn(
                    village=code, person_id=PERSON, start=start, end=plus_years(start, 3) - timedelta(days=1),
                    note="演示数据"), engagement_id=engagement_id(code))
            except Unprocessable as exc:
                if exc.code == "advisor_ratio_exceeded":  # the district's rule allows fewer villages
                    break
                raise
            counts["engagements"] += 1
        engaged.append(code)
    counts["visits"] = _visits(advisor, engaged, today)
    if counts["visits"] is not None:
        counts["log_entries"] = _log(advisor, engaged, today)
    return counts


def _visit_plan(engaged: list[str], today: date) -> list[tuple[str, str, datetime, datetime]]:
    """(village, entry id, in, out): a visit a day on the days before today of this month, never later than now."""
    now = now_utc()
    plan = []
    for n, (index, start, end) in enumerate(VISITS):
        day = today - timedelta(days=len(VISITS) - n)
        if index >= len(engaged) or day.month != today.month:
            continue
        at_in = datetime.combine(day, start, SHANGHAI)
        at_out = datetime.combine(day, end, SHANGHAI)
        if at_out <= now:
            plan.append((engaged[index], f"{at_in:%Y-%m-%d-%H%M}-demo{n + 1:04d}", at_in, at_out))
    return plan


def _visits(advisor: Caller, engaged: list[str], today: date) -> int | None:
    """The planned visits not yet entered; None when the advisor has entries of their own (left alone)."""
    plan = _visit_plan(engaged, today)
    planned = {entry_id for _, entry_id, _, _ in plan}
    stored = {}
    for code in engaged:
        page = storage.page(Entry, ENGAGEMENT, engagement_id(code), after=("entry",), limit=100)
        stored.update({e.id: e for e in (Entry.from_item(i) for i in page.items)})
    if set(stored) - planned:
        return None
    made = 0
    for code, entry_id, at_in, at_out in plan:
        point = storage.require(Village, code)
        where = {"lat": point.lat, "lng": point.lng}
        entry = stored.get(entry_id)
        if entry is None:
            service.check_in(advisor, engagement_id(code), CheckIn(**where, at=at_in), entry_id=entry_id)
        if entry is None or entry.check_out_at is None:
            service.check_out(advisor, engagement_id(code), CheckIn(**where, at=at_out))
            made += 1
    return made


def _log(advisor: Caller, engaged: list[str], today: date) -> int:
    """Two entries of the first village's log: a consultation day yesterday (or today, on the 1st) and the
    village rules reviewed today."""
    if not engaged:
        return 0
    code = engaged[0]
    yesterday = today - timedelta(days=1)
    first = yesterday if yesterday.month == today.month else today
    rows = (
        ("demo0001", LogEntryIn(village=code, on=first, duty="consultation", count=4, title="驻村接待法律咨询",
                                detail="土地承包经营权流转、赡养纠纷等咨询 4 人次")),
        ("demo0002", LogEntryIn(village=code, on=today, duty="document", document_kind="village_rules",
                                title="审核村规民约修订稿", detail="对村规民约修订稿提出合法性审核意见")),
    )
    made = 0
    for suffix, data in rows:
        entry_id = f"{data.on.isoformat()}-{suffix}"
        if storage.find_in(LogEntry, LOG, f"{code}.{data.on:%Y-%m}", ("entry", entry_id)) is None:
            service.log_entry(advisor, data, entry_id=entry_id)
            made += 1
    return made
