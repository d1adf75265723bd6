"""The 法律明白人 registry (SPEC P3): the people of a grid trained to explain the law to their neighbours —
who they are (ID number and phone sealed by the core's `pii`: ciphertext, lookup hash and mask, shown
masked), their grid, their training (course, hours, date) and the activities they took part in.

Nationally they number about 4.2 million, so the registry pages (a Query of the area's list) and is filled
by the core's tabular import (CSV in UTF-8 or GBK, or XLSX; a report per row), not typed one by one:
- a person is keyed by the lookup hash of the ID number: importing next year's list again updates (their
  grid, name and phone), never duplicates; a training already recorded is not added twice;
- valid rows are written `BATCH` to a transaction, each with the grid's count (`LITERATES`, the screening's
  tally) and one audit entry per transaction, the last batch in the report's own transaction; the report
  names row, column and what is wrong, never the ID number. The file's record is read with the request's
  Idempotency-Key claim, and the rows' grids, their coverage links and the first batch's people in one
  BatchGetItem: a one-batch list is three calls;
- every grid needs at least one (the core's coverage role `legal_literate`, C3): a grid's first person
  registered fills the role there through `coverage.filling`, in its own transaction;
- the local target, one per so many households (`publicity.households_per_literate`), is a parameter: the
  target view says how many a grid of that many households needs and how many it has.
"""
from __future__ import annotations

import math
import uuid
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import ConfigDict, Field

from chalicelib.domain.areas import service as areas
from chalicelib.domain.areas.service import Area
from chalicelib.domain.coverage import service as coverage
from chalicelib.domain.directory.models import AreaLinks
from chalicelib.domain.policy import service as policy
from chalicelib.domain.screening import tallies
from chalicelib.plugin import Parameter
from chalicelib.platform import audit, dates, pii, storage, tabular
from chalicelib.platform.auth import Caller, require_covers
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable, field_error
from chalicelib.platform.model import Model, Page
from chalicelib.platform.timeutil import now_utc, today_shanghai
from plugins.publicity.models import ENTITY as EVENT_ENTITY, Event

LITERATE = "publicity-literate"
IN_AREA = "publicity-literate-area"
IMPORT = "publicity-literate-import"
LITERATES = "publicity.literates"                 # screening tally: people registered per grid
COVERAGE_ROLE = "legal_literate"                  # the core's coverage role (chalicelib.domain.coverage)
HOUSEHOLDS_PER = "publicity.households_per_literate"
MAX_TRAININGS, MAX_ACTIVITIES = 100, 200
BATCH = 45                                        # a row is 2 ops (person, grid tally): 45 × 2 + audit ≤ 100
MAX_REPORTED_ERRORS = 500

PARAMETERS = (
    Parameter(HOUSEHOLDS_PER, title="法律明白人配备标准（每若干户一名）", unit="户/名", minimum=10, maximum=2000,
              default=100, description="每个网格至少一名法律明白人（SPEC P3）；此外按户数配备：每若干户一名。"
                                       "默认每 100 户一名为本地做法，由各地按实施方案另设版本。"),
)


class Training(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    course: str = Field(min_length=2, max_length=60, examples=["民法典专题培训"])
    hours: Decimal = Field(gt=0, le=200, decimal_places=1, description="学时", examples=["4.0"])
    on: dates.window() = Field(description="培训日期（不晚于今天）", examples=["2026-10-16"])


class Participation(Model):
    event_id: str
    added_at: date


class Literate(storage.Record):
    """One 法律明白人, named by the lookup hash of the ID number; listed under their grid."""
    entity: ClassVar[str] = LITERATE
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(IN_AREA, "gsi1", by="area"),)
    missing: ClassVar[tuple[str, str]] = ("没有这位法律明白人", "literate_not_found")
    id: str
    name: str
    grid: str
    id_cipher: str
    id_masked: str
    phone_cipher: str | None = None
    phone_masked: str | None = None
    trainings: list[Training] = Field(default_factory=list)
    activities: list[Participation] = Field(default_factory=list)
    recorded_by: str
    import_id: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.grid, sort=(self.id,)) if listing == IN_AREA else None


# --- input and output ---------------------------------------------------------------------------------

def _name(text: str) -> str:
    text = text.strip()
    if not 2 <= len(text) <= 30:
        raise ValueError("姓名应为 2–30 个字")
    return text


def _grid(text: str) -> str:
    if not (text.isdigit() and len(text) == 15):
        raise ValueError("应为 15 位网格代码")
    return text


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD") from None
    if not date(1950, 1, 1) <= day <= today_shanghai():
        raise ValueError("培训日期不能晚于今天")
    return day


def _hours(text: str) -> Decimal:
    try:
        hours = Decimal(text)
    except ArithmeticError:
        raise ValueError("学时应为数字") from None
    if not Decimal(0) < hours <= 200:
        raise ValueError("学时应在 0–200 之间")
    return hours.quantize(Decimal("0.1"))


COLUMNS = [
    tabular.Column("name", ("姓名", "name"), parse=_name),
    tabular.Column("id_number", ("身份证号", "身份证号码", "公民身份号码", "id_number"), parse=pii.normalize_id_number),
    tabular.Column("phone", ("联系电话", "手机号", "电话", "phone"), required=False, parse=pii.normalize_phone),
    tabular.Column("grid", ("网格代码", "网格编码", "网格", "grid"), parse=_grid),
    tabular.Column("course", ("培训课程", "课程", "course"), required=False),
    tabular.Column("hours", ("学时", "培训学时", "hours"), required=False, parse=_hours),
    tabular.Column("trained_on", ("培训日期", "trained_on"), required=False, parse=_day),
]
FORMATS: dict[str, tabular.Format] = {
    "text/csv": "csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}


class LiterateIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=2, max_length=30, examples=["王秀兰"])
    id_number: pii.IdNumber = Field(description="公民身份号码（校验位核验；加密保存，只显示掩码）",
                                    examples=["32040219800101008X"])
    phone: str | None = Field(None, description="手机号（加密保存，只显示掩码）", examples=["13800001302"])
    grid: str = Field(pattern=r"^\d{15}$", examples=["320402001001001"])
    trainings: list[Training] = Field(default_factory=list, max_length=MAX_TRAININGS)


class LiterateTrainingIn(Training):
    version: int | None = Field(None, ge=1, description="所见版本（或用 If-Match）")


class LiterateActivityIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    event_id: str = Field(min_length=1, max_length=64, description="参加的普法活动编号",
                          examples=["9c4e2b7a1d3f4a5b8c6d0e1f2a3b4c5d"])
    version: int | None = Field(None, ge=1, description="所见版本（或用 If-Match）")


class LiterateImportIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    file_id: str = Field(min_length=1, max_length=64,
                         description="已上传并确认的 CSV（UTF-8 或 GBK）或 Excel（.xlsx）文件编号（/v1/files）",
                         examples=["e7b3c1a94f2d4b6e8a0c5d7f9b1e3a26"])


class LiterateListQuery(Model):
    model_config = ConfigDict(extra="forbid")
    area: str | None = Field(None, pattern=r"^(\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$", description="区域代码（默认本人辖区）")
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class LiterateTargetQuery(Model):
    model_config = ConfigDict(extra="forbid")
    grid: str = Field(pattern=r"^\d{15}$", description="网格代码")
    households: int = Field(ge=0, le=100_000, description="网格户数")


class LiterateOut(Model):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "c2e8a4f61b3d4e7a9c0b5d1e2f3a4b6c", "name": "王某某", "grid": "320402001001001",
        "id_number": "320***********008X", "phone": "138****1302",
        "trainings": [{"course": "民法典专题培训", "hours": "4.0", "on": "2026-10-16"}], "training_hours": "4.0",
        "activities": [{"event_id": "9c4e2b7a1d3f4a5b8c6d0e1f2a3b4c5d", "added_at": "2026-11-18"}], "version": 2}]})

    id: str
    name: str
    grid: str
    id_number: str = Field(description="身份证号（掩码）")
    phone: str | None = Field(None, description="手机号（掩码）")
    trainings: list[Training]
    training_hours: Decimal
    activities: list[Participation]
    version: int

    @classmethod
    def of(cls, p: Literate) -> "LiterateOut":
        return cls(id=p.id, name=p.name, grid=p.grid, id_number=p.id_masked, phone=p.phone_masked,
                   trainings=p.trainings, training_hours=sum((t.hours for t in p.trainings), Decimal(0)),
                   activities=p.activities, version=p.version)


class LiterateImportOut(Model):
    id: str
    file_id: str
    rows: int
    created: int
    updated: int
    failed: int
    covered_grids: int = Field(description="本次导入后新满足「每网格至少一名」的网格数")
    errors: list[tabular.RowError]
    errors_truncated: bool = False


class LiterateTargetOut(Model):
    grid: str
    households: int
    registered: int
    target: int
    met: bool
    reason: str
    rule: str


# --- one person ---------------------------------------------------------------------------------------

def person_id(id_number: str) -> str:
    return pii.lookup_hash("id_number", id_number)[:32]


def _new(caller: Caller, *, name: str, id_number: str, phone: str | None, grid: str, trainings: list[Training],
         import_id: str | None = None) -> Literate:
    phone_fields = pii.seal_phone(phone).fields("phone", keep_hash=False) if phone else {}
    moment = now_utc()
    return Literate(id=person_id(id_number), name=name, grid=grid, **pii.seal_id_number(id_number).fields(
        "id", keep_hash=False), **phone_fields, trainings=trainings, recorded_by=caller.sub, import_id=import_id,
        version=1, created_at=moment, updated_at=moment)


def _covering(caller: Caller, grid: Area, person_id: str, links: AreaLinks | None) -> list[dict]:
    """The ops making the person `person_id` the grid's 法律明白人 of the core's coverage, unless the grid has one."""
    if links and any(e.get("role") == COVERAGE_ROLE and e.get("area") == grid.code for e in links.assigned()):
        return []
    _, ops = coverage.filling(caller.actor, coverage.role_named(COVERAGE_ROLE, ["grid"]), grid, "person",
                              person_id, existing=None, note="法律明白人名册")
    return ops


def _grid_and_links(grid: str, loc: list[str]) -> tuple[Area, AreaLinks | None]:
    found = storage.find_each({Area: [grid], AreaLinks: [grid]})
    area = found[Area].get(grid)
    if area is None or area.status != "active" or area.level != "grid":
        raise Unprocessable(f"网格 {grid} 不存在或已撤销", code="area_not_found", errors=field_error(loc, "网格不存在"))
    return area, found[AreaLinks].get(grid)


def register(caller: Caller, data: LiterateIn) -> Literate:
    """Register one person: the grid and its links read in one BatchGetItem, then one transaction — the
    person (a second registration of the same ID number is a 409), the grid's count, the coverage role if
    the grid had nobody, the audit entry."""
    require_covers(caller, data.grid, ["grid"])
    number = data.id_number  # normalised and checked by the model (`pii.IdNumber`)
    try:
        phone = pii.normalize_phone(data.phone) if data.phone else None
    except ValueError as exc:
        raise Unprocessable("手机号有误", code="invalid_phone", errors=field_error(["phone"], str(exc))) from None
    grid, links = _grid_and_links(data.grid, ["grid"])
    person = _new(caller, name=data.name, id_number=number, phone=phone, grid=data.grid, trainings=data.trainings)
    try:
        return storage.put_new(person, also=[
            tallies.count_op(LITERATES, data.grid), *_covering(caller, grid, person.id, links),
            audit.entry(caller.actor, "create", LITERATE, person.id, f"登记法律明白人（网格 {data.grid}）")])
    except Conflict as exc:
        if exc.code == "already_exists":
            raise Conflict("该身份证号已登记为法律明白人", code="literate_exists",
                           errors=field_error(["id_number"], "已登记")) from None
        raise


def get(caller: Caller, literate_id: str) -> Literate:
    person = storage.require(Literate, literate_id)
    if not (caller.is_staff and caller.covers(person.grid)):
        raise NotFound(*Literate.missing[:1], code=Literate.missing[1])
    return person


def add_training(caller: Caller, literate_id: str, data: LiterateTrainingIn, expected_version: int) -> Literate:
    person = get(caller, literate_id)
    training = Training(course=data.course, hours=data.hours, on=data.on)
    if len(person.trainings) >= MAX_TRAININGS:
        raise Conflict(f"培训记录已达 {MAX_TRAININGS} 条", code="too_many_trainings")
    return storage.update(person, {"trainings": [*person.trainings, training]}, expected_version=expected_version,
                          also=[audit.entry(caller.actor, "update", LITERATE, person.id,
                                            f"登记培训：{training.course} {training.hours} 学时")])


def add_activity(caller: Caller, literate_id: str, data: LiterateActivityIn, expected_version: int) -> Literate:
    """Record that the person took part in a publicity activity of the directory's (checked inside the
    transaction: it exists); the same activity twice is a 409."""
    person = get(caller, literate_id)
    if any(a.event_id == data.event_id for a in person.activities):
        raise Conflict("已登记参加该活动", code="activity_recorded", errors=field_error(["event_id"], "已登记"))
    if len(person.activities) >= MAX_ACTIVITIES:
        raise Conflict(f"参加活动记录已达 {MAX_ACTIVITIES} 条", code="too_many_activities")
    missing = Unprocessable("没有这项普法活动", code="publicity_event_not_found",
                            errors=field_error(["event_id"], "活动不存在"))
    entry = Participation(event_id=data.event_id, added_at=today_shanghai())
    return storage.update(person, {"activities": [*person.activities, entry]}, expected_version=expected_version,
                          also=[storage.must_exist(Event, data.event_id, missing),
                                audit.entry(caller.actor, "update", LITERATE, person.id,
                                            f"登记参加普法活动 {EVENT_ENTITY}:{data.event_id}")])


def in_area(caller: Caller, q: LiterateListQuery) -> Page[LiterateOut]:
    """An area's people and everything below it, by grid: one Query."""
    area = q.area or caller.area or ""
    require_covers(caller, area, ["area"])
    page = storage.page(Literate, IN_AREA, area, limit=q.limit, cursor=q.cursor)
    return Page[LiterateOut](items=[LiterateOut.of(Literate.from_item(i)) for i in page.items],
                             next_cursor=page.next_cursor)


def target(caller: Caller, q: LiterateTargetQuery) -> LiterateTargetOut:
    """How many a grid of `households` needs (at least one, and one per the parameter's households) and how
    many it has: the grid's tally, the grid and the parameter's timelines along its chain in one BatchGetItem."""
    require_covers(caller, q.grid, ["grid"])
    counted = tallies.Tally(name=LITERATES, area=q.grid).place(tallies.TALLIES)
    along = policy.read_along([HOUSEHOLDS_PER], q.grid, also={tallies.Tally: [counted]})
    tally = along.records[tallies.Tally].get(counted)
    registered = tally.count if tally else 0
    rule = along.resolve_many()[HOUSEHOLDS_PER]
    per = int(rule.value)
    need = max(1, math.ceil(q.households / per))
    met = registered >= need
    reason = (f"{q.households} 户按{rule.describe()}应配备 {need} 名（每个网格至少 1 名），已登记 {registered} 名"
              + ("" if met else f"，尚缺 {need - registered} 名"))
    return LiterateTargetOut(grid=q.grid, households=q.households, registered=registered, target=need, met=met,
                     reason=reason, rule=rule.describe())


# --- the import ---------------------------------------------------------------------------------------

class ImportRecord(storage.Record):
    entity: ClassVar[str] = IMPORT
    id: str
    by: str
    report: LiterateImportOut


def import_file(caller: Caller, data: LiterateImportIn) -> LiterateImportOut:
    """Import an uploaded list (a core file): read with the core's tabular reader, every row checked, good
    rows written in batches, the grids left without anybody covered, the report kept and returned."""
    from chalicelib.domain.files import service as files

    # The file's record in one BatchGetItem, which also reads the request's Idempotency-Key claim: a retried
    # import shows its first report without reading the file again, and without a read of its own.
    found = storage.find_each({files.StoredFile: [data.file_id] if files.FILE_ID.match(data.file_id) else []})
    storage.replay_if_claimed()
    record = found[files.StoredFile].get(data.file_id)
    if record is None or not files.may_see(caller, record):
        raise Unprocessable("文件不存在或无权使用", code="file_not_found",
                            errors=field_error(["file_id"], "文件不存在"))
    if record.status != "available" or record.content_type not in FORMATS:
        raise Unprocessable("请上传并确认 CSV 或 Excel（.xlsx）文件", code="not_a_table",
                            errors=field_error(["file_id"], "应为已上传的 CSV 或 XLSX 文件"))
    return import_bytes(caller, files.read_bytes(record), FORMATS[record.content_type], data.file_id)


def import_bytes(caller: Caller, raw: bytes, format: tabular.Format | None, file_id: str) -> LiterateImportOut:
    try:
        table = tabular.read(raw, COLUMNS, format=format)
    except tabular.TableError as exc:
        raise Unprocessable(exc.detail, code=exc.code,
                            errors=[{**e, "loc": ["file_id", *e["loc"][1:]]} for e in exc.errors]) from None
    titles = {c.key: c.title for c in COLUMNS}
    named = {r.values["grid"] for r in table.rows if r.values.get("grid") and areas.is_code(r.values["grid"])}
    # The first batch's people (the first rows the reader found well-formed) ride along with the rows' grids
    # and their coverage links: one BatchGetItem (per 100 keys) before anything is decided.
    first = list(dict.fromkeys(person_id(r.values["id_number"]) for r in table.rows
                               if not r.refusals and r.values.get("id_number")))[:BATCH]
    found = storage.find_each({Area: named, AreaLinks: named, Literate: first})
    grids = {code: a for code, a in found[Area].items() if a.level == "grid" and a.status == "active"}
    known, asked = found[Literate], set(first)
    errors: list[tabular.RowError] = []
    good: dict[str, tuple[int, dict[str, Any]]] = {}     # person id -> (row, values)
    for row in table.rows:
        refusals = [(r.key, r.msg) for r in row.refusals]
        values = row.values
        grid = values.get("grid")
        if grid is not None and grid not in grids:
            refusals.append(("grid", "网格不存在"))
        elif grid is not None and not caller.covers(grid):
            refusals.append(("grid", "网格不在您的管辖范围内"))
        training = [values.get(k) for k in ("course", "hours", "trained_on")]
        if any(v is not None for v in training) and not all(v is not None for v in training):
            refusals.append(("course", "培训课程、学时、培训日期应同时填写"))
        if not refusals:
            pid = person_id(values["id_number"])
            if pid in good:
                refusals.append(("id_number", f"与第 {good[pid][0]} 行重复"))
            else:
                good[pid] = (row.number, values)
        errors += [tabular.RowError(row=row.number, column=titles.get(k, k), msg=m) for k, m in refusals]
    import_id = uuid.uuid4().hex
    totals = {"created": 0, "updated": 0}
    ids = list(good)
    batches = [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]

    def failed(batch: list[str]) -> None:
        errors.extend(tabular.RowError(row=good[p][0], column="", msg="写入时该人员数据被同时修改，请重新导入该行")
                      for p in batch)

    for batch in batches[:-1]:
        ops, created, updated = _batch_ops(caller, import_id, batch, good, known, asked)
        try:
            with storage.idempotency.held_back():
                storage.transact(ops)
        except Conflict:
            failed(batch)
            continue
        totals["created"] += created
        totals["updated"] += updated
    covered = _cover(caller, {good[p][1]["grid"]: p for p in reversed(ids)}, grids, found[AreaLinks])
    # The last batch is written in the report's own transaction when it fits (the report first: the
    # Idempotency-Key claim names it); if that batch fails, its rows are reported and the report written alone.
    last, created, updated = _batch_ops(caller, import_id, batches[-1], good, known, asked) if batches else ([], 0, 0)
    if last and len(last) + 3 <= 100:
        try:
            return _reported(caller, import_id, file_id, len(table.rows), errors,
                             {"created": totals["created"] + created, "updated": totals["updated"] + updated},
                             covered, last)
        except Conflict:
            failed(batches[-1])
    elif last:
        try:
            with storage.idempotency.held_back():
                storage.transact(last)
            totals = {"created": totals["created"] + created, "updated": totals["updated"] + updated}
        except Conflict:
            failed(batches[-1])
    return _reported(caller, import_id, file_id, len(table.rows), errors, totals, covered, [])


def _reported(caller: Caller, import_id: str, file_id: str, rows: int, errors: list[tabular.RowError],
              totals: dict[str, int], covered: int, also: list[dict]) -> LiterateImportOut:
    """The import's report, stored with its audit entry (and `also`, the last batch's ops) in one transaction."""
    errors = sorted(errors, key=lambda e: e.row)
    report = LiterateImportOut(id=import_id, file_id=file_id, rows=rows, failed=len({e.row for e in errors}),
                               covered_grids=covered, errors=errors[:MAX_REPORTED_ERRORS],
                               errors_truncated=len(errors) > MAX_REPORTED_ERRORS, **totals)
    storage.put_new(ImportRecord(id=import_id, by=caller.sub, report=report), also=[
        audit.entry(caller.actor, "import", IMPORT, import_id,
                    f"导入法律明白人名册（文件 {file_id}）：共 {report.rows} 行，新增 {report.created}，"
                    f"更新 {report.updated}，有误 {report.failed}"), *also])
    return report


def _training(values: dict[str, Any]) -> list[Training]:
    if values.get("course") is None:
        return []
    return [Training(course=values["course"], hours=values["hours"], on=values["trained_on"])]


def _batch_ops(caller: Caller, import_id: str, batch: list[str], good: dict[str, tuple[int, dict[str, Any]]],
               known: dict[str, Literate], asked: set[str]) -> tuple[list[dict[str, Any]], int, int]:
    """One transaction's ops: new people put with their grid's count, known ones updated at their version
    (their grid moves its count), a training not yet recorded added; how many are created and updated. The
    people already `asked` for (with the grids) are not read again: a person put meanwhile fails the put,
    one changed meanwhile its version."""
    unread = [p for p in batch if p not in asked]
    existing = {**{p: known[p] for p in batch if p in known}, **(storage.find_many(Literate, unread) if unread else {})}
    ops: list[dict[str, Any]] = []
    counted: dict[str, int] = {}
    created = updated = 0
    for pid in batch:
        _, values = good[pid]
        old = existing.get(pid)
        if old is None:
            person = _new(caller, name=values["name"], id_number=values["id_number"], phone=values.get("phone"),
                          grid=values["grid"], trainings=_training(values), import_id=import_id)
            ops.append(storage.put_op(person.to_item()))
            counted[person.grid] = counted.get(person.grid, 0) + 1
            created += 1
            continue
        trainings = old.trainings + [t for t in _training(values) if t not in old.trainings]
        changes: dict[str, Any] = {"name": values["name"], "grid": values["grid"], "trainings": trainings,
                                   "import_id": import_id}
        if values.get("phone"):
            changes.update(pii.seal_phone(values["phone"]).fields("phone", keep_hash=False))
        _, op = storage.prepare_update(old, changes, expected_version=old.version)
        ops.append(op)
        if old.grid != values["grid"]:
            counted[old.grid] = counted.get(old.grid, 0) - 1
            counted[values["grid"]] = counted.get(values["grid"], 0) + 1
        updated += 1
    ops += [tallies.count_op(LITERATES, grid, by) for grid, by in sorted(counted.items()) if by]
    ops.append(audit.entry(caller.actor, "import", IMPORT, import_id,
                           f"导入法律明白人名册一批：新增 {created}，更新 {updated}"))
    return ops, created, updated


def _cover(caller: Caller, first_in: dict[str, str], grids: dict[str, Area], links: dict[str, AreaLinks]) -> int:
    """Fill the core's coverage role in each imported grid that has nobody in it yet, with the grid's first
    person of the list (the grids' links read with the grids): one small transaction per grid newly covered."""
    covered = 0
    for grid, pid in first_in.items():
        ops = _covering(caller, grids[grid], pid, links.get(grid))
        if ops:
            storage.transact(ops)
            covered += 1
    return covered
