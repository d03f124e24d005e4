"""Global search (S5.3): projects, tasks, clients and entries, each on its own.

Every domain runs inside its own SAVEPOINT. A database error in one domain rolls back
to that savepoint, leaves the domain out and names it in `errors` (`partial` true); the
others still answer. A domain the caller may not list is skipped without a word.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.search.errors import SearchQueryTooShort, SearchTypeUnknown
from clocktower.search.repository import SearchRepository
from clocktower.search.schemas import SearchResult, SearchType
from clocktower.time_entry.service import viewer_of

log = structlog.get_logger("clocktower.search")

MIN_QUERY = 2
DEFAULT_LIMIT = 10
MAX_LIMIT = 50
SEARCH_TYPES: tuple[SearchType, ...] = ("project", "task", "client", "entry")
# The node that lists each domain, and the key a failed domain has in `errors`.
_PERMISSION: dict[SearchType, str] = {
    "project": "project.fetch.many",
    "task": "task.fetch.many",
    "client": "client.fetch.many",
    "entry": "time_entry.fetch.many",
}
_ERROR_KEY: dict[SearchType, str] = {
    "project": "projects",
    "task": "tasks",
    "client": "clients",
    "entry": "entries",
}
_TASK_BADGE = {"todo": "To Do", "in_progress": "In Progress", "review": "Review", "done": "Done"}
_SNIPPET = 160
DOMAIN_FAILED = "Search in this category failed"

Searcher = Callable[[SearchRepository, AuthContext, str, int], Awaitable[list[SearchResult]]]


@dataclass
class SearchOutcome:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def partial(self) -> bool:
        return bool(self.errors)


def parse_types(raw: str | None) -> tuple[SearchType, ...]:
    """`project,task` → those types in search order; absent or empty → every type."""
    wanted = [part.strip().lower() for part in (raw or "").split(",") if part.strip()]
    if not wanted:
        return SEARCH_TYPES
    unknown = [part for part in wanted if part not in SEARCH_TYPES]
    if unknown:
        raise SearchTypeUnknown(unknown, SEARCH_TYPES)
    return tuple(kind for kind in SEARCH_TYPES if kind in wanted)


async def search(
    session: AsyncSession,
    auth: AuthContext,
    *,
    query: str,
    limit: int = DEFAULT_LIMIT,
    types: str | None = None,
) -> SearchOutcome:
    needle = query.strip()
    if len(needle) < MIN_QUERY:
        raise SearchQueryTooShort(MIN_QUERY)
    kinds = parse_types(types)
    repository = SearchRepository(session)
    outcome = SearchOutcome(query=needle)
    for kind in kinds:
        if not auth.allows(_PERMISSION[kind]):
            continue
        try:
            async with session.begin_nested():
                found = await _SEARCHERS[kind](repository, auth, needle, limit)
        except SQLAlchemyError as error:
            log.warning("search domain failed", domain=_ERROR_KEY[kind], error=str(error))
            outcome.errors[_ERROR_KEY[kind]] = DOMAIN_FAILED
            continue
        outcome.results.extend(found)
    return outcome


def _snippet(text: str | None) -> str | None:
    if not text:
        return None
    flat = " ".join(text.split())
    return flat if len(flat) <= _SNIPPET else flat[: _SNIPPET - 1].rstrip() + "…"


def _result(
    kind: SearchType, id_: int, title: str, description: str | None, url: str, badge: str
) -> SearchResult:
    return SearchResult(
        type=kind,
        category=kind,
        id=id_,
        title=title,
        description=description,
        url=url,
        badge=badge,
    )


async def _projects(
    repository: SearchRepository, auth: AuthContext, needle: str, limit: int
) -> list[SearchResult]:
    found = await repository.projects(auth.org_id, auth.client_id, needle, limit)
    return [
        _result("project", p.id, p.name, _snippet(p.description), f"/projects/{p.id}", "Project")
        for p in found
    ]


async def _tasks(
    repository: SearchRepository, auth: AuthContext, needle: str, limit: int
) -> list[SearchResult]:
    found = await repository.tasks(auth.org_id, auth.client_id, needle, limit)
    return [
        _result(
            "task",
            t.id,
            t.name,
            t.project_name,
            f"/tasks/{t.id}",
            _TASK_BADGE.get(t.status, t.status.replace("_", " ").title()),
        )
        for t in found
    ]


async def _clients(
    repository: SearchRepository, auth: AuthContext, needle: str, limit: int
) -> list[SearchResult]:
    found = await repository.clients(auth.org_id, auth.client_id, needle, limit)
    return [
        _result(
            "client",
            c.id,
            c.name,
            c.company or c.email,
            f"/clients/{c.id}",
            "Client" if c.is_active else "Inactive client",
        )
        for c in found
    ]


async def _entries(
    repository: SearchRepository, auth: AuthContext, needle: str, limit: int
) -> list[SearchResult]:
    found = await repository.entries(viewer_of(auth), needle, limit)
    zone = ZoneInfo(auth.user.timezone)
    return [
        _result(
            "entry",
            e.id,
            f"{e.project_name or 'No project'} · {e.start_at.astimezone(zone).date().isoformat()}",
            _snippet(e.notes) or e.tags,
            f"/time-entries/{e.id}",
            "Running" if e.end_at is None else "Time Entry",
        )
        for e in found
    ]


_SEARCHERS: dict[SearchType, Searcher] = {
    "project": _projects,
    "task": _tasks,
    "client": _clients,
    "entry": _entries,
}
