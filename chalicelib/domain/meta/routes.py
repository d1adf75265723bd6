"""Routes about the API itself, mounted at /v1: health, the OpenAPI document, the caller's own claims."""
from __future__ import annotations

from chalice import Blueprint
from pydantic import Field

from chalicelib import plugin
from chalicelib.platform import config, timeutil, web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Model
from chalicelib.platform.web import PUBLIC, SIGNED_IN, endpoint, openapi

bp = Blueprint(__name__)


class Health(Model):
    status: str = Field(examples=["ok"])
    stage: str
    plugins: list[str]
    now: str = Field(description="服务端当前时间（上海时区）；本地环境可用 FIXED_NOW 固定", examples=["2026-11-30T09:00:00+08:00"])


class WhoAmI(Model):
    sub: str
    roles: list[str]
    area: str | None


@bp.route("/health", methods=["GET"])
@endpoint("健康检查", who=PUBLIC, response=Health, tags=("core",))
def health():
    return Health(status="ok", stage=config.stage(), plugins=plugin.names(),
                  now=timeutil.to_shanghai(timeutil.now_utc()).isoformat(timespec="seconds"))


@bp.route("/openapi.json", methods=["GET"])
@endpoint("OpenAPI 3.1 接口文档", who=PUBLIC, tags=("core",))
def openapi_document():
    return web.respond(openapi.document(web._app))


@bp.route("/whoami", methods=["GET"], authorizer=jwt_auth)
@endpoint("当前登录身份", who=SIGNED_IN, response=WhoAmI, tags=("core",))
def whoami():
    who = web.caller()
    return WhoAmI(sub=who.sub, roles=sorted(who.roles), area=who.area)
