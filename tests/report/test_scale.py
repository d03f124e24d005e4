"""A summary over 100,000 entries: the same few statements as over one, and right sums.
PostgreSQL only: the bulk insert alone takes about 10 s there (foreign-key checks).

The entries are inserted in bulk (a few multi-row INSERTs, not the API): 8 people, 40
projects of 10 clients, 80 tasks, all of January 2024, every seventh one not billable.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from clocktower.models import Project, Task, TimeEntry
from tests.conftest import QueryCounter
from tests.report.conftest import JANUARY, summary_response
from tests.support import Api, Factory, Member

ENTRIES = 100_000
BATCH = 10_000
ALL_GROUPINGS = "client,user,task,day,week,month"
# Warm runs take well under a second per summary on either backend; this only catches a
# summary that has stopped aggregating in the database.
SECONDS_PER_SUMMARY = 10.0


async def _bulk_ledger(factory: Factory, owner: Member) -> tuple[int, int]:
    """Inserts the entries; returns their total and billable seconds."""
    session = factory.session
    organization = owner.organization
    people = [owner.id] + [(await factory.member(organization, "member")).id for _ in range(7)]
    clients = [await factory.client(organization, name=f"Client {n}") for n in range(10)]
    projects = [
        Project(organization_id=organization.id, name=f"Project {n}", client_id=clients[n % 10].id)
        for n in range(40)
    ]
    session.add_all(projects)
    await session.flush()
    tasks = [
        Task(organization_id=organization.id, project_id=projects[n % 40].id, name=f"Task {n}")
        for n in range(80)
    ]
    session.add_all(tasks)
    await session.flush()
    january = datetime(2024, 1, 1, tzinfo=UTC)
    total = billable = 0
    for offset in range(0, ENTRIES, BATCH):
        rows = []
        for n in range(offset, offset + BATCH):
            task = tasks[n % 80]
            seconds = 60 + (n * 37) % 7200
            start = january + timedelta(seconds=(n * 26) % (31 * 86_400 - 7_300))
            is_billable = n % 7 != 0
            rows.append(
                {
                    "organization_id": organization.id,
                    "user_id": people[n % 8],
                    "project_id": task.project_id,
                    "task_id": task.id,
                    "client_id": clients[(n % 80) % 40 % 10].id,
                    "start_at": start,
                    "end_at": start + timedelta(seconds=seconds),
                    "duration_seconds": seconds,
                    "billable": is_billable,
                }
            )
            total += seconds
            billable += seconds if is_billable else 0
        await session.execute(insert(TimeEntry), rows)
    await session.commit()
    return total, billable


def _hours(seconds: int) -> float:
    return round(seconds / 3600 + 1e-9, 2)


async def test_a_summary_of_100000_entries_costs_a_fixed_few_statements(
    backend: str, api: Api, factory: Factory, owner: Member, queries: QueryCounter
) -> None:
    if backend != "postgresql":
        # Inserting 100,000 rows takes most of this test's ~15 s; once is enough, on the
        # production database (the statement count is the same SQL on SQLite).
        pytest.skip("the 100,000-entry summary runs on PostgreSQL only")
    params = {**JANUARY, "group_by": ALL_GROUPINGS}
    await summary_response(api, owner, **params)  # warm up what a first request does
    with queries:
        await summary_response(api, owner, **params)
    over_nothing = queries.count
    total, billable = await _bulk_ledger(factory, owner)

    started = time.perf_counter()
    with queries:
        response = await summary_response(api, owner, **params)
    elapsed = time.perf_counter() - started

    assert response.status_code == 200, response.text
    assert queries.count == over_nothing, queries.statements
    # Authentication's few statements, by_project (the totals are its rows added up)
    # and one per grouping.
    assert queries.count <= 4 + 1 + 6, queries.statements
    summary = response.json()["summary"]
    assert summary["total_entries"] == ENTRIES
    assert summary["total_hours"] == _hours(total)
    assert summary["billable_hours"] == _hours(billable)
    assert len(summary["by_project"]) == 40
    assert len(summary["by_task"]) == 80
    assert len(summary["by_user"]) == 8
    assert len(summary["by_client"]) == 10
    assert len(summary["by_day"]) == 31
    assert sum(day["entries"] for day in summary["by_day"]) == ENTRIES
    assert sum(month["entries"] for month in summary["by_month"]) == ENTRIES
    assert elapsed < SECONDS_PER_SUMMARY, elapsed
