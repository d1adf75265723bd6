"""Opaque, tamper-proof list cursors.

A cursor carries the DynamoDB key to resume from. It is encrypted and authenticated with AES-256-GCM
(the key derived from the `cursor_key` secret), with the query it came from as associated data: a client
learns nothing of the table's keys (owner ids, area codes, sort values), and a forged, truncated or foreign
cursor — one from another list, another caller's partition, or another filter — is a 400 problem, never a
500 and never a page of something else. `cryptography` is imported when a list is long enough to need one.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import os

from chalicelib.platform import keyring
from chalicelib.platform.errors import BadRequest

_NONCE_BYTES = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.lru_cache(maxsize=4)
def _cipher(secret: bytes):
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(hashlib.sha256(b"fawangge-cursor\x00" + secret).digest())


def encode(query_id: str, last_key: dict[str, str]) -> str:
    payload = json.dumps(last_key, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    nonce = os.urandom(_NONCE_BYTES)
    return _b64(nonce + _cipher(keyring.get("cursor_key")).encrypt(nonce, payload, query_id.encode()))


def decode(query_id: str, cursor: str) -> dict[str, str]:
    from cryptography.exceptions import InvalidTag

    invalid = BadRequest("分页游标无效或已过期，请从第一页重新查询", code="invalid_cursor",
                         errors=[{"loc": ["query", "cursor"], "msg": "无效的游标"}])
    try:
        sealed = _unb64(cursor)
        payload = _cipher(keyring.get("cursor_key")).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:],
                                                             query_id.encode())
        key = json.loads(payload)
    except (ValueError, TypeError, InvalidTag):
        raise invalid from None
    if not isinstance(key, dict) or not all(isinstance(v, str) for v in key.values()):
        raise invalid
    return key
