"""The HTTP surface of `hello`: each route declares who may call it and its models (`@endpoint`), parses
its input, calls the service with the caller, and returns an output model. No storage here."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.model import Page
from chalicelib.platform.web import PUBLIC, SIGNED_IN, PageQuery, caller, endpoint, parse, parse_query
from plugins.hello import service
from plugins.hello.models import GreetingIn, GreetingOut, Hello

bp = Blueprint(__name__)
TAGS = ("hello",)


@bp.route("/", methods=["GET"])
@endpoint("插件示例：问候", who=PUBLIC, response=Hello, tags=TAGS)
def hello():
    return Hello(message="你好，法网格")


@bp.route("/greetings", methods=["POST"], authorizer=jwt_auth)
@endpoint("留下一句问候", who=SIGNED_IN, body=GreetingIn, response=GreetingOut, status=201, tags=TAGS)
def create_greeting():
    return GreetingOut.of(service.create(caller(), parse(GreetingIn)))


@bp.route("/greetings", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的问候", who=SIGNED_IN, query=PageQuery, response=Page[GreetingOut], tags=TAGS)
def list_greetings():
    q = parse_query(PageQuery)
    return service.mine(caller(), limit=q.limit, cursor=q.cursor)


@bp.route("/greetings/{greeting_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一条问候（仅本人）", who=SIGNED_IN, response=GreetingOut, tags=TAGS)
def get_greeting(greeting_id):
    return GreetingOut.of(service.get(caller(), greeting_id))
