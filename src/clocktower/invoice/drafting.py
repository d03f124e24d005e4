"""From reserved time to invoice lines.

The database sums the reserved bills or entries per what the grouping keeps apart and per
rate (`billable.BillableRepository`); here those sums become lines: one per bill or
entry, or one per project, task, person or local day, split by rate when one group holds
time at several rates. A line's quantity is its hours at three decimals (the group's
seconds summed first, then rounded once); its unit price is the hourly rate (zero when
no rate applies: the draft's line can then be priced by hand).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.invoice.billable import BillableRepository, Names, Portion
from clocktower.invoice.schemas import LineCreate
from clocktower.invoice.totals import hours_milli, to_milli
from clocktower.kit.money import to_cents
from clocktower.kit.sql_time import LocalPeriod
from clocktower.rate.resolve import RateKey, resolve_rates

HOURS = "hours"
DESCRIPTION_MAX = 500
NO_PROJECT = "Time without a project"
# The portion fields each grouping keeps on its lines (the rest vary inside a group).
_KEPT: dict[str, tuple[str, ...]] = {
    "bill": ("bill_id", "user_id", "project_id", "task_id", "day"),
    "entry": ("entry_id", "user_id", "project_id", "task_id", "day", "notes"),
    "project": ("project_id",),
    "task": ("project_id", "task_id"),
    "user": ("user_id",),
    "day": ("day",),
}


@dataclass(frozen=True)
class LineSpec:
    """A line to write: what drafting, manual input and accepted quotes all produce."""

    description: str
    quantity_milli: int
    unit: str
    unit_price_cents: int
    project_id: int | None = None
    task_id: int | None = None
    user_id: int | None = None
    day: date | None = None


def line_spec(line: LineCreate) -> LineSpec:
    """A line as a request sends it (manual lines, quote items)."""
    return LineSpec(
        description=line.description,
        quantity_milli=to_milli(line.quantity),
        unit=line.unit,
        unit_price_cents=to_cents(line.unit_price) or 0,
    )


async def bill_lines(
    session: AsyncSession, organization_id: int, invoice_id: int, grouping: str
) -> list[LineSpec]:
    repository = BillableRepository(session)
    portions = await repository.bill_portions(organization_id, invoice_id, grouping)
    return await _lines(repository, organization_id, portions, grouping)


async def entry_lines(
    session: AsyncSession,
    organization_id: int,
    invoice_id: int,
    grouping: str,
    days: Sequence[LocalPeriod],
) -> tuple[list[LineSpec], set[str]]:
    """The lines, and the currencies the entries' rates resolved in."""
    repository = BillableRepository(session)
    portions = await repository.entry_portions(organization_id, invoice_id, grouping, days)
    keys = [_rate_key(portion) for portion in portions]
    rates = await resolve_rates(session, organization_id, keys)
    priced = [
        replace(portion, rate_cents=rates[key].cents)
        for portion, key in zip(portions, keys, strict=True)
    ]
    currencies = {rates[key].currency for key in keys}
    return await _lines(repository, organization_id, priced, grouping), currencies


def _rate_key(portion: Portion) -> RateKey:
    assert portion.user_id is not None
    return RateKey(
        user_id=portion.user_id,
        project_id=portion.project_id,
        task_id=portion.task_id,
        client_id=portion.client_id,
    )


async def _lines(
    repository: BillableRepository,
    organization_id: int,
    portions: Sequence[Portion],
    grouping: str,
) -> list[LineSpec]:
    merged = merge_portions(portions, grouping)
    names = await repository.names(
        organization_id,
        user_ids={p.user_id for p in merged if p.user_id is not None},
        project_ids={p.project_id for p in merged if p.project_id is not None},
        task_ids={p.task_id for p in merged if p.task_id is not None},
    )
    ordered = sorted(merged, key=lambda p: (_sort_key(p, grouping, names), p.rate_cents or 0))
    return [
        LineSpec(
            description=describe(portion, grouping, names)[:DESCRIPTION_MAX],
            quantity_milli=hours_milli(portion.seconds),
            unit=HOURS,
            unit_price_cents=portion.rate_cents or 0,
            project_id=portion.project_id,
            task_id=portion.task_id,
            user_id=portion.user_id,
            day=portion.day,
        )
        for portion in ordered
        if portion.seconds > 0
    ]


def merge_portions(portions: Sequence[Portion], grouping: str) -> list[Portion]:
    """One portion per group and rate: seconds summed, only the kept fields kept."""
    kept = _KEPT[grouping]
    merged: dict[tuple[Any, ...], Portion] = {}
    for portion in portions:
        fields = {name: getattr(portion, name) for name in kept}
        key = (*fields.values(), portion.rate_cents)
        found = merged.get(key)
        if found is None:
            merged[key] = Portion(seconds=portion.seconds, rate_cents=portion.rate_cents, **fields)
        else:
            merged[key] = replace(found, seconds=found.seconds + portion.seconds)
    return list(merged.values())


def describe(portion: Portion, grouping: str, names: Names) -> str:
    if grouping == "day":
        return portion.day.isoformat() if portion.day else ""
    if grouping == "user":
        return _user(portion, names)
    if grouping in ("project", "task"):
        return _work(portion, names)
    parts = [
        portion.day.isoformat() if portion.day else "",
        _user(portion, names),
        _work(portion, names),
    ]
    text = " · ".join(part for part in parts if part)
    if portion.notes:
        text = f"{text}: {portion.notes.strip()}"
    return text


def _user(portion: Portion, names: Names) -> str:
    if portion.user_id is None:
        return ""
    return names.users.get(portion.user_id, f"User {portion.user_id}")


def _work(portion: Portion, names: Names) -> str:
    if portion.project_id is None:
        return NO_PROJECT
    project = names.projects.get(portion.project_id, f"Project {portion.project_id}")
    if portion.task_id is None:
        return project
    return f"{project} — {names.tasks.get(portion.task_id, f'Task {portion.task_id}')}"


def _sort_key(portion: Portion, grouping: str, names: Names) -> tuple[Any, ...]:
    day = portion.day or date.min
    if grouping == "day":
        return (day,)
    if grouping == "user":
        return (_user(portion, names).lower(), portion.user_id or 0)
    work = (_work(portion, names).lower(), portion.project_id or 0, portion.task_id or 0)
    if grouping in ("project", "task"):
        return work
    return (day, _user(portion, names).lower(), *work, portion.bill_id or portion.entry_id or 0)
