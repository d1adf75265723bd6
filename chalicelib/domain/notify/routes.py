"""The HTTP surface of notify, mounted at /v1: the mini-program reports which subscribe-message templates
the resident accepted (`wx.requestSubscribeMessage`), and reads how many messages each stage may still send."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.notify import service
from chalicelib.domain.notify.models import SubscribeIn, SubscriptionsOut
from chalicelib.platform.auth.authorizer import jwt_auth
from chalicelib.platform.web import caller, endpoint, parse

bp = Blueprint(__name__)
TAGS = ("notify",)
RESIDENT = {"resident"}


@bp.route("/notify/subscriptions", methods=["POST"], authorizer=jwt_auth)
@endpoint("报告居民同意接收的订阅消息", who=RESIDENT, body=SubscribeIn, response=SubscriptionsOut, tags=TAGS,
          description="小程序调用 wx.requestSubscribeMessage 后原样上报结果：每同意一次，该环节可向居民发送一条消息"
                      "（如受理、转办、答复、办结，公证预约确认与预约提醒）。未配置的模板 id 为 422。")
def subscribe():
    return service.subscribe(caller(), parse(SubscribeIn))


@bp.route("/notify/subscriptions", methods=["GET"], authorizer=jwt_auth)
@endpoint("我的订阅消息（各环节剩余可接收条数）", who=RESIDENT, response=SubscriptionsOut, tags=TAGS)
def subscriptions():
    return service.subscriptions(caller())
