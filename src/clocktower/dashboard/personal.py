"""What the personal dashboards share: the caller's moment and local clock, and the
cache rule.

A personal answer is cached per organisation, user, dashboard and its parameters, for
the caller's time zone and local day, and for the current state of their entries (a
fingerprint of their count and last change): adding, editing or deleting an entry makes
the next answer fresh, whatever the time to live. While the caller's timer runs the
answer is always computed and never kept, so today's and this week's numbers are never
stale while time is being tracked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from clocktower.auth.context import AuthContext
from clocktower.dashboard.cache import cache_key
from clocktower.dashboard.clock import Moment
from clocktower.dashboard.local_clock import LocalClock
from clocktower.dashboard.repository import Activity, PersonalRepository
from clocktower.kit.cache import Cache
from clocktower.models import Organization

Answer = TypeVar("Answer", bound=BaseModel)


@dataclass(frozen=True)
class Personal:
    """One request's view of the caller's own time."""

    session: AsyncSession
    auth: AuthContext
    repository: PersonalRepository
    activity: Activity
    moment: Moment

    @property
    def clock(self) -> LocalClock:
        """The caller's local clock over the span of their entries."""
        now = self.moment.now
        first = self.activity.first_start or now
        last = self.activity.last_start or now
        return LocalClock.of(self.moment.zone, first, last, now)

    async def organization(self) -> Organization:
        return await self.session.get_one(Organization, self.auth.org_id)


async def personal_answer(
    session: AsyncSession,
    auth: AuthContext,
    cache: Cache,
    *,
    name: str,
    parameters: tuple[object, ...],
    ttl_seconds: int,
    answer_type: type[Answer],
    compute: Callable[[Personal], Awaitable[Answer]],
) -> Answer:
    """The cached answer when there is one for this exact state, else a computed one."""
    moment = Moment.of(auth.user.timezone)
    repository = PersonalRepository(session, auth.org_id, auth.user_id)
    activity = await repository.activity()
    personal = Personal(session, auth, repository, activity, moment)
    if activity.running:
        return await compute(personal)
    key = cache_key(
        auth.org_id,
        auth.user_id,
        name,
        *parameters,
        moment.zone,
        moment.today.isoformat(),
        activity.fingerprint,
    )
    cached = await cache.get(key)
    if cached is not None:
        return answer_type.model_validate_json(cached)
    answer = await compute(personal)
    await cache.set(key, answer.model_dump_json(), ttl_seconds)
    return answer
