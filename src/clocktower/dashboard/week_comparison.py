"""This week against last week (seed 002 `GET /reports/week-comparison`).

The current week runs from Monday 00:00 in the caller's time zone until now; last week
from the Monday before until the same local wall-clock time seven days ago, so a
Wednesday morning is compared with last Wednesday morning, not with all of last
Wednesday. Both day lists are dense, Monday through today (the parallel weekday).
Totals are rounded once from the exact seconds; `change_percent` compares the two
totals as shown (one decimal) and is null when last week's is zero.

Not cached: it is one statement, and it must never be stale while a timer runs.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.dashboard.clock import Moment
from clocktower.dashboard.numbers import change_percent, hours
from clocktower.dashboard.repository import PersonalRepository, Sums
from clocktower.dashboard.schemas import WeekComparison, WeekDayHours, WeekHours

_WEEK = timedelta(days=7)


async def week_comparison(session: AsyncSession, auth: AuthContext) -> WeekComparison:
    moment = Moment.of(auth.user.timezone)
    monday, today = moment.monday, moment.today
    previous = moment.day_windows(monday - _WEEK, today - _WEEK, until=moment.days_ago(7))
    current = moment.day_windows(monday, today)
    sums = await PersonalRepository(session, auth.org_id, auth.user_id).day_sums(previous + current)
    last_week = _week(monday - _WEEK, sums[: len(previous)])
    current_week = _week(monday, sums[len(previous) :])
    return WeekComparison(
        current_week=current_week,
        last_week=last_week,
        change_percent=change_percent(current_week.total_hours, last_week.total_hours),
    )


def _week(monday: date, days: list[Sums]) -> WeekHours:
    return WeekHours(
        total_hours=hours(sum(day.seconds for day in days)),
        by_day=[
            WeekDayHours(day=monday + timedelta(days=index), hours=hours(day.seconds))
            for index, day in enumerate(days)
        ],
    )
