"""`Model`: the base of every pydantic model here. Schemas are built on first use instead of at import
(`defer_build`), so a cold start pays only for the models its first request touches: building all ~150
models at import cost ~170 ms, more than importing boto3 (see `make bench`).

`vocabulary(...)`: a string field whose allowed codes are known only at run time (the core's codes plus
those the enabled plugins add): validated against them, and listed as the schema's `enum` when the
OpenAPI document is built.

`Page[ItemOut]`: one page of every list (`{"items": [...], "next_cursor": ...}`, CONTRACT "HTTP"), named
`ItemOutPage` in the OpenAPI document (schema names stay plain and unique with the item models' names).

`Number`: an amount kept as a `Decimal` and answered as a JSON number (policy parameters, incomes): what
`PlainSerializer(json_number, return_type=int | float, when_used="json")` would declare (the same core and
JSON schemas), declared by the annotation itself, so that no cold start imports pydantic's
`functional_serializers` for it (its serializer dataclasses; measured ~3 ms CPU of a cold legal-aid read, median
of 9 fresh interpreters importing this module with and without it)."""
from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Callable, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic.json_schema import GetJsonSchemaHandler
from pydantic_core import CoreSchema, core_schema


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)


T = TypeVar("T")


class Page(Model, Generic[T]):
    items: list[T]
    next_cursor: str | None = None

    @classmethod
    def model_parametrized_name(cls, params: tuple[type[Any], ...]) -> str:
        """`Page[TicketOut]` is `TicketOutPage`: the class's name, and so its schema's in the document."""
        return "".join(getattr(param, "__name__", str(param)) for param in params) + "Page"

    @classmethod
    def model_rebuild(cls, **kwargs: Any) -> bool | None:
        """Pydantic rebuilds a generic model each time it is parametrized with new arguments, which builds the
        schema of `Page` itself (the first `Page[...]` of a route module cost its cold start ~20 ms of CPU)
        though only its parametrizations are ever validated or documented: those build theirs on first use
        (`defer_build`), the bare generic never."""
        if cls.__pydantic_generic_metadata__["parameters"] and not kwargs.get("force"):
            return None
        return super().model_rebuild(**kwargs)


def json_number(value: Decimal) -> int | float:
    """JSON numbers, not pydantic's default decimal strings: thresholds have ≤ 2 decimals, exact in float."""
    return int(value) if value == value.to_integral_value() else float(value)


class _JsonNumber:
    """`Number`'s serializer: `json_number` in JSON, the `Decimal` itself in Python mode."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        schema["serialization"] = core_schema.plain_serializer_function_ser_schema(
            json_number, info_arg=False, return_schema=handler.generate_schema(int | float), when_used="json")
        return schema


Number = Annotated[Decimal, _JsonNumber()]


class _Enum:
    def __init__(self, codes: Callable[[], dict[str, str]]) -> None:
        self.codes = codes

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        out = handler(schema)
        out["enum"] = list(self.codes())
        return out


def vocabulary(codes: Callable[[], dict[str, str]], what: str) -> Any:
    """A `str` field whose value must be one of `codes()` (code → Chinese title) when validated."""
    def check(value: str) -> str:
        known = codes()
        if value not in known:
            raise ValueError(f"未知的{what}；可选：" + "、".join(f"{code}（{title}）" for code, title in known.items()))
        return value

    return Annotated[str, AfterValidator(check), _Enum(codes)]
