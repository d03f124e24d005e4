"""The ledger's statements do not grow with the number of entries: a refresh of forty
entries over many buckets costs what a refresh of two does; so does a recompute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from clocktower.models import Project, Task, TimeBill, TimeEntry
from clocktower.time_bill import ledger
from clocktower.time_bill.repository import BillScope
from tests.conftest import QueryCounter
from tests.support import Factory, Member
from tests.time_bill.conftest import make_task

START = datetime(2024, 1, 15, 9, tzinfo=UTC)


async def rows(
    factory: Factory, people: list[Member], tasks: list[Task], count: int, offset: int = 0
) -> list[int]:
    """`count` stopped entries spread over people, tasks and days, without bills."""
    entries = []
    for number in range(offset, offset + count):
        who = people[number % len(people)]
        task = tasks[(number // len(people)) % len(tasks)]
        start = START + timedelta(days=number % 5, hours=number % 7)
        entries.append(
            TimeEntry(
                organization_id=who.organization.id,
                user_id=who.id,
                project_id=task.project_id,
                task_id=task.id,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                duration_seconds=1800,
            )
        )
    factory.session.add_all(entries)
    await factory.session.commit()
    return [entry.id for entry in entries]


async def bill_count(factory: Factory, organization_id: int) -> int:
    result = await factory.session.execute(
        select(func.count(TimeBill.id)).where(TimeBill.organization_id == organization_id)
    )
    return int(result.scalar_one())


async def test_a_refresh_is_a_fixed_number_of_statements(
    factory: Factory,
    owner: Member,
    member: Member,
    admin: Member,
    website: Project,
    homepage: Task,
    queries: QueryCounter,
) -> None:
    tasks = [homepage, await make_task(factory, website, name="Search")]
    people = [member, admin]
    organization_id = owner.organization.id
    few = await rows(factory, people, tasks, 2)
    with queries:
        await ledger.refresh(factory.session, organization_id, few)
    small = queries.count
    many = await rows(factory, people, tasks, 40, offset=2)

    with queries:
        changes = await ledger.refresh(factory.session, organization_id, many)

    assert queries.count == small, queries.statements
    assert len(changes.created) > 10
    assert await bill_count(factory, organization_id) == 2 + len(changes.created)


async def test_deleting_many_entries_settles_their_bills_at_once(
    factory: Factory,
    owner: Member,
    member: Member,
    homepage: Task,
    queries: QueryCounter,
) -> None:
    organization_id = owner.organization.id
    ids = await rows(factory, [member], [homepage], 30)
    changes = await ledger.refresh(factory.session, organization_id, ids)
    bills = changes.created
    await factory.session.execute(TimeEntry.__table__.delete().where(TimeEntry.id.in_(ids)))

    with queries:
        after = await ledger.refresh(factory.session, organization_id, [], bills)

    assert after.deleted == bills
    assert queries.count <= 3, queries.statements


async def test_a_recompute_is_a_fixed_number_of_statements(
    factory: Factory,
    owner: Member,
    member: Member,
    admin: Member,
    website: Project,
    homepage: Task,
    queries: QueryCounter,
) -> None:
    tasks = [homepage, await make_task(factory, website, name="Search")]
    organization_id = owner.organization.id
    await rows(factory, [member, admin], tasks, 3)
    with queries:
        await ledger.rebuild(factory.session, organization_id, BillScope())
    small = queries.count
    await rows(factory, [member, admin], tasks, 60, offset=3)

    with queries:
        await ledger.rebuild(factory.session, organization_id, BillScope())

    assert queries.count == small, queries.statements
