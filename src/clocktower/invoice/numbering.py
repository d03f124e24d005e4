"""Document numbers: gap-free and unique per organisation, kind and period.

A pattern (`INV-{YYYY}-{SEQ:4}`, the setting `invoice_number_pattern`) names the period
its sequence restarts in: `{MM}` makes it monthly (`2024-03`), `{YYYY}` or `{YY}`
yearly (`2024`), neither makes one endless sequence (``). The number is taken from the
`document_sequences` row of (organisation, kind, period), locked for the rest of the
transaction (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has a single writer), so two
finalisations queue on it, and a transaction that rolls back returns its number: no
gaps, no duplicates.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.invoice.repository import SequenceRepository

QUOTE_PATTERN = "Q-{YYYY}-{SEQ:4}"
_PLACEHOLDER = re.compile(r"\{(YYYY|YY|MM|SEQ(?::([1-9]))?)\}")


def sequence_period(pattern: str, day: date) -> str:
    if "{MM}" in pattern:
        return f"{day.year:04d}-{day.month:02d}"
    if "{YYYY}" in pattern or "{YY}" in pattern:
        return f"{day.year:04d}"
    return ""


def format_number(pattern: str, day: date, value: int) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "YYYY":
            return f"{day.year:04d}"
        if name == "YY":
            return f"{day.year % 100:02d}"
        if name == "MM":
            return f"{day.month:02d}"
        width = int(match.group(2) or 1)
        return f"{value:0{width}d}"

    return _PLACEHOLDER.sub(replace, pattern)


async def take_number(
    session: AsyncSession, organization_id: int, *, kind: str, pattern: str, day: date
) -> str:
    """The next number of the sequence, its row locked until the transaction ends."""
    value = await SequenceRepository(session).next_value(
        organization_id, kind, sequence_period(pattern, day)
    )
    return format_number(pattern, day, value)
