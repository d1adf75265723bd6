"""Policy parameters (SPEC "P-rules"): thresholds, quotas and limits as data with effective dates, set per
area, inherited down the area tree, changed by administrators without a redeploy, every change audited.

Public surface:
- `declared(name)`, `declarations()` — the known parameters: the core's own (`CORE_PARAMETERS`) and those
  of the enabled plugins (`Plugin.parameters`), so a typo in a name is a 422 and a value outside the
  sanity bounds is a 422.
- `resolve(name, area, on)` → `InForce`, `resolve_many(names, area, on)` → `{name: InForce}`: the version in
  force on date `on` (Asia/Shanghai calendar date) at the nearest area, from `area` up to the root.
  Raises `NotConfigured` when no area on the way up has a version in force on that date (and the
  declaration has no `default`); `resolve_present` / `resolve_or_none` leave such names out instead.
- `set_version(...)`, `withdraw(...)`, `versions(...)` — admin writes (audited old → new) and history.

Rules (why): "an application is judged by the rule in force on its date" (SPEC L2), so a version is never
edited once stored. A new version at an area must take effect after the latest one there (an ordered
timeline, no silent rewrite of history), and on or after today: a version dated in the past changes
answers already given, so it needs an explicit `retroactive_reason`, which goes to the audit trail (the
one legitimate case is entering the historical rules of a city that joins the platform). A version that
has not taken effect yet may be withdrawn (a mistake caught in time); one in force or past never can.

Storage (docs/data-model.md, patterns P1–P3): per (parameter, area) one partition `policy#<name>#<area>`
holding a `timeline` item — every active version's date and value, kept in step with the version
records in the same transaction — and the version records `v#<effective_from>#<suffix>`. Resolution is
one BatchGetItem of the timelines of the area and all its ancestors (≤ 7 keys per name, plus the area
record itself so an unknown area is a 404, not a silent root default): one round trip, whatever the date.
Nothing is kept between requests: a version set through any instance is what every instance resolves next
(a per-instance copy once saved that read on a create and answered the old value elsewhere for a minute).
"""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, Iterable, Literal

from pydantic import ConfigDict, Field, field_validator

from chalicelib import plugin
from chalicelib.platform import audit, dates, storage
from chalicelib.platform.auth import Caller
from chalicelib.platform.errors import Conflict, Forbidden, NotFound, Problem, Unprocessable
from chalicelib.platform.timeutil import today_shanghai
from chalicelib.platform.model import Model, Number, Page, json_number as _number

ROOT = "root"  # the pseudo-area above the provinces: national / platform-wide defaults
DECLARED_DEFAULT = "declared-default"  # version_id of a declaration's own default (nothing stored)
ENTITY_VERSION = "policy-version"
ENTITY_TIMELINE = "policy-timeline"
PARAMETER_AT = "policy"  # the table list of one parameter at one area: `policy#<name>#<area>`
TIMELINE_SORT = "timeline"
VERSION_SORT = "v"
VERSION_ID = re.compile(r"^(root|\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})-(\d{8})-([0-9a-f]{8})$")
# No parameter of a PRC administrative area can take effect before the PRC and its division codes existed;
# an earlier date is a typo (0202 for 2022) or a probe, and years below 1000 would not even sort as text.
EARLIEST_EFFECTIVE = date(1949, 10, 1)
EffectiveDate = dates.window(earliest=EARLIEST_EFFECTIVE, years=10)  # a version may be announced ahead
AREA_SHAPE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$")


# --- the registry -------------------------------------------------------------------------------------

Declaration = plugin.Parameter  # one type for the core's parameters and the ones plugins declare

MEANS_INCOME_THRESHOLD = "means.income_threshold_monthly"  # chalicelib.domain.means: the shared means test
MEANS_SPECIAL_GROUPS = "means.special_groups_exempt"         # … and the groups exempt from it
MEANS_ADVANCED_AGE = "means.advanced_age_years"

# The core's own parameters. A service's parameters are declared on its Plugin (`parameters=`), and are
# known exactly while the plugin is enabled.
CORE_PARAMETERS: dict[str, Declaration] = {d.name: d for d in (
    # SPEC L2 / A2: one economic-hardship standard for every service that relieves the hard-up of a cost
    # (legal aid, appraisal fees). No default: the law leaves it to each locality (REFERENCE.md; seeds/001:
    # Changzhou 2021 moved it from 2 × 低保 to the local minimum wage), so an area without one is decided by
    # a clerk, never by another city's figure.
    Declaration(MEANS_INCOME_THRESHOLD, title="经济困难标准（家庭人均月收入上限）", unit="元/月", minimum=100,
                maximum=100_000,
                description="SPEC L2、A2：家庭人均月收入不高于此数视为经济困难，法律援助和司法鉴定费减缓免共用；"
                            "常州 2021-07-20 起为当地最低工资标准（常司发〔2021〕89号）。"),
    # SPEC L3 / A2: the local special-hardship groups deemed hard-up without the means test, for legal aid and
    # appraisal fees alike (seeds/001 items 3 and 11, one notice). Default: not in force (national rules only).
    Declaration(MEANS_SPECIAL_GROUPS, title="特殊困难群体免于经济困难审查、不受事项范围限制（1 实行，0 不实行）",
                unit="是否", minimum=0, maximum=1, default=0,
                description="SPEC L3、A2：常州 2021 年起对农村高龄、孤寡、失能、失独老人，困境儿童，重度残疾人，重病患者，"
                            "低保、特困、五保对象免审且取消事项范围限制；司法鉴定费减缓免同样适用。"),
    Declaration(MEANS_ADVANCED_AGE, title="高龄老人年龄下限", unit="周岁", minimum=60, maximum=100, default=80,
                description="SPEC L3 “农村高龄老人”：年满此周岁（按出生日期计算）。"),
    Declaration("files.max_upload_mb", title="单个上传文件大小上限", unit="MB", minimum=1, maximum=100, default=20,
                description="SPEC C10：上传资料的大小上限（确认上传时要整体读取校验，故不超过 100 MB）。"),
    # SPEC C5 限时办结: each intake category's time limit in working days, counted from the day received
    # (chalicelib.plugin.TICKET_CATEGORIES names the core's categories; a plugin declares its own's).
    *(Declaration(plugin.ticket_deadline_parameter(category), title=f"受理时限：{title}", unit="工作日", minimum=1, maximum=60,
                  default=days, description=basis)
      for category, title, days, basis in (
          ("consultation", "法律咨询", 3, "12345 热线规则：咨询、求助类约 3 个工作日答复。"),
          ("dispute", "矛盾纠纷", 15, "人民调解一般自受理起 15 日内办结（各地规定不一，可按区域调整）。"),
          ("appraisal", "司法鉴定", 30, "司法鉴定程序通则：受理后 30 个工作日内完成鉴定。"),
          ("complaint", "投诉", 15, "政务服务好差评、12345 规则：投诉类 13–15 个工作日内答复。"),
          ("other", "其他", 5, "其他事项的一般时限，由各区按实际设置。"),
      )),
    Declaration("feedback.callback_days", title="差评回访时限", unit="工作日", minimum=1, maximum=15, default=3,
                description="SPEC C6、政务服务好差评：实名差评须回访核实（各地规定不一，常见为 3 个工作日）。"),
    Declaration("feedback.rectify_days", title="差评整改时限", unit="工作日", minimum=1, maximum=60, default=15,
                description="政务服务好差评（GB/T 39734-2020 配套规则）：实名差评 15 个工作日内整改反馈。"),
    Declaration("feedback.reply_days", title="意见箱答复时限", unit="工作日", minimum=1, maximum=60, default=15,
                description="SPEC C6 意见箱「解忧法空间」：投诉、建议按 12345 投诉类规则 15 个工作日内答复。"),
    Declaration("intake.due_soon_days", title="受理事项临近时限提示", unit="工作日", minimum=1, maximum=10, default=2,
                description="SPEC C5：距时限不足该工作日数的事项列入「临近超时」。"),
    # SPEC C7 (seeds/003 主动排摸): what the screening calls high-frequency and risky in 12345 / petition data.
    Declaration("screening.hotspot_ratio", title="高发问题：本月件数为前三月平均的倍数", unit="倍", minimum=1, maximum=10,
                default=2, description="SPEC C7：某类诉求本月件数达到前三个月平均的该倍数（且不少于最低件数）即为高发。"),
    Declaration("screening.hotspot_minimum", title="高发问题：最低件数", unit="件", minimum=1, maximum=1000, default=5,
                description="SPEC C7：件数少于此数的类别不算高发，避免个位数的波动。"),
    Declaration("screening.repeat_contacts", title="重复来电/重复信访：同一人当月次数", unit="次", minimum=2, maximum=50,
                default=3, description="SPEC C7：重复信访、反复来电是矛盾未化解的信号。"),
    Declaration("screening.group_parties", title="群体性风险：涉及人数", unit="人", minimum=2, maximum=1000, default=5,
                description="SPEC C7：涉及人数较多的纠纷可能演变为群体性事件。"),
)}


def declared(name: str) -> Declaration:
    """The declaration of `name` (the core's or an enabled plugin's); an unknown name is a 422 naming the
    path parameter."""
    found = CORE_PARAMETERS.get(name) or plugin.parameter(name)
    if found is None:
        raise Unprocessable(f"没有名为「{name}」的政策参数，请检查拼写", code="unknown_policy",
                            errors=[{"loc": ["name"], "msg": "未登记的参数名"}])
    return found


def declarations() -> list[Declaration]:
    return sorted([*CORE_PARAMETERS.values(), *plugin.parameters()], key=lambda d: d.name)


# --- records ------------------------------------------------------------------------------------------

class TimelineEntry(Model):
    model_config = ConfigDict(extra="ignore")
    version_id: str
    effective_from: date
    value: Decimal
    unit: str
    label: str


class Timeline(storage.Record):
    """Every active version of one parameter at one area, oldest first (the item resolution reads), kept
    in the partition of that parameter at that area: `policy#<name>#<area>` / `timeline`."""
    entity: ClassVar[str] = ENTITY_TIMELINE
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(PARAMETER_AT, "table"),)
    name: str
    area: str
    entries: list[TimelineEntry] = []

    @staticmethod
    def at(name: str, area_code: str) -> storage.Place:
        return storage.Place(of=(name, area_code), sort=(TIMELINE_SORT,))

    def place(self, listing: str) -> storage.Place | None:
        return self.at(self.name, self.area)

    def in_force(self, on: date) -> TimelineEntry | None:
        """The latest of its versions taking effect on or before `on` (None: none yet)."""
        return max((e for e in self.entries if e.effective_from <= on), key=lambda e: e.effective_from, default=None)


class Version(storage.Record):
    """One version of a parameter at an area. Never changed once stored, except withdrawing a future one."""
    entity: ClassVar[str] = ENTITY_VERSION
    version_id: str
    name: str
    area: str
    value: Decimal
    unit: str
    effective_from: date
    label: str
    note: str | None = None
    retroactive_reason: str | None = None
    status: Literal["active", "withdrawn"] = "active"
    set_by: str
    withdrawn_by: str | None = None
    withdrawn_reason: str | None = None
    # Beside the timeline, sorted by the day it takes effect: `policy#<name>#<area>` / `v#<effective_from>#<suffix>`.
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(PARAMETER_AT, "table"),)

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.name, self.area),
                             sort=(VERSION_SORT, self.effective_from.isoformat(), self.version_id.rsplit("-", 1)[1]))

    def entry(self) -> TimelineEntry:
        return TimelineEntry(version_id=self.version_id, effective_from=self.effective_from, value=self.value,
                             unit=self.unit, label=self.label)


# --- what resolution returns ----------------------------------------------------------------------------

class InForce(Model):
    """The version of a parameter in force at an area on a date — cite it in reasons shown to people."""
    name: str = Field(examples=["means.income_threshold_monthly"])
    value: Number = Field(examples=[2280])
    unit: str = Field(examples=["元/月"])
    effective_from: date
    area: str = Field(description="给出该值的区域（可能是上级区域；root 为全平台默认）", examples=["3204"])
    label: str = Field(examples=["常州市最低工资标准"])
    version_id: str = Field(examples=["3204-20210801-0a1b2c3d"])

    def describe(self) -> str:
        """E.g. "常州市最低工资标准 2280 元/月（2021-08-01 起）" for reasons and audit summaries. A default
        declared in code has no start day (date.min): people would read "0001-01-01 起", so it says 平台默认."""
        since = "平台默认" if self.effective_from == date.min else f"{self.effective_from.isoformat()} 起"
        return f"{self.label} {_number(self.value)} {self.unit}（{since}）"


class NotConfigured(Problem):
    """No area from the one asked up to the root has a version of the parameter in force on the date."""
    status, code, title = 404, "policy_not_configured", "政策参数未配置"

    def __init__(self, parameter: Declaration | str, area_code: str, on: date) -> None:
        """`parameter`: its declaration where the caller holds it, else its name (looked up for its title)."""
        found = (parameter if isinstance(parameter, Declaration)
                 else CORE_PARAMETERS.get(parameter) or plugin.parameter(parameter))
        name = found.name if found else parameter
        title = found.title if found else name
        super().__init__(f"区域 {area_code} 在 {on.isoformat()} 没有生效的「{title}」（{name}），请管理员先设置",
                         errors=[{"loc": ["path", "name"], "msg": "该区域该日期未配置"}])
        self.name, self.area, self.on = name, area_code, on


def _check_area_code(area_code: str, loc: tuple[str, ...] = ("area",)) -> None:
    if area_code != ROOT and not AREA_SHAPE.match(area_code):
        raise Unprocessable("区划代码应为 2、4、6、9、12 位数字（网格为 15 位）", code="validation_failed",
                            errors=[{"loc": list(loc), "msg": "区划代码格式不正确"}])


def chain(area_code: str) -> list[str]:
    """The area itself, then each ancestor, nearest first, then the root."""
    from chalicelib.domain.areas.service import ancestors

    return [*reversed(ancestors(area_code)), ROOT] if area_code != ROOT else [ROOT]


def _read(names: list[str], area_code: str, *, active_area: bool = False) -> dict[str, list[Timeline]]:
    """Each name's stored timelines along the chain of `area_code`, nearest area first, from one BatchGetItem
    per 100 keys (one call for up to 14 names). The area record rides along: an unknown area is a 404, not a
    root default; with `active_area`, a retired one is too."""
    return _read_along(names, area_code, active_area=active_area).timelines


@dataclass(frozen=True)
class Along:
    """What `read_along` read in its one BatchGetItem: the parameters' timelines along an area's chain, the
    area records of that chain (the area itself at least), and the caller's own records that rode along."""
    area: str
    timelines: dict[str, list[Timeline]]
    areas: dict[str, Any]
    records: dict[type, dict[Any, storage.Record]]

    def resolve_present(self, on: date | None = None) -> dict[str, InForce]:
        """`resolve_present` over what was read: names with nothing in force are left out."""
        on = on or today_shanghai()
        found = {name: _in_force(declared(name), nearest_first, on) for name, nearest_first in self.timelines.items()}
        return {name: value for name, value in found.items() if value is not None}

    def resolve_ahead(self, names: list[str], on: date) -> dict[str, tuple[InForce | None, InForce | None]]:
        """`resolve_ahead` over what was read (the names read along)."""
        timelines = {(t.name, t.area): t for along in self.timelines.values() for t in along}
        return _ahead(names, self.area, on, timelines)

    def resolve_many(self, on: date | None = None) -> dict[str, InForce]:
        """`resolve_many` over what was read: `NotConfigured` for the first name with nothing in force."""
        on = on or today_shanghai()
        out = {}
        for name, nearest_first in self.timelines.items():
            found = _in_force(declared(name), nearest_first, on)
            if found is None:
                raise NotConfigured(declared(name), self.area, on)
            out[name] = found
        return out


def read_along(names: list[str], area_code: str, *, also: dict[type[storage.Record], Any] | None = None,
               whole_chain: bool = False, active_area: bool = False, consistent: bool = False) -> Along:
    """The parameters `names` along the chain of `area_code` read in the same BatchGetItem as the caller's own
    records (`also`, as `storage.find_each` takes them) — a create whose area is in its request reads its
    rules and what it refers to in one call. `whole_chain`: the area records of every ancestor too (for
    their names). An unknown area is a 404 (`area_not_found`), as `resolve_many` answers. `consistent`: for
    a write that decides on the records read with the parameters (an account's status)."""
    for name in names:
        declared(name)
    _check_area_code(area_code)
    return _read_along(list(dict.fromkeys(names)), area_code, also=also or {}, whole_chain=whole_chain,
                       active_area=active_area, consistent=consistent)


def read_along_each(names: list[str], area_codes: Iterable[str]) -> dict[str, Along]:
    """`read_along` for several areas at once (a page of records at different grids): the parameters `names`
    along every area's chain in one BatchGetItem (one more per 100 keys), the chains' shared ancestors read
    once. An area with no record is left out (its records came from a write that checked it)."""
    from chalicelib.domain.areas.service import Area

    for name in names:
        declared(name)
    codes = sorted(set(area_codes))
    for code in codes:
        _check_area_code(code)
    chains = {code: chain(code) for code in codes}
    places = {(name, link): Timeline.at(name, link) for links in chains.values() for link in links for name in names}
    found = storage.find_each({Area: [c for c in codes if c != ROOT], Timeline: list(dict.fromkeys(places.values()))})
    areas, stored = found[Area], found[Timeline]
    return {code: Along(area=code, areas={code: areas[code]} if code in areas else {}, records={},
                        timelines={name: [stored[places[name, link]] for link in links if places[name, link] in stored]
                                   for name in dict.fromkeys(names)})
            for code, links in chains.items() if code == ROOT or code in areas}


def _read_along(names: list[str], area_code: str, *, also: dict[type[storage.Record], Any] | None = None,
                whole_chain: bool = False, active_area: bool = False, consistent: bool = False) -> Along:
    from chalicelib.domain.areas.service import Area

    codes = chain(area_code)
    places = {name: [Timeline.at(name, code) for code in codes] for name in names}
    wanted_areas = [c for c in codes if c != ROOT] if whole_chain else [area_code] if area_code != ROOT else []
    found = storage.find_each({**(also or {}), Area: wanted_areas,
                               Timeline: [place for along in places.values() for place in along]},
                              consistent=consistent)
    areas, stored = found[Area], found[Timeline]
    if area_code != ROOT:  # the root is no area record: nothing to check
        if area_code not in areas:
            raise NotFound(f"区域 {area_code} 不存在", code="area_not_found")
        if active_area and areas[area_code].status != "active":
            raise NotFound(f"区域 {area_code} 已撤销", code="area_retired")
    return Along(area=area_code,
                 timelines={name: [stored[place] for place in along if place in stored] for name, along in places.items()},
                 areas=areas, records={cls: found[cls] for cls in (also or {})})


def _in_force(declaration: Declaration, nearest_first: list[Timeline], on: date) -> InForce | None:
    """The rule of resolution, in one place: the version in force on `on` at the nearest area that has one,
    else the declaration's default (declared in code for a fresh deployment; any stored version wins), else
    None (not configured)."""
    for timeline in nearest_first:
        entry = timeline.in_force(on)
        if entry is not None:
            return InForce(name=declaration.name, value=entry.value, unit=entry.unit,
                           effective_from=entry.effective_from, area=timeline.area, label=entry.label,
                           version_id=entry.version_id)
    if declaration.default is None:
        return None
    return InForce(name=declaration.name, value=declaration.default, unit=declaration.unit, effective_from=date.min,
                   area=ROOT, label=declaration.title, version_id=DECLARED_DEFAULT)


def _resolve(names: list[str], area_code: str, on: date, *,
             active_area: bool) -> list[tuple[Declaration, InForce | None]]:
    """Each parameter of `names` with what is in force: its declaration looked up once (an unknown name is a
    422 before anything is read), the chain and the timelines read once, the value picked by `_in_force`."""
    wanted = {name: declared(name) for name in names}
    _check_area_code(area_code)
    along = _read(list(wanted), area_code, active_area=active_area)
    return [(declaration, _in_force(declaration, along[name], on)) for name, declaration in wanted.items()]


def _read_timelines(names: list[str], area_code: str, *, active_area: bool = False) -> dict[tuple[str, str], Timeline]:
    """`_read` keyed by (name, area): for a write that looks at one area's own timeline (`set_version`) and
    for `resolve_ahead`, which looks past the date asked."""
    return {(t.name, t.area): t for along in _read(names, area_code, active_area=active_area).values() for t in along}


def _timeline(name: str, area_code: str) -> Timeline | None:
    """The timeline of `name` at exactly `area_code`, read consistently (a write decides on it)."""
    place = Timeline.at(name, area_code)
    return storage.find_in(Timeline, PARAMETER_AT, place.of, place.sort, consistent=True)


def _entries_at(name: str, code: str, timelines: dict[tuple[str, str], Timeline]) -> list[TimelineEntry]:
    """The active versions of `name` at one area, oldest first."""
    timeline = timelines.get((name, code))
    return sorted(timeline.entries, key=lambda e: e.effective_from) if timeline else []


def _pick(name: str, area_code: str, on: date, timelines: dict[tuple[str, str], Timeline]) -> InForce | None:
    """`_in_force` over timelines already read by `_read_timelines` (`set_version`: the value a version replaces)."""
    nearest_first = [timelines[(name, code)] for code in chain(area_code) if (name, code) in timelines]
    return _in_force(declared(name), nearest_first, on)


def in_force_among(name: str, area_code: str, on: date, stored: dict[Any, Timeline]) -> InForce:
    """The version of `name` in force at `area_code` on `on`, from timelines a caller read along its own
    records for several areas at once (`Timeline.at(name, code)` places → records, as `storage.find_each`
    answers): the same rule as `resolve`; `NotConfigured` when nothing is in force."""
    nearest_first = [stored[p] for p in (Timeline.at(name, code) for code in chain(area_code)) if p in stored]
    value = _in_force(declared(name), nearest_first, on)
    if value is None:
        raise NotConfigured(declared(name), area_code, on)
    return value


def resolve(name: str, area_code: str, on: date | None = None, *, active_area: bool = False) -> InForce:
    """The version of `name` in force at `area_code` on `on` (default: today in Asia/Shanghai)."""
    return resolve_many([name], area_code, on, active_area=active_area)[name]


def resolve_many(names: list[str], area_code: str, on: date | None = None, *,
                 active_area: bool = False) -> dict[str, InForce]:
    """Several parameters for one area and date in one round trip; `NotConfigured` for the first missing.
    With `active_area`, a retired area is refused (404 `area_retired`) from the area record the same round
    trip reads: for a caller starting something new there (a ticket), not one reading its past."""
    on = on or today_shanghai()
    out = {}
    for declaration, found in _resolve(names, area_code, on, active_area=active_area):
        if found is None:
            raise NotConfigured(declaration, area_code, on)
        out[declaration.name] = found
    return out


def resolve_present(names: list[str], area_code: str, on: date | None = None, *,
                    active_area: bool = False) -> dict[str, InForce]:
    """Like `resolve_many` in the same single round trip, but names with nothing in force are left out
    instead of raising (for callers that treat a missing parameter as "not applicable")."""
    found = _resolve(names, area_code, on or today_shanghai(), active_area=active_area)
    return {declaration.name: value for declaration, value in found if value is not None}


def resolve_ahead(names: list[str], area_code: str, on: date, *,
                  active_area: bool = False) -> dict[str, tuple[InForce | None, InForce | None]]:
    """For each of `names`: the version in force at `area_code` on `on`, and the first one already set to take
    its place at that area on a later day (None if none is) — one round trip, as `resolve_present`."""
    for name in names:
        declared(name)
    _check_area_code(area_code)
    along = _read_along(list(dict.fromkeys(names)), area_code, active_area=active_area)
    return along.resolve_ahead(names, on)


def _ahead(names: list[str], area_code: str, on: date,
           timelines: dict[tuple[str, str], Timeline]) -> dict[str, tuple[InForce | None, InForce | None]]:
    out: dict[str, tuple[InForce | None, InForce | None]] = {}
    for name in names:
        now = _pick(name, area_code, on, timelines)
        days = sorted({e.effective_from for code in chain(area_code) for e in _entries_at(name, code, timelines)
                       if e.effective_from > on})
        later = (_pick(name, area_code, day, timelines) for day in days)
        out[name] = (now, next((v for v in later if v and (now is None or v.version_id != now.version_id)), None))
    return out


def resolve_or_none(name: str, area_code: str, on: date | None = None) -> InForce | None:
    try:
        return resolve(name, area_code, on)
    except NotConfigured:
        return None


# --- writes ---------------------------------------------------------------------------------------------

class VersionIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    area: str = Field(description="该版本适用的区域代码（其下级区域继承，除非另行设置）", examples=["3204"])
    value: Decimal = Field(description="参数值", examples=[2280], max_digits=12, decimal_places=2)
    unit: str | None = Field(None, max_length=20, description="单位；省略则用登记的单位，给出则必须一致",
                             examples=["元/月"])
    effective_from: EffectiveDate = Field(description="生效日期（北京时间，含当日；1949-10-01 至 10 年内）",
                                          examples=["2026-12-01"])
    label: str | None = Field(None, min_length=1, max_length=60,
                              description="向群众说明理由时引用的名称，省略则用参数名称", examples=["常州市最低工资标准"])
    note: str | None = Field(None, max_length=500, description="依据（文件名、文号）", examples=["常司发〔2021〕89号"])
    retroactive_reason: str | None = Field(None, min_length=4, max_length=500,
                                           description="生效日期早于今天时必填：为何追溯（如录入历史标准）")

    @field_validator("area")
    @classmethod
    def _area_shape(cls, area: str) -> str:
        if area != ROOT and not AREA_SHAPE.match(area):
            raise ValueError("区划代码应为 2、4、6、9、12 位数字（网格为 15 位）")
        return area


class VersionOut(Model):
    version_id: str
    name: str
    area: str
    value: Number
    unit: str
    effective_from: date
    label: str
    note: str | None
    retroactive_reason: str | None
    status: Literal["active", "withdrawn"]
    set_by: str
    created_at: str
    withdrawn_by: str | None
    withdrawn_reason: str | None
    version: int

    @classmethod
    def of(cls, v: Version) -> "VersionOut":
        return cls(version_id=v.version_id, name=v.name, area=v.area, value=v.value, unit=v.unit,
                   effective_from=v.effective_from, label=v.label, note=v.note,
                   retroactive_reason=v.retroactive_reason, status=v.status, set_by=v.set_by,
                   created_at=v.created_at.isoformat(), withdrawn_by=v.withdrawn_by,
                   withdrawn_reason=v.withdrawn_reason, version=v.version)


def _require_admin_over(caller: Caller | None, area_code: str) -> None:
    """Admins change parameters of their area and below; `caller=None` is the system (demo loader, CLI),
    the only writer of root defaults."""
    if caller is None:
        return
    if not caller.is_admin:
        raise Forbidden("只有管理员可以设置政策参数", code="role_not_allowed")
    if not caller.covers(area_code):
        raise Forbidden("该区域不在您的管辖范围内", code="outside_jurisdiction")


def _field(loc: str, msg: str) -> list[dict[str, Any]]:
    return [{"loc": [loc], "msg": msg}]


def set_version(actor: audit.Actor, caller: Caller | None, name: str, data: VersionIn | None = None, *,
                area_code: str | None = None, value: Decimal | int | str | None = None,
                unit: str | None = None, effective_from: date | None = None, label: str | None = None,
                note: str | None = None, retroactive_reason: str | None = None) -> Version:
    """Add a version of `name` at an area (admin of that area), audited with the value it replaces for that
    date (old → new). Pass `data` (the route) or the keyword fields (services, demo loader)."""
    declaration = declared(name)
    if data is None:
        data = VersionIn(area=area_code, value=Decimal(str(value)), unit=unit, effective_from=effective_from,
                         label=label, note=note, retroactive_reason=retroactive_reason)
    _require_admin_over(caller, data.area)
    errors = []
    if not declaration.minimum <= data.value <= declaration.maximum:
        errors += _field("value", f"应在 {_number(declaration.minimum)}–{_number(declaration.maximum)} "
                                  f"{declaration.unit} 之间")
    if data.unit is not None and data.unit != declaration.unit:
        errors += _field("unit", f"该参数的单位是「{declaration.unit}」")
    today = today_shanghai()
    if data.effective_from < today and not data.retroactive_reason:
        errors += _field("effective_from", f"生效日期早于今天（{today.isoformat()}）：追溯生效须填写 retroactive_reason")
    if errors:
        raise Unprocessable("以下字段有误：" + "、".join(e["loc"][0] for e in errors), code="invalid_policy_version",
                            errors=errors)

    timelines = _read_timelines([name], data.area)
    own = timelines.get((name, data.area))
    existing = _entries_at(name, data.area, timelines)
    if existing and data.effective_from <= existing[-1].effective_from:
        last = existing[-1]
        raise Conflict(f"生效日期须晚于该区域现有最新版本的生效日期 {last.effective_from.isoformat()}",
                       code="effective_from_not_after_previous",
                       errors=_field("effective_from", f"应晚于 {last.effective_from.isoformat()}"))
    before = _pick(name, data.area, data.effective_from, timelines)

    version = Version(
        version_id=f"{data.area}-{data.effective_from.isoformat().replace('-', '')}-{uuid.uuid4().hex[:8]}",
        name=name, area=data.area, value=data.value, unit=declaration.unit, effective_from=data.effective_from,
        label=data.label or declaration.title, note=data.note, retroactive_reason=data.retroactive_reason,
        set_by=actor.sub,
    )
    storage.stamp_new(version)
    if own is None:
        own = storage.stamp_new(Timeline(name=name, area=data.area, entries=[version.entry()]))
        timeline_op = storage.put_op(own.to_item())
    else:
        timeline_op = _timeline_update(own, [*own.entries, version.entry()])
    old = "未设置"
    if before is not None:
        old = before.describe() + ("" if before.area == data.area else f"（沿用 {before.area} 的设置）")
    summary = f"设置「{declaration.title}」@{data.area}，{data.effective_from.isoformat()} 起：{old} → " \
              f"{version.label} {_number(version.value)} {version.unit}"
    if data.retroactive_reason:
        summary += f"；追溯生效，理由：{data.retroactive_reason}"
    changes = {"value": {"from": before.value if before else None, "to": version.value},
               "label": {"from": before.label if before else None, "to": version.label}}
    try:
        storage.put_new(version, also=[
            timeline_op,
            audit.entry(actor, "set", ENTITY_VERSION, version.version_id, summary,
                        {k: v for k, v in changes.items() if v["from"] != v["to"]}),
        ])
    except Conflict as exc:
        if exc.code == "condition_failed":  # the timeline changed under us (a concurrent version)
            raise Conflict("该参数刚被他人修改，请刷新后重试", code="stale_version") from None
        raise
    return version


def _timeline_update(timeline: Timeline, entries: list[TimelineEntry]) -> dict[str, Any]:
    _, op = storage.prepare_update(timeline, {"entries": sorted(entries, key=lambda e: e.effective_from)},
                                   expected_version=timeline.version)
    return op


def get_version(name: str, version_id: str, caller: Caller | None = None) -> Version:
    """One version; with `caller`, only within their line of areas (as `versions`), else 403 — checked on
    the area the id names, before reading, so a refusal says nothing about whether the version exists."""
    area_code, place = _version_place(name, version_id)
    if caller is not None:
        _require_line_of_areas(caller, area_code)
    version = storage.find_in(Version, PARAMETER_AT, place.of, place.sort, consistent=True)
    if version is None:
        raise NotFound("没有这个参数版本", code="policy_version_not_found")
    return version


def _version_place(name: str, version_id: str) -> tuple[str, storage.Place]:
    """(the area, where the version stands) as its id names them; 404 for an id that names none."""
    declared(name)
    match = VERSION_ID.match(version_id)
    if not match:
        raise NotFound("没有这个参数版本", code="policy_version_not_found")
    area_code, day, suffix = match.groups()
    return area_code, storage.Place(of=(name, area_code), sort=(VERSION_SORT, f"{day[:4]}-{day[4:6]}-{day[6:]}", suffix))


def withdraw(actor: audit.Actor, caller: Caller | None, name: str, version_id: str, reason: str,
             expected_version: int) -> Version:
    """Withdraw a version that has not taken effect yet (admin of its area); audited with the reason. The
    version and its area's timeline (the id names the area) are one consistent BatchGetItem, the change one
    transaction: two calls."""
    area_code, place = _version_place(name, version_id)
    found = storage.find_each({Version: [place], Timeline: [Timeline.at(name, area_code)]}, consistent=True)
    version = found[Version].get(place)
    if version is None:
        raise NotFound("没有这个参数版本", code="policy_version_not_found")
    _require_admin_over(caller, version.area)
    if version.status != "active":
        raise Conflict("该版本已撤回", code="already_withdrawn")
    if version.effective_from <= today_shanghai():
        raise Conflict(f"该版本已于 {version.effective_from.isoformat()} 生效，不能撤回；如需调整请设置新版本",
                       code="version_in_force")
    timeline = found[Timeline].get(Timeline.at(name, area_code))
    remaining = [e for e in (timeline.entries if timeline else []) if e.version_id != version_id]
    also = [audit.entry(actor, "withdraw", ENTITY_VERSION, version_id,
                        f"撤回「{declared(name).title}」@{version.area} {version.effective_from.isoformat()} 起的版本"
                        f"（{_number(version.value)} {version.unit}），理由：{reason}",
                        {"status": {"from": "active", "to": "withdrawn"}})]
    if timeline is not None:
        also.insert(0, _timeline_update(timeline, remaining))
    return storage.update(version, {"status": "withdrawn", "withdrawn_by": actor.sub, "withdrawn_reason": reason},
                          expected_version=expected_version, also=also)


def _require_line_of_areas(caller: Caller, area_code: str) -> None:
    """Staff read the versions of their area, its ancestors (the rules that govern them) and below."""
    if caller.area and not (area_code == ROOT or area_code.startswith(caller.area)
                            or caller.area.startswith(area_code)):
        raise Forbidden("该区域不在您的管辖范围内", code="outside_jurisdiction")


def versions(caller: Caller, name: str, area_code: str, *, limit: int, cursor: str | None) -> Page[VersionOut]:
    """Every version (withdrawn ones too) of `name` set at exactly `area_code`, newest first. Staff see
    those of their area, its ancestors (the rules that govern them) and everything below."""
    declared(name)
    _check_area_code(area_code)
    _require_line_of_areas(caller, area_code)
    page = storage.page(Version, PARAMETER_AT, (name, area_code), after=(VERSION_SORT,), limit=limit, cursor=cursor,
                        newest_first=True)
    return Page[VersionOut](items=[VersionOut.of(Version.from_item(i)) for i in page.items],
                            next_cursor=page.next_cursor)


# --- demo data ------------------------------------------------------------------------------------------


# --- loading known versions (a city joining the platform, demo data) ----------------------------------

@dataclass(frozen=True)
class VersionRow:
    name: str
    area: str
    value: Decimal | int
    effective_from: date
    label: str
    note: str = ""


def load_versions(actor: audit.Actor, rows: list[VersionRow], reason: str = "录入历史标准") -> dict[str, int]:
    """Enter known versions in date order, skipping any (name, area) whose timeline already reaches that
    date, so running it again adds nothing. Past dates are historical rules, entered as retroactive with
    `reason`."""
    loaded = skipped = 0
    for row in sorted(rows, key=lambda r: r.effective_from):
        timeline = _timeline(row.name, row.area)
        if timeline and any(e.effective_from >= row.effective_from for e in timeline.entries):
            skipped += 1
            continue
        set_version(actor, None, row.name, area_code=row.area, value=row.value, effective_from=row.effective_from,
                    label=row.label, note=row.note,
                    retroactive_reason=reason if row.effective_from < today_shanghai() else None)
        loaded += 1
    return {"loaded": loaded, "skipped": skipped}

