"""Structured JSON logs through Powertools Logger, created on first use (not at import, for cold start).

Never log request or response bodies, ID numbers, phone numbers or tokens: log ids, codes and counts.
"""
from __future__ import annotations

import functools

from chalicelib.platform.config import APP_NAME


@functools.lru_cache(maxsize=1)
def logger():
    from aws_lambda_powertools import Logger

    return Logger(service=APP_NAME)
