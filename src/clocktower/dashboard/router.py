"""Dashboards (S5.2, seed 002) over HTTP: the caller's value dashboard, week comparison
and productivity, and a project's forecast. All need `report.fetch` (scope
read:reports); the forecast needs `project.fetch` too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from clocktower.auth.context import AuthContext
from clocktower.auth.dependencies import authorized
from clocktower.dashboard import forecast as forecast_service
from clocktower.dashboard import productivity as productivity_service
from clocktower.dashboard import value as value_service
from clocktower.dashboard import week_comparison as week_service
from clocktower.dashboard.productivity import DEFAULT_PERIOD, MAX_PERIOD
from clocktower.dashboard.schemas import (
    ForecastAnswer,
    ForecastWithAi,
    ProductivityStats,
    ValueDashboard,
    WeekComparison,
)
from clocktower.db import DbSession
from clocktower.errors import error_responses
from clocktower.kit.cache import AppCache
from clocktower.kit.ids import IdPath
from clocktower.project.errors import ProjectNotFound
from clocktower.routing import AppRoute

router = APIRouter(prefix="", tags=["dashboards"], route_class=AppRoute)

Reports = Annotated[AuthContext, authorized("report.fetch")]
ProjectReports = Annotated[AuthContext, authorized("report.fetch", "project.fetch")]


@router.get("/stats/value-dashboard")
async def value_dashboard(auth: Reports, session: DbSession, cache: AppCache) -> ValueDashboard:
    """Seed 002 value insights for the caller's own finished time: totals over all
    history, this week and month, the last seven local days (dense), the busiest
    weekday, and the estimated value at project or client rates (null when there is
    none). Days and weeks are in the caller's time zone. Cached up to 10 minutes; any
    change to the caller's entries, or a running timer, gives a fresh answer."""
    return await value_service.value_dashboard(session, auth, cache=cache)


@router.get("/reports/week-comparison")
async def week_comparison(auth: Reports, session: DbSession) -> WeekComparison:
    """This week (Monday 00:00 local time through now) against the same span of last
    week, per local day (dense lists), for the caller's finished time. `change_percent`
    has one decimal and is null when last week has no time."""
    return await week_service.week_comparison(session, auth)


@router.get("/productivity/stats")
async def productivity_stats(
    auth: Reports,
    session: DbSession,
    cache: AppCache,
    period: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_PERIOD,
            description="Days (today included) for focus and the project mix; 1 to 90",
        ),
    ] = DEFAULT_PERIOD,
) -> ProductivityStats:
    """The caller's productivity (seed 002): summary of today and this week, 14-day
    breakdown, streaks, focus, project mix, 84-day heatmap and insights, in their time
    zone. Cached 5 minutes per period, never while the caller's timer runs."""
    return await productivity_service.productivity_stats(session, auth, period=period, cache=cache)


@router.get(
    "/projects/{project_id}/forecast",
    responses=error_responses(ProjectNotFound),
    response_model=ForecastWithAi | ForecastAnswer,
)
async def project_forecast(
    project_id: IdPath,
    auth: ProjectReports,
    session: DbSession,
    cache: AppCache,
    ai: Annotated[
        bool, Query(description="Add the AI narrative (reported as `ai_disabled`: no LLM)")
    ] = False,
    refresh: Annotated[bool, Query(description="Recompute instead of a cached answer")] = False,
) -> ForecastWithAi | ForecastAnswer:
    """A project's deterministic forecast (seed 002): velocity in hours per week,
    budget burn and remaining, projected finish from the estimate, and task metrics.
    Cached 10 minutes per caller, project and mode unless `refresh=true`. Projects of
    other organisations (or, for customers, of other clients) are 404."""
    return await forecast_service.project_forecast(
        session, auth, project_id, ai=ai, refresh=refresh, cache=cache
    )
