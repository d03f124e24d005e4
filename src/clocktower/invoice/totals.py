"""The money of invoices and quotes: exact integers, each rounding done once, half-up.

- Quantities are thousandths (`quantity_milli`: 1.5 hours is 1500), prices cents.
- A line's amount is quantity x unit price, rounded half-up to the cent, per line:
  `round(quantity_milli x unit_price_cents / 1000)`.
- The subtotal is the sum of the line amounts (whole cents already: nothing to round).
- Tax is subtotal x rate, rounded half-up to the cent once, on the subtotal (never per
  line); the rate is in hundredths of a percent (`tax_rate_bp`: 21 % is 2100), so
  `tax = round(subtotal_cents x tax_rate_bp / 10000)`.
- The total is subtotal + tax.

Tracked time becomes a quantity of hours at three decimals: `round(seconds / 3.6)`
thousandths of an hour, summed seconds first, rounded once per line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

MILLI = 1000
BASIS_POINTS = 10_000
SECONDS_PER_HOUR = 3600
THOUSANDTH = Decimal("0.001")
HUNDREDTH = Decimal("0.01")


def divide_half_up(numerator: int, denominator: int) -> int:
    """`numerator / denominator` rounded to the nearest integer, halves away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def line_amount_cents(quantity_milli: int, unit_price_cents: int) -> int:
    return divide_half_up(quantity_milli * unit_price_cents, MILLI)


def tax_cents(subtotal_cents: int, tax_rate_bp: int) -> int:
    return divide_half_up(subtotal_cents * tax_rate_bp, BASIS_POINTS)


@dataclass(frozen=True)
class Totals:
    subtotal_cents: int
    tax_cents: int
    total_cents: int


def totals_of(line_amounts: Iterable[int], tax_rate_bp: int) -> Totals:
    subtotal = sum(line_amounts)
    tax = tax_cents(subtotal, tax_rate_bp)
    return Totals(subtotal_cents=subtotal, tax_cents=tax, total_cents=subtotal + tax)


def hours_milli(seconds: int) -> int:
    """Thousandths of an hour in `seconds`, rounded half-up."""
    return divide_half_up(seconds * MILLI, SECONDS_PER_HOUR)


# --- wire values ---------------------------------------------------------------------------


def to_milli(quantity: Decimal) -> int:
    """A quantity with at most three decimals (validated by the request) as thousandths."""
    return int(quantity * MILLI)


def from_milli(milli: int) -> Decimal:
    return (Decimal(milli) / MILLI).quantize(THOUSANDTH)


def from_cents_exact(cents: int) -> Decimal:
    """Cents as an amount with two decimals (never None, unlike `kit.money.from_cents`)."""
    return (Decimal(cents) / 100).quantize(HUNDREDTH)


def to_basis_points(percent: Decimal) -> int:
    """A tax rate in percent with at most two decimals as hundredths of a percent."""
    return int(percent * 100)


def from_basis_points(basis_points: int) -> Decimal:
    return (Decimal(basis_points) / 100).quantize(HUNDREDTH)
