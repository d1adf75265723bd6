"""Settings read from the environment, at call time.

Chalice's test client only sets the stage's environment variables while a request runs, so nothing here
reads `os.environ` at import time: every accessor is a function.
"""
from __future__ import annotations

import os

APP_NAME = "fawangge"
DEFAULT_REGION = "cn-northwest-1"  # AWS China (Ningxia); the partition is aws-cn


def stage() -> str:
    return os.environ.get("STAGE", "local")


def table_name() -> str:
    return os.environ.get("TABLE_NAME", f"{APP_NAME}-{stage()}-records")


def ledger_bucket() -> str:
    return os.environ.get("LEDGER_BUCKET", f"{APP_NAME}-{stage()}-ledgers")


def leaflet_bucket() -> str:
    return os.environ.get("LEAFLET_BUCKET", f"{APP_NAME}-{stage()}-leaflets")


def enabled_plugins() -> list[str]:
    raw = os.environ.get("ENABLED_PLUGINS", "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def auth_mode() -> str:
    """`local`: tokens signed by the dev key pair (local/dev stages); `jwks`: the identity provider."""
    return os.environ.get("AUTH_MODE", "local")


def jwks_url() -> str:
    return os.environ.get("JWKS_URL", "")


def jwt_issuer() -> str | None:
    return os.environ.get("JWT_ISSUER") or None


def jwt_audience() -> str | None:
    return os.environ.get("JWT_AUDIENCE") or None


def dev_key_dir() -> str:
    return os.environ.get("DEV_KEY_DIR", os.path.join(os.getcwd(), ".data", "keys"))


def is_production() -> bool:
    return stage() == "prod"
