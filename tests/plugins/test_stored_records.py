"""What a record stores inside itself reads back: storage keeps no null inside a map (`storage.plain` drops
None, as `Record.to_item` does at the top level), so a field of a nested model that may be None must have a
default — else the record is written and every later read of it fails (defect 5: the appraisal fee-relief
decision "none" stored as `granted: null` made the consultation, its area's list and the screening fail).
Over every record type of the core and of every package under plugins/, found in the folder."""
from __future__ import annotations

import types
import typing
from pathlib import Path

from pydantic import BaseModel

from chalicelib import plugin
from chalicelib.platform import storage

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").is_file())


def record_types() -> list[type[storage.Record]]:
    plugin.load(MODULES)  # imports every plugin's record types (without enabling any)
    found, todo = [], [storage.Record]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def models_in(annotation: typing.Any) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from models_in(argument)


def may_be_none(annotation: typing.Any) -> bool:
    if annotation is None or annotation is type(None):
        return True
    return typing.get_origin(annotation) in (typing.Union, types.UnionType) and any(
        may_be_none(a) for a in typing.get_args(annotation))


def required_but_nullable(model: type[BaseModel], path: str, seen: set[type[BaseModel]]) -> list[str]:
    """Fields of the models nested in `model` that may be None yet have no default."""
    model.model_rebuild()  # resolves the annotations a model left as names (a type defined further down)
    out: list[str] = []
    for name, field in model.model_fields.items():
        for nested in models_in(field.annotation):
            if nested in seen:
                continue
            seen.add(nested)
            nested.model_rebuild()
            out += [f"{path}.{name}.{inner}" for inner, f in nested.model_fields.items()
                    if f.is_required() and may_be_none(f.annotation)]
            out += required_but_nullable(nested, f"{path}.{name}", seen)
    return out


def test_a_nested_field_that_may_be_none_has_a_default_so_every_stored_record_reads_back():
    types_found = record_types()
    assert "Consultation" in {t.__name__ for t in types_found}  # the plugins' record types are among them
    offending = [f for t in types_found for f in required_but_nullable(t, t.__name__, set())]
    assert offending == [], offending


def test_the_check_finds_a_required_nullable_field_of_a_nested_model():
    class Decision(BaseModel):
        granted: typing.Literal["waive"] | None

    class Holder(storage.Record):
        entity: typing.ClassVar[str] = "holder"
        decision: Decision | None = None

    assert required_but_nullable(Holder, "Holder", set()) == ["Holder.decision.granted"]
