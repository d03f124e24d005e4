"""Property: for random entries (people in random zones, tasks, projects, clients,
durations, billable flags), rounding rules and rates, the bills the ledger keeps
incrementally price exactly what an independent Decimal computation says; a recompute
then finds nothing to change (it equals the incremental result), and neither does a
second one.

Runs at the ledger's level (`ledger.refresh` / `ledger.rebuild` on the test's session):
the HTTP writers' hooks are covered by test_ledger and test_writers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from clocktower.models import (
    Client,
    Job,
    Membership,
    Organization,
    Project,
    ProjectUserRate,
    Task,
    TimeBill,
    TimeEntry,
)
from clocktower.time_bill import ledger
from clocktower.time_bill.repository import BillScope
from tests.support import Factory, Member
from tests.time_bill.conftest import make_project, make_task

EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ZONES = ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Kathmandu", "Pacific/Kiritimati"]
RULES = [("none", 0)] + [(mode, m) for mode in ("per_entry", "per_bill") for m in (1, 6, 15, 30)]
BASE = datetime(2024, 3, 30, 18, tzinfo=UTC)  # around a DST change in Europe

TASK_RATE, PROJECT_RATE, CLIENT_RATE = 12345, 9000, 7550
PERSON_ON_PROJECT, PERSON, ORGANIZATION = 11000, 6000, 5000


@dataclass(frozen=True)
class World:
    organization: Organization
    people: list[Member]
    priced_task: Task  # own rate, on the priced project
    plain_task: Task  # no rate, on the priced project
    priced: Project  # own rate, no client
    unpriced: Project  # no rate, client in USD with a default rate
    usd: Client


@dataclass(frozen=True)
class Spec:
    person: int
    target: str  # priced_task | plain_task | priced | unpriced | client | nothing
    offset_minutes: int
    seconds: int
    billable: bool


@dataclass(frozen=True)
class Rates:
    person_on_project: bool
    person: bool
    organization: bool


specs = st.builds(
    Spec,
    person=st.integers(0, 1),
    target=st.sampled_from(
        ["priced_task", "plain_task", "priced", "unpriced", "client", "nothing"]
    ),
    offset_minutes=st.integers(0, 3 * 24 * 60),
    seconds=st.one_of(st.integers(1, 4 * 3600), st.sampled_from([18, 54, 900, 1800, 3600])),
    billable=st.booleans(),
)
rates = st.builds(Rates, st.booleans(), st.booleans(), st.booleans())


@pytest.fixture
async def world(factory: Factory, owner: Member, member: Member) -> World:
    organization = owner.organization
    usd = Client(
        organization_id=organization.id,
        name="Initech",
        currency="USD",
        default_hourly_rate_cents=CLIENT_RATE,
    )
    factory.session.add(usd)
    await factory.session.commit()
    priced = await make_project(
        factory, organization, name="Priced", hourly_rate_cents=PROJECT_RATE
    )
    unpriced = await make_project(factory, organization, name="Unpriced", client_id=usd.id)
    priced_task = await make_task(factory, priced, name="Priced task")
    priced_task.hourly_rate_cents = TASK_RATE
    plain_task = await make_task(factory, priced, name="Plain task")
    await factory.session.commit()
    return World(organization, [member, owner], priced_task, plain_task, priced, unpriced, usd)


async def reset(factory: Factory, world: World) -> None:
    for model in (TimeEntry, TimeBill, ProjectUserRate, Job):
        await factory.session.execute(
            delete(model).where(model.organization_id == world.organization.id)
        )
    await factory.session.commit()


def references(world: World, target: str) -> tuple[int | None, int | None, int | None]:
    """(project, task, client) of an entry aimed at `target`."""
    return {
        "priced_task": (world.priced.id, world.priced_task.id, None),
        "plain_task": (world.priced.id, world.plain_task.id, None),
        "priced": (world.priced.id, None, None),
        "unpriced": (world.unpriced.id, None, world.usd.id),
        "client": (None, None, world.usd.id),
        "nothing": (None, None, None),
    }[target]


def expected_rate(world: World, spec: Spec, rate_set: Rates) -> int | None:
    """S4.1's order, written out independently: task → person on project → project →
    person → client → organisation."""
    is_member = spec.person == 0
    on_priced = spec.target in ("priced_task", "plain_task", "priced")
    candidates = [
        TASK_RATE if spec.target == "priced_task" else None,
        PERSON_ON_PROJECT if on_priced and is_member and rate_set.person_on_project else None,
        PROJECT_RATE if on_priced else None,
        PERSON if is_member and rate_set.person else None,
        CLIENT_RATE if spec.target in ("unpriced", "client") else None,
        ORGANIZATION if rate_set.organization else None,
    ]
    return next((rate for rate in candidates if rate is not None), None)


def round_up(seconds: int, step: int) -> int:
    return seconds if step == 0 else ((seconds + step - 1) // step) * step


def expected_amounts(
    world: World,
    entries: list[Spec],
    zones: list[str],
    rule: tuple[str, int],
    rate_set: Rates,
) -> dict[tuple[object, ...], int]:
    mode, minutes = rule
    step = minutes * 60
    buckets: dict[tuple[object, ...], list[int]] = {}
    prices: dict[tuple[object, ...], int | None] = {}
    for spec in entries:
        if not spec.billable:
            continue
        start = BASE + timedelta(minutes=spec.offset_minutes)
        day: date = start.astimezone(ZoneInfo(zones[spec.person])).date()
        project, task, client = references(world, spec.target)
        key = (
            world.people[spec.person].id,
            project,
            task,
            client if project is None else None,
            day,
        )
        buckets.setdefault(key, []).append(spec.seconds)
        prices[key] = expected_rate(world, spec, rate_set)
    amounts = {}
    for key, seconds in buckets.items():
        if mode == "per_entry":
            billable = sum(round_up(value, step) for value in seconds)
        elif mode == "per_bill":
            billable = round_up(sum(seconds), step)
        else:
            billable = sum(seconds)
        rate = prices[key]
        amount = Decimal(0) if rate is None else Decimal(billable) * rate / Decimal(3600)
        amounts[key] = int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return amounts


async def configure(
    factory: Factory, world: World, zones: list[str], rule: tuple[str, int], rate_set: Rates
) -> None:
    organization = world.organization
    organization.settings = {
        **(organization.settings or {}),
        "rounding": {"mode": rule[0], "minutes": rule[1]},
        "default_hourly_rate_cents": ORGANIZATION if rate_set.organization else None,
    }
    for person, zone in zip(world.people, zones, strict=True):
        person.user.timezone = zone
        factory.session.add(person.user)
    membership = await factory.session.get_one(Membership, world.people[0].membership.id)
    membership.hourly_rate_cents = PERSON if rate_set.person else None
    if rate_set.person_on_project:
        factory.session.add(
            ProjectUserRate(
                organization_id=organization.id,
                project_id=world.priced.id,
                user_id=world.people[0].id,
                hourly_rate_cents=PERSON_ON_PROJECT,
            )
        )
    factory.session.add(organization)
    await factory.session.commit()


async def write(factory: Factory, world: World, batch: list[Spec]) -> list[TimeEntry]:
    rows = []
    for spec in batch:
        project, task, client = references(world, spec.target)
        start = BASE + timedelta(minutes=spec.offset_minutes)
        rows.append(
            TimeEntry(
                organization_id=world.organization.id,
                user_id=world.people[spec.person].id,
                project_id=project,
                task_id=task,
                client_id=client,
                start_at=start,
                end_at=start + timedelta(seconds=spec.seconds),
                duration_seconds=spec.seconds,
                billable=spec.billable,
            )
        )
    factory.session.add_all(rows)
    await factory.session.flush()
    return rows


async def stored(factory: Factory, world: World) -> dict[tuple[object, ...], tuple[object, ...]]:
    result = await factory.session.scalars(
        select(TimeBill)
        .where(TimeBill.organization_id == world.organization.id)
        .execution_options(populate_existing=True)
    )
    return {
        (
            bill.user_id,
            bill.project_id,
            bill.task_id,
            bill.client_id if bill.project_id is None else None,
            bill.day,
        ): (
            bill.id,
            bill.bill_key,
            bill.entry_count,
            bill.seconds,
            bill.billable_seconds,
            bill.rate_cents,
            bill.amount_cents,
            bill.currency,
            bill.status,
        )
        for bill in result
    }


@EXAMPLES
@given(
    entries=st.lists(specs, min_size=1, max_size=12),
    flips=st.sets(st.integers(0, 11), max_size=4),
    zones=st.lists(st.sampled_from(ZONES), min_size=2, max_size=2),
    rule=st.sampled_from(RULES),
    rate_set=rates,
)
async def test_bills_price_exactly_and_recompute_changes_nothing(
    factory: Factory,
    world: World,
    entries: list[Spec],
    flips: set[int],
    zones: list[str],
    rule: tuple[str, int],
    rate_set: Rates,
) -> None:
    await reset(factory, world)
    await configure(factory, world, zones, rule, rate_set)
    organization_id = world.organization.id
    # Written in two requests' worth, then some entries flip their billable flag.
    middle = len(entries) // 2
    written: list[TimeEntry] = []
    for batch in (entries[:middle], entries[middle:]):
        rows = await write(factory, world, batch)
        await ledger.refresh(factory.session, organization_id, [row.id for row in rows])
        written.extend(rows)
    final = list(entries)
    flipped = [index for index in sorted(flips) if index < len(written)]
    for index in flipped:
        written[index].billable = not written[index].billable
        final[index] = replace(entries[index], billable=not entries[index].billable)
    await factory.session.flush()
    await ledger.refresh(factory.session, organization_id, [written[i].id for i in flipped])

    expected = expected_amounts(world, final, zones, rule, rate_set)
    bills = await stored(factory, world)
    assert {key: values[6] for key, values in bills.items()} == expected
    assert sum(values[6] for values in bills.values()) == sum(expected.values())
    assert {values[1] for values in bills.values()} == {
        f"u{key[0]}:{_where(key)}:{f't{key[2]}' if key[2] else '-'}:{key[4]}" for key in bills
    }

    first = await ledger.rebuild(factory.session, organization_id, BillScope())
    assert (first.created, first.updated, first.deleted) == (set(), set(), set())
    assert await stored(factory, world) == bills
    second = await ledger.rebuild(factory.session, organization_id, BillScope())
    assert (second.created, second.updated, second.deleted) == (set(), set(), set())
    assert second.unchanged == set(values[0] for values in bills.values())


def _where(key: tuple[object, ...]) -> str:
    if key[1] is not None:
        return f"p{key[1]}"
    return f"c{key[3]}" if key[3] is not None else "-"
