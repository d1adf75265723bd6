"""The mini-program platform's server API: code-to-session (WeChat `jscode2session`) and the phone-number
flow (`getuserphonenumber`). REFERENCE "Mini-program sign-in".

`exchange(code)` turns the one-time login code from `wx.login()` into the user's `openid` (and
`unionid` when the app belongs to an open-platform account). Every failure is a `Problem` the client can
act on, never a 500:

| answer of the platform                 | what the client gets                                    |
|----------------------------------------|---------------------------------------------------------|
| 40029 invalid code, 40163 code used    | 401 `login_code_invalid` — call wx.login() again         |
| 45011 frequency limit                  | 429 `wechat_rate_limited`, Retry-After: 60               |
| 40226 high-risk user                   | 403 `wechat_user_blocked`                                |
| -1 system busy                         | retried once after 200 ms; again → 503 `wechat_busy`     |
| no answer within WECHAT_TIMEOUT_SECONDS| 504 `wechat_timeout` (not retried: the code may be spent)|
| not JSON / no openid / HTTP error      | 502 `wechat_bad_response`                                |
| connection refused, DNS                | 503 `wechat_unavailable`                                 |
| 40013/40125/41002… (our appid/secret)  | 503 `signin_misconfigured` (logged for the operators)    |

`session_key` is dropped the moment the answer is parsed: it is never returned, stored or logged (we do
not need it: the phone number comes from the newer `getuserphonenumber` flow, which needs none). The
request URL carries the app secret (the platform's design), so URLs are never logged either.

The secret comes from `chalicelib.platform.keyring` (`SECRET_WECHAT_APP_SECRET` locally, SSM
`/fawangge/<stage>/wechat_app_secret` when deployed); the app id and base URL from `chalicelib.platform.config`.
Only the standard library is used (urllib): nothing heavy on the cold-start path.
"""
from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from chalicelib.platform import config, keyring
from chalicelib.platform.errors import Forbidden, Problem, ServiceUnavailable, TooManyRequests, Unauthorized, Unprocessable
from chalicelib.platform.logs import logger

BUSY_RETRY_DELAY_SECONDS = 0.2
RATE_LIMIT_RETRY_AFTER = "60"
_OPENID_SHAPE = re.compile(r"^[A-Za-z0-9_-]{6,128}$")
_CONFIG_ERRORS = {40002, 40013, 40125, 40164, 41002, 41004, 40001, 42001, 48001, 61024}


class BadGateway(Problem):
    status, code, title = 502, "wechat_bad_response", "微信登录服务返回了无法识别的结果"


class GatewayTimeout(Problem):
    status, code, title = 504, "wechat_timeout", "微信登录服务响应超时"


@dataclass(frozen=True)
class WechatSession:
    openid: str
    unionid: str | None = None

    def __repr__(self) -> str:  # an openid is personal data: keep it out of tracebacks and logs
        return "WechatSession(openid=…)"


class _Timeout(Exception):
    pass


class _Unreachable(Exception):
    pass


def _misconfigured() -> ServiceUnavailable:
    return ServiceUnavailable("登录服务配置有误，请联系管理员", code="signin_misconfigured",
                              title="登录服务暂不可用", headers={"Retry-After": "300"})


def _settings() -> tuple[str, str, str]:
    base, app_id = config.wechat_api_base(), config.wechat_app_id()
    if not base or not app_id:
        logger().error("sign-in not configured", extra={"has_base": bool(base), "has_app_id": bool(app_id)})
        raise ServiceUnavailable("小程序登录未配置（本地开发请用 make dev 启动，它会同时启动模拟的微信登录服务）",
                                 code="signin_not_configured", title="登录服务暂不可用")
    try:
        secret = keyring.get("wechat_app_secret").decode()
    except Exception:  # noqa: BLE001 — missing secret or SSM error: the operator's problem, not the user's
        logger().exception("wechat app secret unavailable")
        raise _misconfigured() from None
    return base, app_id, secret


def _call(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    """One HTTP call; the parsed JSON answer, or _Timeout / _Unreachable / BadGateway."""
    return _parsed(_fetch(method, url, body, 65536))


def _fetch(method: str, url: str, body: dict[str, Any] | None, limit: int) -> bytes:
    """One HTTP call; the answer's bytes (at most `limit`), or _Timeout / _Unreachable / BadGateway."""
    import socket
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=config.wechat_timeout_seconds()) as response:
            return response.read(limit)
    except urllib.error.HTTPError as exc:
        logger().warning("wechat http error", extra={"status": exc.code})
        raise BadGateway(f"微信登录服务返回 HTTP {exc.code}，请稍后再试", headers={"Retry-After": "5"}) from None
    except (TimeoutError, socket.timeout):
        raise _Timeout() from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise _Timeout() from None
        raise _Unreachable() from None
    except (ConnectionError, OSError):
        raise _Unreachable() from None


def _parsed(raw: bytes) -> Any:
    try:
        return json.loads(raw)  # the platform answers text/plain; trust the body, not the header
    except (ValueError, UnicodeDecodeError):
        logger().warning("wechat answer is not JSON", extra={"bytes": len(raw)})
        raise BadGateway("微信登录服务返回了无法识别的结果，请稍后再试", headers={"Retry-After": "5"}) from None


def _with_one_busy_retry(call) -> dict[str, Any]:
    """Run `call`; on errcode -1 (system busy) wait briefly and run it once more."""
    answer = call()
    if isinstance(answer, dict) and answer.get("errcode") == -1:
        logger().info("wechat busy (-1), retrying once")
        time.sleep(BUSY_RETRY_DELAY_SECONDS)
        answer = call()
    return answer


def _common_errors(answer: dict[str, Any], what: str) -> None:
    errcode = answer.get("errcode")
    if errcode in (None, 0):
        return
    logger().warning("wechat error", extra={"call": what, "errcode": errcode})
    if errcode == -1:
        raise ServiceUnavailable("微信服务繁忙，请稍后再试", code="wechat_busy", title="微信服务繁忙",
                                 headers={"Retry-After": "5"})
    if errcode == 45011:
        raise TooManyRequests("微信登录请求过于频繁，请一分钟后再试", code="wechat_rate_limited",
                              headers={"Retry-After": RATE_LIMIT_RETRY_AFTER})
    if errcode == 40226:
        raise Forbidden("该微信账号被微信判定存在风险，暂时无法登录；请在微信内完成安全验证后再试",
                        code="wechat_user_blocked", title="微信账号受限")
    if errcode in _CONFIG_ERRORS:
        raise _misconfigured()


def exchange(code: str) -> WechatSession:
    """The mini-program login code → the user's openid (and unionid). See the module table for errors."""
    import urllib.parse

    base, app_id, secret = _settings()
    query = urllib.parse.urlencode({"appid": app_id, "secret": secret, "js_code": code,
                                    "grant_type": "authorization_code"})
    url = f"{base}/sns/jscode2session?{query}"
    try:
        answer = _with_one_busy_retry(lambda: _call("GET", url))
    except _Timeout:
        logger().warning("wechat code2session timeout", extra={"timeout_s": config.wechat_timeout_seconds()})
        raise GatewayTimeout("微信登录服务响应超时，请重新进入小程序再试", headers={"Retry-After": "5"}) from None
    except _Unreachable:
        logger().error("wechat code2session unreachable")
        raise ServiceUnavailable("暂时无法连接微信登录服务，请稍后再试", code="wechat_unavailable",
                                 title="微信登录服务不可用", headers={"Retry-After": "10"}) from None
    if not isinstance(answer, dict):
        raise BadGateway("微信登录服务返回了无法识别的结果，请稍后再试", headers={"Retry-After": "5"})
    answer.pop("session_key", None)  # never kept, returned or logged
    if answer.get("errcode") in (40029, 40163):
        raise Unauthorized("登录凭证无效或已使用，请重新进入小程序登录", code="login_code_invalid",
                           title="登录凭证无效")
    _common_errors(answer, "code2session")
    openid, unionid = answer.get("openid"), answer.get("unionid")
    if not isinstance(openid, str) or not _OPENID_SHAPE.match(openid):
        logger().warning("wechat answer without a usable openid", extra={"fields": sorted(answer)})
        raise BadGateway("微信登录服务返回了无法识别的结果，请稍后再试", headers={"Retry-After": "5"})
    if not isinstance(unionid, str) or not _OPENID_SHAPE.match(unionid):
        unionid = None
    return WechatSession(openid=openid, unionid=unionid)


# --- the phone-number flow (getPhoneNumber button → code → getuserphonenumber) ---------------------

_access_token: dict[str, tuple[str, float]] = {}
_access_token_lock = threading.Lock()


def _server_access_token(base: str, app_id: str, secret: str, *, renew: bool = False) -> str:
    """The app's server access token from `stable_token` (valid 2 h, cached per container, renewed
    5 minutes early). The stable-token API lets every container fetch it without invalidating others."""
    with _access_token_lock:
        cached = _access_token.get(app_id)
        if cached and not renew and cached[1] > time.time():
            return cached[0]
        answer = _call("POST", f"{base}/cgi-bin/stable_token",
                       {"grant_type": "client_credential", "appid": app_id, "secret": secret,
                        "force_refresh": False})
        if not isinstance(answer, dict):
            raise BadGateway("微信服务返回了无法识别的结果，请稍后再试")
        _common_errors(answer, "stable_token")
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise BadGateway("微信服务返回了无法识别的结果，请稍后再试")
        _access_token[app_id] = (token, time.time() + int(answer.get("expires_in", 7200)) - 300)
        return token


def phone_number(code: str) -> str:
    """The phone number the user agreed to share (the `code` of the getPhoneNumber button), verified by
    the platform. Returned to the caller for encryption at once; never logged."""
    import urllib.parse

    answer = _with_server_token(lambda base, token: _call(
        "POST", f"{base}/wxa/business/getuserphonenumber?" + urllib.parse.urlencode({"access_token": token}),
        {"code": code}))
    if not isinstance(answer, dict):
        raise BadGateway("微信服务返回了无法识别的结果，请稍后再试")
    if answer.get("errcode") in (40029, 40163):
        raise Unprocessable("手机号授权凭证无效或已使用，请重新点击授权", code="phone_code_invalid",
                            errors=[{"loc": ["code"], "msg": "无效或已使用"}])
    _common_errors(answer, "getuserphonenumber")
    info = answer.get("phone_info")
    phone = info.get("purePhoneNumber") if isinstance(info, dict) else None
    country = str(info.get("countryCode", "86")) if isinstance(info, dict) else "86"
    if not isinstance(phone, str) or not phone.isdigit():
        raise BadGateway("微信服务返回了无法识别的结果，请稍后再试")
    if country != "86":
        raise Unprocessable("目前只支持中国大陆手机号", code="phone_not_mainland",
                            errors=[{"loc": ["code"], "msg": "非中国大陆手机号"}])
    return phone


# --- subscribe messages (订阅消息), for chalicelib.domain.notify ----------------------------------------

def _with_server_token(ask: Callable[[str, str], Any]) -> Any:
    """`ask(base, token)` with the shared server access token, as a user is waiting for it: the platform's
    "busy" (-1) retried once, the token renewed once when the platform says it expired early; a timeout
    or no connection as the Problems sign-in answers (504, 503 with Retry-After)."""
    base, app_id, secret = _settings()

    def call(renew: bool) -> Any:
        return ask(base, _server_access_token(base, app_id, secret, renew=renew))

    try:
        answer = _with_one_busy_retry(lambda: call(False))
        if isinstance(answer, dict) and answer.get("errcode") in (40001, 42001):  # token expired early
            answer = call(True)
    except _Timeout:
        raise GatewayTimeout("微信服务响应超时，请稍后再试", headers={"Retry-After": "5"}) from None
    except _Unreachable:
        raise ServiceUnavailable("暂时无法连接微信服务，请稍后再试", code="wechat_unavailable",
                                 headers={"Retry-After": "10"}) from None
    return answer


class Unanswered(Exception):
    """The platform did not answer usably (timeout, unreachable, HTTP error, not JSON): worth a retry."""


def send_subscribe_message(openid: str, template_id: str, page: str, data: dict[str, str], *,
                           state: str) -> tuple[int, str]:
    """Send one subscribe message (REFERENCE "Mini-program subscribe messages"); (errcode, errmsg) as the
    platform answered, 0 when sent. The server access token is the shared one (`stable_token`), renewed
    once when the platform says it expired. Never logs the openid or the data."""
    import urllib.parse

    body = {"touser": openid, "template_id": template_id, "page": page, "miniprogram_state": state,
            "lang": "zh_CN", "data": {key: {"value": value} for key, value in data.items()}}

    def ask(renew: bool) -> Any:
        base, app_id, secret = _settings()  # not configured: a Problem, retried like any other trouble
        token = _server_access_token(base, app_id, secret, renew=renew)
        return _call("POST", f"{base}/cgi-bin/message/subscribe/send?"
                     + urllib.parse.urlencode({"access_token": token}), body)

    try:
        answer = ask(False)
        if isinstance(answer, dict) and answer.get("errcode") in (40001, 42001):  # token expired early
            answer = ask(True)
    except (_Timeout, _Unreachable, Problem) as exc:
        raise Unanswered(type(exc).__name__) from None
    if not isinstance(answer, dict):
        raise Unanswered("not an object")
    return int(answer.get("errcode") or 0), str(answer.get("errmsg") or "")


# --- the mini-program code (小程序码) of a page, for printed boards (chalicelib.domain.board.poster) ----

IMAGE_LIMIT = 2 * 1024 * 1024  # a 1280 px code is ~200 KB
_ENV_VERSIONS = {"formal": "release", "trial": "trial", "developer": "develop"}


def miniprogram_code(scene: str, page: str, *, width: int = 430) -> bytes:
    """The image (PNG or JPEG bytes) of the unlimited mini-program code (`wxacode.getUnlimited`) that opens
    `page` with `scene` (≤ 32 visible characters; the page reads it as its `scene` query). The build it
    opens follows `config.miniprogram_state()`; only the released build's page is checked to exist. The
    server access token is the shared one, renewed once when the platform says it expired; -1 is retried
    once. Failures are Problems: 502/503/504 as for sign-in."""
    import urllib.parse

    env_version = _ENV_VERSIONS.get(config.miniprogram_state(), "release")
    body = {"scene": scene, "page": page, "width": width, "env_version": env_version,
            "check_path": env_version == "release"}

    def ask(base: str, token: str) -> bytes | Any:
        raw = _fetch("POST", f"{base}/wxa/getwxacodeunlimit?" + urllib.parse.urlencode({"access_token": token}),
                     body, IMAGE_LIMIT)
        return raw if raw[:8] == b"\x89PNG\r\n\x1a\n" or raw[:3] == b"\xff\xd8\xff" else _parsed(raw)

    answer = _with_server_token(ask)
    if isinstance(answer, bytes):
        return answer
    if not isinstance(answer, dict):
        raise BadGateway("微信服务返回了无法识别的结果，请稍后再试")
    _common_errors(answer, "getwxacodeunlimit")
    logger().error("wechat refused a mini-program code", extra={"errcode": answer.get("errcode")})
    raise ServiceUnavailable("暂时无法生成小程序码，请稍后再试", code="miniprogram_code_unavailable",
                             title="小程序码暂不可用", headers={"Retry-After": "60"})
