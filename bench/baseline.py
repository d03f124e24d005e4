"""The bare query path: the SQL of `GET /api/v1/time-entries` from a minimal Starlette app.

The statements are the ones `TimeEntryRepository.page` sends for an owner's first page
(the count, then the page ordered newest first), built by the repository itself so they
stay the same SQL, on an engine made by `clocktower.db.create_engine` (same pool, same
SQLite pragmas and BEGIN). What it leaves out is what the comparison measures: token
authentication, permissions, the ORM's objects, the session dependency, validation,
pydantic answers and the middleware stack.
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
from clocktower.time_entry.repository import EntryFilters, TimeEntryRepository, Viewer

PATH = "/time-entries"
ORGANIZATION_ENV = "BENCH_ORGANIZATION_ID"


def create_baseline_app() -> Starlette:
    engine = create_engine(get_settings().database_url)
    organization_id = int(os.environ[ORGANIZATION_ENV])
    # The repository only builds statements here; they run on a bare connection.
    repository = TimeEntryRepository(AsyncSession(engine))
    listed = repository.filtered(Viewer(organization_id), EntryFilters())
    count = select(func.count()).select_from(listed.order_by(None).options().subquery())
    ordered = listed.order_by(TimeEntry.start_at.desc(), TimeEntry.id.desc())

    async def list_entries(request: Request) -> JSONResponse:
        per_page = min(int(request.query_params.get("per_page", "50")), 100)
        page = max(int(request.query_params.get("page", "1")), 1)
        async with engine.connect() as connection:
            total = (await connection.execute(count)).scalar_one()
            rows = await connection.execute(ordered.limit(per_page).offset((page - 1) * per_page))
            entries = [_plain(row) for row in rows.mappings()]
        return JSONResponse({"time_entries": entries, "pagination": {"page": page, "total": total}})

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    return Starlette(routes=[Route(PATH, list_entries)], lifespan=lifespan)


def _plain(row: Any) -> dict[str, Any]:
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in row.items()
    }
