"""How the dashboards round: exact integers (seconds, cent-seconds) in, Decimals out,
rounded once, half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SECONDS_PER_HOUR = 3600
HUNDREDTH = Decimal("0.01")
TENTH = Decimal("0.1")


def hours(seconds: int | Decimal) -> Decimal:
    """Hours with two decimals: 5400 → 1.50."""
    return (Decimal(seconds) / SECONDS_PER_HOUR).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def money(cent_seconds: int | Decimal) -> Decimal:
    """An amount from a sum of duration * hourly rate in cents: 3600 * 7550 → 75.50."""
    return (Decimal(cent_seconds) / SECONDS_PER_HOUR / 100).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP
    )


def ratio(part: Decimal | int, whole: Decimal | int, places: Decimal = HUNDREDTH) -> Decimal:
    return (Decimal(part) / Decimal(whole)).quantize(places, rounding=ROUND_HALF_UP)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """`part` as a percentage of `whole` with one decimal; None when `whole` is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def change_percent(current: Decimal, previous: Decimal) -> Decimal | None:
    """The change from `previous` to `current` in percent, one decimal; None when
    `previous` is zero (no division by zero)."""
    if not previous:
        return None
    return ((current - previous) * 100 / previous).quantize(TENTH, rounding=ROUND_HALF_UP)
