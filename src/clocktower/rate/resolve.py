"""Which hourly rate applies to a person's time (S4.1), for many buckets at once.

The first rate that is set wins, in this order:

1. the task's own rate (`tasks.hourly_rate_cents`);
2. the person's rate on the project (`project_user_rates`);
3. the project's rate (`projects.hourly_rate_cents`);
4. the person's own rate in the organisation (`memberships.hourly_rate_cents`);
5. the client's default rate (`clients.default_hourly_rate_cents`);
6. the organisation's default rate (setting `default_hourly_rate`).

None of them set: no rate (`source` "none", `cents` None). The currency is the client's,
else the organisation's. A task names its project: with a task, the task's project (and
that project's client) count, whatever project the key names.

`resolve_rates` issues a fixed number of statements however many buckets it is given
(one per kind of row, per thousand ids). Rates are read when asked: a bill keeps the rate
it was priced at until its entries change or the bills are recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.kit.money import from_cents
from clocktower.models import Client, Membership, Organization, Project, ProjectUserRate, Task

# Ids per IN list: far below SQLite's and asyncpg's limits on bound parameters.
_CHUNK = 1000

RateSource = Literal["task", "project_user", "project", "user", "client", "organization", "none"]


@dataclass(frozen=True)
class RateKey:
    """A bucket of time: whose, on which task / project / client."""

    user_id: int
    project_id: int | None = None
    task_id: int | None = None
    client_id: int | None = None


@dataclass(frozen=True)
class ResolvedRate:
    cents: int | None
    source: RateSource
    currency: str

    @property
    def hourly_rate(self) -> Decimal | None:
        return from_cents(self.cents)


async def resolve_rates(
    session: AsyncSession, organization_id: int, keys: Iterable[RateKey]
) -> dict[RateKey, ResolvedRate]:
    wanted = set(keys)
    if not wanted:
        return {}
    task_ids = {key.task_id for key in wanted if key.task_id is not None}
    tasks = await _task_rows(session, organization_id, task_ids)
    # A task names its project; an entry's project wins only when no task is given.
    project_of = {
        key: (tasks[key.task_id][1] if key.task_id in tasks else key.project_id) for key in wanted
    }
    project_ids = {pid for pid in project_of.values() if pid is not None}
    projects = await _project_rows(session, organization_id, project_ids)
    client_of = {
        key: (projects[pid][1] if (pid := project_of[key]) in projects else key.client_id)
        for key in wanted
    }
    client_ids = {cid for cid in client_of.values() if cid is not None}
    clients = await _client_rows(session, organization_id, client_ids)
    user_ids = {key.user_id for key in wanted}
    member_rates = await _member_rates(session, organization_id, user_ids)
    pairs = {(project_of[key], key.user_id) for key in wanted if project_of[key] is not None}
    person_rates = await _project_user_rates(session, organization_id, pairs)
    organization = await session.get_one(Organization, organization_id)
    org_default = (organization.settings or {}).get("default_hourly_rate_cents")

    resolved: dict[RateKey, ResolvedRate] = {}
    for key in wanted:
        project_id, client_id = project_of[key], client_of[key]
        client_rate, client_currency = clients.get(client_id, (None, None))
        candidates: list[tuple[int | None, RateSource]] = [
            (tasks[key.task_id][0] if key.task_id in tasks else None, "task"),
            (person_rates.get((project_id, key.user_id)), "project_user"),
            (projects[project_id][0] if project_id in projects else None, "project"),
            (member_rates.get(key.user_id), "user"),
            (client_rate, "client"),
            (org_default, "organization"),
        ]
        nothing: tuple[int | None, RateSource] = (None, "none")
        cents, source = next(
            ((cents, source) for cents, source in candidates if cents is not None), nothing
        )
        resolved[key] = ResolvedRate(cents, source, client_currency or organization.currency)
    return resolved


async def resolve_rate(session: AsyncSession, organization_id: int, key: RateKey) -> ResolvedRate:
    return (await resolve_rates(session, organization_id, [key]))[key]


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    ordered = sorted(values)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


async def _task_rows(
    session: AsyncSession, organization_id: int, ids: set[int]
) -> dict[int, tuple[int | None, int]]:
    found: dict[int, tuple[int | None, int]] = {}
    for chunk in _chunks(ids):
        result = await session.execute(
            select(Task.id, Task.hourly_rate_cents, Task.project_id).where(
                Task.organization_id == organization_id, Task.id.in_(chunk)
            )
        )
        found.update({row.id: (row.hourly_rate_cents, row.project_id) for row in result})
    return found


async def _project_rows(
    session: AsyncSession, organization_id: int, ids: set[int]
) -> dict[int, tuple[int | None, int | None]]:
    found: dict[int, tuple[int | None, int | None]] = {}
    for chunk in _chunks(ids):
        result = await session.execute(
            select(Project.id, Project.hourly_rate_cents, Project.client_id).where(
                Project.organization_id == organization_id, Project.id.in_(chunk)
            )
        )
        found.update({row.id: (row.hourly_rate_cents, row.client_id) for row in result})
    return found


async def _client_rows(
    session: AsyncSession, organization_id: int, ids: set[int]
) -> dict[int | None, tuple[int | None, str | None]]:
    found: dict[int | None, tuple[int | None, str | None]] = {}
    for chunk in _chunks(ids):
        result = await session.execute(
            select(Client.id, Client.default_hourly_rate_cents, Client.currency).where(
                Client.organization_id == organization_id, Client.id.in_(chunk)
            )
        )
        found.update({row.id: (row.default_hourly_rate_cents, row.currency) for row in result})
    return found


async def _member_rates(
    session: AsyncSession, organization_id: int, user_ids: set[int]
) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in _chunks(user_ids):
        result = await session.execute(
            select(Membership.user_id, Membership.hourly_rate_cents).where(
                Membership.organization_id == organization_id,
                Membership.user_id.in_(chunk),
                Membership.hourly_rate_cents.is_not(None),
            )
        )
        found.update({row.user_id: row.hourly_rate_cents for row in result})
    return found


async def _project_user_rates(
    session: AsyncSession, organization_id: int, pairs: set[tuple[int | None, int]]
) -> dict[tuple[int | None, int], int]:
    found: dict[tuple[int | None, int], int] = {}
    for chunk in _chunks(pairs):
        result = await session.execute(
            select(
                ProjectUserRate.project_id,
                ProjectUserRate.user_id,
                ProjectUserRate.hourly_rate_cents,
            ).where(
                ProjectUserRate.organization_id == organization_id,
                tuple_(ProjectUserRate.project_id, ProjectUserRate.user_id).in_(chunk),
            )
        )
        found.update({(row.project_id, row.user_id): row.hourly_rate_cents for row in result})
    return found
