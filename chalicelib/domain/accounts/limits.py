"""Accounts: abuse limits on sign-in. Attempts are counted per source IP (before the code exchange, to
protect our code-to-session quota) and per openid (after it) in fixed windows, DynamoDB counters that
expire through the table's TTL; over the limit is 429 with Retry-After. The limits are generous per IP
because mobile carriers put many users behind one address (CGNAT); volumetric attacks belong to WAF rules.
"""
from __future__ import annotations

import math
import time

from chalicelib.domain.accounts.models import RateCounter
from chalicelib.platform import pii, storage
from chalicelib.platform.errors import TooManyRequests
from chalicelib.platform.logs import logger


def _window(scope: str, subject: str, window_seconds: int) -> tuple[float, int, str]:
    now = time.time()
    return now, int(now // window_seconds * window_seconds), pii.lookup_hash(f"rate:{scope}", subject)[:32]


def _too_many(start: int, window_seconds: int, now: float) -> TooManyRequests:
    retry_after = max(1, math.ceil(start + window_seconds - now))
    return TooManyRequests(f"登录尝试过于频繁，请 {retry_after} 秒后再试", code="too_many_attempts",
                           headers={"Retry-After": str(retry_after)})


def attempt_op(scope: str, subject: str, limit: int, window_seconds: int) -> storage.Check:
    """`limit_attempts` as an op of the transaction of what is attempted (a resident's sign-in, where nothing
    after the counter fails but the write itself): the same counter item, added to only while it is below
    `limit`; over it the transaction is refused with the same 429 and Retry-After."""
    now, start, subject_hash = _window(scope, subject, window_seconds)
    op = storage.tally_op(RateCounter, scope, subject_hash, start, expires_at=start + window_seconds + 3600,
                          below=limit)
    return storage.Check(op, _too_many(start, window_seconds, now))


def limit_attempts(scope: str, subject: str, limit: int, window_seconds: int) -> int:
    """Count one attempt of `subject` (hashed with the PII key: IPs and openids are personal data) in
    the current fixed window; over `limit` is 429 with Retry-After (seconds to the window's end).

    One atomic `ADD` on a counter item that expires through the table's TTL. Throttling of the counter
    fails open (logged): the limit is a defence, not a precondition of correctness."""
    from botocore.exceptions import ClientError

    now, start, subject_hash = _window(scope, subject, window_seconds)
    try:
        count = storage.tally(RateCounter, scope, subject_hash, start, expires_at=start + window_seconds + 3600)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in storage.THROTTLED:
            logger().warning("rate counter throttled; allowing", extra={"scope": scope})
            return 0
        raise
    if count > limit:
        logger().info("rate limited", extra={"scope": scope, "count": count, "limit": limit})
        raise _too_many(start, window_seconds, now)
    return count
