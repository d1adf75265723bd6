"""Institutions and people (C2): notary offices, legal-aid centres, mediation committees, law firms,
appraisal institutions and the three-level public legal service platform (中心/工作站/工作室, seed 002),
each mapped to the areas it serves; people with roles, an institution and a contact card.

Access patterns (docs/data-model.md):
- an institution `institution#<id>`; its card is an entry of the aggregate of each area it serves
  (`area-links#<area>`, with the assignments targeting that area), so "who serves this grid" — a notary
  office mapped to 天宁区 serves every grid under it — is the grid's chain and the chain's aggregates in one
  BatchGetItem (`chain_and_links`);
- lists by area: gsi1 `institution@<city>` / `person@<city>`, begins_with the caller's area (pattern 7);
  institutions of one kind: gsi2 `institution-<kind>@<city>`; people of one institution: gsi2
  `person@<institution id>`.

Phone numbers are validated (`pii.normalize_phone`), stored encrypted with a lookup hash, and every view —
staff or public — shows them masked (CONTRACT: never in full to anyone but their owner).
"""
from __future__ import annotations

import uuid
from typing import Any, Callable, Iterable

from pydantic import BaseModel

from chalicelib.domain.areas.models import Area, AreaRef, ancestors, level_of
from chalicelib.domain.areas.service import active_area, boards_changed, existing_area, get_many as load_areas, is_code
from chalicelib.domain.directory.models import (
    KIND_TITLES, LEVEL_HOMES, LEVELS, OF_KIND, PERSON_ROLES, ROSTER, SERVES, AreaLinks, Institution, InstitutionCard,
    ServedBy,
    InstitutionIn, InstitutionOut, InstitutionPatch, Person, PersonIn,
    PersonOut, PersonPatch, ServingInstitution,
)
from chalicelib.platform import audit, pii, storage
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Forbidden, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Model, Page
from chalicelib.platform.storage.paging import paged



# --- helpers of this package -----------------------------------------------------------------------

def list_scope(caller: Caller, area: str | None) -> str:
    """The area a staff list is scoped to: the given one (inside the caller's jurisdiction) or theirs.
    Area lists are partitioned by city, so the scope must be a city or below."""
    scope = area or caller.area or ""
    if area:
        require_covers(caller, area, ["area"])
    if len(scope) < 4:
        raise Unprocessable("请选择市级或以下区域", code="area_too_large",
                            errors=field_error(["area"], "请选择市级或以下区域"))
    return scope


def refuse_nulls(patch: BaseModel, fields: Iterable[str]) -> None:
    """422 naming each field a PATCH sets to null that the record cannot be without."""
    nulls = [f for f in fields if f in patch.model_fields_set and getattr(patch, f) is None]
    if nulls:
        raise Unprocessable("以下字段不能为空：" + "、".join(nulls), code="validation_failed",
                            errors=[{"loc": [f], "msg": "不能为空"} for f in nulls])


# --- institutions ---------------------------------------------------------------------------------

def serving_ops(inst: Institution, *, card_at: Iterable[str], leaving: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Transaction ops keeping the aggregates of the areas `inst` serves: its card set (or replaced) at
    `card_at`, removed at `leaving` — one op per area, no read."""
    card = ServedBy.of(inst)
    return [*(storage.set_entries(AreaLinks, code, set_={SERVES + inst.id: card}) for code in sorted(set(card_at))),
            *(storage.set_entries(AreaLinks, code, remove=[SERVES + inst.id]) for code in sorted(set(leaving)))]


def _check_level(kind: str, level: str | None, home: Area, loc: list[str]) -> None:
    allowed = LEVELS.get(kind)
    if allowed is None:
        if level is not None:
            raise Unprocessable(f"{KIND_TITLES[kind]}不分层级", code="level_not_applicable",
                                errors=field_error(loc, "该类机构不分层级"))
        return
    if level not in allowed:
        raise Unprocessable(f"请填写{KIND_TITLES[kind]}的层级", code="level_required",
                            errors=field_error(loc, "应为以下之一：" + "、".join(allowed)))
    homes = LEVEL_HOMES.get(f"{kind}.{level}")
    if homes and home.level not in homes:
        raise Unprocessable(f"{allowed[level]}应设在{'、'.join(sorted(homes))}级区域，而 {home.code} 是 {home.level}",
                            code="level_area_mismatch", errors=field_error(["home_area"], "层级与所在区域不符"))


def _check_serves(caller: Caller, codes: list[str], known: dict[str, Area]) -> None:
    if len(set(codes)) != len(codes):
        raise Unprocessable("服务区域有重复", code="duplicate_area",
                            errors=field_error(["serves"], "有重复的区域"))
    for index, code in enumerate(codes):
        existing_area(code, ["serves", str(index)], known=known)
        require_covers(caller, code, ["serves", str(index)])


def _check_institution(caller: Caller, data: InstitutionIn, serves: list[str], known: dict[str, Area]) -> None:
    """Every check of a new institution, in the order its errors are answered."""
    home = existing_area(data.home_area, ["home_area"], known=known)
    require_covers(caller, data.home_area, ["home_area"])
    _check_level(data.kind, data.level, home, ["level"])
    _check_serves(caller, serves, known)


def _area_fields(home_area: str, serves: list[str]) -> dict[str, list[str]]:
    """Each area a new institution names, with the first field naming it, in the order of its checks."""
    fields: dict[str, list[str]] = {home_area: ["home_area"]}
    for index, code in enumerate(serves):
        fields.setdefault(code, ["serves", str(index)])
    return fields


def create_institution(caller: Caller, data: InstitutionIn,
                       institution_id: str | None = None) -> Institution:
    """One TransactWriteItems: the areas' existence rides in it as conditions (in the order their 422s are
    answered), since jurisdiction, level and duplicates need no read. Only a request that fails one of those
    reads its areas first, so it is answered as it always was (an unknown area before an area not covered)."""
    actor = caller.actor
    serves = data.serves or [data.home_area]
    shapes = {code: Area(code=code, name=code, level=level_of(code)) for code in {data.home_area, *serves}
              if is_code(code)}
    try:
        _check_institution(caller, data, serves, shapes)
    except (Unprocessable, Forbidden):
        _check_institution(caller, data, serves, load_areas([data.home_area, *serves]))
        raise
    inst = Institution(id=institution_id or uuid.uuid4().hex, kind=data.kind, level=data.level, name=data.name,
                       home_area=data.home_area, serves=serves, address=data.address, hours=data.hours,
                       demo=data.demo, **(pii.seal_phone(data.phone).fields("phone") if data.phone else {}))
    storage.stamp_new(inst)
    storage.put_new(inst, also=[
        *(active_area(code, loc) for code, loc in _area_fields(data.home_area, serves).items()),
        *serving_ops(inst, card_at=serves), *boards_changed(*serves),
        audit.entry(actor, "create", "institution", inst.id,
                    f"登记{inst.display_kind}「{inst.name}」，服务区域 {'、'.join(serves)}"),
    ])
    return inst


def find_institution(institution_id: str) -> Institution | None:
    """The institution with this id, or None (also for an id that cannot be one)."""
    return storage.read(Institution, institution_id)


def get_institution(institution_id: str) -> Institution:
    inst = find_institution(institution_id)
    if inst is None:
        raise NotFound(f"机构 {institution_id} 不存在", code="institution_not_found")
    return inst


def can_see_institution(caller: Caller, inst: Institution) -> bool:
    return caller.covers(inst.home_area) or any(caller.covers(code) for code in inst.serves)


def institution_for(caller: Caller, institution_id: str) -> Institution:
    """Staff read: the institution is in, or serves, their jurisdiction (else 403: institutions are public)."""
    inst = get_institution(institution_id)
    if not can_see_institution(caller, inst):
        raise Forbidden("该机构不在您的管辖范围内", code="outside_jurisdiction")
    return inst


def change_institution(caller: Caller, institution_id: str, patch: InstitutionPatch,
                       expected_version: int) -> Institution:
    actor = caller.actor
    inst = get_institution(institution_id)
    if not caller.covers(inst.home_area):
        raise Forbidden("该机构不在您的管辖范围内", code="outside_jurisdiction")
    refuse_nulls(patch, ["name", "serves", "status"])
    changes = patch.model_dump(exclude_unset=True, exclude={"version", "phone"})
    if "phone" in patch.model_fields_set:
        changes.update(pii.seal_phone(patch.phone).fields("phone") if patch.phone else
                       {"phone_cipher": None, "phone_hash": None, "phone_masked": None})
    if not changes:
        raise Unprocessable("没有要修改的字段", code="nothing_to_change")
    if "level" in changes:
        home = existing_area(inst.home_area, ["level"])
        _check_level(inst.kind, changes["level"], home, ["level"])
    if "serves" in changes:
        _check_serves(caller, changes["serves"], load_areas(changes["serves"]))
    old_links = set(inst.serves) if inst.status == "active" else set()
    new_status = changes.get("status", inst.status)
    new_links = set(changes.get("serves", inst.serves)) if new_status == "active" else set()
    # the card in each served area's aggregate: set where it is new or shows a changed field, removed where
    # the institution no longer serves (at most MAX_SERVES of each: the transaction stays under 100 ops)
    card_changed = ServedBy.of(inst.model_copy(update=changes)) != ServedBy.of(inst)
    ops = serving_ops(inst.model_copy(update=changes), card_at=new_links if card_changed else new_links - old_links,
                      leaving=old_links - new_links)
    fields = [k for k in changes if not k.startswith("phone_")] + (["phone"] if "phone" in patch.model_fields_set else [])
    shown = {k: {"from": getattr(inst, k), "to": changes[k]} for k in ("name", "level", "serves", "status", "hours",
                                                                        "address") if k in changes}
    return storage.update(inst, changes, expected_version=expected_version, also=[
        *ops, *boards_changed(inst.home_area, *inst.serves, *changes.get("serves", [])),
        audit.entry(actor, "update", "institution", inst.id, "修改 " + "、".join(fields), shown)])


def list_institutions(caller: Caller, area: str | None, kind: str | None, *, limit: int,
                      cursor: str | None) -> Page[InstitutionOut]:
    scope = list_scope(caller, area)
    page = storage.page(Institution, OF_KIND, (scope, kind), limit=limit, cursor=cursor) if kind \
        else storage.page(Institution, "institution", scope, limit=limit, cursor=cursor)
    return Page[InstitutionOut](items=[InstitutionOut.of(Institution.from_item(i)) for i in page.items],
                           next_cursor=page.next_cursor)


def institutions_under(area_code: str, kind: str, *, max_items: int = 5000) -> list[Institution]:
    """Every institution of `kind` based in `area_code` and below, for checks and jobs (a service's
    staffing check reads its committees here): one Query, page by page."""
    return [Institution.from_item(i) for i in storage.every(Institution, OF_KIND, (area_code, kind),
                                                              max_items=max_items)]


def load_institutions(ids: Iterable[str]) -> dict[str, Institution]:
    return storage.find_many(Institution, ids)


# --- what is linked to an area (institutions serving it, assignments targeting it) ----------------

def links_of(area_codes: Iterable[str]) -> dict[str, AreaLinks]:
    """What is linked to each of `area_codes` (its aggregate; an area nothing was ever linked to has none),
    in one BatchGetItem. Callers pass a grid's ancestors to learn who serves the grid."""
    return storage.find_many(AreaLinks, area_codes)


def chain_and_links(code: str) -> tuple[dict[str, Area], dict[str, AreaLinks]]:
    """The area and its ancestors (root first) and what is linked to each, in one BatchGetItem; 404
    `area_not_found` if the area is unknown."""
    codes = ancestors(code) if is_code(code) else []
    found = storage.find_each({Area: codes, AreaLinks: codes})
    if code not in found[Area]:
        raise NotFound(f"区域 {code} 不存在", code="area_not_found")
    return {c: found[Area][c] for c in codes if c in found[Area]}, found[AreaLinks]


def served(links: dict[str, AreaLinks], kind: str | None = None) -> list[tuple[str, ServedBy]]:
    """(area code, card) of every institution (of `kind`) mapped to one of the areas of `links`, nearest area
    first, each institution once (at the nearest area it is mapped to)."""
    pairs = sorted(((code, card) for code, agg in links.items() for card in agg.served()
                    if kind in (None, card.kind)), key=lambda p: (-len(p[0]), p[1].id))
    seen: set[str] = set()
    return [p for p in pairs if not (p[1].id in seen or seen.add(p[1].id))]


def serving(links: dict[str, AreaLinks]) -> list[tuple[str, str]]:
    """`served` as (area code, institution id)."""
    return [(code, card.id) for code, card in served(links)]


def institutions_serving(code: str, *, limit: int, cursor: str | None) -> Page[ServingInstitution]:
    """Public: the institutions mapped to `code` or any area above it, nearest first (one BatchGetItem)."""
    chain, links = chain_and_links(code)
    cards = [ServingInstitution(**InstitutionCard.of(card).model_dump(), serves_area=AreaRef.of(chain[c]))
             for c, card in served(links) if c in chain]
    items, next_cursor = paged(cards, sort_key=lambda c: f"{20 - len(c.serves_area.code):02d}.{c.kind}.{c.id}",
                               query_id=f"serving|{code}", limit=limit, cursor=cursor)
    return Page[ServingInstitution](items=items, next_cursor=next_cursor)


# --- people ---------------------------------------------------------------------------------------

def _not_visible(institution_id: str, loc: list[str]) -> Unprocessable:
    return Unprocessable(f"机构 {institution_id} 不存在或不在您的管辖范围内", code="institution_not_found",
                         errors=field_error(loc, "机构不存在或不在您的管辖范围内"))


def _visible_institution(caller: Caller, institution_id: str, loc: list[str],
                         known: dict[str, Institution] | None = None) -> Institution:
    inst = (known if known is not None else load_institutions([institution_id])).get(institution_id)
    if inst is None or inst.status != "active" or not can_see_institution(caller, inst):
        raise _not_visible(institution_id, loc)
    return inst


def create_person(caller: Caller, data: PersonIn, person_id: str | None = None) -> Person:
    return add_person(caller, data, person_id)[0]


def add_person(caller: Caller, data: PersonIn, person_id: str | None = None) -> tuple[Person, Institution | None]:
    """The person and their institution. Without an institution, one TransactWriteItems: the home area's
    existence is a condition in it. An institution is read first (with the home area, one BatchGetItem):
    whether the caller may name it depends on the areas it serves, a list no condition can test; that it is
    still active when the person is written is a condition too. A home area outside the caller's
    jurisdiction is read before the 403, so an unknown one is still the 422 it always was."""
    actor = caller.actor
    if not caller.covers(data.home_area):
        existing_area(data.home_area, ["home_area"])
        require_covers(caller, data.home_area, ["home_area"])
    inst, also = None, [active_area(data.home_area, ["home_area"])]
    if data.institution_id:
        found = storage.find_each({Area: [data.home_area] if is_code(data.home_area) else [],
                                   Institution: [data.institution_id]})
        existing_area(data.home_area, ["home_area"], known=found[Area])
        inst = _visible_institution(caller, data.institution_id, ["institution_id"], known=found[Institution])
        also.append(storage.must_exist(Institution, inst.id, _not_visible(inst.id, ["institution_id"]),
                                       equals={"status": "active"}))
    person = Person(id=person_id or uuid.uuid4().hex, name=data.name, roles=list(dict.fromkeys(data.roles)),
                    home_area=data.home_area, institution_id=data.institution_id, duty=data.duty,
                    hours=data.hours, demo=data.demo, **pii.seal_phone(data.phone).fields("phone"))
    storage.stamp_new(person)
    roles = "、".join(PERSON_ROLES[r] for r in person.roles)
    storage.put_new(person, also=[*also, audit.entry(actor, "create", "person", person.id, f"登记人员（{roles}）")])
    return person, inst


def get_person(person_id: str) -> Person | None:
    return storage.read(Person, person_id)


def person_for(caller: Caller, person_id: str) -> Person:
    """Staff read of a person of their area; to anyone else the person does not exist (404)."""
    person = get_person(person_id)
    if person is None or not caller.covers(person.home_area):
        raise NotFound(f"人员 {person_id} 不存在", code="person_not_found")
    return person


def person_out(person: Person) -> PersonOut:
    inst = load_institutions([person.institution_id]).get(person.institution_id) if person.institution_id else None
    return PersonOut.of(person, inst)


def change_person(caller: Caller, person_id: str, patch: PersonPatch,
                  expected_version: int) -> Person:
    actor = caller.actor
    person = person_for(caller, person_id)
    refuse_nulls(patch, ["name", "roles", "duty", "phone", "status"])
    changes = patch.model_dump(exclude_unset=True, exclude={"version", "phone"})
    if "phone" in patch.model_fields_set:
        changes.update(pii.seal_phone(patch.phone).fields("phone"))
    if not changes:
        raise Unprocessable("没有要修改的字段", code="nothing_to_change")
    if changes.get("institution_id"):
        _visible_institution(caller, changes["institution_id"], ["institution_id"])
    fields = [k for k in changes if not k.startswith("phone_")] + (["phone"] if "phone" in patch.model_fields_set else [])
    shown = {k: {"from": getattr(person, k), "to": changes[k]} for k in ("roles", "institution_id", "status")
             if k in changes}
    return storage.update(person, changes, expected_version=expected_version, also=[
        *boards_changed(person.home_area), audit.entry(actor, "update", "person", person.id, "修改 " + "、".join(fields), shown)])


def list_people(caller: Caller, area: str | None, *, limit: int, cursor: str | None) -> Page[PersonOut]:
    scope = list_scope(caller, area)
    page = storage.page(Person, "person", scope, limit=limit, cursor=cursor)
    return _person_page(page)


def institution_people(caller: Caller, institution_id: str, *, limit: int, cursor: str | None) -> Page[PersonOut]:
    """The roster of one institution; people outside the caller's jurisdiction are left out. Two calls: the
    institution (whether the caller may see it depends on the areas it serves) and the roster, whose people
    are shown with the institution read first."""
    inst = institution_for(caller, institution_id)
    page = storage.page(Person, ROSTER, institution_id, limit=limit, cursor=cursor)
    return _person_page(page, keep=lambda p: caller.covers(p.home_area), known={inst.id: inst})


def _person_page(page: storage.Page, keep: Callable[[Person], bool] = lambda p: True,
                 known: dict[str, Institution] | None = None) -> Page[PersonOut]:
    people = [p for p in (Person.from_item(i) for i in page.items) if keep(p)]
    known = known or {}
    missing = {p.institution_id for p in people if p.institution_id and p.institution_id not in known}
    insts = {**known, **(load_institutions(missing) if missing else {})}
    return Page[PersonOut](items=[PersonOut.of(p, insts.get(p.institution_id or "")) for p in people],
                           next_cursor=page.next_cursor)


def load_people(ids: Iterable[str]) -> dict[str, Person]:
    return storage.find_many(Person, ids)
