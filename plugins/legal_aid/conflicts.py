"""Conflict-of-interest check before assigning a lawyer (beyond the seeds; LegalServer does it).

A lawyer may not be assigned when, in one of their OPEN cases (assigned, not yet closed):
- their client there is this case's opposing party (`client_is_opposing_party`), or
- the party they act against there is this case's applicant (`opposing_party_is_client`).
Parties match on the ID hash where both sides have one (two people named 张伟 with different ID numbers
are different people); otherwise on the normalized name. A hit blocks the assignment unless an officer
gives a reason, which is stored with the hits and written to the audit trail.

No read of its own: the parties of the lawyer's open cases are kept beside their tally (`loads.LawyerParties`),
read with the case. `open_cases` (one Query of the lawyer's list) only rebuilds them (`loads.recount`).
"""
from __future__ import annotations

from chalicelib.platform import storage
from plugins.legal_aid.loads import LawyerParties
from plugins.legal_aid.models import LAWYER_INDEX, Application, ConflictHit


def _same(name_a: str, hash_a: str | None, name_b: str, hash_b: str | None) -> str | None:
    if hash_a and hash_b:
        return "id" if hash_a == hash_b else None
    return "name" if name_a == name_b else None


def open_cases(lawyer: str) -> list[Application]:
    return [Application.from_item(i) for i in storage.every(Application, LAWYER_INDEX, lawyer, after=("open",))]


def check(app: Application, held: LawyerParties | None) -> list[ConflictHit]:
    """The hits of assigning `app` to the lawyer whose open cases' parties are `held` (None: they hold none)."""
    hits = []
    for case_id, other in sorted((held.entries if held else {}).items()):
        if case_id == app.id:
            continue
        match = _same(other["applicant"], other.get("applicant_id"), app.opposing.name_key, app.opposing.id_hash)
        if match:
            hits.append(ConflictHit(case_id=case_id, relation="client_is_opposing_party", match=match,
                                    party_name=app.opposing.name))
        match = _same(other["opposing"], other.get("opposing_id"), app.applicant.name_key, app.applicant.id_hash)
        if match:
            hits.append(ConflictHit(case_id=case_id, relation="opposing_party_is_client", match=match,
                                    party_name=app.applicant.name))
    return hits


def describe(hit: ConflictHit) -> str:
    how = "身份证号/信用代码一致" if hit.match == "id" else "名称一致"
    if hit.relation == "client_is_opposing_party":
        return f"该律师在办案件 {hit.case_id} 中代理本案对方当事人「{hit.party_name}」（{how}）"
    return f"该律师在办案件 {hit.case_id} 中的对方当事人是本案申请人「{hit.party_name}」（{how}）"
