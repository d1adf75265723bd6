"""Conflict-of-interest check before assigning a lawyer (beyond the seeds; LegalServer does it).

A lawyer may not be assigned when, in one of their OPEN cases (assigned, not yet closed):
- their client there is this case's opposing party (`client_is_opposing_party`), or
- the party they act against there is this case's applicant (`opposing_party_is_client`).
Parties match on the ID hash where both sides have one (two people named 张伟 with different ID numbers
are different people); otherwise on the normalized name. A hit blocks the assignment unless an officer
gives a reason, which is stored with the hits and written to the audit trail.

One Query: the lawyer's open cases (the lawyer's list of `Application`, narrowed to `open`; DATA_MODEL.md L3).
"""
from __future__ import annotations

from chalicelib.platform import storage
from plugins.legal_aid.models import LAWYER_INDEX, Application, ConflictHit

def _same(name_a: str, hash_a: str | None, name_b: str, hash_b: str | None) -> str | None:
    if hash_a and hash_b:
        return "id" if hash_a == hash_b else None
    return "name" if name_a == name_b else None


def open_cases(lawyer: str) -> list[Application]:
    return [Application.from_item(i) for i in storage.every(Application, LAWYER_INDEX, lawyer, after=("open",))]


def check(app: Application, lawyer: str) -> list[ConflictHit]:
    hits = []
    for other in open_cases(lawyer):
        if other.id == app.id:
            continue
        match = _same(other.applicant.name_key, other.applicant.id_hash, app.opposing.name_key, app.opposing.id_hash)
        if match:
            hits.append(ConflictHit(case_id=other.id, relation="client_is_opposing_party", match=match,
                                    party_name=app.opposing.name))
        match = _same(other.opposing.name_key, other.opposing.id_hash, app.applicant.name_key, app.applicant.id_hash)
        if match:
            hits.append(ConflictHit(case_id=other.id, relation="opposing_party_is_client", match=match,
                                    party_name=app.applicant.name))
    return hits


def describe(hit: ConflictHit) -> str:
    how = "身份证号/信用代码一致" if hit.match == "id" else "名称一致"
    if hit.relation == "client_is_opposing_party":
        return f"该律师在办案件 {hit.case_id} 中代理本案对方当事人「{hit.party_name}」（{how}）"
    return f"该律师在办案件 {hit.case_id} 中的对方当事人是本案申请人「{hit.party_name}」（{how}）"
