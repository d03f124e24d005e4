"""Property tests: a line's amount is exactly quantity x unit price rounded half-up to the
cent; the total is the sum of the line amounts plus the tax on that sum, rounded once.
Checked on the arithmetic alone, through HTTP for manual lines, and for lines drafted
from random bills. Expected values are computed here with Decimal, independently."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from clocktower.invoice.totals import hours_milli, line_amount_cents, tax_cents, totals_of
from clocktower.models import Invoice, TimeBill
from tests.invoice.conftest import INVOICES, Book, add_bill
from tests.support import Api, Factory, Member

HTTP_EXAMPLES = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
CENT = Decimal("0.01")


def rounded(value: Decimal, step: Decimal = CENT) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


quantities = st.decimals(
    min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3, allow_nan=False
)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2, allow_nan=False)
tax_rates = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2, allow_nan=False)
lines = st.lists(st.tuples(quantities, prices), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(lines=lines, tax_rate=tax_rates)
def test_the_arithmetic(lines: list[tuple[Decimal, Decimal]], tax_rate: Decimal) -> None:
    amounts = [
        line_amount_cents(int(quantity * 1000), int(price * 100)) for quantity, price in lines
    ]
    expected_amounts = [rounded(quantity * price) for quantity, price in lines]
    assert [Decimal(cents) / 100 for cents in amounts] == expected_amounts

    totals = totals_of(amounts, int(tax_rate * 100))

    subtotal = sum(expected_amounts, Decimal(0))
    tax = rounded(subtotal * tax_rate / 100)
    assert Decimal(totals.subtotal_cents) / 100 == subtotal
    assert Decimal(totals.tax_cents) / 100 == tax
    assert Decimal(totals.total_cents) / 100 == subtotal + tax
    assert totals.tax_cents == tax_cents(totals.subtotal_cents, int(tax_rate * 100))


@settings(max_examples=300, deadline=None)
@given(seconds=st.integers(min_value=0, max_value=10**9))
def test_hours_are_thousandths_rounded_half_up(seconds: int) -> None:
    assert Decimal(hours_milli(seconds)) / 1000 == rounded(
        Decimal(seconds) / 3600, Decimal("0.001")
    )


@HTTP_EXAMPLES
@given(lines=lines, tax_rate=tax_rates)
async def test_manual_invoices_through_http(
    api: Api, owner: Member, book: Book, lines: list[tuple[Decimal, Decimal]], tax_rate: Decimal
) -> None:
    body: dict[str, Any] = {
        "client_id": book.acme.id,
        "source": "manual",
        "tax_rate": float(tax_rate),
        "lines": [
            {"description": f"Line {n}", "quantity": str(quantity), "unit_price": str(price)}
            for n, (quantity, price) in enumerate(lines)
        ],
    }

    response = await api.as_(owner).post(INVOICES, json=body)

    assert response.status_code == 201, response.text
    invoice = response.json()["invoice"]
    expected = [rounded(quantity * price) for quantity, price in lines]
    assert [Decimal(str(line["amount"])) for line in invoice["lines"]] == expected
    subtotal = sum(expected, Decimal(0))
    tax = rounded(subtotal * tax_rate / 100)
    assert Decimal(str(invoice["subtotal"])) == subtotal
    assert Decimal(str(invoice["tax_amount"])) == tax
    assert Decimal(str(invoice["total"])) == subtotal + tax


bills = st.lists(
    st.tuples(
        st.sampled_from(["website", "app"]),
        st.integers(min_value=1, max_value=12 * 3600),
        st.sampled_from([None, 0, 1, 7_550, 10_000, 12_345]),
    ),
    min_size=1,
    max_size=6,
)


@HTTP_EXAMPLES
@given(bills=bills, grouping=st.sampled_from(["bill", "project", "day"]))
async def test_drafted_lines_are_hours_times_rate(
    api: Api,
    factory: Factory,
    owner: Member,
    book: Book,
    bills: list[tuple[str, int, int | None]],
    grouping: str,
) -> None:
    for model in (TimeBill, Invoice):
        await factory.session.execute(
            delete(model).where(model.organization_id == owner.organization.id)
        )
    await factory.session.commit()
    projects = {"website": book.website, "app": book.app}
    for index, (project, seconds, rate) in enumerate(bills):
        await add_bill(
            factory,
            owner,
            project=projects[project],
            day=date(2024, 1, 1 + index % 3),
            seconds=seconds,
            rate_cents=rate,
        )

    response = await api.as_(owner).post(
        INVOICES,
        json={
            "client_id": book.acme.id,
            "grouping": grouping,
            "period_start": "2024-01-01",
            "period_end": "2024-01-31",
        },
    )

    assert response.status_code == 201, response.text
    invoice = response.json()["invoice"]
    # Seconds summed per group and rate first, then hours rounded once per line.
    groups: dict[tuple[Any, ...], int] = {}
    for index, (project, seconds, rate) in enumerate(bills):
        key: tuple[Any, ...] = {
            "bill": (index,),
            "project": (project,),
            "day": (1 + index % 3,),
        }[grouping]
        groups[(*key, rate)] = groups.get((*key, rate), 0) + seconds
    expected = sorted(
        rounded(rounded(Decimal(seconds) / 3600, Decimal("0.001")) * Decimal(rate or 0) / 100)
        for (*_, rate), seconds in groups.items()
    )
    amounts = [Decimal(str(line["amount"])) for line in invoice["lines"]]
    assert sorted(amounts) == expected
    for line in invoice["lines"]:
        quantity, price = Decimal(str(line["quantity"])), Decimal(str(line["unit_price"]))
        assert Decimal(str(line["amount"])) == rounded(quantity * price)
    assert Decimal(str(invoice["subtotal"])) == sum(amounts, Decimal(0))
