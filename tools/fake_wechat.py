"""A fake of the mini-program platform's server API on 127.0.0.1, for `make dev` and the tests.

Not shipped to Lambda. Standard library only. Deterministic: what happens depends on the login code.

    GET  /sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
    POST /cgi-bin/stable_token                     {"grant_type": "client_credential", "appid", "secret"}
    POST /wxa/business/getuserphonenumber?access_token=…   {"code"}
    POST /cgi-bin/message/subscribe/send?access_token=…    a subscribe message (订阅消息): checked against
                                                   the field rules (47003), recorded when accepted
    POST /wxa/getwxacodeunlimit?access_token=…     {"scene", "page", "width", …}: a real PNG (a pattern
                                                   drawn from the scene and page, not a scannable code)
    GET  /fake/messages[?touser=<openid>]          what was accepted, oldest first (for testers; not WeChat)

Login codes (what `wx.login()` would hand the mini-program; each usable once, like the real ones):

    ok:<who>[:<anything>]   success; openid `fake-openid-<who>`, unionid `fake-unionid-<who>`.
                            `ok:alice:1`, `ok:alice:2` … are the same person signing in again.
    ok-<who>[:<anything>]   the same, shorter: `ok-alice`, `ok-alice:2`.
    invalid-…               40029 invalid code           busy-…     45011 frequency limit
    risky-…                 40226 high-risk user         down-…     -1 system error, every time
    flaky-<who>[:<any>]     -1 the first time, then success as <who> (the code is not spent by -1)
    slow-<who>[:<any>]      answers (success) only after --slow seconds: past the client's timeout
    garbage-…               HTTP 200 with an HTML page   empty-…    HTTP 200 `{}` (no openid)
    anything else           40029

Phone codes (what the getPhoneNumber button would hand over): `phone:<11 digits>[:<anything>]` → that
number; `phone-abroad:<digits>` → a +1 number; anything else → 40029.

Subscribe messages, by the receiver's openid: `fake-openid-nosub…` answers 43101 (the user did not
subscribe), `fake-openid-flakysend…` answers -1 to its first message and accepts the next.

Command line (`make dev` starts it in its own process through `tools/dev.py`):

    python -m tools.fake_wechat [--port 0] [--appid wx…] [--secret …] [--slow 10]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlparse

SLOW_SECONDS = 10.0
_WHO = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class FakeWechat:
    """The server's state: which codes were spent, which -1 answers were given, and the settings."""
    appid: str | None = None
    secret: str | None = None
    slow_seconds: float = SLOW_SECONDS
    used: set[str] = field(default_factory=set)
    flaked: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)  # paths called (no query: it carries the secret)
    session_keys: list[str] = field(default_factory=list)  # handed out, so tests can prove none leaks
    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list[dict] = field(default_factory=list)  # subscribe messages accepted, in order
    codes: list[dict] = field(default_factory=list)  # mini-program codes drawn: the request bodies, in order

    # --- jscode2session ---
    def code2session(self, params: dict[str, str]) -> tuple[int, str | bytes]:
        if params.get("grant_type") != "authorization_code":
            return 200, _err(40002, "invalid grant_type")
        if not params.get("appid") or (self.appid and params["appid"] != self.appid):
            return 200, _err(40013, "invalid appid")
        if not params.get("secret") or (self.secret and params["secret"] != self.secret):
            return 200, _err(40125, "invalid appsecret")
        code = params.get("js_code", "")
        if not code:
            return 200, _err(41008, "missing code")
        if code.startswith("ok:"):
            kind, who = "ok", code[3:].split(":", 1)[0]
        else:
            kind, _, rest = code.partition("-")
            who = rest.split(":", 1)[0]
        if kind == "garbage":
            return 200, b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        if kind == "empty":
            return 200, "{}"
        if kind == "busy":
            return 200, _err(45011, "api minute-quota reach limit  mustslower  retry next minute")
        if kind == "risky":
            return 200, _err(40226, "invalid user, high risk user")
        if kind == "down":
            return 200, _err(-1, "system error")
        with self.lock:
            if kind == "flaky" and code not in self.flaked:
                self.flaked.add(code)
                return 200, _err(-1, "system error")
            if code in self.used:
                return 200, _err(40163, "code been used")
            if kind not in ("ok", "flaky", "slow"):
                return 200, _err(40029, "invalid code")
            self.used.add(code)
        if kind == "slow":
            time.sleep(self.slow_seconds)
        if not _WHO.match(who):
            return 200, _err(40029, "invalid code")
        session_key = secrets.token_urlsafe(16)
        self.session_keys.append(session_key)
        return 200, json.dumps({"openid": f"fake-openid-{who}", "unionid": f"fake-unionid-{who}",
                                "session_key": session_key})

    # --- stable_token + getuserphonenumber ---
    def stable_token(self, body: dict) -> tuple[int, str]:
        if body.get("grant_type") != "client_credential":
            return 200, _err(40002, "invalid grant_type")
        if not body.get("appid") or (self.appid and body["appid"] != self.appid):
            return 200, _err(40013, "invalid appid")
        if not body.get("secret") or (self.secret and body["secret"] != self.secret):
            return 200, _err(40125, "invalid appsecret")
        token = "fake-access-token-" + secrets.token_urlsafe(12)
        with self.lock:
            self.tokens.add(token)
        return 200, json.dumps({"access_token": token, "expires_in": 7200})

    def phone(self, params: dict[str, str], body: dict) -> tuple[int, str]:
        if params.get("access_token") not in self.tokens:
            return 200, _err(40001, "invalid credential, access_token is invalid or not latest")
        code = str(body.get("code", ""))
        with self.lock:
            if code in self.used:
                return 200, _err(40029, "invalid code")
            self.used.add(code)
        parts = code.split(":")
        if len(parts) >= 2 and parts[0] in ("phone", "phone-abroad") and parts[1].isdigit():
            number, country = parts[1], ("86" if parts[0] == "phone" else "1")
            return 200, json.dumps({"errcode": 0, "errmsg": "ok", "phone_info": {
                "phoneNumber": ("" if country == "86" else "+1") + number, "purePhoneNumber": number,
                "countryCode": country, "watermark": {"timestamp": int(time.time()), "appid": self.appid or ""}}})
        return 200, _err(40029, "invalid code")


    # --- subscribe/send ---
    def subscribe_send(self, params: dict[str, str], body: dict) -> tuple[int, str]:
        if params.get("access_token") not in self.tokens:
            return 200, _err(40001, "invalid credential, access_token is invalid or not latest")
        touser, template = str(body.get("touser", "")), str(body.get("template_id", ""))
        if not _WHO.match(touser.removeprefix("fake-openid-")) or not touser.startswith("fake-openid-"):
            return 200, _err(40003, "invalid openid")
        if not template:
            return 200, _err(40037, "invalid template id")
        data = body.get("data")
        if not isinstance(data, dict) or not data:
            return 200, _err(47003, "argument invalid! data is empty")
        for key, entry in data.items():
            value = entry.get("value") if isinstance(entry, dict) else None
            problem = _field_problem(str(key), value)
            if problem:
                return 200, _err(47003, f"argument invalid! data.{key}.value {problem}")
        if touser.startswith("fake-openid-nosub"):
            return 200, _err(43101, "user refuse to accept the msg")
        with self.lock:
            if touser.startswith("fake-openid-flakysend") and touser not in self.flaked:
                self.flaked.add(touser)
                return 200, _err(-1, "system error")
            self.messages.append({"touser": touser, "template_id": template, "page": body.get("page"),
                                  "miniprogram_state": body.get("miniprogram_state"),
                                  "data": {k: v["value"] for k, v in data.items()}, "received_at": time.time()})
        return 200, json.dumps({"errcode": 0, "errmsg": "ok", "msgid": len(self.messages)})

    # --- wxacode.getUnlimited ---
    def wxacode(self, params: dict[str, str], body: dict) -> tuple[int, str | bytes]:
        if params.get("access_token") not in self.tokens:
            return 200, _err(40001, "invalid credential, access_token is invalid or not latest")
        scene, page, width = body.get("scene"), body.get("page", ""), body.get("width", 430)
        if not isinstance(scene, str) or not _SCENE.match(scene):
            return 200, _err(40169, "invalid length for scene, or the data is not json string")
        if not isinstance(page, str) or page.startswith("/") or "?" in page:
            return 200, _err(41030, "invalid page")
        if not isinstance(width, int) or not 280 <= width <= 1280:
            return 200, _err(40159, "invalid width")
        with self.lock:
            self.codes.append(dict(body))
        return 200, code_png(f"{scene}|{page}", width)

    def sent(self, params: dict[str, str]) -> tuple[int, str]:
        touser = params.get("touser")
        with self.lock:
            chosen = [m for m in self.messages if touser is None or m["touser"] == touser]
        return 200, json.dumps({"messages": chosen}, ensure_ascii=False)


# The platform's rules for a data value, by the key's kind (REFERENCE "Mini-program subscribe messages").
_LIMITS = {"thing": 20, "phrase": 5, "name": 10, "character_string": 32, "number": 32, "letter": 32,
           "phone_number": 17}
_TIME = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日( \d{2}:\d{2})?$")


def _field_problem(key: str, value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return "is empty"
    if any(ord(c) < 32 for c in value):
        return "has control characters"
    kind = key.rstrip("0123456789")
    if kind in ("time", "date"):
        return None if _TIME.match(value) else "is not a time"
    limit = _LIMITS.get(kind)
    if limit is None:
        return "is of an unknown kind"
    return f"is longer than {limit}" if len(value) > limit else None


_SCENE = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@._~-]{1,32}$")


def code_png(seed: str, width: int) -> bytes:
    """A `width`-pixel square grey-scale PNG: three finder squares and a 21×21 module pattern drawn from
    `seed`, as a mini-program code looks from afar. Standard library only (zlib, struct)."""
    import hashlib
    import struct
    import zlib

    modules = 21
    bits = "".join(f"{b:08b}" for b in hashlib.sha256(seed.encode()).digest() * 2)

    def dark(row: int, col: int) -> bool:
        for top, left in ((0, 0), (0, modules - 7), (modules - 7, 0)):
            if top <= row < top + 7 and left <= col < left + 7:
                r, c = row - top, col - left
                return r in (0, 6) or c in (0, 6) or (2 <= r <= 4 and 2 <= c <= 4)
        return bits[row * modules + col] == "1"

    scale = max(1, width // (modules + 2))
    size = scale * (modules + 2)
    lines = []
    for row in range(-1, modules + 1):  # a quiet zone of one module around the pattern
        cells = [0 if 0 <= row < modules and 0 <= col < modules and dark(row, col) else 255
                 for col in range(-1, modules + 1)]
        lines += [b"\x00" + b"".join(bytes([c]) * scale for c in cells)] * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(lines), 9))
            + chunk(b"IEND", b""))


def _err(code: int, message: str) -> str:
    return json.dumps({"errcode": code, "errmsg": f"{message} rid: {secrets.token_hex(4)}"})


def _handler(state: FakeWechat):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: str | bytes) -> None:
            raw = body.encode() if isinstance(body, str) else body
            try:
                self.send_response(status)
                # text/plain as the real jscode2session answers; an image as getwxacodeunlimit does
                self.send_header("Content-Type", "image/png" if raw[:4] == b"\x89PNG" else "text/plain")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                data = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}

        def do_GET(self) -> None:
            url = urlparse(self.path)
            state.calls.append(url.path)
            if url.path == "/sns/jscode2session":
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                self._answer(*state.code2session(params))
            elif url.path == "/fake/messages":
                self._answer(*state.sent({k: v[0] for k, v in parse_qs(url.query).items()}))
            else:
                self._answer(404, _err(404, "not found"))

        def do_POST(self) -> None:
            url = urlparse(self.path)
            state.calls.append(url.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/cgi-bin/stable_token":
                self._answer(*state.stable_token(self._body()))
            elif url.path == "/wxa/business/getuserphonenumber":
                self._answer(*state.phone(params, self._body()))
            elif url.path == "/cgi-bin/message/subscribe/send":
                self._answer(*state.subscribe_send(params, self._body()))
            elif url.path == "/wxa/getwxacodeunlimit":
                self._answer(*state.wxacode(params, self._body()))
            else:
                self._answer(404, _err(404, "not found"))

        def log_message(self, *args) -> None:  # the query string holds the app secret: log nothing
            pass

    return Handler


@contextlib.contextmanager
def running(port: int = 0, *, appid: str | None = None, secret: str | None = None,
            slow_seconds: float = SLOW_SECONDS) -> Iterator[tuple[str, FakeWechat]]:
    """Serve in a background thread: yields (base URL, state); stops on exit."""
    state = FakeWechat(appid=appid, secret=secret, slow_seconds=slow_seconds)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-wechat",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.fake_wechat", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--appid", help="refuse other app ids (40013)")
    parser.add_argument("--secret", help="refuse other secrets (40125)")
    parser.add_argument("--slow", type=float, default=SLOW_SECONDS, help="delay of slow-* codes, seconds")
    args = parser.parse_args(argv)
    stop = threading.Event()
    import signal

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with running(args.port, appid=args.appid, secret=args.secret, slow_seconds=args.slow) as (url, _):
        print(url, flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
