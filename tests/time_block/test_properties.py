"""Property: the database's split of tracked time by local day matches a plain reference.

For random entries (random zone, DST zones included, random start, up to 48 hours long),
`meta.by_day` must give each day of the reader's zone exactly the time that a
minute-by-minute walk in Python gives it, and the days must add up to the total.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, update

from clocktower.models import TimeEntry, User
from tests.support import Api, Factory, Member
from tests.time_block.conftest import BLOCKS

ZONES = (
    "Europe/Amsterdam",
    "America/New_York",
    "America/Santiago",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
)
YEAR_START = datetime(2024, 1, 1, tzinfo=UTC)
YEAR_MINUTES = 366 * 24 * 60
MAX_MINUTES = 48 * 60


def _transitions(zone: str) -> list[datetime]:
    """The instants of 2024 at which the zone's offset changes (to the hour or half)."""
    tz = ZoneInfo(zone)
    found: list[datetime] = []
    step = timedelta(minutes=30)
    instant = YEAR_START
    while instant < YEAR_START + timedelta(days=366):
        if instant.astimezone(tz).utcoffset() != (instant + step).astimezone(tz).utcoffset():
            found.append(instant + step)
        instant += step
    return found


TRANSITIONS = {zone: _transitions(zone) for zone in ZONES}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[str, list[tuple[datetime, int, bool]]]:
    """A zone, and entries within a few days of an anchor: one of the zone's DST changes
    in 2024, or any minute of 2024."""
    zone = draw(st.sampled_from(ZONES))
    near = TRANSITIONS[zone]
    if draw(st.booleans()) and near:
        anchor = draw(st.sampled_from(near))
    else:
        anchor = YEAR_START + timedelta(minutes=draw(st.integers(0, YEAR_MINUTES)))
    entries = []
    for _ in range(draw(st.integers(min_value=1, max_value=5))):
        start = anchor + timedelta(minutes=draw(st.integers(-MAX_MINUTES, 3 * 24 * 60)))
        minutes = draw(st.integers(min_value=1, max_value=MAX_MINUTES))
        entries.append((start, minutes, draw(st.booleans())))
    return zone, entries


def reference_split(
    zone: str, entries: list[tuple[datetime, int, bool]]
) -> tuple[Counter[date], Counter[date]]:
    """Seconds per local day, minute by minute: each minute belongs to the day its
    local wall clock shows."""
    tz = ZoneInfo(zone)
    total: Counter[date] = Counter()
    billable: Counter[date] = Counter()
    for start, minutes, is_billable in entries:
        for minute in range(minutes):
            day = (start + timedelta(minutes=minute)).astimezone(tz).date()
            total[day] += 60
            if is_billable:
                billable[day] += 60
    return total, billable


def hours(seconds: int) -> float:
    exact = (Decimal(seconds) / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return float(exact)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
async def test_by_day_split_matches_a_minute_by_minute_reference(
    api: Api,
    factory: Factory,
    owner: Member,
    scenario: tuple[str, list[tuple[datetime, int, bool]]],
) -> None:
    zone, entries = scenario
    organization_id = owner.organization.id
    # Fixtures live for the whole test: every example starts from no entries.
    await factory.session.execute(
        delete(TimeEntry).where(TimeEntry.organization_id == organization_id)
    )
    await factory.session.execute(update(User).where(User.id == owner.id).values(timezone=zone))
    await factory.session.execute(
        insert(TimeEntry),
        [
            {
                "organization_id": organization_id,
                "user_id": owner.id,
                "start_at": start,
                "end_at": start + timedelta(minutes=minutes),
                "duration_seconds": minutes * 60,
                "billable": is_billable,
            }
            for start, minutes, is_billable in entries
        ],
    )
    await factory.session.commit()
    total, billable = reference_split(zone, entries)
    first, last = min(total), max(total)

    response = await api.as_(owner).get(
        BLOCKS, params={"start": first.isoformat(), "end": last.isoformat()}
    )

    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert meta["by_day"] == {day.isoformat(): hours(total[day]) for day in sorted(total)}
    assert meta["total_hours"] == hours(sum(total.values()))
    assert meta["billable_hours"] == hours(sum(billable.values()))
    # Each day is rounded on its own: the days add up to the total within their rounding.
    assert abs(sum(meta["by_day"].values()) - meta["total_hours"]) <= 0.005 * len(total) + 1e-9
    assert len(response.json()["data"]) == len(entries)
