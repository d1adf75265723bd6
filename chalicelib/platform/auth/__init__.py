"""Who is calling, and may they.

- `authorize` is the body of the one Chalice built-in authorizer registered in `app.py` (an authorizer in
  a prefixed blueprint breaks the SAM template). It verifies the bearer JWT and hands `sub`, `roles` and
  `area` to the route as the authorizer context.
- `Caller` is what a route sees; `require_roles`, `require_area` and `require_owner` are the checks every
  record access goes through.

A missing or bad token is 401. API Gateway turns the exception message "Unauthorized" into a 401; under
`chalice local` and the test client we raise the local gateway's own 401 error, with a problem+json body.

`tokens` (verification, keys, the signers) is imported by `authorize`, the authorizer's function: a route's
request only reads the authorizer's context (`caller_from`), so the API handler's cold start does not import
it — measured ~6 ms CPU of a cold legal-aid read (median of 9 fresh interpreters, importing this package with
and without it).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from chalice import AuthResponse

from chalicelib.platform.auth import roles
from chalicelib.platform.errors import Forbidden, NotFound, PROBLEM_CONTENT_TYPE, Unauthorized


@dataclass(frozen=True)
class Caller:
    """The one object a service gets for the person calling: who they are, what they may do, and — for the
    audit trail — where the request came from (`actor`)."""
    sub: str
    roles: frozenset[str]
    area: str | None
    source_ip: str | None = None
    request_id: str | None = None

    @property
    def actor(self):
        """The audit trail's view of this caller (chalicelib.platform.audit.Actor)."""
        from chalicelib.platform.audit import Actor

        return Actor(sub=self.sub, roles=tuple(sorted(self.roles)), source_ip=self.source_ip,
                     request_id=self.request_id)

    def has_any(self, roles: frozenset[str] | set[str]) -> bool:
        return bool(self.roles & set(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_any(roles.STAFF)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    def covers(self, area_code: str) -> bool:
        """Staff see their area and below: their jurisdiction code is a prefix of the record's."""
        return bool(self.is_staff and self.area and area_code.startswith(self.area))


# The local stage only (a deployed gateway's 401 has one fixed text): a dev token from another machine's or
# another DATA_DIR's key is not "expired", and saying so sends the developer looking in the wrong place.
ANOTHER_LOCAL_KEY = ("该令牌由另一个本地签名密钥签发（另一个 DATA_DIR 或 DEV_KEY_DIR 下的 `python -m chalicelib.cli token`），"
                     "本服务不认：请在本服务的 DATA_DIR 下重新生成令牌")


def _reject(detail: str | None = None) -> None:
    try:
        from chalice.local import NotAuthorizedError
    except ImportError:  # in Lambda: only chalice.app ships; API Gateway maps this message to 401
        raise Exception("Unauthorized") from None
    body = Unauthorized(detail or "请先登录，或登录已过期").body()
    raise NotAuthorizedError({"Content-Type": PROBLEM_CONTENT_TYPE}, json.dumps(body, ensure_ascii=False).encode())


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authorize(auth_request) -> AuthResponse:
    from chalicelib.platform.auth import tokens

    token = bearer_token(auth_request.token)
    if token is None:
        _reject()
    try:
        claims = tokens.verify(token)
    except tokens.InvalidToken:
        _reject(ANOTHER_LOCAL_KEY if tokens.signed_by_another_local_key(token) else None)
    context = {"sub": claims.sub, "roles": ",".join(sorted(claims.roles)), "area": claims.area or ""}
    return AuthResponse(routes=["*"], principal_id=claims.sub, context=context)


def caller_from(request) -> Caller:
    """The caller of an authorized route, from the authorizer context API Gateway passes along."""
    context = (request.context or {}).get("authorizer") or {}
    sub = context.get("sub") or context.get("principalId")
    if not sub:
        raise Unauthorized()
    roles = frozenset(r for r in str(context.get("roles", "")).split(",") if r)
    identity = (request.context or {}).get("identity") or {}
    return Caller(sub=sub, roles=roles, area=context.get("area") or None, source_ip=identity.get("sourceIp"))


def require_roles(caller: Caller, roles: set[str] | frozenset[str]) -> None:
    if not caller.has_any(roles):
        raise Forbidden("您的角色无权进行此操作", code="role_not_allowed")


def require_area(caller: Caller, area_code: str, *, hide: bool = False) -> None:
    """Staff outside the record's area get 403, or 404 where the record's existence is itself private."""
    if caller.covers(area_code):
        return
    if hide:
        raise NotFound()
    raise Forbidden("该记录不在您的管辖范围内", code="outside_jurisdiction")


def require_owner(caller: Caller, owner_sub: str) -> None:
    """A resident's records are theirs alone; to anyone else they do not exist (404)."""
    if caller.sub != owner_sub:
        raise NotFound()


def require_covers(caller: Caller, area_code: str, loc: list[str]) -> None:
    """403 naming the field when `area_code` is outside the caller's jurisdiction."""
    if not caller.covers(area_code):
        raise Forbidden(f"区域 {area_code} 不在您的管辖范围内", code="outside_jurisdiction",
                        errors=[{"loc": loc, "msg": "不在您的管辖范围内"}])
