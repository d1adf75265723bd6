"""The rules of mediation, with no HTTP: every function takes the caller and the parsed input, and raises
problems from chalicelib.platform.errors with field locations relative to its input (the web layer adds
`body`).

Who sees a dispute: mediators and grid workers whose area covers its grid (their area and below), the
mediator holding it (an expert named from elsewhere), the parties with a resident account named on it, and
the resident whose ticket opened it; to anyone else it does not exist (404). Phones and ID numbers are
shown masked; in full only to whoever holds the dispute
(the mediator, or a mediator of the holding committee), each such read audited.
"""
from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import CaseProgress, CaseRef, DemoContext, Finding, IntakeRequest, ScreeningContext
from chalicelib.platform import audit, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.timeutil import now_utc, today_shanghai
from plugins.mediation import params, rates, tiers
from plugins.mediation.models import (
    ENTITY, KINDS, MAX_FOLLOW_UPS, MAX_SESSIONS, MAX_STEPS, PERFORMANCE, RESULTS, STATUSES,
    TIER_AREA_DIGITS, TIERS, Agreement, Confirmation, ConfirmationIn, Contacts, Dispute, DisputeContactOut, DisputeIn,
    DisputeSummary, DisputeTransferIn, FollowUp, FollowUpIn, Holder, Mediator, Outcome, OutcomeIn,
    PartiesUpdateIn, PartyDispute, ResidentDisputeOut, RiskFlags, Session, SessionIn, Term, TierStep,
    resident_dispute_out,
)

STAFF = frozenset({"mediator", "grid_worker"})
AHEAD = timedelta(days=366)


# --- reading ---------------------------------------------------------------------------------------------

def _visible(caller: Caller, dispute: Dispute) -> bool:
    if caller.has_any(STAFF) and (caller.covers(dispute.grid) or holds(caller, dispute)):
        return True
    return dispute.readable_by_party(caller.sub) or (dispute.resident is not None and dispute.resident == caller.sub)


_UNREAD = object()


def named_grid(dispute_id: str) -> str | None:
    """The grid a dispute's id names (`<grid>.<hex>` entered directly, `<grid>.t<hex>` opened from a ticket),
    None for one that names none (a demo id). A dispute's grid never changes."""
    grid, dot, _ = dispute_id.partition(".")
    return grid if dot and len(grid) == 15 and grid.isdigit() else None


def read_with(dispute_id: str, names: list[str], *, mediators: Iterable[str] = (), whole_chain: bool = False
              ) -> tuple[Dispute | None, dict[str, Mediator], policy.Along | None]:
    """The dispute, the roster entries of `mediators` and the parameters `names` along its grid's chain
    (`whole_chain`: with the areas' names) in one BatchGetItem when its id names its grid (`named_grid`);
    otherwise the dispute and the entries, and None for the parameters (read them once the grid is known)."""
    grid = named_grid(dispute_id)
    wanted = [m for m in mediators if m]
    if grid is None:
        found = storage.find_each({Dispute: [dispute_id], Mediator: wanted})
        return found[Dispute].get(dispute_id), found[Mediator], None
    try:
        along = policy.read_along(names, grid, also={Dispute: [dispute_id], Mediator: wanted}, whole_chain=whole_chain)
    except NotFound:  # no such grid: no such dispute
        return None, {}, None
    return along.records[Dispute].get(dispute_id), along.records[Mediator], along


def get(caller: Caller, dispute_id: str, *, found: Dispute | None | object = _UNREAD) -> Dispute:
    """The dispute, if the caller may see it; otherwise a 404 (its existence is private). `found`: the
    dispute already read (with another record)."""
    dispute = storage.require(Dispute, dispute_id) if found is _UNREAD else found
    if dispute is None or not _visible(caller, dispute):
        raise NotFound(Dispute.missing[0], code=Dispute.missing[1])
    return dispute


def staff_dispute(caller: Caller, dispute_id: str, *, found: Dispute | None | object = _UNREAD) -> Dispute:
    """For changes: whoever holds the dispute, or staff over the area of the tier holding it (a grid's staff
    for a grid-tier dispute, the district's once it is at the district centre). A party reads, but does
    not change, the record; staff of the grid do not reach into a dispute held above them."""
    dispute = get(caller, dispute_id, found=found)
    if not (caller.has_any(STAFF) and (holds(caller, dispute) or caller.covers(tier_area(dispute)))):
        raise Forbidden(f"该纠纷由{TIERS[dispute.tier]}承办，您无权办理", code="not_handling_staff")
    return dispute


def tier_area(dispute: Dispute) -> str:
    """The area of the tier holding the dispute: its grid cut to that level."""
    return dispute.grid[:TIER_AREA_DIGITS[dispute.tier]]


def listing(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[DisputeSummary]:
    """Disputes under an area (the caller's own by default), for staff of that area: one Query."""
    scope = area or caller.area
    if not scope:
        raise Forbidden("只有工作人员可以查看纠纷列表", code="role_not_allowed")
    require_covers(caller, scope, ["area"])
    page = storage.page(Dispute, "mediation-dispute", scope, limit=limit, cursor=cursor, newest_first=True)
    return Page[DisputeSummary](items=[summary(Dispute.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[ResidentDisputeOut]:
    """The caller's own disputes (as a party with an account, or whose ticket opened them), newest first:
    one Query of their entries, one BatchGetItem of the disputes."""
    page = storage.page(PartyDispute, "mediation-mine", caller.sub, limit=limit, cursor=cursor, newest_first=True)
    found = storage.find_many(Dispute, [i["id"] for i in page.items])
    today = today_shanghai()
    disputes = [found[i["id"]] for i in page.items if i["id"] in found]
    return Page[ResidentDisputeOut](items=[resident_dispute_out(d, today) for d in disputes if _visible(caller, d)],
                                    next_cursor=page.next_cursor)


def _party_entries(dispute: Dispute) -> list[dict]:
    """The dispute's entries in its parties' own lists, written in the dispute's transaction (rewriting one
    that is there changes nothing, so parties recorded later are simply added)."""
    accounts = {p.account for p in dispute.parties if p.account} | ({dispute.resident} if dispute.resident else set())
    return [storage.put_op(PartyDispute(id=dispute.id, account=a, opened_on=dispute.opened_on).to_item(),
                           must_not_exist=False) for a in sorted(accounts)]


def summary(dispute: Dispute) -> DisputeSummary:
    return DisputeSummary(id=dispute.id, grid=dispute.grid, kind=dispute.kind, kind_label=KINDS[dispute.kind],
                          status=dispute.status, tier=dispute.tier, holder=dispute.holder, due=dispute.due,
                          opened_on=dispute.opened_on, version=dispute.version)


def holds(caller: Caller, dispute: Dispute) -> bool:
    """Whether the caller holds the dispute: its mediator, or a mediator of the holding committee."""
    holder = dispute.holder
    if holder.kind == "mediator":
        return holder.id == caller.sub
    return "mediator" in caller.roles and caller.area == holder.id.partition(":")[2]


def contacts(caller: Caller, dispute_id: str) -> Contacts:
    """The parties' phones and ID numbers in full, for whoever holds the dispute — audited."""
    dispute = get(caller, dispute_id)
    if not holds(caller, dispute):
        raise Forbidden("只有承办调解员可以查看当事人完整联系方式", code="not_holder")
    audit.record_read(caller.actor, ENTITY, dispute.id, "查看当事人完整联系方式")
    items = []
    for party in dispute.parties:
        phone = _reveal("phone", party.phone_cipher)
        id_number = _reveal("id_number", party.id_cipher)
        items.append(DisputeContactOut(name=party.name, role=party.role, phone=phone, id_number=id_number))
    return Contacts(items=items)


def _reveal(kind: str, cipher: str | None) -> str | None:
    from chalicelib.platform import pii

    return pii.decrypt(kind, cipher) if cipher else None


# --- opening ---------------------------------------------------------------------------------------------

NAMES = [params.DISTRICT_PEOPLE, params.DISTRICT_WORKERS, params.CONFIRMATION_DAYS, *params.TIER_DAYS.values()]


def _in_force(grid: str, on: date, *, also: dict | None = None) -> tuple[dict[str, policy.InForce], policy.Along]:
    """Every parameter a dispute at `grid` needs, in force on `on`, with the grid's areas (the committees'
    names) and `also` (a roster entry) in the same BatchGetItem. An unknown grid is a 422 naming the field
    (the creating transaction checks it again)."""
    try:
        along = policy.read_along(NAMES, grid, also=also, whole_chain=True)
    except NotFound as exc:
        if exc.code != "area_not_found":
            raise
        raise Unprocessable(f"网格 {grid} 不存在", code="area_not_found", errors=field_error(["grid"], "网格不存在"))
    return along.resolve_many(on), along


def _facts(kind: str, parties: int, risk: RiskFlags, found: dict[str, policy.InForce]) -> tiers.Facts:
    def threshold(name: str) -> tiers.Threshold:
        return tiers.Threshold(int(found[name].value), _cite(found[name]))

    return tiers.Facts(kind=kind, parties=parties, people_involved=risk.people_involved, workers=risk.workers,
                       petition_history=risk.petition_history, threat_of_escalation=risk.threat_of_escalation,
                       district_people=threshold(params.DISTRICT_PEOPLE),
                       district_workers=threshold(params.DISTRICT_WORKERS))


def _cite(in_force: policy.InForce) -> str:
    """The rule a reason rests on, as people read it: the area's version, or the platform's default."""
    if in_force.version_id == policy.DECLARED_DEFAULT:
        return "平台默认标准"
    return in_force.describe()


def committee(tier: str, grid: str, chain: dict | None = None) -> Holder:
    """The committee of `tier` for a grid, by name (from the grid's areas: `chain` as read with the
    parameters, or one BatchGetItem). Grid mediators belong to their village's committee (seeds/000: 镇、村调解
    组织的调解员全部进入网格), which holds a grid-tier dispute until one of them takes it."""
    body = "village" if tier == "grid" else tier
    area = grid[:TIER_AREA_DIGITS[body]]
    names = {code: a.name for code, a in (chain if chain is not None else areas.area_chain(grid)).items()}
    suffix = {"district": "矛盾纠纷调处中心", "industry": "行业性专业性人民调解委员会"}.get(body, "人民调解委员会")
    name = f"{names[area]}{suffix}" if area in names else f"{TIERS[body]}（{area}）"
    return Holder(kind="committee", id=f"{body}:{area}", title=TIERS[body], name=name)


def mediator_holder(account: str, *, loc: list[str] | None = None,
                    read: dict[str, Mediator] | None = None) -> Holder:
    """A mediator as holder, named from the roster (one GetItem, or none given `read`: the roster entries
    already read with the dispute). Naming someone not on the roster is a 422 at `loc`; a mediator
    registering a dispute themselves holds it even before they are enrolled."""
    found = read.get(account) if read is not None else storage.read(Mediator, account)
    if found is None and loc is not None:
        raise _not_on_roster(account, loc)
    if found is None:
        return Holder(kind="mediator", id=account, title=TIERS["grid"], name=account)
    return Holder(kind="mediator", id=account, title=found.committee, name=found.name)


def _step(caller: Caller, tier: str, holder: Holder, reasons: list[str], today: date,
          found: dict[str, policy.InForce]) -> TierStep:
    days = int(found[params.TIER_DAYS[tier]].value)
    return TierStep(tier=tier, holder=holder, reasons=reasons, at=now_utc(), by=caller.sub,
                    due=today + timedelta(days=days))


def open_dispute(caller: Caller, data: DisputeIn, *, dispute_id: str | None = None) -> Dispute:
    """Enter a dispute directly (a mediator or grid worker of the grid's area): the starting tier is decided
    by the named criteria with the parameters in force today, and the record, its audit entry and the check
    that the grid exists are one transaction.

    Two calls, one over a create's floor of 1: the starting tier is decided by parameters in force at the grid,
    and its holder is named before the write — the recording mediator from the roster or the tier's committee
    from the grid's areas —, all read in one BatchGetItem (`policy.read_along`)."""
    require_covers(caller, data.grid, ["grid"])
    today = today_shanghai()
    mediator = caller.sub if "mediator" in caller.roles else None
    found, along = _in_force(data.grid, today, also={Mediator: [mediator] if mediator else []})
    decision = tiers.starting_tier(_facts(data.kind, len(data.parties), data.risk, found), today)
    holder = _first_holder(caller, decision.tier, data.grid, read=along.records[Mediator], chain=along.areas)
    step = _step(caller, decision.tier, holder, decision.reasons, today, found)
    counted = _counted(holder, along.records[Mediator])
    dispute = Dispute(id=dispute_id or f"{data.grid}.{uuid.uuid4().hex}", grid=data.grid, kind=data.kind, facts=data.facts,
                      amount=data.amount, parties=[p.stored() for p in data.parties], risk=data.risk,
                      status="mediating", tier=decision.tier, holder=holder, due=step.due, history=[step],
                      opened_on=today, opened_by=caller.sub, counted_for=counted)
    return storage.put_new(dispute, also=[areas.must_exist(data.grid, field="grid", level="grid"),
                                          *rates.opened_ops(dispute), *_party_entries(dispute),
                                          *load_ops(None, counted),
                                          audit.entry(caller.actor, "create", ENTITY, dispute.id,
                                                      f"登记{KINDS[data.kind]}，起始层级：{decision.label}")])


def _first_holder(caller: Caller, tier: str, grid: str, *, read: dict[str, Mediator] | None = None,
                  chain: dict | None = None) -> Holder:
    """Who holds a dispute once its starting tier is decided: a grid mediator recording a grid-tier dispute
    takes it themselves; otherwise the committee of the tier. `read`: see `mediator_holder`; `chain`: see
    `committee`."""
    if tier == "grid" and "mediator" in caller.roles:
        return mediator_holder(caller.sub, read=read)
    return committee(tier, grid, chain)


def _counted(holder: Holder, roster: dict[str, Mediator]) -> str | None:
    """The mediator whose load tally counts a dispute held by `holder`: a mediator on the roster (`roster`: the
    entries read before the write); a mediator not yet enrolled, or a committee, has no tally."""
    return holder.id if holder.kind == "mediator" and holder.id in roster else None


def load_ops(before: str | None, after: str | None) -> list:
    """SPEC M3, CONTRACT "counts": move a dispute from the load tally of `before` to that of `after` (roster
    mediators' accounts, None: no tally) inside the transaction that changes its holder or closes it. The
    entry taking it must still be on the roster when that transaction is written (a 422 otherwise)."""
    if before == after:
        return []
    ops: list = [storage.amend(Mediator, before, add={"load": -1})] if before else []
    if after:
        ops.append(storage.Check(storage.amend(Mediator, after, add={"load": 1}), _not_on_roster(after, ["mediator"])))
    return ops


def _for_change(caller: Caller, dispute_id: str, mediator: str | None, today: date
                ) -> tuple[Dispute, dict[str, Mediator], dict[str, policy.InForce], policy.Along]:
    """The dispute, for its handling staff (`staff_dispute`), the roster entry of `mediator` (who may come to
    hold it) and every parameter in force at its grid today with the grid's areas (`_in_force`): one
    BatchGetItem when the id names the grid (`read_with`), else two (the grid is known once it is read)."""
    found, roster, along = read_with(dispute_id, NAMES, mediators=[mediator] if mediator else [], whole_chain=True)
    dispute = staff_dispute(caller, dispute_id, found=found)
    if along is None:
        return dispute, roster, *_in_force(dispute.grid, today)
    return dispute, roster, along.resolve_many(today), along


def record_parties(caller: Caller, dispute_id: str, data: PartiesUpdateIn, *, expected_version: int) -> Dispute:
    """Complete a dispute opened from a ticket: its parties, risk flags and — the ticket says only
    "矛盾纠纷" — its kind; the starting tier is then decided as for one entered directly, and the month's
    tallies follow it.

    Two calls: the dispute with the caller's roster entry (a grid mediator takes a grid-tier dispute, named
    from the roster) and the parameters in force at its grid with the grid's areas (a committee is named by
    its area) in one BatchGetItem (`_for_change`: the id names the grid, `open_from_ticket`), then the
    transaction."""
    today = today_shanghai()
    dispute, roster, found, along = _for_change(caller, dispute_id, caller.sub if "mediator" in caller.roles else None,
                                                today)
    if dispute.status != "registered":
        raise Conflict("当事人已登记；如需调整层级请移交", code="parties_already_recorded")
    kind = data.kind or dispute.kind
    decision = tiers.starting_tier(_facts(kind, len(data.parties), data.risk, found), today)
    holder = _first_holder(caller, decision.tier, dispute.grid, read=roster, chain=along.areas)
    step = _step(caller, decision.tier, holder, decision.reasons, today, found)
    counted = _counted(holder, roster)
    changes = {"kind": kind, "parties": [p.stored() for p in data.parties], "risk": data.risk, "status": "mediating",
               "tier": decision.tier, "holder": holder, "due": step.due, "history": [*dispute.history, step],
               "counted_for": counted}
    return storage.update(dispute, changes, expected_version=expected_version,
                          also=[*_party_entries(dispute.model_copy(update=changes)),
                                *load_ops(dispute.counted_for, counted),
                                *rates.retiered_ops(dispute, decision.tier),
                                audit.entry(caller.actor, "update", ENTITY, dispute.id,
                                            f"补录当事人 {len(data.parties)} 方，起始层级：{decision.label}")])


# --- tiers -----------------------------------------------------------------------------------------------

def _open(dispute: Dispute) -> None:
    if dispute.status == "closed":
        raise Conflict("该纠纷已结案", code="dispute_closed")
    if dispute.status == "registered":
        raise Conflict("请先补录当事人", code="parties_missing")


def transfer(caller: Caller, dispute_id: str, data: DisputeTransferIn, *, expected_version: int) -> Dispute:
    """Escalate, de-escalate or hand the dispute to a named mediator, with the reason recorded; the new
    tier's time limit runs from today.

    Two calls: the dispute, the mediator's roster entry and the parameters in force at the dispute's grid with
    the grid's areas (a committee is named by its area) in one BatchGetItem (`_for_change`: the id names the
    grid), then the transaction."""
    today = today_shanghai()
    dispute, roster, found, along = _for_change(caller, dispute_id, data.mediator, today)
    _open(dispute)
    if data.tier == dispute.tier and data.mediator is None:
        raise Unprocessable("层级未变化：请选择其他层级，或指定接手的调解员", code="nothing_to_transfer",
                            errors=field_error(["tier"], "与当前层级相同"))
    if len(dispute.history) >= MAX_STEPS:
        raise Conflict(f"移交已达 {MAX_STEPS} 次，请结案或报告上级", code="too_many_transfers")
    holder = (mediator_holder(data.mediator, loc=["mediator"], read=roster) if data.mediator
              else committee(data.tier, dispute.grid, along.areas))
    step = _step(caller, data.tier, holder, [data.reason], today, found)
    direction = _direction(dispute.tier, data.tier)
    counted = data.mediator  # a named mediator is on the roster (`mediator_holder` checked it)
    # the tally's change checks the roster entry in the transaction; staying with the same mediator, a check does
    on_roster = load_ops(dispute.counted_for, counted) or ([_on_roster(counted)] if counted else [])
    return storage.update(dispute, {"tier": data.tier, "holder": holder, "due": step.due,
                                    "history": [*dispute.history, step], "counted_for": counted},
                          expected_version=expected_version,
                          also=[*on_roster, audit.entry(caller.actor, "update", ENTITY, dispute.id,
                                            f"{direction}：{TIERS[dispute.tier]} → {TIERS[data.tier]}",
                                            {"tier": {"from": dispute.tier, "to": data.tier}})])


def _on_roster(mediator: str) -> storage.Check:
    """A named holder must still be a mediator on the roster when the transfer is written."""
    return storage.must_exist(Mediator, mediator, _not_on_roster(mediator, ["mediator"]))


def _not_on_roster(mediator: str, loc: list[str]) -> Unprocessable:
    return Unprocessable(f"调解员名册中没有 {mediator}", code="mediator_not_found",
                         errors=field_error(loc, "不在调解员名册中"))


def _direction(before: str, after: str) -> str:
    order = {"grid": 0, "village": 1, "town": 2, "industry": 2, "district": 3}
    if order[after] > order[before]:
        return "上移"
    return "下移" if order[after] < order[before] else "移交"


# --- sessions and outcome --------------------------------------------------------------------------------

def _not_before_intake(dispute: Dispute, on: date, loc: list[str]) -> None:
    if on < dispute.opened_on:
        raise Unprocessable(f"日期早于纠纷登记日 {dispute.opened_on.isoformat()}", code="before_intake",
                            errors=field_error(loc, "不能早于纠纷登记日"))
    if on > today_shanghai() + AHEAD:
        raise Unprocessable("日期不能晚于一年以后", code="date_out_of_range", errors=field_error(loc, "日期过晚"))


def add_session(caller: Caller, dispute_id: str, data: SessionIn, *, expected_version: int) -> Dispute:
    """Record a mediation session (调解记录) on the dispute, for its handling staff.

    Two calls, one over a create's floor of 1: the session is kept inside the dispute, written on the version
    read, after its state, its intake day and its number of sessions are checked."""
    dispute = staff_dispute(caller, dispute_id)
    _open(dispute)
    _not_before_intake(dispute, data.on, ["on"])
    if len(dispute.sessions) >= MAX_SESSIONS:
        raise Conflict(f"调解记录已达 {MAX_SESSIONS} 次", code="too_many_sessions")
    session = Session(id=uuid.uuid4().hex[:12], on=data.on, place=data.place, video=data.video,
                      participants=data.participants, notes=data.notes, recorded_by=caller.sub)
    return storage.update(dispute, {"sessions": [*dispute.sessions, session]}, expected_version=expected_version,
                          appends=True, also=[audit.entry(caller.actor, "update", ENTITY, dispute.id,
                                            f"记录调解（{data.on.isoformat()}）")])


def record_outcome(caller: Caller, dispute_id: str, data: OutcomeIn, *, expected_version: int) -> Dispute:
    """Close the dispute with its result. An agreement needs terms; its judicial-confirmation deadline is
    fixed from the day it took effect and the parameter in force that day (人民调解法 art. 33). Two
    mediators recording at once: the version decides, the second gets 409. Two calls: the dispute (with an
    agreement's parameters along the grid its id names, `read_with`), then the transaction."""
    found, along = _UNREAD, None
    if data.result == "agreement":
        found, _, along = read_with(dispute_id, [params.CONFIRMATION_DAYS, params.FOLLOW_UP_DAYS])
    dispute = staff_dispute(caller, dispute_id, found=found)
    _open(dispute)
    _not_before_intake(dispute, data.on, ["on"])
    agreement = _agreement(dispute, data, along)
    if data.result == "referred" and not data.referred_to:
        raise Unprocessable("请选择引导去向", code="referral_missing", errors=field_error(["referred_to"], "必填项"))
    outcome = Outcome(result=data.result, on=data.on, summary=data.summary,
                      referred_to=data.referred_to if data.result == "referred" else None,
                      agreement=agreement, recorded_by=caller.sub)
    entry = audit.entry(caller.actor, "update", ENTITY, dispute.id, f"结案：{RESULTS[data.result]}",
                        {"status": {"from": dispute.status, "to": "closed"}})
    changes = _watched_while_needed(dispute, {"status": "closed", "outcome": outcome, "counted_for": None})
    return rates.closing(dispute, outcome, lambda ops: storage.update(
        dispute, changes, expected_version=expected_version,
        also=[*ops, *load_ops(dispute.counted_for, None), entry]))


def _watched_while_needed(dispute: Dispute, changes: dict) -> dict:
    """`changes` with the watch-list date they lead to (a settled agreement leaves the list once its
    confirmation window and follow-up period are over, or a confirmation and full performance are recorded)."""
    after = dispute.model_copy(update=changes)
    return {**changes, "watch_until": after.needs_watching_until(today_shanghai())}


def _agreement(dispute: Dispute, data: OutcomeIn, along: policy.Along | None) -> Agreement | None:
    if data.result != "agreement":
        if data.agreement is not None:
            raise Unprocessable("只有达成协议时才填写协议内容", code="agreement_not_expected",
                                errors=field_error(["agreement"], "调解结果不是达成协议"))
        return None
    if data.agreement is None or not data.agreement.terms:
        raise Unprocessable("调解协议须写明协议条款", code="agreement_terms_missing",
                            errors=field_error(["agreement", "terms"], "至少一项协议条款"))
    signed = data.agreement.signed_on
    _not_before_intake(dispute, signed, ["agreement", "signed_on"])
    effective = data.agreement.effective_on or signed
    if effective < signed:
        raise Unprocessable("生效日期不能早于签署日期", code="effective_before_signed",
                            errors=field_error(["agreement", "effective_on"], "早于签署日期"))
    names = [params.CONFIRMATION_DAYS, params.FOLLOW_UP_DAYS]
    found = along.resolve_many(effective) if along else policy.resolve_many(names, dispute.grid, effective)
    days = int(found[params.CONFIRMATION_DAYS].value)
    perform_by = [t.perform_by for t in data.agreement.terms if t.perform_by]
    follow_up_until = (max(perform_by) + timedelta(days=int(found[params.FOLLOW_UP_DAYS].value))
                       if perform_by else None)
    return Agreement(number=f"{dispute.grid[:6]}-{effective.year}-{dispute.id.rpartition('.')[2][:8]}",
                     terms=[Term(**t.model_dump()) for t in data.agreement.terms], signed_on=signed,
                     effective_on=effective, confirmation_deadline=effective + timedelta(days=days),
                     follow_up_until=follow_up_until)


def follow_up(caller: Caller, dispute_id: str, data: FollowUpIn, *, expected_version: int) -> Dispute:
    """Record a performance follow-up of an agreement (履行回访): the day, how far it was performed, notes.

    Two calls, one over a create's floor of 1: the follow-up is kept inside the dispute's outcome, written on
    the version read, after its agreement and number of follow-ups are checked."""
    dispute = staff_dispute(caller, dispute_id)
    outcome = dispute.outcome
    if outcome is None or outcome.agreement is None:
        raise Conflict("只有达成调解协议的纠纷需要履行回访", code="no_agreement")
    if data.on < outcome.agreement.signed_on or data.on > today_shanghai():
        raise Unprocessable("回访日期应在协议签署之后、今天及以前", code="date_out_of_range",
                            errors=field_error(["on"], "日期不在协议签署日与今天之间"))
    if len(outcome.follow_ups) >= MAX_FOLLOW_UPS:
        raise Conflict(f"回访记录已达 {MAX_FOLLOW_UPS} 次", code="too_many_follow_ups")
    visit = FollowUp(on=data.on, performed=data.performed, notes=data.notes, recorded_by=caller.sub)
    changed = outcome.model_copy(update={"follow_ups": [*outcome.follow_ups, visit]})
    return storage.update(dispute, _watched_while_needed(dispute, {"outcome": changed}),
                          expected_version=expected_version, appends=True,
                          also=[audit.entry(caller.actor, "update", ENTITY, dispute.id,
                                            f"履行回访（{data.on.isoformat()}）：{PERFORMANCE[data.performed]}")])


def record_confirmation(caller: Caller, dispute_id: str, data: ConfirmationIn, *,
                        expected_version: int) -> Dispute:
    """Record that the parties applied for judicial confirmation — within the window (人民调解法 art. 33)
    — and the court's ruling once given; the agreement then leaves the confirmation watch."""
    dispute = staff_dispute(caller, dispute_id)
    outcome = dispute.outcome
    if outcome is None or outcome.agreement is None:
        raise Conflict("只有达成调解协议的纠纷可以申请司法确认", code="no_agreement")
    agreement, today = outcome.agreement, today_shanghai()
    if not agreement.effective_on <= data.applied_on <= min(agreement.confirmation_deadline, today):
        raise Unprocessable(f"申请日期应在协议生效日 {agreement.effective_on.isoformat()} 与申请期限 "
                            f"{agreement.confirmation_deadline.isoformat()} 之间，且不晚于今天", code="date_out_of_range",
                            errors=field_error(["applied_on"], "不在申请司法确认的期限内"))
    if data.confirmed_on is not None and not data.applied_on <= data.confirmed_on <= today:
        raise Unprocessable("裁定日期应在申请日期之后、今天及以前", code="date_out_of_range",
                            errors=field_error(["confirmed_on"], "日期不在申请日与今天之间"))
    confirmation = Confirmation(applied_on=data.applied_on, court=data.court, confirmed_on=data.confirmed_on,
                                recorded_by=caller.sub)
    changes = _watched_while_needed(dispute, {"outcome": outcome.model_copy(update={"confirmation": confirmation})})
    return storage.update(dispute, changes, expected_version=expected_version,
                          also=[audit.entry(caller.actor, "update", ENTITY, dispute.id,
                                            f"司法确认：{data.applied_on.isoformat()} 向{data.court}申请"
                                            + (f"，{data.confirmed_on.isoformat()} 裁定确认" if data.confirmed_on
                                               else ""))])


def performance_due(context: ScreeningContext) -> Iterable[Finding]:
    """Agreements whose last performance date has passed without a follow-up finding them fully performed."""
    for dispute in _watched(context.area):
        outcome = dispute.outcome
        agreement = outcome.agreement if outcome else None
        dates = [t.perform_by for t in agreement.terms if t.perform_by] if agreement else []
        if not dates or max(dates) >= context.as_of:
            continue
        if any(f.performed == "full" for f in outcome.follow_ups):
            continue
        yield Finding(check="mediation.performance-due", area=dispute.grid, severity="warning",
                      title="调解协议履行期限已过，尚无全部履行的回访记录",
                      detail=f"纠纷 {dispute.id}：最后履行期限 {max(dates).isoformat()}", record=dispute.id,
                      due=max(dates))


# --- what mediation declares on its Plugin ---------------------------------------------------------------

def may_attach(caller: Caller, dispute_id: str) -> None:
    """Link rule: whoever may read the dispute may attach files to it and read them (the agreement document
    is downloadable by the parties and the committee)."""
    get(caller, dispute_id)


def _watched(area: str) -> list[Dispute]:
    return [Dispute.from_item(i) for i in storage.every(Dispute, "mediation-watch", area, max_items=5000)]


def overdue(context: ScreeningContext) -> Iterable[Finding]:
    """Open disputes past their tier's time limit (SPEC M2, M5)."""
    for dispute in _watched(context.area):
        if dispute.status != "closed" and dispute.due < context.as_of:
            yield Finding(check="mediation.overdue", area=dispute.grid, severity="warning",
                          title=f"纠纷超过{TIERS[dispute.tier]}调解时限",
                          detail=f"纠纷 {dispute.id}（{_holder_name(dispute)}承办）：时限 {dispute.due.isoformat()}，"
                                 f"已超 {(context.as_of - dispute.due).days} 日", record=dispute.id, due=dispute.due)


def _holder_name(dispute: Dispute) -> str:
    return dispute.holder.name or dispute.holder.title


def high_risk(context: ScreeningContext) -> Iterable[Finding]:
    """Open disputes with a petition history or a threat of escalation (C7: 群体性事件 risks)."""
    for dispute in _watched(context.area):
        if dispute.status != "closed" and (dispute.risk.petition_history or dispute.risk.threat_of_escalation):
            yield Finding(check="mediation.high-risk", area=dispute.grid, severity="risk",
                          title="高风险矛盾纠纷尚未化解",
                          detail=f"纠纷 {dispute.id}：{_holder_name(dispute)}承办，{dispute.opened_on.isoformat()} 登记",
                          record=dispute.id)


def confirmation_window(context: ScreeningContext) -> Iterable[Finding]:
    """Agreements whose 30-day window for judicial confirmation closes soon and for which no application is
    recorded (人民调解法 art. 33). Reading the watch list, it also prunes it: agreements past their
    watch (`prune_watch`) leave it, so the list stays as long as what needs watching."""
    alerts: dict[str, int] = {}
    for dispute in prune_watch(_watched(context.area), today_shanghai()):
        outcome = dispute.outcome
        agreement = outcome.agreement if outcome else None
        if agreement is None or outcome.confirmation is not None or agreement.confirmation_deadline < context.as_of:
            continue
        if dispute.grid not in alerts:
            alerts[dispute.grid] = int(policy.resolve(params.CONFIRMATION_ALERT_DAYS, dispute.grid,
                                                      context.as_of).value)
        if (agreement.confirmation_deadline - context.as_of).days <= alerts[dispute.grid]:
            yield Finding(check="mediation.confirmation-window", area=dispute.grid, severity="info",
                          title="调解协议申请司法确认的期限即将届满",
                          detail=f"纠纷 {dispute.id}：协议 {agreement.effective_on.isoformat()} 生效，"
                                 f"须在 {agreement.confirmation_deadline.isoformat()} 前申请",
                          record=dispute.id, due=agreement.confirmation_deadline)


def prune_watch(watched: list[Dispute], today: date) -> list[Dispute]:
    """The watched disputes that still need watching; each settled one whose watch is over is taken out of
    the list (a conditional update clearing `watch_until`; one changed meanwhile is left for the next run)."""
    kept = []
    for dispute in watched:
        if dispute.status != "closed" or dispute.needs_watching_until(today) is not None:
            kept.append(dispute)
            continue
        try:
            storage.update(dispute, {"watch_until": None}, expected_version=dispute.version)
        except (Conflict, NotFound):
            pass
    return kept


def new_disputes(context: ScreeningContext) -> Iterable[Finding]:
    """The month's newly opened disputes in the area, from its tally (one GetItem): how many, and how
    many of them major enough to start at the district centre."""
    tally = rates.month_tally(context.area, context.month)
    opened = tally.count("opened")
    if opened:
        major = tally.count("opened_district")
        yield Finding(check="mediation.new-disputes", area=context.area, severity="info",
                      title=f"{context.month} 新登记矛盾纠纷 {opened} 起，其中由区矛盾纠纷调处中心调处 {major} 起",
                      record=f"new-{context.area}-{context.month}")


def hotspots(context: ScreeningContext) -> Iterable[Finding]:
    """Grids where open disputes of one kind pile up (C7: high-frequency problems): at least
    `mediation.hotspot_disputes` in force at the grid."""
    per_grid_kind = Counter((d.grid, d.kind) for d in _watched(context.area) if d.status != "closed")
    limits: dict[str, int] = {}
    for (grid, kind), count in sorted(per_grid_kind.items()):
        if grid not in limits:
            limits[grid] = int(policy.resolve(params.HOTSPOT_DISPUTES, grid, context.as_of).value)
        if count >= limits[grid]:
            yield Finding(check="mediation.hotspots", area=grid, severity="warning",
                          title=f"网格内未化解的{KINDS[kind]}达 {count} 起", record=f"hotspot-{grid}-{kind}")


def open_from_ticket(request: IntakeRequest) -> CaseRef:
    """Intake target: a ticket routed here opens a dispute (parties to be recorded by the mediator); the
    id follows from the ticket (`<grid>.t<hex>`: its grid, set when the ticket is created, and a hash of its
    code), so routing the same ticket twice opens one dispute, and the id names the grid like a dispute
    entered directly (`named_grid`)."""
    grid = request.area
    dispute_id = f"{grid}.t" + hashlib.sha256(request.ticket_id.encode()).hexdigest()[:24]
    today = today_shanghai()
    found, along = _in_force(grid, today)
    holder = committee("grid", grid, along.areas)
    reasons = ["由受理台转来，补录当事人后按规则判定起始层级"]
    step = TierStep(tier="grid", holder=holder, reasons=reasons, at=now_utc(), by=request.actor.sub,
                    due=today + timedelta(days=int(found[params.TIER_DAYS["grid"]].value)))
    kind = request.category if request.category in KINDS else "other"
    dispute = Dispute(id=dispute_id, grid=grid, kind=kind, facts=request.text, status="registered", tier="grid",
                      holder=holder, due=step.due, history=[step], opened_on=today, opened_by=request.actor.sub,
                      ticket_id=request.ticket_id, resident=request.resident)
    try:
        storage.put_new(dispute, also=[areas.must_exist(grid, field="area", level="grid"), *rates.opened_ops(dispute),
                                       *_party_entries(dispute),
                                       audit.entry(request.actor, "create", ENTITY, dispute_id,
                                                   f"受理台转来（工单 {request.ticket_id}）")])
    except Conflict as exc:
        if exc.code != "already_exists":
            raise
    return CaseRef(service="mediation", entity=ENTITY, id=dispute_id, title=f"{KINDS[kind]}（人民调解）")


def progress(ref: CaseRef) -> CaseProgress:
    """Intake target: where the dispute stands, and once closed what came of it, for the ticket."""
    dispute = storage.require(Dispute, ref.id)
    if dispute.status != "closed" or dispute.outcome is None:
        return CaseProgress(status=f"{STATUSES[dispute.status]}（{TIERS[dispute.tier]}）")
    return CaseProgress(status=STATUSES["closed"], closed=True,
                        result=f"{RESULTS[dispute.outcome.result]}：{dispute.outcome.summary}")


def load_demo(context: DemoContext) -> None:
    from plugins.mediation import demo

    demo.load(context)

