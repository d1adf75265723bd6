"""Personal identifiers: resident ID numbers (GB 11643-1999) and mobile phone numbers.

PIPL art. 28 makes ID numbers sensitive personal information: validate, encrypt at rest (AES-256-GCM with
a key from the secret store), index by a keyed hash (HMAC-SHA256, so equal numbers can be found without
decrypting and the hash cannot be reversed by enumerating the ~10^10 valid numbers without the key), show
masked (`320***********1234`), and never log. The same applies to phone numbers.

Input is NFKC-normalized before it is checked (full-width `１３８…` from a Chinese IME becomes `138…`) and
the shapes accept ASCII digits only, so one number has exactly one stored form, one hash and one mask:
Python's `\\d` and `str.isdigit` also accept full-width and other scripts' digits, which `int()` reads as
the same number, and would otherwise let the same ID number be registered twice under two hashes.

`cryptography` is imported on first use: most requests never touch an ID number.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

from chalicelib.platform import keyring
from chalicelib.platform.timeutil import today_shanghai

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$", re.ASCII)
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$", re.ASCII)
_LANDLINE_SHAPE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$", re.ASCII)
_ASCII_DIGITS = re.compile(r"^[0-9]+$", re.ASCII)
_CIPHER_VERSION = "v1"


def check_character(first17: str) -> str:
    return _CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """The 18-character number in upper case, or ValueError with a Chinese reason."""
    number = unicodedata.normalize("NFKC", raw).strip().upper()
    if len(number) == 15 and _ASCII_DIGITS.match(number):
        raise ValueError("请填写 18 位身份证号（15 位旧号码不再受理）")
    if not _ID_SHAPE.match(number):
        raise ValueError("身份证号应为 18 位，最后一位可为数字或 X")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError("身份证号中的出生日期不存在") from None
    if born > (today or today_shanghai()) or born.year < 1900:
        raise ValueError("身份证号中的出生日期不合理")
    if check_character(number[:17]) != number[17]:
        raise ValueError("身份证号校验位不正确，请核对")
    return number


def _id_number_field(raw: str) -> str:
    return normalize_id_number(raw)  # called with the raw value only: `today` is always the real today


# The one ID-number field of every model: `id_number: IdNumber` (or `IdNumber | None`) normalises and
# checks it like `normalize_id_number`, with the Chinese reason as the field's message.
IdNumber = Annotated[str, AfterValidator(_id_number_field)]


def birth_date(number: str) -> date:
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def mask_id_number(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def normalize_phone(raw: str) -> str:
    phone = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", raw).strip())
    if phone.startswith("+86"):
        phone = phone[3:]
    if _MOBILE_SHAPE.match(phone) or _LANDLINE_SHAPE.match(phone):
        return phone
    raise ValueError("电话号码格式不正确（手机 11 位，或区号-座机号）")


def mask_phone(phone: str) -> str:
    if _MOBILE_SHAPE.match(phone):
        return phone[:3] + "****" + phone[-4:]
    return phone[:-4].rstrip("-") + "-****" if len(phone) > 4 else "****"


# --- protection at rest ---------------------------------------------------------------------------

def lookup_hash(kind: str, value: str) -> str:
    """A keyed hash for finding a record by ID number/phone without storing it in the clear."""
    key = keyring.get("pii_hash_key")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _aesgcm() -> type:
    """cryptography's AES-GCM class, taken from its compiled bindings where the public module takes it: the
    public module's package (`primitives.ciphers`) first imports every cipher, mode and the deprecated ones,
    which a read that unseals one number does not need. Measured: the public import ~8.7 ms CPU, the
    bindings' ~4.8 ms (median of 9 fresh interpreters on the unpacked zip). The class is the same object
    (tests/core/test_pii.py checks it); should a release move it, the public import is used."""
    try:
        from cryptography.hazmat.bindings._rust import openssl

        return openssl.aead.AESGCM
    except (ImportError, AttributeError):  # pragma: no cover — another cryptography layout
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        return AESGCM


@functools.lru_cache(maxsize=2)
def _aead(key_material: bytes):
    return _aesgcm()(hashlib.sha256(key_material).digest())


def encrypt(kind: str, value: str) -> str:
    nonce = os.urandom(12)
    sealed = _aead(keyring.get("pii_encryption_key")).encrypt(nonce, value.encode(), kind.encode())
    return f"{_CIPHER_VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(kind: str, token: str) -> str:
    version, _, payload = token.partition(":")
    if version != _CIPHER_VERSION:
        raise ValueError("unknown cipher version")
    raw = base64.b64decode(payload)
    return _aead(keyring.get("pii_encryption_key")).decrypt(raw[:12], raw[12:], kind.encode()).decode()


# --- one sealed value: ciphertext, lookup hash, mask --------------------------------------------------

@dataclass(frozen=True)
class Sealed:
    """An ID number or phone as it may be stored: its ciphertext (only its owner and the staff holding
    their case ever see it decrypted), a keyed lookup hash (to find records by it) and its mask (what
    everyone else sees). Built once by `seal_id_number` / `seal_phone`; stored as three flat attributes
    `<prefix>_cipher`, `<prefix>_hash`, `<prefix>_masked` so an administrator's console shows the mask."""
    kind: str                  # "id_number" | "phone"
    cipher: str
    hash: str
    masked: str

    def fields(self, prefix: str, *, keep_hash: bool = True) -> dict[str, str]:
        """The attributes to store under `prefix` (`id` → id_cipher, id_hash, id_masked)."""
        out = {f"{prefix}_cipher": self.cipher, f"{prefix}_masked": self.masked}
        if keep_hash:
            out[f"{prefix}_hash"] = self.hash
        return out

    def reveal(self) -> str:
        """The number in full: only for its owner or staff with a duty to reach them — audit the read."""
        return decrypt(self.kind, self.cipher)


def seal_id_number(number: str) -> Sealed:
    """A valid, normalised ID number (see `normalize_id_number`), sealed."""
    return Sealed("id_number", encrypt("id_number", number), lookup_hash("id_number", number),
                  mask_id_number(number))


def seal_phone(phone: str) -> Sealed:
    """A valid, normalised phone number (see `normalize_phone`), sealed."""
    return Sealed("phone", encrypt("phone", phone), lookup_hash("phone", phone), mask_phone(phone))
