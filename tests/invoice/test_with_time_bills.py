"""End to end through the time bill routes: entries → their bill → approved → invoiced →
voided, each step over HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.invoice.conftest import INVOICES, Book, draft, finalize, invoice_url
from tests.support import Api, Member

BILLS = "/api/v1/time-bills"


def _require_route(response: httpx.Response) -> None:
    if response.status_code in (404, 405) and response.json().get("error_code") in (
        "not_found",
        "method_not_allowed",
    ):
        pytest.skip(f"{response.request.method} {response.request.url.path} is not served yet")


async def test_an_approved_bill_is_invoiced_and_returned_by_a_void(
    api: Api, owner: Member, member: Member, book: Book
) -> None:
    for start, end in (("09:00", "10:00"), ("13:00", "13:30")):
        created = await api.as_(member).post(
            "/api/v1/time-entries",
            json={
                "project_id": book.website.id,
                "start_time": f"2024-01-15T{start}:00Z",
                "end_time": f"2024-01-15T{end}:00Z",
            },
        )
        assert created.status_code == 201, created.text

    listed = await api.as_(owner).get(
        BILLS, params={"start_date": "2024-01-01", "end_date": "2024-01-31"}
    )
    _require_route(listed)
    assert listed.status_code == 200, listed.text
    (bill,) = listed.json()["time_bills"]
    assert (bill["billable_hours"], bill["hourly_rate"], bill["status"]) == (1.5, 100.0, "pending")
    approved = await api.as_(owner).post(f"{BILLS}/{bill['id']}/approve")
    _require_route(approved)
    assert approved.status_code == 200, approved.text

    invoice = await draft(
        api, owner, client_id=book.acme.id, period_start="2024-01-01", period_end="2024-01-31"
    )
    assert [
        (line["quantity"], line["unit_price"], line["amount"]) for line in invoice["lines"]
    ] == [(1.5, 100.0, 150.0)]
    assert invoice["total"] == bill["amount"]
    # Time an approved bill settles is not drafted a second time from the entries.
    from_entries = await api.as_(owner).post(
        INVOICES,
        json={
            "client_id": book.acme.id,
            "source": "entries",
            "period_start": "2024-01-01",
            "period_end": "2024-01-31",
        },
    )
    assert from_entries.json()["error_code"] == "nothing_to_invoice"

    await finalize(api, owner, invoice["id"])
    invoiced = (await api.as_(owner).get(f"{BILLS}/{bill['id']}")).json()["time_bill"]
    assert (invoiced["status"], invoiced["invoice_id"]) == ("invoiced", invoice["id"])

    voided = await api.as_(owner).post(invoice_url(invoice["id"], "void"))
    assert voided.status_code == 200
    returned = (await api.as_(owner).get(f"{BILLS}/{bill['id']}")).json()["time_bill"]
    assert (returned["status"], returned["invoice_id"]) == ("approved", None)
