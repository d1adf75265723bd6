"""Who may read a ticket: the resident it concerns, and staff covering its grid. To anyone else it does not
exist (404): a ticket's text is often private (a family matter, a debt). The same rule decides who may link
files to a ticket and read them (`chalicelib.domain.files` asks `may_link`), so attachments are read by
exactly the ticket's readers."""
from __future__ import annotations

from chalicelib.domain.intake.models import ENTITY, Ticket  # noqa: F401  (ENTITY: the linked-record name files use)
from chalicelib.platform import storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import NotFound


def load(code: str, *, consistent: bool = False) -> Ticket:
    return storage.require(Ticket, code, consistent=consistent)


def is_resident_of(caller: Caller, ticket: Ticket) -> bool:
    return ticket.resident is not None and caller.sub == ticket.resident


def readable(caller: Caller, code: str) -> Ticket:
    """The ticket if the caller may read it; otherwise the same 404 as an unknown code."""
    ticket = load(code)
    if is_resident_of(caller, ticket) or caller.covers(ticket.grid):
        return ticket
    detail, problem_code = Ticket.missing
    raise NotFound(detail, code=problem_code)


def may_link(caller: Caller, code: str) -> None:
    """Link rule for files (entity `intake-ticket`)."""
    readable(caller, code)
