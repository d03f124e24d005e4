"""Offline-push helpers: change builders, a push over HTTP, versions read through a pull,
and every table of the database read at once (to prove a replay writes nothing)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.models.base import Base
from tests.support import Api, Member

SYNC = "/api/v1/sync"
LISTS = {
    "client": "clients",
    "project": "projects",
    "task": "tasks",
    "time_entry": "time_entries",
    "focus_session": "focus_sessions",
    "customer_focus": "customer_focus",
}
Key = tuple[str, int]


def new_ref() -> str:
    return str(uuid.uuid4())


def create(
    kind: str,
    data: dict[str, Any],
    *,
    refs: dict[str, str] | None = None,
    client_ref: str | None = None,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "client_ref": client_ref or new_ref(),
        "type": kind,
        "op": "create",
        "data": data,
    }
    if refs is not None:
        change["refs"] = refs
    return change


def update(
    kind: str,
    object_id: int,
    base_version: int,
    data: dict[str, Any],
    *,
    refs: dict[str, str] | None = None,
    client_ref: str | None = None,
) -> dict[str, Any]:
    change: dict[str, Any] = {
        "client_ref": client_ref or new_ref(),
        "type": kind,
        "op": "update",
        "id": object_id,
        "base_version": base_version,
        "data": data,
    }
    if refs is not None:
        change["refs"] = refs
    return change


def delete(
    kind: str, object_id: int, base_version: int, *, client_ref: str | None = None
) -> dict[str, Any]:
    return {
        "client_ref": client_ref or new_ref(),
        "type": kind,
        "op": "delete",
        "id": object_id,
        "base_version": base_version,
    }


async def push_response(
    api: Api, who: Member | str, changes: list[dict[str, Any]]
) -> httpx.Response:
    return await api.as_(who).post(SYNC, json={"changes": changes})


async def push(api: Api, who: Member | str, changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The results of a push, which must answer 200 with one result per change."""
    response = await push_response(api, who, changes)
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    assert len(results) == len(changes)
    return results


async def pull_page(
    api: Api, who: Member | str, token: str = "*", *, limit: int | None = None
) -> dict[str, Any]:
    params: dict[str, Any] = {"sync_token": token}
    if limit is not None:
        params["limit"] = limit
    response = await api.as_(who).get(SYNC, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def objects_of(page: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {(kind, item["id"]): item for kind, name in LISTS.items() for item in page[name]}


async def full_sync(api: Api, who: Member | str) -> tuple[dict[Key, dict[str, Any]], str]:
    """Everything a full sync hands the caller now, by (type, id), and the token after it."""
    objects: dict[Key, dict[str, Any]] = {}
    token = "*"
    while True:
        page = await pull_page(api, who, token)
        objects.update(objects_of(page))
        token = page["sync_token"]
        if not page["has_more"]:
            return objects, token


async def snapshot(api: Api, who: Member | str) -> dict[Key, dict[str, Any]]:
    return (await full_sync(api, who))[0]


async def token_now(api: Api, who: Member | str) -> str:
    return (await full_sync(api, who))[1]


async def version_of(api: Api, who: Member | str, kind: str, object_id: int) -> int:
    version: int = (await snapshot(api, who))[(kind, object_id)]["version"]
    return version


async def every_table(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for table in Base.metadata.sorted_tables:
        statement = select(table).order_by(*table.primary_key.columns)
        tables[table.name] = [tuple(row) for row in (await session.execute(statement)).all()]
    return tables
