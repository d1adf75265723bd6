"""Each lawyer's number of open legal-aid cases (the load an officer weighs when assigning, SPEC L6), kept
as a count rather than found by reading the lawyer's list (CONTRACT, Data: counts are kept in the
transaction of the event they count).

A case is open with a lawyer while it is `assigned` and names them — the same rule that places it under
`open#` in the lawyer's list (`Application.place`). `ops(before, after)` is what every step of a case adds
to the tallies, in the step's own transaction (`workflow._save`): one down for the lawyer who held the case
open before, one up for the one who holds it open after, nothing when neither changed. So assigning,
closing, and any step that hands a case to another lawyer or ends it keep the count without knowing of it.
Reading the tallies of a page of lawyers is one BatchGetItem (`open_cases`).

Beside each tally, the same steps keep the parties of the lawyer's open cases (`LawyerParties`, one entry
per case: its applicant's and opposing party's name key and ID hash), which is all the conflict-of-interest
check needs: an assignment reads them with the case, not the lawyer's list of cases.
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


class LawyerParties(storage.Aggregate):
    """The parties of one lawyer's open cases (`legal-aid-lawyer-parties#<sub>`), an entry per case set and
    removed by the same steps that move the tally (`ops`), read by the conflict check (`conflicts.check`)."""
    entity: ClassVar[str] = "legal-aid-lawyer-parties"
    key_fields: ClassVar[tuple[str, ...]] = ("lawyer",)
    lawyer: str | None = None


def parties_entry(app: Application) -> dict[str, str]:
    """What the conflict check compares of a case: its two parties' name keys and ID hashes (no clear ID)."""
    entry = {"applicant": app.applicant.name_key, "applicant_id": app.applicant.id_hash,
             "opposing": app.opposing.name_key, "opposing_id": app.opposing.id_hash}
    return {k: v for k, v in entry.items() if v}


def holder(app: Application) -> str | None:
    """The lawyer for whom this case is open now, if any."""
    return app.lawyer if app.status == Status.assigned and app.lawyer else None


def ops(before: Application, after: Application) -> list[dict]:
    """The adds moving a case between lawyers' tallies as one step changes it from `before` to `after`."""
    held, holds = holder(before), holder(after)
    if held == holds:  # a step that changed the parties of an open case changes its entry too
        changed = held and parties_entry(before) != parties_entry(after)
        return [storage.set_entries(LawyerParties, held, set_={after.id: parties_entry(after)})] if changed else []
    tallies = [storage.add_to(LawyerLoad, sub, {"open_cases": amount}) for sub, amount in ((held, -1), (holds, 1)) if sub]
    parties = ([storage.set_entries(LawyerParties, held, remove=[after.id])] if held else []) + \
        ([storage.set_entries(LawyerParties, holds, set_={after.id: parties_entry(after)})] if holds else [])
    return [*tallies, *parties]


def recount(lawyers: Iterable[str]) -> None:
    """Set the tallies and the open cases' parties of `lawyers` from their open cases as listed (one Query
    each): only to bring cases stored before they were kept up to date, once (the demo loader); never on a
    request path."""
    from plugins.legal_aid import conflicts

    held = {sub: conflicts.open_cases(sub) for sub in lawyers}
    storage.put_all([r for sub, cases in held.items() for r in (
        LawyerLoad(id=sub, open_cases=len(cases)),
        LawyerParties(lawyer=sub, entries={c.id: parties_entry(c) for c in cases}))])
