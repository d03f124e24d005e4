"""Personal productivity (seed 002 `GET /productivity/stats`): summary, daily breakdown,
streaks, focus, project mix, heatmap and insights, from the caller's finished entries in
their time zone. Every field is described in docs/guides/dashboards.md.

`period` (1-90 days, today included) frames focus and the project mix; the daily
breakdown (14 days) and the heatmap (84 days) have fixed windows. Day goals come from
the user's work schedule (`work_days`, `work_hours_start`-`work_hours_end`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.dashboard.numbers import TENTH, change_percent, hours, percent, ratio
from clocktower.dashboard.personal import Personal, personal_answer
from clocktower.dashboard.repository import FocusCell, ProjectTime, RunningTimer, Sums
from clocktower.dashboard.schemas import (
    WEEKDAYS,
    ActiveTimer,
    DailyBreakdown,
    Focus,
    HeatmapDay,
    ProductivityStats,
    ProductivitySummary,
    ProjectShare,
    Streak,
    TopProject,
)
from clocktower.kit.cache import Cache
from clocktower.models import User

PRODUCTIVITY_TTL_SECONDS = 300
DEFAULT_PERIOD = 30
MAX_PERIOD = 90
DAILY_DAYS = 14
HEATMAP_DAYS = 84
PROJECT_LIMIT = 10
# Heatmap levels: 0 for no time, then below 2, 4 and 6 hours, and 6 hours or more.
LEVEL_SECONDS = (2 * 3600, 4 * 3600, 6 * 3600)
STREAK_INSIGHT_DAYS = 3
_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def productivity_stats(
    session: AsyncSession, auth: AuthContext, *, period: int, cache: Cache
) -> ProductivityStats:
    return await personal_answer(
        session,
        auth,
        cache,
        name="productivity",
        parameters=(period,),
        ttl_seconds=PRODUCTIVITY_TTL_SECONDS,
        answer_type=ProductivityStats,
        compute=partial(_productivity_stats, period=period),
    )


@dataclass(frozen=True)
class _Day:
    day: date
    sums: Sums


async def _productivity_stats(personal: Personal, *, period: int) -> ProductivityStats:
    moment, repository, clock = personal.moment, personal.repository, personal.clock
    today = moment.today
    span = max(HEATMAP_DAYS, period)
    first_day = today - timedelta(days=span - 1)
    sums = await repository.day_sums(moment.day_windows(first_day, today))
    days = [_Day(first_day + timedelta(days=index), day) for index, day in enumerate(sums)]
    since = moment.start_of(today - timedelta(days=period - 1))
    projects = await repository.project_times(
        since=since, week_from=moment.start_of(moment.monday), until=moment.now
    )
    cells = await repository.focus_cells(clock, since=since, until=moment.now)
    streaks = await repository.streaks(clock, until=moment.now, today=today)
    timer = await repository.running_timer() if personal.activity.running else None

    user = personal.auth.user
    summary = _summary(days, projects, timer, moment.monday, moment.now, user)
    period_days = days[-period:]
    focus = _focus(cells, period_days)
    shares = _shares(projects)
    streak = Streak(
        current_streak=streaks.current,
        longest_streak=streaks.longest,
        tracked_days_this_month=sum(
            1 for day in days if day.day >= today.replace(day=1) and day.sums.entries
        ),
        total_days_this_month=today.day,
    )
    return ProductivityStats(
        period=period,
        summary=summary,
        daily_breakdown=[
            DailyBreakdown(
                date=day.day,
                hours=hours(day.sums.seconds),
                billable_hours=hours(day.sums.billable_seconds),
                entry_count=day.sums.entries,
                goal_hours=hours(_goal_seconds(user, day.day)),
            )
            for day in days[-DAILY_DAYS:]
        ],
        streak=streak,
        focus=focus,
        projects=shares,
        heatmap=[
            HeatmapDay(date=day.day, hours=hours(day.sums.seconds), level=_level(day.sums))
            for day in days[-HEATMAP_DAYS:]
        ],
        insights=_insights(days, moment.monday, summary, streak, focus, shares, period),
    )


def _summary(
    days: list[_Day],
    projects: list[ProjectTime],
    timer: RunningTimer | None,
    monday: date,
    now: datetime,
    user: User,
) -> ProductivitySummary:
    week = [day.sums for day in days if day.day >= monday]
    week_seconds = sum(day.seconds for day in week)
    week_billable = sum(day.billable_seconds for day in week)
    goal_seconds = sum(_goal_seconds(user, monday + timedelta(days=i)) for i in range(7))
    top = max(
        (project for project in projects if project.week_seconds > 0),
        key=lambda project: project.week_seconds,
        default=None,
    )
    return ProductivitySummary(
        today_hours=hours(days[-1].sums.seconds),
        week_hours=hours(week_seconds),
        week_billable_hours=hours(week_billable),
        billable_percent_week=percent(week_billable, week_seconds),
        week_goal_hours=hours(goal_seconds),
        week_goal_percent=percent(week_seconds, goal_seconds),
        top_project_week=(
            None
            if top is None
            else TopProject(project_id=top.project_id, name=top.name, hours=hours(top.week_seconds))
        ),
        active_timer=(
            None
            if timer is None
            else ActiveTimer(
                id=timer.id,
                project_id=timer.project_id,
                project_name=timer.project_name,
                task_id=timer.task_id,
                task_name=timer.task_name,
                started_at=timer.start_at,
                elapsed_seconds=max(int((now - timer.start_at).total_seconds()), 0),
            )
        ),
    )


def _goal_seconds(user: User, day: date) -> int:
    """The user's working time on that weekday: end minus start of their work hours on
    a work day, else nothing."""
    if _DAY_KEYS[day.weekday()] not in {str(key).lower()[:3] for key in user.work_days or ()}:
        return 0
    start, end = _minutes(user.work_hours_start), _minutes(user.work_hours_end)
    if start is None or end is None or end <= start:
        return 0
    return (end - start) * 60


def _minutes(text: str | None) -> int | None:
    try:
        hour, minute = (int(part) for part in (text or "").split(":"))
    except ValueError:
        return None
    return hour * 60 + minute


def _focus(cells: list[FocusCell], period_days: list[_Day]) -> Focus:
    entries = sum(cell.entries for cell in cells)
    focus_entries = sum(cell.focus_entries for cell in cells)
    focus_seconds = sum(cell.focus_seconds for cell in cells)
    tracked_days = sum(1 for day in period_days if day.sums.entries)
    by_hour = [sum(cell.seconds for cell in cells if cell.hour == hour) for hour in range(24)]
    by_weekday = [sum(cell.seconds for cell in cells if cell.weekday == wd) for wd in range(7)]
    return Focus(
        entries=entries,
        tracked_days=tracked_days,
        avg_session_minutes=(
            ratio(focus_seconds, focus_entries * 60, TENTH) if focus_entries else None
        ),
        longest_session_hours=hours(max((cell.longest_seconds for cell in cells), default=0)),
        entries_per_day=ratio(entries, tracked_days) if tracked_days else None,
        most_productive_hour=_busiest(by_hour),
        most_productive_day=None if (best := _busiest(by_weekday)) is None else WEEKDAYS[best],
        hour_distribution=[hours(seconds) for seconds in by_hour],
    )


def _busiest(seconds: list[int]) -> int | None:
    """The index with the most time (the first on a tie); None when all are zero."""
    best = max(range(len(seconds)), key=lambda index: (seconds[index], -index))
    return best if seconds[best] > 0 else None


def _shares(projects: list[ProjectTime]) -> list[ProjectShare]:
    worked = [project for project in projects if project.seconds > 0]
    total = sum(project.seconds for project in worked)
    return [
        ProjectShare(
            project_id=project.project_id,
            name=project.name,
            color=project.color,
            hours=hours(project.seconds),
            billable_hours=hours(project.billable_seconds),
            entry_count=project.entries,
            percent=percent(project.seconds, total) or Decimal(0),
        )
        for project in worked[:PROJECT_LIMIT]
    ]


def _level(day: Sums) -> int:
    if not day.seconds:
        return 0
    return 1 + sum(1 for threshold in LEVEL_SECONDS if day.seconds >= threshold)


def _insights(
    days: list[_Day],
    monday: date,
    summary: ProductivitySummary,
    streak: Streak,
    focus: Focus,
    shares: list[ProjectShare],
    period: int,
) -> list[str]:
    """Plain sentences from the numbers above, in a fixed order; none without data."""
    insights: list[str] = []
    elapsed = days[-1].day - monday
    last_monday = monday - timedelta(days=7)
    this_week = sum(day.sums.seconds for day in days if day.day >= monday)
    last_week = sum(
        day.sums.seconds for day in days if last_monday <= day.day <= last_monday + elapsed
    )
    change = change_percent(hours(this_week), hours(last_week))
    if change:
        direction = "more" if change > 0 else "less"
        insights.append(
            f"You tracked {_whole(abs(change))}% {direction} time this week than on the "
            "same days last week."
        )
    if streak.current_streak >= STREAK_INSIGHT_DAYS:
        insights.append(f"You have tracked time {streak.current_streak} days in a row.")
    if focus.most_productive_hour is not None:
        hour = focus.most_productive_hour
        insights.append(
            f"Your most productive hour starts at {hour:02d}:00 "
            f"({hour:02d}:00-{(hour + 1) % 24:02d}:00)."
        )
    if shares:
        top = shares[0]
        name = top.name or "Time without a project"
        insights.append(
            f"{name} took {_whole(top.percent)}% of your tracked time in the last {period} days."
        )
    if summary.billable_percent_week is not None:
        share = _whole(summary.billable_percent_week)
        insights.append(f"{share}% of your time this week is billable.")
    return insights


def _whole(value: Decimal) -> str:
    """A percentage for a sentence: whole, rounded half up."""
    return str(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
