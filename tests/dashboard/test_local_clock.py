"""LocalClock: the local day, weekday and hour the database computes equal Python's, in
every zone (half-hour DST, 45-minute offsets, date-line hops), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select

from clocktower.dashboard.local_clock import BASE_DAY, LocalClock, OffsetSpan, offset_spans
from clocktower.db import Database
from clocktower.kit.time import UTCDateTime

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
ZONES = [
    "UTC",
    "Europe/Amsterdam",
    "America/Los_Angeles",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "Pacific/Apia",
]
FIRST = datetime(2005, 1, 1, tzinfo=UTC)
LAST = datetime(2030, 12, 31, tzinfo=UTC)
instants = st.datetimes(
    min_value=FIRST.replace(tzinfo=None), max_value=LAST.replace(tzinfo=None)
).map(lambda moment: moment.replace(tzinfo=UTC))


@cache
def spans_of(zone: str) -> list[OffsetSpan]:
    return offset_spans(ZoneInfo(zone), FIRST, LAST)


class TestOffsetSpans:
    @given(zone=st.sampled_from(ZONES), instant=instants)
    @settings(max_examples=200, deadline=None)
    def test_the_span_of_an_instant_has_its_offset(self, zone: str, instant: datetime) -> None:
        span = [s for s in spans_of(zone) if s.start is None or s.start <= instant][-1]
        offset = instant.astimezone(ZoneInfo(zone)).utcoffset()
        assert offset is not None
        assert span.offset == int(offset.total_seconds())

    def test_changes_fall_on_the_exact_second(self) -> None:
        spans = offset_spans(
            ZoneInfo("Europe/Amsterdam"),
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 12, 31, tzinfo=UTC),
        )
        assert [(s.start, s.offset) for s in spans] == [
            (None, 3600),
            (datetime(2024, 3, 31, 1, tzinfo=UTC), 7200),
            (datetime(2024, 10, 27, 1, tzinfo=UTC), 3600),
        ]


class TestInTheDatabase:
    async def test_midnight_and_fractions_of_a_second(self, database: Database) -> None:
        zone = "America/Los_Angeles"
        midnight = datetime(2026, 3, 9, 7, tzinfo=UTC)  # 00:00 PDT on Monday 9 March
        just_before = midnight - timedelta(microseconds=1)
        clock = LocalClock.of(zone, just_before, midnight, midnight)
        async with database.sessionmaker() as session:
            days = [
                (await session.execute(select(clock.day(literal(m, UTCDateTime))))).scalar_one()
                for m in (just_before, midnight)
            ]
        assert [LocalClock.date_of(day).isoformat() for day in days] == [
            "2026-03-08",
            "2026-03-09",
        ]


# Hypothesis runs a parametrised test method from a new instance per backend, which its
# health check refuses: the property is a module-level function.
@EXAMPLES
@given(zone=st.sampled_from(ZONES), moments=st.lists(instants, min_size=1, max_size=6))
async def test_day_weekday_and_hour_match_python_in_the_database(
    database: Database, zone: str, moments: list[datetime]
) -> None:
    clock = LocalClock.of(zone, min(moments), max(moments), max(moments))
    async with database.sessionmaker() as session:
        for moment in moments:
            value = literal(moment, UTCDateTime)
            day, weekday, hour = (
                await session.execute(
                    select(clock.day(value), clock.weekday(value), clock.hour(value))
                )
            ).one()
            wall = moment.astimezone(ZoneInfo(zone))
            assert BASE_DAY + timedelta(days=day) == wall.date(), (zone, moment)
            assert weekday == wall.weekday()
            assert hour == wall.hour
