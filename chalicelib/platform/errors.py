"""Errors as `application/problem+json` (RFC 9457) in the contract's shape.

Every error a client can cause is a `Problem` subclass. They derive from Chalice's
`ChaliceUnhandledError` so that Chalice lets them through to our handling instead of turning them into its
own 500. `title`/`detail` are Chinese for people; `code` is a stable English identifier for programs.
"""
from __future__ import annotations

from typing import Any

from chalice import ChaliceUnhandledError

PROBLEM_CONTENT_TYPE = "application/problem+json; charset=utf-8"
TYPE_BASE = "https://fawangge.gov.cn/problems/"


class Problem(ChaliceUnhandledError):
    status = 500
    code = "internal_error"
    title = "服务器内部错误"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        if title:
            self.title = title
        self.errors = errors or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "type": TYPE_BASE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "errors": self.errors,
        }


class BadRequest(Problem):
    status, code, title = 400, "bad_request", "请求格式有误"


class Unauthorized(Problem):
    status, code, title = 401, "unauthorized", "未登录或登录已过期"


class Forbidden(Problem):
    status, code, title = 403, "forbidden", "无权进行此操作"


class NotFound(Problem):
    status, code, title = 404, "not_found", "记录不存在"


class MethodNotAllowed(Problem):
    status, code, title = 405, "method_not_allowed", "不支持的请求方法"


class Conflict(Problem):
    status, code, title = 409, "conflict", "与现有数据冲突"


class UnsupportedMediaType(Problem):
    status, code, title = 415, "unsupported_media_type", "不支持的内容类型"


class Unprocessable(Problem):
    status, code, title = 422, "validation_failed", "提交的数据有误"


class TooManyRequests(Problem):
    status, code, title = 429, "too_many_requests", "请求过于频繁，请稍后再试"


class ServiceUnavailable(Problem):
    status, code, title = 503, "service_unavailable", "服务暂时不可用，请稍后再试"


# What AWS answers when it is busy or failing rather than when the request is wrong: botocore has already
# retried these with backoff (chalicelib/platform/aws: standard mode, bounded attempts), so what is left is
# a 503 the client may retry — with its Idempotency-Key, which makes a retried create safe.
AWS_BUSY = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
                      "Throttling", "SlowDown", "ServiceUnavailable", "InternalServerError", "InternalError",
                      "RequestTimeout", "TransactionInProgressException"})


def aws_unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """503 with Retry-After for an AWS fault that outlasted the SDK's retries (throttling, a 5xx, no
    connection); None for anything else. botocore is looked up, not imported: if nothing imported it, the
    error cannot be one of its own (and the cold start stays free of it)."""
    import sys

    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:
        return None
    if isinstance(exc, exceptions.ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        if error.get("Code") not in AWS_BUSY and status < 500:
            return None
    elif not isinstance(exc, (exceptions.ConnectionError, exceptions.ReadTimeoutError)):
        return None
    return ServiceUnavailable("数据服务繁忙，请稍后重试；重试创建类请求时请带上原来的 Idempotency-Key",
                              title="服务繁忙，请稍后再试", headers={"Retry-After": "1"})


# Chinese wording for pydantic's error types; anything not listed keeps pydantic's own message.
_MESSAGES = {
    "missing": "必填项",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为文字",
    "string_too_short": "长度不能少于 {min_length} 个字符",
    "string_too_long": "长度不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为是/否（true/false）",
    "bool_parsing": "应为是/否（true/false）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应不小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应不大于 {le}",
    "enum": "应为以下之一：{expected}",
    "literal_error": "应为以下之一：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为带时区的时间（ISO-8601）",
    "datetime_parsing": "应为带时区的时间（ISO-8601）",
    "timezone_aware": "时间必须带时区",
    "list_type": "应为列表",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "json_invalid": "不是合法的 JSON",
    "uuid_parsing": "应为 UUID",
}


def field_errors(exc: Any, prefix: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Turn a pydantic ValidationError into the contract's `errors: [{loc, msg}]`, one per field."""
    out = []
    for err in exc.errors(include_url=False):
        template = _MESSAGES.get(err["type"])
        msg = err["msg"]
        if template:
            try:
                msg = template.format(**(err.get("ctx") or {}))
            except (KeyError, IndexError):
                msg = template
        elif err["type"] == "value_error":
            # Our own validators raise ValueError with a Chinese message; pydantic prefixes it.
            msg = str(err.get("ctx", {}).get("error", msg))
        out.append({"loc": [*prefix, *[str(p) for p in err["loc"]]], "msg": msg, "type": err["type"]})
    return out


def from_validation_error(exc: Any, where: str = "body") -> Unprocessable:
    errors = field_errors(exc, (where,))
    names = "、".join(".".join(e["loc"][1:]) or where for e in errors[:5])
    return Unprocessable(f"以下字段有误：{names}", errors=errors)


def field_error(loc: list[str], msg: str) -> list[dict[str, str | list[str]]]:
    """The `errors` of a problem about one field: `[{"loc": loc, "msg": msg}]`."""
    return [{"loc": loc, "msg": msg}]
