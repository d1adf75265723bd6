"""Opaque, tamper-proof list cursors.

A cursor carries the DynamoDB key to resume from, bound to the query it came from, and signed with
HMAC-SHA256. A forged, truncated or foreign cursor is a 400 problem, never a 500.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

from chalicelib.platform import keyring
from chalicelib.platform.errors import BadRequest

_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(query_id: str, payload: bytes) -> bytes:
    key = keyring.get("cursor_key")
    return hmac.new(key, query_id.encode() + b"\x00" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def encode(query_id: str, last_key: dict[str, str]) -> str:
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    return f"{_b64(payload)}.{_b64(_mac(query_id, payload))}"


def decode(query_id: str, cursor: str) -> dict[str, str]:
    invalid = BadRequest("分页游标无效或已过期，请从第一页重新查询", code="invalid_cursor",
                         errors=[{"loc": ["query", "cursor"], "msg": "无效的游标"}])
    try:
        payload_part, mac_part = cursor.split(".", 1)
        payload, mac = _unb64(payload_part), _unb64(mac_part)
    except (ValueError, TypeError):
        raise invalid from None
    if not hmac.compare_digest(mac, _mac(query_id, payload)):
        raise invalid
    try:
        key = json.loads(payload)
    except ValueError:
        raise invalid from None
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise invalid
    return key
