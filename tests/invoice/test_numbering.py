"""Document numbers: patterns, periods, and a rolled-back number taken again."""

from __future__ import annotations

from datetime import date

import pytest

from clocktower.invoice.numbering import QUOTE_PATTERN, format_number, sequence_period, take_number
from tests.support import Factory, Member

MARCH = date(2024, 3, 7)


@pytest.mark.parametrize(
    ("pattern", "value", "number", "period"),
    [
        ("INV-{YYYY}-{SEQ:4}", 1, "INV-2024-0001", "2024"),
        ("INV-{YYYY}-{SEQ:4}", 12345, "INV-2024-12345", "2024"),
        ("{YY}{MM}-{SEQ:3}", 7, "2403-007", "2024-03"),
        ("F{SEQ}", 42, "F42", ""),
        ("{SEQ:2}/{YY}", 3, "03/24", "2024"),
        (QUOTE_PATTERN, 9, "Q-2024-0009", "2024"),
    ],
)
def test_patterns(pattern: str, value: int, number: str, period: str) -> None:
    assert format_number(pattern, MARCH, value) == number
    assert sequence_period(pattern, MARCH) == period


async def test_sequences_are_per_kind_and_period(factory: Factory, owner: Member) -> None:
    session = factory.session
    organization_id = owner.organization.id

    taken = [
        await take_number(session, organization_id, kind=kind, pattern=pattern, day=day)
        for kind, pattern, day in (
            ("invoice", "I-{YYYY}-{SEQ}", date(2024, 1, 1)),
            ("invoice", "I-{YYYY}-{SEQ}", date(2024, 12, 31)),
            ("invoice", "I-{YYYY}-{SEQ}", date(2025, 1, 1)),
            ("quote", "Q-{YYYY}-{SEQ}", date(2024, 6, 1)),
        )
    ]

    assert taken == ["I-2024-1", "I-2024-2", "I-2025-1", "Q-2024-1"]


async def test_a_rolled_back_number_is_taken_again(factory: Factory, owner: Member) -> None:
    session = factory.session
    organization_id = owner.organization.id
    await take_number(session, organization_id, kind="invoice", pattern="N{SEQ}", day=MARCH)
    await session.commit()

    savepoint = await session.begin_nested()
    lost = await take_number(session, organization_id, kind="invoice", pattern="N{SEQ}", day=MARCH)
    await savepoint.rollback()
    again = await take_number(session, organization_id, kind="invoice", pattern="N{SEQ}", day=MARCH)

    assert lost == again == "N2"
