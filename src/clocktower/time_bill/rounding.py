"""The organisation's rounding rule for billable time (setting `rounding`).

- `none` (0 minutes): a bill's billable seconds are its tracked seconds.
- `per_entry` (1, 6, 15 or 30 minutes): each entry's seconds are rounded UP to the next
  multiple of the step, then summed. Two 10-minute entries under 15-minute rounding
  bill 30 minutes.
- `per_bill`: the bill's summed seconds are rounded UP once. The same two entries bill
  15 minutes (20 minutes rounded up).

An exact multiple stays as it is (15:00 under 15-minute rounding is 15:00). Rounding is
on whole seconds, in integers: nothing here is a float. The SQL form of `per_entry` is
the same integer arithmetic, so the database sums the rounded values (one GROUP BY).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from clocktower.setting.schemas import RoundingSettings


def round_up(seconds: int, step: int) -> int:
    """`seconds` up to the next multiple of `step` (a step of 0 leaves it)."""
    if step <= 0:
        return seconds
    return -(-seconds // step) * step


def step_seconds(rule: RoundingSettings) -> int:
    return 0 if rule.mode == "none" else rule.minutes * 60


def entry_seconds_sql(seconds: Any, rule: RoundingSettings) -> ColumnElement[Any]:
    """An entry's seconds as a bill sums them: rounded up per entry under `per_entry`."""
    step = step_seconds(rule)
    if rule.mode != "per_entry" or step == 0:
        return seconds
    # Integer division on integers, on SQLite and PostgreSQL alike (durations are >= 1).
    return ((seconds + (step - 1)) // step) * step


def bill_seconds(summed: int, rule: RoundingSettings) -> int:
    """A bill's billable seconds from the sum of its entries' (per-entry rounded) seconds."""
    if rule.mode == "per_bill":
        return round_up(summed, step_seconds(rule))
    return summed


def entry_seconds(seconds: int, rule: RoundingSettings) -> int:
    """Python twin of `entry_seconds_sql`, for callers holding one entry."""
    if rule.mode == "per_entry":
        return round_up(seconds, step_seconds(rule))
    return seconds
