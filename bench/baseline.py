"""The bare query path: the SQL of `GET /api/v1/time-entries` from a minimal Starlette app.

The statements are the ones `TimeEntryRepository.page` sends for an owner's first page,
built by the repository's own functions so they stay the same SQL, on an engine made by
`clocktower.db.create_engine` (same pool, same SQLite pragmas and BEGIN): the newest 50
entries with the organisation's change-log state riding along, and the count only when
that state has no remembered total yet (a dict here, the application cache there). What
it leaves out is what the comparison measures: token authentication, permissions, the
ORM's objects, the session dependency, validation, pydantic answers and the middleware
stack.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from clocktower.config import get_settings
from clocktower.db import create_engine
from clocktower.models import TimeEntry
from clocktower.time_entry.repository import (
    EntryFilters,
    TimeEntryRepository,
    Viewer,
    organization_state,
)

PATH = "/time-entries"
ORGANIZATION_ENV = "BENCH_ORGANIZATION_ID"
# The two state columns `organization_state` adds after the entry's own.
STATE_COLUMNS = 2


def create_baseline_app() -> Starlette:
    engine = create_engine(get_settings().database_url)
    organization_id = int(os.environ[ORGANIZATION_ENV])
    # The repository only builds statements here; they run on a bare connection.
    repository = TimeEntryRepository(AsyncSession(engine))
    listed = repository.filtered(Viewer(organization_id), EntryFilters())
    count = select(func.count()).select_from(listed.order_by(None).options().subquery())
    ordered = listed.add_columns(*organization_state(organization_id)).order_by(
        TimeEntry.start_at.desc(), TimeEntry.id.desc()
    )
    totals: dict[tuple[Any, ...], int] = {}

    async def list_entries(request: Request) -> JSONResponse:
        per_page = min(int(request.query_params.get("per_page", "50")), 100)
        page = max(int(request.query_params.get("page", "1")), 1)
        async with engine.connect() as connection:
            rows = (
                await connection.execute(ordered.limit(per_page).offset((page - 1) * per_page))
            ).all()
            state = tuple(rows[0][-STATE_COLUMNS:]) if rows else None
            total = totals.get(state) if state is not None else None
            if total is None:
                total = (await connection.execute(count)).scalar_one()
                if state is not None:
                    totals[state] = total
        entries = [_plain(row._mapping) for row in rows]
        return JSONResponse({"time_entries": entries, "pagination": {"page": page, "total": total}})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    return Starlette(routes=[Route(PATH, list_entries)], lifespan=lifespan)


def _plain(row: Any) -> dict[str, Any]:
    names = list(row.keys())[:-STATE_COLUMNS]
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in ((name, row[name]) for name in names)
    }
