"""Delta-sync helpers: a pull over HTTP, a client's local copy built from pulls, and the
change log and counters read straight from the database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.db import Database
from clocktower.main import create_app
from clocktower.models import SyncChange, SyncCounter
from tests.conftest import test_settings as settings_for
from tests.support import Api, Member

SYNC = "/api/v1/sync"

# Answer lists by object type.
LISTS = {
    "client": "clients",
    "project": "projects",
    "task": "tasks",
    "time_entry": "time_entries",
    "focus_session": "focus_sessions",
    "customer_focus": "customer_focus",
}

Key = tuple[str, int]  # object type, id


async def pull(
    api: Api, who: Member | str, token: str | None = "*", *, limit: int | None = None
) -> dict[str, Any]:
    """One sync page, which must be a 200."""
    response = await pull_response(api, who, token, limit=limit)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def pull_response(
    api: Api, who: Member | str, token: str | None = "*", *, limit: int | None = None
) -> httpx.Response:
    params: dict[str, Any] = {}
    if token is not None:
        params["sync_token"] = token
    if limit is not None:
        params["limit"] = limit
    return await api.as_(who).get(SYNC, params=params)


def objects_of(answer: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    """Every object an answer carries, by (type, id)."""
    return {(kind, item["id"]): item for kind, name in LISTS.items() for item in answer[name]}


def versions_of(answer: dict[str, Any]) -> dict[Key, int]:
    return {key: item["version"] for key, item in objects_of(answer).items()}


def tombstones_of(answer: dict[str, Any]) -> dict[Key, int]:
    return {(gone["type"], gone["id"]): gone["version"] for gone in answer["deleted"]}


def ids_of(answer: dict[str, Any], kind: str) -> set[int]:
    return {item["id"] for item in answer[LISTS[kind]]}


@dataclass
class Replica:
    """What a sync client holds: objects by (type, id), applied page after page, and the
    token to continue from. Remembers every version it saw so a decrease shows."""

    objects: dict[Key, dict[str, Any]] = field(default_factory=dict)
    token: str = "*"
    pages: int = 0
    seen: dict[Key, int] = field(default_factory=dict)
    decreases: list[tuple[Key, int, int]] = field(default_factory=list)

    def apply(self, answer: dict[str, Any]) -> None:
        if answer["snapshot"]:
            self.objects.clear()
        for key, item in objects_of(answer).items():
            self._saw(key, item["version"])
            self.objects[key] = item
        for key, version in tombstones_of(answer).items():
            self._saw(key, version)
            self.objects.pop(key, None)
        self.token = answer["sync_token"]
        self.pages += 1

    def _saw(self, key: Key, version: int) -> None:
        before = self.seen.get(key)
        if before is not None and version < before:
            self.decreases.append((key, before, version))
        self.seen[key] = version

    def versions(self) -> dict[Key, int]:
        return {key: item["version"] for key, item in self.objects.items()}

    async def catch_up(
        self, fetch: Callable[[str], Awaitable[dict[str, Any]]], *, max_pages: int = 1000
    ) -> dict[str, Any]:
        """Pages until `has_more` is false; answers the last page."""
        for _ in range(max_pages):
            answer = await fetch(self.token)
            self.apply(answer)
            if not answer["has_more"]:
                return answer
        raise AssertionError(f"still has_more after {max_pages} pages")


async def synced(
    api: Api, who: Member | str, *, token: str = "*", limit: int | None = None
) -> Replica:
    """A replica that synced from `token` until nothing more was waiting."""
    replica = Replica(token=token)

    async def fetch(current: str) -> dict[str, Any]:
        return await pull(api, who, current, limit=limit)

    await replica.catch_up(fetch)
    return replica


async def log_rows(session: AsyncSession, organization_id: int) -> list[SyncChange]:
    """The organisation's change log as stored now, in sequence order."""
    found = await session.scalars(
        select(SyncChange)
        .where(SyncChange.organization_id == organization_id)
        .order_by(SyncChange.seq)
        .execution_options(populate_existing=True)
    )
    return list(found)


async def log_of(session: AsyncSession, organization_id: int) -> dict[Key, tuple[int, bool]]:
    """(type, id) → (seq, deleted) of every row of the organisation's log."""
    return {
        (row.object_type, row.object_id): (row.seq, row.deleted)
        for row in await log_rows(session, organization_id)
    }


async def counter_of(session: AsyncSession, organization_id: int) -> tuple[int, int]:
    """(last_seq, pruned_seq) of the organisation's counter; (0, 0) before any change."""
    row = (
        await session.execute(
            select(SyncCounter.last_seq, SyncCounter.pruned_seq)
            .where(SyncCounter.organization_id == organization_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


@pytest.fixture
async def live_app(committing_database: Database) -> AsyncIterator[Any]:
    """The real app on a database of the test's own, whose requests commit for real.
    Made before anything is written: creating it installs the change-log recorder."""
    url = committing_database.url
    app = create_app(settings_for(url), Database(url))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def live_http(live_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=live_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
