"""Global search over HTTP (seed 002 `GET /api/v1/search`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.routing import AppRoute
from clocktower.search import service as search_service
from clocktower.search.errors import SearchQueryTooShort, SearchTypeUnknown
from clocktower.search.schemas import SearchAnswer

router = APIRouter(tags=["search"], route_class=AppRoute)

# Seed 002: required scope read:projects.
SearchAccess = Annotated[AuthContext, authorized("project.fetch.many")]


@router.get("/search", responses=error_responses(SearchQueryTooShort, SearchTypeUnknown))
async def search(
    auth: SearchAccess,
    session: DbSession,
    q: Annotated[
        str,
        Query(
            max_length=200,
            description="Text to find (at least 2 characters, case-insensitive substring)",
        ),
    ],
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=search_service.MAX_LIMIT,
            description="Most results per category (default 10, at most 50)",
        ),
    ] = search_service.DEFAULT_LIMIT,
    types: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Comma-separated categories to search: project,task,client,entry "
            "(default all). Categories the caller may not list are skipped.",
        ),
    ] = None,
) -> SearchAnswer:
    """Projects (name, description; active only), tasks (name, description; of active
    projects), clients (name, email, company) and time entries (notes, tags; members
    without time_entry.fetch.other see their own). A category whose query fails is left
    out: `partial` is true and `errors` names it."""
    outcome = await search_service.search(session, auth, query=q, limit=limit, types=types)
    return SearchAnswer(
        results=outcome.results,
        query=outcome.query,
        count=len(outcome.results),
        partial=outcome.partial,
        errors=outcome.errors,
    )
