"""Secrets (cursor-signing key, personal-data keys).

Local and test stages read `SECRET_<NAME>` from the environment. Deployed stages read the SSM
SecureString parameter `/fawangge/<stage>/<name>` once per container and cache it; the policy file grants
`ssm:GetParameter` on that path only.
"""
from __future__ import annotations

import functools
import os

from chalicelib.platform import aws, config


@functools.lru_cache(maxsize=16)
def _from_ssm(stage: str, name: str) -> str:
    response = aws.client("ssm").get_parameter(Name=f"/{config.APP_NAME}/{stage}/{name}", WithDecryption=True)
    return response["Parameter"]["Value"]


def get(name: str) -> bytes:
    value = os.environ.get(f"SECRET_{name.upper()}")
    if value is None:
        if config.stage() in ("local", "test"):
            raise RuntimeError(f"SECRET_{name.upper()} is not set for stage {config.stage()}")
        value = _from_ssm(config.stage(), name)
    if len(value) < 32:
        raise RuntimeError(f"secret {name} is shorter than 32 characters")
    return value.encode()
