"""Each lawyer's number of open legal-aid cases (the load an officer weighs when assigning, SPEC L6), kept
as a count rather than found by reading the lawyer's list (CONTRACT, Data: counts are kept in the
transaction of the event they count).

A case is open with a lawyer while it is `assigned` and names them — the same rule that places it under
`open#` in the lawyer's list (`Application.place`). `ops(before, after)` is what every step of a case adds
to the tallies, in the step's own transaction (`workflow._save`): one down for the lawyer who held the case
open before, one up for the one who holds it open after, nothing when neither changed. So assigning,
closing, and any step that hands a case to another lawyer or ends it keep the count without knowing of it.
Reading the tallies of a page of lawyers is one BatchGetItem (`open_cases`).
"""
from __future__ import annotations

from typing import ClassVar, Iterable

from chalicelib.platform import storage
from plugins.legal_aid.models import Application, Status

ENTITY = "legal-aid-lawyer-load"


class LawyerLoad(storage.Record):
    """One lawyer's open legal-aid cases (`legal-aid-lawyer-load#<sub>`), only ever added to by the
    transactions of the case steps that open or end a case for them (`storage.add_to`)."""
    entity: ClassVar[str] = ENTITY

    id: str  # the lawyer's account id (sub)
    open_cases: int = 0


def holder(app: Application) -> str | None:
    """The lawyer for whom this case is open now, if any."""
    return app.lawyer if app.status == Status.assigned and app.lawyer else None


def ops(before: Application, after: Application) -> list[dict]:
    """The adds moving a case between lawyers' tallies as one step changes it from `before` to `after`."""
    held, holds = holder(before), holder(after)
    if held == holds:
        return []
    return [storage.add_to(LawyerLoad, sub, {"open_cases": amount})
            for sub, amount in ((held, -1), (holds, 1)) if sub]


def recount(lawyers: Iterable[str]) -> None:
    """Set the tallies of `lawyers` to their open cases as listed (one Query each): only to bring cases
    stored before the tallies existed up to date, once (the demo loader); never on a request path."""
    from plugins.legal_aid import conflicts

    storage.put_all([LawyerLoad(id=sub, open_cases=len(conflicts.open_cases(sub))) for sub in lawyers])
