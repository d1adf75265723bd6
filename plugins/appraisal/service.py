"""The rules of `appraisal`, with no HTTP: the registry of what each appraisal institution is licensed for,
and consultations (SPEC A1) — a resident asks about a kind of appraisal; staff of the area answer with
guidance and the registered institutions licensed for that kind, nearest first; the statutory clock an
institution works to (司法鉴定程序通则: decide acceptance within 7 working days of receiving the commission,
art. 13; finish within 30 working days, art. 28 — policy parameters) is shown as what to expect."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Callable, Iterable

from chalicelib.domain.areas import service as areas
from chalicelib.domain.directory import service as directory
from chalicelib.domain.directory.models import AreaLinks, Institution, InstitutionIn
from chalicelib.domain import means
from chalicelib.domain.policy import service as policy
from chalicelib.plugin import DemoContext, Finding, ScreeningContext
from chalicelib.platform import audit, pii, storage, workdays
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Page
from chalicelib.platform.storage.paging import paged
from chalicelib.platform.timeutil import now_utc, today_shanghai
from plugins.appraisal import counts, relief
from plugins.appraisal.models import (
    ACCEPTANCE_DAYS, ANSWER_DAYS, COMPLETION_DAYS, CONSULTATION, KINDS, LICENCE, USES, ConsultationAnswerIn, Clock,
    Consultation, ConsultationContactOut, ConsultationIn, ConsultationOut, CriterionOut, FeeRelief, FeeReliefIn,
    Licence, LicenceIn, LicenceRegistry, LicensedInstitution, InstitutionRecommendation, registry_entry,
)

INSTITUTION_KIND = "appraisal_institution"
STAFF = frozenset({"appraiser", "legal_aid_officer", "admin"})
DISTRICT_DIGITS = 6  # a district code: the widest area whose staff still hold its consultations
RECOMMENDED = 5  # institutions named in an answer


# --- the registry ---------------------------------------------------------------------------------

def set_licence(caller: Caller, institution_id: str, data: LicenceIn,
                expected_version: int | None) -> tuple[Licence, Institution]:
    """An administrator of the institution's area records the kinds it is licensed for (first time: no
    version; a change: the version last read). The licence, and its institution for the answer: the two are
    one read (BatchGetItem); the licence, its copy in its province's registry (`LicenceRegistry`) and its
    audit entry one transaction."""
    found = storage.find_each({Institution: [institution_id], Licence: [institution_id] if expected_version is not None else []})
    inst = found[Institution].get(institution_id)
    if inst is None:
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    if inst.kind != INSTITUTION_KIND:
        raise Unprocessable(f"{inst.name}不是司法鉴定机构", code="not_an_appraisal_institution",
                            errors=field_error(["institution_id"], "不是司法鉴定机构"))
    if not (caller.is_admin and caller.covers(inst.home_area)):
        raise Forbidden("只有该机构所在地的管理员可以登记执业类别", code="outside_jurisdiction")
    kinds = sorted(set(data.kinds), key=list(KINDS).index)
    note = audit.entry(caller.actor, "update" if expected_version else "create", LICENCE, inst.id,
                       f"登记{inst.name}执业类别：" + "、".join(KINDS[k] for k in kinds))

    def registered(licence: Licence) -> dict:
        return storage.set_entries(LicenceRegistry, _province(inst.home_area), set_={inst.id: registry_entry(licence)})

    if expected_version is None:
        licence = storage.stamp_new(Licence(id=inst.id, licence_no=data.licence_no, kinds=kinds))
        try:
            return storage.put_new(licence, also=[note, registered(licence)]), inst
        except Conflict as exc:
            if exc.code == "already_exists":
                raise Conflict("该机构已登记执业类别，修改请提供版本", code="licence_exists") from None
            raise
    current = found[Licence].get(inst.id)
    if current is None:
        raise NotFound(Licence.missing[0], code=Licence.missing[1])
    changes = {"licence_no": data.licence_no, "kinds": kinds}
    after = current.model_copy(update={**changes, "version": expected_version + 1})
    return storage.update(current, changes, expected_version=expected_version,
                          also=[note, registered(after)]), inst


def _province(area: str) -> str:
    return area[:2]


def licensed_serving(grid: str, kind: str | None, read: tuple[dict, dict, LicenceRegistry | None] | None = None
                     ) -> list[LicensedInstitution]:
    """The appraisal institutions mapped to the grid or an area above it (the directory's mapping), licensed
    for `kind`, nearest first: the chain, what is linked to it (the institutions' cards) and the licences
    registered in the grid's province (`LicenceRegistry`) in one BatchGetItem (`read`: already read, see
    `answer`); only institutions serving it with no entry there (no licence registered yet, or homed in
    another province) cost one BatchGetItem of their licences after."""
    chain, links, registry = read or chain_links_and_registry(grid)
    pairs = [(code, card) for code, card in directory.served(links, INSTITUTION_KIND) if code in chain]
    licences = {card.id: found for _, card in pairs
                if (found := registry.licence(card.id) if registry else None) is not None}
    licences.update(storage.find_many(Licence, [card.id for _, card in pairs if card.id not in licences]))
    out = []
    for code, card in pairs:
        licence = licences.get(card.id)
        if licence is None or (kind and kind not in licence.kinds):
            continue
        out.append(LicensedInstitution(
            id=card.id, name=card.name, address=card.address, phone=card.phone_masked, hours=card.hours,
            licence_no=licence.licence_no, kinds=licence.kinds, kind_titles=[KINDS[k] for k in licence.kinds],
            serves_area=code, version=licence.version))
    return out


def chain_links_and_registry(grid: str) -> tuple[dict, dict, LicenceRegistry | None]:
    """The grid's chain (root first), what is linked to each area and its province's licence registry: one
    BatchGetItem (the directory's `chain_and_links`, with this plugin's registry); 404 for an unknown grid."""
    codes = areas.ancestors(grid) if grid.isdigit() else []
    found = storage.find_each({areas.Area: codes, AreaLinks: codes, LicenceRegistry: [_province(grid)] if codes else []})
    if grid not in found[areas.Area]:
        raise NotFound(f"区域 {grid} 不存在", code="area_not_found")
    return ({c: found[areas.Area][c] for c in codes if c in found[areas.Area]}, found[AreaLinks],
            found[LicenceRegistry].get(_province(grid)))


def institutions(grid: str, kind: str | None, *, limit: int, cursor: str | None) -> Page[LicensedInstitution]:
    found = licensed_serving(grid, kind)
    rank = {i.id: n for n, i in enumerate(found)}
    items, next_cursor = paged(found, sort_key=lambda i: f"{rank[i.id]:04d}", query_id=f"appraisers|{grid}|{kind}",
                               limit=limit, cursor=cursor)
    return Page[LicensedInstitution](items=items, next_cursor=next_cursor)


# --- the statutory clock --------------------------------------------------------------------------

def clock(area: str, on: date, found: dict[str, policy.InForce] | None = None) -> Clock:
    """If the commission reached an institution on `on`: when it must decide, and when it must finish.
    `found`: the two parameters already read with others (`policy.resolve_present`) — missing, not configured."""
    if found is None:
        days = policy.resolve_many([ACCEPTANCE_DAYS, COMPLETION_DAYS], area, on)
    else:
        missing = next((n for n in (ACCEPTANCE_DAYS, COMPLETION_DAYS) if n not in found), None)
        if missing is not None:
            raise policy.NotConfigured(missing, area, on)
        days = found
    accept = workdays.add_working_days(on, int(days[ACCEPTANCE_DAYS].value))
    finish = workdays.add_working_days(on, int(days[COMPLETION_DAYS].value))
    return Clock(acceptance_working_days=int(days[ACCEPTANCE_DAYS].value),
                 completion_working_days=int(days[COMPLETION_DAYS].value), if_commissioned_on=on,
                 accept_by=accept.end, finish_by=finish.end, official_calendar=accept.official and finish.official)


# --- consultations (A1) ---------------------------------------------------------------------------

def ask(caller: Caller, data: ConsultationIn, *, consultation_id: str | None = None) -> Consultation:
    """A resident's question, its audit entry and the condition that the grid exists: one transaction."""
    consultation = Consultation(id=consultation_id or f"{data.grid}.{uuid.uuid4().hex}", owner=caller.sub, grid=data.grid,
                                kind=data.kind, facts=data.facts, intended_use=data.intended_use,
                                asked_on=today_shanghai(), **pii.seal_phone(data.phone).fields("phone"))
    return storage.put_new(consultation, also=[
        areas.must_exist(data.grid, field="grid", level="grid"), *counts.asked_ops(data.grid, consultation.asked_on),
        audit.entry(caller.actor, "create", CONSULTATION, consultation.id, f"咨询{KINDS[data.kind]}")])


def _staff_over(caller: Caller, grid: str) -> bool:
    return caller.has_any(STAFF) and caller.covers(grid)


CLOCK = [ACCEPTANCE_DAYS, COMPLETION_DAYS]


def get(caller: Caller, consultation_id: str) -> Consultation:
    """The resident's own consultation, or one in the staff's area; to anyone else it does not exist."""
    return _visible(caller, storage.require(Consultation, consultation_id))


def _visible(caller: Caller, consultation: Consultation | None) -> Consultation:
    if consultation is None or (caller.sub != consultation.owner and not _staff_over(caller, consultation.grid)):
        raise NotFound(Consultation.missing[0], code=Consultation.missing[1])
    return consultation


def with_rules(caller: Caller, consultation_id: str, names: list[str], *,
               also: Callable[[str], dict] | None = None, whole_chain: bool = False) -> tuple[Consultation, dict[str, policy.InForce], policy.Along]:
    """`get`, with the parameters `names` in force today at its grid (those with nothing in force left out)
    and `also(grid)`, in one BatchGetItem: a consultation's id names its grid (`<grid>.<hex>`), so its rules are
    read with it (`policy.read_along`). An id that names no grid, or another than the record's, costs the
    rules' own read after the record."""
    grid, dot, _ = consultation_id.partition(".")
    named = bool(dot) and len(grid) == 15 and grid.isdigit()
    along = None
    if named:
        try:
            along = policy.read_along(names, grid, also={**(also(grid) if also else {}), Consultation: [consultation_id]},
                                      whole_chain=whole_chain)
        except NotFound:  # no such grid: no such consultation
            raise NotFound(Consultation.missing[0], code=Consultation.missing[1]) from None
        consultation = _visible(caller, along.records[Consultation].get(consultation_id))
    else:
        consultation = get(caller, consultation_id)
    if along is None or consultation.grid != grid:
        along = policy.read_along(names, consultation.grid, also=also(consultation.grid) if also else None,
                                  whole_chain=whole_chain)
    return consultation, along.resolve_present(), along


CALLING_BACK = frozenset({"appraiser", "legal_aid_officer"})


def holds(caller: Caller, consultation: Consultation) -> bool:
    """Staff who hold the consultation (CONTRACT "PII": the full phone only to the owner and them): while it is
    open, appraisers and legal-aid officers of its district or below (those who call back); once answered, the
    one who answered. Wider admins see the masked phone on the record, never the number."""
    if consultation.status == "answered":
        return caller.sub == consultation.answered_by
    area = caller.area or ""
    return (caller.has_any(CALLING_BACK) and len(area) >= DISTRICT_DIGITS
            and consultation.grid.startswith(area))


def contact(caller: Caller, consultation_id: str) -> ConsultationContactOut:
    """The resident's full phone, for the resident and the staff who hold the consultation (`holds`); every
    such read is written to the audit trail (others get 404, and see only the masked phone)."""
    consultation = storage.require(Consultation, consultation_id)
    if caller.sub != consultation.owner and not holds(caller, consultation):
        raise NotFound(Consultation.missing[0], code=Consultation.missing[1])
    phone = pii.Sealed("phone", consultation.phone_cipher, consultation.phone_hash, consultation.phone_masked).reveal()
    audit.record_read(caller.actor, CONSULTATION, consultation.id, "查看鉴定咨询人的完整联系电话（联系咨询人）")
    return ConsultationContactOut(phone=phone)


def answer(caller: Caller, consultation_id: str, data: ConsultationAnswerIn,
           expected_version: int) -> tuple[Consultation, Clock]:
    """Staff of the area answer with guidance; the institutions licensed for the kind and serving the grid
    are recommended, nearest first. With its clock (for the answer).

    Two calls: the consultation, its grid's chain with what is linked to it, the licences registered in its
    province (`LicenceRegistry`) and the clock's parameters are one BatchGetItem (its id names its grid), then
    the transaction. An institution serving the grid with no licence in that registry (none registered yet,
    or homed in another province) costs one BatchGetItem of its licence between them."""
    consultation, found, along = with_rules(caller, consultation_id, CLOCK, whole_chain=True,
                                            also=lambda grid: {AreaLinks: areas.ancestors(grid),
                                                               LicenceRegistry: [_province(grid)]})
    if not _staff_over(caller, consultation.grid):
        raise Forbidden("只有辖区工作人员可以答复", code="staff_only")
    if consultation.status != "open":
        raise Conflict("该咨询已经答复", code="already_answered")
    read = ({c: along.areas[c] for c in areas.ancestors(consultation.grid) if c in along.areas}, along.records[AreaLinks],
            along.records[LicenceRegistry].get(_province(consultation.grid)))
    recommended = [InstitutionRecommendation(institution_id=i.id, name=i.name, serves_area=i.serves_area)
                   for i in licensed_serving(consultation.grid, consultation.kind, read)[:RECOMMENDED]]
    answered = storage.update(consultation, {
        "status": "answered", "guidance": data.guidance, "recommended": recommended, "answered_by": caller.sub,
        "answered_at": now_utc()}, expected_version=expected_version, also=[
        audit.entry(caller.actor, "update", CONSULTATION, consultation.id, f"答复鉴定咨询，推荐 {len(recommended)} 家机构",
                    {"status": {"from": "open", "to": "answered"}})])
    return answered, clock(consultation.grid, today_shanghai(), found)


# --- fee relief (A2) ------------------------------------------------------------------------------

def _facts(consultation: Consultation, data: FeeReliefIn, on: date,
           found: dict[str, policy.InForce] | None = None) -> relief.ReliefFacts:
    """The facts the criteria need; a request that can be decided by none of them is a 422 naming what is
    missing. The parameters are the core's (those legal aid judges by), in force at the grid on `on`."""
    declares_group = bool(data.groups) or (data.rural and data.birth_date is not None)
    if not declares_group and consultation.kind != "environmental_damage":
        missing = [f for f in ("household_size", "monthly_incomes") if not getattr(data, f)]
        if missing:
            raise Unprocessable("申请减缓免须说明所属困难群体，或填写家庭人口和收入", code="relief_facts_missing",
                                errors=[{"loc": [f], "msg": "按经济困难申请时必填"} for f in missing])
    return relief.ReliefFacts(
        kind=consultation.kind, person=means.Person(birth_date=data.birth_date, rural=data.rural,
                                                    groups=frozenset(data.groups)),
        household_size=data.household_size, monthly_incomes=tuple(data.monthly_incomes or ()),
        rules=means.standards(consultation.grid, on, found))


def request_relief(caller: Caller, consultation_id: str, data: FeeReliefIn,
                   expected_version: int) -> tuple[Consultation, Clock]:
    """The resident asks for fee relief; the named criteria decide it on the day asked, and every reason is
    kept with the consultation and in the audit trail (the decision names the criteria that granted it).
    With the consultation, its clock for the answer.

    Two calls: the consultation's id names its grid, whose standards are in force, so the consultation and
    the parameters in force there (the means standards and the clock's days together) are one read
    (`with_rules`); its kind decides which criteria apply. Then one transaction."""
    consultation, found, _ = with_rules(caller, consultation_id, [*means.STANDARDS, *CLOCK])
    if caller.sub != consultation.owner:
        raise Forbidden("只有咨询人本人可以申请减缓免", code="owner_only")
    on = today_shanghai()
    decided = relief.decide(_facts(consultation, data, on, found), on)
    criteria = [CriterionOut(criterion=c.name, title=c.title, relief=grants, met=found.met, reason=found.reason)
                for grants, c in relief.LISTED for found in (relief.part(decided.result, c.name),)]
    decision = FeeRelief(granted=decided.relief is not None, relief=decided.relief or "none",
                         granted_by=list(decided.granted_by),
                         title=relief.RELIEF_TITLES.get(decided.relief or "", "不符合鉴定费减缓免条件"),
                         reason=decided.reason, criteria=criteria, decided_on=on)
    answer_clock = clock(consultation.grid, on, found)
    granted_before = bool(consultation.fee_relief and consultation.fee_relief.granted)
    updated = storage.update(consultation, {"fee_relief": decision}, expected_version=expected_version, also=[
        *counts.relieved_ops(consultation.grid, on, granted_before, decision.granted),
        audit.entry(caller.actor, "update", CONSULTATION, consultation.id,
                    f"鉴定费减缓免：{decision.title}（{decision.reason}）",
                    {"fee_relief": {"from": consultation.fee_relief.relief if consultation.fee_relief else None,
                                    "to": decision.relief}})])
    return updated, answer_clock


def shown(caller: Caller, consultation_id: str) -> ConsultationOut:
    """GET: the consultation with its clock, in one read (`with_rules`)."""
    consultation, found, _ = with_rules(caller, consultation_id, CLOCK)
    return out(consultation, clock(consultation.grid, today_shanghai(), found))


def out(consultation: Consultation, known_clock: Clock | None = None) -> ConsultationOut:
    return ConsultationOut(
        id=consultation.id, grid=consultation.grid, kind=consultation.kind, kind_title=KINDS[consultation.kind],
        facts=consultation.facts, intended_use=consultation.intended_use,
        intended_use_title=USES[consultation.intended_use], phone=consultation.phone_masked,
        status=consultation.status, guidance=consultation.guidance, recommended=consultation.recommended,
        clock=known_clock or clock(consultation.grid, today_shanghai()), fee_relief=consultation.fee_relief, asked_on=consultation.asked_on, version=consultation.version)


def _page(page: storage.Page) -> Page[ConsultationOut]:
    return Page[ConsultationOut](items=[out(Consultation.from_item(i)) for i in page.items], next_cursor=page.next_cursor)


def mine(caller: Caller, *, limit: int, cursor: str | None) -> Page[ConsultationOut]:
    return _page(storage.page(Consultation, "appraisal-consultation-by", caller.sub, limit=limit, cursor=cursor,
                              newest_first=True))


def unanswered(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[ConsultationOut]:
    """Staff: the open consultations of their area (or a part of it), oldest first."""
    scope = directory.list_scope(caller, area)
    return _page(storage.page(Consultation, "appraisal-consultation-open", scope, limit=limit, cursor=cursor))


# --- what appraisal declares on its Plugin --------------------------------------------------------

def may_attach(caller: Caller, consultation_id: str) -> None:
    """Link rule: the resident's own consultation, or staff of its area."""
    get(caller, consultation_id)


def overdue(context: ScreeningContext) -> Iterable[Finding]:
    """Screening check: consultations still unanswered after `appraisal.answer_days` working days (the
    parameter in force at each grid on the day asked). Ids and dates only."""
    limits: dict[tuple[str, date], int] = {}
    for item in storage.every(Consultation, "appraisal-consultation-open", context.area, max_items=5000):
        consultation = Consultation.from_item(item)
        key = (consultation.grid, consultation.asked_on)
        if key not in limits:
            limits[key] = int(policy.resolve(ANSWER_DAYS, consultation.grid, consultation.asked_on).value)
        due = workdays.add_working_days(consultation.asked_on, limits[key]).end
        if due < context.as_of:
            yield Finding(check="appraisal.unanswered", area=consultation.grid, severity="warning",
                          title=f"鉴定咨询超过 {limits[key]} 个工作日未答复", record=consultation.id, due=due)


DEMO_INSTITUTIONS = (
    ("demo-appraisal-clinical", "常州市天宁区法医临床司法鉴定所（演示）", "320402", ["3204"], "天宁区延陵中路 18 号",
     "0519-86601234", "320400001", ["injury_degree", "disability_grade", "legal_capacity", "mental_state"]),
    ("demo-appraisal-environment", "常州环境损害司法鉴定中心（演示）", "320404", ["3204"], "钟楼区勤业路 6 号",
     "0519-86605678", "320400002", ["environmental_damage", "trace_evidence"]),
)
DEMO_CONSULTATION = "demo-appraisal-consultation-1"


def load_demo(context: DemoContext) -> None:
    """Two licensed institutions serving 常州市, and an injured worker's question about a disability grade
    with the fee waived (a 低保户). Fixed ids: loading again changes nothing."""
    if storage.read(Consultation, DEMO_CONSULTATION) is not None:
        return
    admin = Caller(sub=context.actor.sub, roles=frozenset({"admin"}), area="3204")
    for inst_id, name, home, serves, address, phone, licence_no, kinds in DEMO_INSTITUTIONS:
        if directory.find_institution(inst_id) is None:
            directory.create_institution(admin, InstitutionIn(
                kind=INSTITUTION_KIND, name=name, home_area=home, serves=serves, address=address, phone=phone,
                hours="工作日 8:30–17:00", demo=True), institution_id=inst_id)
        if storage.read(Licence, inst_id) is None:
            set_licence(admin, inst_id, LicenceIn(licence_no=licence_no, kinds=kinds), None)
    worker = Caller(sub="demo-resident-2", roles=frozenset({"resident"}), area=None)
    grids = sorted(code for code in context.areas("320402001") if len(code) == 15)
    ask(worker, ConsultationIn(
        grid=grids[0] if grids else "320402001001001", kind="disability_grade", intended_use="mediation",
        phone="13800001302", facts="在工地搬运钢管时被砸伤右手，两根手指截断，工伤认定已经下来，想知道能评几级伤残、去哪里鉴定。"),
        consultation_id=DEMO_CONSULTATION)
    relief_facts = FeeReliefIn(groups=["dibao"])
    request_relief(worker, DEMO_CONSULTATION, relief_facts, 1)
