"""Time entry suggestions over HTTP (seed 002 `ai/suggest`, under /api/v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.db import DbSession
from clocktower.routing import AppRoute
from clocktower.suggestion import service as suggestion_service
from clocktower.suggestion.schemas import SuggestionList, SuggestionRead

router = APIRouter(prefix="/ai", tags=["suggestions"], route_class=AppRoute)

SuggestAccess = Annotated[AuthContext, authorized("time_entry.fetch")]


@router.get("/suggest")
async def suggest_entries(
    auth: SuggestAccess,
    session: DbSession,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Keep pairs whose project name or notes contain this"),
    ] = None,
    rich: Annotated[
        bool | None,
        Query(description="Accepted for seed compatibility; answers are always deterministic"),
    ] = None,
) -> SuggestionList:
    """Up to five suggested entries from the caller's recent (project, task) pairs, most
    recent first (ties: most used), each with its latest entry's notes and tags."""
    suggestions = await suggestion_service.suggest_entries(session, auth, q=q)
    return SuggestionList(
        suggestions=[
            SuggestionRead(
                project_id=s.pair.project_id,
                project_name=s.pair.project_name,
                task_id=s.pair.task_id,
                task_name=s.pair.task_name,
                notes=s.pair.notes,
                tags=s.pair.tags,
                billable=s.pair.billable,
                confidence=s.confidence,
                source="history",
            )
            for s in suggestions
        ]
    )
