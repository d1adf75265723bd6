"""HTTP glue shared by every route: the `endpoint` declaration, input parsing, responses, errors, paging.

A route looks like this (the service layer knows nothing of HTTP; the route knows nothing of DynamoDB):

    @bp.route("/things", methods=["POST"], authorizer=authorizer)
    @endpoint("登记事项", who={"admin"}, body=ThingIn, response=ThingOut, status=201)
    def create_thing():
        thing = service.create(actor(), parse(ThingIn))
        return ThingOut.of(thing)

`endpoint` states who may call the route (checked before the handler runs), documents its models for
`/v1/openapi.json`, makes creating POSTs idempotent under `Idempotency-Key`, and turns every error into
`application/problem+json`. A route without it fails the contract test.
"""
from __future__ import annotations

import contextvars
import dataclasses
import functools
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from chalice import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.platform import auth
from chalicelib.platform.audit import Actor
from chalicelib.platform.errors import (
    PROBLEM_CONTENT_TYPE, BadRequest, MethodNotAllowed, NotFound, Problem, UnsupportedMediaType,
    aws_unavailable, from_validation_error,
)
from chalicelib.platform.logs import info_line, logger
from chalicelib.platform.model import Model, Page  # noqa: F401  (Page: the list pages routes answer)

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
PUBLIC = "public"
SIGNED_IN = "signed_in"

_app = None
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def bind(app) -> None:
    global _app
    _app = app


def request():
    return _app.current_request


def request_id() -> str:
    return _request_id.get()


# --- the endpoint declaration ---------------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    summary: str
    who: str | frozenset[str]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    idempotent: bool = False
    replay: Callable[[dict[str, Any]], Any] | None = None
    statuses: tuple[int, ...] = ()
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    over_floor: str = ""


def endpoint(summary: str, *, who: str | set[str] | frozenset[str], body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
             status: int = 200, idempotent: bool | None = None, replay: Callable[[dict[str, Any]], Any] | None = None,
             description: str = "", tags: tuple[str, ...] = (), statuses: tuple[int, ...] = (),
             over_floor: str = "") -> Callable:
    """Declare a route: `who` is PUBLIC, SIGNED_IN, or the set of roles allowed. Creating routes
    (status 201) of signed-in callers are idempotent under `Idempotency-Key` unless told otherwise; a
    replay shows the created record again through `replay(stored item)`, by default `response.of(record)`
    (web.idempotency). `statuses` adds what only this route answers (502/504 of an upstream) to its document.
    `over_floor`: why the route makes more DynamoDB calls than its kind's floor (a read 1, a create 1, an
    update 2), printed by `make bench` beside its count; empty for a route at its floor."""
    roles = who if isinstance(who, str) else frozenset(who)
    spec = Spec(summary=summary, who=roles, body=body, query=query, response=response, status=status,
                idempotent=(status == 201 and roles != PUBLIC) if idempotent is None else idempotent, replay=replay,
                description=description, tags=tuple(tags), statuses=tuple(statuses), over_floor=over_floor)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def run(**path_params: Any) -> Response:
            return _run(spec, view, path_params)

        run.__endpoint__ = spec  # type: ignore[attr-defined]
        return run

    return decorate


def _run(spec: Spec, view: Callable, path_params: dict[str, Any]) -> Response:
    try:
        if spec.who != PUBLIC:
            who_called = caller()
            if spec.who != SIGNED_IN:
                auth.require_roles(who_called, spec.who)
            if spec.idempotent and request().headers.get("idempotency-key"):
                from chalicelib.platform.web import idempotency

                return idempotency.run(request(), who_called.sub, spec,
                                       lambda: _to_response(view(**path_params), spec.status), respond)
        return _to_response(view(**path_params), spec.status)
    except Problem as problem:
        return problem_response(_located(problem, spec, path_params))
    except Exception as exc:  # anything unexpected: hide internals, keep them in the log with the request id
        unavailable = aws_unavailable(exc)
        if unavailable is not None:  # AWS busy after the SDK's retries: the client may retry, not a bug
            logger().warning("aws unavailable", extra={"request_id": request_id(), "error": type(exc).__name__})
            return problem_response(unavailable)
        logger().exception("unhandled error", extra={"request_id": request_id()})
        return problem_response(Problem("服务器内部错误，请稍后再试。如需帮助请提供请求编号 " + request_id()))


LOCATIONS = ("body", "query", "path", "header", "file")


def _located(problem: Problem, spec: Spec, path_params: dict[str, Any]) -> Problem:
    """Services name fields relative to their input (`["lawyer"]`, `["hosts", 0]`, `["month"]`): they know no
    HTTP. The route knows where its input came from, so the location is completed here: a field of the
    declared body or query model is there (`["body", "lawyer"]`), else a path parameter of that name is
    (`["path", "month"]`), else the route's body, or its query string when it reads no body."""
    for error in problem.errors:
        loc = error.get("loc")
        if isinstance(loc, list) and loc and loc[0] not in LOCATIONS:
            error["loc"] = [_where(loc[0], spec, path_params), *loc]
    return problem


def _where(name: Any, spec: Spec, path_params: dict[str, Any]) -> str:
    for where, model in (("body", spec.body), ("query", spec.query)):
        if model is not None and name in model.model_fields:
            return where
    if name in path_params:
        return "path"
    return "body" if spec.body is not None else "query"


def _to_response(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    return respond(result, status=status)


# --- input ----------------------------------------------------------------------------------------

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M]) -> M:
    """The JSON body as `model`: 415 if not JSON, 400 if malformed, 422 naming every bad field."""
    req = request()
    content_type = (req.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise UnsupportedMediaType("请以 JSON（application/json）提交")
    raw = req.raw_body or b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        raise BadRequest("请求体不是合法的 JSON", code="malformed_json") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, "body") from None


def parse_query(model: type[M]) -> M:
    params = dict(request().query_params or {})
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        raise from_validation_error(exc, "query") from None


def caller() -> auth.Caller:
    """The caller of this request, with its request id: the one object services take (`caller.actor` is
    what the audit trail records)."""
    return dataclasses.replace(auth.caller_from(request()), request_id=request_id())


def actor() -> Actor:
    return caller().actor


# What a weak tag stands for: no stored version (they start at 1), so the update goes the way of any version
# that does not match (409 stale_version, after the record's own access checks) and changes nothing.
NO_VERSION = 0


def expected_version(body_version: int | None = None) -> int:
    """The version the client last saw, from `If-Match` (`"3"` or `3`) or the body's `version`. If-Match
    compares strongly (RFC 9110 §13.1.1): a weak tag (`W/"3"`) matches no version, whatever the body says."""
    header = request().headers.get("if-match")
    if header:
        match = re.fullmatch(r'\s*(W/)?"?(\d{1,9})"?\s*', header)
        if not match:
            raise BadRequest("If-Match 应为记录的版本号", code="bad_if_match",
                             errors=[{"loc": ["header", "If-Match"], "msg": "格式不正确"}])
        return NO_VERSION if match.group(1) else int(match.group(2))
    if body_version is None:
        raise BadRequest("修改需提供记录版本（If-Match 或 version）", code="version_required",
                         errors=[{"loc": ["header", "If-Match"], "msg": "必填项"}])
    return body_version


# --- output ---------------------------------------------------------------------------------------

def respond(model: BaseModel | dict | list | None, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(model, BaseModel):
        body = model.model_dump_json()
    else:
        body = json.dumps(model, ensure_ascii=False, separators=(",", ":"))
    return Response(body=body, status_code=status, headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})})


def problem_response(problem: Problem) -> Response:
    return Response(body=json.dumps(problem.body(), ensure_ascii=False), status_code=problem.status,
                    headers={"Content-Type": PROBLEM_CONTENT_TYPE, **problem.headers})


class PageQuery(Model):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(20, ge=1, le=100, description="每页条数（1–100）")
    cursor: str | None = Field(None, max_length=2048, description="上一页返回的 next_cursor")


# --- middleware -----------------------------------------------------------------------------------

_CHALICE_ERRORS = {
    405: (MethodNotAllowed, "该接口不支持此请求方法"),
    415: (UnsupportedMediaType, "请以 JSON（application/json）提交"),
    404: (NotFound, "没有这个接口"),
    400: (BadRequest, "请求格式有误"),
}


def middleware(event, get_response) -> Response:
    """Request id, access log and the problem+json shape for errors Chalice itself produced."""
    started = time.perf_counter()
    incoming = (event.headers or {}).get("x-request-id", "")
    gateway_id = (event.context or {}).get("requestId")
    rid = incoming if _REQUEST_ID_SHAPE.match(incoming) else gateway_id or uuid.uuid4().hex
    token = _request_id.set(rid)
    try:
        response = get_response(event)
        response = _as_problem_if_chalice_error(response)
        response.headers["x-request-id"] = rid
        info_line("request", {
            "request_id": rid, "method": event.method,
            "route": (event.context or {}).get("resourcePath"), "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        })
        return response
    finally:
        _request_id.reset(token)


def _as_problem_if_chalice_error(response: Response) -> Response:
    if response.status_code < 400:
        return response
    content_type = {k.lower(): v for k, v in response.headers.items()}.get("content-type", "")
    if "problem+json" in content_type:
        return response
    problem_class, detail = _CHALICE_ERRORS.get(response.status_code, (Problem, None))
    problem = problem_class(detail)
    if problem.status != response.status_code:  # e.g. Chalice's own 500 for an error outside a route
        problem.status = response.status_code if response.status_code >= 500 else 500
    headers = {k: v for k, v in response.headers.items() if k.lower() in ("allow", "retry-after")}
    problem.headers = headers
    return problem_response(problem)
