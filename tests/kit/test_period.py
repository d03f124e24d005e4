"""kit.period and kit.time zone conversion: pure functions, examples and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clocktower.kit.period import check_supported, parse_day_or_instant, period_bounds
from clocktower.kit.time import in_zone_to_utc

PROPERTIES = settings(max_examples=200, deadline=None)
# Every zone the system knows, minus the legacy aliases that only repeat others.
ZONES = sorted(
    zone for zone in available_timezones() if "/" in zone and not zone.startswith("Etc/")
)
zones = st.sampled_from(ZONES)
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2037, 12, 31), timezones=st.just(UTC)
)
walls = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2037, 12, 31))


class TestParse:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2024-01-15", date(2024, 1, 15)),
            (" 2024-01-15 ", date(2024, 1, 15)),
            ("20240115", date(2024, 1, 15)),
            ("2024-01-15T09:00:00Z", datetime(2024, 1, 15, 9, tzinfo=UTC)),
            ("2024-01-15t09:00:00z", datetime(2024, 1, 15, 9, tzinfo=UTC)),
            (
                "2024-01-15T10:00:00+02:00",
                datetime(2024, 1, 15, 10, tzinfo=timezone(timedelta(hours=2))),
            ),
            ("2024-01-15T09:00:00", datetime(2024, 1, 15, 9)),
            ("2024-01-15 09:00", datetime(2024, 1, 15, 9)),
        ],
    )
    def test_days_and_instants(self, text: str, expected: date) -> None:
        parsed = parse_day_or_instant(text)

        assert parsed == expected
        assert type(parsed) is type(expected)
        if isinstance(expected, datetime):
            assert isinstance(parsed, datetime)
            assert parsed.utcoffset() == expected.utcoffset()

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "yesterday",
            "2024-13-01",
            "2024-02-30",
            "2024-01-15T25:00:00",
            "2024-01-15T10:00:00 02:00",
            "0001-01-01",
            "9999-12-31",
            "1899-12-31T23:59:59Z",
            "3000-01-01T00:00:00+01:00",
        ],
    )
    def test_anything_else_is_a_readable_value_error(self, text: str) -> None:
        with pytest.raises(ValueError, match=r"ISO 8601|year must be"):
            parse_day_or_instant(text)

    def test_supported_years(self) -> None:
        assert check_supported(date(1900, 1, 1)) == date(1900, 1, 1)
        assert check_supported(datetime(2999, 12, 31, 23, 59)) == datetime(2999, 12, 31, 23, 59)
        with pytest.raises(ValueError, match="between 1900 and 2999"):
            check_supported(date(3000, 1, 1))


class TestPeriodBounds:
    def test_open_ends(self) -> None:
        assert period_bounds(None, None, "UTC") == period_bounds(None, None, "Asia/Tokyo")
        bounds = period_bounds(None, None, "UTC")
        assert (bounds.start, bounds.end) == (None, None)

    def test_days_in_the_readers_zone(self) -> None:
        bounds = period_bounds(date(2024, 1, 15), date(2024, 1, 15), "America/New_York")

        assert bounds.start == datetime(2024, 1, 15, 5, tzinfo=UTC)
        assert bounds.end == datetime(2024, 1, 16, 5, tzinfo=UTC)

    def test_dst_days(self) -> None:
        spring = period_bounds(date(2024, 3, 31), date(2024, 3, 31), "Europe/Amsterdam")
        autumn = period_bounds(date(2024, 10, 27), date(2024, 10, 27), "Europe/Amsterdam")

        assert spring.end - spring.start == timedelta(hours=23)  # type: ignore[operator]
        assert autumn.end - autumn.start == timedelta(hours=25)  # type: ignore[operator]

    def test_instants_keep_their_offset_and_the_end_is_inclusive(self) -> None:
        start = datetime(2024, 1, 15, 10, tzinfo=timezone(timedelta(hours=2)))
        end = datetime(2024, 1, 15, 17, tzinfo=UTC)

        bounds = period_bounds(start, end, "America/New_York")

        assert bounds.start == datetime(2024, 1, 15, 8, tzinfo=UTC)
        assert bounds.end == end + timedelta(microseconds=1)

    def test_naive_instants_are_wall_clock_times(self) -> None:
        bounds = period_bounds(datetime(2024, 7, 1, 9), None, "Europe/Amsterdam")

        assert bounds.start == datetime(2024, 7, 1, 7, tzinfo=UTC)

    @PROPERTIES
    @given(moment=instants, zone=zones)
    def test_a_day_holds_exactly_the_instants_of_that_local_day(
        self, moment: datetime, zone: str
    ) -> None:
        local_day = moment.astimezone(ZoneInfo(zone)).date()

        same = period_bounds(local_day, local_day, zone)
        before = period_bounds(local_day - timedelta(days=1), local_day - timedelta(days=1), zone)
        after = period_bounds(local_day + timedelta(days=1), local_day + timedelta(days=1), zone)

        assert same.start is not None
        assert same.end is not None
        assert same.start <= moment < same.end
        # Consecutive days tile the time line: no gap, no overlap.
        assert before.end == same.start
        assert after.start == same.end
        assert same.start.astimezone(ZoneInfo(zone)).date() == local_day

    @PROPERTIES
    @given(moment=instants, zone=zones)
    def test_an_instant_end_includes_that_instant_only(self, moment: datetime, zone: str) -> None:
        bounds = period_bounds(moment, moment, zone)

        assert bounds.start == moment
        assert bounds.end == moment + timedelta(microseconds=1)


class TestZoneConversion:
    @PROPERTIES
    @given(wall=walls, zone=zones, reader=zones)
    def test_naive_in_a_zone_equals_the_explicit_offset(
        self, wall: datetime, zone: str, reader: str
    ) -> None:
        explicit = wall.replace(tzinfo=ZoneInfo(zone))
        offset_only = wall.replace(tzinfo=timezone(explicit.utcoffset() or timedelta()))

        converted = in_zone_to_utc(wall, zone)

        assert converted.tzinfo is UTC
        assert converted == explicit.astimezone(UTC)
        # An aware value keeps its own offset, whoever reads it.
        assert in_zone_to_utc(offset_only, reader) == converted
        assert in_zone_to_utc(explicit, reader) == converted

    @PROPERTIES
    @given(moment=instants, zone=zones)
    def test_local_wall_time_round_trips_outside_ambiguity(
        self, moment: datetime, zone: str
    ) -> None:
        local = moment.astimezone(ZoneInfo(zone))
        wall = local.replace(tzinfo=None)
        earlier = wall.replace(tzinfo=ZoneInfo(zone), fold=0).utcoffset()
        later = wall.replace(tzinfo=ZoneInfo(zone), fold=1).utcoffset()

        if earlier == later:
            assert in_zone_to_utc(wall, zone) == moment
        else:
            # A repeated wall time (clocks went back) resolves to its first occurrence.
            assert in_zone_to_utc(wall, zone) == wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
            assert in_zone_to_utc(wall, zone) <= moment
