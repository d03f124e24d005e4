"""Project forecast (seed 002 `GET /projects/{id}/forecast`): velocity, budget burn,
timeline and task metrics, deterministic, from everyone's finished time on the project.

- Weeks are ISO weeks (Monday first) in the caller's time zone. `weekly` lists the last
  8 weeks, the current one (partial) last. Velocity is the average of the last 4
  complete weeks, counting only weeks from the one of the project's first entry (a
  project two weeks old is averaged over two); null before a first complete week.
- Budgets: `hours` count every finished entry; `money` counts billable time at each
  person's resolved rate (S4.1: task, person on project, project, person, client,
  organisation). `remaining` may be negative (over budget). The budget runs out, at
  the current burn per week, on `projected_exhaustion_date`.
- Timeline: the estimate is the project's own, else the sum of its tasks' estimates;
  the projected finish is today plus the remaining estimate at the velocity (whole days,
  rounded up). `on_track` compares it with the latest due date of an open task.
- `ai=true` adds `ai: {ok: false, error_code: "ai_disabled"}`: there is no LLM helper.

Answers are cached 10 minutes per caller, project and mode (`refresh=true` bypasses the
cache and stores the fresh answer); the project's visibility is checked on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.dashboard.cache import cache_key
from clocktower.dashboard.clock import Moment
from clocktower.dashboard.numbers import TENTH, hours, money, percent, ratio
from clocktower.dashboard.repository import ForecastRepository, TaskCounts, WeekBucket
from clocktower.dashboard.schemas import (
    AiUnavailable,
    Budget,
    EstimateSource,
    Forecast,
    ForecastAnswer,
    ForecastWithAi,
    TaskMetrics,
    TasksByStatus,
    Timeline,
    Velocity,
    WeekVelocity,
)
from clocktower.kit.cache import Cache
from clocktower.kit.money import from_cents
from clocktower.kit.sql_time import LocalPeriod, local_periods
from clocktower.models import Client, Organization, Project
from clocktower.project.repository import ProjectWithClient
from clocktower.project.service import get_project
from clocktower.rate.resolve import RateKey, resolve_rates

FORECAST_TTL_SECONDS = 600
WEEKLY_WEEKS = 8
VELOCITY_WEEKS = 4
SOON_DAYS = 7
SECONDS_PER_HOUR = 3600
# The project field a reader must see to see the budget of each type.
_BUDGET_FIELDS = {"none": "budget_type", "hours": "budget_hours", "money": "budget_amount"}
# What a bucket of time weighs: its seconds, or its cent-seconds of billable value.
_Units = Callable[[WeekBucket], int]


async def project_forecast(
    session: AsyncSession,
    auth: AuthContext,
    project_id: int,
    *,
    ai: bool,
    refresh: bool,
    cache: Cache,
) -> ForecastAnswer:
    found = await get_project(session, auth, project_id)
    moment = Moment.of(auth.user.timezone)
    mode = "ai" if ai else "deterministic"
    key = cache_key(
        auth.org_id, auth.user_id, "forecast", project_id, mode, moment.zone, moment.today
    )
    answer_type = ForecastWithAi if ai else ForecastAnswer
    if not refresh and (cached := await cache.get(key)) is not None:
        return answer_type.model_validate_json(cached)
    forecast = await _forecast(session, auth, found, moment)
    answer = (
        ForecastWithAi(forecast=forecast, ai=AiUnavailable())
        if ai
        else ForecastAnswer(forecast=forecast)
    )
    await cache.set(key, answer.model_dump_json(), FORECAST_TTL_SECONDS)
    return answer


@dataclass(frozen=True)
class _Burn:
    """Units used (seconds, or cent-seconds for money) over all time and over the
    velocity window, with the window's length in weeks."""

    total: int
    window: int
    window_weeks: int

    def per_week(self) -> Decimal | None:
        return Decimal(self.window) / self.window_weeks if self.window_weeks else None

    def days_for(self, remaining: int) -> int | None:
        """Whole days (rounded up) to use `remaining` units at this pace."""
        if remaining <= 0 or not self.window:
            return None
        return -(-remaining * 7 * self.window_weeks // self.window)


async def _forecast(
    session: AsyncSession, auth: AuthContext, found: ProjectWithClient, moment: Moment
) -> Forecast:
    project = found.project
    today = moment.today
    weeks = local_periods(
        moment.monday - timedelta(weeks=WEEKLY_WEEKS - 1), today, moment.zone, "week"
    )
    repository = ForecastRepository(session)
    buckets = await repository.time_by_week(auth.org_id, project.id, weeks)
    counts = await repository.task_counts(
        auth.org_id,
        auth.client_id,
        project.id,
        today=today,
        soon=today + timedelta(days=SOON_DAYS),
    )
    first_start = min((bucket.first_start for bucket in buckets), default=None)
    first_day = None if first_start is None else moment.local_date(first_start)
    window = _velocity_window(weeks, first_day)
    time_burn = _burn(buckets, window, lambda bucket: bucket.seconds)
    weekly = [sum(b.seconds for b in buckets if b.week == index) for index in range(len(weeks))]
    velocity = Velocity(
        hours_per_week=None if (pace := time_burn.per_week()) is None else hours(pace),
        window_weeks=time_burn.window_weeks,
        weekly=[
            WeekVelocity(week_start=week.label, hours=hours(seconds))
            for week, seconds in zip(weeks, weekly, strict=True)
        ],
        first_tracked_date=first_day,
    )
    budget = None
    if auth.sees_field("project", _BUDGET_FIELDS.get(project.budget_type, "budget_type")):
        budget = await _budget(session, auth, found, buckets, window, time_burn, today)
    return Forecast(
        project_id=project.id,
        project_name=project.name,
        status=project.status,
        as_of=today,
        generated_at=moment.now,
        velocity=velocity,
        budget=budget,
        timeline=_timeline(project, counts, time_burn, today),
        tasks=_task_metrics(counts),
    )


def _velocity_window(weeks: list[LocalPeriod], first_day: date | None) -> set[int]:
    """The indices of the complete weeks velocity averages: the last VELOCITY_WEEKS before
    the current one, from the week of the first entry on."""
    complete = range(max(len(weeks) - 1 - VELOCITY_WEEKS, 0), len(weeks) - 1)
    if first_day is None:
        return set()
    first_monday = first_day - timedelta(days=first_day.weekday())
    return {index for index in complete if weeks[index].label >= first_monday}


def _burn(buckets: Iterable[WeekBucket], window: set[int], units: _Units) -> _Burn:
    weighed = [(bucket.week, units(bucket)) for bucket in buckets]
    return _Burn(
        total=sum(amount for _, amount in weighed),
        window=sum(amount for week, amount in weighed if week in window),
        window_weeks=len(window),
    )


async def _budget(
    session: AsyncSession,
    auth: AuthContext,
    found: ProjectWithClient,
    buckets: list[WeekBucket],
    window: set[int],
    time_burn: _Burn,
    today: date,
) -> Budget:
    project = found.project
    if project.budget_type == "money" and project.budget_amount_cents:
        rates = await resolve_rates(
            session,
            auth.org_id,
            {_rate_key(project, bucket) for bucket in buckets if bucket.billable_seconds},
        )

        def cent_seconds(bucket: WeekBucket) -> int:
            if not bucket.billable_seconds:
                return 0
            return bucket.billable_seconds * (rates[_rate_key(project, bucket)].cents or 0)

        burn = _burn(buckets, window, cent_seconds)
        limit = project.budget_amount_cents * SECONDS_PER_HOUR
        return Budget(
            type="money",
            currency=await _currency(session, auth, found.client),
            limit=from_cents(project.budget_amount_cents),
            burned=money(burn.total),
            remaining=money(limit - burn.total),
            percent=percent(burn.total, limit),
            burn_per_week=None if (pace := burn.per_week()) is None else money(pace),
            projected_exhaustion_date=_after(today, burn.days_for(limit - burn.total)),
        )
    if project.budget_type == "hours" and project.budget_minutes:
        limit = project.budget_minutes * 60
        return Budget(
            type="hours",
            currency=None,
            limit=hours(limit),
            burned=hours(time_burn.total),
            remaining=hours(limit - time_burn.total),
            percent=percent(time_burn.total, limit),
            burn_per_week=None if (pace := time_burn.per_week()) is None else hours(pace),
            projected_exhaustion_date=_after(today, time_burn.days_for(limit - time_burn.total)),
        )
    return Budget(
        type="none",
        currency=None,
        limit=None,
        burned=hours(time_burn.total),
        remaining=None,
        percent=None,
        burn_per_week=None if (pace := time_burn.per_week()) is None else hours(pace),
        projected_exhaustion_date=None,
    )


def _rate_key(project: Project, bucket: WeekBucket) -> RateKey:
    return RateKey(
        user_id=bucket.user_id,
        project_id=project.id,
        task_id=bucket.task_id,
        client_id=project.client_id,
    )


async def _currency(session: AsyncSession, auth: AuthContext, client: Client | None) -> str:
    """The project's client's currency, else the organisation's (as rates resolve it)."""
    if client is not None and client.currency:
        return client.currency
    return (await session.get_one(Organization, auth.org_id)).currency


def _timeline(project: Project, counts: TaskCounts, burn: _Burn, today: date) -> Timeline:
    source: EstimateSource | None
    if project.estimated_minutes is not None:
        estimate_seconds: int | None = project.estimated_minutes * 60
        source = "project"
    elif counts.estimated_tasks:
        estimate_seconds, source = counts.estimated_minutes * 60, "tasks"
    else:
        estimate_seconds, source = None, None
    remaining = None if estimate_seconds is None else max(estimate_seconds - burn.total, 0)
    finish = None if remaining is None else _after(today, burn.days_for(remaining))
    weeks_remaining = None
    if remaining is not None and burn.window:
        weeks_remaining = ratio(remaining * burn.window_weeks, burn.window, TENTH)
    on_track = None
    if finish is not None and counts.last_due is not None:
        on_track = finish <= counts.last_due
    return Timeline(
        estimated_hours=None if estimate_seconds is None else hours(estimate_seconds),
        estimate_source=source,
        tracked_hours=hours(burn.total),
        remaining_hours=None if remaining is None else hours(remaining),
        weeks_remaining=weeks_remaining,
        projected_finish_date=finish,
        next_due_date=counts.next_due,
        last_due_date=counts.last_due,
        on_track=on_track,
    )


def _task_metrics(counts: TaskCounts) -> TaskMetrics:
    return TaskMetrics(
        total=counts.total,
        open=counts.total - counts.done,
        done=counts.done,
        overdue=counts.overdue,
        due_next_7_days=counts.due_soon,
        by_status=TasksByStatus(
            todo=counts.todo,
            in_progress=counts.in_progress,
            review=counts.review,
            done=counts.done,
        ),
        completion_percent=percent(counts.done, counts.total),
    )


def _after(today: date, days: int | None) -> date | None:
    return None if days is None else today + timedelta(days=days)
