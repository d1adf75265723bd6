"""Access tokens: RS256 JWTs with the contract's claims (`sub`, `roles`, `area`, `exp`).

Two sources of verification keys, chosen by `AUTH_MODE`:
- `local` (local and dev stages): a key pair generated on first use under `DEV_KEY_DIR` (never committed),
  so `python -m chalicelib.cli token` can mint tokens the local server accepts.
- `jwks` (production): the identity provider's JWKS at `JWKS_URL`, fetched with PyJWT's `PyJWKClient`,
  which caches keys per `kid` across warm invocations. Two keys may be valid at once (rotation by `kid`).

PyJWT and cryptography are imported on first use: they are only needed by the authorizer and the CLI,
not by every cold start of the API handler.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from chalicelib import config

ROLES = frozenset({
    "resident", "grid_worker", "mediator", "lawyer", "notary", "appraiser",
    "publicist", "legal_aid_officer", "corrections_officer", "admin",
})
STAFF_ROLES = ROLES - {"resident"}
AREA_CODE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$")
ALGORITHM = "RS256"
LEEWAY_SECONDS = 30
DEV_TOKEN_TTL_SECONDS = 12 * 3600


class InvalidToken(Exception):
    """The token is missing, malformed, expired, wrongly signed or carries impossible claims."""


@dataclass(frozen=True)
class Claims:
    sub: str
    roles: frozenset[str]
    area: str | None
    exp: int


def validate_claims(payload: dict) -> Claims:
    sub = payload.get("sub")
    roles = payload.get("roles")
    area = payload.get("area")
    if not isinstance(sub, str) or not sub or len(sub) > 128:
        raise InvalidToken("sub")
    if not isinstance(roles, list) or not roles or not set(roles) <= ROLES:
        raise InvalidToken("roles")
    if area is not None and (not isinstance(area, str) or not AREA_CODE.match(area)):
        raise InvalidToken("area")
    if set(roles) & STAFF_ROLES and area is None:
        raise InvalidToken("staff token without area")
    return Claims(sub=sub, roles=frozenset(roles), area=area, exp=int(payload["exp"]))


# --- local key pair -------------------------------------------------------------------------------

@dataclass(frozen=True)
class LocalKey:
    kid: str
    private_pem: bytes
    public_pem: bytes


def _key_path() -> Path:
    return Path(config.dev_key_dir()) / "local-signing-key.pem"


@functools.lru_cache(maxsize=4)
def _load_local_key(path: str) -> LocalKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key_file = Path(path)
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Write then rename, so two processes starting at once never read half a key.
        tmp = key_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.chmod(tmp, 0o600)
        if not key_file.exists():
            tmp.replace(key_file)
        else:
            tmp.unlink()
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    kid = "local-" + hashlib.sha256(public_pem).hexdigest()[:16]
    return LocalKey(kid=kid, private_pem=key_file.read_bytes(), public_pem=public_pem)


def local_key() -> LocalKey:
    return _load_local_key(str(_key_path()))


def issue_dev_token(sub: str, roles: list[str], area: str | None, ttl: int = DEV_TOKEN_TTL_SECONDS) -> str:
    """A token for the local/dev stages. Refused in production, which trusts only the identity provider."""
    import jwt

    if config.auth_mode() != "local":
        raise RuntimeError("dev tokens are only accepted where AUTH_MODE=local")
    payload = {"sub": sub, "roles": sorted(set(roles)), "exp": int(time.time()) + ttl, "iat": int(time.time())}
    if area:
        payload["area"] = area
    validate_claims(payload)
    key = local_key()
    return jwt.encode(payload, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})


# --- verification ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=2)
def _jwks_client(url: str):
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def _verification_key(token: str):
    import jwt

    if config.auth_mode() == "jwks":
        url = config.jwks_url()
        if not url:
            raise InvalidToken("JWKS_URL not configured")
        try:
            return _jwks_client(url).get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(f"jwks: {exc}") from exc
    key = local_key()
    if jwt.get_unverified_header(token).get("kid") != key.kid:
        raise InvalidToken("unknown kid")
    return key.public_pem


def verify(token: str) -> Claims:
    import jwt

    try:
        key = _verification_key(token)
        payload = jwt.decode(
            token, key, algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
            audience=config.jwt_audience(), issuer=config.jwt_issuer(),
            options={"require": ["exp", "sub"], "verify_aud": config.jwt_audience() is not None},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    return validate_claims(payload)
