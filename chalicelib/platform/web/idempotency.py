"""`Idempotency-Key` on creating POSTs: the HTTP side of `storage.idempotency` (read its docstring for the
design and the measurements behind it).

Here: the key's shape (400 `bad_idempotency_key`); the scope — the caller, the method and the *concrete*
path, built from the route template and the request's path parameters (Chalice's `request.path` is the
template, `/v1/policies/{name}/versions`); and the replay, rendered from the stored record with the
route's `replay` function if it declares one, else its response model's `of(record)`, with
`Idempotent-Replayed: true`.
"""
from __future__ import annotations

import functools
import inspect
import re
import typing
from typing import Any, Callable

from chalice import Response

from chalicelib.platform import storage
from chalicelib.platform.errors import BadRequest, Conflict, NotFound, Problem
from chalicelib.platform.storage import idempotency

KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,128}$")
REPLAY_HEADER = "Idempotent-Replayed"
_PARAMETER = re.compile(r"{(\w+)\+?}")


def concrete_path(template: str, params: dict[str, str] | None) -> str:
    """`/v1/policies/{name}/versions` with `name=a` → `/v1/policies/a/versions`."""
    return _PARAMETER.sub(lambda m: str((params or {}).get(m.group(1), m.group(0))), template)


def run(request, subject: str, spec, view: Callable[[], Response], respond: Callable[..., Response]) -> Response:
    key = request.headers.get("idempotency-key", "")
    if not KEY_SHAPE.match(key):
        raise BadRequest("Idempotency-Key 应为 1–128 个可见 ASCII 字符", code="bad_idempotency_key",
                         errors=[{"loc": ["header", "Idempotency-Key"], "msg": "格式不正确"}])
    path = concrete_path(request.path, request.uri_params)
    claim = idempotency.Claim.of(subject, request.method, path, key, request.raw_body or b"")
    with idempotency.claiming(claim):
        try:
            return view()
        except idempotency.Replayed as replayed:  # the creating transaction met the first attempt's claim
            return _replay(spec, replayed.record_key, respond)
        except Problem:
            if claim.attached:  # the claim was written or refused with the record: the problem is real
                raise
            # Refused before writing — perhaps by the state the first attempt created: one look at the claim.
            outcome = storage.claim_outcome(storage.claim_lookup())
            if outcome is None:
                raise
            if isinstance(outcome, idempotency.Replayed):
                return _replay(spec, outcome.record_key, respond)
            raise outcome from None


def _replay(spec, record_key: tuple[str, str], respond: Callable[..., Response]) -> Response:
    item = storage.get(*record_key, consistent=True)
    if item is None:
        raise NotFound("该请求创建的记录已不存在", code="idempotency_record_gone")
    render = spec.replay or _renderer(spec.response)
    if render is None:  # nothing knows how to show this record again: say what was created
        raise Conflict("该请求已处理过，记录已创建", code="idempotency_replayed",
                       errors=[{"loc": ["header", "Idempotency-Key"], "msg": "已处理"}])
    shown = render(item)
    if isinstance(shown, Response):  # a route's own rendering, with its headers (Location …)
        shown.headers[REPLAY_HEADER] = "true"
        return shown
    return respond(shown, status=spec.status, headers={REPLAY_HEADER: "true"})


@functools.lru_cache(maxsize=None)
def _renderer(response_model) -> Callable[[dict[str, Any]], Any] | None:
    """`Out.of(Record)` as a function of the stored item, when the response model has an `of` whose one
    required argument is annotated with a storage.Record type; else None."""
    of = getattr(response_model, "of", None)
    if of is None:
        return None
    try:
        hints = typing.get_type_hints(of)
    except Exception:  # an annotation that does not resolve: no generic rendering
        return None
    required = [p for p in inspect.signature(of).parameters.values() if p.default is inspect.Parameter.empty]
    if len(required) != 1:
        return None
    record_type = hints.get(required[0].name)
    if not (isinstance(record_type, type) and issubclass(record_type, storage.Record)):
        return None
    return lambda item: of(record_type.from_item(item))
