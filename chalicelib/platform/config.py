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


def board_max_age_seconds() -> int:
    """How long a gateway/CDN or a phone may keep a public grid board (`Cache-Control: max-age`): a change
    shows on the board within this time. Five minutes unless the stage says otherwise."""
    return int(os.environ.get("BOARD_MAX_AGE_SECONDS", "300"))


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
    """Where the local signing key lives: beside the dev server's data (`DATA_DIR`, default `.data/`), so
    the token CLI and a server started with another DATA_DIR agree without extra settings."""
    data_dir = os.environ.get("DATA_DIR") or os.path.join(os.getcwd(), ".data")
    return os.environ.get("DEV_KEY_DIR") or os.path.join(data_dir, "keys")


def fixed_now() -> str | None:
    """`FIXED_NOW` (`2027-01-01` or an ISO time): the local stage's pinned clock, to walk a weekend or a
    holiday through the API. Refused in every deployed stage (chalicelib/timeutil.apply_fixed_now)."""
    return os.environ.get("FIXED_NOW") or None


def is_production() -> bool:
    return stage() == "prod"


# --- sign-in and our own tokens (chalicelib/signin.py, chalicelib/accounts.py) ---------------------

WECHAT_PRODUCTION_API = "https://api.weixin.qq.com"


def wechat_api_base() -> str:
    """The code-to-session server. Deployed stages default to WeChat itself; the local stage has no
    default: `make dev` (tools/dev.py) and the tests pass the fake server's URL, which changes per run
    (so it cannot live in .chalice/config.json, whose values `chalice local` would force over it)."""
    value = os.environ.get("WECHAT_API_BASE", "").rstrip("/")
    if value:
        return value
    return "" if stage() in ("local", "test") else WECHAT_PRODUCTION_API


def wechat_app_id() -> str:
    return os.environ.get("WECHAT_APP_ID", "")


def wechat_timeout_seconds() -> float:
    """One call to the code-to-session server; API Gateway gives the whole request 29 s."""
    return float(os.environ.get("WECHAT_TIMEOUT_SECONDS", "3"))


def token_signing_keys() -> list[str]:
    """KMS key ids or aliases for our own access tokens, the first signs, all verify (rotation by kid).
    Empty: the local dev key pair signs (only where AUTH_MODE=local)."""
    return [k.strip() for k in os.environ.get("TOKEN_SIGNING_KEYS", "").split(",") if k.strip()]


def token_issuer() -> str:
    return os.environ.get("TOKEN_ISSUER") or f"{APP_NAME}-{stage()}"


def _limit(name: str, default: str) -> tuple[int, int]:
    count, _, seconds = os.environ.get(name, default).partition("/")
    return int(count), int(seconds)


def signin_limit_per_ip() -> tuple[int, int]:
    """(attempts, window seconds) of sign-ins from one source IP: generous, because mobile carriers put
    many users behind one address (CGNAT); floods belong to WAF rate rules in front of API Gateway."""
    return _limit("SIGNIN_LIMIT_PER_IP", "60/60")


def signin_limit_per_openid() -> tuple[int, int]:
    """(attempts, window seconds) of sign-ins by one WeChat user (known once the code is exchanged)."""
    return _limit("SIGNIN_LIMIT_PER_OPENID", "10/600")


def screening_queue_name() -> str:
    """The SQS queue of screening shards (infra/resources.json `ScreeningQueue`), one per stage."""
    return f"{APP_NAME}-{stage()}-screening"


def screening_queue_url() -> str | None:
    """Set in deployed stages (the template's `Ref` of the queue). Unset (`local`, the tests): screenings
    are delivered to the same queue handler in-process, by the screening module's local stand-in."""
    return os.environ.get("SCREENING_QUEUE_URL") or None


def ledger_queue_name() -> str:
    """The SQS queue of large ledger exports (infra/resources.json `LedgerQueue`), one per stage."""
    return f"{APP_NAME}-{stage()}-ledgers"


def ledger_queue_url() -> str | None:
    """Set in deployed stages. Unset (`local`, the tests): exports are handed to the same queue handler
    in-process."""
    return os.environ.get("LEDGER_QUEUE_URL") or None


def board_queue_name() -> str:
    """The SQS queue of grid boards to rebuild (infra/resources.json `BoardQueue`), one per stage."""
    return f"{APP_NAME}-{stage()}-boards"


def board_queue_url() -> str | None:
    """Set in deployed stages. Unset (`local`, the tests): the board drain hands its messages to the same
    queue handler in-process."""
    return os.environ.get("BOARD_QUEUE_URL") or None


# --- subscribe messages (chalicelib/domain/notify) ----------------------------------------------------

def subscribe_templates() -> dict[str, str]:
    """Message stage → the subscribe-message template id chosen for it in the mini-program's console,
    from `WECHAT_SUBSCRIBE_TEMPLATES` (`intake.received=<id>,intake.routed=<id>,…`). A stage without a
    template is not sent (the outbox records why)."""
    pairs = (part.partition("=") for part in os.environ.get("WECHAT_SUBSCRIBE_TEMPLATES", "").split(","))
    return {stage.strip(): template.strip() for stage, _, template in pairs if stage.strip() and template.strip()}


def miniprogram_state() -> str:
    """Which build of the mini-program a message opens: `developer`, `trial` or `formal` (production)."""
    return os.environ.get("WECHAT_MINIPROGRAM_STATE") or ("formal" if is_production() else "trial")


def notify_queue_name() -> str:
    """The SQS queue of outbox messages to send (infra/resources.json `NotifyQueue`), one per stage."""
    return f"{APP_NAME}-{stage()}-notify"


def notify_queue_url() -> str | None:
    """Set in deployed stages. Unset (`local`, the tests): the relay hands messages to the same queue
    handler in-process."""
    return os.environ.get("NOTIFY_QUEUE_URL") or None
