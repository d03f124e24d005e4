"""GET /time-entries remembers its total under the organisation's change-log sequence: a
second page skips the count, and any write of an entry (one by one or set-based) gives
the next page a fresh, exact total."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import QueryCounter
from tests.support import Api, Factory, Member
from tests.time_entry.conftest import ENTRIES, add_entry, entry_url, iso, utc

MONDAY = utc("2024-03-04T09:00")


def _counts(statements: list[str]) -> list[str]:
    return [statement for statement in statements if "count(" in statement.lower()]


async def _total(api: Api, who: Member, **params: object) -> int:
    response = await api.as_(who).get(ENTRIES, params=params)
    assert response.status_code == 200, response.text
    total: int = response.json()["pagination"]["total"]
    return total


async def _create(api: Api, who: Member, start: str) -> int:
    response = await api.as_(who).post(
        ENTRIES, json={"start_time": start, "duration_seconds": 1800}
    )
    assert response.status_code == 201, response.text
    entry_id: int = response.json()["time_entry"]["id"]
    return entry_id


class TestRememberedTotal:
    async def test_the_second_page_skips_the_count(
        self, api: Api, factory: Factory, owner: Member, queries: QueryCounter
    ) -> None:
        for day in range(3):
            await add_entry(factory, owner, MONDAY + timedelta(days=day))

        with queries:
            first = await api.as_(owner).get(ENTRIES, params={"per_page": 2})
        counted = queries.count
        assert len(_counts(queries.statements)) == 1, queries.statements
        with queries:
            second = await api.as_(owner).get(ENTRIES, params={"per_page": 2, "page": 2})

        assert first.json()["pagination"]["total"] == 3
        assert second.json()["pagination"]["total"] == 3
        assert len(second.json()["time_entries"]) == 1
        assert queries.count == counted - 1, queries.statements
        assert _counts(queries.statements) == []

    async def test_writes_through_the_api_are_counted_at_once(
        self, api: Api, owner: Member
    ) -> None:
        first = await _create(api, owner, "2024-03-04T09:00:00Z")
        assert await _total(api, owner) == 1

        await _create(api, owner, "2024-03-05T09:00:00Z")
        assert await _total(api, owner) == 2

        changed = await api.as_(owner).patch(
            entry_url(first),
            json={"start_time": "2024-02-01T09:00:00Z", "end_time": "2024-02-01T09:30:00Z"},
        )
        assert changed.status_code == 200, changed.text
        assert await _total(api, owner, start_date="2024-03-01") == 1

        deleted = await api.as_(owner).delete(entry_url(first))
        assert deleted.status_code == 200, deleted.text
        assert await _total(api, owner) == 1
        assert await _total(api, owner, start_date="2024-03-01") == 1

    async def test_a_running_timer_is_counted_once_it_stops(self, api: Api, owner: Member) -> None:
        started = await api.as_(owner).post(ENTRIES, json={"start_time": iso(MONDAY)})
        assert started.status_code == 201, started.text
        assert await _total(api, owner) == 0

        stopped = await api.as_(owner).post("/api/v1/timer/stop", json={})
        assert stopped.status_code == 200, stopped.text
        assert await _total(api, owner) == 1

    async def test_a_set_based_write_is_counted_at_once(
        self, api: Api, factory: Factory, owner: Member
    ) -> None:
        one = await add_entry(factory, owner, MONDAY, billable=True)
        two = await add_entry(factory, owner, MONDAY + timedelta(hours=2), billable=True)
        assert await _total(api, owner, billable="false") == 0

        bulk = await api.as_(owner).post(
            f"{ENTRIES}/bulk",
            json={"entry_ids": [one.id, two.id], "action": "set_billable", "value": False},
        )
        assert bulk.status_code == 200, bulk.text
        assert await _total(api, owner, billable="false") == 2

        removed = await api.as_(owner).post(
            f"{ENTRIES}/bulk", json={"entry_ids": [one.id], "action": "delete"}
        )
        assert removed.status_code == 200, removed.text
        assert await _total(api, owner, billable="false") == 1

    async def test_each_reader_and_filter_has_its_own_total(
        self, api: Api, factory: Factory, owner: Member, member: Member
    ) -> None:
        await add_entry(factory, owner, MONDAY)
        await add_entry(factory, owner, MONDAY + timedelta(days=1), billable=False)
        await add_entry(factory, member, MONDAY)

        assert await _total(api, owner) == 3
        assert await _total(api, member) == 1  # their own entries only
        assert await _total(api, owner, user_id=member.id) == 1
        assert await _total(api, owner, billable="false") == 1
        assert await _total(api, owner, start_date="2024-03-05") == 1
        assert await _total(api, owner) == 3

    async def test_updated_since_is_always_counted(
        self, api: Api, factory: Factory, owner: Member, queries: QueryCounter
    ) -> None:
        await add_entry(factory, owner, MONDAY)
        params = {"updated_since": "2000-01-01T00:00:00Z"}

        for _ in range(2):
            with queries:
                assert await _total(api, owner, **params) == 1
            assert len(_counts(queries.statements)) == 1, queries.statements
