"""`GET /v1/openapi.json`: an OpenAPI 3.1 document built from the routes Chalice really has and the
pydantic models their `endpoint` declarations really use (request bodies, query strings, responses).
"""
from __future__ import annotations

import functools
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
_GENERIC = re.compile(r"(\w+)\[([^\[\]]*)\]")


class Schemas(GenerateJsonSchema):
    """Schema names as the classes are named: a generic model's parametrization `Page[TicketOut]` is the
    class `TicketOutPage` (`Page.model_parametrized_name`), not pydantic's `Page_TicketOut_`."""

    def normalize_name(self, name: str) -> str:
        while match := _GENERIC.search(name):
            arguments = "".join(part.strip() for part in match.group(2).split(","))
            name = name[:match.start()] + arguments + match.group(1) + name[match.end():]
        return super().normalize_name(name)


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
    paths: dict[str, dict[str, Any]] = {}
    for path, method, entry, spec in routes:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, entry, spec, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "法网格 公共法律服务进网格 API", "version": "1.0.0",
                 "description": "Errors are application/problem+json; lists take limit and cursor; creating "
                                "POSTs take an Idempotency-Key header; updates take If-Match."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(path: str, method: str, entry, spec: Spec | None, refs) -> dict[str, Any]:
    if spec is None:
        return {"summary": entry.view_name, "x-undeclared": True, "responses": {"default": {"description": ""}}}
    operation: dict[str, Any] = {
        "operationId": entry.view_name, "summary": spec.summary, "tags": list(spec.tags) or [path.split("/")[2]],
        "x-who": spec.who if isinstance(spec.who, str) else sorted(spec.who),
        "parameters": [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                       for name in re.findall(r"{(\w+)}", path)],
    }
    if spec.description:
        operation["description"] = spec.description
    if spec.who != PUBLIC:
        operation["security"] = [{"bearer": []}]
    if spec.query:
        operation["parameters"] += _query_parameters(spec.query)
    if takes_if_match(method, entry):
        operation["parameters"].append({
            "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 16},
            "description": "记录的当前版本（GET 返回的 version，如 \"3\"）；不带 body.version 的修改必填"})
    if spec.idempotent:
        operation["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                        "schema": {"type": "string", "maxLength": 128}})
    if spec.body:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(spec.body, "validation")]}}}
    success = {"description": spec.summary}
    if spec.response:
        success["content"] = {"application/json": {"schema": refs[(spec.response, "serialization")]}}
    problem = {"application/problem+json": {"schema": refs[(ProblemDetails, "serialization")]}}
    versioned = takes_if_match(method, entry)
    operation["responses"] = {str(spec.status): success, **{
        status: {"description": text, "content": problem} for status, text in ERROR_STATUSES.items()
        if _applies(status, spec, versioned)}}
    return operation


def takes_if_match(method: str, entry) -> bool:
    """Updates: PATCH/PUT/DELETE, and any route whose handler reads the expected version (`/withdraw`…)."""
    view = getattr(entry.view_function, "__wrapped__", entry.view_function)
    return method.upper() in UPDATE_METHODS or "expected_version" in getattr(view, "__code__", None).co_names


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
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


__all__ = ["build", "document", "routes_with_specs", "ProblemDetails", "PageQuery"]
