"""Quantities are exact: integer thousandths (`*_milli`) in the database, Decimal in code.

Bounds keep every product in 64-bit integers: a stock level holds at most MAX_STOCK units,
a unit costs at most MAX_AMOUNT, so one line's value (whole units * cost in cents) stays
below 2**63 on both backends.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MILLI = Decimal("0.001")
MAX_STOCK = Decimal("1000000000")
MAX_STOCK_MILLI = int(MAX_STOCK * 1000)


def to_milli(quantity: Decimal) -> int:
    """Inputs carry at most three decimals (validated), so this never rounds."""
    return int((quantity * 1000).to_integral_value(rounding=ROUND_HALF_UP))


def from_milli(milli: int) -> Decimal:
    return (Decimal(milli) / 1000).quantize(MILLI)


def optional_milli(quantity: Decimal | None) -> int | None:
    return None if quantity is None else to_milli(quantity)


def optional_quantity(milli: int | None) -> Decimal | None:
    return None if milli is None else from_milli(milli)
