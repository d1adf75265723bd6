"""Institutions and people (C2): records, vocabularies (kinds, levels, person roles), inputs and outputs.

Phones arrive in inputs as typed, are validated here (`pii.normalize_phone`) and leave every output masked.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, ClassVar, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib.domain.areas.models import AreaRef, level_of
from chalicelib.platform import pii, storage
from chalicelib.platform.model import Model
from chalicelib import plugin
from chalicelib.platform.auth import roles
from chalicelib.platform.model import vocabulary

MAX_SERVES = 20

# The directory lists every public legal service institution of a city, whichever services run here; a
# service adds kinds of its own (`Plugin.institution_kinds`), known while it is enabled.
CORE_KINDS: dict[str, str] = {
    "notary_office": "公证机构", "legal_aid_centre": "法律援助机构", "mediation_committee": "人民调解委员会",
    "law_firm": "律师事务所", "appraisal_institution": "司法鉴定机构", "service_platform": "公共法律服务平台",
}


def kind_titles() -> dict[str, str]:
    return {**CORE_KINDS, **{k.code: k.title for _, k in plugin.institution_kinds()}}


class _Titles(Mapping):
    """KIND_TITLES[kind] / PERSON_ROLES[role]: the vocabulary as it stands (core + enabled plugins); a code
    no longer known (its plugin disabled) reads as itself."""

    def __init__(self, source: Callable[[], dict[str, str]]) -> None:
        self.source = source

    def __getitem__(self, code: str) -> str:
        return self.source().get(code, code)

    def __iter__(self):
        return iter(self.source())

    def __len__(self) -> int:
        return len(self.source())

    def __contains__(self, code: object) -> bool:
        return code in self.source()


KIND_TITLES = _Titles(kind_titles)
InstitutionKind = vocabulary(kind_titles, "机构类别")
# Kinds that come in levels, the level titles, and the area levels each may be based at (seed 002:
# 中心 at county level, 工作站 at town/street, 工作室 at village/community; M4: committees per level).
LEVELS: dict[str, dict[str, str]] = {
    "mediation_committee": {"town": "镇（街道）人民调解委员会", "village": "村（社区）人民调解委员会",
                            "industry": "行业性专业性人民调解委员会", "stationed": "派驻人民调解工作室"},
    "service_platform": {"centre": "公共法律服务中心", "station": "公共法律服务工作站", "studio": "公共法律服务工作室"},
}
LEVEL_HOMES: dict[str, set[str]] = {
    "mediation_committee.town": {"town"}, "mediation_committee.village": {"village"},
    "service_platform.centre": {"city", "district"}, "service_platform.station": {"town"},
    "service_platform.studio": {"village"},
}
# People's duties in the directory: the sign-in staff roles (one vocabulary, platform/auth/roles.py), the
# duties the core knows beside them, and those the enabled services add (`Plugin.roles`).
CORE_DUTIES: dict[str, str] = {
    "legal_advisor": "村（社区）法律顾问", "notary_assistant": "公证员助理",
    "grassroots_legal_worker": "基层法律服务工作者", "justice_office_staff": "司法所工作人员",
    "legal_literate": "法律明白人", "volunteer": "法律志愿者",
}


def person_roles() -> dict[str, str]:
    staff = {code: title for code, title in roles.TITLES.items() if code in roles.STAFF and code != roles.ADMIN}
    return {**staff, **CORE_DUTIES, **{r.code: r.title for _, r in plugin.roles()}}


PERSON_ROLES = _Titles(person_roles)
PersonRole = vocabulary(person_roles, "人员类别")


def _phone(value: str | None) -> str | None:
    return None if value is None else pii.normalize_phone(value)


def _checked_code(code: str) -> str:
    level_of(code)
    if len(code) < 4:
        raise ValueError("应为市级或以下区域")
    return code


# --- institutions ---------------------------------------------------------------------------------

OF_KIND = "institution-of-kind"   # an area's institutions of one kind
ROSTER = "person-at"              # an institution's people


class Institution(storage.Record):
    """An institution, in its home area's list and in the list of its kind there (`institution-notary@<city>`)."""
    entity: ClassVar[str] = "institution"
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("institution", "gsi1", by="area"),
        storage.Listing(OF_KIND, "gsi2", by="area", prefix="institution-{}"),
    )
    id: str
    kind: InstitutionKind
    level: str | None = None
    name: str
    home_area: str
    serves: list[str]
    address: str | None = None
    phone_cipher: str | None = None
    phone_hash: str | None = None
    phone_masked: str | None = None
    hours: str | None = None
    status: Literal["active", "retired"] = "active"
    demo: bool = False

    def place(self, listing: str) -> storage.Place:
        if listing == OF_KIND:
            return storage.Place(of=(self.home_area, self.kind), sort=(self.id,))
        return storage.Place(of=self.home_area, sort=(self.id,))

    @property
    def kind_title(self) -> str:
        return KIND_TITLES[self.kind]

    @property
    def level_title(self) -> str | None:
        return LEVELS.get(self.kind, {}).get(self.level or "")

    @property
    def display_kind(self) -> str:
        return self.level_title or self.kind_title


class ServedBy(Model):
    """An institution's card as kept in the aggregate of each area it serves (`AreaLinks`): what a reader of
    "who serves this grid" shows, so that read needs no institution record. Written with every change of the
    institution that the card holds (`directory.service.change_institution`)."""
    id: str
    kind: str
    level: str | None = None
    name: str
    address: str | None = None
    phone_masked: str | None = None
    hours: str | None = None
    demo: bool = False

    @classmethod
    def of(cls, inst: "Institution") -> "ServedBy":
        return cls(id=inst.id, kind=inst.kind, level=inst.level, name=inst.name, address=inst.address,
                   phone_masked=inst.phone_masked, hours=inst.hours, demo=inst.demo)

    @property
    def display_kind(self) -> str:
        return LEVELS.get(self.kind, {}).get(self.level or "") or KIND_TITLES[self.kind]


SERVES = "serves."         # entry key of an institution mapped to serve the area: `serves.<institution id>`
ASSIGNED = "assignment."   # entry key of an active assignment targeting the area: `assignment.<assignment id>`


class AreaLinks(storage.Aggregate):
    """What is linked to exactly one area (`area-links#<code>`): the active institutions mapped to serve it
    (their cards, `ServedBy`) and the active coverage assignments targeting it (the assignment as stored).
    Kept entry by entry inside the transaction of every change of a mapping, of a card it holds or of an
    assignment (`storage.set_entries`: no read), and read with the area's chain in one BatchGetItem
    (`directory.service.chain_and_links`). An institution serves at most `MAX_SERVES` areas, so a change of
    its card touches at most that many aggregates (plus as many it leaves): well inside a transaction's 100."""
    entity: ClassVar[str] = "area-links"
    key_fields: ClassVar[tuple[str, ...]] = ("area",)
    area: str | None = None

    def served(self) -> list[ServedBy]:
        return [ServedBy.model_validate(v) for k, v in self.entries.items() if k.startswith(SERVES)]

    def assigned(self) -> list[dict]:
        return [v for k, v in self.entries.items() if k.startswith(ASSIGNED)]


class InstitutionIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: InstitutionKind = Field(description="机构类别", examples=["legal_aid_centre"])
    level: str | None = Field(None, description="调委会：town/village/industry/stationed；"
                                                "公共法律服务平台：centre（中心）/station（工作站）/studio（工作室）")
    name: str = Field(min_length=2, max_length=60, examples=["常州市天宁区法律援助中心"])
    home_area: str = Field(description="机构所在（主管）区域代码", examples=["320402"])
    serves: list[str] | None = Field(None, max_length=MAX_SERVES,
                                     description="服务（对接）的区域代码；省略时为所在区域")
    address: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, description="联系电话（手机或区号-座机），公开页面只显示掩码")
    hours: str | None = Field(None, max_length=60, description="办公/接待时间", examples=["工作日 9:00–17:00"])
    demo: bool = Field(False, description="演示数据")

    @field_validator("home_area")
    @classmethod
    def _home_shape(cls, value: str) -> str:
        return _checked_code(value)

    @field_validator("serves")
    @classmethod
    def _serves_shape(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [_checked_code(c) for c in value]

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        return _phone(value)


class InstitutionPatch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"hours": "周一至周五 8:30-17:00", "phone": "0519-86660000", "version": 2}]})
    level: str | None = None
    name: str | None = Field(None, min_length=2, max_length=60)
    serves: list[str] | None = Field(None, min_length=1, max_length=MAX_SERVES)
    address: str | None = Field(None, max_length=120)
    phone: str | None = None
    hours: str | None = Field(None, max_length=60)
    status: Literal["active", "retired"] | None = None
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")

    @field_validator("serves")
    @classmethod
    def _serves_shape(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [_checked_code(c) for c in value]

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        return _phone(value)


class InstitutionOut(Model):
    """The staff view of an institution (phone masked here too)."""
    id: str
    kind: InstitutionKind
    kind_title: str
    level: str | None
    level_title: str | None
    name: str
    home_area: str
    serves: list[str]
    address: str | None
    phone: str | None = Field(description="掩码后的电话")
    hours: str | None
    status: Literal["active", "retired"]
    demo: bool
    version: int

    @classmethod
    def of(cls, inst: Institution) -> "InstitutionOut":
        return cls(id=inst.id, kind=inst.kind, kind_title=inst.kind_title, level=inst.level,
                   level_title=inst.level_title, name=inst.name, home_area=inst.home_area, serves=inst.serves,
                   address=inst.address, phone=inst.phone_masked, hours=inst.hours, status=inst.status,
                   demo=inst.demo, version=inst.version)


class InstitutionCard(Model):
    """The public view: what a resident needs to find the institution, phone masked."""
    id: str
    kind: InstitutionKind
    kind_title: str = Field(description="类别（含层级），如 公共法律服务工作站")
    name: str
    address: str | None
    phone: str | None = Field(description="掩码后的电话")
    hours: str | None
    demo: bool

    @classmethod
    def of(cls, inst: "Institution | ServedBy") -> "InstitutionCard":
        return cls(id=inst.id, kind=inst.kind, kind_title=inst.display_kind, name=inst.name,
                   address=inst.address, phone=inst.phone_masked, hours=inst.hours, demo=inst.demo)


class ServingInstitution(InstitutionCard):
    serves_area: AreaRef = Field(description="该机构对接的区域（本区域或其上级）")


# --- people ---------------------------------------------------------------------------------------

class Person(storage.Record):
    """A person, in their home area's list and, when they belong to one, in their institution's roster."""
    entity: ClassVar[str] = "person"
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing("person", "gsi1", by="area"),
        storage.Listing(ROSTER, "gsi2", by="at", prefix="person"),
    )
    id: str
    name: str
    roles: list[str]
    home_area: str
    institution_id: str | None = None
    duty: str
    phone_cipher: str
    phone_hash: str
    phone_masked: str
    hours: str | None = None
    status: Literal["active", "retired"] = "active"
    demo: bool = False

    def place(self, listing: str) -> storage.Place | None:
        if listing == ROSTER:
            return storage.Place(of=self.institution_id, sort=(self.id,)) if self.institution_id else None
        return storage.Place(of=self.home_area, sort=(self.id,))


class PersonIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=2, max_length=30, examples=["周雅琴"])
    roles: list[PersonRole] = Field(min_length=1, max_length=5, description="人员类别",  # type: ignore[valid-type]
                                    examples=[["legal_advisor"]])
    home_area: str = Field(description="所属区域（决定谁可以管理此人）", examples=["320402001"])
    institution_id: str | None = Field(None, max_length=64, description="所属机构")
    duty: str = Field(min_length=2, max_length=60, description="公示职责", examples=["网格调解员，负责邻里纠纷调解"])
    phone: str = Field(description="联系电话；工作人员的在公示栏全号公示，其他页面只显示掩码", examples=["13800001234"])
    hours: str | None = Field(None, max_length=60, description="驻点/联系时间", examples=["每周二 9:00–11:30"])
    demo: bool = Field(False, description="演示数据")

    @field_validator("home_area")
    @classmethod
    def _home_shape(cls, value: str) -> str:
        return _checked_code(value)

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str) -> str:
        return pii.normalize_phone(value)


class PersonPatch(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, json_schema_extra={
        "examples": [{"duty": "每周三上午驻村值班", "hours": "周三 9:00-12:00", "version": 4}]})
    name: str | None = Field(None, min_length=2, max_length=30)
    roles: list[PersonRole] | None = Field(None, min_length=1, max_length=5)  # type: ignore[valid-type]
    institution_id: str | None = Field(None, max_length=64)
    duty: str | None = Field(None, min_length=2, max_length=60)
    phone: str | None = None
    hours: str | None = Field(None, max_length=60)
    status: Literal["active", "retired"] | None = None
    version: int | None = Field(None, ge=1, description="也可用 If-Match 头传递")

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        return _phone(value)


class PersonOut(Model):
    """The staff view of a person: masked phone, no other personal data."""
    id: str
    name: str
    roles: list[str]
    role_titles: list[str]
    home_area: str
    institution_id: str | None
    institution_name: str | None
    duty: str
    phone: str = Field(description="掩码后的电话")
    hours: str | None
    status: Literal["active", "retired"]
    demo: bool
    version: int

    @classmethod
    def of(cls, person: Person, institution: Institution | None = None) -> "PersonOut":
        return cls(id=person.id, name=person.name, roles=person.roles,
                   role_titles=[PERSON_ROLES.get(r, r) for r in person.roles], home_area=person.home_area,
                   institution_id=person.institution_id, institution_name=institution.name if institution else None,
                   duty=person.duty, phone=person.phone_masked, hours=person.hours, status=person.status,
                   demo=person.demo, version=person.version)


# Duties residents hold as volunteers: their phone is their own and stays masked on every card.
RESIDENT_DUTIES = frozenset({"legal_literate", "volunteer"})


class ContactCard(Model):
    """公示栏 card: name, duty, phone, hours, institution name — nothing else. A staff member's work phone
    published for the public is not personal data and is shown in full (CONTRACT "Identity and access");
    a resident volunteer's (法律明白人, 法律志愿者) stays masked."""
    name: str
    duty: str
    phone: str = Field(description="工作人员的工作电话全号公示；法律明白人、志愿者的电话掩码显示，如 138****1234")
    hours: str | None
    institution: str | None = Field(description="所属机构名称")
    demo: bool

    @classmethod
    def of(cls, person: Person, institution: Institution | None = None) -> "ContactCard":
        staff = bool(set(person.roles) - RESIDENT_DUTIES)
        phone = pii.decrypt("phone", person.phone_cipher) if staff else person.phone_masked
        return cls(name=person.name, duty=person.duty, phone=phone, hours=person.hours,
                   institution=institution.name if institution else None, demo=person.demo)
