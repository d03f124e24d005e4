"""Peak memory of a time entry export: 10,000 vs 100,000 entries, CSV and XLSX.

Seeds a migrated SQLite database in a temporary directory (one organisation per size),
then runs the export the API streams (`time_entry_io.exporting`) and records the peak
of Python allocations with tracemalloc. Constant-memory exports show about the same peak
for both sizes. Not part of the test suite:

    .venv/bin/python bench/export_memory.py [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from clocktower.audit import recorder
from clocktower.cli import run_migrations
from clocktower.config import Settings
from clocktower.db import Database
from clocktower.demo import member_context
from clocktower.models import Client, Project, Task, TimeEntry, User
from clocktower.organization.service import create_organization_for
from clocktower.time_entry.service import EntryQuery
from clocktower.time_entry_io import exporting

SEED_CHUNK = 5_000
START = datetime(2023, 1, 2, 8, tzinfo=UTC)


async def seed(database: Database, size: int) -> tuple[int, int]:
    """An organisation with `size` finished entries spread over a few names and users."""
    async with database.transaction() as session:
        owner = User(name=f"Owner {size}", email=f"owner-{size}@bench.example")
        session.add(owner)
        await session.flush()
        organization = await create_organization_for(session, owner, name=f"Bench {size}")
        client = Client(organization_id=organization.id, name="Acme, Inc.")
        session.add(client)
        await session.flush()
        projects = [
            Project(organization_id=organization.id, client_id=client.id, name=f"Project {i}")
            for i in range(5)
        ]
        session.add_all(projects)
        await session.flush()
        tasks = [
            Task(organization_id=organization.id, project_id=project.id, name="Delivery")
            for project in projects
        ]
        session.add_all(tasks)
        await session.flush()
        for first in range(0, size, SEED_CHUNK):
            rows: list[dict[str, Any]] = []
            for i in range(first, min(first + SEED_CHUNK, size)):
                start = START + timedelta(minutes=30 * i)
                rows.append(
                    {
                        "organization_id": organization.id,
                        "user_id": owner.id,
                        "project_id": projects[i % 5].id,
                        "task_id": tasks[i % 5].id if i % 2 else None,
                        "client_id": client.id,
                        "start_at": start,
                        "end_at": start + timedelta(minutes=25),
                        "duration_seconds": 1500,
                        "notes": f"Entry {i}: worked on item #{i * 7 % 1000}, reviewed, shipped",
                        "tags": "bench,export" if i % 3 else None,
                        "billable": i % 4 != 0,
                        "source": "manual",
                    }
                )
            await session.execute(insert(TimeEntry), rows)
        return owner.id, organization.id


async def measure(
    database: Database, user_id: int, organization_id: int, fmt: str
) -> dict[str, Any]:
    async with database.transaction(write=False) as session:
        user = await session.get(User, user_id)
        assert user is not None
        auth = await member_context(session, user, organization_id)
    plan = exporting.export_entries(auth, EntryQuery(), "xlsx" if fmt == "xlsx" else "csv")
    with tempfile.TemporaryFile() as target:
        tracemalloc.start()
        tracemalloc.reset_peak()
        began = time.perf_counter()
        written = 0

        def count(done: int) -> None:
            nonlocal written
            written = done

        if fmt == "xlsx":
            await exporting.write_xlsx(database, plan, target, count)
        else:
            async for chunk in exporting.csv_chunks(database, plan, count):
                target.write(chunk)
        seconds = time.perf_counter() - began
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = target.tell()
    return {"entries": written, "seconds": seconds, "peak": peak, "bytes": size}


async def main(sizes: list[int]) -> None:
    recorder.install()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        settings = Settings(environment="test", database_url=url, run_jobs_in_process=False)
        await asyncio.to_thread(run_migrations, settings)
        database = Database(url)
        try:
            seeded = {size: await seed(database, size) for size in sizes}
            print(f"{'format':<6} {'entries':>9} {'seconds':>8} {'peak MiB':>9} {'file MiB':>9}")
            for fmt in ("csv", "xlsx"):
                for size in sizes:
                    result = await measure(database, *seeded[size], fmt)
                    print(
                        f"{fmt:<6} {result['entries']:>9,} {result['seconds']:>8.1f} "
                        f"{result['peak'] / 2**20:>9.1f} {result['bytes'] / 2**20:>9.1f}"
                    )
        finally:
            await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="Comma-separated entry counts")
    arguments = parser.parse_args()
    asyncio.run(main([int(size) for size in arguments.sizes.split(",")]))
