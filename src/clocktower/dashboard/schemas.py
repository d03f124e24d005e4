"""Dashboard answers (seed 002). Hours, amounts and percentages are exact Decimals in code
and JSON numbers on the wire; dates are the caller's local calendar days."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from clocktower.kit.money import JsonNumber

Weekday = Literal["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


# --- value dashboard ------------------------------------------------------------------------


class DayHours(BaseModel):
    date: date
    hours: JsonNumber


class ValueDashboard(BaseModel):
    """`GET /stats/value-dashboard`: exactly seed 002's keys."""

    total_hours: JsonNumber
    entries_count: int
    active_days: int
    avg_session_length: JsonNumber = Field(description="Hours per entry")
    most_productive_day: Weekday | None
    this_week_hours: JsonNumber
    this_month_hours: JsonNumber
    last_7_days: list[DayHours]
    estimated_value_tracked: JsonNumber | None
    estimated_value_currency: str


# --- week comparison ------------------------------------------------------------------------


class WeekDayHours(BaseModel):
    day: date
    hours: JsonNumber


class WeekHours(BaseModel):
    total_hours: JsonNumber
    by_day: list[WeekDayHours]


class WeekComparison(BaseModel):
    """`GET /reports/week-comparison` (seed 002)."""

    current_week: WeekHours
    last_week: WeekHours
    change_percent: JsonNumber | None


# --- productivity ---------------------------------------------------------------------------


class ActiveTimer(BaseModel):
    id: int
    project_id: int | None
    project_name: str | None
    task_id: int | None
    task_name: str | None
    started_at: datetime
    elapsed_seconds: int


class TopProject(BaseModel):
    project_id: int | None
    name: str | None
    hours: JsonNumber


class ProductivitySummary(BaseModel):
    today_hours: JsonNumber
    week_hours: JsonNumber
    week_billable_hours: JsonNumber
    billable_percent_week: JsonNumber | None
    week_goal_hours: JsonNumber
    week_goal_percent: JsonNumber | None
    top_project_week: TopProject | None
    active_timer: ActiveTimer | None


class DailyBreakdown(BaseModel):
    date: date
    hours: JsonNumber
    billable_hours: JsonNumber
    entry_count: int
    goal_hours: JsonNumber


class Streak(BaseModel):
    current_streak: int
    longest_streak: int
    tracked_days_this_month: int
    total_days_this_month: int


class Focus(BaseModel):
    entries: int
    tracked_days: int
    avg_session_minutes: JsonNumber | None
    longest_session_hours: JsonNumber
    entries_per_day: JsonNumber | None
    most_productive_hour: int | None
    most_productive_day: Weekday | None
    hour_distribution: list[JsonNumber]


class ProjectShare(BaseModel):
    project_id: int | None
    name: str | None
    color: str | None
    hours: JsonNumber
    billable_hours: JsonNumber
    entry_count: int
    percent: JsonNumber


class HeatmapDay(BaseModel):
    date: date
    hours: JsonNumber
    level: int = Field(ge=0, le=4)


class ProductivityStats(BaseModel):
    """`GET /productivity/stats` (seed 002)."""

    ok: Literal[True] = True
    period: int
    summary: ProductivitySummary
    daily_breakdown: list[DailyBreakdown]
    streak: Streak
    focus: Focus
    projects: list[ProjectShare]
    heatmap: list[HeatmapDay]
    insights: list[str]


# --- project forecast -----------------------------------------------------------------------


class WeekVelocity(BaseModel):
    week_start: date
    hours: JsonNumber


class Velocity(BaseModel):
    hours_per_week: JsonNumber | None
    window_weeks: int
    weekly: list[WeekVelocity]
    first_tracked_date: date | None


class Budget(BaseModel):
    type: Literal["none", "hours", "money"]
    currency: str | None
    limit: JsonNumber | None
    burned: JsonNumber
    remaining: JsonNumber | None
    percent: JsonNumber | None
    burn_per_week: JsonNumber | None
    projected_exhaustion_date: date | None


EstimateSource = Literal["project", "tasks"]


class Timeline(BaseModel):
    estimated_hours: JsonNumber | None
    estimate_source: EstimateSource | None
    tracked_hours: JsonNumber
    remaining_hours: JsonNumber | None
    weeks_remaining: JsonNumber | None
    projected_finish_date: date | None
    next_due_date: date | None
    last_due_date: date | None
    on_track: bool | None


class TasksByStatus(BaseModel):
    todo: int
    in_progress: int
    review: int
    done: int


class TaskMetrics(BaseModel):
    total: int
    open: int
    done: int
    overdue: int
    due_next_7_days: int
    by_status: TasksByStatus
    completion_percent: JsonNumber | None


class Forecast(BaseModel):
    project_id: int
    project_name: str
    status: str
    as_of: date
    generated_at: datetime
    velocity: Velocity
    budget: Budget | None
    timeline: Timeline
    tasks: TaskMetrics


class AiUnavailable(BaseModel):
    ok: Literal[False] = False
    error_code: Literal["ai_disabled"] = "ai_disabled"
    error: str = "The AI helper is not enabled on this server"


class ForecastAnswer(BaseModel):
    """`GET /projects/{id}/forecast` (seed 002)."""

    ok: Literal[True] = True
    forecast: Forecast


class ForecastWithAi(ForecastAnswer):
    """With `ai=true`: the deterministic forecast and why there is no narrative."""

    ai: AiUnavailable
