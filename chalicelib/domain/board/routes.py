"""Routes of the service menu and the public grid board (C4), mounted at /v1: parse, call
`board.service`, respond.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.domain.board import models, poster, service as board
from chalicelib.platform import config, web
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.web import PUBLIC, endpoint, parse

bp = Blueprint(__name__)
ADMIN = {"admin"}


def _version_if_given(body_version: int | None) -> int | None:
    if web.request().headers.get("if-match") or body_version is not None:
        return web.expected_version(body_version)
    return None


@bp.route("/areas/{code}/menu", methods=["GET"])
@endpoint("服务事项清单（6+X）", who=PUBLIC, response=models.ServiceMenu, tags=("board",))
def get_menu(code):
    return board.menu(code)


@bp.route("/areas/{code}/menu", methods=["PUT"], authorizer=jwt_auth)
@endpoint("设置本区域自选服务项（X）", who=ADMIN, body=models.MenuIn, response=models.AreaMenuOut, tags=("board",),
          description="首次设置返回 201；修改已有清单需 If-Match（或 body.version）。")
def put_menu(code):
    data = parse(models.MenuIn)
    record, created = board.set_menu(web.caller(), code, data, _version_if_given(data.version))
    return web.respond(models.AreaMenuOut.of(record), status=201 if created else 200)


@bp.route("/areas/{code}/board", methods=["GET"])
@endpoint("我的网格：服务清单、各角色联系人、对接机构、本周值班和主题活动（电话掩码）", who=PUBLIC,
          response=models.GridBoard, tags=("board",),
          description="一次读取（按网格保存的公示内容）；可由网关或 CDN 缓存（Cache-Control，默认 5 分钟）。")
def grid_board(code):
    return Response(body=board.grid_board_json(code), status_code=200, headers={
        "Content-Type": web.JSON_CONTENT_TYPE, "Cache-Control": f"public, max-age={config.board_max_age_seconds()}"})


@bp.route("/areas/{code}/board/poster", methods=["GET"])
@endpoint("网格公示栏海报（PDF，A4/A3）：服务清单、联系人和工作电话、每周值班、服务地点、小程序码", who=PUBLIC,
          query=models.PosterQuery, response=models.PosterOut, tags=("board",), statuses=(502, 503, 504),
          description="返回 PDF 的临时下载链接。公示内容不变时直接返回已生成的 PDF，内容变化后首次请求重新生成；"
                      "小程序码来自微信（首次生成时），微信不可用时为 502/503/504。")
def grid_poster(code):
    query = web.parse_query(models.PosterQuery)
    made = poster.poster(code, query.size)
    return models.PosterOut(grid=made.sheet.grid, grid_name=made.sheet.grid_name, size=query.size, download=made.url,
                            expires_in=poster.LINK_SECONDS, version=made.version,
                            generated=made.generated, bytes=made.length)
