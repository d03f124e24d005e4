"""Properties of time-zone conversion and reporting periods (kit.time, kit.period)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from clocktower.kit.period import period_bounds
from clocktower.kit.time import in_zone_to_utc

# Hour-long DST changes, half-hour ones (Lord Howe), DST at midnight (Santiago),
# odd offsets (Kolkata, Chatham, St John's), southern summers, and no DST at all.
ZONES = (
    "UTC",
    "Europe/Amsterdam",
    "America/New_York",
    "America/Santiago",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
HOUR_DST_ZONES = ("UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kolkata")
ONE_MICROSECOND = timedelta(microseconds=1)

fast = settings(max_examples=100, deadline=None)
zones = st.sampled_from(ZONES)
wall_times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31))
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))


def _offsets(naive: datetime, zone: str) -> tuple[timedelta, timedelta]:
    """The zone's UTC offset for both readings (fold 0 and 1) of a wall-clock time."""
    tz = ZoneInfo(zone)
    first = naive.replace(tzinfo=tz, fold=0).utcoffset()
    second = naive.replace(tzinfo=tz, fold=1).utcoffset()
    assert first is not None
    assert second is not None
    return first, second


class TestInZoneToUtc:
    @fast
    @given(naive=wall_times, zone=zones, reader=zones)
    def test_naive_in_zone_agrees_with_its_explicit_offset(
        self, naive: datetime, zone: str, reader: str
    ) -> None:
        offset, _ = _offsets(naive, zone)
        explicit = naive.replace(tzinfo=timezone(offset))

        # An explicit offset wins whatever zone the reader is in.
        assert in_zone_to_utc(naive, zone) == in_zone_to_utc(explicit, reader)
        assert in_zone_to_utc(naive, zone) == (naive - offset).replace(tzinfo=UTC)

    @fast
    @given(naive=wall_times, zone=zones)
    def test_wall_time_round_trips_except_in_a_gap(self, naive: datetime, zone: str) -> None:
        before, after = _offsets(naive, zone)
        back = in_zone_to_utc(naive, zone).astimezone(ZoneInfo(zone)).replace(tzinfo=None)

        if before < after:
            # Skipped by a spring-forward: read with the offset before the change.
            assert back == naive + (after - before)
        else:
            # Ambiguous times (fall back) resolve to the earlier instant, fold 0.
            assert back == naive

    @fast
    @given(instant=wall_times, zone=zones)
    def test_aware_values_are_converted_never_dropped(self, instant: datetime, zone: str) -> None:
        aware = instant.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))

        assert in_zone_to_utc(aware, "UTC") == instant.replace(tzinfo=UTC)


class TestPeriodBounds:
    @fast
    @given(naive=wall_times, zone=zones, reader=zones)
    def test_naive_bounds_agree_with_explicit_offsets(
        self, naive: datetime, zone: str, reader: str
    ) -> None:
        offset, _ = _offsets(naive, zone)
        explicit = naive.replace(tzinfo=timezone(offset))

        assert period_bounds(naive, naive, zone) == period_bounds(explicit, explicit, reader)

    @fast
    @given(naive=wall_times, zone=zones)
    def test_an_instant_end_is_inclusive(self, naive: datetime, zone: str) -> None:
        bounds = period_bounds(naive, naive, zone)

        assert bounds.start is not None
        assert bounds.end == bounds.start + ONE_MICROSECOND

    @fast
    @given(day=days, zone=zones)
    def test_a_date_covers_exactly_that_local_day(self, day: date, zone: str) -> None:
        tz = ZoneInfo(zone)
        bounds = period_bounds(day, day, zone)

        assert bounds.start is not None
        assert bounds.end is not None
        assert bounds.start.tzinfo is not None
        # The first and last instants inside are on that day; the instants around are not.
        assert bounds.start.astimezone(tz).date() == day
        assert (bounds.end - ONE_MICROSECOND).astimezone(tz).date() == day
        assert (bounds.start - ONE_MICROSECOND).astimezone(tz).date() == day - timedelta(days=1)
        assert bounds.end.astimezone(tz).date() == day + timedelta(days=1)

    @fast
    @given(day=days, zone=st.sampled_from(HOUR_DST_ZONES))
    def test_a_day_is_23_24_or_25_hours(self, day: date, zone: str) -> None:
        bounds = period_bounds(day, day, zone)

        assert bounds.start is not None
        assert bounds.end is not None
        length = bounds.end - bounds.start
        assert length in (timedelta(hours=23), timedelta(hours=24), timedelta(hours=25))
        midnight = datetime.combine(day, datetime.min.time())
        offset_at_start, _ = _offsets(midnight, zone)
        offset_at_end, _ = _offsets(midnight + timedelta(days=1), zone)
        # Longer by exactly what the clocks went back that day, shorter by what they jumped.
        assert length == timedelta(hours=24) + offset_at_start - offset_at_end

    @fast
    @given(first=days, span=st.integers(min_value=0, max_value=400), zone=zones)
    def test_date_ranges_are_whole_local_days(self, first: date, span: int, zone: str) -> None:
        last = first + timedelta(days=span)
        whole = period_bounds(first, last, zone)
        start_day = period_bounds(first, first, zone)
        end_day = period_bounds(last, last, zone)

        assert whole.start == start_day.start
        assert whole.end == end_day.end
