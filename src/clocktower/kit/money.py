"""Money is exact: integer minor units in the database, Decimal in code."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")
# The largest amount an input may carry: cents columns are 32-bit INTEGER on PostgreSQL
# (at most 21,474,836.47), so every money input is bounded below that.
MAX_AMOUNT = Decimal("20000000")

# Output only: exact Decimal in code, a JSON number in answers (seed 002 `75.00` → 75.0).
JsonNumber = Annotated[
    Decimal, PlainSerializer(lambda value: float(value), return_type=float, when_used="json")
]


def to_cents(amount: Decimal | int | str | None) -> int | None:
    if amount is None:
        return None
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    return int(value * 100)


def from_cents(cents: int | None) -> Decimal | None:
    if cents is None:
        return None
    return (Decimal(cents) / 100).quantize(CENT)
