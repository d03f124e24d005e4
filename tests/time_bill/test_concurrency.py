"""Bills under concurrency, with real commits on both backends: parallel entries of one
bucket share one bill; an approval racing entry edits leaves the approved bill exactly
what its entries add up to (edits after it are refused with entry_locked)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import TimeBill, TimeEntry
from tests.concurrency.conftest import register
from tests.conftest import test_settings as settings_for

pytestmark = pytest.mark.committing

PARALLEL = 20
ENTRIES = "/api/v1/time-entries"
BILLS = "/api/v1/time-bills"


@pytest.fixture
async def live(committing_database: Database) -> AsyncIterator[httpx.AsyncClient]:
    url = committing_database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


async def signed_in(client: httpx.AsyncClient, email: str) -> tuple[dict[str, str], int]:
    """An owner's headers and a project of theirs at 100.00 an hour."""
    body = await register(client, email)
    headers = {"Authorization": f"Bearer {body['token']}"}
    project = await client.post(
        "/api/v1/projects", json={"name": "Race", "hourly_rate": 100}, headers=headers
    )
    assert project.status_code == 201, project.text
    return headers, project.json()["project"]["id"]


def entry(project_id: int, number: int) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "start_time": f"2024-01-15T{8 + number // 6:02}:{(number % 6) * 10:02}:00Z",
        "duration_seconds": 300,
    }


async def stored_totals(database: Database) -> list[tuple[str, int, int, int]]:
    """(status, entry_count, seconds, seconds its entries really add up to) per bill."""
    async with database.transaction(write=False) as session:
        really = (
            select(func.coalesce(func.sum(TimeEntry.duration_seconds), 0))
            .where(TimeEntry.time_bill_id == TimeBill.id)
            .correlate(TimeBill)
            .scalar_subquery()
        )
        rows = await session.execute(
            select(TimeBill.status, TimeBill.entry_count, TimeBill.seconds, really).order_by(
                TimeBill.id
            )
        )
        return [(status, count, seconds, int(summed)) for status, count, seconds, summed in rows]


async def test_parallel_entries_of_one_bucket_share_one_bill(
    live: httpx.AsyncClient, committing_database: Database
) -> None:
    headers, project_id = await signed_in(live, "bill-race@example.com")

    answers = await asyncio.gather(
        *(
            live.post(ENTRIES, json=entry(project_id, number), headers=headers)
            for number in range(PARALLEL)
        )
    )

    assert [answer.status_code for answer in answers] == [201] * PARALLEL
    assert await stored_totals(committing_database) == [
        ("pending", PARALLEL, PARALLEL * 300, PARALLEL * 300)
    ]


async def test_an_approval_racing_edits_approves_what_its_entries_add_up_to(
    live: httpx.AsyncClient, committing_database: Database
) -> None:
    headers, project_id = await signed_in(live, "approval-race@example.com")
    ids = []
    for number in range(6):
        created = await live.post(ENTRIES, json=entry(project_id, number), headers=headers)
        ids.append(created.json()["time_entry"]["id"])
    [bill] = (await live.get(BILLS, headers=headers)).json()["time_bills"]

    edits = [
        live.patch(f"{ENTRIES}/{entry_id}", json={"duration_seconds": 600}, headers=headers)
        for entry_id in ids
    ]
    approval = live.post(f"{BILLS}/{bill['id']}/approve", headers=headers)
    *edited, approved = await asyncio.gather(*edits, approval)

    assert approved.status_code == 200, approved.text
    assert {answer.status_code for answer in edited} <= {200, 409}
    refused = [answer for answer in edited if answer.status_code == 409]
    assert {answer.json()["error_code"] for answer in refused} <= {"entry_locked"}
    [(status, count, seconds, really)] = await stored_totals(committing_database)
    assert (status, count) == ("approved", 6)
    assert seconds == really == 300 * 6 + 300 * (len(edited) - len(refused))
