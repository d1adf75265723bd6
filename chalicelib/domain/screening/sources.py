"""Sources beyond our own records (issue 14 §4): 12345 hotline work orders and petitions 信访 imported from
the exports each city's platform produces, for the screening to read by month.

- Columns are mapped by header name (`chalicelib.platform.tabular`). Real exports differ by city, so a city
  saves extra header names per field (`ColumnMapping`); they are tried beside the common ones.
- One item per work order, keyed by its number: importing the same export again (or a later export
  that still lists the order) overwrites it, never duplicates it.
- Stored under its kind and city (`work-order#<kind>#<city>` / `<order no>`) and listed by the month of the
  call and the area (`gsi1pk = work-orders@<kind>#<month>#<city>`, `gsi1sk = <area>#<order no>`), as the
  record type `WorkOrder` declares: a screening shard reads its month and area with one Query.
- The caller's phone is sealed (`pii.seal_phone`); the lookup hash stays, to find repeat callers.
- 所属区 / 所属街镇 are names in the exports: they are resolved to codes within the city (one Query for
  the districts, one per district named); a name not found there refuses the row.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Callable, ClassVar, Literal

from pydantic import ConfigDict, Field

from chalicelib.domain.screening import tallies
from chalicelib.platform import audit, pii, storage, tabular
from chalicelib.platform.auth import Caller, require_area
from chalicelib.platform.errors import NotFound, Unprocessable
from chalicelib.platform.model import Model
from chalicelib.platform.timeutil import SHANGHAI, now_utc

Kind = Literal["hotline", "petition"]
KIND_TITLES = {"hotline": "12345 热线工单", "petition": "信访件"}
ORDER_NO = re.compile(r"^[0-9A-Za-z\-_./（）()]{1,64}$")
FORMATS: dict[str, tabular.Format] = {
    "text/csv": "csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
MAX_REPORTED_ERRORS = 200


def _order_no(text: str) -> str:
    if not ORDER_NO.match(text):
        raise ValueError("工单编号只能含字母、数字和 - _ . / ( )，最长 64 位")
    return text


def _moment(text: str) -> datetime:
    """Exports write 2026-11-03 09:15[:00], 2026/11/03 09:15 or only the day; Asia/Shanghai."""
    cleaned = text.replace("/", "-").replace("T", " ").strip()
    for shape in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(cleaned, shape).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError("时间应为 YYYY-MM-DD HH:MM")


def _short(limit: int):
    def parse(text: str) -> str:
        if len(text) > limit:
            raise ValueError(f"最长 {limit} 字")
        return text
    return parse


# field → (common header names, required, parser). The first name is the field's title in reports.
FIELDS: dict[str, tuple[tuple[str, ...], bool, Any]] = {
    "order_no": (("工单编号", "工单号", "信访件编号", "编号"), True, _order_no),
    "called_at": (("来电时间", "受理时间", "登记时间", "信访日期"), True, _moment),
    "category": (("诉求类型", "问题类别", "信访目的", "事项类别"), True, _short(50)),
    "content": (("诉求内容", "主要诉求", "信访事项", "内容"), True, _short(2000)),
    "district": (("所属区", "所属区县", "区县"), True, _short(30)),
    "town": (("所属街镇", "所属街道", "乡镇街道"), False, _short(30)),
    "handler": (("承办单位", "责任单位"), False, _short(100)),
    "closed_at": (("办结时间",), False, _moment),
    "satisfaction": (("满意度", "评价"), False, _short(20)),
    "phone": (("来电号码", "联系电话", "来电人电话", "信访人电话"), False, pii.normalize_phone),
    "parties": (("涉及人数", "人数"), False, None),
}


class ColumnMapping(storage.Record):
    """The header names one city's exports use, beyond the common ones."""
    entity: ClassVar[str] = "source-mapping"
    key_fields: ClassVar[tuple[str, ...]] = ("kind", "city")  # `source-mapping#<kind>#<city>`
    kind: Kind
    city: str
    columns: dict[str, list[str]] = Field(default_factory=dict)
    updated_by: str
    updated_at: datetime


ORDERS = "work-order"  # a kind's orders of one city, by number: the table list that names an order


def month_list(kind: str) -> str:
    """The list of a kind's orders of one month and city, area first (an area and below in one Query)."""
    return f"work-orders@{kind}"


class WorkOrder(storage.Record):
    """One work order or petition as imported: keyed by its number within its kind and city (importing it
    again overwrites it), listed by the month of the call and its area. The caller's phone is sealed."""
    entity: ClassVar[str] = "work-order"
    lists: ClassVar[tuple[storage.Listing, ...]] = (
        storage.Listing(ORDERS, "table"),                                    # work-order#<kind>#<city> / <no>
        *(storage.Listing(month_list(k), "gsi1", nested=True) for k in KIND_TITLES),  # …#<month>#<city> / <area>#<no>
    )
    kind: Kind
    city: str
    area: str
    month: str
    order_no: str
    import_id: str
    imported_at: datetime
    called_at: datetime
    category: str
    content: str
    handler: str | None = None
    closed_at: datetime | None = None
    satisfaction: str | None = None
    parties: str | None = None
    phone_cipher: str | None = None
    phone_masked: str | None = None
    phone_hash: str | None = None
    version: int | None = None  # written over by each import, never updated in place

    def place(self, listing: str) -> storage.Place | None:
        if listing == ORDERS:
            return storage.Place(of=(self.kind, self.city), sort=(self.order_no,))
        if listing == month_list(self.kind):
            return storage.Place(of=(self.month, self.city), sort=(self.area, self.order_no))
        return None


class MappingIn(Model):
    model_config = ConfigDict(extra="forbid")
    columns: dict[Literal[tuple(FIELDS)], list[str]] = Field(  # type: ignore[valid-type]
        description="字段 → 本市导出文件中的列名（在通用列名之外），如 {\"order_no\": [\"热线工单号\"]}",
        examples=[{"order_no": ["热线工单号"]}])
    version: int | None = Field(None, description="修改已保存的映射时必填（或 If-Match）")


class MappingOut(Model):
    kind: str
    city: str
    columns: dict[str, list[str]] = Field(description="每个字段可识别的全部列名（通用 + 本市）")
    saved: dict[str, list[str]]
    version: int | None


class ImportIn(Model):
    model_config = ConfigDict(extra="forbid")
    file_id: str = Field(min_length=1, max_length=64, description="经 /v1/files 上传并确认的 CSV 或 XLSX",
                         examples=["5f0c2b7e9a4d4e0f8c1b2a3d4e5f6a7b"])
    city: str = Field(pattern=r"^\d{4}$", description="工单所属市，如 3204", examples=["3204"])


class ImportReport(Model):
    id: str
    kind: str
    city: str
    rows: int
    imported: int = Field(description="写入的工单（重复导入同一工单编号会覆盖，不会重复）")
    failed: int
    errors: list[tabular.RowError]
    errors_truncated: bool


def _saved(kind: str, city: str) -> ColumnMapping | None:
    return storage.read(ColumnMapping, kind, city)


def columns(saved: ColumnMapping | None) -> list[tabular.Column]:
    extra = saved.columns if saved else {}
    return [tabular.Column(key, tuple(dict.fromkeys([*names, *extra.get(key, [])])), required=required, parse=parse)
            for key, (names, required, parse) in FIELDS.items()]


def mapping_out(kind: str, city: str, saved: ColumnMapping | None) -> MappingOut:
    return MappingOut(kind=kind, city=city, columns={c.key: list(c.headers) for c in columns(saved)},
                      saved=saved.columns if saved else {}, version=saved.version if saved else None)


def get_mapping(caller: Caller, kind: str, city: str) -> MappingOut:
    require_area(caller, city)
    return mapping_out(kind, city, _saved(kind, city))


def save_mapping(caller: Caller, kind: str, city: str, data: MappingIn,
                 expected_version: Callable[[], int]) -> MappingOut:
    """Save a city's column names: the first time without a version, then with the version last read
    (`expected_version` asked only then). One read of the saved mapping, one transaction."""
    require_area(caller, city)
    cleaned = {key: [n.strip() for n in names if n.strip()] for key, names in data.columns.items()}
    existing = _saved(kind, city)
    entry = audit.entry(caller.actor, "update", "source-mapping", f"{kind}:{city}", f"保存 {KIND_TITLES[kind]} 列名映射")
    if existing is None:
        saved = storage.put_new(ColumnMapping(kind=kind, city=city, columns=cleaned, updated_by=caller.sub,
                                              updated_at=now_utc()), also=[entry])
    else:
        saved = storage.update(existing, {"columns": cleaned, "updated_by": caller.sub, "updated_at": now_utc()},
                               expected_version=expected_version(), also=[entry])
    return mapping_out(kind, city, saved)


# --- importing ----------------------------------------------------------------------------------------

def read_file(caller: Caller, file_id: str) -> tuple[bytes, tabular.Format]:
    from chalicelib.domain.files import service as files

    try:
        record = files.visible(caller, file_id)
    except NotFound:
        raise Unprocessable("文件不存在或无权使用", code="file_not_found",
                            errors=[{"loc": ["file_id"], "msg": "文件不存在"}]) from None
    if record.status != "available" or record.content_type not in FORMATS:
        raise Unprocessable("请上传并确认 CSV 或 Excel（.xlsx）文件", code="not_a_table",
                            errors=[{"loc": ["file_id"], "msg": "应为已上传的 CSV 或 XLSX 文件"}])
    return files.read_bytes(record), FORMATS[record.content_type]


class SourceImport(storage.Record):
    """One import's report, kept so that a retried import (same Idempotency-Key) shows it again."""
    entity: ClassVar[str] = "work-order-import"
    missing: ClassVar[tuple[str, str]] = ("没有这次导入", "import_not_found")

    id: str
    by: str
    report: ImportReport


def import_file(caller: Caller, kind: str, data: ImportIn) -> ImportReport:
    require_area(caller, data.city)
    storage.replay_if_claimed()  # a retried import shows its first report without reading the file again
    raw, format = read_file(caller, data.file_id)
    return import_bytes(caller, kind, data.city, raw, format, source=data.file_id)


class _Areas:
    """District and town names of one city → codes, read once per district."""

    def __init__(self, city: str):
        self._districts = self._named(city)
        self._towns: dict[str, dict[str, str]] = {}

    @staticmethod
    def _named(parent: str) -> dict[str, str]:
        from chalicelib.domain.areas import service as areas

        return {c.name: c.code for c in areas.all_children(parent)}

    def resolve(self, district: str, town: str | None) -> tuple[str | None, tuple[str, str] | None]:
        """(area code, None) or (None, (field, refusal))."""
        code = self._districts.get(district)
        if code is None:
            return None, ("district", f"「{district}」不是本市的区县")
        if not town:
            return code, None
        towns = self._towns.setdefault(code, self._named(code))
        if town not in towns:
            return None, ("town", f"「{town}」不是{district}的街镇")
        return towns[town], None


def import_bytes(caller: Caller, kind: str, city: str, raw: bytes, format: tabular.Format | None,
                 *, source: str) -> ImportReport:
    table = tabular.read(raw, columns(_saved(kind, city)), format=format)
    titles = {key: names[0] for key, (names, _, _) in FIELDS.items()}
    areas = _Areas(city)
    errors: list[tabular.RowError] = []
    items: dict[str, WorkOrder] = {}
    import_id = uuid.uuid4().hex
    for row in table.rows:
        refusals = [(r.column, r.msg) for r in row.refusals]
        area = None
        if not refusals:
            area, refused = areas.resolve(row.values["district"], row.values.get("town"))
            if refused:
                refusals.append((titles[refused[0]], refused[1]))
        if not refusals and row.values["order_no"] in items:
            refusals.append((titles["order_no"], "与前面的行重复"))
        if refusals:
            errors += [tabular.RowError(row=row.number, column=column, msg=msg) for column, msg in refusals]
            continue
        items[row.values["order_no"]] = work_order_item(kind, city, area, row.values, import_id)
    write_orders(kind, list(items.values()))
    report = ImportReport(id=import_id, kind=kind, city=city, rows=table.total, imported=len(items),
                          failed=len({e.row for e in errors}), errors=errors[:MAX_REPORTED_ERRORS],
                          errors_truncated=len(errors) > MAX_REPORTED_ERRORS)
    storage.put_new(SourceImport(id=import_id, by=caller.sub, report=report), also=[
        audit.entry(caller.actor, "import", "work-orders", import_id,
                    f"导入{KIND_TITLES[kind]}（{source}）：共 {report.rows} 行，写入 {report.imported}，有误 {report.failed}")])
    return report


ORDERS_PER_TRANSACTION = 30  # an order, and at most two category tallies: well inside 100 items


def category_tally(kind: str) -> str:
    return f"{kind}.category"


def write_orders(kind: str, orders: list[WorkOrder]) -> None:
    """Each work order with the tally of its (month, area, category), in one transaction per
    `ORDERS_PER_TRANSACTION` orders. An order already stored moves its tally only when its month, area or
    category changed, so importing an export again counts nothing twice."""
    for start in range(0, len(orders), ORDERS_PER_TRANSACTION):
        chunk = orders[start:start + ORDERS_PER_TRANSACTION]
        before = storage.find_each({WorkOrder: [o.place(ORDERS) for o in chunk]})[WorkOrder]
        deltas: dict[tuple[str, str, str], int] = {}
        for order in chunk:
            old = before.get(order.place(ORDERS))
            for bucket, by in (((old.month, old.area, old.category), -1) if old else (None, 0),
                               ((order.month, order.area, order.category), 1)):
                if bucket is not None:
                    deltas[bucket] = deltas.get(bucket, 0) + by
        # One op per tally item: a transaction may not touch an item twice.
        tallies_ops = [tallies.count_op(category_tally(kind), area, by, month=month, subject=category)
                       for (month, area, category), by in sorted(deltas.items()) if by]
        storage.transact([*(storage.put_op(o.to_item(), must_not_exist=False) for o in chunk), *tallies_ops])


def work_order_item(kind: str, city: str, area: str, values: dict[str, Any], import_id: str) -> WorkOrder:
    """The stored work order: keyed by its number (re-imports overwrite), listed by month and area."""
    called = values["called_at"].astimezone(SHANGHAI)
    fields: dict[str, Any] = {"kind": kind, "city": city, "area": area, "month": f"{called.year:04d}-{called.month:02d}",
                              "import_id": import_id, "imported_at": now_utc()}
    for key, value in values.items():
        if key == "phone":
            if value:
                fields.update(pii.seal_phone(value).fields("phone"))
        elif key not in ("district", "town") and value is not None:
            fields[key] = value
    return WorkOrder(**fields)


def month_orders(kind: str, month: str, area: str) -> list[dict[str, Any]]:
    """A shard's work orders of one month in `area` and below (one Query page after another on the month's
    list of the area's city)."""
    return storage.every(WorkOrder, month_list(kind), (month, area[:4]), after=(area,))  # imported per city
