"""Who may read a ticket (CONTRACT "Identity and access": a resident's request is read on a need-to-know
basis). To anyone else it does not exist (404): a ticket's text is often private (a family matter, a debt).

- its resident, always;
- while nobody holds it (a resident's request just received): the receivers of its area
  (`models.RECEIVERS`), who may accept it (首问负责制), and the area's admins;
- once held: its owner (the first receiver), the staff of the service it was routed to in its area (the
  roles the intake target names in `handled_by`), the grid's own worker and the area's admins.
Any other staff role of the area (a notary, an appraiser, a publicist, a corrections officer …) gets 404.

The same rule decides who may act on a ticket (`service._handle`), which tickets an area list shows, and who
may link files to a ticket and read them (`chalicelib.domain.files` asks `may_link`), so attachments are
read by exactly the ticket's readers."""
from __future__ import annotations

from chalicelib import plugin
from chalicelib.domain.intake.models import ENTITY, RECEIVERS, Ticket  # noqa: F401  (ENTITY: the linked-record name files use)
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound

GRID_WORKER = "grid_worker"


def load(code: str, *, consistent: bool = False) -> Ticket:
    return storage.require(Ticket, code, consistent=consistent)


def is_resident_of(caller: Caller, ticket: Ticket) -> bool:
    return ticket.resident is not None and caller.sub == ticket.resident


def handled_by(ticket: Ticket) -> frozenset[str]:
    """The staff roles of the service the ticket is routed to (none before routing, or when that service is
    no longer enabled)."""
    if ticket.case is None:
        return frozenset()
    return next((frozenset(t.handled_by) for _, t in plugin.intake_targets() if t.code == ticket.case.target),
                frozenset())


def may_read(caller: Caller, ticket: Ticket) -> bool:
    if is_resident_of(caller, ticket) or (ticket.owner is not None and caller.sub == ticket.owner):
        return True
    if not caller.covers(ticket.grid):
        return False
    if caller.is_admin:
        return True
    if ticket.owner is None:
        return caller.has_any(RECEIVERS)
    return (GRID_WORKER in caller.roles and caller.area == ticket.grid) or caller.has_any(handled_by(ticket))


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
