"""What legal aid contributes to the core's cross-service features (chalicelib/plugin.py hooks)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable

from chalicelib import plugin
from chalicelib.domain.ledgers import counters
from chalicelib.domain.policy import service as policy
from chalicelib.platform.timeutil import SHANGHAI, now_utc, to_shanghai, today_shanghai
from plugins.legal_aid import households, params, queue
from plugins.legal_aid.models import MatterType, Status

# --- coverage (C3) ----------------------------------------------------------------------------------

# seeds/000 item 7: every grid has a legal-aid contact (网格工作人员及联系方式).
COVERAGE_ROLES = (plugin.CoverageRole(code="legal_aid_contact", title="法律援助联络员", minimum=1),)


# --- ledger (C9) -----------------------------------------------------------------------------------

# seeds/004's yearly counts: legal-aid cases assisted; plus the outreach L7 asks for. Each column reads the
# counter of the same key (counts.py), kept in the transaction of what it counts.
LEDGER_COLUMNS = tuple(plugin.LedgerColumn(key=key, title=title, values=counters.monthly(key)) for key, title in (
    ("legal_aid.applications", "法律援助申请（件）"),
    ("legal_aid.cases_assisted", "协助办理法律援助（件）"),
    ("legal_aid.green_channel", "其中绿色通道（件）"),
    ("legal_aid.amount_recovered", "为受援人挽回金额（元）"),
    ("legal_aid.households_visited", "困难群体入户走访（户次）"),
))


# --- monthly screening (C7) ------------------------------------------------------------------------

def _as_of_moment(as_of: date) -> datetime:
    """Now, when screening today; the end of `as_of` (Asia/Shanghai) for a past month's run."""
    if as_of >= today_shanghai():
        return now_utc()
    return datetime.combine(as_of + timedelta(days=1), time(0), SHANGHAI).astimezone(timezone.utc)


def _next_month(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year + (mon == 12):04d}-{mon % 12 + 1:02d}"


# Findings are listed to every staff member of the area, so they carry record ids and dates, never names
# or a household's category (低保/重度残疾 is the person's status).

def green_channel_overdue(ctx: plugin.ScreeningContext) -> Iterable[plugin.Finding]:
    """L5: green-channel cases past their one-working-day deadline: one Query reading only those."""
    moment = _as_of_moment(ctx.as_of)
    for entry in queue.due_before(ctx.area, queue.GREEN, moment):
        deadline = datetime.fromisoformat(entry["deadline"])
        if deadline < moment:
            hours = (moment - deadline).total_seconds() / 3600
            yield plugin.Finding(
                check="legal-aid.green-channel-overdue", area=entry["area"], severity="risk",
                title="绿色通道案件超时未完成受理、审查、指派",
                detail=f"案件 {entry['application_id']}（{MatterType(entry['matter_type']).label}）时限 "
                       f"{to_shanghai(deadline).strftime('%Y-%m-%d %H:%M')}，已超 {hours:.0f} 小时；"
                       f"当前状态：{Status(entry['status']).label}",
                record=entry["application_id"], due=to_shanghai(deadline).date())


def approved_unassigned(ctx: plugin.ScreeningContext) -> Iterable[plugin.Finding]:
    """L6: approved cases still without a lawyer after `legal_aid.unassigned_alert_days` (in force at each
    case's area). Reads only the cases approved more days ago than the parameter's smallest allowed value —
    any of them may be late, none of the others can be — never the whole queue, however many cases wait."""
    moment = _as_of_moment(ctx.as_of)
    alert: dict[str, int] = {}
    for entry in queue.approved_before(ctx.area, moment - timedelta(days=params.UNASSIGNED_ALERT_SHORTEST)):
        area = entry["area"]
        if area not in alert:
            found = policy.resolve_or_none(params.UNASSIGNED_ALERT_DAYS, area, ctx.as_of)
            alert[area] = int(found.value) if found else 3
        approved = datetime.fromisoformat(entry["approved_at"])
        waited = (moment - approved).days
        if waited > alert[area]:
            yield plugin.Finding(
                check="legal-aid.approved-unassigned", area=area, severity="warning",
                title=f"批准后超过 {alert[area]} 日仍未指派律师",
                detail=f"案件 {entry['application_id']}：{to_shanghai(approved).date().isoformat()} 批准，已 {waited} 日",
                record=entry["application_id"])


def households_unvisited(ctx: plugin.ScreeningContext) -> Iterable[plugin.Finding]:
    """L7: households on the vulnerable list not yet visited, one finding per grid (from the per-grid tally)."""
    for grid, count in sorted(households.unvisited_per_grid(ctx.area)):
        yield plugin.Finding(
            check="legal-aid.households-unvisited", area=grid, severity="info",
            title=f"{count} 户困难群体尚未入户走访", detail="低保户、特困、重度残疾、五保、困难职工、农民工名单中尚未走访的",
            record=f"unvisited-{grid}")


def household_status_expiring(ctx: plugin.ScreeningContext) -> Iterable[plugin.Finding]:
    """L7: vulnerable statuses ending this month or next (to be renewed or closed)."""
    for month in (ctx.month, _next_month(ctx.month)):
        for item in households.expiring(ctx.area, month):
            yield plugin.Finding(
                check="legal-aid.household-status-expiring", area=item["grid"], severity="info",
                title="困难群体资格即将到期",
                detail=f"有 1 户困难群体资格将于 {item['valid_until']} 到期（户编号 {item['household_id']}），请核实是否续期",
                record=item["household_id"], due=date.fromisoformat(item["valid_until"]))


SCREENING_CHECKS = (
    # Deadlines of days (L5: one working day; L6: days after approval) are looked at daily, not monthly.
    plugin.ScreeningCheck("legal-aid.green-channel-overdue", "绿色通道案件超时", green_channel_overdue,
                          role="legal_aid_officer", cadence="daily"),
    plugin.ScreeningCheck("legal-aid.approved-unassigned", "批准后未按时指派律师", approved_unassigned,
                          role="legal_aid_officer", cadence="daily"),
    plugin.ScreeningCheck("legal-aid.households-unvisited", "困难群体尚未入户走访", households_unvisited),
    plugin.ScreeningCheck("legal-aid.household-status-expiring", "困难群体资格即将到期", household_status_expiring),
)


# --- demo data -------------------------------------------------------------------------------------

def demo_data(ctx: plugin.DemoContext) -> None:
    """Root defaults of legal aid's parameters and Changzhou's 2021 exemption policy; a few applications in
    天宁区 — a migrant worker's wage claim (green channel), a means-tested one, an elderly rural applicant —
    and a grid's vulnerable households. Idempotent: fixed ids, existing records left alone."""
    from plugins.legal_aid import demo

    params.load_demo(ctx.actor)
    demo.load(ctx)


__all__ = ["COVERAGE_ROLES", "LEDGER_COLUMNS", "SCREENING_CHECKS", "demo_data"]
