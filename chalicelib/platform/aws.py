"""AWS clients, created lazily and once per process.

boto3 dominates cold start, so it is imported on first use, not when the app loads. Endpoints for the
embedded local backend come from boto3's own `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_S3`
variables; no code here knows about local vs. cloud.
"""
from __future__ import annotations

import functools
import os

from chalicelib.platform.config import DEFAULT_REGION


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


@functools.lru_cache(maxsize=None)
def _client(service: str, region: str, endpoint: str | None):
    import boto3
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    if service == "s3":
        config = config.merge(Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return boto3.session.Session().client(service, region_name=region, config=config, endpoint_url=endpoint)


def client(service: str):
    """The cached client for `service`; a change of endpoint variable (tests) yields a new one."""
    endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL")
    return _client(service, _region(), endpoint)


def dynamodb():
    return client("dynamodb")


def s3():
    return client("s3")


def reset() -> None:
    """Forget every client (tests switch between moto and DynamoDB Local)."""
    _client.cache_clear()
