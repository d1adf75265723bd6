"""`Idempotency-Key` for creating POSTs, on Powertools for AWS Lambda's Idempotency utility.

The key is scoped to the caller and the request path (two residents may pick the same key), and the
request body's SHA-256 is the payload-validation field: a retry with the same key and body replays the
first response (`Idempotent-Replayed: true`) and creates nothing; the same key with another body is 422
`idempotency_key_reused`; a duplicate arriving while the first is still running is 409
`idempotency_in_progress`. A first attempt that fails with a client error leaves no record, so the
corrected retry runs.

Records live in the shared table under pk `idempotency` (Powertools' static partition when a sort key is
used) with sk `<function>#<hash>`, and expire after 24 h through the table's `ttl` attribute.
"""
from __future__ import annotations

import functools
import hashlib
import re
import uuid
from typing import Any, Callable

from chalice import Response

from chalicelib.platform import aws, config
from chalicelib.platform.errors import BadRequest, Conflict, ServiceUnavailable, Unprocessable

KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,128}$")
EXPIRES_AFTER_SECONDS = 24 * 3600
REPLAY_HEADER = "Idempotent-Replayed"


@functools.lru_cache(maxsize=4)
def _runner(table_name: str, _client_id: int):
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer, IdempotencyConfig, idempotent_function,
    )

    layer = DynamoDBPersistenceLayer(
        table_name=table_name, key_attr="pk", sort_key_attr="sk", static_pk_value="idempotency",
        expiry_attr="ttl", in_progress_expiry_attr="in_progress_until", status_attr="state",
        data_attr="response", validation_key_attr="body_sha256", boto3_client=aws.dynamodb(),
    )
    settings = IdempotencyConfig(
        event_key_jmespath="[scope, key]", payload_validation_jmespath="body_sha256",
        raise_on_no_idempotency_key=True, expires_after_seconds=EXPIRES_AFTER_SECONDS, use_local_cache=False,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=layer, config=settings)
    def execute(request: dict[str, Any], call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return call()

    return execute, settings


def run(app, subject: str, view: Callable[[], Response]) -> Response:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError, IdempotencyPersistenceLayerError, IdempotencyValidationError,
    )

    req = app.current_request
    key = req.headers.get("idempotency-key", "")
    if not KEY_SHAPE.match(key):
        raise BadRequest("Idempotency-Key 应为 1–128 个可见 ASCII 字符", code="bad_idempotency_key",
                         errors=[{"loc": ["header", "Idempotency-Key"], "msg": "格式不正确"}])
    execution = uuid.uuid4().hex
    request = {
        "scope": f"{req.method} {req.path} {subject}",
        "key": key,
        "body_sha256": hashlib.sha256(req.raw_body or b"").hexdigest(),
    }

    def call() -> dict[str, Any]:
        response = view()
        if response.status_code >= 400:
            # Errors are not remembered: raising makes Powertools delete the in-progress record.
            raise _ErrorResponse(response)
        return {"status": response.status_code, "headers": dict(response.headers),
                "body": response.body if isinstance(response.body, str) else None, "execution": execution}

    execute, settings = _runner(config.table_name(), id(aws.dynamodb()))
    if app.lambda_context is not None:  # Powertools bounds "in progress" by the remaining Lambda time
        settings.register_lambda_context(app.lambda_context)
    try:
        stored = execute(request=request, call=call)
    except _ErrorResponse as failed:
        return failed.response
    except IdempotencyValidationError:
        raise Unprocessable("同一 Idempotency-Key 已用于内容不同的请求，请换一个新的 Key", code="idempotency_key_reused",
                            errors=[{"loc": ["header", "Idempotency-Key"], "msg": "已被内容不同的请求使用"}]) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("相同的请求正在处理中，请稍后重试", code="idempotency_in_progress",
                       headers={"Retry-After": "1"}) from None
    except IdempotencyPersistenceLayerError:
        raise ServiceUnavailable(headers={"Retry-After": "1"}) from None
    headers = dict(stored["headers"])
    if stored["execution"] != execution:
        headers[REPLAY_HEADER] = "true"
    return Response(body=stored["body"], status_code=stored["status"], headers=headers)


class _ErrorResponse(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response
