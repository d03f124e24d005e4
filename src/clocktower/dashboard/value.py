"""The value dashboard (seed 002 `GET /stats/value-dashboard`): the caller's finished
time over all of history, this week, this month and the last seven local days, and what
it is worth.

- Weeks start on Monday 00:00 and months on the 1st, in the caller's time zone; this
  week and this month run until now.
- `active_days` and `most_productive_day` count local days of the caller's zone.
- `avg_session_length` is hours per entry, from the exact total.
- `estimated_value_tracked` is Σ billable hours * `COALESCE(project rate, entry client
  default, project client default)` rounded once to cents; null when that is zero (no
  billable time with a rate). The currency is the organisation's.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.dashboard.numbers import hours, money
from clocktower.dashboard.personal import Personal, personal_answer
from clocktower.dashboard.schemas import WEEKDAYS, DayHours, ValueDashboard
from clocktower.kit.cache import Cache

VALUE_TTL_SECONDS = 600
LAST_DAYS = 7


async def value_dashboard(
    session: AsyncSession, auth: AuthContext, *, cache: Cache
) -> ValueDashboard:
    return await personal_answer(
        session,
        auth,
        cache,
        name="value",
        parameters=(),
        ttl_seconds=VALUE_TTL_SECONDS,
        answer_type=ValueDashboard,
        compute=_value_dashboard,
    )


async def _value_dashboard(personal: Personal) -> ValueDashboard:
    moment, repository, clock = personal.moment, personal.repository, personal.clock
    totals = await repository.value_totals(
        clock,
        week_from=moment.start_of(moment.monday),
        month_from=moment.start_of(moment.today.replace(day=1)),
        until=moment.now,
    )
    weekday = await repository.best_weekday(clock)
    first_day = moment.today - timedelta(days=LAST_DAYS - 1)
    days = await repository.day_sums(moment.day_windows(first_day, moment.today))
    organization = await personal.organization()
    value = money(totals.value_cent_seconds)
    return ValueDashboard(
        total_hours=hours(totals.seconds),
        entries_count=totals.entries,
        active_days=totals.active_days,
        avg_session_length=(
            hours(Decimal(totals.seconds) / totals.entries) if totals.entries else hours(0)
        ),
        most_productive_day=None if weekday is None else WEEKDAYS[weekday],
        this_week_hours=hours(totals.week_seconds),
        this_month_hours=hours(totals.month_seconds),
        last_7_days=[
            DayHours(date=first_day + timedelta(days=index), hours=hours(day.seconds))
            for index, day in enumerate(days)
        ],
        estimated_value_tracked=value if value else None,
        estimated_value_currency=organization.currency,
    )
