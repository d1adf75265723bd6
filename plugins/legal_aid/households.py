"""Vulnerable households for door-to-door outreach (SPEC L7; seeds/000 item 7, seeds/001 item 3).

Civil affairs hands the justice bureau its list (低保户, 特困, 重度残疾, 五保, 困难职工, 农民工) as a
spreadsheet; an officer uploads it (CSV in UTF-8 or GBK, or XLSX) through the core's files and imports it
here; the core's tabular reader maps the columns by header name and parses each cell. Grid workers see
their grid's households not yet visited and record visits; the monthly screening lists households still
unvisited and statuses about to expire.

What is stored (plugins/legal_aid/DATA_MODEL.md, L6–L10; the record types declare their lists and the core
builds the keys):
- a household (`Household`), keyed by the keyed hash of the ID number, so importing next year's list updates,
  never duplicates; its visits (`Visit`) kept in its own partition, by date;
- listed under its area (pattern 7), and — until the first visit — in the area's sparse "not yet visited"
  list: "my grid's households to visit" is one Query;
- status expiring in a month (`Expiry`): one small item per household with an end date in its city's list
  of that month, read by the screening of that month and the one before.

Import: rows are checked one by one (a per-row report names the row as the spreadsheet numbers it, the
column and what is wrong, never the ID number itself); valid rows are written 25 to a transaction with one
audit entry per transaction, existing households updated at their version.
"""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any, ClassVar

from chalicelib.domain.areas import service as areas
from chalicelib.domain.areas.service import Area
from chalicelib.domain.screening import tallies
from chalicelib.platform import audit, pii, storage, tabular
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import Conflict, NotFound, Unprocessable
from chalicelib.platform.timeutil import now_utc, today_shanghai
from chalicelib.platform.model import Model, Page
from plugins.legal_aid import counts
from plugins.legal_aid.household_models import (
    CATEGORY_LABELS,
    HouseholdCategory,
    HouseholdImportIn,
    HouseholdImportReport,
    HouseholdVisitIn,
    HouseholdVisitOut,
    VulnerableHouseholdOut,
    VulnerableHouseholdQuery,
)

ENTITY = "legal-aid-household"
IMPORT_ENTITY = "legal-aid-household-import"
UNVISITED = "legal-aid-household-unvisited"
EXPIRY = "legal-aid-household-expiry"
# Rows per transaction: a row writes at most 3 items (household, expiry removed and put) and 2 unvisited
# tallies (a still-unvisited household moving grid), plus one audit entry: 19 × 5 + 1 ≤ 100.
BATCH = 19
UNVISITED_TALLY = "legal-aid-unvisited"  # households not yet visited, per grid (screening's count)
MAX_ROWS = tabular.MAX_ROWS
MAX_REPORTED_ERRORS = 500
MAX_CELL = 200
ELSEWHERE = "该户已在其他辖区的名单中，请联系其所在辖区"

CATEGORY_WORDS: dict[str, str] = {
    "低保": "dibao", "低保户": "dibao", "低保对象": "dibao", "最低生活保障": "dibao",
    "特困": "tekun", "特困人员": "tekun", "特困供养": "tekun",
    "重度残疾": "severely_disabled", "重度残疾人": "severely_disabled", "重残": "severely_disabled",
    "五保": "wubao", "五保户": "wubao", "农村五保": "wubao", "农村五保对象": "wubao",
    "困难职工": "hardship_worker", "农民工": "migrant_worker", "进城务工人员": "migrant_worker",
    **{code: code for code in CATEGORY_LABELS},
}


class Household(storage.Record):
    """One household of the list, in the list of its area and, until its first visit, in the area's
    "not yet visited" list (sparse: the first visit takes it out)."""
    entity: ClassVar[str] = ENTITY
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(ENTITY, "gsi1", by="area"),
        storage.Listing(UNVISITED, "gsi2", by="area"),
    )
    missing: ClassVar[tuple[str, str]] = ("没有这一户", "household_not_found")

    id: str
    category: HouseholdCategory
    name: str
    id_cipher: str
    id_masked: str
    grid: str
    valid_until: date | None = None
    visit_count: int = 0
    last_visited_on: date | None = None
    imported_by: str
    import_id: str

    def place(self, listing: str) -> storage.Place | None:
        if listing == ENTITY or listing == UNVISITED and self.visit_count == 0:
            return storage.Place(of=self.grid, sort=(self.id,))
        return None


class Expiry(storage.Record):
    """A household whose status ends in a month, in its city's list of that month (one small item per
    household with an end date, read by the screening of that month and the one before). No name or
    category: screening findings list it to all staff."""
    entity: ClassVar[str] = EXPIRY
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(EXPIRY, "table", by="city"),)

    household_id: str
    grid: str
    valid_until: date

    @classmethod
    def of(cls, h: Household) -> "Expiry | None":
        return cls(household_id=h.id, grid=h.grid, valid_until=h.valid_until) if h.valid_until else None

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=(self.grid, self.valid_until.strftime("%Y-%m")), sort=(self.household_id,))


class Visit(storage.Record):
    """One visit, kept in its household's partition in date order."""
    entity: ClassVar[str] = "legal-aid-household-visit"
    lists: ClassVar[tuple[storage.Listing, ...]] = (storage.Listing(ENTITY, "table"),)

    id: str
    household_id: str
    visited_on: date
    by: str
    needs_legal_aid: bool
    note: str | None = None

    def place(self, listing: str) -> storage.Place | None:
        return storage.Place(of=self.household_id, sort=("visit", self.visited_on.isoformat(), self.id))


class ImportRecord(storage.Record):
    entity: ClassVar[str] = IMPORT_ENTITY
    missing: ClassVar[tuple[str, str]] = ("没有这次导入", "import_not_found")

    id: str
    area: str
    by: str
    report: HouseholdImportReport


# --- parsing ----------------------------------------------------------------------------------------

def _category(text: str) -> str:
    category = CATEGORY_WORDS.get(text.replace(" ", ""))
    if category is None:
        raise ValueError(f"不认识的类别，应为：{'、'.join(CATEGORY_LABELS.values())}")
    return category


def _name(text: str) -> str:
    if len(text) > 30:
        raise ValueError("过长（最多 30 个字）")
    return text


def _grid(text: str) -> str:
    if not (text.isdigit() and len(text) == 15):
        raise ValueError("网格代码应为 15 位数字")
    return text


def _valid_until(text: str) -> date:
    try:
        value = date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        raise ValueError("日期应为 YYYY-MM-DD") from None
    if not date(2000, 1, 1) <= value <= today_shanghai() + timedelta(days=366 * 10):
        raise ValueError("日期应在 2000 年至今后十年之间")
    return value


# The list's columns as civil affairs writes them (or in English); the first name is the one reports use.
COLUMNS = [
    tabular.Column("category", ("类别", "困难类别", "category"), parse=_category),
    tabular.Column("name", ("姓名", "name"), parse=_name),
    tabular.Column("id_number", ("身份证号", "身份证号码", "公民身份号码", "id_number"), parse=pii.normalize_id_number),
    tabular.Column("grid", ("网格代码", "网格", "网格编码", "grid"), parse=_grid),
    tabular.Column("valid_until", ("有效期至", "救助截止日期", "valid_until"), required=False, parse=_valid_until),
]
TITLES = {c.key: c.title for c in COLUMNS}
_ORDER = {c.key: i for i, c in enumerate(COLUMNS)}
FORMATS: dict[str, tabular.Format] = {
    "text/csv": "csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
# The import's error codes predate the core's tabular reader and are kept for clients (also for XLSX files).
_CODES = {"table_encoding": "csv_encoding", "table_empty": "csv_empty", "table_malformed": "csv_malformed",
          "table_header": "csv_header", "table_too_large": "csv_too_large"}


def read(raw: bytes, format: tabular.Format | None = None) -> tabular.Table:
    """The list's rows, each parsed or refused per column; a file that is not a usable list is a 422."""
    try:
        return tabular.read(raw, COLUMNS, format=format, max_rows=MAX_ROWS, max_cell=MAX_CELL)
    except tabular.TableError as exc:
        errors = [{**e, "loc": ["file_id"]} if e["loc"] == ["file"] else e for e in exc.errors]
        raise Unprocessable(exc.detail, code=_CODES.get(exc.code, exc.code), errors=errors) from None


class Row(Model):
    number: int
    category: HouseholdCategory
    name: str
    id_number: str
    grid: str
    valid_until: date | None


def check_row(row: tabular.Row, grids: dict[str, Area], caller: Caller,
              seen: dict[str, int]) -> tuple[Row | None, list[tabular.RowError]]:
    """A read row's refusals, then what only the import can tell: the grid exists and is the caller's, and
    the ID number is not on an earlier row."""
    refusals = [(r.key, r.msg) for r in row.refusals]
    grid = row.values.get("grid")
    if grid is not None:
        if grid not in grids:
            refusals.append(("grid", "网格不存在"))
        elif not caller.covers(grid):
            refusals.append(("grid", "网格不在您的管辖范围内"))
    id_number = row.values.get("id_number")
    if id_number and not refusals:
        first = seen.get(id_number)
        if first is not None:
            refusals.append(("id_number", f"与第 {first} 行重复"))
        else:
            seen[id_number] = row.number
    if refusals:
        refusals.sort(key=lambda r: _ORDER[r[0]])
        return None, [tabular.RowError(row=row.number, column=TITLES[key], msg=msg) for key, msg in refusals]
    return Row(number=row.number, **row.values), []


def household_id(id_number: str) -> str:
    return pii.lookup_hash("id_number", id_number)[:32]


# --- importing -------------------------------------------------------------------------------------

def import_file(caller: Caller, data: HouseholdImportIn) -> HouseholdImportReport:
    """Import the uploaded list (a CSV or XLSX file of the core's files): every row checked, the good rows written in batches, the report kept.

    Two calls at least, one over a create's floor of 1: the file's record is read (who may use it, its state and
    type) before its bytes, and the rows are written in batches before the report."""
    from chalicelib.domain.files import service as files

    storage.replay_if_claimed()  # a retried import shows its first report without reading the file again
    try:
        record = files.visible(caller, data.file_id)
    except NotFound:
        raise Unprocessable("文件不存在或无权使用", code="file_not_found",
                            errors=[{"loc": ["file_id"], "msg": "文件不存在"}]) from None
    if record.status != "available" or record.content_type not in FORMATS:
        raise Unprocessable("请上传并确认 CSV 或 Excel（.xlsx）文件", code="not_a_csv",
                            errors=[{"loc": ["file_id"], "msg": "应为已上传的 CSV 或 XLSX 文件"}])
    return import_table(caller, read(files.read_bytes(record), FORMATS[record.content_type]), data.file_id)


def import_text(caller: Caller, text: str, file_id: str) -> HouseholdImportReport:
    return import_table(caller, read(text.encode("utf-8"), "csv"), file_id)


def import_table(caller: Caller, table: tabular.Table, file_id: str) -> HouseholdImportReport:
    rows = table.rows
    errors: list[tabular.RowError] = []
    found = areas.get_many([r.values["grid"] for r in rows if r.values.get("grid")])
    grids: dict[str, Area] = {code: area for code, area in found.items() if area.level == "grid"}
    seen: dict[str, int] = {}
    good: list[Row] = []
    for read_row in rows:
        row, row_errors = check_row(read_row, grids, caller, seen)
        errors += row_errors
        if row:
            good.append(row)
    import_id = uuid.uuid4().hex
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    failed_rows: set[int] = {e.row for e in errors}
    for index, start in enumerate(range(0, len(good), BATCH), start=1):
        batch = good[start:start + BATCH]
        try:
            with storage.idempotency.held_back():  # the Idempotency-Key names the import's report, written last
                result, refused = _write_batch(caller, import_id, index, batch)
        except Conflict:
            for row in batch:
                errors.append(tabular.RowError(row=row.number, column="", msg="写入时该户数据被同时修改，请重新导入该行"))
                failed_rows.add(row.number)
            continue
        for key, value in result.items():
            counts[key] += value
        errors += refused
        failed_rows.update(e.row for e in refused)
    errors.sort(key=lambda e: e.row)
    report = HouseholdImportReport(id=import_id, file_id=file_id, rows=len(rows), failed=len(failed_rows),
                          errors=errors[:MAX_REPORTED_ERRORS], errors_truncated=len(errors) > MAX_REPORTED_ERRORS,
                          **counts)
    storage.put_new(ImportRecord(id=import_id, area=caller.area or "", by=caller.sub, report=report), also=[
        audit.entry(caller.actor, "import", IMPORT_ENTITY, import_id,
                    f"导入困难群体名单（文件 {file_id}）：共 {report.rows} 行，新增 {report.created}，更新 {report.updated}，"
                    f"未变 {report.unchanged}，有误 {report.failed}")])
    return report


def _write_batch(caller: Caller, import_id: str, index: int, batch: list[Row]) -> tuple[dict[str, int], list[tabular.RowError]]:
    """Write one batch; a row whose ID number is already on the list of a grid the caller does not cover is
    refused (never moved or overwritten, and which area holds it is not said)."""
    ids = {row.number: household_id(row.id_number) for row in batch}
    existing = storage.find_many(Household, ids.values())
    ops: list[dict[str, Any]] = []
    unvisited: dict[str, int] = {}  # grid → change of its unvisited tally (one op per grid per transaction)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    refused: list[tabular.RowError] = []
    moment = now_utc()
    for row in batch:
        hid = ids[row.number]
        old = existing.get(hid)
        if old is not None and not caller.covers(old.grid):
            refused.append(tabular.RowError(row=row.number, column=TITLES["id_number"], msg=ELSEWHERE))
            continue
        fields = {"category": row.category, "name": row.name, "grid": row.grid, "valid_until": row.valid_until}
        if old is None:
            new = Household(id=hid, **pii.seal_id_number(row.id_number).fields("id", keep_hash=False),
                            imported_by=caller.sub, import_id=import_id,
                            created_at=moment, updated_at=moment, **fields)
            ops.append(storage.put_op(new.to_item()))
            counts["created"] += 1
            unvisited[row.grid] = unvisited.get(row.grid, 0) + 1
        elif all(getattr(old, k) == v for k, v in fields.items()):
            counts["unchanged"] += 1
            continue
        else:
            new, op = storage.prepare_update(old, {**fields, "import_id": import_id}, expected_version=old.version)
            ops.append(op)
            counts["updated"] += 1
            if old.visit_count == 0 and old.grid != new.grid:
                unvisited[old.grid] = unvisited.get(old.grid, 0) - 1
                unvisited[new.grid] = unvisited.get(new.grid, 0) + 1
            before, after = Expiry.of(old), Expiry.of(new)
            if before and (after is None or before.key_attributes() != after.key_attributes()):
                ops.append(storage.remove_op(before))
        if new.valid_until:
            ops.append(storage.put_op(Expiry.of(new).to_item(), must_not_exist=False))
    ops += [tallies.count_op(UNVISITED_TALLY, grid, by) for grid, by in sorted(unvisited.items()) if by]
    if ops:
        first, last = batch[0].number, batch[-1].number
        ops.append(audit.entry(caller.actor, "import", IMPORT_ENTITY, import_id,
                               f"导入困难群体名单第 {index} 批（第 {first}–{last} 行）：新增 {counts['created']}，"
                               f"更新 {counts['updated']}"))
        storage.transact(ops)
    return counts, refused


def import_report(caller: Caller, import_id: str) -> HouseholdImportReport:
    record = storage.require(ImportRecord, import_id)
    if record.by != caller.sub and not (record.area and caller.covers(record.area)):
        detail, code = ImportRecord.missing
        raise NotFound(detail, code=code)
    return record.report


# --- reading and visiting --------------------------------------------------------------------------

def _scope(caller: Caller, area: str | None) -> str:
    scope = area or caller.area or ""
    require_area(caller, scope)
    if len(scope) < 4:
        raise Unprocessable("请指定市或以下的区域：?area=<代码>", code="area_too_wide",
                            errors=[{"loc": ["area"], "msg": "省级范围过大，请按市查看"}])
    return scope


LIST_ENTITY = "legal-aid-household-list"


def listing(caller: Caller, q: VulnerableHouseholdQuery) -> Page[VulnerableHouseholdOut]:
    """A page of the list; each call is audited (the list names 低保/重度残疾 households)."""
    scope = _scope(caller, q.area)
    page = storage.page(Household, UNVISITED if q.unvisited else ENTITY, scope, limit=q.limit, cursor=q.cursor)
    audit.record_read(caller.actor, LIST_ENTITY, scope,
                      f"查看困难群体名单（{scope}{'，未走访' if q.unvisited else ''}，{len(page.items)} 户）")
    return Page[VulnerableHouseholdOut](items=[VulnerableHouseholdOut.of(Household.from_item(i)) for i in page.items],
                         next_cursor=page.next_cursor)


def get(caller: Caller, hid: str) -> Household:
    """One household, the read audited (its category is sensitive personal information)."""
    household = _load(caller, hid)
    audit.record_read(caller.actor, ENTITY, hid, "查看困难群体户信息")
    return household


def _load(caller: Caller, hid: str) -> Household:
    household = storage.require(Household, hid, consistent=True)
    if not caller.covers(household.grid):  # outside the caller's area it does not exist for them
        detail, code = Household.missing
        raise NotFound(detail, code=code)
    return household


def visit(caller: Caller, hid: str, data: HouseholdVisitIn, expected_version: int) -> HouseholdVisitOut:
    """A door-to-door visit: the visit, the household's count and last visit (at the version seen) and the audit entry in one transaction.

    Two calls, one over a create's floor of 1: the household is read for access (its grid), its first visit (the
    unvisited tally goes down once) and the answer, which shows it after the visit (a transaction returns no
    values)."""
    household = _load(caller, hid)
    record = storage.stamp_new(Visit(id=uuid.uuid4().hex, household_id=hid, visited_on=data.visited_on, by=caller.sub,
                                     needs_legal_aid=data.needs_legal_aid, note=data.note))
    last = max(filter(None, [household.last_visited_on, data.visited_on]))
    first_visit = [tallies.count_op(UNVISITED_TALLY, household.grid, -1)] if household.visit_count == 0 else []
    updated = storage.update(household, {"visit_count": household.visit_count + 1, "last_visited_on": last},
                             expected_version=expected_version, also=[
        *first_visit,
        *counts.visit_ops(household.grid, data.visited_on),
        storage.put_op(record.to_item()),
        audit.entry(caller.actor, "visit", ENTITY, hid, f"入户走访（{data.visited_on.isoformat()}"
                                                 f"{'，有法律援助需求' if data.needs_legal_aid else ''}）"),
    ])
    return HouseholdVisitOut(id=record.id, household=VulnerableHouseholdOut.of(updated), visited_on=data.visited_on,
                    needs_legal_aid=data.needs_legal_aid)


def visit_again(caller: Caller, record: Visit) -> HouseholdVisitOut:
    """A retried visit (same Idempotency-Key) shown again: the visit, with the household as it is now."""
    household = _load(caller, record.household_id)
    return HouseholdVisitOut(id=record.id, household=VulnerableHouseholdOut.of(household),
                             visited_on=record.visited_on, needs_legal_aid=record.needs_legal_aid)


def unvisited_per_grid(area: str) -> list[tuple[str, int]]:
    """(grid, households not yet visited) for every grid of an area with any: the tally kept in the same
    transactions as imports and first visits, one item per grid (screening never reads the households)."""
    return list(tallies.counts(UNVISITED_TALLY, area))


def expiring(area: str, month: str) -> list[dict[str, Any]]:
    """The households of an area whose status ends in `month` (`yyyy-mm`): one Query of the city's month."""
    return storage.every(Expiry, EXPIRY, (area, month), max_items=200_000)
