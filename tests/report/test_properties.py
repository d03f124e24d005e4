"""Property: the summary's sums agree with each other and with a plain reference, in
seconds (before any rounding), for random entries in random time zones.

Total = Σ by_project = Σ by_client = Σ by_user = Σ by_day = Σ by_week = Σ by_month, and
each day holds exactly the entries whose start falls on that local day.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from clocktower.kit.period import period_bounds
from clocktower.kit.sql_time import local_periods
from clocktower.models import Project, TimeEntry
from clocktower.report.repository import GroupTotal, PeriodTotal, SummaryRepository, Totals
from clocktower.time_entry.repository import EntryFilters, Viewer
from tests.support import Factory, Member
from tests.time_entry.conftest import make_project

ZONES = ("Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC")
# Around the 2024 DST changes of Europe and the USA, and a year end.
ANCHORS = (
    datetime(2024, 3, 30, tzinfo=UTC),
    datetime(2024, 11, 2, tzinfo=UTC),
    datetime(2024, 12, 30, tzinfo=UTC),
)

Entry = tuple[datetime, int, int | None, bool]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, date, int, list[Entry]]:
    """A zone, a range of 1-40 local days, and entries starting up to a day around it:
    start, seconds (up to two days), project index (None: no project), billable."""
    zone = draw(st.sampled_from(ZONES))
    first = draw(st.sampled_from(ANCHORS)).date() - timedelta(days=draw(st.integers(0, 5)))
    days = draw(st.integers(min_value=1, max_value=40))
    origin = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    entries = [
        (
            origin + timedelta(seconds=draw(st.integers(0, (days + 2) * 86_400))),
            draw(st.integers(min_value=1, max_value=2 * 86_400)),
            draw(st.one_of(st.none(), st.integers(0, 2))),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(min_value=0, max_value=12)))
    ]
    return zone, first, days, entries


@pytest.fixture
async def projects(factory: Factory, owner: Member) -> list[Project]:
    """Three projects of one client (made once: examples share the fixtures)."""
    client = await factory.client(owner.organization, name="Acme")
    return [
        await make_project(factory, owner.organization, name=f"P{n}", client_id=client.id)
        for n in range(3)
    ]


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
async def test_every_grouping_adds_up_to_the_total(
    factory: Factory,
    owner: Member,
    projects: list[Project],
    scenario: tuple[str, date, int, list[Entry]],
) -> None:
    zone, first, days, entries = scenario
    last = first + timedelta(days=days - 1)
    organization_id = owner.organization.id
    session = factory.session
    # Fixtures live for the whole test: every example starts from no entries.
    await session.execute(delete(TimeEntry).where(TimeEntry.organization_id == organization_id))
    if entries:
        await session.execute(
            insert(TimeEntry),
            [
                {
                    "organization_id": organization_id,
                    "user_id": owner.id,
                    "project_id": None if index is None else projects[index].id,
                    "start_at": start,
                    "end_at": start + timedelta(seconds=seconds),
                    "duration_seconds": seconds,
                    "billable": billable,
                }
                for start, seconds, index, billable in entries
            ],
        )
    await session.commit()
    bounds = period_bounds(first, last, zone)
    assert bounds.start is not None
    assert bounds.end is not None
    filters = EntryFilters(start_from=bounds.start, start_before=bounds.end)
    viewer = Viewer(organization_id=organization_id)
    repository = SummaryRepository(session)

    groups = {
        dimension: await repository.by_dimension(viewer, filters, dimension)
        for dimension in ("project", "client", "user", "task")
    }
    totals = Totals.of(groups["project"])  # what the summary reports
    periods = {
        unit: await repository.by_period(viewer, filters, local_periods(first, last, zone, unit))
        for unit in ("day", "week", "month")
    }

    counted = [e for e in entries if bounds.start <= e[0] < bounds.end]
    assert totals.seconds == sum(seconds for _, seconds, _, _ in counted)
    assert totals.billable_seconds == sum(seconds for _, seconds, _, billed in counted if billed)
    assert totals.entries == len(counted)
    every_list: list[Sequence[GroupTotal | PeriodTotal]] = [*groups.values(), *periods.values()]
    for rows in every_list:
        assert sum(row.seconds for row in rows) == totals.seconds
        assert sum(row.billable_seconds for row in rows) == totals.billable_seconds
        assert sum(row.entries for row in rows) == totals.entries
    by_start_day: Counter[date] = Counter()
    for start, seconds, _, _ in counted:
        by_start_day[start.astimezone(ZoneInfo(zone)).date()] += seconds
    assert [row.label for row in periods["day"]] == [
        first + timedelta(days=offset) for offset in range(days)
    ]
    assert {row.label: row.seconds for row in periods["day"] if row.seconds} == dict(by_start_day)
    by_project: Counter[int | None] = Counter()
    for _, seconds, index, _ in counted:
        by_project[None if index is None else projects[index].id] += seconds
    assert {row.key: row.seconds for row in groups["project"]} == dict(by_project)
