"""Who may read a ticket (CONTRACT "Identity and access": a resident's request is read on a need-to-know
basis). To anyone else it does not exist (404): a ticket's text is often private (a family matter, a debt).

- its resident, always;
- while nobody holds it (a resident's request just received): the receivers of its grid
  (`models.RECEIVERS`, a lawyer only at the grid's own desk: `models.RECEIVER_MIN_AREA`), who may accept it
  (首问负责制), and the area's admins;
- once held: its owner (the first receiver), the staff of the service it was routed to in its area (the
  roles the intake target names in `handled_by`, or whom the target's `holds` hook names for this case,
  e.g. the assigned lawyer), the grid's own worker and the area's admins.
Any other staff role of the area (a notary, an appraiser, a publicist, a corrections officer …) gets 404.

The same rule decides who may act on a ticket (`service._handle`), which tickets an area list shows, and who
may link files to a ticket and read them (`chalicelib.domain.files` asks `may_link`), so attachments are
read by exactly the ticket's readers. A list does not ask a target's `holds` per line (a read per ticket):
the staff it names find the case through their service and read its ticket one by one.

The service's result (the case's outcome, on the ticket as its progress or as the answer it was closed
with) goes only to those who may read the case: the resident, the service's `handled_by` staff of the area
and whom `holds` names (`reads_case`) — not to the owner, the grid's worker or the admins, who see that the
case is done."""
from __future__ import annotations

from chalicelib import plugin
from chalicelib.domain.intake.models import ENTITY, RECEIVER_MIN_AREA, RECEIVERS, Ticket  # noqa: F401  (ENTITY: the linked-record name files use)
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound
from chalicelib.platform.logs import logger

GRID_WORKER = "grid_worker"


def load(code: str, *, consistent: bool = False) -> Ticket:
    return storage.require(Ticket, code, consistent=consistent)


def must_stand(code: str, problem: Exception, *, status: str) -> storage.Check:
    """A condition for another service's transaction: the ticket `code` is in `status` (rated only while
    closed); `problem` is raised when it is not — no read before the write."""
    return storage.must_exist(Ticket, code, problem, equals={"status": status})


def is_resident_of(caller: Caller, ticket: Ticket) -> bool:
    return ticket.resident is not None and caller.sub == ticket.resident


def _target(ticket: Ticket) -> plugin.IntakeTarget | None:
    """The intake target the ticket is routed to (none before routing, or when that service is disabled)."""
    if ticket.case is None:
        return None
    return next((t for _, t in plugin.intake_targets() if t.code == ticket.case.target), None)


def handled_by(ticket: Ticket) -> frozenset[str]:
    """The staff roles of the service the ticket is routed to (none before routing, or when that service is
    no longer enabled)."""
    target = _target(ticket)
    return frozenset(target.handled_by) if target else frozenset()


def receives(caller: Caller, grid: str) -> bool:
    """A receiver of the grid (`RECEIVERS`) at a level that receives its requests (`RECEIVER_MIN_AREA`)."""
    if not caller.covers(grid):
        return False
    return any(role in caller.roles and len(caller.area or "") >= RECEIVER_MIN_AREA.get(role, 0) for role in RECEIVERS)


def holds_case(caller: Caller, ticket: Ticket) -> bool:
    """Whether the routed service names the caller as holding the ticket's case (its `holds` hook), for
    staff of the grid's area. A service failing in the hook fails alone: the answer is no."""
    target = _target(ticket)
    if target is None or target.holds is None or not caller.covers(ticket.grid):
        return False
    try:
        return bool(target.holds(caller, ticket.case.ref()))
    except Exception as exc:  # noqa: BLE001 — a plugin failing in a hook fails alone
        logger().exception("intake holds failed", extra={"target": target.code, "error": type(exc).__name__})
        return False


def may_read(caller: Caller, ticket: Ticket, *, ask_service: bool = True) -> bool:
    """The rule above; `ask_service=False` (lists) leaves out the target's per-case `holds` hook."""
    if is_resident_of(caller, ticket) or (ticket.owner is not None and caller.sub == ticket.owner):
        return True
    if not caller.covers(ticket.grid):
        return False
    if caller.is_admin:
        return True
    if ticket.owner is None:
        return receives(caller, ticket.grid)
    if (GRID_WORKER in caller.roles and caller.area == ticket.grid) or caller.has_any(handled_by(ticket)):
        return True
    return ask_service and holds_case(caller, ticket)


def reads_case(caller: Caller, ticket: Ticket) -> bool:
    """Whether the caller, a reader of the ticket, may also read its service's case (and so its result)."""
    if is_resident_of(caller, ticket):
        return True
    if caller.covers(ticket.grid) and caller.has_any(handled_by(ticket)):
        return True
    return holds_case(caller, ticket)


def hidden() -> NotFound:
    detail, problem_code = Ticket.missing
    return NotFound(detail, code=problem_code)


def readable(caller: Caller, code: str) -> Ticket:
    """The ticket if the caller may read it; otherwise the same 404 as an unknown code."""
    ticket = load(code)
    if not may_read(caller, ticket):
        raise hidden()
    return ticket


def may_link(caller: Caller, code: str) -> None:
    """Link rule for files (entity `intake-ticket`)."""
    readable(caller, code)
