"""`GET /v1/openapi.json`: an OpenAPI 3.1 document built from the routes Chalice really has and the
pydantic models their `endpoint` declarations really use (request bodies, query strings, responses).

What a generated client needs from it (issue 20 §3):
- request bodies in pydantic's validation mode (a field with a default is optional to send) and responses in
  serialization mode with every field required (a response always carries every field, null or not); a
  model used both ways is then two schemas, `X-Input` and `X-Output`;
- every header a route reads: `If-Match` on updates, on routes that read the expected version and on
  bodies that carry `version` (either may be sent); `Idempotency-Key` on creating POSTs;
- `x-who` always a list (`["public"]`, `["signed_in"]` or the roles);
- a description on every operation and parameter, and an example on every request body that can be
  assembled from its fields' examples — checked to validate against the body's own model;
- an example on every JSON answer (`response_example`): the output model's own (`json_schema_extra`
  examples), else assembled from its schema — each field's `Field(examples=...)`, nested models' own, and
  for a field that gives none a plain value of the kind its name and type say (`SAMPLES`: an area code, a
  masked phone, a date); a test checks each against the answer's schema.
"""
from __future__ import annotations

import functools
import json
import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from chalicelib.platform.web import PUBLIC, SIGNED_IN, PageQuery, Spec, lazy
from chalicelib.platform.model import Model

REF = "#/components/schemas/{model}"
ERROR_STATUSES = {
    "400": "请求格式有误（JSON、查询参数、游标、If-Match、Idempotency-Key）", "401": "未登录或登录已过期",
    "403": "无权进行此操作", "404": "记录不存在", "409": "冲突（版本已变化、重复提交等）",
    "412": "前提条件不满足", "415": "请以 JSON 提交", "422": "字段校验失败", "429": "请求过于频繁（见 Retry-After）",
    "500": "服务器内部错误（响应含请求编号）", "502": "上游服务应答异常", "503": "服务繁忙，请按 Retry-After 重试",
    "504": "上游服务超时",
}
UPDATE_METHODS = ("PATCH", "PUT", "DELETE")
# Every route reads `X-Request-Id` (the middleware keeps a client's id of 8–64 letters, digits, `.`, `_`, `-`
# for the logs and the answer) and every answer carries it: declared on each operation (inline, as the other
# headers are, so that every tool reads it without resolving a reference).
REQUEST_ID_PARAMETER = {
    "name": "X-Request-Id", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{8,64}$"},
    "description": "客户端为本次请求生成的编号（8–64 位字母、数字、._-），原样出现在日志和响应头中，便于报障时查找；"
                   "不带或格式不符时由服务器生成"}
REQUEST_ID_HEADER = {"description": "本次请求的编号（报障时请提供）", "schema": {"type": "string"}}
IF_MATCH = "记录的当前版本（GET 返回的 version，如 \"3\"）；不带 body.version 的修改必填。弱标签（W/\"3\"）永不匹配"
IDEMPOTENCY_KEY = ("重试同一个创建请求时带同一个键（由客户端生成，如 UUID）：返回第一次创建的结果，不会重复创建；"
                   "同一个键换了请求体为 422")
# Parameters whose meaning is the same on every route (the core's names; a service's own `*_id` is described
# from its path, `_path_description`).
COMMON_PARAMETERS = {
    "limit": "每页条数（1–100，默认 20）", "cursor": "上一页返回的 next_cursor；不带则从第一页开始",
    "code": "工单编号（提交时返回的 code，如 FW-320402-2611-0042）", "month": "月份，YYYY-MM，如 2026-11",
    "area": "区域代码（省 2 位、市 4 位、区县 6 位、街镇 9 位、村社区 12 位、网格 15 位）",
    "city": "市级区域代码（4 位），如 3204", "kind": "种类（见该接口的说明）", "sub": "账号标识（令牌中的 sub）",
    "name": "名称（见该接口的说明）", "file_id": "文件 id（上传时返回）", "task_id": "主动服务任务 id",
    "version_id": "版本 id（列表返回）", "message_id": "消息 id",
}
_GENERIC = re.compile(r"(\w+)\[([^\[\]]*)\]")


class Schemas(GenerateJsonSchema):
    """Schema names as the classes are named: a generic model's parametrization `Page[TicketOut]` is the
    class `TicketOutPage` (`Page.model_parametrized_name`), not pydantic's `Page_TicketOut_`."""

    def normalize_name(self, name: str) -> str:
        while match := _GENERIC.search(name):
            arguments = "".join(part.strip() for part in match.group(2).split(","))
            name = name[:match.start()] + arguments + match.group(1) + name[match.end():]
        return super().normalize_name(name)

    def field_is_required(self, field, total: bool) -> bool:
        """A response carries every field (`respond` dumps them all, null included): all are required there.
        A request needs only the fields without a default."""
        return True if self.mode == "serialization" else super().field_is_required(field, total)

    def model_schema(self, schema):
        """In a request body a default is said in words, not with the `default` keyword: generators read
        `default` as "always present" (openapi-typescript's default `defaultNonNullable` makes such a field
        required for a named schema), so a mini-program would have to send what the server fills in."""
        json_schema = super().model_schema(schema)
        if self.mode == "validation":
            for field in json_schema.get("properties", {}).values():
                if field.get("default", None) is not None:
                    said = json.dumps(field["default"], ensure_ascii=False)
                    field["description"] = f"{field.get('description', '')}（不填则为 {said}）"
                field.pop("default", None)
        return json_schema


class ProblemDetails(Model):
    """application/problem+json (RFC 9457) as every error of this API."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, Any]] = []


def routes_with_specs(app) -> list[tuple[str, str, Any, Spec | None]]:
    lazy.load_all(app)  # a deployed stage's routes not called yet: their real views carry the specs
    out = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            out.append((path, method, entry, getattr(entry.view_function, "__endpoint__", None)))
    return out


@functools.lru_cache(maxsize=1)
def _cached(app_id: int, app) -> dict[str, Any]:
    return build(app)


def document(app) -> dict[str, Any]:
    return _cached(id(app), app)


def build(app) -> dict[str, Any]:
    routes = routes_with_specs(app)
    models: list[tuple[type[BaseModel], str]] = [(ProblemDetails, "serialization")]
    for *_, spec in routes:
        if spec is None:
            continue
        if spec.body:
            models.append((spec.body, "validation"))
        if spec.query:
            models.append((spec.query, "validation"))
        if spec.response:
            models.append((spec.response, "serialization"))
    refs, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF, schema_generator=Schemas)
    schemas = definitions.get("$defs", {})
    for name, schema in schemas.items():
        if name.endswith(("-Input", "-Output")):  # generators name classes by title: one class per schema
            schema["title"] = name.replace("-", "")
    paths: dict[str, dict[str, Any]] = {}
    answers = Examples(schemas)
    for path, method, entry, spec in routes:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, entry, spec, refs, answers)
    return {
        "openapi": "3.1.0",
        "info": {"title": "法网格 公共法律服务进网格 API", "version": "1.0.0",
                 "description": "Errors are application/problem+json; lists take limit and cursor; creating "
                                "POSTs take an Idempotency-Key header; updates take If-Match."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(path: str, method: str, entry, spec: Spec | None, refs, answers: "Examples") -> dict[str, Any]:
    if spec is None:
        return {"summary": entry.view_name, "x-undeclared": True, "responses": {"default": {"description": ""}}}
    operation: dict[str, Any] = {
        "operationId": entry.view_name, "summary": spec.summary, "tags": list(spec.tags) or [path.split("/")[2]],
        "x-who": [spec.who] if isinstance(spec.who, str) else sorted(spec.who),
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"},
                        "description": _path_description(path, name)}
                       for name in re.findall(r"{(\w+)}", path)],
        "description": spec.description or _derived_description(spec),
    }
    if spec.who != PUBLIC:
        operation["security"] = [{"bearer": []}]
    if spec.query:
        operation["parameters"] += _query_parameters(spec.query)
    versioned = takes_if_match(method, entry, spec)
    if versioned:
        operation["parameters"].append({
            "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 16},
            "description": IF_MATCH})
    if spec.idempotent:
        operation["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                        "schema": {"type": "string", "maxLength": 128}, "description": IDEMPOTENCY_KEY})
    operation["parameters"].append(REQUEST_ID_PARAMETER)
    if spec.body:
        content: dict[str, Any] = {"schema": refs[(spec.body, "validation")]}
        example = body_example(spec.body)
        if example is not None:
            content["example"] = example
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    request_id = {"X-Request-Id": REQUEST_ID_HEADER}
    success: dict[str, Any] = {"description": spec.summary, "headers": request_id}
    if spec.response:
        ref = refs[(spec.response, "serialization")]
        success["content"] = {"application/json": {"schema": ref, "example": answers.of(ref)}}
    problem = {"application/problem+json": {"schema": refs[(ProblemDetails, "serialization")]}}
    operation["responses"] = {str(spec.status): success, **{
        status: {"description": text, "headers": request_id, "content": problem}
        for status, text in ERROR_STATUSES.items()
        if _applies(status, spec, versioned)}}
    return operation


def takes_if_match(method: str, entry, spec: Spec | None = None) -> bool:
    """Updates: PATCH/PUT/DELETE, any route whose handler reads the expected version (`/withdraw`…), and any
    route whose body carries `version` (a workflow step: If-Match may be sent instead, `web.expected_version`)."""
    view = getattr(entry.view_function, "__wrapped__", entry.view_function)
    body = spec.body if spec is not None else getattr(getattr(entry.view_function, "__endpoint__", None), "body", None)
    return (method.upper() in UPDATE_METHODS or "expected_version" in getattr(view, "__code__", None).co_names
            or (body is not None and "version" in body.model_fields))


WHO = {PUBLIC: "无需登录", SIGNED_IN: "任何已登录用户"}


def _derived_description(spec: Spec) -> str:
    """A route without its own description: its summary, who may call it, and what it takes and answers."""
    who = WHO.get(spec.who) if isinstance(spec.who, str) else "角色：" + "、".join(sorted(spec.who))
    parts = [f"{spec.summary}。{who}。"]
    if spec.query is not None and "cursor" in spec.query.model_fields:
        parts.append("分页：limit 与 cursor，返回 items 与 next_cursor。")
    if spec.idempotent:
        parts.append("可带 Idempotency-Key 安全重试。")
    return "".join(parts)


def _path_description(path: str, name: str) -> str:
    """A path parameter's meaning: the core's common names, else the collection it picks one item of."""
    if name in COMMON_PARAMETERS:
        return COMMON_PARAMETERS[name]
    segments = path.split("/")
    position = segments.index("{" + name + "}")
    collection = segments[position - 1] if position > 0 else ""
    return f"{collection} 中一项的 id（创建或列表时返回的 id）" if collection else f"{name}"


def body_example(model: type[BaseModel]) -> dict[str, Any] | None:
    """An example request body: the model's own (`json_schema_extra={"examples": [...]}`) or one assembled
    from its fields' examples (nested models too); None when a required field has none, or the assembled
    body does not validate against the model itself."""
    own = (model.model_config.get("json_schema_extra") or {})
    candidates = list(own.get("examples", [])) if isinstance(own, dict) else []
    assembled = _assembled(model)
    if assembled is not None:
        candidates.append(assembled)
    for candidate in candidates:
        try:
            model.model_validate(candidate)
        except Exception:
            continue
        return candidate
    return None


def _assembled(model: type[BaseModel], depth: int = 0) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if field.examples:
            out[key] = field.examples[0]
            continue
        nested = _model_of(field.annotation)
        if nested is not None and depth < 3:
            value = _assembled(nested, depth + 1)
            if value is not None:
                out[key] = [value] if _is_list(field.annotation) else value
                continue
        if field.is_required():
            return None
    return out


def _model_of(annotation: Any) -> type[BaseModel] | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_of(argument)
        if found is not None:
            return found
    return None


def _is_list(annotation: Any) -> bool:
    import typing

    return typing.get_origin(annotation) in (list, tuple, set)


# A plain value for an answer's field that gives no example of its own, by the field's name (then by its
# name's ending): realistic and never anyone's real data — a Changzhou area, masked numbers as answers show
# them (`pii.mask_*`), a day of November 2026. Used only where the value fits the field's type and pattern.
SAMPLE_DAY = "2026-11-18"  # the day answers' samples are dated
SAMPLES: dict[str, Any] = {
    "area": "320402001001", "area_code": "320402001001", "village": "320402001001", "grid": "320402001001001",
    "town": "320402001", "district": "320402", "city": "3204", "province": "32", "serves_area": "320402001",
    "home_area": "320402001001", "home_grid": "320402001001001", "grantee_area": "320402", "asked_area": "320402",
    "area_name": "红梅街道红梅新村社区", "grid_name": "红梅新村第一网格", "town_name": "红梅街道",
    "serves_area_name": "红梅街道", "village_name": "红梅新村社区",
    "phone": "138****0000", "phone_masked": "138****0000", "work_phone": "0519-12348",
    "id_number": "320***********1234", "id_number_masked": "320***********1234", "id_masked": "320***********1234",
    "name": "天宁区红梅街道公共法律服务工作站", "person_name": "张某某", "applicant_name": "李某某",
    "assignee_name": "王律师", "institution_name": "常州市天宁区公共法律服务中心", "resident": "r-4e1d2c3b",
    "sub": "s-7c2a9e14b3d54f60a8e1c2d3f4b5a697", "account": "s-7c2a9e14b3d54f60a8e1c2d3f4b5a697",
    "by": "s-7c2a9e14b3d54f60a8e1c2d3f4b5a697", "owner": "r-0f3e5a7c9b1d4e2f8a6c4b2d0e9f7a15",
    "code": "FW-320402-2611-0042", "ticket": "FW-320402-2611-0042", "tracking_code": "FW-320402-2611-0042",
    "title": "婚姻家庭纠纷法律咨询", "theme": "民法典进社区", "topic": "婚姻家庭", "venue": "红梅新村社区新时代文明实践站",
    "address": "常州市天宁区红梅街道红梅新村 12 幢", "summary": "邻里因房屋漏水引发纠纷，请求调解",
    "text": "请问赡养费怎么计算？", "detail": "已电话联系当事人，约定周三上午到社区调解室面谈",
    "note": "已电话回访，当事人表示满意", "reason": "当事人已达成和解，申请撤回", "comment": "回复及时，讲解清楚",
    "description": "每月第三个周三上午在社区法律服务室坐班", "message": "已受理", "msg": "应为 12 位代码",
    "label": "法律咨询", "audience": "社区居民", "course": "民法典专题培训", "firm": "江苏常天律师事务所",
    "court": "常州市天宁区人民法院", "unit": "件",
    "month": "2026-11", "period": "2026-11", "year": 2026, "version": 1, "count": 3, "total": 12,
    "hours": "4.0", "training_hours": "8.0", "minimum_hours": "4.0", "verified_hours": "6.5",
    "unverified_hours": "0.0", "amount": "1850.00", "share": "0.35", "score": "92.5", "success_rate": "0.85",
    "subsidy": "3000.00", "weekday": 3, "next_cursor": None, "cursor": None,
    "content_type": "application/pdf", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "size_bytes": 182044, "url": "https://fawangge-files.s3.cn-northwest-1.amazonaws.com.cn/leaflets/2026/11/demo.pdf",
    "download": "https://fawangge-files.s3.cn-northwest-1.amazonaws.com.cn/exports/2026/11/demo.xlsx",
    "access_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyLTRlMWQyYzNiIn0.c2lnbmF0dXJl",
    "refresh_token": "rt-5b8f2e1c9a7d4b3e8f6a1c2d0e9b7a53", "token_type": "Bearer",
    "credit_code": "31320000MD0123456X", "licence_no": "32040120261100123", "data_version": "2026-11-18.3",
    "request_id": "b7f3c2a1d4e54f6a9b8c7d6e5f4a3b21", "id": "8f14e45fceea167a5a36dedd4bea2543",
    "status": "accepted", "stage": "received", "kind": "consultation", "category": "marriage_family",
    "channel": "mini_program", "action": "ticket.received", "actor": "s-7c2a9e14b3d5", "role": "grid_worker",
    "level": "village", "entity": "ticket", "result": "已办结", "outcome": "调解成功", "verdict": "合格",
    "answer": "建议先与对方协商；协商不成，可向村（居）人民调解委员会申请调解。", "reply": "已转交网格员跟进",
    "explanation": "家庭人均月收入低于当地最低工资标准", "basis": "《法律援助法》第三十一条",
    "guidance": "请携带身份证、户口簿到镇（街道）公共法律服务工作站办理", "help": "可拨打 12348 公共法律服务热线",
    "facts": "申请人于 2026 年 3 月在某工地务工，被拖欠工资 2 个月", "need": "追讨劳动报酬", "situation": "无固定收入",
    "person": "张某某", "lawyer": "王律师", "mediator": "陈调解员", "notary": "赵公证员", "grantee": "李某某",
    "institution": "常州市天宁区公共法律服务中心", "committee": "红梅新村人民调解委员会", "matter": "继承公证",
    "place": "红梅新村社区法律服务室", "start": "09:00", "end": "11:30", "weekday": "周三", "what": "法治讲座",
    "why": "本月尚未登记", "document": "人民调解协议书", "number": "（2026）天红调字第 42 号", "format": "xlsx",
    "created_at": "2026-11-18T09:30:00+08:00", "updated_at": "2026-11-18T10:05:00+08:00",
    "deadline": "2026-11-25", "source": "grid_report", "scope": "320402", "key": "income_threshold",
    "parent": "320402001", "serves": "320402", "assigned_to": "s-7c2a9e14b3d5", "by_role": "grid_worker",
    "actor_role": "grid_worker", "material": "身份证复印件", "materials_missing": "户口簿复印件",
    "notes": "双方同意下周二再次调解", "notice": "已通知申请人补充材料", "engagement": "8f14e45fceea167a5a36dedd4bea2543",
    "entry": "2026-11-18-a1b2c3d4", "participant": "张某某", "host": "王律师", "organiser": "天宁区司法局",
    "next_step": "等待对方当事人确认调解时间", "grade": "合格", "overall": "satisfied", "linked_record": "320402001001.a1b2c3d4",
    "column": "身份证号", "check": "overdue_ticket", "record": "8f14e45fceea167a5a36dedd4bea2543",
    "rule": "每户 1 名法律明白人", "duty": "lawyer", "referred_to": "红梅新村人民调解委员会",
    "category_title": "婚姻家庭", "kind_title": "法律咨询", "channel_title": "小程序", "level_title": "村（社区）",
    "role_title": "网格员", "status_title": "已受理", "stage_title": "已受理",
}
_ENDINGS: tuple[tuple[str, Any], ...] = (
    ("_id", "8f14e45fceea167a5a36dedd4bea2543"), ("_name", "张某某"), ("_phone", "138****0000"),
    ("_title", "已受理"), ("_label", "已受理"), ("_reason", "当事人已达成和解，申请撤回"), ("_note", "已核实"),
    ("_comment", "回复及时，讲解清楚"), ("_area", "320402001"), ("_code", "320402001001"), ("_by", "s-7c2a9e14b3d5"),
    ("_hours", "4.0"), ("_count", 3), ("_total", 12), ("_days", 5), ("_minutes", 90),
    ("_at", f"{SAMPLE_DAY}T09:30:00+08:00"), ("_on", SAMPLE_DAY), ("_status", "accepted"), ("_number", "42"),
    ("_download", "https://fawangge-files.s3.cn-northwest-1.amazonaws.com.cn/exports/2026/11/demo.pdf"),
    ("_url", "https://fawangge-files.s3.cn-northwest-1.amazonaws.com.cn/exports/2026/11/demo.pdf"),
)
_BY_FORMAT = {"date": SAMPLE_DAY, "date-time": f"{SAMPLE_DAY}T09:30:00+08:00", "time": "09:30:00",
              "uri": "https://fawangge.example.cn/", "email": "service@example.cn", "uuid": "8f14e45f-ceea-467a-9a36-dedd4bea2543"}
_JSON_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "null": type(None)}


class Examples:
    """One example per answer schema of a document, built once and shared by every operation answering it."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas, self.made = schemas, {}

    def of(self, ref: dict[str, Any]) -> Any:
        return self._value(ref, "")

    def _named(self, ref: str) -> Any:
        name = ref.rsplit("/", 1)[1]
        if name not in self.made:
            schema = self.schemas[name]
            own = schema.get("examples")
            required = set(schema.get("required", []))
            if own and isinstance(own[0], dict) and required <= set(own[0]):  # in the order of its fields
                order = list(schema.get("properties", {}))
                self.made[name] = dict(sorted(own[0].items(), key=lambda item: order.index(item[0])
                                              if item[0] in order else len(order)))
            else:
                self.made[name] = None  # a model that contains itself stops here
                self.made[name] = self._value(schema, "")
        return self.made[name]

    def _value(self, schema: dict[str, Any], name: str) -> Any:
        if "examples" in schema and schema["examples"] and "properties" not in schema:
            return schema["examples"][0]
        if "$ref" in schema:
            return self._named(schema["$ref"])
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0] if schema["enum"] else None
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [b for b in schema[key] if b.get("type") != "null"]
                nullable = len(branches) < len(schema[key])
                if nullable and name in SAMPLES and SAMPLES[name] is None:
                    return None
                for branch in branches:
                    value = self._value(branch, name)
                    if value is not None or nullable:
                        return value
                return None
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self._value(schema["allOf"][0], name)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            return {field: self._value(sub, field) for field, sub in schema.get("properties", {}).items()}
        if kind == "array":
            item = self._value(schema.get("items", {}), _singular(name))
            return [] if item is None else [item] * max(1, schema.get("minItems", 1))
        return _plain(schema, name)


def _singular(name: str) -> str:
    return name[:-3] + "y" if name.endswith("ies") else name[:-1] if name.endswith("s") else name


def _plain(schema: dict[str, Any], name: str) -> Any:
    """A scalar: the field's name's sample when it fits the type, pattern and bounds; else one by format/type."""
    kind = schema.get("type")
    candidates = [SAMPLES[name]] if name in SAMPLES else []
    candidates += [value for ending, value in _ENDINGS if name.endswith(ending)]
    if schema.get("format") in _BY_FORMAT:
        candidates.insert(0, _BY_FORMAT[schema["format"]])
    for value in candidates + [str(value) for value in candidates if isinstance(value, int)]:
        if _fits(schema, value):
            return value
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + (1 if "exclusiveMinimum" in schema else 0))
        return max(low, min(1, schema.get("maximum", 1)))
    if kind == "string":
        return "0" if name.endswith(("hours", "amount")) else "示例"
    return None


def _fits(schema: dict[str, Any], value: Any) -> bool:
    kind = schema.get("type")
    if value is None or (kind in _JSON_TYPES and not isinstance(value, _JSON_TYPES[kind])):
        return False
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return False
        if not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
            return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            return False
    return True


def _applies(status: str, spec: Spec, versioned: bool) -> bool:
    """The statuses a route can really answer: the platform's (400 bad query or cursor, 404 unknown id,
    409/422 from services, 429 rate limits, 500 with a request id, 503 when DynamoDB throttles) for all;
    401/403 once a token is needed (a signed-in route's service refuses other areas with 403) or where a
    public route declares them (`statuses`); 415 where a body is read; 412 on updates; 502/504 only where
    the route declares an upstream (`statuses`)."""
    if status == "401" or status == "403":  # a public route may refuse what it is given (a used refresh token)
        return spec.who != PUBLIC or int(status) in spec.statuses
    if status == "415":
        return spec.body is not None
    if status == "412":
        return versioned
    if status in ("502", "504"):
        return int(status) in spec.statuses
    return True


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop,
             "description": prop.get("description") or COMMON_PARAMETERS.get(name) or prop.get("title", name)}
            for name, prop in schema.get("properties", {}).items()]


__all__ = ["build", "document", "routes_with_specs", "ProblemDetails", "PageQuery"]
