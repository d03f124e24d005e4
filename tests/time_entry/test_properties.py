"""Property tests through HTTP: durations and time-zone conversion of posted entries.

Each example starts from an empty ledger (`forget_entries`), so examples never see each
other's rows; the test's own transaction still rolls everything back at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Api, Factory, Member
from tests.time_entry.conftest import (
    ENTRIES,
    forget_entries,
    iso,
    set_organization_settings,
    set_timezone,
    stored_entries,
)

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
WEEK = 7 * 24 * 3600
ZONES = [
    "UTC",
    "Europe/Amsterdam",
    "America/New_York",
    "America/St_Johns",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
]

starts = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)).map(
    lambda moment: moment.replace(microsecond=0, tzinfo=UTC)
)


def hours(seconds: int) -> Decimal:
    """Round half up to two places, computed independently of the app."""
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# Mostly anything up to a week, sometimes an exact half hundredth of an hour (18 s, 54 s,
# ...), where rounding half up and rounding half to even part ways.
durations = st.one_of(
    st.integers(min_value=1, max_value=WEEK),
    st.integers(min_value=0, max_value=9000).map(lambda odd: 18 * (2 * odd + 1)),
)


@EXAMPLES
@given(start=starts, seconds=durations, by_duration=st.booleans())
async def test_durations_are_exact(
    api: Api, factory: Factory, owner: Member, start: datetime, seconds: int, by_duration: bool
) -> None:
    await forget_entries(factory, owner.organization)
    await set_organization_settings(api, owner, allow_entries_over_24h=True)
    body: dict[str, object] = {"start_time": iso(start)}
    if by_duration:
        body["duration_seconds"] = seconds
    else:
        body["end_time"] = iso(start + timedelta(seconds=seconds))

    response = await api.as_(owner).post(ENTRIES, json=body)

    assert response.status_code == 201, response.text
    entry = response.json()["time_entry"]
    assert entry["duration_seconds"] == seconds
    assert Decimal(str(entry["duration_hours"])) == hours(seconds)
    assert entry["end_time"] == iso(start + timedelta(seconds=seconds))
    listed = await api.as_(owner).get(ENTRIES)
    assert listed.json()["time_entries"] == [
        {
            key: value
            for key, value in entry.items()
            if key not in {"user", "project", "task", "client"}
        }
    ]


@EXAMPLES
@given(start=starts, seconds=st.integers(min_value=1, max_value=WEEK))
async def test_a_day_or_more_is_refused_without_the_setting(
    api: Api, factory: Factory, member: Member, start: datetime, seconds: int
) -> None:
    await forget_entries(factory, member.organization)

    response = await api.as_(member).post(
        ENTRIES, json={"start_time": iso(start), "duration_seconds": seconds}
    )

    assert response.status_code == (201 if seconds < 24 * 3600 else 400), response.text
    assert len(await stored_entries(factory, member.organization)) == (
        1 if seconds < 24 * 3600 else 0
    )


@EXAMPLES
@given(
    wall=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2035, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    zone=st.sampled_from(ZONES),
)
async def test_naive_time_is_the_same_instant_as_its_offset_form(
    api: Api, factory: Factory, member: Member, wall: datetime, zone: str
) -> None:
    await forget_entries(factory, member.organization)
    await set_timezone(api, member, zone)
    # The offset the zone has at that wall time (the earlier one when it is ambiguous;
    # a time the clocks skip lands where zoneinfo puts it).
    offset_form = wall.replace(tzinfo=ZoneInfo(zone))
    instant = offset_form.astimezone(UTC)

    naive = await api.as_(member).post(
        ENTRIES, json={"start_time": wall.isoformat(), "duration_seconds": 60}
    )
    explicit = await api.as_(member).post(
        ENTRIES, json={"start_time": offset_form.isoformat(), "duration_seconds": 60}
    )

    assert naive.status_code == explicit.status_code == 201
    assert naive.json()["time_entry"]["start_time"] == iso(instant)
    assert explicit.json()["time_entry"]["start_time"] == iso(instant)
    stored = await stored_entries(factory, member.organization)
    assert [entry.start_at for entry in stored] == [instant, instant]
