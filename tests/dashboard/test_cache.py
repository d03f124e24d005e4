"""The dashboards in the application cache: what is cached for how long, and the
rule that a running timer or a changed entry always gives fresh numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import redis.asyncio as redis
from fastapi import FastAPI

from clocktower.dashboard.cache import PREFIX, cache_key
from clocktower.kit.cache import MemoryCache, RedisCache
from tests.conftest import QueryCounter
from tests.dashboard.conftest import (
    PRODUCTIVITY,
    VALUE,
    Hold,
    client_of,
    forecast_url,
    utc,
)
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import add_entry, make_project

NOW = "2026-04-15T10:00"


class Ticking:
    """A monotonic clock tests move by hand."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


class TestDashboardKeys:
    def test_keys_name_organisation_user_and_dashboard(self) -> None:
        assert cache_key(7, 42, "value", "UTC") == f"{PREFIX}:7:42:value:UTC"


class TestValueDashboardCache:
    async def test_second_call_is_served_from_the_cache(
        self, api: Api, factory: Factory, owner: Member, at: Hold, queries: QueryCounter
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"))

        with queries:
            first = await api.as_(owner).get(VALUE)
        computed = queries.count
        with queries:
            second = await api.as_(owner).get(VALUE)

        assert second.json() == first.json()
        # Only the check of the caller's entries remains (plus authentication).
        assert queries.count == computed - 4, queries.statements

    async def test_a_changed_entry_gives_fresh_numbers(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        entry = await add_entry(factory, owner, utc("2026-04-14T09:00"))
        assert (await api.as_(owner).get(VALUE)).json()["total_hours"] == 1.0

        await add_entry(factory, owner, utc("2026-04-13T09:00"), minutes=30)
        assert (await api.as_(owner).get(VALUE)).json()["total_hours"] == 1.5

        entry.duration_seconds = 7200
        entry.end_at = entry.start_at + timedelta(hours=2)
        await factory.session.commit()
        assert (await api.as_(owner).get(VALUE)).json()["total_hours"] == 2.5

        await factory.session.delete(entry)
        await factory.session.commit()
        assert (await api.as_(owner).get(VALUE)).json()["total_hours"] == 0.5

    async def test_never_kept_while_a_timer_runs(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        at: Hold,
        fresh_cache: MemoryCache,
        queries: QueryCounter,
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"))
        await api.as_(owner).get(VALUE)  # cached before the timer starts
        timer = await add_entry(factory, owner, utc("2026-04-15T09:00"), minutes=None)

        with queries:
            await api.as_(owner).get(VALUE)
        first = queries.count
        with queries:
            await api.as_(owner).get(VALUE)

        assert queries.count == first  # computed every time
        assert len(fresh_cache._values) == 1  # only the answer from before the timer
        # The timer stops: the answer counts it at once.
        timer.end_at = utc("2026-04-15T09:30")
        timer.duration_seconds = 1800
        await factory.session.commit()
        assert (await api.as_(owner).get(VALUE)).json()["total_hours"] == 1.5

    async def test_each_user_has_their_own_answer(
        self, api: Api, factory: Factory, owner: Member, member: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"), minutes=60)
        await add_entry(factory, member, utc("2026-04-14T09:00"), minutes=30)

        mine = (await api.as_(owner).get(VALUE)).json()
        theirs = (await api.as_(member).get(VALUE)).json()

        assert (mine["total_hours"], theirs["total_hours"]) == (1.0, 0.5)

    async def test_a_new_day_is_a_new_answer(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-15T08:00"))
        assert (await api.as_(owner).get(VALUE)).json()["last_7_days"][-1]["hours"] == 1.0

        at(utc("2026-04-16T00:05"))
        body = (await api.as_(owner).get(VALUE)).json()

        assert body["last_7_days"][-1] == {"date": "2026-04-16", "hours": 0.0}


class TestProductivityCache:
    async def test_cached_per_period_and_never_served_while_a_timer_runs(
        self, api: Api, factory: Factory, owner: Member, at: Hold, queries: QueryCounter
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"))
        with queries:
            first = await api.as_(owner).get(PRODUCTIVITY)
        computed = queries.count
        with queries:
            again = await api.as_(owner).get(PRODUCTIVITY)
        cached = queries.count
        with queries:
            await api.as_(owner).get(PRODUCTIVITY, params={"period": 7})
        other_period = queries.count

        assert again.json() == first.json()
        assert cached < computed
        assert other_period == computed

        await add_entry(factory, owner, utc("2026-04-15T09:30"), minutes=None)
        with queries:
            running = (await api.as_(owner).get(PRODUCTIVITY)).json()

        assert running["summary"]["active_timer"]["elapsed_seconds"] == 1800
        assert queries.count > computed  # computed, with the timer's details


class TestForecastCache:
    async def test_cached_per_mode_refresh_bypasses_and_ttl_expires(
        self,
        api: Api,
        factory: Factory,
        owner: Member,
        at: Hold,
        fresh_cache: MemoryCache,
        queries: QueryCounter,
    ) -> None:
        timer = Ticking()
        fresh_cache.timer = timer
        at(utc(NOW))
        project = await make_project(factory, owner.organization)
        url = forecast_url(project.id)
        first = (await api.as_(owner).get(url)).json()

        at(utc("2026-04-15T10:05"))
        await add_entry(factory, owner, utc("2026-04-14T09:00"), project=project)
        with queries:
            cached = (await api.as_(owner).get(url)).json()
        assert cached == first  # generated at 10:00, before the entry
        hits = queries.count
        with queries:
            ai = (await api.as_(owner).get(url, params={"ai": "true"})).json()
        assert queries.count > hits  # another mode, another answer
        assert ai["forecast"]["generated_at"] == "2026-04-15T10:05:00Z"

        refreshed = (await api.as_(owner).get(url, params={"refresh": "true"})).json()
        assert refreshed["forecast"]["timeline"]["tracked_hours"] == 1.0
        assert refreshed["forecast"]["generated_at"] == "2026-04-15T10:05:00Z"
        assert (await api.as_(owner).get(url)).json() == refreshed  # stored

        at(utc("2026-04-15T10:20"))
        timer.seconds += 601
        expired = (await api.as_(owner).get(url)).json()
        assert expired["forecast"]["generated_at"] == "2026-04-15T10:20:00Z"

    async def test_a_cached_forecast_still_checks_visibility(
        self, api: Api, factory: Factory, owner: Member, at: Hold
    ) -> None:
        at(utc(NOW))
        project = await make_project(factory, owner.organization)
        assert (await api.as_(owner).get(forecast_url(project.id))).status_code == 200
        await factory.session.delete(project)
        await factory.session.commit()

        assert (await api.as_(owner).get(forecast_url(project.id))).status_code == 404


class TestSharedThroughRedis:
    async def test_another_process_serves_the_cached_answer(
        self,
        factory: Factory,
        owner: Member,
        at: Hold,
        clean_redis: str,
        node: Callable[..., FastAPI],
        queries: QueryCounter,
    ) -> None:
        at(utc(NOW))
        await add_entry(factory, owner, utc("2026-04-14T09:00"))
        first_node, second_node = node(redis_url=clean_redis), node(redis_url=clean_redis)
        try:
            async with client_of(first_node) as first, client_of(second_node) as second:
                with queries:
                    computed = (await first.as_(owner).get(VALUE)).json()
                cost = queries.count
                with queries:
                    shared = (await second.as_(owner).get(VALUE)).json()

            assert shared == computed
            assert queries.count < cost
            client = redis.from_url(clean_redis, decode_responses=True)
            try:
                keys = [str(key) for key in await client.keys(f"{PREFIX}:*")]
            finally:
                await client.aclose()
            prefix = f"{PREFIX}:{owner.organization.id}:{owner.id}:value:"
            assert len(keys) == 1
            assert keys[0].startswith(prefix)
        finally:
            for app in (first_node, second_node):
                cache = getattr(app.state, "cache", None)
                if isinstance(cache, RedisCache):
                    await cache.close()
