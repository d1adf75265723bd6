"""Amounts in yuan as people read them: rounded to the cent, half up, as a clerk's calculator would; written
with thousands separators, cents only when there are any. Apart from the means test (chalicelib/domain/means.py,
which states them again as its own) because showing a household's income per head needs the arithmetic, not the
test's rules and parameters: an application's read imports this alone."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount: Decimal) -> str:
    """"1,850 元", "1,850.50 元": thousands separators, cents only when there are any."""
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    return (text[:-3] if text.endswith(".00") else text) + " 元"


def per_capita(incomes: tuple[Decimal, ...], household_size: int) -> tuple[Decimal, Decimal]:
    """(total, per capita): per capita rounded to the cent, half up, as a clerk's calculator would."""
    total = sum(incomes, Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP)
    return total, (total / household_size).quantize(CENT, rounding=ROUND_HALF_UP)
