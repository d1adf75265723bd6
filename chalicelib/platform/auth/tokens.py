"""Access tokens: RS256 JWTs with the contract's claims (`sub`, `roles`, `area`, `exp`).

Verification keys, chosen by the token's `kid`:
- our own tokens (issued at mini-program sign-in and refresh, `issue_access_token`), in every stage:
  signed by the local dev key pair where no KMS key is configured (`AUTH_MODE=local`; a key pair
  generated on first use under `DEV_KEY_DIR`, never committed, shared with
  `python -m chalicelib.cli token`), otherwise by a KMS key of `TOKEN_SIGNING_KEYS` (kid `kms-…`);
- the identity provider's JWKS at `JWKS_URL` where configured (staff in production; `AUTH_MODE=jwks`),
  fetched with PyJWT's `PyJWKClient`, which caches keys per `kid` across warm invocations.
Two keys may be valid at once in both (rotation by `kid`).

Why KMS and not a key in Secrets Manager for our own tokens (production):
- the private key is generated inside KMS and never leaves it: a leaked Lambda role, a memory dump or a
  log line cannot expose it, and no code of ours ever handles it; with Secrets Manager the PEM would be
  in every container's memory and readable by anyone who can call `GetSecretValue`;
- verifying needs only the public key (`kms:GetPublicKey`, cached per container), so the authorizer never
  gets permission to sign; with Secrets Manager it would need the private key to derive the public one,
  or a second copy;
- every signature is a CloudTrail event, and disabling the key stops issuing at once;
- rotation is a new KMS key: add its alias to the end of `TOKEN_SIGNING_KEYS` (verify only), deploy,
  move it to the front (signs), and drop the old one once the last token it signed has expired
  (15 minutes). No custom rotation Lambda, as Secrets Manager would need.
Costs: one `kms:Sign` per sign-in or refresh (~10–20 ms, RSA quota 500/s per account, far above our
sign-in rate) — access tokens are verified without KMS. Messages are signed `RAW` (≤ 4096 bytes; a
token's signing input is < 1 KB), which KMS hashes with SHA-256: RSASSA-PKCS1-v1_5 + SHA-256 is RS256.

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

from chalicelib.platform import config
from chalicelib.platform.auth import roles

ROLES = roles.ALL          # the contract's sign-in roles (chalicelib/platform/auth/roles.py)
STAFF_ROLES = roles.STAFF
AREA_CODE = re.compile(r"^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12}|\d{15})$")
SUB_SHAPE = re.compile(r"^[!-\"$-~]{1,128}$")  # printable ASCII except '#' (the key separator)
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
    if not isinstance(sub, str) or not SUB_SHAPE.match(sub):
        raise InvalidToken("sub")  # ids become key parts and log fields: printable ASCII, no '#
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
    # the parsed key, cached: PyJWT would parse the PEM again for every token (~50 ms each)
    return jwt.encode(payload, _private_key(key.private_pem), algorithm=ALGORITHM, headers={"kid": key.kid})


# --- our own access tokens ------------------------------------------------------------------------

ACCESS_TOKEN_TTL_SECONDS = 15 * 60
KMS_SIGNING_ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"  # what JWS calls RS256
KMS_RAW_MESSAGE_LIMIT = 4096
KMS_KID_PREFIX = "kms-"
KMS_KEY_REFRESH_SECONDS = 300


class SigningUnavailable(Exception):
    """No key to sign with (misconfiguration, or KMS unreachable): sign-in answers 503."""


class Signer:
    """What `issue_access_token` needs from a key: its `kid` and an RS256 signature of bytes."""

    kid: str

    def sign(self, signing_input: bytes) -> bytes:
        raise NotImplementedError


@functools.lru_cache(maxsize=4)
def _private_key(pem: bytes):
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, password=None)


@functools.lru_cache(maxsize=4)
def _public_key(pem: bytes):
    """Parsed once: PyJWT would parse a PEM on every verification (~20 ms each)."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_public_key(pem)


class LocalSigner(Signer):
    """The dev key pair (local and dev stages without KMS)."""

    def __init__(self, key: LocalKey) -> None:
        self.kid = key.kid
        self._pem = key.private_pem

    def sign(self, signing_input: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return _private_key(self._pem).sign(signing_input, padding.PKCS1v15(), hashes.SHA256())


@dataclass(frozen=True)
class PublicKey:
    kid: str
    key: object  # a cryptography RSA public key


_kms_keys: dict[str, tuple[PublicKey, float]] = {}
_kms_failures: dict[str, float] = {}


def kms_public_key(key_id: str, *, refresh: bool = False) -> PublicKey:
    """The public half of a KMS signing key (cached per container; kid from the key itself, so every
    container and every alias of one key agree). Raises SigningUnavailable when KMS will not say."""
    cached = _kms_keys.get(key_id)
    if cached and not (refresh and time.time() - cached[1] > KMS_KEY_REFRESH_SECONDS):
        return cached[0]
    failed_at = _kms_failures.get(key_id)
    if failed_at and time.time() - failed_at < 60:
        raise SigningUnavailable(f"KMS key {key_id} unavailable")
    from botocore.exceptions import BotoCoreError, ClientError
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    from chalicelib.platform import aws

    try:
        response = aws.client("kms").get_public_key(KeyId=key_id)
    except (BotoCoreError, ClientError) as exc:
        _kms_failures[key_id] = time.time()
        from chalicelib.platform.logs import logger

        logger().warning("KMS public key unavailable", extra={"key_id": key_id, "error": type(exc).__name__})
        raise SigningUnavailable(f"KMS key {key_id} unavailable") from None
    der = response["PublicKey"]
    public = PublicKey(kid=KMS_KID_PREFIX + hashlib.sha256(der).hexdigest()[:16], key=load_der_public_key(der))
    _kms_keys[key_id] = (public, time.time())
    _kms_failures.pop(key_id, None)
    return public


def forget_kms_keys() -> None:
    """Drop cached KMS public keys (tests switch accounts; an operator may have moved an alias)."""
    _kms_keys.clear()
    _kms_failures.clear()


class KmsSigner(Signer):
    """An asymmetric KMS key (RSA_2048, SIGN_VERIFY): the private key never leaves KMS."""

    def __init__(self, key_id: str) -> None:
        self.key_id = key_id
        self.kid = kms_public_key(key_id).kid

    def sign(self, signing_input: bytes) -> bytes:
        from botocore.exceptions import BotoCoreError, ClientError

        from chalicelib.platform import aws

        if len(signing_input) > KMS_RAW_MESSAGE_LIMIT:
            raise ValueError("token too large for a RAW KMS signature")
        try:
            return aws.client("kms").sign(KeyId=self.key_id, Message=signing_input, MessageType="RAW",
                                          SigningAlgorithm=KMS_SIGNING_ALGORITHM)["Signature"]
        except (BotoCoreError, ClientError) as exc:
            raise SigningUnavailable(f"kms:Sign failed: {type(exc).__name__}") from None


def signer() -> Signer:
    """The key that signs new tokens: the first of TOKEN_SIGNING_KEYS, else the dev key pair where
    AUTH_MODE=local. Production without a KMS key cannot issue tokens (SigningUnavailable)."""
    key_ids = config.token_signing_keys()
    if key_ids:
        return KmsSigner(key_ids[0])
    if config.auth_mode() == "local":
        return LocalSigner(local_key())
    raise SigningUnavailable("TOKEN_SIGNING_KEYS is not configured")


def _b64(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _json(value: dict) -> bytes:
    import json

    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def issue_access_token(sub: str, roles: list[str] | frozenset[str], area: str | None, *,
                       session_id: str | None = None, ttl: int = ACCESS_TOKEN_TTL_SECONDS,
                       key: Signer | None = None) -> tuple[str, int]:
    """Our own short-lived access token with the contract's claims (+ `iat`, `iss`, and `sid`, the
    sign-in it belongs to). Returns (token, exp)."""
    now = int(time.time())
    payload = {"sub": sub, "roles": sorted(set(roles)), "iat": now, "exp": now + ttl, "iss": config.token_issuer()}
    if area:
        payload["area"] = area
    if session_id:
        payload["sid"] = session_id
    validate_claims(payload)
    key = key or signer()
    signing_input = (_b64(_json({"alg": ALGORITHM, "typ": "JWT", "kid": key.kid})) + "." + _b64(_json(payload))).encode()
    return signing_input.decode() + "." + _b64(key.sign(signing_input)), payload["exp"]


# --- verification ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _VerificationKey:
    key: object
    issuer: str | None
    audience: str | None


@functools.lru_cache(maxsize=2)
def _jwks_client(url: str):
    import jwt

    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def _own_key(kid: str) -> _VerificationKey | None:
    """One of our signing keys by kid, or None. KMS keys are refetched at most every 5 minutes when an
    unknown `kms-` kid arrives (an alias moved to a new key); the dev key only where AUTH_MODE=local."""
    if kid.startswith(KMS_KID_PREFIX):
        for refresh in (False, True):
            for key_id in config.token_signing_keys():
                try:
                    public = kms_public_key(key_id, refresh=refresh)
                except SigningUnavailable:
                    continue
                if public.kid == kid:
                    return _VerificationKey(public.key, config.token_issuer(), None)
        return None
    if config.auth_mode() == "local" and kid.startswith("local-"):
        key = local_key()
        if kid == key.kid:
            return _VerificationKey(_public_key(key.public_pem), None, None)  # dev tokens carry no `iss`
    return None


def _verification_key(token: str) -> _VerificationKey:
    import jwt

    kid = jwt.get_unverified_header(token).get("kid")
    if isinstance(kid, str) and kid:
        own = _own_key(kid)
        if own is not None:
            return own
    url = config.jwks_url()
    if url:
        try:
            key = _jwks_client(url).get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise InvalidToken(f"jwks: {exc}") from exc
        return _VerificationKey(key, config.jwt_issuer(), config.jwt_audience())
    if config.auth_mode() == "jwks":
        raise InvalidToken("JWKS_URL not configured")
    raise InvalidToken("unknown kid")


def signed_by_another_local_key(token: str) -> bool:
    """A dev token whose `kid` names a local key other than this server's: made by
    `python -m chalicelib.cli token` against another `DATA_DIR` (or `DEV_KEY_DIR`). Only where AUTH_MODE=local."""
    import jwt

    if config.auth_mode() != "local":
        return False
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError:
        return False
    return isinstance(kid, str) and kid.startswith("local-") and kid != local_key().kid


def verify(token: str) -> Claims:
    import jwt

    try:
        key = _verification_key(token)
        required = ["exp", "sub"] + (["iss"] if key.issuer else [])
        payload = jwt.decode(
            token, key.key, algorithms=[ALGORITHM], leeway=LEEWAY_SECONDS,
            audience=key.audience, issuer=key.issuer,
            options={"require": required, "verify_aud": key.audience is not None},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(type(exc).__name__) from exc
    return validate_claims(payload)
