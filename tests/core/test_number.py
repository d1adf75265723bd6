"""`Number` (chalicelib/platform/model.py): an amount kept as a `Decimal`, answered as a JSON number and
documented as one (CONTRACT "HTTP": policy parameters, incomes)."""
from __future__ import annotations

from decimal import Decimal

from chalicelib.platform.model import Model, Number


class Amounts(Model):
    monthly: Number
    recovered: Number | None = None


def test_an_amount_is_kept_as_a_decimal_answered_as_a_json_number_and_documented_as_one():
    amounts = Amounts(monthly="2280.50", recovered=Decimal("32000"))

    assert amounts.model_dump() == {"monthly": Decimal("2280.50"), "recovered": Decimal("32000")}
    assert amounts.model_dump_json() == '{"monthly":2280.5,"recovered":32000}'
    assert Amounts.model_json_schema(mode="serialization")["properties"]["monthly"]["anyOf"] == [
        {"type": "integer"}, {"type": "number"}]
