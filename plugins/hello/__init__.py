"""`hello`: the smallest real plugin, proving the contract end to end (routes under /v1/hello, a stored
record with audit and idempotency, owner-only reads, a list with a cursor). Enabled in local/dev only."""
from __future__ import annotations

import uuid
from typing import ClassVar

from chalice import Blueprint
from pydantic import ConfigDict, Field

from chalicelib.platform import audit, storage, web
from chalicelib.platform.storage import keys
from chalicelib.platform.auth import require_owner
from chalicelib.platform.errors import NotFound
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.plugin import Plugin
from chalicelib.platform.web import PUBLIC, SIGNED_IN, PageQuery, endpoint, parse, parse_query
from chalicelib.platform.model import Model

bp = Blueprint(__name__)
ENTITY = "hello-greeting"


class Greeting(storage.Record):
    entity: ClassVar[str] = ENTITY
    id: str
    owner: str
    message: str

    def key_attributes(self) -> dict[str, str]:
        return {**keys.record(ENTITY, self.id), "gsi1pk": keys.owned_by(ENTITY, self.owner),
                "gsi1sk": f"{self.created_at.isoformat()}#{self.id}"}


class GreetingIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    message: str = Field(min_length=1, max_length=200, examples=["你好"])


class GreetingOut(Model):
    id: str
    message: str
    created_at: str
    version: int

    @classmethod
    def of(cls, greeting: Greeting) -> "GreetingOut":
        return cls(id=greeting.id, message=greeting.message, created_at=greeting.created_at.isoformat(),
                   version=greeting.version)


class GreetingPage(Model):
    items: list[GreetingOut]
    next_cursor: str | None = None


class Hello(Model):
    message: str


@bp.route("/", methods=["GET"])
@endpoint("插件示例：问候", who=PUBLIC, response=Hello, tags=("hello",))
def hello():
    return Hello(message="你好，法网格")


@bp.route("/greetings", methods=["POST"], authorizer=jwt_auth)
@endpoint("留下一句问候", who=SIGNED_IN, body=GreetingIn, response=GreetingOut, status=201, tags=("hello",))
def create_greeting():
    data = parse(GreetingIn)
    actor = web.actor()
    greeting = Greeting(id=uuid.uuid4().hex, owner=actor.sub, message=data.message)
    storage.stamp_new(greeting)
    storage.put_new(greeting, also=[audit.entry(actor, "create", ENTITY, greeting.id, "留下问候")])
    return GreetingOut.of(greeting)


@bp.route("/greetings", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的问候", who=SIGNED_IN, query=PageQuery, response=GreetingPage, tags=("hello",))
def list_greetings():
    q = parse_query(PageQuery)
    page = storage.query(keys.owned_by(ENTITY, web.caller().sub), index="gsi1", limit=q.limit,
                         cursor=q.cursor, newest_first=True)
    return GreetingPage(items=[GreetingOut.of(Greeting.from_item(i)) for i in page.items],
                        next_cursor=page.next_cursor)


@bp.route("/greetings/{greeting_id}", methods=["GET"], authorizer=jwt_auth)
@endpoint("查看一条问候（仅本人）", who=SIGNED_IN, response=GreetingOut, tags=("hello",))
def get_greeting(greeting_id):
    greeting = storage.find(Greeting, ENTITY, greeting_id)
    if greeting is None:
        raise NotFound()
    require_owner(web.caller(), greeting.owner)
    return GreetingOut.of(greeting)


plugin = Plugin(name="hello", title="示例", blueprint=bp)
